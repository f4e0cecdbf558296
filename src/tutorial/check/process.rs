//! Python processes stand in for workbench actors (issue 15).
//!
//! A pika script in a terminal is not a simulated worker or producer: the
//! broker only sees its connections, which carry the process's name as
//! their label (`send.py`, or the script's own `connection_name`). A
//! checkpoint naming an actor also reads what the processes standing in
//! for that name did, from the engine's events on their channels, the way
//! the actor's own counters would be read.
//!
//! # Which processes stand in for a name
//!
//! 1. The processes' connections labelled with the name itself: every run
//!    of `send.py` is `send.py`; a script that sets
//!    `connection_name='worker 2'` is `worker 2`.
//! 2. Otherwise, a name of the form `STEM N` (N ≥ 1) — how the chapters
//!    and the workbench number copies of one program: `worker 2`,
//!    `customer 2`, `rpc_server 2` — is the processes of the N-th terminal
//!    running `STEM.py`. The terminals name a process's connections after
//!    its script, and number the copies in the terminals' order
//!    (`www/terminals.js`): the first terminal running worker.py is
//!    `worker.py`, the second `worker.py (2)`. So two terminals running
//!    worker.py are `worker 1` and `worker 2`, and a terminal whose script
//!    is edited and run again stays what it was — as a learner sees them,
//!    side by side.
//!
//! A workbench actor and processes may share a name (chapter 4 has a
//! workbench `new_task.py`; the learner runs one in a terminal). Both
//! count, each on its own: the actor's connections are never a
//! process's (`WireClients::opened_by_process` tells them apart), so a
//! `producer` or `worker` check holds if the actor or a process matches,
//! and an `actor_event` count adds the actor's events to the processes'.
//!
//! # What a process's events stand for
//!
//! - `producer_published` ← `published`; `worker_started` ←
//!   `consumer_added`; `worker_finished` ← `acked` (outcome `acked`),
//!   `rejected` (outcome `rejected` or `nacked`, with `requeue`), and
//!   deliveries that need no ack (outcome `done`: auto-ack is finished
//!   when sent).
//! - Deliveries that need an ack and are never settled: the broker cannot
//!   see a callback run, so each process consumer is read as the lessons'
//!   `worker.py` works — one delivery at a time, in order, one second of
//!   virtual time per dot of the body (`time.sleep(body.count(b'.'))`; a
//!   body without dots takes no time), starting when it arrives or when the
//!   previous one was settled or done. A delivery still unsettled once its
//!   work is over is `forgot` (counted with the delivery): the callback
//!   returned without `basic_ack`, and the message stays unacknowledged
//!   until the channel closes. A delivery whose work had begun and not
//!   ended when the process's side ended its channel (the process was
//!   killed, or exited on an exception such as the lessons'
//!   `method.deliver_tag` typo, so its socket closed and the broker
//!   requeued what it held) is `crashed` — one per channel, the delivery it
//!   was on, as the workbench's crashing worker does — and that end is a
//!   `worker_killed` (with `lost_in_hand`, the unsettled deliveries not
//!   forgotten) when a consumer was still live on the channel. A process
//!   that cancels its consumers and closes cleanly is not killed; a
//!   channel the broker closes (an error, the acknowledgement timeout, a
//!   restart or crash) crashes nobody.
//! - `producer` by name ← one stand-in per name, once it has published:
//!   `sent` = publishes, `confirm` = some publish had a confirm number,
//!   `acked`/`nacked` = `confirmed` with ack true/false, `returned` =
//!   `returned`, `lost` = publishes still waiting for their confirm when
//!   the broker stopped (restart or crash: the producer cannot know whether
//!   they were kept and must publish them again), as the workbench's
//!   producer counts them; those of a channel the process closed, or the
//!   broker closed on an error, before it stopped are not counted. Fields
//!   only the workbench knows (exchange, routing key, persistent, rpc,
//!   replies, unconfirmed) are not matched by a process when asked for.
//! - `worker` by name ← each consumer added on those channels: `queue`,
//!   `no_ack` and `prefetch` as basic.consume and basic.qos set them;
//!   `done` = deliveries settled, forgotten, or auto-ack (which the broker
//!   counts done when sent); `in_hand` = deliveries needing an ack neither
//!   settled nor forgotten, plus, while it consumes, its auto-ack
//!   deliveries (the broker cannot see pika work through them); `state`
//!   `running` while the consumer is not cancelled, any other state after.
//! - `event` with `worker`/`producer` counts those channels too.
//!
//! As for actors, `actor_event` counts since the task began (an outcome
//! belongs to the task its delivery, or its channel's end, happened in),
//! while `producer` and `worker` read the process's whole history
//! (`Observation::history`), as an actor's counters do. Other actor events
//! have no engine counterpart and count nothing for a process.

