//! From a running simulation to a document: its topology and actors as they
//! are now (messages are not part of a document).

use crate::document::schema::{
    ActorDoc, BindingDoc, BrokerOptions, DestinationType, Document, ExchangeDoc, QueueDoc,
    ViewOptions,
};
use crate::sim::bounded::{ConsumerTimeoutMs, VirtualMs};
use crate::sim::{ActorId, Simulation};

impl Document {
    /// A document describing a simulation as it is now.
    pub fn from_simulation(sim: &Simulation, title: &str, view: ViewOptions) -> Document {
        let b = &sim.broker;
        let exchanges = b
            .exchanges()
            .filter(|x| !x.name.starts_with("amq."))
            .map(|x| ExchangeDoc::from_declaration(x.declaration()))
            .collect();
        // Server-named queues belong to the workers that declared them
        // (subscriptions, RPC callbacks): their programs declare them
        // again, and no document can declare an `amq.gen-` name.
        let server_named = |name: &str| b.queue_by_name(name).is_some_and(|q| q.server_named);
        let queues = b
            .queues()
            .filter(|q| !q.server_named)
            .map(|q| QueueDoc::from_declaration(q.declaration()))
            .collect();
        let bindings = b
            .bindings()
            .into_iter()
            .filter(|v| {
                !(v.destination_kind == DestinationType::Queue && server_named(&v.destination))
            })
            .map(|v| BindingDoc {
                source: v.source.to_string(),
                destination: v.destination.to_string(),
                destination_type: v.destination_kind,
                routing_key: v.routing_key.to_string(),
                arguments: v.arguments.clone(),
            })
            .collect();
        let mut actors: Vec<(ActorId, ActorDoc)> = sim
            .producers()
            .map(|p| {
                let mut spec = p.spec.clone();
                spec.every_ms = p.every.and_then(|ms| VirtualMs::new(ms).ok());
                (p.id, ActorDoc::Producer(spec))
            })
            .chain(
                sim.workers()
                    .map(|w| (w.id, ActorDoc::Worker(w.spec.clone()))),
            )
            .collect();
        actors.sort_by_key(|(id, _)| *id);
        Document {
            title: title.to_string(),
            broker: BrokerOptions {
                profile: b.profile(),
                seed: b.config().seed,
                commit_interval_ms: VirtualMs::new(b.config().commit_interval_ms)
                    .unwrap_or_default(),
                // What channels opened now would get: the operator's
                // setting if one was made since the node started.
                consumer_timeout_ms: b.ack_settings().timeout_ms.and_then(|ms| {
                    ConsumerTimeoutMs::new(ms.clamp(ConsumerTimeoutMs::MIN, ConsumerTimeoutMs::MAX))
                        .ok()
                }),
            },
            exchanges,
            queues,
            bindings,
            actors: actors.into_iter().map(|(_, a)| a).collect(),
            view,
            ..Document::default()
        }
    }
}
