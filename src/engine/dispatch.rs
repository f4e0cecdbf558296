//! Dispatch: moving ready messages to consumers, one delivery per step.
//!
//! A queue with ready messages and consumers asks the agenda for a dispatch.
//! One dispatch delivers at most one message: the queue's head, to the
//! consumer whose turn it is (see `consumer.rs` for the rotation). Consumers
//! that cannot take a message are parked, and the reason recorded in the
//! delivery event: their own prefetch is used up (`basic.qos`, per
//! consumer), or their channel's (`basic.qos global=true`).
//!
//! The same module keeps the queue's head honest: messages whose TTL ran out
//! are removed at the head (expiry happens only there), and a queue over its
//! length limit drops its head (`x-overflow: drop-head`), both dead-lettering
//! when the queue has a dead-letter exchange.

use crate::engine::broker::Broker;
use crate::engine::channel::Unacked;
use crate::engine::event::{DeathReason, EventKind, RequeueReason, SkipReason, TtlSource};
use crate::engine::ids::{ChannelId, ConsumerId, QueueId};
use crate::engine::message::parse_expiration;
use crate::engine::outbox::{Delivery, ServerMethod};
use crate::engine::queue::{Entry, QUORUM_DEFAULT_PRIORITY, QUORUM_RETURNS_LEVEL};
use crate::engine::queue_args::Overflow;
use crate::engine::queue_type::{QueueType, RequeuePlacement, ReturnKind};
use std::collections::BTreeMap;
use std::rc::Rc;

impl Broker {
    /// Whether a consumer is blocked right now, and why.
    pub(crate) fn blocked_reason(&self, consumer: ConsumerId) -> Option<SkipReason> {
        let c = self.consumers.get(&consumer)?;
        if c.timed_out > 0 {
            return Some(SkipReason::TimedOut {
                deliveries: c.timed_out,
            });
        }
        if c.is_credit_blocked() {
            return Some(SkipReason::PrefetchLimit {
                prefetch: c.prefetch,
            });
        }
        let ch = self.channels.get(&c.channel)?;
        // A channel at its global limit suspends all its consumers on the
        // queue, even no-ack ones (RabbitMQ's limiter asks before it looks).
        if ch.at_channel_limit() {
            return Some(SkipReason::ChannelPrefetchLimit {
                limit: ch.channel_prefetch,
            });
        }
        None
    }

    /// How many more messages the queue's consumers could take right now
    /// (`u64::MAX` for unlimited). Decides whether a new message is handed
    /// straight to a consumer.
    pub(crate) fn handoff_capacity(&self, queue: QueueId) -> u64 {
        let Some(q) = self.queues.get(&queue) else {
            return 0;
        };
        // Consumers' credit summed per channel, then capped by each
        // channel's own limit. Called on every enqueue, so the sums live on
        // the stack for the usual handful of channels.
        let mut few: [(ChannelId, u64); 8] = [(ChannelId(0), 0); 8];
        let mut len = 0;
        let mut many: BTreeMap<ChannelId, u64> = BTreeMap::new();
        let (mut sac, mut rotation);
        let candidates: &mut dyn Iterator<Item = ConsumerId> = if q.settings.single_active_consumer
        {
            sac = q.consumers.single_active.into_iter();
            &mut sac
        } else {
            rotation = q.consumers.active();
            &mut rotation
        };
        for id in candidates {
            let Some(c) = self.consumers.get(&id) else {
                continue;
            };
            let credit = if c.timed_out > 0 {
                0
            } else if c.no_ack || c.prefetch == 0 {
                u64::MAX
            } else {
                u64::from(c.prefetch.saturating_sub(c.unacked))
            };
            if let Some(slot) = few[..len].iter_mut().find(|(ch, _)| *ch == c.channel) {
                slot.1 = slot.1.saturating_add(credit);
            } else if len < few.len() {
                few[len] = (c.channel, credit);
                len += 1;
            } else {
                let slot = many.entry(c.channel).or_insert(0);
                *slot = slot.saturating_add(credit);
            }
        }
        few[..len]
            .iter()
            .copied()
            .chain(many)
            .map(|(ch, credit)| match self.channels.get(&ch) {
                Some(c) if c.at_channel_limit() => 0,
                Some(c) if c.channel_prefetch > 0 => {
                    credit.min(u64::from(c.channel_prefetch - c.volume))
                }
                Some(_) => credit,
                None => 0,
            })
            .fold(0u64, u64::saturating_add)
    }

