//! Fuzzing past the parsers: random scenario documents and random
//! workbench commands, with extreme values, are parsed, built and run —
//! the simulation steps, moves virtual time, restarts and crashes — and
//! nothing may panic (an overflow included: run it in a build with
//! overflow checks, such as the `fuzz` profile).
//!
//! Every case is generated from a seed; a panic prints the seed and the
//! document or command that caused it. The normal test run does
//! `WARREN_FUZZ_CASES` cases (default 500); the issue's 100,000 with
//! overflow checks on:
//!
//! ```sh
//! WARREN_FUZZ_CASES=100000 cargo test --profile fuzz --test fuzz_sim -- --nocapture
//! ```

#[path = "support/env_number.rs"]
mod env_number;

use env_number::env_number;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use warren::document::Document;
use warren::engine::exchange::DestinationKind;
use warren::engine::message::Properties;
use warren::engine::method::{
    BasicAck, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover, BasicReject,
    ExchangeDeclare, ExchangeDelete, Method, QueueDeclare, QueueDelete, QueuePurge,
};
use warren::engine::rng::SeededRng;
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::Profile;
use warren::sim::bounded::{Prefetch, PublishCount, VirtualMs};
use warren::sim::world::{Command, World};
use warren::sim::{ActorId, OnDone, ProducerSpec, Subscription, WorkTime, WorkerSpec};

/// Numbers at and around every edge a field could have.
const EDGES: &[u64] = &[
    0,
    1,
    2,
    255,
    256,
    65_535,
    65_536,
    1_000,
    4_294_967_295,
    4_294_967_296,
    31_536_000_000,
    31_536_000_001,
    i64::MAX as u64,
    u64::MAX - 1,
    u64::MAX,
];

const NAMES: &[&str] = &[
    "q",
    "task_queue",
    "logs",
    "amq.gen-x",
    "amq.direct",
    "",
    "x",
    "dlx",
];

fn pick<'a, T>(rng: &mut SeededRng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

fn edge(rng: &mut SeededRng) -> u64 {
    if rng.below(4) == 0 {
        rng.next_u64()
    } else {
        *pick(rng, EDGES)
    }
}

/// A small shared vocabulary, so declarations, bindings, consumers and
/// publishes meet each other and traffic flows.
const SANE_NAMES: &[&str] = &["q", "task_queue", "logs"];

/// What `valid` makes when the case keeps to valid values (`sane`), else
/// what `any` makes.
fn valid_or_any<T>(
    sane: bool,
    rng: &mut SeededRng,
    valid: fn(&mut SeededRng) -> T,
    any: fn(&mut SeededRng) -> T,
) -> T {
    if sane {
        valid(rng)
    } else {
        any(rng)
    }
}

fn sane_name(rng: &mut SeededRng) -> String {
    pick(rng, SANE_NAMES).to_string()
}

fn name(rng: &mut SeededRng) -> String {
    match rng.below(10) {
        0 => "n".repeat(rng.below(300) as usize),
        1 => "é.#.*".repeat(rng.below(80) as usize),
        _ => pick(rng, NAMES).to_string(),
    }
}

/// A JSON number from the edges, sometimes negative, fractional or huge.
fn json_number(rng: &mut SeededRng) -> Value {
    match rng.below(6) {
        0 => json!(-(edge(rng) as i64 / 2)),
        1 => json!(edge(rng) as f64 * 1.5),
        2 => json!(1e300),
        _ => json!(edge(rng)),
    }
}

/// A JSON number every bound accepts, large enough that a producer
/// publishing every so many milliseconds does not flood a short run.
fn small_number(rng: &mut SeededRng) -> Value {
    json!(100 + rng.below(1_900))
}

fn field_value(rng: &mut SeededRng, depth: u32) -> FieldValue {
    match rng.below(if depth > 3 { 7 } else { 9 }) {
        0 => FieldValue::Void,
        1 => FieldValue::Bool(rng.below(2) == 0),
        2 => FieldValue::Int(edge(rng) as i32),
        3 => FieldValue::Long(edge(rng) as i64),
        4 => FieldValue::Double(f64::from_bits(rng.next_u64())),
        5 => FieldValue::LongStr(name(rng)),
        6 => FieldValue::Timestamp(edge(rng)),
        7 => FieldValue::Table(table(rng, depth + 1)),
        _ => FieldValue::Array(
            (0..rng.below(4))
                .map(|_| field_value(rng, depth + 1))
                .collect(),
        ),
    }
}

