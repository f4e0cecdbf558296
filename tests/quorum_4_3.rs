//! The `rabbitmq-4.3` profile's quorum queues (issue 17): what RabbitMQ 4.x
//! changed, each test citing the documentation or source it follows. The
//! 3.10 behaviour is recorded (`tests/conformance/scenarios/qq_*.json`).

use warren::engine::message::{MessageRef, Properties};
use warren::engine::method::{BasicGet, BasicNack, BasicReject};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, Method, Profile};

#[path = "support/chan.rs"]
mod chan;
use chan::{get_ok, ready, Chan};

fn quorum(b: &mut Broker, ch: Chan, name: &str, limit: Option<i32>) {
    let mut arguments = FieldTable::new();
    arguments.insert("x-queue-type".into(), FieldValue::LongStr("quorum".into()));
    if let Some(l) = limit {
        arguments.insert("x-delivery-limit".into(), FieldValue::Int(l));
    }
    ch.declare_durable(b, name, arguments);
}

/// basic.reject with requeue.
fn reject(delivery_tag: u64) -> Method {
    Method::BasicReject(BasicReject {
        delivery_tag,
        requeue: true,
    })
}

/// basic.nack with requeue.
fn nack(delivery_tag: u64) -> Method {
    Method::BasicNack(BasicNack {
        delivery_tag,
        multiple: false,
        requeue: true,
    })
}

/// The `x-delivery-count` and `x-acquired-count` a message carries.
fn return_counts(message: &MessageRef) -> (Option<i64>, Option<i64>) {
    let header = |name| {
        message
            .properties
            .header(name)
            .and_then(FieldValue::as_integer)
    };
    (header("x-delivery-count"), header("x-acquired-count"))
}

/// Takes one message with basic.get and gives it back with `give_back`
/// until the queue dead-letters it (at most 100 times): the
/// `x-delivery-count` and `x-acquired-count` each basic.get-ok carried.
fn counts_until_death(
    profile: Profile,
    limit: Option<i32>,
    give_back: fn(u64) -> Method,
) -> Vec<(Option<i64>, Option<i64>)> {
    let mut b = Broker::new(BrokerConfig {
        profile,
        ..BrokerConfig::default()
    });
    let ch = Chan::connect(&mut b, "c");
    quorum(&mut b, ch, "q", limit);
    ch.publish(&mut b, "q", "poison");
    let mut counts = Vec::new();
    while counts.len() < 100 {
        let get = Method::BasicGet(BasicGet {
            queue: "q".into(),
            no_ack: false,
        });
        let Some(got) = get_ok(ch.call(&mut b, get).unwrap()) else {
            break;
        };
        counts.push(return_counts(&got.message));
        ch.call(&mut b, give_back(got.delivery_tag)).unwrap();
        b.run_until_idle();
    }
    counts
}

/// How many times one message can be taken with basic.get and rejected
/// (requeue) before the queue dead-letters it.
fn deliveries_before_death(profile: Profile, limit: Option<i32>) -> usize {
    counts_until_death(profile, limit, reject).len()
}

/// Quorum queues have a default delivery limit of 20 since RabbitMQ 4.0
/// (rabbitmq-server v4.3.0 `rabbit_quorum_queue:get_delivery_limit`,
/// `?DEFAULT_DELIVERY_LIMIT`; *Quorum Queues* guide, poison message
/// handling): a message is delivered 21 times (the first delivery and 20
/// returns) and dead-lettered on its 21st return. RabbitMQ 3.10 has no
/// default limit.
#[test]
fn quorum_queues_have_a_default_delivery_limit_of_20_in_4_3() {
    assert_eq!(deliveries_before_death(Profile::RabbitMq43, None), 21);
    assert_eq!(
        deliveries_before_death(Profile::RabbitMq3, None),
        100,
        "no limit"
    );
}

