//! RabbitMQ 4.3's consumer timeout: a quorum queue takes back what a
//! consumer holds too long (the `rabbitmq-4.3` profile).
//!
//! In 3.10 the *channel* enforces `consumer_timeout` (`ack_timeout.rs`): a
//! tick a minute, and the whole channel is closed. RabbitMQ 4.3 moved the
//! timeout into the queues, and only quorum queues keep one: "Starting with
//! RabbitMQ 4.3, delivery acknowledgement timeouts are only supported by
//! quorum queues" (<https://www.rabbitmq.com/docs/consumers#acknowledgement-timeout>).
//! So in this profile classic queues and streams never time out, and a
//! quorum queue does this:
//!
//! - **Which timeout.** Each consumer gets one when it subscribes:
//!   `x-consumer-timeout` in basic.consume's arguments if given, else the
//!   queue's `x-consumer-timeout` argument, else the node's
//!   `consumer_timeout` (30 minutes; `Broker::set_consumer_timeout`
//!   changes it for consumers that come later). A basic.get delivery gets
//!   the queue's or the node's (v4.3.0 `rabbit_queue_type:consume/3`,
//!   `dequeue/5`, `get_consumer_timeout/2`; `consumer_timeouts.md`,
//!   "Precedence Summary"). Warren has no policies, so no
//!   `consumer-timeout` policy key.
//! - **When.** Each delivery has a deadline, its delivery time plus the
//!   timeout, and times out once the clock reaches it: the queue arms one
//!   timer for its earliest deadline and, when it fires, looks at every
//!   consumer (`rabbit_fifo`: `{timeout, evaluate_consumer_timeout}`
//!   returns checked-out messages with `Ts >= Deadline`;
//!   `maybe_add_consumer_timeout_effect` arms an absolute timer at
//!   `next_consumer_timeout`). No one-minute ticks: the guide's "evaluated
//!   periodically, at one minute intervals" describes the channel's timer,
//!   which 4.3 no longer uses for this.
//! - **What happens.** "Timed-out messages are returned to the queue with
//!   'ready' status, available for redelivery to any consumer", "The
//!   consumer enters 'timeout' status and will not receive new messages",
//!   and "The consumer can resume receiving messages only after all
//!   timed-out messages are settled (acknowledged, rejected, or the
//!   consumer is cancelled)" (`consumer_timeouts.md`, "Timeout
//!   Behaviour"). The messages go among the returns, served first, marked
//!   redelivered; a timeout is not a failed delivery, so `x-delivery-count`
//!   does not grow and the delivery limit is not reached this way
//!   (`return_multiple(..., false, ...)`: only `acquired_count` grows,
//!   which deliveries carry as `x-acquired-count`).
//! - **What the client is told.** "With `consumer_cancel_notify`
//!   capability: Server sends `basic.cancel` to the consumer, channel
//!   remains open"; without it, "Server closes the channel" (same file,
//!   "AMQP 0.9.1"). The channel still knows the consumer (its tag cannot be
//!   reused) and still accepts the timed-out delivery tags: settling one
//!   changes nothing for the message, which already went back, but counts
//!   towards the consumer's recovery. The close is a 406 whose text says
//!   `Timeout value used: -1 ms`: `rabbit_channel` handles the queue's
//!   `{released, ..., timeout}` action by calling
//!   `handle_consumer_timed_out(-1, ...)`. A basic.get delivery has no
//!   consumer to cancel, so its timeout closes the channel too, and so
//!   does one of a consumer its client cancelled while it held deliveries
//!   (the channel sends basic.cancel only for a tag it still maps to a
//!   consumer, `is_map_key(CTag, consumer_mapping)`).
//!
//! A client that connected without a handshake (the simulation's own
//! programs, the JS API, the replayer) counts as one that advertises
//! `consumer_cancel_notify`, as pika and every official client do.
//!
//! Bad values: the queue argument is not validated at declare (4.3's
//! quorum type does not list it), and when a consumer or basic.get reads a
//! value that is not an integer RabbitMQ's `get_consumer_timeout` has no
//! matching clause: the channel crashes (541, Warren's `AmqpError::crash`).
//! The consumer argument is not validated either and is used as it is
//! (`rabbit_queue_type:consume/3`): Warren takes any integer and finite
//! float, a negative one timing out at once; for any other type RabbitMQ
//! would fail adding it to a timestamp inside the queue's state machine,
//! and Warren (guessing) crashes the channel at basic.consume instead. On a
//! classic queue or a stream the consumer argument is refused, as 4.3's
//! `check_consume_arguments` refuses an argument only another queue type
//! takes (406 `invalid arg 'x-consumer-timeout' for queue 'q' in vhost '/'
//! of queue type rabbit_classic_queue`).
//!
//! Not simulated: a single active consumer that timed out is not replaced
//! by a waiting one (RabbitMQ moves it back to waiting once it holds
//! nothing); settling a timed-out tag inside a transaction counts at once,
//! not at tx.commit.

