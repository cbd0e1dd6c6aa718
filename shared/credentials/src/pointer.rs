//! JSON pointers as findings spell them: RFC 6901 without the leading slash (`configuration/headers/0`).

use std::fmt::Write;

/// A pointer built while walking content: segments are pushed on the way down and popped on the way up.
#[derive(Debug, Default)]
pub(crate) struct Pointer {
    text: String,
}

impl Pointer {
    pub(crate) fn new(base: &str) -> Self {
        Self {
            text: base.to_owned(),
        }
    }

    /// Appends a segment (an object key, escaped, or an array index); returns the length to truncate back to.
    pub(crate) fn push(&mut self, segment: &str) -> usize {
        let mark = self.text.len();
        if !self.text.is_empty() {
            self.text.push('/');
        }
        for c in segment.chars() {
            match c {
                '~' => self.text.push_str("~0"),
                '/' => self.text.push_str("~1"),
                other => self.text.push(other),
            }
        }
        mark
    }

    /// Appends an array index; returns the length to truncate back to.
    pub(crate) fn push_index(&mut self, index: usize) -> usize {
        let mark = self.text.len();
        if !self.text.is_empty() {
            self.text.push('/');
        }
        write!(self.text, "{index}").expect("writing to a String cannot fail");
        mark
    }

    pub(crate) fn truncate(&mut self, mark: usize) {
        self.text.truncate(mark);
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tilde_and_slash_and_pops_back() {
        let mut pointer = Pointer::new("");
        let outer = pointer.push("headers");
        let inner = pointer.push("a/b~c");
        assert_eq!(pointer.as_str(), "headers/a~1b~0c");
        pointer.truncate(inner);
        pointer.push_index(0);
        assert_eq!(pointer.as_str(), "headers/0");
        pointer.truncate(outer);
        assert_eq!(pointer.as_str(), "");
    }

    #[test]
    fn a_base_prefixes_every_segment() {
        let mut pointer = Pointer::new("configuration");
        pointer.push("headers");
        assert_eq!(pointer.as_str(), "configuration/headers");
    }
}
