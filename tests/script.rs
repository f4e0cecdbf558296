//! A scenario's script played on the workbench's timeline, natively
//! (`view::script`): actions play when due (at their virtual time exactly,
//! or at their step), each resolves to the commands it stands for, a
//! rewound future plays them again, and the caption follows the cursor.

#[path = "support/shipped_scenarios.rs"]
mod shipped_scenarios;

use std::rc::Rc;
use warren::document::{Document, Language};
use warren::engine::BrokerConfig;
use warren::sim::world::Command;
use warren::view::script::{self, Script};
use warren::view::timeline::{Tick, Timeline};

fn start(doc: &Document) -> (Timeline, Rc<Script>) {
    let tl = Timeline::from_document(doc, BrokerConfig::default()).expect("the document builds");
    (tl, Rc::new(Script::new(doc.script.clone())))
}

/// Steps as the workbench's Step button does until nothing moves.
fn step_until_idle(tl: &mut Timeline, script: &mut Rc<Script>) {
    while tl.pos() < 500 && script::step(script, tl) {}
    assert!(tl.pos() < 500, "the run ends");
}

/// The virtual times at which messages were published, in order.
fn published_at(tl: &Timeline) -> Vec<u64> {
    tl.events()
        .iter()
        .filter(|e| e.kind.name() == "published")
        .map(|e| e.time)
        .collect()
}

/// `script` with one producer `p` on queue `q` and one worker `w`.
fn with_script(script: &str) -> Document {
    let text = format!(
        r#"{{"warren": 1,
            "queues": [{{"name": "q"}}],
            "actors": [{{"kind": "producer", "name": "p", "routing_key": "q"}},
                       {{"kind": "worker", "name": "w", "queue": "q", "prefetch": 1}}],
            "script": {script}}}"#
    );
    Document::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_work_queue_script_publishes_at_its_times_exactly() {
    let doc = shipped_scenarios::load("work-queues.json");
    let (mut tl, mut s) = start(&doc);
    step_until_idle(&mut tl, &mut s);
    // Four tasks at 0 ms, two more at 2000 ms: the step stops the clock there.
    assert_eq!(published_at(&tl), [0, 0, 0, 0, 2000, 2000]);
    assert_eq!(s.fired.len(), 2);
    assert_eq!(s.next_due_ms(), None, "nothing left to play");
}

#[test]
fn letting_time_pass_plays_the_actions_on_the_way() {
    let doc = shipped_scenarios::load("work-queues.json");
    let (mut tl, mut s) = start(&doc);
    script::advance(&mut s, &mut tl, 1_000);
    assert_eq!(published_at(&tl), [0, 0, 0, 0]);
    assert_eq!(s.next_due_ms(), Some(2000));
    script::advance(&mut s, &mut tl, 5_000);
    assert_eq!(published_at(&tl), [0, 0, 0, 0, 2000, 2000]);
    assert_eq!(tl.world().sim.now(), 6_000);
}

#[test]
fn the_caption_is_that_of_the_step_the_cursor_is_at() {
    let doc = shipped_scenarios::load("work-queues.json");
    let (mut tl, mut s) = start(&doc);
    assert!(s.has_captions());
    step_until_idle(&mut tl, &mut s);
    let first = s.fired.get(&0).copied().expect("the first action played");
    let second = s.fired.get(&1).copied().expect("the second action played");
    assert!(first.to <= second.from && second.from < second.to);
    let caption = |pos: usize, language| {
        s.caption_at(pos, language)
            .map(|(l, text)| (l, text.to_string()))
    };
    let say = |i: usize, language| {
        doc.script[i]
            .say
            .as_ref()
            .and_then(|c| c.text(language))
            .map(|(l, t)| (l, t.to_string()))
    };
    assert_eq!(
        caption(0, Language::En),
        None,
        "nothing said before the first action"
    );
    for pos in first.to..second.to {
        assert_eq!(
            caption(pos, Language::En),
            say(0, Language::En),
            "position {pos}"
        );
    }
    for pos in second.to..=tl.pos() {
        assert_eq!(
            caption(pos, Language::Zh),
            say(1, Language::Zh),
            "position {pos}"
        );
    }
    assert!(say(1, Language::Zh).is_some_and(|(l, _)| l == Language::Zh));
    // Stepping back to before the second action shows the first's again,
    // and the world there is from before the two extra tasks.
    assert!(tl.seek(second.from).is_ok());
    assert_eq!(caption(tl.pos(), Language::En), say(0, Language::En));
    assert_eq!(published_at(&tl).len(), 4);
}

