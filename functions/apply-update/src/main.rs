#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(apply_update::handle).await
}
