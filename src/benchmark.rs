//! Benchmark workloads, shared by the native `bench` binary and the
//! browser (`runEngineBenchmarks` in `pkg/warren.js`), so that the
//! wasm/native ratio compares the very same code paths.
//!
//! The clock is injected (`Instant` natively, `performance.now()` in the
//! browser): this module stays pure. Workloads drive the broker the way a
//! client does: publish, let the broker route, enqueue and deliver, ack.

use crate::engine::durable::Durability;
use crate::engine::exchange::topic_trie::key_matches;
use crate::engine::ids::ChannelId;
use crate::engine::message::Properties;
use crate::engine::rng::SeededRng;
use crate::engine::value::FieldTable;
use crate::engine::{Broker, BrokerConfig, Consume, ExchangeDeclare, Publish, QueueDeclare};
use serde::Serialize;
use std::rc::Rc;

/// Milliseconds from some fixed point (wall clock; only differences matter).
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// One throughput figure.
#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    pub workload: &'static str,
    pub messages: u64,
    pub ms: f64,
    pub per_second: f64,
}

/// The throughput workloads of the benchmark table.
pub const WORKLOADS: &[&str] = &[
    "one queue, one consumer",
    "fanout to 10 queues",
    "topic, 10,000 bindings",
    "persistent, in-memory store",
];

fn setup(config: BrokerConfig) -> (Broker, ChannelId, ChannelId) {
    let mut b = Broker::new(config);
    let conn = b.open_connection("bench");
    let producer = b.open_channel(conn).unwrap_or(ChannelId(0));
    let consumer = b.open_channel(conn).unwrap_or(ChannelId(0));
    (b, producer, consumer)
}

fn declare_queue(b: &mut Broker, ch: ChannelId, name: &str, durable: bool) {
    let _ = b.queue_declare(
        ch,
        QueueDeclare {
            queue: name.into(),
            durable,
            ..Default::default()
        },
    );
}

/// Publishes `n` messages and has them delivered and acked, in batches of
/// `window` (a consumer with prefetch `window`, acking with `multiple`).
fn pump(
    b: &mut Broker,
    producer: ChannelId,
    consumer: ChannelId,
    n: u64,
    publish: &dyn Fn(u64) -> Publish,
) {
    let window = 100;
    let mut sent = 0;
    while sent < n {
        let batch = window.min(n - sent);
        for i in 0..batch {
            let _ = b.basic_publish(producer, publish(sent + i));
        }
        sent += batch;
        b.run_until_idle();
        if let Some(tag) = b
            .channel(consumer)
            .and_then(|c| c.unacked.keys().next_back().copied())
        {
            let _ = b.basic_ack(consumer, tag, true);
        }
        b.run_until_idle();
        // The log is the UI's history; a benchmark keeps only what it reads.
        let keep = b.next_event_seq();
        b.truncate_log_before(keep);
    }
}

/// Messages per second through publish → route → enqueue → deliver → ack.
pub fn throughput(workload: &'static str, n: u64, now: Clock) -> Throughput {
    let body: Rc<[u8]> = Rc::from(&b"0123456789abcdef0123456789abcdef"[..]);
    let persistent = workload == WORKLOADS[3];
    let config = BrokerConfig {
        durability: Durability::Internal,
        commit_interval_ms: 0,
        ..BrokerConfig::default()
    };
    let (mut b, producer, consumer) = setup(config);
    let _ = b.basic_qos(consumer, 0, 1000, false);
    let (exchange, keys): (&str, Vec<String>) = match workload {
        w if w == WORKLOADS[1] => {
            let _ = b.exchange_declare(
                producer,
                ExchangeDeclare {
                    exchange: "fan".into(),
                    kind: "fanout".into(),
                    ..Default::default()
                },
            );
            for i in 0..10 {
                let q = format!("q{i}");
                declare_queue(&mut b, producer, &q, false);
                let _ = b.queue_bind(producer, &q, "fan", "", FieldTable::new());
                let _ = b.basic_consume(
                    consumer,
                    Consume {
                        queue: q,
                        ..Default::default()
                    },
                );
            }
            ("fan", vec![String::new()])
        }
        w if w == WORKLOADS[2] => {
            let _ = b.exchange_declare(
                producer,
                ExchangeDeclare {
                    exchange: "topic".into(),
                    kind: "topic".into(),
                    ..Default::default()
                },
            );
            declare_queue(&mut b, producer, "matched", false);
            declare_queue(&mut b, producer, "others", false);
            let _ = b.queue_bind(
                producer,
                "matched",
                "topic",
                "orders.*.created",
                FieldTable::new(),
            );
            for (i, key) in topic_keys(10_000).into_iter().enumerate() {
                let _ = b.queue_bind(
                    producer,
                    if i % 2 == 0 { "others" } else { "matched" },
                    "topic",
                    &key,
                    FieldTable::new(),
                );
            }
            let _ = b.basic_consume(
                consumer,
                Consume {
                    queue: "matched".into(),
                    ..Default::default()
                },
            );
            let _ = b.basic_consume(
                consumer,
                Consume {
                    queue: "others".into(),
                    ..Default::default()
                },
            );
            (
                "topic",
                (0..16)
                    .map(|i| format!("orders.region{i}.created"))
                    .collect(),
            )
        }
        _ => {
            declare_queue(&mut b, producer, "work", persistent);
            let _ = b.basic_consume(
                consumer,
                Consume {
                    queue: "work".into(),
                    ..Default::default()
                },
            );
            ("", vec!["work".to_string()])
        }
    };
    let properties = Properties {
        delivery_mode: persistent.then_some(2),
        ..Default::default()
    };
    let publish = |i: u64| Publish {
        exchange: exchange.to_string(),
        routing_key: keys[(i as usize) % keys.len()].clone(),
        properties: properties.clone(),
        body: body.to_vec(),
        ..Default::default()
    };
    let start = now();
    pump(&mut b, producer, consumer, n, &publish);
    let ms = (now() - start).max(1e-6);
    Throughput {
        workload,
        messages: n,
        ms,
        per_second: n as f64 / (ms / 1000.0),
    }
}

