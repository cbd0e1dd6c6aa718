use std::ops::RangeInclusive;

use lambda_http::{Request, RequestExt};

use crate::{ApiError, FieldError};

/// Query-string parameters, parsed one by one; every bad value is collected, and `finish` turns them into
/// one 400 that lists them all. Unknown parameters are ignored.
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

    fn raw(&self, name: &str) -> Option<&'a str> {
        self.req.query_string_parameters_ref()?.first(name)
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
        self.optional(name, |raw| check_text(raw, &chars).map(|()| raw.to_owned()))
    }

    /// An integer within `range`, or `default` when absent.
    pub fn integer(&mut self, name: &str, default: i64, range: RangeInclusive<i64>) -> i64 {
        self.optional(name, |raw| match raw.parse::<i64>() {
            Ok(value) if range.contains(&value) => Ok(value),
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

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}

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

/// A positive integer path parameter, such as an item id.
pub fn path_id(req: &Request, name: &str) -> Result<i64, ApiError> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .and_then(|raw| raw.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid_field(name, "must be a positive integer"))
}
