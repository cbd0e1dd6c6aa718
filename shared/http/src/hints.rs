//! The callers a function instance has seen: who a read's statements are built for ([`crate::ReadSession`]).

use std::collections::HashMap;
use std::sync::Mutex;

use marketplace_catalog::accounts::User;

/// The callers a function instance has seen, by subject: what a read expects, never what it trusts.
#[derive(Debug, Default)]
pub struct CallerHints {
    seen: Mutex<HashMap<String, User>>,
}

/// How many subjects an instance remembers; past that it starts over.
const REMEMBERED_CALLERS: usize = 4096;

impl CallerHints {
    pub(crate) fn get(&self, subject: &str) -> Option<User> {
        self.seen
            .lock()
            .expect("never poisoned")
            .get(subject)
            .cloned()
    }

    pub(crate) fn remember(&self, subject: &str, user: &User) {
        let mut seen = self.seen.lock().expect("never poisoned");
        if seen.len() >= REMEMBERED_CALLERS && !seen.contains_key(subject) {
            seen.clear();
        }
        seen.insert(subject.to_owned(), user.clone());
    }
}
