//! Checkpoints pass however the task was done, Python included (issue 15):
//! chapters 1 to 4 done by byte-level AMQP clients, as the terminals' pika
//! scripts do them (`Command::Wire`). Each client is opened for its
//! terminal's script (`send.py`, `new_task.py`, `worker.py (2)` for the
//! second terminal running worker.py), which names its connection, and the
//! checkpoints naming an actor count what the processes standing in for it
//! did (see `tutorial::check::process`).

#[path = "support/wire_bytes.rs"]
mod wire_bytes;

use warren::engine::message::Properties;
use warren::engine::method::{
    BasicAck, BasicConsume, BasicPublish, BasicQos, ConnectionOpen, Method, QueueDeclare,
};
use warren::engine::value::FieldValue;
use warren::sim::wire::WireId;
use warren::sim::world::{Command, WireOp, World};
use warren::tutorial::action::{play, Action};
use warren::tutorial::catalog;
use warren::tutorial::progress::{checkpoints_holding, mark, world_at};
use warren::tutorial::Chapter;
use warren::wire::{ConnectionStartOk, Tune, WireMethod, PROTOCOL_HEADER};

fn chapter(id: &str) -> Chapter {
    catalog::chapters()
        .into_iter()
        .map(|c| c.unwrap_or_else(|(file, e)| panic!("{file}: {e}")))
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no chapter {id}"))
}

/// Chapter `id`, whose tasks are `tasks` (the test below does each).
fn chapter_with_tasks(id: &str, tasks: &[&str]) -> Chapter {
    let chapter = chapter(id);
    let ids: Vec<&str> = chapter.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, tasks, "{id}'s tasks");
    chapter
}

/// A pika-like process's connection with channel 1 open: the script
/// `process` (what the terminal runs), naming itself `connection_name`
/// if the script sets it in its client properties.
struct Process {
    id: WireId,
}

impl Process {
    fn write(&self, world: &mut World, bytes: Vec<u8>) {
        wire_bytes::write(&mut world.sim, self.id, bytes);
    }

    fn send(&self, world: &mut World, channel: u16, method: &WireMethod) {
        wire_bytes::send(&mut world.sim, self.id, channel, method);
    }

    fn call(&self, world: &mut World, method: &Method) {
        wire_bytes::call(&mut world.sim, self.id, method);
        world.sim.run_until(world.sim.now());
    }

    /// Connects as guest and opens channel 1 (the broker's answers are
    /// not read: these tests look at the broker's side).
    fn start(
        world: &mut World,
        id: WireId,
        process: &str,
        connection_name: Option<&str>,
    ) -> Process {
        world
            .sim
            .wire_input(
                id,
                &WireOp::Open {
                    process: Some(process.to_string()),
                },
            )
            .expect("a fresh id");
        let p = Process { id };
        p.write(world, PROTOCOL_HEADER.to_vec());
        let client_properties = connection_name
            .map(|n| {
                (
                    "connection_name".to_string(),
                    FieldValue::LongStr(n.to_string()),
                )
            })
            .into_iter()
            .collect();
        p.send(
            world,
            0,
            &WireMethod::ConnectionStartOk(ConnectionStartOk {
                client_properties,
                mechanism: "PLAIN".into(),
                response: b"\0guest\0guest".to_vec(),
                locale: "en_US".into(),
            }),
        );
        p.send(
            world,
            0,
            &WireMethod::ConnectionTuneOk(Tune {
                channel_max: 2047,
                frame_max: 131_072,
                heartbeat: 0,
            }),
        );
        p.send(
            world,
            0,
            &WireMethod::ConnectionOpen(ConnectionOpen {
                virtual_host: "/".into(),
            }),
        );
        p.send(world, 1, &WireMethod::ChannelOpen);
        p
    }

    /// The process ends (its socket closes), and the broker goes on.
    fn exit(self, world: &mut World) {
        let now = world.sim.now();
        self.killed(world);
        world.sim.run_until(now);
    }

    /// The process dies (Ctrl-C, kill, an exception): its socket closes,
    /// and nothing else happens yet.
    fn killed(self, world: &mut World) {
        world
            .sim
            .wire_input(self.id, &WireOp::Close)
            .expect("a client can always go");
    }
}

