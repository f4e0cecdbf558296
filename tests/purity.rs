//! Architecture invariant: `src/engine` (and the simulation, replayer and
//! view layer built on it) is pure. It never names a web API, the
//! wall clock or OS randomness, so it stays deterministic and builds natively.

use std::fs;
use std::path::{Path, PathBuf};

const BANNED: &[&str] = &[
    "web_sys",
    "wasm_bindgen",
    "js_sys",
    "yew",
    "gloo",
    "std::time",
    "SystemTime",
    "Instant::now",
    "thread_rng",
    "getrandom",
    "rand::",
    "std::fs",
    "std::net",
    "std::env",
    "std::thread",
];

/// The pure layers: everything the browser and the native tests share.
const PURE: &[&str] = &[
    "src/engine",
    "src/sim",
    "src/document",
    "src/tutorial",
    "src/conformance",
    "src/benchmark.rs",
    "src/workload.rs",
    "src/wire",
    "src/describe",
    "src/control",
    "src/view",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    for entry in fs::read_dir(dir).expect("the pure modules are readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engine_names_no_web_api_clock_or_os_randomness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for pure in PURE {
        let before = files.len();
        rust_files(&root.join(pure), &mut files);
        assert!(files.len() > before, "{pure} has Rust files");
    }
    let mut violations = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            for banned in BANNED {
                if line.contains(banned) {
                    violations.push(format!("{}:{}: `{}`", file.display(), n + 1, banned));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "the pure layers must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_purity_check_catches_a_banned_name() {
    // Guards the guard: the scan above would flag this line if it were in src/engine.
    let line = "let now = std::time::SystemTime::now();";
    assert!(BANNED.iter().any(|b| line.contains(b)));
}
