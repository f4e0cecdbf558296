//! Protocol errors, and what RabbitMQ 3.10 does about each.
//!
//! A broken frame or method is never a panic: it is a [`WireError`] that
//! says precisely what went wrong, and [`WireError::reaction`] says what
//! the connection must do about it, with RabbitMQ's exact words:
//!
//! - most errors close the connection: a `connection.close` on channel 0
//!   with a reply code (501 `FRAME_ERROR`, 503 `COMMAND_INVALID`, 505
//!   `UNEXPECTED_FRAME`, 541 `INTERNAL_ERROR`, ...), RabbitMQ's reply text
//!   and the class and method that caused it. The server then waits for
//!   the client's `close-ok` (at most 30 s) and resets the socket. Two of
//!   them are *fatal* (a frame too large, a bad frame-end octet): the
//!   server has lost track of where frames begin, so it resets the socket
//!   3 s after its close whether or not `close-ok` comes;
//! - a few make RabbitMQ's reader process crash (an unknown method id, an
//!   unknown field type in method arguments): the socket is reset at once
//!   and nothing is sent.
//!
//! Before the handshake has reached `connection.open` (states *starting*
//! and *tuning*), RabbitMQ sends nothing for any error and resets the
//! socket 3 s later; applying that is the connection's job, since it knows
//! the state.
//!
//! The texts come from the recordings in `research/wire` (SUMMARY §6) and
//! from `rabbit_reader`, `rabbit_command_assembler`, `rabbit_misc` and
//! `rabbit_binary_parser`. The connection's own errors about the order of
//! frames (a content header without a publish, ...) are here too, as
//! constructors, so every protocol text lives in one place.

use crate::engine::error::{AmqpError, ReplyCode};
use crate::engine::method::{Close, MethodId};
use crate::wire::erlang_format::{pretty_binary, write_binary};
use crate::wire::field_table::{TableError, NESTING_DEPTH_MAX};
use crate::wire::properties::PropertiesError;
use std::fmt;

/// What the connection does about an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Send `close` as connection.close on channel 0. When `fatal`, reset
    /// the socket 3 s later whether or not close-ok arrives; otherwise
    /// wait for close-ok (30 s at most), then reset.
    CloseConnection { close: Close, fatal: bool },
    /// Reset the socket now and send nothing.
    Reset,
}

/// At most the first 16 bytes of a frame's payload, as RabbitMQ quotes
/// them in frame errors (`all octets = <<...>>` or `first 16 octets = ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadHead {
    bytes: Vec<u8>,
    whole: bool,
}

impl PayloadHead {
    /// The first 16 bytes of `payload` (all of it when it is shorter).
    pub fn of(payload: &[u8]) -> PayloadHead {
        let whole = payload.len() <= 16;
        let bytes = payload.get(..16).unwrap_or(payload).to_vec();
        PayloadHead { bytes, whole }
    }

    /// No payload (RabbitMQ quotes `<<>>` for a frame too large, whose
    /// payload it never read).
    pub fn none() -> PayloadHead {
        PayloadHead::of(&[])
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `all octets = <<"hello">>` or `first 16 octets = <<...>>`.
    fn describe(&self) -> String {
        let which = if self.whole { "all" } else { "first 16" };
        format!("{which} octets = {}", pretty_binary(&self.bytes))
    }
}

/// What Warren cannot hold although RabbitMQ accepts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarrenLimit {
    /// Bytes that are not UTF-8 where the engine holds a `String` (a name,
    /// a routing key, a table key, a property).
    NotUtf8 { field: &'static str },
    /// Tables nested deeper than [`NESTING_DEPTH_MAX`].
    NestedTooDeep,
}

impl fmt::Display for WarrenLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarrenLimit::NotUtf8 { field } => {
                write!(f, "Warren cannot hold non-UTF-8 bytes in {field}")
            }
            WarrenLimit::NestedTooDeep => write!(
                f,
                "Warren cannot hold field tables nested deeper than {NESTING_DEPTH_MAX} levels"
            ),
        }
    }
}

impl WarrenLimit {
    /// The limit a table error hit, if it is one of Warren's.
    pub fn of_table(error: TableError) -> Option<WarrenLimit> {
        match error {
            TableError::NotUtf8 { what } => Some(WarrenLimit::NotUtf8 { field: what }),
            TableError::NestedTooDeep => Some(WarrenLimit::NestedTooDeep),
            _ => None,
        }
    }
}

