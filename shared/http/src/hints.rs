//! What a function instance remembers from earlier requests to build the next request's statements with:
//! hints, never trusted. Every statement built from one checks it, and a wrong one costs a statement more.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use marketplace_catalog::accounts::User;
use marketplace_catalog::ItemKind;

/// Up to `CAPACITY` values by key; past that the instance starts over.
#[derive(Debug)]
pub struct Hints<K, V, const CAPACITY: usize> {
    seen: Mutex<HashMap<K, V>>,
}

impl<K, V, const CAPACITY: usize> Default for Hints<K, V, CAPACITY> {
    fn default() -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
        }
    }
}

/// The callers a function instance has seen, by subject: who a read's statements are built for
/// ([`crate::ReadSession`]).
pub type CallerHints = Hints<String, User, 4096>;

/// The kinds of the listings a function instance has answered for, by id: an install probes that kind's
/// table only (a listing's kind never changes, and ids are unique across kinds).
pub type ListingKinds = Hints<i64, ItemKind, 65536>;

impl<K: Eq + Hash, V: Clone, const CAPACITY: usize> Hints<K, V, CAPACITY> {
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.seen.lock().expect("never poisoned").get(key).cloned()
    }

    pub(crate) fn remember<Q>(&self, key: &Q, value: &V)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    {
        let mut seen = self.seen.lock().expect("never poisoned");
        if seen.len() >= CAPACITY && !seen.contains_key(key) {
            seen.clear();
        }
        seen.insert(key.to_owned(), value.clone());
    }
}
