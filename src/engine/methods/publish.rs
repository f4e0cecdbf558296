//! basic.publish: checks, routing, enqueueing, returns and confirms.
//!
//! A publish is checked in RabbitMQ's order (`immediate`: 540; the body
//! within `max_message_size`: 406; exchange exists: 404; not internal:
//! 403; `user_id` matches the login: 406; `expiration` parses: 406), then
//! routed. If no queue takes it, it is dropped, or returned
//! with 312 NO_ROUTE when `mandatory` is set. Under publisher confirms the
//! broker then acks it (a return always comes first), or nacks it if a full
//! queue with `x-overflow: reject-publish` refused it. Inside a transaction
//! the routed message is held until tx.commit.

use crate::engine::broker::Broker;
use crate::engine::channel::HeldPublish;
use crate::engine::error::{AmqpError, CommandError, ReplyCode};
use crate::engine::event::{DeathReason, EventKind};
use crate::engine::ids::{ChannelId, ConnId, QueueId};
use crate::engine::message::{parse_expiration, MessageId, MessageRef, Properties};
use crate::engine::method::{BasicPublish, MethodId};
use crate::engine::methods::{check_shortstr, check_table};
use crate::engine::outbox::{Confirm, ServerMethod};
use crate::engine::queue::{exchange_resource, Entry};
use crate::engine::queue_args::Overflow;
use crate::engine::queue_type::QueueType;
use crate::engine::value::FieldValue;
use std::rc::Rc;

/// What became of one enqueue attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Enqueued {
    Accepted,
    /// Refused by `x-overflow: reject-publish(-dlx)`.
    Refused,
}

/// Refuses properties a client could not encode: a short string over 255
/// bytes, a header table with a long key or nested too deep.
fn check_properties(p: &Properties) -> Result<(), CommandError> {
    for (field, value) in p.short_strings() {
        if let Some(v) = value {
            check_shortstr(field, v)?;
        }
    }
    if let Some(h) = &p.headers {
        check_table("headers", h)?;
    }
    Ok(())
}

/// Extra routing keys from a `CC` or `BCC` header (sender-selected
/// distribution): an array of strings.
fn header_keys(p: &Properties, header: &str) -> Result<Vec<Rc<str>>, AmqpError> {
    match p.header(header) {
        None => Ok(Vec::new()),
        Some(FieldValue::Array(items)) => items
            .iter()
            .map(|v| match v {
                FieldValue::LongStr(s) => Ok(Rc::from(s.as_str())),
                other => Err(AmqpError::precondition_failed(format!(
                    "invalid message: {{unacceptable_type_in_header,\"{header}\",{}}}",
                    other.type_name()
                ))),
            })
            .collect(),
        Some(other) => Err(AmqpError::precondition_failed(format!(
            "invalid message: {{unacceptable_type_in_header,\"{header}\",{}}}",
            other.type_name()
        ))),
    }
}

impl Broker {
    /// Publishes one message. Returns its publisher-confirm sequence number
    /// when the channel is in confirm mode.
    pub(crate) fn basic_publish(
        &mut self,
        ch: ChannelId,
        p: BasicPublish,
    ) -> Result<Option<u64>, CommandError> {
        check_shortstr("exchange name", &p.exchange)?;
        check_shortstr("routing key", &p.routing_key)?;
        check_properties(&p.properties)?;
        self.on_channel(ch, MethodId::BASIC_PUBLISH, |b, ch, conn| {
            b.publish(ch, conn, p)
        })
    }

