//! The conformance scenario format (`tests/conformance/README.md`): parsing
//! and validation.
//!
//! Parsing is strict, like the harness's `validate`: an unknown op, a
//! missing or unknown key, or a value of the wrong type is an error that
//! names its path (`steps[3].channel: expected a string`). Nothing here
//! panics, whatever the input.

use crate::engine::method::{BasicConsume, BasicGet, BasicPublish, Method};
use serde::de::DeserializeOwned;
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
    /// One AMQP method on a channel (declares, deletes, binds, purges, qos,
    /// recover, tx, confirm.select). Queue names (and a bind's routing key)
    /// may be `$alias` references, resolved when the step runs.
    Method {
        op: &'static str,
        channel: String,
        method: Method,
        /// queue.declare's `as`: remember the queue's name under this alias.
        alias: Option<String>,
    },
    /// One basic.publish per body, the same envelope for each.
    Publish {
        channel: String,
        template: BasicPublish,
        bodies: Vec<String>,
    },
    Consume {
        channel: String,
        consumer: String,
        method: BasicConsume,
        ack_on_receive: bool,
    },
    Cancel {
        consumer: String,
    },
    Get {
        channel: String,
        label: String,
        method: BasicGet,
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
    Wait {
        ms: u64,
    },
    /// The operator sets the broker's `consumer_timeout` (`None`: off) and
    /// `channel_tick_interval` for channels opened from now on.
    SetConsumerTimeout {
        ms: Option<u64>,
        tick_ms: u64,
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
            Step::Method { op, .. } => op,
            Step::Publish { .. } => "publish",
            Step::Consume { .. } => "consume",
            Step::Cancel { .. } => "cancel",
            Step::Get { .. } => "get",
            Step::Ack { .. } => "ack",
            Step::Nack { .. } => "nack",
            Step::Reject { .. } => "reject",
            Step::Wait { .. } => "wait",
            Step::SetConsumerTimeout { .. } => "set_consumer_timeout",
            Step::RestartBroker => "restart_broker",
            Step::CrashBroker => "crash_broker",
            Step::Observe { .. } => "observe",
        }
    }
}

/// Every op of the format.
const OPS: &[&str] = &[
    "open_connection",
    "close_connection",
    "open_channel",
    "close_channel",
    "confirm_select",
    "tx_select",
    "tx_commit",
    "tx_rollback",
    "exchange_declare",
    "exchange_delete",
    "exchange_bind",
    "exchange_unbind",
    "queue_declare",
    "queue_bind",
    "queue_unbind",
    "queue_purge",
    "queue_delete",
    "publish",
    "qos",
    "consume",
    "cancel",
    "get",
    "ack",
    "nack",
    "reject",
    "recover",
    "wait",
    "set_consumer_timeout",
    "restart_broker",
    "crash_broker",
    "observe",
];

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
        "set_consumer_timeout" => (&["ms"], &["tick_ms"]),
        "restart_broker" | "crash_broker" => (&[], &[]),
        "observe" => (&[], &["queues", "exchanges", "bindings", "consumers_of"]),
        _ => return None,
    })
}

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

/// Deserializes a step's method arguments (every key but the harness's own,
/// `skip`) into the method's struct, naming the path of any error.
fn method_args<T: DeserializeOwned>(
    map: &Map<String, Value>,
    skip: &[&str],
    path: &str,
) -> Result<T, ScenarioError> {
    serde_path_to_error::deserialize(Value::Object(method_arg_map(map, skip)))
        .map_err(|e| method_arg_error(path, e))
}

