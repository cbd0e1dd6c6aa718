//! Credentials in content that publishers submit: where one may stand (a slot, which a listing keeps with a
//! placeholder) and the detector that refuses one anywhere else. Pure: no I/O and no logging; it uses `regex`
//! and `aho-corasick` for its rules and `serde_json` for content.
//!
//! # Glossary
//!
//! - **credential**: a value that grants access: a key, a token, a password, a private key, or a URL or
//!   connection string that carries one.
//! - **slot**: an object member whose key names a credential ([`is_credential_key`]: `api_key`, `password`,
//!   `db_pass`, …), or a `value`/`val` beside a `name`/`key`/`header` that names one
//!   (`{"name": "X-Api-Key", "value": …}`). A listing keeps the slot and stores [`PLACEHOLDER`] in it; each
//!   workspace that installs the listing fills in its own credential.
//! - **rule**: one documented credential format, named in kebab case (`github-pat`, `pem-private-key`);
//!   [`rule_names`] lists them all, and `src/rules/` cites the shape of each.
//! - **finding** ([`Finding`]): a rule that matched at a JSON pointer. It never holds the matched text, so
//!   nothing built from it can echo or log a credential.
//! - **scrub** ([`scrub`]): replace every slot value and every string with a finding by [`PLACEHOLDER`]: the
//!   repair of content stored before the detector existed.

#[doc(hidden)]
pub mod corpus;
mod key;
mod pointer;
mod randomness;
mod rules;
mod scan;
mod walk;

pub use key::is_credential_key;
pub use rules::rule_names;
pub use scan::scan_text;
pub use walk::{fill_slots_with_placeholder, find_credentials, scrub, slot_names};

/// What a slot holds in a listing, and what [`scrub`] puts in place of a credential. Never a finding.
pub const PLACEHOLDER: &str = "[redacted]";

/// A rule that matched in submitted content.
///
/// `field` is a JSON pointer without its leading slash, each key escaped as RFC 6901 says (`~` as `~0`, `/`
/// as `~1`): `configuration/headers/0`. A credential used as an object key is reported at the object that
/// holds it, so that no pointer spells the credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    pub field: String,
    /// The rule's name, one of [`rule_names`].
    pub rule: &'static str,
}
