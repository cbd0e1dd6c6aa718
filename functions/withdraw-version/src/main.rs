#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(withdraw_version::handle).await
}
