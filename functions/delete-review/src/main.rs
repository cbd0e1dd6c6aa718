#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(delete_review::handle).await
}
