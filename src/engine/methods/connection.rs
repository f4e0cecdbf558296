//! connection.open/close, channel.open/flow/close, and what closing does.
//!
//! Closing a channel, whoever closes it, requeues every delivery on it that
//! was not acknowledged: that is how a crashed worker's messages reach
//! another worker, marked `redelivered`. Closing a connection closes its
//! channels and deletes the exclusive queues it declared. When the broker
//! closes one (an error, a shutdown), the client is told through the
//! connection's outbox.
//!
//! What a client library does around these (pika cancels a channel's
//! consumers before closing it) is in `client.rs`.

use crate::engine::ack_timeout::AckClock;
use crate::engine::broker::Broker;
use crate::engine::channel::{Channel, Connection};
use crate::engine::error::{AmqpError, CommandError, ReplyCode};
use crate::engine::event::{
    CancelReason, ErrorInfo, EventKind, Initiator, QueueDeleteReason, RequeueReason,
};
use crate::engine::ids::{ChannelId, ConnId, ConsumerId, QueueId};
use crate::engine::limits;
use crate::engine::method::{MethodId, Reply};
use crate::engine::outbox::{Closing, ServerMethod};
use std::collections::BTreeMap;
use std::rc::Rc;

impl Broker {
    /// Opens a connection as user `guest`. `label` names it for people.
    pub fn open_connection(&mut self, label: &str) -> ConnId {
        self.open_connection_as(label, "guest")
    }

    /// Opens a connection authenticated as `user`.
    pub fn open_connection_as(&mut self, label: &str, user: &str) -> ConnId {
        let id = ConnId(self.take_id());
        let user: Rc<str> = Rc::from(user);
        let label: Rc<str> = Rc::from(label);
        self.connections.insert(
            id,
            Connection {
                id,
                user: user.clone(),
                label: label.clone(),
                open: true,
                channels: Vec::new(),
                channel_numbers: BTreeMap::new(),
                channel_max: limits::CHANNEL_MAX,
                outbox: std::collections::VecDeque::new(),
                client: crate::engine::channel::ClientInfo {
                    connected_at: self.clock.now(),
                    ..Default::default()
                },
            },
        );
        self.emit(EventKind::ConnectionOpened {
            conn: id,
            user,
            label,
        });
        id
    }

