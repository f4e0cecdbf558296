//! AMQP field values and tables: the typed values of message headers and of
//! `arguments` (queue arguments, binding arguments, consumer arguments).
//!
//! Types matter in RabbitMQ. A headers-exchange binding `{"a": 1}` does not
//! match a header `{"a": "1"}`, and a redeclare error names the type of the
//! value it received: `received the value '10' of type 'signedint'`.
//!
//! # As JSON
//! Every JSON format of Warren (scenario documents, conformance scenarios,
//! tutorial chapters, stored records, the JavaScript API, the event log)
//! writes a value the same way, and reads back exactly the value written.
//! Plain JSON is typed the way pika (the Python client the lessons use)
//! encodes a Python value: `null` is `void`, booleans `bool`, integers that
//! fit in 32 bits `signedint`, larger ones `long`, other numbers `double`,
//! strings `longstr`, arrays and objects `array` and `table`. A value plain
//! JSON would type otherwise is an object with one `$`-key:
//! `{"$long": 5}`, `{"$timestamp": 1700000000}`, `{"$double": "NaN"}`; and
//! a nested table whose only key starts with `$` is written
//! `{"$table": {...}}`, so no table is ever mistaken for a typed value.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A field table. Keys are kept sorted so every rendering is deterministic.
pub type FieldTable = BTreeMap<String, FieldValue>;

/// One AMQP field value.
#[derive(Clone, Debug)]
pub enum FieldValue {
    Void,
    Bool(bool),
    /// `I`: 32-bit signed integer (`signedint`).
    Int(i32),
    /// `l`: 64-bit signed integer (`long`).
    Long(i64),
    /// `d`: 64-bit float (`double`).
    Double(f64),
    /// `S`: long string (`longstr`).
    LongStr(String),
    /// `T`: Unix timestamp in seconds.
    Timestamp(u64),
    /// `F`: nested table.
    Table(FieldTable),
    /// `A`: array.
    Array(Vec<FieldValue>),
}

