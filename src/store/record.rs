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
    DurableBinding, DurableDeadLetter, DurableExchange, DurableMessage, DurableOp, DurableQueue,
    DurableState,
};
use crate::engine::exchange::DestinationKind;
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
    /// An `at-least-once` quorum queue's held dead letters (none in
    /// records written before Warren kept them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_dead_letters: Vec<DurableDeadLetter>,
    /// A quorum queue's `last_active` (`DurableQueue::last_active`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active: Option<crate::engine::clock::Millis>,
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
    /// What the record held before (`None`: it did not exist), so a change
    /// that could not be written can be undone in memory.
    pub previous: Option<String>,
}

impl RecordChange {
    /// Writes `value` as record `key` of `store`.
    pub fn put(
        store: &'static str,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> RecordChange {
        RecordChange {
            store,
            key: key.into(),
            value: Some(value.into()),
            previous: None,
        }
    }
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
/// in the zero-padded number, then the sequence number. A queue's messages
/// are therefore one contiguous, ordered range of keys.
pub fn message_key(queue: &str, seq: u64) -> String {
    format!("{}{seq:020}", message_key_prefix(queue))
}

fn message_key_prefix(queue: &str) -> String {
    format!("{queue}\u{1}")
}

/// One store's records: text by key.
pub type Table = BTreeMap<String, String>;

/// Every record of a store, mirrored in memory: what a backend holds, so a
/// batch's record changes can be worked out from the records alone (no
/// copy of the durable state), applied in place, and undone if the write
/// fails.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordSet {
    tables: BTreeMap<&'static str, Table>,
}

impl RecordSet {
    /// The records of a whole state.
    pub fn from_state(state: &DurableState) -> RecordSet {
        let mut set = RecordSet::default();
        set.apply_ops(&state.to_ops());
        set
    }

    /// Records read back from a store, by store name (unknown stores are
    /// ignored).
    pub fn from_rows(rows: BTreeMap<&'static str, Vec<(String, String)>>) -> RecordSet {
        RecordSet {
            tables: rows
                .into_iter()
                .map(|(store, rows)| (store, rows.into_iter().collect()))
                .collect(),
        }
    }

    pub fn table(&self, store: &str) -> Option<&Table> {
        self.tables.get(store)
    }

    /// Every record, store by store.
    pub fn rows(&self) -> impl Iterator<Item = (&'static str, &String, &String)> {
        self.tables
            .iter()
            .flat_map(|(store, t)| t.iter().map(move |(k, v)| (*store, k, v)))
    }

