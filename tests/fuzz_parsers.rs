//! Fuzzing the parsers that read untrusted text: scenario documents, share
//! links (URL fragments), RabbitMQ definitions files and conformance
//! scenarios. Inputs are arbitrary bytes, JSON generated from a grammar of
//! the formats' own field names and edge values, and random mutations of
//! valid documents. Any panic fails the test and prints the seed and input.
//!
//! The normal test run does `WARREN_FUZZ_ITERATIONS` (default 20,000)
//! executions per parser; the issue's million is
//! `WARREN_FUZZ_ITERATIONS=1000000 cargo test --release --test fuzz_parsers -- --nocapture`.

#[path = "support/env_number.rs"]
mod env_number;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use env_number::env_number;
use serde_json::{json, Map, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use warren::document::{definitions, share, Document};
use warren::engine::rng::SeededRng;

const KEYS: &[&str] = &[
    "warren",
    "title",
    "broker",
    "profile",
    "seed",
    "commit_interval_ms",
    "exchanges",
    "queues",
    "bindings",
    "actors",
    "script",
    "view",
    "name",
    "type",
    "durable",
    "auto_delete",
    "internal",
    "exclusive",
    "arguments",
    "source",
    "destination",
    "destination_type",
    "routing_key",
    "kind",
    "producer",
    "worker",
    "exchange",
    "body",
    "properties",
    "headers",
    "delivery_mode",
    "priority",
    "expiration",
    "mandatory",
    "confirm",
    "every_ms",
    "queue",
    "no_ack",
    "prefetch",
    "work",
    "ms",
    "on_done",
    "requeue",
    "at_ms",
    "at_step",
    "do",
    "actor",
    "count",
    "language",
    "panels",
    "speed",
    "autoplay",
    "read_only",
    "x-max-length",
    "x-message-ttl",
    "x-dead-letter-exchange",
    "x-max-priority",
    "vhosts",
    "vhost",
    "rabbit_version",
    "users",
    "steps",
    "op",
    "conn",
    "channel",
    "bodies",
    "consumer",
    "delivery",
    "index",
    "multiple",
    "observe",
    "wait",
    "per_dot",
    "fixed",
    "ack",
    "forget",
    "reject",
    "nack",
    "publish",
    "kill",
];

fn scalar(rng: &mut SeededRng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(rng.below(10)),
        3 => json!(-(rng.below(1000) as i64)),
        4 => json!(u64::MAX),
        5 => json!(i64::MIN),
        6 => json!(65_536),
        7 => json!(1.5e308),
        8 => json!(-0.0),
        9 => Value::String(KEYS[rng.below(KEYS.len() as u64) as usize].to_string()),
        10 => Value::String("é✓\u{0}\u{202e}".repeat(1 + rng.below(3) as usize)),
        11 => Value::String("x".repeat(rng.below(600) as usize)),
        12 => Value::String(
            [
                "direct",
                "fanout",
                "topic",
                "headers",
                "rabbitmq-3",
                "rabbitmq-4.3",
                "zh",
                "en",
                "#.*",
                "",
            ][rng.below(10) as usize]
                .to_string(),
        ),
        _ => json!(rng.next_u64() as f64 / 3.0),
    }
}

fn value(rng: &mut SeededRng, depth: u32) -> Value {
    if depth == 0 || rng.below(3) == 0 {
        return scalar(rng);
    }
    match rng.below(2) {
        0 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth - 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(6) {
                let key = KEYS[rng.below(KEYS.len() as u64) as usize];
                m.insert(key.to_string(), value(rng, depth - 1));
            }
            Value::Object(m)
        }
    }
}

const VALID_DOCUMENT: &str = r#"{"warren": 1, "title": "Work queues",
  "broker": {"profile": "rabbitmq-3", "seed": 3, "commit_interval_ms": 200},
  "exchanges": [{"name": "logs", "type": "fanout"}],
  "queues": [{"name": "task_queue", "durable": true, "arguments": {"x-max-length": 5}}],
  "bindings": [{"source": "logs", "destination": "task_queue"}],
  "actors": [{"kind": "producer", "name": "p", "routing_key": "task_queue", "body": "Task {n}.", "properties": {"delivery_mode": 2}},
             {"kind": "worker", "name": "w", "queue": "task_queue", "prefetch": 1, "work": {"kind": "per_dot", "ms": 1000}, "on_done": {"kind": "nack", "requeue": false}}],
  "script": [{"at_ms": 0, "do": "publish", "actor": "p", "count": 5}, {"at_step": 3, "do": "kill", "actor": "w"}],
  "view": {"language": "zh", "panels": ["diagram", "log"], "speed": 2, "autoplay": true, "read_only": false}}"#;

