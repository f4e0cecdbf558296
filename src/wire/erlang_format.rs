//! How Erlang prints a binary, so that Warren's error texts are RabbitMQ's
//! byte for byte.
//!
//! RabbitMQ builds some reply texts with `io_lib:format`, and two of its
//! format directives show up on the wire:
//!
//! - `~w` ("write") prints every byte as a decimal number:
//!   `FRAME_ERROR - cannot decode <<0,0,32,97,98,99>>` — even bytes that
//!   are letters (`97,98,99` is `abc`).
//! - `~p` ("pretty print") prints a binary whose bytes are all printable
//!   Latin-1 as a quoted string, and any other binary like `~w`:
//!   `FRAME_ERROR - type 3, all octets = <<"hello">>: …` but
//!   `FRAME_ERROR - type 1, all octets = <<0,60,0,10>>: …`.
//!
//! Both print the empty binary as `<<>>`.
//!
//! One difference is unavoidable: Erlang writes a printable byte from
//! 160 to 255 as that single Latin-1 byte, which is not UTF-8. A Rust
//! `String` (and so a reply text of the engine's `Close`) holds the same
//! character encoded as UTF-8 (two bytes) instead.

use std::fmt::Write;

/// Erlang's `~w` of a binary: `<<0,60,0,10>>`.
pub fn write_binary(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(4 + bytes.len() * 4);
    text.push_str("<<");
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte}");
    }
    text.push_str(">>");
    text
}

/// Erlang's `~p` of a binary: `<<"hello">>` when every byte is printable
/// Latin-1 (and the binary is not empty), otherwise the same as
/// [`write_binary`].
pub fn pretty_binary(bytes: &[u8]) -> String {
    if bytes.is_empty() || !bytes.iter().all(|&b| is_printable_latin1(b)) {
        return write_binary(bytes);
    }
    let mut text = String::with_capacity(6 + bytes.len());
    text.push_str("<<\"");
    for &byte in bytes {
        // `io_lib:write_string/2`: quote and backslash escaped, the
        // printable control characters by their escapes.
        match byte {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            b'\n' => text.push_str("\\n"),
            b'\r' => text.push_str("\\r"),
            b'\t' => text.push_str("\\t"),
            0x0b => text.push_str("\\v"),
            0x08 => text.push_str("\\b"),
            0x0c => text.push_str("\\f"),
            0x1b => text.push_str("\\e"),
            // Latin-1 is the first 256 code points of Unicode.
            other => text.push(char::from(other)),
        }
    }
    text.push_str("\">>");
    text
}

/// `io_lib:printable_latin1_list/1` for one character.
fn is_printable_latin1(byte: u8) -> bool {
    matches!(byte, 0x20..=0x7e | 0xa0..=0xff | b'\n' | b'\r' | b'\t' | 0x0b | 0x08 | 0x0c | 0x1b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_print_like_rabbitmq_texts() {
        assert_eq!(write_binary(&[]), "<<>>");
        assert_eq!(write_binary(&[0, 0, 32, 97, 98, 99]), "<<0,0,32,97,98,99>>");
        assert_eq!(write_binary(b"abc"), "<<97,98,99>>");
        assert_eq!(pretty_binary(b"hello"), "<<\"hello\">>");
        assert_eq!(pretty_binary(b"abc"), "<<\"abc\">>");
        assert_eq!(pretty_binary(&[]), "<<>>");
        assert_eq!(pretty_binary(&[0, 60, 0, 10]), "<<0,60,0,10>>");
        assert_eq!(pretty_binary(b"a\"b\\c\n"), "<<\"a\\\"b\\\\c\\n\">>");
        assert_eq!(pretty_binary(&[0xe9]), "<<\"\u{e9}\">>");
        assert_eq!(pretty_binary(&[0x7f]), "<<127>>");
    }
}
