//! Model-based test: random command sequences against the broker, checked
//! after every step by an independent model.
//!
//! The model follows every copy of every message through the event log and
//! refuses any transition the semantics forbid: a delivery must take the
//! head of its queue (priority level first, then original position, hand-offs
//! first), an expiry or overflow must take the head, an ack must name a
//! delivery that is out, a requeue puts the copy back where it was. Routing
//! is recomputed by a naive reference (binding by binding, `key_matches` for
//! topics) and compared with the broker's. After every command the model's
//! counts must equal the broker's (`list_queues`), and:
//! - every published copy is accounted for exactly once (ready, unacked,
//!   acked, consumed without ack, expired, overflowed, rejected, purged,
//!   lost in a restart);
//! - no consumer ever holds more unacked deliveries than its prefetch;
//! - delivery tags strictly increase per channel;
//! - nothing is delivered to a cancelled consumer or a closed channel.
//!
//! Some queues are quorum queues (issue 17), modelled as RabbitMQ 3.10's
//! `rabbit_fifo`: returned messages wait in a returns queue served first
//! (a consumer gone, or any return when `x-delivery-limit` is set) or go
//! to the back (a nack or reject without a limit); every return counts,
//! and a message returned more than the limit is dead-lettered; deliveries
//! carry `x-delivery-count` (basic.get's always, a consumer's once the
//! message came back); every message survives a restart.
//!
//! 10,000 cases run by default from a fixed seed, so a failure replays:
//! `WARREN_MODEL_SEED=<seed> cargo test --test model` (and
//! `WARREN_MODEL_CASES=<n>` to run more or fewer).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/env_number.rs"]
mod env_number;

use env_number::env_number;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use warren::engine::event::{DeathReason, EventKind, RequeueReason};
use warren::engine::exchange::topic_trie::key_matches;
use warren::engine::ids::{ChannelId, ConnId, ConsumerId};
use warren::engine::message::Properties;
use warren::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, ExchangeDeclare, QueueBind, QueueDeclare, QueuePurge,
};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, Method, ServerMethod};

#[path = "support/chan.rs"]
mod chan;
use chan::{consume_ok, Chan};

// ------------------------------------------------------------------ setup

const QUEUES: usize = 3;
const CHANNELS: usize = 4;
const KEYS: &[&str] = &["a", "b", "a.b", "x.b", "q0", "q1"];
const EXCHANGES: &[&str] = &["", "ex.direct", "ex.fanout", "ex.topic"];
const TOPIC_PATTERNS: &[&str] = &["a.*", "#", "*.b", "a.#", "a"];

#[derive(Clone, Debug)]
struct QueueSpec {
    durable: bool,
    max_length: Option<u64>,
    overflow: u8,
    ttl: Option<u64>,
    dlx: bool,
    max_priority: Option<u8>,
    direct_key: Option<usize>,
    topic_pattern: Option<usize>,
    fanout: bool,
    /// A quorum queue (then durable, without priorities).
    quorum: bool,
    delivery_limit: Option<u8>,
}

#[derive(Clone, Debug)]
struct Setup {
    queues: Vec<QueueSpec>,
    /// `ex.direct` has alternate exchange `ex.fanout`.
    alternate: bool,
}

#[derive(Clone, Debug)]
enum Cmd {
    Publish {
        ch: usize,
        exchange: usize,
        key: usize,
        persistent: bool,
        priority: Option<u8>,
        expiration: Option<u64>,
        mandatory: bool,
    },
    Qos {
        ch: usize,
        count: u16,
        global: bool,
    },
    Consume {
        ch: usize,
        queue: usize,
        no_ack: bool,
        priority: i64,
    },
    Cancel {
        pick: usize,
    },
    Ack {
        ch: usize,
        pick: Option<usize>,
        multiple: bool,
    },
    Nack {
        ch: usize,
        pick: usize,
        multiple: bool,
        requeue: bool,
    },
    Reject {
        ch: usize,
        pick: usize,
        requeue: bool,
    },
    Recover {
        ch: usize,
    },
    Get {
        ch: usize,
        queue: usize,
        no_ack: bool,
    },
    Purge {
        queue: usize,
    },
    CloseChannel {
        ch: usize,
    },
    Advance {
        ms: u64,
    },
    Step,
    RunIdle,
    Restart,
}

prop_compose! {
    fn queue_spec()(
        durable in any::<bool>(),
        max_length in prop::option::weighted(0.3, 0u64..4),
        overflow in 0u8..3,
        ttl in prop::option::weighted(0.3, prop_oneof![Just(0u64), Just(50), Just(200)]),
        dlx in prop::bool::weighted(0.4),
        max_priority in prop::option::weighted(0.3, 0u8..5),
        direct_key in prop::option::weighted(0.6, 0..2usize),
        topic_pattern in prop::option::weighted(0.6, 0..TOPIC_PATTERNS.len()),
        fanout in prop::bool::weighted(0.4),
        quorum in prop::bool::weighted(0.3),
        delivery_limit in prop::option::weighted(0.5, 0u8..3),
    ) -> QueueSpec {
        QueueSpec { durable, max_length, overflow, ttl, dlx, max_priority, direct_key, topic_pattern, fanout, quorum, delivery_limit }
    }
}

fn setup() -> impl Strategy<Value = Setup> {
    (prop::collection::vec(queue_spec(), QUEUES), any::<bool>())
        .prop_map(|(queues, alternate)| Setup { queues, alternate })
}

fn cmd() -> impl Strategy<Value = Cmd> {
    let ch = 0..CHANNELS;
    prop_oneof![
        8 => (ch.clone(), 0..EXCHANGES.len(), 0..KEYS.len(), any::<bool>(), prop::option::weighted(0.3, 0u8..8),
              prop::option::weighted(0.2, prop_oneof![Just(0u64), Just(30), Just(300)]), prop::bool::weighted(0.3))
            .prop_map(|(ch, exchange, key, persistent, priority, expiration, mandatory)| Cmd::Publish { ch, exchange, key, persistent, priority, expiration, mandatory }),
        2 => (ch.clone(), 0u16..4, prop::bool::weighted(0.2)).prop_map(|(ch, count, global)| Cmd::Qos { ch, count, global }),
        3 => (ch.clone(), 0..QUEUES + 1, prop::bool::weighted(0.3), -1i64..2).prop_map(|(ch, queue, no_ack, priority)| Cmd::Consume { ch, queue, no_ack, priority }),
        1 => (0..8usize).prop_map(|pick| Cmd::Cancel { pick }),
        4 => (ch.clone(), prop::option::weighted(0.95, 0..8usize), prop::bool::weighted(0.2)).prop_map(|(ch, pick, multiple)| Cmd::Ack { ch, pick, multiple }),
        2 => (ch.clone(), 0..8usize, prop::bool::weighted(0.2), any::<bool>()).prop_map(|(ch, pick, multiple, requeue)| Cmd::Nack { ch, pick, multiple, requeue }),
        1 => (ch.clone(), 0..8usize, any::<bool>()).prop_map(|(ch, pick, requeue)| Cmd::Reject { ch, pick, requeue }),
        1 => ch.clone().prop_map(|ch| Cmd::Recover { ch }),
        2 => (ch.clone(), 0..QUEUES + 1, any::<bool>()).prop_map(|(ch, queue, no_ack)| Cmd::Get { ch, queue, no_ack }),
        1 => (0..QUEUES + 1).prop_map(|queue| Cmd::Purge { queue }),
        1 => ch.prop_map(|ch| Cmd::CloseChannel { ch }),
        2 => prop_oneof![Just(0u64), Just(30), Just(100), Just(250)].prop_map(|ms| Cmd::Advance { ms }),
        4 => Just(Cmd::Step),
        2 => Just(Cmd::RunIdle),
        1 => Just(Cmd::Restart),
    ]
}

fn queue_name(i: usize) -> String {
    if i < QUEUES {
        format!("q{i}")
    } else {
        "dlq".to_string()
    }
}

// ------------------------------------------------------------------ model

#[derive(Clone, Debug)]
struct Copy {
    msg: u64,
    /// Order within its class: the publish order, or (quorum queues) the
    /// order it came back in.
    pos: u64,
    level: u8,
    persistent: bool,
    /// Quorum queues: 0 while it waits among the returns (served first), 1 otherwise.
    class: u8,
    /// Its place in the store's order: the publish order, or (quorum
    /// queues) that of its requeue to the back.
    orig: u64,
    /// Quorum queues: how often it came back.
    returns: u32,
    delivered: bool,
}

