//! The diagram's automatic layout: producers → exchanges → queues → workers,
//! left to right, each column ordered to follow the one before it (so edges
//! cross as little as possible). Positions a person dragged override it.

use crate::engine::exchange::DestinationKind;
use crate::engine::exchange::ExchangeType;
use crate::sim::actors::WorkerState;
use crate::sim::world::World;
use crate::ui::state::NodeKey;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Producer,
    Exchange,
    Queue,
    Worker,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub key: NodeKey,
    pub kind: NodeKind,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Node {
    pub fn right(&self) -> (f64, f64) {
        (self.x + self.w, self.y + self.h / 2.0)
    }
    pub fn left(&self) -> (f64, f64) {
        (self.x, self.y + self.h / 2.0)
    }
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A producer publishes to an exchange.
    Publish,
    /// A binding (exchange → queue or exchange).
    Binding,
    /// The default exchange's implicit binding (routing key = queue name).
    Implicit,
    /// A worker consumes from a queue.
    Consume,
    /// An exchange's alternate exchange.
    Alternate,
    /// A queue's dead-letter exchange.
    DeadLetter,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: NodeKey,
    pub to: NodeKey,
    pub kind: EdgeKind,
    pub label: String,
}

#[derive(Clone, Debug, Default)]
pub struct Diagram {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub width: f64,
    pub height: f64,
}

impl Diagram {
    pub fn node(&self, key: &NodeKey) -> Option<&Node> {
        self.nodes.iter().find(|n| n.key == *key)
    }
}

impl NodeKind {
    /// A node's width and height.
    pub const fn size(self) -> (f64, f64) {
        match self {
            NodeKind::Producer => (138.0, 58.0),
            NodeKind::Exchange => (142.0, 58.0),
            NodeKind::Queue => (172.0, 76.0),
            NodeKind::Worker => (162.0, 82.0),
        }
    }

    /// The width of a column of these nodes, with the gap before the next
    /// one: exchange → queue edges carry binding keys, so theirs is the
    /// widest.
    const fn column_width(self) -> f64 {
        self.size().0
            + match self {
                NodeKind::Producer => 56.0,
                NodeKind::Exchange => 112.0,
                NodeKind::Queue => 60.0,
                NodeKind::Worker => 0.0,
            }
    }
}

const ROW_GAP: f64 = 22.0;
const MARGIN: f64 = 20.0;
/// Exchange-to-exchange chains deeper than this share the last column.
const EXCHANGE_COLS_MAX: usize = 3;

/// The exchanges worth drawing: declared ones, system ones in use, and the
/// default exchange when a producer publishes to it.
fn visible_exchanges(world: &World) -> Vec<Rc<str>> {
    let broker = &world.sim.broker;
    let bindings = broker.bindings();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for b in &bindings {
        used.insert(&b.source);
        if b.destination_kind == DestinationKind::Exchange {
            used.insert(&b.destination);
        }
    }
    let targeted: Vec<String> = world
        .sim
        .producers()
        .map(|p| p.spec.exchange.clone())
        .collect();
    let mut out: Vec<Rc<str>> = Vec::new();
    if targeted.iter().any(|x| x.is_empty()) {
        out.push(Rc::from(""));
    }
    for x in broker.exchanges() {
        let system = x.name.starts_with("amq.");
        if !system || used.contains(&*x.name) || targeted.iter().any(|t| *t == *x.name) {
            out.push(x.name.clone());
        }
    }
    out
}

