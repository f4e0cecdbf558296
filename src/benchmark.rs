//! Benchmark workloads, shared by the native `bench` binary and the
//! browser (`runEngineBenchmarks` in `pkg/warren.js`), so that the
//! wasm/native ratio compares the very same code paths.
//!
//! The clock is injected (`Instant` natively, `performance.now()` in the
//! browser): this module stays pure. Workloads drive the broker the way a
//! client does: publish, let the broker route, enqueue and deliver, ack.

use crate::engine::durable::Durability;
use crate::engine::exchange::topic_trie::key_matches;
use crate::engine::ids::ConnId;
use crate::engine::message::Properties;
use crate::engine::method::{
    BasicAck, BasicConsume, BasicPublish, BasicQos, ExchangeDeclare, Method, QueueBind,
    QueueDeclare,
};
use crate::engine::outbox::ServerMethod;
use crate::engine::rng::SeededRng;
use crate::engine::{Broker, BrokerConfig};
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

/// A broker with one client connection: channel 1 publishes, channel 2 consumes.
struct Bench {
    b: Broker,
    conn: ConnId,
}

const PRODUCER: u16 = 1;
const CONSUMER: u16 = 2;

impl Bench {
    fn new(config: BrokerConfig) -> Bench {
        let mut b = Broker::new(config);
        let conn = b.open_connection("bench");
        for ch in [PRODUCER, CONSUMER] {
            let _ = b.apply(conn, ch, Method::ChannelOpen);
        }
        Bench { b, conn }
    }

    /// Applies a setup method; a benchmark's setup cannot fail, and if it
    /// did the figures would show it.
    fn call(&mut self, ch: u16, m: Method) {
        let _ = self.b.apply(self.conn, ch, m);
    }

    fn declare_queue(&mut self, name: &str, durable: bool) {
        self.call(
            PRODUCER,
            Method::QueueDeclare(QueueDeclare {
                queue: name.into(),
                durable,
                ..Default::default()
            }),
        );
    }

    fn consume(&mut self, queue: &str) {
        self.call(
            CONSUMER,
            Method::BasicConsume(BasicConsume {
                queue: queue.into(),
                ..Default::default()
            }),
        );
    }

    /// Publishes `n` messages and has them delivered and acked, in batches
    /// of `window` (a consumer with prefetch `window`, acking with
    /// `multiple` the last delivery its outbox brought).
    fn pump(&mut self, n: u64, publish: &dyn Fn(u64) -> BasicPublish) {
        let window = 100;
        let mut sent = 0;
        while sent < n {
            let batch = window.min(n - sent);
            for i in 0..batch {
                self.call(PRODUCER, Method::BasicPublish(publish(sent + i)));
            }
            sent += batch;
            self.b.run_until_idle();
            let last = self
                .b
                .take_outbox(self.conn)
                .into_iter()
                .rev()
                .find_map(|o| match o.method {
                    ServerMethod::BasicDeliver(d) if o.channel == CONSUMER => Some(d.delivery_tag),
                    _ => None,
                });
            if let Some(delivery_tag) = last {
                self.call(
                    CONSUMER,
                    Method::BasicAck(BasicAck {
                        delivery_tag,
                        multiple: true,
                    }),
                );
            }
            self.b.run_until_idle();
            // The log is the UI's history; a benchmark keeps only what it reads.
            let keep = self.b.next_event_seq();
            self.b.truncate_log_before(keep);
        }
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
    let mut bench = Bench::new(config);
    bench.call(
        CONSUMER,
        Method::BasicQos(BasicQos {
            prefetch_count: 1000,
            ..Default::default()
        }),
    );
    let (exchange, keys): (&str, Vec<String>) = match workload {
        w if w == WORKLOADS[1] => {
            bench.call(
                PRODUCER,
                Method::ExchangeDeclare(ExchangeDeclare::new("fan", "fanout")),
            );
            for i in 0..10 {
                let q = format!("q{i}");
                bench.declare_queue(&q, false);
                bench.call(PRODUCER, Method::QueueBind(QueueBind::new(&q, "fan", "")));
                bench.consume(&q);
            }
            ("fan", vec![String::new()])
        }
        w if w == WORKLOADS[2] => {
            bench.call(
                PRODUCER,
                Method::ExchangeDeclare(ExchangeDeclare::new("topic", "topic")),
            );
            bench.declare_queue("matched", false);
            bench.declare_queue("others", false);
            bench.call(
                PRODUCER,
                Method::QueueBind(QueueBind::new("matched", "topic", "orders.*.created")),
            );
            for (i, key) in topic_keys(10_000).into_iter().enumerate() {
                let queue = if i % 2 == 0 { "others" } else { "matched" };
                bench.call(
                    PRODUCER,
                    Method::QueueBind(QueueBind::new(queue, "topic", &key)),
                );
            }
            bench.consume("matched");
            bench.consume("others");
            (
                "topic",
                (0..16)
                    .map(|i| format!("orders.region{i}.created"))
                    .collect(),
            )
        }
        _ => {
            bench.declare_queue("work", persistent);
            bench.consume("work");
            ("", vec!["work".to_string()])
        }
    };
    let properties = Properties {
        delivery_mode: persistent.then_some(2),
        ..Default::default()
    };
    let publish = |i: u64| BasicPublish {
        exchange: exchange.to_string(),
        routing_key: keys[(i as usize) % keys.len()].clone(),
        properties: properties.clone(),
        body: body.to_vec(),
        ..Default::default()
    };
    let start = now();
    bench.pump(n, &publish);
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
    let mut bench = Bench::new(BrokerConfig::default());
    bench.call(
        PRODUCER,
        Method::ExchangeDeclare(ExchangeDeclare::new("t", "topic")),
    );
    bench.declare_queue("q", false);
    let keys = topic_keys(bindings);
    for key in &keys {
        bench.call(PRODUCER, Method::QueueBind(QueueBind::new("q", "t", key)));
    }
    let b = &bench.b;
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
    let mut bench = Bench::new(BrokerConfig::default());
    bench.declare_queue("backlog", false);
    let body = vec![b'x'; body_len];
    for i in 0..n {
        bench.call(
            PRODUCER,
            Method::BasicPublish(BasicPublish::new("", "backlog", body.clone())),
        );
        if i % 4096 == 0 {
            let keep = bench.b.next_event_seq();
            bench.b.truncate_log_before(keep);
        }
    }
    let keep = bench.b.next_event_seq();
    bench.b.truncate_log_before(keep);
    bench.b
}
