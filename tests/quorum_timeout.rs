//! RabbitMQ 4.3's consumer timeout for quorum queues (issue 17), in the
//! `rabbitmq-4.3` profile (`src/engine/quorum_timeout.rs`): each test cites
//! the documentation or source it follows. The sources are RabbitMQ's 4.3
//! guides (https://www.rabbitmq.com/docs/quorum-queues#consumer-timeout,
//! https://www.rabbitmq.com/docs/consumers#acknowledgement-timeout) and
//! rabbitmq-server v4.3.0 (`consumer_timeouts.md`, `rabbit_fifo.erl`,
//! `rabbit_channel.erl`, `rabbit_queue_type.erl`). RabbitMQ 3.10's
//! channel-wide timeout is `tests/ack_timeout.rs`, and is unchanged.
//!
//! The last test runs random sequences (publish, consume with random
//! timeouts, ack, nack, cancel, close, time passing) and checks that no
//! message is lost or duplicated across timeouts:
//! `QUORUM_TIMEOUT_SEED=<seed> cargo test --test quorum_timeout` replays one.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeMap;
use warren::engine::channel::ClientInfo;
use warren::engine::event::{DeathReason, EventKind};
use warren::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicQos, BasicReject,
};
use warren::engine::outbox::ServerMethod;
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, CommandError, Method, Profile, Reply};

#[path = "support/chan.rs"]
mod chan;
use chan::{consume_ok, get_ok, ready, seed_from_env, seeded_runner, Chan};

const MINUTE: u64 = 60_000;

fn broker(profile: Profile) -> Broker {
    Broker::new(BrokerConfig {
        profile,
        ..BrokerConfig::default()
    })
}

