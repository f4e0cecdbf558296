//! Queue arguments (`x-message-ttl`, `x-max-length`, …): validation when a
//! queue is created, and equivalence when it is declared again.
//!
//! RabbitMQ checks the known arguments in a fixed order and reports the first
//! bad one as `406 PRECONDITION_FAILED - invalid arg 'x-…' for queue 'q' in
//! vhost '/': <reason>`, where the reason is an Erlang term (`{value_zero,0}`,
//! `"expected integer, got longstr"`). A redeclare compares the same known
//! arguments, in the same order; unknown arguments are stored and ignored.

use crate::engine::limits;
use crate::engine::value::{FieldTable, FieldValue};
use std::rc::Rc;

/// The known queue arguments, in the order RabbitMQ 3.10 checks and compares them.
pub const DECLARE_ARGS: &[&str] = &[
    "x-expires",
    "x-message-ttl",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-dead-letter-strategy",
    "x-max-length",
    "x-max-length-bytes",
    "x-max-in-memory-length",
    "x-max-in-memory-bytes",
    "x-max-priority",
    "x-overflow",
    "x-queue-mode",
    "x-queue-version",
    "x-single-active-consumer",
    "x-queue-type",
    "x-quorum-initial-group-size",
    "x-max-age",
    "x-stream-max-segment-size-bytes",
    "x-initial-cluster-size",
    "x-queue-leader-locator",
];

/// What a queue does when it is over its length limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overflow {
    /// Drop (or dead-letter) the oldest ready message.
    DropHead,
    /// Refuse the new message (nack it under publisher confirms).
    RejectPublish,
    /// Refuse and dead-letter the new message.
    RejectPublishDlx,
}

pub use crate::engine::queue_type::QueueType;

/// The parsed, validated arguments the engine acts on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct QueueSettings {
    pub message_ttl: Option<u64>,
    pub expires: Option<u64>,
    pub dead_letter_exchange: Option<Rc<str>>,
    pub dead_letter_routing_key: Option<Rc<str>>,
    pub max_length: Option<u64>,
    pub max_length_bytes: Option<u64>,
    pub overflow: Overflow,
    /// `x-max-priority`; `None` for a plain FIFO queue.
    pub max_priority: Option<u8>,
    /// A quorum queue in the `rabbitmq-4.3` profile: 32 priority levels
    /// and no argument to ask for them (`queue.rs`, `Queue::level_for`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict_priorities: bool,
    pub single_active_consumer: bool,
    pub queue_type: QueueType,
    /// Quorum queues: a message returned more often than this is
    /// dead-lettered. RabbitMQ 3.10 does not validate `x-delivery-limit`;
    /// a value that is not a non-negative integer sets no limit here.
    pub delivery_limit: Option<u64>,
    /// Quorum queues: dead-lettering is `at-least-once`
    /// (`dead_letter.rs`). Only when asked for with a dead-letter exchange
    /// and `x-overflow: reject-publish`; otherwise RabbitMQ logs a warning
    /// and dead-letters at most once (`rabbit_quorum_queue:dlh/5`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dead_letter_at_least_once: bool,
    /// A stream's segment size and retention (`stream_segments.rs`); its
    /// `x-max-length-bytes` is retention, not a length limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_retention: Option<crate::engine::stream_segments::Retention>,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            message_ttl: None,
            expires: None,
            dead_letter_exchange: None,
            dead_letter_routing_key: None,
            max_length: None,
            max_length_bytes: None,
            overflow: Overflow::DropHead,
            max_priority: None,
            strict_priorities: false,
            single_active_consumer: false,
            queue_type: QueueType::Classic,
            delivery_limit: None,
            dead_letter_at_least_once: false,
            stream_retention: None,
        }
    }
}

