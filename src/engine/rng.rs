//! The engine's only source of randomness: a seeded SplitMix64 generator.
//!
//! RabbitMQ draws server-generated queue names (`amq.gen-…`) and consumer
//! tags (`amq.ctag-…`) from a secure random source. Warren draws them from
//! this generator instead, so the same seed yields the same names and the
//! same run, natively and in WebAssembly (the generator uses only `u64`
//! arithmetic, never `usize`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SeededRng {
    state: u64,
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl SeededRng {
    pub fn new(seed: u64) -> SeededRng {
        SeededRng { state: seed }
    }

    /// The next 64 random bits (SplitMix64, Steele, Lea and Flood 2014).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` (bound > 0), without modulo bias worth caring about
    /// for a simulator (bound is always tiny compared to 2^64).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        self.next_u64() % bound
    }

    /// A server-generated name in RabbitMQ's shape: `prefix` + `-` + 22
    /// base64url characters (16 random bytes, unpadded), e.g.
    /// `amq.gen-JzTY20BRgKO-HjmUJj0wLg`.
    pub fn generated_name(&mut self, prefix: &str) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        let mut out = String::with_capacity(prefix.len() + 23);
        out.push_str(prefix);
        out.push('-');
        // 128 bits -> 22 base64 digits (the last one carries 2 bits).
        let mut acc: u32 = 0;
        let mut bits = 0;
        for b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 6 {
                bits -= 6;
                out.push(BASE64URL[((acc >> bits) & 63) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(BASE64URL[((acc << (6 - bits)) & 63) as usize] as char);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn generated_names_have_rabbitmq_shape() {
        let mut rng = SeededRng::new(1);
        let name = rng.generated_name("amq.gen");
        assert!(name.starts_with("amq.gen-"));
        assert_eq!(name.len(), "amq.gen-".len() + 22);
        assert!(name["amq.gen-".len()..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(name, rng.generated_name("amq.gen"));
    }
}
