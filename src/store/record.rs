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
pub const SCHEMA_VERSION: u32 = 1;

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
    #[derive(Deserialize)]
    struct Version {
        v: u32,
    }
    let version: Version = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{store}/{key}: not a Warren record ({e})")))?;
    if version.v > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: version.v,
            supported: SCHEMA_VERSION,
        });
    }
    let record: Versioned<T> = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{store}/{key}: {e}")))?;
    Ok(record.body)
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
                if b.source == *name || (b.destination_kind == "exchange" && b.destination == *name)
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
                if b.destination_kind == "queue" && b.destination == *name {
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
