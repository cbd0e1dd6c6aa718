#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(add_catalog_workspace::handle).await
}
