//! Stored records: the durable state as key/value records with a schema
//! version, as the IndexedDB backend writes them.
//!
//! Records are JSON text. Each carries `"v"`, the schema version that wrote
//! it; a record from a newer schema, or one that does not parse, is an
//! error that names the record, never a panic, and nothing is written over
//! it. Records are the store's own types converted to and from the engine's
//! durable types explicitly, so the engine can change without silently
//! changing what is on disk.

use crate::engine::durable::{
    DurableBinding, DurableExchange, DurableMessage, DurableOp, DurableQueue, DurableState,
};
use crate::store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema this build writes and reads.
///
/// - 1: field values (arguments, headers) as `{"type": "int", "value": 5}`.
/// - 2: field values as the one JSON form of `engine/value.rs`
///   (`5`, `{"$long": 5}`). Version-1 records are read (converted on the
///   way in); a store that held any rewrites itself whole as version 2,
///   since binding keys contain their arguments' JSON.
pub const SCHEMA_VERSION: u32 = 2;

/// The object stores (tables) records live in.
pub const STORES: &[&str] = &["meta", "exchanges", "queues", "bindings", "messages"];

#[derive(Serialize, Deserialize)]
struct Versioned<T> {
    v: u32,
    #[serde(flatten)]
    body: T,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueRecord {
    pub name: String,
    pub auto_delete: bool,
    pub arguments: crate::engine::value::FieldTable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub queue: String,
    pub message: DurableMessage,
}

/// Which broker a database holds, and how it was set up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrokerRecord {
    pub name: String,
    pub profile: crate::engine::Profile,
    pub seed: u64,
    /// The tab that writes this database (another tab taking over is detected).
    pub owner: String,
}

/// One change to the stored records.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordChange {
    pub store: &'static str,
    pub key: String,
    /// `None` deletes the record.
    pub value: Option<String>,
}

pub fn encode<T: Serialize>(body: &T) -> String {
    serde_json::to_string(&Versioned {
        v: SCHEMA_VERSION,
        body,
    })
    .unwrap_or_default()
}

pub fn decode<T: for<'de> Deserialize<'de>>(
    store: &str,
    key: &str,
    text: &str,
) -> Result<T, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("{store}/{key}: {e}"));
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| corrupt(format!("not a Warren record ({e})")))?;
    let version =
        record_version(&value).ok_or_else(|| corrupt("not a Warren record (no version)".into()))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == 1 {
        upgrade_v1(&mut value).map_err(corrupt)?;
    }
    let record: Versioned<T> = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    Ok(record.body)
}

/// The schema version a record was written with.
fn record_version(value: &serde_json::Value) -> Option<u32> {
    value.get("v")?.as_u64().and_then(|v| u32::try_from(v).ok())
}

/// Whether any of these records was written by an older schema (the store
/// should then be rewritten whole).
pub fn any_older(records: &BTreeMap<&'static str, Vec<(String, String)>>) -> bool {
    records.values().flatten().any(|(_, text)| {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| record_version(&v))
            .is_some_and(|v| v < SCHEMA_VERSION)
    })
}

/// Rewrites a version-1 record's field values (`arguments`, a message's
/// `properties.headers`) into today's JSON form, in place.
fn upgrade_v1(record: &mut serde_json::Value) -> Result<(), String> {
    fn table(t: &mut serde_json::Value) -> Result<(), String> {
        if let serde_json::Value::Object(map) = t {
            for v in map.values_mut() {
                *v = legacy_value(v)?.to_json();
            }
        }
        Ok(())
    }
    if let Some(args) = record.get_mut("arguments") {
        table(args)?;
    }
    if let Some(headers) = record
        .get_mut("message")
        .and_then(|m| m.get_mut("properties"))
        .and_then(|p| p.get_mut("headers"))
    {
        table(headers)?;
    }
    Ok(())
}

