//! The diagram's layout: where each node of the topology sits, which line
//! each edge follows, and where its label goes. Pure, so it is tested
//! natively (`tests/diagram_layout.rs`); `ui/components/diagram.rs` only
//! draws what it returns.
//!
//! Two steps. [`topology`] reads the world: the nodes in columns,
//! producers → exchanges (one column per exchange-to-exchange depth, at
//! most [`EXCHANGE_COLS_MAX`]) → queues → workers, each column ordered to
//! follow the one before it so edges cross as little as possible; and the
//! edges (publish, bindings, the default exchange's implicit ones, consume,
//! alternate and dead-letter). [`place`] gives them geometry: nodes stacked
//! in their columns (a position a person dragged overrides the node's),
//! edges routed ([`crate::view::route`]) and their labels placed.
//!
//! What the automatic layout guarantees (the test checks it for every
//! chapter and demo scenario):
//! - no two node boxes overlap: a column holds one kind of node, one under
//!   the other, and columns are side by side;
//! - no edge label overlaps a node box or another label: each gap between
//!   columns starts as wide as the widest label of the edges crossing it
//!   (labels longer than [`LABEL_WIDTH_MAX`] are clipped, the full text
//!   stays in [`Caption::full`]); a label that finds no free spot on its
//!   route widens the gap after its source's column and the layout is
//!   placed again (at most [`WIDEN_ROUNDS`] times);
//! - every route starts on its source's box and ends on its target's, and
//!   goes around the other nodes (see [`crate::view::route`]);
//! - the same world and the same dragged positions give the same diagram.
//!
//! In a narrow, tall box the diagram runs [`Orientation::Down`]: the
//! columns become rows (producers on top, workers at the bottom), a row's
//! nodes side by side, edges going down; a row wider than a phone wraps
//! into several, so five queues do not shrink the whole drawing to fit
//! them side by side. [`place`] lays it out as the
//! `Across` diagram of nodes with width and height swapped, with labels
//! standing on end, and flips the result in the diagonal
//! ([`Orientation::flip`]): the guarantees above hold for both, and the
//! test checks both.
//!
//! With dragged nodes the layout does its best: nodes may overlap where a
//! person put them, and a label with no free spot on its route is stacked
//! below the drawing.

use crate::describe::i18n::{fill, Text};
use crate::engine::exchange::DestinationKind;
use crate::engine::exchange::ExchangeType;
use crate::sim::actors::WorkerState;
use crate::sim::world::World;
use crate::sim::ActorId;
pub use crate::view::geometry::Orientation;
use crate::view::geometry::{clip_to_width, fit_view_box, text_width, Point, Rect};
use crate::view::route::{place_label, Route, Router, LABEL_PAD};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// A node of the diagram: its identity across steps, and the key of the
/// positions a person dragged.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKey {
    Producer(ActorId),
    Exchange(Rc<str>),
    Queue(Rc<str>),
    Worker(ActorId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
    /// Where edges leave the node: the middle of its right side (Across)
    /// or of its bottom (Down).
    pub fn exit(&self, flow: Orientation) -> Point {
        match flow {
            Orientation::Across => (self.x + self.w, self.y + self.h / 2.0),
            Orientation::Down => (self.x + self.w / 2.0, self.y + self.h),
        }
    }
    /// Where edges enter the node: the middle of its left side (Across) or
    /// of its top (Down).
    pub fn entry(&self, flow: Orientation) -> Point {
        match flow {
            Orientation::Across => (self.x, self.y + self.h / 2.0),
            Orientation::Down => (self.x + self.w / 2.0, self.y),
        }
    }
    pub fn center(&self) -> Point {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    /// The box of an exchange's binding handle (the "+" a person drags
    /// onto a queue), centred where its edges leave; the default exchange
    /// has none.
    pub fn port(&self, flow: Orientation) -> Option<Rect> {
        match &self.key {
            NodeKey::Exchange(name) if !name.is_empty() => Some(Rect::centered(
                self.exit(flow),
                2.0 * PORT_RADIUS,
                2.0 * PORT_RADIUS,
            )),
            _ => None,
        }
    }

    pub fn rect(&self) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            w: self.w,
            h: self.h,
        }
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

/// An edge of the topology, before geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeSpec {
    pub from: NodeKey,
    pub to: NodeKey,
    pub kind: EdgeKind,
    /// What the edge carries: a routing or binding key, a headers match, a
    /// consumer's prefetch; empty for none. The text alternative words it.
    pub label: String,
}

/// An edge as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: NodeKey,
    pub to: NodeKey,
    pub kind: EdgeKind,
    /// As [`EdgeSpec::label`].
    pub label: String,
    pub route: Route,
    /// The label drawn on the route, if there is one to draw.
    pub caption: Option<Caption>,
}