impl QueueSettings {
    /// What depends on the broker's profile: a quorum queue's delivery
    /// limit (`Profile::quorum_delivery_limit`) and its priorities
    /// (`Profile::quorum_strict_priorities`).
    pub fn apply_profile(&mut self, args: &FieldTable, profile: crate::engine::Profile) {
        if self.queue_type.rules().counts_deliveries() {
            self.strict_priorities = profile.quorum_strict_priorities();
            // A value that is not an integer counts as absent.
            let argument = args
                .get("x-delivery-limit")
                .and_then(FieldValue::as_integer);
            self.delivery_limit = profile.quorum_delivery_limit(argument);
        }
    }
}

/// A rejected argument: the key and RabbitMQ's reason term, or `None`
/// when the queue's type does not take the argument at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidArg {
    pub key: &'static str,
    pub reason: Option<String>,
}

impl InvalidArg {
    /// RabbitMQ's explanation for queue `resource` of type `kind`.
    pub fn explanation(&self, resource: &str, kind: QueueType) -> String {
        match &self.reason {
            Some(reason) => format!("invalid arg '{}' for {resource}: {reason}", self.key),
            None => format!(
                "invalid arg '{}' for {resource} of queue type {}",
                self.key,
                kind.module()
            ),
        }
    }
}

fn expected_integer(v: &FieldValue) -> String {
    format!("\"expected integer, got {}\"", v.type_name())
}

fn integer(v: &FieldValue) -> Result<i64, String> {
    v.as_integer().ok_or_else(|| expected_integer(v))
}

/// RabbitMQ 3.10 accepts any non-negative TTL here (a recording shows
/// `x-message-ttl: 4294967296` accepted).
fn check_expiry(n: i64) -> Result<u64, String> {
    if n < 0 {
        Err(format!("{{value_negative,{n}}}"))
    } else {
        Ok(n as u64)
    }
}

fn non_negative(v: &FieldValue) -> Result<u64, String> {
    let n = integer(v)?;
    if n < 0 {
        Err(format!("{{value_negative,{n}}}"))
    } else {
        Ok(n as u64)
    }
}

fn one_of(
    v: &FieldValue,
    allowed: &[&str],
    invalid: impl FnOnce(&str) -> String,
) -> Result<(), String> {
    match v {
        FieldValue::LongStr(s) if allowed.contains(&s.as_str()) => Ok(()),
        FieldValue::LongStr(s) => Err(invalid(s)),
        other => Err(format!("{{unacceptable_type,{}}}", other.type_name())),
    }
}

