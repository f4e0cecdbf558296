//! The conformance scenario format (`tests/conformance/README.md`): parsing
//! and validation.
//!
//! Parsing is strict, like the harness's `validate`: an unknown op, a
//! missing or unknown key, or a value of the wrong type is an error that
//! names its path (`steps[3].channel: expected a string`). Nothing here
//! panics, whatever the input.

use crate::engine::message::Properties;
use crate::engine::value::{self, FieldTable};
use serde_json::{Map, Value};
use std::fmt;

/// A malformed scenario (not a broker outcome).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError(msg.into()))
}

/// A whole scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub steps: Vec<Step>,
}

/// Which delivery an ack, nack or reject names.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryRef {
    /// The `index`-th delivery (negative: from the end) a consumer or get label received.
    Index { label: String, index: i64 },
    /// The most recent delivery with this body.
    Body { label: String, body: String },
    /// A raw delivery tag on a channel (0 with multiple = everything).
    Tag { channel: String, tag: u64 },
}

/// One step.
#[derive(Clone, Debug)]
pub enum Step {
    OpenConnection {
        conn: String,
    },
    CloseConnection {
        conn: String,
    },
    OpenChannel {
        conn: String,
        channel: String,
    },
    CloseChannel {
        channel: String,
    },
    ConfirmSelect {
        channel: String,
    },
    ExchangeDeclare {
        channel: String,
        exchange: String,
        kind: String,
        durable: bool,
        auto_delete: bool,
        internal: bool,
        passive: bool,
        arguments: FieldTable,
    },
    ExchangeDelete {
        channel: String,
        exchange: String,
        if_unused: bool,
    },
    ExchangeBind {
        channel: String,
        destination: String,
        source: String,
        routing_key: String,
        arguments: FieldTable,
        bind: bool,
    },
    QueueDeclare {
        channel: String,
        queue: String,
        alias: Option<String>,
        durable: bool,
        exclusive: bool,
        auto_delete: bool,
        passive: bool,
        arguments: FieldTable,
    },
    QueueBind {
        channel: String,
        queue: String,
        exchange: String,
        routing_key: String,
        arguments: FieldTable,
        bind: bool,
    },
    QueuePurge {
        channel: String,
        queue: String,
    },
    QueueDelete {
        channel: String,
        queue: String,
        if_unused: bool,
        if_empty: bool,
    },
    Publish {
        channel: String,
        exchange: String,
        routing_key: String,
        bodies: Vec<String>,
        mandatory: bool,
        properties: Properties,
    },
    Qos {
        channel: String,
        prefetch_count: u32,
        prefetch_size: u32,
        global: bool,
    },
    Consume {
        channel: String,
        queue: String,
        consumer: String,
        consumer_tag: String,
        no_ack: bool,
        exclusive: bool,
        arguments: FieldTable,
        ack_on_receive: bool,
    },
    Cancel {
        consumer: String,
    },
    Get {
        channel: String,
        queue: String,
        label: String,
        no_ack: bool,
    },
    Ack {
        delivery: DeliveryRef,
        multiple: bool,
    },
    Nack {
        delivery: DeliveryRef,
        multiple: bool,
        requeue: bool,
    },
    Reject {
        delivery: DeliveryRef,
        requeue: bool,
    },
    Recover {
        channel: String,
        requeue: bool,
    },
    TxSelect {
        channel: String,
    },
    TxCommit {
        channel: String,
    },
    TxRollback {
        channel: String,
    },
    Wait {
        ms: u64,
    },
    RestartBroker,
    CrashBroker,
    Observe {
        queues: Vec<String>,
        exchanges: Vec<String>,
        bindings: bool,
        consumers_of: Vec<String>,
    },
}