fn declare_hello() -> Method {
    Method::QueueDeclare(QueueDeclare::named("hello"))
}

fn publish_to_hello(body: &str) -> Method {
    Method::BasicPublish(BasicPublish {
        routing_key: "hello".into(),
        body: body.as_bytes().to_vec(),
        ..BasicPublish::default()
    })
}

fn consume_hello_auto_ack() -> Method {
    Method::BasicConsume(BasicConsume {
        queue: "hello".into(),
        no_ack: true,
        ..BasicConsume::default()
    })
}

/// Runs each task of `chapter` done by `do_task` (its index), checking
/// that its checkpoints did not all hold before and all hold after.
fn run_chapter(chapter: &Chapter, do_task: impl FnMut(usize, &mut World, &mut WireId)) {
    run_chapter_with(chapter, |_| {}, do_task)
}

/// [`run_chapter`], with `prepare` done on the chapter's world first.
fn run_chapter_with(
    chapter: &Chapter,
    prepare: impl FnOnce(&mut World),
    mut do_task: impl FnMut(usize, &mut World, &mut WireId),
) {
    let mut world = world_at(chapter, 0).expect("the chapter starts");
    prepare(&mut world);
    let mut next_id: WireId = 1;
    for (t, task) in chapter.tasks.iter().enumerate() {
        let since = mark(&world);
        let before = checkpoints_holding(&chapter.tasks[t], &world, since);
        assert!(
            !before.iter().all(|h| *h),
            "{} '{}' passes before Python did it",
            chapter.id,
            task.id
        );
        do_task(t, &mut world, &mut next_id);
        let after = checkpoints_holding(&chapter.tasks[t], &world, since);
        for (c, ok) in after.iter().enumerate() {
            assert!(
                ok,
                "{} '{}': checkpoint '{}' fails when Python did the task",
                chapter.id, task.id, task.checks[c].label.en
            );
        }
    }
}

/// A run of new_task.py: one publish to hello, and it exits.
fn new_task(world: &mut World, next_id: &mut WireId, body: &str) {
    let p = Process::start(world, fresh(next_id), "new_task.py", None);
    p.call(world, &publish_to_hello(body));
    p.exit(world);
}

fn fresh(next_id: &mut WireId) -> WireId {
    *next_id += 1;
    *next_id
}

#[test]
fn hello_world_passes_when_send_py_and_receive_py_do_it() {
    let chapter = chapter_with_tasks(
        "01-hello-world",
        &["declare", "publish", "consume", "redeclare"],
    );
    run_chapter(&chapter, |t, world, next_id| match t {
        // The declare a script starts with (send.py's first lines).
        0 | 3 => {
            let p = Process::start(world, fresh(next_id), "send.py", None);
            p.call(world, &declare_hello());
            p.exit(world);
        }
        1 => {
            let p = Process::start(world, fresh(next_id), "send.py", None);
            p.call(world, &declare_hello());
            p.call(world, &publish_to_hello("Hello World!"));
            p.exit(world);
        }
        // receive.py consumes with auto_ack=True and keeps running.
        _ => {
            let p = Process::start(world, fresh(next_id), "receive.py", None);
            p.call(world, &declare_hello());
            p.call(world, &consume_hello_auto_ack());
        }
    });
}

#[test]
fn work_queues_pass_when_new_task_py_and_two_worker_py_do_them() {
    let chapter = chapter_with_tasks(
        "02-work-queues",
        &["backlog", "first-worker", "round-robin"],
    );
    // The chapter names its two workers `worker 1` and `worker 2`: two
    // terminals run worker.py, and the terminals name the second one's
    // connections `worker.py (2)`.
    let worker = |world: &mut World, next_id: &mut WireId, terminal: &str| {
        let p = Process::start(world, fresh(next_id), terminal, None);
        p.call(world, &declare_hello());
        p.call(world, &consume_hello_auto_ack());
    };
    run_chapter(&chapter, |t, world, next_id| match t {
        0 => {
            for body in [
                "First message.",
                "Second message..",
                "Third message...",
                "Fourth message....",
                "Fifth message.....",
            ] {
                new_task(world, next_id, body);
            }
        }
        1 => worker(world, next_id, "worker.py"),
        _ => {
            worker(world, next_id, "worker.py (2)");
            for n in 1..=4 {
                new_task(world, next_id, &format!("Task {n}.."));
            }
            let later = world.sim.now() + 60_000;
            world.sim.run_until(later);
        }
    });
}