#[derive(Clone, Debug, Default)]
struct MQueue {
    max_priority: Option<u8>,
    durable: bool,
    quorum: bool,
    delivery_limit: Option<u64>,
    handoff: Vec<Copy>,
    ready: Vec<Copy>,
    next_pos: u64,
    next_return: u64,
}

impl MQueue {
    fn len(&self) -> usize {
        self.handoff.len() + self.ready.len()
    }

    /// Index into `ready` of the head: highest level, then lowest position.
    fn ready_head(&self) -> Option<usize> {
        (0..self.ready.len()).min_by_key(|&i| {
            let c = &self.ready[i];
            (std::cmp::Reverse(c.level), c.class, c.pos)
        })
    }
}

struct Out {
    queue: String,
    copy: Copy,
    consumer: Option<ConsumerId>,
}

#[derive(Default)]
struct Accounts {
    enqueued: u64,
    acked: u64,
    consumed_no_ack: u64,
    expired: u64,
    overflowed: u64,
    rejected: u64,
    purged: u64,
    lost_in_restart: u64,
}

#[derive(Default)]
struct Model {
    queues: BTreeMap<String, MQueue>,
    out: HashMap<(ChannelId, u64), Out>,
    /// Deliveries rejected with requeue, waiting for their `Requeued`.
    limbo: HashMap<(ChannelId, u64), Out>,
    consumers: HashMap<ConsumerId, (ChannelId, String, u32, bool)>,
    last_tag: HashMap<ChannelId, u64>,
    closed: BTreeSet<ChannelId>,
    persistent: HashMap<u64, bool>,
    priority: HashMap<u64, u8>,
    /// Confirms waiting for their batch to commit.
    pending_confirms: BTreeSet<(ChannelId, u64)>,
    accounts: Accounts,
}

fn fail<T>(msg: String) -> Result<T, TestCaseError> {
    Err(TestCaseError::fail(msg))
}

impl Model {
    fn level(&self, queue: &str, msg: u64) -> u8 {
        let max = self.queues.get(queue).and_then(|q| q.max_priority);
        match max {
            None => 0,
            Some(m) => self.priority.get(&msg).copied().unwrap_or(0).min(m),
        }
    }

    fn take_head(&mut self, queue: &str, msg: u64, what: &str) -> Result<Copy, TestCaseError> {
        let q = match self.queues.get_mut(queue) {
            Some(q) => q,
            None => return fail(format!("{what} of m{msg} from unknown queue {queue}")),
        };
        if !q.handoff.is_empty() {
            let head = q.handoff.remove(0);
            if head.msg != msg {
                return fail(format!(
                    "{what}: m{msg} taken from {queue} but the hand-off head is m{}",
                    head.msg
                ));
            }
            return Ok(head);
        }
        match q.ready_head() {
            Some(i) if q.ready[i].msg == msg => Ok(q.ready.remove(i)),
            Some(i) => fail(format!(
                "{what}: m{msg} taken from {queue} but the head is m{} ({:?})",
                q.ready[i].msg, q.ready
            )),
            None => fail(format!("{what}: m{msg} taken from empty queue {queue}")),
        }
    }

    fn take_ready_head(&mut self, queue: &str, msg: u64, what: &str) -> Result<(), TestCaseError> {
        let q = self
            .queues
            .get_mut(queue)
            .ok_or_else(|| TestCaseError::fail(format!("{what}: no queue {queue}")))?;
        match q.ready_head() {
            Some(i) if q.ready[i].msg == msg => {
                q.ready.remove(i);
                Ok(())
            }
            other => fail(format!(
                "{what}: m{msg} left {queue} but the ready head is {:?}",
                other.map(|i| q.ready[i].msg)
            )),
        }
    }

    fn unacked_of(&self, consumer: ConsumerId) -> u32 {
        self.out
            .values()
            .filter(|o| o.consumer == Some(consumer))
            .count() as u32
    }

