//! The Python code equivalent to what is on the screen, written for pika
//! (the client the lessons use), in the lessons' style.
//!
//! Three views: a line or two per workbench action ([`command`]), a whole
//! program per producer and worker ([`producer_program`],
//! [`worker_program`]) — what `send.py`, `worker.py`, `receive_logs.py`
//! would be — and a setup script declaring the current topology
//! ([`topology_program`]). The code is meant to run as is against a real
//! RabbitMQ: `tests/pika/` runs the chapters' programs and checks that they
//! behave as the chapters say.
//!
//! The lessons have a typo worth not copying: `method.deliver_tag`. The
//! attribute is `method.delivery_tag`, and every ack written here uses it
//! — except a worker told to crash (`OnDone::Crash`), which reproduces
//! the typo on purpose, as chapter 3 does to show what it costs.

use crate::engine::message::Properties;
use crate::engine::method::{Method, QueueDeclare};
use crate::engine::value::{table_to_plain_json, FieldTable};
use crate::engine::Broker;
use crate::sim::world::{Command, World};
use crate::sim::{OnDone, ProducerSpec, Simulation, WorkTime, WorkerSpec};
use serde::Serialize;
use std::fmt::Write;

/// A Python string literal for `s` (single-quoted, escaped).
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A Python literal for a JSON value (True/False/None, dicts, lists).
pub fn py_value(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn py_table(t: &FieldTable) -> String {
    py_value(&table_to_plain_json(t))
}

/// pika's keyword for an AMQP argument, where the two differ; `None` for
/// arguments pika has no keyword for.
fn pika_keyword(field: &str) -> Option<&str> {
    match field {
        "type" => Some("exchange_type"),
        "no_ack" => Some("auto_ack"),
        "global" => Some("global_qos"),
        "no_wait" | "no_local" | "body" => None,
        other => Some(other),
    }
}

/// Fields that come first in a call, in this order, as pika's own
/// signatures have them (`queue_declare(queue, …)`, `queue_bind(queue,
/// exchange, routing_key)`); the others follow alphabetically.
const LEADING_FIELDS: &[&str] = &[
    "queue",
    "destination",
    "source",
    "exchange",
    "type",
    "routing_key",
];

/// `name=value` keyword arguments for a struct's fields: the names first
/// ([`LEADING_FIELDS`]), then the rest alphabetically (a JSON object's
/// order); names and keys always, flags and numbers when they differ from
/// the default, tables when not empty. Generic over every method's
/// arguments and the basic properties, so no field is spelled out here.
fn keywords<T: Serialize + Default>(args: &T) -> Vec<String> {
    let value = serde_json::to_value(args).unwrap_or_default();
    let default = serde_json::to_value(T::default()).unwrap_or_default();
    keywords_of_json(&value, &default)
}

/// [`keywords`] once the arguments and their defaults are JSON. Not
/// generic, so the wasm holds one copy instead of one per method (with its
/// own sort each: 50 KB, issue 16).
fn keywords_of_json(value: &serde_json::Value, default: &serde_json::Value) -> Vec<String> {
    let (Some(fields), Some(defaults)) = (value.as_object(), default.as_object()) else {
        return Vec::new();
    };
    let mut fields: Vec<(&String, &serde_json::Value)> = fields.iter().collect();
    fields.sort_by_key(|(f, _)| {
        LEADING_FIELDS
            .iter()
            .position(|l| l == f)
            .unwrap_or(LEADING_FIELDS.len())
    });
    let mut out = Vec::new();
    for (field, v) in fields {
        let Some(keyword) = pika_keyword(field) else {
            continue;
        };
        let text = match (field.as_str(), v) {
            ("arguments" | "headers", serde_json::Value::Object(m)) if m.is_empty() => continue,
            ("arguments" | "headers", _) => {
                let table: FieldTable = serde_json::from_value(v.clone()).unwrap_or_default();
                py_table(&table)
            }
            ("delivery_mode", serde_json::Value::Number(n)) if n.as_u64() == Some(2) => {
                "pika.DeliveryMode.Persistent".into()
            }
            ("delivery_mode", serde_json::Value::Number(n)) if n.as_u64() == Some(1) => {
                "pika.DeliveryMode.Transient".into()
            }
            (_, serde_json::Value::String(_)) if field != "consumer_tag" => py_value(v),
            _ if defaults.get(field) == Some(v) => continue,
            _ => py_value(v),
        };
        out.push(format!("{keyword}={text}"));
    }
    out
}

/// `channel.<method>(...)` for a method on the workbench's channel, as
/// pika's BlockingChannel spells it.
pub fn method_call(m: &Method) -> String {
    let (name, args) = match m {
        Method::ExchangeDeclare(a) => ("exchange_declare", keywords(a)),
        Method::ExchangeDelete(a) => ("exchange_delete", keywords(a)),
        Method::ExchangeBind(a) => ("exchange_bind", keywords(a)),
        Method::ExchangeUnbind(a) => ("exchange_unbind", keywords(a)),
        Method::QueueDeclare(a) => ("queue_declare", keywords(a)),
        Method::QueueBind(a) => ("queue_bind", keywords(a)),
        Method::QueueUnbind(a) => ("queue_unbind", keywords(a)),
        Method::QueuePurge(a) => ("queue_purge", keywords(a)),
        Method::QueueDelete(a) => ("queue_delete", keywords(a)),
        Method::BasicQos(a) => ("basic_qos", keywords(a)),
        Method::BasicCancel(a) => ("basic_cancel", keywords(a)),
        Method::BasicGet(a) => ("basic_get", keywords(a)),
        Method::BasicAck(a) => ("basic_ack", keywords(a)),
        Method::BasicReject(a) => ("basic_reject", keywords(a)),
        Method::BasicNack(a) => ("basic_nack", keywords(a)),
        Method::BasicRecover(a) | Method::BasicRecoverAsync(a) => (
            "basic_recover",
            vec![format!("requeue={}", py_bool(a.requeue))],
        ),
        Method::ConfirmSelect { .. } => ("confirm_delivery", Vec::new()),
        Method::TxSelect => ("tx_select", Vec::new()),
        Method::TxCommit => ("tx_commit", Vec::new()),
        Method::TxRollback => ("tx_rollback", Vec::new()),
        Method::BasicPublish(p) => {
            let mut args = keywords(p);
            args.retain(|a| !a.starts_with("properties="));
            args.push(format!("body={}", py_str(&p.body_text())));
            if let Some(props) = properties(&p.properties, &[]) {
                args.push(format!("properties={props}"));
            }
            ("basic_publish", args)
        }
        Method::BasicConsume(c) => ("basic_consume", keywords(c)),
        Method::ChannelClose(_) => ("close", Vec::new()),
        Method::ChannelOpen | Method::ChannelFlow { .. } => ("flow", Vec::new()),
        Method::ConnectionOpen(_) | Method::ConnectionClose(_) => {
            return "connection.close()".into()
        }
    };
    format!("channel.{name}({})", args.join(", "))
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `pika.BasicProperties(...)`, or nothing when no property is set.
fn properties(p: &Properties, extra: &[(&str, String)]) -> Option<String> {
    let mut args = keywords(p);
    args.extend(extra.iter().map(|(k, v)| format!("{k}={v}")));
    if args.is_empty() {
        None
    } else {
        Some(format!("pika.BasicProperties({})", args.join(", ")))
    }
}

const CONNECT: &str = "connection = pika.BlockingConnection(pika.ConnectionParameters(host='localhost'))\nchannel = connection.channel()\n";

/// `channel.queue_declare(...)` for a queue as the broker has it.
fn queue_declare_line(b: &Broker, name: &str) -> String {
    let declare = b
        .queue_by_name(name)
        .map_or_else(|| QueueDeclare::named(name), |q| q.declaration());
    format!("{}\n", method_call(&Method::QueueDeclare(declare)))
}

fn exchange_declare_line(b: &Broker, name: &str) -> Option<String> {
    if name.is_empty() || name.starts_with("amq.") {
        return None;
    }
    let declare = b.exchange_by_name(name)?.declaration();
    Some(format!(
        "{}\n",
        method_call(&Method::ExchangeDeclare(declare))
    ))
}

/// One action as pika calls on the workbench's channel (`None` for
/// actions that are not AMQP calls, like pausing a worker).
pub fn command(cmd: &Command, world: &World) -> Option<String> {
    let sim = &world.sim;
    let b = &sim.broker;
    let worker_name = |id| sim.worker(id).map(|w| w.spec.name.clone());
    let producer = |id| sim.producer(id).map(|p| p.spec.clone());
    Some(match cmd {
        Command::Method(Method::QueueDeclare(d)) if d.queue.is_empty() => {
            let call = method_call(&Method::QueueDeclare(d.clone()));
            format!("result = {call}\nqueue_name = result.method.queue")
        }
        Command::Method(m) => method_call(m),
        Command::AddProducer(spec) | Command::EditProducer(_, spec) => {
            producer_program(spec, b)
        }
        Command::RemoveProducer(id) => format!(
            "# {}: connection.close()",
            producer(*id).map(|p| p.name).unwrap_or_default()
        ),
        Command::Publish {
            producer: id,
            count,
            body,
        } => {
            let spec = producer(*id)?;
            let spec = ProducerSpec {
                body: body.clone().unwrap_or(spec.body.clone()),
                ..spec
            };
            let lines = publish_lines(&spec, u64::from(count.get()), false);
            if spec.confirm && count.get() > 1 {
                format!(
                    "# with confirm_delivery() on a BlockingConnection each publish waits for its\n\
                     # own confirm; to publish them all first, see the program (SelectConnection)\n{lines}"
                )
            } else {
                lines
            }
        }
        Command::PublishEvery {
            producer: id,
            every_ms,
        } => {
            let spec = producer(*id)?;
            match every_ms {
                Some(ms) => format!(
                    "while True:\n{}    time.sleep({})",
                    indent(&publish_lines(&spec, 1, false), "    "),
                    seconds(ms.get())
                ),
                None => format!("# {}: stop the publishing loop", spec.name),
            }
        }
        Command::AddWorker(spec) | Command::ReplaceWorker(_, spec) => worker_program(spec, b),
        Command::RemoveWorker(id) | Command::KillWorker(id) => format!(
            "# {}: Ctrl+C — the process exits, its connection closes, and RabbitMQ\n# requeues every message it had not acked",
            worker_name(*id).unwrap_or_default()
        ),
        Command::CancelWorker(id) => format!(
            "# {}\nchannel.basic_cancel(consumer_tag)",
            worker_name(*id).unwrap_or_default()
        ),
        Command::ReconnectWorker(id) => format!(
            "# {}: start it again\n# python worker.py",
            worker_name(*id).unwrap_or_default()
        ),
        // A Python terminal's own bytes: its code is the script itself.
        Command::PauseWorker(..) | Command::Wire { .. } => return None,
        Command::RestartBroker => "# sudo systemctl restart rabbitmq-server".into(),
        Command::CrashBroker => "# sudo kill -9 $(pgrep -f beam.smp)   # a crash, not a clean stop".into(),
        Command::SetConsumerTimeout(timeout) => format!(
            "# rabbitmqctl eval 'application:set_env(rabbit, consumer_timeout, {}).'\n# (channels opened from now on)",
            timeout.map_or("undefined".to_string(), |ms| ms.to_string())
        ),
    })
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{prefix}{l}\n")
            }
        })
        .collect()
}

