#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(create_catalog::handle).await
}
