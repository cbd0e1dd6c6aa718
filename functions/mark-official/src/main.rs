#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(mark_official::handle).await
}
