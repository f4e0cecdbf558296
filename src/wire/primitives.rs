//! AMQP's primitive types, read from and written to bytes.
//!
//! Everything on the wire is built from a handful of types, all big-endian
//! (network order):
//!
//! | type        | bytes | notes |
//! |-------------|-------|-------|
//! | octet       | 1     | |
//! | short       | 2     | unsigned 16-bit |
//! | long        | 4     | unsigned 32-bit |
//! | longlong    | 8     | unsigned 64-bit; a timestamp is one too (seconds) |
//! | bit         | —     | consecutive bit arguments share octets, first bit in the lowest position |
//! | shortstr    | 1 + n | a length octet, then at most 255 bytes |
//! | longstr     | 4 + n | a length long, then the bytes |
//! | table       | 4 + n | a length long, then the entries (see `field_table.rs`) |
//!
//! [`WireReader`] is a cursor over a byte slice that never reads past its
//! end: every read checks first and fails with [`Truncated`], so no length
//! a peer sends can make it panic or allocate. [`WireWriter`] appends to a
//! `Vec<u8>` and refuses what cannot be encoded (a short string over 255
//! bytes) instead of cutting it.

use crate::wire::error::EncodeError;

/// A read ran past the end of the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncated;

/// Bytes were left over after the last field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrailingBytes {
    pub count: usize,
}

/// One octet of packed bit arguments: bit `i` is the `i`-th argument of
/// the group (the specification packs the first in the lowest bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bits(pub u8);

impl Bits {
    /// Packs up to eight flags, the first into the lowest bit.
    pub fn pack(flags: &[bool]) -> Bits {
        Bits(
            flags
                .iter()
                .take(8)
                .enumerate()
                .fold(0u8, |octet, (i, &set)| octet | (u8::from(set) << i)),
        )
    }

    /// The `index`-th flag of the group (false beyond the eighth).
    pub fn get(self, index: u32) -> bool {
        index < 8 && self.0 & (1 << index) != 0
    }
}

/// A cursor over bytes that reads AMQP primitives front to back.
#[derive(Clone, Debug)]
pub struct WireReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> WireReader<'a> {
    pub fn new(bytes: &'a [u8]) -> WireReader<'a> {
        WireReader { bytes, position: 0 }
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.bytes.get(self.position..).unwrap_or_default()
    }

    /// Whether every byte has been read.
    pub fn is_at_end(&self) -> bool {
        self.remaining().is_empty()
    }

    /// The next `count` bytes.
    pub fn take(&mut self, count: usize) -> Result<&'a [u8], Truncated> {
        let end = self.position.checked_add(count).ok_or(Truncated)?;
        let bytes = self.bytes.get(self.position..end).ok_or(Truncated)?;
        self.position = end;
        Ok(bytes)
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    pub fn octet(&mut self) -> Result<u8, Truncated> {
        self.take_array::<1>().map(|[b]| b)
    }

    pub fn short(&mut self) -> Result<u16, Truncated> {
        self.take_array().map(u16::from_be_bytes)
    }

    pub fn long(&mut self) -> Result<u32, Truncated> {
        self.take_array().map(u32::from_be_bytes)
    }

    pub fn longlong(&mut self) -> Result<u64, Truncated> {
        self.take_array().map(u64::from_be_bytes)
    }

    /// A group of packed bit arguments (one octet holds up to eight).
    pub fn bits(&mut self) -> Result<Bits, Truncated> {
        self.octet().map(Bits)
    }

    /// A short string's bytes (not checked for UTF-8 here: RabbitMQ checks
    /// only some of them, and only after the whole method is read).
    pub fn shortstr(&mut self) -> Result<&'a [u8], Truncated> {
        let length = self.octet()?;
        self.take(usize::from(length))
    }

    /// A long string's bytes, or any other `long`-length-prefixed field (a
    /// table, an array).
    pub fn longstr(&mut self) -> Result<&'a [u8], Truncated> {
        let length = self.long()?;
        // A u32 always fits a usize on the 32- and 64-bit targets Warren
        // builds for; `take` then checks the bytes are there.
        let length = usize::try_from(length).map_err(|_| Truncated)?;
        self.take(length)
    }

    /// Checks that nothing is left.
    pub fn finish(&self) -> Result<(), TrailingBytes> {
        match self.remaining().len() {
            0 => Ok(()),
            count => Err(TrailingBytes { count }),
        }
    }
}

