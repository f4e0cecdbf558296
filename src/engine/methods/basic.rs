//! basic.qos, basic.consume, basic.cancel, basic.get, basic.ack/nack/reject
//! and basic.recover: the consuming side of AMQP.
//!
//! Acknowledgements name delivery tags of the channel. An unknown tag (acked
//! twice, or from another channel) is 406 `unknown delivery tag N` and
//! closes the channel, which in turn requeues everything else it held.
//! `multiple` settles every outstanding tag up to the one given; tag 0 with
//! `multiple` settles all of them.

use crate::engine::broker::Broker;
use crate::engine::channel::{HeldSettle, SettleKind, Unacked};
use crate::engine::consumer::Consumer;
use crate::engine::error::{AmqpError, CommandError, ReplyCode};
use crate::engine::event::{CancelReason, EventKind, QueueDeleteReason, RequeueReason};
use crate::engine::ids::{ChannelId, ConsumerId, QueueId};
use crate::engine::method::{
    BasicAck, BasicConsume, BasicNack, BasicQos, BasicReject, GetOk, MethodId,
};
use crate::engine::methods::{check_shortstr, check_table};
use crate::engine::outbox::ServerMethod;
use crate::engine::queue_type::{unsupported_error, Operation, QueueType};
use crate::engine::value::FieldValue;
use std::collections::BTreeSet;
use std::rc::Rc;

impl Broker {
    /// basic.qos. `global=false` sets the prefetch of consumers created from
    /// now on (RabbitMQ's per-consumer reading of AMQP) and lifts any channel
    /// limit; `global=true` limits the whole channel.
    pub(crate) fn basic_qos(&mut self, ch: ChannelId, qos: BasicQos) -> Result<(), CommandError> {
        let BasicQos {
            prefetch_size,
            prefetch_count,
            global,
        } = qos;
        let prefetch_count = u32::from(prefetch_count);
        let global = global && !self.config.profile.global_qos_is_per_consumer();
        self.on_channel(ch, MethodId::BASIC_QOS, |b, ch, _conn| {
            if prefetch_size != 0 {
                return Err(AmqpError::new(
                    ReplyCode::NotImplemented,
                    format!("prefetch_size!=0 ({prefetch_size})"),
                ));
            }
            let Some(channel) = b.channels.get_mut(&ch) else {
                return Ok(());
            };
            if global {
                if prefetch_count == 0 {
                    channel.channel_prefetch = 0;
                    channel.volume = 0;
                } else {
                    if channel.channel_prefetch == 0 {
                        // The limiter starts counting from what is out now.
                        channel.volume = channel.unacked.len() as u32;
                    }
                    channel.channel_prefetch = prefetch_count;
                }
            } else {
                channel.consumer_prefetch = prefetch_count;
                channel.channel_prefetch = 0;
                channel.volume = 0;
            }
            b.emit(EventKind::QosSet {
                channel: ch,
                prefetch_count,
                global,
            });
            b.resume_channel(ch);
            Ok(())
        })
    }

