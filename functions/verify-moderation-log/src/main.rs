#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(verify_moderation_log::handle).await
}
