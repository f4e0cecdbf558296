//! Crash recovery: generated scenarios are crashed right after every single
//! storage write, and each crashed broker is booted from what the store
//! holds. After every boot:
//! - no message whose publisher confirm was sent is missing (unless a
//!   consumer had already taken it: then it may come back, at least once);
//! - nothing transient is back (queues, exchanges, messages);
//! - nothing is duplicated: each message at most once per queue.
//! And at the end of each scenario, a graceful stop leaves the store holding
//! exactly the broker's durable state.
//!
//! 250 scenarios, seeded; `WARREN_RECOVERY_SEED` picks another seed.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use warren::engine::durable::{Durability, DurableState};
use warren::engine::event::EventKind;
use warren::engine::message::Properties;
use warren::engine::method::{
    BasicAck, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, ExchangeDeclare,
    QueueBind, QueueDeclare,
};
use warren::engine::rng::SeededRng;
use warren::engine::{Broker, BrokerConfig, Method, ServerMethod};
use warren::store::memory::MemoryStorage;
use warren::store::{now_or_never, Storage};

#[path = "support/chan.rs"]
mod chan;
use chan::{consume_ok, get_ok, Chan};

const QUEUES: &[(&str, bool)] = &[("orders", true), ("audit", true), ("scratch", false)];

/// What happened before the crash: what the clients sent and received
/// (publishes, confirms, no-ack deliveries: from their calls, replies and
/// outbox), and from the event log, what the broker did with the messages
/// (which queues they reached, which deliveries it saw acked).
#[derive(Default)]
struct Seen {
    /// (channel number, confirm seq) -> message id, for publishes in
    /// confirm mode (the broker's id of the message, for the checks).
    seq_to_message: HashMap<(u16, u64), u64>,
    /// Message ids whose confirm (ack) the publisher received.
    confirmed: BTreeSet<u64>,
    /// (queue, message) copies enqueued.
    enqueued: BTreeSet<(String, u64)>,
    /// (queue, message) copies a consumer took (acked or no-ack).
    consumed: BTreeSet<(String, u64)>,
    /// Persistent message ids.
    persistent: BTreeSet<u64>,
    cursor: u64,
}

/// A consumer as its client knows it: the queue it consumes, and whether
/// with no_ack.
struct ConsumerInfo {
    queue: String,
    no_ack: bool,
}

impl Seen {
    /// The client published on channel `number`: the message is `message`,
    /// and `seq` its confirm sequence number if the channel is in confirm mode.
    fn published(&mut self, number: u16, seq: Option<u64>, message: u64, persistent: bool) {
        if let Some(seq) = seq {
            self.seq_to_message.insert((number, seq), message);
        }
        if persistent {
            self.persistent.insert(message);
        }
    }

    /// Reads what the broker sent the client (`conn`'s outbox) and what it
    /// logged since the last look.
    fn read(
        &mut self,
        broker: &mut Broker,
        conn: warren::engine::ids::ConnId,
        consumers: &HashMap<(u16, Rc<str>), ConsumerInfo>,
    ) {
        for out in broker.take_outbox(conn) {
            match out.method {
                ServerMethod::Confirm(c) if c.ack => {
                    let confirmed: Vec<u64> = self
                        .seq_to_message
                        .iter()
                        .filter(|((n, seq), _)| *n == out.channel && c.covers(*seq))
                        .map(|(_, m)| *m)
                        .collect();
                    self.confirmed.extend(confirmed);
                }
                ServerMethod::BasicDeliver(d) => {
                    if let Some(c) = consumers.get(&(out.channel, d.consumer_tag)) {
                        if c.no_ack {
                            self.consumed.insert((c.queue.clone(), d.message.id().0));
                        }
                    }
                }
                _ => {}
            }
        }
        for e in broker.events_since(self.cursor) {
            match &e.kind {
                EventKind::Enqueued {
                    message,
                    queue_name,
                    ..
                } => {
                    self.enqueued.insert((queue_name.to_string(), message.0));
                }
                EventKind::Acked {
                    message,
                    queue_name,
                    ..
                } => {
                    self.consumed.insert((queue_name.to_string(), message.0));
                }
                _ => {}
            }
        }
        self.cursor = broker.next_event_seq();
    }
}

