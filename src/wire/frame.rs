//! Frames: how AMQP cuts a connection's byte stream into pieces.
//!
//! Every frame is
//!
//! ```text
//! type (octet) | channel (short) | size (long) | payload (size bytes) | 0xCE
//! ```
//!
//! with four types: 1 a method, 2 a content header, 3 a content body, 8 a
//! heartbeat (channel 0, empty payload). The frame-end octet 0xCE lets a
//! peer notice it has lost track of the stream.
//!
//! Decoding happens in two steps, as in RabbitMQ:
//!
//! 1. [`FrameDecoder::next_raw`] finds the next frame in a buffer that
//!    grows as bytes arrive: it needs the 7-byte frame header, refuses a
//!    size over the negotiated `frame_max` at once (before the payload is
//!    in, so a peer cannot make it buffer more), waits for the payload,
//!    and checks the frame-end octet. Nothing is allocated or copied; the
//!    [`RawFrame`] borrows the buffer.
//! 2. [`RawFrame::parse`] turns it into a [`Frame`]: it checks the payload
//!    fits the type and decodes a method's arguments.
//!
//! [`FrameDecoder::next_frame`] does both. A connection that must follow
//! RabbitMQ in corner cases uses the steps apart: before `connection.open`
//! RabbitMQ refuses any frame on a channel other than 0 without looking at
//! it ([`WireError::unexpected_frame`]); and it drops frames on a channel
//! that is closing without decoding them.
//!
//! `frame_max` counts the payload: RabbitMQ accepts a payload of up to
//! `frame_max` bytes (8 more than the specification allows, since clients
//! often get it wrong), refuses `frame_max + 1`, and never sends more than
//! `frame_max - 8`. Before `connection.tune-ok` the limit is 4096.

use crate::engine::message::Properties;
use crate::engine::method::MethodId;
use crate::wire::content::{body_frame_payloads, body_size, ContentHeader, BASIC_CLASS_ID};
use crate::wire::error::{EncodeError, PayloadHead, WireError};
use crate::wire::method::{method_id, WireMethod};
use crate::wire::properties::EncodedProperties;

/// A method frame.
pub const FRAME_METHOD: u8 = 1;
/// A content header frame.
pub const FRAME_HEADER: u8 = 2;
/// A content body frame.
pub const FRAME_BODY: u8 = 3;
/// A heartbeat frame.
pub const FRAME_HEARTBEAT: u8 = 8;
/// The octet that ends every frame.
pub const FRAME_END: u8 = 0xce;
/// Type, channel and size: what must be in before a frame can be judged.
pub const FRAME_HEADER_SIZE: usize = 7;
/// What a frame costs besides its payload (header and frame-end).
pub const FRAME_OVERHEAD: u32 = 8;
/// The smallest `frame_max` a peer may negotiate, and RabbitMQ's limit
/// before `connection.tune-ok`.
pub const FRAME_MIN_SIZE: u32 = 4096;

/// A frame found in the byte stream, not interpreted yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFrame<'a> {
    pub frame_type: u8,
    pub channel: u16,
    pub payload: &'a [u8],
}

/// A decoded frame.
// A method frame is as large as its method (see `WireMethod`).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    Method {
        channel: u16,
        method: WireMethod,
    },
    Header {
        channel: u16,
        header: ContentHeader,
    },
    Body {
        channel: u16,
        payload: Vec<u8>,
    },
    /// Heartbeats travel on channel 0 only (one elsewhere is an error).
    Heartbeat,
}

impl Frame {
    /// The channel the frame travels on (0 for a heartbeat).
    pub fn channel(&self) -> u16 {
        match self {
            Frame::Method { channel, .. }
            | Frame::Header { channel, .. }
            | Frame::Body { channel, .. } => *channel,
            Frame::Heartbeat => 0,
        }
    }

    /// Appends the frame.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Frame::Method { channel, method } => encode_method_frame(out, *channel, method),
            Frame::Header { channel, header } => encode_frame(out, FRAME_HEADER, *channel, |out| {
                header.encode(out);
                Ok(())
            }),
            Frame::Body { channel, payload } => encode_frame(out, FRAME_BODY, *channel, |out| {
                out.extend_from_slice(payload);
                Ok(())
            }),
            Frame::Heartbeat => {
                encode_heartbeat(out);
                Ok(())
            }
        }
    }
}

/// Finds frames in a growing buffer, with the negotiated `frame_max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameDecoder {
    frame_max: u32,
}

impl Default for FrameDecoder {
    fn default() -> FrameDecoder {
        FrameDecoder::new()
    }
}

