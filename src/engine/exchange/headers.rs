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
//! them in RabbitMQ 3.x: numbers by value whatever their AMQP type (`I 1`,
//! `b 1`, `B 1`, `s 1`, `u 1`, `i 1`, `l 1` and `d 1.0` are all equal),
//! strings by bytes, and a string never equals a number. An
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

/// Erlang `==` on AMQP values (RabbitMQ 3.x): numbers compare by value
/// across every integer type, timestamps and floats (`I 1`, `b 1`, `B 1`,
/// `s 1`, `u 1`, `i 1`, `l 1` and `d 1.0` all match); `S "1"` and `t true`
/// do not match `1`. See [`FieldValue::erlang_equal`].
pub fn loosely_equal(a: &FieldValue, b: &FieldValue) -> bool {
    a.erlang_equal(b)
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
/// `exact` compares values with Erlang's `=:=` (RabbitMQ 4.x: an integer
/// never equals a float, but integer types still compare by value) instead
/// of `==` (3.x).
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
                if (exact && pattern.erlang_exactly_equal(value))
                    || (!exact && loosely_equal(pattern, value)) =>
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
        // `=:=` still equates integers of different AMQP types.
        assert!(matches(&b, Some(&table(json!({"a": {"$long": 1}}))), true));
        assert!(matches(&b, Some(&table(json!({"a": {"$byte": 1}}))), true));
    }

    /// The recording `tbl_headers_exchange_binding_types`: a binding
    /// `n = I 1` (x-match all) against a header `n` of every type.
    #[test]
    fn every_numeric_type_matches_like_rabbitmq_3() {
        let binding = table(json!({"x-match": "all", "n": 1}));
        let matching = [
            json!(1),
            json!({"$long": 1}),
            json!({"$byte": 1}),
            json!({"$unsignedbyte": 1}),
            json!({"$short": 1}),
            json!({"$unsignedshort": 1}),
            json!({"$unsignedint": 1}),
            json!(1.0),
            json!({"$float": 1.0}),
        ];
        for header in matching {
            let headers = table(json!({ "n": header }));
            assert!(matches(&binding, Some(&headers), false), "{header}");
        }
        for header in [
            json!("1"),
            json!(true),
            json!({"$decimal": {"scale": 0, "value": 1}}),
        ] {
            let headers = table(json!({ "n": header }));
            assert!(!matches(&binding, Some(&headers), false), "{header}");
        }
        // A longstr and a binary with the same bytes are both Erlang binaries.
        let by_string = table(json!({"s": "ab"}));
        let binary = table(json!({"s": {"$binary": "YWI="}}));
        assert!(matches(&by_string, Some(&binary), false));
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
