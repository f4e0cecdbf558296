//! Field tables, arrays and values: the typed data of `arguments` and of
//! message `headers`.
//!
//! A table is a `long` byte length, then entries back to back, each a
//! shortstr key, a type octet and the value; an array is the same without
//! keys. The types RabbitMQ 3.10 reads (`rabbit_binary_parser`), and the
//! engine's [`FieldValue`] for each:
//!
//! | octet | value | `FieldValue` |
//! |---|---|---|
//! | `t` | octet, non-zero is true | `Bool` |
//! | `b` / `B` | signed / unsigned 8-bit | `Byte` / `UnsignedByte` |
//! | `s` / `u` | signed / unsigned 16-bit | `Short` / `UnsignedShort` |
//! | `I` / `i` | signed / unsigned 32-bit | `Int` / `UnsignedInt` |
//! | `l`, `L` | signed 64-bit (RabbitMQ reads `L` as signed too) | `Long` |
//! | `f` / `d` | IEEE 754 32 / 64-bit | `Float` / `Double` |
//! | `D` | scale octet, unsigned 32-bit value | `Decimal` |
//! | `S` | longstr | `LongStr` |
//! | `x` | longstr of bytes | `Binary` |
//! | `T` | unsigned 64-bit seconds | `Timestamp` |
//! | `F` / `A` | nested table / array | `Table` / `Array` |
//! | `V` | nothing | `Void` |
//!
//! # What is kept, and what is not
//! Decoding keeps each value's type, so re-encoding gives the same bytes
//! in the common case. Three things do not survive, because the engine's
//! [`FieldTable`] is a map sorted by key:
//! - a table whose keys were not in sorted order on the wire is re-encoded
//!   sorted (RabbitMQ itself sorts the headers it re-encodes when it
//!   dead-letters a message);
//! - of two entries with the same key, the last one wins;
//! - `L` becomes `l`, and a `t` octet other than 0 or 1 becomes 1 (RabbitMQ
//!   does the same on re-encoding).
//!
//! # Errors
//! RabbitMQ's parser has no fallback clause: an unknown type octet (`U`,
//! the specification's signed short, included), a value that runs past
//! the end of its table, or a float that is NaN or infinite (an Erlang
//! float cannot be either, so the binary match fails) crashes it. In method
//! arguments that resets the connection; in message headers it closes the
//! connection with 541 (see [`WireError`](crate::wire::WireError)).
//!
//! Two further errors are Warren's own limits, not RabbitMQ's: keys and
//! `S` strings must be UTF-8 (the engine holds them as `String`), and
//! tables and arrays nest at most [`NESTING_DEPTH_MAX`] deep. They are
//! reported only when nothing is structurally wrong with the table, since
//! RabbitMQ would have crashed on that first.

use crate::engine::value::{FieldTable, FieldValue};
use crate::wire::error::EncodeError;
use crate::wire::primitives::{Truncated, WireReader, WireWriter};

/// How deep tables and arrays may nest (the outermost table is level 1).
pub const NESTING_DEPTH_MAX: usize = 64;

/// Why a table could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// A type octet RabbitMQ does not know.
    UnknownType { type_octet: u8 },
    /// A key or value runs past the end of its table or array.
    Truncated,
    /// An `f` or `d` value that is NaN or infinite.
    NonFiniteFloat { type_octet: u8 },
    /// A key or `S` value that is not UTF-8 (Warren's limit).
    NotUtf8 { what: &'static str },
    /// Nested deeper than [`NESTING_DEPTH_MAX`] (Warren's limit).
    NestedTooDeep,
}

impl TableError {
    /// Whether RabbitMQ would have accepted the table and only Warren
    /// cannot hold it.
    pub fn is_warren_limit(self) -> bool {
        matches!(self, TableError::NotUtf8 { .. } | TableError::NestedTooDeep)
    }
}

impl From<Truncated> for TableError {
    fn from(_: Truncated) -> TableError {
        TableError::Truncated
    }
}