/// Plays the work-queues script to the end, steps back to `back` steps
/// before the second publish played, gives a command there (the future is
/// dropped), and plays on: the two tasks at 2000 ms are published again,
/// once.
fn rewind_and_command(back: usize) {
    let doc = shipped_scenarios::load("work-queues.json");
    let (mut tl, mut s) = start(&doc);
    step_until_idle(&mut tl, &mut s);
    let second = s.fired.get(&1).copied().expect("the second action played");
    assert!(tl.seek(second.from - back).is_ok());
    let worker_1 = tl
        .world()
        .sim
        .workers()
        .map(|w| w.id)
        .next()
        .expect("a worker");
    assert!(tl.command(Command::PauseWorker(worker_1, true)).is_ok());
    step_until_idle(&mut tl, &mut s);
    assert_eq!(
        published_at(&tl),
        [0, 0, 0, 0, 2000, 2000],
        "played again, once ({back} back)"
    );
    assert_eq!(s.fired.len(), 2);
}

#[test]
fn a_rewound_future_plays_its_actions_again() {
    // Before the step that brought the clock to 2000 ms.
    rewind_and_command(1);
}

#[test]
fn a_command_in_place_of_an_action_lets_it_play_again() {
    // Right after the clock reached 2000 ms, before the publish: the
    // person's command takes the publish's place on the timeline.
    rewind_and_command(0);
}

#[test]
fn each_verb_stands_for_its_command_on_the_actor_named() {
    let doc = with_script(
        r#"[{"at_ms": 0, "do": "publish", "actor": "p", "count": 2},
            {"at_ms": 1000, "do": "pause", "actor": "w"},
            {"at_ms": 2000, "do": "resume", "actor": "w"},
            {"at_ms": 3000, "do": "cancel", "actor": "w"},
            {"at_ms": 4000, "do": "kill", "actor": "w"},
            {"at_ms": 5000, "do": "restart"},
            {"at_ms": 6000, "do": "crash"}]"#,
    );
    let (mut tl, mut s) = start(&doc);
    let producer = tl.world().sim.producers().map(|p| p.id).next().expect("p");
    let worker = tl.world().sim.workers().map(|w| w.id).next().expect("w");
    while tl.pos() < 100 && s.fired.len() < doc.script.len() && script::step(&mut s, &mut tl) {}
    assert_eq!(s.fired.len(), doc.script.len(), "every action played");
    let commands: Vec<Command> = (0..tl.recorded())
        .filter_map(|p| match tl.tick(p) {
            Some(Tick::Command(c)) => Some((**c).clone()),
            _ => None,
        })
        .collect();
    let publish = Command::Publish {
        producer,
        count: doc.script[0].count,
        body: None,
    };
    assert_eq!(
        commands,
        [
            publish,
            Command::PauseWorker(worker, true),
            Command::PauseWorker(worker, false),
            Command::CancelWorker(worker),
            Command::KillWorker(worker),
            Command::RestartBroker,
            Command::CrashBroker,
        ]
    );
    // Each played at its virtual time exactly, one command each.
    for (i, action) in doc.script.iter().enumerate() {
        let played = s.fired[&i];
        assert_eq!(played.to, played.from + 1, "action {i}");
        let at = action.at_ms.map(|ms| ms.get());
        assert_eq!(Some(tl.mark_at(played.to).time), at, "action {i}");
    }
}

#[test]
fn an_action_on_an_actor_gone_or_only_narrating_plays_no_command_once() {
    let doc = with_script(
        r#"[{"at_step": 0, "do": "say", "say": {"en": "Look", "zh": "看这里"}},
            {"at_ms": 1000, "do": "kill", "actor": "w"},
            {"at_ms": 1000, "do": "say", "say": {"en": "Gone"}}]"#,
    );
    let (mut tl, mut s) = start(&doc);
    // A person removes the worker the script kills later.
    let worker = tl.world().sim.workers().map(|w| w.id).next().expect("w");
    assert!(tl.command(Command::RemoveWorker(worker)).is_ok());
    let removed_at = tl.recorded();
    for _ in 0..10 {
        let _ = script::step(&mut s, &mut tl);
    }
    assert_eq!(s.fired.len(), 3, "every action counts as played");
    let fired = s.fired.clone();
    for _ in 0..10 {
        let _ = script::step(&mut s, &mut tl);
    }
    assert_eq!(
        s.fired, fired,
        "and plays once, however often the page steps"
    );
    assert!(
        s.fired.values().all(|p| p.from == p.to),
        "none recorded a command"
    );
    let commands = (0..tl.recorded())
        .filter(|p| matches!(tl.tick(*p), Some(Tick::Command(_))))
        .count();
    assert_eq!(commands, removed_at, "only the person's command");
    assert_eq!(tl.world().sim.now(), 1000, "the clock went to the kill");
    let look = s.fired[&0].to;
    assert_eq!(s.caption_at(look - 1, Language::Zh), None);
    assert_eq!(
        s.caption_at(look, Language::Zh),
        Some((Language::Zh, "看这里"))
    );
    // A caption in English only is shown in English to a Chinese reader.
    assert_eq!(
        s.caption_at(tl.pos(), Language::Zh),
        Some((Language::En, "Gone"))
    );
}
