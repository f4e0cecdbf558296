//! Reading the logs for people: which category an event is in, which objects
//! it involves (for the log's filter and a message's journey), and the names
//! the sentences use. The sentences themselves are in `i18n/events.rs`.

use crate::engine::event::{Event, EventKind};
use crate::engine::ids::ChannelId;
use crate::sim::world::World;
use crate::sim::{ActorEvent, ActorEventKind, ActorId};
use crate::ui::state::{Category, Selection};
use crate::ui::timeline::Names;

/// Names for sentences: messages, channels, actors.
pub struct Say<'a> {
    pub names: &'a Names,
    pub world: &'a World,
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
        let sim = &self.world.sim;
        if let Some(w) = sim.worker(id) {
            return w.spec.name.clone();
        }
        if let Some(p) = sim.producer(id) {
            return p.spec.name.clone();
        }
        format!("#{}", id.0)
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
        BrokerStarted { .. } | BrokerStopped { .. } => Category::Broker,
        MethodFailed { .. } => Category::Error,
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
fn channel_of(kind: &EventKind) -> Option<ChannelId> {
    subjects(kind).1
}

/// The producer or worker of an actor event, and the message it is about.
fn actor_subjects(kind: &ActorEventKind) -> (ActorId, Option<u64>) {
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

/// Whether a broker event involves the selected object.
pub fn involves(
    e: &Event,
    sel: &Selection,
    names: &crate::ui::timeline::Names,
    world: &World,
) -> bool {
    use EventKind::*;
    let kind = &e.kind;
    match sel {
        Selection::Message(id) => message_of(kind) == Some(*id),
        Selection::Queue(q) => {
            let q: &str = q;
            match kind {
                QueueDeclared { name, .. }
                | QueueDeleted { name, .. }
                | QueuePurged { name, .. } => &**name == q,
                BindingAdded { destination, .. } | BindingRemoved { destination, .. } => {
                    &**destination == q
                }
                ConsumerAdded { queue_name, .. }
                | ConsumerCancelled { queue_name, .. }
                | ConsumerActivated { queue_name, .. }
                | Enqueued { queue_name, .. }
                | HandoffJoined { queue_name, .. }
                | PublishRefused { queue_name, .. }
                | Delivered { queue_name, .. }
                | GetEmpty { queue_name, .. }
                | Acked { queue_name, .. }
                | Rejected { queue_name, .. }
                | Requeued { queue_name, .. }
                | Expired { queue_name, .. }
                | Overflowed { queue_name, .. }
                | MessageDead { queue_name, .. } => &**queue_name == q,
                Routed { trace, .. } => trace.queues.iter().any(|n| **n == *q),
                _ => false,
            }
        }
        Selection::Exchange(x) => {
            let x: &str = x;
            match kind {
                ExchangeDeclared { name, .. } | ExchangeDeleted { name, .. } => &**name == x,
                BindingAdded {
                    source,
                    destination,
                    ..
                }
                | BindingRemoved {
                    source,
                    destination,
                    ..
                } => &**source == x || &**destination == x,
                Routed {
                    exchange, trace, ..
                } => &**exchange == x || trace.matched.iter().any(|m| &*m.exchange == x),
                Unroutable { exchange, .. } => &**exchange == x,
                Published { message, .. } => &*message.exchange == x,
                _ => false,
            }
        }
        Selection::Worker(id) | Selection::Producer(id) => {
            let Some(label) = actor_label(world, *id) else {
                return false;
            };
            match channel_of(kind) {
                Some(ch) => names.channels.get(&ch).is_some_and(|l| **l == *label),
                None => false,
            }
        }
    }
}

fn actor_label(world: &World, id: ActorId) -> Option<String> {
    let sim = &world.sim;
    sim.worker(id)
        .map(|w| w.spec.name.clone())
        .or_else(|| sim.producer(id).map(|p| p.spec.name.clone()))
}

/// Whether an actor event involves the selected object.
pub fn actor_involves(e: &ActorEvent, sel: &Selection) -> bool {
    match sel {
        Selection::Message(id) => actor_message_of(&e.kind) == Some(*id),
        Selection::Worker(id) | Selection::Producer(id) => actor_subjects(&e.kind).0 == *id,
        _ => false,
    }
}
