//! A quorum queue's `x-expires` (`rabbit_fifo`'s `last_active`) where a
//! recording would need a restart of the real node or minutes of waiting;
//! each case cites the 3.10.8 source it follows. The recorded basics
//! (declares do not move the timer, basic.get does) are `qq_expires`.
//!
//! Each test replays a small scenario (the conformance format, virtual
//! time) and asks, with passive declares, whether queue `q` still exists.

#![cfg(not(target_arch = "wasm32"))]

#[path = "support/passive_declares.rs"]
mod passive_declares;

use passive_declares::passive_declare_results;
use serde_json::{json, Value};

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
    steps.push(
        json!({"op": "queue_declare", "channel": "a", "queue": "q", "durable": true,
                      "arguments": {"x-queue-type": "quorum", "x-expires": 60_000}}),
    );
    steps.extend(later);
    json!({"name": "qq-expires", "description": "x-expires", "steps": steps})
}

fn wait(ms: u64) -> Value {
    json!({"op": "wait", "ms": ms})
}

/// For each passive declare of `q` (on whichever channel), whether it
/// found the queue.
fn exists(scenario: &Value) -> Vec<bool> {
    passive_declare_results(scenario)
        .iter()
        .map(|r| r.get("message_count").is_some())
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

/// basic.cancel with a delivery still out keeps the consumer
/// (`rabbit_fifo:maybe_return_all/6`, `status = cancelled`) and so the
/// queue (`is_expired/2` wants no consumer); the ack that settles its last
/// delivery removes it and sets `last_active` (`update_or_remove_sub/4`),
/// so the 60 s run from the ack, not from the cancel.
#[test]
fn a_cancelled_consumer_with_deliveries_out_keeps_the_queue_until_they_are_settled() {
    let later = vec![
        json!({"op": "publish", "channel": "a", "routing_key": "q", "bodies": ["m1"]}),
        json!({"op": "consume", "channel": "a", "queue": "q", "consumer": "k"}),
        wait(10_000),
        json!({"op": "cancel", "consumer": "k"}),
        wait(70_000),
        passive("a"),
        json!({"op": "ack", "delivery": {"consumer": "k", "index": 0}}),
        wait(59_000),
        passive("a"),
        wait(2_000),
        passive("a"),
    ];
    assert_eq!(exists(&scenario(later)), [true, true, false]);
}

/// A basic.get with ack is a consumer of its own until settled
/// (`{dequeue, unsettled}`, `lifetime = once`): the queue does not expire
/// while it is out, and its ack starts the timer again.
#[test]
fn an_unsettled_basic_get_keeps_the_queue_until_acked() {
    let later = vec![
        json!({"op": "publish", "channel": "a", "routing_key": "q", "bodies": ["m1"]}),
        json!({"op": "get", "channel": "a", "queue": "q", "as": "g"}),
        wait(70_000),
        passive("a"),
        json!({"op": "ack", "delivery": {"consumer": "g", "index": 0}}),
        wait(59_000),
        passive("a"),
        wait(2_000),
        passive("a"),
    ];
    assert_eq!(exists(&scenario(later)), [true, true, false]);
}
