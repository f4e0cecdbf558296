//! The diagram's automatic layout (issue 16, "a readable diagram"), for
//! every state of every chapter (its start, after each task, solved), every
//! demo scenario in `www/scenarios/` (built, and after its script), and a
//! topology with every kind of edge and long names, in both languages and
//! both orientations (columns across, and rows down for a phone):
//!
//! - no two node boxes overlap;
//! - no edge label overlaps another label or a node box, and each sits on
//!   its edge's route;
//! - every route starts where its source's edges leave it (the right side
//!   across, the bottom down) and ends where its target's enter, and goes
//!   around every other node;
//! - everything drawn is inside the view box (zoom to fit);
//! - the same world gives the same diagram;
//! - a position a person dragged overrides the layout, and survives the
//!   world changing under it.
//!
//! - down, on a phone's box, every chapter's solved diagram is drawn at a
//!   readable scale (rows too wide for it wrap).
//!
//! The checks are tried on broken diagrams too, so they can fail.

#[path = "support/shipped_scenarios.rs"]
mod shipped_scenarios;

use std::collections::BTreeMap;
use warren::describe::i18n::Lang;
use warren::document::Document;
use warren::sim::world::World;
use warren::tutorial::catalog;
use warren::tutorial::progress::world_at;
use warren::view::geometry::Rect;
use warren::view::layout::{layout, Diagram, Orientation};
use warren::view::route::{route_is_clear, Route};
use warren::view::viewport::{Size, Viewport};

const BOTH: [Orientation; 2] = [Orientation::Across, Orientation::Down];

/// A topology with every kind of edge: exchange-to-exchange bindings, an
/// alternate exchange in the same column, a dead-letter exchange behind
/// its queue, a binding skipping an exchange column, a headers binding,
/// the default exchange, and names too long for their boxes.
const EVERY_EDGE: &str = r#"{
 "warren": 1,
 "exchanges": [
  {"name": "orders", "type": "topic", "arguments": {"alternate-exchange": "unrouted"}},
  {"name": "unrouted", "type": "fanout"},
  {"name": "orders.eu-west.priority-fulfilment", "type": "direct"},
  {"name": "dlx", "type": "fanout"},
  {"name": "by-header", "type": "headers"}
 ],
 "queues": [
  {"name": "eu-orders-awaiting-payment-confirmation", "arguments": {"x-dead-letter-exchange": "dlx"}},
  {"name": "unrouted-orders"},
  {"name": "dead-letters"},
  {"name": "订单队列"}
 ],
 "bindings": [
  {"source": "orders", "destination": "orders.eu-west.priority-fulfilment", "destination_type": "exchange", "routing_key": "order.eu.#"},
  {"source": "orders.eu-west.priority-fulfilment", "destination": "eu-orders-awaiting-payment-confirmation", "routing_key": "order.eu.priority.payment-pending"},
  {"source": "orders", "destination": "订单队列", "routing_key": "订单.*.新建"},
  {"source": "unrouted", "destination": "unrouted-orders"},
  {"source": "dlx", "destination": "dead-letters"},
  {"source": "by-header", "destination": "dead-letters", "arguments": {"x-match": "any", "region": "eu"}}
 ],
 "actors": [
  {"kind": "producer", "name": "checkout-service-with-a-long-name", "exchange": "orders", "routing_key": "order.eu.priority.payment-pending", "body": "x"},
  {"kind": "producer", "name": "janitor", "routing_key": "dead-letters", "body": "x"},
  {"kind": "producer", "name": "auditor", "exchange": "by-header", "body": "x"},
  {"kind": "worker", "name": "payments", "queue": "eu-orders-awaiting-payment-confirmation"},
  {"kind": "worker", "name": "graveyard", "queue": "dead-letters"}
 ]
}"#;

fn built(doc: &Document) -> World {
    World::with_simulation(doc.build().unwrap().0)
}

/// A scenario after its script: each step publishes as the page does.
fn played(doc: &Document) -> World {
    let mut world = built(doc);
    let sim = &mut world.sim;
    for action in &doc.script {
        let producer = sim
            .producers()
            .find(|p| p.spec.name == action.actor)
            .map(|p| p.id);
        if let Some(id) = producer {
            sim.publish_n(id, action.count.get()).unwrap();
            sim.run_until_idle(10_000);
        }
    }
    world
}

