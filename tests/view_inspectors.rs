//! The inspectors' views (`src/view/stream_log.rs`, `src/view/deliveries.rs`),
//! checked against what the engine did rather than against numbers written
//! here: a stream reader's next offset is one past the last
//! `x-stream-offset` it was delivered, a quorum queue's delivery count is
//! the `x-delivery-count` its deliveries carried, and the timeout's
//! countdown ends exactly when the engine closes the channel.

use warren::document::Document;
use warren::engine::event::EventKind;
use warren::engine::value::FieldValue;
use warren::engine::{BrokerConfig, Profile};
use warren::sim::{ActorId, Simulation};
use warren::tutorial::catalog;
use warren::tutorial::progress::world_at;
use warren::view::deliveries::{
    countdown, delivery_counts_of_message, unacked_of_queue, unacked_on_channel,
};
use warren::view::stream_log::{properties_summary, stream_log};

fn build(json: &str) -> (Simulation, Vec<ActorId>) {
    Document::parse(json).unwrap().build().unwrap()
}

/// A stream of six events and a reader from `first` that holds two
/// deliveries (prefetch 2) for ten seconds each.
const STREAM: &str = r#"{
 "warren": 1,
 "queues": [{"name": "events", "durable": true, "arguments": {"x-queue-type": "stream"}}],
 "actors": [
  {"kind": "producer", "name": "emit_event.py", "routing_key": "events", "body": "event {n}",
   "properties": {"delivery_mode": 2, "content_type": "text/plain"}},
  {"kind": "worker", "name": "slow.py", "queue": "events", "prefetch": 2,
   "work": {"kind": "fixed", "ms": 10000}, "on_done": {"kind": "ack"},
   "arguments": {"x-stream-offset": "first"}}
 ]
}"#;

/// The offsets delivered to a worker so far, from the engine's log.
fn offsets_delivered(sim: &Simulation, worker: ActorId) -> Vec<i64> {
    let channel = sim.worker(worker).unwrap().link.channel;
    sim.broker
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Delivered {
                message,
                channel: c,
                ..
            } if *c == channel => message
                .properties
                .header("x-stream-offset")
                .and_then(|v| v.as_integer()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_streams_log_marks_where_each_reader_reads_next() {
    let (mut sim, actors) = build(STREAM);
    let (producer, reader) = (actors[0], actors[1]);
    for _ in 0..6 {
        sim.publish(producer).unwrap();
    }
    let mut seen_busy = false;
    for _ in 0..40 {
        sim.step();
        let log = stream_log(&sim, "events", 100).unwrap();
        assert_eq!(log.next_offset, 6);
        assert_eq!(log.last_offset, Some(5));
        assert_eq!(log.rows.len(), 6);
        let r = &log.readers[0];
        assert_eq!(r.holder, "slow.py");
        let delivered = offsets_delivered(&sim, reader);
        let expected_next = delivered.last().map_or(0, |o| *o as u64 + 1);
        assert_eq!(
            r.next_offset, expected_next,
            "after deliveries {delivered:?}"
        );
        assert_eq!(r.credit, Some(2 - r.unacked));
        seen_busy |= r.credit == Some(0) && r.next_offset == 2;
        for row in &log.rows {
            assert_eq!(row.body, format!("event {}", row.offset + 1));
            assert_eq!(row.readers_here == [0], row.offset == r.next_offset);
        }
    }
    assert!(
        seen_busy,
        "the reader held its two deliveries at some point"
    );
    sim.run_for(120_000);
    let log = stream_log(&sim, "events", 100).unwrap();
    assert!(
        log.readers[0].at_end(&log),
        "read to the end: {:?}",
        log.readers[0]
    );
    assert!(log.rows.iter().all(|r| r.readers_here.is_empty()));
    assert_eq!(
        log.rows[0].properties,
        "persistent, content_type=text/plain"
    );
}

#[test]
fn a_long_log_shows_its_last_rows_and_how_many_came_before() {
    let (mut sim, actors) = build(STREAM);
    for _ in 0..6 {
        sim.publish(actors[0]).unwrap();
    }
    let log = stream_log(&sim, "events", 4).unwrap();
    assert_eq!(log.earlier, 2);
    let offsets: Vec<u64> = log.rows.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, [2, 3, 4, 5]);
    assert_eq!(stream_log(&sim, "events", 0).unwrap().rows.len(), 0);
    assert!(stream_log(&sim, "no such queue", 4).is_none());
}

#[test]
fn chapter_14_solved_every_reader_is_at_the_end_of_the_log() {
    let chapter = catalog::chapters()
        .into_iter()
        .flatten()
        .find(|c| c.id.starts_with("14-"))
        .expect("chapter 14");
    let world = world_at(&chapter, chapter.tasks.len()).unwrap();
    let log = stream_log(&world.sim, "events", 100).unwrap();
    assert_eq!(
        log.next_offset,
        world.sim.broker.queue_stats("events").unwrap().ready
    );
    assert!(!log.readers.is_empty());
    for r in &log.readers {
        assert!(r.at_end(&log), "{r:?}");
        assert_eq!(r.credit, Some(r.prefetch), "acked everything: {r:?}");
    }
    let holders: Vec<&str> = log.readers.iter().map(|r| r.holder.as_str()).collect();
    assert!(holders.contains(&"audit.py"), "{holders:?}");
}

/// A quorum queue with a delivery limit of 3 and a worker that rejects
/// every message with requeue after a second.
const POISON: &str = r#"{
 "warren": 1,
 "exchanges": [{"name": "dlx", "type": "fanout"}],
 "queues": [
  {"name": "tasks", "durable": true, "arguments": {"x-queue-type": "quorum", "x-delivery-limit": 3, "x-dead-letter-exchange": "dlx"}},
  {"name": "dead"}
 ],
 "bindings": [{"source": "dlx", "destination": "dead"}],
 "actors": [
  {"kind": "producer", "name": "new_task.py", "routing_key": "tasks", "body": "poison"},
  {"kind": "worker", "name": "picky.py", "queue": "tasks", "prefetch": 1,
   "work": {"kind": "fixed", "ms": 1000}, "on_done": {"kind": "reject", "requeue": true}}
 ]
}"#;

