//! The protocol header: the eight bytes a client sends first.
//!
//! An AMQP 0-9-1 client opens with `AMQP\0\0\x09\x01` ("AMQP", then
//! protocol id 0 and version 0-9-1); the server answers with
//! `connection.start`. RabbitMQ also accepts the old AMQP 0-9 header
//! `AMQP\x01\x01\x00\x09` and speaks 0-9-1 on it. To anything else it
//! answers with its own header, `AMQP\0\0\x09\x01`, and closes the
//! socket; it waits until eight bytes are in before it judges (a client
//! that sends "AMQP" and stops times out after 10 s).
//!
//! RabbitMQ speaks AMQP 0-8 on `AMQP\x01\x01\x08\x00` and
//! `AMQP\x01\x01\x09\x01`; Warren does not, and refuses those like any
//! other version (see [`Refusal::Amqp08`]).

/// The AMQP 0-9-1 protocol header.
pub const PROTOCOL_HEADER: [u8; 8] = *b"AMQP\x00\x00\x09\x01";

/// The AMQP 0-9 protocol header, which RabbitMQ treats as 0-9-1.
pub const PROTOCOL_HEADER_0_9: [u8; 8] = *b"AMQP\x01\x01\x00\x09";

/// What to do with the first bytes of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolHeaderCheck {
    /// Fewer than eight bytes: wait for more.
    NeedMore,
    /// Speak AMQP 0-9-1: consume the eight bytes and send
    /// connection.start (version 0-9 either way, as RabbitMQ does).
    Accept,
    /// Send [`PROTOCOL_HEADER`] and close the socket.
    Refuse(Refusal),
}

/// Why a protocol header was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The bytes do not start with `AMQP`.
    NotAmqp,
    /// AMQP 0-8, which RabbitMQ speaks and Warren does not.
    Amqp08,
    /// Another version (0-9-0, 0-8-0 with protocol id 0, 0-10, 1.0, ...).
    UnsupportedVersion([u8; 4]),
}

/// Judges the first bytes a client sent.
pub fn check_protocol_header(bytes: &[u8]) -> ProtocolHeaderCheck {
    let Some(header) = bytes.get(..8) else {
        return ProtocolHeaderCheck::NeedMore;
    };
    if header == PROTOCOL_HEADER || header == PROTOCOL_HEADER_0_9 {
        return ProtocolHeaderCheck::Accept;
    }
    let (magic, version) = header.split_at(4);
    if magic != b"AMQP" {
        return ProtocolHeaderCheck::Refuse(Refusal::NotAmqp);
    }
    let version = [version[0], version[1], version[2], version[3]];
    ProtocolHeaderCheck::Refuse(match version {
        [1, 1, 8, 0] | [1, 1, 9, 1] => Refusal::Amqp08,
        other => Refusal::UnsupportedVersion(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_judged_like_rabbitmq() {
        assert_eq!(
            check_protocol_header(b"AMQP"),
            ProtocolHeaderCheck::NeedMore
        );
        assert_eq!(
            check_protocol_header(b"AMQP\0\0\x09\x01"),
            ProtocolHeaderCheck::Accept
        );
        assert_eq!(
            check_protocol_header(b"AMQP\x01\x01\x00\x09more"),
            ProtocolHeaderCheck::Accept
        );
        assert_eq!(
            check_protocol_header(b"HTTP/1.1"),
            ProtocolHeaderCheck::Refuse(Refusal::NotAmqp)
        );
        assert_eq!(
            check_protocol_header(b"amqp\0\0\x09\x01"),
            ProtocolHeaderCheck::Refuse(Refusal::NotAmqp)
        );
        assert_eq!(
            check_protocol_header(b"AMQP\0\0\x09\x00"),
            ProtocolHeaderCheck::Refuse(Refusal::UnsupportedVersion([0, 0, 9, 0]))
        );
        assert_eq!(
            check_protocol_header(b"AMQP\x01\x01\x08\x00"),
            ProtocolHeaderCheck::Refuse(Refusal::Amqp08)
        );
    }
}