fn seconds(ms: u64) -> String {
    if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        format!("{}", ms as f64 / 1000.0)
    }
}

/// basic_publish lines for `count` messages (a loop when more than one);
/// `in_program` when they are part of [`publish_program`].
fn publish_lines(spec: &ProducerSpec, count: u64, in_program: bool) -> String {
    let numbered = spec.body.contains("{n}");
    let body = if numbered {
        // `'message ' + str(n)`, not `'message ' + str(n) + ''`.
        let mut pieces = Vec::new();
        for (i, part) in spec.body.split("{n}").enumerate() {
            if i > 0 {
                pieces.push("str(n)".to_string());
            }
            if !part.is_empty() {
                pieces.push(py_str(part));
            }
        }
        pieces.join(" + ")
    } else {
        py_str(&spec.body)
    };
    let extra: Vec<(&str, String)> = if spec.rpc {
        vec![
            ("reply_to", "callback_queue".to_string()),
            ("correlation_id", "corr_id".to_string()),
        ]
    } else {
        Vec::new()
    };
    let mut args = vec![
        format!("exchange={}", py_str(&spec.exchange)),
        format!("routing_key={}", py_str(&spec.routing_key)),
        format!("body={body}"),
    ];
    if let Some(p) = properties(&spec.properties, &extra) {
        args.push(format!("properties={p}"));
    }
    if spec.mandatory {
        args.push("mandatory=True".into());
    }
    let call = format!(
        "channel.basic_publish({})\n",
        args.join(",\n                      ")
    );
    let mut out = String::new();
    let loop_needed = count > 1 || numbered;
    let inner = if loop_needed { "    " } else { "" };
    if loop_needed {
        let _ = writeln!(out, "for n in range(1, {}):", count + 1);
    }
    if spec.rpc {
        let _ = writeln!(out, "{inner}corr_id = str(uuid.uuid4())");
        // A whole program remembers its requests to wait for each answer.
        if in_program {
            let _ = writeln!(out, "{inner}requests.append(corr_id)");
        }
    }
    out.push_str(&indent(&call, inner));
    let what = if numbered {
        "str(n)".to_string()
    } else {
        body.clone()
    };
    if numbered {
        let _ = writeln!(out, "{inner}print(\" [x] Sent\", {body})");
    } else {
        let _ = writeln!(out, "{inner}print(\" [x] Sent %r\" % {what})");
    }
    out
}