/// An explicit limit wins, and a negative one turns the limit off in 4.3
/// (v4.3.0 `rabbit_quorum_queue:canonicalize_delivery_limit` maps any
/// negative value to "undefined"); 3.10 does not validate the argument
/// and a negative value sets no limit either.
#[test]
fn an_explicit_or_negative_delivery_limit() {
    assert_eq!(deliveries_before_death(Profile::RabbitMq43, Some(2)), 3);
    assert_eq!(deliveries_before_death(Profile::RabbitMq3, Some(2)), 3);
    assert_eq!(deliveries_before_death(Profile::RabbitMq43, Some(-1)), 100);
    assert_eq!(deliveries_before_death(Profile::RabbitMq3, Some(-1)), 100);
}

/// RabbitMQ 4.3 counts only failed deliveries: a basic.reject with
/// requeue is one, a basic.nack with requeue is not, so a nack loop never
/// reaches the delivery limit, and `x-delivery-count` appears only once
/// a delivery failed; `x-acquired-count` counts every return. Release notes 4.3.0
/// (https://github.com/rabbitmq/rabbitmq-server/releases/tag/v4.3.0):
/// "Quorum queues now allow unlimited explicit message returns. The
/// delivery limit is based on `delivery-count` rather than
/// `acquired-count`, so messages can be explicitly returned to the queue
/// without counting towards the delivery limit." (v4.3.0 `rabbit_channel`:
/// reject is `{modify, true, false, ...}`, nack is `requeue`;
/// `rabbit_fifo_client:add_delivery_count_header` adds `x-delivery-count`
/// only when the message has a `delivery_count`, and `x-acquired-count`
/// once it has an `acquired_count`.) RabbitMQ 3.10 counts every return,
/// tells basic.get the count from 0, and has no `x-acquired-count`.
#[test]
fn only_failed_deliveries_count_in_4_3() {
    let nacked = counts_until_death(Profile::RabbitMq43, None, nack);
    assert_eq!(nacked.len(), 100, "never dead-lettered");
    let expected: Vec<_> = (0..100).map(|n| (None, (n > 0).then_some(n))).collect();
    assert_eq!(nacked, expected);
    let rejected = counts_until_death(Profile::RabbitMq43, Some(2), reject);
    assert_eq!(
        rejected,
        [(None, None), (Some(1), Some(1)), (Some(2), Some(2))]
    );
    let nacked_in_3_10 = counts_until_death(Profile::RabbitMq3, Some(2), nack);
    assert_eq!(
        nacked_in_3_10,
        [(Some(0), None), (Some(1), None), (Some(2), None)]
    );
}

/// A basic.reject with requeue goes ahead of the messages never delivered
/// in 4.3 even without a delivery limit (v4.3.0 `rabbit_fifo`: a `modify`
/// always goes through `return_one`, into the returns); in 3.10 it goes to
/// the back (recorded: `qq_requeue_order`).
#[test]
fn a_reject_without_a_delivery_limit_goes_first_in_4_3() {
    let order = |profile| {
        let mut b = broker(profile);
        let ch = Chan::connect(&mut b, "c");
        quorum(&mut b, ch, "q", Some(-1));
        ch.publish(&mut b, "q", "first");
        ch.publish(&mut b, "q", "second");
        let (_, tag) = get(&mut b, ch, "q").unwrap();
        ch.call(&mut b, reject(tag)).unwrap();
        drain(&mut b, ch, "q")
    };
    assert_eq!(order(Profile::RabbitMq43), ["first", "second"]);
    assert_eq!(order(Profile::RabbitMq3), ["second", "first"]);
}

fn publish_with_priority(b: &mut Broker, ch: Chan, queue: &str, body: &str, priority: Option<u8>) {
    let properties = Properties {
        priority,
        ..Properties::default()
    };
    ch.publish_with(b, queue, body, properties);
}

/// basic.get with manual ack: the body and delivery tag, or `None` if empty.
fn get(b: &mut Broker, ch: Chan, queue: &str) -> Option<(String, u64)> {
    let got = get_ok(
        ch.call(
            b,
            Method::BasicGet(BasicGet {
                queue: queue.into(),
                no_ack: false,
            }),
        )
        .unwrap(),
    )?;
    Some((
        String::from_utf8_lossy(got.message.body()).into_owned(),
        got.delivery_tag,
    ))
}