fn table(entries: &[(&str, FieldValue)]) -> FieldTable {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A durable queue of `kind` with extra declare arguments.
fn declare(b: &mut Broker, ch: Chan, name: &str, kind: &str, extra: &[(&str, FieldValue)]) {
    let mut arguments = table(extra);
    arguments.insert("x-queue-type".into(), FieldValue::LongStr(kind.into()));
    ch.declare_durable(b, name, arguments);
}

/// basic.qos (per consumer) then basic.consume with `arguments`.
fn consume_with(
    b: &mut Broker,
    ch: Chan,
    queue: &str,
    prefetch: u16,
    arguments: FieldTable,
) -> Result<Reply, CommandError> {
    ch.call(
        b,
        Method::BasicQos(BasicQos {
            prefetch_size: 0,
            prefetch_count: prefetch,
            global: false,
        }),
    )?;
    let reply = ch.call(
        b,
        Method::BasicConsume(BasicConsume {
            queue: queue.into(),
            arguments,
            ..Default::default()
        }),
    );
    b.run_until_idle();
    reply
}

fn consume(b: &mut Broker, ch: Chan, queue: &str, prefetch: u16) -> String {
    consume_ok(consume_with(b, ch, queue, prefetch, FieldTable::new()).unwrap()).to_string()
}

fn settle(b: &mut Broker, ch: Chan, method: Method) {
    ch.call(b, method).unwrap();
    b.run_until_idle();
}

fn ack(tag: u64) -> Method {
    Method::BasicAck(BasicAck {
        delivery_tag: tag,
        multiple: false,
    })
}

/// What the broker sent this channel's client: deliveries as
/// `deliver <body> <tag> redelivered=<bool> count=<x-delivery-count>
/// acquired=<x-acquired-count>`, broker cancels as `cancel <tag>`, closes
/// as `close <code> <text>`.
fn received(b: &mut Broker, ch: Chan) -> Vec<String> {
    b.take_outbox(ch.conn)
        .into_iter()
        .filter(|o| o.channel == ch.number)
        .filter_map(|o| match o.method {
            ServerMethod::BasicDeliver(d) => {
                let header = |name| {
                    d.message
                        .properties
                        .header(name)
                        .and_then(FieldValue::as_integer)
                };
                Some(format!(
                    "deliver {} {} redelivered={} count={:?} acquired={:?}",
                    d.message.body_text(),
                    d.delivery_tag,
                    d.redelivered,
                    header("x-delivery-count"),
                    header("x-acquired-count"),
                ))
            }
            ServerMethod::BasicCancel { consumer_tag } => Some(format!("cancel {consumer_tag}")),
            ServerMethod::ChannelClose(c) => {
                Some(format!("close {} {}", c.reply_code, c.reply_text))
            }
            _ => None,
        })
        .collect()
}

/// A quorum queue, a worker consuming it with prefetch 1 and one message
/// delivered to the worker at virtual time 0.
fn one_delivery(
    profile: Profile,
    queue_args: &[(&str, FieldValue)],
) -> (Broker, Chan, Chan, String) {
    let mut b = broker(profile);
    let admin = Chan::connect(&mut b, "admin");
    declare(&mut b, admin, "q", "quorum", queue_args);
    let worker = Chan::connect(&mut b, "worker");
    let tag = consume(&mut b, worker, "q", 1);
    admin.publish(&mut b, "q", "slow task");
    assert_eq!(
        received(&mut b, worker),
        ["deliver slow task 1 redelivered=false count=None acquired=None"]
    );
    (b, admin, worker, tag)
}

/// The timeout fires exactly at the delivery's deadline (30 minutes by
/// default, no one-minute tick), the message goes back to the queue, and a
/// client with `consumer_cancel_notify` (pika, Warren's own clients) gets
/// basic.cancel while its channel stays open.
/// https://www.rabbitmq.com/docs/quorum-queues#consumer-timeout (4.3):
/// "For AMQP 0.9.1 clients: The consumer is cancelled (if the client
/// supports the `consumer_cancel_notify` capability), otherwise the channel
/// is closed with a `precondition_failed` error. In both cases, the
/// messages are returned to the queue for redelivery." v4.3.0
/// `rabbit_fifo`: the timer is absolute, at the earliest deadline, and a
/// message times out when `Ts >= Deadline`.
#[test]
fn a_delivery_times_out_at_its_deadline_and_the_consumer_is_cancelled() {
    let (mut b, _admin, worker, tag) = one_delivery(Profile::RabbitMq43, &[]);
    b.advance(30 * MINUTE - 1);
    assert_eq!(ready(&b, "q"), 0);
    assert!(received(&mut b, worker).is_empty());
    b.advance(1);
    assert_eq!(received(&mut b, worker), [format!("cancel {tag}")]);
    assert!(worker.is_open(&b), "the channel stays open");
    assert_eq!(ready(&b, "q"), 1, "the message is ready again");
    assert_eq!(b.queue_stats("q").unwrap().unacked, 0);
    let timed_out: Vec<_> = b
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ConsumerTimedOut {
                deliveries,
                cancel_sent,
                ..
            } => Some((e.time, *deliveries, *cancel_sent)),
            _ => None,
        })
        .collect();
    assert_eq!(timed_out, [(30 * MINUTE, 1, true)]);
}

/// The returned message is redelivered, to any consumer, marked
/// redelivered; its `x-acquired-count` grows and its `x-delivery-count`
/// does not, because a timeout is no failed delivery (v4.3.0 `rabbit_fifo`:
/// the timeout returns messages with `return_multiple(..., false, ...)`,
/// which only increments `acquired_count`; `x-delivery-count` is the
/// `delivery_count` header, set by failed deliveries alone;
/// `rabbit_fifo_client:add_delivery_count_header` sends both).
/// So timeouts never reach the delivery limit: here 25 timeouts in a row
/// against the default limit of 20, and the message is still there. A
/// reject, a failed delivery, counts.
/// consumer_timeouts.md (v4.3.0), "Timeout Behaviour": "Timed-out messages
/// are returned to the queue with 'ready' status, available for
/// redelivery to any consumer".
#[test]
fn a_timed_out_message_is_redelivered_without_counting_a_failed_delivery() {
    let (mut b, _admin, _worker, _) = one_delivery(Profile::RabbitMq43, &[]);
    b.advance(30 * MINUTE);
    let other = Chan::connect(&mut b, "other");
    consume(&mut b, other, "q", 1);
    assert_eq!(
        received(&mut b, other),
        ["deliver slow task 1 redelivered=true count=None acquired=Some(1)"]
    );
    settle(
        &mut b,
        other,
        Method::BasicReject(BasicReject {
            delivery_tag: 1,
            requeue: true,
        }),
    );
    assert_eq!(
        received(&mut b, other),
        ["deliver slow task 2 redelivered=true count=Some(1) acquired=Some(2)"],
        "a reject counts"
    );
    for round in 0..25u64 {
        b.advance(30 * MINUTE);
        let fresh = Chan::connect(&mut b, "fresh");
        consume(&mut b, fresh, "q", 1);
        assert_eq!(
            received(&mut b, fresh),
            [format!(
                "deliver slow task 1 redelivered=true count=Some(1) acquired=Some({})",
                round + 3
            )],
        );
    }
    let dead = b.events().iter().any(|e| {
        matches!(
            e.kind,
            EventKind::MessageDead {
                reason: DeathReason::DeliveryLimit,
                ..
            }
        )
    });
    assert!(!dead);
}

