//! The run as a timeline a person can scrub: every tick (a step, a span of
//! virtual time, or a command) in order, and the world at the cursor.
//!
//! Stepping back uses the engine's determinism: the world at any position is
//! the nearest earlier snapshot plus the recorded ticks replayed. Snapshots
//! are taken every `snap_every` ticks (more rarely while the world holds a
//! big backlog) and thinned (every other one dropped, the interval doubled)
//! when there are more than [`SNAPSHOTS_MAX`], so memory stays bounded on
//! long runs while a step back replays a bounded number of ticks. The broker's own log is moved out of the world after
//! every tick into [`Timeline::events`] (one copy, shared by every position),
//! so snapshots stay small.
//!
//! Ticks after the cursor are kept until a new command is given: stepping
//! forward again replays them (a redo), which gives the same run.
//!
//! Pure (no browser, no clock): the workbench (`ui/`) holds one and draws its
//! cursor; `tests/timeline.rs` steps back and forth natively.

use crate::engine::clock::Millis;
use crate::engine::durable::{Batch, DurableState};
use crate::engine::event::Event;
use crate::engine::{BrokerConfig, CommandError};
use crate::sim::world::{Applied, Command, World};
use std::collections::BTreeMap;
use std::rc::Rc;

/// At most this many snapshots are kept.
pub const SNAPSHOTS_MAX: usize = 32;
/// The first snapshot interval, in ticks.
const SNAP_EVERY_START: usize = 32;
/// Messages held per tick of snapshot interval (see `maybe_snapshot`).
const SNAP_WEIGHT_PER_TICK: usize = 256;

/// One thing that moved the world.
#[derive(Clone, Debug, PartialEq)]
pub enum Tick {
    /// One visible step (see [`World::step`]).
    Step,
    /// One visible step while Python processes run: it ends when one of
    /// them has something to read, and the clock stops at the earliest
    /// deadline among them (see [`World::step_within`]).
    StepWithin(Option<Millis>),
    /// Virtual time passes: everything due in it happens.
    Advance(Millis),
    Command(Box<Command>),
}

/// A queue's counts after a tick (the depth chart and the table read these).
#[derive(Clone, Debug, PartialEq)]
pub struct Depth {
    pub queue: Rc<str>,
    pub ready: u64,
    pub unacked: u64,
}

/// The world's vital signs after a tick.
#[derive(Clone, Debug)]
pub struct Mark {
    /// The broker's next event sequence number: events before it happened.
    pub broker_seq: u64,
    /// How many actor events had happened.
    pub actor_len: usize,
    pub time: Millis,
    pub depths: Rc<[Depth]>,
    /// The command's error, for command ticks that failed.
    pub error: Option<CommandError>,
}

/// Work for the durable store (IndexedDB), in order. The engine's own
/// committed state is what the simulation runs on (so every position can be
/// replayed); the store mirrors the committed state of the furthest tick
/// recorded, so that a reload can resume from it.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreJob {
    /// A batch the engine committed during a new tick.
    Commit(Batch),
    /// The recorded future was dropped: the store must hold this state.
    Replace(DurableState),
    /// A new broker: nothing durable.
    Clear,
}

/// Why a seek was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekRefused {
    /// The store is durable and a restart or crash lies between: the store
    /// holds what came after, so the earlier state cannot be shown truthfully.
    DurableRestart,
    /// Python processes are running against this broker: their state lives
    /// in CPython, which cannot be rewound with the broker's. Once they
    /// stop, the broker's side (their bytes included) replays exactly.
    PythonRunning,
}

/// What the Python processes sharing this broker (`www/terminals.js`)
/// tell the timeline about themselves after every change.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PythonPacing {
    /// Some process is alive: the cursor stays at the present.
    pub live: bool,
    /// Some process is executing, or wrote bytes not handed over yet: a
    /// step waits for it (virtual time moves only when every process waits).
    pub busy: bool,
    /// The earliest virtual time a waiting process wakes by itself
    /// (`time.sleep`, a `process_data_events` limit, pika's timers).
    pub deadline: Option<Millis>,
}

pub use crate::describe::Names;

