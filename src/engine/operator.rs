//! What an operator does to the broker from outside AMQP: the queue and
//! connection commands of `rabbitmqctl` (`purge_queue`, `delete_queue`,
//! `close_connection`).
//!
//! An operator is not a client: it has no connection or channel, so
//! exclusive queues are not locked to it, and nothing it does closes a
//! channel. Its effects on clients are the ones RabbitMQ has:
//! - `delete_queue` cancels the queue's consumers (`basic.cancel` into
//!   their connections' outboxes, as for queue.delete);
//! - `close_connection` closes the connection with 320
//!   `CONNECTION_FORCED - <reason>`; the server then *waits* for the
//!   client's close-ok before it drops the socket (a vhost deletion and a
//!   shutdown do not wait). Its channels close and requeue what they held,
//!   its exclusive queues go, and auto-delete queues whose last consumer
//!   was on it go, as when a client closes.
//!
//! The vhost commands are in `vhost.rs`.

use crate::engine::broker::Broker;
use crate::engine::error::{AmqpError, ReplyCode};
use crate::engine::event::{Initiator, QueueDeleteReason};
use crate::engine::ids::ConnId;
use std::fmt;

/// Why `rabbitmqctl delete_queue` refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueDeleteRefusal {
    /// No queue by that name.
    NotFound,
    /// `--if-empty` and the queue holds ready messages.
    NotEmpty,
    /// `--if-unused` and the queue has consumers.
    InUse,
}

impl fmt::Display for QueueDeleteRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QueueDeleteRefusal::NotFound => "Queue not found",
            QueueDeleteRefusal::NotEmpty => "Queue is not empty",
            QueueDeleteRefusal::InUse => "Queue is in use",
        })
    }
}

impl std::error::Error for QueueDeleteRefusal {}

impl Broker {
    /// `rabbitmqctl purge_queue`: removes the ready messages of queue `name`
    /// (unacknowledged ones stay with their channels). Returns how many, or
    /// `None` if there is no such queue.
    pub fn purge_queue_by_operator(&mut self, name: &str) -> Option<u64> {
        let id = self.queue_id(name)?;
        Some(self.purge_ready(id))
    }

    /// `rabbitmqctl delete_queue`: deletes queue `name`, cancelling its
    /// consumers. Returns the number of ready messages deleted with it.
    pub fn delete_queue_by_operator(
        &mut self,
        name: &str,
        if_empty: bool,
        if_unused: bool,
    ) -> Result<u64, QueueDeleteRefusal> {
        let queue = self
            .queue_by_name(name)
            .ok_or(QueueDeleteRefusal::NotFound)?;
        if if_empty && queue.ready_count() > 0 {
            return Err(QueueDeleteRefusal::NotEmpty);
        }
        if if_unused && !queue.consumers.is_empty() {
            return Err(QueueDeleteRefusal::InUse);
        }
        let id = queue.id;
        let lost = self.delete_queue(id, QueueDeleteReason::Operator);
        self.settle_dying();
        Ok(lost)
    }

    /// `rabbitmqctl close_connection`: the broker closes `conn` with 320
    /// `CONNECTION_FORCED - <reason>` and waits for the client's close-ok.
    /// Returns whether the connection was open (closing a closed one does
    /// nothing, and is no error).
    pub fn close_connection_by_operator(&mut self, conn: ConnId, reason: &str) -> bool {
        if !self.connections.get(&conn).is_some_and(|c| c.open) {
            return false;
        }
        let forced = AmqpError::new(ReplyCode::ConnectionForced, reason);
        self.connection_down_with(conn, Initiator::Broker, Some(&forced), true);
        self.settle_dying();
        true
    }
}
