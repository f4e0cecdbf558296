//! The simulation: a broker plus the client programs a learner builds —
//! producers and workers — on one virtual clock.
//!
//! The broker ([`crate::engine`]) only knows AMQP. A *worker* here is the
//! tutorials' `worker.py`: it consumes from a queue (auto-ack or manual, with
//! a prefetch), works on one message at a time for a while (a fixed time, or
//! one second per `.` in the body as in the lessons), then acks it — or
//! forgets to, or rejects it. A *producer* is `new_task.py`: it publishes to
//! an exchange with a routing key, once, N times, or every X ms.
//!
//! [`Simulation::step`] advances the world by one thing: a broker step (one
//! delivery, one expiry), or one worker or producer action, moving virtual
//! time forward to the next scheduled thing when nothing is due now. Like the
//! broker it is deterministic: same commands, same run.

pub mod actors;
mod ui_support;
pub mod world;

use crate::engine::clock::Millis;
use crate::engine::event::EventKind;
use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::message::Properties;
use crate::engine::{Broker, BrokerConfig, CommandError, Consume, Publish, QueueDeclare};
pub use actors::{OnDone, ProducerSpec, Subscription, WorkTime, WorkerSpec};
use actors::{Producer, Task, Worker, WorkerState};
use serde::Serialize;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Identifies a producer or a worker.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ActorId(pub u32);

/// Something a client program did (the broker's own events are in its log).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActorEventKind {
    WorkerStarted {
        worker: ActorId,
        message: u64,
        delivery_tag: u64,
        redelivered: bool,
        until: Millis,
    },
    WorkerFinished {
        worker: ActorId,
        message: u64,
        delivery_tag: u64,
        outcome: &'static str,
    },
    WorkerPaused {
        worker: ActorId,
    },
    WorkerResumed {
        worker: ActorId,
    },
    WorkerKilled {
        worker: ActorId,
        lost_in_hand: usize,
    },
    WorkerCancelled {
        worker: ActorId,
    },
    ProducerPublished {
        producer: ActorId,
        message: u64,
        seq: Option<u64>,
    },
    ProducerFailed {
        producer: ActorId,
        error: String,
    },
    ProducerStopped {
        producer: ActorId,
    },
    /// An RPC server published its answer to the request's `reply_to`.
    WorkerReplied {
        worker: ActorId,
        message: u64,
        reply_to: String,
        correlation_id: Option<String>,
    },
    /// An RPC client received an answer on its callback queue; `matched`
    /// when the correlation id is one of its open requests.
    ProducerGotReply {
        producer: ActorId,
        message: u64,
        correlation_id: Option<String>,
        matched: bool,
    },
}

/// One actor event, placed on the broker's timeline.
#[derive(Clone, Debug, Serialize)]
pub struct ActorEvent {
    pub time: Millis,
    /// The broker's next event sequence number when this happened, so the
    /// two logs interleave.
    pub broker_seq: u64,
    #[serde(flatten)]
    pub kind: ActorEventKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ActorTimer {
    WorkerDone(ActorId, u64),
    ProducerTick(ActorId),
}

/// The broker and its clients.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub broker: Broker,
    producers: BTreeMap<ActorId, Producer>,
    workers: BTreeMap<ActorId, Worker>,
    timers: BTreeMap<(Millis, u64), ActorTimer>,
    next_timer: u64,
    next_actor: u32,
    log: Vec<ActorEvent>,
    /// Broker events already handed to the actors.
    cursor: u64,
}

impl Simulation {
    pub fn new(config: BrokerConfig) -> Simulation {
        let broker = Broker::new(config);
        let cursor = broker.next_event_seq();
        Simulation {
            broker,
            producers: BTreeMap::new(),
            workers: BTreeMap::new(),
            timers: BTreeMap::new(),
            next_timer: 0,
            next_actor: 1,
            log: Vec::new(),
            cursor,
        }
    }

    pub fn now(&self) -> Millis {
        self.broker.now()
    }

