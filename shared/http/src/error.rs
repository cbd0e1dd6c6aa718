use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use marketplace_catalog::CatalogError;
use tokio_postgres::error::SqlState;

use crate::request_scope::{RequestScope, REQUEST_ID_HEADER};
use serde::Serialize;

/// Every way a request can fail, as the client sees it: an RFC 9457 problem with a stable `code`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    /// Members the problem carries beside the standard ones (RFC 9457 extension members).
    extensions: serde_json::Map<String, serde_json::Value>,
    retry_after_secs: Option<u64>,
}

/// One invalid input, for the `errors` list of a 400.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            retry_after_secs: None,
        }
    }

    /// The same problem with an extension member.
    fn with(mut self, member: &str, value: impl serde::Serialize) -> Self {
        self.extensions.insert(
            member.to_owned(),
            serde_json::to_value(value).expect("an extension member serialises"),
        );
        self
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// A 400 listing every invalid field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("Invalid value for {}.", fields.join(", "));
        Self {
            errors,
            ..Self::bad_request(detail)
        }
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// An `Idempotency-Key` sent again with a different request (RFC draft "The Idempotency-Key HTTP Header
    /// Field": 422).
    pub fn idempotency_key_reused(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            detail,
        )
    }

    pub fn headers_too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            detail,
        )
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", detail)
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests; retry later.",
            )
        }
    }

    pub fn service_unavailable(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "The service is busy; retry shortly.",
            )
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side.",
        )
    }

    /// The problem+json response; its `instance` names the request running on this task, if any.
    pub fn into_response(self) -> Response<Body> {
        let request_id = RequestScope::current_id();
        self.into_response_for(request_id.as_deref())
    }

    /// The problem+json response for the request with this id (`instance`: `urn:request:<id>`, and the
    /// `X-Request-Id` header).
    pub fn into_response_for(self, request_id: Option<&str>) -> Response<Body> {
        #[derive(Serialize)]
        struct Problem<'a> {
            #[serde(rename = "type")]
            kind: &'a str,
            title: &'a str,
            status: u16,
            detail: &'a str,
            code: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            instance: Option<String>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            errors: &'a [FieldError],
            #[serde(flatten)]
            extensions: &'a serde_json::Map<String, serde_json::Value>,
        }
        let problem = Problem {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            code: self.code,
            instance: request_id
                .filter(|id| !id.is_empty())
                .map(|id| format!("urn:request:{id}")),
            errors: &self.errors,
            extensions: &self.extensions,
        };
        let mut response = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, "application/problem+json");
        if let Some(secs) = self.retry_after_secs {
            response = response.header(header::RETRY_AFTER, secs.to_string());
        }
        if let Some(id) = request_id
            .filter(|id| !id.is_empty())
            .and_then(|id| HeaderValue::from_str(id).ok())
        {
            response = response.header(REQUEST_ID_HEADER, id);
        }
        response
            .body(Body::Text(
                serde_json::to_string(&problem).expect("a problem serialises"),
            ))
            .expect("status and headers are valid")
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::NotFound(what) => Self::not_found(format!("No such {what}.")),
            CatalogError::Conflict(detail) => Self::conflict(detail),
            CatalogError::Forbidden(detail) => Self::forbidden(detail),
            CatalogError::IdempotencyKeyReused(detail) => Self::idempotency_key_reused(detail),
            CatalogError::CredentialsInContent(findings) => Self {
                errors: findings
                    .into_iter()
                    .map(|finding| FieldError::new(finding.field, finding.rule))
                    .collect(),
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "credentials_in_content",
                    "The submitted item holds credentials outside the fields meant for them; remove them \
                     (a credential field such as api_key becomes a slot each workspace fills in).",
                )
            },
            CatalogError::DependencyUnavailable(kind, id, name) => Self::new(
                StatusCode::CONFLICT,
                "dependency_unavailable",
                format!(
                    "The {kind} \"{name}\" (id {id}) this item depends on is no longer available in the \
                     marketplace; nothing was installed."
                ),
            ),
            CatalogError::Unprocessable(field, message) => Self {
                errors: vec![FieldError::new(field.clone(), message.clone())],
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unprocessable_content",
                    format!("The submitted item cannot be listed: {field} {message}."),
                )
            },
            CatalogError::CapabilitiesUndeclared(undeclared) => Self {
                errors: undeclared
                    .entries()
                    .into_iter()
                    .map(|entry| FieldError::new("capabilities", format!("does not declare {entry}")))
                    .collect(),
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "capabilities_undeclared",
                    format!(
                        "The declared capabilities do not cover what the content reaches: {}; declare them \
                         (or leave capabilities out), nothing was submitted.",
                        undeclared.entries().join(", ")
                    ),
                )
            }
            .with("undeclared", undeclared),
            CatalogError::CapabilitiesConsentRequired(manifest) => Self::new(
                StatusCode::CONFLICT,
                "capabilities_consent_required",
                "This install can reach tools, hosts, credentials or models; read its capabilities and send \
                 their digest as accept_capabilities to install it. Nothing was installed.",
            )
            .with("capabilities", &manifest.capabilities)
            .with("capabilities_digest", &manifest.capabilities_digest),
            CatalogError::CapabilitiesChanged(manifest) => Self::new(
                StatusCode::CONFLICT,
                "capabilities_changed",
                "What this install can reach changed since the digest sent was read; read the capabilities \
                 again and send their digest to install it. Nothing was installed.",
            )
            .with("capabilities", &manifest.capabilities)
            .with("capabilities_digest", &manifest.capabilities_digest),
            CatalogError::ContentChanged(kind, id, name) => {
                tracing::error!(%kind, id, "a listing's content differs from its approved version's digest");
                Self::new(
                    StatusCode::CONFLICT,
                    "content_changed",
                    format!(
                        "The content of the {kind} \"{name}\" (id {id}) no longer matches what was approved \
                         under its version; nothing was installed."
                    ),
                )
            }
            CatalogError::SubmissionBlocked(findings) => Self {
                errors: findings
                    .iter()
                    .filter(|finding| finding.is_blocking())
                    .map(|finding| FieldError::new(finding.field.clone(), finding.message.clone()))
                    .collect(),
                ..Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "submission_blocked",
                    "The checks at submit found what refuses this submission (see findings); nothing was \
                     stored.",
                )
            }
            .with("findings", &findings),
            CatalogError::CatalogNameTaken => Self::new(
                StatusCode::CONFLICT,
                "catalog_name_taken",
                "This workspace already owns a catalog of that name.",
            ),
            CatalogError::CatalogOwnerWorkspace => Self::new(
                StatusCode::CONFLICT,
                "catalog_owner_workspace",
                "The catalog's owner workspace cannot be removed from it.",
            ),
            CatalogError::NoInstallableVersion => Self::new(
                StatusCode::CONFLICT,
                "no_installable_version",
                "Every approved version of this listing was yanked or revoked; nothing was installed.",
            ),
            CatalogError::Retry => {
                tracing::warn!("a transaction kept losing races");
                Self::service_unavailable(1)
            }
            CatalogError::RateLimited { retry_after_secs } => Self::rate_limited(retry_after_secs),
            CatalogError::CallerUnconfirmed => {
                tracing::error!("an install's caller went unconfirmed and no route looked them up");
                Self::internal()
            }
            CatalogError::Unreadable(detail) => {
                tracing::error!(%detail, "unreadable database value");
                Self::internal()
            }
            CatalogError::Database(error) => database_error(&error),
        }
    }
}