    /// basic.consume. Returns the consumer tag.
    pub(crate) fn basic_consume(
        &mut self,
        ch: ChannelId,
        c: BasicConsume,
    ) -> Result<Rc<str>, CommandError> {
        check_shortstr("queue name", &c.queue)?;
        check_shortstr("consumer tag", &c.consumer_tag)?;
        check_table("arguments", &c.arguments)?;
        self.on_channel(ch, MethodId::BASIC_CONSUME, |b, ch, conn| {
            if !c.consumer_tag.is_empty()
                && b.channels
                    .get(&ch)
                    .is_some_and(|x| x.consumers.contains_key(c.consumer_tag.as_str()))
            {
                return Err(AmqpError::new(
                    ReplyCode::NotAllowed,
                    format!("attempt to reuse consumer tag '{}'", c.consumer_tag),
                ));
            }
            let name = b.expand_queue_name(ch, &c.queue)?;
            let queue = b.queue_or_404(&name)?;
            b.check_exclusive_access(queue, conn)?;
            let q = &b.queues[&queue];
            let priority = match c.arguments.get("x-priority") {
                None => 0,
                Some(v) => v.as_integer().ok_or_else(|| {
                    AmqpError::precondition_failed(format!(
                        "invalid arg 'x-priority' for {}: \"expected integer, got {}\"",
                        q.resource(),
                        v.type_name()
                    ))
                })?,
            };
            if let Some(v) = c.arguments.get("x-cancel-on-ha-failover") {
                if !matches!(v, FieldValue::Bool(_)) {
                    return Err(AmqpError::precondition_failed(format!(
                        "invalid arg 'x-cancel-on-ha-failover' for {}: {{unacceptable_type,{}}}",
                        q.resource(),
                        v.type_name()
                    )));
                }
            }
            // A stream's `x-stream-offset` is checked with the consumer
            // arguments (`rabbit_amqqueue:check_consume_arguments`), before
            // the stream asks for a prefetch; a value RabbitMQ cannot read
            // crashes the channel (541).
            let stream_start = if q.settings.queue_type == QueueType::Stream {
                use crate::engine::stream_log::{OffsetRefused, StartAt};
                let start = StartAt::from_argument(c.arguments.get("x-stream-offset"));
                Some(start.map_err(|refused| match refused {
                    OffsetRefused::Crash => AmqpError::crash(),
                    OffsetRefused::Invalid(reason) => AmqpError::precondition_failed(format!(
                        "invalid arg 'x-stream-offset' for {}: {reason}",
                        q.resource()
                    )),
                })?)
            } else {
                None
            };
            // 4.3 checks consumer arguments (`rabbit_amqqueue:basic_consume`)
            // and reads the timeout (`rabbit_queue_type:consume`) before the
            // queue type looks at the consumer.
            let timeout_ms = b.consumer_timeout_for(q, Some(&c.arguments))?;
            let rules = q.settings.queue_type.rules();
            let consumer_prefetch = b.channels.get(&ch).map_or(0, |x| x.consumer_prefetch);
            if rules.consume_needs_prefetch() && consumer_prefetch == 0 {
                return Err(AmqpError::precondition_failed(format!(
                    "consumer prefetch count is not set for '{}'",
                    q.resource()
                )));
            }
            if c.no_ack {
                if let Some(what) = rules.unsupported(Operation::AutoAckConsume) {
                    return Err(unsupported_error(what, &q.resource()));
                }
            }
            let exclusive = c.exclusive && rules.honours_exclusive_consume();
            let in_use = AmqpError::access_refused(format!("{} in exclusive use", q.resource()));
            if q.consumers.exclusive.is_some()
                || (exclusive && (!q.consumers.is_empty() || q.settings.single_active_consumer))
            {
                return Err(in_use);
            }
            let global_prefetch = b.channels.get(&ch).is_some_and(|x| x.channel_prefetch > 0);
            if global_prefetch && rules.refuses_global_qos() {
                return Err(AmqpError::new(
                    ReplyCode::NotImplemented,
                    format!("{} does not support global qos", q.resource()),
                ));
            }
            let tag: Rc<str> = if c.consumer_tag.is_empty() {
                Rc::from(b.rng.generated_name("amq.ctag"))
            } else {
                Rc::from(c.consumer_tag.as_str())
            };
            let prefetch = b.channels.get(&ch).map_or(0, |x| x.consumer_prefetch);
            let stream_offset = match stream_start {
                Some(start) => start.resolve(&q.stream, b.clock.unix_millis()),
                None => 0,
            };
            let id = ConsumerId(b.take_id());
            b.consumers.insert(
                id,
                Consumer {
                    id,
                    tag: tag.clone(),
                    channel: ch,
                    queue,
                    no_ack: c.no_ack,
                    exclusive,
                    prefetch,
                    priority,
                    args: c.arguments,
                    unacked: 0,
                    stream_offset,
                    timeout_ms,
                    timed_out: 0,
                },
            );
            if let Some(channel) = b.channels.get_mut(&ch) {
                channel.consumers.insert(tag.clone(), id);
            }
            let Some(q) = b.queues.get_mut(&queue) else {
                return Ok(tag);
            };
            q.consumers.add(id, priority);
            q.has_had_consumers = true;
            // A consumer makes the queue "used": x-expires waits.
            q.expiry_generation += 1;
            if exclusive {
                q.consumers.exclusive = Some(id);
            }
            let sac = q.settings.single_active_consumer;
            let active = if sac && q.consumers.single_active.is_none() {
                q.consumers.single_active = Some(id);
                true
            } else {
                !sac
            };
            let queue_name = q.name.clone();
            b.emit(EventKind::ConsumerAdded {
                consumer: id,
                tag: tag.clone(),
                channel: ch,
                queue,
                queue_name,
                no_ack: c.no_ack,
                exclusive,
                prefetch,
                priority,
                active,
            });
            b.schedule_dispatch(queue);
            Ok(tag)
        })
    }

