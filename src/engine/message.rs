//! Messages: what a publisher sends and what a consumer receives.
//!
//! A published message is immutable. When one publish reaches several queues
//! (a fanout, say), every queue holds a handle ([`MessageRef`]) to the same
//! allocation: the body is stored once however many copies are queued, and
//! successive publishes with the same exchange, key and properties share one
//! [`Envelope`]. Dead-lettering makes a *new* message (new exchange, routing
//! key and headers, a copy of the body).

use crate::engine::value::{FieldTable, FieldValue};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use triomphe::ThinArc;

/// Identifies a message's journey: the number of the publish that created
/// it. Copies in several queues, and dead-lettered copies, share the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MessageId(pub u64);

/// AMQP basic properties. `None` means "not set", which consumers can tell
/// apart from an empty value.
///
/// This is the one spelling of the fourteen properties: every JSON format
/// (documents, scenarios, records, the event log; camelCase at the
/// JavaScript edge) is this type's serde form, with pika's names
/// (`content_type`, `type`, ...), and the wire codec maps the same fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Properties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<FieldTable>,
    /// 1 = transient, 2 = persistent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Per-message TTL: a string of milliseconds, as on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Seconds since the Unix epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
}

impl Properties {
    /// `delivery_mode = 2`: the message survives a broker restart if its queue is durable.
    pub fn is_persistent(&self) -> bool {
        self.delivery_mode == Some(2)
    }

    pub fn header(&self, key: &str) -> Option<&FieldValue> {
        self.headers.as_ref().and_then(|h| h.get(key))
    }

    /// The properties that are AMQP short strings (at most 255 bytes on
    /// the wire), by name.
    pub fn short_strings(&self) -> [(&'static str, Option<&str>); 10] {
        [
            ("content_type", self.content_type.as_deref()),
            ("content_encoding", self.content_encoding.as_deref()),
            ("correlation_id", self.correlation_id.as_deref()),
            ("reply_to", self.reply_to.as_deref()),
            ("expiration", self.expiration.as_deref()),
            ("message_id", self.message_id.as_deref()),
            ("type", self.kind.as_deref()),
            ("user_id", self.user_id.as_deref()),
            ("app_id", self.app_id.as_deref()),
            ("cluster_id", self.cluster_id.as_deref()),
        ]
    }

    /// True when no property is set (the harness then omits `properties`).
    pub fn is_empty(&self) -> bool {
        *self == Properties::default()
    }
}

/// Where a message was published and how: the part of a message that
/// successive publishes usually share, so it is stored once for all of them
/// (see `Broker::envelope`).
#[derive(Debug, PartialEq)]
pub struct Envelope {
    /// The exchange the message was (last) published to: the publisher's, or
    /// the dead-letter exchange for a dead-lettered copy.
    pub exchange: Rc<str>,
    /// The routing key consumers see.
    pub routing_key: Rc<str>,
    /// Extra routing keys from the `CC` header (`BCC` ones are not kept):
    /// they take part in dead-letter routing and in `x-death`.
    pub cc: Vec<Rc<str>>,
    pub properties: Properties,
}

/// The fixed part of a message, stored in front of its body.
#[derive(Debug, PartialEq)]
pub struct MessageHead {
    pub id: MessageId,
    pub envelope: Rc<Envelope>,
}

/// One message, as queues, channels and events hold it: a thin pointer to a
/// single allocation of reference count, id, envelope pointer, body length
/// and the body bytes (32 bytes plus the body). Cloning it only counts a
/// reference, so a fanout to ten queues stores the message once.
///
/// One allocation instead of `Rc<Message>` plus `Rc<[u8]>` is what keeps a
/// queued message small (see the memory row of `./dev.sh bench`); the price
/// is that a dead-lettered copy, which needs its own envelope, copies the
/// body rather than sharing it.
#[derive(Clone, PartialEq)]
pub struct MessageRef(ThinArc<MessageHead, u8>);

impl MessageRef {
    /// The same message with one more header (what a queue type adds on
    /// delivery: `x-delivery-count`, `x-stream-offset`); the stored message
    /// is unchanged.
    pub fn with_header(&self, name: &str, value: crate::engine::value::FieldValue) -> MessageRef {
        let mut properties = self.properties.clone();
        properties
            .headers
            .get_or_insert_with(Default::default)
            .insert(name.into(), value);
        MessageRef::new(
            self.id(),
            self.exchange.clone(),
            self.routing_key.clone(),
            self.cc.clone(),
            properties,
            self.body(),
        )
    }

