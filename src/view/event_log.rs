//! The event log as a person reads it, worked out from the timeline: which
//! entries a filter keeps (categories hidden, only what involves the
//! selected object), the broker's and the workers' events interleaved in
//! the order they happened, and each entry's step, time, category and
//! sentence in English or Chinese (`crate::describe`). Pure, so the log the
//! workbench shows is tested natively (`tests/event_log.rs`); the event
//! log component only draws these rows.

use crate::describe::i18n::Lang;
use crate::describe::{
    actor_category, actor_label, actor_message_of, actor_subjects, category, channel_of,
    message_of, Category, Names, Say,
};
use crate::engine::clock::Millis;
use crate::engine::event::{Event, EventKind};
use crate::sim::world::World;
use crate::sim::{ActorEvent, ActorId};
use crate::view::timeline::Timeline;
use std::collections::BTreeSet;
use std::rc::Rc;

/// What the inspector shows (and what the log's "only selected" keeps).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Producer(ActorId),
    Exchange(Rc<str>),
    Queue(Rc<str>),
    Worker(ActorId),
    Message(u64),
}

/// The event log's filter.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LogFilter {
    /// Categories hidden.
    pub hidden: BTreeSet<Category>,
    /// Only events that involve the selected object.
    pub only_selected: bool,
}

/// One row of the log: a broker event or an actor (producer, worker) event,
/// by its index in the timeline's events up to the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogRow {
    Broker(usize),
    Actor(usize),
}

/// What a row shows.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// The step (timeline position) it happened in: a click seeks there.
    pub tick: usize,
    pub time: Millis,
    pub category: Category,
    /// The event kind's name (`data-kind`, for tests and styles); actor
    /// events are all `worker`.
    pub kind: &'static str,
    pub sentence: String,
}

/// The rows the filter keeps at the timeline's cursor, broker and actor
/// events interleaved in the order they happened (an actor event before
/// the broker events from its `broker_seq` on).
pub fn rows(tl: &Timeline, filter: &LogFilter, selection: Option<&Selection>) -> Vec<LogRow> {
    let events = tl.events();
    let actor_all = tl.world().sim.actor_events();
    let actors = &actor_all[..tl.current_mark().actor_len.min(actor_all.len())];
    let sel = if filter.only_selected {
        selection
    } else {
        None
    };
    let keep_broker = |e: &Event| {
        !filter.hidden.contains(&category(&e.kind))
            && sel.is_none_or(|sel| involves(e, sel, &tl.names, tl.world()))
    };
    let keep_actor = |e: &ActorEvent| {
        !filter.hidden.contains(&actor_category(&e.kind))
            && sel.is_none_or(|sel| actor_involves(e, sel))
    };
    let mut rows = Vec::with_capacity(events.len() + actors.len());
    let (mut b, mut a) = (0, 0);
    while b < events.len() || a < actors.len() {
        let take_actor =
            a < actors.len() && (b >= events.len() || actors[a].broker_seq <= events[b].seq);
        if take_actor {
            if keep_actor(&actors[a]) {
                rows.push(LogRow::Actor(a));
            }
            a += 1;
        } else {
            if keep_broker(&events[b]) {
                rows.push(LogRow::Broker(b));
            }
            b += 1;
        }
    }
    rows
}

/// What row `row` shows, in `lang`; `None` for a row past the cursor's
/// events (a stale row while the list redraws).
pub fn entry(tl: &Timeline, row: LogRow, lang: Lang) -> Option<LogEntry> {
    let say = Say {
        names: &tl.names,
        world: Some(tl.world()),
    };
    Some(match row {
        LogRow::Broker(b) => {
            let e = tl.events().get(b)?;
            LogEntry {
                tick: tl.tick_of_event(e.seq),
                time: e.time,
                category: category(&e.kind),
                kind: e.kind.name(),
                sentence: lang.event(&e.kind, &say),
            }
        }
        LogRow::Actor(a) => {
            let e = tl.world().sim.actor_events().get(a)?;
            LogEntry {
                tick: tl.tick_of_actor_event(a),
                time: e.time,
                category: actor_category(&e.kind),
                kind: "worker",
                sentence: lang.actor_event(&e.kind, &say),
            }
        }
    })
}

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
