//! Channels: the lanes inside a connection where a client does its work.
//!
//! A channel numbers the deliveries it receives with *delivery tags* (1, 2,
//! 3, … per channel, whichever consumer or basic.get they came from), and
//! keeps every delivery that still needs an ack, keyed by tag. Acks, nacks
//! and rejects name those tags. When a channel closes, for whatever reason,
//! all of its unacknowledged deliveries go back to their queues, redelivered.
//!
//! A channel also holds its prefetch settings (basic.qos), its publisher
//! confirm state (a sequence number per publish) and its transaction.

use crate::engine::ack_timeout::AckClock;
use crate::engine::ids::{ChannelId, ConnId, ConsumerId, QueueId};
use crate::engine::message::MessageRef;
use crate::engine::outbox::Outgoing;
use crate::engine::queue::Entry;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

/// A delivery waiting for its ack.
#[derive(Clone, Debug)]
pub struct Unacked {
    pub tag: u64,
    pub queue: QueueId,
    pub queue_name: Rc<str>,
    pub entry: Entry,
    /// The consumer it went to; `None` for basic.get.
    pub consumer: Option<ConsumerId>,
    /// When it was delivered (virtual ms): the acknowledgement timeout
    /// counts from here.
    pub delivered_at: crate::engine::clock::Millis,
    /// When a 4.3 quorum queue takes it back if it is still unacked
    /// (`quorum_timeout.rs`); `None`: never.
    pub deadline: Option<crate::engine::clock::Millis>,
}

/// A publish held by an open transaction until tx.commit.
#[derive(Clone, Debug)]
pub struct HeldPublish {
    pub message: MessageRef,
    pub mandatory: bool,
    /// Routed when published (as RabbitMQ does); delivered at commit to
    /// those of these queues that still exist.
    pub queues: Vec<QueueId>,
    pub confirm_seq: Option<u64>,
}

/// An ack, nack or reject held by an open transaction. The deliveries left
/// the channel's unacked set when the method arrived (a second ack of the
/// same tag is an error even inside a transaction); a rollback puts them back.
#[derive(Clone, Debug)]
pub struct HeldSettle {
    pub deliveries: Vec<Unacked>,
    pub kind: SettleKind,
}

/// How deliveries are settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettleKind {
    Ack,
    Nack { requeue: bool },
    Reject { requeue: bool },
}

/// An open transaction (tx.select).
#[derive(Clone, Debug, Default)]
pub struct Transaction {
    pub publishes: Vec<HeldPublish>,
    pub settles: Vec<HeldSettle>,
}

/// A channel.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: ChannelId,
    pub conn: ConnId,
    /// The channel number within its connection (1, 2, …).
    pub number: u16,
    pub open: bool,
    pub next_delivery_tag: u64,
    /// Deliveries awaiting an ack, by tag (ascending: `multiple` acks
    /// everything up to a tag).
    pub unacked: BTreeMap<u64, Unacked>,
    /// basic.qos global=false: the prefetch given to consumers created from now on.
    pub consumer_prefetch: u32,
    /// basic.qos global=true: one limit for all of the channel's consumers
    /// (0 = none).
    pub channel_prefetch: u32,
    /// Consumer deliveries counted against `channel_prefetch`.
    pub volume: u32,
    /// Queues that found the channel at its limit and wait to be resumed.
    pub suspended: BTreeSet<QueueId>,
    /// confirm.select was sent.
    pub confirm: bool,
    /// The next publish sequence number (confirms count from 1).
    pub next_publish_seq: u64,
    pub tx: Option<Transaction>,
    /// Consumers on this channel by tag.
    pub consumers: BTreeMap<Rc<str>, ConsumerId>,
    /// The last queue declared on this channel: an empty queue name in
    /// bind, consume, get, purge and delete means this one.
    pub most_recent_queue: Option<Rc<str>>,
    /// The acknowledgement timeout and the tick that checks it.
    pub ack_clock: AckClock,
    /// Delivery tags whose messages a 4.3 quorum queue took back when they
    /// timed out, with the consumer they went to (`None`: basic.get). The
    /// client may still settle them (`quorum_timeout.rs`).
    pub released: BTreeMap<u64, Option<ConsumerId>>,
}