/// Every world the test lays out, named.
fn worlds() -> Vec<(String, World)> {
    let mut out = Vec::new();
    for chapter in catalog::chapters() {
        let chapter = chapter.unwrap_or_else(|(file, e)| panic!("{file}: {e}"));
        for done in 0..=chapter.tasks.len() {
            let world = world_at(&chapter, done).unwrap();
            out.push((format!("{} after {done} tasks", chapter.id), world));
        }
    }
    for name in shipped_scenarios::names() {
        let doc = shipped_scenarios::load(&name);
        out.push((name.clone(), built(&doc)));
        out.push((format!("{name} played"), played(&doc)));
    }
    let every = Document::parse(EVERY_EDGE).unwrap();
    out.push(("every edge".to_string(), built(&every)));
    out
}

/// What is wrong with a diagram, one line per problem.
fn problems(d: &Diagram) -> Vec<String> {
    let mut out = Vec::new();
    let rects: Vec<Rect> = d.nodes.iter().map(|n| n.rect()).collect();
    for (i, a) in d.nodes.iter().enumerate() {
        for b in &d.nodes[i + 1..] {
            if a.rect().overlaps(&b.rect()) {
                out.push(format!("nodes overlap: {:?} and {:?}", a.key, b.key));
            }
        }
    }
    let captions: Vec<_> = d
        .edges
        .iter()
        .filter_map(|e| e.caption.as_ref().map(|c| (e, c)))
        .collect();
    for (i, (e, c)) in captions.iter().enumerate() {
        for (_, other) in &captions[i + 1..] {
            if c.rect.overlaps(&other.rect) {
                out.push(format!("labels overlap: {:?} and {:?}", c.full, other.full));
            }
        }
        for n in &d.nodes {
            if c.rect.overlaps(&n.rect()) {
                out.push(format!("label {:?} overlaps node {:?}", c.full, n.key));
            }
        }
        let centre = c.rect.center();
        let near = e
            .route
            .samples(1.0)
            .iter()
            .map(|p| (p.0 - centre.0).hypot(p.1 - centre.1))
            .fold(f64::INFINITY, f64::min);
        if near > 1.0 {
            out.push(format!("label {:?} is {near:.1} off its edge", c.full));
        }
    }
    for e in &d.edges {
        let from = d.nodes.iter().position(|n| n.key == e.from);
        let to = d.nodes.iter().position(|n| n.key == e.to);
        let (Some(from), Some(to)) = (from, to) else {
            out.push(format!("edge {:?} → {:?} has no node", e.from, e.to));
            continue;
        };
        let near = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1) < 0.01;
        if !near(e.route.start(), d.nodes[from].exit(d.flow)) {
            out.push(format!(
                "edge {:?} → {:?} starts off its source",
                e.from, e.to
            ));
        }
        if !near(e.route.end(), d.nodes[to].entry(d.flow)) {
            out.push(format!(
                "edge {:?} → {:?} ends off its target",
                e.from, e.to
            ));
        }
        if !route_is_clear(&e.route, &rects, (from, to)) {
            out.push(format!("edge {:?} → {:?} crosses a node", e.from, e.to));
        }
    }
    let vb = d.view_box.inflate(0.01);
    let inside = |r: &Rect| {
        r.x >= vb.x && r.y >= vb.y && r.right() <= vb.right() && r.bottom() <= vb.bottom()
    };
    for n in &d.nodes {
        if !inside(&n.rect()) {
            out.push(format!("node {:?} is outside the view box", n.key));
        }
    }
    for (_, c) in &captions {
        if !inside(&c.rect) {
            out.push(format!("label {:?} is outside the view box", c.full));
        }
    }
    out
}

