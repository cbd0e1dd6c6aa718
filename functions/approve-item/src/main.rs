#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(approve_item::handle).await
}
