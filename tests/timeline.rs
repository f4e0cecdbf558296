//! The workbench's timeline, natively (`view::timeline`): stepping back
//! shows exactly what was there, stepping forward again replays the same
//! run, and no cursor move panics, with no browser involved.

use warren::engine::BrokerConfig;
use warren::sim::bounded::{PublishCount, VirtualMs};
use warren::sim::world::{Command, WireOp};
use warren::sim::ActorId;
use warren::view::presets;
use warren::view::timeline::{PythonPacing, SeekRefused, StoreJob, Timeline, SNAPSHOTS_MAX};

/// What a person sees of the world: time, queue counts, workers' tasks,
/// how many events.
fn seen(t: &Timeline) -> String {
    let w = t.world();
    let queues: Vec<String> = w
        .sim
        .broker
        .queues()
        .map(|q| format!("{}:{}/{}", q.name, q.ready_count(), q.unacked))
        .collect();
    let workers: Vec<String> = w
        .sim
        .workers()
        .map(|k| {
            format!(
                "{}:{:?}",
                k.spec.name,
                k.current.as_ref().map(|c| c.delivery.message)
            )
        })
        .collect();
    format!(
        "t={} {} {} events={} actors={}",
        w.sim.now(),
        queues.join(","),
        workers.join(","),
        t.events().len(),
        w.sim.actor_events().len()
    )
}

/// Tutorial 2's work queue (two workers, prefetch 1) with 40 tasks, stepped
/// until idle or 400 ticks; and what was seen at every position.
fn work_queue() -> (Timeline, Vec<String>) {
    let mut t = Timeline::new(BrokerConfig::default());
    let mut views = vec![seen(&t)];
    for cmd in presets::lesson(1) {
        assert!(t.command(cmd).is_ok());
        views.push(seen(&t));
    }
    let publish = Command::Publish {
        producer: ActorId(1),
        count: PublishCount::new(40).expect("40 is a valid count"),
        body: Some("Task ..".into()),
    };
    assert!(t.command(publish).is_ok());
    views.push(seen(&t));
    while t.pos() < 400 && t.forward() {
        views.push(seen(&t));
    }
    (t, views)
}

#[test]
fn stepping_back_shows_exactly_what_was_there() {
    let (mut t, views) = work_queue();
    let end = t.pos();
    assert!(
        end > 100,
        "the run is long enough to need snapshots ({end})"
    );
    for target in [end - 1, 0, 7, end / 2, 3, end, 1, end - 40, 64, 65, end] {
        assert!(t.seek(target).is_ok());
        assert_eq!(t.pos(), target);
        assert_eq!(seen(&t), views[target], "position {target}");
    }
    // Stepping forward again from the middle replays the same run.
    assert!(t.seek(end / 3).is_ok());
    while t.pos() < end {
        assert!(t.forward());
        assert_eq!(seen(&t), views[t.pos()]);
    }
}

#[test]
fn back_n_then_forward_n_gives_the_same_broker_state() {
    let (mut t, _) = work_queue();
    let end = t.pos();
    let at_end = seen(&t);
    let log =
        |t: &Timeline| -> Vec<String> { t.events().iter().map(|e| format!("{e:?}")).collect() };
    let events_at_end = log(&t);
    for n in [1, 2, 31, 33, end / 2, end] {
        for _ in 0..n {
            assert!(t.back().is_ok());
        }
        assert_eq!(t.pos(), end - n);
        assert_ne!(seen(&t), at_end, "{n} steps back is somewhere else");
        for _ in 0..n {
            assert!(t.forward(), "a recorded tick replays");
        }
        assert_eq!(t.pos(), end);
        assert_eq!(seen(&t), at_end, "{n} back and {n} forward");
        assert_eq!(log(&t), events_at_end, "the same event log");
        assert_eq!(t.recorded(), end, "replaying records nothing new");
    }
}

#[test]
fn the_events_and_marks_follow_the_cursor() {
    let (mut t, _) = work_queue();
    let end = t.pos();
    let all = t.events().len();
    assert!(t.seek(end / 2).is_ok());
    let half = t.events().len();
    assert!(half < all, "fewer events have happened half way");
    assert_eq!(t.marks().len(), end / 2 + 1, "one mark per position so far");
    // Each event happened at the tick its sequence number falls in (0:
    // the broker's own start, before any tick).
    for e in t.events() {
        let tick = t.tick_of_event(e.seq);
        assert!(tick <= end / 2, "event {} at tick {tick}", e.seq);
        assert!(t.mark_at(tick).broker_seq > e.seq);
        if tick > 0 {
            assert!(t.mark_at(tick - 1).broker_seq <= e.seq);
        }
    }
    let last = t.last_tick_events();
    assert!(last.iter().all(|e| t.tick_of_event(e.seq) == t.pos()));
}

#[test]
fn a_command_after_stepping_back_replaces_the_future() {
    let (mut t, _) = work_queue();
    assert!(t.seek(10).is_ok());
    assert!(t.command(Command::KillWorker(ActorId(2))).is_ok());
    assert_eq!(t.recorded(), 11, "the old future is gone");
    assert!(t.forward());
    assert_eq!(t.recorded(), 12);
}

