//! The simulation layer: the lessons' programs as actors on one virtual clock.

use warren::engine::event::EventKind;
use warren::engine::message::Properties;
use warren::engine::method::QueueDeclare;
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{BrokerConfig, Method};
use warren::sim::bounded::{Prefetch, VirtualMs};
use warren::sim::{ActorEventKind, OnDone, ProducerSpec, Simulation, WorkTime, WorkerSpec};

#[path = "support/chan.rs"]
mod chan;
use chan::Chan;

fn ms(n: u64) -> VirtualMs {
    VirtualMs::new(n).unwrap()
}

fn prefetch(n: u64) -> Prefetch {
    Prefetch::new(n).unwrap()
}

/// A fresh simulation after a setup client's `method` (a declare).
fn simulation_after(method: Method) -> Simulation {
    let mut sim = Simulation::new(BrokerConfig::default());
    let setup = Chan::connect(&mut sim.broker, "setup");
    setup.call(&mut sim.broker, method).unwrap();
    sim
}

/// A simulation with one durable queue (declared with `arguments`) and a
/// producer publishing to it.
fn queue_and_producer(
    queue: &str,
    arguments: FieldTable,
    producer: ProducerSpec,
) -> (Simulation, warren::sim::ActorId) {
    let mut sim = simulation_after(Method::QueueDeclare(QueueDeclare {
        durable: true,
        arguments,
        ..QueueDeclare::named(queue)
    }));
    let producer = sim
        .add_producer(ProducerSpec {
            routing_key: queue.into(),
            ..producer
        })
        .unwrap();
    (sim, producer)
}

fn work_queue() -> (Simulation, warren::sim::ActorId) {
    queue_and_producer(
        "task_queue",
        FieldTable::new(),
        ProducerSpec {
            name: "new_task.py".into(),
            properties: Properties {
                delivery_mode: Some(2),
                ..Default::default()
            },
            ..Default::default()
        },
    )
}

fn worker(name: &str) -> WorkerSpec {
    WorkerSpec {
        name: name.into(),
        queue: "task_queue".into(),
        prefetch: prefetch(1),
        work: WorkTime::PerDot { ms: ms(1000) },
        on_done: OnDone::Ack,
        ..Default::default()
    }
}

#[test]
fn the_work_queue_lesson_round_robin_then_kill_and_redeliver() {
    let (mut sim, producer) = work_queue();
    let w1 = sim.add_worker(worker("worker 1")).unwrap();
    let w2 = sim.add_worker(worker("worker 2")).unwrap();
    let bodies = [
        "First message.",
        "Second message..",
        "Third message...",
        "Fourth message....",
        "Fifth message.....",
    ];
    for body in bodies {
        let spec = ProducerSpec {
            body: body.into(),
            ..sim.producer(producer).unwrap().spec.clone()
        };
        let id = sim.add_producer(spec).unwrap();
        sim.publish(id).unwrap();
    }
    // First deliveries happen at once: one message each (prefetch 1).
    sim.run_for(0);
    let w1_task = sim
        .worker(w1)
        .unwrap()
        .current
        .clone()
        .expect("worker 1 is busy");
    let w2_task = sim
        .worker(w2)
        .unwrap()
        .current
        .clone()
        .expect("worker 2 is busy");
    assert_eq!(w1_task.delivery.body, "First message.");
    assert_eq!(w2_task.delivery.body, "Second message..");
    assert_eq!(sim.broker.queue_stats("task_queue").unwrap().ready, 3);

    // One second later worker 1 is done with "First message." and takes the third.
    sim.run_for(1000);
    assert_eq!(
        sim.worker(w1)
            .unwrap()
            .current
            .as_ref()
            .unwrap()
            .delivery
            .body,
        "Third message..."
    );

    // Kill worker 2 in the middle of "Second message..": it goes to worker 1, redelivered.
    sim.kill_worker(w2);
    sim.run_for(60_000);
    let redelivered: Vec<(String, bool)> = sim
        .actor_events()
        .iter()
        .filter_map(|e| match &e.kind {
            ActorEventKind::WorkerStarted {
                worker,
                message,
                redelivered,
                ..
            } if *worker == w1 => Some((*message, *redelivered)),
            _ => None,
        })
        .map(|(m, r)| (body_of(&sim, m), r))
        .collect();
    assert!(
        redelivered.contains(&("Second message..".to_string(), true)),
        "{redelivered:?}"
    );
    assert_eq!(
        sim.worker(w1).unwrap().done,
        5,
        "worker 1 finished everything"
    );
    let stats = sim.broker.queue_stats("task_queue").unwrap();
    assert_eq!((stats.ready, stats.unacked), (0, 0));
}

