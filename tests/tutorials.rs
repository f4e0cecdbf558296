//! Every built-in chapter: it parses; its starting state does not pass the
//! first task; each task's checkpoints fail before its solution and pass
//! after it (played from the state the previous tasks left); and the pika
//! code for the finished chapter mentions what the chapter teaches.

use warren::sim::world::World;
use warren::tutorial::action::play;
use warren::tutorial::catalog;
use warren::tutorial::check::Observation;
use warren::tutorial::pika;
use warren::tutorial::progress::{events_from, world_at, SavedProgress, Tracker};
use warren::tutorial::Chapter;

fn chapters() -> Vec<Chapter> {
    catalog::chapters()
        .into_iter()
        .map(|c| c.unwrap_or_else(|(file, e)| panic!("{file}: {e}")))
        .collect()
}

/// Which checkpoints of task `t` hold, counting events since `since`.
fn holding(chapter: &Chapter, t: usize, world: &World, since: (u64, usize)) -> Vec<bool> {
    let obs = Observation {
        sim: &world.sim,
        events: events_from(world.sim.broker.events(), since.0),
        actor_events: &world.sim.actor_events()[since.1..],
    };
    chapter.tasks[t]
        .checks
        .iter()
        .map(|c| c.expect.holds(obs))
        .collect()
}

#[test]
fn every_chapter_parses_and_is_numbered_in_order() {
    let chapters = chapters();
    assert_eq!(chapters.len(), 11);
    for (i, c) in chapters.iter().enumerate() {
        assert_eq!(c.number as usize, i, "{}", c.id);
        assert!(
            catalog::FILES[i].0.starts_with(&c.id),
            "{} in {}",
            c.id,
            catalog::FILES[i].0
        );
        for text in [&c.title, &c.summary, &c.intro] {
            assert!(
                !text.en.trim().is_empty() && !text.zh.trim().is_empty(),
                "{}: empty text",
                c.id
            );
        }
        for task in &c.tasks {
            assert!(
                !task.goal.en.is_empty() && !task.goal.zh.is_empty(),
                "{}/{}",
                c.id,
                task.id
            );
            for check in &task.checks {
                assert!(!check.label.en.is_empty() && !check.label.zh.is_empty());
            }
        }
    }
}

#[test]
fn solutions_pass_every_checkpoint_and_the_start_does_not() {
    let mut failures = Vec::new();
    for chapter in chapters() {
        let mut world = world_at(&chapter, 0).unwrap();
        for (t, task) in chapter.tasks.iter().enumerate() {
            let since = (
                world.sim.broker.next_event_seq(),
                world.sim.actor_events().len(),
            );
            let before = holding(&chapter, t, &world, since);
            if before.iter().all(|h| *h) {
                failures.push(format!(
                    "{} task {} '{}': already passes before its solution",
                    chapter.id, t, task.id
                ));
            }
            if let Err(e) = play(&mut world, &task.solution) {
                failures.push(format!("{} task {} '{}': {e}", chapter.id, t, task.id));
                break;
            }
            let after = holding(&chapter, t, &world, since);
            for (c, ok) in after.iter().enumerate() {
                if !ok {
                    failures.push(format!(
                        "{} task {} '{}': checkpoint {c} ({}) fails after the solution",
                        chapter.id, t, task.id, task.checks[c].label.en
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The tracker, fed as the workbench feeds it (after every move), walks
/// through every task of every chapter.
#[test]
fn the_tracker_follows_the_solutions_move_by_move() {
    use warren::tutorial::action::apply;
    for chapter in chapters() {
        let mut world = world_at(&chapter, 0).unwrap();
        let mut tracker = Tracker::start(&chapter, 0, &world);
        assert!(
            !tracker.observe(
                &chapter,
                &world,
                world.sim.broker.events(),
                world.sim.actor_events()
            ),
            "{}: the start passes task 0",
            chapter.id
        );
        for (t, task) in chapter.tasks.iter().enumerate() {
            assert_eq!(tracker.task, t, "{}", chapter.id);
            for action in &task.solution {
                let m = action.to_move(&world).unwrap();
                apply(&mut world, &m);
                tracker.observe(
                    &chapter,
                    &world,
                    world.sim.broker.events(),
                    world.sim.actor_events(),
                );
            }
        }
        assert!(
            tracker.finished(&chapter),
            "{} ends at task {}",
            chapter.id,
            tracker.task
        );
    }
}

#[test]
fn saved_progress_rebuilds_the_world_and_survives_garbage() {
    let chapters = chapters();
    let chapter = &chapters[3];
    let mut saved = SavedProgress::parse("not json");
    assert_eq!(saved.done(&chapter.id), 0);
    saved.record(&chapter.id, 2);
    saved.record(&chapter.id, 1);
    let saved = SavedProgress::parse(&saved.to_json());
    assert_eq!(saved.done(&chapter.id), 2);
    let world = world_at(chapter, saved.done(&chapter.id)).unwrap();
    let mut tracker = Tracker::start(chapter, 2, &world);
    assert_eq!(tracker.task, 2);
    assert!(!tracker.observe(
        chapter,
        &world,
        world.sim.broker.events(),
        world.sim.actor_events()
    ));
}

/// The code panel's programs for each finished chapter.
#[test]
fn pika_code_for_the_finished_chapters() {
    for chapter in chapters() {
        let world = world_at(&chapter, chapter.tasks.len()).unwrap();
        let mut code = pika::topology_program(&world.sim);
        for p in world.sim.producers() {
            code += &pika::producer_program(&p.spec, &world.sim.broker);
        }
        for w in world.sim.workers() {
            code += &pika::worker_program(&w.spec, &world.sim.broker);
        }
        assert!(!code.contains("deliver_tag"), "{}", chapter.id);
        let expect: &[&str] = match chapter.number {
            1 => &["channel.queue_declare(queue='hello')", "auto_ack=True"],
            2 => &["time.sleep(body.count(b'.'))"],
            3 => &["ch.basic_ack(delivery_tag=method.delivery_tag)"],
            4 => &["durable=True", "delivery_mode=pika.DeliveryMode.Persistent"],
            5 => &["channel.basic_qos(prefetch_count=1)"],
            6 => &[
                "exchange_type='fanout'",
                "exclusive=True",
                "result.method.queue",
            ],
            7 => &["exchange_type='direct'", "routing_key='ja'"],
            8 => &["exchange_type='topic'", "routing_key='europe.#'"],
            9 => &[
                "reply_to=callback_queue",
                "correlation_id=corr_id",
                "properties.reply_to",
            ],
            10 => &["channel.confirm_delivery()"],
            _ => &[],
        };
        for e in expect {
            assert!(code.contains(e), "{}: no {e} in\n{code}", chapter.id);
        }
    }
}