    /// A message with an envelope of its own.
    pub fn new(
        id: MessageId,
        exchange: Rc<str>,
        routing_key: Rc<str>,
        cc: Vec<Rc<str>>,
        properties: Properties,
        body: &[u8],
    ) -> MessageRef {
        let envelope = Rc::new(Envelope {
            exchange,
            routing_key,
            cc,
            properties,
        });
        MessageRef::with_envelope(id, envelope, body)
    }

    /// A message sharing an envelope with earlier ones.
    pub fn with_envelope(id: MessageId, envelope: Rc<Envelope>, body: &[u8]) -> MessageRef {
        MessageRef(ThinArc::from_header_and_slice(
            MessageHead { id, envelope },
            body,
        ))
    }

    pub fn id(&self) -> MessageId {
        self.0.header.header.id
    }

    pub fn envelope(&self) -> &Rc<Envelope> {
        &self.0.header.header.envelope
    }

    pub fn body(&self) -> &[u8] {
        &self.0.slice
    }

    pub fn is_persistent(&self) -> bool {
        self.properties.is_persistent()
    }

    /// The body as text (lossy: invalid UTF-8 becomes U+FFFD).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(self.body()).into_owned()
    }

    pub fn body_len(&self) -> u64 {
        self.body().len() as u64
    }

    /// The body cut to `max` characters, for event logs and the UI.
    pub fn preview(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(self.body());
        if text.chars().count() <= max {
            text.into_owned()
        } else {
            let mut cut: String = text.chars().take(max).collect();
            cut.push('…');
            cut
        }
    }
}

/// `message.exchange`, `message.routing_key`, … read through to the envelope.
impl std::ops::Deref for MessageRef {
    type Target = Envelope;

    fn deref(&self) -> &Envelope {
        self.envelope()
    }
}

impl std::fmt::Debug for MessageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id())
            .field("envelope", self.envelope())
            .field("body", &self.preview(40))
            .finish()
    }
}

/// Events and snapshots show a message by id, route and a short body preview.
impl Serialize for MessageRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Message", 5)?;
        st.serialize_field("id", &self.id().0)?;
        st.serialize_field("exchange", &*self.exchange)?;
        st.serialize_field("routing_key", &*self.routing_key)?;
        st.serialize_field("body", &self.preview(200))?;
        st.serialize_field("properties", &self.properties)?;
        st.end()
    }
}

/// Parses an `expiration` property like RabbitMQ's `rabbit_basic:parse_expiration`:
/// a decimal string of milliseconds, 0..=2^32-1. The error is the Erlang term
/// RabbitMQ prints (`no_integer`, `{value_negative,-5}`, ...).
pub fn parse_expiration(text: &str) -> Result<u64, String> {
    // string:to_integer: optional sign, then digits; the rest is "leftover".
    let bytes = text.as_bytes();
    let mut end = 0;
    if end < bytes.len() && (bytes[end] == b'-' || bytes[end] == b'+') {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end == digits_start {
        return Err("no_integer".to_string());
    }
    let rest = &text[end..];
    if !rest.is_empty() {
        return Err(format!("{{leftover_string,\"{rest}\"}}"));
    }
    let number = &text[..end];
    let negative = number.starts_with('-');
    let magnitude = number.trim_start_matches(['-', '+']);
    match magnitude.parse::<u64>() {
        Ok(0) => Ok(0),
        Ok(v) if negative => Err(format!("{{value_negative,-{v}}}")),
        Ok(v) if v > crate::engine::limits::TTL_MS_MAX => Err(format!("{{value_too_big,{v}}}")),
        Ok(v) => Ok(v),
        Err(_) if negative => Err(format!("{{value_negative,{number}}}")),
        Err(_) => Err(format!("{{value_too_big,{magnitude}}}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiration_parses_like_rabbitmq() {
        assert_eq!(parse_expiration("60000"), Ok(60000));
        assert_eq!(parse_expiration("0"), Ok(0));
        assert_eq!(parse_expiration("abc"), Err("no_integer".into()));
        assert_eq!(parse_expiration(""), Err("no_integer".into()));
        assert_eq!(
            parse_expiration("10x"),
            Err("{leftover_string,\"x\"}".into())
        );
        assert_eq!(parse_expiration("-5"), Err("{value_negative,-5}".into()));
        assert_eq!(parse_expiration("4294967295"), Ok(4_294_967_295));
        assert_eq!(
            parse_expiration("4294967296"),
            Err("{value_too_big,4294967296}".into())
        );
    }
}
