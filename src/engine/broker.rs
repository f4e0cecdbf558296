//! The broker: all state, the agenda of pending work, and the event log.
//!
//! The broker is a deterministic state machine. Clients call AMQP methods on
//! it (`queue_declare`, `basic_publish`, `basic_ack`, … in `methods/`); a
//! method changes state at once and may leave work behind: a queue with
//! ready messages and a consumer that can take them. That work waits in the
//! *agenda*, and [`Broker::step`] does the next piece of it, one delivery at a
//! time, so a person can watch every delivery happen. Timers (message TTL,
//! queue expiry) fire as virtual time moves forward with [`Broker::advance`].
//!
//! Everything that happens is appended to the event log ([`Broker::events`]).

use crate::engine::channel::{Channel, Connection};
use crate::engine::clock::{Clock, Millis};
use crate::engine::consumer::Consumer;
use crate::engine::durable::DurableOp;
use crate::engine::event::{Event, EventKind};
use crate::engine::exchange::{Destination, DestinationKind, Exchange, ExchangeType};
use crate::engine::ids::{BindingId, ChannelId, ConnId, ConsumerId, ExchangeId, QueueId};
use crate::engine::profile::Profile;
use crate::engine::queue::{Entry, Queue};
use crate::engine::rng::SeededRng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::rc::Rc;

/// How a broker is set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerConfig {
    /// Seeds server-generated names; the same seed gives the same run.
    pub seed: u64,
    pub profile: Profile,
    /// The Unix time (seconds) virtual time 0 stands for, for AMQP timestamps.
    pub epoch_unix_seconds: u64,
    /// How long after the first durable change its batch commits (virtual
    /// ms). 0 commits as soon as the broker is idle at that instant.
    pub commit_interval_ms: u64,
    /// Who keeps committed batches (see `durable.rs`).
    pub durability: crate::engine::durable::Durability,
    /// With internal durability, also keep each committed batch for the host
    /// to copy to a store (`take_committed_batches`).
    pub retain_committed_batches: bool,
    /// The largest message body a publish may carry (RabbitMQ's
    /// `max_message_size`, 128 MiB by default); a larger one closes the
    /// channel with 406.
    pub max_message_size: u64,
    /// RabbitMQ's `consumer_timeout` (ms): a channel whose oldest
    /// unacknowledged delivery is older than this is closed with 406
    /// (`ack_timeout.rs`). `None` turns it off. 3.10's default: 30 minutes.
    pub consumer_timeout_ms: Option<u64>,
    /// RabbitMQ's `channel_tick_interval` (ms): how often a channel checks
    /// the timeout. Default 60 s.
    pub channel_tick_interval_ms: u64,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            seed: 1,
            profile: Profile::RabbitMq3,
            epoch_unix_seconds: 1_767_225_600,
            commit_interval_ms: 200,
            durability: crate::engine::durable::Durability::Internal,
            retain_committed_batches: false,
            max_message_size: crate::engine::limits::MAX_MESSAGE_SIZE,
            consumer_timeout_ms: Some(crate::engine::limits::CONSUMER_TIMEOUT_MS),
            channel_tick_interval_ms: crate::engine::limits::CHANNEL_TICK_INTERVAL_MS,
        }
    }
}

/// Something scheduled for a point in virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The head message of a queue may have expired.
    HeadExpiry(QueueId),
    /// `x-expires`: delete the queue if it is still unused. The generation
    /// tells a current timer from one that was re-armed since.
    QueueExpiry(QueueId, u64),
    /// Seal the open batch of durable changes.
    Commit,
    /// A channel's tick, when it may time out an unacknowledged delivery
    /// (`ack_timeout.rs`); the generation tells a current timer from a
    /// re-armed one.
    ChannelTick(ChannelId, u64),
    /// A 4.3 quorum queue's earliest consumer-timeout deadline
    /// (`quorum_timeout.rs`).
    ConsumerTimeout(QueueId),
    /// An `at-least-once` quorum queue's dead-letter worker retries the
    /// dead letters it holds (`dead_letter.rs`).
    DeadLetterRetry(QueueId),
}