/// How many bytes of a method's arguments a "cannot decode" error keeps:
/// RabbitMQ cuts its reply text at 255 bytes, and every byte prints as at
/// least two characters (`0,`), so more would never show.
pub const QUOTED_ARGUMENTS_MAX: usize = 128;

/// A protocol error: what went wrong, precisely.
#[derive(Clone, Debug, PartialEq)]
pub enum WireError {
    /// A frame's size is over the negotiated `frame_max` (checked as soon
    /// as the 7-byte frame header is in). Fatal.
    FrameTooLarge {
        frame_type: u8,
        payload_size: u32,
        frame_max: u32,
    },
    /// The octet after a frame's payload is not 0xCE. Fatal.
    BadFrameEnd {
        frame_type: u8,
        marker: u8,
        payload: PayloadHead,
    },
    /// A frame RabbitMQ cannot make sense of: an unknown type, a method
    /// payload under 4 bytes, a header payload under 12, a heartbeat with
    /// a payload.
    UnknownFrame {
        frame_type: u8,
        payload: PayloadHead,
    },
    /// A frame in the wrong place: a heartbeat on a channel other than 0,
    /// a content header or body on channel 0 (and, before the connection
    /// is open, any frame on a channel other than 0).
    UnexpectedFrame {
        frame_type: u8,
        payload: PayloadHead,
    },
    /// A class and method id RabbitMQ does not know: its reader crashes,
    /// the socket is reset with nothing sent.
    UnknownMethod { class_id: u16, method_id: u16 },
    /// A method's arguments do not have the method's layout (too short,
    /// a string or table running past the end, bytes left over).
    /// `arguments` holds their first [`QUOTED_ARGUMENTS_MAX`] bytes.
    CannotDecode {
        method: MethodId,
        arguments: Vec<u8>,
    },
    /// A short string argument that is not UTF-8, in a method without
    /// content (RabbitMQ checks only those). On channel 0 the close names
    /// the method; on other channels it does not (RabbitMQ raises it
    /// without one and only the connection process fills it in).
    ShortStrNotUtf8 { method: MethodId, channel: u16 },
    /// A field table in method arguments that RabbitMQ's parser crashes
    /// on: on channel 0 the connection process catches the crash (541),
    /// on other channels the socket is reset.
    MalformedTable {
        method: MethodId,
        channel: u16,
        problem: TableError,
    },
    /// A content header's properties that do not decode, found when the
    /// publish is handled: RabbitMQ's channel crashes (541).
    MalformedProperties(PropertiesError),
    /// Valid for RabbitMQ, but more than Warren can hold (540
    /// `NOT_IMPLEMENTED`, Warren's own text).
    NotSupported {
        method: Option<MethodId>,
        limit: WarrenLimit,
    },
    /// A method only a server sends, sent by a client (basic.get-empty,
    /// channel.open-ok, queue.declare-ok, ...): 503 `unimplemented method`.
    ServerOnlyMethod { method: MethodId },
    /// A content header or body where a method frame was expected.
    ExpectedMethodFrame,
    /// Something other than a content header after a content method.
    ExpectedContentHeader { method: MethodId },
    /// A content header of another class than its method's.
    WrongContentClass {
        method: MethodId,
        header_class_id: u16,
    },
    /// Something other than a body frame before the body was complete.
    ExpectedContentBody { method: MethodId },
}

/// A connection.close with `code`, `NAME - explanation` cut to 255 bytes,
/// and the method that caused it.
fn close(code: ReplyCode, explanation: impl Into<String>, method: Option<MethodId>) -> Close {
    let error = AmqpError::new(code, explanation);
    Close {
        reply_code: code.code(),
        reply_text: error.reply_text(),
        class_id: method.map_or(0, |m| m.class_id),
        method_id: method.map_or(0, |m| m.method_id),
    }
}

/// RabbitMQ's reply for a crash that is not an AMQP error: the code's
/// name alone, no explanation, no method.
fn internal_error() -> Close {
    Close {
        reply_code: ReplyCode::InternalError.code(),
        reply_text: ReplyCode::InternalError.name().to_owned(),
        class_id: 0,
        method_id: 0,
    }
}

