//! The workbench's lesson presets: the programs of RabbitMQ's tutorials 1
//! to 5 as the `Command`s that build them (queues, exchanges, bindings, a
//! producer and its workers), for the build panel's lesson buttons and for
//! tests that need a realistic run.

use crate::engine::message::Properties;
use crate::engine::method::{ExchangeDeclare, Method, QueueBind, QueueDeclare};
use crate::sim::bounded::Prefetch;
use crate::sim::world::Command;
use crate::sim::{OnDone, ProducerSpec, WorkerSpec};

fn queue(name: &str, durable: bool) -> Command {
    Command::Method(Method::QueueDeclare(QueueDeclare {
        queue: name.into(),
        durable,
        ..Default::default()
    }))
}

fn producer(name: &str, x: &str, key: &str, body: &str, persistent: bool) -> Command {
    Command::AddProducer(ProducerSpec {
        name: name.into(),
        exchange: x.into(),
        routing_key: key.into(),
        body: body.into(),
        properties: Properties {
            delivery_mode: persistent.then_some(2),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn worker(name: &str, q: &str, no_ack: bool, prefetch: u16) -> Command {
    Command::AddWorker(WorkerSpec {
        name: name.into(),
        queue: q.into(),
        no_ack,
        prefetch: Prefetch::new(u64::from(prefetch)).unwrap_or_default(),
        on_done: OnDone::Ack,
        ..Default::default()
    })
}

/// A lesson around exchange `x` of type `kind`: the queues its `bindings`
/// (queue, key) name, declared in that order and bound; a producer
/// (`emit_log….py`, routing key, body) publishing to `x`; and one auto-ack
/// worker per (name, queue).
fn routed(
    (x, kind): (&str, &str),
    bindings: &[(&str, &str)],
    (name, key, body): (&str, &str, &str),
    workers: &[(&str, &str)],
) -> Vec<Command> {
    let mut out = vec![Command::Method(Method::ExchangeDeclare(
        ExchangeDeclare::new(x, kind),
    ))];
    let mut queues: Vec<&str> = Vec::new();
    for (q, _) in bindings {
        if !queues.contains(q) {
            queues.push(q);
            out.push(queue(q, false));
        }
    }
    for (q, k) in bindings {
        out.push(Command::Method(Method::QueueBind(QueueBind::new(q, x, k))));
    }
    out.push(producer(name, x, key, body, false));
    out.extend(workers.iter().map(|(w, q)| worker(w, q, true, 0)));
    out
}

/// The lessons' programs, ready to step through.
pub fn lesson(n: usize) -> Vec<Command> {
    match n {
        0 => vec![
            queue("hello", false),
            producer("send.py", "", "hello", "Hello World!", false),
            worker("receive.py", "hello", true, 0),
        ],
        1 => vec![
            queue("task_queue", true),
            producer("new_task.py", "", "task_queue", "A task...", true),
            worker("worker 1", "task_queue", false, 1),
            worker("worker 2", "task_queue", false, 1),
        ],
        2 => routed(
            ("logs", "fanout"),
            &[("logs.console", ""), ("logs.file", "")],
            ("emit_log.py", "", "info: Hello World!"),
            &[
                ("receive_logs 1", "logs.console"),
                ("receive_logs 2", "logs.file"),
            ],
        ),
        3 => routed(
            ("direct_logs", "direct"),
            &[
                ("errors", "error"),
                ("all_logs", "info"),
                ("all_logs", "warning"),
                ("all_logs", "error"),
            ],
            (
                "emit_log_direct.py",
                "error",
                "Run. Run. Or it will explode.",
            ),
            &[("save errors", "errors"), ("print all", "all_logs")],
        ),
        _ => routed(
            ("topic_logs", "topic"),
            &[("Q1", "*.orange.*"), ("Q2", "*.*.rabbit"), ("Q2", "lazy.#")],
            (
                "emit_log_topic.py",
                "quick.orange.rabbit",
                "A quick orange rabbit",
            ),
            &[("C1", "Q1"), ("C2", "Q2")],
        ),
    }
}
