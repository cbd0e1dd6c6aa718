#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marketplace_http::run(submit_item::handle).await
}
