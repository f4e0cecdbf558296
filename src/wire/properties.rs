//! The fourteen basic properties of a message, as a content header
//! carries them.
//!
//! A content header's property list starts with a 16-bit *flags* word:
//! one bit per property, from bit 15 (`content-type`) down to bit 2
//! (`cluster-id`); then, in the same order, the value of each property
//! whose bit is set. Bit 0 is the specification's "continuation" bit and
//! bit 1 is unused:
//!
//! | bit | property | type |
//! |---|---|---|
//! | 15 | content-type | shortstr |
//! | 14 | content-encoding | shortstr |
//! | 13 | headers | table |
//! | 12 | delivery-mode | octet |
//! | 11 | priority | octet |
//! | 10 | correlation-id | shortstr |
//! | 9 | reply-to | shortstr |
//! | 8 | expiration | shortstr |
//! | 7 | message-id | shortstr |
//! | 6 | timestamp | timestamp |
//! | 5 | type | shortstr |
//! | 4 | user-id | shortstr |
//! | 3 | app-id | shortstr |
//! | 2 | cluster-id | shortstr |
//!
//! RabbitMQ ignores bits 1 and 0 when it reads the flags, and then insists
//! that the property list ends exactly after the last property: so a
//! continuation bit with a second flags word fails (as trailing bytes),
//! while a stray continuation bit alone does not.
//!
//! RabbitMQ decodes the properties of a publish *late*: when its channel
//! handles the complete message, after the exchange is found. It stores
//! and forwards the bytes it received. [`EncodedProperties`] keeps those
//! bytes, so the connection layer can decode them at that moment; a
//! failure then closes the connection with 541 `INTERNAL_ERROR` (the
//! channel process crashes).

use crate::engine::message::Properties;
use crate::wire::error::EncodeError;
use crate::wire::field_table::{decode_table, encode_table, TableError};
use crate::wire::primitives::{Truncated, WireReader, WireWriter};

/// The property names in flag order, bit 15 first.
pub const PROPERTY_NAMES: [&str; 14] = [
    "content-type",
    "content-encoding",
    "headers",
    "delivery-mode",
    "priority",
    "correlation-id",
    "reply-to",
    "expiration",
    "message-id",
    "timestamp",
    "type",
    "user-id",
    "app-id",
    "cluster-id",
];

/// The flags bit of the `index`-th property (0 is `content-type`).
fn flag(index: usize) -> u16 {
    1 << (15 - index)
}

/// Why a property list could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertiesError {
    /// The flags word is missing or a property runs past the end.
    Truncated { property: &'static str },
    /// Bytes follow the last property.
    TrailingBytes { count: usize },
    /// The `headers` table is malformed (or holds what Warren cannot).
    Headers(TableError),
    /// A short string property that is not UTF-8 (Warren's limit: the
    /// engine holds them as `String`; RabbitMQ accepts any bytes).
    NotUtf8 { property: &'static str },
}

impl PropertiesError {
    /// Whether RabbitMQ would have accepted the properties and only Warren
    /// cannot hold them.
    pub fn is_warren_limit(self) -> bool {
        match self {
            PropertiesError::NotUtf8 { .. } => true,
            PropertiesError::Headers(table) => table.is_warren_limit(),
            _ => false,
        }
    }
}

/// The `index`-th property, read by `read` if its flag is set.
fn optional<'a, T>(
    reader: &mut WireReader<'a>,
    flags: u16,
    index: usize,
    read: impl FnOnce(&mut WireReader<'a>) -> Result<T, Truncated>,
) -> Result<Option<T>, PropertiesError> {
    if flags & flag(index) == 0 {
        return Ok(None);
    }
    let property = PROPERTY_NAMES[index];
    read(reader)
        .map(Some)
        .map_err(|_| PropertiesError::Truncated { property })
}

/// Decodes a property list (the flags word and the properties).
pub fn decode_properties(bytes: &[u8]) -> Result<Properties, PropertiesError> {
    let mut reader = WireReader::new(bytes);
    let flags = reader.short().map_err(|_| PropertiesError::Truncated {
        property: "property flags",
    })?;
    // Short strings are read in flag order; a UTF-8 problem is reported
    // only if the list is otherwise whole, as RabbitMQ would have crashed
    // on a malformed list first.
    let mut not_utf8 = None;
    let mut shortstr =
        |reader: &mut WireReader<'_>, index: usize| -> Result<Option<String>, PropertiesError> {
            let Some(bytes) = optional(reader, flags, index, WireReader::shortstr)? else {
                return Ok(None);
            };
            Ok(Some(match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => {
                    let property = PROPERTY_NAMES[index];
                    not_utf8.get_or_insert(PropertiesError::NotUtf8 { property });
                    String::from_utf8_lossy(bytes).into_owned()
                }
            }))
        };
    // Every property in flag order, each read only if its flag is set.
    let mut p = Properties::default();
    p.content_type = shortstr(&mut reader, 0)?;
    p.content_encoding = shortstr(&mut reader, 1)?;
    let headers = optional(&mut reader, flags, 2, WireReader::longstr)?;
    p.delivery_mode = optional(&mut reader, flags, 3, WireReader::octet)?;
    p.priority = optional(&mut reader, flags, 4, WireReader::octet)?;
    p.correlation_id = shortstr(&mut reader, 5)?;
    p.reply_to = shortstr(&mut reader, 6)?;
    p.expiration = shortstr(&mut reader, 7)?;
    p.message_id = shortstr(&mut reader, 8)?;
    p.timestamp = optional(&mut reader, flags, 9, WireReader::longlong)?;
    p.kind = shortstr(&mut reader, 10)?;
    p.user_id = shortstr(&mut reader, 11)?;
    p.app_id = shortstr(&mut reader, 12)?;
    p.cluster_id = shortstr(&mut reader, 13)?;
    reader
        .finish()
        .map_err(|t| PropertiesError::TrailingBytes { count: t.count })?;
    // The table is parsed after the layout is known to be right, like
    // the generated decoder's binary match followed by `parse_table`.
    if let Some(bytes) = headers {
        p.headers = Some(decode_table(bytes).map_err(PropertiesError::Headers)?);
    }
    if let Some(error) = not_utf8 {
        return Err(error);
    }
    Ok(p)
}

