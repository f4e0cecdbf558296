//! Where a person put the diagram's nodes, by name, so it outlives the
//! simulation's ids, stepping and a reload.
//!
//! The layout ([`crate::view::layout`]) takes dragged positions by
//! [`NodeKey`]; a producer's and a worker's key holds an [`ActorId`], which
//! is only this run's number for it. An [`Arrangement`] keeps each position
//! under the node's kind and name instead (the second of two workers with
//! one name is `nth` 1), turns them into keys for the world being drawn
//! ([`Arrangement::positions`]), and reads and writes itself as a small JSON
//! text (`ui/` keeps it in `localStorage`). Names the world does not have
//! (a node removed, a queue a later step declares) are kept and simply not
//! drawn; a saved text that is not what it should be — another version,
//! a hand edit, NaN, a million entries — loses the entries that are wrong,
//! never the page.
//!
//! An arrangement belongs to the orientation it was made in
//! ([`Orientation`]): positions dragged in a diagram running down a phone
//! mean nothing in one running across a laptop, so they are only applied
//! in their own, and a drag in the other orientation starts a new
//! arrangement (a window resized past the line does not scramble it).

use crate::sim::world::World;
use crate::sim::ActorId;
use crate::view::geometry::{Orientation, Point};
use crate::view::layout::{NodeKey, NodeKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The most positions kept: far more than a diagram has nodes.
pub const POSITIONS_MAX: usize = 2000;
/// The farthest a node is kept from the origin, each way (the layout keeps
/// nodes at 0 or more).
pub const COORDINATE_MAX: f64 = 100_000.0;
/// The longest name kept, in bytes (AMQP names are at most 255).
const NAME_MAX: usize = 1024;

/// A node, by what a person calls it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeName {
    pub kind: NodeKind,
    pub name: Rc<str>,
    /// Among producers (or workers) with this name, which one, in the order
    /// they were added; 0 for exchanges and queues, whose names are unique.
    pub nth: usize,
}

/// Positions by node name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Arrangement {
    placed: BTreeMap<NodeName, Point>,
    /// The orientation the positions were dragged in.
    flow: Orientation,
}

/// One saved position, as written in the JSON text.
#[derive(Serialize, Deserialize)]
struct SavedNode {
    kind: String,
    name: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    nth: usize,
    x: f64,
    y: f64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The saved text: a version, so a later format can tell this one apart.
#[derive(Serialize, Deserialize)]
struct SavedArrangement {
    version: u32,
    /// "down" for a diagram running down; absent (or anything else): across.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    orientation: Option<String>,
    nodes: Vec<serde_json::Value>,
}

const VERSION: u32 = 1;

fn kind_word(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Producer => "producer",
        NodeKind::Exchange => "exchange",
        NodeKind::Queue => "queue",
        NodeKind::Worker => "worker",
    }
}

fn kind_of_word(word: &str) -> Option<NodeKind> {
    Some(match word {
        "producer" => NodeKind::Producer,
        "exchange" => NodeKind::Exchange,
        "queue" => NodeKind::Queue,
        "worker" => NodeKind::Worker,
        _ => return None,
    })
}

/// A position the layout can use: finite, and within 0..=[`COORDINATE_MAX`].
fn kept(at: Point) -> Option<Point> {
    let fit = |v: f64| v.is_finite().then(|| v.clamp(0.0, COORDINATE_MAX));
    Some((fit(at.0)?, fit(at.1)?))
}

/// The actors of one kind, in the order they were added, as (id, name).
fn actors(world: &World, kind: NodeKind) -> Vec<(ActorId, &str)> {
    let sim = &world.sim;
    match kind {
        NodeKind::Producer => sim.producers().map(|p| (p.id, &*p.spec.name)).collect(),
        NodeKind::Worker => sim.workers().map(|w| (w.id, &*w.spec.name)).collect(),
        NodeKind::Exchange | NodeKind::Queue => Vec::new(),
    }
}

/// The name of the node `key` in `world`; `None` for an actor it does not have.
pub fn name_of(world: &World, key: &NodeKey) -> Option<NodeName> {
    let (kind, id) = match key {
        NodeKey::Exchange(x) => {
            return Some(NodeName {
                kind: NodeKind::Exchange,
                name: x.clone(),
                nth: 0,
            })
        }
        NodeKey::Queue(q) => {
            return Some(NodeName {
                kind: NodeKind::Queue,
                name: q.clone(),
                nth: 0,
            })
        }
        NodeKey::Producer(id) => (NodeKind::Producer, *id),
        NodeKey::Worker(id) => (NodeKind::Worker, *id),
    };
    let all = actors(world, kind);
    let (_, name) = all.iter().find(|(a, _)| *a == id)?;
    let nth = all
        .iter()
        .take_while(|(a, _)| *a != id)
        .filter(|(_, n)| n == name)
        .count();
    Some(NodeName {
        kind,
        name: Rc::from(*name),
        nth,
    })
}

