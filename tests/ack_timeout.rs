//! The delivery acknowledgement timeout (`consumer_timeout`, issue 17) on
//! the virtual clock: when a channel's oldest unacked delivery times out
//! (at the first channel tick after the timeout, RabbitMQ 3.10's
//! `rabbit_channel:evaluate_consumer_timeout`), what the client is told,
//! and where the deliveries go. The recorded behaviour is in
//! `tests/conformance/scenarios/consumer_timeout_closes_channel.json`;
//! this file covers the defaults (30 minutes, a tick a minute), which no
//! recording can wait for, and checks the engine against a reference
//! model on random runs.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use warren::engine::event::EventKind;
use warren::engine::method::{BasicAck, BasicConsume, BasicQos, QueueDeclare};
use warren::engine::outbox::ServerMethod;
use warren::engine::{Broker, BrokerConfig, Method};

#[path = "support/chan.rs"]
mod chan;
use chan::{get_ok, ready, seed_from_env, seeded_runner, Chan};

const MINUTE: u64 = 60_000;

fn declare(b: &mut Broker, ch: Chan, queue: &str) {
    ch.call(
        b,
        Method::QueueDeclare(QueueDeclare {
            queue: queue.into(),
            ..Default::default()
        }),
    )
    .unwrap();
}

fn consume(b: &mut Broker, ch: Chan, queue: &str, prefetch: u16) {
    ch.call(
        b,
        Method::BasicQos(BasicQos {
            prefetch_size: 0,
            prefetch_count: prefetch,
            global: false,
        }),
    )
    .unwrap();
    ch.call(
        b,
        Method::BasicConsume(BasicConsume {
            queue: queue.into(),
            ..Default::default()
        }),
    )
    .unwrap();
    b.run_until_idle();
}

fn ack(b: &mut Broker, ch: Chan, tag: u64) {
    ch.call(
        b,
        Method::BasicAck(BasicAck {
            delivery_tag: tag,
            multiple: false,
        }),
    )
    .unwrap();
    b.run_until_idle();
}

/// The channel.close texts the broker sent this channel's client so far.
/// An admin channel that declared `queue`, and a worker's channel consuming
/// from it with `prefetch` (0: no limit).
fn admin_and_worker(b: &mut Broker, queue: &str, prefetch: u16) -> (Chan, Chan) {
    let admin = Chan::connect(b, "admin");
    declare(b, admin, queue);
    let worker = Chan::connect(b, "worker");
    consume(b, worker, queue, prefetch);
    (admin, worker)
}

fn closes(b: &mut Broker, ch: Chan) -> Vec<String> {
    b.take_outbox(ch.conn)
        .into_iter()
        .filter(|o| o.channel == ch.number)
        .filter_map(|o| match o.method {
            ServerMethod::ChannelClose(c) => Some(format!("{} {}", c.reply_code, c.reply_text)),
            _ => None,
        })
        .collect()
}

/// A worker that took a message when its channel opened and never acks it
/// loses its channel at the first tick after 30 minutes: 31 minutes, since
/// ticks come every minute from channel.open. The message is ready again.
#[test]
fn by_default_an_unacked_delivery_closes_its_channel_at_the_first_tick_after_30_minutes() {
    let mut b = Broker::new(BrokerConfig::default());
    let (admin, worker) = admin_and_worker(&mut b, "task_queue", 1);
    admin.publish(&mut b, "task_queue", "slow task");
    b.take_outbox(worker.conn);

    b.advance(30 * MINUTE);
    assert!(worker.is_open(&b), "30:00 is not *more* than the timeout");
    b.advance(MINUTE - 1);
    assert!(worker.is_open(&b), "no tick between 30:00 and 31:00");
    b.advance(1);
    assert!(!worker.is_open(&b), "the tick at 31:00 closes it");
    assert_eq!(
        closes(&mut b, worker),
        [
            "406 PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. \
          Timeout value used: 1800000 ms. This timeout value can be configured, see \
          consumers doc guide to learn more"
        ]
    );
    assert_eq!(
        ready(&b, "task_queue"),
        1,
        "the message went back to its queue"
    );
    let timed_out = b
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::AckTimedOut { .. }))
        .count();
    assert_eq!(timed_out, 1);
}

/// A channel that was quiet (hibernated) with nothing unacked restarts its
/// ticks when a delivery wakes it: the timeout then fires 31 minutes after
/// that delivery, not on the old phase.
#[test]
fn a_delivery_that_wakes_a_quiet_channel_starts_its_ticks() {
    let mut b = Broker::new(BrokerConfig::default());
    let (admin, worker) = admin_and_worker(&mut b, "q", 0);
    b.advance(25_000);
    admin.publish(&mut b, "q", "m");
    b.advance(31 * MINUTE - 1);
    assert!(worker.is_open(&b));
    b.advance(1);
    assert!(!worker.is_open(&b), "closed at 25 s + 31 min");
}