#[test]
fn a_quorum_queues_delivery_count_is_what_its_deliveries_carry() {
    let (mut sim, actors) = build(POISON);
    sim.publish(actors[0]).unwrap();
    let message = sim.broker.last_message_id().unwrap().0;
    let mut counts_seen = Vec::new();
    for _ in 0..60 {
        sim.step();
        let deliveries: Vec<Option<i64>> = sim
            .broker
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Delivered {
                    message: m,
                    queue_name,
                    ..
                } if m.id().0 == message && &**queue_name == "tasks" => Some(
                    m.properties
                        .header("x-delivery-count")
                        .and_then(FieldValue::as_integer),
                ),
                _ => None,
            })
            .collect();
        for copy in delivery_counts_of_message(&sim, message) {
            assert_eq!(copy.queue, "tasks");
            assert_eq!(copy.count.limit, Some(3));
            if copy.unacked {
                // RabbitMQ leaves the header out while the count is 0.
                let carried = deliveries.last().copied().flatten().unwrap_or(0);
                assert_eq!(i64::from(copy.count.count), carried);
            } else {
                // Every delivery so far came back.
                assert_eq!(copy.count.count as usize, deliveries.len());
            }
            counts_seen.push(copy.count.count);
        }
        for u in unacked_of_queue(&sim, "tasks") {
            assert_eq!(u.holder, "picky.py");
            assert_eq!(
                u.delivery_count.map(|c| c.count),
                deliveries.len().checked_sub(1).map(|n| n as u32)
            );
        }
    }
    counts_seen.dedup();
    assert_eq!(counts_seen, [0, 1, 2, 3], "counted up to the limit");
    assert!(
        delivery_counts_of_message(&sim, message).is_empty(),
        "past the limit it was dead-lettered to a classic queue, which counts nothing"
    );
    assert_eq!(sim.broker.queue_stats("dead").unwrap().ready, 1);
}

/// A classic queue and a worker that takes an hour per task with two in
/// hand (prefetch 2): the acknowledgement timeout (30 min, ticks every
/// minute) closes its channel first.
const SLOW: &str = r#"{
 "warren": 1,
 "queues": [{"name": "jobs", "durable": true}],
 "actors": [
  {"kind": "producer", "name": "new_task.py", "routing_key": "jobs", "body": "job {n}"},
  {"kind": "worker", "name": "sleepy.py", "queue": "jobs", "prefetch": 2,
   "work": {"kind": "fixed", "ms": 3600000}, "on_done": {"kind": "ack"}}
 ]
}"#;

#[test]
fn the_countdown_ends_when_the_engine_closes_the_channel() {
    let (mut sim, actors) = build(SLOW);
    let (producer, worker) = (actors[0], actors[1]);
    sim.run_for(25_000);
    sim.publish(producer).unwrap();
    sim.run_for(600_000);
    sim.publish(producer).unwrap();
    sim.run_for(1_000);
    let channel = sim.worker(worker).unwrap().link.channel;
    let held = unacked_on_channel(&sim, channel);
    assert_eq!(held.len(), 2);
    let left = held[0].times_out_in.expect("a timeout is configured");
    assert!(
        held.iter().all(|u| u.times_out_in == Some(left)),
        "the channel closes for its oldest delivery, taking both: {held:?}"
    );
    let closes_at = sim.now() + left;
    // The first tick after 30 minutes from the first delivery.
    assert!((1_825_000..=1_885_000).contains(&closes_at), "{closes_at}");
    sim.run_for(left - 1);
    assert_eq!(unacked_on_channel(&sim, channel)[0].times_out_in, Some(1));
    assert!(sim.broker.channel(channel).unwrap().open);
    sim.run_for(1);
    let timed_out = sim
        .broker
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::AckTimedOut { .. }));
    assert_eq!(timed_out.map(|e| e.time), Some(closes_at));
    assert!(unacked_on_channel(&sim, channel).is_empty());
}

