//! Queues: where messages wait for consumers.
//!
//! A queue holds *ready* messages in order and counts *unacked* ones (the
//! messages themselves then live in the channel that received them, keyed by
//! delivery tag, until they are acked or come back). Every message gets a
//! sequence number when it is enqueued; a requeued message goes back to its
//! original position by that number, as RabbitMQ does since 2.7, so a worker
//! that dies puts its messages back at the head, in their original order.
//!
//! A queue declared with `x-max-priority` keeps one FIFO per priority level
//! and serves the highest non-empty level first. So does a quorum queue in
//! the `rabbitmq-4.3` profile, always, with levels 0 to 31 (a message
//! without a priority is at 4) and one more level above them for the
//! messages that came back, which go first whatever their priority
//! (`QUORUM_RETURNS_LEVEL`), and it expires messages at the head of every
//! level, not only the queue's. Length limits count ready
//! messages only, and TTL expiry happens only at the head: an expired message
//! behind a live one still counts until it reaches the head.

use crate::engine::clock::Millis;
use crate::engine::consumer::ConsumerSet;
use crate::engine::ids::{ChannelId, ConnId, QueueId};
use crate::engine::message::MessageRef;
use crate::engine::queue_args::QueueSettings;
use crate::engine::stream_segments::StreamLayout;
use crate::engine::value::FieldTable;
use std::collections::VecDeque;
use std::rc::Rc;

/// A message in a queue (ready) or out for delivery (unacked).
///
/// Queues hold millions of these, so an entry is three words: the message
/// handle and two packed words. `order` holds the enqueue sequence number
/// (44 bits: 1.7·10^13 enqueues per queue), the priority level (8 bits),
/// the redelivered and returned flags and, for 4.3 quorum queues, how often
/// it came back without a failed delivery (10 bits, saturating at 1,023);
/// `expiry` holds the deadline in virtual milliseconds (48 bits: 8,900
/// years; all ones = never) and, for quorum queues, how often the message
/// came back (16 bits, saturating at 65,535; in 4.3 failed deliveries only).
#[derive(Clone, Debug)]
pub struct Entry {
    pub msg: MessageRef,
    order: u64,
    expiry: u64,
}

const SEQ_BITS: u32 = 44;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;
const REDELIVERED_BIT: u64 = 1 << 52;
/// In a quorum queue's returns, at the front of the ready messages.
const RETURNED_BIT: u64 = 1 << 53;
const UNCOUNTED_SHIFT: u32 = 54;
const UNCOUNTED_MAX: u64 = (1 << (64 - UNCOUNTED_SHIFT)) - 1;
const LEVEL_MASK: u64 = 0xff << SEQ_BITS;
const DEADLINE_BITS: u32 = 48;
const NEVER: u64 = (1 << DEADLINE_BITS) - 1;

impl Entry {
    pub fn new(
        msg: MessageRef,
        seq: u64,
        expires_at: Option<Millis>,
        redelivered: bool,
        level: u8,
    ) -> Entry {
        // Sequence numbers start at 0 per queue; 2^44 is out of reach, and
        // saturating keeps order (all later ones tie) rather than wrapping.
        let seq = seq.min(SEQ_MASK);
        // A deadline beyond 8,900 years of virtual time is "never".
        let deadline = expires_at.map_or(NEVER, |d| d.min(NEVER));
        let mut entry = Entry {
            msg,
            order: seq | (u64::from(level) << SEQ_BITS),
            expiry: deadline,
        };
        entry.set_redelivered(redelivered);
        entry
    }

    /// Enqueue order in this queue; requeues go back to this position.
    pub fn seq(&self) -> u64 {
        self.order & SEQ_MASK
    }

    /// Gives it a new place in the enqueue order: a quorum queue's requeue
    /// to the back is a new enqueue (`rabbit_fifo`'s `#requeue{}`).
    pub fn set_seq(&mut self, seq: u64) {
        self.order = (self.order & !SEQ_MASK) | seq.min(SEQ_MASK);
    }

    /// Level in a priority queue (the message's priority capped at the
    /// queue's maximum); 0 in plain queues.
    pub fn level(&self) -> u8 {
        ((self.order >> SEQ_BITS) & 0xff) as u8
    }