/// Exchange counts and flags, as `rabbitmqctl list_exchanges` shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeInfo {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
}

/// Queue counts, as `rabbitmqctl list_queues` shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub ready: u64,
    pub unacked: u64,
    pub consumers: u64,
}

/// One binding, as `rabbitmqctl list_bindings` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BindingView {
    pub source: Rc<str>,
    pub destination: Rc<str>,
    pub destination_kind: DestinationKind,
    pub routing_key: Rc<str>,
    pub arguments: crate::engine::value::FieldTable,
}

/// One consumer, as `rabbitmqctl list_consumers` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerView {
    pub consumer_tag: Rc<str>,
    /// `None` (listed as `undefined`) for a quorum queue's basic.get
    /// consumer, which has neither.
    #[serde(serialize_with = "undefined_if_none")]
    pub ack_required: Option<bool>,
    #[serde(serialize_with = "undefined_if_none")]
    pub prefetch_count: Option<u32>,
    pub active: bool,
}

/// How `rabbitmqctl` prints a value a consumer does not have.
fn undefined_if_none<T: Serialize, S: serde::Serializer>(
    value: &Option<T>,
    out: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => v.serialize(out),
        None => out.serialize_str("undefined"),
    }
}

/// The broker.
#[derive(Clone, Debug)]
pub struct Broker {
    pub(crate) config: BrokerConfig,
    pub(crate) clock: Clock,
    pub(crate) rng: SeededRng,
    pub(crate) exchanges: BTreeMap<ExchangeId, Exchange>,
    /// Name lookup only; never iterated, so its order cannot leak into results.
    pub(crate) exchange_names: HashMap<Rc<str>, ExchangeId>,
    pub(crate) queues: BTreeMap<QueueId, Queue>,
    /// Name lookup only; never iterated.
    pub(crate) queue_names: HashMap<Rc<str>, QueueId>,
    /// For each destination, the bindings that lead to it, so deleting a
    /// queue or exchange finds its bindings without scanning every exchange.
    pub(crate) bound_to: HashMap<Destination, BTreeSet<(ExchangeId, BindingId)>>,
    pub(crate) connections: BTreeMap<ConnId, Connection>,
    pub(crate) channels: BTreeMap<ChannelId, Channel>,
    pub(crate) consumers: BTreeMap<ConsumerId, Consumer>,
    next_id: u32,
    pub(crate) next_message_id: u64,
    /// Queues that may be able to deliver, in the order they asked.
    pub(crate) agenda: VecDeque<QueueId>,
    pub(crate) timers: BTreeMap<(Millis, u64), Timer>,
    next_timer_seq: u64,
    /// Dead messages waiting to be dead-lettered (see `dead_letter.rs`).
    pub(crate) dying: VecDeque<crate::engine::dead_letter::Dying>,
    pub(crate) dead_lettering: bool,
    /// Durable changes not yet sealed into a batch.
    pub(crate) open_ops: Vec<crate::engine::durable::DurableOp>,
    pub(crate) commit_scheduled: bool,
    pub(crate) next_batch_id: u64,
    /// Sealed batches the host has not taken yet (`Durability::External`).
    pub(crate) sealed: Vec<crate::engine::durable::Batch>,
    /// The committed durable state (`Durability::Internal`): the engine's
    /// own disk.
    pub(crate) committed: crate::engine::durable::DurableState,
    /// Committed batches kept for the host (`retain_committed_batches`).
    pub(crate) committed_out: Vec<crate::engine::durable::Batch>,
    /// Batches handed to the host and not yet reported (`External`).
    pub(crate) in_flight: BTreeMap<u64, crate::engine::durable::Batch>,
    /// The envelope of the last publish, shared by the next one if equal:
    /// a producer's messages usually differ only in their bodies.
    pub(crate) last_envelope: Option<Rc<crate::engine::message::Envelope>>,
    /// Publisher confirms waiting for a batch: batch id -> (channel, seq).
    pub(crate) awaiting_commit: BTreeMap<u64, Vec<(ChannelId, u64)>>,
    log: Vec<Event>,
    /// Sequence number of the first event still in `log` (after truncation).
    log_base: u64,
    /// The default exchange's name, shared (publishes to it are the common
    /// case, and each names its exchange).
    pub(crate) empty_name: Rc<str>,
    /// Users, whether the vhost exists, permissions (`vhost.rs`).
    pub(crate) access: crate::engine::vhost::AccessControl,
    /// `consumer_timeout` and `channel_tick_interval` for channels opened
    /// from now on: the configuration's, or the operator's since the node
    /// started (`set_consumer_timeout`; a restart forgets it, as RabbitMQ
    /// forgets `application:set_env`).
    pub(crate) ack_settings: crate::engine::ack_timeout::AckSettings,
}

