//! Seeded random workloads: a broker driven by a seeded generator through a
//! mix of AMQP methods and clock moves.
//!
//! Used to check determinism (the event log of a seed must be byte-identical
//! natively and in WebAssembly) and by the benchmarks. Pure: no I/O.

use crate::engine::message::Properties;
use crate::engine::rng::SeededRng;
use crate::engine::value::{FieldTable, FieldValue};
use crate::engine::{Broker, BrokerConfig, Consume, ExchangeDeclare, Publish, QueueDeclare};

/// Runs `ops` random operations from `seed` and returns the broker.
pub fn random_run(seed: u64, ops: usize) -> Broker {
    let mut rng = SeededRng::new(seed);
    let mut broker = Broker::new(BrokerConfig {
        seed,
        ..BrokerConfig::default()
    });
    let mut conn = broker.open_connection("load");
    let mut channels = Vec::new();
    for _ in 0..3 {
        if let Ok(ch) = broker.open_channel(conn) {
            channels.push(ch);
        }
    }
    let Some(&setup) = channels.first() else {
        return broker;
    };
    let _ = broker.exchange_declare(
        setup,
        ExchangeDeclare {
            exchange: "logs".into(),
            kind: "topic".into(),
            ..Default::default()
        },
    );
    let _ = broker.exchange_declare(
        setup,
        ExchangeDeclare {
            exchange: "dlx".into(),
            kind: "fanout".into(),
            ..Default::default()
        },
    );
    let _ = broker.queue_declare(
        setup,
        QueueDeclare {
            queue: "dead".into(),
            ..Default::default()
        },
    );
    let _ = broker.queue_bind(setup, "dead", "dlx", "", FieldTable::new());
    for (i, pattern) in ["*.error", "app.#", "#"].iter().enumerate() {
        let mut arguments = FieldTable::new();
        arguments.insert(
            "x-dead-letter-exchange".into(),
            FieldValue::LongStr("dlx".into()),
        );
        if i == 1 {
            arguments.insert("x-max-length".into(), FieldValue::Int(5));
            arguments.insert("x-message-ttl".into(), FieldValue::Int(400));
        }
        if i == 2 {
            arguments.insert("x-max-priority".into(), FieldValue::Int(3));
        }
        let name = format!("q{i}");
        let _ = broker.queue_declare(
            setup,
            QueueDeclare {
                queue: name.clone(),
                durable: i == 0,
                arguments,
                ..Default::default()
            },
        );
        let _ = broker.queue_bind(setup, &name, "logs", pattern, FieldTable::new());
    }
    let keys = ["app.error", "db.error", "app.info", "x", ""];
    for _ in 0..ops {
        let ch = channels[rng.below(channels.len() as u64) as usize];
        if !broker.channel(ch).is_some_and(|c| c.open) {
            if let Ok(fresh) = broker.open_channel(conn) {
                if let Some(slot) = channels.iter_mut().find(|c| **c == ch) {
                    *slot = fresh;
                }
            }
            continue;
        }
        match rng.below(12) {
            0..=3 => {
                let key = keys[rng.below(keys.len() as u64) as usize];
                let properties = Properties {
                    delivery_mode: Some(1 + rng.below(2) as u8),
                    priority: (rng.below(3) == 0).then(|| rng.below(5) as u8),
                    ..Default::default()
                };
                let body = format!("m{}", rng.below(1000)).into_bytes();
                let _ = broker.basic_publish(
                    ch,
                    Publish {
                        exchange: "logs".into(),
                        routing_key: key.into(),
                        mandatory: rng.below(4) == 0,
                        properties,
                        body,
                        ..Default::default()
                    },
                );
            }
            4 => {
                let queue = format!("q{}", rng.below(3));
                let _ = broker.basic_qos(ch, 0, rng.below(3) as u32, false);
                let _ = broker.basic_consume(
                    ch,
                    Consume {
                        queue,
                        no_ack: rng.below(3) == 0,
                        ..Default::default()
                    },
                );
            }
            5 | 6 => {
                let tag = broker
                    .channel(ch)
                    .and_then(|c| c.unacked.keys().next().copied());
                if let Some(tag) = tag {
                    let _ = match rng.below(4) {
                        0 => broker.basic_nack(ch, tag, false, rng.below(2) == 0),
                        _ => broker.basic_ack(ch, tag, rng.below(3) == 0),
                    };
                }
            }
            7 => {
                let _ = broker.basic_get(ch, &format!("q{}", rng.below(3)), rng.below(2) == 0);
            }
            8 => broker.advance(rng.below(300)),
            9 => {
                broker.step();
            }
            10 => {
                if rng.below(8) == 0 {
                    let _ = broker.close_channel(ch);
                } else {
                    broker.run_until_idle();
                }
            }
            _ => {
                if rng.below(20) == 0 {
                    broker.restart();
                    conn = broker.open_connection("load");
                    for slot in channels.iter_mut() {
                        if let Ok(fresh) = broker.open_channel(conn) {
                            *slot = fresh;
                        }
                    }
                }
            }
        }
    }
    broker.run_until_idle();
    broker
}

/// The event log of a run as JSON lines.
pub fn event_log_text(broker: &Broker) -> String {
    let mut out = String::new();
    for event in broker.events() {
        out.push_str(&serde_json::to_string(event).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// FNV-1a, 64 bits: a stable hash for comparing logs across platforms.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The determinism fingerprint of a seed: (events, hash of the log).
pub fn fingerprint(seed: u64, ops: usize) -> (usize, u64) {
    let broker = random_run(seed, ops);
    let text = event_log_text(&broker);
    (broker.events().len(), fnv1a64(text.as_bytes()))
}
