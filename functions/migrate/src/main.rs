use lambda_runtime::{service_fn, LambdaEvent};
use marketplace_db::{DatabaseTarget, PoolSettings};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let pool = DatabaseTarget::from_env()?
        .pool(PoolSettings::LAMBDA.with_session_limits(None))
        .await?;
    let pool = &pool;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        migrate::handle(pool, event.payload).await
    }))
    .await
}
