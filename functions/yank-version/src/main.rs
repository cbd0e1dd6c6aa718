#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(yank_version::handle).await
}
