//! Consumers, and the order in which a queue serves them.
//!
//! A queue keeps its consumers the way RabbitMQ's `rabbit_queue_consumers`
//! does. Active consumers wait in priority bands (`x-priority`, highest
//! first), first come first served within a band. The consumer at the head
//! gets the next message and goes to the tail of its band: that is the
//! round-robin of the work-queue tutorial. A consumer that cannot take a
//! message (its prefetch is used up, or its channel's) is *parked* and the
//! next one is tried; when an ack frees it, it rejoins at the tail. So with
//! prefetch 1, whoever acks first gets the next message: fair dispatch.
//!
//! With `x-single-active-consumer`, only one consumer (the first, or the
//! highest-priority survivor after it leaves) receives messages; the others
//! wait.

use crate::engine::ids::{ChannelId, ConsumerId, QueueId};
use crate::engine::value::FieldTable;
use std::cmp::Reverse;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// One basic.consume.
#[derive(Clone, Debug)]
pub struct Consumer {
    pub id: ConsumerId,
    pub tag: Rc<str>,
    pub channel: ChannelId,
    pub queue: QueueId,
    pub no_ack: bool,
    pub exclusive: bool,
    /// Per-consumer prefetch (basic.qos global=false), fixed when consuming;
    /// 0 means unlimited.
    pub prefetch: u32,
    /// `x-priority`.
    pub priority: i64,
    pub args: FieldTable,
    /// Deliveries to this consumer not yet acked, rejected or requeued.
    pub unacked: u32,
    /// On a stream: the next offset it reads (`stream_log.rs`); 0 otherwise.
    pub stream_offset: u64,
    /// How long its deliveries may stay unacked before a 4.3 quorum queue
    /// takes them back (`quorum_timeout.rs`); `None`: forever.
    pub timeout_ms: Option<crate::engine::clock::Millis>,
    /// Deliveries that timed out and that its client has not settled yet:
    /// while there are any, it receives nothing.
    pub timed_out: u32,
}

impl Consumer {
    /// Out of credit: its own prefetch is used up. No-ack consumers never are.
    pub fn is_credit_blocked(&self) -> bool {
        !self.no_ack && self.prefetch > 0 && self.unacked >= self.prefetch
    }
}

/// A queue's consumers in service order.
#[derive(Clone, Debug, Default)]
pub struct ConsumerSet {
    /// Active consumers by band, highest priority first.
    bands: BTreeMap<Reverse<i64>, VecDeque<ConsumerId>>,
    /// Consumers found blocked, per channel, in the order they were parked.
    parked: BTreeMap<ChannelId, Vec<(i64, ConsumerId)>>,
    /// Every consumer, in registration order, with its priority.
    all: Vec<(i64, ConsumerId)>,
    /// Single active consumer: the one receiving messages.
    pub single_active: Option<ConsumerId>,
    /// A consumer that asked for exclusive use of the queue.
    pub exclusive: Option<ConsumerId>,
}

impl ConsumerSet {
    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Consumers in registration order.
    pub fn ids(&self) -> impl Iterator<Item = ConsumerId> + '_ {
        self.all.iter().map(|(_, id)| *id)
    }

    /// Registers a consumer at the tail of its band.
    pub fn add(&mut self, id: ConsumerId, priority: i64) {
        self.all.push((priority, id));
        self.bands
            .entry(Reverse(priority))
            .or_default()
            .push_back(id);
    }

    /// Forgets a consumer wherever it is.
    pub fn remove(&mut self, id: ConsumerId) {
        self.all.retain(|(_, c)| *c != id);
        self.bands.retain(|_, band| {
            band.retain(|c| *c != id);
            !band.is_empty()
        });
        self.parked.retain(|_, list| {
            list.retain(|(_, c)| *c != id);
            !list.is_empty()
        });
        if self.single_active == Some(id) {
            self.single_active = None;
        }
        if self.exclusive == Some(id) {
            self.exclusive = None;
        }
    }

    /// Active consumers in the order they will be tried.
    pub fn active_order(&self) -> Vec<ConsumerId> {
        self.active().collect()
    }

    /// [`ConsumerSet::active_order`] without collecting it.
    pub fn active(&self) -> impl Iterator<Item = ConsumerId> + '_ {
        self.bands.values().flat_map(|b| b.iter().copied())
    }

    /// The consumer that would be tried next.
    pub fn head(&self) -> Option<ConsumerId> {
        self.bands.values().find_map(|b| b.front().copied())
    }

    /// Moves the head consumer to the tail of its band (it just got a message).
    pub fn rotate(&mut self, id: ConsumerId) {
        for band in self.bands.values_mut() {
            if band.front() == Some(&id) {
                band.pop_front();
                band.push_back(id);
                return;
            }
        }
    }

    /// Takes a blocked consumer out of rotation until its channel unparks it.
    pub fn park(&mut self, id: ConsumerId, channel: ChannelId) {
        let mut priority = 0;
        self.bands.retain(|Reverse(p), band| {
            if let Some(pos) = band.iter().position(|c| *c == id) {
                band.remove(pos);
                priority = *p;
            }
            !band.is_empty()
        });
        self.parked.entry(channel).or_default().push((priority, id));
    }

    pub fn is_parked(&self, id: ConsumerId) -> bool {
        self.parked
            .values()
            .any(|l| l.iter().any(|(_, c)| *c == id))
    }

    /// Returns parked consumers of `channel` for which `still_blocked` is
    /// false to the tails of their bands, highest priority first, in parking
    /// order within a priority. Returns whether any came back.
    pub fn unpark(
        &mut self,
        channel: ChannelId,
        mut still_blocked: impl FnMut(ConsumerId) -> bool,
    ) -> bool {
        let Some(list) = self.parked.remove(&channel) else {
            return false;
        };
        let (stay, mut leave): (Vec<_>, Vec<_>) =
            list.into_iter().partition(|(_, c)| still_blocked(*c));
        if !stay.is_empty() {
            self.parked.insert(channel, stay);
        }
        leave.sort_by_key(|(p, _)| Reverse(*p));
        let any = !leave.is_empty();
        for (p, id) in leave {
            self.bands.entry(Reverse(p)).or_default().push_back(id);
        }
        any
    }

    /// Channels that have parked consumers here.
    pub fn parked_channels(&self) -> Vec<ChannelId> {
        self.parked.keys().copied().collect()
    }

    /// The consumer that becomes active when there is none: the highest
    /// priority, then the earliest registered.
    pub fn next_single_active(&self) -> Option<ConsumerId> {
        let best = self.all.iter().map(|(p, _)| *p).max()?;
        self.all.iter().find(|(p, _)| *p == best).map(|(_, id)| *id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_and_parking() {
        let mut set = ConsumerSet::default();
        let (a, b, c) = (ConsumerId(1), ConsumerId(2), ConsumerId(3));
        set.add(a, 0);
        set.add(b, 0);
        set.add(c, 0);
        assert_eq!(set.head(), Some(a));
        set.rotate(a);
        assert_eq!(set.active_order(), vec![b, c, a]);
        set.park(b, ChannelId(9));
        assert_eq!(set.active_order(), vec![c, a]);
        assert!(set.unpark(ChannelId(9), |_| false));
        assert_eq!(set.active_order(), vec![c, a, b]);
    }

    #[test]
    fn higher_priority_band_first() {
        let mut set = ConsumerSet::default();
        set.add(ConsumerId(1), 0);
        set.add(ConsumerId(2), 5);
        assert_eq!(set.head(), Some(ConsumerId(2)));
        assert_eq!(set.next_single_active(), Some(ConsumerId(2)));
    }
}