    /// Applies one event; fails on a transition the semantics forbid.
    fn apply(&mut self, kind: &EventKind) -> Result<(), TestCaseError> {
        match kind {
            EventKind::Published { message, .. } => {
                self.persistent
                    .insert(message.id().0, message.is_persistent());
                self.priority
                    .insert(message.id().0, message.properties.priority.unwrap_or(0));
            }
            EventKind::QueueDeclared {
                name,
                durable,
                arguments,
                ..
            } => {
                let max_priority = arguments
                    .get("x-max-priority")
                    .and_then(FieldValue::as_integer)
                    .map(|p| p as u8);
                let quorum =
                    arguments.get("x-queue-type").and_then(|v| v.as_str()) == Some("quorum");
                let delivery_limit = arguments
                    .get("x-delivery-limit")
                    .and_then(FieldValue::as_integer)
                    .map(|n| n as u64);
                self.queues.insert(
                    name.to_string(),
                    MQueue {
                        max_priority,
                        durable: *durable,
                        quorum,
                        delivery_limit,
                        ..Default::default()
                    },
                );
            }
            EventKind::Enqueued {
                message,
                queue_name,
                handoff,
                ..
            } => {
                let msg = message.0;
                let level = self.level(queue_name, msg);
                let persistent = self.persistent.get(&msg).copied().unwrap_or(false);
                let Some(q) = self.queues.get_mut(&**queue_name) else {
                    return fail(format!("enqueued into unknown queue {queue_name}"));
                };
                let copy = Copy {
                    msg,
                    pos: q.next_pos,
                    level,
                    persistent,
                    class: 1,
                    orig: q.next_pos,
                    returns: 0,
                    delivered: false,
                };
                q.next_pos += 1;
                if *handoff {
                    if !q.ready.is_empty() {
                        return fail(format!(
                            "hand-off into {queue_name} while it has ready messages"
                        ));
                    }
                    q.handoff.push(copy);
                } else {
                    q.ready.push(copy);
                }
                self.accounts.enqueued += 1;
            }
            EventKind::HandoffJoined {
                queue_name, count, ..
            } => {
                let q = self
                    .queues
                    .get_mut(&**queue_name)
                    .ok_or_else(|| TestCaseError::fail("handoff: no queue"))?;
                if q.handoff.len() as u64 != *count {
                    return fail(format!(
                        "{count} hand-offs joined {queue_name}, model has {}",
                        q.handoff.len()
                    ));
                }
                let moved: Vec<Copy> = q.handoff.drain(..).collect();
                q.ready.extend(moved);
            }
            EventKind::Delivered {
                message,
                queue_name,
                channel,
                consumer,
                delivery_tag,
                ack_required,
                ..
            } => {
                if self.closed.contains(channel) {
                    return fail(format!("delivery on closed channel {channel}"));
                }
                if let Some(last) = self.last_tag.get(channel) {
                    if *delivery_tag <= *last {
                        return fail(format!(
                            "delivery tag {delivery_tag} after {last} on {channel}"
                        ));
                    }
                }
                self.last_tag.insert(*channel, *delivery_tag);
                if let Some(c) = consumer {
                    let Some((cch, cq, prefetch, _)) = self.consumers.get(c).cloned() else {
                        return fail(format!("delivery to cancelled or unknown consumer {c}"));
                    };
                    if cch != *channel || *cq != **queue_name {
                        return fail(format!(
                            "consumer {c} is on {cch}/{cq}, delivery on {channel}/{queue_name}"
                        ));
                    }
                    if *ack_required && prefetch > 0 && self.unacked_of(*c) >= prefetch {
                        return fail(format!("consumer {c} over its prefetch {prefetch}"));
                    }
                }
                let mut copy = self.take_head(queue_name, message.id().0, "delivery")?;
                copy.delivered = true;
                let quorum = self.queues.get(&**queue_name).is_some_and(|q| q.quorum);
                let header = message
                    .properties
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("x-delivery-count"))
                    .and_then(FieldValue::as_integer);
                let expected = (quorum && (consumer.is_none() || copy.returns > 0))
                    .then_some(i64::from(copy.returns));
                if header != expected {
                    return fail(format!(
                        "m{} from {queue_name}: x-delivery-count {header:?}, model says {expected:?}",
                        copy.msg
                    ));
                }
                if *ack_required {
                    self.out.insert(
                        (*channel, *delivery_tag),
                        Out {
                            queue: queue_name.to_string(),
                            copy,
                            consumer: *consumer,
                        },
                    );
                } else {
                    self.accounts.consumed_no_ack += 1;
                }
            }
            EventKind::Acked {
                channel,
                delivery_tag,
                message,
                ..
            } => {
                let o = self.out.remove(&(*channel, *delivery_tag)).ok_or_else(|| {
                    TestCaseError::fail(format!("ack of tag {delivery_tag} not out on {channel}"))
                })?;
                if o.copy.msg != message.0 {
                    return fail(format!(
                        "ack of tag {delivery_tag}: m{} expected, event says m{}",
                        o.copy.msg, message.0
                    ));
                }
                self.accounts.acked += 1;
            }
            EventKind::Rejected {
                channel,
                delivery_tag,
                requeue,
                ..
            } => {
                let o = self.out.remove(&(*channel, *delivery_tag)).ok_or_else(|| {
                    TestCaseError::fail(format!(
                        "reject of tag {delivery_tag} not out on {channel}"
                    ))
                })?;
                if *requeue {
                    self.limbo.insert((*channel, *delivery_tag), o);
                } else {
                    self.accounts.rejected += 1;
                }
            }
            EventKind::Requeued {
                message,
                queue_name,
                channel,
                delivery_tag,
                reason,
                ..
            } => {
                let key = (
                    channel.ok_or_else(|| TestCaseError::fail("requeue without channel"))?,
                    delivery_tag.unwrap_or(0),
                );
                let o = self
                    .limbo
                    .remove(&key)
                    .or_else(|| self.out.remove(&key))
                    .ok_or_else(|| {
                        TestCaseError::fail(format!("requeue of {key:?} that is not out"))
                    })?;
                if o.copy.msg != message.0 || o.queue != **queue_name {
                    return fail(format!(
                        "requeue of {key:?}: model has m{} of {}",
                        o.copy.msg, o.queue
                    ));
                }
                if let Some(q) = self.queues.get_mut(&**queue_name) {
                    let mut copy = o.copy;
                    if q.quorum {
                        copy.returns += 1;
                        let explicit = matches!(
                            reason,
                            RequeueReason::Nack | RequeueReason::Reject | RequeueReason::Recover
                        );
                        if explicit && q.delivery_limit.is_none() {
                            // A new enqueue, also in the store's order.
                            copy.class = 1;
                            copy.pos = q.next_pos;
                            copy.orig = q.next_pos;
                            q.next_pos += 1;
                        } else {
                            if q.delivery_limit
                                .is_some_and(|l| u64::from(copy.returns) > l)
                            {
                                return fail(format!(
                                    "m{} requeued past its delivery limit",
                                    copy.msg
                                ));
                            }
                            copy.class = 0;
                            copy.pos = q.next_return;
                            q.next_return += 1;
                        }
                    }
                    q.ready.push(copy);
                }
            }
            EventKind::MessageDead {
                message,
                queue_name,
                reason: DeathReason::DeliveryLimit,
                ..
            } => {
                let key = self
                    .limbo
                    .iter()
                    .chain(self.out.iter())
                    .find(|(_, o)| o.copy.msg == message.0 && o.queue == **queue_name)
                    .map(|(k, _)| *k)
                    .ok_or_else(|| {
                        TestCaseError::fail(format!(
                            "m{} dead at its delivery limit but not out",
                            message.0
                        ))
                    })?;
                let o = self
                    .limbo
                    .remove(&key)
                    .or_else(|| self.out.remove(&key))
                    .ok_or_else(|| TestCaseError::fail("delivery-limit death: lost"))?;
                let limit = self
                    .queues
                    .get(&**queue_name)
                    .and_then(|q| q.delivery_limit)
                    .ok_or_else(|| TestCaseError::fail("delivery-limit death without a limit"))?;
                if u64::from(o.copy.returns) < limit {
                    return fail(format!(
                        "m{} dead after {} returns, limit {limit}",
                        message.0, o.copy.returns
                    ));
                }
                self.accounts.rejected += 1;
            }
            EventKind::Expired {
                message,
                queue_name,
                ..
            } => {
                self.take_ready_head(queue_name, message.0, "expiry")?;
                self.accounts.expired += 1;
            }
            EventKind::Overflowed {
                message,
                queue_name,
                ..
            } => {
                self.take_ready_head(queue_name, message.0, "overflow")?;
                self.accounts.overflowed += 1;
            }
            EventKind::QueuePurged { name, count, .. } => {
                let q = self
                    .queues
                    .get_mut(&**name)
                    .ok_or_else(|| TestCaseError::fail("purge: no queue"))?;
                if q.len() as u64 != *count {
                    return fail(format!(
                        "purge of {name} removed {count}, model has {}",
                        q.len()
                    ));
                }
                q.ready.clear();
                q.handoff.clear();
                self.accounts.purged += count;
            }
            EventKind::ConsumerAdded {
                consumer,
                channel,
                queue_name,
                prefetch,
                no_ack,
                ..
            } => {
                self.consumers.insert(
                    *consumer,
                    (*channel, queue_name.to_string(), *prefetch, *no_ack),
                );
            }
            EventKind::ConsumerCancelled { consumer, .. } => {
                self.consumers.remove(consumer);
            }
            EventKind::ConfirmPending { channel, seq, .. } => {
                if !self.pending_confirms.insert((*channel, *seq)) {
                    return fail(format!("confirm {seq} on {channel} pending twice"));
                }
            }
            EventKind::Confirmed {
                channel,
                seq,
                multiple,
                ..
            } => {
                if *multiple {
                    // RabbitMQ coalesces: everything up to `seq` on the channel.
                    self.pending_confirms
                        .retain(|(c, s)| !(c == channel && s <= seq));
                } else {
                    self.pending_confirms.remove(&(*channel, *seq));
                }
            }
            EventKind::ChannelClosed { channel, .. } => {
                self.pending_confirms.retain(|(c, _)| c != channel);
                // A quorum queue's message past its delivery limit is
                // dead-lettered after the close (its `MessageDead` follows).
                let dying: Vec<(ChannelId, u64)> = self
                    .out
                    .iter()
                    .filter(|((c, _), o)| {
                        c == channel
                            && self.queues.get(&o.queue).is_some_and(|q| {
                                q.delivery_limit
                                    .is_some_and(|l| u64::from(o.copy.returns) + 1 > l)
                            })
                    })
                    .map(|(k, _)| *k)
                    .collect();
                for key in dying {
                    if let Some(o) = self.out.remove(&key) {
                        self.limbo.insert(key, o);
                    }
                }
                if self.out.keys().any(|(c, _)| c == channel) {
                    return fail(format!(
                        "channel {channel} closed with deliveries still out"
                    ));
                }
                self.closed.insert(*channel);
            }
            EventKind::BrokerStopped { .. } => {
                self.pending_confirms.clear();
                if !self.out.is_empty() {
                    return fail("broker stopped with deliveries out".into());
                }
                let mut lost = 0;
                self.queues.retain(|_, q| {
                    if !q.durable {
                        lost += q.len() as u64;
                        return false;
                    }
                    let moved: Vec<Copy> = q.handoff.drain(..).collect();
                    q.ready.extend(moved);
                    let before = q.ready.len();
                    let quorum = q.quorum;
                    q.ready.retain(|c| c.persistent || quorum);
                    // A classic queue's messages come back in publish
                    // order. A quorum queue keeps its counts and which
                    // messages wait among the returns; the store orders
                    // each class by its sequence (`durable.rs`).
                    for c in &mut q.ready {
                        if !quorum {
                            c.class = 1;
                        }
                        c.pos = c.orig;
                    }
                    lost += (before - q.ready.len()) as u64;
                    true
                });
                self.accounts.lost_in_restart += lost;
                self.consumers.clear();
            }
            _ => {}
        }
        Ok(())
    }

    fn check_conservation(&self) -> Result<(), TestCaseError> {
        let a = &self.accounts;
        let ready: u64 = self.queues.values().map(|q| q.len() as u64).sum();
        let out = self.out.len() as u64 + self.limbo.len() as u64;
        let settled = a.acked
            + a.consumed_no_ack
            + a.expired
            + a.overflowed
            + a.rejected
            + a.purged
            + a.lost_in_restart;
        if a.enqueued != ready + out + settled {
            return fail(format!(
                "conservation: {} enqueued != {ready} ready + {out} out + {settled} settled",
                a.enqueued
            ));
        }
        Ok(())
    }
}

// ----------------------------------------------------------------- runner