/// A timed-out consumer receives nothing until its client settles the
/// timed-out deliveries; settling a timed-out tag is no error (the channel
/// still knows it) and does nothing to the message, which went back.
/// consumer_timeouts.md (v4.3.0), "Timeout Behaviour": "The consumer
/// enters 'timeout' status and will not receive new messages" and "The
/// consumer can resume receiving messages only after all timed-out
/// messages are settled (acknowledged, rejected, or the consumer is
/// cancelled)". (v4.3.0 `rabbit_channel` keeps the delivery tags and the
/// consumer after sending basic.cancel; `rabbit_fifo:maybe_untimeout`.)
#[test]
fn a_timed_out_consumer_resumes_once_it_settles_what_timed_out() {
    let (mut b, admin, worker, tag) = one_delivery(Profile::RabbitMq43, &[]);
    b.advance(30 * MINUTE);
    assert_eq!(received(&mut b, worker), [format!("cancel {tag}")]);
    admin.publish(&mut b, "q", "next");
    assert_eq!(ready(&b, "q"), 2, "nobody takes them");
    assert!(received(&mut b, worker).is_empty());
    settle(&mut b, worker, ack(1));
    assert!(worker.is_open(&b), "acking a timed-out tag is no error");
    assert_eq!(
        received(&mut b, worker),
        ["deliver slow task 2 redelivered=true count=None acquired=Some(1)"],
        "the returned message first, to the consumer that resumed"
    );
    assert_eq!(ready(&b, "q"), 1);
    assert!(worker.call(&mut b, ack(1)).is_err());
    assert_eq!(
        received(&mut b, worker),
        ["close 406 PRECONDITION_FAILED - unknown delivery tag 1"],
        "settled once, the tag is gone"
    );
}

/// A client that does not advertise `consumer_cancel_notify` loses its
/// channel: a 406 whose text says `Timeout value used: -1 ms` (v4.3.0
/// `rabbit_channel`: the `{released, ..., timeout}` queue action without
/// the capability calls `handle_consumer_timed_out(-1, ...)`). The other
/// unacked deliveries of the channel go back as for any closed channel.
/// consumer_timeouts.md (v4.3.0): "Without `consumer_cancel_notify`
/// capability: Server closes the channel".
#[test]
fn a_client_without_cancel_notifications_loses_its_channel() {
    let mut b = broker(Profile::RabbitMq43);
    let admin = Chan::connect(&mut b, "admin");
    declare(&mut b, admin, "q", "quorum", &[]);
    let worker = Chan::connect(&mut b, "old client");
    b.set_client_info(
        worker.conn,
        ClientInfo {
            properties: table(&[("product", FieldValue::LongStr("old".into()))]),
            ..ClientInfo::default()
        },
    );
    consume(&mut b, worker, "q", 1);
    admin.publish(&mut b, "q", "m");
    b.advance(30 * MINUTE);
    let got = received(&mut b, worker);
    assert_eq!(
        got.last().map(String::as_str),
        Some(
            "close 406 PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. \
             Timeout value used: -1 ms. This timeout value can be configured, see consumers \
             doc guide to learn more"
        )
    );
    assert!(!worker.is_open(&b));
    assert_eq!(ready(&b, "q"), 1);
}

