#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(clear_official::handle).await
}
