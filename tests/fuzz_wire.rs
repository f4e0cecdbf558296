#![cfg(not(target_arch = "wasm32"))]
//! Fuzzing the wire codec: whatever bytes arrive, it never panics, and a
//! valid stream decodes and re-encodes to the same bytes.
//!
//! Each case is one input, read the way a server reads a connection (the
//! protocol header, frames at a frame_max, each frame parsed, a client's
//! method sorted, a header's properties decoded, every error's close text
//! formatted), and also handed straight to the table, properties and
//! method-argument decoders. Inputs are, in turn:
//! - pure random bytes (with and without a valid protocol header);
//! - valid frame sequences: frames re-encoded from the recordings in
//!   `tests/wire/recordings` and frames of random methods and messages
//!   (every method, every field type, all fourteen properties), which must
//!   decode and re-encode byte for byte;
//! - those sequences mutated: bit flips, random bytes, truncations, cut and
//!   duplicated ranges, and size fields (frame sizes, table and string
//!   lengths) set to 0, 1, ±1, 2^31, 2^32-1.
//!
//! The normal test run does `WARREN_WIRE_FUZZ_CASES` cases (default
//! 400,000, about 10 s in a debug build); the million is
//! `WARREN_WIRE_FUZZ_CASES=1000000 cargo test --profile fuzz --test fuzz_wire -- --nocapture`
//! (the `fuzz` profile is optimised but keeps overflow checks, so an
//! arithmetic overflow is a panic found). `WARREN_WIRE_FUZZ_SEED` replays
//! a run; a failure prints the seed, the case and the input.

#[path = "support/env_number.rs"]
mod env_number;
#[path = "support/recordings.rs"]
mod recordings;
#[path = "wire/strategies.rs"]
mod strategies;

use env_number::env_number;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use recordings::hex;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Instant;
use warren::engine::method::MethodId;
use warren::engine::rng::SeededRng;
use warren::wire::{
    check_protocol_header, decode_array, decode_properties, decode_table, encode_content_frames,
    encode_heartbeat, encode_method_frame, method_id, ContentHeader, Frame, FrameDecoder,
    ProtocolHeaderCheck, WireError, WireMethod, PROTOCOL_HEADER,
};

/// Valid frames, each encoded by Warren (so canonical: a valid sequence of
/// them re-encodes to the same bytes).
fn frame_pool() -> Vec<Vec<u8>> {
    let mut pool = Vec::new();
    // Every decodable frame of the recordings, both directions.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/recordings");
    for entry in std::fs::read_dir(dir).expect("recordings") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("recording");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        for side in ["client_bytes_hex", "server_bytes_hex"] {
            let bytes = hex(json[side].as_str().unwrap_or_default());
            let mut rest = if bytes.starts_with(b"AMQP") {
                bytes.get(8..).unwrap_or_default()
            } else {
                &bytes[..]
            };
            let decoder = FrameDecoder::with_frame_max(0);
            while let Ok(Some((frame, used))) = decoder.next_frame(rest) {
                let mut canonical = Vec::new();
                if frame.encode(&mut canonical).is_ok() {
                    pool.push(canonical);
                }
                rest = &rest[used..];
            }
        }
    }
    // Random methods and messages.
    let mut runner = TestRunner::deterministic();
    let methods = (0u16..4, strategies::wire_method());
    let messages = (
        strategies::properties(),
        proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
    );
    for _ in 0..400 {
        let (channel, method) = methods.new_tree(&mut runner).expect("a method").current();
        let mut bytes = Vec::new();
        encode_method_frame(&mut bytes, channel, &method).expect("encodable");
        pool.push(bytes);
    }
    for _ in 0..100 {
        let (properties, body) = messages.new_tree(&mut runner).expect("a message").current();
        let mut bytes = Vec::new();
        encode_content_frames(&mut bytes, 1, &properties, &body, 64).expect("encodable");
        pool.push(bytes);
    }
    let mut heartbeat = Vec::new();
    encode_heartbeat(&mut heartbeat);
    pool.push(heartbeat);
    pool
}

fn pick<'a, T>(rng: &mut SeededRng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

fn random_bytes(rng: &mut SeededRng, max: u64) -> Vec<u8> {
    (0..rng.below(max + 1))
        .map(|_| rng.next_u64() as u8)
        .collect()
}

/// A valid stream of 1 to 8 frames from the pool.
fn valid_stream(rng: &mut SeededRng, pool: &[Vec<u8>]) -> Vec<u8> {
    let mut stream = Vec::new();
    for _ in 0..1 + rng.below(8) {
        let frame: &Vec<u8> = pick(rng, pool);
        stream.extend_from_slice(frame);
    }
    stream
}

const INTERESTING_SIZES: [u32; 8] = [0, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 4096, 4097];

fn mutate(rng: &mut SeededRng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            bytes.extend(random_bytes(rng, 16));
            continue;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(8) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next_u64() as u8,
            2 => bytes.truncate(at),
            3 => {
                let end = (at + 1 + rng.below(16) as usize).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + 1 + rng.below(32) as usize).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() as u64 + 1) as usize;
                bytes.splice(to..to, copy);
            }
            5 => {
                // A size field: a frame's size, a table's or string's
                // length (4 bytes), or a shortstr's length (1 byte).
                let value = match rng.below(3) {
                    0 => *pick(rng, &INTERESTING_SIZES),
                    1 => u32::from_be_bytes(read4(bytes, at)).wrapping_add(1),
                    _ => u32::from_be_bytes(read4(bytes, at)).wrapping_sub(1),
                };
                for (i, b) in value.to_be_bytes().into_iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = b;
                    }
                }
            }
            6 => {
                bytes[at] = *pick(
                    rng,
                    &[0, 1, 2, 3, 8, 0xce, 0xff, b'U', b'F', b'A', b'S', b'd'],
                )
            }
            _ => {
                let insert = random_bytes(rng, 8);
                bytes.splice(at..at, insert);
            }
        }
    }
}