/// `n` topic binding keys of the shape real systems use: mostly literal
/// words with a wildcard here and there, few of them matching `orders.*.created`.
pub fn topic_keys(n: usize) -> Vec<String> {
    let mut rng = SeededRng::new(42);
    let words = [
        "orders", "payments", "users", "stock", "mail", "audit", "eu", "us", "asia", "created",
        "updated", "deleted",
    ];
    (0..n)
        .map(|i| {
            let w = |rng: &mut SeededRng| words[rng.below(words.len() as u64) as usize];
            match rng.below(6) {
                0 => format!("{}.{}.#", w(&mut rng), i),
                1 => format!("*.{}.{}", i, w(&mut rng)),
                2 => format!("{}.*.{}.{}", w(&mut rng), w(&mut rng), i),
                _ => format!("{}.{}.{}", w(&mut rng), i, w(&mut rng)),
            }
        })
        .collect()
}

/// The cost of routing one publish on a topic exchange with `bindings`
/// bindings: the broker's trie, and a naive matcher trying every binding.
#[derive(Clone, Debug, Serialize)]
pub struct RoutingCost {
    pub bindings: usize,
    pub trie_ns: f64,
    pub naive_ns: f64,
}

pub fn routing_cost(bindings: usize, publishes: usize, now: Clock) -> RoutingCost {
    let (mut b, ch, _) = setup(BrokerConfig::default());
    let _ = b.exchange_declare(
        ch,
        ExchangeDeclare {
            exchange: "t".into(),
            kind: "topic".into(),
            ..Default::default()
        },
    );
    declare_queue(&mut b, ch, "q", false);
    let keys = topic_keys(bindings);
    for key in &keys {
        let _ = b.queue_bind(ch, "q", "t", key, FieldTable::new());
    }
    let routing_keys: Vec<Rc<str>> = (0..64)
        .map(|i| Rc::from(format!("orders.{}.created", i * 7).as_str()))
        .collect();
    let mut matched = 0usize;
    let start = now();
    for i in 0..publishes {
        let r = b.route(
            "t",
            std::slice::from_ref(&routing_keys[i % routing_keys.len()]),
            None,
            false,
        );
        matched += r.queues.len();
    }
    let trie_ns = (now() - start) * 1e6 / publishes as f64;
    let naive_publishes = (publishes / 10).max(10);
    let start = now();
    for i in 0..naive_publishes {
        let key = &routing_keys[i % routing_keys.len()];
        matched += keys.iter().filter(|b| key_matches(b, key)).count();
    }
    let naive_ns = (now() - start) * 1e6 / naive_publishes as f64;
    // Keep the work observable so it is not optimised away.
    if matched == usize::MAX {
        return RoutingCost {
            bindings,
            trie_ns: 0.0,
            naive_ns: 0.0,
        };
    }
    RoutingCost {
        bindings,
        trie_ns,
        naive_ns,
    }
}

/// Fills a queue with `n` messages of `body_len` bytes and returns the
/// broker (for a memory measurement around it).
pub fn fill_queue(n: u64, body_len: usize) -> Broker {
    let (mut b, ch, _) = setup(BrokerConfig::default());
    declare_queue(&mut b, ch, "backlog", false);
    let body = vec![b'x'; body_len];
    for i in 0..n {
        let _ = b.basic_publish(
            ch,
            Publish {
                routing_key: "backlog".into(),
                body: body.clone(),
                ..Default::default()
            },
        );
        if i % 4096 == 0 {
            let keep = b.next_event_seq();
            b.truncate_log_before(keep);
        }
    }
    let keep = b.next_event_seq();
    b.truncate_log_before(keep);
    b
}
