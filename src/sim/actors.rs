//! Producers and workers: the client programs of the tutorials.

use crate::engine::clock::Millis;
use crate::engine::ids::{ChannelId, ConnId, ConsumerId};
use crate::engine::message::Properties;
use crate::engine::{Broker, Publish};
use crate::sim::ActorId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;

/// What a producer publishes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProducerSpec {
    pub name: String,
    pub exchange: String,
    pub routing_key: String,
    /// The body; `{n}` is replaced by the message's number (1, 2, …).
    pub body: String,
    pub properties: Properties,
    pub mandatory: bool,
    /// Publisher confirms (confirm.select) on its channel.
    pub confirm: bool,
}

impl Default for ProducerSpec {
    fn default() -> Self {
        ProducerSpec {
            name: "producer".into(),
            exchange: String::new(),
            routing_key: "hello".into(),
            body: "Hello World!".into(),
            properties: Properties::default(),
            mandatory: false,
            confirm: false,
        }
    }
}

/// How long a worker works on one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkTime {
    /// Always this long.
    Fixed { ms: Millis },
    /// `ms` per `.` in the body: the lessons' `time.sleep(body.count(b'.'))`.
    PerDot { ms: Millis },
}

impl WorkTime {
    pub fn duration(&self, body: &str) -> Millis {
        match self {
            WorkTime::Fixed { ms } => *ms,
            WorkTime::PerDot { ms } => ms.saturating_mul(body.matches('.').count() as u64),
        }
    }
}

/// What a manual-ack worker does when it finishes a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OnDone {
    Ack,
    /// Never acks: the lessons' "forgotten acknowledgment".
    Forget,
    Reject {
        requeue: bool,
    },
    Nack {
        requeue: bool,
    },
}

/// How a worker consumes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSpec {
    pub name: String,
    pub queue: String,
    /// Auto-ack (`auto_ack=True`): the broker forgets the message as it sends it.
    pub no_ack: bool,
    /// basic.qos prefetch_count (0 = unlimited).
    pub prefetch: u32,
    pub work: WorkTime,
    pub on_done: OnDone,
}

impl Default for WorkerSpec {
    fn default() -> Self {
        WorkerSpec {
            name: "worker".into(),
            queue: "hello".into(),
            no_ack: false,
            prefetch: 0,
            work: WorkTime::PerDot { ms: 1000 },
            on_done: OnDone::Ack,
        }
    }
}

/// A producer and its counters.
#[derive(Clone, Debug)]
pub struct Producer {
    pub id: ActorId,
    pub spec: ProducerSpec,
    pub conn: ConnId,
    pub channel: ChannelId,
    pub sent: u64,
    /// Publishing every this many ms, if set.
    pub every: Option<Millis>,
    pub unconfirmed: BTreeSet<u64>,
    pub acked: u64,
    pub nacked: u64,
    pub returned: u64,
    pub last_error: Option<String>,
}

impl Producer {
    pub(crate) fn new(
        id: ActorId,
        spec: ProducerSpec,
        conn: ConnId,
        channel: ChannelId,
    ) -> Producer {
        Producer {
            id,
            spec,
            conn,
            channel,
            sent: 0,
            every: None,
            unconfirmed: BTreeSet::new(),
            acked: 0,
            nacked: 0,
            returned: 0,
            last_error: None,
        }
    }

    pub(crate) fn next_publish(&self) -> Publish {
        let n = self.sent + 1;
        Publish {
            exchange: self.spec.exchange.clone(),
            routing_key: self.spec.routing_key.clone(),
            mandatory: self.spec.mandatory,
            immediate: false,
            properties: self.spec.properties.clone(),
            body: self.spec.body.replace("{n}", &n.to_string()).into_bytes(),
        }
    }
}

/// A message a worker received.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub message: u64,
    pub body: String,
    pub delivery_tag: u64,
    pub redelivered: bool,
}

/// The message a worker is working on.
#[derive(Clone, Debug)]
pub struct Task {
    pub delivery: Delivery,
    pub started: Millis,
    pub until: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    Running,
    Paused,
    /// Its process died (connection closed).
    Killed,
    /// The broker restarted or crashed under it.
    Disconnected,
}

/// A worker and what it holds.
#[derive(Clone, Debug)]
pub struct Worker {
    pub id: ActorId,
    pub spec: WorkerSpec,
    pub conn: ConnId,
    pub channel: ChannelId,
    pub consumer_tag: Rc<str>,
    pub state: WorkerState,
    pub cancelled: bool,
    /// Delivered, not yet started (prefetched).
    pub inbox: VecDeque<Delivery>,
    pub current: Option<Task>,
    pub done: u64,
}

impl Worker {
    pub(crate) fn new(
        id: ActorId,
        spec: WorkerSpec,
        conn: ConnId,
        channel: ChannelId,
        consumer_tag: Rc<str>,
    ) -> Worker {
        Worker {
            id,
            spec,
            conn,
            channel,
            consumer_tag,
            state: WorkerState::Running,
            cancelled: false,
            inbox: VecDeque::new(),
            current: None,
            done: 0,
        }
    }

    /// The broker-side consumer of this worker, while it exists.
    pub fn consumer_id(&self, broker: &Broker) -> Option<ConsumerId> {
        broker
            .channel(self.channel)
            .and_then(|c| c.consumers.get(&self.consumer_tag).copied())
    }

    /// Deliveries the worker holds (working on or prefetched).
    pub fn in_hand(&self) -> usize {
        self.inbox.len() + usize::from(self.current.is_some())
    }
}