    pub fn actor_events(&self) -> &[ActorEvent] {
        &self.log
    }

    pub fn producers(&self) -> impl Iterator<Item = &Producer> {
        self.producers.values()
    }

    pub fn workers(&self) -> impl Iterator<Item = &Worker> {
        self.workers.values()
    }

    pub fn producer(&self, id: ActorId) -> Option<&Producer> {
        self.producers.get(&id)
    }

    pub fn worker(&self, id: ActorId) -> Option<&Worker> {
        self.workers.get(&id)
    }

    fn emit(&mut self, kind: ActorEventKind) {
        self.log.push(ActorEvent {
            time: self.broker.now(),
            broker_seq: self.broker.next_event_seq(),
            kind,
        });
    }

    fn schedule(&mut self, at: Millis, timer: ActorTimer) {
        self.timers.insert((at, self.next_timer), timer);
        self.next_timer += 1;
    }

    fn take_actor_id(&mut self) -> ActorId {
        let id = ActorId(self.next_actor);
        self.next_actor += 1;
        id
    }

    // ------------------------------------------------------------ actors

    /// Adds a producer with its own connection and channel (in confirm mode
    /// if asked).
    pub fn add_producer(&mut self, spec: ProducerSpec) -> Result<ActorId, CommandError> {
        let (conn, channel, callback) = self.connect_producer(&spec)?;
        let id = self.take_actor_id();
        let mut producer = Producer::new(id, spec, conn, channel);
        producer.callback = callback;
        self.producers.insert(id, producer);
        self.dispatch_broker_events();
        Ok(id)
    }

    /// Opens a producer's connection and channel: confirm mode if asked,
    /// and for an RPC client its callback queue and consumer.
    pub(crate) fn connect_producer(
        &mut self,
        spec: &ProducerSpec,
    ) -> Result<(ConnId, ChannelId, Option<(Rc<str>, Rc<str>)>), CommandError> {
        let conn = self.broker.open_connection(&spec.name);
        let result = (|| {
            let channel = self.broker.open_channel(conn)?;
            if spec.confirm {
                self.broker.confirm_select(channel)?;
            }
            let mut callback = None;
            if spec.rpc {
                let ok = self.broker.queue_declare(
                    channel,
                    QueueDeclare {
                        exclusive: true,
                        ..Default::default()
                    },
                )?;
                let tag = self.broker.basic_consume(
                    channel,
                    Consume {
                        queue: ok.queue.to_string(),
                        no_ack: true,
                        ..Default::default()
                    },
                )?;
                callback = Some((ok.queue, tag));
            }
            Ok((channel, callback))
        })();
        match result {
            Ok((channel, callback)) => Ok((conn, channel, callback)),
            Err(e) => {
                let _ = self.broker.close_connection(conn);
                self.dispatch_broker_events();
                Err(e)
            }
        }
    }

    /// Publishes one message from a producer.
    pub fn publish(&mut self, id: ActorId) -> Result<(), CommandError> {
        let Some(p) = self.producers.get_mut(&id) else {
            return Err(CommandError::invalid(format!("no producer {}", id.0)));
        };
        if !self.broker.channel(p.channel).is_some_and(|c| c.open) {
            // The producer reconnects, as a program would after an error.
            let spec = p.spec.clone();
            let (conn, channel, callback) = self.connect_producer(&spec)?;
            let Some(p) = self.producers.get_mut(&id) else {
                return Ok(());
            };
            p.conn = conn;
            p.channel = channel;
            p.callback = callback;
            p.awaiting.clear();
        }
        let Some(p) = self.producers.get_mut(&id) else {
            return Ok(());
        };
        let publish = p.next_publish();
        let channel = p.channel;
        let before = self.broker.next_event_seq();
        match self.broker.basic_publish(channel, publish) {
            Ok(seq) => {
                let message = self
                    .broker
                    .events_since(before)
                    .iter()
                    .find_map(|e| match &e.kind {
                        EventKind::Published { message, .. } => Some(message.id().0),
                        _ => None,
                    });
                if let Some(p) = self.producers.get_mut(&id) {
                    p.sent += 1;
                    if let Some(s) = seq {
                        p.unconfirmed.insert(s);
                    }
                    if p.callback.is_some() {
                        let corr = p.correlation_id(p.sent);
                        p.awaiting.insert(corr);
                    }
                }
                self.emit(ActorEventKind::ProducerPublished {
                    producer: id,
                    message: message.unwrap_or(0),
                    seq,
                });
                self.dispatch_broker_events();
                Ok(())
            }
            Err(e) => {
                if let Some(p) = self.producers.get_mut(&id) {
                    p.last_error = Some(e.to_string());
                    p.every = None;
                }
                self.emit(ActorEventKind::ProducerFailed {
                    producer: id,
                    error: e.to_string(),
                });
                self.dispatch_broker_events();
                Err(e)
            }
        }
    }