    /// Finds the consumer for the next delivery, parking blocked ones on the
    /// way (in rotation order). Returns it and the consumers skipped.
    fn pick_consumer(
        &mut self,
        queue: QueueId,
    ) -> Option<(ConsumerId, Vec<(Rc<str>, SkipReason)>)> {
        let mut skipped = Vec::new();
        let sac = self.queues.get(&queue)?.settings.single_active_consumer;
        if sac {
            let active = self.queues.get(&queue)?.consumers.single_active?;
            return match self.blocked_reason(active) {
                None => Some((active, skipped)),
                Some(_) => None,
            };
        }
        loop {
            let head = self.queues.get(&queue)?.consumers.head()?;
            let Some(reason) = self.blocked_reason(head) else {
                return Some((head, skipped));
            };
            let Some(c) = self.consumers.get(&head) else {
                return None;
            };
            let (channel, tag) = (c.channel, c.tag.clone());
            if matches!(reason, SkipReason::ChannelPrefetchLimit { .. }) {
                if let Some(ch) = self.channels.get_mut(&channel) {
                    ch.suspended.insert(queue);
                }
            }
            if let Some(q) = self.queues.get_mut(&queue) {
                q.consumers.park(head, channel);
            }
            skipped.push((tag, reason));
        }
    }

    /// One dispatch of `queue`: delivers its next message if a consumer can
    /// take it. Returns whether a message was delivered.
    pub(crate) fn dispatch_once(&mut self, queue: QueueId) -> bool {
        if self
            .queues
            .get(&queue)
            .is_some_and(|q| q.settings.queue_type == QueueType::Stream)
        {
            return self.dispatch_stream_once(queue);
        }
        let has_handoff = self
            .queues
            .get(&queue)
            .is_some_and(|q| !q.handoff.is_empty());
        if has_handoff && self.handoff_capacity(queue) == 0 {
            // The consumer the hand-off was meant for is gone or full: the
            // messages join the queue like any other and limits apply now.
            if let Some(q) = self.queues.get_mut(&queue) {
                let pending: Vec<Entry> = q.handoff.drain(..).collect();
                let count = pending.len() as u64;
                for e in pending {
                    q.ready.insert_by_seq(e);
                }
                let queue_name = q.name.clone();
                self.emit(EventKind::HandoffJoined {
                    queue,
                    queue_name,
                    count,
                });
            }
            self.maybe_drop_head(queue);
        }
        self.drop_expired(queue);
        self.settle_dying();
        if self.queues.get(&queue).is_none_or(|q| q.ready_count() == 0) {
            return false;
        }
        let Some((consumer, skipped)) = self.pick_consumer(queue) else {
            self.schedule_head_expiry(queue);
            return false;
        };
        let Some(q) = self.queues.get_mut(&queue) else {
            return false;
        };
        let Some(entry) = q.handoff.pop_front().or_else(|| q.ready.pop_front()) else {
            return false;
        };
        if !q.settings.single_active_consumer {
            q.consumers.rotate(consumer);
        }
        self.deliver(queue, consumer, entry, skipped, None);
        self.drop_expired(queue);
        self.schedule_head_expiry(queue);
        self.settle_dying();
        true
    }