#[test]
fn every_chapter_and_scenario_lays_out_readably_in_both_languages() {
    let mut failures = Vec::new();
    let mut laid_out = 0;
    for (name, world) in worlds() {
        for lang in [Lang::En, Lang::Zh] {
            for flow in BOTH {
                let d = layout(&world, &BTreeMap::new(), lang.text(), flow);
                for p in problems(&d) {
                    failures.push(format!("{name} ({}, {flow:?}): {p}", lang.code()));
                }
                laid_out += 1;
            }
        }
    }
    assert!(laid_out > 80, "{laid_out} diagrams");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_topology_with_every_edge_routes_back_edges_around_nodes() {
    let world = built(&Document::parse(EVERY_EDGE).unwrap());
    for flow in BOTH {
        every_edge_routed_around(&layout(&world, &BTreeMap::new(), Lang::En.text(), flow));
    }
}

fn every_edge_routed_around(d: &Diagram) {
    let routed: Vec<String> = d
        .edges
        .iter()
        .filter(|e| matches!(e.route, Route::Lines(_)))
        .map(|e| format!("{:?} {:?} → {:?}", e.kind, e.from, e.to))
        .collect();
    // The alternate exchange sits in its exchange's column and the
    // dead-letter exchange left of its queue: no curve reaches them.
    // Down, the exchanges' row is too wide for a phone and wraps, and the
    // alternate exchange lands in the row below: a curve reaches it.
    let wanted: &[&str] = match d.flow {
        Orientation::Across => &["Alternate", "DeadLetter"],
        Orientation::Down => &["DeadLetter"],
    };
    for wanted in wanted {
        assert!(
            routed.iter().any(|r| r.starts_with(wanted)),
            "{wanted} not routed: {routed:#?}"
        );
    }
    let clipped = d
        .edges
        .iter()
        .filter_map(|e| e.caption.as_ref())
        .find(|c| c.full == "order.eu.priority.payment-pending")
        .expect("the long binding key has a label");
    assert!(clipped.shown.ends_with('…'), "{clipped:?}");
    assert!(problems(d).is_empty(), "{:#?}", problems(d));
}

#[test]
fn the_same_world_gives_the_same_diagram() {
    for ((name, a), (_, b)) in worlds().iter().zip(worlds().iter()) {
        for flow in BOTH {
            let first = layout(a, &BTreeMap::new(), Lang::En.text(), flow);
            let again = layout(a, &BTreeMap::new(), Lang::En.text(), flow);
            let rebuilt = layout(b, &BTreeMap::new(), Lang::En.text(), flow);
            assert_eq!(first, again, "{name} {flow:?}");
            assert_eq!(first, rebuilt, "{name} {flow:?}");
        }
    }
}

#[test]
fn down_the_layers_are_rows_and_a_phone_reads_chapter_two() {
    let chapter = catalog::chapters()
        .into_iter()
        .nth(1)
        .expect("a second chapter")
        .unwrap();
    let solved = world_at(&chapter, chapter.tasks.len()).unwrap();
    let across = layout(
        &solved,
        &BTreeMap::new(),
        Lang::En.text(),
        Orientation::Across,
    );
    let down = layout(
        &solved,
        &BTreeMap::new(),
        Lang::En.text(),
        Orientation::Down,
    );
    // Producers above exchanges above queues above workers.
    let top_of = |kind| {
        down.nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.y)
            .fold(f64::NAN, f64::min)
    };
    use warren::view::layout::NodeKind::*;
    let tops = [
        top_of(Producer),
        top_of(Exchange),
        top_of(Queue),
        top_of(Worker),
    ];
    assert!(tops.windows(2).all(|w| w[0] < w[1]), "{tops:?}");
    // On a phone, down, the names (15 px) stay at 12 px or more, where
    // across they would not.
    let phone = PHONE;
    let scale = |d: &Diagram| Viewport::fit_below(d.view_box, phone, PHONE_BUTTONS).scale;
    assert!(
        scale(&down) >= 0.8,
        "down: {} of {:?}",
        scale(&down),
        down.view_box
    );
    // And all of it: the whole height fits under the buttons.
    let tall = down.view_box.h * scale(&down);
    assert!(tall <= phone.h - 48.0 + 0.01, "down: {tall} px tall");
    assert!(scale(&across) < 0.8, "across: {}", scale(&across));
}

/// The box the diagram has on a 390 × 844 phone, less the floating
/// buttons' band.
const PHONE: Size = Size { w: 370.0, h: 500.0 };
const PHONE_BUTTONS: f64 = 48.0;

#[test]
fn down_every_chapter_solved_fits_a_phone_at_a_readable_scale() {
    // A row too wide for the phone wraps into several: without that,
    // 03-acknowledgements drew at 0.39 (938 px wide), 11-headers at 0.62
    // and 14-streams at 0.65.
    let mut small = Vec::new();
    for chapter in catalog::chapters() {
        let chapter = chapter.unwrap_or_else(|(file, e)| panic!("{file}: {e}"));
        let solved = world_at(&chapter, chapter.tasks.len()).unwrap();
        for lang in [Lang::En, Lang::Zh] {
            let down = layout(&solved, &BTreeMap::new(), lang.text(), Orientation::Down);
            let scale = Viewport::fit_below(down.view_box, PHONE, PHONE_BUTTONS).scale;
            if scale < 0.8 {
                small.push(format!(
                    "{} ({}): {scale:.2} of {:?}",
                    chapter.id,
                    lang.code(),
                    down.view_box
                ));
            }
        }
    }
    assert!(small.is_empty(), "\n{}", small.join("\n"));
}

