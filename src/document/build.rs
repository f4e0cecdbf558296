//! From a document to a running simulation: its topology declared through
//! the broker's one door (`Broker::apply`) on a "setup" connection, then
//! its actors started.

use crate::document::schema::{ActorDoc, Document};
use crate::document::{err, DocumentError};
use crate::engine::method::Method;
use crate::engine::{BrokerConfig, CommandError};
use crate::sim::{ActorId, Simulation};

impl Document {
    /// The AMQP methods that declare the document's topology, each with the
    /// path of the entry it comes from.
    pub fn topology_methods(&self) -> Vec<(String, Method)> {
        let mut out = Vec::new();
        for (i, x) in self.exchanges.iter().enumerate() {
            out.push((
                format!("exchanges[{i}]"),
                Method::ExchangeDeclare(x.declaration()),
            ));
        }
        for (i, q) in self.queues.iter().enumerate() {
            out.push((
                format!("queues[{i}]"),
                Method::QueueDeclare(q.declaration()),
            ));
        }
        for (i, b) in self.bindings.iter().enumerate() {
            let method = Method::binding(
                false,
                b.destination_type,
                &b.source,
                &b.destination,
                &b.routing_key,
                b.arguments.clone(),
            );
            out.push((format!("bindings[{i}]"), method));
        }
        out
    }

    /// Builds the simulation the document describes. Topology is declared
    /// on a "setup" connection that stays open (exclusive queues belong to
    /// it); producers and workers get their own connections. Returns the
    /// simulation and the actor ids, in document order.
    pub fn build(&self) -> Result<(Simulation, Vec<ActorId>), DocumentError> {
        self.build_with(BrokerConfig::default())
    }

    /// [`Document::build`] on a broker configured like `base` except for
    /// what the document sets (profile, seed, commit interval, consumer
    /// timeout: the node's configuration, so a restart keeps them).
    pub fn build_with(
        &self,
        base: BrokerConfig,
    ) -> Result<(Simulation, Vec<ActorId>), DocumentError> {
        let config = BrokerConfig {
            profile: self.broker.profile,
            seed: self.broker.seed,
            commit_interval_ms: self.broker.commit_interval_ms.get(),
            consumer_timeout_ms: self.broker.consumer_timeout_ms.map(|ms| ms.get()),
            ..base
        };
        self.build_on(Simulation::new(config))
    }

    /// Declares the document's topology and starts its actors on an
    /// existing simulation (a broker booted from a store: what is durable
    /// is there already, and declaring it again changes nothing).
    pub fn build_on(
        &self,
        mut sim: Simulation,
    ) -> Result<(Simulation, Vec<ActorId>), DocumentError> {
        self.validate()?;
        let amqp = |path: String| move |e: CommandError| err(path, e.to_string());
        let conn = sim.broker.open_connection("setup");
        let number = sim
            .broker
            .open_next_channel(conn)
            .map_err(amqp(String::new()))?;
        // A refused declaration closes the setup channel; report it and stop.
        for (path, method) in self.topology_methods() {
            sim.broker.apply(conn, number, method).map_err(amqp(path))?;
        }
        let mut ids = Vec::new();
        for (i, a) in self.actors.iter().enumerate() {
            let path = format!("actors[{i}]");
            let id = match a {
                ActorDoc::Producer(p) => sim.add_producer(p.clone()).map_err(amqp(path))?,
                ActorDoc::Worker(w) => sim.add_worker(w.clone()).map_err(amqp(path))?,
            };
            ids.push(id);
        }
        Ok((sim, ids))
    }
}
