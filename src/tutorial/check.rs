//! Checkpoints: what a task expects of the broker, checked against the
//! engine's state and its event log — never against the page, so a
//! checkpoint passes however the learner got there (forms, "show me", the
//! JS API, pika scripts in the terminals). A checkpoint naming a worker or
//! producer also counts the Python processes standing in for that name:
//! which ones (`worker.py` run twice is `worker 1` and `worker 2`) and how
//! their engine events read as an actor's counters and events (`forgot`,
//! `crashed`, `lost`) is the [`process`] module's doc.
//!
//! A condition either looks at the state now (a queue with these flags and
//! counts, a binding, a worker's counters) or counts events of the log
//! since the task began (`delivered` with `redelivered: true`). State
//! conditions are filters plus a count: `{"queue": {"name": "hello",
//! "ready": 1}}` holds when at least one queue named `hello` has exactly
//! one ready message; `"exists": false` asks for none. Event conditions
//! match the event's JSON (as the log shows it) against a `where` pattern:
//! every field of the pattern must be present with an equal value; a
//! pattern object matches an object that has at least its fields.

use crate::engine::event::{Event, EventKind};
use crate::sim::actors::WorkerState;
use crate::sim::{ActorEvent, ActorId, Simulation};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

mod process;

/// An inclusive range of counts; in a file, `3` means exactly 3, and
/// `{"min": 1}` at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
}

impl Range {
    pub const AT_LEAST_ONE: Range = Range {
        min: Some(1),
        max: None,
    };
    pub const NONE: Range = Range {
        min: None,
        max: Some(0),
    };

    pub fn contains(&self, n: u64) -> bool {
        self.min.is_none_or(|m| n >= m) && self.max.is_none_or(|m| n <= m)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a}..{b}"),
            (Some(a), None) => write!(f, "≥{a}"),
            (None, Some(b)) => write!(f, "≤{b}"),
            (None, None) => f.write_str("any"),
        }
    }
}

impl<'de> Deserialize<'de> for Range {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Range, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Bounds {
            min: Option<u64>,
            max: Option<u64>,
        }
        let v = serde_json::Value::deserialize(d)?;
        if let Some(n) = v.as_u64() {
            return Ok(Range {
                min: Some(n),
                max: Some(n),
            });
        }
        let b: Bounds = serde_json::from_value(v).map_err(|_| {
            de::Error::custom("expected a count (3) or bounds ({\"min\": 1, \"max\": 5})")
        })?;
        if let (Some(a), Some(b)) = (b.min, b.max) {
            if a > b {
                return Err(de::Error::custom(format!("min {a} is above max {b}")));
            }
        }
        Ok(Range {
            min: b.min,
            max: b.max,
        })
    }
}

/// Queues with these properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueCheck {
    pub name: Option<String>,
    /// The queue the named worker consumes (its own, when it subscribes).
    pub worker: Option<String>,
    pub durable: Option<bool>,
    pub exclusive: Option<bool>,
    pub auto_delete: Option<bool>,
    pub server_named: Option<bool>,
    /// Arguments the queue has (it may have more).
    pub arguments: Option<crate::engine::value::FieldTable>,
    pub ready: Option<Range>,
    pub unacked: Option<Range>,
    pub consumers: Option<Range>,
    /// Ready plus unacknowledged.
    pub messages: Option<Range>,
    /// `false`: no queue matches.
    pub exists: Option<bool>,
    /// How many queues match (default: at least one).
    pub count: Option<Range>,
}

/// An exchange with these properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeCheck {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub durable: Option<bool>,
    pub exists: Option<bool>,
}

/// Bindings with these properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BindingCheck {
    pub source: Option<String>,
    pub destination: Option<String>,
    /// The destination is the queue this worker consumes.
    pub worker: Option<String>,
    pub routing_key: Option<String>,
    /// Arguments the binding has (it may have more): a headers exchange's
    /// `x-match` and the headers it matches.
    pub arguments: Option<crate::engine::value::FieldTable>,
    pub exists: Option<bool>,
    pub count: Option<Range>,
}

/// Broker events since the task began.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventCheck {
    /// The event's kind as the log names it (`delivered`, `acked`, …).
    pub kind: String,
    /// Only events on this worker's channel (a delivery to it, its ack).
    pub worker: Option<String>,
    /// Only events on this producer's channel (its publishes, confirms).
    pub producer: Option<String>,
    #[serde(rename = "where", skip_serializing_if = "Option::is_none")]
    pub pattern: Option<serde_json::Value>,
    pub count: Option<Range>,
}

