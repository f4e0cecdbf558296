//! Bounded numbers: the values a person, a document, a tutorial or the JS
//! API gives the simulation, checked once where they come in.
//!
//! A share link or a form can carry any number. Each kind of number here
//! has a range and refuses anything outside it with a message that says the
//! range (`expected an integer 0..65535, got 70000`), so the code that uses
//! it never meets a value it cannot handle — a work time of `u64::MAX`
//! virtual ms is refused here instead of overflowing `now + work` later.
//! Arithmetic on virtual time outside the engine saturates all the same.

use crate::engine::clock::Millis;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! bounded {
    ($(#[$doc:meta])* $name:ident($repr:ty), $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name($repr);

        impl $name {
            pub const MIN: $repr = $min;
            pub const MAX: $repr = $max;

            /// The value, if it is in range; else why not.
            pub fn new(value: u64) -> Result<$name, BoundError> {
                if (Self::MIN as u64..=Self::MAX as u64).contains(&value) {
                    Ok($name(value as $repr))
                } else {
                    Err(BoundError { min: Self::MIN as u64, max: Self::MAX as u64, got: value.to_string() })
                }
            }

            /// The value from a JavaScript number (which may be negative,
            /// fractional, NaN or infinite).
            pub fn from_f64(value: f64) -> Result<$name, BoundError> {
                if value.fract() == 0.0 && value >= 0.0 && value <= u64::MAX as f64 {
                    $name::new(value as u64)
                } else {
                    Err(BoundError { min: Self::MIN as u64, max: Self::MAX as u64, got: value.to_string() })
                }
            }

            pub fn get(self) -> $repr {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let v = serde_json::Value::deserialize(d)?;
                match v.as_u64() {
                    Some(n) => $name::new(n).map_err(de::Error::custom),
                    None => Err(de::Error::custom(BoundError {
                        min: Self::MIN as u64,
                        max: Self::MAX as u64,
                        got: v.to_string(),
                    })),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

/// A year of virtual time: the longest wait, work time or interval.
pub const YEAR_MS: Millis = 365 * 24 * 3_600_000;

bounded!(
    /// Virtual milliseconds an actor works, waits or repeats after: 0 up to
    /// a year.
    VirtualMs(Millis), 0, YEAR_MS
);

bounded!(
    /// basic.qos prefetch_count (0 = no limit): a 16-bit field on the wire.
    Prefetch(u16), 0, u16::MAX
);

bounded!(
    /// RabbitMQ's `consumer_timeout` in virtual ms: 1 (its `rabbitmq.conf`
    /// schema takes a positive integer) up to a year, the longest span of
    /// virtual time anything here waits. "No timeout" is `None` beside it.
    ConsumerTimeoutMs(Millis), 1, YEAR_MS
);

bounded!(
    /// How many messages one publish command sends: 1 to 10,000.
    PublishCount(u32), 1, 10_000
);

/// A number outside its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundError {
    pub min: u64,
    pub max: u64,
    /// The value given, as written.
    pub got: String,
}

impl fmt::Display for BoundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected an integer {}..{}, got {}",
            self.min, self.max, self.got
        )
    }
}

impl std::error::Error for BoundError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_at_the_edges() {
        assert_eq!(Prefetch::new(65_535).unwrap().get(), 65_535);
        assert_eq!(
            Prefetch::new(65_536).unwrap_err().to_string(),
            "expected an integer 0..65535, got 65536"
        );
        assert!(VirtualMs::new(YEAR_MS).is_ok());
        assert!(VirtualMs::new(YEAR_MS + 1).is_err());
        assert!(PublishCount::new(0).is_err());
        assert!(VirtualMs::from_f64(f64::NAN).is_err());
        assert!(VirtualMs::from_f64(-1.0).is_err());
        assert!(VirtualMs::from_f64(1.5).is_err());
        assert!(VirtualMs::from_f64(f64::INFINITY).is_err());
        let e = serde_json::from_str::<Prefetch>("70000").unwrap_err();
        assert_eq!(e.to_string(), "expected an integer 0..65535, got 70000");
        assert!(serde_json::from_str::<Prefetch>("\"1\"").is_err());
        assert!(serde_json::from_str::<Prefetch>("-1").is_err());
    }
}
