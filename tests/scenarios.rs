//! The scenario documents shipped for docs pages (`www/scenarios/`): each
//! parses, builds, and its script plays as the page would play it, with the
//! outcome the docs page describes.

use std::path::Path;
use warren::document::Document;
use warren::engine::event::EventKind;

fn load(name: &str) -> Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/scenarios")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Document::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Publishes each scripted producer once, in script order, and runs.
fn play(doc: &Document) -> warren::sim::Simulation {
    let (mut sim, _) = doc.build().unwrap();
    for action in &doc.script {
        let id = sim
            .producers()
            .find(|p| p.spec.name == action.actor)
            .map(|p| p.id)
            .unwrap();
        sim.publish_n(id, action.count.get()).unwrap();
        sim.run_until_idle(10_000);
    }
    sim
}

#[test]
fn every_shipped_scenario_parses_and_builds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".json") {
            load(&name)
                .build()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            n += 1;
        }
    }
    assert!(n >= 3);
}

#[test]
fn the_fanout_lesson_copies_every_message_to_both_subscribers() {
    let sim = play(&load("fanout.json"));
    let done: Vec<u64> = sim.workers().map(|w| w.done).collect();
    assert_eq!(done, [3, 3]);
}

#[test]
fn the_topic_puzzle_has_the_tutorials_answers() {
    let sim = play(&load("topic-puzzle.json"));
    let mut routed: Vec<(String, Vec<String>)> = sim
        .broker
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Routed {
                routing_key, trace, ..
            } => Some((
                routing_key.to_string(),
                trace.queues.iter().map(|q| q.to_string()).collect(),
            )),
            _ => None,
        })
        .collect();
    routed.sort();
    let expect = |k: &str, qs: &[&str]| {
        (
            k.to_string(),
            qs.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
        )
    };
    let mut want = vec![
        expect("quick.orange.rabbit", &["Q1", "Q2"]),
        expect("lazy.orange.elephant", &["Q1", "Q2"]),
        expect("quick.orange.fox", &["Q1"]),
        expect("lazy.brown.fox", &["Q2"]),
        expect("quick.brown.fox", &[]),
        expect("orange", &[]),
        expect("lazy.orange.new.rabbit", &["Q2"]),
    ];
    want.sort();
    assert_eq!(routed, want);
}

#[test]
fn the_work_queue_scenario_gives_more_tasks_to_the_faster_worker() {
    // Prefetch 1: a worker gets its next task only after acking the last,
    // so worker 2 (half a second a task) finishes more than worker 1 (a
    // second per dot, three dots a task) — fair dispatch, not round robin.
    let sim = play(&load("work-queues.json"));
    let done: Vec<(String, u64)> = sim
        .workers()
        .map(|w| (w.spec.name.clone(), w.done))
        .collect();
    assert_eq!(done.iter().map(|(_, d)| d).sum::<u64>(), 6, "{done:?}");
    assert!(done[1].1 > done[0].1, "{done:?}");
}