/// Producer and worker events since the task began.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActorEventCheck {
    /// `worker_started`, `worker_finished`, `worker_killed`, …
    pub kind: String,
    /// The producer's or worker's name.
    pub actor: Option<String>,
    #[serde(rename = "where", skip_serializing_if = "Option::is_none")]
    pub pattern: Option<serde_json::Value>,
    pub count: Option<Range>,
}

/// Workers in this state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerCheck {
    pub name: Option<String>,
    pub queue: Option<String>,
    /// `running`, `paused`, `killed` or `disconnected`.
    pub state: Option<WorkerState>,
    pub no_ack: Option<bool>,
    pub prefetch: Option<Range>,
    /// Messages finished (acked, rejected, or forgotten).
    pub done: Option<Range>,
    /// Deliveries held: working on, or prefetched.
    pub in_hand: Option<Range>,
    pub exists: Option<bool>,
    pub count: Option<Range>,
}

/// Producers with these settings and counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProducerCheck {
    pub name: Option<String>,
    pub exchange: Option<String>,
    pub routing_key: Option<String>,
    /// Publishes with delivery_mode 2.
    pub persistent: Option<bool>,
    pub confirm: Option<bool>,
    pub rpc: Option<bool>,
    pub sent: Option<Range>,
    pub acked: Option<Range>,
    pub nacked: Option<Range>,
    pub returned: Option<Range>,
    pub replies: Option<Range>,
    pub unconfirmed: Option<Range>,
    /// Publishes left unconfirmed when the broker went down.
    pub lost: Option<Range>,
    pub exists: Option<bool>,
    pub count: Option<Range>,
}

/// What a checkpoint expects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    Queue(QueueCheck),
    Exchange(ExchangeCheck),
    Binding(BindingCheck),
    Event(EventCheck),
    ActorEvent(ActorEventCheck),
    Worker(WorkerCheck),
    Producer(ProducerCheck),
    /// Every one of these.
    AllOf(Vec<Condition>),
    /// At least one of these.
    AnyOf(Vec<Condition>),
    Not(Box<Condition>),
}

/// A condition and what the checklist says about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub label: super::Text,
    pub expect: Condition,
}

/// Actor events the log can hold, as their JSON names them.
pub const ACTOR_EVENT_KINDS: &[&str] = &[
    "worker_started",
    "worker_finished",
    "worker_paused",
    "worker_resumed",
    "worker_killed",
    "worker_cancelled",
    "producer_published",
    "producer_failed",
    "producer_stopped",
    "worker_replied",
    "producer_got_reply",
];

/// What a condition is checked against.
#[derive(Clone, Copy)]
pub struct Observation<'a> {
    pub sim: &'a Simulation,
    /// Broker events since the task began.
    pub events: &'a [Event],
    /// Every broker event held, the task's included (the workbench moves
    /// events out of the broker into its history): whose a channel is, and
    /// a Python process's counters, are read over it.
    pub history: &'a [Event],
    /// Producer and worker events since the task began.
    pub actor_events: &'a [ActorEvent],
}

fn count_ok(count: Option<Range>, exists: Option<bool>, n: u64) -> bool {
    let range = match (count, exists) {
        (Some(r), _) => r,
        (None, Some(false)) => Range::NONE,
        _ => Range::AT_LEAST_ONE,
    };
    range.contains(n)
}

fn in_range(range: &Option<Range>, n: u64) -> bool {
    range.is_none_or(|r| r.contains(n))
}

fn same<T: PartialEq>(want: &Option<T>, have: T) -> bool {
    want.as_ref().is_none_or(|w| *w == have)
}

/// Whether `actual` has every field of `pattern` with an equal value.
pub fn json_matches(pattern: &serde_json::Value, actual: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (pattern, actual) {
        (Value::Object(p), Value::Object(a)) => p
            .iter()
            .all(|(k, pv)| a.get(k).is_some_and(|av| json_matches(pv, av))),
        (Value::Array(p), Value::Array(a)) => {
            p.iter().all(|pv| a.iter().any(|av| json_matches(pv, av)))
        }
        (Value::Number(p), Value::Number(a)) => p.as_f64() == a.as_f64(),
        _ => pattern == actual,
    }
}

