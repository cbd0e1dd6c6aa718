//! How long a scan of a large configuration takes: submit runs it on every request. The figure is printed
//! (`cargo test --release --test timing -- --nocapture`); the bound only catches a rule gone quadratic.

use std::hint::black_box;
use std::time::{Duration, Instant};

use marketplace_credentials::corpus::benign;
use marketplace_credentials::find_credentials;
use serde_json::{json, Value};

/// Benign configurations of every kind, and one long prompt, up to `size` bytes of JSON.
fn config_of(size: usize) -> Value {
    let long_prompt: String = benign()
        .iter()
        .filter_map(|content| content.pointer("/configuration/system_prompt")?.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut items = Vec::new();
    let mut content = json!({"prompt": long_prompt, "items": []});
    for item in benign().into_iter().cycle() {
        if content.to_string().len() >= size {
            break;
        }
        items.push(item);
        content = json!({"prompt": long_prompt, "items": items});
    }
    content
}

#[test]
fn a_64_kib_configuration_scans_in_well_under_a_millisecond_in_release() {
    let content = config_of(64 * 1024);
    let bytes = content.to_string().len();
    assert_eq!(find_credentials(&content, ""), [], "benign");
    let runs = 30;
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(find_credentials(black_box(&content), ""));
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[runs / 2];
    println!(
        "scan of a {bytes}-byte configuration: median {median:?}, fastest {:?}",
        times[0]
    );
    let bound = if cfg!(debug_assertions) { 200 } else { 10 };
    assert!(median < Duration::from_millis(bound), "{median:?}");
}