impl FrameDecoder {
    /// A decoder with RabbitMQ's limit before tuning (4096).
    pub fn new() -> FrameDecoder {
        FrameDecoder {
            frame_max: FRAME_MIN_SIZE,
        }
    }

    /// A decoder that accepts payloads of up to `frame_max` bytes (0: no
    /// limit).
    pub fn with_frame_max(frame_max: u32) -> FrameDecoder {
        FrameDecoder { frame_max }
    }

    /// Applies the `frame_max` negotiated in `connection.tune-ok`.
    pub fn set_frame_max(&mut self, frame_max: u32) {
        self.frame_max = frame_max;
    }

    pub fn frame_max(&self) -> u32 {
        self.frame_max
    }

    /// The first frame in `buffer` and how many bytes it took, `None` when
    /// more bytes are needed, or the error that ends the connection.
    pub fn next_raw<'a>(
        &self,
        buffer: &'a [u8],
    ) -> Result<Option<(RawFrame<'a>, usize)>, WireError> {
        let Some(header) = buffer.get(..FRAME_HEADER_SIZE) else {
            return Ok(None);
        };
        let frame_type = header[0];
        let channel = u16::from_be_bytes([header[1], header[2]]);
        let payload_size = u32::from_be_bytes([header[3], header[4], header[5], header[6]]);
        if self.frame_max != 0 && payload_size > self.frame_max {
            return Err(WireError::FrameTooLarge {
                frame_type,
                payload_size,
                frame_max: self.frame_max,
            });
        }
        // Checked: with no frame_max a size near 4 GiB must not overflow a
        // 32-bit usize.
        let Some(frame_size) = usize::try_from(payload_size)
            .ok()
            .and_then(|size| size.checked_add(FRAME_HEADER_SIZE + 1))
        else {
            return Ok(None);
        };
        let Some(frame) = buffer.get(..frame_size) else {
            return Ok(None);
        };
        let payload = &frame[FRAME_HEADER_SIZE..frame_size - 1];
        let marker = frame[frame_size - 1];
        if marker != FRAME_END {
            return Err(WireError::BadFrameEnd {
                frame_type,
                marker,
                payload: PayloadHead::of(payload),
            });
        }
        Ok(Some((
            RawFrame {
                frame_type,
                channel,
                payload,
            },
            frame_size,
        )))
    }

    /// [`next_raw`](Self::next_raw), then [`RawFrame::parse`].
    pub fn next_frame(&self, buffer: &[u8]) -> Result<Option<(Frame, usize)>, WireError> {
        match self.next_raw(buffer)? {
            Some((raw, consumed)) => Ok(Some((raw.parse()?, consumed))),
            None => Ok(None),
        }
    }
}

impl RawFrame<'_> {
    /// Interprets the frame, as RabbitMQ's `analyze_frame` does, and
    /// decodes a method's arguments.
    pub fn parse(&self) -> Result<Frame, WireError> {
        let unknown = || WireError::UnknownFrame {
            frame_type: self.frame_type,
            payload: PayloadHead::of(self.payload),
        };
        let unexpected = || WireError::unexpected_frame(self.frame_type, self.payload);
        match self.frame_type {
            FRAME_METHOD => {
                let (id, arguments) = split_method_payload(self.payload)?;
                Ok(Frame::Method {
                    channel: self.channel,
                    method: WireMethod::decode(self.channel, id, arguments)?,
                })
            }
            FRAME_HEADER => {
                let header = ContentHeader::parse(self.payload).ok_or_else(unknown)?;
                if self.channel == 0 {
                    return Err(unexpected());
                }
                Ok(Frame::Header {
                    channel: self.channel,
                    header,
                })
            }
            FRAME_BODY if self.channel == 0 => Err(unexpected()),
            FRAME_BODY => Ok(Frame::Body {
                channel: self.channel,
                payload: self.payload.to_vec(),
            }),
            FRAME_HEARTBEAT if !self.payload.is_empty() => Err(unknown()),
            FRAME_HEARTBEAT if self.channel != 0 => Err(unexpected()),
            FRAME_HEARTBEAT => Ok(Frame::Heartbeat),
            _ => Err(unknown()),
        }
    }

    /// The frame as bytes (for tests and logs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload.len() + FRAME_HEADER_SIZE + 1);
        // A RawFrame came out of a buffer, so its payload fits a u32.
        let _ = encode_frame(&mut out, self.frame_type, self.channel, |out| {
            out.extend_from_slice(self.payload);
            Ok(())
        });
        out
    }
}

