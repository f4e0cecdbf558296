//! Outcome documents: errors as the harness records them, normalisation of
//! server-generated names, the harness's JSON text, and a line diff.

use crate::engine::CommandError;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// A step's `error` value.
pub fn error_json(e: &CommandError) -> Value {
    match e {
        CommandError::Amqp(a) => json!({
            "scope": match a.scope() {
                crate::engine::error::ErrorScope::Channel => "channel",
                crate::engine::error::ErrorScope::Connection => "connection",
            },
            "code": a.code.code(),
            "text": a.reply_text(),
        }),
        CommandError::ChannelClosed => json!({"scope": "client", "text": "channel is closed"}),
        CommandError::ConnectionClosed => {
            json!({"scope": "client", "text": "connection is closed"})
        }
        CommandError::Invalid(m) => json!({"scope": "client", "text": m}),
        #[allow(unreachable_patterns)]
        other => json!({"scope": "client", "text": other.to_string()}),
    }
}

/// A message's properties as the harness records them: only those set, and
/// header values as pika decodes them (a `long` is a plain number, an AMQP
/// timestamp the placeholder `"<timestamp>"`).
pub fn properties_json(p: &crate::engine::message::Properties) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    if let Some(headers) = v.get_mut("headers") {
        *headers = as_pika_decodes(std::mem::take(headers));
    }
    v
}

/// Undoes Warren's typed-value objects (`{"$long": 5}`) the way pika's
/// decoding loses the type.
fn as_pika_decodes(v: Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(as_pika_decodes).collect()),
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some((key, inner)) = map.iter().next() {
                    match key.as_str() {
                        "$timestamp" => return json!("<timestamp>"),
                        "$long" | "$double" => return inner.clone(),
                        "$table" => return as_pika_decodes(inner.clone()),
                        _ => {}
                    }
                }
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, x)| (k, as_pika_decodes(x)))
                    .collect(),
            )
        }
        other => other,
    }
}

/// Replaces `amq.gen-…` and `amq.ctag-…` names by `amq.gen-<1>`,
/// `amq.ctag-<1>`, … in order of first appearance, like the harness.
#[derive(Default)]
pub struct Normalizer {
    names: HashMap<String, String>,
    gen: usize,
    ctag: usize,
}

/// The order in which the harness's dictionaries were filled (and so the
/// order in which it met names); other keys follow in sorted order.
const KEY_ORDER: &[&str] = &[
    "i",
    "op",
    "queue",
    "message_count",
    "consumer_count",
    "consumer_tag",
    "message",
    "confirms",
    "connections_dropped",
    "error",
    "observation",
    "deliveries",
    "queues",
    "exchanges",
    "bindings",
    "consumers_of",
    "returns",
    "closures",
    "broker_cancels",
];

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Normalizer {
    fn replace_kind(&mut self, s: &str, prefix: &str, is_gen: bool) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(at) = rest.find(prefix) {
            out.push_str(&rest[..at]);
            let after = &rest[at + prefix.len()..];
            let len = after
                .find(|c: char| !is_name_char(c))
                .unwrap_or(after.len());
            if len >= 10 {
                let full = format!("{prefix}{}", &after[..len]);
                let next = if is_gen { self.gen + 1 } else { self.ctag + 1 };
                let placeholder = self
                    .names
                    .entry(full)
                    .or_insert_with(|| format!("{prefix}<{next}>"))
                    .clone();
                if placeholder == format!("{prefix}<{next}>") {
                    if is_gen {
                        self.gen = next;
                    } else {
                        self.ctag = next;
                    }
                }
                out.push_str(&placeholder);
                rest = &after[len..];
            } else {
                out.push_str(prefix);
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    pub fn normalize_str(&mut self, s: &str) -> String {
        if !s.contains("amq.") {
            return s.to_string();
        }
        let s = self.replace_kind(s, "amq.gen-", true);
        self.replace_kind(&s, "amq.ctag-", false)
    }

    pub fn normalize(&mut self, v: Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.normalize_str(&s)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|x| self.normalize(x)).collect())
            }
            Value::Object(map) => {
                let mut keys: Vec<String> = map.keys().cloned().collect();
                keys.sort_by_key(|k| {
                    (
                        KEY_ORDER
                            .iter()
                            .position(|o| o == k)
                            .unwrap_or(KEY_ORDER.len()),
                        k.clone(),
                    )
                });
                let mut map = map;
                let mut out = Map::new();
                for k in keys {
                    if let Some(x) = map.remove(&k) {
                        let nk = self.normalize_str(&k);
                        let nx = self.normalize(x);
                        out.insert(nk, nx);
                    }
                }
                Value::Object(out)
            }
            other => other,
        }
    }
}

