//! The diagram as text, for screen readers: a list of the diagram's
//! objects, each saying what its node shows, with a nested list of where
//! its messages go (its outgoing edges, in words). A screen reader walks it
//! like any list; the SVG nodes stay the way to select an object.
//!
//! Visually hidden: sighted people have the drawing. Only text, no
//! controls, so nothing focusable is invisible.

use crate::sim::world::World;
use crate::ui::i18n::{fill, Text};
use crate::view::layout::{Diagram, EdgeKind, NodeKey};
use yew::prelude::*;

/// "queue hello", "the exchange (AMQP default)", "worker worker 1".
fn node_name(t: &Text, world: &World, key: &NodeKey) -> String {
    let sim = &world.sim;
    match key {
        NodeKey::Producer(id) => format!(
            "{} {}",
            t.kind_producer,
            sim.producer(*id)
                .map(|p| p.spec.name.as_str())
                .unwrap_or_default()
        ),
        NodeKey::Worker(id) => format!(
            "{} {}",
            t.kind_worker,
            sim.worker(*id)
                .map(|w| w.spec.name.as_str())
                .unwrap_or_default()
        ),
        NodeKey::Exchange(x) if x.is_empty() => {
            format!("{} {}", t.kind_exchange, t.default_exchange)
        }
        NodeKey::Exchange(x) => format!("{} {x}", t.kind_exchange),
        NodeKey::Queue(q) => format!("{} {q}", t.kind_queue),
    }
}

/// One edge in words, from its source's point of view.
fn edge_sentence(t: &Text, kind: EdgeKind, to: &str, key: &str) -> String {
    let with = |plain: &str, keyed: &str| {
        if key.is_empty() {
            fill(plain, &[("to", to)])
        } else {
            fill(keyed, &[("to", to), ("key", key)])
        }
    };
    match kind {
        EdgeKind::Publish => with(t.edge_publish, t.edge_publish_key),
        EdgeKind::Binding => with(t.edge_binding, t.edge_binding_key),
        EdgeKind::Implicit => fill(t.edge_implicit, &[("to", to), ("key", key)]),
        // The consumer edge's label says how it consumes (auto-ack, prefetch).
        EdgeKind::Consume if !key.is_empty() => {
            format!("{} ({key})", fill(t.edge_consume, &[("to", to)]))
        }
        EdgeKind::Consume => fill(t.edge_consume, &[("to", to)]),
        EdgeKind::Alternate => fill(t.edge_alternate, &[("to", to)]),
        EdgeKind::DeadLetter => fill(t.edge_dead_letter, &[("to", to)]),
    }
}

/// The list; `labels` are the nodes' accessible names (what each node
/// shows), by node, in the diagram's order.
pub fn diagram_text(t: &Text, world: &World, d: &Diagram, labels: &[(NodeKey, String)]) -> Html {
    let items = labels.iter().map(|(key, label)| {
        let out: Vec<String> = d
            .edges
            .iter()
            .filter(|e| e.from == *key)
            .map(|e| {
                // The alternate and dead-letter edges' labels ("AE", "DLX")
                // only repeat what the sentence says.
                let k = match e.kind {
                    EdgeKind::Alternate | EdgeKind::DeadLetter => "",
                    _ => e.label.as_str(),
                };
                edge_sentence(t, e.kind, &node_name(t, world, &e.to), k)
            })
            .collect();
        html! {
            <li>
                { label.clone() }
                <ul>
                    if out.is_empty() {
                        <li>{ t.edge_none }</li>
                    }
                    { for out.into_iter().map(|s| html! { <li>{ s }</li> }) }
                </ul>
            </li>
        }
    });
    html! {
        <div class="sr-only" id="diagram-text">
            <h3>{ t.diagram_as_text }</h3>
            <p>{ fill(t.diagram_text_nodes, &[("n", &labels.len().to_string())]) }</p>
            <ul id="diagram-text-list">{ for items }</ul>
        </div>
    }
}
