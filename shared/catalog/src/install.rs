//! What happens to a workspace: its install plan, the install that carries it out, uninstall, its installs
//! and their updates, and the counters an install moves (trending).
//!
//! May use: `foundation`.

pub(crate) mod cascade;
pub(crate) mod copy_names;
pub(crate) mod installs;
pub(crate) mod plan;
pub(crate) mod setup;
pub(crate) mod trending;
pub(crate) mod uninstall;
pub(crate) mod updates;
