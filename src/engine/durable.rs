//! Durable state: what survives a broker restart, how it is written, and
//! booting from it.
//!
//! RabbitMQ recovers, on boot: durable exchanges, durable queues (with their
//! arguments), bindings whose source *and* destination are durable, and the
//! persistent messages (`delivery_mode = 2`) in durable queues, in order; a
//! message that had been delivered but not acknowledged comes back ready with
//! `redelivered = true` (the queue index recorded the delivery). Transient
//! queues and exchanges, transient messages, exclusive queues (always
//! transient) and their bindings are gone.
//!
//! The engine records every change to that picture as a [`DurableOp`]. Ops
//! are gathered into a batch and committed together at a commit tick, like
//! RabbitMQ's batched fsync: a publisher confirm for a persistent message in a
//! durable queue is sent only once the batch holding it has committed. A
//! crash loses the ops not yet committed.
//!
//! Where the batches go depends on [`Durability`]: `Internal` keeps the
//! committed state inside the engine (tests, the conformance replayer, the
//! in-memory store); `External` hands sealed batches to the host, which
//! writes them to a real store (IndexedDB in the browser) and reports back.

use crate::engine::broker::Broker;
use crate::engine::clock::Millis;
use crate::engine::dead_letter::Dying;
use crate::engine::event::DeathReason;
use crate::engine::exchange::DestinationKind;
use crate::engine::exchange::{Binding, Destination, Exchange, ExchangeType};
use crate::engine::ids::{BindingId, ExchangeId, QueueId};
use crate::engine::message::{MessageId, MessageRef, Properties};
use crate::engine::queue::{Entry, Queue};
use crate::engine::queue_args;
use crate::engine::queue_type::QueueType;
use crate::engine::value::FieldTable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Who keeps committed batches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// The engine keeps the committed state itself; a batch commits the
    /// moment it is sealed.
    #[default]
    Internal,
    /// The host takes sealed batches (`take_sealed_batches`), writes them,
    /// and calls `batch_committed`.
    External,
}