/// An edge's label as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    /// The whole text, for hovering and focus (an SVG `<title>`).
    pub full: String,
    /// What fits in the box: `full`, or its start and "…".
    pub shown: String,
    /// The label's box, centred on the route.
    pub rect: Rect,
}

/// A column of nodes of one kind, top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub kind: NodeKind,
    pub keys: Vec<NodeKey>,
}

/// What the diagram shows, before geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    /// Left to right; empty columns take no room.
    pub columns: Vec<Column>,
    pub edges: Vec<EdgeSpec>,
    /// The default exchange's implicit edges read "key = …": the template
    /// in the page's language (`{key}` is the key).
    pub implicit_template: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Zoom to fit: the SVG view box showing every node, route and label
    /// with a margin, from the origin (so dragging a node does not shift
    /// the others on screen).
    pub view_box: Rect,
    /// Which way the layers run.
    pub flow: Orientation,
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

    /// The least room between a column of these nodes and the next one:
    /// room for a lane or two of routed edges, and for short labels.
    const fn gap_min(self) -> f64 {
        match self {
            NodeKind::Producer => 56.0,
            NodeKind::Exchange => 80.0,
            NodeKind::Queue => 60.0,
            NodeKind::Worker => 0.0,
        }
    }
}

/// The radius of an exchange's binding handle (drawn by the diagram).
pub const PORT_RADIUS: f64 = 8.0;
const ROW_GAP: f64 = 22.0;
/// Down, the widest a row of nodes is drawn: a 390-pixel phone's diagram
/// box (370) at the readable scale (0.8, [`crate::view::viewport`]) less
/// the margins. Wider rows wrap.
const DOWN_ROW_WIDTH_MAX: f64 = 420.0;
/// Down, the room between the rows a wrapped row became: lanes for the
/// edges that pass between them to the lower row's nodes.
const WRAP_GAP: f64 = 48.0;
const MARGIN: f64 = 20.0;
/// The least height of the drawing, so a small topology is not blown up.
const HEIGHT_MIN: f64 = 200.0;
/// Exchange-to-exchange chains deeper than this share the last column.
pub const EXCHANGE_COLS_MAX: usize = 3;
/// The widest an edge label is drawn; longer ones are clipped.
pub const LABEL_WIDTH_MAX: f64 = 150.0;
/// An edge label's box: its text, padding on each side, and its height.
const LABEL_PADDING: f64 = 5.0;
pub const LABEL_HEIGHT: f64 = 18.0;
/// Room kept in a gap beside its widest label, so labels can slide along
/// their curves past each other.
const GAP_SLACK: f64 = 24.0;
/// How many times a gap is widened for a label with no free spot, and by
/// how much.
pub const WIDEN_ROUNDS: usize = 8;
const WIDEN_STEP: f64 = 40.0;

/// The diagram of `world` running `flow`, with the nodes a person dragged
/// where they put them.
pub fn layout(
    world: &World,
    moved: &BTreeMap<NodeKey, Point>,
    t: &Text,
    flow: Orientation,
) -> Diagram {
    place(&topology(world, t), moved, flow)
}

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