/// A complete producer program (`send.py`, `new_task.py`, `emit_log.py`).
pub fn producer_program(spec: &ProducerSpec, b: &Broker) -> String {
    publish_program(spec, 1, b)
}

/// Publisher confirms on a BlockingConnection, as its programs say it.
const CONFIRM_BLOCKING: &str = "\
# publisher confirms (a RabbitMQ extension to AMQP 0-9-1): from here on each
# basic_publish waits for the broker's basic.ack of that one message, and
# raises pika.exceptions.NackError on a basic.nack
channel.confirm_delivery()
";

/// A producer program that publishes `count` messages. With publisher
/// confirms and more than one message it is written for SelectConnection
/// ([`confirm_program`]): on a BlockingConnection every publish would wait
/// for its own confirm, and a batch could never be confirmed at once.
pub fn publish_program(spec: &ProducerSpec, count: u64, b: &Broker) -> String {
    if spec.confirm && count > 1 && !spec.rpc {
        return confirm_program(spec, count, b);
    }
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env python\n# {}", spec.name);
    let mut imports = vec!["pika"];
    if spec.rpc {
        imports.push("uuid");
    }
    let _ = writeln!(out, "import {}\n", imports.join(", "));
    out.push_str(CONNECT);
    if spec.exchange.is_empty() {
        if b.queue_by_name(&spec.routing_key).is_some() {
            out.push_str(&queue_declare_line(b, &spec.routing_key));
        }
    } else if let Some(line) = exchange_declare_line(b, &spec.exchange) {
        out.push_str(&line);
    }
    if spec.confirm {
        out.push_str(CONFIRM_BLOCKING);
    }
    if spec.rpc {
        out.push_str(
            "\nresult = channel.queue_declare(queue='', exclusive=True)\ncallback_queue = result.method.queue\nresponses = {}\n\n\
             def on_response(ch, method, props, body):\n    responses[props.correlation_id] = body\n\n\
             channel.basic_consume(queue=callback_queue, on_message_callback=on_response, auto_ack=True)\n",
        );
    }
    out.push('\n');
    if spec.rpc {
        out.push_str("requests = []\n");
    }
    out.push_str(&publish_lines(spec, count, true));
    if spec.rpc {
        out.push_str(
            "while any(c not in responses for c in requests):\n    connection.process_data_events(time_limit=None)\nfor c in requests:\n    print(\" [.] Got %r\" % responses[c].decode())\n",
        );
    }
    out.push_str("connection.close()\n");
    out
}

