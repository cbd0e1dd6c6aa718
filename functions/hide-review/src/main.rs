#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(hide_review::handle).await
}