pub fn layout(world: &World, moved: &BTreeMap<NodeKey, (f64, f64)>) -> Diagram {
    let broker = &world.sim.broker;
    let sim = &world.sim;
    let exchanges = visible_exchanges(world);
    let bindings = broker.bindings();
    let mut edges = Vec::new();

    // Producers, in creation order.
    let producers: Vec<_> = sim.producers().collect();
    for p in &producers {
        let x: &str = &p.spec.exchange;
        if exchanges.iter().any(|e| &**e == x) {
            edges.push(Edge {
                from: NodeKey::Producer(p.id),
                to: NodeKey::Exchange(Rc::from(x)),
                kind: EdgeKind::Publish,
                label: p.spec.routing_key.clone(),
            });
        }
    }

    // Exchange columns: depth along exchange-to-exchange bindings.
    let mut depth: BTreeMap<Rc<str>, usize> = exchanges.iter().map(|x| (x.clone(), 0)).collect();
    for _ in 0..EXCHANGE_COLS_MAX {
        for b in bindings
            .iter()
            .filter(|b| b.destination_kind == DestinationKind::Exchange)
        {
            let d = depth.get(&b.source).copied().unwrap_or(0);
            if let Some(slot) = depth.get_mut(&b.destination) {
                if *slot < d + 1 && b.source != b.destination {
                    *slot = (d + 1).min(EXCHANGE_COLS_MAX - 1);
                }
            }
        }
    }
    let cols = depth.values().copied().max().map_or(1, |d| d + 1);

    // Order exchanges by the first producer that targets them.
    let mut ex_order: Vec<Rc<str>> = exchanges.clone();
    let rank = |x: &str| {
        producers
            .iter()
            .position(|p| p.spec.exchange == x)
            .unwrap_or(usize::MAX)
    };
    ex_order.sort_by_key(|x| (depth.get(x).copied().unwrap_or(0), rank(x)));

    // Queues: in the order their exchanges come, then the rest.
    let mut q_order: Vec<Rc<str>> = Vec::new();
    let push_q = |name: &Rc<str>, q_order: &mut Vec<Rc<str>>| {
        if !q_order.contains(name) {
            q_order.push(name.clone());
        }
    };
    for x in &ex_order {
        if x.is_empty() {
            for p in producers.iter().filter(|p| p.spec.exchange.is_empty()) {
                if let Some(q) = broker.queue_by_name(&p.spec.routing_key) {
                    push_q(&q.name, &mut q_order);
                }
            }
        }
        for b in bindings
            .iter()
            .filter(|b| b.source == *x && b.destination_kind == DestinationKind::Queue)
        {
            push_q(&b.destination, &mut q_order);
        }
    }
    for q in broker.queues() {
        push_q(&q.name, &mut q_order);
    }

    // Edges from exchanges.
    for p in producers.iter().filter(|p| p.spec.exchange.is_empty()) {
        if broker.queue_by_name(&p.spec.routing_key).is_some() {
            let e = Edge {
                from: NodeKey::Exchange(Rc::from("")),
                to: NodeKey::Queue(Rc::from(p.spec.routing_key.as_str())),
                kind: EdgeKind::Implicit,
                label: p.spec.routing_key.clone(),
            };
            if !edges.contains(&e) {
                edges.push(e);
            }
        }
    }
    for b in &bindings {
        let to = if b.destination_kind == DestinationKind::Queue {
            NodeKey::Queue(b.destination.clone())
        } else {
            NodeKey::Exchange(b.destination.clone())
        };
        let is_headers = broker
            .exchange_by_name(&b.source)
            .is_some_and(|x| x.kind == ExchangeType::Headers);
        let is_fanout = broker
            .exchange_by_name(&b.source)
            .is_some_and(|x| x.kind == ExchangeType::Fanout);
        let label = if is_headers {
            b.arguments
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        } else if is_fanout && b.routing_key.is_empty() {
            String::new()
        } else {
            b.routing_key.to_string()
        };
        // Several bindings between the same two nodes share one edge.
        if let Some(e) = edges.iter_mut().find(|e| {
            e.kind == EdgeKind::Binding
                && e.from == NodeKey::Exchange(b.source.clone())
                && e.to == to
        }) {
            if !label.is_empty() {
                if !e.label.is_empty() {
                    e.label.push_str(", ");
                }
                e.label.push_str(&label);
            }
            continue;
        }
        edges.push(Edge {
            from: NodeKey::Exchange(b.source.clone()),
            to,
            kind: EdgeKind::Binding,
            label,
        });
    }
    for x in broker.exchanges() {
        if let Some(ae) = x.alternate_exchange() {
            if exchanges.iter().any(|e| &**e == ae) && exchanges.contains(&x.name) {
                edges.push(Edge {
                    from: NodeKey::Exchange(x.name.clone()),
                    to: NodeKey::Exchange(Rc::from(ae)),
                    kind: EdgeKind::Alternate,
                    label: "AE".into(),
                });
            }
        }
    }
    for q in broker.queues() {
        if let Some(dlx) = &q.settings.dead_letter_exchange {
            if exchanges.iter().any(|e| e == dlx) {
                edges.push(Edge {
                    from: NodeKey::Queue(q.name.clone()),
                    to: NodeKey::Exchange(dlx.clone()),
                    kind: EdgeKind::DeadLetter,
                    label: "DLX".into(),
                });
            }
        }
    }

    // Workers: by their queue's position.
    let mut workers: Vec<_> = sim.workers().collect();
    workers.sort_by_key(|w| {
        (
            q_order
                .iter()
                .position(|q| **q == *w.queue)
                .unwrap_or(usize::MAX),
            w.id,
        )
    });
    for w in &workers {
        if q_order.iter().any(|q| **q == *w.queue) {
            let live = w.state != WorkerState::Killed
                && w.state != WorkerState::Disconnected
                && !w.cancelled;
            edges.push(Edge {
                from: NodeKey::Queue(w.queue.clone()),
                to: NodeKey::Worker(w.id),
                kind: EdgeKind::Consume,
                label: if live {
                    if w.spec.no_ack {
                        "auto-ack".into()
                    } else {
                        format!("prefetch {}", w.spec.prefetch)
                    }
                } else {
                    String::new()
                },
            });
        }
    }

    // Place the columns.
    let x_prod = MARGIN;
    let x_ex = if producers.is_empty() {
        MARGIN
    } else {
        x_prod + NodeKind::Producer.column_width()
    };
    let x_q = if exchanges.is_empty() {
        x_ex
    } else {
        x_ex + cols as f64 * NodeKind::Exchange.column_width()
    };
    let x_w = x_q + NodeKind::Queue.column_width();
    let mut nodes = Vec::new();
    // One column of nodes of a kind, top to bottom from `x`.
    let mut column = |kind: NodeKind, x: f64, keys: Vec<NodeKey>| {
        let (w, h) = kind.size();
        let mut y = MARGIN;
        for key in keys {
            let (nx, ny) = moved.get(&key).copied().unwrap_or((x, y));
            nodes.push(Node {
                key,
                kind,
                x: nx,
                y: ny,
                w,
                h,
            });
            y += h + ROW_GAP;
        }
    };
    column(
        NodeKind::Producer,
        x_prod,
        producers.iter().map(|p| NodeKey::Producer(p.id)).collect(),
    );
    for c in 0..cols {
        let keys = ex_order
            .iter()
            .filter(|x| depth.get(*x).copied().unwrap_or(0) == c)
            .map(|x| NodeKey::Exchange(x.clone()))
            .collect();
        column(
            NodeKind::Exchange,
            x_ex + c as f64 * NodeKind::Exchange.column_width(),
            keys,
        );
    }
    column(
        NodeKind::Queue,
        x_q,
        q_order.iter().map(|q| NodeKey::Queue(q.clone())).collect(),
    );
    column(
        NodeKind::Worker,
        x_w,
        workers.iter().map(|w| NodeKey::Worker(w.id)).collect(),
    );
    let width = nodes
        .iter()
        .map(|n| n.x + n.w)
        .fold(x_w + NodeKind::Worker.size().0, f64::max)
        + MARGIN;
    let height = nodes.iter().map(|n| n.y + n.h).fold(200.0, f64::max) + MARGIN;
    Diagram {
        nodes,
        edges,
        width,
        height,
    }
}
