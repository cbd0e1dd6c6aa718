//! HS256 bearer tokens for the local API, checked as API Gateway's JWT authorizer checks them: signature,
//! algorithm, expiry and not-before.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is not a JWT")]
    Malformed,
    #[error("the token must be signed with HS256")]
    Algorithm,
    #[error("the token's signature is not valid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token has no expiry")]
    NoExpiry,
}

/// A signed token for `subject`, valid for `ttl_secs` from `now` (seconds since the epoch).
pub fn mint(secret: &[u8], subject: &str, now: i64, ttl_secs: i64) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let claims =
        json!({"sub": subject, "iat": now, "exp": now + ttl_secs, "iss": "marketplace-local"});
    sign(secret, &header, &claims)
}

/// Signs arbitrary claims (tests use this to make expired or odd tokens).
pub fn sign(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// The claims of a valid token at time `now`.
pub fn verify(secret: &[u8], token: &str, now: i64) -> Result<Map<String, Value>, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header_json: Value = decode_json(header)?;
    if header_json.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(JwtError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtError::Malformed)?;
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    let signing_input_len = header.len() + 1 + claims.len();
    mac.update(&token.as_bytes()[..signing_input_len]);
    mac.verify_slice(&signature)
        .map_err(|_| JwtError::Signature)?;

    let Value::Object(claims) = decode_json(claims)? else {
        return Err(JwtError::Malformed);
    };
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(JwtError::NoExpiry)?;
    if now >= exp {
        return Err(JwtError::Expired);
    }
    if claims
        .get("nbf")
        .and_then(Value::as_i64)
        .is_some_and(|nbf| now < nbf)
    {
        return Err(JwtError::NotYetValid);
    }
    Ok(claims)
}

fn decode_json(part: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret";
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_minted_token_verifies_until_it_expires() {
        let token = mint(SECRET, "alice", NOW, 60);
        let claims = verify(SECRET, &token, NOW + 59).unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(verify(SECRET, &token, NOW + 60), Err(JwtError::Expired));
    }

    #[test]
    fn rejects_wrong_secret_tampering_and_other_algorithms() {
        let token = mint(SECRET, "alice", NOW, 60);
        assert_eq!(verify(b"other", &token, NOW), Err(JwtError::Signature));

        let forged_claims =
            URL_SAFE_NO_PAD.encode(json!({"sub": "admin", "exp": NOW + 60}).to_string());
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_claims;
        assert_eq!(
            verify(SECRET, &parts.join("."), NOW),
            Err(JwtError::Signature)
        );

        let none = sign(
            SECRET,
            &json!({"alg": "none"}),
            &json!({"sub": "a", "exp": NOW + 60}),
        );
        assert_eq!(verify(SECRET, &none, NOW), Err(JwtError::Algorithm));
        assert_eq!(verify(SECRET, "abc", NOW), Err(JwtError::Malformed));
        assert_eq!(verify(SECRET, "a.b.c.d", NOW), Err(JwtError::Malformed));
    }

    #[test]
    fn requires_expiry_and_honours_not_before() {
        let header = json!({"alg": "HS256"});
        let no_exp = sign(SECRET, &header, &json!({"sub": "a"}));
        assert_eq!(verify(SECRET, &no_exp, NOW), Err(JwtError::NoExpiry));
        let later = sign(
            SECRET,
            &header,
            &json!({"sub": "a", "exp": NOW + 60, "nbf": NOW + 10}),
        );
        assert_eq!(verify(SECRET, &later, NOW), Err(JwtError::NotYetValid));
        assert!(verify(SECRET, &later, NOW + 10).is_ok());
    }
}