/// The key of the node called `name` in `world`, if it has one.
fn key_of(world: &World, name: &NodeName) -> Option<NodeKey> {
    match name.kind {
        NodeKind::Exchange => Some(NodeKey::Exchange(name.name.clone())),
        NodeKind::Queue => Some(NodeKey::Queue(name.name.clone())),
        NodeKind::Producer | NodeKind::Worker => {
            let id = actors(world, name.kind)
                .into_iter()
                .filter(|(_, n)| **n == *name.name)
                .nth(name.nth)?
                .0;
            Some(match name.kind {
                NodeKind::Producer => NodeKey::Producer(id),
                _ => NodeKey::Worker(id),
            })
        }
    }
}

impl Arrangement {
    pub fn is_empty(&self) -> bool {
        self.placed.is_empty()
    }

    pub fn len(&self) -> usize {
        self.placed.len()
    }

    /// Puts the node `key` of `world` at `at` (clamped into the drawing's
    /// range). A key the world does not know, a position that is not a
    /// number, or one more node past [`POSITIONS_MAX`] changes nothing. A
    /// node dragged in a diagram running `flow` when the positions kept
    /// were dragged in the other orientation starts over.
    pub fn place(&mut self, world: &World, key: &NodeKey, at: Point, flow: Orientation) {
        let (Some(name), Some(at)) = (name_of(world, key), kept(at)) else {
            return;
        };
        if flow != self.flow {
            self.placed.clear();
            self.flow = flow;
        }
        if self.placed.len() < POSITIONS_MAX || self.placed.contains_key(&name) {
            self.placed.insert(name, at);
        }
    }

    /// The positions of the nodes `world` has, by key, for its layout
    /// running `flow`: none when they were dragged in the other orientation.
    pub fn positions(&self, world: &World, flow: Orientation) -> BTreeMap<NodeKey, Point> {
        if flow != self.flow {
            return BTreeMap::new();
        }
        self.placed
            .iter()
            .filter_map(|(name, at)| Some((key_of(world, name)?, *at)))
            .collect()
    }

    /// The text saved for the next visit.
    pub fn to_json(&self) -> String {
        let nodes = self
            .placed
            .iter()
            .filter_map(|(n, (x, y))| {
                serde_json::to_value(SavedNode {
                    kind: kind_word(n.kind).to_string(),
                    name: n.name.to_string(),
                    nth: n.nth,
                    x: *x,
                    y: *y,
                })
                .ok()
            })
            .collect();
        serde_json::to_string(&SavedArrangement {
            version: VERSION,
            orientation: (self.flow == Orientation::Down).then(|| "down".to_string()),
            nodes,
        })
        .unwrap_or_default()
    }

    /// The arrangement a saved text holds: its well-formed entries, the
    /// first [`POSITIONS_MAX`]; nothing from a text of another version or
    /// no JSON at all.
    pub fn from_json(text: &str) -> Arrangement {
        let Ok(saved) = serde_json::from_str::<SavedArrangement>(text) else {
            return Arrangement::default();
        };
        if saved.version != VERSION {
            return Arrangement::default();
        }
        let placed = saved
            .nodes
            .into_iter()
            .filter_map(|v| {
                let n: SavedNode = serde_json::from_value(v).ok()?;
                if n.name.len() > NAME_MAX {
                    return None;
                }
                let name = NodeName {
                    kind: kind_of_word(&n.kind)?,
                    name: Rc::from(n.name),
                    nth: n.nth,
                };
                Some((name, kept((n.x, n.y))?))
            })
            .take(POSITIONS_MAX)
            .collect();
        let flow = match saved.orientation.as_deref() {
            Some("down") => Orientation::Down,
            _ => Orientation::Across,
        };
        Arrangement { placed, flow }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    /// A producer, an exchange, a queue and a worker; [`world`] adds a
    /// second worker with the same name (a document refuses one, the
    /// workbench's form does not).
    const DOC: &str = r#"{
     "warren": 1,
     "exchanges": [{"name": "logs", "type": "fanout"}],
     "queues": [{"name": "hello"}],
     "bindings": [{"source": "logs", "destination": "hello"}],
     "actors": [
      {"kind": "producer", "name": "emit", "exchange": "logs", "body": "x"},
      {"kind": "worker", "name": "w", "queue": "hello"}
     ]
    }"#;

    fn world() -> World {
        let doc = Document::parse(DOC).unwrap();
        let mut world = World::with_simulation(doc.build().unwrap().0);
        let twin = crate::sim::actors::WorkerSpec {
            name: "w".into(),
            queue: "hello".into(),
            ..Default::default()
        };
        world.sim.add_worker(twin).unwrap();
        world
    }

    fn workers(world: &World) -> Vec<NodeKey> {
        world.sim.workers().map(|w| NodeKey::Worker(w.id)).collect()
    }

