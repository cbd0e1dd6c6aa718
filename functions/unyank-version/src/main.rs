#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(unyank_version::handle).await
}