/// Database trouble is logged here and never described to the client. What a retry can cure (a lost or
/// refused connection, a statement or lock wait over its bound, a serialisation failure or deadlock, a
/// server shutting down or overloaded) is a 503 with `Retry-After`; anything else is a 500.
fn database_error(error: &tokio_postgres::Error) -> ApiError {
    let io_failed =
        std::error::Error::source(error).is_some_and(|source| source.is::<std::io::Error>());
    let connection_lost = error.is_closed()
        || io_failed
        || error
            .as_db_error()
            .is_some_and(|db| is_connection_failure(db.code()));
    if connection_lost {
        RequestScope::connection_lost();
        tracing::warn!(?error, "database connection lost");
        return ApiError::service_unavailable(1);
    }
    // No server error at all (a row that vanished between two statements of a racing request, say): the
    // same request a moment later gets a clear answer.
    let transient = error.as_db_error().is_none_or(|db| is_transient(db.code()));
    if transient {
        tracing::warn!(?error, "database unavailable");
        ApiError::service_unavailable(1)
    } else {
        tracing::error!(?error, "database error");
        ApiError::internal()
    }
}

/// The server ended the session (or never began it): the connection is gone.
fn is_connection_failure(code: &SqlState) -> bool {
    const ENDED: [SqlState; 5] = [
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::TOO_MANY_CONNECTIONS,
        SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
    ];
    // Class 08: connection exceptions.
    ENDED.contains(code) || code.code().starts_with("08")
}

/// The statement failed, the connection is fine, and the same request may succeed a moment later.
fn is_transient(code: &SqlState) -> bool {
    const TRANSIENT: [SqlState; 5] = [
        SqlState::QUERY_CANCELED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        // A writer that became a reader in a failover.
        SqlState::READ_ONLY_SQL_TRANSACTION,
    ];
    TRANSIENT.contains(code)
}
