//! The delivery acknowledgement timeout (`consumer_timeout`).
//!
//! A consumer that takes a message with manual acks and never acks it holds
//! that message forever: nobody else gets it. RabbitMQ therefore gives each
//! channel a deadline: when the channel's *oldest* unacknowledged delivery
//! (a consumer's or a basic.get's) is older than `consumer_timeout`
//! (30 minutes by default in 3.10), the broker closes the channel with
//!
//! ```text
//! 406 PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out.
//! Timeout value used: 1800000 ms. This timeout value can be configured, see
//! consumers doc guide to learn more
//! ```
//!
//! and, as for any closed channel, every unacknowledged delivery goes back
//! to its queue, redelivered (recorded: `consumer_timeout_closes_channel`).
//! No-ack deliveries are never timed out.
//!
//! # When exactly
//! RabbitMQ 3.10 does not keep one timer per delivery. Each channel process
//! has a *tick* every `channel_tick_interval` (60 s by default) and checks,
//! on each tick, whether its oldest unacked delivery was delivered more than
//! `consumer_timeout` ago (`rabbit_channel:evaluate_consumer_timeout`:
//! `Time < Now - Timeout`, strictly). So a delivery times out at the first
//! tick *after* its deadline: between 30:00 and 31:00 after it was
//! delivered, with the defaults.
//!
//! Where the ticks fall depends on hibernation: a channel process that has
//! been quiet for a while (gen_server2's backoff: at least 1 s) hibernates,
//! and if it holds no unacked deliveries it cancels its tick timer; whatever
//! wakes it (a method from the client, a delivery) starts the timer again,
//! from that moment (`handle_pre_hibernate`, `handle_post_hibernate`). A new
//! channel starts hibernated, so its ticks count from `channel.open`.
//! Warren reproduces this on the virtual clock with the minimum quiet
//! period, [`HIBERNATE_AFTER_MS`]: a channel with nothing unacknowledged
//! that nothing reached for a second restarts its ticks when something
//! does. (RabbitMQ randomises the quiet period after the first sleep, to
//! between 1 and 2 s and sometimes more, so real ticks can fall up to a
//! tick interval later than Warren's when the gap was 1–2 s.) Ticks also
//! keep a channel awake: with an interval under a second it never
//! hibernates.
//!
//! A channel reads `consumer_timeout` and the tick interval when it opens
//! ([`BrokerConfig`](crate::engine::BrokerConfig)); changing them (the
//! operator's `rabbitmqctl eval 'application:set_env(...)'`,
//! [`Broker::set_consumer_timeout`]) affects channels opened afterwards.
//! (RabbitMQ re-reads the tick interval at every tick; Warren keeps the one
//! a channel opened with.)
//!
//! Only the ticks that can matter are scheduled: while a channel holds
//! unacknowledged deliveries, one timer at its next tick.
//!
//! This is RabbitMQ 3.10's timeout. In the `rabbitmq-4.3` profile channels
//! have none, and quorum queues time out each consumer's deliveries
//! themselves (`quorum_timeout.rs`).

use crate::engine::broker::{Broker, BrokerConfig, Timer};
use crate::engine::clock::Millis;
use crate::engine::error::AmqpError;
use crate::engine::event::EventKind;
use crate::engine::ids::ChannelId;

/// How long a channel process stays awake with nothing to do before it
/// hibernates: gen_server2's initial and minimum backoff
/// (`?HIBERNATE_AFTER_MIN`, 1000 ms).
pub const HIBERNATE_AFTER_MS: Millis = 1_000;

/// The node's `consumer_timeout` and `channel_tick_interval`, which each
/// channel reads when it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AckSettings {
    pub timeout_ms: Option<Millis>,
    pub tick_interval_ms: Millis,
}

impl AckSettings {
    pub fn from_config(config: &BrokerConfig) -> AckSettings {
        AckSettings {
            timeout_ms: config.consumer_timeout_ms,
            tick_interval_ms: config.channel_tick_interval_ms.max(1),
        }
    }
}

