//! Durable state: what survives a broker restart, and booting from it.
//!
//! RabbitMQ recovers, on boot: durable exchanges, durable queues (with their
//! arguments), bindings whose source *and* destination are durable, and the
//! persistent messages (`delivery_mode = 2`) in durable queues, in order; a
//! message that had been delivered but not acknowledged comes back ready with
//! `redelivered = true`. Transient queues and exchanges, transient messages,
//! exclusive queues (always transient) and their bindings are gone.
//!
//! [`DurableState`] is that picture. The store (`src/store`) keeps it on disk;
//! the engine can also take it directly from its own state for a graceful
//! restart.

use crate::engine::broker::Broker;
use crate::engine::clock::Millis;
use crate::engine::exchange::{Binding, Destination, Exchange, ExchangeType};
use crate::engine::ids::{BindingId, ExchangeId, QueueId};
use crate::engine::message::{Message, MessageId, Properties};
use crate::engine::queue::{Entry, Queue};
use crate::engine::queue_args;
use crate::engine::value::FieldTable;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DurableState {
    pub exchanges: Vec<DurableExchange>,
    pub queues: Vec<DurableQueue>,
    pub bindings: Vec<DurableBinding>,
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
    /// Persistent messages, in queue order.
    pub messages: Vec<DurableMessage>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurableMessage {
    pub seq: u64,
    pub id: u64,
    pub redelivered: bool,
    pub expires_at: Option<Millis>,
    pub exchange: String,
    pub routing_key: String,
    pub cc: Vec<String>,
    pub properties: Properties,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurableBinding {
    pub source: String,
    pub destination: String,
    /// `"queue"` or `"exchange"`.
    pub destination_kind: String,
    pub routing_key: String,
    pub arguments: FieldTable,
}

impl DurableMessage {
    pub fn from_entry(e: &Entry) -> DurableMessage {
        DurableMessage {
            seq: e.seq,
            id: e.msg.id.0,
            redelivered: e.redelivered,
            expires_at: e.expires_at,
            exchange: e.msg.exchange.to_string(),
            routing_key: e.msg.routing_key.to_string(),
            cc: e.msg.cc.iter().map(|k| k.to_string()).collect(),
            properties: (*e.msg.properties).clone(),
            body: e.msg.body.to_vec(),
        }
    }
}

impl Broker {
    fn is_system_exchange(name: &str) -> bool {
        name.starts_with("amq.")
    }

    /// What of the current state is durable (unacked deliveries are not
    /// included: a graceful stop requeues them first).
    pub fn durable_state(&self) -> DurableState {
        let mut state = DurableState::default();
        for x in self.exchanges.values() {
            if x.durable && !Self::is_system_exchange(&x.name) {
                state.exchanges.push(DurableExchange {
                    name: x.name.to_string(),
                    kind: x.kind,
                    auto_delete: x.auto_delete,
                    internal: x.internal,
                    arguments: x.args.clone(),
                });
            }
        }
        for q in self.queues.values() {
            if !q.durable || q.exclusive_owner.is_some() {
                continue;
            }
            let messages = q
                .handoff
                .iter()
                .chain(q.ready.iter())
                .filter(|e| e.msg.is_persistent())
                .map(DurableMessage::from_entry)
                .collect();
            state.queues.push(DurableQueue {
                name: q.name.to_string(),
                auto_delete: q.auto_delete,
                arguments: q.args.clone(),
                messages,
            });
        }
        for x in self.exchanges.values() {
            if !x.durable {
                continue;
            }
            for b in x.bindings() {
                if self.is_durable_destination(b.destination) {
                    state.bindings.push(self.durable_binding(x, b));
                }
            }
        }
        state
    }

    pub(crate) fn is_durable_destination(&self, d: Destination) -> bool {
        match d {
            Destination::Queue(q) => self
                .queues
                .get(&q)
                .is_some_and(|q| q.durable && q.exclusive_owner.is_none()),
            Destination::Exchange(x) => self.exchanges.get(&x).is_some_and(|x| x.durable),
        }
    }

    pub(crate) fn durable_binding(&self, x: &Exchange, b: &Binding) -> DurableBinding {
        DurableBinding {
            source: x.name.to_string(),
            destination: self.destination_name(b.destination).to_string(),
            destination_kind: crate::engine::broker::destination_kind(b.destination).to_string(),
            routing_key: b.key.to_string(),
            arguments: b.args.clone(),
        }
    }

    /// Empties the broker and rebuilds it from a durable state: what RabbitMQ
    /// does when it boots. Connections, the clock, the name generator and
    /// the log carry on.
    pub(crate) fn boot_from(&mut self, state: &DurableState) {
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
        }
        for c in self.connections.values_mut() {
            c.open = false;
        }
        self.declare_system_exchanges();
        for dx in &state.exchanges {
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
        for dq in &state.queues {
            if self.queue_names.contains_key(dq.name.as_str()) {
                continue;
            }
            // Arguments were valid when declared; if a stored record says
            // otherwise, the queue comes back with default settings.
            let settings = queue_args::validate(&dq.arguments).unwrap_or_default();
            let id = QueueId(self.take_id());
            let mut q = Queue::new(id, Rc::from(dq.name.as_str()), settings);
            q.durable = true;
            q.auto_delete = dq.auto_delete;
            q.args = dq.arguments.clone();
            q.server_named = dq.name.starts_with("amq.gen-");
            let mut messages: Vec<&DurableMessage> = dq.messages.iter().collect();
            messages.sort_by_key(|m| m.seq);
            for m in messages {
                max_message_id = max_message_id.max(m.id);
                let msg = Rc::new(Message {
                    id: MessageId(m.id),
                    exchange: Rc::from(m.exchange.as_str()),
                    routing_key: Rc::from(m.routing_key.as_str()),
                    cc: m.cc.iter().map(|k| Rc::from(k.as_str())).collect(),
                    properties: Rc::new(m.properties.clone()),
                    body: Rc::from(m.body.as_slice()),
                });
                let level = q.level_for(&msg);
                q.next_seq = q.next_seq.max(m.seq + 1);
                q.ready.push_back(Entry {
                    msg,
                    seq: m.seq,
                    expires_at: m.expires_at,
                    redelivered: m.redelivered,
                    returns: 0,
                    level,
                });
            }
            self.queue_names.insert(q.name.clone(), id);
            self.queues.insert(id, q);
        }
        self.next_message_id = self.next_message_id.max(max_message_id + 1);
        for db in &state.bindings {
            let (Some(source), destination) = (
                self.exchange_id(&db.source),
                if db.destination_kind == "exchange" {
                    self.exchange_id(&db.destination).map(Destination::Exchange)
                } else {
                    self.queue_id(&db.destination).map(Destination::Queue)
                },
            ) else {
                continue;
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
        for q in queues {
            self.drop_expired(q);
            self.schedule_head_expiry(q);
            self.arm_queue_expiry(q);
        }
        self.settle_dying();
    }
}