    fn publish(
        &mut self,
        ch: ChannelId,
        conn: ConnId,
        p: BasicPublish,
    ) -> Result<Option<u64>, AmqpError> {
        if p.immediate {
            return Err(AmqpError::new(ReplyCode::NotImplemented, "immediate=true"));
        }
        let (size, max) = (p.body.len() as u64, self.config.max_message_size);
        if size > max {
            return Err(AmqpError::message_too_large(size, max));
        }
        let exchange_name: Rc<str> = if p.exchange.is_empty() {
            self.default_exchange_name()
        } else {
            let id = self.exchange_or_404(&p.exchange)?;
            let x = &self.exchanges[&id];
            if x.internal {
                return Err(AmqpError::access_refused(format!(
                    "cannot publish to internal {}",
                    exchange_resource(&p.exchange)
                )));
            }
            x.name.clone()
        };
        if let Some(user_id) = &p.properties.user_id {
            let user = self
                .connections
                .get(&conn)
                .map(|c| c.user.clone())
                .unwrap_or_else(|| Rc::from(""));
            if **user_id != *user {
                return Err(AmqpError::precondition_failed(format!(
                    "user_id property set to '{user_id}' but authenticated user was '{user}'"
                )));
            }
        }
        if let Some(expiration) = &p.properties.expiration {
            if let Err(reason) = parse_expiration(expiration) {
                return Err(AmqpError::precondition_failed(format!(
                    "invalid expiration '{expiration}': {reason}"
                )));
            }
        }
        let cc = header_keys(&p.properties, "CC")?;
        let bcc = header_keys(&p.properties, "BCC")?;

        let Some(channel) = self.channels.get_mut(&ch) else {
            return Ok(None);
        };
        // RabbitMQ numbers a publish when confirms or a transaction need it,
        // and also for every mandatory publish.
        let numbered = channel.confirm || channel.tx.is_some() || p.mandatory;
        let seq = numbered.then(|| {
            let s = channel.next_publish_seq;
            channel.next_publish_seq += 1;
            s
        });
        let confirm_seq = if channel.confirm { seq } else { None };
        let in_tx = channel.tx.is_some();

        let mut properties = p.properties;
        if !bcc.is_empty() {
            if let Some(h) = properties.headers.as_mut() {
                h.remove("BCC");
            }
        }
        let id = MessageId(self.next_message_id);
        self.next_message_id += 1;
        let envelope = self.envelope(
            exchange_name.clone(),
            &p.routing_key,
            cc.clone(),
            properties,
        );
        let message = MessageRef::with_envelope(id, envelope, &p.body);
        self.emit(EventKind::Published {
            message: message.clone(),
            channel: ch,
            mandatory: p.mandatory,
            confirm_seq,
            in_tx,
        });

        let mut keys = vec![message.routing_key.clone()];
        keys.extend(cc);
        keys.extend(bcc);
        let routed = self.route(
            &exchange_name,
            &keys,
            message.properties.headers.as_ref(),
            false,
        );
        self.emit(EventKind::Routed {
            message: id,
            exchange: exchange_name,
            routing_key: message.routing_key.clone(),
            trace: routed.trace,
        });
        if in_tx {
            if let Some(tx) = self.channels.get_mut(&ch).and_then(|c| c.tx.as_mut()) {
                tx.publishes.push(HeldPublish {
                    message,
                    mandatory: p.mandatory,
                    queues: routed.queues,
                    confirm_seq,
                });
            }
            return Ok(confirm_seq);
        }
        self.deliver_to_queues(ch, message, p.mandatory, &routed.queues, confirm_seq);
        Ok(confirm_seq)
    }

    /// Hands a routed message to its queues; sends the return and the
    /// confirm. Returns whether every queue accepted it.
    pub(crate) fn deliver_to_queues(
        &mut self,
        ch: ChannelId,
        message: MessageRef,
        mandatory: bool,
        queues: &[QueueId],
        confirm_seq: Option<u64>,
    ) -> bool {
        let queues: Vec<QueueId> = queues
            .iter()
            .copied()
            .filter(|q| self.queues.contains_key(q))
            .collect();
        if queues.is_empty() {
            self.emit(EventKind::Unroutable {
                message: message.id(),
                exchange: message.exchange.clone(),
                routing_key: message.routing_key.clone(),
                returned: mandatory,
            });
            if mandatory {
                self.emit(EventKind::Returned {
                    message: message.clone(),
                    channel: ch,
                    reply_code: 312,
                    reply_text: "NO_ROUTE",
                });
                self.send(
                    ch,
                    ServerMethod::BasicReturn {
                        reply_code: 312,
                        reply_text: "NO_ROUTE",
                        message,
                    },
                );
            }
            if let Some(seq) = confirm_seq {
                self.confirm(ch, seq, false, true);
            }
            return true;
        }
        let mut refused = false;
        let mut stored = false;
        for q in queues {
            stored |= self.durable_copy(q, &message).is_some();
            let writer = crate::engine::stream_segments::Writer::Channel(ch.0);
            if self.enqueue(q, message.clone(), writer) == Enqueued::Refused {
                refused = true;
            }
        }
        match confirm_seq {
            // A persistent message in a durable queue is confirmed once the
            // batch holding it is on disk (a refusal is nacked at once).
            Some(seq) if stored && !refused => self.confirm_after_commit(ch, seq),
            Some(seq) => self.confirm(ch, seq, false, !refused),
            None => {}
        }
        !refused
    }

