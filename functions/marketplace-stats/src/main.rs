#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(marketplace_stats::handle).await
}