fn drain(b: &mut Broker, ch: Chan, queue: &str) -> Vec<String> {
    std::iter::from_fn(|| get(b, ch, queue).map(|(body, _)| body)).collect()
}

fn broker(profile: Profile) -> Broker {
    Broker::new(BrokerConfig {
        profile,
        ..BrokerConfig::default()
    })
}

/// RabbitMQ 4.3's quorum queues deliver by priority with no argument to
/// ask for it. https://www.rabbitmq.com/docs/quorum-queues#priorities
/// (4.3): "Quorum queues implement strict priority support with 32
/// priority levels (0-31): higher priority messages are dispatched ahead of
/// lower priority ones" and "Priorities are clamped to the 0-31 range.
/// Messages without a `priority` property are treated as priority 4".
/// Within a level, publish order. RabbitMQ 3.10's quorum queues ignore
/// priorities: the same messages come out in publish order.
#[test]
fn quorum_queues_deliver_by_priority_in_4_3_only() {
    let published: [(&str, Option<u8>); 7] = [
        ("none", None),
        ("p0", Some(0)),
        ("p9", Some(9)),
        ("p31", Some(31)),
        ("p200", Some(200)),
        ("p4", Some(4)),
        ("p5", Some(5)),
    ];
    let order = |profile| {
        let mut b = broker(profile);
        let ch = Chan::connect(&mut b, "c");
        quorum(&mut b, ch, "q", None);
        for (body, priority) in published {
            publish_with_priority(&mut b, ch, "q", body, priority);
        }
        drain(&mut b, ch, "q")
    };
    assert_eq!(
        order(Profile::RabbitMq43),
        ["p31", "p200", "p9", "p5", "none", "p4", "p0"],
        "200 is clamped to 31 and keeps its publish order there; no priority is 4"
    );
    assert_eq!(
        order(Profile::RabbitMq3),
        ["none", "p0", "p9", "p31", "p200", "p4", "p5"]
    );
}

/// Returned messages go first, in the order they came back, whatever their
/// priority. https://www.rabbitmq.com/docs/quorum-queues#returned-messages
/// (4.3): "When messages are returned to the queue (via `reject`, `nack`,
/// or `modify`), they do not retain their original priority. Instead, they
/// are added to the returns queue and are requeued in the exact order they
/// were returned, regardless of their priority." (`rabbit_fifo:take_next_msg`
/// reads the returns before the priority queue.)
#[test]
fn returned_messages_go_first_in_return_order_whatever_their_priority() {
    let mut b = broker(Profile::RabbitMq43);
    let ch = Chan::connect(&mut b, "c");
    quorum(&mut b, ch, "q", None);
    publish_with_priority(&mut b, ch, "q", "low", Some(0));
    publish_with_priority(&mut b, ch, "q", "high", Some(9));
    publish_with_priority(&mut b, ch, "q", "high too", Some(9));
    let taken: Vec<(String, u64)> = std::iter::from_fn(|| get(&mut b, ch, "q")).collect();
    let bodies: Vec<&str> = taken.iter().map(|(body, _)| body.as_str()).collect();
    assert_eq!(bodies, ["high", "high too", "low"]);
    for returned in ["low", "high too"] {
        let tag = taken.iter().find(|(body, _)| body == returned).unwrap().1;
        ch.call(&mut b, reject(tag)).unwrap();
    }
    publish_with_priority(&mut b, ch, "q", "top", Some(31));
    assert_eq!(drain(&mut b, ch, "q"), ["low", "high too", "top"]);
}