/// A producer that publishes `count` messages without waiting and handles
/// the broker's confirms in a callback as they arrive (tutorial seven's
/// batched and asynchronous strategies): pika's SelectConnection.
pub fn confirm_program(spec: &ProducerSpec, count: u64, b: &Broker) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env python\n# {}", spec.name);
    out.push_str(
        "# Publisher confirms (a RabbitMQ extension to AMQP 0-9-1) without waiting\n\
         # for each one: BlockingConnection's basic_publish waits for every confirm,\n\
         # so this uses SelectConnection and a confirm callback. The broker may\n\
         # confirm many publishes with one basic.ack (multiple=True).\n\
         import pika\n\n",
    );
    let _ = writeln!(
        out,
        "outstanding = set(range(1, {}))  # sequence numbers not confirmed yet\n",
        count + 1
    );
    out.push_str(
        "\ndef on_confirm(frame):\n    \
             m = frame.method  # pika.spec.Basic.Ack or Basic.Nack\n    \
             tags = {t for t in outstanding if t <= m.delivery_tag} if m.multiple else {m.delivery_tag}\n    \
             outstanding.difference_update(tags)\n    \
             print(\" [x] %s for %d message(s), multiple=%s\" % (m.NAME, len(tags), m.multiple))\n    \
             if not outstanding:\n        \
                 connection.close()\n\n\n\
         def on_channel(channel):\n",
    );
    let start = "channel.confirm_delivery(ack_nack_callback=on_confirm, callback=lambda _frame: publish(channel))";
    let declare = if spec.exchange.is_empty() {
        b.queue_by_name(&spec.routing_key)
            .map(|_| queue_declare_line(b, &spec.routing_key))
    } else {
        exchange_declare_line(b, &spec.exchange)
    };
    match declare {
        Some(line) => {
            let call = line.trim_end().trim_end_matches(')');
            let _ = writeln!(out, "    {call},\n        callback=lambda _frame: {start})");
        }
        None => {
            let _ = writeln!(out, "    {start}");
        }
    }
    out.push_str("\n\ndef publish(channel):\n");
    out.push_str(&indent(&publish_lines(spec, count, true), "    "));
    out.push_str(
        "\n\nconnection = pika.SelectConnection(pika.ConnectionParameters(host='localhost'),\n\
         \x20                                  on_open_callback=lambda c: c.channel(on_open_callback=on_channel),\n\
         \x20                                  on_close_callback=lambda c, reason: c.ioloop.stop())\n\
         connection.ioloop.start()\n",
    );
    out
}

