#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(catalog_queue::handle).await
}