/// Appends AMQP primitives to a buffer.
#[derive(Debug)]
pub struct WireWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> WireWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> WireWriter<'a> {
        WireWriter { out }
    }

    /// How many bytes the buffer holds (including what was there before).
    pub fn position(&self) -> usize {
        self.out.len()
    }

    pub fn octet(&mut self, value: u8) {
        self.out.push(value);
    }

    pub fn short(&mut self, value: u16) {
        self.out.extend_from_slice(&value.to_be_bytes());
    }

    pub fn long(&mut self, value: u32) {
        self.out.extend_from_slice(&value.to_be_bytes());
    }

    pub fn longlong(&mut self, value: u64) {
        self.out.extend_from_slice(&value.to_be_bytes());
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// A group of bit arguments packed into one octet.
    pub fn bits(&mut self, flags: &[bool]) {
        self.octet(Bits::pack(flags).0);
    }

    /// A short string; `field` names it in the error when it is over 255
    /// bytes (RabbitMQ refuses to send one too: `method_field_shortstr_overflow`).
    pub fn shortstr(&mut self, field: &'static str, text: &[u8]) -> Result<(), EncodeError> {
        let length = u8::try_from(text.len()).map_err(|_| EncodeError::ShortStrTooLong {
            field,
            length: text.len(),
        })?;
        self.octet(length);
        self.bytes(text);
        Ok(())
    }

    /// A long string.
    pub fn longstr(&mut self, field: &'static str, bytes: &[u8]) -> Result<(), EncodeError> {
        let length = u32::try_from(bytes.len()).map_err(|_| EncodeError::TooLong {
            field,
            length: bytes.len(),
        })?;
        self.long(length);
        self.bytes(bytes);
        Ok(())
    }

    /// A `long` length followed by what `write_body` writes: the length is
    /// reserved first and filled in afterwards, so a table is written in
    /// one pass.
    pub fn length_prefixed(
        &mut self,
        field: &'static str,
        write_body: impl FnOnce(&mut WireWriter<'_>) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        let length_at = self.out.len();
        self.long(0);
        write_body(self)?;
        let length = self.out.len() - length_at - 4;
        let length = u32::try_from(length).map_err(|_| EncodeError::TooLong { field, length })?;
        if let Some(slot) = self.out.get_mut(length_at..length_at + 4) {
            slot.copy_from_slice(&length.to_be_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_never_run_past_the_end() {
        let mut r = WireReader::new(&[0, 1, 2]);
        assert_eq!(r.short(), Ok(1));
        assert_eq!(r.long(), Err(Truncated));
        // A failed read consumes nothing.
        assert_eq!(r.octet(), Ok(2));
        assert!(r.is_at_end());
        let mut r = WireReader::new(&[0xff, 0xff, 0xff, 0xff, 1]);
        assert_eq!(r.longstr(), Err(Truncated));
        let mut r = WireReader::new(&[3, b'a', b'b']);
        assert_eq!(r.shortstr(), Err(Truncated));
    }

    #[test]
    fn bits_pack_first_argument_lowest() {
        assert_eq!(Bits::pack(&[true, false, true]).0, 0b101);
        assert!(Bits(0b100).get(2));
        assert!(!Bits(0xff).get(8));
    }

    #[test]
    fn lengths_are_filled_in_afterwards() {
        let mut out = vec![9];
        let mut w = WireWriter::new(&mut out);
        w.length_prefixed("table", |w| {
            w.bytes(b"abc");
            Ok(())
        })
        .unwrap();
        assert_eq!(out, [9, 0, 0, 0, 3, b'a', b'b', b'c']);
        let mut out = Vec::new();
        let long = [b'x'; 256];
        assert!(WireWriter::new(&mut out).shortstr("queue", &long).is_err());
    }
}