    /// Publishes `n` messages at once.
    pub fn publish_n(&mut self, id: ActorId, n: u32) -> Result<(), CommandError> {
        for _ in 0..n {
            self.publish(id)?;
        }
        Ok(())
    }

    /// Publishes every `every` ms from now on (`None` stops).
    pub fn publish_every(&mut self, id: ActorId, every: Option<Millis>) {
        let now = self.now();
        let Some(p) = self.producers.get_mut(&id) else {
            return;
        };
        p.every = every.filter(|ms| *ms > 0);
        if let Some(ms) = p.every {
            self.schedule(now + ms, ActorTimer::ProducerTick(id));
        } else {
            self.emit(ActorEventKind::ProducerStopped { producer: id });
        }
    }

    pub fn remove_producer(&mut self, id: ActorId) {
        if let Some(p) = self.producers.remove(&id) {
            let _ = self.broker.close_connection(p.conn);
            self.dispatch_broker_events();
        }
    }

    /// Adds a worker: its own connection and channel, basic.qos with its
    /// prefetch, basic.consume on its queue.
    pub fn add_worker(&mut self, spec: WorkerSpec) -> Result<ActorId, CommandError> {
        let conn = self.broker.open_connection(&spec.name);
        let channel = self.broker.open_channel(conn)?;
        let id = self.take_actor_id();
        let result = self.start_consuming(conn, channel, &spec);
        let (queue, tag) = match result {
            Ok(ok) => ok,
            Err(e) => {
                let _ = self.broker.close_connection(conn);
                self.dispatch_broker_events();
                return Err(e);
            }
        };
        self.workers
            .insert(id, Worker::new(id, spec, conn, channel, queue, tag));
        self.dispatch_broker_events();
        Ok(id)
    }

    /// basic.qos and basic.consume on a worker's channel; a subscribing
    /// worker first declares and binds its own queue. Returns the queue
    /// and the consumer tag.
    fn start_consuming(
        &mut self,
        _conn: ConnId,
        channel: ChannelId,
        spec: &WorkerSpec,
    ) -> Result<(Rc<str>, Rc<str>), CommandError> {
        let queue: Rc<str> = match &spec.subscribe {
            None => Rc::from(spec.queue.as_str()),
            Some(sub) => {
                let ok = self.broker.queue_declare(
                    channel,
                    QueueDeclare {
                        exclusive: true,
                        ..Default::default()
                    },
                )?;
                let keys: &[String] = if sub.routing_keys.is_empty() {
                    &[String::new()]
                } else {
                    &sub.routing_keys
                };
                for key in keys {
                    self.broker.queue_bind(
                        channel,
                        &ok.queue,
                        &sub.exchange,
                        key,
                        Default::default(),
                    )?;
                }
                ok.queue
            }
        };
        if spec.prefetch > 0 {
            self.broker.basic_qos(channel, 0, spec.prefetch, false)?;
        }
        let tag = self.broker.basic_consume(
            channel,
            Consume {
                queue: queue.to_string(),
                no_ack: spec.no_ack,
                ..Default::default()
            },
        )?;
        Ok((queue, tag))
    }