/// An unacked basic.get delivery times out too (its timeout is the
/// queue's or the node's: v4.3.0 `rabbit_queue_type:dequeue/5`), and with
/// no consumer to cancel its channel is closed (`rabbit_channel`: the tag
/// is not a consumer's, so the fallback closes the channel).
#[test]
fn an_unacked_basic_get_times_out_and_closes_its_channel() {
    let mut b = broker(Profile::RabbitMq43);
    let admin = Chan::connect(&mut b, "admin");
    let five_seconds = [("x-consumer-timeout", FieldValue::Long(5_000))];
    declare(&mut b, admin, "q", "quorum", &five_seconds);
    admin.publish(&mut b, "q", "m");
    let getter = Chan::connect(&mut b, "getter");
    let got = get_ok(
        getter
            .call(
                &mut b,
                Method::BasicGet(BasicGet {
                    queue: "q".into(),
                    no_ack: false,
                }),
            )
            .unwrap(),
    );
    assert!(got.is_some());
    b.advance(4_999);
    assert!(getter.is_open(&b));
    b.advance(1);
    assert!(!getter.is_open(&b));
    assert_eq!(ready(&b, "q"), 1);
}

/// A consumer its client cancelled while it still held a delivery has no
/// consumer left to cancel when that delivery times out: the channel is
/// closed (v4.3.0 `rabbit_channel`: basic.cancel is sent only when
/// `is_map_key(CTag, consumer_mapping)`, otherwise the fallback closes the
/// channel; `rabbit_fifo` keeps a cancelled consumer's checked-out
/// messages, and times them out, until they are settled).
#[test]
fn a_cancelled_consumers_late_delivery_closes_the_channel() {
    let (mut b, _admin, worker, tag) = one_delivery(Profile::RabbitMq43, &[]);
    settle(
        &mut b,
        worker,
        Method::BasicCancel(BasicCancel {
            consumer_tag: tag,
            no_wait: false,
        }),
    );
    b.advance(30 * MINUTE);
    assert!(!worker.is_open(&b));
    assert_eq!(ready(&b, "q"), 1);
}

/// Which timeout a consumer gets: its own `x-consumer-timeout`, else the
/// queue's, else the node's `consumer_timeout`.
/// consumer_timeouts.md (v4.3.0), "Precedence Summary": "1. Consumer
/// argument (`x-consumer-timeout` on `basic.consume`) - if set, used
/// directly 2. Otherwise: min(queue argument, queue policy) - if either is
/// set 3. Otherwise: global `consumer_timeout` configuration".
/// Negative values time out at once (RabbitMQ adds them to the delivery
/// time); a timestamp-typed value is an integer to Erlang; a huge one
/// never fires.
#[test]
fn the_consumer_argument_beats_the_queue_argument_which_beats_the_node() {
    // (queue arguments, the consumer's x-consumer-timeout, when it times out)
    type Case = (
        &'static [(&'static str, FieldValue)],
        Option<FieldValue>,
        u64,
    );
    let cases: [Case; 5] = [
        (&[], None, 1_000),
        (
            &[("x-consumer-timeout", FieldValue::Int(3_000))],
            None,
            3_000,
        ),
        (
            &[("x-consumer-timeout", FieldValue::Int(3_000))],
            Some(FieldValue::Long(2_000)),
            2_000,
        ),
        (&[], Some(FieldValue::Short(-5)), 0),
        (&[], Some(FieldValue::Double(1_500.2)), 1_501),
    ];
    for (queue_args, consumer_arg, expected) in cases {
        let mut b = broker(Profile::RabbitMq43);
        b.set_consumer_timeout(Some(1_000), 60_000);
        let admin = Chan::connect(&mut b, "admin");
        declare(&mut b, admin, "q", "quorum", queue_args);
        let worker = Chan::connect(&mut b, "worker");
        let arguments = consumer_arg
            .iter()
            .map(|v| ("x-consumer-timeout".to_string(), v.clone()))
            .collect();
        consume_with(&mut b, worker, "q", 1, arguments).unwrap();
        admin.publish(&mut b, "q", "m");
        b.advance(expected.saturating_sub(1));
        if expected > 0 {
            assert_eq!(ready(&b, "q"), 0, "{queue_args:?} {consumer_arg:?}");
        }
        b.advance(1);
        assert_eq!(ready(&b, "q"), 1, "{queue_args:?} {consumer_arg:?}");
    }
    let mut b = broker(Profile::RabbitMq43);
    let admin = Chan::connect(&mut b, "admin");
    declare(&mut b, admin, "q", "quorum", &[]);
    let worker = Chan::connect(&mut b, "worker");
    let huge = table(&[("x-consumer-timeout", FieldValue::Timestamp(u64::MAX))]);
    consume_with(&mut b, worker, "q", 1, huge).unwrap();
    admin.publish(&mut b, "q", "m");
    b.advance(u64::MAX / 2);
    assert_eq!(b.queue_stats("q").unwrap().unacked, 1, "never times out");
}