impl PartialEq for FieldValue {
    fn eq(&self, other: &FieldValue) -> bool {
        use FieldValue::*;
        match (self, other) {
            (Void, Void) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Long(a), Long(b)) => a == b,
            // Bitwise, so that equality is reflexive even for NaN.
            (Double(a), Double(b)) => a.to_bits() == b.to_bits(),
            (LongStr(a), LongStr(b)) => a == b,
            (Timestamp(a), Timestamp(b)) => a == b,
            (Table(a), Table(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for FieldValue {}

impl FieldValue {
    /// RabbitMQ's name for the value's type, as used in error texts.
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Void => "void",
            FieldValue::Bool(_) => "bool",
            FieldValue::Int(_) => "signedint",
            FieldValue::Long(_) => "long",
            FieldValue::Double(_) => "double",
            FieldValue::LongStr(_) => "longstr",
            FieldValue::Timestamp(_) => "timestamp",
            FieldValue::Table(_) => "table",
            FieldValue::Array(_) => "array",
        }
    }

    /// The value as an integer, for integer-typed arguments.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            FieldValue::Int(v) => Some(i64::from(*v)),
            FieldValue::Long(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            FieldValue::LongStr(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            FieldValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value from JSON (see the module doc). Fails for integers beyond
    /// the signed 64-bit range (pika cannot encode them either) and for a
    /// malformed `$`-object.
    pub fn from_json(value: &serde_json::Value) -> Result<FieldValue, String> {
        use serde_json::Value;
        Ok(match value {
            Value::Null => FieldValue::Void,
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    match i32::try_from(i) {
                        Ok(small) => FieldValue::Int(small),
                        Err(_) => FieldValue::Long(i),
                    }
                } else if n.is_u64() {
                    return Err(format!("integer {n} does not fit in a signed 64-bit field"));
                } else {
                    FieldValue::Double(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(s) => FieldValue::LongStr(s.clone()),
            Value::Array(items) => FieldValue::Array(
                items
                    .iter()
                    .map(FieldValue::from_json)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => match typed_json(map) {
                Some(typed) => typed?,
                None => FieldValue::Table(table_from_json_map(map)?),
            },
        })
    }

    /// The value as JSON (see the module doc).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value};
        match self {
            FieldValue::Void => Value::Null,
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Int(i) => Value::from(*i),
            FieldValue::Long(i) if i32::try_from(*i).is_ok() => json!({ "$long": i }),
            FieldValue::Long(i) => Value::from(*i),
            FieldValue::Double(d) => match serde_json::Number::from_f64(*d) {
                // An integral double keeps its fraction (`5.0`), so it reads back as a double.
                Some(n) => Value::Number(n),
                None => json!({ "$double": d.to_string() }),
            },
            FieldValue::LongStr(s) => Value::String(s.clone()),
            FieldValue::Timestamp(t) => json!({ "$timestamp": t }),
            FieldValue::Table(t) => {
                let plain = table_to_json(t);
                if t.len() == 1 && t.keys().all(|k| k.starts_with('$')) {
                    json!({ "$table": plain })
                } else {
                    plain
                }
            }
            FieldValue::Array(a) => Value::Array(a.iter().map(FieldValue::to_json).collect()),
        }
    }
}

/// A one-key `$`-object (`{"$long": 5}`): the typed value it stands for,
/// `None` when the object is an ordinary table.
fn typed_json(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Option<Result<FieldValue, String>> {
    use serde_json::Value;
    if map.len() != 1 {
        return None;
    }
    let (key, v) = map.iter().next()?;
    if !key.starts_with('$') {
        return None;
    }
    let bad = |what: &str| Err(format!("{key}: expected {what}, got {v}"));
    Some(match key.as_str() {
        "$long" => v
            .as_i64()
            .map(FieldValue::Long)
            .map_or_else(|| bad("an integer"), Ok),
        "$timestamp" => v
            .as_u64()
            .map(FieldValue::Timestamp)
            .map_or_else(|| bad("a non-negative integer"), Ok),
        "$double" => match v {
            Value::Number(n) => Ok(FieldValue::Double(n.as_f64().unwrap_or(0.0))),
            Value::String(s) => match s.as_str() {
                "NaN" => Ok(FieldValue::Double(f64::NAN)),
                "inf" | "Infinity" => Ok(FieldValue::Double(f64::INFINITY)),
                "-inf" | "-Infinity" => Ok(FieldValue::Double(f64::NEG_INFINITY)),
                _ => bad("a number, \"NaN\", \"inf\" or \"-inf\""),
            },
            _ => bad("a number"),
        },
        "$table" => match v {
            Value::Object(inner) => table_from_json_map(inner).map(FieldValue::Table),
            _ => bad("an object"),
        },
        _ => Err(format!(
            "{key}: unknown typed value (known: $long, $timestamp, $double, $table)"
        )),
    })
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FieldValue, D::Error> {
        let v = serde_json::Value::deserialize(deserializer)?;
        FieldValue::from_json(&v).map_err(de::Error::custom)
    }
}

/// Renders a value the way RabbitMQ's error texts quote it (`'1000'`).
impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Void => f.write_str("undefined"),
            FieldValue::Bool(b) => write!(f, "{b}"),
            FieldValue::Int(i) => write!(f, "{i}"),
            FieldValue::Long(i) => write!(f, "{i}"),
            FieldValue::Double(d) => write!(f, "{d}"),
            FieldValue::LongStr(s) => f.write_str(s),
            FieldValue::Timestamp(t) => write!(f, "{t}"),
            FieldValue::Table(t) => write!(f, "{}", table_to_json(t)),
            FieldValue::Array(a) => {
                write!(
                    f,
                    "{}",
                    serde_json::Value::Array(a.iter().map(FieldValue::to_json).collect())
                )
            }
        }
    }
}

pub fn table_from_json_map(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<FieldTable, String> {
    let mut table = FieldTable::new();
    for (k, v) in map {
        if k.len() > crate::engine::limits::SHORTSTR_BYTES_MAX {
            return Err(format!("table key of {} bytes (the limit is 255)", k.len()));
        }
        table.insert(
            k.clone(),
            FieldValue::from_json(v).map_err(|e| format!("{k}: {e}"))?,
        );
    }
    Ok(table)
}

/// Parses a JSON object (or `null`, meaning empty) into a field table.
pub fn table_from_json(value: &serde_json::Value) -> Result<FieldTable, String> {
    match value {
        serde_json::Value::Null => Ok(FieldTable::new()),
        serde_json::Value::Object(map) => table_from_json_map(map),
        other => Err(format!("expected an object, got {other}")),
    }
}

pub fn table_to_json(table: &FieldTable) -> serde_json::Value {
    serde_json::Value::Object(
        table
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

/// A table as plain JSON, the way RabbitMQ's definitions and pika show it:
/// the AMQP type of a number or timestamp is lost (a `long` 5 is `5`).
pub fn table_to_plain_json(table: &FieldTable) -> serde_json::Value {
    fn plain(v: &FieldValue) -> serde_json::Value {
        match v {
            FieldValue::Long(i) => serde_json::Value::from(*i),
            FieldValue::Timestamp(t) => serde_json::Value::from(*t),
            FieldValue::Table(t) => table_to_plain_json(t),
            FieldValue::Array(a) => serde_json::Value::Array(a.iter().map(plain).collect()),
            other => other.to_json(),
        }
    }
    serde_json::Value::Object(table.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
}

/// The nesting depth of a value (a scalar is 0), to bound hostile input.
pub fn depth(value: &FieldValue) -> usize {
    match value {
        FieldValue::Table(t) => 1 + t.values().map(depth).max().unwrap_or(0),
        FieldValue::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_integers_are_typed_like_pika() {
        assert_eq!(
            FieldValue::from_json(&json!(10)).unwrap(),
            FieldValue::Int(10)
        );
        assert_eq!(
            FieldValue::from_json(&json!(-7)).unwrap(),
            FieldValue::Int(-7)
        );
        assert_eq!(
            FieldValue::from_json(&json!(5_000_000_000i64)).unwrap(),
            FieldValue::Long(5_000_000_000)
        );
        assert!(FieldValue::from_json(&json!(u64::MAX)).is_err());
        assert_eq!(
            FieldValue::from_json(&json!(10)).unwrap().type_name(),
            "signedint"
        );
    }

    #[test]
    fn types_are_part_of_equality() {
        assert_ne!(FieldValue::Int(1), FieldValue::LongStr("1".into()));
        assert_ne!(FieldValue::Int(1), FieldValue::Long(1));
        assert_eq!(FieldValue::Double(f64::NAN), FieldValue::Double(f64::NAN));
    }

    #[test]
    fn every_value_reads_back_as_written() {
        let mut nested = FieldTable::new();
        nested.insert("$long".into(), FieldValue::Int(1));
        let values = [
            FieldValue::Void,
            FieldValue::Bool(true),
            FieldValue::Int(-7),
            FieldValue::Long(5),
            FieldValue::Long(5_000_000_000),
            FieldValue::Double(5.0),
            FieldValue::Double(0.25),
            FieldValue::Double(f64::NAN),
            FieldValue::Double(f64::NEG_INFINITY),
            FieldValue::LongStr("x".into()),
            FieldValue::Timestamp(1_700_000_000),
            FieldValue::Table(nested),
            FieldValue::Array(vec![FieldValue::Long(1), FieldValue::Void]),
        ];
        for v in values {
            let text = serde_json::to_string(&v).unwrap();
            let back: FieldValue = serde_json::from_str(&text).unwrap();
            assert_eq!(back, v, "{text}");
        }
        assert_eq!(FieldValue::Long(5).to_json(), json!({"$long": 5}));
        assert_eq!(FieldValue::Timestamp(1).to_json(), json!({"$timestamp": 1}));
        assert!(FieldValue::from_json(&json!({"$nope": 1})).is_err());
        assert!(FieldValue::from_json(&json!({"$long": "x"})).is_err());
        // Two keys: an ordinary table.
        assert!(matches!(
            FieldValue::from_json(&json!({"$long": 1, "b": 2})).unwrap(),
            FieldValue::Table(_)
        ));
    }
}
