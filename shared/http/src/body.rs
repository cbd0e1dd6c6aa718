use std::ops::RangeInclusive;

use lambda_http::http::header;
use lambda_http::{Body, Request};
use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError};
use crate::field_rules::{check_text, finish_with};

/// Largest request body accepted (docs/api.md: 256 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The 413 for a body over [`MAX_BODY_BYTES`] (also what the local API answers before a handler runs).
pub fn body_too_large() -> ApiError {
    ApiError::payload_too_large(format!(
        "The request body is over {} KiB.",
        MAX_BODY_BYTES / 1024
    ))
}

/// The request's JSON body, or `None` when it has none: 413 when too large, 415 when not sent as JSON,
/// 400 when not JSON.
fn read_json(req: &Request) -> Result<Option<Value>, ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => return Ok(None),
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => return Err(ApiError::bad_request("Unreadable request body.")),
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(body_too_large());
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !(media_type.eq_ignore_ascii_case("application/json") || media_type.ends_with("+json")) {
        return Err(ApiError::unsupported_media_type(
            "Send the body as application/json.",
        ));
    }
    crate::strict_json::parse(bytes)
        .map(Some)
        .map_err(|error| ApiError::bad_request(format!("The body is not valid JSON: {error}.")))
}

/// The fields of a JSON object body, read one by one like query parameters: every bad field is collected and
/// `finish` turns them into one 400. Unknown fields are ignored; `null` is not a value.
pub struct JsonFields {
    fields: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl JsonFields {
    /// A required JSON object body.
    pub fn required(req: &Request) -> Result<Self, ApiError> {
        match read_json(req)? {
            Some(value) => Self::from_value(value),
            None => Err(ApiError::bad_request("A JSON object body is required.")),
        }
    }

    /// An optional JSON object body (no body reads as `{}`).
    pub fn optional(req: &Request) -> Result<Self, ApiError> {
        Self::from_value(read_json(req)?.unwrap_or_else(|| Value::Object(Map::new())))
    }

    fn from_value(value: Value) -> Result<Self, ApiError> {
        match value {
            Value::Object(fields) => Ok(Self {
                fields,
                errors: Vec::new(),
            }),
            _ => Err(ApiError::bad_request("The body must be a JSON object.")),
        }
    }

    fn take(&mut self, name: &str, presence: Presence) -> Option<Value> {
        match self.fields.remove(name) {
            None if presence == Presence::Required => self.reject(name, "is required"),
            None => None,
            Some(Value::Null) => self.reject(name, "must not be null; leave the field out instead"),
            Some(value) => Some(value),
        }
    }

    fn reject<T>(&mut self, name: &str, message: impl Into<String>) -> Option<T> {
        self.errors.push(FieldError::new(name, message));
        None
    }

    /// An optional string of `chars` characters.
    pub fn text(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        self.text_field(name, chars, Presence::Optional)
    }

    /// A required string of `chars` characters.
    pub fn required_text(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        self.text_field(name, chars, Presence::Required)
    }

    fn text_field(
        &mut self,
        name: &str,
        chars: RangeInclusive<usize>,
        presence: Presence,
    ) -> Option<String> {
        match self.take(name, presence)? {
            Value::String(text) => match check_text(&text, &chars) {
                Ok(()) => Some(text),
                Err(message) => self.reject(name, message),
            },
            _ => self.reject(name, "must be a string"),
        }
    }

    /// A required string of `chars` characters that says something: not only whitespace and invisible
    /// characters (zero-width, bidi controls, U+FEFF), as an admin's reason must. openapi.yaml states the same
    /// rule as a pattern.
    pub fn required_statement(
        &mut self,
        name: &str,
        chars: RangeInclusive<usize>,
    ) -> Option<String> {
        let text = self.required_text(name, chars)?;
        if is_blank(&text) {
            return self.reject(name, "must not be blank");
        }
        Some(text)
    }

    /// An optional string of `chars` characters written by a person for people (a review's title or body,
    /// a description, a changelog): any character but control characters other than newline and tab.
    pub fn prose(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        let text = self.text(name, chars)?;
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return self.reject(
                name,
                "must not contain control characters other than newline and tab",
            );
        }
        Some(text)
    }

    /// An optional one-line string of `chars` characters (an icon): no control characters at all.
    pub fn line(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        let text = self.text(name, chars)?;
        if text.chars().any(char::is_control) {
            return self.reject(name, "must not contain control characters");
        }
        Some(text)
    }

    /// An optional name people tell apart by eye (an item's name, a category): one line that is not blank
    /// and holds no invisible characters, so that no two names look alike while differing.
    pub fn label(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        let text = self.line(name, chars)?;
        label_problem(&text).map_or(Some(text), |problem| self.reject(name, problem))
    }

    /// A required [`label`](Self::label).
    pub fn required_label(&mut self, name: &str, chars: RangeInclusive<usize>) -> Option<String> {
        if !self.fields.contains_key(name) {
            return self.reject(name, "is required");
        }
        self.label(name, chars)
    }

