//! Routing one publish through the exchanges to its queues.
//!
//! RabbitMQ's `rabbit_exchange:route`, step for step: starting from the
//! exchange the message was published to, each exchange contributes the
//! destinations of its matching bindings. Exchange destinations
//! (exchange-to-exchange bindings) are visited in turn, each at most once,
//! so cycles end. An exchange that matches nothing hands the message to its
//! alternate exchange, if that exists. The queues reached are sorted by name
//! and de-duplicated: a queue gets one copy however many paths lead to it.
//!
//! The default exchange `""` is special: it routes to the queue named by the
//! routing key, if there is one, and has no bindings, no alternate exchange.

use crate::engine::broker::{destination_kind, Broker};
use crate::engine::event::{MatchedBinding, MissedBinding, RouteTrace};
use crate::engine::exchange::Destination;
use crate::engine::ids::{ExchangeId, QueueId};
use crate::engine::limits;
use crate::engine::value::FieldTable;
use std::collections::BTreeSet;
use std::rc::Rc;

/// Where one publish goes.
#[derive(Clone, Debug, Default)]
pub struct RouteResult {
    /// Queues, sorted by name, each once.
    pub queues: Vec<QueueId>,
    pub trace: RouteTrace,
}

impl Broker {
    /// Routes a message published to `exchange` (`""` = default) with these
    /// routing keys (the key, then any CC/BCC keys) and headers.
    /// `explain_all` explains every non-matching binding (for the UI's
    /// "try a key" box); otherwise only small exchanges are explained.
    pub fn route(
        &self,
        exchange: &str,
        keys: &[Rc<str>],
        headers: Option<&FieldTable>,
        explain_all: bool,
    ) -> RouteResult {
        let mut trace = RouteTrace::default();
        let mut queues: BTreeSet<QueueId> = BTreeSet::new();
        if exchange.is_empty() {
            for key in keys {
                if let Some(q) = self.queue_id(key) {
                    if queues.insert(q) {
                        trace.matched.push(MatchedBinding {
                            exchange: self.default_exchange_name(),
                            key: key.clone(),
                            destination: key.clone(),
                            destination_kind: crate::engine::exchange::DestinationKind::Queue,
                        });
                    }
                }
            }
            return self.finish_route(queues, trace);
        }
        let Some(start) = self.exchange_id(exchange) else {
            return RouteResult::default();
        };
        let key_strs: Vec<&str> = keys.iter().map(|k| &**k).collect();
        let exact = self.config.profile.headers_compare_exactly();
        let mut seen: BTreeSet<ExchangeId> = BTreeSet::from([start]);
        let mut work = vec![start];
        let mut hops = 0;
        while let Some(xid) = work.pop() {
            hops += 1;
            if hops > limits::EXCHANGE_HOPS_MAX {
                break;
            }
            let Some(x) = self.exchanges.get(&xid) else {
                continue;
            };
            let mut matched = x.matching_bindings(&key_strs, headers, exact);
            let mut unique = BTreeSet::new();
            matched.retain(|b| unique.insert(*b));
            for &bid in &matched {
                let Some(b) = x.binding(bid) else { continue };
                trace.matched.push(MatchedBinding {
                    exchange: x.name.clone(),
                    key: b.key.clone(),
                    destination: self.destination_name(b.destination),
                    destination_kind: destination_kind(b.destination),
                });
                match b.destination {
                    Destination::Queue(q) => {
                        queues.insert(q);
                    }
                    Destination::Exchange(next) => {
                        if seen.insert(next) {
                            work.push(next);
                        }
                    }
                }
            }
            let missed = x.binding_count() - matched.len();
            trace.missed_total += missed;
            if missed > 0 && (explain_all || missed <= limits::EXPLAINED_MISSES_MAX) {
                let first_key = key_strs.first().copied().unwrap_or("");
                for b in x.bindings().filter(|b| !unique.contains(&b.id)) {
                    trace.missed.push(MissedBinding {
                        exchange: x.name.clone(),
                        key: b.key.clone(),
                        destination: self.destination_name(b.destination).to_string(),
                        explanation: x.explain_binding(b, first_key, headers, exact),
                    });
                }
            }
            if matched.is_empty() {
                if let Some(ae) = x.alternate_exchange() {
                    if let Some(ae_id) = self.exchange_id(ae) {
                        if seen.insert(ae_id) {
                            trace.alternates.push(Rc::from(ae));
                            work.push(ae_id);
                        }
                    }
                }
            }
        }
        self.finish_route(queues, trace)
    }

    fn finish_route(&self, queues: BTreeSet<QueueId>, mut trace: RouteTrace) -> RouteResult {
        let mut named: Vec<(Rc<str>, QueueId)> = queues
            .into_iter()
            .filter_map(|q| self.queues.get(&q).map(|x| (x.name.clone(), q)))
            .collect();
        named.sort();
        trace.queues = named.iter().map(|(n, _)| n.clone()).collect();
        RouteResult {
            queues: named.into_iter().map(|(_, q)| q).collect(),
            trace,
        }
    }

    /// Explains, for every binding reachable from `exchange`, whether a
    /// message with this routing key and these headers would match, and why.
    pub fn explain_route(
        &self,
        exchange: &str,
        routing_key: &str,
        headers: Option<&FieldTable>,
    ) -> RouteTrace {
        self.route(exchange, &[Rc::from(routing_key)], headers, true)
            .trace
    }
}
