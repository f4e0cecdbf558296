//! Errors, as RabbitMQ reports them.
//!
//! AMQP 0-9-1 has two kinds of errors. A *soft* error (403, 404, 405, 406, …)
//! closes the channel the offending method came on; a *hard* error (503, 530,
//! 540, …) closes the whole connection and every channel on it. RabbitMQ's
//! reply text is the code's name, a dash, and an explanation:
//! `NOT_FOUND - no queue 'nope' in vhost '/'`. Warren reproduces those texts
//! exactly, because learners compare them with what their real broker said.
//!
//! Besides broker errors there are *client-side* refusals: a method on a
//! channel that is already closed never reaches the broker (pika raises
//! "channel is closed"), and neither does a frame that cannot be encoded (a
//! short string over 255 bytes). Those are [`CommandError::ChannelClosed`],
//! [`CommandError::ConnectionClosed`] and [`CommandError::Invalid`], and they
//! change nothing.

use serde::{Deserialize, Serialize};
use std::fmt;

/// AMQP 0-9-1 reply codes (RabbitMQ's `rabbit_framing_amqp_0_9_1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ReplyCode {
    ContentTooLarge,
    NoRoute,
    NoConsumers,
    ConnectionForced,
    InvalidPath,
    AccessRefused,
    NotFound,
    ResourceLocked,
    PreconditionFailed,
    FrameError,
    SyntaxError,
    CommandInvalid,
    ChannelError,
    UnexpectedFrame,
    ResourceError,
    NotAllowed,
    NotImplemented,
    InternalError,
}

impl ReplyCode {
    /// Every reply code.
    pub const ALL: [ReplyCode; 18] = [
        ReplyCode::ContentTooLarge,
        ReplyCode::NoRoute,
        ReplyCode::NoConsumers,
        ReplyCode::ConnectionForced,
        ReplyCode::InvalidPath,
        ReplyCode::AccessRefused,
        ReplyCode::NotFound,
        ReplyCode::ResourceLocked,
        ReplyCode::PreconditionFailed,
        ReplyCode::FrameError,
        ReplyCode::SyntaxError,
        ReplyCode::CommandInvalid,
        ReplyCode::ChannelError,
        ReplyCode::UnexpectedFrame,
        ReplyCode::ResourceError,
        ReplyCode::NotAllowed,
        ReplyCode::NotImplemented,
        ReplyCode::InternalError,
    ];

    /// The reply code with this number, if AMQP defines one.
    pub fn from_code(code: u16) -> Option<ReplyCode> {
        ReplyCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The numeric code on the wire.
    pub fn code(self) -> u16 {
        match self {
            ReplyCode::ContentTooLarge => 311,
            ReplyCode::NoRoute => 312,
            ReplyCode::NoConsumers => 313,
            ReplyCode::ConnectionForced => 320,
            ReplyCode::InvalidPath => 402,
            ReplyCode::AccessRefused => 403,
            ReplyCode::NotFound => 404,
            ReplyCode::ResourceLocked => 405,
            ReplyCode::PreconditionFailed => 406,
            ReplyCode::FrameError => 501,
            ReplyCode::SyntaxError => 502,
            ReplyCode::CommandInvalid => 503,
            ReplyCode::ChannelError => 504,
            ReplyCode::UnexpectedFrame => 505,
            ReplyCode::ResourceError => 506,
            ReplyCode::NotAllowed => 530,
            ReplyCode::NotImplemented => 540,
            ReplyCode::InternalError => 541,
        }
    }

    /// The name RabbitMQ puts in front of the reply text.
    pub fn name(self) -> &'static str {
        match self {
            ReplyCode::ContentTooLarge => "CONTENT_TOO_LARGE",
            ReplyCode::NoRoute => "NO_ROUTE",
            ReplyCode::NoConsumers => "NO_CONSUMERS",
            ReplyCode::ConnectionForced => "CONNECTION_FORCED",
            ReplyCode::InvalidPath => "INVALID_PATH",
            ReplyCode::AccessRefused => "ACCESS_REFUSED",
            ReplyCode::NotFound => "NOT_FOUND",
            ReplyCode::ResourceLocked => "RESOURCE_LOCKED",
            ReplyCode::PreconditionFailed => "PRECONDITION_FAILED",
            ReplyCode::FrameError => "FRAME_ERROR",
            ReplyCode::SyntaxError => "SYNTAX_ERROR",
            ReplyCode::CommandInvalid => "COMMAND_INVALID",
            ReplyCode::ChannelError => "CHANNEL_ERROR",
            ReplyCode::UnexpectedFrame => "UNEXPECTED_FRAME",
            ReplyCode::ResourceError => "RESOURCE_ERROR",
            ReplyCode::NotAllowed => "NOT_ALLOWED",
            ReplyCode::NotImplemented => "NOT_IMPLEMENTED",
            ReplyCode::InternalError => "INTERNAL_ERROR",
        }
    }

