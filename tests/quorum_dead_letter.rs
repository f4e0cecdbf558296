//! A quorum queue's `at-least-once` dead-lettering (`src/engine/dead_letter.rs`)
//! where no recording can show it: RabbitMQ 3.10.8's dead-letter worker
//! retries what it could not forward only every
//! `dead_letter_worker_publisher_confirm_timeout` (180 s, `rabbit.app`), and
//! `rabbit_fifo_dlx_worker:redeliver_messages` then sends every held message
//! again. What the recordings do show (held messages stay out of the ready
//! count and count towards `x-max-length`) is `qq_dlx_strategies`.
//!
//! Each test replays a small scenario (the conformance format, virtual time)
//! and reads what the dead-letter queue holds.

#![cfg(not(target_arch = "wasm32"))]

#[path = "support/passive_declares.rs"]
mod passive_declares;

use passive_declares::passive_declare_results;
use serde_json::{json, Value};

/// A quorum queue `src` dead-lettering at least once to exchange `dlx`,
/// which does not exist yet; two messages rejected into it; then `later`.
fn scenario(src_arguments: Value, later: Vec<Value>) -> Value {
    let mut steps = vec![
        json!({"op": "open_connection", "conn": "c"}),
        json!({"op": "open_channel", "conn": "c", "channel": "a"}),
        json!({"op": "queue_declare", "channel": "a", "queue": "src", "durable": true,
               "arguments": src_arguments}),
        json!({"op": "publish", "channel": "a", "routing_key": "src", "bodies": ["m1", "m2"]}),
        json!({"op": "get", "channel": "a", "queue": "src", "as": "g"}),
        json!({"op": "get", "channel": "a", "queue": "src", "as": "g"}),
        json!({"op": "nack", "channel": "a", "delivery_tag": 0, "multiple": true, "requeue": false}),
        json!({"op": "exchange_declare", "channel": "a", "exchange": "dlx", "type": "fanout"}),
        json!({"op": "queue_declare", "channel": "a", "queue": "dead"}),
        json!({"op": "queue_bind", "channel": "a", "queue": "dead", "exchange": "dlx"}),
    ];
    steps.extend(later);
    json!({"name": "held", "description": "at-least-once retry", "steps": steps})
}

fn at_least_once(extra: &[(&str, Value)]) -> Value {
    let mut args = json!({"x-queue-type": "quorum", "x-dead-letter-exchange": "dlx",
                          "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"});
    for (k, v) in extra {
        args[*k] = v.clone();
    }
    args
}

fn passive(queue: &str) -> Value {
    json!({"op": "queue_declare", "channel": "a", "queue": queue, "passive": true})
}

/// The message counts of every passive declare, in order.
fn counts(scenario: &Value) -> Vec<u64> {
    passive_declare_results(scenario)
        .iter()
        .map(|r| {
            r["message_count"]
                .as_u64()
                .expect("a passive declare succeeded")
        })
        .collect()
}

#[test]
fn held_dead_letters_are_forwarded_when_the_worker_retries_after_180_s() {
    let later = vec![
        passive("dead"),
        json!({"op": "wait", "ms": 179_000}),
        passive("dead"),
        json!({"op": "wait", "ms": 2_000}),
        passive("dead"),
        json!({"op": "wait", "ms": 400_000}),
        passive("dead"),
    ];
    assert_eq!(counts(&scenario(at_least_once(&[]), later)), [0, 0, 2, 2]);
}

#[test]
fn at_most_once_drops_what_a_missing_exchange_cannot_take() {
    let later = vec![json!({"op": "wait", "ms": 200_000}), passive("dead")];
    let args = json!({"x-queue-type": "quorum", "x-dead-letter-exchange": "dlx",
                      "x-dead-letter-strategy": "at-most-once", "x-overflow": "reject-publish"});
    assert_eq!(counts(&scenario(args, later)), [0]);
    // at-least-once without reject-publish falls back to at-most-once.
    let later = vec![json!({"op": "wait", "ms": 200_000}), passive("dead")];
    let args = json!({"x-queue-type": "quorum", "x-dead-letter-exchange": "dlx",
                      "x-dead-letter-strategy": "at-least-once"});
    assert_eq!(counts(&scenario(args, later)), [0]);
}

#[test]
fn held_dead_letters_count_towards_the_length_limit_until_forwarded() {
    // max-length 2 with both rejected messages held: the queue is full,
    // so it takes one more (the soft limit) and then blocks publishes;
    // once the retry forwards them it is below 80% again.
    let later = vec![
        json!({"op": "publish", "channel": "a", "routing_key": "src", "bodies": ["m3", "m4"]}),
        passive("src"),
        json!({"op": "wait", "ms": 181_000}),
        passive("dead"),
        json!({"op": "get", "channel": "a", "queue": "src", "as": "h", "no_ack": true}),
        json!({"op": "publish", "channel": "a", "routing_key": "src", "bodies": ["m5"]}),
        passive("src"),
    ];
    let args = at_least_once(&[("x-max-length", json!(2))]);
    assert_eq!(counts(&scenario(args, later)), [1, 2, 1]);
}

/// The dead letters a quorum queue holds are in its Raft log in RabbitMQ,
/// so they survive a restart; the new dead-letter worker is handed them
/// and retries them (`rabbit_fifo_dlx:state_enter/4`, `checkout/2`).
#[test]
fn held_dead_letters_survive_a_restart_and_are_retried() {
    let reopen = |conn: &str, channel: &str| {
        [
            json!({"op": "open_connection", "conn": conn}),
            json!({"op": "open_channel", "conn": conn, "channel": channel}),
        ]
    };
    let mut steps = vec![
        json!({"op": "open_connection", "conn": "c"}),
        json!({"op": "open_channel", "conn": "c", "channel": "a"}),
        json!({"op": "queue_declare", "channel": "a", "queue": "src", "durable": true,
               "arguments": at_least_once(&[("x-max-length", json!(5))])}),
        json!({"op": "publish", "channel": "a", "routing_key": "src", "bodies": ["m1", "m2"]}),
        json!({"op": "get", "channel": "a", "queue": "src", "as": "g"}),
        json!({"op": "get", "channel": "a", "queue": "src", "as": "g"}),
        json!({"op": "nack", "channel": "a", "delivery_tag": 0, "multiple": true, "requeue": false}),
        json!({"op": "wait", "ms": 1_000}),
        json!({"op": "restart_broker"}),
    ];
    steps.extend(reopen("d", "b"));
    steps.extend([
        json!({"op": "exchange_declare", "channel": "b", "exchange": "dlx", "type": "fanout",
               "durable": true}),
        json!({"op": "queue_declare", "channel": "b", "queue": "dead", "durable": true}),
        json!({"op": "queue_bind", "channel": "b", "queue": "dead", "exchange": "dlx"}),
        json!({"op": "wait", "ms": 181_000}),
        json!({"op": "queue_declare", "channel": "b", "queue": "dead", "passive": true}),
    ]);
    let scenario = json!({"name": "held", "description": "held across a restart", "steps": steps});
    assert_eq!(counts(&scenario), [2]);
}
