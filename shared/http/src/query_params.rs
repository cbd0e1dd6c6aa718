use std::ops::RangeInclusive;

use lambda_http::{Request, RequestExt};
use marketplace_catalog::{Version, WorkspaceId};

use crate::error::{ApiError, FieldError};
use crate::field_rules::{check_text, finish_with};

/// Query-string parameters, parsed one by one; every bad value is collected, and `finish` turns them into
/// one 400 that lists them all. Unknown parameters are ignored; a known one given more than once is a 400.
///
/// lambda_http builds the parameters from the event's `rawQueryString`, every value of a repeated parameter
/// kept (API Gateway's `queryStringParameters`, with such values joined by commas, is not read), so a repeat
/// is seen here, deployed and locally alike.
pub struct QueryParams<'a> {
    req: &'a Request,
    errors: Vec<FieldError>,
}

impl<'a> QueryParams<'a> {
    pub fn new(req: &'a Request) -> Self {
        Self {
            req,
            errors: Vec::new(),
        }
    }

    /// The one value of `name`; a repeat goes into the 400 (and counts as absent).
    fn raw(&mut self, name: &str) -> Option<&'a str> {
        let values = self.req.query_string_parameters_ref()?.all(name)?;
        match values[..] {
            [value] => Some(value),
            _ => {
                self.errors
                    .push(FieldError::new(name, "must be given once"));
                None
            }
        }
    }

    /// An optional parameter, parsed by `parse`; its error message goes into the 400.
    pub fn optional<T, E: ToString>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.raw(name)?;
        match parse(raw) {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(FieldError::new(name, error.to_string()));
                None
            }
        }
    }

    /// An optional string of at most `max_chars` characters.
    pub fn text(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        self.optional(name, |raw| {
            check_query_text(raw, &chars).map(|()| raw.to_owned())
        })
    }

    /// Every value of a parameter that may be repeated (`tag=a&tag=b`): at most `max` values, each a string
    /// of `chars` characters; none when absent.
    pub fn repeated(
        &mut self,
        name: &str,
        max: usize,
        chars: RangeInclusive<usize>,
    ) -> Vec<String> {
        let Some(values) = self
            .req
            .query_string_parameters_ref()
            .and_then(|params| params.all(name))
        else {
            return Vec::new();
        };
        if values.len() > max {
            self.errors.push(FieldError::new(
                name,
                format!("may be given at most {max} times"),
            ));
            return Vec::new();
        }
        let mut accepted = Vec::with_capacity(values.len());
        for value in values {
            match check_query_text(value, &chars) {
                Ok(()) => accepted.push(value.to_owned()),
                Err(error) => self.errors.push(FieldError::new(name, error)),
            }
        }
        accepted
    }

    /// A keyset `cursor` (a `next_cursor` as it came), read by `position`: refused beside an `offset` above
    /// 0, or when `position` refuses it (another listing's cursor, or not one this API made).
    pub fn cursor<T, E: ToString>(
        &mut self,
        offset: i64,
        position: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let cursor = self.text("cursor", marketplace_catalog::limits::CURSOR_CHARS)?;
        if offset > 0 {
            self.reject("cursor", "cannot be combined with an offset");
            return None;
        }
        match position(&cursor) {
            Ok(position) => Some(position),
            Err(error) => {
                self.reject("cursor", error);
                None
            }
        }
    }

    /// Records a problem with `name` found after parsing it (one that depends on other parameters).
    pub fn reject(&mut self, name: &str, problem: impl ToString) {
        self.errors.push(FieldError::new(name, problem.to_string()));
    }

    /// An integer within `range`, written canonically (decimal digits, a `-` only before a non-zero value,
    /// no `+` and no leading zero), or `default` when absent.
    pub fn integer(&mut self, name: &str, default: i64, range: RangeInclusive<i64>) -> i64 {
        self.optional(name, |raw| match canonical_integer(raw) {
            Some(value) if range.contains(&value) => Ok(value),
            _ => Err(format!(
                "must be an integer from {} to {}",
                range.start(),
                range.end()
            )),
        })
        .unwrap_or(default)
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        self.optional(name, |raw| match raw {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("must be true or false"),
        })
    }

    /// Every parameter read was valid: nothing else to build.
    pub fn finish(self) -> Result<(), ApiError> {
        self.finish_with(|| Some(()))
    }

    /// The typed request, or a 400 listing every invalid parameter (see [`crate::JsonFields::finish_with`]).
    pub fn finish_with<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        finish_with(self.errors, build)
    }
}