    /// Hard errors close the connection; soft ones only the channel.
    pub fn is_hard(self) -> bool {
        self.code() >= 500 || matches!(self, ReplyCode::ConnectionForced | ReplyCode::InvalidPath)
    }

    /// Where an error with this code takes effect.
    pub fn scope(self) -> ErrorScope {
        if self.is_hard() {
            ErrorScope::Connection
        } else {
            ErrorScope::Channel
        }
    }
}

/// What an error closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorScope {
    Channel,
    Connection,
}

/// An error the broker raised: it closed a channel or a connection with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmqpError {
    pub code: ReplyCode,
    /// The explanation after the code's name, e.g. `no queue 'q' in vhost '/'`.
    pub explanation: String,
    /// The method that failed (the close frame's class and method id); set
    /// by the broker when it closes the channel or connection.
    #[serde(skip)]
    pub method: Option<crate::engine::method::MethodId>,
}

impl AmqpError {
    pub fn new(code: ReplyCode, explanation: impl Into<String>) -> AmqpError {
        AmqpError {
            code,
            explanation: explanation.into(),
            method: None,
        }
    }

    /// RabbitMQ's reply text: `NOT_FOUND - no queue 'q' in vhost '/'`, or
    /// the code's name alone without an explanation (a crash:
    /// `INTERNAL_ERROR`). Like RabbitMQ, a text over 255 bytes (a short
    /// string on the wire) is cut to its first 252 bytes and `...`.
    pub fn reply_text(&self) -> String {
        if self.explanation.is_empty() {
            return self.code.name().to_string();
        }
        let text = format!("{} - {}", self.code.name(), self.explanation);
        if text.len() <= crate::engine::limits::SHORTSTR_BYTES_MAX {
            return text;
        }
        let mut cut = 252;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &text[..cut])
    }

    pub fn scope(&self) -> ErrorScope {
        self.code.scope()
    }

    pub fn not_found(explanation: impl Into<String>) -> AmqpError {
        AmqpError::new(ReplyCode::NotFound, explanation)
    }

    pub fn access_refused(explanation: impl Into<String>) -> AmqpError {
        AmqpError::new(ReplyCode::AccessRefused, explanation)
    }

    pub fn precondition_failed(explanation: impl Into<String>) -> AmqpError {
        AmqpError::new(ReplyCode::PreconditionFailed, explanation)
    }

    pub fn resource_locked(explanation: impl Into<String>) -> AmqpError {
        AmqpError::new(ReplyCode::ResourceLocked, explanation)
    }

    /// What a crashed RabbitMQ channel sends: 541 `INTERNAL_ERROR`, with
    /// no explanation and no method.
    pub fn crash() -> AmqpError {
        AmqpError::new(ReplyCode::InternalError, "")
    }

    pub fn is_crash(&self) -> bool {
        self.code == ReplyCode::InternalError && self.explanation.is_empty()
    }

    /// A message body over the broker's `max_message_size` (406).
    pub fn message_too_large(size: u64, max: u64) -> AmqpError {
        AmqpError::precondition_failed(format!(
            "message size {size} is larger than configured max size {max}"
        ))
    }
}

impl fmt::Display for AmqpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code.code(), self.reply_text())
    }
}

/// Why a command did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CommandError {
    /// The broker refused the command and closed the channel or connection.
    Amqp(AmqpError),
    /// The channel is closed: the client sends nothing (pika: "channel is closed").
    ChannelClosed,
    /// The connection is closed: the client sends nothing.
    ConnectionClosed,
    /// The client refuses to send the command (it cannot be encoded, or an id
    /// names nothing). Nothing changes.
    Invalid(String),
}

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> CommandError {
        CommandError::Invalid(message.into())
    }

    /// The AMQP error, if the broker raised one.
    pub fn amqp(&self) -> Option<&AmqpError> {
        match self {
            CommandError::Amqp(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AmqpError> for CommandError {
    fn from(e: AmqpError) -> CommandError {
        CommandError::Amqp(e)
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Amqp(e) => write!(f, "{e}"),
            CommandError::ChannelClosed => f.write_str("channel is closed"),
            CommandError::ConnectionClosed => f.write_str("connection is closed"),
            CommandError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CommandError {}