/// A complete worker program (`receive.py`, `worker.py`, `receive_logs.py`).
pub fn worker_program(spec: &WorkerSpec, b: &Broker) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env python\n# {}", spec.name);
    let sleeps = spec.work.duration(".") > 0;
    let _ = writeln!(out, "import pika{}\n", if sleeps { ", time" } else { "" });
    out.push_str(CONNECT);
    let queue_expr = match &spec.subscribe {
        Some(sub) => {
            if let Some(line) = exchange_declare_line(b, &sub.exchange) {
                out.push_str(&line);
            }
            out.push_str(
                "result = channel.queue_declare(queue='', exclusive=True)\nqueue_name = result.method.queue\n",
            );
            let keys: Vec<&str> = if sub.routing_keys.is_empty() {
                vec![""]
            } else {
                sub.routing_keys.iter().map(String::as_str).collect()
            };
            for key in keys {
                if key.is_empty() {
                    let _ = writeln!(
                        out,
                        "channel.queue_bind(exchange={}, queue=queue_name)",
                        py_str(&sub.exchange)
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "channel.queue_bind(exchange={}, queue=queue_name, routing_key={})",
                        py_str(&sub.exchange),
                        py_str(key)
                    );
                }
            }
            "queue_name".to_string()
        }
        None => {
            out.push_str(&queue_declare_line(b, &spec.queue));
            py_str(&spec.queue)
        }
    };
    if spec.prefetch.get() > 0 {
        let _ = writeln!(out, "channel.basic_qos(prefetch_count={})", spec.prefetch);
    }
    out.push('\n');
    out.push_str("def callback(ch, method, properties, body):\n");
    out.push_str("    print(\" [x] Received %r\" % body.decode(), \"(redelivered)\" if method.redelivered else \"\")\n");
    match spec.work {
        WorkTime::Fixed { ms } if ms.get() == 0 => {}
        WorkTime::Fixed { ms } => {
            let _ = writeln!(out, "    time.sleep({})", seconds(ms.get()));
        }
        WorkTime::PerDot { ms } if ms.get() == 1000 => {
            out.push_str("    time.sleep(body.count(b'.'))\n")
        }
        WorkTime::PerDot { ms } => {
            let _ = writeln!(
                out,
                "    time.sleep(body.count(b'.') * {})",
                seconds(ms.get())
            );
        }
    }
    if spec.reply {
        out.push_str(
            "    n = int(body)\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    \
             ch.basic_publish(exchange='',\n                     routing_key=properties.reply_to,\n                     \
             properties=pika.BasicProperties(correlation_id=properties.correlation_id),\n                     body=str(a))\n",
        );
    }
    out.push_str("    print(\" [x] Done\")\n");
    if !spec.no_ack {
        match spec.on_done {
            OnDone::Ack => out.push_str("    ch.basic_ack(delivery_tag=method.delivery_tag)\n"),
            OnDone::Forget => out.push_str(
                "    # no ch.basic_ack(...): the message stays unacknowledged until\n    # this connection closes\n",
            ),
            OnDone::Reject { requeue } => {
                let _ = writeln!(
                    out,
                    "    ch.basic_reject(delivery_tag=method.delivery_tag, requeue={})",
                    if requeue { "True" } else { "False" }
                );
            }
            OnDone::Nack { requeue } => {
                let _ = writeln!(
                    out,
                    "    ch.basic_nack(delivery_tag=method.delivery_tag, requeue={})",
                    if requeue { "True" } else { "False" }
                );
            }
            // The blog lesson's line, typo and all: the attribute is
            // `delivery_tag`, so this raises AttributeError and the program
            // exits before acking.
            OnDone::Crash => out.push_str(
                "    ch.basic_ack(delivery_tag=method.deliver_tag)  # the lesson's typo: AttributeError\n",
            ),
        }
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "channel.basic_consume(queue={queue_expr}, on_message_callback=callback{}{})",
        if spec.no_ack { ", auto_ack=True" } else { "" },
        if spec.arguments.is_empty() {
            String::new()
        } else {
            format!(", arguments={}", py_table(&spec.arguments))
        }
    );
    out.push_str(
        "print(' [*] Waiting for messages. To exit press CTRL+C')\nchannel.start_consuming()\n",
    );
    out
}

