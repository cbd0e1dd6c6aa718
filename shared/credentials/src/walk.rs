//! Walking submitted content: slots are left to the placeholder, every other string and every object key is
//! scanned ([`crate::scan_text`]), and a random-looking string under a key that mentions a credential is a
//! `generic-credential` too.

use serde_json::{Map, Value};

use crate::key::{is_credential_key, mentions_credential};
use crate::pointer::Pointer;
use crate::randomness::looks_random;
use crate::rules::GENERIC;
use crate::scan::scan_text;
use crate::{Finding, PLACEHOLDER};

/// The credentials in `value` outside its slots, one finding per pointer and rule, in document order.
/// Pointers are prefixed with `base` (`""` for none): base `configuration` gives `configuration/headers/0`.
///
/// Slot values (whole subtrees) and [`PLACEHOLDER`] are never findings, nor are numbers, booleans and nulls.
/// A credential used as an object key is reported at the object holding it, and what is under that key is
/// not looked at: the pointer would spell the credential.
pub fn find_credentials(value: &Value, base: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    find(value, &mut Pointer::new(base), None, &mut findings);
    findings
}

fn find(value: &Value, pointer: &mut Pointer, context: Option<&str>, out: &mut Vec<Finding>) {
    match value {
        Value::Object(members) => {
            let slot = slot_test(members);
            for (key, inner) in members {
                let key_rules = scan_text(key);
                if !key_rules.is_empty() {
                    for rule in key_rules {
                        let finding = Finding {
                            field: pointer.as_str().to_owned(),
                            rule,
                        };
                        // Two keys of one object may be credentials of one rule: one finding.
                        if !out.contains(&finding) {
                            out.push(finding);
                        }
                    }
                    continue;
                }
                if slot(key) {
                    continue;
                }
                let mark = pointer.push(key);
                find(inner, pointer, Some(key), out);
                pointer.truncate(mark);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let mark = pointer.push_index(index);
                find(item, pointer, context, out);
                pointer.truncate(mark);
            }
        }
        Value::String(text) => {
            out.extend(string_rules(text, context).into_iter().map(|rule| Finding {
                field: pointer.as_str().to_owned(),
                rule,
            }));
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => {}
    }
}

/// Replaces the value of every slot, at any depth, with [`PLACEHOLDER`]; returns how many values it replaced.
/// A slot's boolean or null (`"auth": null`) is no credential and stays; so does a placeholder already there.
pub fn fill_slots_with_placeholder(value: &mut Value) -> usize {
    match value {
        Value::Object(members) => {
            let slot = slot_test(members);
            members
                .iter_mut()
                .map(|(key, inner)| {
                    if slot(key) {
                        fill(inner)
                    } else {
                        fill_slots_with_placeholder(inner)
                    }
                })
                .sum()
        }
        Value::Array(items) => items.iter_mut().map(fill_slots_with_placeholder).sum(),
        _ => 0,
    }
}

/// Takes every credential out of stored content: slots get [`PLACEHOLDER`] as in
/// [`fill_slots_with_placeholder`], every string [`find_credentials`] would report becomes [`PLACEHOLDER`]
/// (whole), and a member whose key is a credential is removed. Returns how many values it replaced or
/// removed; afterwards [`find_credentials`] finds nothing.
pub fn scrub(value: &mut Value) -> usize {
    scrub_in(value, None)
}

fn scrub_in(value: &mut Value, context: Option<&str>) -> usize {
    match value {
        Value::Object(members) => {
            let before = members.len();
            members.retain(|key, _| scan_text(key).is_empty());
            let removed = before - members.len();
            let slot = slot_test(members);
            let replaced: usize = members
                .iter_mut()
                .map(|(key, inner)| {
                    if slot(key) {
                        fill(inner)
                    } else {
                        scrub_in(inner, Some(key))
                    }
                })
                .sum();
            removed + replaced
        }
        Value::Array(items) => items.iter_mut().map(|item| scrub_in(item, context)).sum(),
        Value::String(text) if !string_rules(text, context).is_empty() => {
            *text = PLACEHOLDER.to_owned();
            1
        }
        _ => 0,
    }
}

/// The name of every slot in `value`, at any depth, in document order: the key of a slot member
/// (`api_key`), or for a `value`/`val` slot the credential its `name`/`key`/`header` names (`X-Api-Key`).
/// What a workspace must fill in before the content works.
pub fn slot_names(value: &Value) -> Vec<String> {
    let mut names = Vec::new();
    collect_slot_names(value, &mut names);
    names
}

fn collect_slot_names(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            let slot = slot_test(members);
            for (key, inner) in members {
                if !scan_text(key).is_empty() {
                    continue;
                }
                if !slot(key) {
                    collect_slot_names(inner, out);
                } else if is_credential_key(key) {
                    out.push(key.clone());
                } else if let Some(name) = ["name", "key", "header"]
                    .iter()
                    .filter_map(|field| members.get(*field).and_then(Value::as_str))
                    .find(|name| is_credential_key(name))
                {
                    out.push(name.to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_slot_names(item, out)),
        _ => {}
    }
}

/// Which members of an object are slots: keys that name a credential, and a `value`/`val` beside a
/// `name`/`key`/`header` that names one (`{"name": "X-Api-Key", "value": …}`).
fn slot_test(members: &Map<String, Value>) -> impl Fn(&str) -> bool {
    let named = ["name", "key", "header"].iter().any(|field| {
        members
            .get(*field)
            .and_then(Value::as_str)
            .is_some_and(is_credential_key)
    });
    move |key| is_credential_key(key) || (named && matches!(key, "value" | "val"))
}

/// Puts the placeholder in a slot; 1 if that changed it.
fn fill(slot: &mut Value) -> usize {
    match slot {
        Value::Bool(_) | Value::Null => 0,
        Value::String(text) if text == PLACEHOLDER => 0,
        other => {
            *other = Value::String(PLACEHOLDER.to_owned());
            1
        }
    }
}

/// The rules a string of content matches; `context` is the nearest object key above it.
fn string_rules(text: &str, context: Option<&str>) -> Vec<&'static str> {
    if text == PLACEHOLDER {
        return Vec::new();
    }
    let rules = scan_text(text);
    if rules.is_empty() && context.is_some_and(mentions_credential) && looks_random(text.trim()) {
        return vec![GENERIC];
    }
    rules
}
