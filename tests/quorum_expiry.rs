//! A quorum queue's `x-expires` (`rabbit_fifo`'s `last_active`) where a
//! recording would need a restart of the real node or minutes of waiting;
//! each case cites the 3.10.8 source it follows. The recorded basics
//! (declares do not move the timer, basic.get does) are `qq_expires`.
//!
//! Each test replays a small scenario (the conformance format, virtual
//! time) and asks, with passive declares, whether queue `q` still exists.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::{json, Value};
use warren::conformance::{self, ReplayOptions};

fn open(conn: &str, channel: &str) -> [Value; 2] {
    [
        json!({"op": "open_connection", "conn": conn}),
        json!({"op": "open_channel", "conn": conn, "channel": channel}),
    ]
}

/// Declares quorum queue `q` with `x-expires` 60 s on channel `a`, then
/// runs `later`.
fn scenario(later: Vec<Value>) -> Value {
    let mut steps = open("c", "a").to_vec();
    steps.push(json!({"op": "queue_declare", "channel": "a", "queue": "q", "durable": true,
                      "arguments": {"x-queue-type": "quorum", "x-expires": 60_000}}));
    steps.extend(later);
    json!({"name": "qq-expires", "description": "x-expires", "steps": steps})
}

fn wait(ms: u64) -> Value {
    json!({"op": "wait", "ms": ms})
}

/// For each passive declare of `q` (on whichever channel), whether it
/// found the queue.
fn exists(scenario: &Value) -> Vec<bool> {
    let out = conformance::replay_json(&scenario.to_string(), &ReplayOptions::default())
        .expect("the scenario replays");
    let out: Value = serde_json::from_str(&out).unwrap();
    let steps = scenario["steps"].as_array().unwrap();
    out["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(steps)
        .filter(|(_, s)| s["passive"] == json!(true))
        .map(|(r, _)| r.get("message_count").is_some())
        .collect()
}

fn passive(channel: &str) -> Value {
    json!({"op": "queue_declare", "channel": channel, "queue": "q", "passive": true})
}

/// `last_active` is Raft state: replaying the log at recovery keeps it
/// (`rabbit_fifo:apply/3` sets it only for a dequeue, a consumer leaving
/// or a node going down), so a restart does not give the queue a new
/// period; it expires 60 s after it was declared, restart or not.
#[test]
fn a_restart_does_not_restart_the_expiry_timer() {
    let mut later = vec![wait(40_000), json!({"op": "restart_broker"})];
    later.extend(open("d", "b"));
    later.extend([passive("b"), wait(25_000)]);
    later.extend(open("e", "x"));
    later.push(passive("x"));
    assert_eq!(exists(&scenario(later)), [true, false]);
}