impl Broker {
    /// A fresh broker with the predeclared exchanges of a new vhost.
    pub fn new(config: BrokerConfig) -> Broker {
        let ack_settings = crate::engine::ack_timeout::AckSettings::from_config(&config);
        let mut broker = Broker {
            clock: Clock::new(config.epoch_unix_seconds),
            rng: SeededRng::new(config.seed),
            config,
            exchanges: BTreeMap::new(),
            exchange_names: HashMap::new(),
            queues: BTreeMap::new(),
            queue_names: HashMap::new(),
            bound_to: HashMap::new(),
            connections: BTreeMap::new(),
            channels: BTreeMap::new(),
            consumers: BTreeMap::new(),
            next_id: 1,
            next_message_id: 1,
            agenda: VecDeque::new(),
            timers: BTreeMap::new(),
            next_timer_seq: 0,
            dying: VecDeque::new(),
            dead_lettering: false,
            open_ops: Vec::new(),
            commit_scheduled: false,
            next_batch_id: 1,
            sealed: Vec::new(),
            committed: Default::default(),
            committed_out: Vec::new(),
            in_flight: BTreeMap::new(),
            last_envelope: None,
            awaiting_commit: BTreeMap::new(),
            log: Vec::new(),
            log_base: 0,
            empty_name: Rc::from(""),
            access: Default::default(),
            ack_settings,
        };
        broker.emit(EventKind::BrokerStarted {
            profile: broker.config.profile.name(),
            recovered: false,
        });
        broker.declare_system_exchanges();
        broker
    }

    /// The exchanges every vhost starts with. They are durable and cannot be
    /// deleted by clients. A deleted vhost has none.
    pub(crate) fn declare_system_exchanges(&mut self) {
        if !self
            .access
            .vhost_exists(crate::engine::vhost::DEFAULT_VHOST)
        {
            return;
        }
        let system = [
            ("amq.direct", ExchangeType::Direct, false),
            ("amq.fanout", ExchangeType::Fanout, false),
            ("amq.topic", ExchangeType::Topic, false),
            ("amq.headers", ExchangeType::Headers, false),
            ("amq.match", ExchangeType::Headers, false),
            ("amq.rabbitmq.trace", ExchangeType::Topic, true),
        ];
        for (name, kind, internal) in system {
            if self.exchange_names.contains_key(name) {
                continue;
            }
            let id = ExchangeId(self.take_id());
            let mut x = Exchange::new(id, Rc::from(name), kind);
            x.durable = true;
            x.internal = internal;
            self.exchange_names.insert(x.name.clone(), id);
            self.exchanges.insert(id, x);
        }
    }

    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    pub fn profile(&self) -> Profile {
        self.config.profile
    }