fn check_boot(booted: &Broker, seen: &Seen, context: &str) {
    // Nothing transient is back.
    for q in booted.queues() {
        assert!(q.durable, "{context}: transient queue {} came back", q.name);
        for e in q.ready.iter() {
            assert!(
                e.msg.is_persistent(),
                "{context}: transient message m{} came back in {}",
                e.msg.id().0,
                q.name
            );
        }
    }
    for x in booted.exchanges() {
        assert!(
            x.durable,
            "{context}: transient exchange {} came back",
            x.name
        );
    }
    // Nothing duplicated.
    for q in booted.queues() {
        let mut ids = BTreeSet::new();
        for e in q.ready.iter() {
            assert!(
                ids.insert(e.msg.id().0),
                "{context}: m{} twice in {}",
                e.msg.id().0,
                q.name
            );
        }
    }
    // Nothing confirmed is missing from a durable queue it reached.
    for (queue, message) in &seen.enqueued {
        let durable = QUEUES.iter().any(|(q, d)| *q == queue && *d);
        if !durable || !seen.confirmed.contains(message) || !seen.persistent.contains(message) {
            continue;
        }
        if seen.consumed.contains(&(queue.clone(), *message)) {
            continue;
        }
        let present = booted
            .queue_by_name(queue)
            .is_some_and(|q| q.ready.iter().any(|e| e.msg.id().0 == *message));
        assert!(
            present,
            "{context}: confirmed m{message} missing from {queue} after the crash"
        );
    }
}

struct Scenario {
    broker: Broker,
    store: MemoryStorage,
    seen: Seen,
    channels: Vec<Chan>,
    /// Whether channel 0 is in confirm mode, and how many publishes it has
    /// made since (a confirm names the publish by that count).
    confirm: bool,
    published: u64,
    /// The client's consumers, by channel number and consumer tag.
    consumers: HashMap<(u16, Rc<str>), ConsumerInfo>,
    crashes: usize,
}

impl Scenario {
    fn new(rng: &mut SeededRng) -> Scenario {
        let config = BrokerConfig {
            durability: Durability::External,
            commit_interval_ms: [0, 50, 200][rng.below(3) as usize],
            ..BrokerConfig::default()
        };
        let mut broker = Broker::new(config);
        let conn = broker.open_connection("client");
        let channels: Vec<Chan> = (0..2)
            .map(|_| Chan::open(&mut broker, conn).unwrap())
            .collect();
        let setup = channels[1];
        setup
            .call(
                &mut broker,
                Method::ExchangeDeclare(ExchangeDeclare {
                    durable: true,
                    ..ExchangeDeclare::new("fan", "fanout")
                }),
            )
            .unwrap();
        setup
            .call(
                &mut broker,
                Method::ExchangeDeclare(ExchangeDeclare::new("tmp", "fanout")),
            )
            .unwrap();
        for (name, durable) in QUEUES {
            setup
                .call(
                    &mut broker,
                    Method::QueueDeclare(QueueDeclare {
                        durable: *durable,
                        ..QueueDeclare::named(name)
                    }),
                )
                .unwrap();
            setup
                .call(
                    &mut broker,
                    Method::QueueBind(QueueBind::new(name, "fan", "")),
                )
                .unwrap();
        }
        let confirm = rng.below(2) == 0;
        if confirm {
            channels[0]
                .call(&mut broker, Method::ConfirmSelect { no_wait: false })
                .unwrap();
        }
        Scenario {
            broker,
            store: MemoryStorage::new(),
            seen: Seen::default(),
            channels,
            confirm,
            published: 0,
            consumers: HashMap::new(),
            crashes: 0,
        }
    }

    /// Crashes a copy of the world now and checks what boots from the store.
    fn crash_copy(&mut self, context: &str) {
        let mut crashed = self.broker.clone();
        let mut store = self.store.clone();
        crashed.stop(false);
        let state = now_or_never(store.load()).unwrap().unwrap();
        crashed.boot(&state);
        check_boot(
            &crashed,
            &self.seen,
            &format!("{context} (after {} writes)", store.writes),
        );
        self.crashes += 1;
    }

