//! Reading the logs for people: one sentence per event, in English or
//! Chinese (`i18n/`), which category an event is in, what it is about, and
//! the names sentences use.
//!
//! Pure (native and wasm): the workbench shows these sentences, and
//! `warren-server` prints the same ones, one line per event.

pub mod i18n;

use crate::engine::event::{Event, EventKind};
use crate::engine::ids::ChannelId;
use crate::engine::message::MessageRef;
use crate::engine::Broker;
use crate::sim::world::World;
use crate::sim::{ActorEventKind, ActorId};
use std::collections::HashMap;
use std::rc::Rc;

/// Event-log categories a person can filter by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Publish,
    Deliver,
    Settle,
    Dead,
    Error,
    Topology,
    Client,
    Worker,
    Store,
    Broker,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Publish,
        Category::Deliver,
        Category::Settle,
        Category::Dead,
        Category::Error,
        Category::Topology,
        Category::Client,
        Category::Worker,
        Category::Store,
        Category::Broker,
    ];
}

/// Names learnt from the log as it happens, for sentences and inspectors.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Channel -> the label of its connection (the worker's or producer's name).
    pub channels: HashMap<ChannelId, Rc<str>>,
    /// Message id -> the message as last seen (published or delivered; a
    /// dead-lettered copy carries its `x-death` header).
    pub messages: HashMap<u64, MessageRef>,
}

impl Names {
    /// Learns what event `e` of `broker` names: a channel's program, a
    /// message's body.
    pub fn learn(&mut self, broker: &Broker, e: &Event) {
        match &e.kind {
            EventKind::ChannelOpened { conn, channel, .. } => {
                let label = broker
                    .connection(*conn)
                    .map(|c| c.label.clone())
                    .unwrap_or_else(|| Rc::from(conn.to_string()));
                self.channels.insert(*channel, label);
            }
            EventKind::Published { message, .. }
            | EventKind::Delivered { message, .. }
            | EventKind::Returned { message, .. } => {
                self.messages.insert(message.id().0, message.clone());
            }
            _ => {}
        }
    }
}

/// Names for sentences: messages, channels, actors (of a simulation; a
/// server has none).
pub struct Say<'a> {
    pub names: &'a Names,
    pub world: Option<&'a World>,
}

/// Body previews are cut to this many characters in sentences.
const PREVIEW_CHARS: usize = 28;

impl Say<'_> {
    /// `#3 "First message."`
    pub fn msg(&self, id: u64) -> String {
        match self.names.messages.get(&id) {
            Some(m) => format!("#{id} “{}”", m.preview(PREVIEW_CHARS)),
            None => format!("#{id}"),
        }
    }

    /// The name of the program behind a channel (its connection's label).
    pub fn chan(&self, ch: ChannelId) -> String {
        match self.names.channels.get(&ch) {
            Some(label) => label.to_string(),
            None => ch.to_string(),
        }
    }

    pub fn actor(&self, id: ActorId) -> String {
        self.world
            .and_then(|world| actor_label(world, id))
            .unwrap_or_else(|| format!("#{}", id.0))
    }

    /// An exchange's name as people read it (`""` is the default exchange).
    pub fn exchange(name: &str, default_label: &str) -> String {
        if name.is_empty() {
            default_label.to_string()
        } else {
            format!("'{name}'")
        }
    }
}