/// Validates a new queue's arguments and extracts its settings, as
/// `rabbit_amqqueue:check_declare_arguments` does: `x-queue-type` first,
/// then the values of the arguments the type takes (in [`DECLARE_ARGS`]
/// order), then arguments only other types take
/// ([`InvalidArg::reason`] `None`). The first failure is the error.
pub fn validate(args: &FieldTable) -> Result<QueueSettings, InvalidArg> {
    let mut settings = QueueSettings::default();
    if let Some(value) = args.get("x-queue-type") {
        one_of(value, &["classic", "quorum", "stream"], |s| {
            format!("\"unsupported queue type '{s}'\"")
        })
        .map_err(|reason| InvalidArg {
            key: "x-queue-type",
            reason: Some(reason),
        })?;
        settings.queue_type = QueueType::from_argument(value.as_str());
    }
    let kind = settings.queue_type;
    for &key in DECLARE_ARGS {
        if !kind.takes_argument(key) {
            continue;
        }
        let Some(value) = args.get(key) else { continue };
        let fail = |reason: String| InvalidArg {
            key,
            reason: Some(reason),
        };
        match key {
            "x-expires" => {
                let n = integer(value).map_err(fail)?;
                if n == 0 {
                    return Err(fail("{value_zero,0}".into()));
                }
                settings.expires = Some(check_expiry(n).map_err(fail)?);
            }
            "x-message-ttl" => {
                let n = integer(value).map_err(fail)?;
                settings.message_ttl = Some(check_expiry(n).map_err(fail)?);
            }
            "x-dead-letter-exchange" => match value {
                FieldValue::LongStr(s) => {
                    settings.dead_letter_exchange = Some(Rc::from(s.as_str()))
                }
                // The channel checks this type first, with its own wording;
                // see `dlx_type_error`. Not reached for declares that went through it.
                other => return Err(fail(format!("{{unacceptable_type,{}}}", other.type_name()))),
            },
            "x-dead-letter-routing-key" => match value {
                FieldValue::LongStr(s) => {
                    if !args.contains_key("x-dead-letter-exchange") {
                        return Err(fail("routing_key_but_no_dlx_defined".into()));
                    }
                    settings.dead_letter_routing_key = Some(Rc::from(s.as_str()));
                }
                other => return Err(fail(format!("{{unacceptable_type,{}}}", other.type_name()))),
            },
            "x-dead-letter-strategy" => one_of(value, &["at-most-once", "at-least-once"], |_| {
                "invalid_dlx_strategy".into()
            })
            .map_err(fail)?,
            "x-max-length" => settings.max_length = Some(non_negative(value).map_err(fail)?),
            "x-max-length-bytes" => {
                settings.max_length_bytes = Some(non_negative(value).map_err(fail)?)
            }
            "x-max-in-memory-length"
            | "x-max-in-memory-bytes"
            | "x-stream-max-segment-size-bytes" => {
                non_negative(value).map_err(fail)?;
            }
            "x-max-priority" => {
                let n = non_negative(value).map_err(fail)?;
                if n > u64::from(limits::PRIORITY_MAX) {
                    return Err(fail(format!("{{max_value_exceeded,{n}}}")));
                }
                settings.max_priority = Some(n as u8);
            }
            "x-overflow" => {
                one_of(
                    value,
                    &["drop-head", "reject-publish", "reject-publish-dlx"],
                    |_| "invalid_overflow".into(),
                )
                .map_err(fail)?;
                settings.overflow = match value.as_str() {
                    Some("reject-publish") => Overflow::RejectPublish,
                    Some("reject-publish-dlx") => Overflow::RejectPublishDlx,
                    _ => Overflow::DropHead,
                };
            }
            "x-queue-mode" => one_of(value, &["default", "lazy"], |s| {
                format!("\"unsupported queue mode '{s}'\"")
            })
            .map_err(fail)?,
            "x-queue-version" => {
                let n = integer(value).map_err(fail)?;
                if n != 1 && n != 2 {
                    return Err(fail(format!("\"unsupported queue version '{n}'\"")));
                }
            }
            "x-single-active-consumer" => match value {
                FieldValue::Bool(b) => settings.single_active_consumer = *b,
                other => return Err(fail(format!("{{unacceptable_type,{}}}", other.type_name()))),
            },
            "x-queue-type" => {}
            "x-quorum-initial-group-size" | "x-initial-cluster-size" => {
                let n = integer(value).map_err(fail)?;
                if n == 0 {
                    return Err(fail("{value_zero,0}".into()));
                } else if n < 0 {
                    return Err(fail(format!("{{value_negative,{n}}}")));
                }
            }
            "x-max-age" => match value {
                FieldValue::LongStr(s) if valid_max_age(s) => {}
                FieldValue::LongStr(_) => return Err(fail("invalid_max_age".into())),
                other => return Err(fail(format!("{{unacceptable_type,{}}}", other.type_name()))),
            },
            "x-queue-leader-locator" => {
                one_of(value, &["client-local", "random", "least-leaders"], |_| {
                    "invalid_queue_locator_arg".into()
                })
                .map_err(fail)?
            }
            _ => {}
        }
    }
    // Arguments another type takes and this one does not (the table's
    // order; Warren's tables are sorted by key).
    if let Some(key) = args.keys().find_map(|k| kind.refused_argument(k)) {
        return Err(InvalidArg { key, reason: None });
    }
    settings.overflow = kind.rules().overflow(settings.overflow);
    settings.dead_letter_at_least_once = kind == QueueType::Quorum
        && settings.dead_letter_exchange.is_some()
        && settings.overflow == Overflow::RejectPublish
        && args
            .get("x-dead-letter-strategy")
            .and_then(FieldValue::as_str)
            == Some("at-least-once");
    if kind == QueueType::Stream {
        settings.stream_retention = Some(stream_retention(args, settings.max_length_bytes.take()));
    }
    if kind.takes_argument("x-delivery-limit") {
        settings.delivery_limit = args
            .get("x-delivery-limit")
            .and_then(FieldValue::as_integer)
            .and_then(|n| u64::try_from(n).ok());
    }
    Ok(settings)
}

