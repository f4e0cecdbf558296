//! Every recorded scenario in `tests/conformance/` replays with exactly the
//! results RabbitMQ gave (the acceptance test of the engine).

use std::fs;
use std::path::Path;
use warren::conformance::{self, ReplayOptions};

fn scenario_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/scenarios");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("tests/conformance/scenarios exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn every_recorded_scenario_replays_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let names = scenario_names();
    assert!(
        names.len() >= 26,
        "the 26 recordings of shared/conformance are here (found {})",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let scenario =
            fs::read_to_string(root.join("scenarios").join(format!("{name}.json"))).unwrap();
        let expected: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(root.join("expected").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let parsed = match conformance::parse(&scenario) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: invalid scenario: {e}"));
                continue;
            }
        };
        assert_eq!(parsed.name, *name, "a scenario's name equals its file name");
        match conformance::replay(&parsed, &ReplayOptions::default()) {
            Ok(actual) => {
                if let Some(diff) = conformance::compare(&expected, &actual) {
                    failures.push(format!("{name}:\n{diff}"));
                }
            }
            Err(e) => failures.push(format!("{name}: replay failed: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from RabbitMQ:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

/// The browser test replays the same files; its list is generated, so check
/// it names every scenario (a new recording must not be skipped in Chromium).
#[test]
fn the_browser_test_covers_every_scenario() {
    let listed = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/web_conformance_list.rs"),
    )
    .unwrap();
    let missing: Vec<String> = scenario_names()
        .into_iter()
        .filter(|n| !listed.contains(&format!("scenarios/{n}.json")))
        .collect();
    assert!(
        missing.is_empty(),
        "tests/support/web_conformance_list.rs misses {missing:?}; regenerate it with ./dev.sh gen-web-list"
    );
}

/// With a store, the durable state of a replay ends up in the store, and a
/// second scenario can resume from it (as after a page reload).
#[test]
fn replay_with_a_store_keeps_the_durable_state_and_can_resume() {
    use warren::store::memory::MemoryStorage;
    use warren::store::now_or_never;
    let first = r#"{"name": "first", "steps": [
        {"op": "open_connection", "conn": "c"},
        {"op": "open_channel", "conn": "c", "channel": "ch"},
        {"op": "queue_declare", "channel": "ch", "queue": "task_queue", "durable": true},
        {"op": "queue_declare", "channel": "ch", "queue": "scratch"},
        {"op": "publish", "channel": "ch", "routing_key": "task_queue", "bodies": ["kept", "lost"], "properties": {"delivery_mode": 2}},
        {"op": "get", "channel": "ch", "queue": "task_queue", "no_ack": true}
    ]}"#;
    let second = r#"{"name": "second", "steps": [
        {"op": "open_connection", "conn": "c"},
        {"op": "open_channel", "conn": "c", "channel": "ch"},
        {"op": "observe", "queues": ["task_queue", "scratch"]},
        {"op": "get", "channel": "ch", "queue": "task_queue", "no_ack": true}
    ]}"#;
    let mut store = MemoryStorage::new();
    let mut replay = |text: &str, resume: bool| {
        let scenario = conformance::parse(text).unwrap();
        let options = ReplayOptions::default();
        now_or_never(conformance::replay_with_store(
            &scenario, &options, &mut store, resume,
        ))
        .unwrap()
        .unwrap()
    };
    replay(first, false);
    let out = replay(second, true);
    let results = &out["results"];
    assert_eq!(
        results[2]["observation"]["queues"]["task_queue"]["ready"], 1,
        "{results}"
    );
    assert!(
        results[2]["observation"]["queues"]["scratch"].is_null(),
        "a transient queue does not survive"
    );
    assert_eq!(
        results[3]["message"]["body"], "lost",
        "the first message was consumed in the first run"
    );

    // Without resume the store is cleared: a fresh vhost.
    let out = replay(second, false);
    assert!(out["results"][2]["observation"]["queues"]["task_queue"].is_null());

    // The recorded restart scenario gives the same results through a store.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let text = fs::read_to_string(root.join("scenarios/t2_durability_restart.json")).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root.join("expected/t2_durability_restart.json")).unwrap(),
    )
    .unwrap();
    let out = replay(&text, false);
    assert_eq!(conformance::compare(&expected, &out), None);
}