pub struct Timeline {
    pub config: BrokerConfig,
    ticks: Vec<Tick>,
    /// `marks[p]` describes the world after `p` ticks (`marks[0]`: the start).
    marks: Vec<Mark>,
    snapshots: BTreeMap<usize, World>,
    snap_every: usize,
    pos: usize,
    world: World,
    /// Every broker event up to the furthest recorded tick; `events[i].seq == i`.
    events: Vec<Event>,
    pub names: Names,
    /// Whether the broker's durable state is mirrored to a store that
    /// cannot be rewound (IndexedDB). In memory, every position can be
    /// recomputed.
    durable_store: bool,
    /// Jobs for the durable store, taken by the host after each action.
    outbox: Vec<StoreJob>,
    /// The Python processes running against this broker, as last reported.
    pub python: PythonPacing,
}

impl Timeline {
    pub fn new(config: BrokerConfig) -> Timeline {
        Timeline::boot(config, None)
    }

    /// A timeline whose broker boots from a stored durable state (a reload
    /// resuming from IndexedDB), or starts empty.
    pub fn boot(config: BrokerConfig, state: Option<&DurableState>) -> Timeline {
        let config = Timeline::configured(config);
        let mut world = World::new(config.clone());
        if let Some(state) = state {
            world.sim.broker.boot(state);
        }
        Timeline::starting_at(config, world)
    }

    /// A timeline starting from a scenario document (a tutorial chapter,
    /// an imported or shared setup).
    pub fn from_document(
        doc: &crate::document::Document,
        base: BrokerConfig,
    ) -> Result<Timeline, crate::document::DocumentError> {
        let (sim, _) = doc.build_with(Timeline::configured(base))?;
        let config = sim.broker.config().clone();
        Ok(Timeline::starting_at(config, World::with_simulation(sim)))
    }

    /// A reload: the broker boots from what the store held (durable
    /// topology, persistent messages), then the last setup is applied on
    /// top (transient topology, producers and workers reconnecting). If the
    /// setup no longer fits, the booted broker alone.
    pub fn resume(
        config: BrokerConfig,
        state: Option<&DurableState>,
        setup: Option<&crate::document::Document>,
    ) -> Timeline {
        let mut config = Timeline::configured(config);
        // The setup's consumer timeout was the node's when it was saved.
        if let Some(doc) = setup {
            config.consumer_timeout_ms = doc.broker.consumer_timeout_ms.map(|ms| ms.get());
        }
        let boot = || {
            let mut sim = crate::sim::Simulation::new(config.clone());
            if let Some(state) = state {
                sim.broker.boot(state);
            }
            sim
        };
        let sim = setup
            .and_then(|doc| doc.build_on(boot()).ok())
            .map(|(sim, _)| sim)
            .unwrap_or_else(boot);
        Timeline::starting_at(config, World::with_simulation(sim))
    }

    /// The timeline keeps committed batches for the store to mirror.
    fn configured(config: BrokerConfig) -> BrokerConfig {
        BrokerConfig {
            retain_committed_batches: true,
            ..config
        }
    }

    fn starting_at(config: BrokerConfig, world: World) -> Timeline {
        let mut t = Timeline {
            config,
            ticks: Vec::new(),
            marks: Vec::new(),
            snapshots: BTreeMap::new(),
            snap_every: SNAP_EVERY_START,
            pos: 0,
            world,
            events: Vec::new(),
            names: Names::default(),
            durable_store: false,
            outbox: Vec::new(),
            python: PythonPacing::default(),
        };
        t.absorb_new_events();
        let _ = t.world.sim.broker.take_committed_batches();
        let mark = t.mark(None);
        t.marks.push(mark);
        t.snapshots.insert(0, t.world.clone());
        t
    }

    pub fn durable_store(&self) -> bool {
        self.durable_store
    }

    /// Starts mirroring to a durable store: it gets the current committed
    /// state first (cleared when `fresh`: a new broker).
    pub fn attach_store(&mut self) {
        self.durable_store = true;
        let state = self.world.sim.broker.committed_state().clone();
        self.outbox.push(StoreJob::Replace(state));
    }

    /// Stops mirroring: the store is gone (another tab took the broker over).
    pub fn detach_store(&mut self) {
        self.durable_store = false;
        self.outbox.clear();
    }

    /// A new broker replaces this one in the store.
    pub fn clear_store(&mut self) {
        self.durable_store = true;
        self.outbox.push(StoreJob::Clear);
    }