    /// The channel_max a client chose in connection.tune-ok: how many
    /// channels it may have open at once.
    pub fn set_channel_max(&mut self, conn: ConnId, channel_max: u16) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.channel_max = channel_max;
        }
    }

    /// A connection error the wire layer found (a malformed frame, a
    /// method out of place): logged like the engine's own, the connection's
    /// channels close (requeueing what they held), and connection.close
    /// goes to its outbox.
    pub fn fail_connection_from_wire(&mut self, conn: ConnId, e: AmqpError) {
        if self.connections.get(&conn).is_some_and(|c| c.open) {
            self.fail_connection(conn, &e);
            self.settle_dying();
        }
    }

    /// A channel error the wire layer found (a message over
    /// `max_message_size`, whose body it did not keep): logged like the
    /// engine's own, channel `number` closes (requeueing what it held), and
    /// channel.close goes to the outbox.
    pub fn fail_channel_from_wire(&mut self, conn: ConnId, number: u16, e: AmqpError) {
        let open = self
            .connections
            .get(&conn)
            .filter(|c| c.open)
            .and_then(|c| c.channel_numbers.get(&number).copied())
            .filter(|ch| self.channels.get(ch).is_some_and(|c| c.open));
        if let Some(ch) = open {
            self.fail(ch, conn, &e);
            self.settle_dying();
        }
    }

    /// Records what the wire handshake learnt about `conn`'s client.
    pub fn set_client_info(&mut self, conn: ConnId, info: crate::engine::channel::ClientInfo) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.client = info;
        }
    }

    /// An open connection, or the client's refusal (a closed connection; an
    /// id that names none).
    pub(crate) fn open_connection_ref(&self, conn: ConnId) -> Result<&Connection, CommandError> {
        match self.connections.get(&conn) {
            None => Err(CommandError::invalid(format!(
                "there is no connection {conn}"
            ))),
            Some(c) if !c.open => Err(CommandError::ConnectionClosed),
            Some(c) => Ok(c),
        }
    }

    /// connection.open: Warren has one virtual host, `/`, which the
    /// connection's user needs a permission on (`vhost.rs`).
    pub(crate) fn connection_open(
        &mut self,
        conn: ConnId,
        virtual_host: &str,
    ) -> Result<Reply, CommandError> {
        let user = self.open_connection_ref(conn)?.user.clone();
        let Some(refusal) = self.vhost_refusal(virtual_host, &user) else {
            return Ok(Reply::ConnectionOpenOk);
        };
        let mut e = AmqpError::new(ReplyCode::NotAllowed, refusal);
        e.method = Some(MethodId::CONNECTION_OPEN);
        self.fail_connection(conn, &e);
        Err(CommandError::Amqp(e))
    }

    /// connection.close from the client: every channel closes (requeueing
    /// what it held) and the connection's exclusive queues go.
    pub(crate) fn close_connection(&mut self, conn: ConnId) -> Result<(), CommandError> {
        self.open_connection_ref(conn)?;
        self.connection_down(conn, Initiator::Client, None);
        self.settle_dying();
        Ok(())
    }

    /// The client went away without a close (its process died, its socket
    /// closed): the broker closes the connection itself, as RabbitMQ does
    /// when a socket ends. Not a method: nothing was sent.
    pub fn drop_connection(&mut self, conn: ConnId) {
        if self.connections.get(&conn).is_some_and(|c| c.open) {
            self.connection_down(conn, Initiator::Client, None);
            self.settle_dying();
            if let Some(c) = self.connections.get_mut(&conn) {
                c.outbox.clear();
            }
        }
    }

    /// channel.open on channel `number` of `conn`. Numbers run from 1 to
    /// `limits::CHANNEL_MAX`; opening one that is open already is a
    /// connection error, as in RabbitMQ.
    pub(crate) fn open_channel(
        &mut self,
        conn: ConnId,
        number: u16,
    ) -> Result<ChannelId, CommandError> {
        let c = self.open_connection_ref(conn)?;
        if number == 0 {
            return Err(CommandError::invalid("channel 0 is the connection's own"));
        }
        // RabbitMQ's channel_max bounds how many channels are open at once,
        // not the numbers (recorded: with channel_max 10, channel 65535
        // opens, and an 11th channel is refused).
        // The channel_max refusal names no method (recorded: class 0,
        // method 0): RabbitMQ's reader refuses before any channel exists.
        let refusal = if c.channel_numbers.contains_key(&number) {
            let mut e = AmqpError::new(ReplyCode::ChannelError, "second 'channel.open' seen");
            e.method = Some(MethodId::CHANNEL_OPEN);
            Some(e)
        } else if c.channel_numbers.len() >= usize::from(c.channel_max) {
            Some(AmqpError::new(
                ReplyCode::NotAllowed,
                format!(
                    "number of channels opened ({}) has reached the negotiated channel_max ({})",
                    c.channel_numbers.len(),
                    c.channel_max
                ),
            ))
        } else {
            None
        };
        if let Some(e) = refusal {
            self.fail_connection(conn, &e);
            return Err(CommandError::Amqp(e));
        }
        let id = ChannelId(self.take_id());
        if let Some(c) = self.connections.get_mut(&conn) {
            c.channels.push(id);
            c.channel_numbers.insert(number, id);
        }
        let ack_clock = AckClock::new(
            self.ack_settings
                .timeout_ms
                .filter(|_| self.config.profile.channel_closes_on_consumer_timeout()),
            self.ack_settings.tick_interval_ms,
            self.clock.now(),
        );
        self.channels
            .insert(id, Channel::new(id, conn, number, ack_clock));
        self.emit(EventKind::ChannelOpened {
            conn,
            channel: id,
            number,
        });
        Ok(id)
    }

    /// channel.flow: RabbitMQ accepts `active=true` and refuses to pause
    /// deliveries (540, a connection error).
    pub(crate) fn channel_flow(
        &mut self,
        ch: ChannelId,
        active: bool,
    ) -> Result<bool, CommandError> {
        self.on_channel(ch, MethodId::CHANNEL_FLOW, |_, _, _| {
            if active {
                Ok(true)
            } else {
                Err(AmqpError::new(ReplyCode::NotImplemented, "active=false"))
            }
        })
    }

    /// channel.close from the client: its consumers go and its
    /// unacknowledged deliveries go back to their queues.
    pub(crate) fn close_channel(&mut self, ch: ChannelId) -> Result<(), CommandError> {
        self.open_channel_conn(ch)?;
        self.channel_down(ch, Initiator::Client, None);
        self.settle_dying();
        Ok(())
    }

    /// A connection error outside any channel's method: the connection
    /// closes, and the client is told why.
    pub(crate) fn fail_connection(&mut self, conn: ConnId, e: &AmqpError) {
        self.emit(EventKind::MethodFailed {
            conn,
            channel: ChannelId(0),
            method: e.method.map_or("", |m| m.name),
            error: ErrorInfo::from(e),
        });
        self.connection_down(conn, Initiator::Broker, Some(e));
    }

    /// A channel's consumers in the order they were created.
    pub(crate) fn channel_consumers(&self, ch: ChannelId) -> Vec<ConsumerId> {
        let mut ids: Vec<ConsumerId> = self
            .channels
            .get(&ch)
            .map(|c| c.consumers.values().copied().collect())
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// The channel stops: consumers go, and per queue either the queue is
    /// auto-deleted (its last consumer gone; the unacked messages are lost
    /// with it, as in RabbitMQ) or the channel's unacked deliveries are
    /// requeued to their original positions.
    pub(crate) fn channel_down(&mut self, ch: ChannelId, by: Initiator, error: Option<&AmqpError>) {
        let Some(channel) = self.channels.get_mut(&ch) else {
            return;
        };
        if !channel.open {
            return;
        }
        channel.open = false;
        let conn = channel.conn;
        let number = channel.number;
        // Acks held by an open transaction never happened: those deliveries
        // are unacked again, and go back like the rest.
        if let Some(tx) = channel.tx.take() {
            for s in tx.settles {
                for u in s.deliveries {
                    channel.unacked.insert(u.tag, u);
                }
            }
        }
        let unacked = std::mem::take(&mut channel.unacked);
        // Timed-out deliveries went back already (`quorum_timeout.rs`).
        channel.released.clear();
        channel.suspended.clear();
        channel.volume = 0;
        let consumers = self.channel_consumers(ch);

        let mut affected: BTreeMap<QueueId, Vec<crate::engine::channel::Unacked>> = BTreeMap::new();
        for consumer in consumers {
            if let Some(q) = self.consumers.get(&consumer).map(|c| c.queue) {
                affected.entry(q).or_default();
            }
            self.remove_consumer(consumer, CancelReason::ChannelClosed);
        }
        for (_, u) in unacked {
            affected.entry(u.queue).or_default().push(u);
        }

        let mut requeued = 0u32;
        for (queue, deliveries) in affected {
            let Some(q) = self.queues.get(&queue) else {
                continue;
            };
            if q.auto_delete && q.has_had_consumers && q.consumers.is_empty() {
                self.delete_queue(queue, QueueDeleteReason::AutoDelete);
                continue;
            }
            for u in deliveries {
                if let Some(c) = u.consumer.and_then(|c| self.consumers.get_mut(&c)) {
                    c.unacked = c.unacked.saturating_sub(1);
                }
                if let Some(q) = self.queues.get_mut(&queue) {
                    q.unacked = q.unacked.saturating_sub(1);
                }
                self.requeue_entry(
                    queue,
                    u.entry,
                    RequeueReason::ChannelClosed,
                    Some((ch, u.tag)),
                );
                requeued += 1;
            }
            self.after_requeue(queue);
            if self
                .queues
                .get(&queue)
                .is_some_and(|q| q.consumers.is_empty())
            {
                self.arm_queue_expiry(queue);
            }
        }
        if let Some(c) = self.connections.get_mut(&conn) {
            if c.channel_numbers.get(&number) == Some(&ch) {
                c.channel_numbers.remove(&number);
            }
        }
        if let (Initiator::Broker, Some(e)) = (by, error) {
            if self.connections.get(&conn).is_some_and(|c| c.open) {
                self.send(ch, ServerMethod::ChannelClose(closing(e, true)));
            }
        }
        self.emit(EventKind::ChannelClosed {
            conn,
            channel: ch,
            number,
            by,
            error: error.map(ErrorInfo::from),
            requeued,
        });
    }

    /// The connection stops: its channels close and its exclusive queues
    /// are deleted. A close the broker sends waits for the client's close-ok.
    pub(crate) fn connection_down(
        &mut self,
        conn: ConnId,
        by: Initiator,
        error: Option<&AmqpError>,
    ) {
        self.connection_down_with(conn, by, error, true);
    }

    /// [`Broker::connection_down`], saying whether the server waits for the
    /// client's close-ok after its connection.close (`await_close_ok`) or
    /// resets the socket at once (shutdown, vhost deletion).
    pub(crate) fn connection_down_with(
        &mut self,
        conn: ConnId,
        by: Initiator,
        error: Option<&AmqpError>,
        await_close_ok: bool,
    ) {
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        if !c.open {
            return;
        }
        c.open = false;
        let channels = c.channels.clone();
        for ch in channels {
            // Channels die with the connection; only the connection reports the error.
            self.channel_down(ch, Initiator::Broker, None);
        }
        let exclusive: Vec<QueueId> = self
            .queues
            .values()
            .filter(|q| q.exclusive_owner == Some(conn))
            .map(|q| q.id)
            .collect();
        for queue in exclusive {
            self.delete_queue(queue, QueueDeleteReason::OwnerClosed);
        }
        if let (Initiator::Broker, Some(e)) = (by, error) {
            self.send_on_connection(
                conn,
                ServerMethod::ConnectionClose(closing(e, await_close_ok)),
            );
        }
        self.emit(EventKind::ConnectionClosed {
            conn,
            by,
            error: error.map(ErrorInfo::from),
        });
    }
}

/// The close frame's fields for an error.
fn closing(e: &AmqpError, await_close_ok: bool) -> Closing {
    Closing {
        reply_code: e.code.code(),
        reply_text: e.reply_text(),
        method: e.method,
        await_close_ok,
    }
}