/// A channel's acknowledgement deadline and its tick timer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckClock {
    /// `consumer_timeout` as the channel read it when it opened; `None`:
    /// deliveries never time out.
    pub timeout_ms: Option<Millis>,
    /// How often the channel ticks (`channel_tick_interval`, read at open).
    pub tick_interval_ms: Millis,
    /// When the tick timer last started: ticks fall at `phase + k × interval`.
    phase: Millis,
    /// Whether the tick timer runs (a channel that hibernated with nothing
    /// unacknowledged cancelled it).
    running: bool,
    /// When something last reached the channel (a method, a delivery, a tick).
    last_touch: Millis,
    /// The tick a broker timer is armed for, and that timer's generation
    /// (a timer whose generation is stale is ignored when it fires).
    armed: Option<(Millis, u64)>,
    generation: u64,
}

impl AckClock {
    /// The clock of a channel opened at `now`: its ticks count from there.
    pub fn new(timeout_ms: Option<Millis>, tick_interval_ms: Millis, now: Millis) -> AckClock {
        AckClock {
            timeout_ms,
            tick_interval_ms: tick_interval_ms.max(1),
            phase: now,
            running: true,
            last_touch: now,
            armed: None,
            generation: 0,
        }
    }

    /// The first tick strictly after `t` (while the timer runs).
    fn next_tick_after(&self, t: Millis) -> Millis {
        let interval = self.tick_interval_ms;
        let elapsed = t.saturating_sub(self.phase);
        self.phase.saturating_add(
            (elapsed / interval)
                .saturating_add(1)
                .saturating_mul(interval),
        )
    }

    /// Something reaches the channel at `now`. `holds_unacked`: whether it
    /// held unacknowledged deliveries since it was last reached (they only
    /// change when something reaches it). Works out whether it hibernated
    /// in between, and if its timer was cancelled then, starts it again now.
    pub fn touch(&mut self, now: Millis, holds_unacked: bool) {
        let mut quiet_since = self.last_touch;
        let ticks_keep_awake = self.running && self.tick_interval_ms < HIBERNATE_AFTER_MS;
        if !ticks_keep_awake {
            // A tick less than a second after the last touch keeps the
            // channel awake one more tick; the tick after it is at least a
            // second later, so it sleeps before then.
            if self.running {
                let tick = self.next_tick_after(quiet_since);
                if tick <= now && tick < quiet_since.saturating_add(HIBERNATE_AFTER_MS) {
                    quiet_since = tick;
                }
            }
            let hibernated = now.saturating_sub(quiet_since) >= HIBERNATE_AFTER_MS;
            if hibernated && !holds_unacked {
                // handle_pre_hibernate cancelled the timer;
                // handle_post_hibernate starts it on waking.
                self.running = true;
                self.phase = now;
            }
        }
        self.last_touch = now;
    }

    /// The tick that times out a delivery made at `delivered_at` if it is
    /// still the channel's oldest then: the first tick strictly after its
    /// deadline (see [`AckClock::timed_out`]). `None` without a timeout.
    /// While the channel holds unacknowledged deliveries its ticks keep
    /// their phase, so this is when the channel will close unless the
    /// delivery is settled first.
    pub fn times_out_at(&self, delivered_at: Millis) -> Option<Millis> {
        let timeout = self.timeout_ms?;
        Some(self.next_tick_after(delivered_at.saturating_add(timeout)))
    }

    /// Whether a delivery made at `delivered_at` has timed out at a tick at
    /// `now` (`Time < Now - Timeout`).
    pub fn timed_out(&self, delivered_at: Millis, now: Millis) -> bool {
        self.timeout_ms
            .is_some_and(|timeout| now >= timeout && delivered_at < now - timeout)
    }
}

impl Broker {
    /// Something reaches channel `ch` now (a method from its client, a
    /// delivery): see [`AckClock::touch`].
    pub(crate) fn touch_channel(&mut self, ch: ChannelId) {
        let now = self.clock.now();
        if let Some(c) = self.channels.get_mut(&ch) {
            let holds_unacked = !c.unacked.is_empty();
            c.ack_clock.touch(now, holds_unacked);
        }
    }