struct Runner {
    broker: Broker,
    setup: Setup,
    conns: Vec<ConnId>,
    channels: Vec<Chan>,
    consumers: Vec<ConsumerId>,
    confirm: Vec<bool>,
    /// Publishes on each channel since its confirm.select: the client's
    /// publisher-confirm sequence numbers (1, 2, 3, …).
    published: Vec<u64>,
    model: Model,
    cursor: u64,
}

fn args(pairs: &[(&str, FieldValue)]) -> FieldTable {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

impl Runner {
    fn new(setup: Setup) -> Runner {
        let mut broker = Broker::new(BrokerConfig::default());
        let conn = broker.open_connection("setup");
        let ch = Chan::open(&mut broker, conn).unwrap();
        for (name, kind) in [
            ("ex.direct", "direct"),
            ("ex.fanout", "fanout"),
            ("ex.topic", "topic"),
            ("dlx", "fanout"),
        ] {
            let mut arguments = FieldTable::new();
            if name == "ex.direct" && setup.alternate {
                arguments.insert(
                    "alternate-exchange".into(),
                    FieldValue::LongStr("ex.fanout".into()),
                );
            }
            ch.call(
                &mut broker,
                Method::ExchangeDeclare(ExchangeDeclare {
                    durable: true,
                    arguments,
                    ..ExchangeDeclare::new(name, kind)
                }),
            )
            .unwrap();
        }
        ch.call(
            &mut broker,
            Method::QueueDeclare(QueueDeclare {
                durable: true,
                ..QueueDeclare::named("dlq")
            }),
        )
        .unwrap();
        ch.call(
            &mut broker,
            Method::QueueBind(QueueBind::new("dlq", "dlx", "")),
        )
        .unwrap();
        for (i, spec) in setup.queues.iter().enumerate() {
            let mut a: Vec<(&str, FieldValue)> = Vec::new();
            if let Some(m) = spec.max_length {
                a.push(("x-max-length", FieldValue::Int(m as i32)));
                let overflow =
                    ["drop-head", "reject-publish", "reject-publish-dlx"][spec.overflow as usize];
                a.push(("x-overflow", FieldValue::LongStr(overflow.into())));
            }
            if let Some(t) = spec.ttl {
                a.push(("x-message-ttl", FieldValue::Int(t as i32)));
            }
            if spec.dlx {
                a.push(("x-dead-letter-exchange", FieldValue::LongStr("dlx".into())));
            }
            if spec.quorum {
                // Quorum queues are durable and have no priorities.
                a.push(("x-queue-type", FieldValue::LongStr("quorum".into())));
                if let Some(limit) = spec.delivery_limit {
                    a.push(("x-delivery-limit", FieldValue::Int(i32::from(limit))));
                }
            } else if let Some(p) = spec.max_priority {
                a.push(("x-max-priority", FieldValue::Int(i32::from(p))));
            }
            let name = queue_name(i);
            ch.call(
                &mut broker,
                Method::QueueDeclare(QueueDeclare {
                    durable: spec.durable || spec.quorum,
                    arguments: args(&a),
                    ..QueueDeclare::named(&name)
                }),
            )
            .unwrap();
            let mut bind = |exchange: &str, key: &str| {
                ch.call(
                    &mut broker,
                    Method::QueueBind(QueueBind::new(&name, exchange, key)),
                )
                .unwrap();
            };
            if let Some(k) = spec.direct_key {
                bind("ex.direct", KEYS[k]);
            }
            if let Some(p) = spec.topic_pattern {
                bind("ex.topic", TOPIC_PATTERNS[p]);
            }
            if spec.fanout {
                bind("ex.fanout", "");
            }
        }
        broker.close_connection_gracefully(conn).unwrap();
        let mut r = Runner {
            broker,
            setup,
            conns: Vec::new(),
            channels: Vec::new(),
            consumers: Vec::new(),
            confirm: Vec::new(),
            published: Vec::new(),
            model: Model::default(),
            cursor: 0,
        };
        r.connect();
        r
    }

    fn connect(&mut self) {
        self.conns = vec![
            self.broker.open_connection("c0"),
            self.broker.open_connection("c1"),
        ];
        self.channels = (0..CHANNELS)
            .map(|i| Chan::open(&mut self.broker, self.conns[i % 2]).unwrap())
            .collect();
        self.confirm = vec![false; CHANNELS];
        self.published = vec![0; CHANNELS];
        self.channels[0]
            .call(&mut self.broker, Method::ConfirmSelect { no_wait: false })
            .unwrap();
        self.confirm[0] = true;
    }

    /// The channel at slot `i`, reopened if it was closed.
    fn channel(&mut self, i: usize) -> Chan {
        let ch = self.channels[i];
        if !self.broker.channel(ch.id).is_some_and(|c| c.open) {
            let conn = self.conns[i % 2];
            self.channels[i] = Chan::open(&mut self.broker, conn).unwrap();
            self.confirm[i] = false;
            self.published[i] = 0;
        }
        self.channels[i]
    }

    /// The channel at slot `i`'s unacknowledged delivery tags (read from
    /// the engine: the model picks which to settle).
    fn unacked_tags(&self, ch: Chan) -> Vec<u64> {
        self.broker
            .channel(ch.id)
            .map(|c| c.unacked.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Feeds new events to the model.
    fn pump(&mut self) -> Result<(), TestCaseError> {
        let events = self.broker.events_since(self.cursor).to_vec();
        self.cursor = self.broker.next_event_seq();
        for e in &events {
            self.model.apply(&e.kind).map_err(|err| {
                TestCaseError::fail(format!("event #{} {:?}: {}", e.seq, e.kind.name(), err))
            })?;
        }
        Ok(())
    }

    /// The queues a publish should reach, by a naive reading of the bindings.
    fn expected_route(&self, exchange: &str, key: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let alive = |name: &str| self.broker.queue_by_name(name).is_some();
        if exchange.is_empty() {
            if alive(key) {
                out.insert(key.to_string());
            }
            return out;
        }
        let bound = |i: usize, ex: &str| -> bool {
            let s = &self.setup.queues[i];
            match ex {
                "ex.direct" => s.direct_key.is_some_and(|k| KEYS[k] == key),
                "ex.fanout" => s.fanout,
                "ex.topic" => s
                    .topic_pattern
                    .is_some_and(|p| key_matches(TOPIC_PATTERNS[p], key)),
                _ => false,
            }
        };
        for i in 0..QUEUES {
            if bound(i, exchange) && alive(&queue_name(i)) {
                out.insert(queue_name(i));
            }
        }
        if out.is_empty() && exchange == "ex.direct" && self.setup.alternate {
            for i in 0..QUEUES {
                if bound(i, "ex.fanout") && alive(&queue_name(i)) {
                    out.insert(queue_name(i));
                }
            }
        }
        out
    }

    fn run(&mut self, cmd: &Cmd) -> Result<(), TestCaseError> {
        match cmd {
            Cmd::Publish {
                ch,
                exchange,
                key,
                persistent,
                priority,
                expiration,
                mandatory,
            } => {
                let chan = self.channel(*ch);
                let (exchange, key) = (EXCHANGES[*exchange], KEYS[*key]);
                let expected = self.expected_route(exchange, key);
                let properties = Properties {
                    delivery_mode: Some(if *persistent { 2 } else { 1 }),
                    priority: *priority,
                    expiration: expiration.map(|e| e.to_string()),
                    ..Default::default()
                };
                let before = self.broker.next_event_seq();
                // What the client received before this publish is not its answer.
                self.broker.take_outbox(chan.conn);
                chan.call(
                    &mut self.broker,
                    Method::BasicPublish(BasicPublish {
                        mandatory: *mandatory,
                        properties,
                        ..BasicPublish::new(exchange, key, vec![b'x'; 3])
                    }),
                )
                .map_err(|e| TestCaseError::fail(format!("publish failed: {e}")))?;
                let confirm_seq = self.confirm[*ch].then(|| {
                    self.published[*ch] += 1;
                    self.published[*ch]
                });
                self.check_publish(before, chan, &expected, *mandatory, confirm_seq)?;
            }
            Cmd::Qos { ch, count, global } => {
                let chan = self.channel(*ch);
                chan.call(
                    &mut self.broker,
                    Method::BasicQos(BasicQos {
                        prefetch_size: 0,
                        prefetch_count: *count,
                        global: *global,
                    }),
                )
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            Cmd::Consume {
                ch,
                queue,
                no_ack,
                priority,
            } => {
                let chan = self.channel(*ch);
                let mut arguments = FieldTable::new();
                if *priority != 0 {
                    arguments.insert("x-priority".into(), FieldValue::Int(*priority as i32));
                }
                // A quorum queue refuses a channel with a global prefetch
                // with a connection error (recorded: qq_consumers_and_restart);
                // the model does not follow connections closing.
                let quorum = self.setup.queues.get(*queue).is_some_and(|q| q.quorum);
                let global = self
                    .broker
                    .channel(chan.id)
                    .is_some_and(|c| c.channel_prefetch > 0);
                if quorum && global {
                    return Ok(());
                }
                let consume = BasicConsume {
                    queue: queue_name(*queue),
                    no_ack: *no_ack,
                    arguments,
                    ..Default::default()
                };
                match chan.call(&mut self.broker, Method::BasicConsume(consume)) {
                    Ok(reply) => {
                        let tag = consume_ok(reply);
                        if let Some(id) = self
                            .broker
                            .channel(chan.id)
                            .and_then(|c| c.consumers.get(&tag).copied())
                        {
                            self.consumers.push(id);
                        }
                    }
                    Err(e) if e.amqp().is_some_and(|a| a.code.code() == 404) => {} // queue lost in a restart
                    Err(e) => return fail(format!("consume failed: {e}")),
                }
            }
            Cmd::Cancel { pick } => {
                if !self.consumers.is_empty() {
                    let id = self.consumers[pick % self.consumers.len()];
                    if let Some(c) = self.broker.consumer(id) {
                        let (chid, consumer_tag) = (c.channel, c.tag.to_string());
                        let (conn, number) = self
                            .broker
                            .channel(chid)
                            .map(|c| (c.conn, c.number))
                            .ok_or_else(|| TestCaseError::fail(format!("no channel {chid}")))?;
                        self.broker
                            .apply(
                                conn,
                                number,
                                Method::BasicCancel(BasicCancel::new(&consumer_tag)),
                            )
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    }
                }
            }
            Cmd::Ack { ch, pick, multiple } => {
                let chan = self.channel(*ch);
                let tags = self.unacked_tags(chan);
                match pick {
                    Some(p) if !tags.is_empty() => {
                        chan.call(
                            &mut self.broker,
                            Method::BasicAck(BasicAck {
                                delivery_tag: tags[p % tags.len()],
                                multiple: *multiple,
                            }),
                        )
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    }
                    Some(_) => {}
                    None => {
                        // A tag that is not out: 406, and the channel closes.
                        let bogus = self
                            .broker
                            .channel(chan.id)
                            .map_or(1, |c| c.next_delivery_tag + 5);
                        let err = chan
                            .call(
                                &mut self.broker,
                                Method::BasicAck(BasicAck {
                                    delivery_tag: bogus,
                                    multiple: false,
                                }),
                            )
                            .unwrap_err();
                        if err.amqp().map(|a| a.code.code()) != Some(406) {
                            return fail(format!("bogus ack gave {err}"));
                        }
                    }
                }
            }
            Cmd::Nack {
                ch,
                pick,
                multiple,
                requeue,
            } => {
                let chan = self.channel(*ch);
                let tags = self.unacked_tags(chan);
                if !tags.is_empty() {
                    chan.call(
                        &mut self.broker,
                        Method::BasicNack(BasicNack {
                            delivery_tag: tags[pick % tags.len()],
                            multiple: *multiple,
                            requeue: *requeue,
                        }),
                    )
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Cmd::Reject { ch, pick, requeue } => {
                let chan = self.channel(*ch);
                let tags = self.unacked_tags(chan);
                if !tags.is_empty() {
                    chan.call(
                        &mut self.broker,
                        Method::BasicReject(BasicReject {
                            delivery_tag: tags[pick % tags.len()],
                            requeue: *requeue,
                        }),
                    )
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Cmd::Recover { ch } => {
                let chan = self.channel(*ch);
                chan.call(
                    &mut self.broker,
                    Method::BasicRecover(BasicRecover { requeue: true }),
                )
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            Cmd::Get { ch, queue, no_ack } => {
                let chan = self.channel(*ch);
                let get = BasicGet {
                    queue: queue_name(*queue),
                    no_ack: *no_ack,
                };
                match chan.call(&mut self.broker, Method::BasicGet(get)) {
                    Ok(_) => {}
                    Err(e) if e.amqp().is_some_and(|a| a.code.code() == 404) => {}
                    Err(e) => return fail(format!("get failed: {e}")),
                }
            }
            Cmd::Purge { queue } => {
                let chan = self.channel(0);
                let purge = QueuePurge {
                    queue: queue_name(*queue),
                    no_wait: false,
                };
                match chan.call(&mut self.broker, Method::QueuePurge(purge)) {
                    Ok(_) => {}
                    Err(e) if e.amqp().is_some_and(|a| a.code.code() == 404) => {}
                    Err(e) => return fail(format!("purge failed: {e}")),
                }
            }
            Cmd::CloseChannel { ch } => {
                let chan = self.channel(*ch);
                self.broker
                    .close_channel_gracefully(chan.conn, chan.number)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            Cmd::Advance { ms } => self.broker.advance(*ms),
            Cmd::Step => {
                self.broker.step();
            }
            Cmd::RunIdle => {
                self.broker.run_until_idle();
            }
            Cmd::Restart => {
                self.broker.run_until_idle();
                self.broker.restart();
                self.consumers.clear();
                self.connect();
            }
        }
        self.pump()?;
        self.check_state()
    }

    /// One publish: the broker routed where the reference says, every
    /// routed queue took a copy or refused it, and unroutable messages were
    /// dropped or returned (mandatory) and confirmed.
    fn check_publish(
        &mut self,
        before: u64,
        chan: Chan,
        expected: &BTreeSet<String>,
        mandatory: bool,
        confirm_seq: Option<u64>,
    ) -> Result<(), TestCaseError> {
        let events = self.broker.events_since(before).to_vec();
        let msg = events.iter().find_map(|e| match &e.kind {
            EventKind::Published { message, .. } => Some(message.id()),
            _ => None,
        });
        let Some(msg) = msg else {
            return fail("no Published event".into());
        };
        let routed: BTreeSet<String> = events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Routed { message, trace, .. } if *message == msg => {
                    Some(trace.queues.iter().map(|q| q.to_string()).collect())
                }
                _ => None,
            })
            .unwrap_or_default();
        if &routed != expected {
            return fail(format!(
                "m{} routed to {routed:?}, reference says {expected:?}",
                msg.0
            ));
        }
        let mut taken = 0;
        for e in &events {
            match &e.kind {
                EventKind::Enqueued {
                    message,
                    queue_name,
                    ..
                } if *message == msg && expected.contains(&**queue_name) => taken += 1,
                EventKind::PublishRefused { message, .. } if *message == msg => taken += 1,
                _ => {}
            }
        }
        if taken != expected.len() {
            return fail(format!(
                "m{}: {taken} queues took or refused it, {} expected",
                msg.0,
                expected.len()
            ));
        }
        let unroutable = events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Unroutable { message, .. } if *message == msg));
        let returned = events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Returned { message, .. } if message.id() == msg));
        if unroutable != expected.is_empty() || returned != (expected.is_empty() && mandatory) {
            return fail(format!(
                "m{}: unroutable {unroutable}, returned {returned}",
                msg.0
            ));
        }
        if let Some(seq) = confirm_seq {
            // Confirmed at once (the client has the basic.ack or basic.nack),
            // or (persistent message in a durable queue) pending until its
            // batch commits; never both, never neither.
            let now = self
                .broker
                .take_outbox(chan.conn)
                .into_iter()
                .filter(|out| {
                    out.channel == chan.number
                        && matches!(out.method, ServerMethod::Confirm(c) if c.covers(seq))
                })
                .count();
            let later = events
                .iter()
                .filter(|e| {
                    matches!(&e.kind, EventKind::ConfirmPending { channel, seq: s, .. }
                        if *channel == chan.id && *s == seq)
                })
                .count();
            if now + later != 1 {
                return fail(format!(
                    "m{}: {now} confirms and {later} pending for seq {seq}",
                    msg.0
                ));
            }
        }
        Ok(())
    }

    fn check_state(&self) -> Result<(), TestCaseError> {
        self.model.check_conservation()?;
        for name in (0..=QUEUES).map(queue_name) {
            let engine = self.broker.queue_stats(&name);
            let model = self.model.queues.get(&name);
            match (engine, model) {
                (None, None) => {}
                (Some(s), Some(q)) => {
                    if s.ready != q.len() as u64 {
                        return fail(format!(
                            "{name}: broker says {} ready, model {}",
                            s.ready,
                            q.len()
                        ));
                    }
                    let out = self.model.out.values().filter(|o| o.queue == name).count() as u64;
                    if s.unacked != out {
                        return fail(format!(
                            "{name}: broker says {} unacked, model {out}",
                            s.unacked
                        ));
                    }
                }
                (e, m) => {
                    return fail(format!(
                        "{name}: broker {e:?}, model has it: {}",
                        m.is_some()
                    ))
                }
            }
        }
        for (id, (_, _, prefetch, no_ack)) in &self.model.consumers {
            if !no_ack && *prefetch > 0 && self.model.unacked_of(*id) > *prefetch {
                return fail(format!(
                    "consumer {id} holds more than its prefetch {prefetch}"
                ));
            }
        }
        Ok(())
    }
}

fn run_case(setup: Setup, cmds: Vec<Cmd>) -> Result<(), TestCaseError> {
    let mut runner = Runner::new(setup);
    runner.pump()?;
    for (i, cmd) in cmds.iter().enumerate() {
        runner
            .run(cmd)
            .map_err(|e| TestCaseError::fail(format!("after command {i} {cmd:?}: {e}")))?;
    }
    runner.broker.run_until_idle();
    runner.pump()?;
    runner.check_state()?;
    // Every pending confirm resolves once its batch commits.
    runner.broker.advance(1_000);
    runner.pump()?;
    if !runner.model.pending_confirms.is_empty() {
        return fail(format!(
            "confirms never sent: {:?}",
            runner.model.pending_confirms
        ));
    }
    runner.check_state()
}

/// How many random cases a model test runs: `WARREN_MODEL_CASES`, else `default`.
fn model_cases(default: u32) -> u32 {
    env_number("WARREN_MODEL_CASES", default)
}

#[test]
fn broker_agrees_with_the_model_on_random_command_sequences() {
    let seed = chan::seed_from_env("WARREN_MODEL_SEED", 0x5EED_0001);
    let mut runner = chan::seeded_runner(seed, model_cases(10_000));
    let strategy = (setup(), prop::collection::vec(cmd(), 1..40));
    if let Err(e) = runner.run(&strategy, |(setup, cmds)| run_case(setup, cmds)) {
        panic!("model test failed with seed {seed}: {e}\nreplay with: WARREN_MODEL_SEED={seed} cargo test --test model");
    }
}

// ---------------------------------------------------------------- streams

/// Streams (issue 17) against a reference log: a `Vec` of bodies that only
/// grows, and for each consumer the next offset it reads
/// (`src/engine/stream_log.rs`). After every command and a run until idle,
/// every delivery must be the message at its consumer's next offset (body
/// and `x-stream-offset` header), never redelivered, with a delivery tag
/// above the channel's last; no consumer holds more unacknowledged
/// deliveries than its prefetch; a consumer with credit left has read the
/// whole log; the queue counts the log's length and nothing unacknowledged;
/// and a restart keeps the log (transient messages too) and drops the
/// consumers. Virtual time passes between commands, and the model keeps
/// each message's publish time (Unix ms): a consumer attaching at a
/// timestamp or an interval back from now starts at the first message
/// published at or after that time, or at the end when there is none
/// (osiris's rule, `stream_log.rs`), before and after restarts.
///
/// Each case also draws a segment size and retention
/// (`src/engine/stream_segments.rs`), and the model keeps the log as
/// osiris lays it out: chunks in segments; when the current segment is
/// full at a publish, a tracking chunk (an offset, no message) starts a
/// new segment before the message; every new segment runs retention,
/// which keeps the newest segments whose sizes add up to at most
/// `x-max-length-bytes` (the current one always) and drops old segments
/// whose last chunk is older than `x-max-age`. Readers skip tracking
/// chunks, and one whose next offset is gone reads from the first message
/// left; the count is the offsets from the first left to the last. Same
/// seed variables as the test above.
mod stream_model {
    use super::*;

    const STREAM_CHANNELS: usize = 3;

    #[derive(Clone, Copy, Debug)]
    pub(super) enum Start {
        First,
        Last,
        Next,
        Offset(i64),
        /// An AMQP timestamp this many seconds after the broker's epoch
        /// (virtual time 0), or before it when negative.
        SecondsFromEpoch(i64),
        /// An AMQP timestamp of its own: 0 or `u64::MAX`.
        Timestamp(u64),
        /// `"Ns"`: this many seconds before now (`0s` is not an interval).
        SecondsAgo(u32),
    }

    /// A case's stream arguments.
    #[derive(Clone, Copy, Debug)]
    pub(super) struct SConfig {
        segment_bytes: Option<u64>,
        max_bytes: Option<u64>,
        max_age_s: Option<u32>,
    }

    pub(super) fn sconfig() -> impl Strategy<Value = SConfig> {
        (
            prop_oneof![
                Just(None),
                Just(Some(1u64)),
                Just(Some(300)),
                Just(Some(700))
            ],
            prop_oneof![Just(None), (200u64..2500).prop_map(Some)],
            prop_oneof![Just(None), (1u32..6).prop_map(Some)],
        )
            .prop_map(|(segment_bytes, max_bytes, max_age_s)| SConfig {
                segment_bytes,
                max_bytes,
                max_age_s,
            })
    }

    /// The model's bytes, worked out by hand from RabbitMQ's formats and
    /// the sizes measured on 3.10.8: a segment's header; a message chunk
    /// with body `m<n>` (48-byte header, 4-byte record length, the AMQP 1.0
    /// message of 68 bytes plus the body: annotations for exchange "",
    /// routing key "s" and delivery mode, then the data section; a 43-byte
    /// trailer naming the writer, unless a tracking chunk was written just
    /// before it); a tracking chunk (48 + 4 + 51 per writer).
    const SEGMENT_HEADER: u64 = 8;
    fn message_chunk(body: &str, trailer: bool) -> u64 {
        48 + 4 + 68 + body.len() as u64 + if trailer { 43 } else { 0 }
    }
    fn tracking_chunk(writers: u64) -> u64 {
        52 + 51 * writers.min(255)
    }

    /// One chunk still in the model's log.
    struct MChunk {
        offset: u64,
        bytes: u64,
        /// `None`: a tracking chunk.
        body: Option<String>,
        at: u64,
    }

    /// The log as osiris lays it out.
    struct MLog {
        config: SConfig,
        /// Writers (channels) that published, and how many a restart
        /// knew: those listed in the last tracking chunk (one if there is
        /// none but a message).
        writers: std::collections::BTreeSet<u64>,
        recovered_writers: u64,
        chunks: Vec<MChunk>,
        /// (first offset, bytes, chunks), oldest first.
        segments: Vec<(u64, u64, u64)>,
        next: u64,
    }

    impl MLog {
        fn new(config: SConfig) -> MLog {
            MLog {
                config,
                writers: Default::default(),
                recovered_writers: 0,
                chunks: Vec::new(),
                segments: vec![(0, SEGMENT_HEADER, 0)],
                next: 0,
            }
        }

        fn full(&self) -> bool {
            let max = self.config.segment_bytes.unwrap_or(500_000_000);
            self.segments
                .last()
                .is_some_and(|s| s.1 >= max || s.2 >= 256_000)
        }

        fn publish(&mut self, body: String, writer: u64, at: u64) {
            self.writers.insert(writer);
            let snapshot = self.full();
            if snapshot {
                let writers = self.recovered_writers + self.writers.len() as u64;
                self.write(None, tracking_chunk(writers), at);
            }
            let bytes = message_chunk(&body, !snapshot);
            self.write(Some(body), bytes, at);
        }

        /// What a restart keeps of the writers.
        fn restart(&mut self) {
            let last_tracking = self.chunks.iter().rev().find(|c| c.body.is_none());
            self.recovered_writers = match last_tracking {
                Some(c) => (c.bytes - 52) / 51,
                None => u64::from(!self.chunks.is_empty()),
            };
            self.writers.clear();
        }

        fn write(&mut self, body: Option<String>, bytes: u64, at: u64) {
            let rolled = self.full();
            if rolled {
                if self.segments.last().is_some_and(|s| s.2 == 0) {
                    self.segments.pop();
                }
                self.segments.push((self.next, SEGMENT_HEADER, 0));
            }
            if let Some(last) = self.segments.last_mut() {
                last.1 += bytes;
                last.2 += 1;
            }
            self.chunks.push(MChunk {
                offset: self.next,
                bytes,
                body,
                at,
            });
            self.next += 1;
            if rolled {
                self.retain(at);
            }
        }

        fn retain(&mut self, now: u64) {
            let n = self.segments.len();
            let mut keep_from = 0;
            if let Some(max) = self.config.max_bytes {
                let mut total = 0;
                for i in (0..n).rev() {
                    total += self.segments[i].1;
                    if i + 1 < n && total > max {
                        keep_from = i + 1;
                        break;
                    }
                }
            }
            if let Some(age) = self.config.max_age_s {
                while keep_from + 1 < n {
                    let end = self.segments[keep_from + 1].0;
                    let last_at = self
                        .chunks
                        .iter()
                        .filter(|c| c.offset < end)
                        .map(|c| c.at)
                        .last();
                    match last_at {
                        Some(at) if i128::from(at) < i128::from(now) - i128::from(age) * 1000 => {
                            keep_from += 1
                        }
                        _ => break,
                    }
                }
            }
            self.segments.drain(..keep_from);
            let first = self.first();
            self.chunks.retain(|c| c.offset >= first);
        }

        fn first(&self) -> u64 {
            self.segments.first().map_or(self.next, |s| s.0)
        }

        /// The next message a reader at `offset` gets.
        fn message_from(&self, offset: u64) -> Option<(u64, &str)> {
            self.chunks
                .iter()
                .filter(|c| c.offset >= offset)
                .find_map(|c| Some((c.offset, c.body.as_deref()?)))
        }

        fn last_message(&self) -> Option<u64> {
            self.chunks
                .iter()
                .rev()
                .find(|c| c.body.is_some())
                .map(|c| c.offset)
        }
    }

    #[derive(Clone, Debug)]
    pub(super) enum SCmd {
        Publish {
            ch: usize,
            count: u8,
            persistent: bool,
        },
        Consume {
            ch: usize,
            start: Option<Start>,
            prefetch: u16,
        },
        Ack {
            ch: usize,
            pick: usize,
            multiple: bool,
        },
        Cancel {
            pick: usize,
        },
        CloseChannel {
            ch: usize,
        },
        Restart,
        /// Virtual time passes.
        Wait {
            ms: u64,
        },
    }

    pub(super) fn scmd() -> impl Strategy<Value = SCmd> {
        let start = prop_oneof![
            Just(None),
            Just(Some(Start::First)),
            Just(Some(Start::Last)),
            Just(Some(Start::Next)),
            (-2i64..10).prop_map(|n| Some(Start::Offset(n))),
            (-2i64..40).prop_map(|s| Some(Start::SecondsFromEpoch(s))),
            prop_oneof![Just(0), Just(u64::MAX)].prop_map(|t| Some(Start::Timestamp(t))),
            (1u32..40).prop_map(|s| Some(Start::SecondsAgo(s))),
        ];
        let wait = prop_oneof![Just(1u64), Just(999), Just(1000), 1u64..3000];
        prop_oneof![
            4 => (0..STREAM_CHANNELS, 1u8..4, any::<bool>())
                .prop_map(|(ch, count, persistent)| SCmd::Publish { ch, count, persistent }),
            3 => (0..STREAM_CHANNELS, start, 1u16..4)
                .prop_map(|(ch, start, prefetch)| SCmd::Consume { ch, start, prefetch }),
            5 => (0..STREAM_CHANNELS, any::<usize>(), prop::bool::weighted(0.3))
                .prop_map(|(ch, pick, multiple)| SCmd::Ack { ch, pick, multiple }),
            1 => any::<usize>().prop_map(|pick| SCmd::Cancel { pick }),
            1 => (0..STREAM_CHANNELS).prop_map(|ch| SCmd::CloseChannel { ch }),
            1 => Just(SCmd::Restart),
            3 => wait.prop_map(|ms| SCmd::Wait { ms }),
        ]
    }

    struct MConsumer {
        slot: usize,
        tag: std::rc::Rc<str>,
        next: u64,
        prefetch: u32,
        alive: bool,
    }

    struct SRunner {
        broker: Broker,
        conn: ConnId,
        chans: Vec<Chan>,
        /// Per channel slot: unacked delivery tag -> consumer index.
        unacked: Vec<BTreeMap<u64, usize>>,
        last_tag: Vec<u64>,
        /// The log: bodies, tracking chunks, segments.
        log: MLog,
        /// Per channel slot: the writer it is (a new one for every channel
        /// opened).
        writer_of: Vec<u64>,
        writers_opened: u64,
        consumers: Vec<MConsumer>,
        published: u64,
    }

    impl SRunner {
        fn new(config: SConfig) -> SRunner {
            let mut arguments = vec![("x-queue-type", FieldValue::LongStr("stream".into()))];
            if let Some(bytes) = config.segment_bytes {
                arguments.push((
                    "x-stream-max-segment-size-bytes",
                    FieldValue::Long(bytes as i64),
                ));
            }
            if let Some(bytes) = config.max_bytes {
                arguments.push(("x-max-length-bytes", FieldValue::Long(bytes as i64)));
            }
            if let Some(s) = config.max_age_s {
                arguments.push(("x-max-age", FieldValue::LongStr(format!("{s}s"))));
            }
            let stream = QueueDeclare {
                durable: true,
                arguments: args(&arguments),
                ..QueueDeclare::named("s")
            };
            let (broker, ch) = chan::broker_after("setup", Method::QueueDeclare(stream));
            let mut r = SRunner {
                broker,
                conn: ch.conn,
                chans: Vec::new(),
                unacked: Vec::new(),
                last_tag: Vec::new(),
                log: MLog::new(config),
                writer_of: Vec::new(),
                writers_opened: 0,
                consumers: Vec::new(),
                published: 0,
            };
            r.connect();
            r
        }

        fn connect(&mut self) {
            self.conn = self.broker.open_connection("client");
            self.chans = (0..STREAM_CHANNELS)
                .map(|_| Chan::open(&mut self.broker, self.conn).unwrap())
                .collect();
            self.unacked = vec![BTreeMap::new(); STREAM_CHANNELS];
            self.last_tag = vec![0; STREAM_CHANNELS];
            self.writer_of = (0..STREAM_CHANNELS as u64)
                .map(|i| self.writers_opened + i)
                .collect();
            self.writers_opened += STREAM_CHANNELS as u64;
            for c in &mut self.consumers {
                c.alive = false;
            }
        }

        /// Now on the broker's clock, in Unix milliseconds.
        fn now_unix_ms(&self) -> u64 {
            self.broker.config().epoch_unix_seconds * 1000 + self.broker.now()
        }

        /// Where a reader asking for time `ms` starts: the first chunk
        /// written at or after it, the end if it is after the last one.
        fn first_published_at_or_after(&self, ms: i128) -> u64 {
            match self.log.chunks.last() {
                Some(last) if ms <= i128::from(last.at) => self
                    .log
                    .chunks
                    .iter()
                    .find(|c| ms <= i128::from(c.at))
                    .map_or(self.log.next, |c| c.offset),
                _ => self.log.next,
            }
        }

        fn credit_used(&self, consumer: usize) -> u32 {
            let slot = self.consumers[consumer].slot;
            self.unacked[slot]
                .values()
                .filter(|c| **c == consumer)
                .count() as u32
        }

        fn run(&mut self, cmd: &SCmd) -> Result<(), TestCaseError> {
            let err = |e: warren::engine::CommandError| TestCaseError::fail(e.to_string());
            match cmd {
                SCmd::Publish {
                    ch,
                    count,
                    persistent,
                } => {
                    for _ in 0..*count {
                        let body = format!("m{}", self.published);
                        self.published += 1;
                        let properties = Properties {
                            delivery_mode: Some(if *persistent { 2 } else { 1 }),
                            ..Properties::default()
                        };
                        self.chans[*ch]
                            .call(
                                &mut self.broker,
                                Method::BasicPublish(BasicPublish {
                                    properties,
                                    ..BasicPublish::new("", "s", body.clone().into_bytes())
                                }),
                            )
                            .map_err(err)?;
                        let at = self.now_unix_ms();
                        self.log.publish(body, self.writer_of[*ch], at);
                    }
                }
                SCmd::Consume {
                    ch,
                    start,
                    prefetch,
                } => {
                    let chan = self.chans[*ch];
                    chan.call(
                        &mut self.broker,
                        Method::BasicQos(BasicQos {
                            prefetch_size: 0,
                            prefetch_count: *prefetch,
                            global: false,
                        }),
                    )
                    .map_err(err)?;
                    let (end, first) = (self.log.next, self.log.first());
                    let (value, next) = match start {
                        None => (None, end),
                        Some(Start::Next) => (Some(FieldValue::LongStr("next".into())), end),
                        Some(Start::First) => (Some(FieldValue::LongStr("first".into())), first),
                        Some(Start::Last) => (
                            Some(FieldValue::LongStr("last".into())),
                            self.log.last_message().unwrap_or(end),
                        ),
                        Some(Start::Offset(n)) => (
                            Some(FieldValue::Long(*n)),
                            u64::try_from(*n).unwrap_or(0).max(first),
                        ),
                        Some(Start::SecondsFromEpoch(s)) => {
                            let epoch = self.broker.config().epoch_unix_seconds as i64;
                            let t = u64::try_from(epoch + s).unwrap_or(0);
                            let at = self.first_published_at_or_after(i128::from(t) * 1000);
                            (Some(FieldValue::Timestamp(t)), at)
                        }
                        Some(Start::Timestamp(t)) => {
                            let at = self.first_published_at_or_after(i128::from(*t) * 1000);
                            (Some(FieldValue::Timestamp(*t)), at)
                        }
                        Some(Start::SecondsAgo(s)) => {
                            let since = i128::from(self.now_unix_ms()) - i128::from(*s) * 1000;
                            let at = self.first_published_at_or_after(since);
                            (Some(FieldValue::LongStr(format!("{s}s"))), at)
                        }
                    };
                    let arguments = match value {
                        Some(v) => args(&[("x-stream-offset", v)]),
                        None => FieldTable::new(),
                    };
                    let reply = chan
                        .call(
                            &mut self.broker,
                            Method::BasicConsume(BasicConsume {
                                queue: "s".into(),
                                arguments,
                                ..Default::default()
                            }),
                        )
                        .map_err(err)?;
                    self.consumers.push(MConsumer {
                        slot: *ch,
                        tag: consume_ok(reply),
                        next,
                        prefetch: u32::from(*prefetch),
                        alive: true,
                    });
                }
                SCmd::Ack { ch, pick, multiple } => {
                    let tags: Vec<u64> = self.unacked[*ch].keys().copied().collect();
                    if tags.is_empty() {
                        return Ok(());
                    }
                    let tag = tags[pick % tags.len()];
                    self.chans[*ch]
                        .call(
                            &mut self.broker,
                            Method::BasicAck(BasicAck {
                                delivery_tag: tag,
                                multiple: *multiple,
                            }),
                        )
                        .map_err(err)?;
                    if *multiple {
                        self.unacked[*ch].retain(|t, _| *t > tag);
                    } else {
                        self.unacked[*ch].remove(&tag);
                    }
                }
                SCmd::Cancel { pick } => {
                    let alive: Vec<usize> = (0..self.consumers.len())
                        .filter(|i| self.consumers[*i].alive)
                        .collect();
                    if alive.is_empty() {
                        return Ok(());
                    }
                    let i = alive[pick % alive.len()];
                    let (slot, tag) = (self.consumers[i].slot, self.consumers[i].tag.clone());
                    self.chans[slot]
                        .call(
                            &mut self.broker,
                            Method::BasicCancel(BasicCancel {
                                consumer_tag: tag.to_string(),
                                no_wait: false,
                            }),
                        )
                        .map_err(err)?;
                    self.consumers[i].alive = false;
                }
                SCmd::CloseChannel { ch } => {
                    let chan = self.chans[*ch];
                    self.broker
                        .close_channel_gracefully(chan.conn, chan.number)
                        .map_err(err)?;
                    self.broker.take_outbox(chan.conn);
                    self.chans[*ch] = Chan::open(&mut self.broker, self.conn).map_err(err)?;
                    self.writer_of[*ch] = self.writers_opened;
                    self.writers_opened += 1;
                    self.unacked[*ch].clear();
                    self.last_tag[*ch] = 0;
                    for c in self.consumers.iter_mut().filter(|c| c.slot == *ch) {
                        c.alive = false;
                    }
                }
                SCmd::Restart => {
                    self.broker.run_until_idle();
                    self.check_deliveries()?;
                    self.broker.restart();
                    self.log.restart();
                    self.connect();
                }
                SCmd::Wait { ms } => self.broker.advance(*ms),
            }
            self.broker.run_until_idle();
            self.check_deliveries()?;
            self.check_idle()
        }

        /// Every delivery since the last check is the next one its consumer
        /// should read.
        fn check_deliveries(&mut self) -> Result<(), TestCaseError> {
            for out in self.broker.take_outbox(self.conn) {
                let ServerMethod::BasicDeliver(d) = out.method else {
                    continue;
                };
                let Some(slot) = self.chans.iter().position(|c| c.number == out.channel) else {
                    return fail(format!("delivery on unknown channel {}", out.channel));
                };
                let Some(i) = self
                    .consumers
                    .iter()
                    .position(|c| c.alive && c.slot == slot && c.tag == d.consumer_tag)
                else {
                    return fail(format!("delivery to gone consumer {}", d.consumer_tag));
                };
                let Some((next, body)) = self.log.message_from(self.consumers[i].next) else {
                    return fail(format!(
                        "{} read past the log's end ({})",
                        d.consumer_tag, self.consumers[i].next
                    ));
                };
                if d.message.body() != body.as_bytes() {
                    return fail(format!("offset {next}: expected {body}"));
                }
                let header = d
                    .message
                    .properties
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("x-stream-offset"))
                    .cloned();
                if header != Some(FieldValue::Long(next as i64)) {
                    return fail(format!("offset {next}: header {header:?}"));
                }
                if d.redelivered {
                    return fail("a stream delivery is never redelivered".into());
                }
                if d.delivery_tag <= self.last_tag[slot] {
                    return fail(format!("delivery tag {} not increasing", d.delivery_tag));
                }
                self.last_tag[slot] = d.delivery_tag;
                self.unacked[slot].insert(d.delivery_tag, i);
                self.consumers[i].next = next + 1;
                if self.credit_used(i) > self.consumers[i].prefetch {
                    return fail(format!("{} over its prefetch", d.consumer_tag));
                }
            }
            Ok(())
        }

        /// Run until idle: every live consumer with credit left has read
        /// the log to its end; the queue counts the log.
        fn check_idle(&self) -> Result<(), TestCaseError> {
            for (i, c) in self.consumers.iter().enumerate() {
                let unread = self.log.message_from(c.next).is_some();
                if c.alive && unread && self.credit_used(i) < c.prefetch {
                    return fail(format!("{} idle at offset {} with credit", c.tag, c.next));
                }
            }
            let len = self.log.next - self.log.first();
            let Some(stats) = self.broker.queue_stats("s") else {
                return fail("the stream is gone".into());
            };
            if stats.ready != len || stats.unacked != 0 {
                return fail(format!("counts {stats:?}, log of {len}"));
            }
            let alive = self.consumers.iter().filter(|c| c.alive).count() as u64;
            if stats.consumers != alive {
                return fail(format!("{} consumers, expected {alive}", stats.consumers));
            }
            Ok(())
        }
    }

    pub(super) fn run_case((config, cmds): (SConfig, Vec<SCmd>)) -> Result<(), TestCaseError> {
        let mut r = SRunner::new(config);
        for (i, cmd) in cmds.iter().enumerate() {
            r.run(cmd)
                .map_err(|e| TestCaseError::fail(format!("after command {i} {cmd:?}: {e}")))?;
        }
        Ok(())
    }
}

#[test]
fn streams_agree_with_the_log_model() {
    let seed = chan::seed_from_env("WARREN_MODEL_SEED", 0x5EED_0017);
    let mut runner = chan::seeded_runner(seed, model_cases(2_000));
    let strategy = (
        stream_model::sconfig(),
        prop::collection::vec(stream_model::scmd(), 1..40),
    );
    if let Err(e) = runner.run(&strategy, stream_model::run_case) {
        panic!("stream model test failed with seed {seed}: {e}\nreplay with: WARREN_MODEL_SEED={seed} cargo test --test model");
    }
}
