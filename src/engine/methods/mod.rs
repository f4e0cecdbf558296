//! The AMQP methods a client can call, one file per AMQP class, and
//! [`Broker::apply`], the one door through which every client calls them.
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
//!   error), as RabbitMQ does, and is returned as [`CommandError::Amqp`]
//!   (naming the failed method); the close is also queued in the
//!   connection's outbox, as the frame a client would receive.
//!
//! # Adding an AMQP method
//! Add its arguments and variant to `method.rs` (names as in the
//! specification), its reply to [`Reply`], the broker side to the file of
//! its class here (checks first, then changes, events for people, outbox
//! entries for the client), and one arm to [`Broker::apply`]. Every front
//! end (wire, JS API, documents, replayer) then reaches it through `apply`.

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
use crate::engine::method::{Method, MethodId, Reply};
use crate::engine::methods::binding::Target;
use crate::engine::value::{self, FieldTable};

/// The reply to a bind or unbind.
fn bound(id: MethodId) -> Reply {
    match id {
        MethodId::QUEUE_BIND => Reply::QueueBindOk,
        MethodId::QUEUE_UNBIND => Reply::QueueUnbindOk,
        MethodId::EXCHANGE_BIND => Reply::ExchangeBindOk,
        _ => Reply::ExchangeUnbindOk,
    }
}

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
    /// Applies `method` on channel `channel` of connection `conn` (channel 0
    /// for connection methods) and returns the broker's reply, or why not.
    ///
    /// This is the one door into the broker. Errors:
    /// - [`CommandError::Amqp`]: the broker refused the method, closed the
    ///   channel (soft error) or the connection (hard error), and queued the
    ///   `channel.close` / `connection.close` in the connection's outbox;
    /// - [`CommandError::ChannelClosed`], [`CommandError::ConnectionClosed`],
    ///   [`CommandError::Invalid`]: a client library would not have sent it
    ///   (the channel or connection is closed, a short string is over 255
    ///   bytes, the channel number names nothing); nothing changed.
    ///
    /// What the broker sends afterwards on its own (deliveries, confirms,
    /// returns) goes to the connection's outbox, never into the reply.
    pub fn apply(
        &mut self,
        conn: ConnId,
        channel: u16,
        method: Method,
    ) -> Result<Reply, CommandError> {
        if channel == 0 {
            return match method {
                Method::ConnectionOpen(open) => self.connection_open(conn, &open.virtual_host),
                Method::ConnectionClose(_) => self
                    .close_connection(conn)
                    .map(|_| Reply::ConnectionCloseOk),
                other => Err(CommandError::invalid(format!(
                    "{} is not a connection method: it needs a channel number",
                    other.name()
                ))),
            };
        }
        if let Method::ChannelOpen = method {
            return self
                .open_channel(conn, channel)
                .map(|_| Reply::ChannelOpenOk);
        }
        let ch = self.channel_on(conn, channel)?;
        // The method reaches the channel (and may wake it: ack_timeout.rs);
        // what it does to the unacked deliveries moves the next tick.
        self.touch_channel(ch);
        let reply = self.apply_on_channel(ch, method);
        self.arm_ack_tick(ch);
        reply
    }

    /// The methods of an open channel.
    fn apply_on_channel(&mut self, ch: ChannelId, method: Method) -> Result<Reply, CommandError> {
        let id = method.id();
        match method {
            Method::ConnectionOpen(_) | Method::ConnectionClose(_) => Err(CommandError::invalid(
                format!("{} belongs on channel 0", method.name()),
            )),
            Method::ChannelOpen => Ok(Reply::ChannelOpenOk),
            Method::ChannelFlow { active } => self
                .channel_flow(ch, active)
                .map(|active| Reply::ChannelFlowOk { active }),
            Method::ChannelClose(_) => self.close_channel(ch).map(|_| Reply::ChannelCloseOk),
            Method::ExchangeDeclare(m) => self
                .exchange_declare(ch, m)
                .map(|_| Reply::ExchangeDeclareOk),
            Method::ExchangeDelete(m) => {
                self.exchange_delete(ch, m).map(|_| Reply::ExchangeDeleteOk)
            }
            Method::ExchangeBind(m) | Method::ExchangeUnbind(m) => {
                let target = Target::Exchange(&m.destination);
                let (source, key) = (&m.source, &m.routing_key);
                self.binding_method(ch, id, target, source, key, m.arguments)
                    .map(|_| bound(id))
            }
            Method::QueueDeclare(m) => self.queue_declare(ch, m).map(Reply::QueueDeclareOk),
            Method::QueueBind(m) | Method::QueueUnbind(m) => {
                let target = Target::Queue(&m.queue);
                let (source, key) = (&m.exchange, &m.routing_key);
                self.binding_method(ch, id, target, source, key, m.arguments)
                    .map(|_| bound(id))
            }
            Method::QueuePurge(m) => self
                .queue_purge(ch, &m.queue)
                .map(|message_count| Reply::QueuePurgeOk { message_count }),
            Method::QueueDelete(m) => self
                .queue_delete(ch, m)
                .map(|message_count| Reply::QueueDeleteOk { message_count }),
            Method::BasicQos(m) => self.basic_qos(ch, m).map(|_| Reply::BasicQosOk),
            Method::BasicConsume(m) => self
                .basic_consume(ch, m)
                .map(|consumer_tag| Reply::BasicConsumeOk { consumer_tag }),
            Method::BasicCancel(m) => {
                self.basic_cancel(ch, &m.consumer_tag)
                    .map(|_| Reply::BasicCancelOk {
                        consumer_tag: m.consumer_tag.as_str().into(),
                    })
            }
            Method::BasicPublish(m) => self.basic_publish(ch, m).map(|_| Reply::None),
            Method::BasicGet(m) => self.basic_get(ch, &m.queue, m.no_ack).map(|got| match got {
                Some(ok) => Reply::BasicGetOk(ok),
                None => Reply::BasicGetEmpty,
            }),
            Method::BasicAck(m) => self.basic_ack(ch, m).map(|_| Reply::None),
            Method::BasicReject(m) => self.basic_reject(ch, m).map(|_| Reply::None),
            Method::BasicNack(m) => self.basic_nack(ch, m).map(|_| Reply::None),
            Method::BasicRecover(m) => self
                .basic_recover(ch, MethodId::BASIC_RECOVER, m.requeue)
                .map(|_| Reply::BasicRecoverOk),
            Method::BasicRecoverAsync(m) => self
                .basic_recover(ch, MethodId::BASIC_RECOVER_ASYNC, m.requeue)
                .map(|_| Reply::None),
            Method::TxSelect => self.tx_select(ch).map(|_| Reply::TxSelectOk),
            Method::TxCommit => self.tx_commit(ch).map(|_| Reply::TxCommitOk),
            Method::TxRollback => self.tx_rollback(ch).map(|_| Reply::TxRollbackOk),
            Method::ConfirmSelect { .. } => self.confirm_select(ch).map(|_| Reply::ConfirmSelectOk),
        }
    }

    /// The channel a connection's channel number names, or the client-side
    /// refusal (closed connection or channel, a number never opened).
    pub(crate) fn channel_on(&self, conn: ConnId, number: u16) -> Result<ChannelId, CommandError> {
        let c = self.open_connection_ref(conn)?;
        let Some(&ch) = c.channel_numbers.get(&number) else {
            // A number freed by a close: the client knows its channel closed.
            let closed = c
                .channels
                .iter()
                .any(|id| self.channels.get(id).is_some_and(|x| x.number == number));
            return Err(if closed {
                CommandError::ChannelClosed
            } else {
                CommandError::invalid(format!("channel {number} of {conn} was never opened"))
            });
        };
        self.open_channel_conn(ch)?;
        Ok(ch)
    }

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
        method: MethodId,
        body: impl FnOnce(&mut Broker, ChannelId, ConnId) -> Result<T, AmqpError>,
    ) -> Result<T, CommandError> {
        let conn = self.open_channel_conn(ch)?;
        let result = body(self, ch, conn);
        self.settle_dying();
        match result {
            Ok(v) => Ok(v),
            Err(mut e) => {
                // A crash names no method (RabbitMQ's channel process died).
                if !e.is_crash() {
                    e.method = Some(method);
                }
                self.fail(ch, conn, &e);
                Err(CommandError::Amqp(e))
            }
        }
    }

    /// The broker's reaction to a failed method: close what the error's
    /// scope says, and tell the client so.
    pub(crate) fn fail(&mut self, ch: ChannelId, conn: ConnId, e: &AmqpError) {
        self.emit(EventKind::MethodFailed {
            conn,
            channel: ch,
            method: e.method.map_or("", |m| m.name),
            error: ErrorInfo::from(e),
        });
        match e.scope() {
            ErrorScope::Channel => self.channel_down(ch, Initiator::Broker, Some(e)),
            ErrorScope::Connection => self.connection_down(conn, Initiator::Broker, Some(e)),
        }
    }
}
