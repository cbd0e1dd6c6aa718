//! A position in a paged order: the values of the last row a page showed, as a cursor carries them.

use crate::foundation::statement::Placeholder;

/// One value of a position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PositionValue {
    Integer(i64),
    Float(f64),
    Text(String),
}

/// How a key's values travel in a cursor: integers (timestamps as microseconds since the epoch, exactly),
/// floating-point numbers (exactly: JSON keeps every bit of an f64) or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    Integer,
    Timestamp,
    Float,
    Text,
}

impl KeyType {
    pub(crate) fn as_json(self, column: &str) -> String {
        match self {
            Self::Integer => format!("{column}::bigint"),
            Self::Float => format!("{column}::float8"),
            Self::Timestamp => format!("(extract(epoch FROM {column}) * 1000000)::bigint"),
            Self::Text => column.to_owned(),
        }
    }

    pub(crate) fn bound_value(self, placeholder: Placeholder) -> String {
        match self {
            Self::Integer => format!("{placeholder}"),
            Self::Timestamp => {
                format!("(timestamptz 'epoch' + {placeholder} * interval '1 microsecond')")
            }
            Self::Float | Self::Text => format!("{placeholder}"),
        }
    }

    /// Whether a cursor's value fits this key.
    pub(crate) fn accepts(self, value: &PositionValue) -> bool {
        matches!(
            (self, value),
            (Self::Integer | Self::Timestamp, PositionValue::Integer(_))
                | (Self::Float, PositionValue::Float(_))
                | (Self::Text, PositionValue::Text(_))
        )
    }
}