    /// Sends one message to a consumer: a delivery tag on its channel, and,
    /// unless the consumer is no-ack, an unacked record. `stream_offset`: the
    /// message is read from a stream's log at that offset, which it keeps
    /// (`stream_log.rs`): nothing is marked delivered, the queue counts
    /// nothing unacknowledged, and the delivery carries `x-stream-offset`.
    pub(crate) fn deliver(
        &mut self,
        queue: QueueId,
        consumer: ConsumerId,
        entry: Entry,
        skipped: Vec<(Rc<str>, SkipReason)>,
        stream_offset: Option<u64>,
    ) {
        let Some(c) = self.consumers.get_mut(&consumer) else {
            return;
        };
        let ack_required = !c.no_ack;
        if ack_required {
            c.unacked += 1;
        }
        let (channel_id, tag_name) = (c.channel, c.tag.clone());
        let timeout_ms = c
            .timeout_ms
            .filter(|_| ack_required && stream_offset.is_none());
        if stream_offset.is_none() {
            self.record_delivery(queue, &entry, ack_required);
        }
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        if ack_required && stream_offset.is_none() {
            q.unacked += 1;
        }
        let queue_name = q.name.clone();
        let counts_deliveries = q.settings.queue_type.rules().counts_deliveries();
        let profile = self.config.profile;
        // The delivery reaches the channel (and may wake it: ack_timeout.rs).
        self.touch_channel(channel_id);
        let now = self.clock.now();
        let Some(ch) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let tag = ch.take_delivery_tag();
        if ack_required && ch.channel_prefetch > 0 {
            ch.volume += 1;
        }
        let redelivered = entry.redelivered();
        let mut msg = if counts_deliveries {
            with_return_counts(&entry, profile, false)
        } else {
            entry.msg.clone()
        };
        if let Some(offset) = stream_offset {
            msg = crate::engine::stream_log::with_offset(&msg, offset);
        }
        if ack_required {
            ch.unacked.insert(
                tag,
                Unacked {
                    tag,
                    queue,
                    queue_name: queue_name.clone(),
                    entry,
                    consumer: Some(consumer),
                    delivered_at: now,
                    deadline: timeout_ms.map(|t| now.saturating_add(t)),
                },
            );
        }
        self.send(
            channel_id,
            ServerMethod::BasicDeliver(Delivery {
                consumer_tag: tag_name.clone(),
                delivery_tag: tag,
                redelivered,
                message: msg.clone(),
            }),
        );
        self.emit(EventKind::Delivered {
            message: msg,
            queue,
            queue_name,
            channel: channel_id,
            consumer: Some(consumer),
            consumer_tag: Some(tag_name),
            delivery_tag: tag,
            redelivered,
            ack_required,
            skipped,
            message_count: None,
        });
        if ack_required {
            self.arm_ack_tick(channel_id);
        }
        if let Some(t) = timeout_ms {
            self.arm_consumer_timeout(queue, now.saturating_add(t));
        }
    }

    /// Removes messages whose TTL has run out from the head of the queue
    /// (only the head: an expired message behind a live one waits), or in a
    /// 4.3 quorum queue from the head of each priority level.
    pub(crate) fn drop_expired(&mut self, queue: QueueId) {
        let now = self.now();
        loop {
            let Some(q) = self.queues.get_mut(&queue) else {
                return;
            };
            let Some(entry) = q.ready.pop_expired(now, q.settings.strict_priorities) else {
                return;
            };
            let per_message = entry
                .msg
                .properties
                .expiration
                .as_deref()
                .and_then(|e| parse_expiration(e).ok());
            let ttl = match (q.settings.message_ttl, per_message) {
                (Some(queue_ttl), Some(m)) if m < queue_ttl => {
                    TtlSource::Message { expiration_ms: m }
                }
                (Some(queue_ttl), _) => TtlSource::Queue { ttl_ms: queue_ttl },
                (None, Some(m)) => TtlSource::Message { expiration_ms: m },
                (None, None) => TtlSource::Queue { ttl_ms: 0 },
            };
            let name = q.name.clone();
            self.emit(EventKind::Expired {
                message: entry.msg.id(),
                queue_name: name,
                ttl,
            });
            self.record_gone(queue, &entry);
            self.kill(queue, entry.msg, DeathReason::Expired);
        }
    }

