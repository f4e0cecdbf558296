//! Producers and workers: the client programs of the tutorials.

use crate::engine::clock::Millis;
use crate::engine::ids::{ChannelId, ConnId, ConsumerId};
use crate::engine::message::Properties;
use crate::engine::method::BasicPublish;
use crate::engine::outbox::Confirm;
use crate::engine::value::FieldTable;
use crate::engine::Broker;
use crate::sim::bounded::{Prefetch, VirtualMs};
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
    /// An RPC client (the lessons' `rpc_client.py`): it declares an
    /// exclusive, server-named callback queue, consumes it with auto-ack,
    /// and publishes each request with `reply_to` set to it and a fresh
    /// `correlation_id`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rpc: bool,
    /// Publishes every this many virtual ms once started (`new_task.py` in
    /// a loop); `None` publishes only when told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_ms: Option<VirtualMs>,
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
            rpc: false,
            every_ms: None,
        }
    }
}

/// How long a worker works on one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkTime {
    /// Always this long.
    Fixed { ms: VirtualMs },
    /// `ms` per `.` in the body: the lessons' `time.sleep(body.count(b'.'))`.
    PerDot { ms: VirtualMs },
}

impl WorkTime {
    /// How long a message with this body takes (saturating: a body of a
    /// million dots at a year each is simply "forever").
    pub fn duration(&self, body: &str) -> Millis {
        match self {
            WorkTime::Fixed { ms } => ms.get(),
            WorkTime::PerDot { ms } => ms.get().saturating_mul(body.matches('.').count() as u64),
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
    /// The callback raises before it acks and the process dies: the blog
    /// lesson's `ch.basic_ack(delivery_tag=method.deliver_tag)` (an
    /// AttributeError). Its connection closes and the message goes back to
    /// the queue, to crash the next worker that takes it.
    Crash,
}

/// What a worker did with a message it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Auto-ack: the broker forgot the message when it sent it.
    Done,
    Acked,
    /// Never acked: it stays unacknowledged.
    Forgot,
    Rejected {
        requeue: bool,
    },
    Nacked {
        requeue: bool,
    },
    /// Its callback raised before acking: the process exited.
    Crashed,
}

/// A worker that subscribes rather than sharing a named queue: on
/// connecting it declares its own queue (`queue_declare(queue='',
/// exclusive=True)`, so the broker names it and deletes it with the
/// connection) and binds it to `exchange` once per routing key — the
/// lessons' publish/subscribe, routing and topic consumers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subscription {
    pub exchange: String,
    /// Binding keys; none means one binding with the empty key (fanout).
    pub routing_keys: Vec<String>,
}

/// How a worker consumes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSpec {
    pub name: String,
    /// The queue to consume (ignored with `subscribe`).
    pub queue: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<Subscription>,
    /// Auto-ack (`auto_ack=True`): the broker forgets the message as it sends it.
    pub no_ack: bool,
    /// basic.qos prefetch_count (0 = unlimited). A stream refuses a
    /// consumer without one (406 PRECONDITION_FAILED).
    pub prefetch: Prefetch,
    /// basic.consume's arguments: `x-stream-offset` (where a stream
    /// consumer starts: `first`, `next`, `last`, an offset), `x-priority`.
    #[serde(skip_serializing_if = "FieldTable::is_empty")]
    pub arguments: FieldTable,
    pub work: WorkTime,
    pub on_done: OnDone,
    /// An RPC server (the lessons' `rpc_server.py`): after working on a
    /// message that has `reply_to`, it publishes the answer to that queue
    /// through the default exchange with the same `correlation_id`, then
    /// acks.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reply: bool,
}

impl Default for WorkerSpec {
    fn default() -> Self {
        WorkerSpec {
            name: "worker".into(),
            queue: "hello".into(),
            subscribe: None,
            reply: false,
            no_ack: false,
            prefetch: Prefetch::default(),
            arguments: FieldTable::new(),
            work: WorkTime::PerDot {
                ms: VirtualMs::new(1000).unwrap_or_default(),
            },
            on_done: OnDone::Ack,
        }
    }
}

/// An actor's way to the broker: its connection and channel, as a client
/// names them.
#[derive(Clone, Debug)]
pub struct Link {
    pub conn: ConnId,
    /// The channel number on the connection.
    pub number: u16,
    /// The engine's id of that channel, so explanations (the event log, the
    /// diagram) can tell which actor an event is about; never used to talk
    /// to the broker.
    pub channel: ChannelId,
    /// RPC clients: the callback queue and the consumer tag on it.
    pub callback: Option<(Rc<str>, Rc<str>)>,
}