use super::{event_channel, events_on, Observation};
use crate::engine::clock::Millis;
use crate::engine::event::{CancelReason, Event, EventKind, Initiator};
use crate::engine::ids::{ConnId, ConsumerId};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Virtual time the lessons' worker.py spends per dot of a body.
pub const WORK_MS_PER_DOT: Millis = 1_000;

/// The connections processes opened, in order, with their labels.
fn process_connections<'a>(obs: Observation<'a>) -> impl Iterator<Item = (ConnId, &'a str)> {
    obs.history.iter().filter_map(move |e| match &e.kind {
        EventKind::ConnectionOpened { conn, label, .. }
            if obs.sim.wire.opened_by_process(*conn) =>
        {
            Some((*conn, &**label))
        }
        _ => None,
    })
}

/// `STEM N` as (`STEM`, N), N ≥ 1.
fn numbered(name: &str) -> Option<(&str, usize)> {
    let (stem, n) = name.rsplit_once(' ')?;
    let n: usize = n.parse().ok()?;
    (n >= 1 && !stem.trim().is_empty()).then_some((stem, n))
}

/// The connection name the terminals give the N-th copy of `STEM.py`
/// (`www/terminals.js`): `STEM.py`, then `STEM.py (2)`, ….
fn terminal_copy(stem: &str, n: usize) -> String {
    if n == 1 {
        format!("{stem}.py")
    } else {
        format!("{stem}.py ({n})")
    }
}

/// The channels opened on `conns`, over the whole history.
fn channels_of(history: &[Event], conns: &[ConnId]) -> Vec<u32> {
    history
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ChannelOpened { conn, channel, .. } if conns.contains(conn) => {
                Some(channel.0)
            }
            _ => None,
        })
        .collect()
}

/// The channels of the processes standing in for `name` (see the module
/// doc); none if no process does.
pub(super) fn process_channels(obs: Observation<'_>, name: &str) -> Vec<u32> {
    let labelled = |label: &str| -> Vec<ConnId> {
        process_connections(obs)
            .filter(|(_, l)| *l == label)
            .map(|(conn, _)| conn)
            .collect()
    };
    let mut conns = labelled(name);
    if conns.is_empty() {
        if let Some((stem, n)) = numbered(name) {
            conns = labelled(&terminal_copy(stem, n));
        }
    }
    channels_of(obs.history, &conns)
}

/// The channels of every process: what an `actor_event` naming no actor
/// counts besides the actors' own events.
pub(super) fn every_process_channel(obs: Observation<'_>) -> Vec<u32> {
    let conns: Vec<ConnId> = process_connections(obs).map(|(conn, _)| conn).collect();
    channels_of(obs.history, &conns)
}

/// The channels of connections labelled `name` that no process opened:
/// those a workbench actor of that name has had (a worker edited or
/// reconnected gets a new one).
pub(super) fn actor_labelled_channels(obs: Observation<'_>, name: &str) -> Vec<u32> {
    let conns: Vec<ConnId> = obs
        .history
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ConnectionOpened { conn, label, .. }
                if **label == *name && !obs.sim.wire.opened_by_process(*conn) =>
            {
                Some(*conn)
            }
            _ => None,
        })
        .collect();
    channels_of(obs.history, &conns)
}

/// A delivery that needs an ack, on a process's channel.
struct AckDelivery {
    /// The `delivered` event's position in the log.
    seq: u64,
    consumer: Option<ConsumerId>,
    delivery_tag: u64,
    at: Millis,
    /// How long the lessons' worker.py works on it.
    work_ms: Millis,
    /// When it was acked or rejected.
    settled_at: Option<Millis>,
}