impl Channel {
    pub fn new(id: ChannelId, conn: ConnId, number: u16, ack_clock: AckClock) -> Channel {
        Channel {
            id,
            conn,
            number,
            open: true,
            next_delivery_tag: 1,
            unacked: BTreeMap::new(),
            consumer_prefetch: 0,
            channel_prefetch: 0,
            volume: 0,
            suspended: BTreeSet::new(),
            confirm: false,
            next_publish_seq: 1,
            tx: None,
            consumers: BTreeMap::new(),
            most_recent_queue: None,
            ack_clock,
            released: BTreeMap::new(),
        }
    }

    /// Whether the channel-wide prefetch (global qos) is used up.
    pub fn at_channel_limit(&self) -> bool {
        self.channel_prefetch > 0 && self.volume >= self.channel_prefetch
    }

    /// Every delivery its queue still counts as unacknowledged: those
    /// awaiting an ack, and those whose ack, nack or reject an open
    /// transaction holds (they left `unacked`, so a second ack of the tag
    /// is refused, but RabbitMQ only settles them with the queue at
    /// tx.commit). The queues' `unacked` counters follow the same rule
    /// (`Broker::queue_stats`); a channel's own unacknowledged count
    /// (`list_channels`) is `unacked` alone, as in RabbitMQ.
    pub fn unsettled(&self) -> impl Iterator<Item = &Unacked> {
        let held = self.tx.iter().flat_map(|tx| &tx.settles);
        self.unacked
            .values()
            .chain(held.flat_map(|s| &s.deliveries))
    }

    pub fn take_delivery_tag(&mut self) -> u64 {
        let tag = self.next_delivery_tag;
        self.next_delivery_tag += 1;
        tag
    }
}

/// One end of a TCP connection, as text (the engine does no I/O).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// An IP address, `127.0.0.1` or `::1`.
    pub host: String,
    pub port: u16,
}

/// What the broker knows of a connection's client beyond the methods it
/// sent: where it connects from and what it said in the handshake (for
/// `list_connections`). Simulated clients keep the defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientInfo {
    /// The client's address and port (`peer_host`, `peer_port`).
    pub peer: Option<Endpoint>,
    /// The broker's address and port the client reached.
    pub local: Option<Endpoint>,
    /// connection.start-ok's client properties (`connection_name`,
    /// `product`, `capabilities`...).
    pub properties: crate::engine::value::FieldTable,
    /// `PLAIN` or `AMQPLAIN`.
    pub auth_mechanism: String,
    /// Negotiated in connection.tune-ok (0: not negotiated).
    pub frame_max: u32,
    pub heartbeat: u16,
    /// Virtual time of the connection, in ms.
    pub connected_at: crate::engine::clock::Millis,
}

/// A client connection.
#[derive(Clone, Debug)]
pub struct Connection {
    pub id: crate::engine::ids::ConnId,
    /// The authenticated user (`user_id` properties must match it).
    pub user: Rc<str>,
    /// A label for people (the UI's worker name, the scenario's label).
    pub label: Rc<str>,
    pub open: bool,
    /// Channels in the order they were opened (closed ones too, for the log).
    pub channels: Vec<ChannelId>,
    /// The open channels by number: the client names a channel by number,
    /// and a number is free again once its channel has closed.
    pub channel_numbers: BTreeMap<u16, ChannelId>,
    /// How many channels may be open at once (negotiated in connection.tune;
    /// RabbitMQ's default otherwise).
    pub channel_max: u16,
    /// What the broker sends this client on its own, in wire order
    /// (`outbox.rs`): drained by whoever plays the client.
    pub outbox: VecDeque<Outgoing>,
    pub client: ClientInfo,
}

impl Connection {
    /// The lowest channel number not in use (as pika picks one), if the
    /// connection may open another channel.
    pub fn free_channel_number(&self) -> Option<u16> {
        if self.channel_numbers.len() >= usize::from(self.channel_max) {
            return None;
        }
        (1..=u16::MAX).find(|n| !self.channel_numbers.contains_key(n))
    }
}
