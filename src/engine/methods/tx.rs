//! tx.select/commit/rollback and confirm.select.
//!
//! A transaction holds the channel's publishes and acknowledgements until
//! tx.commit; tx.rollback throws the publishes away and puts the held
//! deliveries back among the channel's unacknowledged ones. A channel is
//! either transactional or in confirm mode, never both (406).

use crate::engine::broker::Broker;
use crate::engine::channel::Transaction;
use crate::engine::error::{AmqpError, CommandError};
use crate::engine::event::EventKind;
use crate::engine::ids::ChannelId;
use crate::engine::method::MethodId;

impl Broker {
    pub(crate) fn tx_select(&mut self, ch: ChannelId) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::TX_SELECT, |b, ch, _| {
            let Some(channel) = b.channels.get_mut(&ch) else {
                return Ok(());
            };
            if channel.confirm {
                return Err(AmqpError::precondition_failed(
                    "cannot switch from confirm to tx mode",
                ));
            }
            if channel.tx.is_none() {
                channel.tx = Some(Transaction::default());
            }
            b.emit(EventKind::TxSelected { channel: ch });
            Ok(())
        })
    }

    pub(crate) fn confirm_select(&mut self, ch: ChannelId) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::CONFIRM_SELECT, |b, ch, _| {
            let Some(channel) = b.channels.get_mut(&ch) else {
                return Ok(());
            };
            if channel.tx.is_some() {
                return Err(AmqpError::precondition_failed(
                    "cannot switch from tx to confirm mode",
                ));
            }
            channel.confirm = true;
            b.emit(EventKind::ConfirmSelected { channel: ch });
            Ok(())
        })
    }

    /// Delivers the held publishes in order, then settles the held acks.
    /// If a queue refused a publish (x-overflow reject-publish), the commit
    /// fails with 406 `partial tx completion`.
    pub(crate) fn tx_commit(&mut self, ch: ChannelId) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::TX_COMMIT, |b, ch, _| {
            let Some(tx) = b.take_transaction(ch)? else {
                return Ok(());
            };
            let (publishes, acks) = (tx.publishes.len() as u32, tx.settles.len() as u32);
            let mut complete = true;
            for p in tx.publishes {
                complete &=
                    b.deliver_to_queues(ch, p.message, p.mandatory, &p.queues, p.confirm_seq);
            }
            for s in tx.settles {
                b.settle(ch, s.deliveries, Some(s.kind));
            }
            b.emit(EventKind::TxCommitted {
                channel: ch,
                publishes,
                acks,
            });
            if complete {
                Ok(())
            } else {
                Err(AmqpError::precondition_failed("partial tx completion"))
            }
        })
    }

    pub(crate) fn tx_rollback(&mut self, ch: ChannelId) -> Result<(), CommandError> {
        self.on_channel(ch, MethodId::TX_ROLLBACK, |b, ch, _| {
            let Some(tx) = b.take_transaction(ch)? else {
                return Ok(());
            };
            let (publishes, acks) = (tx.publishes.len() as u32, tx.settles.len() as u32);
            if let Some(channel) = b.channels.get_mut(&ch) {
                for u in tx.settles.into_iter().flat_map(|s| s.deliveries) {
                    channel.unacked.insert(u.tag, u);
                }
            }
            b.emit(EventKind::TxRolledBack {
                channel: ch,
                publishes,
                acks,
            });
            Ok(())
        })
    }

    /// The channel's open transaction, leaving a fresh one in its place
    /// (a channel stays transactional); 406 if it is not transactional.
    fn take_transaction(&mut self, ch: ChannelId) -> Result<Option<Transaction>, AmqpError> {
        let Some(channel) = self.channels.get_mut(&ch) else {
            return Ok(None);
        };
        match channel.tx.replace(Transaction::default()) {
            Some(tx) => Ok(Some(tx)),
            None => {
                channel.tx = None;
                Err(AmqpError::precondition_failed(
                    "channel is not transactional",
                ))
            }
        }
    }
}
