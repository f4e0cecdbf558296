#![cfg(not(target_arch = "wasm32"))]
//! warrenctl against rabbitmqctl: every command recorded from RabbitMQ
//! 3.10.8 (`tests/ctl/`, copied from the research recordings; `index.json`
//! describes the broker they were recorded against) runs through
//! `control::run` on an engine rebuilt to the same state, in the recorded
//! order (the later fixtures purge, delete, close and delete the vhost), and
//! must print the same stdout and stderr and exit with the same code.
//!
//! What is normalised, and only that:
//! - the node name: `rabbit-oracle@localhost` is `warren@localhost`, and
//!   the `-n rabbit-oracle@localhost` the recording harness added to every
//!   command line is dropped from `Arguments given:`;
//! - pids: each recorded pid (`<rabbit-oracle@localhost.1795652667.21236.0>`,
//!   `#PID<11017.21236.0>`) stands for the connection or channel it named,
//!   and becomes Warren's pid of the same connection or channel (argv too);
//! - row order: RabbitMQ lists rows in its tables' order, Warren in
//!   creation order, so the rows between the identical leading lines
//!   (informational lines, header) and trailing lines are compared as a
//!   multiset (JSON rows without their leading comma);
//! - the usage text after `Usage` is Warren's own: the error before it must
//!   be identical, and Warren's usage must follow.
//!
//! Client ports need no normalising: the rebuilt connections have the
//! recorded peer ports (54266, 54276).
//!
//! Known differences, each asserted to be exactly what is described
//! (`KNOWN_DIFFERENCES`): Warren keeps AMQP tables sorted by key (the
//! engine's `FieldTable`), so `arguments` and `client_properties` list
//! their keys in sorted order rather than declaration order; and
//! `consumer_utilisation` is a measured fraction of time in RabbitMQ,
//! which Warren reports as 1.0 or 0.0. `status` (39, 40) is Warren's own
//! apart from its first line and the facts it shares with RabbitMQ's.

#[path = "support/chan.rs"]
mod chan;

use chan::Chan;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use warren::control::{self, CtlOutput, Listener, NodeInfo};
use warren::engine::channel::{ClientInfo, Endpoint};
use warren::engine::ids::ConnId;
use warren::engine::message::Properties;
use warren::engine::method::{
    BasicConsume, BasicPublish, BasicQos, ConnectionOpen, ExchangeBind, ExchangeDeclare, QueueBind,
    QueueDeclare,
};
use warren::engine::outbox::{Closing, ServerMethod};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, CommandError, Method};

const RECORDED_NODE: &str = "rabbit-oracle@localhost";
const NODE: &str = "warren@localhost";

// ------------------------------------------------------------ fixtures

/// One recorded rabbitmqctl run.
struct Fixture {
    name: String,
    /// Without the program name.
    argv: Vec<String>,
    exit_code: i32,
    stdout: String,
    stderr: String,
}

fn fixture(name: &str) -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/ctl")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let json: Value = serde_json::from_str(&text).expect("a fixture is JSON");
    let argv: Vec<String> = json["argv"]
        .as_array()
        .expect("argv")
        .iter()
        .skip(1)
        .map(|a| a.as_str().expect("argv strings").to_string())
        .collect();
    Fixture {
        name: name.to_string(),
        argv,
        exit_code: json["exit_code"].as_i64().expect("exit_code") as i32,
        stdout: json["stdout"].as_str().unwrap_or_default().to_string(),
        stderr: json["stderr"].as_str().unwrap_or_default().to_string(),
    }
}

/// Every numbered fixture, in recorded order.
fn fixture_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ctl");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/ctl")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".json")?;
            stem.starts_with(|c: char| c.is_ascii_digit())
                .then(|| stem.to_string())
        })
        .collect();
    names.sort();
    names
}

// ------------------------------------------------------------ the setup

/// The broker of `index.json`, and who is who in it.
struct Setup {
    broker: Broker,
    conn_a: ConnId,
    conn_b: ConnId,
    /// Recorded pid number → Warren's engine id of the same thing.
    pids: BTreeMap<u32, u32>,
}

