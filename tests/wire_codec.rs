#![cfg(not(target_arch = "wasm32"))]
//! The wire codec (`src/wire`) against RabbitMQ 3.10.8's own bytes.
//!
//! `tests/wire/recordings/` holds byte streams recorded between real
//! clients (pika 1.4.4, and raw-socket probes) and RabbitMQ 3.10.8
//! (copied from `research/wire/recordings`, keeping only the streams and
//! the server's frame summary). The tests decode every frame of both
//! directions and re-encode it: a server frame must come out byte for
//! byte as RabbitMQ wrote it, except where the engine's sorted tables
//! reorder keys (documented in `field_table.rs`). For the error probes,
//! the codec reads the client's bytes the way a server would, and the
//! error it finds must produce exactly the connection.close RabbitMQ sent
//! (code, text, class and method), or a reset where RabbitMQ reset.
//!
//! Then property tests: every method, properties and field tables with
//! every type survive encode → decode, and a stream cut anywhere decodes
//! the same.

#[path = "support/recordings.rs"]
mod recordings;
#[path = "wire/strategies.rs"]
mod strategies;

use proptest::collection::vec;
use proptest::prelude::*;
use recordings::hex;
use std::collections::BTreeSet;
use std::path::Path;
use strategies::{field_table, properties, wire_method};
use warren::engine::message::Properties;
use warren::engine::method::{
    BasicConsume, BasicNack, BasicPublish, Close, Method, MethodId, QueueDeclare, Reply,
};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, ServerMethod};
use warren::wire::{
    attach_content, check_protocol_header, decode_properties, encode_client_method,
    encode_content_frames, encode_outgoing, encode_properties, encode_table, BasicDeliver,
    ClientMethod, EncodedProperties, Frame, FrameDecoder, MethodWithContent, PayloadHead,
    ProtocolHeaderCheck, Reaction, Refusal, TableError, Tune, WarrenLimit, WireError, WireMethod,
    PROTOCOL_HEADER,
};

// ---------------------------------------------------------------------
// Recordings
// ---------------------------------------------------------------------

struct Recording {
    probe: String,
    client: Vec<u8>,
    server: Vec<u8>,
}

