#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(featured_items::handle).await
}