    /// Writes the sealed batches one by one, crashing a copy of the world
    /// before the first write and after every write.
    fn flush_and_crash_each_write(&mut self) {
        self.crash_copy("crash between writes");
        for batch in self.broker.take_sealed_batches() {
            now_or_never(self.store.commit(&batch)).unwrap().unwrap();
            self.broker.batch_committed(batch.id, Ok(()));
            self.observe();
            self.crash_copy("crash right after a write");
        }
    }

    /// The client reads what the broker sent it; the test, what it logged.
    fn observe(&mut self) {
        let conn = self.channels[0].conn;
        self.seen.read(&mut self.broker, conn, &self.consumers);
    }

    fn op(&mut self, rng: &mut SeededRng) {
        let ch = self.channels[rng.below(2) as usize];
        if !self.broker.channel(ch.id).is_some_and(|c| c.open) {
            return;
        }
        match rng.below(10) {
            0..=3 => {
                let exchange = if rng.below(2) == 0 { "fan" } else { "" };
                let key = QUEUES[rng.below(3) as usize].0;
                let properties = Properties {
                    delivery_mode: Some(1 + rng.below(2) as u8),
                    ..Default::default()
                };
                let persistent = properties.is_persistent();
                let body = format!("m{}", rng.below(1000)).into_bytes();
                ch.call(
                    &mut self.broker,
                    Method::BasicPublish(BasicPublish {
                        properties,
                        ..BasicPublish::new(exchange, key, body)
                    }),
                )
                .unwrap();
                let seq = (self.confirm && ch.number == self.channels[0].number).then(|| {
                    self.published += 1;
                    self.published
                });
                let message = self.broker.last_message_id().unwrap().0;
                self.seen.published(ch.number, seq, message, persistent);
            }
            4 => {
                let queue = QUEUES[rng.below(3) as usize].0;
                let _ = ch.call(
                    &mut self.broker,
                    Method::BasicQos(BasicQos {
                        prefetch_count: 1 + rng.below(3) as u16,
                        ..Default::default()
                    }),
                );
                let no_ack = rng.below(4) == 0;
                let consumed = ch.call(
                    &mut self.broker,
                    Method::BasicConsume(BasicConsume {
                        queue: queue.into(),
                        no_ack,
                        ..Default::default()
                    }),
                );
                if let Ok(reply) = consumed {
                    let info = ConsumerInfo {
                        queue: queue.into(),
                        no_ack,
                    };
                    self.consumers.insert((ch.number, consume_ok(reply)), info);
                }
            }
            5 | 6 => {
                let tag = self
                    .broker
                    .channel(ch.id)
                    .and_then(|c| c.unacked.keys().next().copied());
                if let Some(delivery_tag) = tag {
                    let _ = if rng.below(4) == 0 {
                        ch.call(
                            &mut self.broker,
                            Method::BasicNack(BasicNack {
                                delivery_tag,
                                multiple: false,
                                requeue: true,
                            }),
                        )
                    } else {
                        ch.call(
                            &mut self.broker,
                            Method::BasicAck(BasicAck {
                                delivery_tag,
                                multiple: rng.below(2) == 0,
                            }),
                        )
                    };
                }
            }
            7 => {
                let queue = QUEUES[rng.below(3) as usize].0;
                let no_ack = rng.below(2) == 0;
                let got = ch.call(
                    &mut self.broker,
                    Method::BasicGet(BasicGet {
                        queue: queue.into(),
                        no_ack,
                    }),
                );
                if let Some(ok) = got.ok().and_then(get_ok) {
                    if no_ack {
                        self.seen.consumed.insert((queue.into(), ok.message.id().0));
                    }
                }
            }
            _ => self.broker.advance(rng.below(250)),
        }
        self.broker.run_until_idle();
        self.observe();
        self.flush_and_crash_each_write();
    }

