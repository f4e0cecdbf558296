//! Headers-exchange matching (`rabbit_exchange_type_headers`).
//!
//! A binding's arguments are a pattern over the message's `headers` table.
//! `x-match` says how to combine the comparisons:
//! - `all` (the default): every pattern key must be present with an equal value;
//! - `any`: at least one must;
//! - `all-with-x` / `any-with-x`: the same, but keys starting with `x-` take
//!   part too (plain `all`/`any` ignore them; `x-match` itself never does).
//!
//! A pattern value of type `void` (JSON `null`) only asks for the key to be
//! present. Otherwise values are compared the way Erlang's `==` compares
//! them in RabbitMQ 3.x: numbers by value whatever their AMQP type (`1`
//! equals `1.0`), strings by bytes, and a string never equals a number. An
//! `all` pattern with nothing to compare matches every message; an `any`
//! pattern with nothing to compare matches none.

use crate::engine::value::{FieldTable, FieldValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    All,
    Any,
    AllWithX,
    AnyWithX,
}

impl MatchMode {
    fn includes_x_keys(self) -> bool {
        matches!(self, MatchMode::AllWithX | MatchMode::AnyWithX)
    }

    fn is_all(self) -> bool {
        matches!(self, MatchMode::All | MatchMode::AllWithX)
    }

    pub fn name(self) -> &'static str {
        match self {
            MatchMode::All => "all",
            MatchMode::Any => "any",
            MatchMode::AllWithX => "all-with-x",
            MatchMode::AnyWithX => "any-with-x",
        }
    }
}

/// Checks a binding's arguments when it is created. The error is RabbitMQ's
/// explanation for a 406 PRECONDITION_FAILED.
pub fn validate_binding(args: &FieldTable) -> Result<(), String> {
    match args.get("x-match") {
        None => Ok(()),
        Some(FieldValue::LongStr(s))
            if matches!(s.as_str(), "all" | "any" | "all-with-x" | "any-with-x") =>
        {
            Ok(())
        }
        Some(FieldValue::LongStr(s)) => Err(format!(
            "Invalid x-match field value <<\"{s}\">>; expected all, any, all-with-x, or any-with-x"
        )),
        Some(other) => Err(format!(
            "Invalid x-match field type {} (value {}); expected longstr",
            other.type_name(),
            other
        )),
    }
}

/// The match mode of a (validated) binding.
pub fn match_mode(args: &FieldTable) -> MatchMode {
    match args.get("x-match").and_then(FieldValue::as_str) {
        Some("any") => MatchMode::Any,
        Some("all-with-x") => MatchMode::AllWithX,
        Some("any-with-x") => MatchMode::AnyWithX,
        _ => MatchMode::All,
    }
}

/// Erlang `==` on AMQP values: numbers compare by value across types.
pub fn loosely_equal(a: &FieldValue, b: &FieldValue) -> bool {
    fn number(v: &FieldValue) -> Option<f64> {
        match v {
            FieldValue::Int(i) => Some(f64::from(*i)),
            FieldValue::Long(i) => Some(*i as f64),
            FieldValue::Double(d) => Some(*d),
            _ => None,
        }
    }
    match (a, b) {
        (FieldValue::Int(_) | FieldValue::Long(_), FieldValue::Int(_) | FieldValue::Long(_)) => {
            a.as_integer() == b.as_integer()
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            (None, None) => match (a, b) {
                (FieldValue::Table(x), FieldValue::Table(y)) => {
                    x.len() == y.len()
                        && x.iter()
                            .zip(y)
                            .all(|((k1, v1), (k2, v2))| k1 == k2 && loosely_equal(v1, v2))
                }
                (FieldValue::Array(x), FieldValue::Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(v1, v2)| loosely_equal(v1, v2))
                }
                _ => a == b,
            },
            _ => false,
        },
    }
}

/// One pattern key's verdict, for explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyVerdict {
    Equal,
    Present,
    Missing,
    Different,
}

