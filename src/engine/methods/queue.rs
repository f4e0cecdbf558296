//! queue.declare, queue.delete, queue.purge.
//!
//! Declaring is idempotent: declaring an existing queue with the same
//! properties just reports its counts, and is how every tutorial program
//! makes sure its queue exists. Declaring it with *other* properties fails
//! with 406 PRECONDITION_FAILED (`inequivalent arg 'durable' …`) and closes
//! the channel; the tutorials' advice is to use a new queue name.

use crate::engine::broker::Broker;
use crate::engine::durable::DurableOp;
use crate::engine::error::{AmqpError, CommandError, ReplyCode};
use crate::engine::event::{CancelReason, EventKind, QueueDeleteReason, UnbindReason};
use crate::engine::exchange::Destination;
use crate::engine::ids::{ChannelId, ConnId, QueueId};
use crate::engine::method::{MethodId, QueueDeclare, QueueDeclareOk, QueueDelete};
use crate::engine::methods::{check_shortstr, check_table};
use crate::engine::profile::Profile;
use crate::engine::queue::{queue_resource, Queue};
use crate::engine::queue_args;
use crate::engine::value::{FieldTable, FieldValue};
use std::rc::Rc;

/// The 405 text RabbitMQ gives for another connection's exclusive queue
/// (or an exclusive flag that differs from the declaration).
pub(crate) fn resource_locked(name: &str) -> AmqpError {
    AmqpError::resource_locked(format!(
        "cannot obtain exclusive access to locked queue '{name}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."
    ))
}

impl Broker {
    pub(crate) fn queue_declare(
        &mut self,
        ch: ChannelId,
        d: QueueDeclare,
    ) -> Result<QueueDeclareOk, CommandError> {
        check_shortstr("queue name", &d.queue)?;
        check_table("arguments", &d.arguments)?;
        self.on_channel(ch, MethodId::QUEUE_DECLARE, |b, ch, conn| {
            b.declare_queue(ch, conn, d)
        })
    }

    fn declare_queue(
        &mut self,
        ch: ChannelId,
        conn: ConnId,
        d: QueueDeclare,
    ) -> Result<QueueDeclareOk, AmqpError> {
        if d.passive {
            let q = self.queue_or_404(&d.queue)?;
            self.check_exclusive_access(q, conn)?;
            return Ok(self.declare_ok(ch, q, false));
        }
        // An exclusive queue is always transient.
        let durable = d.durable && !d.exclusive;
        let owner = d.exclusive.then_some(conn);
        let server_named = d.queue.is_empty();
        let name: String = if server_named {
            // RabbitMQ 3.10 asks the queue type whether it allows a
            // server-named queue before it validates the arguments, and
            // an unknown type crashes the channel there (recorded: 541
            // for `x-queue-type` `foo`; a named queue gets the 406 of
            // `queue_args::validate`).
            if self.config.profile == Profile::RabbitMq3 && unknown_queue_type(&d.arguments) {
                return Err(AmqpError::crash());
            }
            let rules = queue_args::QueueType::from_argument(
                d.arguments.get("x-queue-type").and_then(|v| v.as_str()),
            )
            .rules();
            if !rules.server_named_allowed() {
                return Err(AmqpError::precondition_failed(format!(
                    "Cannot declare a server-named queue for type {}",
                    rules.module()
                )));
            }
            loop {
                let candidate = self.rng.generated_name("amq.gen");
                if !self.queue_names.contains_key(candidate.as_str()) {
                    break candidate;
                }
            }
        } else {
            if d.queue.starts_with("amq.") {
                return Err(AmqpError::access_refused(format!(
                    "queue name '{}' contains reserved prefix 'amq.*'",
                    d.queue
                )));
            }
            d.queue.clone()
        };

        if let Some(id) = self.queue_id(&name) {
            let q = &self.queues[&id];
            let resource = q.resource();
            if q.exclusive_owner != owner {
                return Err(resource_locked(&name));
            }
            if q.durable != durable {
                return Err(AmqpError::precondition_failed(queue_args::flag_mismatch(
                    "durable", &resource, durable, q.durable,
                )));
            }
            if q.auto_delete != d.auto_delete {
                return Err(AmqpError::precondition_failed(queue_args::flag_mismatch(
                    "auto_delete",
                    &resource,
                    d.auto_delete,
                    q.auto_delete,
                )));
            }
            if let Some(text) = queue_args::equivalence_error(&q.args, &d.arguments, &resource) {
                return Err(AmqpError::precondition_failed(text));
            }
            let name = q.name.clone();
            self.emit(EventKind::QueueRedeclared { queue: id, name });
            return Ok(self.declare_ok(ch, id, false));
        }

        let resource = queue_resource(&name);
        if self.config.profile.refuses_transient_queues() && !durable && !d.exclusive {
            return Err(AmqpError::new(
                ReplyCode::InternalError,
                "Feature `transient_nonexcl_queues` is deprecated.\nBy default, this feature is not permitted anymore.\nThe feature will be removed from a future major RabbitMQ version, regardless of the configuration; actual version to be determined.\nTo continue using this feature when it is not permitted by default, set the following parameter in your configuration:\n    \"deprecated_features.permit.transient_nonexcl_queues = true\"",
            ));
        }
        if let Some(text) = queue_args::dlx_type_error(&d.arguments, &resource) {
            return Err(AmqpError::precondition_failed(text));
        }
        let kind = queue_args::QueueType::from_argument(
            d.arguments.get("x-queue-type").and_then(|v| v.as_str()),
        );
        let mut settings = queue_args::validate(&d.arguments).map_err(|e| {
            // A stream's x-max-age with no digits in front crashes
            // `check_max_age` (recorded: 541, the connection closes); a
            // count of 0, an unknown unit or another type is a 406
            // (`stream_retention_arguments`).
            let no_digits = matches!(
                d.arguments.get("x-max-age"),
                Some(crate::engine::value::FieldValue::LongStr(s)) if queue_args::check_max_age(s) == queue_args::MaxAge::Crash
            );
            if e.key == "x-max-age" && no_digits && kind.rules().crashes_on_bad_max_age() {
                AmqpError::crash()
            } else {
                AmqpError::precondition_failed(e.explanation(&resource, kind))
            }
        })?;
        settings.apply_profile(&d.arguments, self.config.profile);
        self.check_queue_type_rules(&settings, &d, durable, &resource)?;

        let id = QueueId(self.take_id());
        let name: Rc<str> = Rc::from(name);
        let mut q = Queue::new(id, name.clone(), settings);
        q.durable = durable;
        q.exclusive_owner = owner;
        q.auto_delete = d.auto_delete;
        q.server_named = server_named;
        q.args = d.arguments.clone();
        self.queue_names.insert(name.clone(), id);
        if q.durable && q.exclusive_owner.is_none() {
            self.record(DurableOp::PutQueue {
                name: q.name.to_string(),
                auto_delete: q.auto_delete,
                arguments: q.args.clone(),
            });
        }
        self.queues.insert(id, q);
        self.emit(EventKind::QueueDeclared {
            queue: id,
            name,
            durable,
            exclusive: d.exclusive,
            auto_delete: d.auto_delete,
            arguments: d.arguments,
            server_named,
        });
        Ok(self.declare_ok(ch, id, true))
    }

