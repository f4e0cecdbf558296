//! Virtual time: the only notion of "now" the engine has.
//!
//! Time is a count of milliseconds since the broker was created. Nothing
//! reads a wall clock, so a run replays identically, and a test can jump over
//! a 30-minute TTL in no time at all. AMQP timestamps (the `x-death` header's
//! `time`, for instance) are derived from [`Clock::unix_seconds`], an epoch
//! fixed by the broker's configuration.

use serde::{Deserialize, Serialize};

/// A point or span of virtual time in milliseconds.
pub type Millis = u64;

/// The broker's virtual clock.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Clock {
    /// Milliseconds since the broker was created.
    now: Millis,
    /// Unix time (seconds) that virtual time zero corresponds to; only used to
    /// stamp AMQP timestamps so they look like real ones.
    epoch_unix_seconds: u64,
}

impl Clock {
    pub fn new(epoch_unix_seconds: u64) -> Clock {
        Clock {
            now: 0,
            epoch_unix_seconds,
        }
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// Moves time forward to `to`; time never goes backwards.
    pub fn advance_to(&mut self, to: Millis) {
        self.now = self.now.max(to);
    }

    /// The current virtual time as an AMQP (Unix, seconds) timestamp.
    pub fn unix_seconds(&self) -> u64 {
        self.epoch_unix_seconds.saturating_add(self.now / 1000)
    }

    /// The current virtual time as Unix milliseconds: when a stream entry
    /// is written, as osiris stamps its chunks (`erlang:system_time(millisecond)`).
    pub fn unix_millis(&self) -> u64 {
        self.epoch_unix_seconds
            .saturating_mul(1000)
            .saturating_add(self.now)
    }
}