/// [`check_text`] for a query parameter, whose percent-encoded bytes must also be UTF-8: the query is
/// decoded with every invalid sequence replaced by U+FFFD, which is therefore refused.
fn check_query_text(text: &str, chars: &RangeInclusive<usize>) -> Result<(), String> {
    if text.contains(char::REPLACEMENT_CHARACTER) {
        return Err("must be UTF-8 text".to_owned());
    }
    check_text(text, chars)
}

/// A positive integer path parameter, such as an item id, written canonically: decimal digits only, no sign
/// and no leading zero (`+20` and `020` name no id, rather than id 20), from 1 to `i64::MAX`.
pub fn path_id(req: &Request, name: &str) -> Result<i64, ApiError> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .and_then(canonical_id)
        .ok_or_else(|| {
            ApiError::invalid_field(
                name,
                format!(
                    "must be a positive integer up to {}, in digits with no sign or leading zero",
                    i64::MAX
                ),
            )
        })
}

/// A workspace id path parameter (a UUID).
pub fn path_workspace_id(req: &Request, name: &str) -> Result<WorkspaceId, ApiError> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .and_then(|raw| WorkspaceId::parse(raw).ok())
        .ok_or_else(|| ApiError::invalid_field(name, "must be a UUID"))
}

/// A SemVer path parameter, such as a listing's version; a `+` before build metadata may come
/// percent-encoded (`1.0.0%2Bbuild`).
pub fn path_version(req: &Request, name: &str) -> Result<Version, ApiError> {
    let raw = req
        .path_parameters_ref()
        .and_then(|params| params.first(name))
        .ok_or_else(|| ApiError::invalid_field(name, "is required"))?;
    percent_decoded(raw)
        .ok_or_else(|| ApiError::invalid_field(name, "is not valid percent-encoded UTF-8"))
        .and_then(|text| {
            Version::parse(&text).map_err(|error| ApiError::invalid_field(name, error.to_string()))
        })
}

/// `raw` with every `%XX` replaced by its byte; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decoded(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An integer in canonical decimal: `0`, or an optional `-` then digits not starting with `0`.
fn canonical_integer(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let canonical = raw == "0" || (!digits.is_empty() && canonical_id(digits).is_some());
    canonical.then(|| raw.parse::<i64>().ok()).flatten()
}

