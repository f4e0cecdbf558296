//! Which log entries involve what a person selected (the event log's
//! filter and a message's journey). The sentences, categories and names are
//! the pure `crate::describe`, re-exported here.

pub use crate::describe::*;

use crate::engine::event::{Event, EventKind};
use crate::sim::world::World;
use crate::sim::ActorEvent;
use crate::ui::state::Selection;

/// Whether a broker event involves the selected object.
pub fn involves(e: &Event, sel: &Selection, names: &Names, world: &World) -> bool {
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

/// Whether an actor event involves the selected object.
pub fn actor_involves(e: &ActorEvent, sel: &Selection) -> bool {
    match sel {
        Selection::Message(id) => actor_message_of(&e.kind) == Some(*id),
        Selection::Worker(id) | Selection::Producer(id) => actor_subjects(&e.kind).0 == *id,
        _ => false,
    }
}
