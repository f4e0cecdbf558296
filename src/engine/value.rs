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
//! JSON would type otherwise is an object with one `$`-key named after
//! RabbitMQ's type name: `{"$long": 5}`, `{"$timestamp": 1700000000}`,
//! `{"$double": "NaN"}`, `{"$byte": -1}`, `{"$unsignedbyte": 255}`,
//! `{"$short": -1}`, `{"$unsignedshort": 65535}`, `{"$unsignedint": 1}`,
//! `{"$float": 1.5}` (or `"NaN"`, `"inf"`, `"-inf"`),
//! `{"$decimal": {"scale": 2, "value": 314}}` (3.14) and
//! `{"$binary": "AAFiaW4="}` (standard base64); and a nested table whose
//! only key starts with `$` is written `{"$table": {...}}`, so no table is
//! ever mistaken for a typed value.
//!
//! # Every wire type
//! RabbitMQ keeps the type of every field it receives (`b` stays a byte,
//! `f` a float) and passes message headers on unchanged, so Warren has one
//! variant per type RabbitMQ 3.10 decodes: `t b B s u I i l f d D S x A T F
//! V` (`L`, which RabbitMQ reads as a *signed* 64-bit value, becomes
//! `long`). Comparisons follow RabbitMQ's, which compares the decoded
//! Erlang values: [`FieldValue::erlang_equal`] (headers exchange in 3.x),
//! [`FieldValue::erlang_exactly_equal`] (4.x) and
//! [`FieldValue::equivalence_class`] (redeclare checks).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A field table. Keys are kept sorted so every rendering is deterministic.
pub type FieldTable = BTreeMap<String, FieldValue>;

/// One AMQP field value. Each variant is one wire type; the doc names its
/// type octet and RabbitMQ's name for it (what `rabbitmqctl` prints).
#[derive(Clone, Debug)]
pub enum FieldValue {
    /// `V`: no value (`void`).
    Void,
    /// `t`: a boolean (`bool`).
    Bool(bool),
    /// `b`: 8-bit signed integer (`byte`).
    Byte(i8),
    /// `B`: 8-bit unsigned integer (`unsignedbyte`).
    UnsignedByte(u8),
    /// `s`: 16-bit signed integer (`short`).
    Short(i16),
    /// `u`: 16-bit unsigned integer (`unsignedshort`).
    UnsignedShort(u16),
    /// `I`: 32-bit signed integer (`signedint`).
    Int(i32),
    /// `i`: 32-bit unsigned integer (`unsignedint`).
    UnsignedInt(u32),
    /// `l` (and `L`, which RabbitMQ reads as signed): 64-bit signed
    /// integer (`long`).
    Long(i64),
    /// `f`: 32-bit float (`float`).
    Float(f32),
    /// `d`: 64-bit float (`double`).
    Double(f64),
    /// `D`: `value` × 10^-`scale` (`decimal`).
    Decimal { scale: u8, value: u32 },
    /// `S`: long string (`longstr`).
    LongStr(String),
    /// `x`: bytes (`binary`).
    Binary(Vec<u8>),
    /// `T`: Unix timestamp in seconds.
    Timestamp(u64),
    /// `F`: nested table.
    Table(FieldTable),
    /// `A`: array.
    Array(Vec<FieldValue>),
}

/// A number as Erlang holds it: every integer type (and a timestamp) is an
/// integer, `f` and `d` are floats.
#[derive(Clone, Copy)]
enum ErlangNumber {
    Integer(i128),
    Float(f64),
}

impl ErlangNumber {
    /// Erlang's `==`: an integer equals a float of the same value.
    fn loosely_equals(self, other: ErlangNumber) -> bool {
        match (self, other) {
            (ErlangNumber::Integer(a), ErlangNumber::Integer(b)) => a == b,
            (ErlangNumber::Float(a), ErlangNumber::Float(b)) => a == b,
            (ErlangNumber::Integer(i), ErlangNumber::Float(f))
            | (ErlangNumber::Float(f), ErlangNumber::Integer(i)) => integer_equals_float(i, f),
        }
    }