    /// Moves it to another priority level (a returned message in a quorum
    /// queue with strict priorities).
    pub fn set_level(&mut self, level: u8) {
        self.order = (self.order & !LEVEL_MASK) | (u64::from(level) << SEQ_BITS);
    }

    /// Whether it has been delivered before (requeued or recovered).
    pub fn redelivered(&self) -> bool {
        self.order & REDELIVERED_BIT != 0
    }

    pub fn set_redelivered(&mut self, redelivered: bool) {
        if redelivered {
            self.order |= REDELIVERED_BIT;
        } else {
            self.order &= !REDELIVERED_BIT;
        }
    }

    /// Quorum queues: whether it waits among the returns, ahead of the
    /// messages never delivered.
    pub fn in_returns(&self) -> bool {
        self.order & RETURNED_BIT != 0
    }

    fn set_in_returns(&mut self, returned: bool) {
        if returned {
            self.order |= RETURNED_BIT;
        } else {
            self.order &= !RETURNED_BIT;
        }
    }

    /// Quorum queues: how many times it came back (`x-delivery-count`).
    pub fn returns(&self) -> u32 {
        (self.expiry >> DEADLINE_BITS) as u32
    }

    /// Counts one more return (saturating).
    pub fn count_return(&mut self) {
        let returns = (self.returns() + 1).min(u32::from(u16::MAX));
        self.expiry = (self.expiry & NEVER) | (u64::from(returns) << DEADLINE_BITS);
    }

    /// 4.3 quorum queues: how many times it came back without a failed
    /// delivery (a nack, a recover, a consumer timeout).
    pub fn uncounted_returns(&self) -> u32 {
        (self.order >> UNCOUNTED_SHIFT) as u32
    }

    /// Counts one more return that was no failed delivery (saturating).
    pub fn count_uncounted_return(&mut self) {
        let n = (u64::from(self.uncounted_returns()) + 1).min(UNCOUNTED_MAX);
        self.order = (self.order & ((1 << UNCOUNTED_SHIFT) - 1)) | (n << UNCOUNTED_SHIFT);
    }

    /// 4.3 quorum queues: how many times it came back at all
    /// (`x-acquired-count`).
    pub fn acquired(&self) -> u32 {
        self.returns() + self.uncounted_returns()
    }

    fn deadline(&self) -> u64 {
        self.expiry & NEVER
    }

    /// When the message expires, if it has a TTL. Unacked messages never
    /// expire; a requeued one keeps its deadline.
    pub fn expires_at(&self) -> Option<Millis> {
        (self.deadline() != NEVER).then_some(self.deadline())
    }

    /// Whether its TTL has run out at `now`.
    pub fn is_expired(&self, now: Millis) -> bool {
        self.deadline() != NEVER && self.deadline() <= now
    }
}

/// The highest message priority a quorum queue tells apart in RabbitMQ 4.3
/// (`rabbit_fifo`'s `?MAX_PRIORITY`): "Priorities are clamped to the 0-31
/// range" (*Quorum Queues* guide, 4.3, "Message Priorities").
pub const QUORUM_MAX_PRIORITY: u8 = 31;

/// The priority of a message without one in a 4.3 quorum queue
/// (`?DEFAULT_PRIORITY`): "Messages without a `priority` property are
/// treated as priority 4 (classic queues default to 0)" (same section).
pub const QUORUM_DEFAULT_PRIORITY: u8 = 4;

/// Where a 4.3 quorum queue keeps returned messages: a level above every
/// priority, served first in the order they came back. "When messages are
/// returned to the queue (via `reject`, `nack`, or `modify`), they do not
/// retain their original priority. Instead, they are added to the returns
/// queue and are requeued in the exact order they were returned, regardless
/// of their priority" (same guide, "Redelivery of Returned Messages";
/// `rabbit_fifo:take_next_msg` reads `returns` before `messages`).
pub const QUORUM_RETURNS_LEVEL: u8 = QUORUM_MAX_PRIORITY + 1;