const VALID_DEFINITIONS: &str = r#"{"rabbit_version": "3.10.8", "vhosts": [{"name": "/"}],
  "queues": [{"name": "q", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-max-length": 1}}],
  "exchanges": [{"name": "x", "vhost": "/", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}],
  "bindings": [{"source": "x", "vhost": "/", "destination": "q", "destination_type": "queue", "routing_key": "a.#", "arguments": {}}]}"#;

const VALID_SCENARIO: &str = r#"{"name": "s", "steps": [
  {"op": "open_connection", "conn": "c"}, {"op": "open_channel", "conn": "c", "channel": "ch"},
  {"op": "queue_declare", "channel": "ch", "queue": "q", "arguments": {"x-message-ttl": 100}},
  {"op": "publish", "channel": "ch", "routing_key": "q", "bodies": ["a", "b"], "properties": {"priority": 3}},
  {"op": "consume", "channel": "ch", "queue": "q", "consumer": "w"},
  {"op": "ack", "delivery": {"consumer": "w", "index": -1}, "multiple": true},
  {"op": "observe", "queues": ["q"], "bindings": true}]}"#;

/// A random edit of a text: flip, insert, delete, duplicate or cut.
fn mutate(rng: &mut SeededRng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(6) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(6) {
            0 => bytes[at] = rng.below(256) as u8,
            1 => bytes.insert(at, b"{}[],:\"0-e.\\"[rng.below(12) as usize]),
            2 => {
                bytes.remove(at);
            }
            3 => {
                let end = (at + rng.below(40) as usize).min(bytes.len());
                let chunk = bytes[at..end].to_vec();
                bytes.splice(at..at, chunk);
            }
            4 => bytes.truncate(at),
            _ => {
                let key = KEYS[rng.below(KEYS.len() as u64) as usize];
                let insert = format!("\"{key}\":{},", scalar(rng));
                bytes.splice(at..at, insert.into_bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn input(rng: &mut SeededRng, valid: &str) -> String {
    match rng.below(5) {
        0 => String::from_utf8_lossy(
            &(0..rng.below(200))
                .map(|_| rng.below(256) as u8)
                .collect::<Vec<_>>(),
        )
        .into_owned(),
        1 => value(rng, 6).to_string(),
        2 => mutate(rng, valid),
        3 => {
            // A valid document with one subtree replaced by noise.
            let mut v: Value = serde_json::from_str(valid).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                let key = KEYS[rng.below(KEYS.len() as u64) as usize];
                m.insert(key.to_string(), value(rng, 4));
            }
            v.to_string()
        }
        _ => {
            let depth = rng.below(3000) as usize;
            format!("{}{}", "[".repeat(depth), "]".repeat(depth / 2))
        }
    }
}

fn fragment(rng: &mut SeededRng) -> String {
    match rng.below(4) {
        0 => format!("#doc={}", mutate(rng, "eJyrVirKz0lVslJKzClJVaoFADyWBjY")),
        1 => {
            let text = input(rng, VALID_DOCUMENT);
            let deflated = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 1);
            format!("#doc={}", URL_SAFE_NO_PAD.encode(deflated))
        }
        2 => {
            let bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.below(256) as u8).collect();
            format!("#doc={}", URL_SAFE_NO_PAD.encode(bytes))
        }
        _ => input(rng, "#doc=&x=1"),
    }
}

fn iterations() -> u64 {
    env_number("WARREN_FUZZ_ITERATIONS", 20_000)
}

fn fuzz(
    name: &str,
    seed: u64,
    mut one: impl FnMut(&mut SeededRng) -> String,
    parse: impl Fn(&str),
) {
    let n = iterations();
    let mut rng = SeededRng::new(seed);
    let started = std::time::Instant::now();
    for i in 0..n {
        let text = one(&mut rng);
        if catch_unwind(AssertUnwindSafe(|| parse(&text))).is_err() {
            let shown: String = text.chars().take(400).collect();
            panic!("{name}: the parser panicked at execution {i} (seed {seed}) on input:\n{shown}");
        }
    }
    println!(
        "{name}: {n} executions, no panic ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn scenario_documents_never_panic() {
    let ok = Document::parse(VALID_DOCUMENT);
    assert!(ok.is_ok(), "the sample is valid: {ok:?}");
    fuzz(
        "Document::parse",
        1,
        |rng| input(rng, VALID_DOCUMENT),
        |t| {
            if let Ok(doc) = Document::parse(t) {
                let _ = doc.build();
            }
        },
    );
}

#[test]
fn share_links_never_panic() {
    fuzz("share::decode", 2, fragment, |t| {
        let _ = share::decode(t);
    });
}

#[test]
fn definitions_files_never_panic() {
    assert!(definitions::import(VALID_DEFINITIONS, None).is_ok());
    fuzz(
        "definitions::import",
        3,
        |rng| input(rng, VALID_DEFINITIONS),
        |t| {
            if let Ok(doc) = definitions::import(t, None) {
                let _ = definitions::export(&doc);
                let _ = doc.build();
            }
        },
    );
}

#[test]
fn conformance_scenarios_never_panic_even_when_replayed() {
    assert!(warren::conformance::parse(VALID_SCENARIO).is_ok());
    fuzz(
        "conformance::parse + replay",
        4,
        |rng| input(rng, VALID_SCENARIO),
        |t| {
            if let Ok(s) = warren::conformance::parse(t) {
                let _ = warren::conformance::replay(&s, &Default::default());
            }
        },
    );
}