use crate::engine::broker::{Broker, Timer};
use crate::engine::clock::Millis;
use crate::engine::error::AmqpError;
use crate::engine::event::{EventKind, RequeueReason};
use crate::engine::ids::{ChannelId, ConsumerId, QueueId};
use crate::engine::queue::Queue;
use crate::engine::queue_type::QueueType;
use crate::engine::value::{FieldTable, FieldValue};
use std::collections::BTreeSet;

/// The argument, on basic.consume and on queue.declare.
pub const ARGUMENT: &str = "x-consumer-timeout";

/// A consumer argument's value as a timeout in ms: integers (a timestamp
/// is one in Erlang) and finite floats; negative means at once. `None`: a
/// value RabbitMQ cannot add to a time.
fn consumer_argument_ms(value: &FieldValue) -> Option<Millis> {
    let integer = match value {
        FieldValue::Timestamp(t) => Some(i128::from(*t)),
        other => other.as_integer().map(i128::from),
    };
    if let Some(n) = integer {
        return Some(u64::try_from(n.max(0)).unwrap_or(u64::MAX));
    }
    let float = match value {
        FieldValue::Float(f) => f64::from(*f),
        FieldValue::Double(d) => *d,
        _ => return None,
    };
    // `Ts >= Delivered + F` on integer milliseconds: F rounded up. The
    // cast saturates (and a negative float is 0).
    float.is_finite().then(|| float.ceil() as u64)
}

impl Broker {
    /// The timeout a new consumer (`consumer_arguments`: basic.consume's
    /// arguments) or a basic.get (`None`) on `q` gets, in the 4.3 profile:
    /// `Ok(None)` when there is none (3.10, classic queues, streams, the
    /// node's timeout turned off). Errors: the 406 for a consumer argument
    /// a classic queue or stream does not take, the crash for a value
    /// RabbitMQ cannot read (see the module notes).
    pub(crate) fn consumer_timeout_for(
        &self,
        q: &Queue,
        consumer_arguments: Option<&FieldTable>,
    ) -> Result<Option<Millis>, AmqpError> {
        if !self.config.profile.quorum_consumer_timeout() {
            return Ok(None);
        }
        let quorum = q.settings.queue_type == QueueType::Quorum;
        let from_consumer = consumer_arguments.and_then(|a| a.get(ARGUMENT));
        if from_consumer.is_some() && !quorum {
            return Err(AmqpError::precondition_failed(format!(
                "invalid arg '{ARGUMENT}' for {} of queue type {}",
                q.resource(),
                q.settings.queue_type.module()
            )));
        }
        // Every queue type reads the queue's argument first, and only an
        // integer will do.
        let from_queue = match q.args.get(ARGUMENT) {
            None => None,
            Some(v) => Some(v.as_integer().ok_or_else(AmqpError::crash)?),
        };
        if !quorum {
            return Ok(None);
        }
        if let Some(v) = from_consumer {
            return consumer_argument_ms(v)
                .map(Some)
                .ok_or_else(AmqpError::crash);
        }
        Ok(match from_queue {
            Some(n) => Some(u64::try_from(n.max(0)).unwrap_or(0)),
            None => self.ack_settings.timeout_ms,
        })
    }