/// A stream's retention from its (validated) arguments.
fn stream_retention(
    args: &FieldTable,
    max_bytes: Option<u64>,
) -> crate::engine::stream_segments::Retention {
    use crate::engine::stream_segments::{Retention, DEFAULT_MAX_SEGMENT_BYTES};
    let max_segment_bytes = args
        .get("x-stream-max-segment-size-bytes")
        .and_then(FieldValue::as_integer)
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(DEFAULT_MAX_SEGMENT_BYTES);
    let max_age_ms = match args.get("x-max-age") {
        Some(FieldValue::LongStr(s)) => match check_max_age(s) {
            MaxAge::Ms(ms) => Some(ms),
            _ => None,
        },
        _ => None,
    };
    Retention {
        max_segment_bytes,
        max_bytes,
        max_age_ms,
    }
}

/// An `x-max-age`-style interval (`7D`, `1h`, `30s`: digits, then one of
/// Y M D h m s), which `x-stream-offset` also takes.
pub(crate) fn valid_max_age(s: &str) -> bool {
    matches!(check_max_age(s), MaxAge::Ms(_))
}

/// What `rabbit_amqqueue:check_max_age` (3.10.8) makes of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MaxAge {
    /// An interval, in milliseconds (a year is 365 days, a month 30).
    /// Erlang's integers have no limit; a huge one saturates here.
    Ms(u64),
    /// `{error, invalid_max_age}`: a count of 0 (`0s`, `00h`) or a unit
    /// that is not one of Y M D h m s (`1w`, `1.5h`).
    Invalid,
    /// No digits in front (`h`, `next`, `-1h`): `list_to_integer("")`
    /// raises, and whatever called it crashes.
    Crash,
}

/// Reads an interval as RabbitMQ does: the regex `(^[0-9]*)(.*)` splits
/// the digits from the unit, and `.` stops at a newline, so `1h\nx` is an
/// hour (checked with `rabbitmqctl eval` on 3.10.8).
pub(crate) fn check_max_age(s: &str) -> MaxAge {
    let digits = &s[..s.bytes().take_while(u8::is_ascii_digit).count()];
    let rest = &s[digits.len()..];
    let unit = rest.split('\n').next().unwrap_or_default();
    if digits.is_empty() {
        return MaxAge::Crash;
    }
    let unit_ms: u64 = match unit {
        "Y" => 365 * 24 * 3_600_000,
        "M" => 30 * 24 * 3_600_000,
        "D" => 24 * 3_600_000,
        "h" => 3_600_000,
        "m" => 60_000,
        "s" => 1000,
        _ => return MaxAge::Invalid,
    };
    let count = digits.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    if count == 0 {
        return MaxAge::Invalid;
    }
    MaxAge::Ms(count.saturating_mul(unit_ms))
}

/// The channel's own type check of `x-dead-letter-exchange`, made before the
/// arguments are validated: `invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'`.
pub fn dlx_type_error(args: &FieldTable, queue_resource: &str) -> Option<String> {
    match args.get("x-dead-letter-exchange") {
        Some(FieldValue::LongStr(_)) | None => None,
        Some(other) => Some(format!(
            "invalid type '{}' for arg 'x-dead-letter-exchange' in {}",
            other.type_name(),
            queue_resource
        )),
    }
}

