//! The rules that reading query parameters and JSON body fields share: what free text may hold, and how a
//! read ends (every invalid field in one 400, or the typed request). `body.rs` and `query_params.rs` both
//! stand on this module and on nothing of each other.

use std::ops::RangeInclusive;

use crate::error::{ApiError, FieldError};

/// The rule for free text in queries and bodies: `chars` characters long, and no NUL (PostgreSQL's text
/// cannot hold one).
pub(crate) fn check_text(text: &str, chars: &RangeInclusive<usize>) -> Result<(), String> {
    if text.contains('\0') {
        Err("must not contain NUL characters".to_owned())
    } else if chars.contains(&text.chars().count()) {
        Ok(())
    } else {
        Err(format!(
            "must be {} to {} characters long",
            chars.start(),
            chars.end()
        ))
    }
}

/// The end of reading fields: the typed request built by `build`, or a 400 listing every invalid field
/// (what [`crate::JsonFields::finish_with`] and [`crate::QueryParams::finish_with`] share).
pub(crate) fn finish_with<T>(
    errors: Vec<FieldError>,
    build: impl FnOnce() -> Option<T>,
) -> Result<T, ApiError> {
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    build().ok_or_else(|| {
        tracing::error!("a request was built from a field that was never read");
        ApiError::internal()
    })
}
