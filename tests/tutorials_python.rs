//! Checkpoints pass however the task was done, Python included (issue 15):
//! chapters 1 and 2 done by byte-level AMQP clients, as the terminals' pika
//! scripts do them (`Command::Wire`), with no workbench actor. Each client
//! is opened for its script (`send.py`, `new_task.py`, ...), which names its
//! connection, and the checkpoints naming that actor count what the
//! process did on it (see `tutorial::check::process_channels`).

use warren::engine::method::{BasicConsume, BasicPublish, ConnectionOpen, Method, QueueDeclare};
use warren::engine::value::FieldValue;
use warren::sim::wire::WireId;
use warren::sim::world::{WireOp, World};
use warren::tutorial::catalog;
use warren::tutorial::progress::{checkpoints_holding, mark, world_at};
use warren::tutorial::Chapter;
use warren::wire::{
    encode_client_method, encode_method_frame, ConnectionStartOk, Tune, WireMethod, PROTOCOL_HEADER,
};

fn chapter(id: &str) -> Chapter {
    catalog::chapters()
        .into_iter()
        .map(|c| c.unwrap_or_else(|(file, e)| panic!("{file}: {e}")))
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no chapter {id}"))
}

/// A pika-like process's connection with channel 1 open: the script
/// `process` (what the terminal runs), naming itself `connection_name`
/// if the script sets it in its client properties.
struct Process {
    id: WireId,
}

impl Process {
    fn write(&self, world: &mut World, bytes: Vec<u8>) {
        world
            .sim
            .wire_input(self.id, &WireOp::Data(bytes))
            .expect("a connected client's bytes are taken");
    }

    fn send(&self, world: &mut World, channel: u16, method: &WireMethod) {
        let mut out = Vec::new();
        encode_method_frame(&mut out, channel, method).expect("encodes");
        self.write(world, out);
    }

    fn call(&self, world: &mut World, method: &Method) {
        let mut out = Vec::new();
        encode_client_method(&mut out, 1, method, 131_072).expect("encodes");
        self.write(world, out);
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

    /// The process ends (its socket closes).
    fn exit(self, world: &mut World) {
        world
            .sim
            .wire_input(self.id, &WireOp::Close)
            .expect("a client can always go");
        world.sim.run_until(world.sim.now());
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
fn run_chapter(chapter: &Chapter, mut do_task: impl FnMut(usize, &mut World, &mut WireId)) {
    let mut world = world_at(chapter, 0).expect("the chapter starts");
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

fn fresh(next_id: &mut WireId) -> WireId {
    *next_id += 1;
    *next_id
}

#[test]
fn hello_world_passes_when_send_py_and_receive_py_do_it() {
    let chapter = chapter("01-hello-world");
    let ids: Vec<&str> = chapter.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["declare", "publish", "consume", "redeclare"]);
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
    let chapter = chapter("02-work-queues");
    let ids: Vec<&str> = chapter.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["backlog", "first-worker", "round-robin"]);
    let new_task = |world: &mut World, next_id: &mut WireId, body: &str| {
        let p = Process::start(world, fresh(next_id), "new_task.py", None);
        p.call(world, &publish_to_hello(body));
        p.exit(world);
    };
    // The chapter names its two workers `worker 1` and `worker 2`: both
    // terminals run worker.py, so each sets its connection_name (as
    // RabbitMQ shows it) to tell them apart.
    let worker = |world: &mut World, next_id: &mut WireId, name: &str| {
        let p = Process::start(world, fresh(next_id), "worker.py", Some(name));
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
        1 => worker(world, next_id, "worker 1"),
        _ => {
            worker(world, next_id, "worker 2");
            for n in 1..=4 {
                new_task(world, next_id, &format!("Task {n}.."));
            }
            let later = world.sim.now() + 60_000;
            world.sim.run_until(later);
        }
    });
}

/// A process counts only for its own name, and a simulated actor's name
/// stays that actor's: a process of the same name adds nothing to it.
#[test]
fn a_process_stands_in_only_for_its_own_name() {
    let chapter = chapter("01-hello-world");
    let mut world = world_at(&chapter, 1).expect("the chapter starts");
    let since = mark(&world);
    let p = Process::start(&mut world, 1, "receive.py", None);
    p.call(&mut world, &declare_hello());
    p.call(&mut world, &publish_to_hello("Hello World!"));
    let held = checkpoints_holding(&chapter.tasks[1], &world, since);
    assert!(!held[0], "receive.py's publish is not send.py's");

    // In chapter 2 new_task.py is a workbench producer: its `producer`
    // checks read its own counters, whatever a process of that name did.
    let chapter = chapter_2_with_producer_check();
    let mut world = world_at(&chapter, 0).expect("the chapter starts");
    let since = mark(&world);
    let p = Process::start(&mut world, 1, "new_task.py", None);
    p.call(&mut world, &publish_to_hello("First message."));
    assert_eq!(
        checkpoints_holding(&chapter.tasks[0], &world, since),
        vec![false]
    );
}

/// Chapter 2, its first checkpoint replaced by a `producer` check on the
/// workbench's own new_task.py.
fn chapter_2_with_producer_check() -> Chapter {
    let mut c = chapter("02-work-queues");
    c.tasks[0].checks.truncate(1);
    c.tasks[0].checks[0].expect = serde_json::from_value(
        serde_json::json!({"producer": {"name": "new_task.py", "sent": {"min": 1}}}),
    )
    .expect("a condition");
    c
}
