//! Determinism: the same seed and the same commands give a byte-identical
//! event log. `tests/determinism.golden` holds the fingerprints (event count
//! and FNV-1a hash of the JSON log) of a few seeded random runs; this test
//! checks them natively, and `tests/web.rs` checks the very same values in
//! Chromium, so native and wasm runs are proven identical.
//!
//! When the engine's behaviour or event format changes on purpose, refresh
//! the file: `WARREN_UPDATE_GOLDEN=1 cargo test --test determinism`.

use std::path::Path;
use warren::workload::{event_log_text, random_run};

#[path = "support/determinism.rs"]
mod support;
use support::{current, OPS};

fn golden_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/determinism.golden")
}

#[test]
fn same_seed_same_log() {
    let a = event_log_text(&random_run(7, OPS));
    let b = event_log_text(&random_run(7, OPS));
    assert!(a.lines().count() > 1000, "the workload does real work");
    assert_eq!(a, b);
    assert_ne!(
        a,
        event_log_text(&random_run(8, OPS)),
        "a different seed gives a different run"
    );
}

#[test]
fn fingerprints_match_the_golden_file() {
    let now = current();
    if std::env::var_os("WARREN_UPDATE_GOLDEN").is_some() {
        std::fs::write(golden_path(), &now).unwrap();
    }
    let golden = std::fs::read_to_string(golden_path()).unwrap_or_default();
    assert_eq!(
        golden, now,
        "the event logs of seeded runs changed; if intended, refresh with WARREN_UPDATE_GOLDEN=1 cargo test --test determinism"
    );
}