pub fn category(kind: &EventKind) -> Category {
    use EventKind::*;
    match kind {
        BrokerStarted { .. }
        | BrokerStopped { .. }
        | VhostDeleted { .. }
        | VhostAdded { .. }
        | PermissionsSet { .. } => Category::Broker,
        MethodFailed { .. } | AckTimedOut { .. } | ConsumerTimedOut { .. } => Category::Error,
        ConnectionClosed { error: Some(_), .. } | ChannelClosed { error: Some(_), .. } => {
            Category::Error
        }
        ConnectionOpened { .. }
        | ConnectionClosed { .. }
        | ChannelOpened { .. }
        | ChannelClosed { .. }
        | QosSet { .. }
        | ConsumerAdded { .. }
        | ConsumerCancelled { .. }
        | ConsumerActivated { .. }
        | ConfirmSelected { .. }
        | TxSelected { .. }
        | TxCommitted { .. }
        | TxRolledBack { .. } => Category::Client,
        ExchangeDeclared { .. }
        | ExchangeDeleted { .. }
        | QueueDeclared { .. }
        | QueueRedeclared { .. }
        | QueueDeleted { .. }
        | QueuePurged { .. }
        | BindingAdded { .. }
        | BindingRemoved { .. } => Category::Topology,
        Published { .. }
        | Routed { .. }
        | Unroutable { .. }
        | Returned { .. }
        | Enqueued { .. }
        | HandoffJoined { .. }
        | PublishRefused { .. }
        | Confirmed { .. } => Category::Publish,
        Delivered { .. } | GetEmpty { .. } => Category::Deliver,
        Acked { .. } | Rejected { .. } | Requeued { .. } => Category::Settle,
        Expired { .. } | Overflowed { .. } | MessageDead { .. } => Category::Dead,
        BatchFailed { .. } => Category::Error,
        ConfirmPending { .. } | BatchSealed { .. } | BatchCommitted { .. } => Category::Store,
    }
}

pub fn actor_category(kind: &ActorEventKind) -> Category {
    match kind {
        ActorEventKind::ProducerFailed { .. } => Category::Error,
        _ => Category::Worker,
    }
}

/// The message and the channel an event is about, if any.
fn subjects(kind: &EventKind) -> (Option<u64>, Option<ChannelId>) {
    use EventKind::*;
    match kind {
        Published {
            message, channel, ..
        }
        | Returned {
            message, channel, ..
        }
        | Delivered {
            message, channel, ..
        } => (Some(message.id().0), Some(*channel)),
        Acked {
            message, channel, ..
        }
        | Rejected {
            message, channel, ..
        } => (Some(message.0), Some(*channel)),
        Requeued {
            message, channel, ..
        } => (Some(message.0), *channel),
        Routed { message, .. }
        | Unroutable { message, .. }
        | Enqueued { message, .. }
        | PublishRefused { message, .. }
        | Expired { message, .. }
        | Overflowed { message, .. }
        | MessageDead { message, .. } => (Some(message.0), None),
        ChannelOpened { channel, .. }
        | ChannelClosed { channel, .. }
        | MethodFailed { channel, .. }
        | AckTimedOut { channel, .. }
        | ConsumerTimedOut { channel, .. }
        | QosSet { channel, .. }
        | ConsumerAdded { channel, .. }
        | ConsumerCancelled { channel, .. }
        | Confirmed { channel, .. }
        | ConfirmPending { channel, .. }
        | GetEmpty { channel, .. }
        | TxCommitted { channel, .. }
        | TxRolledBack { channel, .. }
        | ConfirmSelected { channel }
        | TxSelected { channel } => (None, Some(*channel)),
        _ => (None, None),
    }
}

/// The message an event is about, if any.
pub fn message_of(kind: &EventKind) -> Option<u64> {
    subjects(kind).0
}

/// The channel an event happened on, if any.
pub fn channel_of(kind: &EventKind) -> Option<ChannelId> {
    subjects(kind).1
}

/// The producer or worker of an actor event, and the message it is about.
pub fn actor_subjects(kind: &ActorEventKind) -> (ActorId, Option<u64>) {
    use ActorEventKind::*;
    match kind {
        WorkerStarted {
            worker, message, ..
        }
        | WorkerFinished {
            worker, message, ..
        }
        | WorkerReplied {
            worker, message, ..
        } => (*worker, Some(*message)),
        ProducerPublished {
            producer, message, ..
        }
        | ProducerGotReply {
            producer, message, ..
        } => (*producer, Some(*message)),
        WorkerPaused { worker }
        | WorkerResumed { worker }
        | WorkerKilled { worker, .. }
        | WorkerCancelled { worker } => (*worker, None),
        ProducerFailed { producer, .. } | ProducerStopped { producer } => (*producer, None),
    }
}

pub fn actor_message_of(kind: &ActorEventKind) -> Option<u64> {
    actor_subjects(kind).1
}

/// A producer's or worker's name.
pub fn actor_label(world: &World, id: ActorId) -> Option<String> {
    let sim = &world.sim;
    sim.worker(id)
        .map(|w| w.spec.name.clone())
        .or_else(|| sim.producer(id).map(|p| p.spec.name.clone()))
}