    pub fn len(&self) -> usize {
        self.tables.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Puts or deletes one record; returns the change, holding the value
    /// it replaced.
    fn set(&mut self, store: &'static str, key: String, value: Option<String>) -> RecordChange {
        let table = self.tables.entry(store).or_default();
        let previous = match &value {
            Some(v) => table.insert(key.clone(), v.clone()),
            None => table.remove(&key),
        };
        RecordChange {
            store,
            key,
            value,
            previous,
        }
    }

    /// Applies changes read from a store (a journal being replayed).
    pub fn apply_changes(&mut self, changes: impl IntoIterator<Item = RecordChange>) {
        for c in changes {
            self.set(c.store, c.key, c.value);
        }
    }

    /// Applies a batch's ops to the records, in order; returns the record
    /// changes they made, for the backend to write (and to [`undo`] if it
    /// cannot).
    ///
    /// [`undo`]: RecordSet::undo
    pub fn apply_ops(&mut self, ops: &[DurableOp]) -> Vec<RecordChange> {
        let mut out = Vec::new();
        for op in ops {
            self.apply_op(op, &mut out);
        }
        out
    }

    /// Puts the records back as they were before `changes` (newest first).
    pub fn undo(&mut self, changes: Vec<RecordChange>) {
        for c in changes.into_iter().rev() {
            self.set(c.store, c.key, c.previous);
        }
    }

    fn keys_where(&self, store: &str, keep: impl Fn(&str, &str) -> bool) -> Vec<String> {
        self.tables
            .get(store)
            .map(|t| {
                t.iter()
                    .filter(|(k, v)| keep(k, v))
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The bindings that lead from or to `name`.
    fn bindings_touching(&self, name: &str, kind: DestinationKind, as_source: bool) -> Vec<String> {
        self.keys_where("bindings", |key, text| {
            decode::<DurableBinding>("bindings", key, text).is_ok_and(|b| {
                (as_source && b.source == name)
                    || (b.destination_kind == kind && b.destination == name)
            })
        })
    }

    /// Queue `name`'s stored record, if it has a readable one.
    fn queue_record(&self, name: &str) -> Option<QueueRecord> {
        let text = self.table("queues")?.get(name)?;
        decode::<QueueRecord>("queues", name, text).ok()
    }

    fn apply_op(&mut self, op: &DurableOp, out: &mut Vec<RecordChange>) {
        match op {
            DurableOp::PutExchange(x) => {
                out.push(self.set("exchanges", x.name.clone(), Some(encode(x))))
            }
            DurableOp::DeleteExchange { name } => {
                out.push(self.set("exchanges", name.clone(), None));
                for key in self.bindings_touching(name, DestinationKind::Exchange, true) {
                    out.push(self.set("bindings", key, None));
                }
            }
            DurableOp::PutQueue {
                name,
                auto_delete,
                arguments,
            } => {
                // A redeclare keeps what the queue holds and its timer.
                let stored = self.queue_record(name);
                let record = QueueRecord {
                    name: name.clone(),
                    auto_delete: *auto_delete,
                    arguments: arguments.clone(),
                    held_dead_letters: stored
                        .as_ref()
                        .map(|q| q.held_dead_letters.clone())
                        .unwrap_or_default(),
                    last_active: stored.and_then(|q| q.last_active),
                };
                out.push(self.set("queues", name.clone(), Some(encode(&record))));
            }
            DurableOp::HoldDeadLetter { queue, letter } => {
                if let Some(mut record) = self.queue_record(queue) {
                    record.held_dead_letters.push(letter.clone());
                    out.push(self.set("queues", queue.clone(), Some(encode(&record))));
                }
            }
            DurableOp::ReleaseDeadLetters { queue } => {
                if let Some(mut record) = self.queue_record(queue) {
                    record.held_dead_letters.clear();
                    out.push(self.set("queues", queue.clone(), Some(encode(&record))));
                }
            }
            DurableOp::QueueLastActive { queue, at } => {
                if let Some(mut record) = self.queue_record(queue) {
                    record.last_active = Some(*at);
                    out.push(self.set("queues", queue.clone(), Some(encode(&record))));
                }
            }
            DurableOp::DeleteQueue { name } => {
                out.push(self.set("queues", name.clone(), None));
                let prefix = message_key_prefix(name);
                let messages: Vec<String> = self
                    .tables
                    .get("messages")
                    .map(|t| {
                        t.range(prefix.clone()..)
                            .take_while(|(k, _)| k.starts_with(&prefix))
                            .map(|(k, _)| k.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                for key in messages {
                    out.push(self.set("messages", key, None));
                }
                for key in self.bindings_touching(name, DestinationKind::Queue, false) {
                    out.push(self.set("bindings", key, None));
                }
            }
            DurableOp::PutBinding(b) => out.push(self.set("bindings", b.key(), Some(encode(b)))),
            DurableOp::DeleteBinding(b) => out.push(self.set("bindings", b.key(), None)),
            DurableOp::PutMessage { queue, message } => {
                // A message for a queue that is gone has nothing to join.
                if self.table("queues").is_some_and(|t| t.contains_key(queue)) {
                    let record = MessageRecord {
                        queue: queue.clone(),
                        message: message.clone(),
                    };
                    out.push(self.set(
                        "messages",
                        message_key(queue, message.seq),
                        Some(encode(&record)),
                    ));
                }
            }
            DurableOp::MarkDelivered { queue, seq } => {
                let key = message_key(queue, *seq);
                let stored = self.table("messages").and_then(|t| t.get(&key));
                if let Some(mut record) =
                    stored.and_then(|text| decode::<MessageRecord>("messages", &key, text).ok())
                {
                    record.message.redelivered = true;
                    out.push(self.set("messages", key, Some(encode(&record))));
                }
            }
            DurableOp::DeleteMessage { queue, seq } => {
                let key = message_key(queue, *seq);
                if self.table("messages").is_some_and(|t| t.contains_key(&key)) {
                    out.push(self.set("messages", key, None));
                }
            }
        }
    }

    /// The durable state the records describe.
    pub fn state(&self) -> Result<DurableState, StoreError> {
        let empty = Table::new();
        let of = |store: &str| self.tables.get(store).unwrap_or(&empty);
        state_from_tables(of)
    }
}

/// Rebuilds the durable state from each store's records.
fn state_from_tables<'a>(of: impl Fn(&str) -> &'a Table) -> Result<DurableState, StoreError> {
    let mut state = DurableState::default();
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
                held_dead_letters: q.held_dead_letters,
                last_active: q.last_active,
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

    fn message(seq: u64) -> DurableMessage {
        DurableMessage {
            seq,
            id: seq,
            routing_key: "q".into(),
            cc: Vec::new(),
            properties: Default::default(),
            body: b"hi".to_vec(),
            ..DurableMessage::default()
        }
    }

    /// A stream message's write time is one optional field: stored when
    /// there is one, absent (not `null`) otherwise, so other queues'
    /// records are as before, and a record without it reads as `None`.
    #[test]
    fn a_stream_messages_write_time_is_an_optional_field() {
        let record = |written_at| MessageRecord {
            queue: "s".into(),
            message: DurableMessage {
                written_at,
                ..message(1)
            },
        };
        let stream = encode(&record(Some(1_767_225_600_123)));
        assert!(stream.contains(r#""written_at":1767225600123"#), "{stream}");
        let back: MessageRecord = decode("messages", "s", &stream).unwrap();
        assert_eq!(back.message.written_at, Some(1_767_225_600_123));
        let plain = encode(&record(None));
        assert!(!plain.contains("written_at"), "{plain}");
        let back: MessageRecord = decode("messages", "s", &plain).unwrap();
        assert_eq!(back, record(None));
    }

    #[test]
    fn bodies_are_stored_as_text_or_base64_and_old_byte_lists_read() {
        for (body, stored) in [
            (b"Hello".to_vec(), r#""body":"Hello""#),
            (vec![0xff, 0x00, 0x41], r#""body":{"base64":"/wBB"}"#),
        ] {
            let record = MessageRecord {
                queue: "q".into(),
                message: DurableMessage {
                    body: body.clone(),
                    ..message(1)
                },
            };
            let text = encode(&record);
            assert!(text.contains(stored), "{text}");
            let back: MessageRecord = decode("messages", "q", &text).unwrap();
            assert_eq!(back.message.body, body);
        }
        let old = encode(&MessageRecord {
            queue: "q".into(),
            message: message(1),
        })
        .replace(r#""body":"hi""#, r#""body":[104,105]"#);
        let back: MessageRecord = decode("messages", "q", &old).unwrap();
        assert_eq!(back.message.body, b"hi");
    }

    #[test]
    fn held_dead_letters_and_last_active_are_kept_with_their_queue_record() {
        use crate::engine::event::DeathReason;
        let declare = DurableOp::PutQueue {
            name: "q".into(),
            auto_delete: false,
            arguments: Default::default(),
        };
        let hold = |seq| DurableOp::HoldDeadLetter {
            queue: "q".into(),
            letter: DurableDeadLetter {
                reason: DeathReason::Rejected,
                dlx: Some("dlx".into()),
                dlrk: None,
                message: message(seq),
            },
        };
        // Held twice, then a redeclare: both stay, in the record and in
        // the state the ops build, and so does the expiry timer's start.
        let armed = DurableOp::QueueLastActive {
            queue: "q".into(),
            at: 1_500,
        };
        let ops = vec![declare.clone(), hold(1), armed, hold(2), declare];
        let mut state = DurableState::default();
        let mut set = RecordSet::default();
        for op in &ops {
            state.apply(op);
        }
        set.apply_ops(&ops);
        assert_eq!(set.state().unwrap(), state);
        let held = &state.queues["q"].held_dead_letters;
        assert_eq!(
            held.iter().map(|d| d.message.seq).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(state.queues["q"].last_active, Some(1_500));
        // The worker takes them to retry: none left.
        let release = [DurableOp::ReleaseDeadLetters { queue: "q".into() }];
        set.apply_ops(&release);
        state.apply(&release[0]);
        assert!(set.state().unwrap().queues["q"]
            .held_dead_letters
            .is_empty());
        assert_eq!(set.state().unwrap(), state);
        // A record written before Warren kept them reads as holding none.
        let old = r#"{"v":2,"name":"q","auto_delete":false,"arguments":{}}"#;
        let record: QueueRecord = decode("queues", "q", old).unwrap();
        assert!(record.held_dead_letters.is_empty());
        assert_eq!(record.last_active, None);
    }

    #[test]
    fn record_set_follows_the_durable_state_and_undoes_a_failed_write() {
        let queue = |name: &str| DurableOp::PutQueue {
            name: name.into(),
            auto_delete: false,
            arguments: Default::default(),
        };
        let put = |q: &str, seq| DurableOp::PutMessage {
            queue: q.into(),
            message: message(seq),
        };
        let binding = DurableBinding {
            source: "amq.fanout".into(),
            destination: "q".into(),
            destination_kind: DestinationKind::Queue,
            routing_key: String::new(),
            arguments: Default::default(),
        };
        let first = vec![
            queue("q"),
            queue("q2"),
            put("q", 1),
            put("q", 2),
            put("q2", 1),
            put("gone", 1),
            DurableOp::PutBinding(binding),
            DurableOp::MarkDelivered {
                queue: "q".into(),
                seq: 2,
            },
        ];
        let mut state = DurableState::default();
        let mut set = RecordSet::default();
        for op in &first {
            state.apply(op);
        }
        set.apply_ops(&first);
        assert_eq!(set.state().unwrap(), state);
        assert!(set.state().unwrap().queues["q"].messages[&2].redelivered);
        let before = set.clone();
        // A queue deleted in the same batch as a message put to it takes
        // the message (and its binding) along.
        let second = vec![put("q", 3), DurableOp::DeleteQueue { name: "q".into() }];
        let changes = set.apply_ops(&second);
        for op in &second {
            state.apply(op);
        }
        assert_eq!(set.state().unwrap(), state);
        assert!(set.table("bindings").unwrap().is_empty());
        assert_eq!(
            set.table("messages").unwrap().len(),
            1,
            "only q2's message is left"
        );
        set.undo(changes);
        assert_eq!(set, before);
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
            held_dead_letters: Vec::new(),
            last_active: None,
        };
        assert_eq!(
            decode::<QueueRecord>("queues", "q", &encode(&q)).unwrap(),
            q
        );
    }
}
