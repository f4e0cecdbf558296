//! The simulation: a broker plus the client programs a learner builds —
//! producers and workers — on one virtual clock.
//!
//! The broker ([`crate::engine`]) only knows AMQP. A *worker* here is the
//! tutorials' `worker.py`: it consumes from a queue (auto-ack or manual, with
//! a prefetch), works on one message at a time for a while (a fixed time, or
//! one second per `.` in the body as in the lessons), then acks it — or
//! forgets to, or rejects it. A *producer* is `new_task.py`: it publishes to
//! an exchange with a routing key, once, N times, or every X ms. A *wire
//! client* ([`wire`]) is a real client speaking AMQP bytes — pika in the
//! browser's Python — whose heartbeats and deadlines are timers here too.
//!
//! [`Simulation::step`] advances the world by one thing: a broker step (one
//! delivery, one expiry), or one worker or producer action, moving virtual
//! time forward to the next scheduled thing when nothing is due now. Like the
//! broker it is deterministic: same commands, same run.

pub mod actors;
pub mod bounded;
mod ui_support;
pub mod wire;
pub mod world;

use crate::engine::clock::Millis;
use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::message::Properties;
use crate::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicNack, BasicPublish, BasicQos, BasicReject, Method,
    QueueBind, QueueDeclare, Reply,
};
use crate::engine::outbox::{Delivery, ServerMethod};
use crate::engine::value::FieldTable;
use crate::engine::{Broker, BrokerConfig, CommandError};
pub use actors::{Link, OnDone, Outcome, ProducerSpec, Subscription, WorkTime, WorkerSpec};
use actors::{Producer, Task, Worker, WorkerState};
use serde::Serialize;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The most steps one `run_until` takes (a busy world asked to run for a
/// long time stops there rather than hang the tab).
pub const RUN_STEPS_MAX: usize = 100_000;

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
        outcome: Outcome,
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
    /// Clients that speak AMQP as bytes (Python processes running pika).
    pub wire: wire::WireClients,
}