/// Decodes a table's entries (`bytes` is what follows its length).
pub fn decode_table(bytes: &[u8]) -> Result<FieldTable, TableError> {
    let mut decoder = TableDecoder::default();
    let table = decoder.table(bytes, 1)?;
    decoder.finish(table)
}

/// Decodes an array's values (`bytes` is what follows its length).
pub fn decode_array(bytes: &[u8]) -> Result<Vec<FieldValue>, TableError> {
    let mut decoder = TableDecoder::default();
    let array = decoder.array(bytes, 1)?;
    decoder.finish(array)
}

/// Reads tables recursively. Structural errors stop it at once; a Warren
/// limit is remembered and reported at the end, so that a structural error
/// later in the table (RabbitMQ's crash) takes precedence.
#[derive(Default)]
struct TableDecoder {
    first_limit: Option<TableError>,
}

impl TableDecoder {
    fn finish<T>(self, decoded: T) -> Result<T, TableError> {
        match self.first_limit {
            Some(limit) => Err(limit),
            None => Ok(decoded),
        }
    }

    fn note_limit(&mut self, limit: TableError) {
        self.first_limit.get_or_insert(limit);
    }

    fn text(&mut self, bytes: &[u8], what: &'static str) -> String {
        match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                self.note_limit(TableError::NotUtf8 { what });
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
    }

    fn table(&mut self, bytes: &[u8], depth: usize) -> Result<FieldTable, TableError> {
        let mut reader = WireReader::new(bytes);
        let mut table = FieldTable::new();
        while !reader.is_at_end() {
            let key = reader.shortstr()?;
            let key = self.text(key, "table key");
            let value = self.value(&mut reader, depth)?;
            table.insert(key, value);
        }
        Ok(table)
    }

    fn array(&mut self, bytes: &[u8], depth: usize) -> Result<Vec<FieldValue>, TableError> {
        let mut reader = WireReader::new(bytes);
        let mut values = Vec::new();
        while !reader.is_at_end() {
            values.push(self.value(&mut reader, depth)?);
        }
        Ok(values)
    }

    /// A nested table or array's bytes at `depth + 1`, or `None` when that
    /// is too deep (the bytes are skipped: their length is known).
    fn nested<'a>(
        &mut self,
        reader: &mut WireReader<'a>,
        depth: usize,
    ) -> Result<Option<&'a [u8]>, TableError> {
        let bytes = reader.longstr()?;
        if depth >= NESTING_DEPTH_MAX {
            self.note_limit(TableError::NestedTooDeep);
            return Ok(None);
        }
        Ok(Some(bytes))
    }

    fn value(
        &mut self,
        reader: &mut WireReader<'_>,
        depth: usize,
    ) -> Result<FieldValue, TableError> {
        let type_octet = reader.octet()?;
        let non_finite = TableError::NonFiniteFloat { type_octet };
        Ok(match type_octet {
            b't' => FieldValue::Bool(reader.octet()? != 0),
            b'b' => FieldValue::Byte(i8::from_be_bytes([reader.octet()?])),
            b'B' => FieldValue::UnsignedByte(reader.octet()?),
            b's' => FieldValue::Short(reader.short()? as i16),
            b'u' => FieldValue::UnsignedShort(reader.short()?),
            b'I' => FieldValue::Int(reader.long()? as i32),
            b'i' => FieldValue::UnsignedInt(reader.long()?),
            b'l' | b'L' => FieldValue::Long(reader.longlong()? as i64),
            b'f' => {
                let value = f32::from_bits(reader.long()?);
                if !value.is_finite() {
                    return Err(non_finite);
                }
                FieldValue::Float(value)
            }
            b'd' => {
                let value = f64::from_bits(reader.longlong()?);
                if !value.is_finite() {
                    return Err(non_finite);
                }
                FieldValue::Double(value)
            }
            b'D' => {
                let scale = reader.octet()?;
                let value = reader.long()?;
                FieldValue::Decimal { scale, value }
            }
            b'S' => {
                let bytes = reader.longstr()?;
                FieldValue::LongStr(self.text(bytes, "longstr value"))
            }
            b'x' => FieldValue::Binary(reader.longstr()?.to_vec()),
            b'T' => FieldValue::Timestamp(reader.longlong()?),
            b'F' => match self.nested(reader, depth)? {
                Some(bytes) => FieldValue::Table(self.table(bytes, depth + 1)?),
                None => FieldValue::Table(FieldTable::new()),
            },
            b'A' => match self.nested(reader, depth)? {
                Some(bytes) => FieldValue::Array(self.array(bytes, depth + 1)?),
                None => FieldValue::Array(Vec::new()),
            },
            b'V' => FieldValue::Void,
            _ => return Err(TableError::UnknownType { type_octet }),
        })
    }
}