    /// Erlang's `=:=`: an integer never equals a float.
    fn exactly_equals(self, other: ErlangNumber) -> bool {
        match (self, other) {
            (ErlangNumber::Integer(a), ErlangNumber::Integer(b)) => a == b,
            (ErlangNumber::Float(a), ErlangNumber::Float(b)) => a == b,
            _ => false,
        }
    }
}

/// Whether integer `i` and float `f` are the same number, exactly (no
/// rounding of `i` to the nearest double: 2^53 + 1 is not 2^53).
fn integer_equals_float(i: i128, f: f64) -> bool {
    // Every integer a field holds fits in 65 bits, and every double in
    // that range with no fraction converts to i128 exactly.
    f.is_finite() && f.fract() == 0.0 && f.abs() < 1.0e20 && f as i128 == i
}

impl PartialEq for FieldValue {
    fn eq(&self, other: &FieldValue) -> bool {
        use FieldValue::*;
        match (self, other) {
            (Void, Void) => true,
            (Bool(a), Bool(b)) => a == b,
            (Byte(a), Byte(b)) => a == b,
            (UnsignedByte(a), UnsignedByte(b)) => a == b,
            (Short(a), Short(b)) => a == b,
            (UnsignedShort(a), UnsignedShort(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (UnsignedInt(a), UnsignedInt(b)) => a == b,
            (Long(a), Long(b)) => a == b,
            // Bitwise, so that equality is reflexive even for NaN.
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Double(a), Double(b)) => a.to_bits() == b.to_bits(),
            (
                Decimal { scale, value },
                Decimal {
                    scale: other_scale,
                    value: other_value,
                },
            ) => scale == other_scale && value == other_value,
            (LongStr(a), LongStr(b)) => a == b,
            (Binary(a), Binary(b)) => a == b,
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
            FieldValue::Byte(_) => "byte",
            FieldValue::UnsignedByte(_) => "unsignedbyte",
            FieldValue::Short(_) => "short",
            FieldValue::UnsignedShort(_) => "unsignedshort",
            FieldValue::Int(_) => "signedint",
            FieldValue::UnsignedInt(_) => "unsignedint",
            FieldValue::Long(_) => "long",
            FieldValue::Float(_) => "float",
            FieldValue::Double(_) => "double",
            FieldValue::Decimal { .. } => "decimal",
            FieldValue::LongStr(_) => "longstr",
            FieldValue::Binary(_) => "binary",
            FieldValue::Timestamp(_) => "timestamp",
            FieldValue::Table(_) => "table",
            FieldValue::Array(_) => "array",
        }
    }

    /// The value as an integer, for integer-typed arguments. Every integer
    /// type counts, as in RabbitMQ's argument checks (byte, short,
    /// signedint, long and the unsigned ones); a timestamp or decimal does
    /// not.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            FieldValue::Byte(v) => Some(i64::from(*v)),
            FieldValue::UnsignedByte(v) => Some(i64::from(*v)),
            FieldValue::Short(v) => Some(i64::from(*v)),
            FieldValue::UnsignedShort(v) => Some(i64::from(*v)),
            FieldValue::Int(v) => Some(i64::from(*v)),
            FieldValue::UnsignedInt(v) => Some(i64::from(*v)),
            FieldValue::Long(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as Erlang sees it, when it is a number.
    fn erlang_number(&self) -> Option<ErlangNumber> {
        match self {
            FieldValue::Timestamp(t) => Some(ErlangNumber::Integer(i128::from(*t))),
            FieldValue::Float(f) => Some(ErlangNumber::Float(f64::from(*f))),
            FieldValue::Double(d) => Some(ErlangNumber::Float(*d)),
            other => other
                .as_integer()
                .map(|i| ErlangNumber::Integer(i128::from(i))),
        }
    }

    /// The bytes of a longstr or binary (both are Erlang binaries).
    fn erlang_binary(&self) -> Option<&[u8]> {
        match self {
            FieldValue::LongStr(s) => Some(s.as_bytes()),
            FieldValue::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// Erlang's `==` on the values RabbitMQ decodes, which is how a 3.x
    /// headers exchange compares a binding's value with a header's. The
    /// AMQP type is not part of a top-level value: every integer type, a
    /// timestamp and both float types compare as numbers (`I 1`, `b 1`,
    /// `d 1.0` are equal), a longstr equals a binary with the same bytes; a
    /// string never equals a number, nor a bool a number. Inside a table
    /// or array the type is part of each entry (RabbitMQ keeps
    /// `{Name, Type, Value}` triples), so nested values must have the same
    /// type.
    pub fn erlang_equal(&self, other: &FieldValue) -> bool {
        self.erlang_compare(other, ErlangNumber::loosely_equals)
    }

    /// Erlang's `=:=` (a 4.x headers exchange): like
    /// [`erlang_equal`](Self::erlang_equal), except that an integer never
    /// equals a float (`I 1` and `l 1` match, `I 1` and `d 1.0` do not).
    pub fn erlang_exactly_equal(&self, other: &FieldValue) -> bool {
        self.erlang_compare(other, ErlangNumber::exactly_equals)
    }

    fn erlang_compare(
        &self,
        other: &FieldValue,
        numbers_equal: fn(ErlangNumber, ErlangNumber) -> bool,
    ) -> bool {
        // Inside tables and arrays the type atom is compared too.
        let nested_equal = |a: &FieldValue, b: &FieldValue| {
            a.type_name() == b.type_name() && a.erlang_compare(b, numbers_equal)
        };
        if let (Some(a), Some(b)) = (self.erlang_number(), other.erlang_number()) {
            return numbers_equal(a, b);
        }
        if let (Some(a), Some(b)) = (self.erlang_binary(), other.erlang_binary()) {
            return a == b;
        }
        match (self, other) {
            (FieldValue::Table(a), FieldValue::Table(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && nested_equal(va, vb))
            }
            (FieldValue::Array(a), FieldValue::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(va, vb)| nested_equal(va, vb))
            }
            _ => self == other,
        }
    }

    /// RabbitMQ's type class for argument equivalence
    /// (`rabbit_misc:type_class`): a redeclared argument is equivalent when
    /// its class is the same and its value is equal (Erlang `==`), so
    /// `x-message-ttl` declared as `I 1000` and redeclared as `l 1000` or
    /// `s 1000` is equivalent. Every integer type and `decimal` are `int`,
    /// `float` and `double` are `float`, other types are their own class.
    pub fn equivalence_class(&self) -> &'static str {
        match self {
            FieldValue::Byte(_)
            | FieldValue::UnsignedByte(_)
            | FieldValue::Short(_)
            | FieldValue::UnsignedShort(_)
            | FieldValue::Int(_)
            | FieldValue::UnsignedInt(_)
            | FieldValue::Long(_)
            | FieldValue::Decimal { .. } => "int",
            FieldValue::Float(_) | FieldValue::Double(_) => "float",
            other => other.type_name(),
        }
    }

    /// Whether a redeclared argument is equivalent to the current one, as
    /// `rabbit_misc:assert_args_equivalence` decides: the same
    /// [`equivalence_class`](Self::equivalence_class) and equal values.
    pub fn is_equivalent_argument(&self, other: &FieldValue) -> bool {
        self.equivalence_class() == other.equivalence_class() && self.erlang_equal(other)
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
            FieldValue::Byte(i) => json!({ "$byte": i }),
            FieldValue::UnsignedByte(i) => json!({ "$unsignedbyte": i }),
            FieldValue::Short(i) => json!({ "$short": i }),
            FieldValue::UnsignedShort(i) => json!({ "$unsignedshort": i }),
            FieldValue::Int(i) => Value::from(*i),
            FieldValue::UnsignedInt(i) => json!({ "$unsignedint": i }),
            FieldValue::Long(i) if i32::try_from(*i).is_ok() => json!({ "$long": i }),
            FieldValue::Long(i) => Value::from(*i),
            FieldValue::Float(f) => json!({ "$float": float_json(f64::from(*f)) }),
            FieldValue::Double(d) => match serde_json::Number::from_f64(*d) {
                // An integral double keeps its fraction (`5.0`), so it reads back as a double.
                Some(n) => Value::Number(n),
                None => json!({ "$double": d.to_string() }),
            },
            FieldValue::Decimal { scale, value } => {
                json!({ "$decimal": { "scale": scale, "value": value } })
            }
            FieldValue::LongStr(s) => Value::String(s.clone()),
            FieldValue::Binary(b) => json!({ "$binary": BASE64.encode(b) }),
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

/// A float as JSON: a number, or `"NaN"`, `"inf"`, `"-inf"`.
fn float_json(x: f64) -> serde_json::Value {
    match serde_json::Number::from_f64(x) {
        Some(n) => serde_json::Value::Number(n),
        None => serde_json::Value::String(x.to_string()),
    }
}

/// The float a JSON number or `"NaN"`/`"inf"`/`"-inf"` stands for.
fn float_from_json(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "inf" | "Infinity" => Some(f64::INFINITY),
            "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// An integer of JSON that fits in `T`.
fn integer_from_json<T: TryFrom<i64>>(v: &serde_json::Value) -> Option<T> {
    v.as_i64().and_then(|i| T::try_from(i).ok())
}

/// The typed values a JSON table may hold (`{"$byte": 5}`), and what
/// each expects.
const TYPED_KEYS: [(&str, &str); 12] = [
    ("$long", "an integer"),
    ("$timestamp", "a non-negative integer"),
    ("$double", FLOAT_EXPECTED),
    ("$byte", "an integer from -128 to 127"),
    ("$unsignedbyte", "an integer from 0 to 255"),
    ("$short", "an integer from -32768 to 32767"),
    ("$unsignedshort", "an integer from 0 to 65535"),
    ("$unsignedint", "an integer from 0 to 4294967295"),
    ("$float", FLOAT_EXPECTED),
    ("$decimal", "{\"scale\": 0..255, \"value\": 0..4294967295}"),
    ("$binary", "a base64 string"),
    ("$table", "an object"),
];

const FLOAT_EXPECTED: &str = "a number, \"NaN\", \"inf\" or \"-inf\"";

/// `{"scale": 2, "value": 314}`: a decimal, when both parts fit and
/// nothing else is there.
fn decimal_from_json(v: &serde_json::Value) -> Option<FieldValue> {
    let part = |name: &str| v.get(name).and_then(serde_json::Value::as_u64);
    let known_keys = v
        .as_object()
        .is_some_and(|o| o.keys().all(|k| k == "scale" || k == "value"));
    match (
        part("scale").and_then(|s| u8::try_from(s).ok()),
        part("value").and_then(|s| u32::try_from(s).ok()),
    ) {
        (Some(scale), Some(value)) if known_keys => Some(FieldValue::Decimal { scale, value }),
        _ => None,
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
    let Some(&(_, expected)) = TYPED_KEYS.iter().find(|(typed, _)| typed == key) else {
        let known: Vec<&str> = TYPED_KEYS.iter().map(|(typed, _)| *typed).collect();
        let known = known.join(", ");
        return Some(Err(format!("{key}: unknown typed value (known: {known})")));
    };
    let value = match key.as_str() {
        "$long" => v.as_i64().map(FieldValue::Long),
        "$timestamp" => v.as_u64().map(FieldValue::Timestamp),
        "$byte" => integer_from_json(v).map(FieldValue::Byte),
        "$unsignedbyte" => integer_from_json(v).map(FieldValue::UnsignedByte),
        "$short" => integer_from_json(v).map(FieldValue::Short),
        "$unsignedshort" => integer_from_json(v).map(FieldValue::UnsignedShort),
        "$unsignedint" => integer_from_json(v).map(FieldValue::UnsignedInt),
        "$double" => float_from_json(v).map(FieldValue::Double),
        // A float written from an f32 reads back as the same f32.
        "$float" => float_from_json(v).map(|x| FieldValue::Float(x as f32)),
        "$decimal" => decimal_from_json(v),
        "$binary" => v
            .as_str()
            .and_then(|text| BASE64.decode(text).ok())
            .map(FieldValue::Binary),
        "$table" => match v {
            Value::Object(inner) => return Some(table_from_json_map(inner).map(FieldValue::Table)),
            _ => None,
        },
        // Every key of TYPED_KEYS is matched above.
        _ => None,
    };
    Some(value.ok_or_else(|| format!("{key}: expected {expected}, got {v}")))
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
            FieldValue::Byte(i) => write!(f, "{i}"),
            FieldValue::UnsignedByte(i) => write!(f, "{i}"),
            FieldValue::Short(i) => write!(f, "{i}"),
            FieldValue::UnsignedShort(i) => write!(f, "{i}"),
            FieldValue::Int(i) => write!(f, "{i}"),
            FieldValue::UnsignedInt(i) => write!(f, "{i}"),
            FieldValue::Long(i) => write!(f, "{i}"),
            // Erlang holds a float as a double: 0.1f32 prints 0.10000000149011612.
            FieldValue::Float(x) => write!(f, "{}", f64::from(*x)),
            FieldValue::Double(d) => write!(f, "{d}"),
            // Erlang's `~p` of the `{Scale, Value}` tuple RabbitMQ keeps.
            FieldValue::Decimal { scale, value } => write!(f, "{{{scale},{value}}}"),
            FieldValue::LongStr(s) => f.write_str(s),
            FieldValue::Binary(b) => f.write_str(&String::from_utf8_lossy(b)),
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
        if let Some(i) = v.as_integer() {
            return serde_json::Value::from(i);
        }
        match v {
            FieldValue::Timestamp(t) => serde_json::Value::from(*t),
            FieldValue::Float(x) if x.is_finite() => serde_json::Value::from(f64::from(*x)),
            FieldValue::Decimal { scale, value } => {
                serde_json::Value::from(f64::from(*value) / 10f64.powi(i32::from(*scale)))
            }
            FieldValue::Binary(b) => serde_json::Value::from(String::from_utf8_lossy(b)),
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
            FieldValue::Byte(-128),
            FieldValue::UnsignedByte(255),
            FieldValue::Short(-32768),
            FieldValue::UnsignedShort(65535),
            FieldValue::UnsignedInt(u32::MAX),
            FieldValue::Float(0.1),
            FieldValue::Float(f32::NAN),
            FieldValue::Float(f32::NEG_INFINITY),
            FieldValue::Decimal {
                scale: 2,
                value: 314,
            },
            FieldValue::Binary(vec![0, 1, b'b', b'i', b'n', 0xff]),
            FieldValue::Binary(Vec::new()),
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

    #[test]
    fn new_wire_types_have_their_json_forms_and_names() {
        let cases = [
            (FieldValue::Byte(-1), json!({"$byte": -1}), "byte"),
            (
                FieldValue::UnsignedByte(2),
                json!({"$unsignedbyte": 2}),
                "unsignedbyte",
            ),
            (FieldValue::Short(-3), json!({"$short": -3}), "short"),
            (
                FieldValue::UnsignedShort(4),
                json!({"$unsignedshort": 4}),
                "unsignedshort",
            ),
            (
                FieldValue::UnsignedInt(5),
                json!({"$unsignedint": 5}),
                "unsignedint",
            ),
            (FieldValue::Float(1.5), json!({"$float": 1.5}), "float"),
            (
                FieldValue::Decimal { scale: 1, value: 7 },
                json!({"$decimal": {"scale": 1, "value": 7}}),
                "decimal",
            ),
            (
                FieldValue::Binary(vec![0, 1]),
                json!({"$binary": "AAE="}),
                "binary",
            ),
        ];
        for (value, json, name) in cases {
            assert_eq!(value.to_json(), json);
            assert_eq!(FieldValue::from_json(&json).unwrap(), value);
            assert_eq!(value.type_name(), name);
        }
        for bad in [
            json!({"$byte": 128}),
            json!({"$unsignedbyte": -1}),
            json!({"$short": 40000}),
            json!({"$unsignedshort": 65536}),
            json!({"$unsignedint": 4294967296u64}),
            json!({"$float": "x"}),
            json!({"$decimal": {"scale": 256, "value": 1}}),
            json!({"$decimal": {"scale": 1}}),
            json!({"$decimal": {"scale": 1, "value": 1, "extra": 0}}),
            json!({"$binary": "not base64!"}),
        ] {
            assert!(FieldValue::from_json(&bad).is_err(), "{bad}");
        }
        // The error says what the key expects, or which keys there are.
        assert_eq!(
            FieldValue::from_json(&json!({"$byte": 128})).unwrap_err(),
            "$byte: expected an integer from -128 to 127, got 128"
        );
        assert_eq!(
            FieldValue::from_json(&json!({"$int": 1})).unwrap_err(),
            "$int: unknown typed value (known: $long, $timestamp, $double, $byte, \
             $unsignedbyte, $short, $unsignedshort, $unsignedint, $float, $decimal, \
             $binary, $table)"
        );
    }

    #[test]
    fn every_integer_type_is_an_integer_argument() {
        for v in [
            FieldValue::Byte(7),
            FieldValue::UnsignedByte(7),
            FieldValue::Short(7),
            FieldValue::UnsignedShort(7),
            FieldValue::Int(7),
            FieldValue::UnsignedInt(7),
            FieldValue::Long(7),
        ] {
            assert_eq!(v.as_integer(), Some(7), "{}", v.type_name());
            assert_eq!(v.equivalence_class(), "int");
        }
        assert_eq!(FieldValue::Timestamp(7).as_integer(), None);
        assert_eq!(
            FieldValue::Decimal { scale: 0, value: 7 }.as_integer(),
            None
        );
        assert_eq!(FieldValue::Float(7.0).as_integer(), None);
    }

    #[test]
    fn erlang_equality_compares_numbers_across_types() {
        let one = FieldValue::Int(1);
        for v in [
            FieldValue::Byte(1),
            FieldValue::UnsignedByte(1),
            FieldValue::Short(1),
            FieldValue::UnsignedShort(1),
            FieldValue::UnsignedInt(1),
            FieldValue::Long(1),
            FieldValue::Timestamp(1),
            FieldValue::Double(1.0),
            FieldValue::Float(1.0),
        ] {
            assert!(one.erlang_equal(&v), "{}", v.type_name());
            assert!(v.erlang_equal(&one), "{}", v.type_name());
        }
        assert!(!one.erlang_equal(&FieldValue::LongStr("1".into())));
        assert!(!one.erlang_equal(&FieldValue::Bool(true)));
        assert!(!one.erlang_equal(&FieldValue::Decimal { scale: 0, value: 1 }));
        // =:= keeps integers and floats apart, not integer types.
        assert!(one.erlang_exactly_equal(&FieldValue::Long(1)));
        assert!(!one.erlang_exactly_equal(&FieldValue::Double(1.0)));
        // Exact: 2^53 + 1 is not the double 2^53.
        let big = FieldValue::Long((1 << 53) + 1);
        assert!(!big.erlang_equal(&FieldValue::Double(9_007_199_254_740_992.0)));
        assert!(
            FieldValue::Long(1 << 53).erlang_equal(&FieldValue::Double(9_007_199_254_740_992.0))
        );
        assert!(!FieldValue::Double(f64::NAN).erlang_equal(&FieldValue::Double(f64::NAN)));
        // Nested values keep their types, as RabbitMQ's {Key, Type, Value}.
        let nested = |v: FieldValue| FieldValue::Array(vec![v]);
        assert!(!nested(FieldValue::Int(1)).erlang_equal(&nested(FieldValue::Long(1))));
        assert!(nested(FieldValue::Long(1)).erlang_equal(&nested(FieldValue::Long(1))));
        // A float and a double: equal when the float is exactly the double.
        assert!(FieldValue::Float(1.5).is_equivalent_argument(&FieldValue::Double(1.5)));
        assert!(!FieldValue::Float(0.1).erlang_equal(&FieldValue::Double(0.1)));
        assert!(!FieldValue::Int(1).is_equivalent_argument(&FieldValue::Double(1.0)));
    }
}