impl Step {
    /// The op name as written in the scenario.
    pub fn op(&self) -> &'static str {
        match self {
            Step::OpenConnection { .. } => "open_connection",
            Step::CloseConnection { .. } => "close_connection",
            Step::OpenChannel { .. } => "open_channel",
            Step::CloseChannel { .. } => "close_channel",
            Step::ConfirmSelect { .. } => "confirm_select",
            Step::ExchangeDeclare { .. } => "exchange_declare",
            Step::ExchangeDelete { .. } => "exchange_delete",
            Step::ExchangeBind { bind: true, .. } => "exchange_bind",
            Step::ExchangeBind { bind: false, .. } => "exchange_unbind",
            Step::QueueDeclare { .. } => "queue_declare",
            Step::QueueBind { bind: true, .. } => "queue_bind",
            Step::QueueBind { bind: false, .. } => "queue_unbind",
            Step::QueuePurge { .. } => "queue_purge",
            Step::QueueDelete { .. } => "queue_delete",
            Step::Publish { .. } => "publish",
            Step::Qos { .. } => "qos",
            Step::Consume { .. } => "consume",
            Step::Cancel { .. } => "cancel",
            Step::Get { .. } => "get",
            Step::Ack { .. } => "ack",
            Step::Nack { .. } => "nack",
            Step::Reject { .. } => "reject",
            Step::Recover { .. } => "recover",
            Step::TxSelect { .. } => "tx_select",
            Step::TxCommit { .. } => "tx_commit",
            Step::TxRollback { .. } => "tx_rollback",
            Step::Wait { .. } => "wait",
            Step::RestartBroker => "restart_broker",
            Step::CrashBroker => "crash_broker",
            Step::Observe { .. } => "observe",
        }
    }
}

/// (required keys, optional keys) per op, besides `op` and `note`.
fn keys_of(op: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const BIND: (&[&str], &[&str]) = (
        &["channel", "queue", "exchange"],
        &["routing_key", "arguments"],
    );
    const XBIND: (&[&str], &[&str]) = (
        &["channel", "destination", "source"],
        &["routing_key", "arguments"],
    );
    Some(match op {
        "open_connection" | "close_connection" => (&["conn"], &[]),
        "open_channel" => (&["conn", "channel"], &[]),
        "close_channel" | "confirm_select" | "tx_select" | "tx_commit" | "tx_rollback" => {
            (&["channel"], &[])
        }
        "exchange_declare" => (
            &["channel", "exchange"],
            &[
                "type",
                "durable",
                "auto_delete",
                "internal",
                "passive",
                "arguments",
            ],
        ),
        "exchange_delete" => (&["channel", "exchange"], &["if_unused"]),
        "exchange_bind" | "exchange_unbind" => XBIND,
        "queue_declare" => (
            &["channel"],
            &[
                "queue",
                "as",
                "durable",
                "exclusive",
                "auto_delete",
                "passive",
                "arguments",
            ],
        ),
        "queue_bind" | "queue_unbind" => BIND,
        "queue_purge" => (&["channel", "queue"], &[]),
        "queue_delete" => (&["channel", "queue"], &["if_unused", "if_empty"]),
        "publish" => (
            &["channel"],
            &[
                "exchange",
                "routing_key",
                "body",
                "bodies",
                "mandatory",
                "properties",
            ],
        ),
        "qos" => (&["channel"], &["prefetch_count", "prefetch_size", "global"]),
        "consume" => (
            &["channel", "queue", "consumer"],
            &[
                "consumer_tag",
                "no_ack",
                "exclusive",
                "arguments",
                "ack_on_receive",
            ],
        ),
        "cancel" => (&["consumer"], &[]),
        "get" => (&["channel", "queue"], &["as", "no_ack"]),
        "ack" => (&[], &["channel", "delivery_tag", "delivery", "multiple"]),
        "nack" => (
            &[],
            &["channel", "delivery_tag", "delivery", "multiple", "requeue"],
        ),
        "reject" => (&[], &["channel", "delivery_tag", "delivery", "requeue"]),
        "recover" => (&["channel"], &["requeue"]),
        "wait" => (&["ms"], &[]),
        "restart_broker" | "crash_broker" => (&[], &[]),
        "observe" => (&[], &["queues", "exchanges", "bindings", "consumers_of"]),
        _ => return None,
    })
}

const PROPERTY_NAMES: &[&str] = &[
    "content_type",
    "content_encoding",
    "headers",
    "delivery_mode",
    "priority",
    "correlation_id",
    "reply_to",
    "expiration",
    "message_id",
    "timestamp",
    "type",
    "user_id",
    "app_id",
    "cluster_id",
];

