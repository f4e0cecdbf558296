//! connection.open/close and channel.open/close, and what closing does.
//!
//! Closing a channel, whoever closes it, requeues every delivery on it that
//! was not acknowledged: that is how a crashed worker's messages reach
//! another worker, marked `redelivered`. Closing a connection closes its
//! channels and deletes the exclusive queues it declared.
//!
//! A client closing a channel cancels its consumers first (pika does; so a
//! last consumer leaving deletes an auto-delete queue before the requeue).

use crate::engine::broker::Broker;
use crate::engine::channel::{Channel, Connection};
use crate::engine::error::{AmqpError, CommandError};
use crate::engine::event::{
    CancelReason, ErrorInfo, EventKind, Initiator, QueueDeleteReason, RequeueReason,
};
use crate::engine::ids::{ChannelId, ConnId, ConsumerId, QueueId};
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
                next_channel_number: 1,
            },
        );
        self.emit(EventKind::ConnectionOpened {
            conn: id,
            user,
            label,
        });
        id
    }

    /// Closes a connection from the client side (pika: each open channel's
    /// consumers are cancelled and the channel closed, then the connection).
    pub fn close_connection(&mut self, conn: ConnId) -> Result<(), CommandError> {
        match self.connections.get(&conn) {
            None => {
                return Err(CommandError::invalid(format!(
                    "there is no connection {conn}"
                )))
            }
            Some(c) if !c.open => return Err(CommandError::ConnectionClosed),
            Some(_) => {}
        }
        let channels: Vec<ChannelId> = self.connections[&conn].channels.clone();
        for ch in channels {
            if self.channels.get(&ch).is_some_and(|c| c.open) {
                self.close_channel_from_client(ch);
            }
        }
        self.connection_down(conn, Initiator::Client, None);
        self.settle_dying();
        Ok(())
    }

    /// Opens a channel on an open connection.
    pub fn open_channel(&mut self, conn: ConnId) -> Result<ChannelId, CommandError> {
        let c = match self.connections.get(&conn) {
            None => {
                return Err(CommandError::invalid(format!(
                    "there is no connection {conn}"
                )))
            }
            Some(c) if !c.open => return Err(CommandError::ConnectionClosed),
            Some(c) => c,
        };
        let number = c.next_channel_number;
        let id = ChannelId(self.take_id());
        if let Some(c) = self.connections.get_mut(&conn) {
            c.next_channel_number = c.next_channel_number.wrapping_add(1).max(1);
            c.channels.push(id);
        }
        self.channels.insert(id, Channel::new(id, conn, number));
        self.emit(EventKind::ChannelOpened {
            conn,
            channel: id,
            number,
        });
        Ok(id)
    }

    /// Closes a channel from the client side: its consumers are cancelled,
    /// then its unacknowledged deliveries go back to their queues.
    pub fn close_channel(&mut self, ch: ChannelId) -> Result<(), CommandError> {
        self.open_channel_conn(ch)?;
        self.close_channel_from_client(ch);
        self.settle_dying();
        Ok(())
    }

    fn close_channel_from_client(&mut self, ch: ChannelId) {
        let consumers: Vec<ConsumerId> = self.channel_consumers(ch);
        for consumer in consumers {
            self.cancel_consumer(consumer, CancelReason::Client);
        }
        self.channel_down(ch, Initiator::Client, None);
    }

    /// A channel's consumers in the order they were created.
    fn channel_consumers(&self, ch: ChannelId) -> Vec<ConsumerId> {
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
        self.emit(EventKind::ChannelClosed {
            conn,
            channel: ch,
            number,
            by,
            error: error.map(ErrorInfo::from),
            requeued,
        });
    }

    /// The connection stops: its channels close and its exclusive queues are deleted.
    pub(crate) fn connection_down(
        &mut self,
        conn: ConnId,
        by: Initiator,
        error: Option<&AmqpError>,
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
        self.emit(EventKind::ConnectionClosed {
            conn,
            by,
            error: error.map(ErrorInfo::from),
        });
    }
}
