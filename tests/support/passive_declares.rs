//! Replays a conformance scenario (virtual time) and returns what each of
//! its passive queue.declare steps answered, in order: tests that ask
//! whether a queue still exists, or how many messages it holds.

use serde_json::Value;
use warren::conformance::{self, ReplayOptions};

/// The result of each passive declare in `scenario` (declare-ok's counts,
/// or the error that closed the channel).
pub fn passive_declare_results(scenario: &Value) -> Vec<Value> {
    let out = conformance::replay_json(&scenario.to_string(), &ReplayOptions::default())
        .expect("the scenario replays");
    let out: Value = serde_json::from_str(&out).expect("the replay writes JSON");
    let steps = scenario["steps"].as_array().cloned().unwrap_or_default();
    out["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .zip(steps)
        .filter(|(_, s)| s["passive"] == Value::Bool(true))
        .map(|(r, _)| r)
        .collect()
}