    /// A delivery from `queue` with deadline `at` is out: arms the queue's
    /// timeout timer if this deadline comes first.
    pub(crate) fn arm_consumer_timeout(&mut self, queue: QueueId, at: Millis) {
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        if q.consumer_timeout_at.is_some_and(|armed| armed <= at) {
            return;
        }
        q.consumer_timeout_at = Some(at);
        self.schedule_timer(at, Timer::ConsumerTimeout(queue));
    }

    /// The earliest deadline among `queue`'s unacknowledged deliveries.
    fn next_consumer_deadline(&self, queue: QueueId) -> Option<Millis> {
        self.channels
            .values()
            .flat_map(|c| c.unacked.values())
            .filter(|u| u.queue == queue)
            .filter_map(|u| u.deadline)
            .min()
    }

    /// `queue`'s timeout timer fires: every delivery whose deadline has
    /// come goes back to the queue, its consumer stops receiving until it
    /// settles them, and each client is told (basic.cancel, or the channel
    /// is closed). Then the timer is armed for the next deadline.
    pub(crate) fn consumer_timeout_fired(&mut self, queue: QueueId) {
        let now = self.clock.now();
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        if q.consumer_timeout_at.is_some_and(|armed| armed > now) {
            return; // an earlier timer, superseded
        }
        q.consumer_timeout_at = None;
        // RabbitMQ goes through consumers in the order they subscribed
        // (basic.get ones last), each one's messages in delivery order.
        let mut due: Vec<(Option<ConsumerId>, ChannelId, u64)> = self
            .channels
            .values()
            .flat_map(|c| c.unacked.values().map(move |u| (c.id, u)))
            .filter(|(_, u)| u.queue == queue && u.deadline.is_some_and(|d| d <= now))
            .map(|(ch, u)| (u.consumer, ch, u.tag))
            .collect();
        due.sort_by_key(|&(consumer, ch, tag)| (consumer.is_none(), consumer, ch, tag));
        let mut notify: Vec<(Option<ConsumerId>, ChannelId, u32)> = Vec::new();
        for &(consumer, ch, tag) in &due {
            self.time_out_delivery(ch, tag);
            match notify.last_mut() {
                Some(last) if last.0 == consumer && last.1 == ch => last.2 += 1,
                _ => notify.push((consumer, ch, 1)),
            }
        }
        if !due.is_empty() {
            self.after_requeue(queue);
        }
        for (consumer, ch, deliveries) in notify {
            self.tell_timed_out(queue, consumer, ch, deliveries);
        }
        self.settle_dying();
        if let Some(at) = self.next_consumer_deadline(queue) {
            self.arm_consumer_timeout(queue, at);
        }
    }

    /// One delivery times out: it leaves the channel's unacked deliveries
    /// for its released ones, its consumer gets the credit back and counts
    /// one more timed-out delivery to settle, and the message goes back.
    fn time_out_delivery(&mut self, ch: ChannelId, tag: u64) {
        let Some(channel) = self.channels.get_mut(&ch) else {
            return;
        };
        let Some(u) = channel.unacked.remove(&tag) else {
            return;
        };
        channel.released.insert(tag, u.consumer);
        let (conn, number) = (channel.conn, channel.number);
        if let Some(c) = u.consumer.and_then(|id| self.consumers.get_mut(&id)) {
            c.unacked = c.unacked.saturating_sub(1);
            c.timed_out = c.timed_out.saturating_add(1);
        }
        if let Some(q) = self.queues.get_mut(&u.queue) {
            q.unacked = q.unacked.saturating_sub(1);
        }
        self.emit(EventKind::AckTimedOut {
            conn,
            channel: ch,
            number,
            delivery_tag: tag,
            queue_name: u.queue_name.clone(),
            delivered_at: u.delivered_at,
            timeout_ms: u.deadline.map_or(0, |d| d.saturating_sub(u.delivered_at)),
        });
        self.requeue_entry(
            u.queue,
            u.entry,
            RequeueReason::ConsumerTimeout,
            Some((ch, tag)),
        );
    }

