//! A client's channel, for the integration tests that drive the broker
//! directly (`tests/limits.rs`, `model.rs`, `recovery.rs`, `sim.rs`,
//! `topic_routing.rs`).
//!
//! A client names a channel by its connection and number; every method
//! goes through `Broker::apply`, the broker's one door. [`Chan`] also keeps
//! the engine's `ChannelId`, taken when the channel opened, so a test can
//! still inspect the channel (`broker.channel(ch.id)`) after the broker has
//! closed it and freed its number. The `*_ok` functions unwrap the reply a
//! test expects, and panic on any other; [`broker_after`] is a fresh broker
//! after one setup declare.
//!
//! Include it with `#[path = "support/chan.rs"] mod chan;`.
#![allow(dead_code)]

use std::rc::Rc;
use warren::engine::ids::{ChannelId, ConnId};
use warren::engine::message::Properties;
use warren::engine::method::{BasicPublish, GetOk, QueueDeclare, QueueDeclareOk};
use warren::engine::value::FieldTable;
use warren::engine::{Broker, BrokerConfig, CommandError, Method, Reply};

/// A channel as its client knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chan {
    pub conn: ConnId,
    pub number: u16,
    /// The engine's id of the channel, for inspection only.
    pub id: ChannelId,
}

impl Chan {
    /// pika's `connection.channel()`: channel.open on the lowest free number.
    pub fn open(broker: &mut Broker, conn: ConnId) -> Result<Chan, CommandError> {
        let number = broker.open_next_channel(conn)?;
        let id = broker
            .channel_id(conn, number)
            .expect("a channel just opened has an id");
        Ok(Chan { conn, number, id })
    }

    /// A new connection (labelled for people) with a channel open on it.
    pub fn connect(broker: &mut Broker, label: &str) -> Chan {
        let conn = broker.open_connection(label);
        Chan::open(broker, conn).expect("a fresh connection opens a channel")
    }

    /// Applies `method` on this channel.
    pub fn call(&self, broker: &mut Broker, method: Method) -> Result<Reply, CommandError> {
        broker.apply(self.conn, self.number, method)
    }

    /// Whether the broker still has this channel open.
    pub fn is_open(&self, broker: &Broker) -> bool {
        broker.channel(self.id).is_some_and(|c| c.open)
    }

    /// queue.declare of a durable queue (the kind every profile accepts)
    /// with `arguments`; panics if refused.
    pub fn declare_durable(&self, broker: &mut Broker, queue: &str, arguments: FieldTable) {
        let declare = QueueDeclare {
            queue: queue.into(),
            durable: true,
            arguments,
            ..Default::default()
        };
        self.call(broker, Method::QueueDeclare(declare)).unwrap();
    }

    /// basic.publish of `body` to the default exchange, then the broker
    /// does what it leads to; panics if refused.
    pub fn publish(&self, broker: &mut Broker, routing_key: &str, body: &str) {
        self.publish_with(broker, routing_key, body, Properties::default());
    }

    /// [`Chan::publish`] with `properties`.
    pub fn publish_with(
        &self,
        broker: &mut Broker,
        routing_key: &str,
        body: &str,
        properties: Properties,
    ) {
        let publish = BasicPublish {
            routing_key: routing_key.into(),
            body: body.as_bytes().to_vec(),
            properties,
            ..Default::default()
        };
        self.call(broker, Method::BasicPublish(publish)).unwrap();
        broker.run_until_idle();
    }
}

/// A broker with the default settings, and the channel of a client
/// `label` that has sent `setup` (the declare a test builds on); panics if
/// the broker refused it.
pub fn broker_after(label: &str, setup: Method) -> (Broker, Chan) {
    let mut broker = Broker::new(BrokerConfig::default());
    let ch = Chan::connect(&mut broker, label);
    ch.call(&mut broker, setup)
        .unwrap_or_else(|e| panic!("{label}'s setup: {e}"));
    (broker, ch)
}

/// A randomized test's seed: `$var` if set (to replay a failure), else
/// `default`. Printed either way, so a failing run says how to replay it.
pub fn seed_from_env(var: &str, default: u64) -> u64 {
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    eprintln!("{var}={seed}");
    seed
}

/// A proptest runner for `cases` cases whose randomness comes only from
/// `seed`, persisting no failures: the same seed replays the same run.
#[cfg(not(target_arch = "wasm32"))]
pub fn seeded_runner(seed: u64, cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// How many messages `queue` holds ready (0 if there is no such queue).
pub fn ready(broker: &Broker, queue: &str) -> u64 {
    broker.queue_stats(queue).map_or(0, |s| s.ready)
}

/// queue.declare-ok's fields.
pub fn declare_ok(reply: Reply) -> QueueDeclareOk {
    match reply {
        Reply::QueueDeclareOk(ok) => ok,
        other => panic!("expected queue.declare-ok, got {other:?}"),
    }
}

/// basic.consume-ok's consumer tag.
pub fn consume_ok(reply: Reply) -> Rc<str> {
    match reply {
        Reply::BasicConsumeOk { consumer_tag } => consumer_tag,
        other => panic!("expected basic.consume-ok, got {other:?}"),
    }
}

/// basic.get-ok (`Some`) or basic.get-empty (`None`).
pub fn get_ok(reply: Reply) -> Option<GetOk> {
    match reply {
        Reply::BasicGetOk(ok) => Some(ok),
        Reply::BasicGetEmpty => None,
        other => panic!("expected basic.get-ok or get-empty, got {other:?}"),
    }
}
