//! Replays conformance scenarios against Warren's engine.
//!
//! ```text
//! conformance replay FILE.json     print the outcome JSON of one scenario
//! conformance check DIR            replay DIR/scenarios/*.json, compare each with
//!                                  DIR/expected/NAME.json; exit 1 on any difference
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use warren::conformance::{self, ReplayOptions};

fn usage() -> ExitCode {
    eprintln!("usage: conformance replay FILE.json | conformance check DIR");
    ExitCode::from(2)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn replay(file: &Path) -> ExitCode {
    let outcome = read(file).and_then(|text| {
        conformance::replay_json(&text, &ReplayOptions::default())
            .map_err(|e| format!("{}: {e}", file.display()))
    });
    match outcome {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Replays one scenario file and compares it with its recording.
fn check_one(scenario: &Path, expected: &Path) -> Result<Option<String>, String> {
    let text = read(scenario)?;
    let parsed = conformance::parse(&text).map_err(|e| format!("invalid scenario: {e}"))?;
    let actual = conformance::replay(&parsed, &ReplayOptions::default())
        .map_err(|e| format!("replay failed: {e}"))?;
    let expected: serde_json::Value = serde_json::from_str(&read(expected)?)
        .map_err(|e| format!("{}: {e}", expected.display()))?;
    Ok(conformance::compare(&expected, &actual))
}

fn check(dir: &Path) -> ExitCode {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir.join("scenarios")) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.join("scenarios").display());
            return ExitCode::from(2);
        }
    };
    files.sort();
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expected = dir.join("expected").join(format!("{name}.json"));
        match check_one(file, &expected) {
            Ok(None) => {
                passed += 1;
                println!("ok   {name}");
            }
            Ok(Some(diff)) => {
                failed += 1;
                println!("DIFF {name}");
                for line in diff.lines() {
                    println!("    {line}");
                }
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, file] if cmd == "replay" => replay(Path::new(file)),
        [cmd, dir] if cmd == "check" => check(Path::new(dir)),
        _ => usage(),
    }
}
