//! Share links: a document deflated and base64url-encoded into the URL
//! fragment (`#doc=…`), so it never reaches a server.
//!
//! Decoding is defensive: a damaged or truncated link, a hostile one that
//! inflates to gigabytes, or one that decodes to a bad document each give a
//! clear error.

use crate::document::{Document, DocumentError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The fragment prefix of a share link.
pub const PREFIX: &str = "doc=";

/// The longest fragment Warren writes (browsers and chat apps cope with it).
pub const FRAGMENT_CHARS_MAX: usize = 32 * 1024;

/// The most a fragment may inflate to.
pub const INFLATED_BYTES_MAX: usize = 1 << 20;

fn err(message: impl Into<String>) -> DocumentError {
    DocumentError {
        path: String::new(),
        message: message.into(),
    }
}

/// The fragment (without `#`) that carries `doc`.
pub fn encode(doc: &Document) -> Result<String, DocumentError> {
    let json = serde_json::to_string(doc).map_err(|e| err(e.to_string()))?;
    let deflated = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    let fragment = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(deflated));
    if fragment.len() > FRAGMENT_CHARS_MAX {
        return Err(err(format!(
            "this setup is too large to share as a link ({} KB compressed; links hold {} KB): export it as a file instead",
            fragment.len() / 1024,
            FRAGMENT_CHARS_MAX / 1024
        )));
    }
    Ok(fragment)
}

/// The document a fragment (with or without `#`) carries.
pub fn decode(fragment: &str) -> Result<Document, DocumentError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some(data) = fragment
        .split('&')
        .find_map(|part| part.strip_prefix(PREFIX))
    else {
        return Err(err("this link carries no Warren setup (no #doc=…)"));
    };
    if data.len() > FRAGMENT_CHARS_MAX * 2 {
        return Err(err("this link is too long to be a Warren setup"));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| err("this link is damaged (it is not valid base64url); was it cut short?"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, INFLATED_BYTES_MAX)
        .map_err(|e| {
            if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
                err("this link expands to more than 1 MB; refusing it")
            } else {
                err("this link is damaged (it does not decompress); was it cut short?")
            }
        })?;
    let text = String::from_utf8(json).map_err(|_| err("this link is damaged (not UTF-8 text)"))?;
    Document::parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let doc =
            Document::parse(r#"{"warren":1,"title":"t","queues":[{"name":"hello"}]}"#).unwrap();
        let fragment = encode(&doc).unwrap();
        assert!(fragment.starts_with("doc="));
        assert_eq!(decode(&format!("#{fragment}")).unwrap(), doc);
        let cut = &fragment[..fragment.len() / 2];
        assert!(decode(cut).is_err());
        assert!(decode("#doc=!!!")
            .unwrap_err()
            .to_string()
            .contains("damaged"));
        assert!(decode("#nothing")
            .unwrap_err()
            .to_string()
            .contains("no Warren setup"));
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 << 20], 9);
        let fragment = format!("doc={}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(decode(&fragment)
            .unwrap_err()
            .to_string()
            .contains("more than 1 MB"));
    }
}
