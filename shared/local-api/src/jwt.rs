//! HS256 bearer tokens for the local API, checked as API Gateway's JWT authorizer checks them: signature and
//! algorithm, `iss` equal to the configured issuer, `aud` holding the configured audience, `exp` in the
//! future, and `nbf` and `iat`, when present, not in the future. The `jsonwebtoken` crate does the JOSE work
//! (header, algorithm, signature, `iss`, `aud`); the three times are checked here, against a clock the caller
//! passes in, because the crate reads the system clock and has no `iat` check.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Map, Value};

/// The issuer the local authorizer accepts, and that `local-api token` writes, unless
/// `MARKETPLACE_DEV_JWT_ISSUER` says otherwise.
pub const DEFAULT_ISSUER: &str = "local-api";

/// The audience the local authorizer requires, and that `local-api token` writes, unless
/// `MARKETPLACE_DEV_JWT_AUDIENCE` says otherwise.
pub const DEFAULT_AUDIENCE: &str = "marketplace";

/// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. API Gateway documents none (`exp` after, `nbf`
/// and `iat` before the current time); five seconds let a token minted this very second, by another process
/// on this machine, be used at once, while a token dated even a little into the future is refused.
pub const LEEWAY_SECS: i64 = 5;

/// What the authorizer accepts, as API Gateway's `JwtConfiguration` (template.yaml) says it for the deployed
/// API: one issuer and one audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configuration {
    pub issuer: String,
    pub audience: String,
}

impl Default for Configuration {
    fn default() -> Self {
        Self {
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: DEFAULT_AUDIENCE.to_owned(),
        }
    }
}

