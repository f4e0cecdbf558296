//! Stopping and starting the broker: graceful restart and crash.
//!
//! A graceful restart closes every connection first (so unacknowledged
//! deliveries return to their queues, redelivered), then the broker boots
//! from its durable state. A crash stops at once; on boot, what was durable
//! comes back too, and deliveries that were out come back redelivered.
//! Connections do not survive either: clients must reconnect.

use crate::engine::broker::Broker;
use crate::engine::durable::DurableMessage;
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

    /// Graceful restart. Returns the connections that were dropped.
    pub fn restart(&mut self) -> Vec<ConnId> {
        let dropped = self.open_connections();
        for conn in &dropped {
            self.connection_down(*conn, Initiator::Broker, None);
        }
        self.settle_dying();
        self.emit(EventKind::BrokerStopped { graceful: true });
        let state = self.durable_state();
        self.boot_from(&state);
        self.emit(EventKind::BrokerStarted {
            profile: self.config.profile.name(),
            recovered: true,
        });
        dropped
    }

    /// Crash: the broker stops at once. Returns the connections that were dropped.
    pub fn crash(&mut self) -> Vec<ConnId> {
        let dropped = self.open_connections();
        let mut state = self.durable_state();
        // Deliveries that were out are still in the queues' indexes: they come
        // back, marked redelivered.
        for ch in self.channels.values().filter(|c| c.open) {
            for u in ch.unacked.values() {
                let Some(q) = self.queues.get(&u.queue) else {
                    continue;
                };
                if !q.durable || q.exclusive_owner.is_some() || !u.entry.msg.is_persistent() {
                    continue;
                }
                if let Some(dq) = state.queues.iter_mut().find(|d| *d.name == *q.name) {
                    let mut m = DurableMessage::from_entry(&u.entry);
                    m.redelivered = true;
                    dq.messages.push(m);
                }
            }
        }
        self.emit(EventKind::BrokerStopped { graceful: false });
        self.boot_from(&state);
        self.emit(EventKind::BrokerStarted {
            profile: self.config.profile.name(),
            recovered: true,
        });
        dropped
    }
}