/// A nack with requeue on a 4.3 quorum queue without a delivery limit goes
/// in at the back of the default priority, 4, whatever the message's own
/// (v4.3.0 `rabbit_fifo`: without a limit a return becomes a `#requeue{}`
/// command, applied with `rabbit_fifo_pq:in(?DEFAULT_PRIORITY, ...)`; the
/// guide does not describe this case).
#[test]
fn a_requeue_without_a_delivery_limit_goes_in_at_priority_4() {
    let mut b = broker(Profile::RabbitMq43);
    let ch = Chan::connect(&mut b, "c");
    quorum(&mut b, ch, "q", Some(-1));
    publish_with_priority(&mut b, ch, "q", "urgent", Some(9));
    publish_with_priority(&mut b, ch, "q", "five", Some(5));
    publish_with_priority(&mut b, ch, "q", "background", Some(1));
    let (body, tag) = get(&mut b, ch, "q").unwrap();
    assert_eq!(body, "urgent");
    ch.call(&mut b, nack(tag)).unwrap();
    assert_eq!(drain(&mut b, ch, "q"), ["five", "urgent", "background"]);
}

/// A 4.3 quorum queue expires messages at the head of every priority level,
/// so a live high-priority message does not keep an expired low-priority one.
/// https://www.rabbitmq.com/docs/quorum-queues#priorities (4.3), "Priority-
/// Aware Message Expiration": "Message expiration (TTL) scans run across all
/// priority levels ... For each priority level, the scan will only process
/// messages until it encounters the first unexpired message. This prevents
/// low-priority messages from blocking the expiration of high-priority
/// messages that have exceeded their TTL." A classic priority queue expires
/// at its head only (https://www.rabbitmq.com/docs/ttl: "Only when expired
/// messages reach the head of a queue will they actually be discarded").
#[test]
fn a_quorum_queue_expires_messages_at_every_priority_level_in_4_3() {
    let ready_after_ttl = |kind: &str| {
        let mut b = broker(Profile::RabbitMq43);
        let ch = Chan::connect(&mut b, "c");
        let mut arguments = FieldTable::new();
        arguments.insert("x-queue-type".into(), FieldValue::LongStr(kind.into()));
        if kind == "classic" {
            arguments.insert("x-max-priority".into(), FieldValue::UnsignedByte(9));
        }
        ch.declare_durable(&mut b, "q", arguments);
        let expiring = Properties {
            priority: Some(1),
            expiration: Some("100".into()),
            ..Properties::default()
        };
        ch.publish_with(&mut b, "q", "expires", expiring);
        publish_with_priority(&mut b, ch, "q", "stays", Some(9));
        b.advance(200);
        ready(&b, "q")
    };
    assert_eq!(ready_after_ttl("quorum"), 1);
    assert_eq!(ready_after_ttl("classic"), 2, "behind a live head it waits");
}