    /// The store's work since the last call.
    pub fn take_outbox(&mut self) -> Vec<StoreJob> {
        std::mem::take(&mut self.outbox)
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Recorded ticks (the cursor can go up to this).
    pub fn recorded(&self) -> usize {
        self.ticks.len()
    }

    pub fn tick(&self, p: usize) -> Option<&Tick> {
        self.ticks.get(p)
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks[..=self.pos]
    }

    pub fn mark_at(&self, p: usize) -> &Mark {
        &self.marks[p.min(self.marks.len() - 1)]
    }

    pub fn current_mark(&self) -> &Mark {
        &self.marks[self.pos]
    }

    /// Broker events that have happened at the cursor.
    pub fn events(&self) -> &[Event] {
        let end = (self.marks[self.pos].broker_seq as usize).min(self.events.len());
        &self.events[..end]
    }

    /// Events of the tick that led to the cursor (what the diagram animates).
    pub fn last_tick_events(&self) -> &[Event] {
        if self.pos == 0 {
            return &[];
        }
        let start = (self.marks[self.pos - 1].broker_seq as usize).min(self.events.len());
        let end = (self.marks[self.pos].broker_seq as usize).min(self.events.len());
        &self.events[start..end]
    }

    /// The tick (1-based position) at which broker event `seq` happened.
    pub fn tick_of_event(&self, seq: u64) -> usize {
        self.marks.partition_point(|m| m.broker_seq <= seq)
    }

    /// The tick (1-based position) at which actor event `i` happened.
    pub fn tick_of_actor_event(&self, i: usize) -> usize {
        self.marks.partition_point(|m| m.actor_len <= i)
    }

    /// Snapshots held now (for the memory bound's tests and the bench).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    fn mark(&self, error: Option<CommandError>) -> Mark {
        let broker = &self.world.sim.broker;
        let depths: Vec<Depth> = broker
            .queues()
            .map(|q| Depth {
                queue: q.name.clone(),
                ready: q.ready_count(),
                unacked: q.unacked,
            })
            .collect();
        Mark {
            broker_seq: broker.next_event_seq(),
            actor_len: self.world.sim.actor_events().len(),
            time: broker.now(),
            depths: depths.into(),
            error,
        }
    }

    /// Moves the broker's new events into the history, learning names.
    fn absorb_new_events(&mut self) {
        self.world.sim.sync_actors();
        let broker = &self.world.sim.broker;
        let next = broker.next_event_seq();
        let have = self.events.len() as u64;
        if next > have {
            for e in broker.events_since(have) {
                self.names.learn(broker, e);
                self.events.push(e.clone());
            }
        }
        self.world.sim.broker.truncate_log_before(next);
    }

    fn record(&mut self, tick: Tick, error: Option<CommandError>) {
        self.ticks.push(tick);
        self.absorb_new_events();
        let batches = self.world.sim.broker.take_committed_batches();
        if self.durable_store {
            self.outbox
                .extend(batches.into_iter().map(StoreJob::Commit));
        }
        let mark = self.mark(error);
        self.marks.push(mark);
        self.pos += 1;
        self.maybe_snapshot();
    }

    fn maybe_snapshot(&mut self) {
        let last = self
            .snapshots
            .range(..=self.pos)
            .next_back()
            .map_or(0, |(p, _)| *p);
        // A snapshot copies the world; a big backlog makes that costly, so
        // big worlds are snapshotted less often (a step back then replays
        // a few more ticks, which is cheap in comparison).
        let broker = &self.world.sim.broker;
        let weight = broker.committed_state().message_count()
            + broker
                .queues()
                .map(|q| q.ready_count() as usize)
                .sum::<usize>();
        let every = self.snap_every.max(weight / SNAP_WEIGHT_PER_TICK);
        if self.pos - last < every || self.snapshots.contains_key(&self.pos) {
            return;
        }
        self.snapshots.insert(self.pos, self.world.clone());
        if self.snapshots.len() > SNAPSHOTS_MAX {
            // Keep the start and every other snapshot; space them wider.
            self.snap_every *= 2;
            let keep: Vec<usize> = self.snapshots.keys().copied().step_by(2).collect();
            self.snapshots.retain(|p, _| *p == 0 || keep.contains(p));
        }
    }

    /// Drops recorded ticks after the cursor (a new command changes the future).
    fn truncate_future(&mut self) {
        if self.pos < self.ticks.len() && self.durable_store {
            // The store holds the dropped future's state: put this one back.
            let state = self.world.sim.broker.committed_state().clone();
            self.outbox.push(StoreJob::Replace(state));
        }
        self.ticks.truncate(self.pos);
        self.marks.truncate(self.pos + 1);
        let keep = self.marks[self.pos].broker_seq as usize;
        self.events.truncate(keep);
        let pos = self.pos;
        self.snapshots.retain(|p, _| *p <= pos);
    }