impl WireError {
    /// What the connection does about this error, as RabbitMQ does.
    pub fn reaction(&self) -> Reaction {
        let closing = |close: Close| Reaction::CloseConnection {
            close,
            fatal: false,
        };
        let fatal = |close: Close| Reaction::CloseConnection { close, fatal: true };
        match self {
            WireError::FrameTooLarge {
                frame_type,
                payload_size,
                frame_max,
            } => {
                // RabbitMQ quotes the largest payload it would take from
                // itself (frame_max - 8), not the one it accepts.
                let payload_max = i64::from(*frame_max) - i64::from(crate::wire::frame::FRAME_OVERHEAD);
                fatal(close(
                    ReplyCode::FrameError,
                    format!(
                        "type {frame_type}, {}: {{frame_too_large,{payload_size},{payload_max}}}",
                        PayloadHead::none().describe()
                    ),
                    None,
                ))
            }
            WireError::BadFrameEnd {
                frame_type,
                marker,
                payload,
            } => fatal(close(
                ReplyCode::FrameError,
                format!(
                    "type {frame_type}, {}: {{invalid_frame_end_marker,{marker}}}",
                    payload.describe()
                ),
                None,
            )),
            WireError::UnknownFrame {
                frame_type,
                payload,
            } => closing(close(
                ReplyCode::FrameError,
                format!("type {frame_type}, {}: unknown_frame", payload.describe()),
                None,
            )),
            WireError::UnexpectedFrame {
                frame_type,
                payload,
            } => closing(close(
                ReplyCode::UnexpectedFrame,
                format!("type {frame_type}, {}", payload.describe()),
                None,
            )),
            WireError::UnknownMethod { .. } => Reaction::Reset,
            WireError::CannotDecode { method, arguments } => closing(close(
                ReplyCode::FrameError,
                format!("cannot decode {}", write_binary(arguments)),
                Some(*method),
            )),
            WireError::ShortStrNotUtf8 { method, channel } => closing(close(
                ReplyCode::FrameError,
                "Malformed UTF-8 in shortstr",
                (*channel == 0).then_some(*method),
            )),
            WireError::MalformedTable { channel: 0, .. } => closing(internal_error()),
            WireError::MalformedTable { .. } => Reaction::Reset,
            WireError::MalformedProperties(_) => closing(internal_error()),
            WireError::NotSupported { method, limit } => {
                closing(close(ReplyCode::NotImplemented, limit.to_string(), *method))
            }
            WireError::ServerOnlyMethod { method } => closing(close(
                ReplyCode::CommandInvalid,
                "unimplemented method",
                Some(*method),
            )),
            WireError::ExpectedMethodFrame => closing(close(
                ReplyCode::UnexpectedFrame,
                "expected method frame, got non method frame instead",
                None,
            )),
            WireError::ExpectedContentHeader { method } => closing(close(
                ReplyCode::UnexpectedFrame,
                format!(
                    "expected content header for class {}, got non content header frame instead",
                    method.class_id
                ),
                Some(*method),
            )),
            WireError::WrongContentClass {
                method,
                header_class_id,
            } => closing(close(
                ReplyCode::UnexpectedFrame,
                format!(
                    "expected content header for class {}, got one for class {header_class_id} instead",
                    method.class_id
                ),
                Some(*method),
            )),
            WireError::ExpectedContentBody { method } => closing(close(
                ReplyCode::UnexpectedFrame,
                "expected content body, got non content body frame instead",
                Some(*method),
            )),
        }
    }

    /// The connection.close this error sends, if it sends one.
    pub fn close(&self) -> Option<Close> {
        match self.reaction() {
            Reaction::CloseConnection { close, .. } => Some(close),
            Reaction::Reset => None,
        }
    }

    /// Whether the socket is reset with no close frame.
    pub fn resets(&self) -> bool {
        self.reaction() == Reaction::Reset
    }

    /// A frame in the wrong place (see [`WireError::UnexpectedFrame`]).
    pub fn unexpected_frame(frame_type: u8, payload: &[u8]) -> WireError {
        WireError::UnexpectedFrame {
            frame_type,
            payload: PayloadHead::of(payload),
        }
    }