#[test]
fn no_countdown_without_a_timeout() {
    let one_held = |doc: &Document, config: BrokerConfig| {
        let (mut sim, actors) = doc.build_with(config).unwrap();
        sim.publish(actors[0]).unwrap();
        sim.run_for(1_000);
        let held = unacked_of_queue(&sim, "jobs");
        assert_eq!(held.len(), 1);
        held[0].times_out_in
    };
    let doc = Document::parse(SLOW).unwrap();
    assert!(one_held(&doc, BrokerConfig::default()).is_some());
    // The document's broker options win over the base config, as its
    // profile and seed do: switch the timeout off in the document.
    let mut off = doc.clone();
    off.broker.consumer_timeout_ms = None;
    assert_eq!(
        one_held(&off, BrokerConfig::default()),
        None,
        "consumer_timeout off"
    );
    let mut doc43 = doc.clone();
    doc43.broker.profile = Profile::RabbitMq43;
    assert_eq!(
        one_held(&doc43, BrokerConfig::default()),
        None,
        "4.3 does not close the channel of a classic queue's consumer"
    );
}

#[test]
fn countdowns_read_like_a_clock() {
    assert_eq!(countdown(1_781_000), "29:41");
    assert_eq!(countdown(1_780_001), "29:41", "seconds round up");
    assert_eq!(countdown(0), "0:00");
    assert_eq!(countdown(59_001), "1:00");
    assert_eq!(countdown(3_600_000), "1:00:00");
    assert_eq!(countdown(3_725_000), "1:02:05");
}

#[test]
fn a_properties_summary_names_what_is_set() {
    use warren::engine::message::Properties;
    assert_eq!(properties_summary(&Properties::default()), "");
    let p = Properties {
        delivery_mode: Some(1),
        priority: Some(3),
        correlation_id: Some("<b>x</b>".into()),
        headers: Some([("a".to_string(), FieldValue::Long(1))].into()),
        ..Default::default()
    };
    assert_eq!(
        properties_summary(&p),
        "delivery_mode=1, priority=3, correlation_id=<b>x</b>, headers: 1"
    );
}

/// A stream with small segments and x-max-length-bytes: the view shows
/// what retention removed, the segment boundaries with their sizes, the
/// tracking chunks (offsets with no message) and each row's write time.
#[test]
fn a_streams_view_shows_segments_tracking_chunks_and_what_retention_removed() {
    let json = r#"{
 "warren": 1,
 "queues": [{"name": "events", "durable": true, "arguments": {
   "x-queue-type": "stream", "x-stream-max-segment-size-bytes": 300, "x-max-length-bytes": 700}}],
 "actors": [
  {"kind": "producer", "name": "emit_event.py", "routing_key": "events", "body": "event {n}"}
 ]
}"#;
    let (mut sim, actors) = build(json);
    for _ in 0..8 {
        sim.publish(actors[0]).unwrap();
        sim.run_for(1000);
    }
    let log = stream_log(&sim, "events", 100).unwrap();
    assert!(log.first_offset > 0, "retention removed the oldest offsets");
    assert_eq!(log.rows.first().map(|r| r.offset), Some(log.first_offset));
    assert!(log.segments.len() >= 2);
    for segment in &log.segments {
        let first_row = log.rows.iter().find(|r| r.offset == segment.first_offset);
        assert!(first_row.is_some_and(|r| r.starts_segment), "{segment:?}");
    }
    let tracking: Vec<_> = log.rows.iter().filter(|r| r.message.is_none()).collect();
    assert!(
        !tracking.is_empty(),
        "rolled segments start with a tracking chunk"
    );
    assert!(tracking
        .iter()
        .all(|r| r.body.is_empty() && r.starts_segment));
    // Written a second apart, on the virtual clock.
    let messages: Vec<_> = log.rows.iter().filter(|r| r.message.is_some()).collect();
    for pair in messages.windows(2) {
        assert_eq!(pair[1].written_at - pair[0].written_at, 1000);
    }
    assert_eq!(
        warren::view::stream_log::time_of_day(1_767_225_600_000 + 3_723_250),
        "01:02:03.250"
    );
}