    /// A graceful stop commits everything: the store then holds exactly
    /// the broker's durable state.
    fn graceful_stop_matches_the_store(mut self) {
        let before: DurableState = {
            let mut b = self.broker.clone();
            for conn in b
                .connections()
                .filter(|c| c.open)
                .map(|c| c.id)
                .collect::<Vec<_>>()
            {
                let _ = b.close_connection_gracefully(conn);
            }
            b.durable_state()
        };
        self.broker.stop(true);
        for batch in self.broker.take_sealed_batches() {
            now_or_never(self.store.commit(&batch)).unwrap().unwrap();
            self.broker.batch_committed(batch.id, Ok(()));
        }
        let stored = now_or_never(self.store.load()).unwrap().unwrap();
        assert_eq!(
            stored, before,
            "after a graceful stop the store holds the durable state"
        );
        assert_eq!(
            &stored,
            self.broker.committed_state(),
            "the engine's mirror agrees with the store"
        );
    }
}

#[test]
fn crash_after_every_storage_write_loses_nothing_confirmed() {
    let seed = chan::seed_from_env("WARREN_RECOVERY_SEED", 7);
    let mut rng = SeededRng::new(seed);
    let mut crashes = 0;
    let mut scenarios_with_confirms = 0;
    for _ in 0..250 {
        let mut s = Scenario::new(&mut rng);
        for _ in 0..40 {
            s.op(&mut rng);
        }
        s.broker.advance(1_000);
        s.observe();
        s.flush_and_crash_each_write();
        if !s.seen.confirmed.is_empty() {
            scenarios_with_confirms += 1;
        }
        crashes += s.crashes;
        s.graceful_stop_matches_the_store();
    }
    assert!(
        crashes > 1_000,
        "the scenarios wrote often enough to test ({crashes} crash points)"
    );
    assert!(
        scenarios_with_confirms > 50,
        "confirms were exercised ({scenarios_with_confirms} scenarios)"
    );
}

#[test]
fn a_failed_write_nacks_its_confirms_and_keeps_what_was_committed() {
    let mut broker = Broker::new(BrokerConfig {
        durability: Durability::External,
        commit_interval_ms: 0,
        ..BrokerConfig::default()
    });
    let ch = Chan::connect(&mut broker, "c");
    ch.call(
        &mut broker,
        Method::QueueDeclare(QueueDeclare {
            durable: true,
            ..QueueDeclare::named("q")
        }),
    )
    .unwrap();
    ch.call(&mut broker, Method::ConfirmSelect { no_wait: false })
        .unwrap();
    let mut store = MemoryStorage::new();
    store.fail_write(1, warren::store::StoreError::QuotaExceeded);
    let persistent = || Properties {
        delivery_mode: Some(2),
        ..Default::default()
    };
    let mut outcomes = Vec::new();
    // Confirms count the channel's publishes from 1.
    for (seq, body) in (1u64..).zip(["kept", "lost", "kept too"]) {
        ch.call(
            &mut broker,
            Method::BasicPublish(BasicPublish {
                properties: persistent(),
                ..BasicPublish::new("", "q", body)
            }),
        )
        .unwrap();
        broker.run_until_idle();
        let errors = now_or_never(warren::store::flush(&mut broker, &mut store)).unwrap();
        let ack = broker
            .take_outbox(ch.conn)
            .into_iter()
            .find_map(|out| match out.method {
                ServerMethod::Confirm(c) if c.covers(seq) => Some(c.ack),
                _ => None,
            });
        outcomes.push((body, ack, errors.len()));
    }
    // Write 0 holds the queue declaration and "kept"; write 1 fails.
    assert_eq!(
        outcomes,
        vec![
            ("kept", Some(true), 0),
            ("lost", Some(false), 1),
            ("kept too", Some(true), 0)
        ]
    );
    assert!(broker
        .events()
        .iter()
        .any(|e| matches!(&e.kind, EventKind::BatchFailed { .. })));
    assert!(
        broker.channel(ch.id).unwrap().open,
        "the broker keeps running"
    );
    // A crash now: the store has what committed.
    broker.stop(false);
    let state = now_or_never(store.load()).unwrap().unwrap();
    broker.boot(&state);
    let bodies: Vec<String> = broker
        .queue_by_name("q")
        .unwrap()
        .ready
        .iter()
        .map(|e| e.msg.body_text())
        .collect();
    assert_eq!(bodies, vec!["kept", "kept too"]);
}