/// Typed access to one step's keys, naming the path on errors.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    fn at(&self, key: &str) -> String {
        format!("{}.{}", self.path, key)
    }

    fn string(&self, key: &str) -> Result<String, ScenarioError> {
        match self.map.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => err(format!(
                "{}: expected a string, got {}",
                self.at(key),
                kind_of(other)
            )),
            None => err(format!("{}: missing", self.at(key))),
        }
    }

    fn string_or(&self, key: &str, default: &str) -> Result<String, ScenarioError> {
        if self.map.contains_key(key) {
            self.string(key)
        } else {
            Ok(default.to_string())
        }
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, ScenarioError> {
        if self.map.contains_key(key) {
            self.string(key).map(Some)
        } else {
            Ok(None)
        }
    }

    fn flag(&self, key: &str, default: bool) -> Result<bool, ScenarioError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => err(format!(
                "{}: expected true or false, got {}",
                self.at(key),
                kind_of(other)
            )),
        }
    }

    fn int(&self, key: &str, default: i64, min: i64, max: i64) -> Result<i64, ScenarioError> {
        match self.map.get(key) {
            None => Ok(default),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) if (min..=max).contains(&v) => Ok(v),
                _ => err(format!(
                    "{}: expected an integer {min}..{max}, got {n}",
                    self.at(key)
                )),
            },
            Some(other) => err(format!(
                "{}: expected an integer {min}..{max}, got {}",
                self.at(key),
                kind_of(other)
            )),
        }
    }

    fn table(&self, key: &str) -> Result<FieldTable, ScenarioError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(FieldTable::new()),
            Some(v @ Value::Object(_)) => value::table_from_json(v)
                .map_err(|e| ScenarioError(format!("{}: {e}", self.at(key)))),
            Some(other) => err(format!(
                "{}: expected an object, got {}",
                self.at(key),
                kind_of(other)
            )),
        }
    }

    fn string_list(&self, key: &str) -> Result<Vec<String>, ScenarioError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => err(format!(
                        "{}[{i}]: expected a string, got {}",
                        self.at(key),
                        kind_of(other)
                    )),
                })
                .collect(),
            Some(other) => err(format!(
                "{}: expected a list of strings, got {}",
                self.at(key),
                kind_of(other)
            )),
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn parse_properties(v: Option<&Value>, path: &str) -> Result<Properties, ScenarioError> {
    let map = match v {
        None | Some(Value::Null) => return Ok(Properties::default()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return err(format!(
                "{path}: expected an object, got {}",
                kind_of(other)
            ))
        }
    };
    let unknown: Vec<&String> = map
        .keys()
        .filter(|k| !PROPERTY_NAMES.contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        return err(format!("{path}: unknown properties {unknown:?}"));
    }
    let f = Fields {
        map,
        path: path.to_string(),
    };
    let octet = |key: &str| -> Result<Option<u8>, ScenarioError> {
        if map.contains_key(key) {
            Ok(Some(f.int(key, 0, 0, 255)? as u8))
        } else {
            Ok(None)
        }
    };
    Ok(Properties {
        content_type: f.opt_string("content_type")?,
        content_encoding: f.opt_string("content_encoding")?,
        headers: match map.get("headers") {
            None => None,
            Some(_) => Some(f.table("headers")?),
        },
        delivery_mode: octet("delivery_mode")?,
        priority: octet("priority")?,
        correlation_id: f.opt_string("correlation_id")?,
        reply_to: f.opt_string("reply_to")?,
        expiration: f.opt_string("expiration")?,
        message_id: f.opt_string("message_id")?,
        timestamp: if map.contains_key("timestamp") {
            Some(f.int("timestamp", 0, 0, i64::MAX)? as u64)
        } else {
            None
        },
        kind: f.opt_string("type")?,
        user_id: f.opt_string("user_id")?,
        app_id: f.opt_string("app_id")?,
        cluster_id: f.opt_string("cluster_id")?,
    })
}

fn parse_delivery(f: &Fields<'_>, op: &str) -> Result<DeliveryRef, ScenarioError> {
    let has_tag = f.map.contains_key("delivery_tag");
    let has_sel = f.map.contains_key("delivery");
    if has_tag == has_sel {
        return err(format!(
            "{}: {op} needs exactly one of delivery_tag / delivery",
            f.path
        ));
    }
    if has_tag {
        if !f.map.contains_key("channel") {
            return err(format!("{}: delivery_tag needs channel", f.path));
        }
        let tag = f.int("delivery_tag", 0, 0, i64::MAX)? as u64;
        return Ok(DeliveryRef::Tag {
            channel: f.string("channel")?,
            tag,
        });
    }
    let path = f.at("delivery");
    let Some(Value::Object(sel)) = f.map.get("delivery") else {
        return err(format!(
            "{path}: expected an object with consumer and index or body"
        ));
    };
    let s = Fields {
        map: sel,
        path: path.clone(),
    };
    let label = s.string("consumer")?;
    if sel.contains_key("index") {
        Ok(DeliveryRef::Index {
            label,
            index: s.int("index", 0, i64::from(i32::MIN), i64::from(i32::MAX))?,
        })
    } else if sel.contains_key("body") {
        Ok(DeliveryRef::Body {
            label,
            body: s.string("body")?,
        })
    } else {
        err(format!("{path}: a delivery selector needs index or body"))
    }
}