/// Ready messages: one FIFO, or one FIFO per priority level.
#[derive(Clone, Debug)]
pub struct ReadyQueue {
    /// `levels[p]` holds priority level `p`; a plain queue has one level.
    levels: Vec<VecDeque<Entry>>,
    len: u64,
    bytes: u64,
}

impl ReadyQueue {
    pub fn new(max_priority: Option<u8>) -> ReadyQueue {
        let count = max_priority.map_or(1, |m| usize::from(m) + 1);
        ReadyQueue {
            levels: (0..count).map(|_| VecDeque::new()).collect(),
            len: 0,
            bytes: 0,
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total body bytes of ready messages (for x-max-length-bytes).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn level_mut(&mut self, level: u8) -> &mut VecDeque<Entry> {
        let last = self.levels.len() - 1;
        &mut self.levels[usize::from(level).min(last)]
    }

    /// Appends a newly published message (the highest seq so far).
    pub fn push_back(&mut self, entry: Entry) {
        self.len += 1;
        self.bytes += entry.msg.body_len();
        self.level_mut(entry.level()).push_back(entry);
    }

    /// Puts a message back at its original position (by seq) in its level.
    pub fn insert_by_seq(&mut self, entry: Entry) {
        self.len += 1;
        self.bytes += entry.msg.body_len();
        let level = self.level_mut(entry.level());
        let at = level.partition_point(|e| e.seq() < entry.seq());
        level.insert(at, entry);
    }

    /// A quorum queue's return: after the messages returned before it,
    /// ahead of every message never delivered (`queue_type/quorum.rs`).
    /// Entries in the returns are marked, and only ever at the front.
    pub fn insert_after_returns(&mut self, mut entry: Entry) {
        entry.set_in_returns(true);
        self.len += 1;
        self.bytes += entry.msg.body_len();
        let level = self.level_mut(entry.level());
        let at = level.partition_point(|e| e.in_returns());
        level.insert(at, entry);
    }

    /// A quorum queue's requeue without a delivery limit: behind everything.
    pub fn push_back_returned(&mut self, mut entry: Entry) {
        entry.set_in_returns(false);
        self.len += 1;
        self.bytes += entry.msg.body_len();
        self.level_mut(entry.level()).push_back(entry);
    }

    /// The `index`th message of a queue with one priority level (a
    /// stream's log, where the index is the offset).
    pub fn get(&self, index: u64) -> Option<&Entry> {
        self.levels.first()?.get(usize::try_from(index).ok()?)
    }

    /// The next message to deliver: the head of the highest non-empty level.
    pub fn front(&self) -> Option<&Entry> {
        self.levels.iter().rev().find_map(|l| l.front())
    }

    pub fn front_mut(&mut self) -> Option<&mut Entry> {
        self.levels.iter_mut().rev().find_map(|l| l.front_mut())
    }

    pub fn pop_front(&mut self) -> Option<Entry> {
        let entry = self.levels.iter_mut().rev().find_map(|l| l.pop_front())?;
        self.len -= 1;
        self.bytes -= entry.msg.body_len();
        Some(entry)
    }

    /// Removes a message whose TTL ran out at `now` from the head of the
    /// queue, or with `every_level` from the head of any level (the
    /// highest first): a 4.3 quorum queue's expiry "scans run across all
    /// priority levels" and, per level, stop "until it encounters the first
    /// unexpired message" (*Quorum Queues* guide, 4.3, "Priority-Aware
    /// Message Expiration"; `rabbit_fifo_pq:take_while`).
    pub fn pop_expired(&mut self, now: Millis, every_level: bool) -> Option<Entry> {
        let level = if every_level {
            self.levels
                .iter_mut()
                .rev()
                .find(|l| l.front().is_some_and(|e| e.is_expired(now)))?
        } else {
            let level = self.levels.iter_mut().rev().find(|l| !l.is_empty())?;
            if !level.front()?.is_expired(now) {
                return None;
            }
            level
        };
        let entry = level.pop_front()?;
        self.len -= 1;
        self.bytes -= entry.msg.body_len();
        Some(entry)
    }

    /// When the next message expires at the head of the queue, or with
    /// `every_level` at the head of any level (see [`Self::pop_expired`]).
    pub fn next_head_expiry(&self, every_level: bool) -> Option<Millis> {
        if every_level {
            self.levels
                .iter()
                .filter_map(|l| l.front().and_then(Entry::expires_at))
                .min()
        } else {
            self.front().and_then(Entry::expires_at)
        }
    }

    /// Removes every ready message (queue.purge, queue delete).
    pub fn drain_all(&mut self) -> Vec<Entry> {
        let mut out = Vec::with_capacity(self.len as usize);
        for level in self.levels.iter_mut().rev() {
            out.extend(level.drain(..));
        }
        self.len = 0;
        self.bytes = 0;
        out
    }

    /// Ready messages in delivery order (highest level first, FIFO within).
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.levels.iter().rev().flat_map(|l| l.iter())
    }

    /// Removes the message with this seq wherever it is (used by the store's
    /// recovery and by tests); returns it.
    pub fn remove_seq(&mut self, seq: u64) -> Option<Entry> {
        for level in self.levels.iter_mut() {
            if let Ok(at) = level.binary_search_by_key(&seq, |e| e.seq()) {
                let entry = level.remove(at)?;
                self.len -= 1;
                self.bytes -= entry.msg.body_len();
                return Some(entry);
            }
        }
        None
    }
}

/// A queue.
#[derive(Clone, Debug)]
pub struct Queue {
    /// A quorum queue with `reject-publish`: each publisher (channel; `None`
    /// for dead-lettering) that published to it, and whether it is blocked.
    /// `rabbit_fifo` keeps this per enqueuer: going over the limit blocks
    /// every publisher it knows, until the queue is down to 80% of it; a
    /// publisher's first publish is refused only if the queue is over its
    /// limit right then (`register_enqueuer`; recorded: `qq_dlx_strategies`).
    pub(crate) publishers: std::collections::BTreeMap<Option<ChannelId>, bool>,
    pub id: QueueId,
    pub name: Rc<str>,
    pub durable: bool,
    /// The connection that declared it exclusive; only it may use the queue,
    /// and the queue is deleted when that connection closes.
    pub exclusive_owner: Option<ConnId>,
    pub auto_delete: bool,
    pub server_named: bool,
    /// Arguments as declared (compared on redeclare).
    pub args: FieldTable,
    /// Arguments as understood.
    pub settings: QueueSettings,
    pub ready: ReadyQueue,
    /// Messages published into an empty queue while a consumer could take
    /// them: RabbitMQ hands these straight to a consumer, before length
    /// limits and TTL apply (so a TTL of 0 still reaches an idle consumer).
    /// Warren delivers in separate steps, so they wait here for the next
    /// dispatch; if no consumer can take them by then, they join `ready` and
    /// the limits apply after all.
    pub handoff: VecDeque<Entry>,
    /// A stream's log layout: each message's offset and write time, the
    /// tracking chunks between them, segments and retention
    /// (`stream_segments.rs`). Empty for other queues.
    pub stream: StreamLayout,
    /// Deliveries from this queue not yet acked.
    pub unacked: u64,
    pub next_seq: u64,
    pub consumers: ConsumerSet,
    /// Auto-delete only applies once a queue has had a consumer.
    pub has_had_consumers: bool,
    /// Bumped whenever the x-expires timer is re-armed; a timer firing with
    /// an older generation is stale and ignored.
    pub expiry_generation: u64,
    /// When the `x-expires` timer was last armed (`rabbit_fifo`'s
    /// `last_active`): a quorum queue stores it, so its timer carries on
    /// across a restart instead of starting again (`durable.rs`).
    pub last_active: Option<Millis>,
    /// The time a head-expiry timer is already scheduled for, to avoid
    /// scheduling duplicates.
    pub ttl_timer_at: Option<Millis>,
    /// Whether a dispatch of this queue is waiting in the agenda.
    pub dispatch_pending: bool,
    /// The earliest consumer-timeout deadline a timer is armed for
    /// (`quorum_timeout.rs`).
    pub consumer_timeout_at: Option<Millis>,
    /// A quorum queue dead-lettering `at-least-once`: messages that died
    /// and could not be forwarded yet (no dead-letter exchange, or it
    /// routes to no queue). RabbitMQ's dead-letter worker keeps them,
    /// counts them towards the length limits, and retries them
    /// (`dead_letter.rs`).
    pub(crate) dead_letter_held: VecDeque<crate::engine::dead_letter::Dying>,
}

impl Queue {
    /// The queue.declare that makes this queue as it is.
    pub fn declaration(&self) -> crate::engine::method::QueueDeclare {
        crate::engine::method::QueueDeclare {
            queue: self.name.to_string(),
            durable: self.durable,
            exclusive: self.exclusive_owner.is_some(),
            auto_delete: self.auto_delete,
            arguments: self.args.clone(),
            ..Default::default()
        }
    }