/// Appends a property list: the flags word, then each property that is
/// set. RabbitMQ writes 0 into bits 1 and 0, and so does Warren.
pub fn encode_properties(properties: &Properties, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let p = properties;
    let set = [
        p.content_type.is_some(),
        p.content_encoding.is_some(),
        p.headers.is_some(),
        p.delivery_mode.is_some(),
        p.priority.is_some(),
        p.correlation_id.is_some(),
        p.reply_to.is_some(),
        p.expiration.is_some(),
        p.message_id.is_some(),
        p.timestamp.is_some(),
        p.kind.is_some(),
        p.user_id.is_some(),
        p.app_id.is_some(),
        p.cluster_id.is_some(),
    ];
    let flags = set
        .iter()
        .enumerate()
        .filter(|(_, &is_set)| is_set)
        .fold(0u16, |flags, (index, _)| flags | flag(index));
    let mut writer = WireWriter::new(out);
    writer.short(flags);
    let shortstr = |writer: &mut WireWriter<'_>, index: usize, value: &Option<String>| match value {
        Some(text) => writer.shortstr(PROPERTY_NAMES[index], text.as_bytes()),
        None => Ok(()),
    };
    shortstr(&mut writer, 0, &p.content_type)?;
    shortstr(&mut writer, 1, &p.content_encoding)?;
    if let Some(headers) = &p.headers {
        encode_table(headers, &mut writer)?;
    }
    if let Some(mode) = p.delivery_mode {
        writer.octet(mode);
    }
    if let Some(priority) = p.priority {
        writer.octet(priority);
    }
    shortstr(&mut writer, 5, &p.correlation_id)?;
    shortstr(&mut writer, 6, &p.reply_to)?;
    shortstr(&mut writer, 7, &p.expiration)?;
    shortstr(&mut writer, 8, &p.message_id)?;
    if let Some(timestamp) = p.timestamp {
        writer.longlong(timestamp);
    }
    shortstr(&mut writer, 10, &p.kind)?;
    shortstr(&mut writer, 11, &p.user_id)?;
    shortstr(&mut writer, 12, &p.app_id)?;
    shortstr(&mut writer, 13, &p.cluster_id)?;
    Ok(())
}

/// A property list as it arrived (or as it will be sent): RabbitMQ keeps
/// these bytes and forwards them unchanged, and decodes them only when the
/// channel handles the publish.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncodedProperties(Vec<u8>);

impl EncodedProperties {
    /// The bytes as received (not checked).
    pub fn from_bytes(bytes: Vec<u8>) -> EncodedProperties {
        EncodedProperties(bytes)
    }

    /// Encodes `properties`.
    pub fn encode(properties: &Properties) -> Result<EncodedProperties, EncodeError> {
        let mut bytes = Vec::new();
        encode_properties(properties, &mut bytes)?;
        Ok(EncodedProperties(bytes))
    }

    /// Decodes the properties (see [`decode_properties`]).
    pub fn decode(&self) -> Result<Properties, PropertiesError> {
        decode_properties(&self.0)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_properties_are_a_zero_flags_word() {
        let mut out = Vec::new();
        encode_properties(&Properties::default(), &mut out).unwrap();
        assert_eq!(out, [0, 0]);
        assert_eq!(decode_properties(&out), Ok(Properties::default()));
    }

    #[test]
    fn continuation_bit_is_ignored_but_a_second_word_is_trailing() {
        assert_eq!(decode_properties(&[0, 1]), Ok(Properties::default()));
        assert_eq!(
            decode_properties(&[0, 1, 0, 0]),
            Err(PropertiesError::TrailingBytes { count: 2 })
        );
        // `headers` flagged but absent (recording fr_header_bad_props).
        assert_eq!(
            decode_properties(&[0x20, 0]),
            Err(PropertiesError::Truncated {
                property: "headers"
            })
        );
        assert_eq!(
            decode_properties(&[]),
            Err(PropertiesError::Truncated {
                property: "property flags"
            })
        );
    }

    #[test]
    fn non_utf8_is_reported_after_the_layout() {
        // content-type 0xff, then a truncated priority: truncation first.
        assert_eq!(
            decode_properties(&[0x88, 0, 1, 0xff]),
            Err(PropertiesError::Truncated {
                property: "priority"
            })
        );
        assert_eq!(
            decode_properties(&[0x80, 0, 1, 0xff]),
            Err(PropertiesError::NotUtf8 {
                property: "content-type"
            })
        );
    }
}
