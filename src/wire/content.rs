//! Content: the header frame and body frames that follow a
//! content-carrying method (basic.publish, basic.deliver, basic.get-ok,
//! basic.return).
//!
//! ```text
//! method frame   basic.publish(exchange, routing-key, ...)
//! header frame   class 60, weight 0, body size 10000, properties
//! body frame     4088 bytes  ┐
//! body frame     4088 bytes  ├ each at most frame_max - 8 bytes
//! body frame     1824 bytes  ┘ (an empty body has no body frame)
//! ```
//!
//! A content header's payload is the class id (short), the weight (short,
//! always 0), the body size (longlong) and the property list (see
//! `properties.rs`). The body frames' payloads, concatenated, are the
//! body. A frame costs 8 bytes besides its payload (type, channel, size,
//! frame-end), so with a negotiated `frame_max` a body frame carries at
//! most `frame_max - 8` bytes: RabbitMQ splits 10000 bytes at frame_max
//! 4096 into 4088 + 4088 + 1824, and a body of exactly 4096 bytes into
//! 4088 + 8.
//!
//! Checking the sequence (a header only after a content method, of the
//! same class, bodies adding up to the size) is the connection's job;
//! `WireError` has the texts RabbitMQ uses when it is broken.

use crate::wire::error::EncodeError;
use crate::wire::frame::FRAME_OVERHEAD;
use crate::wire::primitives::{Truncated, WireReader, WireWriter};
use crate::wire::properties::EncodedProperties;

/// The class of basic.publish and its content (the only class with
/// content in AMQP 0-9-1).
pub const BASIC_CLASS_ID: u16 = 60;

/// The fixed part of a content header's payload: class, weight, body size.
pub const CONTENT_HEADER_FIXED_SIZE: usize = 12;

/// A content header frame's payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentHeader {
    /// The class of the method the content belongs to (60 for basic).
    pub class_id: u16,
    /// Unused, always 0. Kept because RabbitMQ treats a header with
    /// another weight as "not a content header" (505).
    pub weight: u16,
    /// The total size of the body frames that follow.
    pub body_size: u64,
    /// The property list, as received (decoded on demand).
    pub properties: EncodedProperties,
}

impl ContentHeader {
    /// Reads a header payload; `None` when it is shorter than the 12
    /// fixed bytes (RabbitMQ: `unknown_frame`).
    pub fn parse(payload: &[u8]) -> Option<ContentHeader> {
        let mut reader = WireReader::new(payload);
        let fixed = |reader: &mut WireReader<'_>| -> Result<(u16, u16, u64), Truncated> {
            Ok((reader.short()?, reader.short()?, reader.longlong()?))
        };
        let (class_id, weight, body_size) = fixed(&mut reader).ok()?;
        Some(ContentHeader {
            class_id,
            weight,
            body_size,
            properties: EncodedProperties::from_bytes(reader.remaining().to_vec()),
        })
    }

    /// Appends the payload.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut writer = WireWriter::new(out);
        writer.short(self.class_id);
        writer.short(self.weight);
        writer.longlong(self.body_size);
        writer.bytes(self.properties.as_bytes());
    }
}

/// The largest body frame payload for a negotiated `frame_max`
/// (`frame_max - 8`; 0 means no limit). Never 0, so splitting always
/// advances even with a `frame_max` below the protocol's 4096 minimum.
pub fn body_frame_payload_max(frame_max: u32) -> usize {
    let max = match frame_max {
        0 => u32::MAX,
        limited => limited.saturating_sub(FRAME_OVERHEAD).max(1),
    };
    usize::try_from(max).unwrap_or(usize::MAX)
}

/// The payloads of the body frames that carry `body`: each at most
/// `frame_max - 8` bytes, none for an empty body.
pub fn body_frame_payloads(body: &[u8], frame_max: u32) -> std::slice::Chunks<'_, u8> {
    body.chunks(body_frame_payload_max(frame_max))
}

/// A body size as the header's `longlong`.
pub(crate) fn body_size(body: &[u8]) -> Result<u64, EncodeError> {
    u64::try_from(body.len()).map_err(|_| EncodeError::TooLong {
        field: "body",
        length: body.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(body_len: usize, frame_max: u32) -> Vec<usize> {
        body_frame_payloads(&vec![0; body_len], frame_max)
            .map(<[u8]>::len)
            .collect()
    }

    #[test]
    fn bodies_split_like_rabbitmq() {
        assert_eq!(sizes(10_000, 4096), [4088, 4088, 1824]);
        assert_eq!(sizes(300_000, 131_072), [131_064, 131_064, 37_872]);
        assert_eq!(sizes(4096, 4096), [4088, 8]);
        assert_eq!(sizes(0, 4096), Vec::<usize>::new());
        assert_eq!(sizes(5, 0), [5]);
        assert_eq!(sizes(3, 8), [1, 1, 1]);
    }

    #[test]
    fn a_header_needs_its_twelve_fixed_bytes() {
        assert_eq!(ContentHeader::parse(&[0, 60, 0, 0]), None);
        let header = ContentHeader::parse(&[0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]).unwrap();
        assert_eq!((header.class_id, header.body_size), (60, 5));
        assert!(header.properties.as_bytes().is_empty());
    }
}
