#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(review_item::handle).await
}