/// A setup script declaring the topology as it is now: exchanges, named
/// queues and the bindings between them (queues the workers declare for
/// themselves are in the workers' programs).
pub fn topology_program(sim: &Simulation) -> String {
    let b = &sim.broker;
    let mut out = String::from("#!/usr/bin/env python\n# setup.py: the topology\nimport pika\n\n");
    out.push_str(CONNECT);
    let mut any = false;
    for x in b.exchanges() {
        if let Some(line) = exchange_declare_line(b, &x.name) {
            out.push_str(&line);
            any = true;
        }
    }
    for q in b.queues() {
        if q.exclusive_owner.is_some() {
            continue;
        }
        out.push_str(&queue_declare_line(b, &q.name));
        any = true;
    }
    for v in b.bindings() {
        let owned = b
            .queue_by_name(&v.destination)
            .is_some_and(|q| q.exclusive_owner.is_some());
        if owned {
            continue;
        }
        let bind = Method::binding(
            false,
            v.destination_kind,
            &v.source,
            &v.destination,
            &v.routing_key,
            v.arguments.clone(),
        );
        out.push_str(&method_call(&bind));
        out.push('\n');
        any = true;
    }
    if !any {
        out.push_str("# nothing declared yet: only the default exchange\n");
    }
    out.push_str("connection.close()\n");
    out
}