    /// Current virtual time (ms).
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// An envelope for a new message: the previous publish's if it is the
    /// same (stored once for both), else a new one.
    pub(crate) fn envelope(
        &mut self,
        exchange: Rc<str>,
        routing_key: &str,
        cc: Vec<Rc<str>>,
        properties: crate::engine::message::Properties,
    ) -> Rc<crate::engine::message::Envelope> {
        if let Some(last) = &self.last_envelope {
            if *last.exchange == *exchange
                && &*last.routing_key == routing_key
                && last.cc == cc
                && last.properties == properties
            {
                return last.clone();
            }
        }
        let routing_key = match &self.last_envelope {
            Some(last) if &*last.routing_key == routing_key => last.routing_key.clone(),
            _ => Rc::from(routing_key),
        };
        let envelope = Rc::new(crate::engine::message::Envelope {
            exchange,
            routing_key,
            cc,
            properties,
        });
        self.last_envelope = Some(envelope.clone());
        envelope
    }

    pub(crate) fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    // ---------------------------------------------------------------- log

    pub(crate) fn emit(&mut self, kind: EventKind) {
        let seq = self.log_base + self.log.len() as u64;
        self.log.push(Event {
            seq,
            time: self.clock.now(),
            kind,
        });
    }

    /// The events still held (all of them unless the log was truncated).
    pub fn events(&self) -> &[Event] {
        &self.log
    }

    /// Events with sequence numbers from `seq` on.
    pub fn events_since(&self, seq: u64) -> &[Event] {
        let start = seq.saturating_sub(self.log_base).min(self.log.len() as u64) as usize;
        &self.log[start..]
    }

    /// The sequence number the next event will get.
    pub fn next_event_seq(&self) -> u64 {
        self.log_base + self.log.len() as u64
    }

    /// Drops events before `seq` (long runs whose reader keeps its own copy).
    pub fn truncate_log_before(&mut self, seq: u64) {
        let n = seq.saturating_sub(self.log_base).min(self.log.len() as u64) as usize;
        self.log.drain(..n);
        self.log_base += n as u64;
    }

    // ----------------------------------------------------------- agenda

    /// Asks for a dispatch of `queue` (no-op if one is already waiting).
    pub(crate) fn schedule_dispatch(&mut self, queue: QueueId) {
        if let Some(q) = self.queues.get_mut(&queue) {
            if !q.dispatch_pending && q.ready_count() > 0 && !q.consumers.is_empty() {
                q.dispatch_pending = true;
                self.agenda.push_back(queue);
            }
        }
    }

    pub(crate) fn schedule_timer(&mut self, at: Millis, timer: Timer) {
        let seq = self.next_timer_seq;
        self.next_timer_seq += 1;
        self.timers.insert((at, seq), timer);
    }

    /// Whether a step would do something now (without moving time).
    pub fn has_pending_work(&self) -> bool {
        !self.agenda.is_empty()
            || self
                .timers
                .keys()
                .next()
                .is_some_and(|(at, _)| *at <= self.clock.now())
    }

    /// When the next timer fires, if any.
    pub fn next_timer_at(&self) -> Option<Millis> {
        self.timers.keys().next().map(|(at, _)| *at)
    }

    /// When the next timer other than an acknowledgement timeout's fires:
    /// the next piece of work. A delivery nobody acks keeps its channel's
    /// tick (`ack_timeout.rs`) or its quorum queue's timeout
    /// (`quorum_timeout.rs`) armed, 30 minutes and more ahead
    /// by default, and an `at-least-once` queue holding dead letters
    /// retries them every 3 minutes for ever; driving the world "until
    /// idle" should not jump there, while moving time on explicitly
    /// (`advance`) does reach it.
    pub fn next_work_timer_at(&self) -> Option<Millis> {
        self.timers
            .iter()
            .find(|(_, timer)| {
                !matches!(
                    timer,
                    Timer::ChannelTick(..)
                        | Timer::ConsumerTimeout(..)
                        | Timer::DeadLetterRetry(..)
                )
            })
            .map(|((at, _), _)| *at)
    }