    #[test]
    fn positions_come_back_by_name_in_a_world_built_again() {
        let first = world();
        let mut arr = Arrangement::default();
        let ws = workers(&first);
        arr.place(&first, &ws[1], (300.0, 40.0), Orientation::Across);
        arr.place(
            &first,
            &NodeKey::Queue(Rc::from("hello")),
            (10.0, 20.0),
            Orientation::Across,
        );
        let text = arr.to_json();
        let again = world();
        let back = Arrangement::from_json(&text);
        assert_eq!(back, arr);
        let pos = back.positions(&again, Orientation::Across);
        // The second worker called "w", not the first.
        assert_eq!(pos.get(&workers(&again)[1]), Some(&(300.0, 40.0)));
        assert_eq!(pos.get(&workers(&again)[0]), None);
        assert_eq!(
            pos.get(&NodeKey::Queue(Rc::from("hello"))),
            Some(&(10.0, 20.0))
        );
    }

    #[test]
    fn names_the_world_lacks_are_kept_and_not_drawn() {
        let w = world();
        let text = r#"{"version":1,"nodes":[
            {"kind":"worker","name":"gone","x":1,"y":2},
            {"kind":"worker","name":"w","nth":5,"x":1,"y":2},
            {"kind":"producer","name":"emit","x":7,"y":8}]}"#;
        let arr = Arrangement::from_json(text);
        assert_eq!(arr.len(), 3);
        let pos = arr.positions(&w, Orientation::Across);
        assert_eq!(pos.len(), 1, "{pos:?}");
        assert!(pos.values().all(|p| *p == (7.0, 8.0)));
        // Kept for a world that has them, and in the text saved again.
        assert_eq!(Arrangement::from_json(&arr.to_json()), arr);
    }

    #[test]
    fn a_bad_text_loses_its_bad_entries_never_the_page() {
        for text in [
            "",
            "null",
            "[]",
            "{\"version\":2,\"nodes\":[]}",
            "{\"nodes\":1}",
            "{{{",
        ] {
            assert!(Arrangement::from_json(text).is_empty(), "{text}");
        }
        let long = "q".repeat(NAME_MAX + 1);
        let text = format!(
            r#"{{"version":1,"nodes":[
            {{"kind":"planet","name":"x","x":1,"y":1}},
            {{"kind":"queue","name":"x","x":"one","y":1}},
            {{"kind":"queue","name":"x"}},
            {{"kind":"queue","name":"{long}","x":1,"y":1}},
            {{"kind":"queue","name":"far","x":1e300,"y":-5}},
            {{"kind":"queue","name":"ok","x":1,"y":2}}]}}"#
        );
        let arr = Arrangement::from_json(&text);
        let pos = arr.positions(&world(), Orientation::Across);
        assert_eq!(pos.len(), 2, "{pos:?}");
        assert_eq!(pos.get(&NodeKey::Queue(Rc::from("ok"))), Some(&(1.0, 2.0)));
        assert_eq!(
            pos.get(&NodeKey::Queue(Rc::from("far"))),
            Some(&(COORDINATE_MAX, 0.0))
        );
        // A million entries keep the first POSITIONS_MAX.
        let many: Vec<String> = (0..POSITIONS_MAX + 10)
            .map(|i| format!(r#"{{"kind":"queue","name":"q{i}","x":1,"y":1}}"#))
            .collect();
        let text = format!(r#"{{"version":1,"nodes":[{}]}}"#, many.join(","));
        assert_eq!(Arrangement::from_json(&text).len(), POSITIONS_MAX);
    }

    #[test]
    fn placing_ignores_what_it_cannot_keep() {
        let w = world();
        let mut arr = Arrangement::default();
        arr.place(
            &w,
            &NodeKey::Worker(ActorId(999)),
            (1.0, 1.0),
            Orientation::Across,
        );
        arr.place(
            &w,
            &NodeKey::Queue(Rc::from("hello")),
            (f64::NAN, 1.0),
            Orientation::Across,
        );
        assert!(arr.is_empty());
        arr.place(
            &w,
            &NodeKey::Queue(Rc::from("hello")),
            (-50.0, 1e12),
            Orientation::Across,
        );
        assert_eq!(
            arr.positions(&w, Orientation::Across)
                .get(&NodeKey::Queue(Rc::from("hello"))),
            Some(&(0.0, COORDINATE_MAX))
        );
    }

    #[test]
    fn positions_apply_only_in_the_orientation_they_were_dragged_in() {
        let w = world();
        let queue = NodeKey::Queue(Rc::from("hello"));
        let mut arr = Arrangement::default();
        arr.place(&w, &queue, (400.0, 20.0), Orientation::Across);
        assert!(arr.positions(&w, Orientation::Down).is_empty());
        // Saved and read back, it still belongs to its orientation.
        let down = {
            let mut a = arr.clone();
            a.place(&w, &queue, (20.0, 300.0), Orientation::Down);
            Arrangement::from_json(&a.to_json())
        };
        assert_eq!(
            down.positions(&w, Orientation::Down).get(&queue),
            Some(&(20.0, 300.0))
        );
        assert!(down.positions(&w, Orientation::Across).is_empty());
        assert_eq!(down.len(), 1);
        assert_eq!(
            arr.positions(&w, Orientation::Across).get(&queue),
            Some(&(400.0, 20.0))
        );
    }
}