/// Arguments RabbitMQ 4.3 refuses or cannot read. On a classic queue or a
/// stream `x-consumer-timeout` is a consumer argument of another queue
/// type: 406 (v4.3.0 `rabbit_amqqueue:check_consume_arguments`; only
/// `rabbit_quorum_queue` lists it in `consumer_arguments`). A queue
/// argument that is not an integer is accepted at declare (no queue type
/// lists it) and crashes every later basic.consume and basic.get
/// (`rabbit_queue_type:get_consumer_timeout/2` has no clause for it): 541,
/// the connection closes. A consumer argument of another type is not
/// validated by RabbitMQ and breaks its queue's state machine; Warren's
/// guess is the same crash at basic.consume. RabbitMQ 3.10 knows none of
/// this: it ignores the argument.
#[test]
fn x_consumer_timeout_values_rabbitmq_refuses_or_cannot_read() {
    let error = |profile, kind, queue_arg: Option<FieldValue>, consumer_arg: Option<FieldValue>| {
        let mut b = broker(profile);
        let admin = Chan::connect(&mut b, "admin");
        let queue_args: Vec<(&str, FieldValue)> = queue_arg
            .into_iter()
            .map(|v| ("x-consumer-timeout", v))
            .collect();
        declare(&mut b, admin, "q", kind, &queue_args);
        let worker = Chan::connect(&mut b, "worker");
        let arguments = consumer_arg
            .into_iter()
            .map(|v| ("x-consumer-timeout".to_string(), v))
            .collect();
        match consume_with(&mut b, worker, "q", 1, arguments) {
            Ok(_) => None,
            Err(CommandError::Amqp(e)) => Some(e.reply_text()),
            Err(other) => Some(format!("{other:?}")),
        }
    };
    let text = FieldValue::LongStr("60000".into());
    for (kind, module) in [
        ("classic", "rabbit_classic_queue"),
        ("stream", "rabbit_stream_queue"),
    ] {
        assert_eq!(
            error(Profile::RabbitMq43, kind, None, Some(FieldValue::Long(1))),
            Some(format!(
                "PRECONDITION_FAILED - invalid arg 'x-consumer-timeout' for queue 'q' in \
                 vhost '/' of queue type {module}"
            ))
        );
    }
    assert_eq!(
        error(Profile::RabbitMq43, "quorum", None, Some(text.clone())).as_deref(),
        Some("INTERNAL_ERROR")
    );
    assert_eq!(
        error(Profile::RabbitMq43, "quorum", Some(text.clone()), None).as_deref(),
        Some("INTERNAL_ERROR")
    );
    assert_eq!(
        error(Profile::RabbitMq43, "classic", Some(text.clone()), None).as_deref(),
        Some("INTERNAL_ERROR"),
        "every queue type reads the queue's argument"
    );
    for kind in ["classic", "quorum"] {
        assert_eq!(
            error(
                Profile::RabbitMq3,
                kind,
                Some(text.clone()),
                Some(text.clone())
            ),
            None
        );
    }
}

/// 3.10's quorum queues have no timeout of their own: the channel's tick
/// closes the channel after 31 minutes, as for a classic queue
/// (`tests/ack_timeout.rs`; recorded: `consumer_timeout_closes_channel`).
#[test]
fn the_3_10_profile_keeps_the_channel_wide_timeout_for_quorum_queues() {
    let (mut b, _admin, worker, _) = one_delivery(Profile::RabbitMq3, &[]);
    b.advance(30 * MINUTE);
    assert!(received(&mut b, worker).is_empty(), "no cancel, no close");
    b.advance(MINUTE);
    assert_eq!(
        received(&mut b, worker),
        [
            "close 406 PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. \
             Timeout value used: 1800000 ms. This timeout value can be configured, see \
             consumers doc guide to learn more"
        ]
    );
}