#[test]
fn records_from_a_newer_schema_or_damaged_are_refused_not_panicked_on() {
    let mut store = MemoryStorage::new();
    let newer = warren::store::record::SCHEMA_VERSION + 1;
    store.put_raw("queues", "q", &format!(r#"{{"v": {newer}, "name": "q"}}"#));
    let err = now_or_never(store.load()).unwrap().unwrap_err();
    assert!(err.to_string().contains("newer Warren"), "{err}");
    let mut store = MemoryStorage::new();
    store.put_raw("messages", "q\u{1}1", "not json");
    let err = now_or_never(store.load()).unwrap().unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
}

/// The workbench replaces a store's whole content when its broker is
/// replaced (a chapter, a link). That is one write: a failure leaves the
/// store as it was, never half of each state.
#[test]
fn replacing_a_whole_store_is_all_or_nothing() {
    let states: Vec<DurableState> = [3u64, 11]
        .into_iter()
        .map(|seed| {
            let mut rng = SeededRng::new(seed);
            let mut s = Scenario::new(&mut rng);
            for _ in 0..60 {
                s.op(&mut rng);
            }
            now_or_never(s.store.load()).unwrap().unwrap()
        })
        .collect();
    assert_ne!(states[0], states[1], "two different states to swap");
    assert!(
        states[0].message_count() > 0,
        "the first state holds messages"
    );

    let mut store = MemoryStorage::new();
    now_or_never(store.replace(&states[0])).unwrap().unwrap();
    assert_eq!(now_or_never(store.load()).unwrap().unwrap(), states[0]);

    store.fail_write(store.writes, warren::store::StoreError::QuotaExceeded);
    assert!(now_or_never(store.replace(&states[1])).unwrap().is_err());
    assert_eq!(
        now_or_never(store.load()).unwrap().unwrap(),
        states[0],
        "a failed replace leaves the old state whole"
    );
    now_or_never(store.replace(&states[1])).unwrap().unwrap();
    assert_eq!(now_or_never(store.load()).unwrap().unwrap(), states[1]);
    now_or_never(store.clear()).unwrap().unwrap();
    assert_eq!(
        now_or_never(store.load()).unwrap().unwrap(),
        DurableState::default()
    );
}

/// Where a reader of stream `s` attaching with `x-stream-offset: offset`
/// starts: the bodies it is sent (prefetch 10, more than the tests publish).
fn stream_read_from(broker: &mut Broker, offset: warren::engine::value::FieldValue) -> Vec<String> {
    let ch = Chan::connect(broker, "reader");
    let qos = BasicQos {
        prefetch_size: 0,
        prefetch_count: 10,
        global: false,
    };
    ch.call(broker, Method::BasicQos(qos)).unwrap();
    let consume = BasicConsume {
        queue: "s".into(),
        arguments: warren::engine::value::FieldTable::from([(
            "x-stream-offset".to_string(),
            offset,
        )]),
        ..Default::default()
    };
    consume_ok(ch.call(broker, Method::BasicConsume(consume)).unwrap());
    broker.run_until_idle();
    broker
        .take_outbox(ch.conn)
        .into_iter()
        .filter_map(|out| match out.method {
            ServerMethod::BasicDeliver(d) => Some(d.message.body_text()),
            _ => None,
        })
        .collect()
}

/// A stream's messages keep the time they were written through a store
/// (written with each message record as `written_at`), so readers
/// attaching at a timestamp find the same log after a restart; and a store
/// written before Warren kept those times still loads: its stream messages
/// count as written when it was loaded, so any time up to then reads them
/// all, as Warren answered before. Offsets are stored too; records
/// without them follow each other from offset 0.
#[test]
fn a_streams_write_times_are_stored_and_older_stores_load_without_them() {
    use warren::engine::value::{FieldTable, FieldValue};
    let mut writer = Broker::new(BrokerConfig::default());
    let epoch = writer.config().epoch_unix_seconds;
    let ch = Chan::connect(&mut writer, "writer");
    let stream = FieldTable::from([(
        "x-queue-type".to_string(),
        FieldValue::LongStr("stream".into()),
    )]);
    ch.declare_durable(&mut writer, "s", stream);
    // Written at 0 s, 2 s and 4 s of virtual time.
    for body in ["a", "b", "c"] {
        ch.publish(&mut writer, "s", body);
        writer.advance(2000);
    }
    writer.stop(true);
    let state = writer.committed_state().clone();
    let at = |seconds: u64| FieldValue::Timestamp(epoch + seconds);
    for older in [false, true] {
        let mut store = MemoryStorage::new();
        let records = warren::store::record::RecordSet::from_state(&state);
        for (table, key, text) in records.rows() {
            let mut record: serde_json::Value = serde_json::from_str(text).unwrap();
            if table == "messages" {
                let object = record.as_object_mut().unwrap();
                let message = object["message"].as_object_mut().unwrap();
                assert!(message.contains_key("written_at"), "{text}");
                assert!(message.contains_key("stream_offset"), "{text}");
                if older {
                    message.remove("written_at");
                    message.remove("stream_offset");
                }
            }
            store.put_raw(table, key, &record.to_string());
        }
        let loaded = now_or_never(store.load()).unwrap().unwrap();
        // Loaded at 60 s; "d" written at 61 s; the readers attach at 61 s.
        let mut reader = Broker::new(BrokerConfig::default());
        reader.advance(60_000);
        reader.boot(&loaded);
        let ch = Chan::connect(&mut reader, "writer");
        reader.advance(1000);
        ch.publish(&mut reader, "s", "d");
        let mut read = |offset| stream_read_from(&mut reader, offset).concat();
        let ago = |s: &str| FieldValue::LongStr(s.into());
        // Before, at and between the writes, at the load, at "d", after
        // it, and 60 s before now (1 s).
        let expected = if older {
            ["abcd", "abcd", "abcd", "abcd", "abcd", "d", "", "abcd"]
        } else {
            ["abcd", "bcd", "cd", "d", "d", "d", "", "bcd"]
        };
        let found = [
            read(at(0)),
            read(at(1)),
            read(at(3)),
            read(at(5)),
            read(at(60)),
            read(at(61)),
            read(at(62)),
            read(ago("60s")),
        ];
        assert_eq!(found, expected, "older store: {older}");
    }
}

/// A stream whose retention removed segments comes back from its store
/// with the same offsets, first offset and count, and its next publish
/// rolls where it would have without the restart (`stream_segments.rs`).
#[test]
fn a_streams_segments_and_retention_survive_a_restart() {
    use warren::engine::value::{FieldTable, FieldValue};
    let run = |restart: bool| {
        let mut broker = Broker::new(BrokerConfig::default());
        let ch = Chan::connect(&mut broker, "writer");
        let stream = FieldTable::from([
            (
                "x-queue-type".to_string(),
                FieldValue::LongStr("stream".into()),
            ),
            (
                "x-stream-max-segment-size-bytes".to_string(),
                FieldValue::Long(300),
            ),
            ("x-max-length-bytes".to_string(), FieldValue::Long(700)),
        ]);
        ch.declare_durable(&mut broker, "s", stream);
        for body in ["a", "b", "c", "d", "e", "f", "g"] {
            ch.publish(&mut broker, "s", body);
            broker.advance(1000);
        }
        // A new channel either way: a new writer, next to the one a
        // restart recovers from the last tracking chunk.
        if restart {
            broker.restart();
        }
        let ch = Chan::connect(&mut broker, "writer 2");
        let before = broker.queue_stats("s").unwrap().ready;
        for body in ["h", "i", "j"] {
            ch.publish(&mut broker, "s", body);
            broker.advance(1000);
        }
        let read = stream_read_from(&mut broker, FieldValue::LongStr("first".into()));
        (before, read, broker.queue_stats("s").unwrap().ready)
    };
    let (kept, restarted) = (run(false), run(true));
    assert!(kept.1.len() < 10, "retention removed some: {:?}", kept.1);
    assert_eq!(restarted, kept);
}
