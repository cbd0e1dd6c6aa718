#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(reject_item::handle).await
}
