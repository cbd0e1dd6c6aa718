#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(revoke_item::handle).await
}