/// Appends a table with its length.
pub fn encode_table(table: &FieldTable, writer: &mut WireWriter<'_>) -> Result<(), EncodeError> {
    encode_table_at(table, writer, 1)
}

/// Appends an array with its length.
pub fn encode_array(values: &[FieldValue], writer: &mut WireWriter<'_>) -> Result<(), EncodeError> {
    encode_array_at(values, writer, 1)
}

fn encode_table_at(
    table: &FieldTable,
    writer: &mut WireWriter<'_>,
    depth: usize,
) -> Result<(), EncodeError> {
    if depth > NESTING_DEPTH_MAX {
        return Err(EncodeError::NestedTooDeep);
    }
    writer.length_prefixed("table", |writer| {
        for (key, value) in table {
            writer.shortstr("table key", key.as_bytes())?;
            encode_value(value, writer, depth)?;
        }
        Ok(())
    })
}

fn encode_array_at(
    values: &[FieldValue],
    writer: &mut WireWriter<'_>,
    depth: usize,
) -> Result<(), EncodeError> {
    if depth > NESTING_DEPTH_MAX {
        return Err(EncodeError::NestedTooDeep);
    }
    writer.length_prefixed("array", |writer| {
        values
            .iter()
            .try_for_each(|value| encode_value(value, writer, depth))
    })
}

/// The octet that names a value's type on the wire
/// (`rabbit_binary_generator`).
fn type_octet(value: &FieldValue) -> u8 {
    match value {
        FieldValue::Void => b'V',
        FieldValue::Bool(_) => b't',
        FieldValue::Byte(_) => b'b',
        FieldValue::UnsignedByte(_) => b'B',
        FieldValue::Short(_) => b's',
        FieldValue::UnsignedShort(_) => b'u',
        FieldValue::Int(_) => b'I',
        FieldValue::UnsignedInt(_) => b'i',
        FieldValue::Long(_) => b'l',
        FieldValue::Float(_) => b'f',
        FieldValue::Double(_) => b'd',
        FieldValue::Decimal { .. } => b'D',
        FieldValue::LongStr(_) => b'S',
        FieldValue::Binary(_) => b'x',
        FieldValue::Timestamp(_) => b'T',
        FieldValue::Table(_) => b'F',
        FieldValue::Array(_) => b'A',
    }
}

