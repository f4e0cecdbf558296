//! One value in a listing, and how rabbitmqctl writes it: as text (the
//! default table, CSV, pretty tables) or as JSON.
//!
//! The two renderings differ the way the CLI's do, because RabbitMQ's values
//! are Erlang terms that each formatter turns into text its own way:
//!
//! | value        | text                           | JSON                               |
//! |--------------|--------------------------------|------------------------------------|
//! | boolean      | `true`                         | `true`                             |
//! | field table  | `[{"x-message-ttl",60000}]`    | `[["x-message-ttl","signedint",60000]]` |
//! | pid          | `<warren@localhost.1.7.0>`     | `"#PID<1.7.0>"`                    |
//! | IP address   | `127.0.0.1`                    | `[127,0,0,1]`                      |
//! | protocol     | `{0,9,1}`                      | `[0,9,1]`                          |
//!
//! Floats are written as Erlang writes them (`1.0`, not `1`).

use crate::engine::value::{FieldTable, FieldValue};
use serde_json::{json, Value};

/// One listed value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Count(u64),
    Float(f64),
    Bool(bool),
    /// AMQP arguments or client properties.
    Table(FieldTable),
    /// A term whose text and JSON forms differ (pids, addresses, ...).
    Custom {
        text: String,
        json: Value,
    },
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// An IP address: dotted (or colon) text, and a JSON list of its
    /// numbers as the Erlang tuple is; anything else stays a string.
    pub(crate) fn ip_address(host: &str) -> Cell {
        let json = if let Ok(v4) = host.parse::<core::net::Ipv4Addr>() {
            json!(v4.octets())
        } else if let Ok(v6) = host.parse::<core::net::Ipv6Addr>() {
            json!(v6.segments())
        } else {
            Value::String(host.to_string())
        };
        Cell::Custom {
            text: host.to_string(),
            json,
        }
    }

    /// The cell as the table, CSV and pretty-table formatters write it.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Float(f) => erlang_float(*f),
            Cell::Bool(b) => b.to_string(),
            Cell::Table(t) => table_text(t),
            Cell::Custom { text, .. } => text.clone(),
        }
    }

    /// The cell as the JSON formatter writes it.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Count(n) => json!(n),
            Cell::Float(f) => json!(f),
            Cell::Bool(b) => json!(b),
            Cell::Table(t) => table_json(t),
            Cell::Custom { json, .. } => json.clone(),
        }
    }
}

/// A float as Erlang prints it: the shortest text that reads back, always
/// with a fraction (`1.0`, `0.25`, `1.0e-7`).
pub(crate) fn erlang_float(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let text = format!("{f:?}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if !mantissa.contains('.') => {
            format!("{mantissa}.0e{exponent}")
        }
        _ => text,
    }
}

/// The backslash escape that Erlang's and Elixir's double-quoted strings
/// both print for `c`, if it needs one.
pub(crate) fn backslash_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\t' => "\\t",
        '\r' => "\\r",
        _ => return None,
    })
}

/// An Erlang string literal: double quotes, with `"`, `\` and the common
/// control characters escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match backslash_escape(c) {
            Some(escape) => out.push_str(escape),
            None => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `[{"key",value},...]`, as the table formatter prints an AMQP table.
fn table_text(table: &FieldTable) -> String {
    let fields: Vec<String> = table
        .iter()
        .map(|(k, v)| format!("{{{},{}}}", quoted(k), value_text(v)))
        .collect();
    format!("[{}]", fields.join(","))
}

fn value_text(v: &FieldValue) -> String {
    match v {
        FieldValue::Void => "undefined".to_string(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Byte(n) => n.to_string(),
        FieldValue::UnsignedByte(n) => n.to_string(),
        FieldValue::Short(n) => n.to_string(),
        FieldValue::UnsignedShort(n) => n.to_string(),
        FieldValue::Int(n) => n.to_string(),
        FieldValue::UnsignedInt(n) => n.to_string(),
        FieldValue::Long(n) => n.to_string(),
        FieldValue::Float(f) => erlang_float(f64::from(*f)),
        FieldValue::Double(f) => erlang_float(*f),
        FieldValue::Decimal { scale, value } => format!("{{decimal,{scale},{value}}}"),
        FieldValue::LongStr(s) => quoted(s),
        FieldValue::Binary(b) => quoted(&String::from_utf8_lossy(b)),
        FieldValue::Timestamp(t) => t.to_string(),
        FieldValue::Table(t) => table_text(t),
        FieldValue::Array(items) => {
            let items: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", items.join(","))
        }
    }
}

/// `[["key","type",value],...]`, as the JSON formatter prints an AMQP table.
fn table_json(table: &FieldTable) -> Value {
    Value::Array(
        table
            .iter()
            .map(|(k, v)| json!([k, v.type_name(), value_json(v)]))
            .collect(),
    )
}

fn value_json(v: &FieldValue) -> Value {
    match v {
        FieldValue::Void => Value::Null,
        FieldValue::Bool(b) => json!(b),
        FieldValue::Byte(n) => json!(n),
        FieldValue::UnsignedByte(n) => json!(n),
        FieldValue::Short(n) => json!(n),
        FieldValue::UnsignedShort(n) => json!(n),
        FieldValue::Int(n) => json!(n),
        FieldValue::UnsignedInt(n) => json!(n),
        FieldValue::Long(n) => json!(n),
        FieldValue::Float(f) => json!(f),
        FieldValue::Double(f) => json!(f),
        FieldValue::Decimal { scale, value } => json!([scale, value]),
        FieldValue::LongStr(s) => json!(s),
        FieldValue::Binary(b) => json!(String::from_utf8_lossy(b)),
        FieldValue::Timestamp(t) => json!(t),
        FieldValue::Table(t) => table_json(t),
        // An array's items are {Type, Value} pairs in RabbitMQ.
        FieldValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| json!([i.type_name(), value_json(i)]))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_always_have_a_fraction() {
        assert_eq!(erlang_float(1.0), "1.0");
        assert_eq!(erlang_float(0.004982808927526648), "0.004982808927526648");
        assert_eq!(erlang_float(1e-7), "1.0e-7");
        assert_eq!(erlang_float(2.5e20), "2.5e20");
    }

    #[test]
    fn tables_print_as_the_cli_prints_them() {
        let mut t = FieldTable::new();
        t.insert("x-message-ttl".into(), FieldValue::Int(60000));
        t.insert("x-note".into(), FieldValue::LongStr("a \"b\"".into()));
        assert_eq!(
            Cell::Table(t.clone()).to_text(),
            r#"[{"x-message-ttl",60000},{"x-note","a \"b\""}]"#
        );
        assert_eq!(
            Cell::Table(t).to_json().to_string(),
            r#"[["x-message-ttl","signedint",60000],["x-note","longstr","a \"b\""]]"#
        );
        assert_eq!(Cell::Table(FieldTable::new()).to_text(), "[]");
    }

    #[test]
    fn addresses_are_number_lists_in_json() {
        assert_eq!(
            Cell::ip_address("127.0.0.1").to_json(),
            json!([127, 0, 0, 1])
        );
        assert_eq!(
            Cell::ip_address("::1").to_json(),
            json!([0, 0, 0, 0, 0, 0, 0, 1])
        );
        assert_eq!(Cell::ip_address("somewhere").to_json(), json!("somewhere"));
    }
}
