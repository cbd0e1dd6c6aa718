#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(publish_version::handle).await
}
