use crate::foundation::statement::StatementError;

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
    /// Submitted content holds credentials outside the fields meant for them: each finding's place (a
    /// JSON pointer into the submitted item) and the rule that found it, never the value.
    #[error("credentials in submitted content at {}", .0.iter().map(|f| f.field.as_str()).collect::<Vec<_>>().join(", "))]
    CredentialsInContent(Vec<marketplace_credentials::Finding>),
    /// A dependency the listing's live version pinned is no longer listed: `(kind, id, name)`.
    #[error("dependency {2:?} ({0} {1}) is no longer available")]
    DependencyUnavailable(crate::foundation::kind::ItemKind, i64, String),
    /// Submitted content that cannot be listed as it is: the field (a JSON pointer) and why.
    #[error("{0}: {1}")]
    Unprocessable(String, String),
    /// The transaction lost a race that running it again resolves (the plan it read no longer holds); the
    /// operation retries it a few times before answering 503.
    #[error("lost a race with a concurrent transaction")]
    Retry,
    /// The derived capability manifest reaches what the publisher's declaration does not cover: what it
    /// misses.
    #[error("capabilities not declared: {}", .0.entries().join(", "))]
    CapabilitiesUndeclared(Box<crate::foundation::capabilities::Capabilities>),
    /// The install reaches tools, hosts, credentials or models and no consent to its manifest was sent.
    #[error("consent to the install's capabilities is required")]
    CapabilitiesConsentRequired(Box<crate::foundation::capabilities::Manifest>),
    /// The consent sent names another manifest than the install's now: the manifest it has now.
    #[error("the install's capabilities changed")]
    CapabilitiesChanged(Box<crate::foundation::capabilities::Manifest>),
    /// A listing's content no longer matches what was approved under its version: `(kind, id, name)`.
    #[error("the content of {0} {1} changed since its version was approved")]
    ContentChanged(crate::foundation::kind::ItemKind, i64, String),
    /// The checks at submit found something that refuses the submission: every finding, blocking or not.
    #[error("submission blocked: {}", .0.iter().filter(|f| f.is_blocking()).map(|f| f.rule.as_str()).collect::<Vec<_>>().join(", "))]
    SubmissionBlocked(Vec<crate::foundation::findings::Finding>),
    /// The owner workspace already owns a catalog of this name (case-insensitive).
    #[error("catalog name taken")]
    CatalogNameTaken,
    /// A catalog's owner workspace cannot leave it.
    #[error("the owner workspace cannot leave its catalog")]
    CatalogOwnerWorkspace,
    /// Every approved version of the listing is yanked or revoked.
    #[error("no installable version")]
    NoInstallableVersion,
    /// The caller an install's first statement looked up is not the one it was given, or may not change the
    /// workspace ([`InstallRequest::confirm_caller`]): nothing was written, and the route looks the caller up
    /// itself and answers as it finds. Never an answer of its own.
    ///
    /// [`InstallRequest::confirm_caller`]: crate::InstallRequest::confirm_caller
    #[error("the caller could not be confirmed")]
    CallerUnconfirmed,
    #[error("too many submissions; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A value read from the database that the domain cannot represent (an unknown kind or status, a
    /// malformed version or stored response): a bug or a foreign write, never the caller's fault.
    #[error("unreadable database value: {0}")]
    Unreadable(String),
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
}

impl From<StatementError> for CatalogError {
    fn from(error: StatementError) -> Self {
        match error {
            StatementError::Database(error) => Self::Database(error),
            StatementError::Unexpected(what) => Self::Unreadable(what),
        }
    }
}

impl CatalogError {
    /// Whether running the whole transaction again may succeed: a lost race ([`Self::Retry`]), a deadlock
    /// the lock order did not prevent, or a serialization failure.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            Self::Retry => true,
            Self::Database(error) => error.code().is_some_and(|code| {
                *code == tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED
                    || *code == tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
            }),
            _ => false,
        }
    }
}

/// How many times an operation runs a transaction that lost a race before it gives up (503).
pub(crate) const ATTEMPTS: usize = 4;