/// The programs of a chapter as it ends, for terminals to run: the
/// topology (`setup.py`), then each worker, then each producer — consumers
/// before the producers that feed them, as the lessons start them. For the
/// chapters the blog lessons and RabbitMQ's tutorials have no scripts for.
pub fn chapter_programs(chapter: &super::Chapter) -> Vec<(String, String)> {
    let Ok(world) = super::progress::world_at(chapter, chapter.tasks.len()) else {
        return Vec::new();
    };
    let sim = &world.sim;
    let mut out = vec![("setup.py".to_string(), topology_program(sim))];
    out.extend(
        sim.workers()
            .map(|w| (w.spec.name.clone(), worker_program(&w.spec, &sim.broker))),
    );
    out.extend(
        sim.producers()
            .map(|p| (p.spec.name.clone(), producer_program(&p.spec, &sim.broker))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_name_the_queue_or_exchange_first() {
        let declare = QueueDeclare {
            durable: true,
            ..QueueDeclare::named("ja")
        };
        assert_eq!(
            method_call(&Method::QueueDeclare(declare)),
            "channel.queue_declare(queue='ja', durable=True)"
        );
        let bind = crate::engine::method::QueueBind::new("q", "m2", "ja");
        assert_eq!(
            method_call(&Method::QueueBind(bind)),
            "channel.queue_bind(queue='q', exchange='m2', routing_key='ja')"
        );
    }

    #[test]
    fn python_literals_are_escaped() {
        assert_eq!(py_str("it's"), r"'it\'s'");
        assert_eq!(py_str("a\nb\\"), r"'a\nb\\'");
        assert_eq!(py_str("\u{1}"), r"'\x01'");
        assert_eq!(
            py_value(&serde_json::json!({"x-match": "all", "n": 1, "ok": true, "z": null})),
            "{'n': 1, 'ok': True, 'x-match': 'all', 'z': None}"
        );
    }

    #[test]
    fn consumer_arguments_go_to_basic_consume() {
        let b = Broker::new(Default::default());
        let plain = worker_program(&WorkerSpec::default(), &b);
        assert!(!plain.contains("arguments="), "{plain}");
        let spec = WorkerSpec {
            arguments: [(
                "x-stream-offset".to_string(),
                crate::engine::value::FieldValue::Long(3),
            )]
            .into(),
            ..WorkerSpec::default()
        };
        assert!(worker_program(&spec, &b).contains(
            "channel.basic_consume(queue='hello', on_message_callback=callback, arguments={'x-stream-offset': 3})"
        ));
    }

    #[test]
    fn acks_use_delivery_tag() {
        let b = Broker::new(Default::default());
        let code = worker_program(&WorkerSpec::default(), &b);
        assert!(code.contains("ch.basic_ack(delivery_tag=method.delivery_tag)"));
        assert!(!code.contains("deliver_tag="));
    }
}