    /// A list of at most `max_items` labels (tags) of `chars` characters each.
    pub fn label_list(
        &mut self,
        name: &str,
        max_items: usize,
        chars: RangeInclusive<usize>,
    ) -> Option<Vec<String>> {
        let labels = self.string_list(name, max_items, chars)?;
        let problem = labels.iter().find_map(|label| {
            if label.chars().any(char::is_control) {
                Some("must not contain control characters")
            } else {
                label_problem(label)
            }
        });
        problem.map_or(Some(labels), |problem| self.reject(name, problem))
    }

    /// A required integer within `range` (JSON has one number type: 4.0 is the integer 4).
    pub fn required_integer(&mut self, name: &str, range: RangeInclusive<i64>) -> Option<i64> {
        let value = self.take(name, Presence::Required)?;
        match json_integer(&value) {
            Some(n) if range.contains(&n) => Some(n),
            _ => self.reject(
                name,
                format!(
                    "must be an integer from {} to {}",
                    range.start(),
                    range.end()
                ),
            ),
        }
    }

    /// An optional string turned into a domain value by `parse`.
    pub fn parsed<T, E: ToString>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        self.parsed_field(name, parse, Presence::Optional)
    }

    /// A required string turned into a domain value by `parse`.
    pub fn required_parsed<T, E: ToString>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        self.parsed_field(name, parse, Presence::Required)
    }

    fn parsed_field<T, E: ToString>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
        presence: Presence,
    ) -> Option<T> {
        match self.take(name, presence)? {
            Value::String(text) => match parse(&text) {
                Ok(value) => Some(value),
                Err(error) => self.reject(name, error.to_string()),
            },
            _ => self.reject(name, "must be a string"),
        }
    }

    /// A required positive integer (such as an id).
    pub fn required_id(&mut self, name: &str) -> Option<i64> {
        self.id_field(name, Presence::Required)
    }

    /// An optional positive integer (such as an id).
    pub fn optional_id(&mut self, name: &str) -> Option<i64> {
        self.id_field(name, Presence::Optional)
    }

    fn id_field(&mut self, name: &str, presence: Presence) -> Option<i64> {
        let value = self.take(name, presence)?;
        match json_integer(&value) {
            Some(id) if id > 0 => Some(id),
            _ => self.reject(name, "must be a positive integer"),
        }
    }

    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.take(name, Presence::Optional)? {
            Value::Bool(flag) => Some(flag),
            _ => self.reject(name, "must be true or false"),
        }
    }

    /// A list of at most `max_items` strings of `chars` characters each.
    pub fn string_list(
        &mut self,
        name: &str,
        max_items: usize,
        chars: RangeInclusive<usize>,
    ) -> Option<Vec<String>> {
        let message = format!(
            "must be a list of at most {max_items} strings of {} to {} characters",
            chars.start(),
            chars.end()
        );
        let Value::Array(items) = self.take(name, Presence::Optional)? else {
            return self.reject(name, message);
        };
        let strings: Option<Vec<String>> = items
            .into_iter()
            .map(|item| match item {
                Value::String(text) if check_text(&text, &chars).is_ok() => Some(text),
                _ => None,
            })
            .collect();
        match strings {
            Some(strings) if strings.len() <= max_items => Some(strings),
            _ => self.reject(name, message),
        }
    }

    /// An optional list of `items` strings, each turned into a domain value by `parse`.
    pub fn parsed_list<T, E: ToString>(
        &mut self,
        name: &str,
        items: RangeInclusive<usize>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Vec<T>> {
        let Value::Array(values) = self.take(name, Presence::Optional)? else {
            return self.reject(name, "must be a list of strings");
        };
        if !items.contains(&values.len()) {
            return self.reject(
                name,
                format!("must list {} to {} entries", items.start(), items.end()),
            );
        }
        let mut parsed = Vec::with_capacity(values.len());
        for (index, value) in values.iter().enumerate() {
            match value.as_str().map(&parse) {
                Some(Ok(value)) => parsed.push(value),
                Some(Err(error)) => {
                    return self.reject(&format!("{name}[{index}]"), error.to_string())
                }
                None => return self.reject(&format!("{name}[{index}]"), "must be a string"),
            }
        }
        Some(parsed)
    }

    /// An optional JSON value of the shape `T` describes (unknown members refused where `T` says so).
    pub fn shaped<T: serde::de::DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        let value = self.take(name, Presence::Optional)?;
        match serde_json::from_value(value) {
            Ok(shaped) => Some(shaped),
            Err(error) => self.reject(name, error.to_string()),
        }
    }

    /// Every field read was valid: nothing else to build.
    pub fn finish(self) -> Result<(), ApiError> {
        self.finish_with(|| Some(()))
    }

    /// The typed request, or a 400 listing every invalid field. `build` assembles the request from the
    /// fields read (`?` on each required one); it runs only when every field was valid, so a required field
    /// is then present and no placeholder value is ever made up.
    pub fn finish_with<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        finish_with(self.errors, build)
    }
}

/// A JSON number written as an integer: `42`, not `42.0` or `4.2e1` (a client that sends a fraction or an
/// exponent for an id or a rating has a bug worth hearing about).
fn json_integer(value: &Value) -> Option<i64> {
    value.as_i64()
}

