#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(get_me::handle).await
}