fn canonical_id(raw: &str) -> Option<i64> {
    let canonical = raw.bytes().all(|byte| byte.is_ascii_digit()) && !raw.starts_with('0');
    // `parse` takes the digits alone now; it still refuses "" and anything past i64::MAX.
    canonical.then(|| raw.parse::<i64>().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use lambda_http::http::StatusCode;
    use serde_json::{json, Value};

    use super::*;

    #[test]
    fn percent_escapes_decode_and_malformed_ones_do_not() {
        assert_eq!(
            percent_decoded("1.0.0%2Bbuild.1").as_deref(),
            Some("1.0.0+build.1")
        );
        assert_eq!(percent_decoded("1.0.0").as_deref(), Some("1.0.0"));
        for bad in ["1.0.0%2", "1.0.0%zz", "%FF", "%"] {
            assert_eq!(percent_decoded(bad), None, "{bad}");
        }
    }

    /// What lambda_http makes of an HTTP API (payload 2.0) event, as deployed.
    fn request(raw_query: &str, query_string_parameters: Value, id: &str) -> Request {
        let event = json!({
            "version": "2.0",
            "routeKey": "GET /api/marketplace/items/{id}",
            "rawPath": "/api/marketplace/items/x",
            "rawQueryString": raw_query,
            "queryStringParameters": query_string_parameters,
            "headers": {"host": "api.example.com"},
            "pathParameters": {"id": id},
            "requestContext": {
                "accountId": "1", "apiId": "a", "domainName": "api.example.com", "domainPrefix": "api",
                "requestId": "r", "routeKey": "GET /api/marketplace/items/{id}", "stage": "$default",
                "time": "01/Jan/2030:00:00:00 +0000", "timeEpoch": 0,
                "http": {"method": "GET", "path": "/api/marketplace/items/x",
                         "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": ""},
            },
            "isBase64Encoded": false,
        });
        lambda_http::request::from_str(&event.to_string()).expect("an API Gateway v2 event")
    }

    fn fields(error: &ApiError) -> Vec<String> {
        let body = match error.clone().into_response().into_body() {
            lambda_http::Body::Text(text) => text,
            other => panic!("a problem+json body, not {other:?}"),
        };
        let problem: Value = serde_json::from_str(&body).unwrap();
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| error["field"].as_str().unwrap().to_owned())
            .collect()
    }

    fn limit_and_flag(req: &Request) -> Result<(i64, Option<bool>), ApiError> {
        let mut params = QueryParams::new(req);
        let limit = params.integer("limit", 20, 1..=100);
        let flag = params.boolean("flag");
        params.finish().map(|()| (limit, flag))
    }

    #[test]
    fn takes_a_parameter_given_once_and_ignores_unknown_ones() {
        let req = request(
            "limit=5&other=1&other=2",
            json!({"limit": "5", "other": "1,2"}),
            "1",
        );
        assert_eq!(limit_and_flag(&req).unwrap(), (5, None));
        let req = request("", json!(null), "1");
        assert_eq!(limit_and_flag(&req).unwrap(), (20, None));
    }

    #[test]
    fn refuses_a_known_parameter_given_twice_as_api_gateway_sends_it() {
        let req = request(
            "limit=5&limit=50&flag=true&flag=true",
            json!({"limit": "5,50", "flag": "true,true"}),
            "1",
        );
        let error = limit_and_flag(&req).unwrap_err();
        assert_eq!(fields(&error), vec!["limit", "flag"]);
        assert_eq!(error.into_response().status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn path_ids_are_canonical_positive_integers() {
        for (raw, id) in [("1", 1), ("20", 20), ("9223372036854775807", i64::MAX)] {
            assert_eq!(path_id(&request("", json!(null), raw), "id").unwrap(), id);
        }
        for raw in [
            "+20",
            "-1",
            "0",
            "020",
            "00",
            "",
            " 20",
            "20 ",
            "2_0",
            "1e3",
            "0x14",
            "٢٠",
            "9223372036854775808",
        ] {
            let error = path_id(&request("", json!(null), raw), "id").unwrap_err();
            assert_eq!(fields(&error), vec!["id"], "{raw:?}");
            assert_eq!(
                error.into_response().status(),
                StatusCode::BAD_REQUEST,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn integers_are_written_canonically() {
        for (raw, value) in [("limit=5", 5), ("limit=100", 100)] {
            let req = request(raw, json!(null), "1");
            assert_eq!(limit_and_flag(&req).unwrap().0, value, "{raw}");
        }
        for raw in [
            "limit=+5",
            "limit=05",
            "limit=-0",
            "limit=5.0",
            "limit=",
            "limit=%205",
        ] {
            let error = limit_and_flag(&request(raw, json!(null), "1")).unwrap_err();
            assert_eq!(fields(&error), vec!["limit"], "{raw}");
        }
        assert_eq!(canonical_integer("-7"), Some(-7));
        assert_eq!(canonical_integer("0"), Some(0));
        assert_eq!(canonical_integer("-0"), None);
        assert_eq!(canonical_integer("-"), None);
    }

    #[test]
    fn text_whose_bytes_are_not_utf8_is_refused() {
        let req = request("search=caf%C3%A9&tag=ok", json!(null), "1");
        let mut params = QueryParams::new(&req);
        assert_eq!(params.text("search", 1..=100).as_deref(), Some("café"));
        assert_eq!(params.repeated("tag", 5, 1..=10), vec!["ok".to_owned()]);
        assert!(params.finish().is_ok());
        let req = request("search=caf%E9&tag=%FF", json!(null), "1");
        let mut params = QueryParams::new(&req);
        assert_eq!(params.text("search", 1..=100), None);
        assert!(params.repeated("tag", 5, 1..=10).is_empty());
        assert_eq!(fields(&params.finish().unwrap_err()), vec!["search", "tag"]);
    }
}
