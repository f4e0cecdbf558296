//! Following a learner through a chapter: which task is current, which of
//! its checkpoints hold, and what is saved between visits.
//!
//! Tasks are done in order. A task's event checkpoints count only events
//! since it became current, so "kill a busy worker" is not satisfied by a
//! kill from an earlier task; its state checkpoints look at the world now.
//! A task is done when all its checkpoints hold at once, and stays done
//! (stepping the timeline back does not undo a lesson learnt).
//!
//! What is saved is small and replayable: per chapter, how many tasks are
//! done. Reopening a chapter rebuilds its world from the starting scenario
//! and the solutions of the tasks already done — the engine is
//! deterministic, so that is the state the learner left, up to the details
//! of how they got there.

use super::check::Observation;
use super::Chapter;
use crate::engine::event::Event;
use crate::sim::world::World;
use crate::sim::ActorEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a learner is in a chapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracker {
    /// The current task; `tasks.len()` once the chapter is finished.
    pub task: usize,
    /// The broker event sequence number at which the current task began.
    pub since_event: u64,
    /// How many actor events had happened when the current task began.
    pub since_actor: usize,
    /// The current task's checkpoints, as last checked.
    pub passed: Vec<bool>,
}

/// Where a task begins in `world`: its next broker event and actor event
/// (what [`checkpoints_holding`] counts from).
pub fn mark(world: &World) -> (u64, usize) {
    (
        world.sim.broker.next_event_seq(),
        world.sim.actor_events().len(),
    )
}

/// Which of `task`'s checkpoints hold in `world`, counting what happened
/// since `since` (from [`mark`]), with the broker's own log as the history.
/// (The workbench's [`Tracker`] observes with its own, longer history.)
pub fn checkpoints_holding(task: &super::Task, world: &World, since: (u64, usize)) -> Vec<bool> {
    let events = world.sim.broker.events();
    let obs = Observation {
        sim: &world.sim,
        events: events_from(events, since.0),
        history: events,
        actor_events: world.sim.actor_events().get(since.1..).unwrap_or(&[]),
    };
    task.checks.iter().map(|c| c.expect.holds(obs)).collect()
}

/// The events of `all` from sequence number `seq` on (`all` is in order;
/// it may start after 0 if the log was truncated).
pub fn events_from(all: &[Event], seq: u64) -> &[Event] {
    let start = all.partition_point(|e| e.seq < seq);
    &all[start..]
}

impl Tracker {
    /// Starts at task `task` with the world as it is now.
    pub fn start(chapter: &Chapter, task: usize, world: &World) -> Tracker {
        let task = task.min(chapter.tasks.len());
        Tracker {
            task,
            since_event: world.sim.broker.next_event_seq(),
            since_actor: world.sim.actor_events().len(),
            passed: vec![false; chapter.tasks.get(task).map_or(0, |t| t.checks.len())],
        }
    }

    pub fn finished(&self, chapter: &Chapter) -> bool {
        self.task >= chapter.tasks.len()
    }

    /// Checks the current task against the world; when every checkpoint
    /// holds, moves to the next task and returns true. `events` are the
    /// broker events (at least those since the task began, and all there
    /// are for a Python process's name to find its connections: see
    /// `check::process_channels`); `actor_events` all actor events so far.
    pub fn observe(
        &mut self,
        chapter: &Chapter,
        world: &World,
        events: &[Event],
        actor_events: &[ActorEvent],
    ) -> bool {
        let Some(task) = chapter.tasks.get(self.task) else {
            return false;
        };
        let obs = Observation {
            sim: &world.sim,
            events: events_from(events, self.since_event),
            history: events,
            actor_events: actor_events.get(self.since_actor..).unwrap_or(&[]),
        };
        self.passed = task.checks.iter().map(|c| c.expect.holds(obs)).collect();
        if self.passed.iter().all(|p| *p) {
            *self = Tracker::start(chapter, self.task + 1, world);
            true
        } else {
            false
        }
    }
}

/// Tasks done per chapter id: what the browser keeps between visits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SavedProgress(pub BTreeMap<String, usize>);

impl SavedProgress {
    /// Reads saved progress; anything unreadable counts as none (progress
    /// is a convenience, never a reason to fail).
    pub fn parse(text: &str) -> SavedProgress {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    pub fn done(&self, chapter: &str) -> usize {
        self.0.get(chapter).copied().unwrap_or(0)
    }

    pub fn record(&mut self, chapter: &str, tasks_done: usize) {
        let entry = self.0.entry(chapter.to_string()).or_default();
        *entry = (*entry).max(tasks_done);
    }

    pub fn reset(&mut self, chapter: &str) {
        self.0.remove(chapter);
    }
}

/// A chapter's world: the starting scenario, then the solutions of the
/// first `tasks_done` tasks played in order.
pub fn world_at(chapter: &Chapter, tasks_done: usize) -> Result<World, String> {
    let (sim, _) = chapter.start.build().map_err(|e| e.to_string())?;
    let mut world = World::with_simulation(sim);
    for task in chapter.tasks.iter().take(tasks_done) {
        super::action::play(&mut world, &task.solution)?;
    }
    Ok(world)
}