impl Simulation {
    pub fn new(config: BrokerConfig) -> Simulation {
        let wire = wire::WireClients::new(config.profile);
        Simulation {
            broker: Broker::new(config),
            producers: BTreeMap::new(),
            workers: BTreeMap::new(),
            timers: BTreeMap::new(),
            next_timer: 0,
            next_actor: 1,
            log: Vec::new(),
            wire,
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
        let link = self.connect_producer(&spec)?;
        let id = self.take_actor_id();
        let every = spec.every_ms.map(|ms| ms.get());
        self.producers.insert(id, Producer::new(id, spec, link));
        self.deliver_outboxes();
        if every.is_some() {
            self.publish_every(id, every);
        }
        Ok(id)
    }

    /// Opens a producer's connection and channel: confirm mode if asked,
    /// and for an RPC client its callback queue and consumer.
    pub(crate) fn connect_producer(&mut self, spec: &ProducerSpec) -> Result<Link, CommandError> {
        let conn = self.broker.open_connection(&spec.name);
        let result = (|| {
            let number = self.broker.open_next_channel(conn)?;
            if spec.confirm {
                self.broker
                    .apply(conn, number, Method::ConfirmSelect { no_wait: false })?;
            }
            let mut callback = None;
            if spec.rpc {
                let queue = self.declare_own_queue(conn, number)?;
                let consumer_tag = self.consume(conn, number, &queue, true, &FieldTable::new())?;
                callback = Some((queue, consumer_tag));
            }
            Ok((number, callback))
        })();
        match result {
            Ok((number, callback)) => Ok(Link {
                conn,
                number,
                channel: self.broker.channel_id(conn, number).unwrap_or(ChannelId(0)),
                callback,
            }),
            Err(e) => {
                let _ = self.broker.close_connection_gracefully(conn);
                self.deliver_outboxes();
                Err(e)
            }
        }
    }

    /// `queue_declare(queue='', exclusive=True)`: a queue the broker names,
    /// gone with the connection. Returns its name.
    fn declare_own_queue(&mut self, conn: ConnId, number: u16) -> Result<Rc<str>, CommandError> {
        let reply = self.broker.apply(
            conn,
            number,
            Method::QueueDeclare(QueueDeclare {
                exclusive: true,
                ..Default::default()
            }),
        )?;
        match reply {
            Reply::QueueDeclareOk(ok) => Ok(ok.queue),
            other => Err(unexpected(other)),
        }
    }

    /// basic.consume; returns the consumer tag.
    fn consume(
        &mut self,
        conn: ConnId,
        number: u16,
        queue: &str,
        no_ack: bool,
        arguments: &FieldTable,
    ) -> Result<Rc<str>, CommandError> {
        let reply = self.broker.apply(
            conn,
            number,
            Method::BasicConsume(BasicConsume {
                queue: queue.to_string(),
                no_ack,
                arguments: arguments.clone(),
                ..Default::default()
            }),
        )?;
        match reply {
            Reply::BasicConsumeOk { consumer_tag } => Ok(consumer_tag),
            other => Err(unexpected(other)),
        }
    }

    /// Publishes one message from a producer.
    pub fn publish(&mut self, id: ActorId) -> Result<(), CommandError> {
        let Some(p) = self.producers.get_mut(&id) else {
            return Err(CommandError::invalid(format!("no producer {}", id.0)));
        };
        if self.broker.channel_id(p.link.conn, p.link.number).is_none() {
            // The producer reconnects, as a program would after an error.
            let spec = p.spec.clone();
            let link = self.connect_producer(&spec)?;
            let Some(p) = self.producers.get_mut(&id) else {
                return Ok(());
            };
            p.reconnected(link);
        }
        let Some(p) = self.producers.get_mut(&id) else {
            return Ok(());
        };
        let publish = p.next_publish();
        let (conn, number) = (p.link.conn, p.link.number);
        match self
            .broker
            .apply(conn, number, Method::BasicPublish(publish))
        {
            Ok(_) => {
                let message = self.broker.last_message_id().map_or(0, |m| m.0);
                let mut seq = None;
                if let Some(p) = self.producers.get_mut(&id) {
                    p.sent += 1;
                    if p.spec.confirm {
                        // Confirms count this channel's publishes from 1.
                        p.published_on_channel += 1;
                        seq = Some(p.published_on_channel);
                        p.unconfirmed.insert(p.published_on_channel);
                    }
                    if p.link.callback.is_some() {
                        let corr = p.correlation_id(p.sent);
                        p.awaiting.insert(corr);
                    }
                }
                self.emit(ActorEventKind::ProducerPublished {
                    producer: id,
                    message,
                    seq,
                });
                self.deliver_outboxes();
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
                self.deliver_outboxes();
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
        p.spec.every_ms = p.every.and_then(|ms| bounded::VirtualMs::new(ms).ok());
        if let Some(ms) = p.every {
            self.schedule(now.saturating_add(ms), ActorTimer::ProducerTick(id));
        } else {
            self.emit(ActorEventKind::ProducerStopped { producer: id });
        }
    }

    pub fn remove_producer(&mut self, id: ActorId) {
        if let Some(p) = self.producers.remove(&id) {
            let _ = self.broker.close_connection_gracefully(p.link.conn);
            self.deliver_outboxes();
        }
    }

    /// Adds a worker: its own connection and channel, basic.qos with its
    /// prefetch, basic.consume on its queue.
    pub fn add_worker(&mut self, spec: WorkerSpec) -> Result<ActorId, CommandError> {
        let (link, queue, tag) = self.connect_worker(&spec)?;
        let id = self.take_actor_id();
        self.workers
            .insert(id, Worker::new(id, spec, link, queue, tag));
        self.deliver_outboxes();
        Ok(id)
    }

    /// A worker's connection and channel, consuming as its spec says.
    fn connect_worker(
        &mut self,
        spec: &WorkerSpec,
    ) -> Result<(Link, Rc<str>, Rc<str>), CommandError> {
        let conn = self.broker.open_connection(&spec.name);
        let result = (|| {
            let number = self.broker.open_next_channel(conn)?;
            let (queue, tag) = self.start_consuming(conn, number, spec)?;
            Ok((number, queue, tag))
        })();
        match result {
            Ok((number, queue, tag)) => Ok((
                Link {
                    conn,
                    number,
                    channel: self.broker.channel_id(conn, number).unwrap_or(ChannelId(0)),
                    callback: None,
                },
                queue,
                tag,
            )),
            Err(e) => {
                let _ = self.broker.close_connection_gracefully(conn);
                self.deliver_outboxes();
                Err(e)
            }
        }
    }

    /// basic.qos and basic.consume on a worker's channel; a subscribing
    /// worker first declares and binds its own queue. Returns the queue
    /// and the consumer tag.
    fn start_consuming(
        &mut self,
        conn: ConnId,
        number: u16,
        spec: &WorkerSpec,
    ) -> Result<(Rc<str>, Rc<str>), CommandError> {
        let queue: Rc<str> = match &spec.subscribe {
            None => Rc::from(spec.queue.as_str()),
            Some(sub) => {
                let queue = self.declare_own_queue(conn, number)?;
                let keys: &[String] = if sub.routing_keys.is_empty() {
                    &[String::new()]
                } else {
                    &sub.routing_keys
                };
                for key in keys {
                    self.broker.apply(
                        conn,
                        number,
                        Method::QueueBind(QueueBind::new(&queue, &sub.exchange, key)),
                    )?;
                }
                queue
            }
        };
        if spec.prefetch.get() > 0 {
            self.broker.apply(
                conn,
                number,
                Method::BasicQos(BasicQos {
                    prefetch_count: spec.prefetch.get(),
                    ..Default::default()
                }),
            )?;
        }
        let tag = self.consume(conn, number, &queue, spec.no_ack, &spec.arguments)?;
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
        let (conn, number, consumer_tag) = (w.link.conn, w.link.number, w.consumer_tag.to_string());
        self.broker.apply(
            conn,
            number,
            Method::BasicCancel(BasicCancel::new(&consumer_tag)),
        )?;
        if let Some(w) = self.workers.get_mut(&id) {
            w.cancelled = true;
        }
        self.emit(ActorEventKind::WorkerCancelled { worker: id });
        self.deliver_outboxes();
        Ok(())
    }

    /// The worker's process dies: its connection drops without a close, and
    /// the broker requeues every message it had not acked (they come back
    /// redelivered).
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
        let conn = w.link.conn;
        self.emit(ActorEventKind::WorkerKilled {
            worker: id,
            lost_in_hand: lost,
        });
        self.broker.drop_connection(conn);
        self.deliver_outboxes();
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
        let until = now.saturating_add(w.spec.work.duration(&delivery.body));
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
        let (conn, number) = (w.link.conn, w.link.number);
        if w.spec.reply {
            if let Some(reply_to) = task.delivery.reply_to.clone() {
                let correlation_id = task.delivery.correlation_id.clone();
                let publish = BasicPublish {
                    routing_key: reply_to.clone(),
                    properties: Properties {
                        correlation_id: correlation_id.clone(),
                        ..Default::default()
                    },
                    body: rpc_answer(&task.delivery.body).into_bytes(),
                    ..Default::default()
                };
                if self
                    .broker
                    .apply(conn, number, Method::BasicPublish(publish))
                    .is_ok()
                {
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
        let (outcome, settle) = if w.spec.no_ack {
            (Outcome::Done, None)
        } else {
            match w.spec.on_done {
                OnDone::Ack => (
                    Outcome::Acked,
                    Some(Method::BasicAck(BasicAck {
                        delivery_tag: tag,
                        multiple: false,
                    })),
                ),
                OnDone::Forget => (Outcome::Forgot, None),
                OnDone::Reject { requeue } => (
                    Outcome::Rejected { requeue },
                    Some(Method::BasicReject(BasicReject {
                        delivery_tag: tag,
                        requeue,
                    })),
                ),
                OnDone::Nack { requeue } => (
                    Outcome::Nacked { requeue },
                    Some(Method::BasicNack(BasicNack {
                        delivery_tag: tag,
                        multiple: false,
                        requeue,
                    })),
                ),
                OnDone::Crash => (Outcome::Crashed, None),
            }
        };
        if let Some(method) = settle {
            // An error (the channel closed meanwhile) ends the task all the same.
            let _ = self.broker.apply(conn, number, method);
        }
        if let Some(w) = self
            .workers
            .get_mut(&id)
            .filter(|_| outcome != Outcome::Crashed)
        {
            w.done += 1;
        }
        self.emit(ActorEventKind::WorkerFinished {
            worker: id,
            message: task.delivery.message,
            delivery_tag: tag,
            outcome,
        });
        if outcome == Outcome::Crashed {
            // The exception ends the program: its connection closes, and
            // what it held (this message too) goes back to the queue.
            self.kill_worker(id);
            return;
        }
        self.deliver_outboxes();
        self.start_next_task(id);
    }

    /// Each actor reads its connection's outbox, as a client reads its
    /// socket: deliveries go to workers (and RPC clients' callbacks),
    /// confirms and returns to producers.
    fn deliver_outboxes(&mut self) {
        let mut to_start = Vec::new();
        let worker_ids: Vec<ActorId> = self.workers.keys().copied().collect();
        for id in worker_ids {
            let Some(conn) = self.workers.get(&id).map(|w| w.link.conn) else {
                continue;
            };
            for out in self.broker.take_outbox(conn) {
                let Some(w) = self.workers.get_mut(&id) else {
                    break;
                };
                match out.method {
                    ServerMethod::BasicDeliver(d) => {
                        w.inbox.push_back(actors::Delivery::from(&d));
                        to_start.push(id);
                    }
                    // Its queue was deleted: no more deliveries.
                    ServerMethod::BasicCancel { .. } => w.cancelled = true,
                    _ => {}
                }
            }
        }
        let mut replies = Vec::new();
        for p in self.producers.values_mut() {
            for out in self.broker.take_outbox(p.link.conn) {
                match out.method {
                    ServerMethod::BasicDeliver(Delivery { message, .. }) => {
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
                    ServerMethod::Confirm(c) => p.confirmed(c),
                    ServerMethod::BasicReturn { .. } => p.returned += 1,
                    _ => {}
                }
            }
        }
        for kind in replies {
            self.emit(kind);
        }
        for id in to_start {
            self.start_next_task(id);
        }
        let now = self.broker.now();
        self.wire.flush(&mut self.broker, now);
    }

    /// Every client lost its connection (the broker stopped).
    fn all_disconnected(&mut self) {
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

    // -------------------------------------------------------------- time

    /// When the next thing is scheduled (broker, actor or wire client), if
    /// anything.
    pub fn next_activity_at(&self) -> Option<Millis> {
        let actor = self.timers.keys().next().map(|(t, _)| *t);
        [actor, self.broker.next_timer_at(), self.wire.next_wakeup()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether a byte-stream client's heartbeat or deadline is due now.
    fn wire_due(&self) -> bool {
        self.wire.next_wakeup().is_some_and(|at| at <= self.now())
    }

    /// When the next piece of work is due: like [`Simulation::next_activity_at`]
    /// without the channels' acknowledgement deadlines. A worker that forgot
    /// to ack holds its messages until the consumer timeout (31 minutes
    /// with RabbitMQ's defaults); the world counts as idle meanwhile, and
    /// only moving time on (`run_until`, `run_for`) reaches the deadline.
    /// A Python process's deadline or heartbeat (`wire`) is work: the
    /// process does something then.
    pub fn next_work_at(&self) -> Option<Millis> {
        let actor = self.timers.keys().next().map(|(t, _)| *t);
        [
            actor,
            self.broker.next_work_timer_at(),
            self.wire.next_wakeup(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Does the next single thing, moving the clock forward to it if nothing
    /// is due now. Returns false when the world is idle (no work scheduled:
    /// see [`Simulation::next_work_at`]).
    pub fn step(&mut self) -> bool {
        if self.broker.has_pending_work() {
            self.broker.step();
            self.deliver_outboxes();
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
        if self.wire_due() {
            let now = self.now();
            self.wire.tick(&mut self.broker, now);
            self.deliver_outboxes();
            return true;
        }
        match self.next_work_at() {
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
                    let at = self.now().saturating_add(every);
                    self.schedule(at, ActorTimer::ProducerTick(id));
                }
            }
        }
    }

    /// Does everything due up to and including `t`, then sets the clock to
    /// `t`; returns true. A world that stays busy (a producer publishing
    /// every millisecond, asked to run for a year) stops after
    /// [`RUN_STEPS_MAX`] steps instead, with the clock where the work got
    /// to, and returns false.
    pub fn run_until(&mut self, t: Millis) -> bool {
        let mut steps = 0;
        loop {
            if steps == RUN_STEPS_MAX {
                self.deliver_outboxes();
                return false;
            }
            if self.broker.has_pending_work()
                || self
                    .timers
                    .keys()
                    .next()
                    .is_some_and(|(at, _)| *at <= self.now())
                || self.wire_due()
            {
                self.step();
                steps += 1;
                continue;
            }
            match self.next_activity_at() {
                Some(at) if at <= t => self.broker.advance_clock_to(at),
                _ => break,
            }
        }
        self.broker.advance_clock_to(t);
        self.deliver_outboxes();
        true
    }

    /// Runs `ms` of virtual time (see [`Simulation::run_until`]).
    pub fn run_for(&mut self, ms: Millis) -> bool {
        let t = self.now().saturating_add(ms);
        self.run_until(t)
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
        self.broker_went_down();
    }

    /// Broker crash (workers lose their connections; unsaved state is lost).
    pub fn crash_broker(&mut self) {
        self.broker.crash();
        self.broker_went_down();
    }

    /// After a restart or a crash: what the broker said last reaches its
    /// clients, then every client, simulated or on the wire, finds its
    /// connection gone.
    fn broker_went_down(&mut self) {
        self.deliver_outboxes();
        self.all_disconnected();
        let now = self.now();
        self.wire.broker_stopped(&mut self.broker, now);
    }

    /// A byte-stream client connected, wrote or went away (see `wire.rs`);
    /// what the broker answers is encoded for it at once. Opening an id
    /// that is taken is refused.
    pub fn wire_input(
        &mut self,
        client: wire::WireId,
        op: &world::WireOp,
    ) -> Result<(), CommandError> {
        let now = self.now();
        match op {
            world::WireOp::Open { process } => {
                if !self.wire.open(client, process.as_deref(), now) {
                    return Err(CommandError::invalid(format!(
                        "client {client} is connected already"
                    )));
                }
            }
            world::WireOp::Data(bytes) => self.wire.receive(&mut self.broker, client, bytes, now),
            world::WireOp::Close => self.wire.close(&mut self.broker, client),
        }
        self.deliver_outboxes();
        Ok(())
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
        let (link, queue, tag) = self.connect_worker(&spec)?;
        if let Some(w) = self.workers.get_mut(&id) {
            w.link = link;
            w.queue = queue;
            w.consumer_tag = tag;
            w.state = WorkerState::Running;
            w.cancelled = false;
        }
        self.deliver_outboxes();
        Ok(())
    }
}

/// A reply that cannot come (the broker answered another method).
fn unexpected(reply: Reply) -> CommandError {
    CommandError::invalid(format!("unexpected reply {:?}", reply.id().map(|m| m.name)))
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