impl Configuration {
    /// `MARKETPLACE_DEV_JWT_ISSUER` and `MARKETPLACE_DEV_JWT_AUDIENCE`, each defaulting when unset or empty.
    pub fn from_env() -> Self {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        Self {
            issuer: var("MARKETPLACE_DEV_JWT_ISSUER", DEFAULT_ISSUER),
            audience: var("MARKETPLACE_DEV_JWT_AUDIENCE", DEFAULT_AUDIENCE),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token must be signed with HS256")]
    Algorithm,
    #[error("the token's signature is not valid")]
    Signature,
    #[error("the token's `{0}` claim is missing or of the wrong type")]
    Claim(String),
    #[error("the token is from another issuer")]
    Issuer,
    #[error("the token is for another audience")]
    Audience,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is issued in the future")]
    IssuedInFuture,
    #[error("the authorizer has no secret to check signatures with")]
    NoSecret,
}

impl From<jsonwebtoken::errors::Error> for JwtError {
    fn from(error: jsonwebtoken::errors::Error) -> Self {
        match error.into_kind() {
            ErrorKind::InvalidSignature => Self::Signature,
            ErrorKind::InvalidAlgorithm
            | ErrorKind::MissingAlgorithm
            | ErrorKind::UnsupportedAlgorithm
            | ErrorKind::InvalidAlgorithmName => Self::Algorithm,
            ErrorKind::MissingRequiredClaim(claim) | ErrorKind::InvalidClaimFormat(claim) => {
                Self::Claim(claim)
            }
            ErrorKind::InvalidIssuer => Self::Issuer,
            ErrorKind::InvalidAudience => Self::Audience,
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::InvalidKeyFormat => Self::NoSecret,
            _ => Self::Malformed,
        }
    }
}

/// A token for `subject` with the default issuer and audience, valid for `ttl_secs` from `now` (seconds since
/// the epoch). Panics on an empty secret.
pub fn mint(secret: &[u8], subject: &str, now: i64, ttl_secs: i64) -> String {
    mint_for(&Configuration::default(), secret, subject, now, ttl_secs)
}

/// A token for `subject` that an authorizer with `configuration` accepts, valid for `ttl_secs` from `now`.
/// Panics on an empty secret.
pub fn mint_for(
    configuration: &Configuration,
    secret: &[u8],
    subject: &str,
    now: i64,
    ttl_secs: i64,
) -> String {
    let claims = json!({
        "sub": subject,
        "iss": configuration.issuer,
        "aud": configuration.audience,
        "iat": now,
        "exp": now + ttl_secs,
    });
    let key = EncodingKey::from_secret(secret).expect("minting needs a non-empty secret");
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
        .expect("HS256 signs any claims")
}

/// Signs arbitrary header and claims with HS256, whatever `alg` the header names (tests use this to make
/// expired, odd or forged tokens). Panics on an empty secret.
pub fn sign(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = EncodingKey::from_secret(secret).expect("signing needs a non-empty secret");
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, Algorithm::HS256)
        .expect("HS256 signs any input");
    format!("{signing_input}.{signature}")
}

/// The claims of `token` if the authorizer configured with `secret` and `configuration` accepts it at `now`
/// (seconds since the epoch).
pub fn verify(
    secret: &[u8],
    configuration: &Configuration,
    token: &str,
    now: i64,
) -> Result<Map<String, Value>, JwtError> {
    let key = DecodingKey::from_secret(secret)?;
    let mut validation = Validation::new(Algorithm::HS256);
    // `exp` is required too, but checked below with the times, so that a string `exp` is named as such.
    validation.set_required_spec_claims(&["iss", "aud"]);
    validation.set_issuer(&[&configuration.issuer]);
    validation.set_audience(&[&configuration.audience]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)?.claims;

    // The crate also takes an array of issuers; API Gateway's `iss` is one string.
    if !claims.get("iss").is_some_and(Value::is_string) {
        return Err(JwtError::Claim("iss".to_owned()));
    }
    let now = now as f64;
    let leeway = LEEWAY_SECS as f64;
    let exp = numeric_date(&claims, "exp")?.ok_or_else(|| JwtError::Claim("exp".to_owned()))?;
    if now >= exp + leeway {
        return Err(JwtError::Expired);
    }
    if numeric_date(&claims, "nbf")?.is_some_and(|nbf| nbf > now + leeway) {
        return Err(JwtError::NotYetValid);
    }
    if numeric_date(&claims, "iat")?.is_some_and(|iat| iat > now + leeway) {
        return Err(JwtError::IssuedInFuture);
    }
    Ok(claims)
}

/// A NumericDate claim (RFC 7519: a JSON number of seconds since the epoch): `None` when absent, an error
/// when of another type (a string, `null`) or not finite.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, JwtError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => number
            .as_f64()
            .filter(|seconds| seconds.is_finite())
            .map(Some)
            .ok_or_else(|| JwtError::Claim(name.to_owned())),
        Some(_) => Err(JwtError::Claim(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret";
    const NOW: i64 = 1_800_000_000;

    fn config() -> Configuration {
        Configuration::default()
    }

    /// Claims that pass, with `changes` applied (a `null` change removes the claim).
    fn claims(changes: Value) -> Value {
        let mut claims = json!({
            "sub": "alice", "iss": DEFAULT_ISSUER, "aud": DEFAULT_AUDIENCE,
            "iat": NOW, "nbf": NOW, "exp": NOW + 60,
        });
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims
    }

    fn token(changes: Value) -> String {
        sign(
            SECRET,
            &json!({"alg": "HS256", "typ": "JWT"}),
            &claims(changes),
        )
    }

    fn check(changes: Value) -> Result<Map<String, Value>, JwtError> {
        verify(SECRET, &config(), &token(changes), NOW)
    }

    #[test]
    fn a_minted_token_verifies_until_it_expires() {
        let token = mint(SECRET, "alice", NOW, 60);
        let claims = verify(SECRET, &config(), &token, NOW).unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["iss"], DEFAULT_ISSUER);
        assert_eq!(claims["aud"], DEFAULT_AUDIENCE);
        let last_second = NOW + 60 + LEEWAY_SECS - 1;
        assert!(verify(SECRET, &config(), &token, last_second).is_ok());
        assert_eq!(
            verify(SECRET, &config(), &token, last_second + 1),
            Err(JwtError::Expired)
        );
    }

    #[test]
    fn a_token_minted_for_a_configuration_verifies_only_under_it() {
        let custom = Configuration {
            issuer: "https://issuer.example".into(),
            audience: "other-api".into(),
        };
        let token = mint_for(&custom, SECRET, "alice", NOW, 60);
        assert!(verify(SECRET, &custom, &token, NOW).is_ok());
        assert_eq!(
            verify(SECRET, &config(), &token, NOW),
            Err(JwtError::Issuer)
        );
    }

    #[test]
    fn accepts_every_claim_in_order_and_an_audience_list_holding_ours() {
        assert!(check(json!({})).is_ok());
        assert!(check(json!({"nbf": null, "iat": null})).is_ok());
        assert!(check(json!({"aud": ["someone-else", DEFAULT_AUDIENCE]})).is_ok());
        // NumericDate may have a fraction; times within the leeway are accepted.
        assert!(check(json!({"exp": NOW as f64 + 0.5})).is_ok());
        assert!(check(json!({"iat": NOW + LEEWAY_SECS, "nbf": NOW + LEEWAY_SECS})).is_ok());
    }

    #[test]
    fn rejects_an_expired_token_and_one_without_expiry() {
        assert_eq!(
            check(json!({"exp": NOW - LEEWAY_SECS})),
            Err(JwtError::Expired)
        );
        assert_eq!(
            check(json!({"exp": null})),
            Err(JwtError::Claim("exp".into()))
        );
    }

    #[test]
    fn rejects_a_token_not_valid_yet() {
        assert_eq!(
            check(json!({"nbf": NOW + LEEWAY_SECS + 1})),
            Err(JwtError::NotYetValid)
        );
    }

    #[test]
    fn rejects_a_token_issued_in_the_future() {
        assert_eq!(
            check(json!({"iat": NOW + LEEWAY_SECS + 1})),
            Err(JwtError::IssuedInFuture)
        );
    }

    #[test]
    fn rejects_times_that_are_not_numbers() {
        for name in ["exp", "nbf", "iat"] {
            for value in [json!(NOW.to_string()), json!(true)] {
                assert_eq!(
                    check(json!({ name: value })),
                    Err(JwtError::Claim(name.into())),
                    "{name}: {value}"
                );
            }
            // The crate's parser trips over an array or object where it expects a number: refused all the same.
            for value in [json!([NOW]), json!({"seconds": NOW})] {
                assert!(check(json!({ name: value })).is_err(), "{name}: {value}");
            }
        }
        // A JSON null is a value of the wrong type, not an absent claim.
        let mut with_null = claims(json!({})).as_object().unwrap().clone();
        with_null.insert("nbf".into(), Value::Null);
        let token = sign(SECRET, &json!({"alg": "HS256"}), &Value::Object(with_null));
        assert_eq!(
            verify(SECRET, &config(), &token, NOW),
            Err(JwtError::Claim("nbf".into()))
        );
    }

    #[test]
    fn rejects_another_or_a_missing_issuer() {
        assert_eq!(check(json!({"iss": "elsewhere"})), Err(JwtError::Issuer));
        assert_eq!(
            check(json!({"iss": null})),
            Err(JwtError::Claim("iss".into()))
        );
        assert_eq!(
            check(json!({"iss": [DEFAULT_ISSUER]})),
            Err(JwtError::Claim("iss".into()))
        );
    }

    #[test]
    fn rejects_another_or_a_missing_audience() {
        assert_eq!(
            check(json!({"aud": "another-api"})),
            Err(JwtError::Audience)
        );
        assert_eq!(
            check(json!({"aud": ["another-api"]})),
            Err(JwtError::Audience)
        );
        assert_eq!(
            check(json!({"aud": null})),
            Err(JwtError::Claim("aud".into()))
        );
    }

    #[test]
    fn rejects_a_wrong_secret_and_tampered_claims() {
        let token = mint(SECRET, "alice", NOW, 60);
        assert_eq!(
            verify(b"other", &config(), &token, NOW),
            Err(JwtError::Signature)
        );

        let forged = URL_SAFE_NO_PAD.encode(claims(json!({"sub": "admin"})).to_string());
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged;
        assert_eq!(
            verify(SECRET, &config(), &parts.join("."), NOW),
            Err(JwtError::Signature)
        );
    }

    #[test]
    fn rejects_alg_none_and_other_algorithms() {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string());
        let body = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
        // Unsigned, as `alg: none` means, and signed with our secret all the same.
        let unsigned = format!("{header}.{body}.");
        let signed = sign(SECRET, &json!({"alg": "none"}), &claims(json!({})));
        for token in [unsigned, signed] {
            assert_eq!(
                verify(SECRET, &config(), &token, NOW),
                Err(JwtError::Malformed)
            );
        }
        let hs512 = sign(SECRET, &json!({"alg": "HS512"}), &claims(json!({})));
        assert_eq!(
            verify(SECRET, &config(), &hs512, NOW),
            Err(JwtError::Algorithm)
        );
    }

    #[test]
    fn rejects_what_is_not_a_jwt_and_an_empty_secret() {
        for token in ["", "abc", "a.b", "a.b.c", "a.b.c.d"] {
            assert!(verify(SECRET, &config(), token, NOW).is_err(), "{token}");
        }
        let token = mint(SECRET, "alice", NOW, 60);
        assert_eq!(verify(b"", &config(), &token, NOW), Err(JwtError::NoSecret));
    }

    #[test]
    fn the_default_configuration_is_the_local_api_issuing_for_the_marketplace() {
        assert_eq!(
            Configuration::default(),
            Configuration {
                issuer: "local-api".into(),
                audience: "marketplace".into()
            }
        );
    }
}