/// How a channel ended.
struct ChannelEnd {
    /// The ending event's position in the log.
    seq: u64,
    at: Millis,
    /// The process's side ended it (it closed it, or its socket went):
    /// false when the broker did (an error, a timeout, a restart).
    by_process: bool,
    /// Consumers still live then (not cancelled by the client first).
    consumers_live: bool,
}

/// What became of the deliveries needing an ack on one channel that were
/// never settled (see the module doc).
#[derive(Default)]
struct Unsettled {
    /// Positions (delivery events) of the forgotten deliveries, and their
    /// consumers.
    forgot: Vec<(u64, Option<ConsumerId>)>,
    /// The channel's end, when the process died during a delivery's work.
    crashed: Option<u64>,
    /// The channel's end, when the process's side ended it with a consumer
    /// live; and how many deliveries it held, neither settled nor forgotten.
    killed: Option<(u64, usize)>,
}

/// Reads one channel's history: its deliveries needing an ack, how it
/// ended, and so what became of those never settled, `now` being the
/// virtual time of the world checked.
fn unsettled_on(history: &[Event], channel: u32, now: Millis) -> Unsettled {
    let mut conn: Option<ConnId> = None;
    let mut deliveries: Vec<AckDelivery> = Vec::new();
    let mut live: Vec<ConsumerId> = Vec::new();
    let mut end: Option<ChannelEnd> = None;
    for e in history {
        let on_channel = event_channel(&e.kind) == Some(channel);
        let ended = |by_process: bool, live: &[ConsumerId]| ChannelEnd {
            seq: e.seq,
            at: e.time,
            by_process,
            consumers_live: !live.is_empty(),
        };
        match &e.kind {
            EventKind::ChannelOpened {
                conn: c,
                channel: ch,
                ..
            } if ch.0 == channel => conn = Some(*c),
            EventKind::Delivered {
                message,
                consumer,
                delivery_tag,
                ack_required: true,
                ..
            } if on_channel => {
                let dots = message.body().iter().filter(|b| **b == b'.').count() as u64;
                deliveries.push(AckDelivery {
                    seq: e.seq,
                    consumer: *consumer,
                    delivery_tag: *delivery_tag,
                    at: e.time,
                    work_ms: dots.saturating_mul(WORK_MS_PER_DOT),
                    settled_at: None,
                });
            }
            EventKind::Acked { delivery_tag, .. } | EventKind::Rejected { delivery_tag, .. }
                if on_channel =>
            {
                if let Some(d) = deliveries
                    .iter_mut()
                    .rev()
                    .find(|d| d.delivery_tag == *delivery_tag)
                {
                    d.settled_at.get_or_insert(e.time);
                }
            }
            EventKind::ConsumerAdded { consumer, .. } if on_channel => live.push(*consumer),
            EventKind::ConsumerCancelled {
                consumer,
                reason: CancelReason::Client,
                ..
            } if on_channel => live.retain(|c| c != consumer),
            // Channels that die with their connection are closed by the
            // broker without an error; the connection's close says who.
            EventKind::ChannelClosed { by, error, .. } if on_channel => match (by, error) {
                (Initiator::Client, _) => end = Some(ended(true, &live)),
                (Initiator::Broker, Some(_)) => end = Some(ended(false, &live)),
                (Initiator::Broker, None) => {}
            },
            EventKind::ConnectionClosed { conn: c, by, .. } if Some(*c) == conn => {
                end = Some(ended(*by == Initiator::Client, &live))
            }
            EventKind::BrokerStopped { .. } if conn.is_some() => end = Some(ended(false, &live)),
            _ => {}
        }
        if end.is_some() {
            break;
        }
    }

    let mut out = Unsettled::default();
    let mut free_at: Millis = 0;
    let mut held = 0usize;
    for d in &deliveries {
        let start = d.at.max(free_at);
        let finish = start.saturating_add(d.work_ms);
        if let Some(settled) = d.settled_at {
            free_at = settled.max(start);
            continue;
        }
        let work_over = match &end {
            Some(end) => finish < end.at,
            None => finish <= now,
        };
        // The worker is busy with it until its work is over, whatever
        // became of it.
        free_at = finish;
        if work_over {
            out.forgot.push((d.seq, d.consumer));
            continue;
        }
        if held == 0 {
            if let Some(end) = end.as_ref().filter(|end| end.by_process) {
                out.crashed = Some(end.seq);
            }
        }
        held += 1;
    }
    if let Some(end) = end.filter(|end| end.by_process && end.consumers_live) {
        out.killed = Some((end.seq, held));
    }
    out
}

