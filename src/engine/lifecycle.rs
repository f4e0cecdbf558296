//! Stopping and starting the broker: graceful restart and crash.
//!
//! A graceful stop closes every connection first (so unacknowledged
//! deliveries go back to their queues, redelivered) and commits everything
//! recorded. A crash stops at once: changes not yet committed are lost, and
//! deliveries that were out come back from the store marked redelivered (the
//! store recorded that they had been delivered). Either way the broker then
//! boots from the committed durable state, and clients must reconnect.

use crate::engine::broker::Broker;
use crate::engine::durable::DurableState;
use crate::engine::error::{AmqpError, ReplyCode};
use crate::engine::event::{EventKind, Initiator};
use crate::engine::ids::ConnId;

impl Broker {
    fn open_connections(&self) -> Vec<ConnId> {
        self.connections
            .values()
            .filter(|c| c.open)
            .map(|c| c.id)
            .collect()
    }

    /// Stops the broker; returns the connections that were dropped.
    /// Graceful: connections close and everything recorded is sealed (and,
    /// with internal durability, committed). Crash: whatever was not
    /// committed is gone.
    pub fn stop(&mut self, graceful: bool) -> Vec<ConnId> {
        let dropped = self.open_connections();
        if graceful {
            // RabbitMQ closes every connection first, says why, and resets
            // the socket at once, without waiting for close-ok.
            let shutdown = AmqpError::new(
                ReplyCode::ConnectionForced,
                "broker forced connection closure with reason 'shutdown'",
            );
            for conn in &dropped {
                self.connection_down_with(*conn, Initiator::Broker, Some(&shutdown), false);
            }
            self.settle_dying();
            self.seal();
        } else {
            self.open_ops.clear();
            self.sealed.clear();
            self.in_flight.clear();
        }
        self.awaiting_commit.clear();
        self.commit_scheduled = false;
        // What the operator set at run time does not survive the node.
        self.ack_settings = crate::engine::ack_timeout::AckSettings::from_config(&self.config);
        self.emit(EventKind::BrokerStopped { graceful });
        dropped
    }

    /// Boots from a durable state (the committed one, or a store's).
    pub fn boot(&mut self, state: &DurableState) {
        self.committed = state.clone();
        self.rebuild_from(state);
        self.emit(EventKind::BrokerStarted {
            profile: self.config.profile.name(),
            recovered: true,
        });
    }

    /// What has been committed so far.
    pub fn committed_state(&self) -> &DurableState {
        &self.committed
    }

    /// Graceful restart from the committed state. Returns the dropped connections.
    pub fn restart(&mut self) -> Vec<ConnId> {
        let dropped = self.stop(true);
        let state = self.committed.clone();
        self.boot(&state);
        dropped
    }

    /// Crash and boot from the committed state. Returns the dropped connections.
    pub fn crash(&mut self) -> Vec<ConnId> {
        let dropped = self.stop(false);
        let state = self.committed.clone();
        self.boot(&state);
        dropped
    }
}
