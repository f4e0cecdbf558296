//! What a client library sends for the operations that take more than one
//! method, as pika's `BlockingConnection` does it.
//!
//! The broker only knows methods (`Broker::apply`). But "close this channel"
//! in pika is two things on the wire: `basic.cancel` for each of the
//! channel's consumers, then `channel.close`; and "close this connection"
//! closes each open channel that way before `connection.close`. The
//! conformance harness, the lessons' programs and the JS API all behave
//! like pika, so they share these; a real client over the wire does
//! whatever its library does. The order is visible: cancelling first lets
//! an auto-delete queue go before the channel's unacked messages would have
//! been requeued to it.

use crate::engine::broker::Broker;
use crate::engine::error::CommandError;
use crate::engine::ids::ConnId;
use crate::engine::method::{BasicCancel, Close, Method};

impl Broker {
    /// pika's `connection.channel()`: channel.open on the lowest free number.
    pub fn open_next_channel(&mut self, conn: ConnId) -> Result<u16, CommandError> {
        let number = self
            .open_connection_ref(conn)?
            .free_channel_number()
            .ok_or_else(|| {
                CommandError::invalid("no free channel number: channel_max channels are open")
            })?;
        self.apply(conn, number, Method::ChannelOpen)?;
        Ok(number)
    }

    /// pika's `channel.close()`: its consumers are cancelled, then the
    /// channel closes.
    pub fn close_channel_gracefully(
        &mut self,
        conn: ConnId,
        number: u16,
    ) -> Result<(), CommandError> {
        let ch = self.channel_on(conn, number)?;
        let mut tags: Vec<_> = self
            .channel_consumers(ch)
            .into_iter()
            .filter_map(|id| self.consumers.get(&id).map(|c| c.tag.to_string()))
            .collect();
        tags.dedup();
        for consumer_tag in tags {
            let cancel = Method::BasicCancel(BasicCancel::new(&consumer_tag));
            self.apply(conn, number, cancel)?;
        }
        self.apply(conn, number, Method::ChannelClose(Close::normal()))?;
        Ok(())
    }

    /// pika's `connection.close()`: each open channel closes as above, then
    /// the connection.
    pub fn close_connection_gracefully(&mut self, conn: ConnId) -> Result<(), CommandError> {
        // In the order they were opened, as pika keeps them.
        let mut by_id: Vec<(crate::engine::ids::ChannelId, u16)> = self
            .open_connection_ref(conn)?
            .channel_numbers
            .iter()
            .map(|(n, id)| (*id, *n))
            .collect();
        by_id.sort();
        for (_, number) in by_id {
            // A channel the broker closed meanwhile needs nothing more.
            if self.channel_on(conn, number).is_ok() {
                self.close_channel_gracefully(conn, number)?;
            }
        }
        self.apply(conn, 0, Method::ConnectionClose(Close::normal()))?;
        Ok(())
    }
}
