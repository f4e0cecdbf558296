//! Deliveries as the inspectors show them: a quorum queue's delivery
//! counts, and for each unacknowledged delivery the acknowledgement
//! timeout's countdown, on the virtual clock.
//!
//! *Delivery counts.* A quorum queue counts how often each message came
//! back (a nack, a reject, a closed channel…) and puts that count in the
//! `x-delivery-count` header of the next delivery
//! (`engine/queue_type/quorum.rs`); past `x-delivery-limit` returns the
//! message is dead-lettered instead. The count shown is the engine's: for a
//! ready message, what its next delivery carries; for an unacknowledged
//! one, what its delivery carried (RabbitMQ leaves the header out of a
//! consumer's delivery while it is 0, and basic.get always sends it).
//! Classic queues and streams count nothing: `None`.
//!
//! *The countdown.* RabbitMQ 3.10 checks the timeout on a channel tick, so
//! a channel closes at the first tick after its oldest delivery's deadline
//! (`engine/ack_timeout.rs`), and everything unacknowledged on it goes back
//! then. Each delivery's countdown is therefore the channel's, as the
//! engine will act on it (`Broker::ack_timeout_closes_at`), never a guess
//! from `consumer_timeout` alone; `None` when the channel has no timeout
//! (the 4.3 profile, or `consumer_timeout` off).

use crate::engine::clock::Millis;
use crate::engine::ids::ChannelId;
use crate::engine::queue::{Entry, Queue};
use crate::sim::Simulation;
use crate::view::stream_log::holder_of;

/// A quorum queue's count for one message, and the queue's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryCount {
    /// `x-delivery-count`: how often the message came back.
    pub count: u32,
    /// `x-delivery-limit` as the queue applies it (the 4.3 profile's
    /// default included); `None`: no limit.
    pub limit: Option<u64>,
}

/// The delivery count of `entry` in queue `q`, if `q` counts deliveries.
pub fn delivery_count(q: &Queue, entry: &Entry) -> Option<DeliveryCount> {
    q.settings
        .queue_type
        .rules()
        .counts_deliveries()
        .then(|| DeliveryCount {
            count: entry.returns(),
            limit: q.settings.delivery_limit,
        })
}

/// One delivery awaiting its acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnackedDelivery {
    pub delivery_tag: u64,
    pub message: u64,
    pub queue: String,
    /// The body's first characters, as text.
    pub body: String,
    /// Whose channel holds it (a worker's name, a connection's label).
    pub holder: String,
    pub redelivered: bool,
    /// Quorum queues only.
    pub delivery_count: Option<DeliveryCount>,
    /// Virtual milliseconds until the channel is closed for the timeout
    /// (0 when the closing tick is due now); `None` without a timeout.
    pub times_out_in: Option<Millis>,
}

/// How many characters of a body an unacknowledged row shows.
const BODY_PREVIEW_CHARS: usize = 30;

/// The deliveries channel `channel` holds, by delivery tag.
pub fn unacked_on_channel(sim: &Simulation, channel: ChannelId) -> Vec<UnackedDelivery> {
    let broker = &sim.broker;
    let Some(ch) = broker.channel(channel) else {
        return Vec::new();
    };
    let now = sim.now();
    let times_out_in = broker
        .ack_timeout_closes_at(channel)
        .map(|at| at.saturating_sub(now));
    let holder = holder_of(sim, channel);
    ch.unacked
        .values()
        .map(|u| UnackedDelivery {
            delivery_tag: u.tag,
            message: u.entry.msg.id().0,
            queue: u.queue_name.to_string(),
            body: u.entry.msg.preview(BODY_PREVIEW_CHARS),
            holder: holder.clone(),
            redelivered: u.entry.redelivered(),
            delivery_count: broker
                .queue(u.queue)
                .and_then(|q| delivery_count(q, &u.entry)),
            times_out_in,
        })
        .collect()
}

/// Every delivery from queue `queue` awaiting an acknowledgement, channel
/// by channel in the order they opened.
pub fn unacked_of_queue(sim: &Simulation, queue: &str) -> Vec<UnackedDelivery> {
    let Some(id) = sim.broker.queue_id(queue) else {
        return Vec::new();
    };
    sim.broker
        .channels()
        .filter(|c| c.open && c.unacked.values().any(|u| u.queue == id))
        .flat_map(|c| unacked_on_channel(sim, c.id))
        .filter(|u| u.queue == queue)
        .collect()
}

/// Where a message waits in a queue that counts deliveries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedCopy {
    pub queue: String,
    /// Out on a channel, awaiting an ack (else ready in the queue).
    pub unacked: bool,
    pub count: DeliveryCount,
}

/// Every copy of message `message` in a quorum queue, ready or
/// unacknowledged, with its delivery count: the message inspector's list
/// (a message routed to several queues has a count in each).
pub fn delivery_counts_of_message(sim: &Simulation, message: u64) -> Vec<CountedCopy> {
    let broker = &sim.broker;
    let mut copies = Vec::new();
    for q in broker.queues() {
        let ready = q.handoff.iter().chain(q.ready.iter());
        for entry in ready.filter(|e| e.msg.id().0 == message) {
            if let Some(count) = delivery_count(q, entry) {
                copies.push(CountedCopy {
                    queue: q.name.to_string(),
                    unacked: false,
                    count,
                });
            }
        }
    }
    for ch in broker.channels().filter(|c| c.open) {
        for u in ch
            .unacked
            .values()
            .filter(|u| u.entry.msg.id().0 == message)
        {
            if let Some(count) = broker
                .queue(u.queue)
                .and_then(|q| delivery_count(q, &u.entry))
            {
                copies.push(CountedCopy {
                    queue: u.queue_name.to_string(),
                    unacked: true,
                    count,
                });
            }
        }
    }
    copies
}

/// A countdown as a clock shows it: `29:41`, or `1:02:03` past an hour.
/// Seconds are rounded up, so it reads `0:00` only when the time is up.
pub fn countdown(ms: Millis) -> String {
    let seconds = ms.div_ceil(1_000);
    let (h, m, s) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}