/// Queue arguments RabbitMQ checks, with random (often wrong) values.
fn table(rng: &mut SeededRng, depth: u32) -> FieldTable {
    const KEYS: &[&str] = &[
        "x-message-ttl",
        "x-expires",
        "x-max-length",
        "x-max-length-bytes",
        "x-overflow",
        "x-dead-letter-exchange",
        "x-dead-letter-routing-key",
        "x-max-priority",
        "x-queue-type",
        "x-single-active-consumer",
        "x-delivery-limit",
        "x-priority",
        "alternate-exchange",
        "x-match",
        "CC",
        "BCC",
    ];
    (0..rng.below(4))
        .map(|_| (pick(rng, KEYS).to_string(), field_value(rng, depth)))
        .collect()
}

fn maybe<T>(rng: &mut SeededRng, make: impl FnOnce(&mut SeededRng) -> T) -> Option<T> {
    (rng.below(2) == 0).then(|| make(rng))
}

/// Properties a client would really send: persistent or not, a small
/// priority, a short expiration.
fn sane_properties(rng: &mut SeededRng) -> Properties {
    Properties {
        delivery_mode: maybe(rng, |r| 1 + r.below(2) as u8),
        priority: maybe(rng, |r| r.below(10) as u8),
        expiration: maybe(rng, |r| r.below(10_000).to_string()),
        correlation_id: maybe(rng, sane_name),
        ..Default::default()
    }
}

fn properties(rng: &mut SeededRng) -> Properties {
    Properties {
        delivery_mode: maybe(rng, |r| edge(r) as u8),
        priority: maybe(rng, |r| edge(r) as u8),
        expiration: maybe(rng, |r| edge(r).to_string()),
        headers: maybe(rng, |r| table(r, 0)),
        reply_to: maybe(rng, name),
        correlation_id: maybe(rng, name),
        user_id: maybe(rng, name),
        timestamp: maybe(rng, edge),
        ..Default::default()
    }
}

/// A worker's basic.consume arguments: none mostly, else an
/// `x-stream-offset` of every kind the broker reads (and some it refuses),
/// or any table.
fn consume_arguments(rng: &mut SeededRng) -> FieldTable {
    let offset = match rng.below(6) {
        0 | 1 => return FieldTable::new(),
        2 => FieldValue::LongStr(pick(rng, &["first", "next", "last", "nonsense"]).to_string()),
        3 => FieldValue::Long(edge(rng) as i64),
        4 => FieldValue::Timestamp(edge(rng)),
        _ => return table(rng, 0),
    };
    FieldTable::from([("x-stream-offset".to_string(), offset)])
}

