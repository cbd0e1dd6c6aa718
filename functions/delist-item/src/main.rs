#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(delist_item::handle).await
}
