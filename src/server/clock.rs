//! Virtual time that follows the wall clock.
//!
//! The engine only knows virtual milliseconds. The server maps the wall
//! clock onto them: virtual time runs `speed` times as fast as real time
//! from the moment the server started, so TTLs, queue expiries, commit
//! intervals and timers happen in real time (or faster, with `--speed`).
//! Heartbeats and handshake timeouts are about sockets, not the broker:
//! they stay on the wall clock (`wall_ms`).

use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct ServerClock {
    started: Instant,
    /// Virtual time at start (a booted broker's clock may be past 0).
    origin: u64,
    speed: f64,
}

impl ServerClock {
    pub fn new(origin: u64, speed: f64) -> ServerClock {
        ServerClock {
            started: Instant::now(),
            origin,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    /// Wall-clock milliseconds since the server started.
    pub fn wall_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The virtual time now.
    pub fn virtual_now(&self) -> u64 {
        let scaled = self.started.elapsed().as_secs_f64() * 1000.0 * self.speed;
        self.origin.saturating_add(scaled as u64)
    }

    /// The wall-clock instant at which virtual time reaches `at`.
    pub fn instant_of_virtual(&self, at: u64) -> Instant {
        let ms = at.saturating_sub(self.origin) as f64 / self.speed;
        self.started + Duration::from_secs_f64(ms.min(1e9) / 1000.0)
    }

    /// The wall-clock instant of wall millisecond `ms`.
    pub fn instant_of_wall(&self, ms: u64) -> Instant {
        self.started + Duration::from_millis(ms)
    }
}
