//! The AMQP methods a client can call, one file per AMQP class.
//!
//! Every method follows the same contract:
//! - client-side checks first (a short string over 255 bytes cannot be
//!   encoded, an id that names nothing): [`CommandError::Invalid`], nothing
//!   changes;
//! - a method on a closed channel or connection is refused by the client
//!   ([`CommandError::ChannelClosed`] / [`CommandError::ConnectionClosed`]),
//!   nothing changes;
//! - then the broker's checks, in RabbitMQ's order, *before* any change;
//!   a failure closes the channel (soft error) or the connection (hard
//!   error), as RabbitMQ does, and is returned as [`CommandError::Amqp`].

pub mod basic;
pub mod binding;
pub mod connection;
pub mod exchange;
pub mod publish;
pub mod queue;
pub mod tx;

use crate::engine::broker::Broker;
use crate::engine::error::{AmqpError, CommandError, ErrorScope};
use crate::engine::event::{ErrorInfo, EventKind, Initiator};
use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::limits;
use crate::engine::value::{self, FieldTable};

/// Refuses a short string the client could not encode (over 255 bytes).
pub(crate) fn check_shortstr(field: &str, value: &str) -> Result<(), CommandError> {
    if value.len() > limits::SHORTSTR_BYTES_MAX {
        Err(CommandError::invalid(format!(
            "{field} is {} bytes long; AMQP short strings hold at most {} bytes",
            value.len(),
            limits::SHORTSTR_BYTES_MAX
        )))
    } else {
        Ok(())
    }
}

/// Refuses a table the client could not encode (keys over 255 bytes) or
/// that is nested deeper than the engine accepts.
pub(crate) fn check_table(field: &str, table: &FieldTable) -> Result<(), CommandError> {
    for (key, v) in table {
        check_shortstr(&format!("{field} key"), key)?;
        if value::depth(v) > limits::TABLE_DEPTH_MAX {
            return Err(CommandError::invalid(format!(
                "{field} nests deeper than {} levels",
                limits::TABLE_DEPTH_MAX
            )));
        }
        check_nested_keys(field, v)?;
    }
    Ok(())
}

fn check_nested_keys(field: &str, v: &value::FieldValue) -> Result<(), CommandError> {
    match v {
        value::FieldValue::Table(t) => {
            for (k, inner) in t {
                check_shortstr(&format!("{field} key"), k)?;
                check_nested_keys(field, inner)?;
            }
            Ok(())
        }
        value::FieldValue::Array(items) => {
            items.iter().try_for_each(|i| check_nested_keys(field, i))
        }
        _ => Ok(()),
    }
}

impl Broker {
    /// The connection of an open channel, or the client-side refusal.
    pub(crate) fn open_channel_conn(&self, ch: ChannelId) -> Result<ConnId, CommandError> {
        match self.channels.get(&ch) {
            None => Err(CommandError::invalid(format!("there is no channel {ch}"))),
            Some(c) if !c.open => Err(CommandError::ChannelClosed),
            Some(c) => Ok(c.conn),
        }
    }

    /// Runs a method's broker side on an open channel. An AMQP error closes
    /// the channel or the connection, as RabbitMQ does, and is returned.
    pub(crate) fn on_channel<T>(
        &mut self,
        ch: ChannelId,
        method: &'static str,
        body: impl FnOnce(&mut Broker, ChannelId, ConnId) -> Result<T, AmqpError>,
    ) -> Result<T, CommandError> {
        let conn = self.open_channel_conn(ch)?;
        let result = body(self, ch, conn);
        self.settle_dying();
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                self.fail(ch, conn, method, &e);
                Err(CommandError::Amqp(e))
            }
        }
    }

    /// The broker's reaction to a failed method: close what the error's scope says.
    pub(crate) fn fail(
        &mut self,
        ch: ChannelId,
        conn: ConnId,
        method: &'static str,
        e: &AmqpError,
    ) {
        self.emit(EventKind::MethodFailed {
            conn,
            channel: ch,
            method,
            error: ErrorInfo::from(e),
        });
        match e.scope() {
            ErrorScope::Channel => self.channel_down(ch, Initiator::Broker, Some(e)),
            ErrorScope::Connection => self.connection_down(conn, Initiator::Broker, Some(e)),
        }
    }
}