/// The actor events the processes' engine events on `channels` stand for,
/// since the task began, as JSON the way `ActorEvent`s serialize.
pub(super) fn actor_events(obs: Observation<'_>, channels: &[u32]) -> Vec<Value> {
    let mut out: Vec<Value> = events_on(obs.events, channels)
        .filter_map(|k| match k {
            EventKind::Published { .. } => Some(json!({"kind": "producer_published"})),
            EventKind::ConsumerAdded { queue_name, .. } => {
                Some(json!({"kind": "worker_started", "queue": &**queue_name}))
            }
            EventKind::Acked { .. } => {
                Some(json!({"kind": "worker_finished", "outcome": {"kind": "acked"}}))
            }
            EventKind::Rejected { requeue, nack, .. } => Some(json!({
                "kind": "worker_finished",
                "outcome": {"kind": if *nack { "nacked" } else { "rejected" }, "requeue": requeue},
            })),
            EventKind::Delivered {
                ack_required: false,
                ..
            } => Some(json!({"kind": "worker_finished", "outcome": {"kind": "done"}})),
            _ => None,
        })
        .collect();
    // Positions from here on are this task's.
    let task_began = obs.events.first().map_or(u64::MAX, |e| e.seq);
    let now = obs.sim.now();
    for channel in channels {
        let u = unsettled_on(obs.history, *channel, now);
        let forgot = u.forgot.iter().filter(|(seq, _)| *seq >= task_began);
        out.extend(
            forgot.map(|_| json!({"kind": "worker_finished", "outcome": {"kind": "forgot"}})),
        );
        if u.crashed.is_some_and(|seq| seq >= task_began) {
            out.push(json!({"kind": "worker_finished", "outcome": {"kind": "crashed"}}));
        }
        if let Some((_, held)) = u.killed.filter(|(seq, _)| *seq >= task_began) {
            out.push(json!({"kind": "worker_killed", "lost_in_hand": held}));
        }
    }
    out
}

/// A Python consumer seen as a worker.
pub(super) struct ProcessConsumer {
    pub queue: String,
    pub no_ack: bool,
    pub prefetch: u64,
    pub live: bool,
    pub done: u64,
    pub in_hand: u64,
}

/// Every consumer added on `channels`, with what its channel did, over the
/// whole history held (a workbench worker's counters are not since the
/// task began either).
pub(super) fn consumers(obs: Observation<'_>, channels: &[u32]) -> Vec<ProcessConsumer> {
    let log = obs.history;
    let now = obs.sim.now();
    // Forgotten deliveries per consumer, one reading per channel.
    let mut forgotten: BTreeMap<ConsumerId, u64> = BTreeMap::new();
    for channel in channels {
        for (_, consumer) in unsettled_on(log, *channel, now).forgot {
            if let Some(c) = consumer {
                *forgotten.entry(c).or_default() += 1;
            }
        }
    }
    let mut out = Vec::new();
    for k in events_on(log, channels) {
        if let EventKind::ConsumerAdded {
            consumer,
            channel,
            queue_name,
            no_ack,
            prefetch,
            ..
        } = k
        {
            let on_channel = [channel.0];
            let (mut auto_acked, mut needing_ack, mut settled) = (0u64, 0u64, 0u64);
            let mut live = true;
            for k in events_on(log, &on_channel) {
                match k {
                    EventKind::Delivered {
                        consumer: Some(c),
                        ack_required,
                        ..
                    } if c == consumer => {
                        if *ack_required {
                            needing_ack += 1
                        } else {
                            auto_acked += 1
                        }
                    }
                    EventKind::Acked { .. } | EventKind::Rejected { .. } => settled += 1,
                    EventKind::ConsumerCancelled { consumer: c, .. } if c == consumer => {
                        live = false
                    }
                    EventKind::ChannelClosed { .. } => live = false,
                    _ => {}
                }
            }
            let forgot = forgotten.get(consumer).copied().unwrap_or(0);
            out.push(ProcessConsumer {
                queue: queue_name.to_string(),
                no_ack: *no_ack,
                prefetch: u64::from(*prefetch),
                live,
                done: auto_acked + settled + forgot,
                // The broker cannot see an auto-ack process work through
                // what it was sent (pika holds it all): while the consumer
                // lives, everything it was sent is in its hands.
                in_hand: needing_ack.saturating_sub(settled).saturating_sub(forgot)
                    + if live { auto_acked } else { 0 },
            });
        }
    }
    out
}