    pub fn new(id: QueueId, name: Rc<str>, settings: QueueSettings) -> Queue {
        Queue {
            id,
            name,
            durable: false,
            exclusive_owner: None,
            auto_delete: false,
            server_named: false,
            args: FieldTable::new(),
            ready: ReadyQueue::new(if settings.strict_priorities {
                Some(QUORUM_RETURNS_LEVEL)
            } else {
                settings.max_priority
            }),
            handoff: VecDeque::new(),
            stream: StreamLayout::new(settings.stream_retention.unwrap_or_default()),
            settings,
            unacked: 0,
            next_seq: 0,
            consumers: ConsumerSet::default(),
            has_had_consumers: false,
            publishers: Default::default(),
            expiry_generation: 0,
            last_active: None,
            ttl_timer_at: None,
            dispatch_pending: false,
            consumer_timeout_at: None,
            dead_letter_held: VecDeque::new(),
        }
    }

    /// The priority level a message goes to: its priority, capped at the
    /// queue's maximum (a priority above the maximum counts as the maximum);
    /// always 0 in a queue without `x-max-priority`. A quorum queue with
    /// strict priorities caps at 31, and a message without a priority is at 4.
    pub fn level_for(&self, msg: &MessageRef) -> u8 {
        if self.settings.strict_priorities {
            return msg
                .properties
                .priority
                .unwrap_or(QUORUM_DEFAULT_PRIORITY)
                .min(QUORUM_MAX_PRIORITY);
        }
        match self.settings.max_priority {
            None => 0,
            Some(max) => msg.properties.priority.unwrap_or(0).min(max),
        }
    }