    /// basic.cancel. Cancelling an unknown tag succeeds. The consumer's
    /// unacknowledged deliveries stay unacknowledged (only closing the
    /// channel, a nack or basic.recover sends them back).
    pub(crate) fn basic_cancel(
        &mut self,
        ch: ChannelId,
        consumer_tag: &str,
    ) -> Result<(), CommandError> {
        check_shortstr("consumer tag", consumer_tag)?;
        self.on_channel(ch, MethodId::BASIC_CANCEL, |b, ch, _conn| {
            if let Some(id) = b
                .channels
                .get(&ch)
                .and_then(|c| c.consumers.get(consumer_tag).copied())
            {
                b.cancel_consumer(id, CancelReason::Client);
            }
            Ok(())
        })
    }

    /// A client cancel: the consumer goes, and a queue left without
    /// consumers re-arms x-expires or, if auto-delete, is deleted.
    pub(crate) fn cancel_consumer(&mut self, id: ConsumerId, reason: CancelReason) {
        let Some(queue) = self.consumers.get(&id).map(|c| c.queue) else {
            return;
        };
        self.remove_consumer(id, reason);
        let Some(q) = self.queues.get(&queue) else {
            return;
        };
        if q.consumers.is_empty() {
            if q.auto_delete && q.has_had_consumers {
                self.delete_queue(queue, QueueDeleteReason::AutoDelete);
            } else {
                self.arm_queue_expiry(queue);
            }
        }
    }

    /// Removes a consumer from its queue and channel and logs why; hands a
    /// single-active-consumer queue over to the next consumer.
    pub(crate) fn remove_consumer(&mut self, id: ConsumerId, reason: CancelReason) {
        let Some(c) = self.consumers.remove(&id) else {
            return;
        };
        if let Some(channel) = self.channels.get_mut(&c.channel) {
            channel.consumers.remove(&c.tag);
        }
        let mut activated = None;
        let mut queue_name: Rc<str> = Rc::from("");
        if let Some(q) = self.queues.get_mut(&c.queue) {
            let was_active = q.consumers.single_active == Some(id);
            q.consumers.remove(id);
            if q.settings.single_active_consumer && was_active {
                if let Some(next) = q.consumers.next_single_active() {
                    q.consumers.single_active = Some(next);
                    activated = Some(next);
                }
            }
            queue_name = q.name.clone();
        }
        self.emit(EventKind::ConsumerCancelled {
            consumer: id,
            tag: c.tag.clone(),
            channel: c.channel,
            queue_name: queue_name.clone(),
            reason,
        });
        if reason == CancelReason::QueueDeleted {
            // consumer_cancel_notify: the client learns its consumer is gone.
            self.send(
                c.channel,
                ServerMethod::BasicCancel {
                    consumer_tag: c.tag.clone(),
                },
            );
        }
        if let Some(next) = activated {
            let tag = self
                .consumers
                .get(&next)
                .map(|n| n.tag.clone())
                .unwrap_or_else(|| Rc::from(""));
            self.emit(EventKind::ConsumerActivated {
                consumer: next,
                tag,
                queue_name,
            });
            // A channel closing requeues and runs the queue anyway; a queue
            // deleted has nothing to run. After a client's basic.cancel,
            // RabbitMQ 3.10 leaves the queue idle (see the profile): pika's
            // channel.close() sends basic.cancel and then channel.close, and
            // the new active consumer must first get the requeued unacked
            // messages, not the next ready one, however the two methods
            // reach the broker (together, or with broker work in between
            // as on warren-server).
            if reason != CancelReason::Client
                || self.profile().delivers_after_single_active_cancel()
            {
                self.schedule_dispatch(c.queue);
            }
        }
    }

