#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(install_plan::handle).await
}