/// Quotes one side of an equivalence failure the way `rabbit_misc` does.
fn quote_alone(v: Option<&FieldValue>) -> String {
    match v {
        None => "none".to_string(),
        Some(v) => format!("the value '{}' of type '{}'", v, v.type_name()),
    }
}

/// Compares the known arguments of a redeclare with the queue's, in
/// RabbitMQ's order; returns the explanation for the first difference
/// (`inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received
/// '2000' but current is '1000'`).
pub fn equivalence_error(
    current: &FieldTable,
    received: &FieldTable,
    resource: &str,
) -> Option<String> {
    let kind = QueueType::from_argument(current.get("x-queue-type").and_then(|v| v.as_str()));
    for &key in kind.rules().queue_arguments() {
        let (cur, new) = (current.get(key), received.get(key));
        let ok = match (cur, new) {
            (None, None) => true,
            // Integer types are interchangeable (`I 1000` then `l 1000`).
            (Some(c), Some(n)) => c.is_equivalent_argument(n),
            // An absent queue type is the classic type.
            (None, Some(FieldValue::LongStr(s))) | (Some(FieldValue::LongStr(s)), None)
                if key == "x-queue-type" =>
            {
                s == "classic"
            }
            _ => false,
        };
        if ok {
            continue;
        }
        let (received_text, current_text) = match (new, cur) {
            (Some(n), Some(c)) => (format!("'{n}'"), format!("'{c}'")),
            (n, c) => (quote_alone(n), quote_alone(c)),
        };
        return Some(format!(
            "inequivalent arg '{key}' for {resource}: received {received_text} but current is {current_text}"
        ));
    }
    None
}