/// The keys of a step that are the method's arguments. Kept out of the
/// generic [`method_args`], so the wasm holds one copy instead of one per
/// method (issue 16).
fn method_arg_map(map: &Map<String, Value>, skip: &[&str]) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "op" | "note") && !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn method_arg_error(path: &str, e: serde_path_to_error::Error<serde_json::Error>) -> ScenarioError {
    let at = e.path().to_string();
    ScenarioError(format!("{path}.{at}: {}", e.into_inner()))
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
    let op: &'static str = match map.get("op") {
        Some(Value::String(s)) => match OPS.iter().find(|o| **o == s.as_str()) {
            Some(known) => known,
            None => return err(format!("{path}.op: unknown op '{s}'")),
        },
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
        "confirm_select" => method_step(op, &f, Method::ConfirmSelect { no_wait: false })?,
        "tx_select" => method_step(op, &f, Method::TxSelect)?,
        "tx_commit" => method_step(op, &f, Method::TxCommit)?,
        "tx_rollback" => method_step(op, &f, Method::TxRollback)?,
        "exchange_declare" => method_step_from_keys(op, &f, Method::ExchangeDeclare)?,
        "exchange_delete" => method_step_from_keys(op, &f, Method::ExchangeDelete)?,
        "exchange_bind" => method_step_from_keys(op, &f, Method::ExchangeBind)?,
        "exchange_unbind" => method_step_from_keys(op, &f, Method::ExchangeUnbind)?,
        "queue_declare" => Step::Method {
            op,
            channel: f.string("channel")?,
            method: Method::QueueDeclare(method_args(map, &["channel", "as"], &path)?),
            alias: f.opt_string("as")?,
        },
        "queue_bind" => method_step_from_keys(op, &f, Method::QueueBind)?,
        "queue_unbind" => method_step_from_keys(op, &f, Method::QueueUnbind)?,
        "queue_purge" => method_step_from_keys(op, &f, Method::QueuePurge)?,
        "queue_delete" => method_step_from_keys(op, &f, Method::QueueDelete)?,
        "qos" => method_step_from_keys(op, &f, Method::BasicQos)?,
        "recover" => method_step_from_keys(op, &f, Method::BasicRecover)?,
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
                template: method_args(map, &["channel", "body", "bodies"], &path)?,
                bodies,
            }
        }
        "consume" => {
            let consumer = f.string("consumer")?;
            let ack_on_receive = f.flag("ack_on_receive", false)?;
            let mut method: BasicConsume =
                method_args(map, &["channel", "consumer", "ack_on_receive"], &path)?;
            if method.no_ack && ack_on_receive {
                return err(format!("{path}: no_ack and ack_on_receive both set"));
            }
            if !map.contains_key("consumer_tag") {
                method.consumer_tag = consumer.clone();
            }
            Step::Consume {
                channel: f.string("channel")?,
                consumer,
                method,
                ack_on_receive,
            }
        }
        "cancel" => Step::Cancel {
            consumer: f.string("consumer")?,
        },
        "get" => Step::Get {
            channel: f.string("channel")?,
            label: f.string_or("as", "get")?,
            method: method_args(map, &["channel", "as"], &path)?,
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
        "wait" => Step::Wait {
            ms: f.int("ms", 0, 0, 365 * 24 * 3_600_000)? as u64,
        },
        "set_consumer_timeout" => Step::SetConsumerTimeout {
            ms: match f.map.get("ms") {
                Some(Value::Null) => None,
                _ => Some(f.int("ms", 0, 0, i64::from(u32::MAX))? as u64),
            },
            tick_ms: f.int("tick_ms", 60_000, 1, i64::from(u32::MAX))? as u64,
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

/// A method step on the step's `channel`.
/// A step that sends the method `method` makes of the step's keys (all
/// but `op`, `note` and `channel`), on the step's channel.
fn method_step_from_keys<T: DeserializeOwned>(
    op: &'static str,
    f: &Fields<'_>,
    method: fn(T) -> Method,
) -> Result<Step, ScenarioError> {
    let args = method_args(f.map, &["channel"], &f.path)?;
    method_step(op, f, method(args))
}

fn method_step(op: &'static str, f: &Fields<'_>, method: Method) -> Result<Step, ScenarioError> {
    Ok(Step::Method {
        op,
        channel: f.string("channel")?,
        method,
        alias: None,
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
