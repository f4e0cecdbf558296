//! The per-connection outbox: what the broker sends a client on its own,
//! in the order it would reach the client's socket.
//!
//! A method's synchronous reply is [`Broker::apply`]'s return value. Every
//! other frame the server sends is queued here, on the connection it goes
//! to: deliveries with their content, returns, publisher confirms, the
//! broker's cancel of a consumer whose queue went away, and the broker
//! closing a channel or the connection. Each client drains its own
//! connection's outbox (`Broker::take_outbox`): a simulated worker, a JS API
//! channel, the conformance replayer, a socket of `warren-server`.
//!
//! The event log (`event.rs`) explains the same happenings to people; no
//! client reads the log to find out what it received.
//!
//! [`Broker::apply`]: crate::engine::Broker::apply

use crate::engine::broker::Broker;
use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::message::MessageRef;
use crate::engine::method::MethodId;
use std::rc::Rc;

/// basic.deliver: a message for a consumer. The message's envelope holds
/// the exchange and routing key.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub consumer_tag: Rc<str>,
    pub delivery_tag: u64,
    pub redelivered: bool,
    pub message: MessageRef,
}

/// A publisher confirm: `basic.ack` (`ack`) or `basic.nack` of publish
/// `delivery_tag`, or with `multiple` of every publish up to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub delivery_tag: u64,
    pub multiple: bool,
    pub ack: bool,
}

impl Confirm {
    /// Whether this confirm settles publish `seq`.
    pub fn covers(&self, seq: u64) -> bool {
        self.delivery_tag == seq || (self.multiple && seq <= self.delivery_tag)
    }
}

/// A server-to-client method (with its content, for deliveries and returns).
#[derive(Clone, Debug)]
pub enum ServerMethod {
    BasicDeliver(Delivery),
    /// basic.return of an unroutable mandatory message.
    BasicReturn {
        reply_code: u16,
        reply_text: &'static str,
        message: MessageRef,
    },
    /// basic.ack or basic.nack to a publisher.
    Confirm(Confirm),
    /// basic.cancel from the broker (the consumer's queue was deleted).
    BasicCancel {
        consumer_tag: Rc<str>,
    },
    /// channel.close from the broker, after a channel error.
    ChannelClose(Closing),
    /// connection.close from the broker: a connection error, or a forced
    /// close (shutdown, `close_connection`, vhost deleted).
    ConnectionClose(Closing),
}

/// Why the broker closes a channel or connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closing {
    pub reply_code: u16,
    pub reply_text: String,
    /// The method that failed (`None` for a forced close).
    pub method: Option<MethodId>,
    /// What the server does with the socket after sending this close, as
    /// RabbitMQ 3.10 does: `true`, it waits for the client's close-ok (an
    /// error, a channel close, `rabbitmqctl close_connection`); `false`, it
    /// resets the socket at once without waiting (a broker shutdown, a
    /// vhost deletion). Only the socket layer acts on it.
    pub await_close_ok: bool,
}

/// One frame (with its content) on its way to a client.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The channel number on the connection (0 for the connection itself).
    pub channel: u16,
    pub method: ServerMethod,
}

impl Broker {
    /// Queues `method` for the client, on the connection and number of
    /// channel `ch`.
    pub(crate) fn send(&mut self, ch: ChannelId, method: ServerMethod) {
        let Some(c) = self.channels.get(&ch) else {
            return;
        };
        let (conn, channel) = (c.conn, c.number);
        if let Some(conn) = self.connections.get_mut(&conn) {
            conn.outbox.push_back(Outgoing { channel, method });
        }
    }

    /// Queues a connection-level method (channel 0).
    pub(crate) fn send_on_connection(&mut self, conn: ConnId, method: ServerMethod) {
        if let Some(conn) = self.connections.get_mut(&conn) {
            conn.outbox.push_back(Outgoing { channel: 0, method });
        }
    }

    /// Everything queued for `conn` since the last call, in wire order.
    pub fn take_outbox(&mut self, conn: ConnId) -> Vec<Outgoing> {
        self.connections
            .get_mut(&conn)
            .map(|c| c.outbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// Whether anything waits in `conn`'s outbox.
    pub fn has_outgoing(&self, conn: ConnId) -> bool {
        self.connections
            .get(&conn)
            .is_some_and(|c| !c.outbox.is_empty())
    }
}
