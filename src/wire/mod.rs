//! The AMQP 0-9-1 wire codec: bytes to frames and methods, and back.
//!
//! Pure: no I/O, no clock, no threads. It compiles for wasm32 like the
//! engine, and a server, a client, a recorder or a test drives it by
//! handing it bytes and taking bytes back. Behaviour follows RabbitMQ
//! 3.10.8 as recorded in `research/wire` (SUMMARY.md), down to the reply
//! texts of its errors.
//!
//! # How AMQP 0-9-1 frames a conversation
//!
//! ```text
//! client                                            server
//!   "AMQP" 0 0 9 1   ─────────────────────────────▶            protocol header (8 bytes)
//!                    ◀─────────────────────────────  connection.start
//!   connection.start-ok (credentials) ────────────▶
//!                    ◀─────────────────────────────  connection.tune (channel_max, frame_max, heartbeat)
//!   connection.tune-ok, connection.open "/" ──────▶
//!                    ◀─────────────────────────────  connection.open-ok
//!   channel.open (channel 1) ─────────────────────▶
//!   basic.publish + content header + body frames ─▶
//!                    ◀─────────────────────────────  basic.deliver + content header + body frames
//! ```
//!
//! After the [protocol header](protocol_header), everything is a
//! [`frame`]: a type octet (1 method, 2 content header, 3 content
//! body, 8 heartbeat), a channel number (0 is the connection itself), the
//! payload's size (a `long`), the payload, and the frame-end octet 0xCE.
//! A [`method`] frame's payload is a class id, a method id and the
//! method's arguments, built from AMQP's [primitive types](primitives)
//! and [field tables](field_table). Four methods carry a message: after
//! basic.publish, basic.deliver, basic.get-ok and basic.return come a
//! [`content`] header frame (body size and the [fourteen
//! properties](properties)) and as many body frames as the body needs at
//! the negotiated `frame_max`.
//!
//! # What is where
//!
//! | file | concept |
//! |---|---|
//! | `protocol_header.rs` | the first 8 bytes: accept, or answer RabbitMQ's header and close |
//! | `frame.rs` | frames: the incremental [`FrameDecoder`], [`Frame`], encoding |
//! | `method.rs` | [`WireMethod`]: every method, both directions |
//! | `method_decode.rs`, `method_encode.rs` | a method's arguments from and to bytes |
//! | `content.rs` | the [`ContentHeader`] and cutting a body into frames |
//! | `properties.rs` | the basic properties and their flags |
//! | `field_table.rs` | tables, arrays and every field type |
//! | `primitives.rs` | octets, shorts, longs, bits and strings |
//! | `error.rs` | [`WireError`]: what went wrong and RabbitMQ's [`Reaction`] |
//! | `erlang_format.rs` | binaries printed the way RabbitMQ's error texts print them |
//! | `engine_bridge.rs` | client methods to the engine, replies and outbox to the wire |
//!
//! # Reading a connection
//!
//! ```
//! use warren::wire::{check_protocol_header, FrameDecoder, Frame, ProtocolHeaderCheck, WireMethod};
//!
//! let mut bytes = b"AMQP\x00\x00\x09\x01".to_vec();
//! // channel.open on channel 1
//! bytes.extend_from_slice(&[1, 0, 1, 0, 0, 0, 5, 0, 20, 0, 10, 0, 0xce]);
//!
//! assert_eq!(check_protocol_header(&bytes), ProtocolHeaderCheck::Accept);
//! let mut buffer = &bytes[8..];
//! let decoder = FrameDecoder::new(); // frame_max 4096 until tune-ok
//! while let Some((frame, used)) = decoder.next_frame(buffer).expect("a valid stream") {
//!     assert_eq!(frame, Frame::Method { channel: 1, method: WireMethod::ChannelOpen });
//!     buffer = &buffer[used..];
//! }
//! assert!(buffer.is_empty());
//! ```
//!
//! A decoding error is a [`WireError`]; its [`reaction`](WireError::reaction)
//! is what RabbitMQ does: a connection.close with its code and text, or a
//! reset with nothing sent.

pub mod content;
mod engine_bridge;
pub mod erlang_format;
pub mod error;
pub mod field_table;
pub mod frame;
pub mod method;
mod method_decode;
mod method_encode;
pub mod primitives;
pub mod properties;
pub mod protocol_header;
pub mod session;

pub use content::{body_frame_payload_max, body_frame_payloads, ContentHeader, BASIC_CLASS_ID};
pub use engine_bridge::{
    attach_content, encode_client_method, encode_outgoing, ClientMethod, MethodWithContent,
};
pub use error::{EncodeError, PayloadHead, Reaction, WarrenLimit, WireError};
pub use field_table::{
    decode_array, decode_table, encode_array, encode_table, TableError, NESTING_DEPTH_MAX,
};
pub use frame::{
    encode_content_frames, encode_heartbeat, encode_method_frame, split_method_payload, Frame,
    FrameDecoder, RawFrame, FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD,
    FRAME_MIN_SIZE, FRAME_OVERHEAD,
};
pub use method::{
    has_content, method_id, AccessRequest, BasicDeliver, BasicGetOk, BasicReturn, ConnectionStart,
    ConnectionStartOk, Tune, UpdateSecret, WireMethod,
};
pub use properties::{decode_properties, encode_properties, EncodedProperties, PropertiesError};
pub use protocol_header::{
    check_protocol_header, ProtocolHeaderCheck, Refusal, PROTOCOL_HEADER, PROTOCOL_HEADER_0_9,
};
