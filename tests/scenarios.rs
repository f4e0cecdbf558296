//! The scenario documents shipped for docs pages (`www/scenarios/`): each
//! parses, builds, and its script plays as the page would play it, with the
//! outcome the docs page describes.

#[path = "support/shipped_scenarios.rs"]
mod shipped_scenarios;

use shipped_scenarios::load;
use warren::document::Document;
use warren::engine::event::EventKind;

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
    let names = shipped_scenarios::names();
    for name in &names {
        load(name).build().unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(names.len() >= 3);
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

/// A one-action document whose action is `action` (JSON), for the caption
/// checks below.
fn with_action(action: &str) -> Result<Document, String> {
    let text = format!(
        r#"{{"warren": 1,
            "actors": [{{"kind": "producer", "name": "p", "routing_key": "q"}}],
            "script": [{action}]}}"#
    );
    Document::parse(&text).map_err(|e| e.to_string())
}

#[test]
fn a_script_action_carries_a_caption_in_either_language() {
    use warren::document::{Caption, Language, ScriptVerb};
    let doc = with_action(
        r#"{"at_ms": 0, "do": "publish", "actor": "p", "say": {"en": "Hello", "zh": "你好"}}"#,
    )
    .unwrap();
    let caption = doc.script[0].say.clone().unwrap();
    assert_eq!(caption.text(Language::En), Some((Language::En, "Hello")));
    assert_eq!(caption.text(Language::Zh), Some((Language::Zh, "你好")));
    // It survives export: the document written back reads the same.
    assert_eq!(Document::parse(&doc.to_json()).unwrap().script, doc.script);

    // One language alone: a player in the other falls back to it.
    let only_en = Caption {
        en: Some("Only English".into()),
        zh: None,
    };
    assert_eq!(
        only_en.text(Language::Zh),
        Some((Language::En, "Only English"))
    );

    // `"do": "say"` only narrates: no actor needed.
    let doc = with_action(r#"{"at_step": 3, "do": "say", "say": {"zh": "看这里"}}"#).unwrap();
    assert_eq!(doc.script[0].verb, Some(ScriptVerb::Say));
    doc.build().unwrap();

    // Documents without captions still read (and write no `say`).
    let doc = with_action(r#"{"at_ms": 0, "do": "publish", "actor": "p"}"#).unwrap();
    assert_eq!(doc.script[0].say, None);
    assert!(!doc.to_json().contains("\"say\""));
}

#[test]
fn a_bad_caption_is_an_error_naming_its_path() {
    let at_limit = "a".repeat(warren::document::bounds::CAPTION_BYTES_MAX);
    with_action(&format!(
        r#"{{"at_ms": 0, "do": "say", "say": {{"en": "{at_limit}"}}}}"#
    ))
    .unwrap();
    let too_long = format!("{at_limit}a");
    assert_eq!(
        with_action(&format!(
            r#"{{"at_ms": 0, "do": "publish", "actor": "p", "say": {{"zh": "{too_long}"}}}}"#
        ))
        .unwrap_err(),
        "script[0].say.zh: 1001 bytes; a caption holds at most 1000"
    );
    let unknown =
        with_action(r#"{"at_ms": 0, "do": "say", "say": {"en": "x", "fr": "y"}}"#).unwrap_err();
    assert!(
        unknown.starts_with("script[0].say.fr: unknown field `fr`"),
        "{unknown}"
    );
    let not_text = with_action(r#"{"at_ms": 0, "do": "say", "say": "hello"}"#).unwrap_err();
    assert!(
        not_text.starts_with("script[0].say: invalid type"),
        "{not_text}"
    );
    assert_eq!(
        with_action(r#"{"at_ms": 0, "do": "say", "say": {}}"#).unwrap_err(),
        "script[0].say: a caption needs en, zh or both"
    );
    assert_eq!(
        with_action(r#"{"at_ms": 0, "do": "say"}"#).unwrap_err(),
        r#"script[0].say: "do": "say" needs a caption (say.en, say.zh or both)"#
    );
}

#[test]
fn the_shipped_walkthroughs_narrate_in_english_and_chinese() {
    for name in ["fanout.json", "work-queues.json"] {
        let doc = load(name);
        assert!(!doc.script.is_empty(), "{name}");
        for (i, action) in doc.script.iter().enumerate() {
            let caption = action
                .say
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: script[{i}] has no caption"));
            assert!(caption.en.is_some(), "{name}: script[{i}] has no English");
            assert!(caption.zh.is_some(), "{name}: script[{i}] has no Chinese");
        }
    }
}

/// A document with one queue, a producer and a worker that never acks,
/// and `broker` as its broker section.
fn forgetful_worker(broker: &str) -> Result<Document, String> {
    Document::parse(&format!(
        r#"{{"warren": 1, "broker": {broker},
            "queues": [{{"name": "tasks"}}],
            "actors": [{{"kind": "producer", "name": "p", "routing_key": "tasks"}},
                       {{"kind": "worker", "name": "w", "queue": "tasks", "on_done": {{"kind": "forget"}}}}]}}"#
    ))
    .map_err(|e| e.to_string())
}

/// When the worker's channel was closed for its forgotten ack, and the
/// timeout the event names, after publishing once and running `ms`.
fn ack_timeout_after(doc: &Document, ms: u64) -> Option<(u64, u64)> {
    let (mut sim, _) = doc.build().unwrap();
    let producer = sim.producers().next().map(|p| p.id).unwrap();
    sim.publish_n(producer, 1).unwrap();
    sim.run_for(ms);
    sim.broker.events().iter().find_map(|e| match &e.kind {
        EventKind::AckTimedOut { timeout_ms, .. } => Some((e.time, *timeout_ms)),
        _ => None,
    })
}

#[test]
fn a_documents_consumer_timeout_closes_the_channel_at_the_next_tick() {
    let doc = forgetful_worker(r#"{"consumer_timeout_ms": 15000}"#).unwrap();
    assert_eq!(
        doc.broker.consumer_timeout_ms.map(|ms| ms.get()),
        Some(15_000)
    );
    // 15 s after the delivery, checked at the channel's first tick (60 s).
    let (at, timeout) = ack_timeout_after(&doc, 120_000).unwrap();
    assert_eq!(timeout, 15_000);
    assert!((60_000..=61_000).contains(&at), "closed at {at}");
    // The default, 30 minutes, does not close it in two minutes.
    assert_eq!(
        ack_timeout_after(&forgetful_worker("{}").unwrap(), 120_000),
        None
    );
    // null: no timeout at all, however long.
    let off = forgetful_worker(r#"{"consumer_timeout_ms": null}"#).unwrap();
    assert_eq!(off.broker.consumer_timeout_ms, None);
    assert_eq!(ack_timeout_after(&off, 4 * 3_600_000), None);
}

#[test]
fn a_bad_consumer_timeout_is_an_error_naming_its_path() {
    let expected = |got: &str| {
        format!(
            "broker.consumer_timeout_ms: expected milliseconds, an integer 1..31536000000, or null for no timeout, got {got}"
        )
    };
    for got in ["0", "-5", "1.5", "\"off\"", "31536000001", "true"] {
        let e = forgetful_worker(&format!(r#"{{"consumer_timeout_ms": {got}}}"#)).unwrap_err();
        assert_eq!(e, expected(got), "{got}");
    }
    let e = forgetful_worker(r#"{"consumer_timeout": 1000}"#).unwrap_err();
    assert!(
        e.starts_with("broker.consumer_timeout: unknown field"),
        "{e}"
    );
    assert!(forgetful_worker(r#"{"consumer_timeout_ms": 31536000000}"#).is_ok());
    assert!(forgetful_worker(r#"{"consumer_timeout_ms": 1}"#).is_ok());
}

#[test]
fn the_consumer_timeout_exports_back() {
    for broker in [
        r#"{"consumer_timeout_ms": 60000}"#,
        r#"{"consumer_timeout_ms": null}"#,
        "{}",
    ] {
        let doc = forgetful_worker(broker).unwrap();
        let (sim, _) = doc.build().unwrap();
        let back = Document::from_simulation(&sim, "", doc.view.clone());
        assert_eq!(back.broker, doc.broker, "{broker}");
        let text = back.to_json();
        assert_eq!(Document::parse(&text).unwrap().broker, doc.broker, "{text}");
        // The default is left out, as every default of the format is.
        assert_eq!(
            text.contains("consumer_timeout_ms"),
            broker != "{}",
            "{text}"
        );
    }
    // What the operator set since (the workbench's select) is exported:
    // a document built from the export gives every channel that timeout.
    let mut world = warren::sim::world::World::with_simulation(
        forgetful_worker("{}").unwrap().build().unwrap().0,
    );
    let fifteen = warren::sim::bounded::ConsumerTimeoutMs::new(15_000).ok();
    world
        .apply(&warren::sim::world::Command::SetConsumerTimeout(fifteen))
        .unwrap();
    let back = Document::from_simulation(&world.sim, "", Default::default());
    assert_eq!(back.broker.consumer_timeout_ms, fifteen);
    assert!(ack_timeout_after(&back, 120_000).is_some());
}