/// A method frame's payload split into its method and the arguments'
/// bytes: under 4 bytes is `unknown_frame`, an unknown id resets.
pub fn split_method_payload(payload: &[u8]) -> Result<(MethodId, &[u8]), WireError> {
    let (Some(ids), Some(arguments)) = (payload.get(..4), payload.get(4..)) else {
        return Err(WireError::UnknownFrame {
            frame_type: FRAME_METHOD,
            payload: PayloadHead::of(payload),
        });
    };
    let class_id = u16::from_be_bytes([ids[0], ids[1]]);
    let method = u16::from_be_bytes([ids[2], ids[3]]);
    let id = method_id(class_id, method).ok_or(WireError::UnknownMethod {
        class_id,
        method_id: method,
    })?;
    Ok((id, arguments))
}

/// Appends one frame whose payload `write_payload` writes.
fn encode_frame(
    out: &mut Vec<u8>,
    frame_type: u8,
    channel: u16,
    write_payload: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let start = out.len();
    out.push(frame_type);
    out.extend_from_slice(&channel.to_be_bytes());
    let size_at = out.len();
    out.extend_from_slice(&[0; 4]);
    if let Err(error) = write_payload(out) {
        // Leave the buffer as it was: no half frame.
        out.truncate(start);
        return Err(error);
    }
    let length = out.len() - size_at - 4;
    let Ok(size) = u32::try_from(length) else {
        out.truncate(start);
        return Err(EncodeError::TooLong {
            field: "frame payload",
            length,
        });
    };
    if let Some(slot) = out.get_mut(size_at..size_at + 4) {
        slot.copy_from_slice(&size.to_be_bytes());
    }
    out.push(FRAME_END);
    Ok(())
}

/// Appends a method frame. (A content method's content is not part of
/// it: see [`encode_content_frames`].)
pub fn encode_method_frame(
    out: &mut Vec<u8>,
    channel: u16,
    method: &WireMethod,
) -> Result<(), EncodeError> {
    encode_frame(out, FRAME_METHOD, channel, |out| method.encode(out))
}

/// Appends the content header and body frames of a message of class
/// basic: `properties`, then `body` cut into frames of at most
/// `frame_max - 8` bytes (none for an empty body).
pub fn encode_content_frames(
    out: &mut Vec<u8>,
    channel: u16,
    properties: &Properties,
    body: &[u8],
    frame_max: u32,
) -> Result<(), EncodeError> {
    let start = out.len();
    let header = ContentHeader {
        class_id: BASIC_CLASS_ID,
        weight: 0,
        body_size: body_size(body)?,
        properties: EncodedProperties::encode(properties)?,
    };
    let result = Frame::Header { channel, header }
        .encode(out)
        .and_then(|()| {
            body_frame_payloads(body, frame_max).try_for_each(|payload| {
                encode_frame(out, FRAME_BODY, channel, |out| {
                    out.extend_from_slice(payload);
                    Ok(())
                })
            })
        });
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Appends a heartbeat (`08 0000 00000000 ce`).
pub fn encode_heartbeat(out: &mut Vec<u8>) {
    out.extend_from_slice(&[FRAME_HEARTBEAT, 0, 0, 0, 0, 0, 0, FRAME_END]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_the_whole_frame() {
        let decoder = FrameDecoder::with_frame_max(131_072);
        let heartbeat = [8, 0, 0, 0, 0, 0, 0, 0xce];
        for cut in 0..heartbeat.len() {
            assert_eq!(decoder.next_raw(&heartbeat[..cut]), Ok(None));
        }
        let (frame, used) = decoder.next_frame(&heartbeat).unwrap().unwrap();
        assert_eq!((frame, used), (Frame::Heartbeat, 8));
    }

    #[test]
    fn frame_max_counts_the_payload() {
        let decoder = FrameDecoder::new();
        let mut at_limit = vec![3, 0, 1, 0, 0, 0x10, 0];
        at_limit.extend(std::iter::repeat_n(0, 4096));
        at_limit.push(0xce);
        assert!(decoder.next_raw(&at_limit).unwrap().is_some());
        // One byte more is refused from the 7-byte header alone.
        let over = [3, 0, 1, 0, 0, 0x10, 1];
        assert_eq!(
            decoder.next_raw(&over),
            Err(WireError::FrameTooLarge {
                frame_type: 3,
                payload_size: 4097,
                frame_max: 4096
            })
        );
        // No limit: a 4 GiB size just waits.
        let huge = [3, 0, 1, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(FrameDecoder::with_frame_max(0).next_raw(&huge), Ok(None));
    }
}