#[test]
fn stepping_back_across_a_restart_in_memory_is_exact() {
    let (mut t, _) = work_queue();
    // Half way through the work, the broker restarts: the transient
    // unacked deliveries are gone, durable persistent tasks come back.
    assert!(t.seek(t.pos() / 2).is_ok());
    let before_restart = seen(&t);
    assert!(t.command(Command::RestartBroker).is_ok());
    let after_restart = seen(&t);
    assert_ne!(after_restart, before_restart);
    // The workers reconnect and the work goes on (or the broker goes idle).
    let restart_at = t.pos();
    for worker in [ActorId(2), ActorId(3)] {
        let _ = t.command(Command::ReconnectWorker(worker));
    }
    while t.pos() < restart_at + 20 && t.forward() {}
    let moved = t.pos() - restart_at;
    assert!(moved > 2, "the run goes on after the restart ({moved})");
    let later = seen(&t);
    for _ in 0..=moved {
        assert!(
            t.back().is_ok(),
            "in memory every position can be recomputed"
        );
    }
    assert_eq!(seen(&t), before_restart, "before the restart again");
    assert!(t.forward());
    assert_eq!(seen(&t), after_restart, "the restart replays");
    for _ in 0..moved {
        assert!(t.forward());
    }
    assert_eq!(seen(&t), later);
}

#[test]
fn a_durable_store_refuses_to_rewind_across_a_restart() {
    let (mut t, _) = work_queue();
    t.attach_store();
    let before = t.pos();
    assert!(t.command(Command::RestartBroker).is_ok());
    assert_eq!(t.back(), Err(SeekRefused::DurableRestart));
    assert_eq!(t.seek(0), Err(SeekRefused::DurableRestart));
    assert_eq!(t.pos(), before + 1);
    // After the restart, stepping back to it is fine.
    assert!(t.command(Command::ReconnectWorker(ActorId(2))).is_ok());
    assert!(t.back().is_ok());
    assert_eq!(t.pos(), before + 1);
    let jobs = t.take_outbox();
    assert!(
        matches!(jobs.first(), Some(StoreJob::Replace(_))),
        "the store gets the state first"
    );
}

#[test]
fn no_cursor_move_panics_at_the_bounds() {
    let mut t = Timeline::new(BrokerConfig::default());
    // An empty timeline: nothing to step back to or forward into.
    assert!(t.back().is_ok());
    assert_eq!(t.pos(), 0);
    assert!(!t.forward(), "an idle broker at the end does not move");
    assert!(t.seek(usize::MAX).is_ok());
    assert_eq!(t.pos(), 0);
    assert!(t.last_tick_events().is_empty());
    assert_eq!(t.mark_at(usize::MAX).time, 0);
    assert_eq!(t.tick(0), None);
    let (mut t, _) = work_queue();
    let end = t.pos();
    let log_len = t.events().len();
    // Past the end is the end; the recorded run's last mark answers for
    // any later position, and an event number never seen for the last tick.
    assert!(t.seek(end + 1_000).is_ok());
    assert_eq!(t.pos(), end);
    assert_eq!(
        t.mark_at(usize::MAX).broker_seq,
        t.current_mark().broker_seq
    );
    assert_eq!(t.tick_of_event(u64::MAX), end + 1);
    assert_eq!(t.tick_of_actor_event(usize::MAX), end + 1);
    assert!(t.seek(0).is_ok());
    assert!(t.back().is_ok(), "back at the start stays at the start");
    assert_eq!(t.pos(), 0);
    assert!(t.last_tick_events().is_empty());
    assert!(t.events().len() < log_len, "only the broker's start");
}

#[test]
fn snapshots_stay_bounded_on_long_runs() {
    let mut t = Timeline::new(BrokerConfig::default());
    for cmd in presets::lesson(0) {
        assert!(t.command(cmd).is_ok());
    }
    assert!(t
        .command(Command::PublishEvery {
            producer: ActorId(1),
            every_ms: VirtualMs::new(10).ok(),
        })
        .is_ok());
    for _ in 0..5_000 {
        assert!(t.forward());
    }
    assert!(
        t.snapshot_count() <= SNAPSHOTS_MAX + 1,
        "{} snapshots",
        t.snapshot_count()
    );
    assert!(t.seek(1234).is_ok());
    assert_eq!(t.pos(), 1234);
}

#[test]
fn python_processes_refuse_stepping_back_and_their_bytes_replay() {
    let mut t = Timeline::new(BrokerConfig::default());
    let open = Command::Wire {
        client: 1,
        op: WireOp::Open { process: None },
    };
    let header = Command::Wire {
        client: 1,
        op: WireOp::Data(warren::wire::protocol_header::PROTOCOL_HEADER.to_vec()),
    };
    assert!(t.command(open).is_ok());
    assert!(t.command(header).is_ok());
    let start = t.take_wire_output(1).map(|(b, _)| b).unwrap_or_default();
    assert!(!start.is_empty(), "connection.start answers the header");
    t.python.live = true;
    assert_eq!(t.back(), Err(SeekRefused::PythonRunning));
    assert_eq!(t.seek(0), Err(SeekRefused::PythonRunning));
    assert_eq!(t.pos(), 2);
    // The process stopped: the broker's side steps back, and forward
    // again the same bytes reach the broker and get the same answer.
    t.python = PythonPacing::default();
    assert!(t.back().is_ok());
    assert_eq!(t.take_wire_output(1), Some((Vec::new(), false)));
    assert!(t.forward());
    assert_eq!(t.take_wire_output(1).map(|(b, _)| b), Some(start));
}

#[test]
fn a_step_while_python_waits_stops_at_its_deadline() {
    let mut t = Timeline::new(BrokerConfig::default());
    assert!(!t.forward_within(None), "nothing due at all");
    assert!(t.forward_within(Some(1500)), "a process sleeps until 1500");
    assert_eq!(t.world().sim.now(), 1500);
    assert!(t.back().is_ok());
    assert_eq!(t.world().sim.now(), 0);
}