    /// Arms (or re-arms) the timer of channel `ch`'s next tick if that tick
    /// can time a delivery out: the channel is open, has a timeout and holds
    /// unacknowledged deliveries.
    pub(crate) fn arm_ack_tick(&mut self, ch: ChannelId) {
        let now = self.clock.now();
        let Some(c) = self.channels.get_mut(&ch) else {
            return;
        };
        let needed = c.open && c.ack_clock.timeout_ms.is_some() && !c.unacked.is_empty();
        if !needed {
            c.ack_clock.armed = None;
            return;
        }
        let at = c.ack_clock.next_tick_after(now);
        if c.ack_clock
            .armed
            .is_some_and(|(armed_at, _)| armed_at == at)
        {
            return;
        }
        c.ack_clock.generation += 1;
        let generation = c.ack_clock.generation;
        c.ack_clock.armed = Some((at, generation));
        self.schedule_timer(at, Timer::ChannelTick(ch, generation));
    }

    /// Channel `ch` ticks: if its oldest unacknowledged delivery is older
    /// than its timeout, the broker closes the channel (406), which sends
    /// every unacked delivery back to its queue. Otherwise the next tick is
    /// armed.
    pub(crate) fn channel_tick(&mut self, ch: ChannelId, generation: u64) {
        let now = self.clock.now();
        let Some(c) = self.channels.get_mut(&ch) else {
            return;
        };
        if !c.open || c.ack_clock.armed.map(|(_, g)| g) != Some(generation) {
            return;
        }
        c.ack_clock.armed = None;
        let holds_unacked = !c.unacked.is_empty();
        c.ack_clock.touch(now, holds_unacked);
        let expired = c
            .unacked
            .values()
            .next()
            .filter(|oldest| c.ack_clock.timed_out(oldest.delivered_at, now))
            .map(|oldest| (oldest.tag, oldest.queue_name.clone(), oldest.delivered_at));
        let (conn, number, timeout_ms) = (c.conn, c.number, c.ack_clock.timeout_ms.unwrap_or(0));
        match expired {
            Some((delivery_tag, queue_name, delivered_at)) => {
                self.emit(EventKind::AckTimedOut {
                    conn,
                    channel: ch,
                    number,
                    delivery_tag,
                    queue_name,
                    delivered_at,
                    timeout_ms,
                });
                let error =
                    ack_timeout_error(number, i64::try_from(timeout_ms).unwrap_or(i64::MAX));
                self.fail(ch, conn, &error);
                self.settle_dying();
            }
            None => self.arm_ack_tick(ch),
        }
    }

    /// When channel `ch` will be closed for its oldest unacknowledged
    /// delivery if nothing is settled before: the tick
    /// [`AckClock::times_out_at`] names. `None` if the channel is closed,
    /// has no timeout or holds nothing unacknowledged. Every delivery
    /// unacknowledged on the channel goes back to its queue then, so this
    /// is each one's deadline (the workbench's countdown).
    pub fn ack_timeout_closes_at(&self, ch: ChannelId) -> Option<Millis> {
        let c = self.channels.get(&ch).filter(|c| c.open)?;
        // The lowest tag, as `channel_tick` checks it.
        let oldest = c.unacked.values().next()?;
        c.ack_clock.times_out_at(oldest.delivered_at)
    }

    /// The `consumer_timeout` and `channel_tick_interval` a channel opened
    /// now would read: the configuration's, or the operator's since.
    pub fn ack_settings(&self) -> AckSettings {
        self.ack_settings
    }

    /// The operator sets `consumer_timeout` (`None`: deliveries never time
    /// out) and `channel_tick_interval` for channels opened from now on, as
    /// `rabbitmqctl eval 'application:set_env(rabbit, consumer_timeout, N)'`
    /// does.
    /// A restart goes back to the configuration's values.
    pub fn set_consumer_timeout(&mut self, timeout_ms: Option<Millis>, tick_interval_ms: Millis) {
        self.ack_settings = AckSettings {
            timeout_ms,
            tick_interval_ms: tick_interval_ms.max(1),
        };
    }
}