/// A random document as JSON: the schema's own keys with edge values,
/// wrong types now and then.
fn document(rng: &mut SeededRng) -> Value {
    // Three documents in four keep to valid values, so they build and
    // run; the rest probe every edge.
    let sane = rng.below(4) != 0;
    let name = |rng: &mut SeededRng| valid_or_any(sane, rng, sane_name, name);
    let json_number = |rng: &mut SeededRng| valid_or_any(sane, rng, small_number, json_number);
    let table = |rng: &mut SeededRng| {
        if sane {
            FieldTable::new()
        } else {
            table(rng, 0)
        }
    };
    let properties = |rng: &mut SeededRng| valid_or_any(sane, rng, sane_properties, properties);
    let mut actors = Vec::new();
    for i in 0..rng.below(5) {
        let actor = if rng.below(2) == 0 {
            json!({"kind": "producer", "name": format!("p{i}"),
                "exchange": if sane { pick(rng, &["", "logs"]).to_string() } else { name(rng) },
                "routing_key": name(rng), "body": ".".repeat(rng.below(2000) as usize),
                "properties": serde_json::to_value(properties(rng)).unwrap_or_default(),
                "mandatory": rng.below(2) == 0, "confirm": rng.below(2) == 0,
                "rpc": rng.below(4) == 0, "every_ms": json_number(rng)})
        } else {
            json!({"kind": "worker", "name": format!("w{i}"), "queue": name(rng),
                "no_ack": rng.below(2) == 0, "prefetch": json_number(rng),
                "work": {"kind": pick(rng, &["fixed", "per_dot"]), "ms": json_number(rng)},
                "on_done": {"kind": pick(rng, &["ack", "forget", "reject", "nack"]), "requeue": rng.below(2) == 0},
                "reply": rng.below(4) == 0})
        };
        actors.push(actor);
    }
    let (exchanges, queues, bindings) = if sane {
        // One exchange and every queue the names can mention, all durable
        // (what both profiles accept), some bound.
        let kind = *pick(rng, &["direct", "fanout", "topic"]);
        let exchanges = vec![json!({"name": "logs", "type": kind, "durable": true})];
        let queues: Vec<Value> = SANE_NAMES
            .iter()
            .map(|q| json!({"name": q, "durable": true}))
            .collect();
        let bindings: Vec<Value> = (0..rng.below(4))
            .map(|_| json!({"source": "logs", "destination": sane_name(rng), "routing_key": sane_name(rng)}))
            .collect();
        (exchanges, queues, bindings)
    } else {
        let exchanges: Vec<Value> = (0..rng.below(3))
            .map(|_| json!({"name": name(rng), "type": pick(rng, &["direct", "fanout", "topic", "headers"]),
                "durable": rng.below(2) == 0}))
            .collect();
        let queues: Vec<Value> = (0..rng.below(4))
            .map(|_| {
                json!({"name": name(rng), "durable": rng.below(2) == 0,
                "exclusive": rng.below(5) == 0, "auto_delete": rng.below(5) == 0,
                "arguments": serde_json::to_value(table(rng)).unwrap_or_default()})
            })
            .collect();
        let bindings: Vec<Value> = (0..rng.below(4))
            .map(|_| {
                json!({"source": name(rng), "destination": name(rng),
                "destination_type": pick(rng, &["queue", "exchange"]), "routing_key": name(rng)})
            })
            .collect();
        (exchanges, queues, bindings)
    };
    let actor_names: Vec<String> = actors
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect();
    let steps = if sane && actor_names.is_empty() {
        0
    } else {
        rng.below(6)
    };
    let script: Vec<Value> = (0..steps)
        .map(|i| {
            let actor = match (sane, actor_names.is_empty()) {
                (true, false) => pick(rng, &actor_names).clone(),
                _ => format!("{}{}", pick(rng, &["p", "w"]), i % 3),
            };
            let verb = *pick(rng, &["publish", "kill", "pause", "resume", "cancel", "restart", "crash"]);
            json!({"at_ms": json_number(rng), "do": verb, "actor": actor, "count": json_number(rng)})
        })
        .collect();
    let mut doc = json!({"warren": 1, "broker": {"profile": pick(rng, &["rabbitmq-3", "rabbitmq-4.3"]),
        "seed": edge(rng), "commit_interval_ms": json_number(rng)},
        "exchanges": exchanges, "queues": queues, "bindings": bindings, "actors": actors,
        "script": script});
    // Now and then a value of the wrong type anywhere at the top.
    if !sane && rng.below(2) == 0 {
        let key = *pick(rng, &["broker", "queues", "actors", "script", "warren"]);
        doc[key] = json_number(rng);
    }
    doc
}