/// Random runs: whatever clients do around timeouts, every published
/// message is in exactly one place (ready, out to exactly one open channel,
/// acked, or dead), no delivery outlives its deadline on an open channel,
/// and a consumer with timed-out deliveries left to settle receives nothing.
#[test]
fn random_runs_lose_and_duplicate_nothing_across_timeouts() {
    #[derive(Clone, Debug)]
    enum Op {
        Publish,
        Consume {
            worker: usize,
            timeout: Option<i64>,
        },
        Advance(u64),
        Ack {
            worker: usize,
            pick: usize,
            multiple: bool,
        },
        Nack {
            worker: usize,
            pick: usize,
        },
        Cancel {
            worker: usize,
        },
        Close {
            worker: usize,
        },
        Get {
            worker: usize,
        },
    }
    const WORKERS: usize = 3;
    let worker = 0..WORKERS;
    let op = prop_oneof![
        4 => Just(Op::Publish),
        2 => (worker.clone(), prop::option::of(-50i64..4_000))
            .prop_map(|(worker, timeout)| Op::Consume { worker, timeout }),
        4 => (1u64..3_000).prop_map(Op::Advance),
        3 => (worker.clone(), 0usize..6, prop::bool::weighted(0.2))
            .prop_map(|(worker, pick, multiple)| Op::Ack { worker, pick, multiple }),
        1 => (worker.clone(), 0usize..6).prop_map(|(worker, pick)| Op::Nack { worker, pick }),
        1 => worker.clone().prop_map(|worker| Op::Cancel { worker }),
        1 => worker.clone().prop_map(|worker| Op::Close { worker }),
        1 => worker.prop_map(|worker| Op::Get { worker }),
    ];
    let seed = seed_from_env("QUORUM_TIMEOUT_SEED", 43);
    let mut runner = seeded_runner(seed, 300);
    // How many runs saw a timeout, a timed-out tag settled, a consumer
    // resume: the runs must reach the cases they are about.
    let seen = std::cell::Cell::new((0u32, 0u32, 0u32));
    runner
        .run(&prop::collection::vec(op, 1..80), |ops| {
            let mut b = Broker::new(BrokerConfig {
                profile: Profile::RabbitMq43,
                consumer_timeout_ms: Some(2_500),
                ..BrokerConfig::default()
            });
            let admin = Chan::connect(&mut b, "admin");
            let limit = [("x-delivery-limit", FieldValue::Long(3))];
            declare(&mut b, admin, "q", "quorum", &limit);
            let mut workers: Vec<Chan> = (0..WORKERS)
                .map(|i| Chan::connect(&mut b, &format!("worker {i}")))
                .collect();
            for op in &ops {
                // A worker whose channel the broker closed opens another.
                for w in workers.iter_mut() {
                    if !w.is_open(&b) {
                        *w = Chan::open(&mut b, w.conn).unwrap();
                    }
                }
                match *op {
                    Op::Publish => admin.publish(&mut b, "q", "m"),
                    Op::Consume { worker, timeout } => {
                        let arguments = timeout
                            .map(|t| table(&[("x-consumer-timeout", FieldValue::Long(t))]))
                            .unwrap_or_default();
                        consume_with(&mut b, workers[worker], "q", 2, arguments).unwrap();
                    }
                    Op::Advance(ms) => b.advance(ms),
                    Op::Ack { worker, pick, multiple } => {
                        settle_picked(&mut b, workers[worker], pick, |delivery_tag| {
                            Method::BasicAck(BasicAck { delivery_tag, multiple })
                        });
                    }
                    Op::Nack { worker, pick } => {
                        settle_picked(&mut b, workers[worker], pick, |delivery_tag| {
                            Method::BasicNack(BasicNack {
                                delivery_tag,
                                multiple: false,
                                requeue: true,
                            })
                        });
                    }
                    Op::Cancel { worker } => {
                        let tags: Vec<String> = b
                            .channel(workers[worker].id)
                            .map(|c| c.consumers.keys().map(|t| t.to_string()).collect())
                            .unwrap_or_default();
                        for consumer_tag in tags {
                            settle(
                                &mut b,
                                workers[worker],
                                Method::BasicCancel(BasicCancel {
                                    consumer_tag,
                                    no_wait: false,
                                }),
                            );
                        }
                    }
                    Op::Close { worker } => {
                        b.close_channel_gracefully(workers[worker].conn, workers[worker].number)
                            .unwrap();
                    }
                    Op::Get { worker } => settle(
                        &mut b,
                        workers[worker],
                        Method::BasicGet(BasicGet {
                            queue: "q".into(),
                            no_ack: false,
                        }),
                    ),
                }
                b.run_until_idle();
                check_invariants(&b)?;
            }
            let timed_out = b
                .events()
                .iter()
                .any(|e| matches!(e.kind, EventKind::ConsumerTimedOut { .. }));
            let resumed = b.events().iter().any(|e| {
                matches!(&e.kind, EventKind::Delivered { consumer: Some(id), .. }
                    if b.events().iter().any(|t| t.seq < e.seq
                        && matches!(t.kind, EventKind::ConsumerTimedOut { consumer: Some(c), .. } if c == *id)))
            });
            let (a, s, r) = seen.get();
            seen.set((
                a + u32::from(timed_out),
                s + u32::from(settled_timed_out_tag(&b)),
                r + u32::from(resumed),
            ));
            Ok(())
        })
        .unwrap();
    let (timed_out, settled, resumed) = seen.get();
    eprintln!(
        "of 300 runs: {timed_out} timed out, {settled} settled a timed-out tag, {resumed} resumed"
    );
    assert!(
        timed_out > 100 && settled > 20 && resumed > 20,
        "runs with a timeout {timed_out}, a timed-out tag settled {settled}, a resume {resumed}"
    );
}