/// The channel an event happened on, if it names one.
fn event_channel(kind: &EventKind) -> Option<u32> {
    match kind {
        EventKind::Delivered { channel, .. }
        | EventKind::Acked { channel, .. }
        | EventKind::Rejected { channel, .. }
        | EventKind::Published { channel, .. }
        | EventKind::Returned { channel, .. }
        | EventKind::Confirmed { channel, .. }
        | EventKind::ConfirmPending { channel, .. }
        | EventKind::QosSet { channel, .. }
        | EventKind::ConsumerAdded { channel, .. }
        | EventKind::ConsumerCancelled { channel, .. }
        | EventKind::ChannelClosed { channel, .. }
        | EventKind::MethodFailed { channel, .. }
        | EventKind::AckTimedOut { channel, .. } => Some(channel.0),
        EventKind::Requeued { channel, .. } => channel.map(|c| c.0),
        _ => None,
    }
}

/// Every channel the named worker or producer has had: its channel now,
/// those of the connections opened under its name (a worker edited or
/// reconnected gets a new one), and the channels of the Python processes
/// standing in for that name (see [`process`]).
fn actor_channels(obs: Observation<'_>, worker: Option<&str>, producer: Option<&str>) -> Vec<u32> {
    let sim = obs.sim;
    let mut out: Vec<u32> = Vec::new();
    if let Some(name) = worker {
        out.extend(
            sim.workers()
                .filter(|w| w.spec.name == name)
                .map(|w| w.link.channel.0),
        );
    }
    if let Some(name) = producer {
        out.extend(
            sim.producers()
                .filter(|p| p.spec.name == name)
                .map(|p| p.link.channel.0),
        );
    }
    if let Some(name) = worker.or(producer) {
        out.extend(process::actor_labelled_channels(obs, name));
        out.extend(process::process_channels(obs, name));
    }
    out
}

/// The events of `log` on `channels`.
fn events_on<'a>(log: &'a [Event], channels: &'a [u32]) -> impl Iterator<Item = &'a EventKind> {
    log.iter()
        .map(|e| &e.kind)
        .filter(move |k| event_channel(k).is_some_and(|ch| channels.contains(&ch)))
}