/// The equivalence text for a flag (`durable`, `auto_delete`, `internal`, `type`).
pub fn flag_mismatch(
    key: &str,
    resource: &str,
    received: impl std::fmt::Display,
    current: impl std::fmt::Display,
) -> String {
    format!(
        "inequivalent arg '{key}' for {resource}: received '{received}' but current is '{current}'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: serde_json::Value) -> FieldTable {
        crate::engine::value::table_from_json(&v).unwrap()
    }

    #[test]
    fn intervals_in_milliseconds_as_check_max_age_reckons_them() {
        let ms = |s| match check_max_age(s) {
            MaxAge::Ms(ms) => Some(ms),
            _ => None,
        };
        assert_eq!(ms("30s"), Some(30_000));
        assert_eq!(ms("2m"), Some(120_000));
        assert_eq!(ms("1h"), Some(3_600_000));
        assert_eq!(ms("1h\nanything"), Some(3_600_000));
        assert_eq!(ms("7D"), Some(7 * 86_400_000));
        assert_eq!(ms("1M"), Some(30 * 86_400_000));
        assert_eq!(ms("1Y"), Some(365 * 86_400_000));
        assert_eq!(ms("99999999999999999999999Y"), Some(u64::MAX));
        for invalid in ["0s", "00h", "1", "1w", "1hh", "1.5h", "1 h"] {
            assert_eq!(check_max_age(invalid), MaxAge::Invalid, "{invalid}");
        }
        for crash in ["h", "-1h", "next", "", "\n1h"] {
            assert_eq!(check_max_age(crash), MaxAge::Crash, "{crash}");
        }
        assert!(valid_max_age("7D") && !valid_max_age("0D") && !valid_max_age("D"));
    }

    #[test]
    fn equivalence_texts_match_the_recordings() {
        let res = "queue 'ttlq' in vhost '/'";
        assert_eq!(
            equivalence_error(&args(json!({"x-message-ttl": 1000})), &args(json!({"x-message-ttl": 2000})), res).unwrap(),
            "inequivalent arg 'x-message-ttl' for queue 'ttlq' in vhost '/': received '2000' but current is '1000'"
        );
        assert_eq!(
            equivalence_error(&args(json!({"x-message-ttl": 1000})), &args(json!({})), res).unwrap(),
            "inequivalent arg 'x-message-ttl' for queue 'ttlq' in vhost '/': received none but current is the value '1000' of type 'signedint'"
        );
        assert_eq!(
            equivalence_error(&args(json!({})), &args(json!({"x-max-length": 10})), "queue 'plainq' in vhost '/'").unwrap(),
            "inequivalent arg 'x-max-length' for queue 'plainq' in vhost '/': received the value '10' of type 'signedint' but current is none"
        );
        // Unknown arguments are not compared; int types compare by value.
        assert_eq!(
            equivalence_error(&args(json!({"x-foo": 1})), &args(json!({})), res),
            None
        );
        assert_eq!(
            equivalence_error(
                &args(json!({"x-max-length": 10})),
                &args(json!({"x-max-length": 10})),
                res
            ),
            None
        );
        assert_eq!(
            equivalence_error(
                &args(json!({})),
                &args(json!({"x-queue-type": "classic"})),
                res
            ),
            None
        );
    }

    /// SUMMARY §8 "Equivalence": `I 1000` redeclared as `l 1000` or
    /// `s 1000` is accepted; a different value, or a float, is not.
    #[test]
    fn integer_types_are_equivalent_when_the_values_are() {
        let res = "queue 'ce_q2' in vhost '/'";
        let declared = args(json!({"x-message-ttl": 1000}));
        for same in [
            json!({"$long": 1000}),
            json!({"$short": 1000}),
            json!({"$unsignedshort": 1000}),
            json!({"$unsignedint": 1000}),
        ] {
            let again = args(json!({ "x-message-ttl": same }));
            assert_eq!(equivalence_error(&declared, &again, res), None, "{same}");
        }
        assert_eq!(
            equivalence_error(&declared, &args(json!({"x-message-ttl": 2000})), res).unwrap(),
            "inequivalent arg 'x-message-ttl' for queue 'ce_q2' in vhost '/': received '2000' but current is '1000'"
        );
        assert!(
            equivalence_error(&declared, &args(json!({"x-message-ttl": 1000.0})), res).is_some()
        );
        // Integer-typed arguments accept every integer type.
        assert_eq!(
            validate(&args(json!({"x-max-length": {"$unsignedbyte": 7}}))).map(|s| s.max_length),
            Ok(Some(7))
        );
    }

    #[test]
    fn validation_limits_and_one_past() {
        let accepted = |arguments| validate(&args(arguments)).unwrap();
        assert_eq!(
            accepted(json!({"x-max-priority": 255})).max_priority,
            Some(255)
        );
        assert_eq!(accepted(json!({"x-max-priority": 0})).max_priority, Some(0));
        assert_eq!(accepted(json!({"x-expires": 1})).expires, Some(1));
        assert_eq!(accepted(json!({"x-message-ttl": 0})).message_ttl, Some(0));
        let ttl = |ms: u64| accepted(json!({ "x-message-ttl": ms })).message_ttl;
        assert_eq!(ttl(4_294_967_295), Some(4_294_967_295));
        assert_eq!(ttl(4_294_967_296), Some(4_294_967_296));
        for (arguments, reason) in [
            (json!({"x-max-priority": 256}), "{max_value_exceeded,256}"),
            (json!({"x-max-priority": -1}), "{value_negative,-1}"),
            (json!({"x-expires": 0}), "{value_zero,0}"),
            (json!({"x-message-ttl": -1}), "{value_negative,-1}"),
            (
                json!({"x-message-ttl": "1000"}),
                "\"expected integer, got longstr\"",
            ),
            (json!({"x-overflow": "bogus"}), "invalid_overflow"),
            (
                json!({"x-dead-letter-routing-key": "k"}),
                "routing_key_but_no_dlx_defined",
            ),
        ] {
            let refused = validate(&args(arguments.clone())).unwrap_err();
            assert_eq!(refused.reason.as_deref(), Some(reason), "{arguments}");
        }
    }
}
