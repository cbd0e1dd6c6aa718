//! What every other module stands on: kinds, versions, the statement and column types, errors, limits,
//! redaction, cursors and the lookups every route starts with (who the caller is, where an item lives).
//!
//! May use: nothing else in this crate.

pub mod accounts;
pub(crate) mod audience;
pub(crate) mod caller_check;
pub(crate) mod capabilities;
pub(crate) mod column;
pub(crate) mod content;
pub(crate) mod cursor;
pub(crate) mod error;
pub(crate) mod findings;
pub(crate) mod hosts;
pub(crate) mod item;
pub(crate) mod kind;
pub mod limits;
pub(crate) mod locate;
pub(crate) mod paged;
pub(crate) mod position;
pub(crate) mod pulled;
pub(crate) mod redact;
pub(crate) mod statement;
pub(crate) mod status;
pub(crate) mod text_column;
pub(crate) mod version;
pub(crate) mod window;
pub(crate) mod workspace;