fn table(fields: &[(&str, FieldValue)]) -> FieldTable {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// What the recording client said in connection.start-ok, and its socket.
fn client_info(peer_port: u16, connection_name: &str) -> ClientInfo {
    let capabilities = table(&[
        ("publisher_confirms", FieldValue::Bool(true)),
        ("exchange_exchange_bindings", FieldValue::Bool(true)),
        ("basic.nack", FieldValue::Bool(true)),
        ("consumer_cancel_notify", FieldValue::Bool(true)),
        ("connection.blocked", FieldValue::Bool(true)),
        ("authentication_failure_close", FieldValue::Bool(true)),
    ]);
    ClientInfo {
        peer: Some(Endpoint {
            host: "127.0.0.1".into(),
            port: peer_port,
        }),
        local: Some(Endpoint {
            host: "127.0.0.1".into(),
            port: 5672,
        }),
        properties: table(&[
            (
                "product",
                FieldValue::LongStr("warren-wire-recorder".into()),
            ),
            (
                "platform",
                FieldValue::LongStr("Python 3.11 raw sockets".into()),
            ),
            ("capabilities", FieldValue::Table(capabilities)),
            (
                "connection_name",
                FieldValue::LongStr(connection_name.into()),
            ),
        ]),
        auth_mechanism: "PLAIN".into(),
        frame_max: 131_072,
        heartbeat: 0,
        connected_at: 0,
    }
}

fn ok(result: Result<warren::engine::Reply, CommandError>) {
    if let Err(e) = result {
        panic!("setup method failed: {e}");
    }
}

/// A connection as the wire layer makes one: handshake facts, then
/// connection.open of `/`.
fn connect(broker: &mut Broker, label: &str, info: ClientInfo) -> ConnId {
    let conn = broker.open_connection(label);
    broker.set_client_info(conn, info);
    ok(broker.apply(
        conn,
        0,
        Method::ConnectionOpen(ConnectionOpen {
            virtual_host: "/".into(),
        }),
    ));
    conn
}

fn open_channel(broker: &mut Broker, conn: ConnId) -> Chan {
    Chan::open(broker, conn).expect("channel.open")
}

fn publish(broker: &mut Broker, ch: Chan, exchange: &str, key: &str, persistent: bool) {
    let properties = Properties {
        delivery_mode: persistent.then_some(2),
        ..Default::default()
    };
    ok(ch.call(
        broker,
        Method::BasicPublish(BasicPublish {
            exchange: exchange.into(),
            routing_key: key.into(),
            properties,
            body: b"m1".to_vec(),
            ..Default::default()
        }),
    ));
}

fn consume(
    broker: &mut Broker,
    ch: Chan,
    queue: &str,
    tag: &str,
    no_ack: bool,
    exclusive: bool,
    arguments: FieldTable,
) {
    ok(ch.call(
        broker,
        Method::BasicConsume(BasicConsume {
            queue: queue.into(),
            consumer_tag: tag.into(),
            no_ack,
            exclusive,
            arguments,
            ..Default::default()
        }),
    ));
}

fn qos(broker: &mut Broker, ch: Chan, prefetch_count: u16, global: bool) {
    ok(ch.call(
        broker,
        Method::BasicQos(BasicQos {
            prefetch_size: 0,
            prefetch_count,
            global,
        }),
    ));
}

/// The setup of `tests/ctl/index.json`, method by method as the recording
/// clients (`ctl/clients/conn_A.json`, `conn_B.json`) sent them.
fn setup() -> Setup {
    let mut broker = Broker::new(BrokerConfig::default());
    let conn_a = connect(
        &mut broker,
        "warren-ctl-A",
        client_info(54266, "warren-ctl-A"),
    );
    let conn_b = connect(
        &mut broker,
        "warren-ctl-B",
        client_info(54276, "warren-ctl-B"),
    );
    let a: Vec<Chan> = (0..3).map(|_| open_channel(&mut broker, conn_a)).collect();
    let b: Vec<Chan> = (0..2).map(|_| open_channel(&mut broker, conn_b)).collect();

    let declare = |broker: &mut Broker, ch: Chan, d: QueueDeclare| {
        ok(ch.call(broker, Method::QueueDeclare(d)));
    };
    declare(
        &mut broker,
        a[0],
        QueueDeclare {
            durable: true,
            ..QueueDeclare::named("q_durable")
        },
    );
    declare(&mut broker, a[0], QueueDeclare::named("q_transient"));
    declare(
        &mut broker,
        a[0],
        QueueDeclare {
            exclusive: true,
            ..QueueDeclare::named("q_exclusive")
        },
    );
    declare(
        &mut broker,
        a[0],
        QueueDeclare {
            durable: true,
            arguments: table(&[
                ("x-message-ttl", FieldValue::Int(60000)),
                ("x-max-length", FieldValue::Int(100)),
            ]),
            ..QueueDeclare::named("q_args")
        },
    );
    for x in [
        ExchangeDeclare {
            durable: true,
            ..ExchangeDeclare::new("x_fanout", "fanout")
        },
        ExchangeDeclare {
            auto_delete: true,
            ..ExchangeDeclare::new("x_topic", "topic")
        },
        ExchangeDeclare {
            internal: true,
            arguments: table(&[("alternate-exchange", FieldValue::LongStr("x_fanout".into()))]),
            ..ExchangeDeclare::new("x_internal", "direct")
        },
    ] {
        ok(a[0].call(&mut broker, Method::ExchangeDeclare(x)));
    }
    for bind in [
        QueueBind::new("q_transient", "x_fanout", ""),
        QueueBind::new("q_durable", "x_topic", "a.*.c"),
        QueueBind {
            arguments: table(&[("x-note", FieldValue::LongStr("bound with args".into()))]),
            ..QueueBind::new("q_exclusive", "x_topic", "#")
        },
    ] {
        ok(a[0].call(&mut broker, Method::QueueBind(bind)));
    }
    ok(a[0].call(
        &mut broker,
        Method::ExchangeBind(ExchangeBind {
            destination: "x_topic".into(),
            source: "x_fanout".into(),
            routing_key: "e2e.key".into(),
            ..Default::default()
        }),
    ));
    for _ in 0..3 {
        publish(&mut broker, a[0], "", "q_durable", true);
    }
    for _ in 0..2 {
        publish(&mut broker, a[0], "x_fanout", "", false);
    }
    publish(&mut broker, a[0], "", "q_exclusive", false);

    declare(
        &mut broker,
        b[0],
        QueueDeclare {
            auto_delete: true,
            ..QueueDeclare::named("q_auto")
        },
    );

    qos(&mut broker, a[1], 2, false);
    consume(
        &mut broker,
        a[1],
        "q_durable",
        "ctag-A-durable",
        false,
        false,
        FieldTable::new(),
    );
    consume(
        &mut broker,
        a[2],
        "q_args",
        "ctag-A-args",
        true,
        true,
        FieldTable::new(),
    );
    qos(&mut broker, b[1], 5, true);
    qos(&mut broker, b[1], 10, false);
    consume(
        &mut broker,
        b[1],
        "q_auto",
        "ctag-B-auto",
        false,
        false,
        table(&[("x-priority", FieldValue::Int(3))]),
    );
    broker.advance(1_000);
    broker.take_outbox(conn_a);
    broker.take_outbox(conn_b);

    // The recorded pids: connections A and B, A's channels 1-3, B's 1-2.
    let ids = |chans: &[Chan]| chans.iter().map(|c| c.id.0).collect::<Vec<u32>>();
    let mut pids = BTreeMap::new();
    pids.insert(21236, conn_a.0);
    pids.insert(21242, conn_b.0);
    for (recorded, id) in [21249, 21254, 21259].into_iter().zip(ids(&a)) {
        pids.insert(recorded, id);
    }
    for (recorded, id) in [21264, 21269].into_iter().zip(ids(&b)) {
        pids.insert(recorded, id);
    }
    Setup {
        broker,
        conn_a,
        conn_b,
        pids,
    }
}

fn node() -> NodeInfo {
    NodeInfo {
        os_pid: 4242,
        os: "Linux".into(),
        uptime_seconds: 1279,
        listeners: vec![
            Listener::control("127.0.0.1", 25672),
            Listener::amqp("127.0.0.1", 5672),
        ],
        ..NodeInfo::default()
    }
}

// ------------------------------------------------------- normalisation

/// Rewrites the recorded node name and pids into Warren's.
fn normalise(text: &str, pids: &BTreeMap<u32, u32>) -> String {
    let mut text = text.replace(&format!("-n {RECORDED_NODE} "), "");
    for (recorded, id) in pids {
        text = text.replace(
            &format!("<{RECORDED_NODE}.1795652667.{recorded}.0>"),
            &format!("<{NODE}.1.{id}.0>"),
        );
        text = text.replace(
            &format!("#PID<11017.{recorded}.0>"),
            &format!("#PID<1.{id}.0>"),
        );
    }
    text.replace(RECORDED_NODE, NODE)
}

/// A documented difference: in fixture `fixture`, the recorded text
/// `recorded` is, in Warren, `warren`.
struct KnownDifference {
    fixture: &'static str,
    why: &'static str,
    recorded: &'static str,
    warren: &'static str,
}

const SORTED_TABLES: &str = "AMQP tables are kept sorted by key";
const UTILISATION: &str = "consumer_utilisation is measured over time by RabbitMQ";

const KNOWN_DIFFERENCES: &[KnownDifference] = &[
    KnownDifference {
        fixture: "12_list_queues_props",
        why: SORTED_TABLES,
        recorded: r#"[{"x-message-ttl",60000},{"x-max-length",100}]"#,
        warren: r#"[{"x-max-length",100},{"x-message-ttl",60000}]"#,
    },
    KnownDifference {
        fixture: "13_list_queues_props_json",
        why: SORTED_TABLES,
        recorded: r#"[["x-message-ttl","signedint",60000],["x-max-length","signedint",100]]"#,
        warren: r#"[["x-max-length","signedint",100],["x-message-ttl","signedint",60000]]"#,
    },
    KnownDifference {
        fixture: "13_list_queues_props_json",
        why: UTILISATION,
        recorded: r#""consumer_utilisation":0.004982808927526648"#,
        warren: r#""consumer_utilisation":0.0"#,
    },
    KnownDifference {
        fixture: "29_list_connections_cols_json",
        why: SORTED_TABLES,
        recorded: r#""client_properties":[["product","longstr","warren-wire-recorder"],["platform","longstr","Python 3.11 raw sockets"],["capabilities","table",[["publisher_confirms","bool",true],["exchange_exchange_bindings","bool",true],["basic.nack","bool",true],["consumer_cancel_notify","bool",true],["connection.blocked","bool",true],["authentication_failure_close","bool",true]]],["connection_name","longstr","warren-ctl-A"]]"#,
        warren: r#""client_properties":[["capabilities","table",[["authentication_failure_close","bool",true],["basic.nack","bool",true],["connection.blocked","bool",true],["consumer_cancel_notify","bool",true],["exchange_exchange_bindings","bool",true],["publisher_confirms","bool",true]]],["connection_name","longstr","warren-ctl-A"],["platform","longstr","Python 3.11 raw sockets"],["product","longstr","warren-wire-recorder"]]"#,
    },
    KnownDifference {
        fixture: "29_list_connections_cols_json",
        why: SORTED_TABLES,
        recorded: r#""client_properties":[["product","longstr","warren-wire-recorder"],["platform","longstr","Python 3.11 raw sockets"],["capabilities","table",[["publisher_confirms","bool",true],["exchange_exchange_bindings","bool",true],["basic.nack","bool",true],["consumer_cancel_notify","bool",true],["connection.blocked","bool",true],["authentication_failure_close","bool",true]]],["connection_name","longstr","warren-ctl-B"]]"#,
        warren: r#""client_properties":[["capabilities","table",[["authentication_failure_close","bool",true],["basic.nack","bool",true],["connection.blocked","bool",true],["consumer_cancel_notify","bool",true],["exchange_exchange_bindings","bool",true],["publisher_confirms","bool",true]]],["connection_name","longstr","warren-ctl-B"],["platform","longstr","Python 3.11 raw sockets"],["product","longstr","warren-wire-recorder"]]"#,
    },
];

/// The recorded output as Warren must print it.
fn expected_stdout(f: &Fixture, pids: &BTreeMap<u32, u32>) -> String {
    let mut text = normalise(&f.stdout, pids);
    for d in KNOWN_DIFFERENCES.iter().filter(|d| d.fixture == f.name) {
        assert!(
            text.contains(d.recorded),
            "{}: the known difference ({}) is gone from the recording",
            f.name,
            d.why
        );
        text = text.replace(d.recorded, d.warren);
    }
    text
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Equal, but for the order of the rows between the leading and trailing
/// lines both share (and JSON's leading commas).
fn assert_same_rows(name: &str, expected: &str, actual: &str) {
    if expected == actual {
        return;
    }
    let (e, a) = (lines(expected), lines(actual));
    assert_eq!(
        e.len(),
        a.len(),
        "{name}: line counts differ\n--- expected\n{expected}--- actual\n{actual}"
    );
    let prefix = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix = e[prefix..]
        .iter()
        .rev()
        .zip(a[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let is_json = expected.starts_with("[\n");
    let rows = |ls: &[&str]| {
        let mut rows: Vec<String> = ls
            .iter()
            .map(|l| {
                if is_json {
                    l.trim_start_matches(',').to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(
        rows(&e[prefix..e.len() - suffix]),
        rows(&a[prefix..a.len() - suffix]),
        "{name}: rows differ\n--- expected\n{expected}--- actual\n{actual}"
    );
    if is_json {
        // Warren's own layout: the first object bare, the others after a comma.
        for (n, line) in a[1..a.len() - 1].iter().enumerate() {
            assert_eq!(line.starts_with(','), n > 0, "{name}: JSON layout: {line}");
        }
    }
}

/// Equal stderr; past the `Usage` heading, Warren's own usage.
fn assert_same_stderr(name: &str, expected: &str, actual: &str) {
    let heading = "\x1b[1mUsage\x1b[0m\n\n";
    match expected.find(heading) {
        None => assert_eq!(expected, actual, "{name}: stderr"),
        Some(at) => {
            let cut = at + heading.len();
            assert_eq!(
                &expected[..cut],
                &actual[..cut.min(actual.len())],
                "{name}: stderr"
            );
            assert!(
                actual[cut..].starts_with("warrenctl "),
                "{name}: Warren's usage follows: {actual}"
            );
        }
    }
}

fn run(broker: &mut Broker, argv: &[String]) -> CtlOutput {
    control::run(broker, argv, &node())
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

// ---------------------------------------------------------- the checks

/// Checks one fixture; returns what warrenctl printed.
fn check(s: &mut Setup, f: &Fixture) -> CtlOutput {
    let argv: Vec<String> = f.argv.iter().map(|a| normalise(a, &s.pids)).collect();
    let out = run(&mut s.broker, &argv);
    assert_eq!(out.exit_code, f.exit_code, "{}: exit code\n{out:?}", f.name);
    if f.name.starts_with("39_") || f.name.starts_with("40_") {
        check_status(f, &out);
        return out;
    }
    assert_same_rows(&f.name, &expected_stdout(f, &s.pids), &out.stdout);
    assert_same_stderr(&f.name, &normalise(&f.stderr, &s.pids), &out.stderr);
    out
}

/// `status` is Warren's own beyond its first line and shared facts.
fn check_status(f: &Fixture, out: &CtlOutput) {
    if f.name.starts_with("39_") {
        let first = normalise(
            f.stdout.lines().next().unwrap_or_default(),
            &BTreeMap::new(),
        );
        assert_eq!(out.stdout.lines().next(), Some(first.as_str()));
        for shared in [
            "\x1b[1mRuntime\x1b[0m\n\nOS PID: 4242\nOS: Linux\nUptime (seconds): 1279\nIs under maintenance?: false\n",
            "RabbitMQ version: 3.10.8\nNode name: warren@localhost\n",
            "\x1b[1mAlarms\x1b[0m\n\n(none)\n",
            "\x1b[1mTotals\x1b[0m\n\nConnection count: 2\nQueue count: 5\nVirtual host count: 1\n",
            "Interface: 127.0.0.1, port: 25672, protocol: clustering,",
            "Interface: 127.0.0.1, port: 5672, protocol: amqp,",
            "Product name: Warren\n",
        ] {
            assert!(out.stdout.contains(shared), "status shows {shared:?}:\n{}", out.stdout);
        }
    } else {
        let json: Value = serde_json::from_str(&out.stdout).expect("status JSON");
        assert!(out.stdout.ends_with("}\n") && !out.stdout.trim_end().contains('\n'));
        assert_eq!(json["rabbitmq_version"], "3.10.8");
        assert_eq!(json["product_name"], "Warren");
        assert_eq!(json["pid"], 4242);
        assert_eq!(
            json["totals"],
            serde_json::json!({"virtual_host_count": 1, "connection_count": 2, "queue_count": 5})
        );
        assert_eq!(json["listeners"][1]["port"], 5672);
    }
}

/// The server-to-client methods waiting for `conn`, as (channel, what).
fn outbox(broker: &mut Broker, conn: ConnId) -> Vec<(u16, ServerMethod)> {
    broker
        .take_outbox(conn)
        .into_iter()
        .map(|o| (o.channel, o.method))
        .collect()
}

fn forced_close(text: &str, await_close_ok: bool) -> Closing {
    Closing {
        reply_code: 320,
        reply_text: format!("CONNECTION_FORCED - {text}"),
        method: None,
        await_close_ok,
    }
}

fn assert_cancel(method: &ServerMethod, tag: &str) {
    match method {
        ServerMethod::BasicCancel { consumer_tag } => assert_eq!(&**consumer_tag, tag),
        other => panic!("expected basic.cancel {tag}, got {other:?}"),
    }
}

fn assert_connection_close(method: &ServerMethod, expected: &Closing) {
    match method {
        ServerMethod::ConnectionClose(c) => assert_eq!(c, expected),
        other => panic!("expected connection.close, got {other:?}"),
    }
}

/// A new wire connection's connection.open of `/`: the 530 refusal's text,
/// or `None` if it opened.
fn open_refusal(broker: &mut Broker) -> Option<String> {
    let conn = broker.open_connection("probe");
    let result = broker.apply(
        conn,
        0,
        Method::ConnectionOpen(ConnectionOpen {
            virtual_host: "/".into(),
        }),
    );
    match result {
        Ok(_) => {
            ok(broker.apply(
                conn,
                0,
                Method::ConnectionClose(warren::engine::method::Close::normal()),
            ));
            None
        }
        Err(CommandError::Amqp(e)) => {
            assert_eq!(e.code.code(), 530);
            let method = e.method.expect("connection.open failed");
            assert_eq!((method.class_id, method.method_id), (10, 40));
            let closes = outbox(broker, conn);
            assert!(
                matches!(&closes[..], [(0, ServerMethod::ConnectionClose(c))] if c.await_close_ok && c.reply_code == 530)
            );
            Some(e.reply_text())
        }
        Err(other) => panic!("connection.open: {other}"),
    }
}

#[test]
fn every_recorded_command_answers_as_rabbitmqctl() {
    let mut s = setup();
    let mut ran = 0;
    for name in fixture_names() {
        let f = fixture(&name);
        check(&mut s, &f);
        ran += 1;
        match name.as_str() {
            "58_delete_queue_with_consumer" => {
                // The no-ack consumer on A's channel 3 was cancelled.
                let sent = outbox(&mut s.broker, s.conn_a);
                assert_eq!(sent.len(), 1);
                assert_eq!(sent[0].0, 3);
                assert_cancel(&sent[0].1, "ctag-A-args");
            }
            "64_close_connection" => {
                let sent = outbox(&mut s.broker, s.conn_b);
                assert_eq!(sent.len(), 1, "no basic.cancel before the close: {sent:?}");
                assert_eq!(sent[0].0, 0);
                assert_connection_close(
                    &sent[0].1,
                    &forced_close("reason from warrenctl fixture", true),
                );
                assert!(!s.broker.connection(s.conn_b).expect("conn B").open);
                // A is untouched.
                assert!(outbox(&mut s.broker, s.conn_a).is_empty());
            }
            "66_err_close_connection_unknown_pid" => {
                assert!(outbox(&mut s.broker, s.conn_b).is_empty());
            }
            "69_delete_vhost" => {
                let sent = outbox(&mut s.broker, s.conn_a);
                assert_eq!(sent.len(), 2, "{sent:?}");
                assert_eq!(sent[0].0, 2);
                assert_cancel(&sent[0].1, "ctag-A-durable");
                assert_eq!(sent[1].0, 0);
                assert_connection_close(&sent[1].1, &forced_close("vhost '/' is deleted", false));
                assert_eq!(
                    open_refusal(&mut s.broker).as_deref(),
                    Some("NOT_ALLOWED - vhost / not found")
                );
                // The durable deletions are recorded: a restart brings
                // nothing back, not even the amq.* exchanges of the vhost.
                s.broker.advance(1_000);
                assert!(s.broker.committed_state().queues.is_empty());
                assert!(s.broker.committed_state().exchanges.is_empty());
                s.broker.restart();
                assert_eq!(s.broker.queues().count(), 0);
                assert_eq!(s.broker.exchanges().count(), 0);
            }
            "71_add_vhost" => {
                assert_eq!(
                    open_refusal(&mut s.broker).as_deref(),
                    Some("NOT_ALLOWED - access to vhost '/' refused for user 'guest'")
                );
            }
            "73_set_permissions_after_add" => {
                assert_eq!(open_refusal(&mut s.broker), None);
            }
            _ => {}
        }
    }
    assert_eq!(ran, 80, "every recorded command ran");
}

#[test]
fn global_and_per_consumer_qos_show_as_recorded() {
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ctl/extra_global_qos.json"),
        )
        .expect("extra_global_qos.json"),
    )
    .expect("JSON");
    let mut broker = Broker::new(BrokerConfig::default());
    let conn = connect(&mut broker, "qos", client_info(40000, "qos"));
    let chans: Vec<Chan> = (0..4).map(|_| open_channel(&mut broker, conn)).collect();
    qos(&mut broker, chans[0], 5, true);
    qos(&mut broker, chans[1], 7, false);
    qos(&mut broker, chans[2], 5, true);
    qos(&mut broker, chans[2], 10, false);
    qos(&mut broker, chans[3], 10, false);
    qos(&mut broker, chans[3], 5, true);
    let queue = match chans[0].call(
        &mut broker,
        Method::QueueDeclare(QueueDeclare {
            exclusive: true,
            ..QueueDeclare::named("")
        }),
    ) {
        Ok(reply) => chan::declare_ok(reply).queue,
        Err(e) => panic!("{e}"),
    };
    for (n, ch) in chans.iter().enumerate() {
        consume(
            &mut broker,
            *ch,
            &queue,
            &format!("c{}", n + 1),
            false,
            false,
            FieldTable::new(),
        );
    }
    for command in recorded["commands"].as_array().expect("commands") {
        let argv: Vec<String> = command["argv"].as_array().expect("argv")[1..]
            .iter()
            .map(|a| a.as_str().expect("string").to_string())
            .collect();
        let out = run(&mut broker, &argv);
        assert_eq!(
            i64::from(out.exit_code),
            command["exit_code"].as_i64().expect("code")
        );
        assert_same_rows(
            &argv.join(" "),
            command["stdout"].as_str().expect("stdout"),
            &out.stdout,
        );
    }
}

#[test]
fn options_columns_and_formatters_beyond_the_recordings() {
    let mut s = setup();
    let b = &mut s.broker;
    // -s drops the informational lines and the header; -q only the former.
    let out = run(b, &strings(&["list_exchanges", "-s", "name", "-p", "/"]));
    assert!(out
        .stdout
        .lines()
        .all(|l| !l.starts_with("Listing") && l != "name"));
    // Comma-separated columns, as rabbitmqctl takes them.
    let out = run(
        b,
        &strings(&["list_queues", "-q", "name,messages_persistent,owner_pid"]),
    );
    assert!(out
        .stdout
        .starts_with("name\tmessages_persistent\towner_pid\n"));
    assert!(out.stdout.contains("q_durable\t3\t\n"));
    assert!(out
        .stdout
        .contains(&format!("q_exclusive\t0\t<{NODE}.1.{}.0>\n", s.conn_a.0)));
    // -t sets the reported timeout; the header survives CSV's quoting.
    let out = run(b, &strings(&["list_queues", "-t", "5", "name"]));
    assert!(out.stdout.starts_with("Timeout: 5.0 seconds ...\n"));
    let out = run(
        b,
        &strings(&["list_channels", "--formatter", "csv", "number", "confirm"]),
    );
    assert!(out
        .stdout
        .starts_with("\"number\",\"confirm\"\n\"1\",\"false\"\n"));
    // Several unknown columns, and unknown formatters, are usage errors.
    let out = run(b, &strings(&["list_consumers", "a", "b,consumer_tag"]));
    assert_eq!(out.exit_code, 64);
    assert!(out
        .stderr
        .starts_with("Error (argument validation): Info key(s) a,b are not supported\n"));
    let out = run(b, &strings(&["list_queues", "--formatter", "yaml"]));
    assert_eq!(out.exit_code, 64);
    // A vhost that does not exist.
    let out = run(b, &strings(&["list_permissions", "-p", "nope"]));
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (65, "Virtual host 'nope' does not exist\n")
    );
    let out = run(
        b,
        &strings(&["set_permissions", "-p", "nope", "guest", ".*", ".*", ".*"]),
    );
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (69, "Error:\nVirtual host nope does not exist\n")
    );
    // delete_queue's conditions.
    let out = run(b, &strings(&["delete_queue", "-u", "--if-empty", "q_auto"]));
    assert_eq!(
        out.stdout,
        "Deleting queue 'q_auto' on vhost '/' if queue is empty and if queue is unused ...\n"
    );
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (64, "Error:\nQueue is in use\n")
    );
    let out = run(b, &strings(&["delete_queue", ""]));
    assert_eq!(out.exit_code, 65);
    // help and version need no broker state.
    let out = run(b, &strings(&["help", "list_queues"]));
    assert_eq!(out.exit_code, 0);
    assert!(out.stdout.contains("consumer_utilisation"));
    assert_eq!(
        run(b, &strings(&["version"])).stdout,
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn the_line_protocol_answers_good_and_malformed_requests() {
    let mut s = setup();
    let node = node();
    let argv = strings(&["list_queues", "name", "messages", "--formatter", "json"]);
    let request = control::request_line(&argv);
    assert!(request.ends_with('\n') && !request.trim_end().contains('\n'));
    assert_eq!(control::parse_request(&request), Ok(argv.clone()));
    let response = control::serve_request(&mut s.broker, &request, &node);
    assert!(response.ends_with('\n') && !response.trim_end().contains('\n'));
    let answered = control::parse_response(&response).expect("a response line");
    assert_eq!(answered, control::run(&mut s.broker, &argv, &node));
    assert_eq!(answered.exit_code, 0);

    for malformed in [
        "",
        "\n",
        "list_queues",
        "{}",
        "[]",
        "{\"argv\": \"list_queues\"}",
        "{\"argv\": [1, 2]}",
        "{\"argv\": [\"list_queues\"]",
        "\u{0}\u{ffff}",
    ] {
        let response = control::serve_request(&mut s.broker, malformed, &node);
        let answered = control::parse_response(&response).expect("an answer to anything");
        assert_eq!(answered.exit_code, 65, "{malformed:?}");
        assert!(
            answered.stderr.starts_with("Error: malformed request"),
            "{answered:?}"
        );
        assert!(answered.stdout.is_empty());
    }
    // Unknown fields are ignored (later clients may add some).
    let response = control::serve_request(
        &mut s.broker,
        "{\"argv\": [\"list_vhosts\"], \"tty\": true}",
        &node,
    );
    assert_eq!(
        control::parse_response(&response).expect("answer").stdout,
        "Listing vhosts ...\nname\n/\n"
    );
    assert!(control::parse_response("nonsense").is_err());

    // Whatever arrives on a line gets one response line back.
    let alphabet: Vec<char> = "{}[]\":, argv\\u0é\u{0}\n-pq/list_queues".chars().collect();
    let mut seed: u64 = 7;
    for _ in 0..2_000 {
        let mut line = String::new();
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        for _ in 0..(seed >> 58) {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            line.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
        }
        let response = control::serve_request(&mut s.broker, &line, &node);
        assert!(response.ends_with('\n') && !response.trim_end().contains('\n'));
        assert!(control::parse_response(&response).is_ok(), "{line:?}");
    }
}

#[test]
fn no_argument_vector_panics() {
    let tokens = [
        "list_queues",
        "list_connections",
        "list_channels",
        "list_consumers",
        "list_bindings",
        "list_exchanges",
        "list_vhosts",
        "list_users",
        "list_permissions",
        "list_user_permissions",
        "delete_vhost",
        "add_vhost",
        "set_permissions",
        "close_connection",
        "purge_queue",
        "delete_queue",
        "status",
        "help",
        "version",
        "-p",
        "/",
        "nope",
        "-q",
        "-s",
        "--",
        "--formatter",
        "json",
        "csv",
        "pretty_table",
        "-t",
        "--if-empty",
        "-u",
        "name",
        "pid",
        "guest",
        "q_durable",
        "q_auto",
        "<warren@localhost.1.1.0>",
        "<warren@localhost.1.x.0>",
        "",
        "-",
        "--=",
        "-n",
        "é",
        ",",
        "arguments",
    ];
    let mut s = setup();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3_000 {
        let mut argv = Vec::new();
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let len = (seed >> 60) as usize % 6;
        for _ in 0..len {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            argv.push(tokens[(seed >> 33) as usize % tokens.len()].to_string());
        }
        let out = run(&mut s.broker, &argv);
        assert!(
            [0, 64, 65, 67, 69].contains(&out.exit_code),
            "{argv:?}: {out:?}"
        );
    }
}

#[test]
fn close_connection_cleans_up_like_a_client_close() {
    let mut s = setup();
    let b = &mut s.broker;
    let pid = format!("<{NODE}.1.{}.0>", s.conn_a.0);
    // A holds 2 unacked q_durable messages and owns q_exclusive.
    let out = run(b, &strings(&["close_connection", &pid, "bye"]));
    assert_eq!(out.exit_code, 0);
    assert_eq!(
        b.queue_stats("q_durable").map(|q| (q.ready, q.unacked)),
        Some((3, 0))
    );
    assert!(b.queue_by_name("q_exclusive").is_none());
    let sent = outbox(b, s.conn_a);
    assert_eq!(sent.len(), 1);
    assert_connection_close(&sent[0].1, &forced_close("bye", true));
    // A pid of another node names no connection here.
    let out = run(
        b,
        &strings(&["close_connection", "<rabbit@elsewhere.1.3.0>", "bye"]),
    );
    assert_eq!(out.exit_code, 0);
    assert!(b.connection(s.conn_b).is_some_and(|c| c.open));
}

#[test]
fn a_broker_shutdown_resets_sockets_without_waiting() {
    let mut s = setup();
    s.broker.restart();
    let sent = outbox(&mut s.broker, s.conn_a);
    assert_connection_close(
        &sent.last().expect("a close").1,
        &forced_close(
            "broker forced connection closure with reason 'shutdown'",
            false,
        ),
    );
}

/// An ack inside a transaction settles nothing until tx.commit: the queue
/// still counts the delivery unacknowledged (RabbitMQ 3.10.8,
/// `tests/conformance/expected/tx_ack_rollback_commit.json`: 3 unacked after
/// an uncommitted ack of 3 deliveries), while the channel has already moved
/// it out of its own unacked set (`list_channels`, RabbitMQ's
/// `unacked_message_q`). list_queues must agree with the queue's counter,
/// which the conformance replayer reads.
#[test]
fn acks_held_by_a_transaction_stay_unacknowledged_in_list_queues() {
    use warren::engine::method::BasicAck;
    let mut broker = Broker::new(BrokerConfig::default());
    let conn = connect(&mut broker, "tx", client_info(40000, "tx"));
    let s = open_channel(&mut broker, conn);
    let w = open_channel(&mut broker, conn);
    ok(s.call(
        &mut broker,
        Method::QueueDeclare(QueueDeclare::named("work")),
    ));
    for _ in 0..4 {
        publish(&mut broker, s, "", "work", false);
    }
    ok(w.call(&mut broker, Method::TxSelect));
    qos(&mut broker, w, 3, false);
    consume(&mut broker, w, "work", "c", false, false, FieldTable::new());
    broker.run_until_idle();
    let ack = |broker: &mut Broker, delivery_tag: u64, multiple: bool| {
        ok(w.call(
            broker,
            Method::BasicAck(BasicAck {
                delivery_tag,
                multiple,
            }),
        ))
    };
    let columns = [
        "list_queues",
        "-q",
        "name",
        "messages_ready",
        "messages_unacknowledged",
        "messages",
        "message_bytes_unacknowledged",
    ];
    let queues = |broker: &mut Broker| run(broker, &strings(&columns)).stdout;
    let channel_unacked = |broker: &mut Broker| {
        run(
            broker,
            &strings(&["list_channels", "-q", "number", "messages_unacknowledged"]),
        )
        .stdout
    };
    let header =
        "name\tmessages_ready\tmessages_unacknowledged\tmessages\tmessage_bytes_unacknowledged\n";

    ack(&mut broker, 1, false);
    broker.run_until_idle();
    assert_eq!(queues(&mut broker), format!("{header}work\t1\t3\t4\t6\n"));
    assert_eq!(
        broker.queue_stats("work").map(|q| (q.ready, q.unacked)),
        Some((1, 3))
    );
    assert_eq!(
        channel_unacked(&mut broker),
        "number\tmessages_unacknowledged\n1\t0\n2\t2\n"
    );
    // Rolled back, then acked (multiple) again inside the transaction.
    ok(w.call(&mut broker, Method::TxRollback));
    ack(&mut broker, 2, true);
    broker.run_until_idle();
    assert_eq!(queues(&mut broker), format!("{header}work\t1\t3\t4\t6\n"));
    // The commit settles them, and the fourth message goes out.
    ok(w.call(&mut broker, Method::TxCommit));
    broker.run_until_idle();
    assert_eq!(queues(&mut broker), format!("{header}work\t0\t2\t2\t4\n"));
    assert_eq!(
        broker.queue_stats("work").map(|q| (q.ready, q.unacked)),
        Some((0, 2))
    );
}
