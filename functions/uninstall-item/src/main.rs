#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(uninstall_item::handle).await
}
