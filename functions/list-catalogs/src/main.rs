#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(list_catalogs::handle).await
}
