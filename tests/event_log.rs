//! The workbench's event log, natively (`view::event_log`): which entries
//! the filter and the selection keep, their order, and the sentence each
//! says in English and Chinese, for a real run of tutorial 2's work queue.

use std::rc::Rc;
use warren::describe::i18n::{Lang, ZH_AVOIDED};
use warren::describe::Category;
use warren::engine::BrokerConfig;
use warren::sim::bounded::PublishCount;
use warren::sim::world::Command;
use warren::sim::ActorId;
use warren::view::event_log::{entry, rows, LogEntry, LogFilter, LogRow, Selection};
use warren::view::presets;
use warren::view::timeline::Timeline;

/// Tutorial 2's work queue (new_task.py, worker 1 and worker 2), three
/// tasks published and worked until idle.
fn work_queue() -> Timeline {
    let mut t = Timeline::new(BrokerConfig::default());
    for cmd in presets::lesson(1) {
        assert!(t.command(cmd).is_ok());
    }
    let publish = Command::Publish {
        producer: ActorId(1),
        count: PublishCount::new(3).expect("3 is a valid count"),
        body: Some("Task ..".into()),
    };
    assert!(t.command(publish).is_ok());
    while t.pos() < 200 && t.forward() {}
    assert!(t.pos() < 200, "the work ends");
    t
}

fn entries(t: &Timeline, filter: &LogFilter, sel: Option<&Selection>, lang: Lang) -> Vec<LogEntry> {
    rows(t, filter, sel)
        .into_iter()
        .map(|row| entry(t, row, lang).expect("every row kept has an entry"))
        .collect()
}

fn everything() -> LogFilter {
    LogFilter::default()
}

fn only(sel: &Selection) -> (LogFilter, Option<&Selection>) {
    let filter = LogFilter {
        only_selected: true,
        ..LogFilter::default()
    };
    (filter, Some(sel))
}

#[test]
fn every_entry_says_a_sentence_in_english_and_in_chinese() {
    let t = work_queue();
    let en = entries(&t, &everything(), None, Lang::En);
    let zh = entries(&t, &everything(), None, Lang::Zh);
    assert_eq!(en.len(), zh.len());
    assert!(en.len() > 20, "a real run ({} entries)", en.len());
    let is_chinese = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for (e, z) in en.iter().zip(&zh) {
        assert_eq!(
            (e.tick, e.time, e.category, e.kind),
            (z.tick, z.time, z.category, z.kind)
        );
        assert!(!e.sentence.trim().is_empty(), "{} says nothing", e.kind);
        assert!(
            !e.sentence.chars().any(is_chinese),
            "English: {}",
            e.sentence
        );
        assert!(
            z.sentence.chars().any(is_chinese),
            "Chinese: {}",
            z.sentence
        );
        for (avoided, instead) in ZH_AVOIDED {
            assert!(
                !z.sentence.contains(avoided),
                "{avoided} (say {instead}): {}",
                z.sentence
            );
        }
        for s in [&e.sentence, &z.sentence] {
            assert!(
                !s.contains('{') && !s.contains('}'),
                "a placeholder left: {s}"
            );
        }
    }
    // The message's body preview and the worker's name reach the sentences.
    let delivered: Vec<&LogEntry> = en.iter().filter(|e| e.kind == "delivered").collect();
    assert_eq!(delivered.len(), 3, "three tasks, each delivered once");
    assert!(delivered.iter().all(|e| e.sentence.contains("Task ..")));
    assert!(delivered.iter().any(|e| e.sentence.contains("worker 1")));
    assert!(delivered.iter().any(|e| e.sentence.contains("worker 2")));
}

#[test]
fn entries_come_in_the_order_they_happened_up_to_the_cursor() {
    let mut t = work_queue();
    let all = entries(&t, &everything(), None, Lang::En);
    assert!(all
        .windows(2)
        .all(|w| w[0].tick <= w[1].tick && w[0].time <= w[1].time));
    assert!(
        all.iter().any(|e| e.kind == "worker"),
        "workers' events are in"
    );
    assert!(all.iter().any(|e| e.kind != "worker"), "the broker's too");
    let half = t.pos() / 2;
    assert!(t.seek(half).is_ok());
    let earlier = entries(&t, &everything(), None, Lang::En);
    assert!(earlier.len() < all.len());
    assert!(earlier.iter().all(|e| e.tick <= half));
    assert_eq!(
        earlier[..],
        all[..earlier.len()],
        "the same entries, fewer of them"
    );
}

