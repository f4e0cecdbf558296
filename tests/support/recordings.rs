//! The wire recordings (`tests/wire/recordings`, `tests/wire/sessions`):
//! which there are, their bytes (stored as hex), and a recorded stream cut
//! into its frames.
//!
//! Include it with `#[path = "support/recordings.rs"] mod recordings;`.
#![allow(dead_code)]

use std::path::Path;
use warren::wire::{Frame, FrameDecoder};

/// The bytes of `text`, two hex digits each.
pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The names of the recordings in `dir` (their file names without
/// `.json`), sorted.
pub fn json_stems(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().expect("name").to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every frame of a stream that should be valid throughout, with its bytes
/// (no frame_max: both sides of a recording kept to theirs); else which
/// frame is not.
pub fn split_frames(stream: &[u8]) -> Result<Vec<(Frame, Vec<u8>)>, String> {
    let decoder = FrameDecoder::with_frame_max(0);
    let mut rest = stream;
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let (frame, used) = decoder
            .next_frame(rest)
            .map_err(|e| format!("frame {}: {e}", frames.len()))?
            .ok_or("the stream ends inside a frame")?;
        frames.push((frame, rest[..used].to_vec()));
        rest = &rest[used..];
    }
    Ok(frames)
}