    /// Performs the next pending piece of work at the current time: one
    /// delivery, or one due timer. Pieces that turn out to have nothing to
    /// do are skipped. Returns whether anything happened (an event was logged).
    pub fn step(&mut self) -> bool {
        let before = self.next_event_seq();
        while self.next_event_seq() == before {
            if let Some(queue) = self.agenda.pop_front() {
                let delivered = match self.queues.get_mut(&queue) {
                    Some(q) => {
                        q.dispatch_pending = false;
                        self.dispatch_once(queue)
                    }
                    None => false,
                };
                if delivered {
                    // Back of the line: queues take turns, one delivery each.
                    self.schedule_dispatch(queue);
                }
            } else if let Some(&(at, seq)) = self.timers.keys().next() {
                if at > self.clock.now() {
                    return false;
                }
                if let Some(timer) = self.timers.remove(&(at, seq)) {
                    self.fire(timer);
                }
            } else {
                return false;
            }
        }
        true
    }

    /// Does all the work pending at the current time. Returns how many steps
    /// did something.
    pub fn run_until_idle(&mut self) -> usize {
        let mut steps = 0;
        while self.step() {
            steps += 1;
        }
        steps
    }

    /// Moves virtual time forward by `ms`, firing timers in order and doing
    /// the work each leaves, at its own time.
    pub fn advance(&mut self, ms: Millis) {
        let target = self.clock.now().saturating_add(ms);
        self.advance_to(target);
    }

    /// Moves virtual time forward to `target` (never backwards).
    pub fn advance_to(&mut self, target: Millis) {
        self.run_until_idle();
        while let Some(at) = self.next_timer_at() {
            if at > target {
                break;
            }
            self.clock.advance_to(at);
            self.run_until_idle();
        }
        self.clock.advance_to(target);
        self.run_until_idle();
    }