/// Random runs against a reference model of a 4.3 quorum queue (default
/// delivery limit, 20): publishes with random priorities (absent, 0 to
/// 255), basic.get, and ack, reject or nack of a random delivery. The model
/// keeps the returns in the order they came back and one FIFO per priority
/// (clamped to 31, absent is 4), serves the returns first, then the highest
/// priority; a reject counts a failed delivery and the 21st dead-letters
/// the message, a nack counts nothing; `x-delivery-count` is absent until a
/// delivery failed, `x-acquired-count` until a return. Every basic.get must
/// return the model's message with the model's counts, and the queue must
/// hold what the model holds.
/// `QUORUM_PRIORITY_SEED=<seed> cargo test --test quorum_4_3` replays one.
#[test]
#[cfg(not(target_arch = "wasm32"))] // proptest is a native dev-dependency
fn random_runs_follow_the_4_3_priority_and_return_model() {
    use proptest::prelude::*;
    use std::collections::{BTreeMap, VecDeque};

    #[derive(Clone, Debug)]
    enum Op {
        Publish(Option<u8>),
        Get,
        Ack(usize),
        Reject(usize),
        Nack(usize),
    }
    #[derive(Default)]
    struct Model {
        returns: VecDeque<u64>,
        levels: BTreeMap<u8, VecDeque<u64>>,
        /// Failed deliveries per message.
        failed: BTreeMap<u64, i64>,
        /// Returns of any kind per message.
        acquired: BTreeMap<u64, i64>,
        /// Out with the client: delivery tag -> message.
        out: BTreeMap<u64, u64>,
    }
    impl Model {
        fn next(&mut self) -> Option<u64> {
            if let Some(m) = self.returns.pop_front() {
                return Some(m);
            }
            let (&level, fifo) = self.levels.iter_mut().rev().find(|(_, f)| !f.is_empty())?;
            let m = fifo.pop_front();
            if self.levels.get(&level).is_some_and(VecDeque::is_empty) {
                self.levels.remove(&level);
            }
            m
        }
        fn ready(&self) -> u64 {
            (self.returns.len() + self.levels.values().map(VecDeque::len).sum::<usize>()) as u64
        }
    }

    let op = prop_oneof![
        3 => prop::option::of(any::<u8>()).prop_map(Op::Publish),
        3 => Just(Op::Get),
        1 => (0usize..4).prop_map(Op::Ack),
        2 => (0usize..4).prop_map(Op::Reject),
        2 => (0usize..4).prop_map(Op::Nack),
    ];
    let seed = chan::seed_from_env("QUORUM_PRIORITY_SEED", 31);
    let mut runner = chan::seeded_runner(seed, 300);
    runner
        .run(&prop::collection::vec(op, 1..120), |ops| {
            let mut b = broker(Profile::RabbitMq43);
            let ch = Chan::connect(&mut b, "c");
            quorum(&mut b, ch, "q", None);
            let mut model = Model::default();
            let mut published = 0u64;
            for op in ops {
                match op {
                    Op::Publish(priority) => {
                        published += 1;
                        let body = published.to_string();
                        publish_with_priority(&mut b, ch, "q", &body, priority);
                        let level = priority.unwrap_or(4).min(31);
                        model.levels.entry(level).or_default().push_back(published);
                    }
                    Op::Get => {
                        let get = Method::BasicGet(BasicGet {
                            queue: "q".into(),
                            no_ack: false,
                        });
                        let got = get_ok(ch.call(&mut b, get).unwrap());
                        let expected = model.next();
                        let got_id = got
                            .as_ref()
                            .map(|g| g.message.body_text().parse::<u64>().unwrap());
                        prop_assert_eq!(got_id, expected);
                        if let (Some(g), Some(m)) = (got, expected) {
                            let failed = model.failed.get(&m).copied().unwrap_or(0);
                            let acquired = model.acquired.get(&m).copied().unwrap_or(0);
                            prop_assert_eq!(
                                return_counts(&g.message),
                                (
                                    (failed > 0).then_some(failed),
                                    (acquired > 0).then_some(acquired)
                                )
                            );
                            model.out.insert(g.delivery_tag, m);
                        }
                    }
                    Op::Ack(pick) | Op::Reject(pick) | Op::Nack(pick) => {
                        let Some((&tag, &m)) = model.out.iter().nth(pick % model.out.len().max(1))
                        else {
                            continue;
                        };
                        model.out.remove(&tag);
                        if !matches!(op, Op::Ack(_)) {
                            *model.acquired.entry(m).or_default() += 1;
                        }
                        let method = match op {
                            Op::Ack(_) => Method::BasicAck(warren::engine::method::BasicAck {
                                delivery_tag: tag,
                                multiple: false,
                            }),
                            Op::Reject(_) => {
                                let failed = model.failed.entry(m).or_default();
                                *failed += 1;
                                if *failed <= 20 {
                                    model.returns.push_back(m);
                                }
                                reject(tag)
                            }
                            _ => {
                                model.returns.push_back(m);
                                nack(tag)
                            }
                        };
                        ch.call(&mut b, method).unwrap();
                        b.run_until_idle();
                    }
                }
                prop_assert_eq!(ready(&b, "q"), model.ready());
            }
            Ok(())
        })
        .unwrap();
}