/// Appends a value: its type octet, then the value in that type's layout.
fn encode_value(
    value: &FieldValue,
    writer: &mut WireWriter<'_>,
    depth: usize,
) -> Result<(), EncodeError> {
    writer.octet(type_octet(value));
    match value {
        FieldValue::Void => {}
        FieldValue::Bool(b) => writer.octet(u8::from(*b)),
        FieldValue::Byte(v) => writer.bytes(&v.to_be_bytes()),
        FieldValue::UnsignedByte(v) => writer.octet(*v),
        FieldValue::Short(v) => writer.bytes(&v.to_be_bytes()),
        FieldValue::UnsignedShort(v) => writer.short(*v),
        FieldValue::Int(v) => writer.bytes(&v.to_be_bytes()),
        FieldValue::UnsignedInt(v) => writer.long(*v),
        FieldValue::Long(v) => writer.bytes(&v.to_be_bytes()),
        FieldValue::Float(v) => writer.long(v.to_bits()),
        FieldValue::Double(v) => writer.longlong(v.to_bits()),
        FieldValue::Decimal { scale, value } => {
            writer.octet(*scale);
            writer.long(*value);
        }
        FieldValue::LongStr(s) => writer.longstr("longstr value", s.as_bytes())?,
        FieldValue::Binary(bytes) => writer.longstr("binary value", bytes)?,
        FieldValue::Timestamp(t) => writer.longlong(*t),
        FieldValue::Table(table) => encode_table_at(table, writer, depth + 1)?,
        FieldValue::Array(values) => encode_array_at(values, writer, depth + 1)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(table: &FieldTable) -> Vec<u8> {
        let mut out = Vec::new();
        encode_table(table, &mut WireWriter::new(&mut out)).unwrap();
        out
    }

    #[test]
    fn l_upper_reads_as_signed_long() {
        // 2^63 + 5 as `L`: RabbitMQ lists it as long -9223372036854775803.
        let mut bytes = vec![1, b'n', b'L'];
        bytes.extend_from_slice(&(9_223_372_036_854_775_813u64).to_be_bytes());
        let table = decode_table(&bytes).unwrap();
        assert_eq!(table["n"], FieldValue::Long(-9_223_372_036_854_775_803));
    }

    #[test]
    fn structural_errors_win_over_warren_limits() {
        // A non-UTF-8 key, then an unknown type.
        let bytes = [1, 0xff, b'V', 1, b'k', b'U', 0, 1];
        assert_eq!(
            decode_table(&bytes),
            Err(TableError::UnknownType { type_octet: b'U' })
        );
        let bytes = [1, 0xff, b'V'];
        assert_eq!(
            decode_table(&bytes),
            Err(TableError::NotUtf8 { what: "table key" })
        );
    }

    #[test]
    fn nan_and_infinity_do_not_decode() {
        let mut bytes = vec![1, b'd', b'd'];
        bytes.extend_from_slice(&f64::NAN.to_bits().to_be_bytes());
        assert_eq!(
            decode_table(&bytes),
            Err(TableError::NonFiniteFloat { type_octet: b'd' })
        );
        let mut bytes = vec![1, b'f', b'f'];
        bytes.extend_from_slice(&f32::INFINITY.to_bits().to_be_bytes());
        assert_eq!(
            decode_table(&bytes),
            Err(TableError::NonFiniteFloat { type_octet: b'f' })
        );
    }

    #[test]
    fn nesting_is_bounded_both_ways() {
        let mut value = FieldValue::Void;
        for _ in 0..NESTING_DEPTH_MAX {
            value = FieldValue::Array(vec![value]);
        }
        let mut table = FieldTable::new();
        table.insert("deep".into(), value.clone());
        // The outer table is level 1, so 64 arrays inside it is one too many.
        let mut out = Vec::new();
        assert_eq!(
            encode_table(&table, &mut WireWriter::new(&mut out)),
            Err(EncodeError::NestedTooDeep)
        );
        if let FieldValue::Array(inner) = value {
            table.insert("deep".into(), inner[0].clone());
        }
        let bytes = encoded(&table);
        assert_eq!(decode_table(&bytes[4..]), Ok(table));
        // Hand-made: 65 levels.
        let mut nested: Vec<u8> = Vec::new();
        for _ in 0..NESTING_DEPTH_MAX {
            let mut outer = vec![b'A'];
            outer.extend_from_slice(&(nested.len() as u32).to_be_bytes());
            outer.extend_from_slice(&nested);
            nested = outer;
        }
        let mut bytes = vec![1, b'k'];
        bytes.extend_from_slice(&nested);
        assert_eq!(decode_table(&bytes), Err(TableError::NestedTooDeep));
    }
}