    /// Moves the clock to `t` without doing anything; the next `step` then
    /// finds whatever became due. For step-by-step drivers.
    pub fn advance_clock_to(&mut self, t: Millis) {
        self.clock.advance_to(t);
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::HeadExpiry(queue) => {
                if let Some(q) = self.queues.get_mut(&queue) {
                    if q.ttl_timer_at.is_some_and(|t| t <= self.clock.now()) {
                        q.ttl_timer_at = None;
                    }
                    self.drop_expired(queue);
                    self.settle_dying();
                    self.schedule_head_expiry(queue);
                    self.schedule_dispatch(queue);
                }
            }
            Timer::Commit => self.commit_tick(),
            Timer::ChannelTick(channel, generation) => self.channel_tick(channel, generation),
            Timer::ConsumerTimeout(queue) => self.consumer_timeout_fired(queue),
            Timer::DeadLetterRetry(queue) => self.retry_held_dead_letters(queue),
            Timer::QueueExpiry(queue, generation) => {
                let expired = self
                    .queues
                    .get(&queue)
                    .is_some_and(|q| q.expiry_generation == generation && !q.in_use());
                if expired {
                    self.delete_queue(queue, crate::engine::event::QueueDeleteReason::Expired);
                }
            }
        }
    }

    /// Re-arms a queue's `x-expires` timer (declare, get, last consumer gone).
    pub(crate) fn arm_queue_expiry(&mut self, queue: QueueId) {
        let now = self.clock.now();
        self.arm_queue_expiry_since(queue, now);
    }

    /// Arms a queue's `x-expires` timer to run from `since` (now, or a
    /// quorum queue's stored `last_active` at boot), and records that time
    /// where the queue stores it.
    pub(crate) fn arm_queue_expiry_since(&mut self, queue: QueueId, since: Millis) {
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        q.expiry_generation += 1;
        let (Some(period), false) = (q.settings.expires, q.in_use()) else {
            return;
        };
        let generation = q.expiry_generation;
        let changed = q.last_active != Some(since);
        q.last_active = Some(since);
        if changed && q.stores_last_active() {
            let name = q.name.to_string();
            self.record(DurableOp::QueueLastActive {
                queue: name,
                at: since,
            });
        }
        self.schedule_timer(
            since.saturating_add(period),
            Timer::QueueExpiry(queue, generation),
        );
    }

    /// Makes sure a timer will look at the head message when it expires.
    pub(crate) fn schedule_head_expiry(&mut self, queue: QueueId) {
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        let Some(at) = q.ready.next_head_expiry(q.settings.strict_priorities) else {
            return;
        };
        if q.ttl_timer_at.is_some_and(|t| t <= at) {
            return;
        }
        q.ttl_timer_at = Some(at);
        self.schedule_timer(at, Timer::HeadExpiry(queue));
    }

    // ------------------------------------------------------------ lookups

    pub fn queue_id(&self, name: &str) -> Option<QueueId> {
        self.queue_names.get(name).copied()
    }

    pub fn queue(&self, id: QueueId) -> Option<&Queue> {
        self.queues.get(&id)
    }

    pub fn queue_by_name(&self, name: &str) -> Option<&Queue> {
        self.queue_id(name).and_then(|id| self.queues.get(&id))
    }

    /// Queues in creation order.
    pub fn queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.values()
    }

    pub fn exchange_id(&self, name: &str) -> Option<ExchangeId> {
        self.exchange_names.get(name).copied()
    }

    pub fn exchange(&self, id: ExchangeId) -> Option<&Exchange> {
        self.exchanges.get(&id)
    }

    pub fn exchange_by_name(&self, name: &str) -> Option<&Exchange> {
        self.exchange_id(name)
            .and_then(|id| self.exchanges.get(&id))
    }

    /// Exchanges in creation order (the default exchange is implicit).
    pub fn exchanges(&self) -> impl Iterator<Item = &Exchange> {
        self.exchanges.values()
    }

    pub fn consumer(&self, id: ConsumerId) -> Option<&Consumer> {
        self.consumers.get(&id)
    }

    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> {
        self.consumers.values()
    }

    pub fn channel(&self, id: ChannelId) -> Option<&Channel> {
        self.channels.get(&id)
    }

    /// Channels in the order they were opened (closed ones too).
    pub fn channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.values()
    }

    /// The id the broker gave the most recent publish (for explanations: a
    /// client never learns it).
    pub fn last_message_id(&self) -> Option<crate::engine::message::MessageId> {
        (self.next_message_id > 1)
            .then(|| crate::engine::message::MessageId(self.next_message_id - 1))
    }

    /// The open channel with this number on `conn`, if any.
    pub fn channel_id(&self, conn: ConnId, number: u16) -> Option<ChannelId> {
        self.connections
            .get(&conn)
            .and_then(|c| c.channel_numbers.get(&number).copied())
    }

    pub fn connection(&self, id: ConnId) -> Option<&Connection> {
        self.connections.get(&id)
    }

    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.connections.values()
    }

    /// Counts for a queue, like `rabbitmqctl list_queues`.
    pub fn queue_stats(&self, name: &str) -> Option<QueueStats> {
        self.queue_by_name(name).map(|q| QueueStats {
            ready: q.ready_count(),
            unacked: q.unacked,
            consumers: q.consumers.len() as u64 + self.settling_consumers(q.id),
        })
    }

    /// Flags of an exchange, like `rabbitmqctl list_exchanges` (which also
    /// lists the default exchange `""`).
    pub fn exchange_info(&self, name: &str) -> Option<ExchangeInfo> {
        if name.is_empty() {
            return Some(ExchangeInfo {
                kind: "direct",
                durable: true,
                auto_delete: false,
                internal: false,
            });
        }
        self.exchange_by_name(name).map(|x| ExchangeInfo {
            kind: x.kind.name(),
            durable: x.durable,
            auto_delete: x.auto_delete,
            internal: x.internal,
        })
    }

    /// The name of a binding's destination.
    /// `""`, the default exchange's name, without allocating.
    pub(crate) fn default_exchange_name(&self) -> Rc<str> {
        self.empty_name.clone()
    }

    pub fn destination_name(&self, d: Destination) -> Rc<str> {
        match d {
            Destination::Queue(q) => self.queues.get(&q).map(|q| q.name.clone()),
            Destination::Exchange(x) => self.exchanges.get(&x).map(|x| x.name.clone()),
        }
        .unwrap_or_else(|| self.default_exchange_name())
    }

    /// Every explicit binding (not the default exchange's implicit ones).
    pub fn bindings(&self) -> Vec<BindingView> {
        let mut out = Vec::new();
        for x in self.exchanges.values() {
            for b in x.bindings() {
                out.push(BindingView {
                    source: x.name.clone(),
                    destination: self.destination_name(b.destination),
                    destination_kind: destination_kind(b.destination),
                    routing_key: b.key.clone(),
                    arguments: b.args.clone(),
                });
            }
        }
        out
    }

    /// A queue's consumers, like `rabbitmqctl list_consumers`, in registration
    /// order, then a quorum queue's basic.get consumers.
    pub fn consumers_of(&self, queue: &str) -> Vec<ConsumerView> {
        let Some(q) = self.queue_by_name(queue) else {
            return Vec::new();
        };
        let mut out: Vec<ConsumerView> = q
            .consumers
            .ids()
            .filter_map(|id| self.consumers.get(&id))
            .map(|c| ConsumerView {
                consumer_tag: c.tag.clone(),
                ack_required: Some(!c.no_ack),
                prefetch_count: Some(c.prefetch),
                active: !q.settings.single_active_consumer
                    || q.consumers.single_active == Some(c.id),
            })
            .collect();
        out.extend(
            self.get_consumers(q.id)
                .into_iter()
                .map(|(_, tag)| ConsumerView {
                    consumer_tag: Rc::from(tag.to_string()),
                    ack_required: None,
                    prefetch_count: None,
                    active: true,
                }),
        );
        out
    }

    /// A quorum queue's basic.get consumers: `rabbit_fifo` checks out each
    /// unacknowledged basic.get to a consumer of its own, tagged with the
    /// delivery tag, until it is settled; they count in queue.declare-ok's
    /// `consumer_count` and `list_consumers` shows them (recorded:
    /// `qq_ttl_get`, `qq_delivery_count_consume`). Their channels and
    /// delivery tags.
    pub(crate) fn get_consumers(&self, queue: QueueId) -> Vec<(ChannelId, u64)> {
        let quorum = self
            .queues
            .get(&queue)
            .is_some_and(|q| q.settings.queue_type == crate::engine::queue_type::QueueType::Quorum);
        if !quorum {
            return Vec::new();
        }
        self.channels
            .values()
            .flat_map(|c| c.unacked.values().map(move |u| (c.id, u)))
            .filter(|(_, u)| u.queue == queue && u.consumer.is_none())
            .map(|(channel, u)| (channel, u.tag))
            .collect()
    }

    /// How many consumers a quorum queue has beyond its subscriptions:
    /// one per unsettled basic.get (`get_consumers`) and each cancelled
    /// consumer with deliveries still out, which `rabbit_fifo` keeps
    /// (`status = cancelled`) until they are settled (recorded:
    /// `qq_expires_unsettled`). Counted in `consumer_count` and
    /// `list_queues`.
    pub(crate) fn settling_consumers(&self, queue: QueueId) -> u64 {
        let stays = self
            .queues
            .get(&queue)
            .is_some_and(|q| q.settings.queue_type.rules().consumers_stay_until_settled());
        if !stays {
            return 0;
        }
        let cancelled: BTreeSet<ConsumerId> = self
            .channels
            .values()
            .flat_map(|c| c.unacked.values())
            .filter(|u| u.queue == queue)
            .filter_map(|u| u.consumer)
            .filter(|id| !self.consumers.contains_key(id))
            .collect();
        (self.get_consumers(queue).len() + cancelled.len()) as u64
    }

    /// Ready messages of a queue in delivery order (for inspectors).
    pub fn ready_messages(&self, queue: QueueId) -> Vec<&Entry> {
        self.queues
            .get(&queue)
            .map(|q| q.ready.iter().collect())
            .unwrap_or_default()
    }
}

pub(crate) fn destination_kind(d: Destination) -> DestinationKind {
    match d {
        Destination::Queue(_) => DestinationKind::Queue,
        Destination::Exchange(_) => DestinationKind::Exchange,
    }
}