fn consume(queue: &str, no_ack: bool) -> Method {
    Method::BasicConsume(BasicConsume {
        queue: queue.into(),
        no_ack,
        ..BasicConsume::default()
    })
}

fn prefetch_one() -> Method {
    Method::BasicQos(BasicQos {
        prefetch_count: 1,
        ..BasicQos::default()
    })
}

fn ack(delivery_tag: u64) -> Method {
    Method::BasicAck(BasicAck {
        delivery_tag,
        multiple: false,
    })
}

fn publish_persistent(queue: &str, body: &str) -> Method {
    Method::BasicPublish(BasicPublish {
        routing_key: queue.into(),
        body: body.as_bytes().to_vec(),
        properties: Properties {
            delivery_mode: Some(2),
            ..Properties::default()
        },
        ..BasicPublish::default()
    })
}

fn run_for(world: &mut World, ms: u64) {
    let later = world.sim.now() + ms;
    world.sim.run_until(later);
}

/// Chapter 3 with three terminals running worker.py (the chapter's
/// `worker 1`, `worker 2`, `worker 3`), new_task.py and two running the
/// lesson's customer.py (`customer.py`, `customer 2`). The learner first
/// removes the workbench's own two workers, so the processes are the only
/// consumers.
#[test]
fn acknowledgements_pass_when_worker_py_and_customer_py_do_them() {
    use serde_json::json;
    let chapter = chapter_with_tasks(
        "03-acknowledgements",
        &[
            "kill-busy",
            "redelivered",
            "forget-ack",
            "release",
            "deliver-tag-typo",
            "poison",
            "ack-timeout",
        ],
    );
    // The lesson's worker.py: prefetch 1, manual ack.
    let worker = |world: &mut World, next_id: &mut WireId, terminal: &str| {
        let p = Process::start(world, fresh(next_id), terminal, None);
        p.call(world, &declare_hello());
        p.call(world, &prefetch_one());
        p.call(world, &consume("hello", false));
        p
    };
    let mut live: Vec<Process> = Vec::new();
    run_chapter_with(
        &chapter,
        |world| {
            workbench(world, json!({"do": "remove_worker", "worker": "worker 1"}));
            workbench(world, json!({"do": "remove_worker", "worker": "worker 2"}));
        },
        |t, world, next_id| match t {
            // worker 1 takes the ten-second task and is killed holding it.
            0 => {
                let first = worker(world, next_id, "worker.py");
                let second = worker(world, next_id, "worker.py (2)");
                new_task(world, next_id, "A long task..........");
                first.killed(world);
                live.push(second);
            }
            // worker 2 gets it again, works ten seconds, and acks it.
            1 => {
                run_for(world, 10_000);
                live[0].call(world, &ack(1));
            }
            // worker 2's terminal runs a copy without basic_ack (and
            // without basic_qos, as the lesson's pika line shows).
            2 => {
                live.remove(0).exit(world);
                let p = Process::start(world, fresh(next_id), "worker.py (2)", None);
                p.call(world, &declare_hello());
                p.call(world, &consume("hello", false));
                live.push(p);
                for _ in 0..3 {
                    new_task(world, next_id, "Quick task.");
                }
                run_for(world, 5_000);
            }
            // Ctrl-C on it.
            3 => live.remove(0).killed(world),
            // customer.py's callback raises on method.deliver_tag: the
            // process exits at once, holding what it was sent.
            4 | 5 => {
                let terminal = if t == 4 {
                    "customer.py"
                } else {
                    "customer.py (2)"
                };
                let p = Process::start(world, fresh(next_id), terminal, None);
                p.call(world, &declare_hello());
                p.call(world, &consume("hello", false));
                p.exit(world);
            }
            // worker 3 sleeps 45 minutes before its ack; 32 pass.
            _ => {
                live.push(worker(world, next_id, "worker.py (3)"));
                run_for(world, 32 * 60_000);
            }
        },
    );
}