/// Characters that take no room on screen: zero-width spaces and joiners, bidi controls and isolates, word
/// joiners and invisible operators, U+FEFF, Mongolian vowel separator, soft hyphen and tag characters.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}')
}

/// Nothing but whitespace and invisible characters (or nothing at all).
fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// Why `text` is no label, if it is not.
fn label_problem(text: &str) -> Option<&'static str> {
    if is_blank(text) {
        Some("must not be blank")
    } else if text.chars().any(is_invisible) {
        Some("must not contain zero-width or bidirectional control characters")
    } else {
        None
    }
}

/// Whether a field may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Required,
    Optional,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> JsonFields {
        JsonFields::from_value(serde_json::from_str(json).unwrap()).unwrap()
    }

    fn fields(error: ApiError) -> Vec<String> {
        let response = error.into_response();
        let Body::Text(text) = response.body() else {
            panic!("a problem is text")
        };
        let problem: Value = serde_json::from_str(text).unwrap();
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn builds_the_request_only_when_every_field_is_valid() {
        let mut fields_read = body(r#"{"id": 7, "name": "x"}"#);
        let id = fields_read.required_id("id");
        let name = fields_read.text("name", 1..=10);
        let built = fields_read.finish_with(|| Some((id?, name)));
        assert_eq!(built.unwrap(), (7, Some("x".to_owned())));
    }

    #[test]
    fn prose_keeps_newlines_and_tabs_and_refuses_other_control_characters() {
        let mut fields_read =
            body(r#"{"a": "line\n\tindented", "b": "bell\u0007", "c": "cr\r\n"}"#);
        assert_eq!(
            fields_read.prose("a", 0..=100).as_deref(),
            Some("line\n\tindented")
        );
        assert_eq!(fields_read.prose("b", 0..=100), None);
        assert_eq!(fields_read.prose("c", 0..=100), None);
        assert_eq!(fields(fields_read.finish().unwrap_err()), ["b", "c"]);
    }

    #[test]
    fn a_statement_is_not_only_whitespace() {
        let mut fields_read =
            body(r#"{"a": " Spam. ", "b": "\u000b \u3000", "c": "\ufeff\u0085", "d": "\u200b"}"#);
        assert_eq!(
            fields_read.required_statement("a", 1..=100).as_deref(),
            Some(" Spam. ")
        );
        assert_eq!(fields_read.required_statement("b", 1..=100), None);
        assert_eq!(fields_read.required_statement("c", 1..=100), None);
        assert_eq!(
            fields_read.required_statement("d", 1..=100),
            None,
            "a zero-width space says nothing either"
        );
        assert_eq!(fields(fields_read.finish().unwrap_err()), ["b", "c", "d"]);
    }

    #[test]
    fn integers_are_whole_numbers_in_range() {
        let mut fields_read =
            body(r#"{"a": 4, "b": 4.0, "c": 4.5, "d": 6, "e": "4", "f": 4e0, "g": 42.0}"#);
        assert_eq!(fields_read.required_integer("a", 1..=5), Some(4));
        for name in ["b", "c", "d", "e", "f"] {
            assert_eq!(fields_read.required_integer(name, 1..=5), None);
        }
        assert_eq!(fields_read.required_id("g"), None);
        assert_eq!(
            fields(fields_read.finish().unwrap_err()),
            ["b", "c", "d", "e", "f", "g"]
        );
    }

    #[test]
    fn reports_every_invalid_field_and_builds_nothing() {
        let mut fields_read = body(r#"{"name": ""}"#);
        let id = fields_read.required_id("id");
        let name = fields_read.required_text("name", 1..=10);
        let error = fields_read
            .finish_with(|| -> Option<(i64, String)> { panic!("built from {id:?} and {name:?}") })
            .unwrap_err();
        assert_eq!(fields(error), ["id", "name"]);
    }

    #[test]
    fn labels_are_visible_single_lines() {
        let mut fields_read = body(
            r#"{"a": "Sales Bot", "b": "  ", "c": "Sa\u200bles", "d": "Sales\u202e", "e": "Esc\u001b",
                "f": "Bell\u0007", "g": "CR\r", "h": "👩\u200d💻", "i": ["ok", "t\u200bag"], "j": ["ok"]}"#,
        );
        assert_eq!(fields_read.label("a", 1..=50).as_deref(), Some("Sales Bot"));
        for name in ["b", "c", "d", "e", "f", "g"] {
            assert_eq!(fields_read.label(name, 1..=50), None, "{name}");
        }
        assert_eq!(
            fields_read.line("h", 1..=50).as_deref(),
            Some("👩\u{200d}💻")
        );
        assert_eq!(fields_read.label_list("i", 5, 1..=10), None);
        assert_eq!(
            fields_read.label_list("j", 5, 1..=10),
            Some(vec!["ok".to_owned()])
        );
        assert_eq!(
            fields(fields_read.finish().unwrap_err()),
            ["b", "c", "d", "e", "f", "g", "i"]
        );
    }
}