fn recording(probe: &str) -> Recording {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wire/recordings")
        .join(format!("{probe}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("recording JSON");
    Recording {
        probe: probe.to_owned(),
        client: hex(json["client_bytes_hex"].as_str().expect("client bytes")),
        server: hex(json["server_bytes_hex"].as_str().expect("server bytes")),
    }
}

fn all_recordings() -> Vec<Recording> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/recordings");
    let names = recordings::json_stems(&dir);
    assert!(names.len() >= 50, "the recordings are there");
    names.iter().map(|n| recording(n)).collect()
}

/// Every frame of a stream that is valid throughout, with its bytes
/// (no frame_max: both sides kept to theirs).
fn frames(probe: &str, stream: &[u8]) -> Vec<(Frame, Vec<u8>)> {
    recordings::split_frames(stream).unwrap_or_else(|e| panic!("{probe}: {e}"))
}

/// The client's frames, after its protocol header.
fn client_frames(r: &Recording) -> Vec<(Frame, Vec<u8>)> {
    assert_eq!(
        check_protocol_header(&r.client),
        ProtocolHeaderCheck::Accept,
        "{}",
        r.probe
    );
    frames(&r.probe, &r.client[8..])
}

/// A frame's name for reports: the method, or the frame type.
fn frame_name(frame: &Frame) -> String {
    match frame {
        Frame::Method { method, .. } => method.name().to_owned(),
        Frame::Header { .. } => "content header".into(),
        Frame::Body { .. } => "content body".into(),
        Frame::Heartbeat => "heartbeat".into(),
    }
}

/// Re-encodes every frame (and every property list) of a stream. Returns
/// the names of what did not come out byte-identical; for those, the
/// re-encoding has the same length and decodes to the same value (keys
/// reordered, `L` written `l`, a reserved bit dropped).
fn reencode(probe: &str, frames: &[(Frame, Vec<u8>)]) -> (usize, BTreeSet<String>) {
    let mut identical = 0;
    let mut differing = BTreeSet::new();
    let decoder = FrameDecoder::with_frame_max(0);
    for (frame, bytes) in frames {
        let mut out = Vec::new();
        frame
            .encode(&mut out)
            .unwrap_or_else(|e| panic!("{probe}: {e}"));
        if out == *bytes {
            identical += 1;
        } else {
            assert_eq!(out.len(), bytes.len(), "{probe}: {}", frame_name(frame));
            let (again, _) = decoder
                .next_frame(&out)
                .expect("re-encoded frame")
                .expect("whole");
            assert_eq!(again, *frame, "{probe}");
            differing.insert(frame_name(frame));
        }
        if let Frame::Header { header, .. } = frame {
            let properties = header
                .properties
                .decode()
                .unwrap_or_else(|e| panic!("{probe}: {e:?}"));
            let encoded = EncodedProperties::encode(&properties).expect("encodable");
            if encoded == header.properties {
                identical += 1;
            } else {
                assert_eq!(
                    encoded.as_bytes().len(),
                    header.properties.as_bytes().len(),
                    "{probe}"
                );
                assert_eq!(encoded.decode(), Ok(properties), "{probe}");
                differing.insert("properties".into());
            }
        }
    }
    (identical, differing)
}

/// The recordings whose client stream is valid from start to end.
const VALID_CLIENT_STREAMS: &[&str] = &[
    "hs_ok_full",
    "pika_basic",
    "pika_confirm_and_errors",
    "tbl_headers_roundtrip_paths",
    "pub_mandatory_unroutable",
    "pub_confirm_ack_frames",
    "dl_queue_deleted_cancel",
    "dl_split_frame_max_4096",
    "dl_empty_body_and_props_none",
    "conn_err_duplicate_consumer_tag",
    "chan_errors_ids",
    "tbl_qargs_L_uint64",
    "tbl_hdr_L_dead_lettered",
    "ph_old_09_full_handshake",
    "fr_empty_body_frame",
    "fr_heartbeat_during_content",
    "fr_interleaved_channels_content",
];

#[test]
fn every_server_frame_reencodes_as_rabbitmq_wrote_it() {
    let mut total = 0;
    for r in all_recordings() {
        if r.server.starts_with(b"AMQP") || r.server.is_empty() {
            continue; // a refused protocol header, or nothing at all
        }
        let frames = frames(&r.probe, &r.server);
        let (identical, differing) = reencode(&r.probe, &frames);
        total += identical;
        // RabbitMQ's connection.start lists its capabilities unsorted;
        // client headers come back in the client's order (unsorted) or
        // with an `L`.
        let allowed: BTreeSet<String> = ["connection.start", "properties"].map(String::from).into();
        assert!(differing.is_subset(&allowed), "{}: {differing:?}", r.probe);
    }
    assert!(total > 300, "{total} frames compared");
}

#[test]
fn every_client_frame_reencodes_as_the_client_wrote_it() {
    for probe in VALID_CLIENT_STREAMS {
        let r = recording(probe);
        let frames = client_frames(&r);
        let (_, differing) = reencode(probe, &frames);
        // start-ok: client properties unsorted; open: pika sets the
        // reserved `insist` bit; arguments and headers in the client's
        // order, or with an `L` (written back as `l`).
        let allowed: BTreeSet<String> = [
            "connection.start-ok",
            "connection.open",
            "queue.declare",
            "queue.bind",
            "properties",
        ]
        .map(String::from)
        .into();
        assert!(differing.is_subset(&allowed), "{probe}: {differing:?}");
    }
}

#[test]
fn a_whole_pika_session_decodes_to_the_expected_methods() {
    let r = recording("pika_basic");
    let server: Vec<String> = frames(&r.probe, &r.server)
        .iter()
        .map(|(f, _)| frame_name(f))
        .collect();
    assert_eq!(
        server,
        [
            "connection.start",
            "connection.tune",
            "connection.open-ok",
            "channel.open-ok",
            "queue.declare-ok",
            "basic.get-ok",
            "content header",
            "content body",
            "basic.consume-ok",
            "basic.deliver",
            "content header",
            "content body",
            "basic.deliver",
            "content header",
            "content body",
            "basic.cancel-ok",
            "channel.close-ok",
            "connection.close-ok",
        ]
    );
    let frames = frames(&r.probe, &r.server);
    let Frame::Method {
        method: WireMethod::ConnectionStart(start),
        ..
    } = &frames[0].0
    else {
        panic!("connection.start first")
    };
    assert_eq!((start.version_major, start.version_minor), (0, 9));
    assert_eq!(start.locales, "en_US");
    assert_eq!(
        start.server_properties["product"],
        FieldValue::LongStr("RabbitMQ".into())
    );
    let FieldValue::Table(capabilities) = &start.server_properties["capabilities"] else {
        panic!("capabilities is a table")
    };
    assert_eq!(capabilities["basic.nack"], FieldValue::Bool(true));
    // The published headers (k I 1, s S "v", b t true) come back in get-ok.
    let Frame::Header { header, .. } = &frames[6].0 else {
        panic!("a header")
    };
    let properties = header.properties.decode().unwrap();
    assert_eq!(properties.content_type.as_deref(), Some("text/plain"));
    assert_eq!(properties.delivery_mode, Some(2));
    let headers = properties.headers.unwrap();
    assert_eq!(headers["k"], FieldValue::Int(1));
    assert_eq!(headers["s"], FieldValue::LongStr("v".into()));
    assert_eq!(headers["b"], FieldValue::Bool(true));
    // pika's client side: the same publish, as the engine's method.
    let client = client_frames(&r);
    let publish = client
        .iter()
        .find_map(|(f, _)| match f {
            Frame::Method {
                method: WireMethod::BasicPublish(p),
                ..
            } => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(publish.exchange, "");
    assert!(publish.routing_key.starts_with("amq.gen-"));
    assert!(publish.body.is_empty(), "content comes in its own frames");
}

#[test]
fn every_field_type_survives_a_delivery() {
    // One message whose headers have every type RabbitMQ keeps; the
    // direct delivery's property bytes are the client's, byte for byte.
    let r = recording("tbl_headers_roundtrip_paths");
    let sent = client_frames(&r)
        .into_iter()
        .find_map(|(f, _)| match f {
            Frame::Header { header, .. } => Some(header),
            _ => None,
        })
        .unwrap();
    let received = frames(&r.probe, &r.server)
        .into_iter()
        .find_map(|(f, _)| match f {
            Frame::Header { header, .. } => Some(header),
            _ => None,
        })
        .unwrap();
    assert_eq!(sent.properties, received.properties);
    let headers = sent.properties.decode().unwrap().headers.unwrap();
    let types: BTreeSet<&str> = headers.values().map(FieldValue::type_name).collect();
    for name in [
        "bool",
        "byte",
        "unsignedbyte",
        "short",
        "unsignedshort",
        "signedint",
        "unsignedint",
        "long",
        "float",
        "double",
        "decimal",
        "longstr",
        "binary",
        "array",
        "timestamp",
        "table",
        "void",
    ] {
        assert!(types.contains(name), "{name} in {types:?}");
    }
    assert_eq!(headers["b_int8"], FieldValue::Byte(-5));
    assert_eq!(headers["B_uint8"], FieldValue::UnsignedByte(250));
    assert_eq!(headers["s_int16"], FieldValue::Short(-300));
    assert_eq!(headers["u_uint16"], FieldValue::UnsignedShort(65000));
    assert_eq!(headers["i_uint32"], FieldValue::UnsignedInt(4_000_000_000));
    assert_eq!(headers["f_float"], FieldValue::Float(1.5));
}

#[test]
fn signed_l_reads_as_rabbitmq_lists_it() {
    // tbl_qargs_L_uint64: x-… declared as L 2^63+5, listed as long
    // -9223372036854775803.
    let r = recording("tbl_qargs_L_uint64");
    let declare = client_frames(&r)
        .into_iter()
        .find_map(|(f, _)| match f {
            Frame::Method {
                method: WireMethod::QueueDeclare(d),
                ..
            } if !d.arguments.is_empty() => Some(d),
            _ => None,
        })
        .unwrap();
    assert!(
        declare
            .arguments
            .values()
            .any(|v| *v == FieldValue::Long(-9_223_372_036_854_775_803)),
        "{:?}",
        declare.arguments
    );
}

#[test]
fn bodies_are_cut_at_frame_max_minus_8_like_rabbitmq() {
    // dl_split_frame_max_4096: a 10000-byte body delivered at frame_max
    // 4096 as 4088 + 4088 + 1824. Warren cuts the same body into the same
    // bytes.
    let r = recording("dl_split_frame_max_4096");
    let frames = frames(&r.probe, &r.server);
    let start = frames
        .iter()
        .position(|(f, _)| {
            matches!(
                f,
                Frame::Method {
                    method: WireMethod::BasicDeliver(_),
                    ..
                }
            )
        })
        .expect("a delivery");
    let Frame::Header { channel, header } = &frames[start + 1].0 else {
        panic!("a header after the delivery")
    };
    let bodies: Vec<&(Frame, Vec<u8>)> = frames[start + 2..]
        .iter()
        .take_while(|(f, _)| matches!(f, Frame::Body { .. }))
        .collect();
    let sizes: Vec<usize> = bodies.iter().map(|(_, bytes)| bytes.len() - 8).collect();
    assert_eq!(sizes, [4088, 4088, 1824]);
    let body: Vec<u8> = bodies
        .iter()
        .flat_map(|(f, _)| match f {
            Frame::Body { payload, .. } => payload.clone(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(header.body_size, body.len() as u64);
    let mut ours = Vec::new();
    encode_content_frames(
        &mut ours,
        *channel,
        &header.properties.decode().unwrap(),
        &body,
        4096,
    )
    .unwrap();
    let theirs: Vec<u8> = frames[start + 1..start + 2 + bodies.len()]
        .iter()
        .flat_map(|(_, bytes)| bytes.clone())
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn protocol_headers_are_judged_like_rabbitmq() {
    for (probe, expected) in [
        ("ph_amqp_0_0_9_1", ProtocolHeaderCheck::Accept),
        ("ph_amqp_1_1_0_9", ProtocolHeaderCheck::Accept),
        ("ph_header_plus_garbage", ProtocolHeaderCheck::Accept),
        (
            "ph_amqp_0_0_9_0",
            ProtocolHeaderCheck::Refuse(Refusal::UnsupportedVersion([0, 0, 9, 0])),
        ),
        (
            "ph_amqp_0_1_0_0",
            ProtocolHeaderCheck::Refuse(Refusal::UnsupportedVersion([0, 1, 0, 0])),
        ),
        (
            "ph_http_request",
            ProtocolHeaderCheck::Refuse(Refusal::NotAmqp),
        ),
        (
            "ph_lowercase",
            ProtocolHeaderCheck::Refuse(Refusal::NotAmqp),
        ),
        ("ph_short_then_close", ProtocolHeaderCheck::NeedMore),
        // RabbitMQ speaks 0-8 here; Warren refuses (a documented difference).
        (
            "ph_amqp_1_1_8_0",
            ProtocolHeaderCheck::Refuse(Refusal::Amqp08),
        ),
    ] {
        let r = recording(probe);
        assert_eq!(check_protocol_header(&r.client), expected, "{probe}");
        match expected {
            ProtocolHeaderCheck::Refuse(Refusal::Amqp08) => {}
            ProtocolHeaderCheck::Refuse(_) => assert_eq!(r.server, PROTOCOL_HEADER, "{probe}"),
            ProtocolHeaderCheck::Accept => assert_eq!(r.server[0], 1, "{probe}: a method frame"),
            ProtocolHeaderCheck::NeedMore => assert!(r.server.is_empty(), "{probe}"),
        }
    }
}

// ---------------------------------------------------------------------
// Errors: the codec reads a client's bytes as a server would
// ---------------------------------------------------------------------

/// How far a server gets through a client's bytes.
#[derive(Debug)]
enum Outcome {
    /// All bytes read, no error.
    Clean,
    Error(WireError),
}

/// Reads `client` as RabbitMQ's reader does (the parts that are the
/// codec's): the protocol header, frames with the frame_max in force, a
/// method's arguments, whether a client may send it, and a publish's
/// properties.
fn serve(client: &[u8]) -> Outcome {
    assert_eq!(check_protocol_header(client), ProtocolHeaderCheck::Accept);
    let mut decoder = FrameDecoder::new();
    let mut rest = &client[8..];
    loop {
        let (raw, used) = match decoder.next_raw(rest) {
            Ok(Some(found)) => found,
            Ok(None) => return Outcome::Clean,
            Err(e) => return Outcome::Error(e),
        };
        rest = &rest[used..];
        match raw.parse() {
            Err(e) => return Outcome::Error(e),
            Ok(Frame::Method { method, .. }) => {
                if let WireMethod::ConnectionTuneOk(tune) = &method {
                    decoder.set_frame_max(tune.frame_max);
                }
                if let Err(e) = method.into_client_method() {
                    return Outcome::Error(e);
                }
            }
            Ok(Frame::Header { header, .. }) => {
                if let Err(e) = header.properties.decode() {
                    return Outcome::Error(e.into());
                }
            }
            Ok(_) => {}
        }
    }
}

/// The connection.close RabbitMQ sent, if it sent one.
fn server_close(r: &Recording) -> Option<Close> {
    frames(&r.probe, &r.server)
        .into_iter()
        .find_map(|(f, _)| match f {
            Frame::Method {
                channel: 0,
                method: WireMethod::ConnectionClose(close),
            } => Some(close),
            _ => None,
        })
}

#[test]
fn errors_close_or_reset_exactly_as_rabbitmq_did() {
    let probes = [
        ("fr_bad_frame_end", true),
        ("fr_bad_frame_end_body", true),
        ("fr_bad_frame_end_heartbeat", true),
        ("hs_protocol_header_mid_connection", true),
        ("hs_enforce_frame_max_4096", true),
        ("fr_frame_type_4", false),
        ("fr_unknown_frame_type_0", false),
        ("fr_unknown_frame_type_9", false),
        ("fr_heartbeat_nonzero_channel", false),
        ("fr_heartbeat_with_payload", false),
        ("fr_method_payload_empty", false),
        ("fr_method_payload_2_bytes", false),
        ("fr_header_short_payload", false),
        ("fr_header_on_channel0", false),
        ("fr_body_on_channel0", false),
        ("fr_trailing_bytes_in_method", false),
        ("fr_truncated_shortstr", false),
        ("fr_truncated_table", false),
        ("fr_queue_declare_ok_from_client", false),
        ("fr_server_only_channel_open_ok", false),
        ("fr_server_only_method_get_ok", false),
        ("fr_header_bad_props", false),
        ("fr_header_props_continuation_flag", false),
        ("tbl_hdr_U_int16_spec", false),
        // RabbitMQ sent no close: the socket was reset.
        ("fr_unknown_class_id", false),
        ("fr_unknown_method_id", false),
        ("fr_unknown_method_on_ch0", false),
        ("fr_bad_table_field_type", false),
    ];
    for (probe, fatal) in probes {
        let r = recording(probe);
        let Outcome::Error(error) = serve(&r.client) else {
            panic!("{probe}: no error found")
        };
        match server_close(&r) {
            Some(close) => assert_eq!(
                error.reaction(),
                Reaction::CloseConnection { close, fatal },
                "{probe}: {error:?}"
            ),
            None => assert_eq!(error.reaction(), Reaction::Reset, "{probe}: {error:?}"),
        }
    }
}

#[test]
fn frame_max_is_4096_until_tune_ok() {
    // A start-ok with a 4096-byte payload is taken, one of 4097 is not
    // (RabbitMQ then resets silently: the handshake is not done).
    assert!(matches!(
        serve(&recording("hs_start_ok_payload_4096").client),
        Outcome::Clean
    ));
    let Outcome::Error(error) = serve(&recording("hs_start_ok_payload_4097").client) else {
        panic!("refused")
    };
    assert_eq!(
        error,
        WireError::FrameTooLarge {
            frame_type: 1,
            payload_size: 4097,
            frame_max: 4096
        }
    );
}

/// The rows of SUMMARY §6 that no recording here covers.
#[test]
fn other_error_texts_from_the_summary() {
    let close_text = |e: WireError| e.close().expect("a close").reply_text;
    // A method frame of 140021 bytes at frame_max 131072.
    let header = [1, 0, 1, 0, 2, 0x22, 0xf5];
    let error = FrameDecoder::with_frame_max(131_072)
        .next_raw(&header)
        .unwrap_err();
    assert_eq!(
        close_text(error),
        "FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,140021,131064}"
    );
    // Content sequencing (the connection's checks, RabbitMQ's words).
    let publish = MethodId::BASIC_PUBLISH;
    let cases = [
        (
            WireError::ExpectedMethodFrame,
            (505, "UNEXPECTED_FRAME - expected method frame, got non method frame instead", 0, 0),
        ),
        (
            WireError::ExpectedContentHeader { method: publish },
            (
                505,
                "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead",
                60,
                40,
            ),
        ),
        (
            WireError::WrongContentClass {
                method: publish,
                header_class_id: 50,
            },
            (
                505,
                "UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead",
                60,
                40,
            ),
        ),
        (
            WireError::ExpectedContentBody { method: publish },
            (
                505,
                "UNEXPECTED_FRAME - expected content body, got non content body frame instead",
                60,
                40,
            ),
        ),
        (
            WireError::ServerOnlyMethod {
                method: MethodId::BASIC_GET_EMPTY,
            },
            (503, "COMMAND_INVALID - unimplemented method", 60, 72),
        ),
        (
            WireError::unexpected_frame(3, b"hello"),
            (505, "UNEXPECTED_FRAME - type 3, all octets = <<\"hello\">>", 0, 0),
        ),
    ];
    for (error, (code, text, class_id, method_id)) in cases {
        assert_eq!(
            error.close(),
            Some(Close {
                reply_code: code,
                reply_text: text.into(),
                class_id,
                method_id
            })
        );
    }
    // A payload longer than 16 bytes is quoted by its first 16.
    let error = WireError::UnknownFrame {
        frame_type: 9,
        payload: PayloadHead::of(b"abcdefghijklmnopqrstuvwxyz"),
    };
    assert_eq!(
        close_text(error),
        "FRAME_ERROR - type 9, first 16 octets = <<\"abcdefghijklmnop\">>: unknown_frame"
    );
}

#[test]
fn utf8_and_channel_zero_errors_follow_rabbitmq() {
    // queue.declare with a non-UTF-8 name: 501 without a method on a
    // channel, with the method on channel 0 (the connection process fills
    // it in).
    let arguments = [0, 0, 1, 0xff, 0, 0, 0, 0, 0];
    let on_channel = WireMethod::decode(1, MethodId::QUEUE_DECLARE, &arguments).unwrap_err();
    let close = on_channel.close().unwrap();
    assert_eq!(
        (close.reply_code, close.reply_text.as_str(), close.class_id),
        (501, "FRAME_ERROR - Malformed UTF-8 in shortstr", 0)
    );
    let on_zero = WireMethod::decode(0, MethodId::QUEUE_DECLARE, &arguments).unwrap_err();
    assert_eq!(on_zero.close().unwrap().class_id, 50);
    // A publish (content method) is not checked by RabbitMQ: Warren's limit.
    let publish = [0, 0, 1, 0xff, 0, 0];
    let error = WireMethod::decode(1, MethodId::BASIC_PUBLISH, &publish).unwrap_err();
    assert_eq!(
        error,
        WireError::NotSupported {
            method: Some(MethodId::BASIC_PUBLISH),
            limit: WarrenLimit::NotUtf8 { field: "exchange" }
        }
    );
    assert_eq!(error.close().unwrap().reply_code, 540);
    // A malformed table resets on a channel, 541 on channel 0.
    let mut start_ok = vec![0, 0, 0, 3, 1, b'k', b'Z'];
    start_ok.extend_from_slice(&[
        5, b'P', b'L', b'A', b'I', b'N', 0, 0, 0, 0, 5, b'e', b'n', b'_', b'U', b'S',
    ]);
    let error = WireMethod::decode(0, MethodId::CONNECTION_START_OK, &start_ok).unwrap_err();
    assert_eq!(error.close().unwrap().reply_text, "INTERNAL_ERROR");
    let error = WireMethod::decode(1, MethodId::CONNECTION_START_OK, &start_ok).unwrap_err();
    assert!(error.resets());
    assert!(matches!(
        error,
        WireError::MalformedTable {
            problem: TableError::UnknownType { type_octet: b'Z' },
            ..
        }
    ));
}

// ---------------------------------------------------------------------
// The engine bridge
// ---------------------------------------------------------------------

#[test]
fn client_methods_are_sorted_like_rabbitmq() {
    let to_broker = WireMethod::QueueDeclare(QueueDeclare::named("q")).into_client_method();
    assert_eq!(
        to_broker,
        Ok(ClientMethod::Broker(Method::QueueDeclare(
            QueueDeclare::named("q")
        )))
    );
    let tune_ok = WireMethod::ConnectionTuneOk(Tune {
        channel_max: 2047,
        frame_max: 131_072,
        heartbeat: 60,
    });
    assert_eq!(
        tune_ok.clone().into_client_method(),
        Ok(ClientMethod::Connection(tune_ok))
    );
    for server_only in [
        WireMethod::ChannelOpenOk,
        WireMethod::BasicGetEmpty,
        WireMethod::QueueDeclareOk {
            queue: "q".into(),
            message_count: 0,
            consumer_count: 0,
        },
    ] {
        let id = server_only.id();
        assert_eq!(
            server_only.into_client_method(),
            Err(WireError::ServerOnlyMethod { method: id })
        );
    }
    // A publish gets its content from the frames that follow.
    let Ok(ClientMethod::Broker(Method::BasicPublish(mut publish))) =
        WireMethod::BasicPublish(BasicPublish::new("", "q", Vec::new())).into_client_method()
    else {
        panic!("a publish is for the broker")
    };
    let properties = Properties {
        delivery_mode: Some(2),
        ..Default::default()
    };
    attach_content(&mut publish, properties.clone(), b"hi".to_vec());
    assert_eq!(
        (publish.properties, publish.body),
        (properties, b"hi".to_vec())
    );
}

#[test]
fn the_engine_replies_and_outbox_go_on_the_wire() {
    let mut broker = Broker::new(BrokerConfig::default());
    let conn = broker.open_connection("wire");
    broker.apply(conn, 1, Method::ChannelOpen).unwrap();
    let reply = broker
        .apply(conn, 1, Method::QueueDeclare(QueueDeclare::named("q")))
        .unwrap();
    let declare_ok = MethodWithContent::from_reply(&reply).unwrap();
    let mut out = Vec::new();
    declare_ok.encode(&mut out, 1, 131_072).unwrap();
    // queue.declare-ok "q" 0 0, as RabbitMQ would write it.
    assert_eq!(
        out,
        [1, 0, 1, 0, 0, 0, 14, 0, 50, 0, 11, 1, b'q', 0, 0, 0, 0, 0, 0, 0, 0, 0xce]
    );
    assert!(MethodWithContent::from_reply(&Reply::None).is_none());

    // A publish from a client's bytes, through the engine, to a delivery.
    let properties = Properties {
        content_type: Some("text/plain".into()),
        headers: Some(FieldTable::from([("n".to_owned(), FieldValue::Byte(1))])),
        ..Default::default()
    };
    let mut publish = BasicPublish::new("", "q", vec![7; 5000]);
    publish.properties = properties.clone();
    let mut client_bytes = Vec::new();
    encode_client_method(
        &mut client_bytes,
        1,
        &Method::BasicPublish(publish.clone()),
        4096,
    )
    .unwrap();
    let decoded = frames("publish", &client_bytes);
    assert_eq!(decoded.len(), 4, "method, header, 4088 + 912");
    let (Frame::Method { method, .. }, Frame::Header { header, .. }) =
        (&decoded[0].0, &decoded[1].0)
    else {
        panic!("method then header")
    };
    let Ok(ClientMethod::Broker(Method::BasicPublish(mut assembled))) =
        method.clone().into_client_method()
    else {
        panic!("a publish")
    };
    let body: Vec<u8> = decoded[2..]
        .iter()
        .flat_map(|(f, _)| match f {
            Frame::Body { payload, .. } => payload.clone(),
            _ => Vec::new(),
        })
        .collect();
    attach_content(&mut assembled, header.properties.decode().unwrap(), body);
    assert_eq!(assembled, publish);
    broker
        .apply(conn, 1, Method::BasicPublish(assembled))
        .unwrap();
    broker
        .apply(
            conn,
            1,
            Method::BasicConsume(BasicConsume {
                queue: "q".into(),
                consumer_tag: "c".into(),
                no_ack: true,
                ..Default::default()
            }),
        )
        .unwrap();
    broker.run_until_idle();
    let outbox = broker.take_outbox(conn);
    let delivery = outbox
        .iter()
        .find(|o| matches!(o.method, ServerMethod::BasicDeliver(_)))
        .expect("a delivery");
    let mut server_bytes = Vec::new();
    encode_outgoing(&mut server_bytes, delivery, 4096).unwrap();
    let received = frames("deliver", &server_bytes);
    assert_eq!(
        received[0].0,
        Frame::Method {
            channel: 1,
            method: WireMethod::BasicDeliver(BasicDeliver {
                consumer_tag: "c".into(),
                delivery_tag: 1,
                redelivered: false,
                exchange: String::new(),
                routing_key: "q".into(),
            })
        }
    );
    let Frame::Header { header, .. } = &received[1].0 else {
        panic!("a header")
    };
    assert_eq!(header.body_size, 5000);
    assert_eq!(header.properties.decode().unwrap(), properties);
    assert_eq!(received.len(), 4);
}

#[test]
fn server_methods_map_like_rabbitmq_sends_them() {
    use warren::engine::outbox::{Closing, Confirm};
    let nack = MethodWithContent::from_server_method(&ServerMethod::Confirm(Confirm {
        delivery_tag: 3,
        multiple: true,
        ack: false,
    }));
    assert_eq!(
        nack.method,
        WireMethod::BasicNack(BasicNack {
            delivery_tag: 3,
            multiple: true,
            requeue: true
        })
    );
    let cancel = MethodWithContent::from_server_method(&ServerMethod::BasicCancel {
        consumer_tag: "ctag1".into(),
    });
    // dl_queue_deleted_cancel: basic.cancel(consumer_tag='ctag1', nowait=True).
    let r = recording("dl_queue_deleted_cancel");
    let recorded = frames(&r.probe, &r.server)
        .into_iter()
        .find(|(f, _)| {
            matches!(
                f,
                Frame::Method {
                    method: WireMethod::BasicCancel(_),
                    ..
                }
            )
        })
        .unwrap();
    let mut out = Vec::new();
    cancel.encode(&mut out, 1, 131_072).unwrap();
    assert_eq!(out, recorded.1);
    let close = MethodWithContent::from_server_method(&ServerMethod::ChannelClose(Closing {
        reply_code: 404,
        reply_text: "NOT_FOUND - no queue 'q' in vhost '/'".into(),
        method: Some(MethodId::QUEUE_DECLARE),
        await_close_ok: true,
    }));
    assert_eq!(
        close.method,
        WireMethod::ChannelClose(Close {
            reply_code: 404,
            reply_text: "NOT_FOUND - no queue 'q' in vhost '/'".into(),
            class_id: 50,
            method_id: 10
        })
    );
}

// ---------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------

fn encode_method(method: &WireMethod) -> Vec<u8> {
    let mut out = Vec::new();
    method.encode(&mut out).expect("encodable");
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn every_method_round_trips(method in wire_method()) {
        let bytes = encode_method(&method);
        let (id, arguments) = warren::wire::split_method_payload(&bytes).expect("known method");
        prop_assert_eq!(id, method.id());
        let decoded = WireMethod::decode(1, id, arguments).expect("decodes");
        prop_assert_eq!(&decoded, &method);
        prop_assert_eq!(encode_method(&decoded), bytes);
    }

    #[test]
    fn truncated_or_extended_arguments_are_cannot_decode(method in wire_method(), cut in any::<prop::sample::Index>()) {
        let bytes = encode_method(&method);
        let arguments = &bytes[4..];
        let mut extended = arguments.to_vec();
        extended.push(0);
        let error = WireMethod::decode(1, method.id(), &extended).unwrap_err();
        prop_assert!(matches!(error, WireError::CannotDecode { .. }), "{:?}", error);
        if !arguments.is_empty() {
            let shorter = &arguments[..cut.index(arguments.len())];
            let error = WireMethod::decode(1, method.id(), shorter);
            // Cutting inside a table may leave a shorter valid table, but
            // never a valid method: the length prefix no longer fits.
            prop_assert!(error.is_err(), "{:?}", method);
        }
    }

    #[test]
    fn properties_round_trip(properties in properties()) {
        let mut bytes = Vec::new();
        encode_properties(&properties, &mut bytes).unwrap();
        prop_assert_eq!(decode_properties(&bytes), Ok(properties));
    }

    #[test]
    fn tables_with_every_type_round_trip(table in field_table()) {
        let mut bytes = Vec::new();
        encode_table(&table, &mut warren::wire::primitives::WireWriter::new(&mut bytes)).unwrap();
        prop_assert_eq!(warren::wire::decode_table(&bytes[4..]), Ok(table));
    }

    /// A stream of frames decodes the same however the bytes arrive.
    #[test]
    fn a_stream_decodes_the_same_in_any_pieces(
        methods in vec((1u16..4, wire_method()), 1..6),
        content in vec((properties(), vec(any::<u8>(), 0..300)), 0..3),
        frame_max in prop_oneof![Just(0u32), 9u32..200, Just(4096)],
        cuts in vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for (channel, method) in &methods {
            warren::wire::encode_method_frame(&mut stream, *channel, method).unwrap();
            expected.push(Frame::Method { channel: *channel, method: method.clone() });
        }
        for (properties, body) in &content {
            encode_content_frames(&mut stream, 1, properties, body, frame_max).unwrap();
            expected.push(Frame::Header {
                channel: 1,
                header: warren::wire::ContentHeader {
                    class_id: 60,
                    weight: 0,
                    body_size: body.len() as u64,
                    properties: EncodedProperties::encode(properties).unwrap(),
                },
            });
            for chunk in warren::wire::body_frame_payloads(body, frame_max) {
                expected.push(Frame::Body { channel: 1, payload: chunk.to_vec() });
            }
        }
        warren::wire::encode_heartbeat(&mut stream);
        expected.push(Frame::Heartbeat);
        // Feed the bytes in pieces, as a socket would.
        let mut ends: Vec<usize> = cuts.iter().map(|c| c.index(stream.len())).collect();
        ends.push(stream.len());
        ends.sort_unstable();
        let decoder = FrameDecoder::with_frame_max(0);
        let mut buffer = Vec::new();
        let mut decoded = Vec::new();
        let mut fed = 0;
        for end in ends {
            buffer.extend_from_slice(&stream[fed..end]);
            fed = end;
            while let Some((frame, used)) = decoder.next_frame(&buffer).unwrap() {
                let mut again = Vec::new();
                frame.encode(&mut again).unwrap();
                prop_assert_eq!(&again[..], &buffer[..used]);
                decoded.push(frame);
                buffer.drain(..used);
            }
        }
        prop_assert!(buffer.is_empty());
        prop_assert_eq!(decoded, expected);
    }
}

#[test]
fn frames_and_errors_can_cross_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Frame>();
    send_and_sync::<WireMethod>();
    send_and_sync::<WireError>();
    send_and_sync::<FrameDecoder>();
}

#[test]
fn encoding_refuses_what_does_not_fit() {
    let long = "x".repeat(256);
    let mut out = vec![1, 2, 3];
    let error = warren::wire::encode_method_frame(
        &mut out,
        1,
        &WireMethod::QueueDeclare(QueueDeclare::named(&long)),
    );
    assert_eq!(
        error,
        Err(warren::wire::EncodeError::ShortStrTooLong {
            field: "queue",
            length: 256
        })
    );
    assert_eq!(out, [1, 2, 3], "no half frame is left behind");
    let properties = Properties {
        message_id: Some(long),
        ..Default::default()
    };
    let error = encode_content_frames(&mut out, 1, &properties, b"body", 4096);
    assert!(error.is_err());
    assert_eq!(out, [1, 2, 3]);
}