    /// The TTL a message gets in this queue: the lower of `x-message-ttl`
    /// and the message's `expiration`.
    pub fn ttl_for(&self, msg: &MessageRef) -> Option<u64> {
        let per_message = msg
            .properties
            .expiration
            .as_deref()
            .and_then(|e| crate::engine::message::parse_expiration(e).ok());
        match (self.settings.message_ttl, per_message) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Messages waiting for a consumer (ready, plus any being handed off).
    /// A stream's is RabbitMQ's count of its log: every offset from the
    /// first to the last, tracking chunks included (`stream_segments.rs`).
    pub fn ready_count(&self) -> u64 {
        if self.settings.queue_type == crate::engine::queue_type::QueueType::Stream {
            return self.stream.count();
        }
        self.ready.len() + self.handoff.len() as u64
    }

    /// Removes every waiting message (purge, delete), hand-offs first.
    pub fn take_all_ready(&mut self) -> Vec<Entry> {
        let mut all: Vec<Entry> = self.handoff.drain(..).collect();
        all.extend(self.ready.drain_all());
        all
    }

    /// Whether one more message of `bytes` would exceed a length limit.
    /// Whether the queue stores `msg` (it survives a restart): a durable,
    /// non-exclusive queue stores persistent messages, and a quorum queue
    /// every message.
    /// Whether something keeps the queue from expiring: a consumer, or
    /// (quorum queues) a delivery not settled yet.
    pub fn in_use(&self) -> bool {
        !self.consumers.is_empty()
            || (self.unacked > 0
                && self
                    .settings
                    .queue_type
                    .rules()
                    .consumers_stay_until_settled())
    }

    /// Whether the queue stores when its `x-expires` timer was armed: a
    /// quorum queue with `x-expires` (its `last_active` is Raft state; a
    /// classic queue's timer starts again when it boots).
    pub fn stores_last_active(&self) -> bool {
        self.durable
            && self.exclusive_owner.is_none()
            && self.settings.expires.is_some()
            && !self.settings.queue_type.rules().redeclare_restarts_expiry()
    }

    pub fn stores_message(&self, msg: &MessageRef) -> bool {
        self.durable
            && self.exclusive_owner.is_none()
            && (msg.is_persistent() || self.settings.queue_type.rules().stores_every_message())
    }

    /// Whether a `reject-publish` queue refuses a message of `bytes` from
    /// `publisher` now. A classic queue refuses one that would take it over
    /// its limit. A quorum queue accepts it and, once over the limit,
    /// refuses the publishers it knows until it is down to 80%
    /// (`rabbit_fifo:evaluate_limit`, `is_below_soft_limit`;
    /// `note_enqueued` blocks them); a new publisher only while it is over.
    pub fn refuses_publish(&mut self, bytes: u64, publisher: Option<ChannelId>) -> bool {
        if !self.settings.queue_type.rules().soft_reject_publish() {
            return self.would_overflow(bytes);
        }
        let below = |max: Option<u64>, n: u64| max.is_none_or(|m| n <= m * 8 / 10);
        let (held, held_bytes) = self.held_dead_letters();
        if below(self.settings.max_length, self.ready.len() + held)
            && below(
                self.settings.max_length_bytes,
                self.ready.bytes() + held_bytes,
            )
        {
            self.publishers
                .values_mut()
                .for_each(|blocked| *blocked = false);
        }
        let over = self.is_over_limit();
        *self.publishers.entry(publisher).or_insert(over)
    }

    /// After an enqueue: a quorum queue over its `reject-publish` limit
    /// blocks every publisher it knows.
    pub fn note_enqueued(&mut self) {
        if self.settings.overflow != crate::engine::queue_args::Overflow::DropHead
            && self.settings.queue_type.rules().soft_reject_publish()
            && self.is_over_limit()
        {
            self.publishers
                .values_mut()
                .for_each(|blocked| *blocked = true);
        }
    }

    pub fn would_overflow(&self, bytes: u64) -> bool {
        self.settings
            .max_length
            .is_some_and(|max| self.ready.len() + 1 > max)
            || self
                .settings
                .max_length_bytes
                .is_some_and(|max| self.ready.bytes() + bytes > max)
    }

    /// Whether the ready messages (and dead letters a quorum queue still
    /// holds, as `rabbit_fifo:is_over_limit` counts them) exceed a length
    /// limit now.
    pub fn is_over_limit(&self) -> bool {
        let (held, held_bytes) = self.held_dead_letters();
        self.settings
            .max_length
            .is_some_and(|max| self.ready.len() + held > max)
            || self
                .settings
                .max_length_bytes
                .is_some_and(|max| self.ready.bytes() + held_bytes > max)
    }

    /// How many dead letters the queue holds for `at-least-once`, and their
    /// body bytes.
    pub fn held_dead_letters(&self) -> (u64, u64) {
        let bytes = self
            .dead_letter_held
            .iter()
            .map(|d| d.msg.body().len() as u64)
            .sum();
        (self.dead_letter_held.len() as u64, bytes)
    }

    /// RabbitMQ's way of naming a queue in messages: `queue 'q' in vhost '/'`.
    pub fn resource(&self) -> String {
        queue_resource(&self.name)
    }
}

pub fn queue_resource(name: &str) -> String {
    format!("queue '{name}' in vhost '/'")
}

pub fn exchange_resource(name: &str) -> String {
    format!("exchange '{name}' in vhost '/'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::message::{MessageId, Properties};

    fn message() -> MessageRef {
        MessageRef::new(
            MessageId(1),
            Rc::from(""),
            Rc::from("q"),
            Vec::new(),
            Properties::default(),
            b"body",
        )
    }

    /// `rabbit_fifo` blocks the enqueuers it knows when the queue goes over
    /// its `reject-publish` limit, and a new one only while it is over
    /// (recorded: `qq_dlx_strategies`, `qq_ttl_overflow_purge`).
    #[test]
    fn a_quorum_queue_blocks_known_publishers_until_it_is_down_to_80_percent() {
        let settings = QueueSettings {
            queue_type: crate::engine::queue_type::QueueType::Quorum,
            overflow: crate::engine::queue_args::Overflow::RejectPublish,
            max_length: Some(5),
            ..QueueSettings::default()
        };
        let mut q = Queue::new(QueueId(1), Rc::from("q"), settings);
        let (a, b, c) = (Some(ChannelId(1)), Some(ChannelId(2)), Some(ChannelId(3)));
        let publish = |q: &mut Queue, from: Option<ChannelId>, seq: u64| {
            let refused = q.refuses_publish(4, from);
            if !refused {
                q.ready
                    .push_back(Entry::new(message(), seq, None, false, 0));
                q.note_enqueued();
            }
            refused
        };
        for seq in 0..5 {
            assert!(!publish(&mut q, a, seq), "under the limit");
        }
        assert!(
            !publish(&mut q, b, 5),
            "at the limit, a new publisher is accepted"
        );
        assert!(
            publish(&mut q, a, 6) && publish(&mut q, b, 6),
            "over it, both are blocked"
        );
        assert!(
            publish(&mut q, c, 6),
            "a new publisher is refused while it is over"
        );
        q.ready.pop_front();
        assert!(publish(&mut q, a, 6), "5 of 5 is above 80%: still blocked");
        q.ready.pop_front();
        assert!(
            !publish(&mut q, a, 6) && !publish(&mut q, b, 7),
            "at 80% both go on"
        );
    }

    /// The memory row of `./dev.sh bench` depends on these sizes.
    #[test]
    fn an_entry_is_three_words_and_a_message_handle_one() {
        assert_eq!(std::mem::size_of::<Entry>(), 24);
        assert_eq!(std::mem::size_of::<MessageRef>(), 8);
    }

    #[test]
    fn packed_fields_keep_their_values() {
        let mut e = Entry::new(message(), (1 << 40) + 7, Some(123_456), false, 9);
        assert_eq!(e.seq(), (1 << 40) + 7);
        assert_eq!(e.level(), 9);
        assert!(!e.redelivered());
        assert_eq!(e.expires_at(), Some(123_456));
        e.set_redelivered(true);
        e.count_return();
        e.count_return();
        assert!(e.redelivered());
        assert_eq!(e.returns(), 2);
        assert_eq!(
            (e.seq(), e.level(), e.expires_at()),
            ((1 << 40) + 7, 9, Some(123_456))
        );
        assert!(!e.is_expired(123_455));
        assert!(e.is_expired(123_456));
        e.set_level(QUORUM_RETURNS_LEVEL);
        e.count_uncounted_return();
        assert_eq!(
            (
                e.seq(),
                e.level(),
                e.redelivered(),
                e.returns(),
                e.acquired()
            ),
            ((1 << 40) + 7, QUORUM_RETURNS_LEVEL, true, 2, 3)
        );
        assert_eq!(e.expires_at(), Some(123_456));
    }

    #[test]
    fn out_of_range_values_saturate_instead_of_wrapping() {
        let mut e = Entry::new(message(), u64::MAX, None, true, u8::MAX);
        assert_eq!(e.seq(), SEQ_MASK);
        assert_eq!(e.level(), u8::MAX);
        assert!(e.redelivered());
        assert_eq!(e.expires_at(), None);
        assert!(!e.is_expired(u64::MAX));
        for _ in 0..70_000 {
            e.count_return();
        }
        assert_eq!(e.returns(), u32::from(u16::MAX));
        assert_eq!(e.expires_at(), None);
        for _ in 0..2_000 {
            e.count_uncounted_return();
        }
        assert_eq!(e.uncounted_returns(), 1_023);
        assert_eq!(
            (e.seq(), e.level(), e.redelivered()),
            (SEQ_MASK, u8::MAX, true)
        );
        let far = Entry::new(message(), 0, Some(u64::MAX), false, 0);
        assert_eq!(far.expires_at(), None, "beyond 8,900 years is never");
    }
}