fn body_of(sim: &Simulation, message: u64) -> String {
    sim.broker
        .events()
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Published { message: m, .. } if m.id().0 == message => Some(m.body_text()),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn forgotten_acks_pile_up_and_a_restart_keeps_persistent_messages() {
    let (mut sim, producer) = work_queue();
    let forgetful = sim
        .add_worker(WorkerSpec {
            on_done: OnDone::Forget,
            prefetch: prefetch(0),
            ..worker("forgetful")
        })
        .unwrap();
    sim.publish_n(producer, 3).unwrap();
    sim.run_for(10_000);
    let stats = sim.broker.queue_stats("task_queue").unwrap();
    assert_eq!((stats.ready, stats.unacked), (0, 3), "unacked pile up");
    assert_eq!(sim.worker(forgetful).unwrap().done, 3);
    sim.restart_broker();
    let stats = sim.broker.queue_stats("task_queue").unwrap();
    assert_eq!(
        (stats.ready, stats.unacked, stats.consumers),
        (3, 0, 0),
        "durable queue + persistent messages survive"
    );
    sim.reconnect_worker(forgetful).unwrap();
    sim.run_until_idle(10_000);
    let redelivered = sim
        .broker
        .events()
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                EventKind::Delivered {
                    redelivered: true,
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        redelivered, 3,
        "they come back redelivered after the restart"
    );
}

#[test]
fn publishing_every_interval_follows_the_virtual_clock() {
    let (mut sim, producer) = work_queue();
    sim.publish_every(producer, Some(500));
    sim.run_for(2_000);
    assert_eq!(sim.producer(producer).unwrap().sent, 4);
    sim.publish_every(producer, None);
    sim.run_for(2_000);
    assert_eq!(sim.producer(producer).unwrap().sent, 4);
    assert_eq!(sim.broker.queue_stats("task_queue").unwrap().ready, 4);
}

/// The publish/subscribe lesson: each subscriber declares its own
/// exclusive, server-named queue; a fanout copies every message to each;
/// the queue goes away with its worker.
#[test]
fn subscribing_workers_own_exclusive_queues() {
    use warren::engine::method::ExchangeDeclare;
    use warren::sim::Subscription;
    let mut sim = simulation_after(Method::ExchangeDeclare(ExchangeDeclare::new(
        "logs", "fanout",
    )));
    let subscriber = |name: &str| WorkerSpec {
        name: name.into(),
        subscribe: Some(Subscription {
            exchange: "logs".into(),
            routing_keys: vec![],
        }),
        no_ack: true,
        work: WorkTime::Fixed { ms: ms(0) },
        ..Default::default()
    };
    let a = sim.add_worker(subscriber("receive_logs 1")).unwrap();
    let b = sim.add_worker(subscriber("receive_logs 2")).unwrap();
    let qa = sim.worker(a).unwrap().queue.clone();
    let qb = sim.worker(b).unwrap().queue.clone();
    assert!(qa.starts_with("amq.gen-") && qb.starts_with("amq.gen-") && qa != qb);
    let p = sim
        .add_producer(ProducerSpec {
            name: "emit_log.py".into(),
            exchange: "logs".into(),
            routing_key: String::new(),
            body: "info: {n}".into(),
            ..Default::default()
        })
        .unwrap();
    sim.publish_n(p, 3).unwrap();
    sim.run_until_idle(1_000);
    assert_eq!(sim.worker(a).unwrap().done, 3);
    assert_eq!(sim.worker(b).unwrap().done, 3);
    sim.kill_worker(a);
    assert!(
        sim.broker.queue_stats(&qa).is_none(),
        "exclusive queue deleted with its connection"
    );
    assert!(sim.broker.queue_stats(&qb).is_some());
}

/// The RPC lesson: the client's requests carry reply_to (its callback
/// queue) and a correlation_id; the server answers fib(n) to that queue.
#[test]
fn rpc_client_and_server() {
    let mut sim = simulation_after(Method::QueueDeclare(QueueDeclare::named("rpc_queue")));
    let server = sim
        .add_worker(WorkerSpec {
            name: "rpc_server.py".into(),
            queue: "rpc_queue".into(),
            prefetch: prefetch(1),
            work: WorkTime::Fixed { ms: ms(100) },
            reply: true,
            ..Default::default()
        })
        .unwrap();
    let client = sim
        .add_producer(ProducerSpec {
            name: "rpc_client.py".into(),
            routing_key: "rpc_queue".into(),
            body: "30".into(),
            rpc: true,
            ..Default::default()
        })
        .unwrap();
    sim.publish_n(client, 2).unwrap();
    sim.run_until_idle(1_000);
    let p = sim.producer(client).unwrap();
    assert_eq!(p.replies, 2);
    assert!(p.awaiting.is_empty());
    assert_eq!(sim.worker(server).unwrap().done, 2);
    let answers: Vec<String> = sim
        .broker
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Delivered {
                message,
                queue_name,
                ..
            } if queue_name.starts_with("amq.gen-") => Some(message.body_text()),
            _ => None,
        })
        .collect();
    assert_eq!(answers, ["832040", "832040"]);
    assert_eq!(warren::sim::rpc_answer("10"), "55");
    assert_eq!(warren::sim::rpc_answer("x"), "reply to x");
}