/// Python's `json.dumps(v, sort_keys=True)` text (default separators,
/// `ensure_ascii`), which the harness sorts bindings by.
pub fn py_json_dumps(v: &Value) -> String {
    let mut out = String::new();
    write_py(v, &mut out);
    out
}

fn write_py(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_py_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(x, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_str(k, out);
                out.push_str(": ");
                write_py(&map[k], out);
            }
            out.push('}');
        }
    }
}

fn write_py_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The harness's file format: indent 1, keys sorted, UTF-8 as is.
pub fn dump(v: &Value) -> String {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    let sorted = sort_keys(v);
    if serde::Serialize::serialize(&sorted, &mut ser).is_err() {
        return String::new();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

fn sort_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sort_keys(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// A unified-style diff of two texts, line by line (LCS), with `context`
/// lines around each change.
pub fn line_diff(expected: &str, actual: &str, context: usize) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let (n, m) = (a.len(), b.len());
    // LCS table; scenarios are small (a few hundred lines).
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| *c != ' ')
        .map(|(k, _)| k)
        .collect();
    let mut out = String::from("--- expected\n+++ actual\n");
    let mut last_printed: Option<usize> = None;
    for &k in &changed {
        let start = k.saturating_sub(context);
        let end = (k + context + 1).min(ops.len());
        let from = match last_printed {
            Some(l) if l + 1 >= start => l + 1,
            Some(_) => {
                out.push_str("@@\n");
                start
            }
            None => {
                out.push_str("@@\n");
                start
            }
        };
        for (idx, (c, line)) in ops.iter().enumerate().take(end).skip(from) {
            out.push(*c);
            out.push_str(line);
            out.push('\n');
            last_printed = Some(idx);
        }
    }
    out
}

/// Kept for symmetry with `replay::outcome`: results are already normalised
/// step by step.
pub fn normalize(results: Vec<Value>) -> Vec<Value> {
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_numbered_in_order_of_appearance() {
        let mut n = Normalizer::default();
        assert_eq!(
            n.normalize_str("amq.gen-JzTY20BRgKO-HjmUJj0wLg"),
            "amq.gen-<1>"
        );
        assert_eq!(
            n.normalize_str("x amq.gen-AAAAAAAAAAAAAAAAAAAAAA y"),
            "x amq.gen-<2> y"
        );
        assert_eq!(
            n.normalize_str("amq.gen-JzTY20BRgKO-HjmUJj0wLg"),
            "amq.gen-<1>"
        );
        assert_eq!(
            n.normalize_str("amq.ctag-BBBBBBBBBBBBBBBBBBBBBB"),
            "amq.ctag-<1>"
        );
        assert_eq!(n.normalize_str("amq.gen-short"), "amq.gen-short");
    }

    #[test]
    fn python_json_text() {
        let v = json!({"b": [1, "é"], "a": {}});
        assert_eq!(py_json_dumps(&v), r#"{"a": {}, "b": [1, "\u00e9"]}"#);
    }

    #[test]
    fn diff_shows_changes() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n", 1);
        assert!(d.contains("-b\n") && d.contains("+x\n"), "{d}");
    }
}