    /// Reports a queue's counts; like RabbitMQ's `stat`, this re-arms x-expires
    /// (a classic queue's; a quorum queue's timer only starts with it) and
    /// makes it the channel's most recently declared queue.
    fn declare_ok(&mut self, ch: ChannelId, id: QueueId, created: bool) -> QueueDeclareOk {
        if created
            || self
                .queues
                .get(&id)
                .is_some_and(|q| q.settings.queue_type.rules().redeclare_restarts_expiry())
        {
            self.arm_queue_expiry(id);
        }
        let q = &self.queues[&id];
        // `rabbit_stream_queue:stat` answers 0 consumers whatever reads
        // the stream (recorded: `stream_retention_max_bytes`).
        let stream = q.settings.queue_type == queue_args::QueueType::Stream;
        let ok = QueueDeclareOk {
            queue: q.name.clone(),
            message_count: q.ready_count(),
            consumer_count: if stream {
                0
            } else {
                q.consumers.len() as u64 + self.settling_consumers(id)
            },
        };
        if let Some(c) = self.channels.get_mut(&ch) {
            c.most_recent_queue = Some(ok.queue.clone());
        }
        ok
    }

    /// The properties the queue's type refuses (`rabbit_quorum_queue:declare`;
    /// a server-named queue was refused before the arguments were checked).
    fn check_queue_type_rules(
        &self,
        settings: &queue_args::QueueSettings,
        d: &QueueDeclare,
        durable: bool,
        resource: &str,
    ) -> Result<(), AmqpError> {
        let rules = settings.queue_type.rules();
        if let Some(p) = rules.refused_property(durable, d.exclusive, d.auto_delete) {
            return Err(AmqpError::precondition_failed(format!(
                "invalid property '{p}' for {resource}"
            )));
        }
        // `rabbit_stream_queue:check_max_segment_size_bytes`, after the
        // property checks.
        let segment = settings.stream_retention.map(|r| r.max_segment_bytes);
        if segment
            .is_some_and(|bytes| bytes > crate::engine::stream_segments::MAX_SEGMENT_BYTES_LIMIT)
        {
            return Err(AmqpError::precondition_failed(
                "Exceeded max value for x-stream-max-segment-size-bytes",
            ));
        }
        Ok(())
    }

    pub(crate) fn queue_or_404(&self, name: &str) -> Result<QueueId, AmqpError> {
        self.queue_id(name)
            .ok_or_else(|| AmqpError::not_found(format!("no {}", queue_resource(name))))
    }

    /// Another connection's exclusive queue is locked (405).
    pub(crate) fn check_exclusive_access(
        &self,
        queue: QueueId,
        conn: ConnId,
    ) -> Result<(), AmqpError> {
        match self.queues.get(&queue).and_then(|q| q.exclusive_owner) {
            Some(owner) if owner != conn => Err(resource_locked(&self.queues[&queue].name)),
            _ => Ok(()),
        }
    }