/// A Python publisher's counters, as a workbench producer keeps them.
#[derive(Default)]
pub(super) struct ProcessProducer {
    pub sent: u64,
    pub confirm: bool,
    pub acked: u64,
    pub nacked: u64,
    pub returned: u64,
    pub lost: u64,
}

/// What the processes on `channels` published, over the whole history.
pub(super) fn producer(history: &[Event], channels: &[u32]) -> ProcessProducer {
    let mut p = ProcessProducer::default();
    // Confirm numbers still awaited, per channel, and the channels'
    // connections.
    let mut awaited: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    let mut conn_of: BTreeMap<u32, ConnId> = BTreeMap::new();
    for e in history {
        let on = event_channel(&e.kind).filter(|ch| channels.contains(ch));
        match (&e.kind, on) {
            (EventKind::ChannelOpened { conn, channel, .. }, _)
                if channels.contains(&channel.0) =>
            {
                conn_of.insert(channel.0, *conn);
            }
            (EventKind::Published { confirm_seq, .. }, Some(ch)) => {
                p.sent += 1;
                if let Some(seq) = confirm_seq {
                    p.confirm = true;
                    awaited.entry(ch).or_default().push(*seq);
                }
            }
            (
                EventKind::Confirmed {
                    seq, multiple, ack, ..
                },
                Some(ch),
            ) => {
                if *ack {
                    p.acked += 1
                } else {
                    p.nacked += 1
                }
                if let Some(waiting) = awaited.get_mut(&ch) {
                    waiting.retain(|s| if *multiple { s > seq } else { s != seq });
                }
            }
            (EventKind::Returned { .. }, Some(_)) => p.returned += 1,
            // The publisher gave up on a channel it closed, or the broker
            // closed on an error: those are not the broker going down.
            (
                EventKind::ChannelClosed {
                    by: Initiator::Client,
                    ..
                }
                | EventKind::ChannelClosed { error: Some(_), .. },
                Some(ch),
            ) => {
                awaited.remove(&ch);
            }
            (
                EventKind::ConnectionClosed {
                    conn,
                    by: Initiator::Client,
                    ..
                },
                _,
            ) => awaited.retain(|ch, _| conn_of.get(ch) != Some(conn)),
            (EventKind::BrokerStopped { .. }, _) => {
                p.lost += awaited.values().map(|w| w.len() as u64).sum::<u64>();
                awaited.clear();
            }
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::{numbered, terminal_copy};

    #[test]
    fn numbered_names_split_into_stem_and_number() {
        assert_eq!(numbered("worker 2"), Some(("worker", 2)));
        assert_eq!(numbered("rpc_server 12"), Some(("rpc_server", 12)));
        assert_eq!(numbered("worker 0"), None);
        assert_eq!(numbered("worker"), None);
        assert_eq!(numbered(" 2"), None);
        assert_eq!(numbered("worker two"), None);
        assert_eq!(numbered("worker.py"), None);
    }

    #[test]
    fn copies_are_named_as_the_terminals_name_them() {
        assert_eq!(terminal_copy("worker", 1), "worker.py");
        assert_eq!(terminal_copy("worker", 2), "worker.py (2)");
        assert_eq!(terminal_copy("customer", 3), "customer.py (3)");
    }
}
