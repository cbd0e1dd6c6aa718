#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(unhide_review::handle).await
}