    /// An empty queue name means the channel's most recently declared queue.
    pub(crate) fn expand_queue_name(
        &self,
        ch: ChannelId,
        name: &str,
    ) -> Result<Rc<str>, AmqpError> {
        if !name.is_empty() {
            return Ok(Rc::from(name));
        }
        self.channels
            .get(&ch)
            .and_then(|c| c.most_recent_queue.clone())
            .ok_or_else(|| AmqpError::not_found("no previously declared queue"))
    }

    /// queue.delete. Deleting a queue that does not exist succeeds (count 0).
    /// Returns the number of ready messages deleted with it.
    pub(crate) fn queue_delete(
        &mut self,
        ch: ChannelId,
        d: QueueDelete,
    ) -> Result<u64, CommandError> {
        let (queue, if_unused, if_empty) = (d.queue.as_str(), d.if_unused, d.if_empty);
        check_shortstr("queue name", queue)?;
        self.on_channel(ch, MethodId::QUEUE_DELETE, |b, ch, conn| {
            let name = b.expand_queue_name(ch, queue)?;
            let Some(id) = b.queue_id(&name) else {
                return Ok(0);
            };
            b.check_exclusive_access(id, conn)?;
            let q = &b.queues[&id];
            if q.settings.queue_type.rules().deletes_unconditionally() {
                b.delete_queue(id, QueueDeleteReason::Client);
                return Ok(0);
            }
            if if_empty && q.ready_count() > 0 {
                return Err(AmqpError::precondition_failed(format!(
                    "{} not empty",
                    q.resource()
                )));
            }
            if if_unused && !q.consumers.is_empty() {
                return Err(AmqpError::precondition_failed(format!(
                    "{} in use",
                    q.resource()
                )));
            }
            Ok(b.delete_queue(id, QueueDeleteReason::Client))
        })
    }

    /// queue.purge: removes the ready messages (not the unacked ones) and
    /// returns how many.
    pub(crate) fn queue_purge(&mut self, ch: ChannelId, queue: &str) -> Result<u64, CommandError> {
        check_shortstr("queue name", queue)?;
        self.on_channel(ch, MethodId::QUEUE_PURGE, |b, ch, conn| {
            let name = b.expand_queue_name(ch, queue)?;
            let id = b.queue_or_404(&name)?;
            b.check_exclusive_access(id, conn)?;
            b.check_supported(id, crate::engine::queue_type::Operation::QueuePurge)?;
            Ok(b.purge_ready(id))
        })
    }

    /// Removes a queue's ready messages (unacked ones stay with their
    /// channels) and returns how many (queue.purge, `rabbitmqctl purge_queue`).
    pub(crate) fn purge_ready(&mut self, id: QueueId) -> u64 {
        let Some(q) = self.queues.get_mut(&id) else {
            return 0;
        };
        let purged = q.take_all_ready();
        let count = purged.len() as u64;
        let name = q.name.clone();
        for e in &purged {
            self.record_gone(id, e);
        }
        self.emit(EventKind::QueuePurged {
            queue: id,
            name,
            count,
        });
        count
    }

    /// Deletes a queue: its consumers are cancelled (the broker tells their
    /// clients), its bindings removed, its ready messages discarded. Its
    /// unacked deliveries stay with their channels; acking them later is a
    /// harmless no-op. Returns the number of ready messages discarded.
    pub(crate) fn delete_queue(&mut self, id: QueueId, reason: QueueDeleteReason) -> u64 {
        let Some(q) = self.queues.get(&id) else {
            return 0;
        };
        let consumers: Vec<_> = q.consumers.ids().collect();
        for consumer in consumers {
            self.remove_consumer(consumer, CancelReason::QueueDeleted);
        }
        if let Some(bindings) = self.bound_to.remove(&Destination::Queue(id)) {
            for (x, b) in bindings {
                self.remove_binding(x, b, UnbindReason::EndDeleted);
                self.maybe_auto_delete_exchange(x);
            }
        }
        let stored = self.stores_queue(id);
        let Some(mut q) = self.queues.remove(&id) else {
            return 0;
        };
        self.queue_names.remove(&q.name);
        if stored {
            self.record(DurableOp::DeleteQueue {
                name: q.name.to_string(),
            });
        }
        let lost = q.take_all_ready().len() as u64;
        self.emit(EventKind::QueueDeleted {
            queue: id,
            name: q.name.clone(),
            reason,
            messages_lost: lost,
        });
        lost
    }
}

/// Whether `x-queue-type` names no queue type RabbitMQ 3.10 knows.
fn unknown_queue_type(arguments: &FieldTable) -> bool {
    let known = |s: &str| ["classic", "quorum", "stream"].contains(&s);
    arguments
        .get("x-queue-type")
        .is_some_and(|t| !matches!(t, FieldValue::LongStr(s) if known(s)))
}