/// Everything durable, keyed for cheap updates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DurableState {
    pub exchanges: BTreeMap<String, DurableExchange>,
    pub queues: BTreeMap<String, DurableQueue>,
    /// Keyed by [`DurableBinding::key`].
    pub bindings: BTreeMap<String, DurableBinding>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurableExchange {
    pub name: String,
    pub kind: ExchangeType,
    pub auto_delete: bool,
    pub internal: bool,
    pub arguments: FieldTable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurableQueue {
    pub name: String,
    pub auto_delete: bool,
    pub arguments: FieldTable,
    /// Persistent messages by sequence number (queue order).
    pub messages: BTreeMap<u64, DurableMessage>,
    /// A quorum queue dead-lettering `at-least-once`: the dead letters it
    /// holds because they could not be forwarded yet (in RabbitMQ they are
    /// in the queue's Raft log). Absent in stores written before Warren
    /// kept them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_dead_letters: Vec<DurableDeadLetter>,
    /// A quorum queue with `x-expires`: when its timer was last armed
    /// (`rabbit_fifo`'s `last_active`, virtual clock). Absent for other
    /// queues and in stores written before Warren kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active: Option<Millis>,
}

/// A dead letter an `at-least-once` quorum queue holds (`dead_letter.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurableDeadLetter {
    pub reason: DeathReason,
    /// The queue's dead-letter exchange and routing key when it died.
    pub dlx: Option<String>,
    pub dlrk: Option<String>,
    /// The message as it died (`seq` and the delivery marks unused).
    pub message: DurableMessage,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DurableMessage {
    pub seq: u64,
    pub id: u64,
    /// Delivered at least once (the index's "del" mark): back as redelivered.
    pub redelivered: bool,
    pub expires_at: Option<Millis>,
    /// A stream's message: when it was written to the log, in Unix
    /// milliseconds (`stream_log.rs`). Absent for other queues' messages
    /// and in stores written before Warren kept it; a stream message
    /// without it counts as written when the store is loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_at: Option<u64>,
    /// A quorum queue's message: how often it came back
    /// (`x-delivery-count`), as of when it was last stored.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub returns: u32,
    /// A quorum queue's message that came back and waits again: it was not
    /// out with a consumer when the node stopped, so a restart does not
    /// count a return for it (cleared when it is delivered again).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requeued: bool,
    /// ... and it waits among the returns, served first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_returns: bool,
    /// A stream's message: its offset (`stream_segments.rs`: tracking
    /// chunks take offsets too). Absent in stores written before Warren
    /// kept it: such messages follow each other from offset 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_offset: Option<u64>,
    /// A stream's message: the bytes of the tracking chunk just before it,
    /// when there is one, so a restart rebuilds the same segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_before: Option<u64>,
    pub exchange: String,
    pub routing_key: String,
    pub cc: Vec<String>,
    pub properties: Properties,
    /// Stored as text when it is UTF-8, else as `{"base64": …}`; a list of
    /// byte values (what older stores wrote) reads too.
    #[serde(with = "stored_body")]
    pub body: Vec<u8>,
}

/// A message body in a stored record: compact and readable (a JSON list of
/// byte values costs ~3.5 bytes per byte and dominates the store's time).
mod stored_body {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Body {
        Text(String),
        Binary { base64: String },
        Bytes(Vec<u8>),
    }

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(body) {
            Ok(text) => s.serialize_str(text),
            Err(_) => Body::Binary {
                base64: base64::engine::general_purpose::STANDARD.encode(body),
            }
            .serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Body::deserialize(d)? {
            Body::Text(text) => Ok(text.into_bytes()),
            Body::Binary { base64 } => base64::engine::general_purpose::STANDARD
                .decode(base64)
                .map_err(serde::de::Error::custom),
            Body::Bytes(bytes) => Ok(bytes),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurableBinding {
    pub source: String,
    pub destination: String,
    pub destination_kind: DestinationKind,
    pub routing_key: String,
    pub arguments: FieldTable,
}

impl DurableBinding {
    /// A stable key for the binding (its identity).
    pub fn key(&self) -> String {
        serde_json::to_string(&(
            &self.source,
            &self.destination_kind,
            &self.destination,
            &self.routing_key,
            &self.arguments,
        ))
        .unwrap_or_default()
    }
}

/// One change to the durable state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum DurableOp {
    PutExchange(DurableExchange),
    DeleteExchange {
        name: String,
    },
    /// Declares a queue (its messages, if any, stay).
    PutQueue {
        name: String,
        auto_delete: bool,
        arguments: FieldTable,
    },
    /// Removes a queue with its messages and bindings.
    DeleteQueue {
        name: String,
    },
    PutBinding(DurableBinding),
    DeleteBinding(DurableBinding),
    PutMessage {
        queue: String,
        message: DurableMessage,
    },
    /// The message was delivered: after a restart it comes back redelivered.
    MarkDelivered {
        queue: String,
        seq: u64,
    },
    DeleteMessage {
        queue: String,
        seq: u64,
    },
    /// An `at-least-once` quorum queue now holds this dead letter too.
    HoldDeadLetter {
        queue: String,
        letter: DurableDeadLetter,
    },
    /// The queue's dead-letter worker took every held dead letter to
    /// forward them again (those that still reach no queue are held anew).
    ReleaseDeadLetters {
        queue: String,
    },
    /// A quorum queue's `x-expires` timer was armed at `at`.
    QueueLastActive {
        queue: String,
        at: Millis,
    },
}

/// Ops committed together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: u64,
    pub ops: Vec<DurableOp>,
}

impl DurableState {
    /// Applies one op. Ops are idempotent where they can be and ignore what
    /// no longer exists, so replaying a batch is harmless.
    pub fn apply(&mut self, op: &DurableOp) {
        match op {
            DurableOp::PutExchange(x) => {
                self.exchanges.insert(x.name.clone(), x.clone());
            }
            DurableOp::DeleteExchange { name } => {
                self.exchanges.remove(name);
                self.bindings.retain(|_, b| {
                    b.source != *name
                        && !(b.destination_kind == DestinationKind::Exchange
                            && b.destination == *name)
                });
            }
            DurableOp::PutQueue {
                name,
                auto_delete,
                arguments,
            } => {
                let q = self
                    .queues
                    .entry(name.clone())
                    .or_insert_with(|| DurableQueue {
                        name: name.clone(),
                        auto_delete: *auto_delete,
                        arguments: arguments.clone(),
                        messages: BTreeMap::new(),
                        held_dead_letters: Vec::new(),
                        last_active: None,
                    });
                q.auto_delete = *auto_delete;
                q.arguments = arguments.clone();
            }
            DurableOp::DeleteQueue { name } => {
                self.queues.remove(name);
                self.bindings.retain(|_, b| {
                    !(b.destination_kind == DestinationKind::Queue && b.destination == *name)
                });
            }
            DurableOp::PutBinding(b) => {
                self.bindings.insert(b.key(), b.clone());
            }
            DurableOp::DeleteBinding(b) => {
                self.bindings.remove(&b.key());
            }
            DurableOp::PutMessage { queue, message } => {
                if let Some(q) = self.queues.get_mut(queue) {
                    q.messages.insert(message.seq, message.clone());
                }
            }
            DurableOp::MarkDelivered { queue, seq } => {
                if let Some(m) = self
                    .queues
                    .get_mut(queue)
                    .and_then(|q| q.messages.get_mut(seq))
                {
                    m.redelivered = true;
                    m.requeued = false;
                }
            }
            DurableOp::DeleteMessage { queue, seq } => {
                if let Some(q) = self.queues.get_mut(queue) {
                    q.messages.remove(seq);
                }
            }
            DurableOp::HoldDeadLetter { queue, letter } => {
                if let Some(q) = self.queues.get_mut(queue) {
                    q.held_dead_letters.push(letter.clone());
                }
            }
            DurableOp::ReleaseDeadLetters { queue } => {
                if let Some(q) = self.queues.get_mut(queue) {
                    q.held_dead_letters.clear();
                }
            }
            DurableOp::QueueLastActive { queue, at } => {
                if let Some(q) = self.queues.get_mut(queue) {
                    q.last_active = Some(*at);
                }
            }
        }
    }

    pub fn apply_batch(&mut self, batch: &Batch) {
        for op in &batch.ops {
            self.apply(op);
        }
    }

    /// How many persistent messages are stored.
    /// The ops that build this state from nothing: exchanges, then each
    /// queue and its messages, then bindings (a store replacing its whole
    /// content writes these).
    pub fn to_ops(&self) -> Vec<DurableOp> {
        let mut ops = Vec::new();
        for x in self.exchanges.values() {
            ops.push(DurableOp::PutExchange(x.clone()));
        }
        for q in self.queues.values() {
            ops.push(DurableOp::PutQueue {
                name: q.name.clone(),
                auto_delete: q.auto_delete,
                arguments: q.arguments.clone(),
            });
            for m in q.messages.values() {
                ops.push(DurableOp::PutMessage {
                    queue: q.name.clone(),
                    message: m.clone(),
                });
            }
            for letter in &q.held_dead_letters {
                ops.push(DurableOp::HoldDeadLetter {
                    queue: q.name.clone(),
                    letter: letter.clone(),
                });
            }
            if let Some(at) = q.last_active {
                ops.push(DurableOp::QueueLastActive {
                    queue: q.name.clone(),
                    at,
                });
            }
        }
        for b in self.bindings.values() {
            ops.push(DurableOp::PutBinding(b.clone()));
        }
        ops
    }

    pub fn message_count(&self) -> usize {
        self.queues.values().map(|q| q.messages.len()).sum()
    }
}

/// Where a stream's message sits in its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamPlacement {
    pub offset: u64,
    pub written_at: u64,
    pub tracking_before: Option<u64>,
}

impl DurableMessage {
    /// The stored form of a queue entry; `stream` for a stream's.
    pub fn from_entry(e: &Entry, stream: Option<StreamPlacement>) -> DurableMessage {
        DurableMessage {
            seq: e.seq(),
            redelivered: e.redelivered(),
            expires_at: e.expires_at(),
            returns: e.returns(),
            written_at: stream.map(|p| p.written_at),
            stream_offset: stream.map(|p| p.offset),
            tracking_before: stream.and_then(|p| p.tracking_before),
            ..DurableMessage::from_message(&e.msg)
        }
    }

    /// The stored form of a message outside any queue's order (a held
    /// dead letter): what it is, without a place or delivery marks.
    pub fn from_message(msg: &MessageRef) -> DurableMessage {
        DurableMessage {
            id: msg.id().0,
            exchange: msg.exchange.to_string(),
            routing_key: msg.routing_key.to_string(),
            cc: msg.cc.iter().map(|k| k.to_string()).collect(),
            properties: msg.properties.clone(),
            body: msg.body().to_vec(),
            ..DurableMessage::default()
        }
    }
}

impl DurableDeadLetter {
    pub(crate) fn from_dying(d: &Dying) -> DurableDeadLetter {
        DurableDeadLetter {
            reason: d.reason,
            dlx: d.dlx.as_deref().map(str::to_string),
            dlrk: d.dlrk.as_deref().map(str::to_string),
            message: DurableMessage::from_message(&d.msg),
        }
    }
}

impl Broker {
    fn is_system_exchange(name: &str) -> bool {
        name.starts_with("amq.")
    }

    /// Whether a queue is stored (durable and not exclusive).
    pub(crate) fn stores_queue(&self, queue: QueueId) -> bool {
        self.queues
            .get(&queue)
            .is_some_and(|q| q.durable && q.exclusive_owner.is_none())
    }

    /// The stored name of a message copy, if the copy is durable (a
    /// persistent message in a stored queue).
    pub(crate) fn durable_copy(&self, queue: QueueId, msg: &MessageRef) -> Option<String> {
        self.queues
            .get(&queue)
            .filter(|q| q.stores_message(msg))
            .map(|q| q.name.to_string())
    }

    /// Records that a copy left its queue for good (acked, expired,
    /// overflowed, rejected, purged), if it was stored.
    pub(crate) fn record_gone(&mut self, queue: QueueId, e: &Entry) {
        if let Some(name) = self.durable_copy(queue, &e.msg) {
            self.record(DurableOp::DeleteMessage {
                queue: name,
                seq: e.seq(),
            });
        }
    }

    /// Records a delivery of a stored copy: the index marks it delivered
    /// (it will come back redelivered), or, for a no-ack delivery, it is gone.
    pub(crate) fn record_delivery(&mut self, queue: QueueId, e: &Entry, ack_required: bool) {
        if let Some(name) = self.durable_copy(queue, &e.msg) {
            let op = if ack_required {
                DurableOp::MarkDelivered {
                    queue: name,
                    seq: e.seq(),
                }
            } else {
                DurableOp::DeleteMessage {
                    queue: name,
                    seq: e.seq(),
                }
            };
            self.record(op);
        }
    }

    pub(crate) fn durable_exchange(x: &Exchange) -> DurableExchange {
        DurableExchange {
            name: x.name.to_string(),
            kind: x.kind,
            auto_delete: x.auto_delete,
            internal: x.internal,
            arguments: x.args.clone(),
        }
    }

    /// The durable form of a binding, if both its ends are durable.
    pub(crate) fn stored_binding(&self, x: &Exchange, b: &Binding) -> Option<DurableBinding> {
        let durable_destination = match b.destination {
            Destination::Queue(q) => self.stores_queue(q),
            Destination::Exchange(d) => self.exchanges.get(&d).is_some_and(|d| d.durable),
        };
        (x.durable && durable_destination).then(|| DurableBinding {
            source: x.name.to_string(),
            destination: self.destination_name(b.destination).to_string(),
            destination_kind: crate::engine::broker::destination_kind(b.destination),
            routing_key: b.key.to_string(),
            arguments: b.args.clone(),
        })
    }

    /// What of the current state is durable, computed from scratch (the
    /// committed state must agree with it once everything is committed;
    /// unacked deliveries are not included, as a graceful stop requeues them).
    pub fn durable_state(&self) -> DurableState {
        let mut state = DurableState::default();
        for x in self.exchanges.values() {
            if x.durable && !Self::is_system_exchange(&x.name) {
                state
                    .exchanges
                    .insert(x.name.to_string(), Self::durable_exchange(x));
            }
        }
        for q in self.queues.values() {
            if !self.stores_queue(q.id) {
                continue;
            }
            // A stream's entries are its log, in `ready` (`handoff` stays
            // empty), in offset order (`StreamLayout::offset_of_message`);
            // other queues keep no places.
            let stream = q.settings.queue_type == QueueType::Stream;
            let messages = q
                .handoff
                .iter()
                .chain(q.ready.iter())
                .zip(0u64..)
                .filter(|(e, _)| q.stores_message(&e.msg))
                .map(|(e, index)| {
                    let placement = stream
                        .then(|| q.stream.offset_of_message(index))
                        .flatten()
                        .map(|offset| StreamPlacement {
                            offset,
                            written_at: q.stream.written_at(offset).unwrap_or(0),
                            tracking_before: q.stream.tracking_before(offset),
                        });
                    (e.seq(), DurableMessage::from_entry(e, placement))
                })
                .collect();
            let held_dead_letters = q
                .dead_letter_held
                .iter()
                .filter(|d| q.stores_message(&d.msg))
                .map(DurableDeadLetter::from_dying)
                .collect();
            state.queues.insert(
                q.name.to_string(),
                DurableQueue {
                    name: q.name.to_string(),
                    auto_delete: q.auto_delete,
                    arguments: q.args.clone(),
                    messages,
                    held_dead_letters,
                    last_active: q.last_active.filter(|_| q.stores_last_active()),
                },
            );
        }
        for x in self.exchanges.values() {
            for b in x.bindings() {
                if let Some(db) = self.stored_binding(x, b) {
                    state.bindings.insert(db.key(), db);
                }
            }
        }
        state
    }

    /// A stored message as the engine's message (its envelope rebuilt).
    fn stored_message(&mut self, m: &DurableMessage) -> MessageRef {
        let envelope = self.envelope(
            Rc::from(m.exchange.as_str()),
            &m.routing_key,
            m.cc.iter().map(|k| Rc::from(k.as_str())).collect(),
            m.properties.clone(),
        );
        MessageRef::with_envelope(MessageId(m.id), envelope, &m.body)
    }

    /// Empties the broker and rebuilds it from a durable state: what RabbitMQ
    /// does when it boots. Connections, the clock, the name generator and
    /// the log carry on.
    pub(crate) fn rebuild_from(&mut self, state: &DurableState) {
        self.exchanges.clear();
        self.exchange_names.clear();
        self.queues.clear();
        self.queue_names.clear();
        self.bound_to.clear();
        self.consumers.clear();
        self.agenda.clear();
        self.timers.clear();
        self.dying.clear();
        for ch in self.channels.values_mut() {
            ch.open = false;
            ch.unacked.clear();
            ch.consumers.clear();
            ch.tx = None;
        }
        for c in self.connections.values_mut() {
            c.open = false;
        }
        self.declare_system_exchanges();
        for dx in state.exchanges.values() {
            if self.exchange_names.contains_key(dx.name.as_str()) {
                continue;
            }
            let id = ExchangeId(self.take_id());
            let mut x = Exchange::new(id, Rc::from(dx.name.as_str()), dx.kind);
            x.durable = true;
            x.auto_delete = dx.auto_delete;
            x.internal = dx.internal;
            x.args = dx.arguments.clone();
            self.exchange_names.insert(x.name.clone(), id);
            self.exchanges.insert(id, x);
        }
        let mut max_message_id = 0;
        // When a stream message from an older store, without its time, was
        // written, as far as readers attaching at a time can tell.
        let loaded_at = self.clock.unix_millis();
        for dq in state.queues.values() {
            // Arguments were valid when declared; a stored record that says
            // otherwise brings the queue back with default settings.
            let mut settings = queue_args::validate(&dq.arguments).unwrap_or_default();
            settings.apply_profile(&dq.arguments, self.config.profile);
            let id = QueueId(self.take_id());
            let mut q = Queue::new(id, Rc::from(dq.name.as_str()), settings);
            q.durable = true;
            q.auto_delete = dq.auto_delete;
            q.args = dq.arguments.clone();
            q.server_named = dq.name.starts_with("amq.gen-");
            q.last_active = dq.last_active;
            // A stream's messages' places, to rebuild its segments.
            let mut stream_log: Vec<(u64, u64, u64, Option<u64>)> = Vec::new();
            for m in dq.messages.values() {
                max_message_id = max_message_id.max(m.id);
                let msg = self.stored_message(m);
                let level = q.level_for(&msg);
                q.next_seq = q.next_seq.max(m.seq + 1);
                let mut entry = Entry::new(msg, m.seq, m.expires_at, m.redelivered, level);
                if q.settings.queue_type == QueueType::Stream {
                    // A record from before offsets were stored follows the
                    // one before it.
                    let offset = m.stream_offset.unwrap_or_else(|| {
                        stream_log.last().map_or(0, |l: &(u64, _, _, _)| l.0 + 1)
                    });
                    let bytes = crate::engine::stream_segments::record_bytes(&entry.msg);
                    let written_at = m.written_at.unwrap_or(loaded_at);
                    stream_log.push((offset, written_at, bytes, m.tracking_before));
                }
                if !q.settings.queue_type.rules().counts_deliveries() {
                    q.ready.push_back(entry);
                    continue;
                }
                // A quorum queue's state survives as it was (the Raft log):
                // its count, and returns still served first; a delivery
                // that was out when the node stopped comes back as a
                // return (recorded: `qq_restart_states`).
                (0..m.returns).for_each(|_| entry.count_return());
                if m.redelivered && !m.requeued {
                    entry.count_return();
                    q.ready.insert_after_returns(entry);
                } else if m.in_returns {
                    q.ready.insert_after_returns(entry);
                } else {
                    q.ready.push_back(entry);
                }
            }
            if q.settings.queue_type == QueueType::Stream {
                q.stream = crate::engine::stream_segments::StreamLayout::restore(
                    q.settings.stream_retention.unwrap_or_default(),
                    stream_log,
                );
            }
            // RabbitMQ's dead-letter worker starts with the queue and is
            // handed every held dead letter: it forwards them at once and
            // holds again, retried every 180 s, those that still reach no
            // queue (`rabbit_fifo_dlx:state_enter/4`, `checkout/2`;
            // `rabbit_fifo_dlx_worker:init/1`). They go with the other
            // dying messages once the bindings are back.
            for held in &dq.held_dead_letters {
                max_message_id = max_message_id.max(held.message.id);
                let msg = self.stored_message(&held.message);
                self.dying.push_back(Dying {
                    queue_name: q.name.clone(),
                    msg,
                    reason: held.reason,
                    dlx: held.dlx.as_deref().map(Rc::from),
                    dlrk: held.dlrk.as_deref().map(Rc::from),
                    held_by: Some(id),
                });
            }
            self.queue_names.insert(q.name.clone(), id);
            self.queues.insert(id, q);
        }
        self.next_message_id = self.next_message_id.max(max_message_id + 1);
        for db in state.bindings.values() {
            let Some(source) = self.exchange_id(&db.source) else {
                continue;
            };
            let destination = if db.destination_kind == DestinationKind::Exchange {
                self.exchange_id(&db.destination).map(Destination::Exchange)
            } else {
                self.queue_id(&db.destination).map(Destination::Queue)
            };
            let Some(destination) = destination else {
                continue;
            };
            let id = BindingId(self.take_id());
            let binding = Binding {
                id,
                destination,
                key: Rc::from(db.routing_key.as_str()),
                args: db.arguments.clone(),
            };
            if let Some(x) = self.exchanges.get_mut(&source) {
                if x.add_binding(binding) {
                    self.bound_to
                        .entry(destination)
                        .or_default()
                        .insert((source, id));
                }
            }
        }
        let queues: Vec<QueueId> = self.queues.keys().copied().collect();
        let now = self.clock.now();
        for q in queues {
            self.drop_expired(q);
            self.schedule_head_expiry(q);
            // A quorum queue's `last_active` is Raft state: recovery
            // (`rabbit_fifo:apply/3` replaying the log) keeps it, so its
            // timer runs on from there. Consumers it had when the node
            // stopped went away at the stop, which moved it (a graceful
            // stop records that). Other queues start their timer now. A
            // stored time ahead of the clock (a store from an earlier run)
            // counts as now.
            let since = self.queues.get(&q).and_then(|q| q.last_active);
            self.arm_queue_expiry_since(q, since.map_or(now, |at| at.min(now)));
        }
        self.settle_dying();
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