/// A producer and its counters.
#[derive(Clone, Debug)]
pub struct Producer {
    pub id: ActorId,
    pub spec: ProducerSpec,
    pub link: Link,
    pub sent: u64,
    /// Publishes on the current channel (publisher confirms count them from 1).
    pub published_on_channel: u64,
    /// Publishing every this many ms, if set.
    pub every: Option<Millis>,
    pub unconfirmed: BTreeSet<u64>,
    /// Publishes still unconfirmed when the broker went down: the
    /// producer cannot know whether they were kept, and must resend them.
    pub unconfirmed_lost: u64,
    pub acked: u64,
    pub nacked: u64,
    pub returned: u64,
    pub last_error: Option<String>,
    /// RPC clients: correlation ids of requests not yet answered.
    pub awaiting: BTreeSet<String>,
    /// RPC clients: answers whose correlation id matched a request.
    pub replies: u64,
}

impl Producer {
    pub(crate) fn new(id: ActorId, spec: ProducerSpec, link: Link) -> Producer {
        Producer {
            id,
            spec,
            link,
            sent: 0,
            published_on_channel: 0,
            every: None,
            unconfirmed: BTreeSet::new(),
            unconfirmed_lost: 0,
            acked: 0,
            nacked: 0,
            returned: 0,
            last_error: None,
            awaiting: BTreeSet::new(),
            replies: 0,
        }
    }

    /// The correlation id of request number `n` (RPC clients). The
    /// lessons use `uuid4()`; a counter is as unique per client and keeps
    /// runs reproducible.
    pub fn correlation_id(&self, n: u64) -> String {
        format!("{}-{n}", self.id.0)
    }

    /// A new connection replaces a lost one: confirms start over.
    pub(crate) fn reconnected(&mut self, link: Link) {
        self.link = link;
        self.published_on_channel = 0;
        self.unconfirmed.clear();
        self.awaiting.clear();
    }

    /// A confirm from the broker: the publishes it covers are settled.
    pub(crate) fn confirmed(&mut self, c: Confirm) {
        let settled: Vec<u64> = self
            .unconfirmed
            .iter()
            .copied()
            .filter(|s| c.covers(*s))
            .collect();
        for s in settled {
            self.unconfirmed.remove(&s);
            if c.ack {
                self.acked += 1;
            } else {
                self.nacked += 1;
            }
        }
    }

    pub(crate) fn next_publish(&self) -> BasicPublish {
        let n = self.sent + 1;
        let mut properties = self.spec.properties.clone();
        if let Some((queue, _)) = &self.link.callback {
            properties.reply_to = Some(queue.to_string());
            properties.correlation_id = Some(self.correlation_id(n));
        }
        BasicPublish {
            exchange: self.spec.exchange.clone(),
            routing_key: self.spec.routing_key.clone(),
            mandatory: self.spec.mandatory,
            immediate: false,
            properties,
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
    pub reply_to: Option<String>,
    pub correlation_id: Option<String>,
}

impl From<&crate::engine::outbox::Delivery> for Delivery {
    fn from(d: &crate::engine::outbox::Delivery) -> Delivery {
        let props = &d.message.properties;
        Delivery {
            message: d.message.id().0,
            body: d.message.body_text(),
            delivery_tag: d.delivery_tag,
            redelivered: d.redelivered,
            reply_to: props.reply_to.clone(),
            correlation_id: props.correlation_id.clone(),
        }
    }
}

/// The message a worker is working on.
#[derive(Clone, Debug)]
pub struct Task {
    pub delivery: Delivery,
    pub started: Millis,
    pub until: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub link: Link,
    /// The queue it consumes: `spec.queue`, or the one it declared.
    pub queue: Rc<str>,
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
        link: Link,
        queue: Rc<str>,
        consumer_tag: Rc<str>,
    ) -> Worker {
        Worker {
            id,
            spec,
            link,
            queue,
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
            .channel(self.link.channel)
            .filter(|c| c.open)
            .and_then(|c| c.consumers.get(&self.consumer_tag).copied())
    }

    /// Deliveries the worker holds (working on or prefetched).
    pub fn in_hand(&self) -> usize {
        self.inbox.len() + usize::from(self.current.is_some())
    }
}