    /// basic.get: takes the head message, or reports the queue empty.
    /// Prefetch limits do not apply. An unacked get counts on the channel
    /// like any delivery (and is requeued if the channel closes).
    pub(crate) fn basic_get(
        &mut self,
        ch: ChannelId,
        queue: &str,
        no_ack: bool,
    ) -> Result<Option<GetOk>, CommandError> {
        check_shortstr("queue name", queue)?;
        self.on_channel(ch, MethodId::BASIC_GET, |b, ch, conn| {
            let name = b.expand_queue_name(ch, queue)?;
            let id = b.queue_or_404(&name)?;
            b.check_exclusive_access(id, conn)?;
            b.check_supported(id, Operation::BasicGet)?;
            let timeout_ms = match b.queues.get(&id) {
                Some(q) => b.consumer_timeout_for(q, None)?,
                None => None,
            };
            b.arm_queue_expiry(id);
            let Some(q) = b.queues.get_mut(&id) else {
                return Ok(None);
            };
            let Some(entry) = q.handoff.pop_front().or_else(|| q.ready.pop_front()) else {
                let queue_name = q.name.clone();
                b.emit(EventKind::GetEmpty {
                    channel: ch,
                    queue_name,
                });
                return Ok(None);
            };
            if !no_ack {
                q.unacked += 1;
            }
            // RabbitMQ drops expired heads right after the fetch, before it
            // counts what is left; the log shows the fetch first.
            let now = b.clock.now();
            let expiring = q.ready.iter().take_while(|e| e.is_expired(now)).count() as u64;
            let (queue_name, message_count) = (q.name.clone(), q.ready_count() - expiring);
            let message = if q.settings.queue_type.rules().counts_deliveries() {
                crate::engine::dispatch::with_return_counts(&entry, b.config.profile, true)
            } else {
                entry.msg.clone()
            };
            b.record_delivery(id, &entry, !no_ack);
            let Some(channel) = b.channels.get_mut(&ch) else {
                return Ok(None);
            };
            let tag = channel.take_delivery_tag();
            let ok = GetOk {
                message,
                delivery_tag: tag,
                redelivered: entry.redelivered(),
                message_count,
            };
            let now = b.clock.now();
            let deadline = timeout_ms
                .filter(|_| !no_ack)
                .map(|t| now.saturating_add(t));
            if !no_ack {
                channel.unacked.insert(
                    tag,
                    Unacked {
                        tag,
                        queue: id,
                        queue_name: queue_name.clone(),
                        entry,
                        consumer: None,
                        delivered_at: now,
                        deadline,
                    },
                );
            }
            if let Some(at) = deadline {
                b.arm_consumer_timeout(id, at);
            }
            b.emit(EventKind::Delivered {
                message: ok.message.clone(),
                queue: id,
                queue_name,
                channel: ch,
                consumer: None,
                consumer_tag: None,
                delivery_tag: tag,
                redelivered: ok.redelivered,
                ack_required: !no_ack,
                skipped: Vec::new(),
                message_count: Some(message_count),
            });
            b.drop_expired(id);
            b.schedule_head_expiry(id);
            Ok(Some(ok))
        })
    }

