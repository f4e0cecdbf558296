//! Conformance scenarios: the JSON step lists recorded against a real
//! RabbitMQ (`tests/conformance/`), replayed against Warren's engine.
//!
//! [`replay_json`] is the whole contract: scenario JSON in, outcome JSON out,
//! in exactly the harness's format, so the outcome can be compared with the
//! recording. It is pure (no I/O), so the same code runs natively (the
//! `conformance` binary, `cargo test`) and in the browser (`replayScenario`).

pub mod format;
pub mod outcome;
pub mod replay;

pub use format::{parse, Scenario, ScenarioError};
pub use replay::{replay, replay_with_store, ReplayOptions, Run};

use serde_json::Value;

/// Replays a scenario document; returns the outcome document's text.
pub fn replay_json(scenario_json: &str, options: &ReplayOptions) -> Result<String, ScenarioError> {
    let scenario = parse(scenario_json)?;
    let outcome = replay(&scenario, options)?;
    Ok(outcome::dump(&outcome))
}

/// Compares an outcome with a recording: the `results` arrays must be equal
/// as JSON (`broker_version` and `scenario` are ignored). Returns a diff of
/// the results when they differ.
pub fn compare(expected: &Value, actual: &Value) -> Option<String> {
    let (e, a) = (&expected["results"], &actual["results"]);
    if e == a {
        None
    } else {
        Some(outcome::line_diff(&outcome::dump(e), &outcome::dump(a), 2))
    }
}
