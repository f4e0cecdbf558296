//! Seeded random workloads: a broker driven by a seeded generator through a
//! mix of AMQP methods and clock moves.
//!
//! Used to check determinism (the event log of a seed must be byte-identical
//! natively and in WebAssembly) and by the benchmarks. Pure: no I/O.

use crate::engine::message::Properties;
use crate::engine::method::{
    BasicAck, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, Close, ExchangeDeclare,
    Method, QueueBind, QueueDeclare,
};
use crate::engine::rng::SeededRng;
use crate::engine::value::{FieldTable, FieldValue};
use crate::engine::{Broker, BrokerConfig};

/// Runs `ops` random operations from `seed` and returns the broker.
pub fn random_run(seed: u64, ops: usize) -> Broker {
    let mut rng = SeededRng::new(seed);
    let mut broker = Broker::new(BrokerConfig {
        seed,
        ..BrokerConfig::default()
    });
    let mut conn = broker.open_connection("load");
    let mut channels: Vec<u16> = Vec::new();
    for _ in 0..3 {
        if let Ok(ch) = broker.open_next_channel(conn) {
            channels.push(ch);
        }
    }
    let Some(&setup) = channels.first() else {
        return broker;
    };
    let call = |broker: &mut Broker, conn, ch: u16, m: Method| {
        let _ = broker.apply(conn, ch, m);
    };
    for (name, kind) in [("logs", "topic"), ("dlx", "fanout")] {
        call(
            &mut broker,
            conn,
            setup,
            Method::ExchangeDeclare(ExchangeDeclare {
                exchange: name.into(),
                exchange_type: kind.into(),
                ..Default::default()
            }),
        );
    }
    call(
        &mut broker,
        conn,
        setup,
        Method::QueueDeclare(QueueDeclare::named("dead")),
    );
    call(
        &mut broker,
        conn,
        setup,
        Method::QueueBind(QueueBind::new("dead", "dlx", "")),
    );
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
        call(
            &mut broker,
            conn,
            setup,
            Method::QueueDeclare(QueueDeclare {
                queue: name.clone(),
                durable: i == 0,
                arguments,
                ..Default::default()
            }),
        );
        call(
            &mut broker,
            conn,
            setup,
            Method::QueueBind(QueueBind::new(&name, "logs", pattern)),
        );
    }
    let keys = ["app.error", "db.error", "app.info", "x", ""];
    for _ in 0..ops {
        let slot = rng.below(channels.len() as u64) as usize;
        let ch = channels[slot];
        // The client learns what the broker did only from its outbox.
        let _ = broker.take_outbox(conn);
        if broker.channel_id(conn, ch).is_none() {
            if let Ok(fresh) = broker.open_next_channel(conn) {
                channels[slot] = fresh;
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
                call(
                    &mut broker,
                    conn,
                    ch,
                    Method::BasicPublish(BasicPublish {
                        exchange: "logs".into(),
                        routing_key: key.into(),
                        mandatory: rng.below(4) == 0,
                        properties,
                        body,
                        ..Default::default()
                    }),
                );
            }
            4 => {
                let queue = format!("q{}", rng.below(3));
                let prefetch_count = rng.below(3) as u16;
                call(
                    &mut broker,
                    conn,
                    ch,
                    Method::BasicQos(BasicQos {
                        prefetch_count,
                        ..Default::default()
                    }),
                );
                call(
                    &mut broker,
                    conn,
                    ch,
                    Method::BasicConsume(BasicConsume {
                        queue,
                        no_ack: rng.below(3) == 0,
                        ..Default::default()
                    }),
                );
            }
            5 | 6 => {
                let tag = broker
                    .channel_id(conn, ch)
                    .and_then(|id| broker.channel(id))
                    .and_then(|c| c.unacked.keys().next().copied());
                if let Some(delivery_tag) = tag {
                    let m = match rng.below(4) {
                        0 => Method::BasicNack(BasicNack {
                            delivery_tag,
                            multiple: false,
                            requeue: rng.below(2) == 0,
                        }),
                        _ => Method::BasicAck(BasicAck {
                            delivery_tag,
                            multiple: rng.below(3) == 0,
                        }),
                    };
                    call(&mut broker, conn, ch, m);
                }
            }
            7 => {
                let queue = format!("q{}", rng.below(3));
                let no_ack = rng.below(2) == 0;
                call(
                    &mut broker,
                    conn,
                    ch,
                    Method::BasicGet(BasicGet { queue, no_ack }),
                );
            }
            8 => broker.advance(rng.below(300)),
            9 => {
                broker.step();
            }
            10 => {
                if rng.below(8) == 0 {
                    call(&mut broker, conn, ch, Method::ChannelClose(Close::normal()));
                } else {
                    broker.run_until_idle();
                }
            }
            _ => {
                if rng.below(20) == 0 {
                    broker.restart();
                    conn = broker.open_connection("load");
                    for slot in channels.iter_mut() {
                        if let Ok(fresh) = broker.open_next_channel(conn) {
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