impl Condition {
    /// Checks what parsing cannot: known event kinds, sane nesting.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Condition::Event(e) => {
                if !EventKind::NAMES.contains(&e.kind.as_str()) {
                    return Err(format!(
                        "event.kind: no event is called '{}' (the log has {})",
                        e.kind,
                        EventKind::NAMES.join(", ")
                    ));
                }
            }
            Condition::ActorEvent(e) => {
                if !ACTOR_EVENT_KINDS.contains(&e.kind.as_str()) {
                    return Err(format!(
                        "actor_event.kind: no actor event is called '{}' (expected one of {})",
                        e.kind,
                        ACTOR_EVENT_KINDS.join(", ")
                    ));
                }
            }
            Condition::AllOf(list) | Condition::AnyOf(list) => {
                for c in list {
                    c.validate()?;
                }
            }
            Condition::Not(c) => c.validate()?,
            _ => {}
        }
        Ok(())
    }

    /// Whether the condition holds.
    pub fn holds(&self, obs: Observation<'_>) -> bool {
        let sim = obs.sim;
        let broker = &sim.broker;
        let worker_id = |name: &str| sim.workers().find(|w| w.spec.name == name).map(|w| w.id);
        let producer_id = |name: &str| sim.producers().find(|p| p.spec.name == name).map(|p| p.id);
        let worker_queue = |name: &str| {
            sim.workers()
                .find(|w| w.spec.name == name)
                .map(|w| w.queue.clone())
        };
        match self {
            Condition::Queue(c) => {
                let want_queue = c.worker.as_deref().map(worker_queue);
                let n = broker
                    .queues()
                    .filter(|q| {
                        c.name.as_deref().is_none_or(|n| *q.name == *n)
                            && want_queue
                                .as_ref()
                                .is_none_or(|w| w.as_deref() == Some(&*q.name))
                            && same(&c.durable, q.durable)
                            && same(&c.exclusive, q.exclusive_owner.is_some())
                            && same(&c.auto_delete, q.auto_delete)
                            && same(&c.server_named, q.server_named)
                            && c.arguments.as_ref().is_none_or(|want| {
                                want.iter().all(|(k, v)| q.args.get(k) == Some(v))
                            })
                            && in_range(&c.ready, q.ready_count())
                            && in_range(&c.unacked, q.unacked)
                            && in_range(&c.consumers, q.consumers.len() as u64)
                            && in_range(&c.messages, q.ready_count() + q.unacked)
                    })
                    .count();
                count_ok(c.count, c.exists, n as u64)
            }
            Condition::Exchange(c) => {
                let found = broker.exchange_info(&c.name).filter(|x| {
                    c.kind.as_deref().is_none_or(|k| k == x.kind) && same(&c.durable, x.durable)
                });
                count_ok(None, c.exists, u64::from(found.is_some()))
            }
            Condition::Binding(c) => {
                let want_queue = c.worker.as_deref().map(worker_queue);
                let n = broker
                    .bindings()
                    .iter()
                    .filter(|b| {
                        c.source.as_deref().is_none_or(|s| *b.source == *s)
                            && c.destination
                                .as_deref()
                                .is_none_or(|d| *b.destination == *d)
                            && want_queue
                                .as_ref()
                                .is_none_or(|w| w.as_deref() == Some(&*b.destination))
                            && c.routing_key
                                .as_deref()
                                .is_none_or(|k| *b.routing_key == *k)
                            && c.arguments.as_ref().is_none_or(|want| {
                                want.iter().all(|(k, v)| b.arguments.get(k) == Some(v))
                            })
                    })
                    .count();
                count_ok(c.count, c.exists, n as u64)
            }
            Condition::Event(c) => {
                // A worker or producer reconnects on a new channel; events
                // on any channel it has had count.
                let channels: Option<Vec<u32>> = match (&c.worker, &c.producer) {
                    (None, None) => None,
                    (w, p) => Some(actor_channels(obs, w.as_deref(), p.as_deref())),
                };
                let n = obs
                    .events
                    .iter()
                    .filter(|e| e.kind.name() == c.kind)
                    .filter(|e| {
                        channels.as_ref().is_none_or(|chs| {
                            event_channel(&e.kind).is_some_and(|ch| chs.contains(&ch))
                        })
                    })
                    .filter(|e| {
                        c.pattern.as_ref().is_none_or(|p| {
                            serde_json::to_value(e).is_ok_and(|v| json_matches(p, &v))
                        })
                    })
                    .count();
                count_ok(c.count, None, n as u64)
            }
            Condition::ActorEvent(c) => {
                let actor: Option<Option<ActorId>> = c
                    .actor
                    .as_deref()
                    .map(|name| worker_id(name).or_else(|| producer_id(name)));
                let wanted = |v: &serde_json::Value| {
                    v.get("kind").and_then(|k| k.as_str()) == Some(c.kind.as_str())
                        && c.pattern.as_ref().is_none_or(|p| json_matches(p, v))
                };
                let by_actors = obs
                    .actor_events
                    .iter()
                    .filter_map(|e| serde_json::to_value(e).ok())
                    .filter(|v| match &actor {
                        None => true,
                        Some(None) => false,
                        Some(Some(id)) => {
                            let id = serde_json::Value::from(id.0);
                            v.get("worker") == Some(&id) || v.get("producer") == Some(&id)
                        }
                    })
                    .filter(|v| wanted(v))
                    .count();
                let channels = match c.actor.as_deref() {
                    Some(name) => process::process_channels(obs, name),
                    None => process::every_process_channel(obs),
                };
                let by_processes = process::actor_events(obs, &channels)
                    .iter()
                    .filter(|v| wanted(v))
                    .count();
                count_ok(c.count, None, (by_actors + by_processes) as u64)
            }
            Condition::Worker(c) => {
                let n = sim
                    .workers()
                    .filter(|w| {
                        c.name.as_deref().is_none_or(|n| w.spec.name == n)
                            && c.queue.as_deref().is_none_or(|q| *w.queue == *q)
                            && same(&c.state, w.state)
                            && same(&c.no_ack, w.spec.no_ack)
                            && in_range(&c.prefetch, u64::from(w.spec.prefetch.get()))
                            && in_range(&c.done, w.done)
                            && in_range(&c.in_hand, w.in_hand() as u64)
                    })
                    .count();
                let processes = c
                    .name
                    .as_deref()
                    .map(|n| process::process_channels(obs, n))
                    .map_or(0, |channels| {
                        process::consumers(obs, &channels)
                            .iter()
                            .filter(|p| {
                                c.queue.as_deref().is_none_or(|q| p.queue == q)
                                    && c.state
                                        .is_none_or(|s| (s == WorkerState::Running) == p.live)
                                    && same(&c.no_ack, p.no_ack)
                                    && in_range(&c.prefetch, p.prefetch)
                                    && in_range(&c.done, p.done)
                                    && in_range(&c.in_hand, p.in_hand)
                            })
                            .count()
                    });
                count_ok(c.count, c.exists, (n + processes) as u64)
            }
            Condition::Producer(c) => {
                let n = sim
                    .producers()
                    .filter(|p| {
                        c.name.as_deref().is_none_or(|n| p.spec.name == n)
                            && c.exchange.as_deref().is_none_or(|x| p.spec.exchange == x)
                            && c.routing_key
                                .as_deref()
                                .is_none_or(|k| p.spec.routing_key == k)
                            && same(&c.persistent, p.spec.properties.is_persistent())
                            && same(&c.confirm, p.spec.confirm)
                            && same(&c.rpc, p.spec.rpc)
                            && in_range(&c.sent, p.sent)
                            && in_range(&c.acked, p.acked)
                            && in_range(&c.nacked, p.nacked)
                            && in_range(&c.returned, p.returned)
                            && in_range(&c.replies, p.replies)
                            && in_range(&c.unconfirmed, p.unconfirmed.len() as u64)
                            && in_range(&c.lost, p.unconfirmed_lost)
                    })
                    .count();
                let process_matches = c.name.as_deref().is_some_and(|name| {
                    let channels = process::process_channels(obs, name);
                    let p = process::producer(obs.history, &channels);
                    // Only the workbench knows these: a process is not
                    // taken to match them.
                    let unknowable = c.exchange.is_some()
                        || c.routing_key.is_some()
                        || c.persistent.is_some()
                        || c.rpc.is_some()
                        || c.replies.is_some()
                        || c.unconfirmed.is_some();
                    p.sent > 0
                        && !unknowable
                        && same(&c.confirm, p.confirm)
                        && in_range(&c.sent, p.sent)
                        && in_range(&c.acked, p.acked)
                        && in_range(&c.nacked, p.nacked)
                        && in_range(&c.returned, p.returned)
                        && in_range(&c.lost, p.lost)
                });
                count_ok(c.count, c.exists, (n + usize::from(process_matches)) as u64)
            }
            Condition::AllOf(list) => list.iter().all(|c| c.holds(obs)),
            Condition::AnyOf(list) => list.iter().any(|c| c.holds(obs)),
            Condition::Not(c) => !c.holds(obs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_match_subsets() {
        let actual = json!({"kind": "delivered", "redelivered": true, "message": {"id": 3, "routing_key": "a.b"}, "skipped": [["c1", "busy"], ["c2", "busy"]]});
        assert!(json_matches(&json!({"redelivered": true}), &actual));
        assert!(json_matches(
            &json!({"message": {"routing_key": "a.b"}}),
            &actual
        ));
        assert!(!json_matches(&json!({"redelivered": false}), &actual));
        assert!(!json_matches(&json!({"missing": 1}), &actual));
        assert!(json_matches(&json!({"message": {"id": 3.0}}), &actual));
    }

    #[test]
    fn ranges_parse_from_numbers_and_bounds() {
        let r: Range = serde_json::from_value(json!(3)).unwrap();
        assert!(r.contains(3) && !r.contains(2) && !r.contains(4));
        let r: Range = serde_json::from_value(json!({"min": 1})).unwrap();
        assert!(r.contains(1) && r.contains(100) && !r.contains(0));
        assert!(serde_json::from_value::<Range>(json!({"min": 3, "max": 1})).is_err());
        assert!(serde_json::from_value::<Range>(json!({"least": 3})).is_err());
        assert!(serde_json::from_value::<Range>(json!("3")).is_err());
    }

    #[test]
    fn unknown_event_kinds_are_refused() {
        let c: Condition = serde_json::from_value(json!({"event": {"kind": "deliverd"}})).unwrap();
        assert!(c
            .validate()
            .unwrap_err()
            .contains("no event is called 'deliverd'"));
        let c: Condition =
            serde_json::from_value(json!({"not": {"event": {"kind": "delivered"}}})).unwrap();
        assert!(c.validate().is_ok());
    }
}
