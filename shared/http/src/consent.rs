//! Consent to a capability manifest: the digest a client accepts, sent as `accept_capabilities` in the JSON
//! body or as the `Accept-Capabilities` header.

use crate::body::JsonFields;
use crate::error::ApiError;
use lambda_http::Request;

pub const ACCEPT_CAPABILITIES_HEADER: &str = "accept-capabilities";
const FIELD: &str = "accept_capabilities";

/// The digest the client accepts, if it sent one: 64 lowercase hex digits, in the body or the header (both
/// only when they agree). Read before `body.finish`, which reports a bad body field with the others.
pub fn accepted_capabilities(
    req: &Request,
    body: &mut JsonFields,
) -> Result<Option<String>, ApiError> {
    let from_body = body.parsed(FIELD, parse_digest);
    let from_header = match req.headers().get(ACCEPT_CAPABILITIES_HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ())
                .and_then(|text| parse_digest(text.trim()).map_err(|_| ()))
                .map_err(|()| ApiError::invalid_field("Accept-Capabilities", DIGEST_RULE))?,
        ),
    };
    match (from_body, from_header) {
        (Some(body), Some(header)) if body != header => Err(ApiError::invalid_field(
            "Accept-Capabilities",
            "names another digest than accept_capabilities; send one of them",
        )),
        (body, header) => Ok(body.or(header)),
    }
}

const DIGEST_RULE: &str = "must be a capabilities_digest: 64 lowercase hexadecimal digits";

fn parse_digest(text: &str) -> Result<String, &'static str> {
    if text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(text.to_owned())
    } else {
        Err(DIGEST_RULE)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_digest;

    #[test]
    fn a_digest_is_64_lowercase_hex_digits() {
        assert!(parse_digest(&"a1".repeat(32)).is_ok());
        assert!(parse_digest(&"A1".repeat(32)).is_err());
        assert!(parse_digest("abc").is_err());
        assert!(parse_digest(&"g".repeat(64)).is_err());
    }
}