fn read4(bytes: &[u8], at: usize) -> [u8; 4] {
    let mut four = [0; 4];
    for (i, slot) in four.iter_mut().enumerate() {
        *slot = bytes.get(at + i).copied().unwrap_or(0);
    }
    four
}

/// Uses an error the way a connection would: its reaction and its texts.
fn react(error: &WireError) {
    let _ = error.reaction();
    let _ = error.to_string();
}

/// Reads `input` as a server reads a connection (after the protocol
/// header when it has one); returns how many frames it decoded.
fn serve(input: &[u8], frame_max: u32) -> usize {
    let mut rest = match check_protocol_header(input) {
        ProtocolHeaderCheck::Accept => &input[8..],
        _ => input,
    };
    let mut decoder = FrameDecoder::with_frame_max(frame_max);
    let mut frames = 0;
    loop {
        let (raw, used) = match decoder.next_raw(rest) {
            Ok(Some(found)) => found,
            Ok(None) => return frames,
            Err(error) => {
                react(&error);
                return frames;
            }
        };
        rest = &rest[used..];
        frames += 1;
        let _ = raw.to_bytes();
        match raw.parse() {
            Err(error) => {
                react(&error);
                return frames;
            }
            Ok(Frame::Method { method, .. }) => {
                if let WireMethod::ConnectionTuneOk(tune) = &method {
                    decoder.set_frame_max(tune.frame_max);
                }
                let mut again = Vec::new();
                let _ = method.encode(&mut again);
                if let Err(error) = method.into_client_method() {
                    react(&error);
                }
            }
            Ok(Frame::Header { header, .. }) => {
                if let Err(error) = header.properties.decode() {
                    react(&WireError::from(error));
                }
            }
            Ok(_) => {}
        }
    }
}

/// The decoders a server calls on parts of frames, on the raw input.
fn decode_parts(rng: &mut SeededRng, input: &[u8]) {
    let _ = decode_table(input);
    let _ = decode_array(input);
    let _ = decode_properties(input);
    let _ = ContentHeader::parse(input);
    let id = *pick(rng, MethodId::ALL);
    if let Err(error) = WireMethod::decode(rng.below(2) as u16, id, input) {
        react(&error);
    }
    // An id pair straight from the bytes (mostly unknown).
    if let [a, b, c, d, ..] = *input {
        let _ = method_id(u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]));
    }
}

/// A valid stream decodes frame by frame and re-encodes to the same bytes.
fn check_round_trip(stream: &[u8]) -> Result<(), String> {
    let frames =
        recordings::split_frames(stream).map_err(|e| format!("valid stream refused: {e}"))?;
    let mut out = Vec::new();
    for (frame, _) in frames {
        frame.encode(&mut out).map_err(|e| e.to_string())?;
    }
    if out == stream {
        Ok(())
    } else {
        Err("re-encoded bytes differ".into())
    }
}

#[test]
fn the_codec_never_panics_and_valid_streams_round_trip() {
    let cases = env_number("WARREN_WIRE_FUZZ_CASES", 400_000);
    let seed = env_number("WARREN_WIRE_FUZZ_SEED", 0x5741_5252_454e);
    eprintln!("WARREN_WIRE_FUZZ_SEED={seed} WARREN_WIRE_FUZZ_CASES={cases}");
    let pool = frame_pool();
    let started = Instant::now();
    let mut rng = SeededRng::new(seed);
    let (mut frames, mut round_trips) = (0usize, 0usize);
    for case in 0..cases {
        let kind = rng.below(10);
        let mut input = match kind {
            0 => random_bytes(&mut rng, 64),
            1 => {
                let mut bytes = PROTOCOL_HEADER.to_vec();
                bytes.extend(random_bytes(&mut rng, 64));
                bytes
            }
            _ => valid_stream(&mut rng, &pool),
        };
        let valid = kind == 2;
        if kind >= 3 {
            mutate(&mut rng, &mut input);
        }
        if rng.below(4) == 0 {
            input.splice(0..0, PROTOCOL_HEADER);
        }
        let frame_max = *pick(&mut rng, &[0, 4096, 131_072, 64, 9]);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut part_rng = SeededRng::new(seed ^ case);
            frames += serve(&input, frame_max);
            decode_parts(&mut part_rng, &input);
            if valid {
                let stream = input.strip_prefix(&PROTOCOL_HEADER[..]).unwrap_or(&input);
                round_trips += 1;
                check_round_trip(stream)
            } else {
                Ok(())
            }
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => panic!(
                "{problem}: seed {seed}, case {case}, input {}",
                input.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            Err(_) => panic!(
                "panic: seed {seed}, case {case}, frame_max {frame_max}, input {}",
                input.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
        }
    }
    eprintln!(
        "{cases} inputs, {frames} frames read, {round_trips} valid streams round-tripped, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(frames > 0 && round_trips > 0);
}