#[test]
fn hidden_categories_leave_the_log() {
    let t = work_queue();
    let all = entries(&t, &everything(), None, Lang::En);
    for hide in Category::ALL.iter() {
        let filter = LogFilter {
            hidden: [*hide].into(),
            only_selected: false,
        };
        let kept = entries(&t, &filter, None, Lang::En);
        assert!(kept.iter().all(|e| e.category != *hide));
        let of_it = all.iter().filter(|e| e.category == *hide).count();
        assert_eq!(kept.len(), all.len() - of_it, "{hide:?}");
    }
    let none = LogFilter {
        hidden: Category::ALL.iter().copied().collect(),
        only_selected: false,
    };
    assert!(rows(&t, &none, None).is_empty());
}

#[test]
fn only_selected_keeps_what_involves_the_selection() {
    let t = work_queue();
    let all = entries(&t, &everything(), None, Lang::En);
    // Nothing selected: "only selected" keeps everything.
    let (filter, _) = only(&Selection::Message(0));
    assert_eq!(entries(&t, &filter, None, Lang::En), all);

    // A message: its journey, from publish to ack, and nothing of the others.
    let first = t
        .events()
        .iter()
        .find(|e| e.kind.name() == "published")
        .and_then(|e| warren::describe::message_of(&e.kind))
        .expect("a message was published");
    let sel = Selection::Message(first);
    let (filter, sel) = only(&sel);
    let journey = entries(&t, &filter, sel, Lang::En);
    let kinds: Vec<&str> = journey.iter().map(|e| e.kind).collect();
    for kind in ["published", "enqueued", "delivered", "acked"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(journey.len() < all.len() / 2, "not the others' journeys");
    let id = format!("#{first} ");
    assert!(
        journey
            .iter()
            .filter(|e| e.kind != "worker")
            .all(|e| e.sentence.contains(&id)),
        "every broker sentence names message {first}"
    );

    // A queue: its declaration, bindings, consumers and messages, never a
    // sentence about another queue.
    let sel = Selection::Queue(Rc::from("task_queue"));
    let (filter, sel) = only(&sel);
    let queue = entries(&t, &filter, sel, Lang::En);
    assert!(queue.iter().any(|e| e.kind == "queue_declared"));
    assert!(
        queue.iter().all(|e| e.kind != "worker"),
        "workers' own events are theirs"
    );
    assert!(queue.iter().all(|e| e.sentence.contains("task_queue")));

    // A worker: what happened on its channel and its own events, not the
    // other worker's.
    let worker_2 = t
        .world()
        .sim
        .workers()
        .find(|w| w.spec.name == "worker 2")
        .map(|w| w.id)
        .expect("worker 2 is there");
    let sel = Selection::Worker(worker_2);
    let (filter, sel) = only(&sel);
    let worker = entries(&t, &filter, sel, Lang::En);
    assert!(worker.iter().any(|e| e.kind == "worker"));
    assert!(worker.iter().any(|e| e.kind == "delivered"));
    assert!(
        worker.iter().all(|e| e.sentence.contains("worker 2")),
        "{worker:#?}"
    );
    assert!(
        !worker.iter().any(|e| e.sentence.contains("worker 1")),
        "{worker:#?}"
    );
}

#[test]
fn a_row_past_the_cursor_has_no_entry() {
    let mut t = work_queue();
    let at_end = rows(&t, &everything(), None);
    assert!(t.seek(1).is_ok());
    // The list drawn at the end, asked again after stepping back.
    let stale: Vec<LogRow> = at_end
        .into_iter()
        .filter(|row| matches!(row, LogRow::Broker(b) if *b >= t.events().len()))
        .collect();
    assert!(!stale.is_empty());
    assert!(stale.iter().all(|row| entry(&t, *row, Lang::En).is_none()));
    assert_eq!(entry(&t, LogRow::Broker(usize::MAX), Lang::En), None);
    assert_eq!(entry(&t, LogRow::Actor(usize::MAX), Lang::Zh), None);
    assert_eq!(entry(&t, LogRow::Broker(t.events().len()), Lang::En), None);
}