/// Settles one of a channel's delivery tags a client may still settle
/// (unacked, or timed out and not settled yet), if it has any.
fn settle_picked(b: &mut Broker, ch: Chan, pick: usize, method: impl Fn(u64) -> Method) {
    let Some(c) = b.channel(ch.id) else {
        return;
    };
    let tags: Vec<u64> = c.unacked.keys().chain(c.released.keys()).copied().collect();
    if let Some(&tag) = tags.get(pick % tags.len().max(1)) {
        settle(b, ch, method(tag));
    }
}

/// Whether a client settled a delivery tag after it timed out: an open
/// channel no longer holds a tag that timed out on it (only settling one
/// removes it).
fn settled_timed_out_tag(b: &Broker) -> bool {
    let timed_out: Vec<(warren::engine::ids::ChannelId, u64)> = b
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::AckTimedOut {
                channel,
                delivery_tag,
                ..
            } => Some((channel, delivery_tag)),
            _ => None,
        })
        .collect();
    timed_out.iter().any(|(ch, tag)| {
        b.channel(*ch).is_some_and(|c| {
            c.open && !c.released.contains_key(tag) && !c.unacked.contains_key(tag)
        })
    })
}

fn check_invariants(b: &Broker) -> Result<(), TestCaseError> {
    let mut places: BTreeMap<u64, Vec<&'static str>> = BTreeMap::new();
    let q = b.queue_id("q").unwrap();
    for e in b.ready_messages(q) {
        places.entry(e.msg.id().0).or_default().push("ready");
    }
    let now = b.now();
    for c in b.channels().filter(|c| c.open) {
        for u in c.unacked.values() {
            places
                .entry(u.entry.msg.id().0)
                .or_default()
                .push("unacked");
            prop_assert!(
                u.deadline.is_none_or(|d| d > now),
                "delivery {} held past its deadline {:?} at {}",
                u.tag,
                u.deadline,
                now
            );
        }
    }
    let mut published = Vec::new();
    let mut last_timeout: BTreeMap<u32, u64> = BTreeMap::new();
    for e in b.events() {
        match &e.kind {
            EventKind::Published { message, .. } => published.push(message.id().0),
            EventKind::Acked { message, .. } => places.entry(message.0).or_default().push("acked"),
            EventKind::MessageDead { message, .. } => {
                places.entry(message.0).or_default().push("dead")
            }
            EventKind::ConsumerTimedOut {
                consumer: Some(c), ..
            } => {
                last_timeout.insert(c.0, e.seq);
            }
            _ => {}
        }
    }
    for id in published {
        let found = places.get(&id).cloned().unwrap_or_default();
        prop_assert_eq!(found.len(), 1, "message {} is in {:?}", id, found);
    }
    for c in b.consumers().filter(|c| c.timed_out > 0) {
        let since = last_timeout.get(&c.id.0).copied().unwrap_or(0);
        let delivered = b.events().iter().any(|e| {
            e.seq > since
                && matches!(e.kind, EventKind::Delivered { consumer: Some(id), .. } if id == c.id)
        });
        prop_assert!(
            !delivered,
            "consumer {} got a delivery while timed out",
            c.tag
        );
    }
    Ok(())
}