    /// The worker stops taking new tasks (the one in hand finishes).
    pub fn pause_worker(&mut self, id: ActorId, paused: bool) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        if w.state == WorkerState::Killed {
            return;
        }
        w.state = if paused {
            WorkerState::Paused
        } else {
            WorkerState::Running
        };
        self.emit(if paused {
            ActorEventKind::WorkerPaused { worker: id }
        } else {
            ActorEventKind::WorkerResumed { worker: id }
        });
        if !paused {
            self.start_next_task(id);
        }
    }

    /// basic.cancel: no new deliveries; what it already has, it still works on.
    pub fn cancel_worker(&mut self, id: ActorId) -> Result<(), CommandError> {
        let Some(w) = self.workers.get(&id) else {
            return Ok(());
        };
        let (channel, tag) = (w.channel, w.consumer_tag.clone());
        self.broker.basic_cancel(channel, &tag)?;
        if let Some(w) = self.workers.get_mut(&id) {
            w.cancelled = true;
        }
        self.emit(ActorEventKind::WorkerCancelled { worker: id });
        self.dispatch_broker_events();
        Ok(())
    }

    /// The worker's process dies: its connection closes and the broker
    /// requeues every message it had not acked (they come back redelivered).
    pub fn kill_worker(&mut self, id: ActorId) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        if w.state == WorkerState::Killed {
            return;
        }
        w.state = WorkerState::Killed;
        let lost = w.inbox.len() + usize::from(w.current.is_some());
        w.inbox.clear();
        w.current = None;
        let conn = w.conn;
        self.emit(ActorEventKind::WorkerKilled {
            worker: id,
            lost_in_hand: lost,
        });
        let _ = self.broker.close_connection(conn);
        self.dispatch_broker_events();
    }

    pub fn remove_worker(&mut self, id: ActorId) {
        self.kill_worker(id);
        self.workers.remove(&id);
    }

    fn start_next_task(&mut self, id: ActorId) {
        let now = self.now();
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        if w.state != WorkerState::Running || w.current.is_some() {
            return;
        }
        let Some(delivery) = w.inbox.pop_front() else {
            return;
        };
        let until = now + w.spec.work.duration(&delivery.body);
        let (message, tag, redelivered) = (
            delivery.message,
            delivery.delivery_tag,
            delivery.redelivered,
        );
        w.current = Some(Task {
            delivery,
            started: now,
            until,
        });
        self.schedule(until, ActorTimer::WorkerDone(id, tag));
        self.emit(ActorEventKind::WorkerStarted {
            worker: id,
            message,
            delivery_tag: tag,
            redelivered,
            until,
        });
    }

    fn finish_task(&mut self, id: ActorId, tag: u64) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        if !w
            .current
            .as_ref()
            .is_some_and(|t| t.delivery.delivery_tag == tag)
        {
            return; // killed or restarted meanwhile
        }
        let Some(task) = w.current.take() else { return };
        let channel = w.channel;
        if w.spec.reply {
            if let Some(reply_to) = task.delivery.reply_to.clone() {
                let correlation_id = task.delivery.correlation_id.clone();
                let publish = Publish {
                    routing_key: reply_to.clone(),
                    properties: Properties {
                        correlation_id: correlation_id.clone(),
                        ..Default::default()
                    },
                    body: rpc_answer(&task.delivery.body).into_bytes(),
                    ..Default::default()
                };
                if self.broker.basic_publish(channel, publish).is_ok() {
                    self.emit(ActorEventKind::WorkerReplied {
                        worker: id,
                        message: task.delivery.message,
                        reply_to,
                        correlation_id,
                    });
                }
            }
        }
        let Some(w) = self.workers.get(&id) else {
            return;
        };
        let outcome = if w.spec.no_ack {
            "done"
        } else {
            match w.spec.on_done {
                OnDone::Ack => {
                    let _ = self.broker.basic_ack(channel, tag, false);
                    "acked"
                }
                OnDone::Forget => "forgot to ack",
                OnDone::Reject { requeue } => {
                    let _ = self.broker.basic_reject(channel, tag, requeue);
                    if requeue {
                        "rejected (requeue)"
                    } else {
                        "rejected"
                    }
                }
                OnDone::Nack { requeue } => {
                    let _ = self.broker.basic_nack(channel, tag, false, requeue);
                    if requeue {
                        "nacked (requeue)"
                    } else {
                        "nacked"
                    }
                }
            }
        };
        if let Some(w) = self.workers.get_mut(&id) {
            w.done += 1;
        }
        self.emit(ActorEventKind::WorkerFinished {
            worker: id,
            message: task.delivery.message,
            delivery_tag: tag,
            outcome,
        });
        self.dispatch_broker_events();
        self.start_next_task(id);
    }

    /// Hands new broker events to the actors: deliveries to workers,
    /// confirms and returns to producers.
    fn dispatch_broker_events(&mut self) {
        let events = self.broker.events_since(self.cursor).to_vec();
        self.cursor = self.broker.next_event_seq();
        let mut to_start = Vec::new();
        let mut replies = Vec::new();
        for e in events {
            match e.kind {
                EventKind::Delivered {
                    message,
                    consumer: Some(consumer),
                    channel,
                    delivery_tag,
                    redelivered,
                    ..
                } => {
                    if let Some(w) = self.workers.values_mut().find(|w| {
                        w.channel == channel && w.consumer_id(&self.broker) == Some(consumer)
                    }) {
                        w.inbox.push_back(actors::Delivery {
                            message: message.id().0,
                            body: message.body_text(),
                            delivery_tag,
                            redelivered,
                            reply_to: message.properties.reply_to.clone(),
                            correlation_id: message.properties.correlation_id.clone(),
                        });
                        to_start.push(w.id);
                    } else if let Some(p) = self
                        .producers
                        .values_mut()
                        .find(|p| p.channel == channel && p.callback.is_some())
                    {
                        let correlation_id = message.properties.correlation_id.clone();
                        let matched = correlation_id
                            .as_ref()
                            .is_some_and(|c| p.awaiting.remove(c));
                        if matched {
                            p.replies += 1;
                        }
                        replies.push(ActorEventKind::ProducerGotReply {
                            producer: p.id,
                            message: message.id().0,
                            correlation_id,
                            matched,
                        });
                    }
                }
                EventKind::Confirmed {
                    channel,
                    seq,
                    multiple,
                    ack,
                } => {
                    if let Some(p) = self.producers.values_mut().find(|p| p.channel == channel) {
                        let settled: Vec<u64> = if multiple {
                            p.unconfirmed.range(..=seq).copied().collect()
                        } else {
                            vec![seq]
                        };
                        for s in settled {
                            if p.unconfirmed.remove(&s) {
                                if ack {
                                    p.acked += 1;
                                } else {
                                    p.nacked += 1;
                                }
                            }
                        }
                    }
                }
                EventKind::Returned { channel, .. } => {
                    if let Some(p) = self.producers.values_mut().find(|p| p.channel == channel) {
                        p.returned += 1;
                    }
                }
                EventKind::BrokerStopped { .. } => {
                    // Every client lost its connection.
                    for w in self.workers.values_mut() {
                        w.inbox.clear();
                        w.current = None;
                        if w.state != WorkerState::Killed {
                            w.state = WorkerState::Disconnected;
                        }
                    }
                    for p in self.producers.values_mut() {
                        p.unconfirmed_lost += p.unconfirmed.len() as u64;
                        p.unconfirmed.clear();
                        p.awaiting.clear();
                    }
                }
                _ => {}
            }
        }
        for kind in replies {
            self.emit(kind);
        }
        for id in to_start {
            self.start_next_task(id);
        }
    }

    // -------------------------------------------------------------- time

    /// When the next thing is scheduled (broker or actor), if anything.
    pub fn next_activity_at(&self) -> Option<Millis> {
        let actor = self.timers.keys().next().map(|(t, _)| *t);
        match (actor, self.broker.next_timer_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Does the next single thing, moving the clock forward to it if nothing
    /// is due now. Returns false when the world is idle (nothing scheduled).
    pub fn step(&mut self) -> bool {
        if self.broker.has_pending_work() {
            self.broker.step();
            self.dispatch_broker_events();
            return true;
        }
        if let Some((&(at, seq), _)) = self.timers.iter().next() {
            if at <= self.now() {
                if let Some(timer) = self.timers.remove(&(at, seq)) {
                    self.fire(timer);
                }
                return true;
            }
        }
        match self.next_activity_at() {
            Some(at) => {
                self.broker.advance_clock_to(at);
                true
            }
            None => false,
        }
    }

    fn fire(&mut self, timer: ActorTimer) {
        match timer {
            ActorTimer::WorkerDone(id, tag) => self.finish_task(id, tag),
            ActorTimer::ProducerTick(id) => {
                let Some(every) = self.producers.get(&id).and_then(|p| p.every) else {
                    return;
                };
                if self.publish(id).is_ok() {
                    let at = self.now() + every;
                    self.schedule(at, ActorTimer::ProducerTick(id));
                }
            }
        }
    }

    /// Does everything due up to and including `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        loop {
            if self.broker.has_pending_work()
                || self
                    .timers
                    .keys()
                    .next()
                    .is_some_and(|(at, _)| *at <= self.now())
            {
                self.step();
                continue;
            }
            match self.next_activity_at() {
                Some(at) if at <= t => self.broker.advance_clock_to(at),
                _ => break,
            }
        }
        self.broker.advance_clock_to(t);
        self.dispatch_broker_events();
    }

    /// Runs `ms` of virtual time.
    pub fn run_for(&mut self, ms: Millis) {
        let t = self.now().saturating_add(ms);
        self.run_until(t);
    }

    /// Runs until nothing is scheduled, or `limit` steps were taken.
    pub fn run_until_idle(&mut self, limit: usize) -> usize {
        let mut n = 0;
        while n < limit && self.step() {
            n += 1;
        }
        n
    }

    /// Graceful broker restart (workers lose their connections).
    pub fn restart_broker(&mut self) {
        self.broker.restart();
        self.dispatch_broker_events();
    }

    /// Broker crash (workers lose their connections; unsaved state is lost).
    pub fn crash_broker(&mut self) {
        self.broker.crash();
        self.dispatch_broker_events();
    }

    /// Reconnects a worker whose connection was lost in a restart.
    pub fn reconnect_worker(&mut self, id: ActorId) -> Result<(), CommandError> {
        let Some(w) = self.workers.get(&id) else {
            return Ok(());
        };
        if w.state != WorkerState::Disconnected && w.state != WorkerState::Killed {
            return Ok(());
        }
        let spec = w.spec.clone();
        let conn = self.broker.open_connection(&spec.name);
        let channel = self.broker.open_channel(conn)?;
        let (queue, tag) = match self.start_consuming(conn, channel, &spec) {
            Ok(ok) => ok,
            Err(e) => {
                let _ = self.broker.close_connection(conn);
                self.dispatch_broker_events();
                return Err(e);
            }
        };
        if let Some(w) = self.workers.get_mut(&id) {
            w.conn = conn;
            w.channel = channel;
            w.queue = queue;
            w.consumer_tag = tag;
            w.state = WorkerState::Running;
            w.cancelled = false;
        }
        self.dispatch_broker_events();
        Ok(())
    }
}

/// What the lessons' RPC server answers: `fib(n)` for a number `n` (as
/// `rpc_server.py` does, up to 90 so it fits in 64 bits), an echo otherwise.
pub fn rpc_answer(body: &str) -> String {
    match body.trim().parse::<u32>() {
        Ok(n) if n <= 90 => {
            let (mut a, mut b) = (0u64, 1u64);
            for _ in 0..n {
                let next = a.saturating_add(b);
                a = b;
                b = next;
            }
            a.to_string()
        }
        _ => format!("reply to {body}"),
    }
}
