//! Bytes written as hex, as the wire recordings store them
//! (`tests/wire/recordings`, `tests/wire/sessions`).
//!
//! Include it with `#[path = "support/hex.rs"] mod hex;`.

/// The bytes of `text`, two hex digits each.
pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}