/// RabbitMQ 3.10's error for a channel whose delivery timed out: a 406 that
/// names no method (the channel's own timer raised it). 4.3 sends the same
/// text with `-1` as the timeout when a quorum queue's consumer timeout
/// closes the channel (`quorum_timeout.rs`).
pub fn ack_timeout_error(channel_number: u16, timeout_ms: i64) -> AmqpError {
    AmqpError::precondition_failed(format!(
        "delivery acknowledgement on channel {channel_number} timed out. \
         Timeout value used: {timeout_ms} ms. \
         This timeout value can be configured, see consumers doc guide to learn more"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_count_from_the_phase() {
        let c = AckClock::new(Some(2_000), 500, 100);
        assert_eq!(c.next_tick_after(100), 600);
        assert_eq!(c.next_tick_after(599), 600);
        assert_eq!(c.next_tick_after(600), 1_100);
    }

    #[test]
    fn a_delivery_times_out_strictly_after_the_timeout() {
        let c = AckClock::new(Some(2_000), 500, 0);
        assert!(!c.timed_out(1_000, 3_000));
        assert!(c.timed_out(999, 3_000));
        assert!(!c.timed_out(0, 1_999));
        let never = AckClock::new(None, 500, 0);
        assert!(!never.timed_out(0, u64::MAX));
    }

    #[test]
    fn a_delivery_times_out_at_the_first_tick_after_its_deadline() {
        let c = AckClock::new(Some(2_000), 500, 100);
        // Deadline 1_300 + 2_000 = 3_300; ticks at 600, 1_100, ... 3_600.
        assert_eq!(c.times_out_at(1_300), Some(3_600));
        assert!(!c.timed_out(1_300, 3_100) && c.timed_out(1_300, 3_600));
        // A deadline on a tick is not yet past: the next tick closes.
        assert_eq!(c.times_out_at(1_100), Some(3_600));
        assert_eq!(AckClock::new(None, 500, 0).times_out_at(0), None);
    }

    #[test]
    fn a_quiet_channel_with_nothing_unacked_restarts_its_ticks_when_woken() {
        let mut c = AckClock::new(Some(1_800_000), 60_000, 0);
        c.touch(5_000, false);
        assert_eq!(c.phase, 5_000, "quiet for 5 s: it hibernated and woke now");
        c.touch(5_500, false);
        assert_eq!(c.phase, 5_000, "busy: the timer keeps its phase");
        c.touch(10_000, true);
        assert_eq!(
            c.phase, 5_000,
            "holding unacked deliveries, it kept its timer"
        );
    }

    #[test]
    fn fast_ticks_keep_a_channel_awake() {
        let mut c = AckClock::new(Some(2_000), 500, 0);
        c.touch(10_000, false);
        assert_eq!(c.phase, 0);
    }

    #[test]
    fn a_tick_keeps_the_channel_awake_once() {
        // Opened at 0, ticks at 1200, 2400...; last touched at 500. The tick
        // at 1200 (under a second later) keeps it awake until 2200.
        let mut c = AckClock::new(Some(5_000), 1_200, 0);
        c.touch(500, false);
        let mut d = c.clone();
        c.touch(2_100, false);
        assert_eq!(c.phase, 0, "still awake at 2.1 s");
        d.touch(2_300, false);
        assert_eq!(d.phase, 2_300, "asleep since 2.2 s: woken now");
    }

    #[test]
    fn the_error_text_is_rabbitmqs() {
        assert_eq!(
            ack_timeout_error(3, 2_000).reply_text(),
            "PRECONDITION_FAILED - delivery acknowledgement on channel 3 timed out. \
             Timeout value used: 2000 ms. This timeout value can be configured, \
             see consumers doc guide to learn more"
        );
    }
}