/// A stream worker: basic.consume's arguments (`x-stream-offset`) reach
/// the broker, a stream refuses a worker without a prefetch (406, as
/// RabbitMQ does), and acking leaves the log as it was.
#[test]
fn stream_workers_start_where_their_consumer_arguments_say() {
    let (mut sim, producer) = queue_and_producer(
        "events",
        FieldTable::from([(
            "x-queue-type".to_string(),
            FieldValue::LongStr("stream".into()),
        )]),
        ProducerSpec {
            name: "emit_event.py".into(),
            body: "event {n}".into(),
            ..Default::default()
        },
    );
    for _ in 0..5 {
        sim.publish(producer).unwrap();
    }
    let reader = |name: &str, prefetch_count: u64, offset: Option<FieldValue>| WorkerSpec {
        name: name.into(),
        queue: "events".into(),
        prefetch: prefetch(prefetch_count),
        arguments: offset
            .map(|o| FieldTable::from([("x-stream-offset".to_string(), o)]))
            .unwrap_or_default(),
        work: WorkTime::Fixed { ms: ms(0) },
        on_done: OnDone::Ack,
        ..Default::default()
    };
    let refused = sim
        .add_worker(reader(
            "no qos",
            0,
            Some(FieldValue::LongStr("first".into())),
        ))
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("consumer prefetch count is not set"),
        "{refused}"
    );
    let first = sim
        .add_worker(reader(
            "first",
            1,
            Some(FieldValue::LongStr("first".into())),
        ))
        .unwrap();
    let third = sim
        .add_worker(reader("third", 1, Some(FieldValue::Long(3))))
        .unwrap();
    let tail = sim.add_worker(reader("tail", 1, None)).unwrap();
    sim.run_for(1000);
    let bodies = |id| -> Vec<String> {
        sim.broker
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Delivered {
                    message, channel, ..
                } if Some(*channel) == sim.worker(id).map(|w| w.link.channel) => {
                    Some(String::from_utf8_lossy(&message.body()).into_owned())
                }
                _ => None,
            })
            .collect()
    };
    let all: Vec<String> = (1..=5).map(|n| format!("event {n}")).collect();
    assert_eq!(bodies(first), all);
    assert_eq!(bodies(third), all[3..]);
    assert!(bodies(tail).is_empty(), "no offset reads from next");
    let events = sim.broker.queue_by_name("events").unwrap();
    assert_eq!(
        events.ready_count() + events.unacked,
        5,
        "acks remove nothing"
    );
}
