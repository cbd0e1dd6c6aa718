#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(feature_item::handle).await
}