    fn run(world: &mut World, tick: &Tick) {
        match tick {
            Tick::Step => {
                world.step();
            }
            Tick::StepWithin(limit) => {
                world.step_within(*limit);
            }
            Tick::Advance(ms) => {
                world.sim.run_for(*ms);
            }
            Tick::Command(c) => {
                let _ = world.apply(c);
            }
        }
    }

    /// Replays the recorded tick at the cursor.
    fn redo(&mut self) {
        let Some(tick) = self.ticks.get(self.pos).cloned() else {
            return;
        };
        Timeline::run(&mut self.world, &tick);
        // Replayed ticks were written when they first happened.
        let _ = self.world.sim.broker.take_committed_batches();
        self.world.sim.sync_actors();
        let next = self.world.sim.broker.next_event_seq();
        self.world.sim.broker.truncate_log_before(next);
        self.pos += 1;
        self.maybe_snapshot();
    }

    /// One step forward: a recorded tick again, or a new step. False when
    /// the world is idle at the end of the timeline.
    pub fn forward(&mut self) -> bool {
        if self.pos < self.ticks.len() {
            self.redo();
            return true;
        }
        let before = self.world.sim.now();
        if !self.world.step() && self.world.sim.now() == before {
            return false;
        }
        // Recorded even when only the clock moved, so a replay moves it too.
        self.record(Tick::Step, None);
        true
    }

    /// One step forward while Python processes run (see
    /// [`Tick::StepWithin`]); when nothing is due before `limit`, the
    /// clock moves to it, where a process wakes up. False when nothing is
    /// due at all.
    pub fn forward_within(&mut self, limit: Option<Millis>) -> bool {
        if self.pos < self.ticks.len() {
            self.redo();
            return true;
        }
        let before = self.world.sim.now();
        if self.world.step_within(limit) || self.world.sim.now() != before {
            self.record(Tick::StepWithin(limit), None);
            return true;
        }
        match limit {
            Some(limit) if limit > before => {
                self.advance(limit - before);
                true
            }
            _ => false,
        }
    }

    /// What byte-stream client `id` has to read, and whether the broker
    /// closed its socket after it (`None`: no such client).
    pub fn take_wire_output(&mut self, id: crate::sim::wire::WireId) -> Option<(Vec<u8>, bool)> {
        self.world.sim.wire.take_output(id)
    }

    /// Whether the broker closed byte-stream client `id`'s socket.
    pub fn wire_closed(&self, id: crate::sim::wire::WireId) -> bool {
        self.world.sim.wire.is_closed(id)
    }

    /// Lets `ms` of virtual time pass (one tick).
    pub fn advance(&mut self, ms: Millis) {
        self.truncate_future();
        self.world.sim.run_for(ms);
        self.record(Tick::Advance(ms), None);
    }

    /// Applies a command at the cursor; the recorded future is dropped.
    pub fn command(&mut self, cmd: Command) -> Result<Applied, CommandError> {
        self.truncate_future();
        let result = self.world.apply(&cmd);
        self.record(Tick::Command(Box::new(cmd)), result.as_ref().err().cloned());
        result
    }

    /// Whether moving the cursor to `target` can be shown truthfully.
    pub fn can_seek(&self, target: usize) -> Result<(), SeekRefused> {
        if self.python.live && target != self.pos {
            return Err(SeekRefused::PythonRunning);
        }
        if !self.durable_store || target >= self.pos {
            return Ok(());
        }
        let crosses = self.ticks[target..self.pos]
            .iter()
            .any(|t| matches!(t, Tick::Command(c) if c.is_lifecycle()));
        if crosses {
            Err(SeekRefused::DurableRestart)
        } else {
            Ok(())
        }
    }

    /// Moves the cursor to `target` (clamped to the recorded ticks).
    pub fn seek(&mut self, target: usize) -> Result<(), SeekRefused> {
        let target = target.min(self.ticks.len());
        self.can_seek(target)?;
        if target == self.pos {
            return Ok(());
        }
        let (snap_pos, snapshot) = match self.snapshots.range(..=target).next_back() {
            Some((p, w)) => (*p, w),
            None => return Ok(()),
        };
        let from_here = target > self.pos && snap_pos <= self.pos;
        if !from_here {
            self.world = snapshot.clone();
            self.pos = snap_pos;
        }
        while self.pos < target {
            self.redo();
        }
        Ok(())
    }

    pub fn back(&mut self) -> Result<(), SeekRefused> {
        self.seek(self.pos.saturating_sub(1))
    }
}
