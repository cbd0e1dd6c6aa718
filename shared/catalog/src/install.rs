//! What happens to a workspace: its install plan, the install that carries it out, uninstall, its installs
//! and their updates and advisories, and the counters an install moves.
//!
//! May use: `foundation`.

pub(crate) mod admission;
pub(crate) mod advisories;
pub(crate) mod cascade;
pub(crate) mod copies;
pub(crate) mod copy_names;
pub(crate) mod counts;
pub(crate) mod dependencies;
pub(crate) mod existing;
pub(crate) mod installs;
pub(crate) mod locks;
pub(crate) mod outcome;
pub(crate) mod plan;
pub(crate) mod planned;
pub(crate) mod reach;
pub(crate) mod records;
pub(crate) mod replay;
pub(crate) mod setup;
pub(crate) mod single;
pub(crate) mod skills;
pub(crate) mod uninstall;
pub(crate) mod updates;