fn parse_step(v: &Value, i: usize) -> Result<Step, ScenarioError> {
    let path = format!("steps[{i}]");
    let Value::Object(map) = v else {
        return err(format!("{path}: expected an object, got {}", kind_of(v)));
    };
    let op = match map.get("op") {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return err(format!(
                "{path}.op: expected a string, got {}",
                kind_of(other)
            ))
        }
        None => return err(format!("{path}.op: missing")),
    };
    let Some((required, optional)) = keys_of(op) else {
        return err(format!("{path}.op: unknown op '{op}'"));
    };
    for key in required {
        if !map.contains_key(*key) {
            return err(format!("{path} ({op}): missing key '{key}'"));
        }
    }
    let unknown: Vec<&String> = map
        .keys()
        .filter(|k| {
            k.as_str() != "op"
                && k.as_str() != "note"
                && !required.contains(&k.as_str())
                && !optional.contains(&k.as_str())
        })
        .collect();
    if !unknown.is_empty() {
        return err(format!("{path} ({op}): unknown keys {unknown:?}"));
    }
    if let Some(note) = map.get("note") {
        if !note.is_string() {
            return err(format!("{path}.note: expected a string"));
        }
    }
    let f = Fields {
        map,
        path: path.clone(),
    };
    Ok(match op {
        "open_connection" => Step::OpenConnection {
            conn: f.string("conn")?,
        },
        "close_connection" => Step::CloseConnection {
            conn: f.string("conn")?,
        },
        "open_channel" => Step::OpenChannel {
            conn: f.string("conn")?,
            channel: f.string("channel")?,
        },
        "close_channel" => Step::CloseChannel {
            channel: f.string("channel")?,
        },
        "confirm_select" => Step::ConfirmSelect {
            channel: f.string("channel")?,
        },
        "tx_select" => Step::TxSelect {
            channel: f.string("channel")?,
        },
        "tx_commit" => Step::TxCommit {
            channel: f.string("channel")?,
        },
        "tx_rollback" => Step::TxRollback {
            channel: f.string("channel")?,
        },
        "exchange_declare" => Step::ExchangeDeclare {
            channel: f.string("channel")?,
            exchange: f.string("exchange")?,
            kind: f.string_or("type", "direct")?,
            durable: f.flag("durable", false)?,
            auto_delete: f.flag("auto_delete", false)?,
            internal: f.flag("internal", false)?,
            passive: f.flag("passive", false)?,
            arguments: f.table("arguments")?,
        },
        "exchange_delete" => Step::ExchangeDelete {
            channel: f.string("channel")?,
            exchange: f.string("exchange")?,
            if_unused: f.flag("if_unused", false)?,
        },
        "exchange_bind" | "exchange_unbind" => Step::ExchangeBind {
            channel: f.string("channel")?,
            destination: f.string("destination")?,
            source: f.string("source")?,
            routing_key: f.string_or("routing_key", "")?,
            arguments: f.table("arguments")?,
            bind: op == "exchange_bind",
        },
        "queue_declare" => Step::QueueDeclare {
            channel: f.string("channel")?,
            queue: f.string_or("queue", "")?,
            alias: f.opt_string("as")?,
            durable: f.flag("durable", false)?,
            exclusive: f.flag("exclusive", false)?,
            auto_delete: f.flag("auto_delete", false)?,
            passive: f.flag("passive", false)?,
            arguments: f.table("arguments")?,
        },
        "queue_bind" | "queue_unbind" => Step::QueueBind {
            channel: f.string("channel")?,
            queue: f.string("queue")?,
            exchange: f.string("exchange")?,
            routing_key: f.string_or("routing_key", "")?,
            arguments: f.table("arguments")?,
            bind: op == "queue_bind",
        },
        "queue_purge" => Step::QueuePurge {
            channel: f.string("channel")?,
            queue: f.string("queue")?,
        },
        "queue_delete" => Step::QueueDelete {
            channel: f.string("channel")?,
            queue: f.string("queue")?,
            if_unused: f.flag("if_unused", false)?,
            if_empty: f.flag("if_empty", false)?,
        },
        "publish" => {
            let bodies = match (map.contains_key("body"), map.contains_key("bodies")) {
                (true, false) => vec![f.string("body")?],
                (false, true) => f.string_list("bodies")?,
                _ => {
                    return err(format!(
                        "{path}: publish needs exactly one of body / bodies"
                    ))
                }
            };
            Step::Publish {
                channel: f.string("channel")?,
                exchange: f.string_or("exchange", "")?,
                routing_key: f.string_or("routing_key", "")?,
                bodies,
                mandatory: f.flag("mandatory", false)?,
                properties: parse_properties(map.get("properties"), &f.at("properties"))?,
            }
        }
        "qos" => Step::Qos {
            channel: f.string("channel")?,
            prefetch_count: f.int("prefetch_count", 0, 0, 65_535)? as u32,
            prefetch_size: f.int("prefetch_size", 0, 0, i64::from(u32::MAX))? as u32,
            global: f.flag("global", false)?,
        },
        "consume" => {
            let consumer = f.string("consumer")?;
            let no_ack = f.flag("no_ack", false)?;
            let ack_on_receive = f.flag("ack_on_receive", false)?;
            if no_ack && ack_on_receive {
                return err(format!("{path}: no_ack and ack_on_receive both set"));
            }
            Step::Consume {
                channel: f.string("channel")?,
                queue: f.string("queue")?,
                consumer_tag: f.string_or("consumer_tag", &consumer)?,
                consumer,
                no_ack,
                exclusive: f.flag("exclusive", false)?,
                arguments: f.table("arguments")?,
                ack_on_receive,
            }
        }
        "cancel" => Step::Cancel {
            consumer: f.string("consumer")?,
        },
        "get" => Step::Get {
            channel: f.string("channel")?,
            queue: f.string("queue")?,
            label: f.string_or("as", "get")?,
            no_ack: f.flag("no_ack", false)?,
        },
        "ack" => Step::Ack {
            delivery: parse_delivery(&f, op)?,
            multiple: f.flag("multiple", false)?,
        },
        "nack" => Step::Nack {
            delivery: parse_delivery(&f, op)?,
            multiple: f.flag("multiple", false)?,
            requeue: f.flag("requeue", true)?,
        },
        "reject" => Step::Reject {
            delivery: parse_delivery(&f, op)?,
            requeue: f.flag("requeue", true)?,
        },
        "recover" => Step::Recover {
            channel: f.string("channel")?,
            requeue: f.flag("requeue", true)?,
        },
        "wait" => Step::Wait {
            ms: f.int("ms", 0, 0, 365 * 24 * 3_600_000)? as u64,
        },
        "restart_broker" => Step::RestartBroker,
        "crash_broker" => Step::CrashBroker,
        "observe" => Step::Observe {
            queues: f.string_list("queues")?,
            exchanges: f.string_list("exchanges")?,
            bindings: f.flag("bindings", false)?,
            consumers_of: f.string_list("consumers_of")?,
        },
        _ => return err(format!("{path}.op: unknown op '{op}'")),
    })
}

