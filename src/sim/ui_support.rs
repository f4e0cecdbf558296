//! Small helpers the workbench needs on top of the simulation. Pure, like
//! the rest of `sim`: no web APIs.

use crate::engine::CommandError;
use crate::sim::{ActorId, ProducerSpec, Simulation};

impl Simulation {
    /// Changes what a producer publishes from now on (body, key, properties…),
    /// keeping its connection and counters, as editing `new_task.py`'s
    /// arguments between runs would. Turning publisher confirms on or off
    /// needs a new channel (confirm mode cannot be left), and an RPC client
    /// its callback queue, so the producer reconnects then.
    pub fn set_producer_spec(
        &mut self,
        id: ActorId,
        spec: ProducerSpec,
    ) -> Result<(), CommandError> {
        let Some(p) = self.producers.get(&id) else {
            return Err(CommandError::invalid(format!("no producer {}", id.0)));
        };
        let reconnect =
            p.spec.confirm != spec.confirm || p.spec.name != spec.name || p.spec.rpc != spec.rpc;
        let old_conn = p.link.conn;
        if reconnect {
            let _ = self.broker.close_connection_gracefully(old_conn);
            let link = self.connect_producer(&spec)?;
            if let Some(p) = self.producers.get_mut(&id) {
                p.reconnected(link);
            }
        }
        let every_changed = self.producers.get(&id).map(|p| p.spec.every_ms) != Some(spec.every_ms);
        let every = spec.every_ms.map(|ms| ms.get());
        if let Some(p) = self.producers.get_mut(&id) {
            p.spec = spec;
            p.last_error = None;
        }
        if every_changed {
            self.publish_every(id, every);
        }
        self.deliver_outboxes();
        Ok(())
    }

    /// Hands broker events caused by direct broker calls (declares, binds,
    /// purges made outside any actor) to the actors now, so a caller can
    /// then truncate the broker's log safely.
    pub fn sync_actors(&mut self) {
        self.deliver_outboxes();
    }
}