    /// `x-overflow: drop-head`: while the queue is over its length limit,
    /// the head goes (dead-lettered with reason `maxlen` if there is a DLX).
    pub(crate) fn maybe_drop_head(&mut self, queue: QueueId) {
        loop {
            let Some(q) = self.queues.get_mut(&queue) else {
                return;
            };
            if q.settings.overflow != Overflow::DropHead || !q.is_over_limit() {
                return;
            }
            let Some(entry) = q.ready.pop_front() else {
                return;
            };
            let (name, max_length, max_length_bytes) = (
                q.name.clone(),
                q.settings.max_length,
                q.settings.max_length_bytes,
            );
            self.emit(EventKind::Overflowed {
                message: entry.msg.id(),
                queue_name: name,
                max_length,
                max_length_bytes,
            });
            self.record_gone(queue, &entry);
            self.kill(queue, entry.msg, DeathReason::Maxlen);
        }
    }

    /// Puts a delivery back at its original position, marked redelivered.
    /// A quorum queue counts the return, and dead-letters a message that
    /// came back more often than its `x-delivery-limit`.
    pub(crate) fn requeue_entry(
        &mut self,
        queue: QueueId,
        mut entry: Entry,
        reason: RequeueReason,
        from: Option<(ChannelId, u64)>,
    ) {
        let counts_only_failures = self.config.profile.counts_only_failed_deliveries();
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        if q.settings.queue_type == QueueType::Stream {
            // The message never left the stream's log (`stream_log.rs`).
            return;
        }
        entry.set_redelivered(true);
        let rules = q.settings.queue_type.rules();
        let limit = q.settings.delivery_limit.is_some();
        let (counted, placement) = if rules.counts_deliveries() && counts_only_failures {
            crate::engine::queue_type::quorum::return_in_4_3(reason, limit)
        } else {
            let kind = match reason {
                RequeueReason::Nack | RequeueReason::Reject | RequeueReason::Recover => {
                    ReturnKind::Explicit
                }
                RequeueReason::ChannelClosed
                | RequeueReason::Restart
                | RequeueReason::ConsumerTimeout => ReturnKind::ConsumerGone,
            };
            (
                rules.counts_deliveries(),
                rules.requeue_placement(kind, limit),
            )
        };
        if !counted && rules.counts_deliveries() {
            entry.count_uncounted_return();
        }
        if counted {
            entry.count_return();
            if q.settings
                .delivery_limit
                .is_some_and(|limit| u64::from(entry.returns()) > limit)
            {
                self.record_gone(queue, &entry);
                self.kill(queue, entry.msg, DeathReason::DeliveryLimit);
                return;
            }
        }
        let (message, name) = (entry.msg.id(), q.name.clone());
        if q.settings.strict_priorities {
            // A 4.3 quorum queue's returns wait above every priority; one
            // requeued at the back goes in at the default priority
            // (`rabbit_fifo`'s `#requeue{}`: `rabbit_fifo_pq:in(?DEFAULT_PRIORITY, ...)`).
            entry.set_level(match placement {
                RequeuePlacement::Back => QUORUM_DEFAULT_PRIORITY,
                _ => QUORUM_RETURNS_LEVEL,
            });
        }
        let from_seq = entry.seq();
        if placement == RequeuePlacement::Back {
            // A new enqueue, also in the store's order.
            entry.set_seq(q.next_seq);
            q.next_seq += 1;
        }
        let stored_requeue = rules.counts_deliveries() && q.stores_message(&entry.msg);
        let (old_seq, new_seq) = (from_seq, entry.seq());
        let mut stored = crate::engine::durable::DurableMessage::from_entry(&entry, None);
        stored.requeued = true;
        stored.in_returns = placement == RequeuePlacement::ReturnsFirst;
        stored.redelivered = true;
        let queue_name = q.name.to_string();
        match placement {
            RequeuePlacement::OriginalPosition => q.ready.insert_by_seq(entry),
            RequeuePlacement::ReturnsFirst => q.ready.insert_after_returns(entry),
            RequeuePlacement::Back => q.ready.push_back_returned(entry),
        }
        if stored_requeue {
            // The store keeps where and how it came back (`durable.rs`).
            if old_seq != new_seq {
                self.record(crate::engine::durable::DurableOp::DeleteMessage {
                    queue: queue_name.clone(),
                    seq: old_seq,
                });
            }
            self.record(crate::engine::durable::DurableOp::PutMessage {
                queue: queue_name,
                message: stored,
            });
        }
        self.emit(EventKind::Requeued {
            message,
            queue,
            queue_name: name,
            reason,
            channel: from.map(|f| f.0),
            delivery_tag: from.map(|f| f.1),
        });
    }