/// A field value as version 1 wrote it: `{"type": ..., "value": ...}`.
fn legacy_value(v: &serde_json::Value) -> Result<crate::engine::value::FieldValue, String> {
    use crate::engine::value::FieldValue;
    let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or_default();
    let inner = v.get("value").cloned().unwrap_or(serde_json::Value::Null);
    let bad = || format!("a version-1 value of type '{kind}' holds {inner}");
    Ok(match kind {
        "void" => FieldValue::Void,
        "bool" => FieldValue::Bool(inner.as_bool().ok_or_else(bad)?),
        "int" => FieldValue::Int(
            inner
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(bad)?,
        ),
        "long" => FieldValue::Long(inner.as_i64().ok_or_else(bad)?),
        "double" => FieldValue::Double(inner.as_f64().ok_or_else(bad)?),
        "longstr" => FieldValue::LongStr(inner.as_str().ok_or_else(bad)?.to_string()),
        "timestamp" => FieldValue::Timestamp(inner.as_u64().ok_or_else(bad)?),
        "table" => {
            let serde_json::Value::Object(map) = &inner else {
                return Err(bad());
            };
            FieldValue::Table(
                map.iter()
                    .map(|(k, x)| Ok((k.clone(), legacy_value(x)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        "array" => {
            let serde_json::Value::Array(items) = &inner else {
                return Err(bad());
            };
            FieldValue::Array(items.iter().map(legacy_value).collect::<Result<_, _>>()?)
        }
        _ => return Err(format!("unknown version-1 value type '{kind}'")),
    })
}

/// The key of a message record: queue name, a separator that cannot occur
/// in the zero-padded number, then the sequence number.
pub fn message_key(queue: &str, seq: u64) -> String {
    format!("{queue}\u{1}{seq:020}")
}

/// The record changes one op makes, given the state before it (needed to
/// find the messages and bindings a queue or exchange delete takes along).
pub fn changes(state: &DurableState, op: &DurableOp) -> Vec<RecordChange> {
    let put = |store: &'static str, key: String, value: String| RecordChange {
        store,
        key,
        value: Some(value),
    };
    let del = |store: &'static str, key: String| RecordChange {
        store,
        key,
        value: None,
    };
    match op {
        DurableOp::PutExchange(x) => vec![put("exchanges", x.name.clone(), encode(x))],
        DurableOp::DeleteExchange { name } => {
            let mut out = vec![del("exchanges", name.clone())];
            for (key, b) in &state.bindings {
                if b.source == *name
                    || (b.destination_kind == crate::engine::exchange::DestinationKind::Exchange
                        && b.destination == *name)
                {
                    out.push(del("bindings", key.clone()));
                }
            }
            out
        }
        DurableOp::PutQueue {
            name,
            auto_delete,
            arguments,
        } => vec![put(
            "queues",
            name.clone(),
            encode(&QueueRecord {
                name: name.clone(),
                auto_delete: *auto_delete,
                arguments: arguments.clone(),
            }),
        )],
        DurableOp::DeleteQueue { name } => {
            let mut out = vec![del("queues", name.clone())];
            if let Some(q) = state.queues.get(name) {
                out.extend(
                    q.messages
                        .keys()
                        .map(|seq| del("messages", message_key(name, *seq))),
                );
            }
            for (key, b) in &state.bindings {
                if b.destination_kind == crate::engine::exchange::DestinationKind::Queue
                    && b.destination == *name
                {
                    out.push(del("bindings", key.clone()));
                }
            }
            out
        }
        DurableOp::PutBinding(b) => vec![put("bindings", b.key(), encode(b))],
        DurableOp::DeleteBinding(b) => vec![del("bindings", b.key())],
        DurableOp::PutMessage { queue, message } => {
            if !state.queues.contains_key(queue) {
                return Vec::new();
            }
            vec![put(
                "messages",
                message_key(queue, message.seq),
                encode(&MessageRecord {
                    queue: queue.clone(),
                    message: message.clone(),
                }),
            )]
        }
        DurableOp::MarkDelivered { queue, seq } => {
            match state.queues.get(queue).and_then(|q| q.messages.get(seq)) {
                Some(m) => {
                    let mut m = m.clone();
                    m.redelivered = true;
                    vec![put(
                        "messages",
                        message_key(queue, *seq),
                        encode(&MessageRecord {
                            queue: queue.clone(),
                            message: m,
                        }),
                    )]
                }
                None => Vec::new(),
            }
        }
        DurableOp::DeleteMessage { queue, seq } => vec![del("messages", message_key(queue, *seq))],
    }
}

/// The records of a whole state, written into an empty store.
pub fn records_of(state: &DurableState) -> Vec<RecordChange> {
    let mut built = DurableState::default();
    let mut out = Vec::new();
    for op in state.to_ops() {
        out.extend(changes(&built, &op));
        built.apply(&op);
    }
    out
}

/// Rebuilds the durable state from the records of each store.
pub fn state_from_records(
    records: &BTreeMap<&'static str, Vec<(String, String)>>,
) -> Result<DurableState, StoreError> {
    let mut state = DurableState::default();
    let empty = Vec::new();
    let of = |store: &str| records.get(store).unwrap_or(&empty);
    for (key, text) in of("exchanges") {
        let x: DurableExchange = decode("exchanges", key, text)?;
        state.exchanges.insert(x.name.clone(), x);
    }
    for (key, text) in of("queues") {
        let q: QueueRecord = decode("queues", key, text)?;
        state.queues.insert(
            q.name.clone(),
            DurableQueue {
                name: q.name,
                auto_delete: q.auto_delete,
                arguments: q.arguments,
                messages: BTreeMap::new(),
            },
        );
    }
    for (key, text) in of("bindings") {
        let b: DurableBinding = decode("bindings", key, text)?;
        state.bindings.insert(b.key(), b);
    }
    for (key, text) in of("messages") {
        let m: MessageRecord = decode("messages", key, text)?;
        if let Some(q) = state.queues.get_mut(&m.queue) {
            q.messages.insert(m.message.seq, m.message);
        }
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_records_are_read_and_converted() {
        use crate::engine::value::FieldValue;
        let queue = r#"{"v":1,"name":"q","auto_delete":false,"arguments":{"x-max-length":{"type":"int","value":10},"x-dead-letter-exchange":{"type":"longstr","value":"dlx"}}}"#;
        let q: QueueRecord = decode("queues", "q", queue).unwrap();
        assert_eq!(q.arguments["x-max-length"], FieldValue::Int(10));
        assert_eq!(
            q.arguments["x-dead-letter-exchange"],
            FieldValue::LongStr("dlx".into())
        );
        let message = r#"{"v":1,"queue":"q","message":{"seq":1,"id":7,"redelivered":false,"expires_at":null,"exchange":"","routing_key":"q","cc":[],
            "properties":{"delivery_mode":2,"headers":{"n":{"type":"long","value":5},"t":{"type":"timestamp","value":9},
            "nested":{"type":"table","value":{"a":{"type":"array","value":[{"type":"bool","value":true}]}}}}},"body":[104,105]}}"#;
        let m: MessageRecord = decode("messages", "q", message).unwrap();
        let h = m.message.properties.headers.unwrap();
        assert_eq!(h["n"], FieldValue::Long(5));
        assert_eq!(h["t"], FieldValue::Timestamp(9));
        assert!(
            matches!(&h["nested"], FieldValue::Table(t) if t["a"] == FieldValue::Array(vec![FieldValue::Bool(true)]))
        );
        let mut records = BTreeMap::new();
        records.insert("queues", vec![("q".to_string(), queue.to_string())]);
        assert!(any_older(&records));
        records.insert("queues", vec![("q".to_string(), encode(&q))]);
        assert!(!any_older(&records));
        assert!(matches!(
            decode::<QueueRecord>(
                "queues",
                "q",
                r#"{"v":1,"name":"q","auto_delete":false,"arguments":{"x":{"type":"nope","value":1}}}"#
            ),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn newer_and_corrupt_records_are_errors() {
        let newer = r#"{"v": 99, "name": "x"}"#;
        assert_eq!(
            decode::<QueueRecord>("queues", "x", newer).unwrap_err(),
            StoreError::NewerSchema {
                found: 99,
                supported: SCHEMA_VERSION
            }
        );
        assert!(matches!(
            decode::<QueueRecord>("queues", "x", "{oops").unwrap_err(),
            StoreError::Corrupt(_)
        ));
        assert!(matches!(
            decode::<QueueRecord>("queues", "x", r#"{"v":1,"name":5}"#).unwrap_err(),
            StoreError::Corrupt(_)
        ));
        let q = QueueRecord {
            name: "q".into(),
            auto_delete: false,
            arguments: Default::default(),
        };
        assert_eq!(
            decode::<QueueRecord>("queues", "q", &encode(&q)).unwrap(),
            q
        );
    }
}
