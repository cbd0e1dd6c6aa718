/// What a domain operation can fail with. The HTTP layer maps each variant to a response in one place.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(&'static str),
    /// An `Idempotency-Key` already used for a different request (another item or another user).
    #[error("{0}")]
    IdempotencyKeyReused(String),
    #[error("too many submissions; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A value read from the database that the domain cannot represent (an unknown kind or status, a
    /// malformed version or stored response): a bug or a foreign write, never the caller's fault.
    #[error("unreadable database value: {0}")]
    Unreadable(String),
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
}