/// The most steps one scenario may hold (a browser tab must stay responsive).
pub const STEPS_MAX: usize = 100_000;

/// Parses and validates a scenario document.
pub fn parse(json: &str) -> Result<Scenario, ScenarioError> {
    let v: Value =
        serde_json::from_str(json).map_err(|e| ScenarioError(format!("not valid JSON: {e}")))?;
    let Value::Object(top) = &v else {
        return err("the scenario must be a JSON object");
    };
    let extra: Vec<&String> = top
        .keys()
        .filter(|k| !matches!(k.as_str(), "name" | "description" | "steps"))
        .collect();
    if !extra.is_empty() {
        return err(format!(
            "unknown top-level keys {extra:?} (allowed: name, description, steps)"
        ));
    }
    let name = match top.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => return err("name: expected a string"),
    };
    let description = match top.get("description") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return err(format!(
                "description: expected a string, got {}",
                kind_of(other)
            ))
        }
    };
    let Some(Value::Array(items)) = top.get("steps") else {
        return err("steps: expected a list");
    };
    if items.len() > STEPS_MAX {
        return err(format!(
            "steps: {} steps; at most {STEPS_MAX} are allowed",
            items.len()
        ));
    }
    let steps = items
        .iter()
        .enumerate()
        .map(|(i, s)| parse_step(s, i))
        .collect::<Result<_, _>>()?;
    Ok(Scenario {
        name,
        description,
        steps,
    })
}
