#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(admin_queue::handle).await
}