/// What the world shows as a diagram, before any geometry: the nodes in
/// their columns and order, and the edges between them.
pub fn topology(world: &World, t: &Text) -> Topology {
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
            edges.push(EdgeSpec {
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
            let e = EdgeSpec {
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
        edges.push(EdgeSpec {
            from: NodeKey::Exchange(b.source.clone()),
            to,
            kind: EdgeKind::Binding,
            label,
        });
    }
    for x in broker.exchanges() {
        if let Some(ae) = x.alternate_exchange() {
            if exchanges.iter().any(|e| &**e == ae) && exchanges.contains(&x.name) {
                edges.push(EdgeSpec {
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
                edges.push(EdgeSpec {
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
            edges.push(EdgeSpec {
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

    let mut columns = vec![Column {
        kind: NodeKind::Producer,
        keys: producers.iter().map(|p| NodeKey::Producer(p.id)).collect(),
    }];
    columns.extend((0..cols).map(|c| {
        Column {
            kind: NodeKind::Exchange,
            keys: ex_order
                .iter()
                .filter(|x| depth.get(*x).copied().unwrap_or(0) == c)
                .map(|x| NodeKey::Exchange(x.clone()))
                .collect(),
        }
    }));
    columns.push(Column {
        kind: NodeKind::Queue,
        keys: q_order.iter().map(|q| NodeKey::Queue(q.clone())).collect(),
    });
    columns.push(Column {
        kind: NodeKind::Worker,
        keys: workers.iter().map(|w| NodeKey::Worker(w.id)).collect(),
    });
    Topology {
        columns,
        edges,
        implicit_template: t.implicit_binding.to_string(),
    }
}

/// The diagram of a topology: nodes stacked in their columns (or where a
/// person dragged them), edges routed, labels placed; gaps widened where
/// labels did not fit (see the module doc). Worked out Across; a `Down`
/// diagram is laid out in swapped axes and flipped at the end.
pub fn place(topology: &Topology, moved: &BTreeMap<NodeKey, Point>, flow: Orientation) -> Diagram {
    let moved: BTreeMap<NodeKey, Point> = moved
        .iter()
        .map(|(k, at)| (k.clone(), flow.flip(*at)))
        .collect();
    let column_of: BTreeMap<&NodeKey, usize> = topology
        .columns
        .iter()
        .enumerate()
        .flat_map(|(c, column)| column.keys.iter().map(move |k| (k, c)))
        .collect();
    let texts: Vec<Option<LabelText>> = topology
        .edges
        .iter()
        .map(|e| label_text(topology, e, flow))
        .collect();
    let mut gaps = initial_gaps(topology, &column_of, &texts);
    let mut round = 0;
    loop {
        let nodes = stack(topology, &moved, &gaps, flow);
        let (edges, crowded) = connect(topology, &nodes, &texts);
        if crowded.is_empty() || round == WIDEN_ROUNDS {
            return finish(nodes, edges, flow);
        }
        for key in &crowded {
            if let Some(&c) = column_of.get(key) {
                gaps[c] += WIDEN_STEP;
            }
        }
        round += 1;
    }
}

/// An edge label's text, and its box's size in the axes it is laid out in
/// (standing on end for a `Down` diagram).
struct LabelText {
    full: String,
    shown: String,
    size: (f64, f64),
}

fn label_text(topology: &Topology, e: &EdgeSpec, flow: Orientation) -> Option<LabelText> {
    if e.label.is_empty() {
        return None;
    }
    let full = match e.kind {
        EdgeKind::Implicit => fill(&topology.implicit_template, &[("key", &e.label)]),
        _ => e.label.clone(),
    };
    let shown = clip_to_width(&full, LABEL_WIDTH_MAX - 2.0 * LABEL_PADDING);
    let width = text_width(&shown) + 2.0 * LABEL_PADDING;
    Some(LabelText {
        full,
        shown,
        size: flow.flip((width, LABEL_HEIGHT)),
    })
}

/// The room after each column: at least its kind's, and as wide as the
/// widest label of the edges from it to the next column drawn, with slack.
fn initial_gaps(
    topology: &Topology,
    column_of: &BTreeMap<&NodeKey, usize>,
    texts: &[Option<LabelText>],
) -> Vec<f64> {
    let columns = &topology.columns;
    (0..columns.len())
        .map(|c| {
            let next = (c + 1..columns.len()).find(|&n| !columns[n].keys.is_empty());
            let widest = topology
                .edges
                .iter()
                .zip(texts)
                .filter(|(e, _)| {
                    column_of.get(&e.from) == Some(&c) && column_of.get(&e.to) == next.as_ref()
                })
                .filter_map(|(_, text)| text.as_ref().map(|t| t.size.0))
                .fold(0.0, f64::max);
            columns[c].kind.gap_min().max(widest + GAP_SLACK)
        })
        .collect()
}

/// The nodes, each column top to bottom, left to right; a dragged node
/// where it was put (its slot in the column stays taken, so the others do
/// not move when one is dragged). Down, a row too wide for a phone wraps
/// into several (see [`wrapped`]), and each row is centred on the widest
/// one: a lone producer above two workers sits over them, not at the left.
fn stack(
    topology: &Topology,
    moved: &BTreeMap<NodeKey, Point>,
    gaps: &[f64],
    flow: Orientation,
) -> Vec<Node> {
    let length = |kind: NodeKind, keys: &[NodeKey]| {
        let h = flow.flip(kind.size()).1;
        keys.len() as f64 * (h + ROW_GAP)
    };
    let longest = topology
        .columns
        .iter()
        .flat_map(|column| {
            wrapped(column, flow)
                .into_iter()
                .map(move |keys| length(column.kind, keys))
        })
        .fold(0.0, f64::max);
    let mut nodes = Vec::new();
    let mut x = MARGIN;
    for (column, gap) in topology.columns.iter().zip(gaps) {
        if column.keys.is_empty() {
            continue;
        }
        let (w, h) = flow.flip(column.kind.size());
        let parts = wrapped(column, flow);
        for (i, keys) in parts.iter().enumerate() {
            let mut y = match flow {
                Orientation::Across => MARGIN,
                Orientation::Down => MARGIN + (longest - length(column.kind, keys)) / 2.0,
            };
            for key in *keys {
                let (nx, ny) = moved.get(key).copied().unwrap_or((x, y));
                nodes.push(Node {
                    key: key.clone(),
                    kind: column.kind,
                    x: nx,
                    y: ny,
                    w,
                    h,
                });
                y += h + ROW_GAP;
            }
            x += w + if i + 1 < parts.len() { WRAP_GAP } else { *gap };
        }
    }
    nodes
}

/// A column's nodes in the rows they are drawn in. Across, one. Down, a
/// row wider than [`DOWN_ROW_WIDTH_MAX`] wraps into as few rows as fit it,
/// the nodes shared out evenly (five queues: three above two), in order,
/// so edges still cross as little as [`topology`] arranged.
fn wrapped(column: &Column, flow: Orientation) -> Vec<&[NodeKey]> {
    let keys = column.keys.as_slice();
    if flow == Orientation::Across || keys.is_empty() {
        return vec![keys];
    }
    let across = flow.flip(column.kind.size()).1 + ROW_GAP;
    let fit = (((DOWN_ROW_WIDTH_MAX + ROW_GAP) / across).floor() as usize).max(1);
    let rows = keys.len().div_ceil(fit);
    keys.chunks(keys.len().div_ceil(rows)).collect()
}

/// The edges routed and labelled among `nodes`, and the sources of the
/// edges whose labels found no free spot on their routes.
fn connect(
    topology: &Topology,
    nodes: &[Node],
    texts: &[Option<LabelText>],
) -> (Vec<Edge>, BTreeSet<NodeKey>) {
    let rects: Vec<Rect> = nodes.iter().map(Node::rect).collect();
    // Labels also keep off the exchanges' binding handles, which stick out
    // of their boxes' right sides.
    let mut label_obstacles = rects.clone();
    label_obstacles.extend(nodes.iter().filter_map(|n| n.port(Orientation::Across)));
    let index: BTreeMap<&NodeKey, usize> =
        nodes.iter().enumerate().map(|(i, n)| (&n.key, i)).collect();
    let mut router = Router::new(&rects);
    let mut labels: Vec<Rect> = Vec::new();
    let mut crowded = BTreeSet::new();
    let mut edges = Vec::new();
    for (spec, text) in topology.edges.iter().zip(texts) {
        let (Some(&a), Some(&b)) = (index.get(&spec.from), index.get(&spec.to)) else {
            continue;
        };
        let route = router.route(a, b);
        let caption = text.as_ref().map(|text| {
            let (w, h) = text.size;
            let rect = place_label(&route, w, h, &label_obstacles, &labels).unwrap_or_else(|| {
                crowded.insert(spec.from.clone());
                below_everything(&route, text.size, &label_obstacles, &labels)
            });
            labels.push(rect);
            Caption {
                full: text.full.clone(),
                shown: text.shown.clone(),
                rect,
            }
        });
        edges.push(Edge {
            from: spec.from.clone(),
            to: spec.to.clone(),
            kind: spec.kind,
            label: spec.label.clone(),
            route,
            caption,
        });
    }
    (edges, crowded)
}

/// The last resort for a label: under the route's middle, below every
/// node and label.
fn below_everything(route: &Route, size: (f64, f64), nodes: &[Rect], labels: &[Rect]) -> Rect {
    let (width, height) = size;
    let samples = route.samples(LABEL_HEIGHT);
    let middle = samples[samples.len() / 2];
    let bottom = nodes
        .iter()
        .chain(labels)
        .map(Rect::bottom)
        .fold(0.0, f64::max);
    Rect {
        x: middle.0 - width / 2.0,
        y: bottom + 2.0 * LABEL_PAD,
        w: width,
        h: height,
    }
}

/// The diagram of nodes and edges laid out Across, flipped when it runs
/// `Down`, with its view box.
fn finish(mut nodes: Vec<Node>, mut edges: Vec<Edge>, flow: Orientation) -> Diagram {
    if flow == Orientation::Down {
        for n in &mut nodes {
            let r = flow.flip_rect(n.rect());
            (n.x, n.y, n.w, n.h) = (r.x, r.y, r.w, r.h);
        }
        for e in &mut edges {
            e.route = e.route.flipped();
            if let Some(c) = &mut e.caption {
                c.rect = flow.flip_rect(c.rect);
            }
        }
    }
    let mut drawn: Vec<Rect> = nodes.iter().map(Node::rect).collect();
    for e in &edges {
        drawn.extend(e.caption.as_ref().map(|c| c.rect));
        let samples = e.route.samples(LABEL_HEIGHT);
        drawn.extend(samples.iter().map(|p| Rect {
            x: p.0,
            y: p.1,
            w: 0.0,
            h: 0.0,
        }));
    }
    let origin = Rect::default();
    let mut view_box = fit_view_box(&drawn, MARGIN).map_or(origin, |fit| fit.union(&origin));
    view_box.h = view_box.h.max(HEIGHT_MIN);
    Diagram {
        nodes,
        edges,
        view_box,
        flow,
    }
}