/// Chapter 4 with the lesson's producers and worker in terminals, and the
/// workbench's Restart and Crash buttons for the broker.
#[test]
fn durability_passes_when_new_task_py_publishes_and_the_broker_goes_down() {
    let chapter = chapter_with_tasks(
        "04-durability",
        &[
            "redeclare-ja",
            "survive-restart",
            "worker-not-durable",
            "crash-window",
        ],
    );
    let declare = |queue: &str, durable: bool| {
        Method::QueueDeclare(QueueDeclare {
            durable,
            ..QueueDeclare::named(queue)
        })
    };
    run_chapter(&chapter, |t, world, next_id| match t {
        // Lesson 000 §3.3's producer.py declares ja durable.
        0 => {
            let p = Process::start(world, fresh(next_id), "producer.py", None);
            p.call(world, &declare("ja", true));
            p.exit(world);
        }
        1 => {
            let p = Process::start(world, fresh(next_id), "new_task.py", None);
            p.call(world, &declare("task_queue", true));
            p.call(world, &publish_persistent("task_queue", "Task 1..."));
            p.call(world, &publish_persistent("task_queue", "Task 2..."));
            p.exit(world);
            world.apply(&Command::RestartBroker).expect("it restarts");
        }
        // A worker.py that still declares task_queue without durable.
        2 => {
            let p = Process::start(world, fresh(next_id), "worker.py", None);
            p.call(world, &declare("task_queue", false));
            p.exit(world);
        }
        // new_task.py with confirm_delivery(): the first publish is
        // confirmed once written, the broker crashes under the second.
        _ => {
            let p = Process::start(world, fresh(next_id), "new_task.py", None);
            p.call(world, &declare("task_queue", true));
            p.call(world, &Method::ConfirmSelect { no_wait: false });
            p.call(world, &publish_persistent("task_queue", "Task 3..."));
            run_for(world, 500);
            p.call(world, &publish_persistent("task_queue", "Task 4..."));
            world.apply(&Command::CrashBroker).expect("it crashes");
        }
    });
}

/// The learner does `action` (a solution step's JSON) on the workbench.
fn workbench(world: &mut World, action: serde_json::Value) {
    let action: Action = serde_json::from_value(action).expect("an action");
    play(world, &[action]).expect("the workbench does it");
}

/// Whether `condition` (a checkpoint's JSON) holds in `world` for a task
/// begun at `since`.
fn holds(world: &World, since: (u64, usize), condition: serde_json::Value) -> bool {
    let mut task = chapter("01-hello-world").tasks[0].clone();
    task.checks.truncate(1);
    task.checks[0].expect = serde_json::from_value(condition).expect("a condition");
    checkpoints_holding(&task, world, since)[0]
}

/// A process counts only for its own name, or the name its terminal's
/// number gives it.
#[test]
fn a_process_stands_in_only_for_its_own_name() {
    use serde_json::json;
    let chapter = chapter("01-hello-world");
    let mut world = world_at(&chapter, 1).expect("the chapter starts");
    let since = mark(&world);
    let p = Process::start(&mut world, 1, "receive.py", None);
    p.call(&mut world, &declare_hello());
    p.call(&mut world, &publish_to_hello("Hello World!"));
    let held = checkpoints_holding(&chapter.tasks[1], &world, since);
    assert!(!held[0], "receive.py's publish is not send.py's");
    assert!(holds(
        &world,
        since,
        json!({"producer": {"name": "receive 1"}})
    ));
    assert!(!holds(
        &world,
        since,
        json!({"producer": {"name": "send 1"}})
    ));

    // The second terminal's worker.py is worker 2, not worker 1; a
    // connection_name the script sets wins over the terminal's name.
    let second = Process::start(&mut world, 2, "worker.py (2)", None);
    second.call(&mut world, &publish_to_hello("from the second terminal"));
    let named = Process::start(&mut world, 3, "worker.py (3)", Some("worker 1"));
    named.call(&mut world, &publish_to_hello("named by the script"));
    named.call(&mut world, &publish_to_hello("named by the script"));
    for (name, sent) in [("worker 2", 1), ("worker 1", 2)] {
        assert!(
            holds(
                &world,
                since,
                json!({"producer": {"name": name, "sent": sent}})
            ),
            "{name} published {sent}"
        );
    }
    assert!(!holds(
        &world,
        since,
        json!({"producer": {"name": "worker 3"}})
    ));
}

