//! Keyset cursors: the position of the last row a page showed, handed to the client as an opaque,
//! URL-safe token and taken back to start the next page there.
//!
//! One codec serves every paged route (the listing, the review queue, reviews, installs, updates). A token
//! holds the position's values and a digest of the listing it belongs to (its route, filters and order, and
//! the item or workspace it pages), followed by an HMAC-SHA-256 of the whole under the server's cursor key.
//! A token for another listing, or one that was forged or altered, is refused before any of its values
//! reach SQL. A token grants nothing: its values are bound as parameters, and the next page is read with the
//! caller's own visibility rules.
//!
//! The key is `CURSOR_SIGNING_KEY` from the environment (deployed: a stack parameter, the same for every
//! function, so that a cursor one function issued is taken by another instance); without it, a random key
//! per process (locally, one process serves every route).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::foundation::position::{KeyType, PositionValue};

/// Why a cursor was refused; the message names no internals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("is not a cursor this API issued")]
    Malformed,
    #[error("was issued for another listing: repeat the filters and sort of the request that returned it")]
    OtherListing,
}

/// Makes the token of `position` for the listing described by `scope`.
pub(crate) fn encode(scope: &str, position: &[Value]) -> String {
    let payload = Value::Array(
        std::iter::once(Value::String(scope_digest(scope)))
            .chain(position.iter().cloned())
            .collect(),
    )
    .to_string();
    let check = check_sum(payload.as_bytes());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(check)
    )
}

/// Reads a token back into a position of the given types, for the listing described by `scope`.
pub(crate) fn decode(
    token: &str,
    scope: &str,
    types: &[KeyType],
) -> Result<Vec<PositionValue>, CursorError> {
    let (payload, check) = token.split_once('.').ok_or(CursorError::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| CursorError::Malformed)?;
    let check = URL_SAFE_NO_PAD
        .decode(check)
        .map_err(|_| CursorError::Malformed)?;
    if !same_bytes(&check, &check_sum(&payload)) {
        return Err(CursorError::Malformed);
    }
    let Ok(Value::Array(values)) = serde_json::from_slice::<Value>(&payload) else {
        return Err(CursorError::Malformed);
    };
    let Some((Value::String(digest), position)) = values.split_first() else {
        return Err(CursorError::Malformed);
    };
    if *digest != scope_digest(scope) {
        return Err(CursorError::OtherListing);
    }
    if position.len() != types.len() {
        return Err(CursorError::Malformed);
    }
    position
        .iter()
        .zip(types)
        .map(|(value, key)| {
            let value = match (value, key) {
                (Value::Number(number), KeyType::Float) => {
                    PositionValue::Float(number.as_f64().ok_or(CursorError::Malformed)?)
                }
                (Value::Number(number), _) => {
                    PositionValue::Integer(number.as_i64().ok_or(CursorError::Malformed)?)
                }
                (Value::String(text), _) => PositionValue::Text(text.clone()),
                _ => return Err(CursorError::Malformed),
            };
            let in_range = match (&value, key) {
                (PositionValue::Integer(micros), KeyType::Timestamp) => timestamp_in_range(*micros),
                (PositionValue::Float(number), _) => number.is_finite(),
                (PositionValue::Text(text), _) => !text.contains('\0'),
                _ => true,
            };
            (in_range && key.accepts(&value))
                .then_some(value)
                .ok_or(CursorError::Malformed)
        })
        .collect()
}

/// Microseconds since the epoch of 0001-01-01 and of the end of 9999-12-31: the timestamps a cursor may
/// carry (PostgreSQL's own range is wider, but arithmetic on values near its ends overflows).
const TIMESTAMP_MICROS: std::ops::RangeInclusive<i64> =
    -62_135_596_800_000_000..=253_402_300_799_999_999;

/// Whether a cursor's timestamp (microseconds since the epoch) is one the database can compare with.
pub(crate) fn timestamp_in_range(micros: i64) -> bool {
    TIMESTAMP_MICROS.contains(&micros)
}

fn scope_digest(scope: &str) -> String {
    let digest = Sha256::digest(scope.as_bytes());
    digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// How many bytes of the HMAC a token carries (128 bits).
const TAG_BYTES: usize = 16;

fn check_sum(payload: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&*KEY).expect("HMAC takes any key length");
    mac.update(b"marketplace cursor\0");
    mac.update(payload);
    mac.finalize().into_bytes()[..TAG_BYTES].to_vec()
}

/// Equal, compared in time independent of where they differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The cursor key: SHA-256 of `CURSOR_SIGNING_KEY`, or random bytes when it is unset or empty.
static KEY: std::sync::LazyLock<[u8; 32]> =
    std::sync::LazyLock::new(|| match std::env::var("CURSOR_SIGNING_KEY") {
        Ok(secret) if !secret.is_empty() => Sha256::digest(secret.as_bytes()).into(),
        _ => {
            let mut key = [0u8; 32];
            key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            key
        }
    });

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TYPES: [KeyType; 3] = [KeyType::Integer, KeyType::Text, KeyType::Integer];

    #[test]
    fn a_cursor_reads_back_into_its_position() {
        let token = encode("popular|agent", &[json!(12), json!("b"), json!(9)]);
        assert!(token
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte)));
        assert_eq!(
            decode(&token, "popular|agent", &TYPES),
            Ok(vec![
                PositionValue::Integer(12),
                PositionValue::Text("b".into()),
                PositionValue::Integer(9)
            ])
        );
    }

    #[test]
    fn a_cursor_of_another_listing_or_altered_is_refused() {
        let token = encode("popular|agent", &[json!(12), json!("b"), json!(9)]);
        assert_eq!(
            decode(&token, "popular|skill", &TYPES),
            Err(CursorError::OtherListing)
        );
        let mut altered = token.clone().into_bytes();
        altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert_eq!(
            decode(&altered, "popular|agent", &TYPES),
            Err(CursorError::Malformed)
        );
        for junk in ["", ".", "abc", "e30.e30", &token[..token.len() - 1]] {
            assert_eq!(
                decode(junk, "popular|agent", &TYPES),
                Err(CursorError::Malformed),
                "{junk}"
            );
        }
    }

    #[test]
    fn a_cursor_whose_values_the_database_cannot_take_is_refused() {
        let types = [KeyType::Timestamp, KeyType::Text];
        for values in [
            [json!(i64::MIN), json!("a")],
            [json!(300_000_000_000_000_000_i64), json!("a")],
            [json!(0), json!("a\u{0}b")],
        ] {
            let token = encode("s", &values);
            assert_eq!(decode(&token, "s", &types), Err(CursorError::Malformed));
        }
        assert!(decode(&encode("s", &[json!(0), json!("a")]), "s", &types).is_ok());
    }

    #[test]
    fn a_cursor_of_the_wrong_shape_is_refused() {
        let token = encode("s", &[json!("12"), json!("b"), json!(9)]);
        assert_eq!(decode(&token, "s", &TYPES), Err(CursorError::Malformed));
        let token = encode("s", &[json!(12), json!("b")]);
        assert_eq!(decode(&token, "s", &TYPES), Err(CursorError::Malformed));
        let token = encode("s", &[json!(1.5), json!("b"), json!(9)]);
        assert_eq!(decode(&token, "s", &TYPES), Err(CursorError::Malformed));
    }
}