/// Acking in time keeps the channel; each delivery is judged by its own
/// time once the older ones are acked; basic.get deliveries count too.
#[test]
fn acks_in_time_keep_the_channel_and_the_oldest_delivery_decides() {
    let mut b = Broker::new(BrokerConfig {
        consumer_timeout_ms: Some(10_000),
        channel_tick_interval_ms: 1_000,
        ..BrokerConfig::default()
    });
    let (admin, worker) = admin_and_worker(&mut b, "q", 0);
    admin.publish(&mut b, "q", "first");
    b.advance(5_000);
    admin.publish(&mut b, "q", "second");
    b.advance(5_500);
    assert!(worker.is_open(&b));
    ack(&mut b, worker, 1);
    b.advance(5_000);
    assert!(
        worker.is_open(&b),
        "at 15.5 s the second is 10.5 s old, but no tick yet"
    );
    b.advance(500);
    assert!(
        !worker.is_open(&b),
        "the tick at 16 s: the second, delivered at 5 s, timed out"
    );

    let getter = Chan::connect(&mut b, "getter");
    let got = get_ok(
        getter
            .call(
                &mut b,
                Method::BasicGet(warren::engine::method::BasicGet {
                    queue: "q".into(),
                    no_ack: false,
                }),
            )
            .unwrap(),
    );
    assert!(got.is_some());
    b.advance(11_000);
    assert!(!getter.is_open(&b), "an unacked basic.get times out too");
}

/// consumer_timeout is read when a channel opens; the operator's change
/// (`application:set_env`) applies to later channels and a restart forgets it.
#[test]
fn the_operators_setting_applies_to_channels_opened_later_until_a_restart() {
    let mut b = Broker::new(BrokerConfig::default());
    let admin = Chan::connect(&mut b, "admin");
    declare(&mut b, admin, "q");
    let before = Chan::connect(&mut b, "before");
    b.set_consumer_timeout(Some(1_000), 500);
    let after = Chan::connect(&mut b, "after");
    assert_eq!(
        b.channel(before.id).unwrap().ack_clock.timeout_ms,
        Some(1_800_000)
    );
    assert_eq!(
        b.channel(after.id).unwrap().ack_clock.timeout_ms,
        Some(1_000)
    );
    b.set_consumer_timeout(None, 500);
    let never = Chan::connect(&mut b, "never");
    assert_eq!(b.channel(never.id).unwrap().ack_clock.timeout_ms, None);
    b.restart();
    let rebooted = Chan::connect(&mut b, "rebooted");
    assert_eq!(
        b.channel(rebooted.id).unwrap().ack_clock.timeout_ms,
        Some(1_800_000)
    );
}

/// Random runs against a reference model of RabbitMQ's rule: a channel is
/// closed for a timeout only when its oldest unacked delivery is older than
/// the timeout, and an open channel never holds a delivery older than the
/// timeout plus one tick interval.
#[test]
fn random_runs_keep_the_timeout_rule() {
    #[derive(Clone, Debug)]
    enum Op {
        Publish,
        Advance(u64),
        Ack(usize),
        Reopen,
    }
    let op = prop_oneof![
        3 => Just(Op::Publish),
        3 => (1u64..2_500).prop_map(Op::Advance),
        2 => (0usize..4).prop_map(Op::Ack),
        1 => Just(Op::Reopen),
    ];
    let case = (
        prop_oneof![Just(300u64), Just(1_000), Just(1_500)],
        prop::collection::vec(op, 1..60),
    );
    let seed = seed_from_env("ACK_TIMEOUT_SEED", 17);
    let mut runner = seeded_runner(seed, 200);
    const TIMEOUT: u64 = 2_000;
    runner
        .run(&case, |(tick, ops)| {
            let mut b = Broker::new(BrokerConfig {
                consumer_timeout_ms: Some(TIMEOUT),
                channel_tick_interval_ms: tick,
                ..BrokerConfig::default()
            });
            let (admin, mut worker) = admin_and_worker(&mut b, "q", 3);
            for op in &ops {
                match op {
                    Op::Publish => admin.publish(&mut b, "q", "m"),
                    Op::Advance(ms) => b.advance(*ms),
                    Op::Ack(pick) => {
                        let tag = b
                            .channel(worker.id)
                            .filter(|c| c.open)
                            .and_then(|c| c.unacked.keys().nth(*pick).copied());
                        if let Some(tag) = tag {
                            ack(&mut b, worker, tag);
                        }
                    }
                    Op::Reopen => {
                        if !worker.is_open(&b) {
                            worker = Chan::open(&mut b, worker.conn).unwrap();
                            consume(&mut b, worker, "q", 3);
                        }
                    }
                }
                let now = b.now();
                for c in b.channels().filter(|c| c.open) {
                    for u in c.unacked.values() {
                        prop_assert!(
                            now <= u.delivered_at + TIMEOUT + tick,
                            "delivery {} of channel {} delivered at {} still held at {now}",
                            u.tag,
                            c.number,
                            u.delivered_at
                        );
                    }
                }
                for e in b.events() {
                    if let EventKind::AckTimedOut { delivered_at, .. } = e.kind {
                        prop_assert!(delivered_at + TIMEOUT < e.time);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

/// RabbitMQ 4.3 no longer times out classic-queue deliveries: "Classic
/// queues and stream queues do not support consumer timeouts"
/// (rabbitmq-server v4.3.0, `consumer_timeouts.md`, "Queue Type Support").
#[test]
fn the_4_3_profile_does_not_close_channels_over_classic_deliveries() {
    let mut b = Broker::new(BrokerConfig {
        profile: warren::engine::Profile::RabbitMq43,
        consumer_timeout_ms: Some(1_000),
        ..BrokerConfig::default()
    });
    let admin = Chan::connect(&mut b, "admin");
    admin.declare_durable(&mut b, "q", Default::default());
    let worker = Chan::connect(&mut b, "worker");
    consume(&mut b, worker, "q", 0);
    admin.publish(&mut b, "q", "m");
    b.advance(10 * MINUTE);
    assert!(worker.is_open(&b));
    assert_eq!(b.queue_stats("q").unwrap().unacked, 1);
}