/// Compares each considered pattern key with the headers; returns the mode,
/// the per-key verdicts, and whether the binding matches.
/// `exact` compares values with their types (RabbitMQ 4.x, Erlang `=:=`)
/// instead of loosely (3.x, `==`).
pub fn explain(
    args: &FieldTable,
    headers: Option<&FieldTable>,
    exact: bool,
) -> (MatchMode, Vec<(String, KeyVerdict)>, bool) {
    let mode = match_mode(args);
    let mut verdicts = Vec::new();
    for (key, pattern) in args {
        if key == "x-match" || (key.starts_with("x-") && !mode.includes_x_keys()) {
            continue;
        }
        let verdict = match headers.and_then(|h| h.get(key)) {
            None => KeyVerdict::Missing,
            Some(_) if matches!(pattern, FieldValue::Void) => KeyVerdict::Present,
            Some(value)
                if (exact && pattern == value) || (!exact && loosely_equal(pattern, value)) =>
            {
                KeyVerdict::Equal
            }
            Some(_) => KeyVerdict::Different,
        };
        verdicts.push((key.clone(), verdict));
    }
    let hit = |v: &KeyVerdict| matches!(v, KeyVerdict::Equal | KeyVerdict::Present);
    let matched = if mode.is_all() {
        verdicts.iter().all(|(_, v)| hit(v))
    } else {
        verdicts.iter().any(|(_, v)| hit(v))
    };
    (mode, verdicts, matched)
}

pub fn matches(args: &FieldTable, headers: Option<&FieldTable>, exact: bool) -> bool {
    explain(args, headers, exact).2
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(v: serde_json::Value) -> FieldTable {
        crate::engine::value::table_from_json(&v).unwrap()
    }

    fn check(binding: serde_json::Value, headers: serde_json::Value, expected: bool) {
        let b = table(binding.clone());
        let h = table(headers.clone());
        assert_eq!(
            matches(&b, Some(&h), false),
            expected,
            "binding {binding} vs headers {headers}"
        );
    }

    // The reference cases from the semantics notes (C5).
    #[test]
    fn reference_cases() {
        check(
            json!({"x-match": "all", "a": 1, "b": 2}),
            json!({"a": 1, "b": 2}),
            true,
        );
        check(
            json!({"x-match": "all", "a": 1, "b": 2}),
            json!({"a": 1, "b": 2, "c": 3}),
            true,
        );
        check(
            json!({"x-match": "all", "a": 1, "b": 2}),
            json!({"a": 1}),
            false,
        );
        check(
            json!({"x-match": "any", "a": 1, "b": 2}),
            json!({"a": 1}),
            true,
        );
        check(
            json!({"x-match": "any", "a": 1, "b": 2}),
            json!({"a": 9}),
            false,
        );
        check(json!({"x-match": "any", "a": 1, "b": 2}), json!({}), false);
        check(json!({}), json!({}), true);
        check(json!({"x-match": "any"}), json!({"a": 1}), false);
        check(json!({"x-match": "all", "x-foo": 1}), json!({}), true);
        check(
            json!({"x-match": "all-with-x", "x-foo": 1}),
            json!({}),
            false,
        );
        check(
            json!({"x-match": "all-with-x", "x-foo": 1}),
            json!({"x-foo": 1}),
            true,
        );
        check(json!({"a": null}), json!({"a": "anything"}), true);
        check(json!({"a": null}), json!({"b": 1}), false);
    }

    #[test]
    fn values_compare_like_erlang_double_equals() {
        check(json!({"a": 1}), json!({"a": "1"}), false);
        check(json!({"a": 1}), json!({"a": 1.0}), true);
        check(
            json!({"a": 5_000_000_000i64}),
            json!({"a": 5_000_000_000i64}),
            true,
        );
        check(json!({"a": true}), json!({"a": "true"}), false);
    }

    #[test]
    fn exact_comparison_keeps_types_apart() {
        let b = table(json!({"a": 1}));
        assert!(!matches(&b, Some(&table(json!({"a": 1.0}))), true));
        assert!(matches(&b, Some(&table(json!({"a": 1}))), true));
    }

    #[test]
    fn invalid_x_match_is_refused_with_rabbitmq_text() {
        assert_eq!(
            validate_binding(&table(json!({"x-match": "some"}))).unwrap_err(),
            "Invalid x-match field value <<\"some\">>; expected all, any, all-with-x, or any-with-x"
        );
        assert_eq!(
            validate_binding(&table(json!({"x-match": 1}))).unwrap_err(),
            "Invalid x-match field type signedint (value 1); expected longstr"
        );
    }
}