/// A workbench actor and a process of the same name each count on their
/// own: chapter 2's workbench new_task.py and a terminal's new_task.py.
#[test]
fn an_actor_and_a_process_of_one_name_both_count_once() {
    use serde_json::json;
    let chapter = chapter("02-work-queues");
    let mut world = world_at(&chapter, 0).expect("the chapter starts");
    let since = mark(&world);
    assert!(!holds(
        &world,
        since,
        json!({"producer": {"name": "new_task.py", "sent": 1}})
    ));
    let p = Process::start(&mut world, 1, "new_task.py", None);
    p.call(&mut world, &publish_to_hello("First message."));
    assert!(holds(
        &world,
        since,
        json!({"producer": {"name": "new_task.py", "sent": 1}})
    ));
    workbench(
        &mut world,
        json!({"do": "publish", "producer": "new_task.py"}),
    );
    // Two producers of that name, each with one publish; never one with two.
    assert!(holds(
        &world,
        since,
        json!({"producer": {"name": "new_task.py", "sent": 1, "count": 2}})
    ));
    assert!(!holds(
        &world,
        since,
        json!({"producer": {"name": "new_task.py", "sent": 2}})
    ));
    assert!(holds(
        &world,
        since,
        json!({"event": {"kind": "published", "producer": "new_task.py", "count": 2}})
    ));
    assert!(holds(
        &world,
        since,
        json!({"actor_event": {"kind": "producer_published", "actor": "new_task.py", "count": 2}})
    ));
}

/// A Python worker that acks as it works forgets nothing, and one whose
/// channel the broker closes (the acknowledgement timeout) did not crash:
/// only its own side ending during the work is a crash.
#[test]
fn acking_in_time_is_not_forgetting_and_a_broker_close_is_not_a_crash() {
    use serde_json::json;
    let chapter = chapter("03-acknowledgements");
    let mut world = world_at(&chapter, 0).expect("the chapter starts");
    workbench(
        &mut world,
        json!({"do": "remove_worker", "worker": "worker 1"}),
    );
    workbench(
        &mut world,
        json!({"do": "remove_worker", "worker": "worker 2"}),
    );
    let since = mark(&world);
    let outcome = |world: &World, actor: &str, kind: &str, count: u64| {
        holds(
            world,
            since,
            json!({"actor_event": {"kind": "worker_finished", "actor": actor,
                   "where": {"outcome": {"kind": kind}}, "count": count}}),
        )
    };
    let w = Process::start(&mut world, 1, "worker.py", None);
    w.call(&mut world, &declare_hello());
    w.call(&mut world, &consume("hello", false));
    let p = Process::start(&mut world, 2, "new_task.py", None);
    for _ in 0..3 {
        p.call(&mut world, &publish_to_hello("Quick task."));
    }
    for tag in 1..=3 {
        assert!(outcome(&world, "worker 1", "forgot", 0), "before ack {tag}");
        run_for(&mut world, 1_000);
        w.call(&mut world, &ack(tag));
    }
    assert!(outcome(&world, "worker 1", "acked", 3));
    assert!(outcome(&world, "worker 1", "forgot", 0));
    w.exit(&mut world);

    // worker 2 never acks its ten-second task: forgotten after ten
    // seconds; the broker's timeout closes its channel, which is no crash.
    let slow = Process::start(&mut world, 3, "worker.py (2)", None);
    slow.call(&mut world, &declare_hello());
    slow.call(&mut world, &prefetch_one());
    slow.call(&mut world, &consume("hello", false));
    p.call(&mut world, &publish_to_hello("A long task.........."));
    run_for(&mut world, 9_000);
    assert!(outcome(&world, "worker 2", "forgot", 0), "still working");
    run_for(&mut world, 32 * 60_000);
    assert!(holds(
        &world,
        since,
        json!({"event": {"kind": "channel_closed", "worker": "worker 2",
               "where": {"by": "broker", "error": {"code": 406}}}})
    ));
    assert!(outcome(&world, "worker 2", "forgot", 1));
    assert!(outcome(&world, "worker 2", "crashed", 0));
    assert!(holds(
        &world,
        since,
        json!({"actor_event": {"kind": "worker_killed", "actor": "worker 2", "count": 0}})
    ));
}