#[test]
fn a_dragged_node_stays_where_it_was_put_as_the_world_changes() {
    for chapter in catalog::chapters() {
        let chapter = chapter.unwrap();
        let start = world_at(&chapter, 0).unwrap();
        for flow in BOTH {
            let auto = layout(&start, &BTreeMap::new(), Lang::En.text(), flow);
            // Across the first node (a producer); down the last: a gap is
            // widened for a label with no room, and with a producer dragged
            // off its row the label that widened the gap below it in one
            // chapter has room, so the rows below move up (see `layout`).
            let picked = match flow {
                Orientation::Across => auto.nodes.first(),
                Orientation::Down => auto.nodes.last(),
            };
            let Some(first) = picked else {
                continue;
            };
            let put = match flow {
                Orientation::Across => (first.x + 333.0, first.y + 222.0),
                Orientation::Down => (auto.view_box.right() + 40.0, first.y + 30.0),
            };
            let moved = BTreeMap::from([(first.key.clone(), put)]);
            for done in 0..=chapter.tasks.len() {
                let world = world_at(&chapter, done).unwrap();
                let d = layout(&world, &moved, Lang::En.text(), flow);
                if let Some(n) = d.node(&first.key) {
                    assert_eq!(
                        (n.x, n.y),
                        put,
                        "{} after {done} tasks, {flow:?}",
                        chapter.id
                    );
                }
            }
            // The others keep their places in the automatic layout.
            let d = layout(&start, &moved, Lang::En.text(), flow);
            for n in auto.nodes.iter().filter(|n| n.key != first.key) {
                let now = d.node(&n.key).unwrap();
                assert_eq!(
                    (now.x, now.y),
                    (n.x, n.y),
                    "{} {flow:?}: {:?}",
                    chapter.id,
                    n.key
                );
            }
        }
    }
}

/// Asserts that the checks find a problem in `d` containing `what`.
fn assert_finds(d: &Diagram, what: &str) {
    let found = problems(d);
    assert!(
        found.iter().any(|p| p.contains(what)),
        "no {what:?} in {found:#?}"
    );
}

#[test]
fn the_checks_catch_a_broken_layout() {
    let world = built(&Document::parse(EVERY_EDGE).unwrap());
    let good = layout(
        &world,
        &BTreeMap::new(),
        Lang::En.text(),
        Orientation::Across,
    );
    assert!(problems(&good).is_empty());

    // A node dragged onto another.
    let (a, b) = (&good.nodes[0], &good.nodes[1]);
    let onto = BTreeMap::from([(b.key.clone(), (a.x + 10.0, a.y + 10.0))]);
    let stacked = layout(&world, &onto, Lang::En.text(), Orientation::Across);
    assert_finds(&stacked, "nodes overlap");

    // Labels moved onto each other, and onto a node.
    let mut piled = good.clone();
    let first_label = piled
        .edges
        .iter()
        .find_map(|e| e.caption.as_ref().map(|c| c.rect))
        .unwrap();
    for e in &mut piled.edges {
        if let Some(c) = &mut e.caption {
            c.rect = first_label;
        }
    }
    assert_finds(&piled, "labels overlap");
    assert_finds(&piled, "off its edge");
    let mut on_node = good.clone();
    let node = on_node.nodes[2].rect();
    if let Some(c) = on_node.edges.iter_mut().find_map(|e| e.caption.as_mut()) {
        c.rect.x = node.x;
        c.rect.y = node.y;
    }
    assert_finds(&on_node, "overlaps node");

    // An edge drawn straight through the nodes between, and one that
    // starts off its node.
    let mut straight = good.clone();
    for e in &mut straight.edges {
        e.route = Route::Lines(vec![e.route.start(), e.route.end()]);
    }
    assert_finds(&straight, "crosses a node");
    let mut loose = good.clone();
    let start = loose.edges[0].route.start();
    loose.edges[0].route = Route::Lines(vec![(start.0 + 5.0, start.1), loose.edges[0].route.end()]);
    assert_finds(&loose, "starts off its source");
    let mut through_itself = good.clone();
    let edge = &mut through_itself.edges[0];
    let source = good.node(&edge.from).unwrap().center();
    edge.route = Route::Lines(vec![edge.route.start(), source, edge.route.end()]);
    assert_finds(&through_itself, "crosses a node");

    // A view box that leaves a node out.
    let mut cropped = good.clone();
    cropped.view_box.w = 100.0;
    assert_finds(&cropped, "outside the view box");
}