    /// A publisher confirm: `basic.ack` (or `basic.nack`) of publish `seq`
    /// (with `multiple`, of every publish up to it) to the publisher.
    pub(crate) fn confirm(&mut self, ch: ChannelId, seq: u64, multiple: bool, ack: bool) {
        self.emit(EventKind::Confirmed {
            channel: ch,
            seq,
            multiple,
            ack,
        });
        let method = ServerMethod::Confirm(Confirm {
            delivery_tag: seq,
            multiple,
            ack,
        });
        self.send(ch, method);
    }

    /// Puts a message into a queue, as RabbitMQ's `maybe_deliver_or_enqueue`:
    /// a full `reject-publish` queue refuses it; a message that a consumer
    /// can take at once is handed off; otherwise it waits, and the length
    /// limit (drop-head) and TTL apply right away.
    /// `writer` is who a stream tracks as having written it
    /// (`stream_segments.rs`); a publishing channel is also who a quorum
    /// queue's `reject-publish` blocks (dead-lettering is never blocked).
    pub(crate) fn enqueue(
        &mut self,
        queue: QueueId,
        msg: MessageRef,
        writer: crate::engine::stream_segments::Writer,
    ) -> Enqueued {
        let now = self.now();
        let now_unix_ms = self.clock.unix_millis();
        let capacity = self.handoff_capacity(queue);
        let Some(q) = self.queues.get_mut(&queue) else {
            return Enqueued::Refused;
        };
        let publisher = match writer {
            crate::engine::stream_segments::Writer::Channel(id) => Some(ChannelId(id)),
            crate::engine::stream_segments::Writer::Queue(_) => None,
        };
        if q.settings.overflow != Overflow::DropHead && q.refuses_publish(msg.body_len(), publisher)
        {
            let (name, max_length, max_length_bytes) = (
                q.name.clone(),
                q.settings.max_length,
                q.settings.max_length_bytes,
            );
            let dead_letter = q.settings.overflow == Overflow::RejectPublishDlx;
            self.emit(EventKind::PublishRefused {
                message: msg.id(),
                queue_name: name,
                max_length,
                max_length_bytes,
            });
            if dead_letter {
                self.kill(queue, msg, DeathReason::Maxlen);
            }
            return Enqueued::Refused;
        }
        let seq = q.next_seq;
        q.next_seq += 1;
        let expires_at = q.ttl_for(&msg).map(|ttl| now.saturating_add(ttl));
        let level = q.level_for(&msg);
        let entry = Entry::new(msg, seq, expires_at, false, level);
        // A stream appends to its log, read by offset or by the time each
        // entry was written (`stream_log.rs`).
        let stream = q.settings.queue_type == QueueType::Stream;
        let handed_off = q.ready.is_empty() && (q.handoff.len() as u64) < capacity && !stream;
        let first_before = q.stream.first_offset();
        let written = stream.then(|| {
            let bytes = crate::engine::stream_segments::record_bytes(&entry.msg);
            q.stream.append_message(bytes, writer, now_unix_ms)
        });
        let retained_out = q.stream.first_offset() != first_before;
        let stored = q.stores_message(&entry.msg);
        let (id, persistent) = (entry.msg.id(), stored);
        let placement = written.map(|w| crate::engine::durable::StreamPlacement {
            offset: w.offset,
            written_at: now_unix_ms,
            tracking_before: w.tracking_before,
        });
        let record = stored.then(|| crate::engine::durable::DurableOp::PutMessage {
            queue: q.name.to_string(),
            message: crate::engine::durable::DurableMessage::from_entry(&entry, placement),
        });
        if handed_off {
            q.handoff.push_back(entry);
        } else {
            q.ready.push_back(entry);
        }
        q.note_enqueued();
        let (name, ready) = (q.name.clone(), q.ready_count());
        if let Some(op) = record {
            self.record(op);
        }
        if let Some(w) = written.filter(|_| retained_out) {
            self.remove_retained_out(queue, w.messages_removed);
        }
        self.emit(EventKind::Enqueued {
            message: id,
            queue,
            queue_name: name,
            ready,
            persistent,
            handoff: handed_off,
        });
        if !handed_off {
            self.maybe_drop_head(queue);
            self.drop_expired(queue);
            self.schedule_head_expiry(queue);
        }
        self.schedule_dispatch(queue);
        Enqueued::Accepted
    }
}