    /// After requeues: limits and TTL apply again (a requeued message keeps
    /// its original expiry, and may itself be the head that is dropped),
    /// then the queue dispatches.
    pub(crate) fn after_requeue(&mut self, queue: QueueId) {
        self.maybe_drop_head(queue);
        self.drop_expired(queue);
        self.schedule_head_expiry(queue);
        self.schedule_dispatch(queue);
    }

    /// Returns a channel's parked consumers on `queue` that have credit again.
    pub(crate) fn unpark(&mut self, queue: QueueId, channel: ChannelId) {
        let consumers = &self.consumers;
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        let moved = q.consumers.unpark(channel, |c| {
            consumers
                .get(&c)
                .is_none_or(|c| c.is_credit_blocked() || c.timed_out > 0)
        });
        if moved {
            self.schedule_dispatch(queue);
        }
    }

    /// The channel's global limit has room again: every queue it suspended
    /// gets its consumers back (in queue order; RabbitMQ picks a random order).
    pub(crate) fn resume_channel(&mut self, channel: ChannelId) {
        let Some(ch) = self.channels.get_mut(&channel) else {
            return;
        };
        if ch.at_channel_limit() {
            return;
        }
        let queues = std::mem::take(&mut ch.suspended);
        for queue in queues {
            self.unpark(queue, channel);
        }
    }
}

/// The message a quorum queue delivers, with its counts of returns.
/// RabbitMQ 3.10: `x-delivery-count`, how often it came back, once it came
/// back, and on basic.get always (0 the first time;
/// `rabbit_fifo_client:transform_msgs`, `dequeue`). RabbitMQ 4.3
/// (`rabbit_fifo_client:add_delivery_count_header`): `x-acquired-count`,
/// how often it came back at all, and `x-delivery-count`, how many of those
/// were failed deliveries, each once it is above 0, to consumers and
/// basic.get alike.
pub(crate) fn with_return_counts(
    entry: &Entry,
    profile: crate::engine::Profile,
    basic_get: bool,
) -> crate::engine::message::MessageRef {
    use crate::engine::value::FieldValue;
    let mut msg = entry.msg.clone();
    if profile.counts_only_failed_deliveries() {
        if entry.acquired() > 0 {
            msg = msg.with_header(
                "x-acquired-count",
                FieldValue::Long(i64::from(entry.acquired())),
            );
        }
        if entry.returns() > 0 {
            msg = msg.with_header(
                "x-delivery-count",
                FieldValue::Long(i64::from(entry.returns())),
            );
        }
    } else if basic_get || entry.returns() > 0 {
        msg = msg.with_header(
            "x-delivery-count",
            FieldValue::Long(i64::from(entry.returns())),
        );
    }
    msg
}
