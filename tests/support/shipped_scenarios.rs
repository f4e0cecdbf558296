//! The scenario documents shipped for the docs pages (`www/scenarios/`),
//! for the tests that play them (`tests/scenarios.rs`) or lay them out
//! (`tests/diagram_layout.rs`).
//!
//! Include it with `#[path = "support/shipped_scenarios.rs"] mod shipped_scenarios;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use warren::document::Document;

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("www/scenarios")
}

/// The file names of every shipped scenario, sorted.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// The shipped scenario `name`, parsed; panics naming the file if it is
/// missing or not a valid document.
pub fn load(name: &str) -> Document {
    let path = folder().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Document::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}