    /// The error for `properties` that failed to decode at publish.
    pub fn properties(error: PropertiesError) -> WireError {
        let limit = match error {
            PropertiesError::NotUtf8 { property } => Some(WarrenLimit::NotUtf8 { field: property }),
            PropertiesError::Headers(table) => WarrenLimit::of_table(table),
            _ => None,
        };
        match limit {
            // Attributed to basic.publish, the only method with content a
            // client sends.
            Some(limit) => WireError::NotSupported {
                method: Some(MethodId::BASIC_PUBLISH),
                limit,
            },
            None => WireError::MalformedProperties(error),
        }
    }
}

impl From<PropertiesError> for WireError {
    fn from(error: PropertiesError) -> WireError {
        WireError::properties(error)
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reaction() {
            Reaction::CloseConnection { close, fatal } => write!(
                f,
                "connection.close {} {} ({},{}){}",
                close.reply_code,
                close.reply_text,
                close.class_id,
                close.method_id,
                if fatal { ", fatal" } else { "" }
            ),
            Reaction::Reset => match self {
                WireError::UnknownMethod {
                    class_id,
                    method_id,
                } => write!(f, "socket reset: unknown method {class_id}/{method_id}"),
                WireError::MalformedTable {
                    method, problem, ..
                } => {
                    write!(
                        f,
                        "socket reset: malformed table in {}: {problem:?}",
                        method.name
                    )
                }
                other => write!(f, "socket reset: {other:?}"),
            },
        }
    }
}

impl std::error::Error for WireError {}

/// Why something could not be encoded. Encoding never truncates: a value
/// that does not fit its wire type is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A short string over 255 bytes.
    ShortStrTooLong { field: &'static str, length: usize },
    /// A long string, table or frame payload over 4 GiB.
    TooLong { field: &'static str, length: usize },
    /// Tables nested deeper than [`NESTING_DEPTH_MAX`].
    NestedTooDeep,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::ShortStrTooLong { field, length } => {
                write!(
                    f,
                    "{field} is {length} bytes; a short string holds at most 255"
                )
            }
            EncodeError::TooLong { field, length } => {
                write!(
                    f,
                    "{field} is {length} bytes; the wire holds at most 4294967295"
                )
            }
            EncodeError::NestedTooDeep => {
                write!(
                    f,
                    "field tables nest deeper than {NESTING_DEPTH_MAX} levels"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(error: WireError) -> (u16, String, u16, u16, bool) {
        match error.reaction() {
            Reaction::CloseConnection { close, fatal } => (
                close.reply_code,
                close.reply_text,
                close.class_id,
                close.method_id,
                fatal,
            ),
            Reaction::Reset => panic!("{error:?} resets"),
        }
    }

    #[test]
    fn frame_error_texts_match_rabbitmq() {
        assert_eq!(
            text(WireError::BadFrameEnd {
                frame_type: 1,
                marker: 0,
                payload: PayloadHead::of(&[0, 60, 0, 10, 0, 0, 0, 0, 0, 1, 0]),
            }),
            (
                501,
                "FRAME_ERROR - type 1, all octets = <<0,60,0,10,0,0,0,0,0,1,0>>: {invalid_frame_end_marker,0}".into(),
                0,
                0,
                true
            )
        );
        assert_eq!(
            text(WireError::FrameTooLarge {
                frame_type: 1,
                payload_size: 140_021,
                frame_max: 131_072
            })
            .1,
            "FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,140021,131064}"
        );
        assert_eq!(
            text(WireError::unexpected_frame(8, &[])),
            (
                505,
                "UNEXPECTED_FRAME - type 8, all octets = <<>>".into(),
                0,
                0,
                false
            )
        );
        let long = PayloadHead::of(&[7; 40]);
        assert_eq!(
            text(WireError::UnknownFrame { frame_type: 9, payload: long }).1,
            "FRAME_ERROR - type 9, first 16 octets = <<7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7>>: unknown_frame"
        );
    }

    #[test]
    fn long_texts_are_cut_like_rabbitmq() {
        let (_, reply_text, class_id, method_id, _) = text(WireError::CannotDecode {
            method: MethodId::QUEUE_DECLARE,
            arguments: vec![100; QUOTED_ARGUMENTS_MAX],
        });
        assert_eq!(reply_text.len(), 255);
        assert!(reply_text.ends_with("..."));
        assert_eq!((class_id, method_id), (50, 10));
    }
}