    pub(crate) fn basic_ack(&mut self, ch: ChannelId, m: BasicAck) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::BASIC_ACK, |b, ch, _| {
            b.settle_method(ch, m.delivery_tag, m.multiple, SettleKind::Ack)
        })
    }

    pub(crate) fn basic_nack(&mut self, ch: ChannelId, m: BasicNack) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::BASIC_NACK, |b, ch, _| {
            b.settle_method(
                ch,
                m.delivery_tag,
                m.multiple,
                SettleKind::Nack { requeue: m.requeue },
            )
        })
    }

    pub(crate) fn basic_reject(
        &mut self,
        ch: ChannelId,
        m: BasicReject,
    ) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::BASIC_REJECT, |b, ch, _| {
            b.settle_method(
                ch,
                m.delivery_tag,
                false,
                SettleKind::Reject { requeue: m.requeue },
            )
        })
    }

    /// basic.recover and basic.recover-async: requeue=true sends every
    /// unacked delivery of the channel back to its queue; requeue=false is
    /// not implemented by RabbitMQ (540, which closes the connection).
    pub(crate) fn basic_recover(
        &mut self,
        ch: ChannelId,
        method: MethodId,
        requeue: bool,
    ) -> Result<(), CommandError> {
        self.on_channel(ch, method, |b, ch, _| {
            if !requeue {
                return Err(AmqpError::new(ReplyCode::NotImplemented, "requeue=false"));
            }
            let (deliveries, released): (Vec<Unacked>, Vec<u64>) = b
                .channels
                .get_mut(&ch)
                .map(|c| {
                    (
                        std::mem::take(&mut c.unacked).into_values().collect(),
                        c.released.keys().copied().collect(),
                    )
                })
                .unwrap_or_default();
            b.settle_released(ch, released);
            b.settle(ch, deliveries, None);
            Ok(())
        })
    }

    fn settle_method(
        &mut self,
        ch: ChannelId,
        tag: u64,
        multiple: bool,
        kind: SettleKind,
    ) -> Result<(), AmqpError> {
        if kind != SettleKind::Ack {
            self.check_settle_supported(ch, tag, multiple)?;
        }
        let deliveries = self.collect_acks(ch, tag, multiple)?;
        let Some(channel) = self.channels.get_mut(&ch) else {
            return Ok(());
        };
        if let Some(tx) = channel.tx.as_mut() {
            tx.settles.push(HeldSettle { deliveries, kind });
            return Ok(());
        }
        self.settle(ch, deliveries, Some(kind));
        Ok(())
    }

    /// Whether `op` is supported by queue `id`'s type (540 if not).
    pub(crate) fn check_supported(&self, id: QueueId, op: Operation) -> Result<(), AmqpError> {
        let Some(q) = self.queues.get(&id) else {
            return Ok(());
        };
        match q.settings.queue_type.rules().unsupported(op) {
            Some(what) => Err(unsupported_error(what, &q.resource())),
            None => Ok(()),
        }
    }

    /// A nack or reject of deliveries from a queue that refuses them (a
    /// stream) is an error, checked before anything is settled. An unknown
    /// tag is left to `collect_acks`.
    fn check_settle_supported(
        &self,
        ch: ChannelId,
        tag: u64,
        multiple: bool,
    ) -> Result<(), AmqpError> {
        let Some(channel) = self.channels.get(&ch) else {
            return Ok(());
        };
        let named = channel.unacked.iter().filter(|(t, _)| {
            if multiple {
                tag == 0 || **t <= tag
            } else {
                **t == tag
            }
        });
        for (_, u) in named {
            self.check_supported(u.queue, Operation::NackOrReject)?;
        }
        Ok(())
    }

    /// Takes the deliveries an ack/nack/reject names out of the channel.
    /// Tags whose deliveries a 4.3 quorum queue took back when they timed
    /// out are still the channel's: naming them is no error, and settles
    /// them (`quorum_timeout.rs`).
    fn collect_acks(
        &mut self,
        ch: ChannelId,
        tag: u64,
        multiple: bool,
    ) -> Result<Vec<Unacked>, AmqpError> {
        let Some(channel) = self.channels.get_mut(&ch) else {
            return Ok(Vec::new());
        };
        let everything = multiple && tag == 0;
        if !everything
            && !channel.unacked.contains_key(&tag)
            && !channel.released.contains_key(&tag)
        {
            return Err(AmqpError::precondition_failed(format!(
                "unknown delivery tag {tag}"
            )));
        }
        let released: Vec<u64> = channel
            .released
            .keys()
            .copied()
            .filter(|t| {
                if multiple {
                    everything || *t <= tag
                } else {
                    *t == tag
                }
            })
            .collect();
        let taken = if everything {
            std::mem::take(&mut channel.unacked).into_values().collect()
        } else if multiple {
            let rest = channel.unacked.split_off(&(tag.saturating_add(1)));
            let taken = std::mem::replace(&mut channel.unacked, rest);
            taken.into_values().collect()
        } else {
            channel.unacked.remove(&tag).into_iter().collect()
        };
        if !released.is_empty() {
            self.settle_released(ch, released);
        }
        Ok(taken)
    }

    /// Settles deliveries: ack, reject/nack (requeue or dead-letter), or
    /// requeue for basic.recover (`kind` None). Credits consumers and the
    /// channel limit, and unparks consumers that have room again.
    pub(crate) fn settle(
        &mut self,
        ch: ChannelId,
        deliveries: Vec<Unacked>,
        kind: Option<SettleKind>,
    ) {
        let mut touched: BTreeSet<QueueId> = BTreeSet::new();
        let mut requeued: BTreeSet<QueueId> = BTreeSet::new();
        let mut unblocked: BTreeSet<QueueId> = BTreeSet::new();
        let mut consumer_deliveries = 0u32;
        for u in deliveries {
            if let Some(cid) = u.consumer {
                consumer_deliveries += 1;
                if let Some(c) = self.consumers.get_mut(&cid) {
                    let was_blocked = c.is_credit_blocked();
                    c.unacked = c.unacked.saturating_sub(1);
                    if was_blocked && !c.is_credit_blocked() {
                        unblocked.insert(u.queue);
                    }
                }
            }
            let alive = match self.queues.get_mut(&u.queue) {
                Some(q) => {
                    q.unacked = q.unacked.saturating_sub(1);
                    true
                }
                None => false,
            };
            touched.insert(u.queue);
            let message = u.entry.msg.id();
            match kind {
                Some(SettleKind::Ack) => {
                    // An ack on a stream only gives credit back.
                    let stream = self
                        .queues
                        .get(&u.queue)
                        .is_some_and(|q| q.settings.queue_type == QueueType::Stream);
                    if alive && !stream {
                        self.record_gone(u.queue, &u.entry);
                    }
                    self.emit(EventKind::Acked {
                        channel: ch,
                        delivery_tag: u.tag,
                        message,
                        queue_name: u.queue_name,
                    });
                }
                Some(SettleKind::Nack { requeue }) | Some(SettleKind::Reject { requeue }) => {
                    let nack = matches!(kind, Some(SettleKind::Nack { .. }));
                    self.emit(EventKind::Rejected {
                        channel: ch,
                        delivery_tag: u.tag,
                        message,
                        queue_name: u.queue_name,
                        requeue,
                        nack,
                    });
                    if alive {
                        if requeue {
                            let reason = if nack {
                                RequeueReason::Nack
                            } else {
                                RequeueReason::Reject
                            };
                            self.requeue_entry(u.queue, u.entry, reason, Some((ch, u.tag)));
                            requeued.insert(u.queue);
                        } else {
                            self.record_gone(u.queue, &u.entry);
                            self.kill(
                                u.queue,
                                u.entry.msg,
                                crate::engine::event::DeathReason::Rejected,
                            );
                        }
                    }
                }
                None => {
                    if alive {
                        self.requeue_entry(
                            u.queue,
                            u.entry,
                            RequeueReason::Recover,
                            Some((ch, u.tag)),
                        );
                        requeued.insert(u.queue);
                    }
                }
            }
        }
        for queue in unblocked {
            self.unpark(queue, ch);
        }
        for &queue in &requeued {
            self.after_requeue(queue);
        }
        if let Some(channel) = self.channels.get_mut(&ch) {
            if channel.channel_prefetch > 0 {
                channel.volume = channel.volume.saturating_sub(consumer_deliveries);
            }
        }
        self.resume_channel(ch);
        for queue in touched {
            self.schedule_dispatch(queue);
            // The last unsettled delivery of a cancelled consumer or a
            // basic.get (quorum queues) takes that consumer away.
            let released = self.queues.get(&queue).is_some_and(|q| {
                q.settings.queue_type.rules().consumers_stay_until_settled()
                    && q.consumers.is_empty()
                    && q.unacked == 0
            });
            if released {
                self.arm_queue_expiry(queue);
            }
        }
        self.settle_dying();
    }
}