fn method(rng: &mut SeededRng, sane: bool) -> Method {
    let name = |rng: &mut SeededRng| valid_or_any(sane, rng, sane_name, name);
    let table = |rng: &mut SeededRng, depth| {
        if sane {
            FieldTable::new()
        } else {
            table(rng, depth)
        }
    };
    let properties = |rng: &mut SeededRng| valid_or_any(sane, rng, sane_properties, properties);
    let tag = if sane { 1 + rng.below(8) } else { edge(rng) };
    match rng.below(14) {
        0 => Method::QueueDeclare(QueueDeclare {
            queue: name(rng),
            durable: rng.below(2) == 0,
            exclusive: rng.below(4) == 0,
            auto_delete: rng.below(4) == 0,
            passive: rng.below(6) == 0,
            arguments: table(rng, 0),
            ..Default::default()
        }),
        1 => Method::ExchangeDeclare(ExchangeDeclare {
            arguments: table(rng, 0),
            ..ExchangeDeclare::new(
                &name(rng),
                *pick(rng, &["direct", "fanout", "topic", "headers", "nope", ""]),
            )
        }),
        2 => Method::binding(
            rng.below(3) == 0,
            *pick(rng, &[DestinationKind::Queue, DestinationKind::Exchange]),
            &name(rng),
            &name(rng),
            &name(rng),
            table(rng, 0),
        ),
        3 => Method::QueuePurge(QueuePurge {
            queue: name(rng),
            no_wait: false,
        }),
        4 => Method::QueueDelete(QueueDelete {
            queue: name(rng),
            if_unused: rng.below(2) == 0,
            if_empty: rng.below(2) == 0,
            no_wait: false,
        }),
        5 => Method::ExchangeDelete(ExchangeDelete {
            exchange: name(rng),
            if_unused: rng.below(2) == 0,
            no_wait: false,
        }),
        6 => Method::BasicPublish(BasicPublish {
            mandatory: rng.below(2) == 0,
            immediate: !sane && rng.below(10) == 0,
            properties: properties(rng),
            ..BasicPublish::new(&name(rng), &name(rng), ".".repeat(rng.below(3000) as usize))
        }),
        7 => Method::BasicQos(BasicQos {
            prefetch_size: if !sane && rng.below(8) == 0 {
                edge(rng) as u32
            } else {
                0
            },
            prefetch_count: edge(rng) as u16,
            global: rng.below(2) == 0,
        }),
        8 => Method::BasicConsume(BasicConsume {
            queue: name(rng),
            no_ack: rng.below(2) == 0,
            exclusive: rng.below(4) == 0,
            arguments: table(rng, 0),
            ..Default::default()
        }),
        9 => Method::BasicGet(BasicGet {
            queue: name(rng),
            no_ack: rng.below(2) == 0,
        }),
        10 => Method::BasicAck(BasicAck {
            delivery_tag: tag,
            multiple: rng.below(2) == 0,
        }),
        11 => Method::BasicNack(BasicNack {
            delivery_tag: tag,
            multiple: rng.below(2) == 0,
            requeue: rng.below(2) == 0,
        }),
        12 => Method::BasicReject(BasicReject {
            delivery_tag: tag,
            requeue: rng.below(2) == 0,
        }),
        _ => Method::BasicRecover(BasicRecover {
            requeue: rng.below(2) == 0,
        }),
    }
}

/// A bounded number from an edge: in range, or the type's maximum.
fn virtual_ms(rng: &mut SeededRng) -> VirtualMs {
    VirtualMs::new(edge(rng)).unwrap_or(VirtualMs::new(VirtualMs::MAX).unwrap_or_default())
}

fn command(rng: &mut SeededRng, actors: u32, sane: bool) -> Command {
    let name = |rng: &mut SeededRng| valid_or_any(sane, rng, sane_name, name);
    let properties = |rng: &mut SeededRng| valid_or_any(sane, rng, sane_properties, properties);
    let virtual_ms = |rng: &mut SeededRng| {
        if sane {
            VirtualMs::new(100 + rng.below(1_900)).unwrap_or_default()
        } else {
            virtual_ms(rng)
        }
    };
    let actor = ActorId(rng.below(u64::from(actors) + 2) as u32);
    match rng.below(16) {
        0..=5 => Command::Method(method(rng, sane)),
        6 => Command::AddProducer(ProducerSpec {
            name: name(rng),
            exchange: name(rng),
            routing_key: name(rng),
            body: ".".repeat(rng.below(100) as usize),
            properties: properties(rng),
            confirm: rng.below(2) == 0,
            rpc: rng.below(4) == 0,
            mandatory: rng.below(2) == 0,
            every_ms: (rng.below(3) == 0).then(|| virtual_ms(rng)),
        }),
        7 => Command::AddWorker(WorkerSpec {
            name: name(rng),
            queue: name(rng),
            subscribe: (rng.below(3) == 0).then(|| Subscription {
                exchange: name(rng),
                routing_keys: vec![name(rng)],
            }),
            no_ack: rng.below(2) == 0,
            prefetch: Prefetch::new(edge(rng) % 70_000).unwrap_or_default(),
            arguments: consume_arguments(rng),
            work: if rng.below(2) == 0 {
                WorkTime::Fixed {
                    ms: virtual_ms(rng),
                }
            } else {
                WorkTime::PerDot {
                    ms: virtual_ms(rng),
                }
            },
            on_done: *pick(
                rng,
                &[
                    OnDone::Ack,
                    OnDone::Forget,
                    OnDone::Reject { requeue: true },
                    OnDone::Nack { requeue: false },
                ],
            ),
            reply: rng.below(4) == 0,
        }),
        8 => Command::Publish {
            producer: actor,
            count: PublishCount::new(edge(rng) % 50).unwrap_or_default(),
            body: (rng.below(2) == 0).then(|| ".".repeat(rng.below(500) as usize)),
        },
        9 => Command::PublishEvery {
            producer: actor,
            every_ms: (rng.below(2) == 0).then(|| virtual_ms(rng)),
        },
        10 => Command::KillWorker(actor),
        11 => Command::PauseWorker(actor, rng.below(2) == 0),
        12 => Command::CancelWorker(actor),
        13 => Command::ReconnectWorker(actor),
        14 => Command::RemoveProducer(actor),
        _ => {
            if rng.below(2) == 0 {
                Command::RestartBroker
            } else {
                Command::CrashBroker
            }
        }
    }
}