    /// Tells the client of a consumer (or of a basic.get: `None`) whose
    /// deliveries timed out: basic.cancel if it can take one, otherwise the
    /// channel is closed.
    fn tell_timed_out(
        &mut self,
        queue: QueueId,
        consumer: Option<ConsumerId>,
        ch: ChannelId,
        deliveries: u32,
    ) {
        let Some(channel) = self.channels.get(&ch).filter(|c| c.open) else {
            return;
        };
        let (conn, number) = (channel.conn, channel.number);
        let tag = consumer
            .and_then(|id| self.consumers.get(&id))
            .filter(|c| c.channel == ch)
            .map(|c| c.tag.clone());
        let cancel = tag.is_some() && self.takes_consumer_cancel(conn);
        let queue_name = self
            .queues
            .get(&queue)
            .map(|q| q.name.clone())
            .unwrap_or_else(|| self.empty_name.clone());
        self.emit(EventKind::ConsumerTimedOut {
            consumer,
            tag: tag.clone(),
            channel: ch,
            queue_name,
            deliveries,
            cancel_sent: cancel,
        });
        match tag {
            Some(consumer_tag) if cancel => {
                self.send(
                    ch,
                    crate::engine::outbox::ServerMethod::BasicCancel { consumer_tag },
                );
            }
            _ => {
                let error = crate::engine::ack_timeout::ack_timeout_error(number, -1);
                self.fail(ch, conn, &error);
            }
        }
    }

    /// Whether connection `conn`'s client advertised
    /// `consumer_cancel_notify` (one without a handshake counts as pika).
    fn takes_consumer_cancel(&self, conn: crate::engine::ids::ConnId) -> bool {
        let Some(c) = self.connections.get(&conn) else {
            return false;
        };
        if c.client.properties.is_empty() {
            return true;
        }
        matches!(
            c.client.properties.get("capabilities"),
            Some(FieldValue::Table(t))
                if t.get("consumer_cancel_notify") == Some(&FieldValue::Bool(true))
        )
    }

    /// A client settled (acked, nacked, rejected, recovered) delivery tags
    /// of channel `ch` that had timed out: nothing happens to the messages,
    /// which went back already, but each consumer that settled all of its
    /// timed-out deliveries receives messages again.
    pub(crate) fn settle_released(&mut self, ch: ChannelId, tags: Vec<u64>) {
        let mut resumed: BTreeSet<QueueId> = BTreeSet::new();
        for tag in tags {
            let Some(consumer) = self
                .channels
                .get_mut(&ch)
                .and_then(|c| c.released.remove(&tag))
            else {
                continue;
            };
            if let Some(c) = consumer.and_then(|id| self.consumers.get_mut(&id)) {
                c.timed_out = c.timed_out.saturating_sub(1);
                if c.timed_out == 0 {
                    resumed.insert(c.queue);
                }
            }
        }
        for queue in resumed {
            self.unpark(queue, ch);
            self.schedule_dispatch(queue);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_arguments_read_as_erlang_adds_them() {
        assert_eq!(
            consumer_argument_ms(&FieldValue::Long(60_000)),
            Some(60_000)
        );
        assert_eq!(consumer_argument_ms(&FieldValue::Short(-5)), Some(0));
        assert_eq!(
            consumer_argument_ms(&FieldValue::Timestamp(u64::MAX)),
            Some(u64::MAX)
        );
        assert_eq!(consumer_argument_ms(&FieldValue::Double(1.5)), Some(2));
        assert_eq!(consumer_argument_ms(&FieldValue::Double(-1e300)), Some(0));
        assert_eq!(
            consumer_argument_ms(&FieldValue::Double(1e300)),
            Some(u64::MAX)
        );
        assert_eq!(consumer_argument_ms(&FieldValue::Double(f64::NAN)), None);
        assert_eq!(
            consumer_argument_ms(&FieldValue::LongStr("60000".into())),
            None
        );
        assert_eq!(consumer_argument_ms(&FieldValue::Bool(true)), None);
    }
}