/// One case: a document is parsed (and, if valid, built and run), then a
/// world gets random commands between steps and clock moves.
/// What a case got through: a built document, commands the broker took.
#[derive(Default)]
struct Reached {
    built: u64,
    accepted: u64,
    delivered: u64,
}

fn run_case(seed: u64, log: &mut String, reached: &mut Reached) {
    let mut rng = SeededRng::new(seed);
    let doc = document(&mut rng);
    let text = doc.to_string();
    log.push_str(&format!("document: {text}\n"));
    let mut world = match Document::parse(&text).and_then(|d| d.build()) {
        Ok((sim, _)) => {
            reached.built += 1;
            World::with_simulation(sim)
        }
        Err(_) => World::new(warren::engine::BrokerConfig {
            profile: if rng.below(2) == 0 {
                Profile::RabbitMq3
            } else {
                Profile::RabbitMq43
            },
            seed,
            ..Default::default()
        }),
    };
    let sane = rng.below(4) != 0;
    for _ in 0..rng.below(12) {
        let cmd = command(&mut rng, 6, sane);
        log.push_str(&format!("command: {cmd:?}\n"));
        reached.accepted += u64::from(world.apply(&cmd).is_ok());
        match rng.below(4) {
            0 => {
                // Mostly moments, now and then a leap (bounded in steps).
                let ms = if rng.below(50) == 0 {
                    edge(&mut rng)
                } else {
                    rng.below(2_000)
                };
                world.sim.run_for(ms);
            }
            1 => {
                world.sim.run_until_idle(200);
            }
            _ => {
                for _ in 0..rng.below(20) {
                    world.step();
                }
            }
        }
    }
    reached.delivered += world
        .sim
        .broker
        .events()
        .iter()
        .filter(|e| e.kind.name() == "delivered")
        .count() as u64;
}

#[test]
fn documents_and_commands_with_extreme_values_run_without_panicking() {
    let cases: u64 = env_number("WARREN_FUZZ_CASES", 500);
    let base: u64 = env_number("WARREN_FUZZ_SEED", 0xF0CC_5EED);
    let mut reached = Reached::default();
    for i in 0..cases {
        let seed = base.wrapping_add(i);
        let mut log = String::new();
        if catch_unwind(AssertUnwindSafe(|| run_case(seed, &mut log, &mut reached))).is_err() {
            panic!(
                "case {i} panicked; replay with WARREN_FUZZ_SEED={seed} WARREN_FUZZ_CASES=1\n{log}"
            );
        }
    }
    eprintln!(
        "{cases} cases from seed {base}: no panic; {} documents built, {} commands accepted, {} deliveries",
        reached.built, reached.accepted, reached.delivered
    );
    // The fuzzer gets past parsing: a fair share of documents build and
    // run, and the broker takes and delivers real traffic.
    assert!(reached.built * 10 >= cases, "too few documents built");
    assert!(reached.accepted >= cases, "too few commands accepted");
    assert!(reached.delivered >= cases / 10, "too few deliveries");
}
