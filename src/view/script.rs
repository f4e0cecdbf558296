//! A scenario document's script, played as the timeline moves: each action
//! (publish, kill, pause, resume, cancel, restart, crash, or only a
//! caption) is due at a virtual time (`at_ms`) or a step (`at_step`),
//! resolved against the world as it is then (an actor by its name) into
//! the `Command`s it stands for, and recorded on the timeline like a
//! person's. Stepping the workbench plays a due action first, at its exact
//! virtual time; a rewound future that drops an action's ticks lets it
//! play again, and the caption shown at any position is that of the
//! captioned action played last at or before it, so stepping back shows
//! the narration of that step. Pure: tested natively (`tests/script.rs`).

use crate::document::{Language, ScriptAction, ScriptVerb};
use crate::sim::world::Command;
use crate::view::timeline::{Tick, Timeline};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Where on the timeline a script action played.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Played {
    /// The cursor before its commands: a rewound future that drops this
    /// tick lets the action play again.
    pub from: usize,
    /// The cursor after its commands (equal to `from` for an action with
    /// none, like `say`): its caption is current from here on, so stepping
    /// back before it shows the caption that was current then.
    pub to: usize,
}

/// A document's script, and which of its actions have been played (at
/// which timeline positions, so a rewound future can play them again).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    pub actions: Vec<ScriptAction>,
    pub fired: BTreeMap<usize, Played>,
    /// The first tick each played action recorded (none for an action
    /// without commands): it counts as played while the timeline still
    /// holds that tick at its place.
    first_ticks: BTreeMap<usize, Tick>,
}

impl Script {
    pub fn new(actions: Vec<ScriptAction>) -> Script {
        Script {
            actions,
            fired: BTreeMap::new(),
            first_ticks: BTreeMap::new(),
        }
    }

    /// Forgets firings whose ticks were dropped (a new command after
    /// stepping back replaced that future, even from the very position the
    /// action played at).
    pub fn prune(&mut self, tl: &Timeline) {
        let recorded = tl.recorded();
        let first_ticks = &self.first_ticks;
        self.fired.retain(|i, p| match first_ticks.get(i) {
            Some(first) => tl.tick(p.from) == Some(first),
            // An action without commands played at the present (`from ==
            // recorded`) recorded no tick that could have been dropped:
            // kept, or it would play again on every step.
            None => p.from <= recorded,
        });
        let fired = &self.fired;
        self.first_ticks.retain(|i, _| fired.contains_key(i));
    }

    /// The caption current at timeline position `pos`: that of the
    /// captioned action played last at or before it.
    pub fn caption_at(&self, pos: usize, language: Language) -> Option<(Language, &str)> {
        self.fired
            .iter()
            .filter(|(_, p)| p.to <= pos)
            .filter_map(|(i, p)| {
                let caption = self.actions.get(*i)?.say.as_ref()?;
                Some(((p.to, p.from, *i), caption))
            })
            .max_by_key(|(order, _)| *order)
            .and_then(|(_, caption)| caption.text(language))
    }

    /// Whether any action narrates (the caption line is shown only then).
    pub fn has_captions(&self) -> bool {
        self.actions.iter().any(|a| a.say.is_some())
    }

    /// The earliest virtual time a pending `at_ms` action is due.
    pub fn next_due_ms(&self) -> Option<u64> {
        self.actions
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.fired.contains_key(i))
            .filter_map(|(_, a)| a.at_ms.map(|ms| ms.get()))
            .min()
    }

    /// Plays every pending action that is due at the cursor (time reached,
    /// or step count reached). Returns whether any played.
    pub fn play_due(&mut self, tl: &mut Timeline) -> bool {
        let mut played = false;
        for i in 0..self.actions.len() {
            if self.fired.contains_key(&i) {
                continue;
            }
            let a = &self.actions[i];
            let due = match (a.at_ms, a.at_step) {
                (Some(ms), _) => tl.world().sim.now() >= ms.get(),
                (None, Some(step)) => tl.pos() as u64 >= step,
                _ => false,
            };
            if !due {
                continue;
            }
            let from = tl.pos();
            for cmd in commands_of(a, tl) {
                let _ = tl.command(cmd);
            }
            if let Some(first) = tl.tick(from).filter(|_| tl.pos() > from) {
                self.first_ticks.insert(i, first.clone());
            }
            self.fired.insert(i, Played { from, to: tl.pos() });
            played = true;
        }
        played
    }
}

/// The commands a script action stands for, in the world as it is.
fn commands_of(a: &ScriptAction, tl: &Timeline) -> Vec<Command> {
    let sim = &tl.world().sim;
    let producer = || {
        sim.producers()
            .find(|p| p.spec.name == a.actor)
            .map(|p| p.id)
    };
    let worker = || sim.workers().find(|w| w.spec.name == a.actor).map(|w| w.id);
    let Some(verb) = &a.verb else {
        return Vec::new();
    };
    match verb {
        ScriptVerb::Publish => producer()
            .map(|id| Command::Publish {
                producer: id,
                count: a.count,
                body: None,
            })
            .into_iter()
            .collect(),
        ScriptVerb::Kill => worker().map(Command::KillWorker).into_iter().collect(),
        ScriptVerb::Pause => worker()
            .map(|id| Command::PauseWorker(id, true))
            .into_iter()
            .collect(),
        ScriptVerb::Resume => worker()
            .map(|id| Command::PauseWorker(id, false))
            .into_iter()
            .collect(),
        ScriptVerb::Cancel => worker().map(Command::CancelWorker).into_iter().collect(),
        ScriptVerb::Restart => vec![Command::RestartBroker],
        ScriptVerb::Crash => vec![Command::CrashBroker],
        ScriptVerb::Say => Vec::new(),
    }
}

/// One step of the workbench with a script: an action due before the
/// world's next activity plays first (at its exact virtual time);
/// otherwise the timeline steps. With Python processes alive they pace the
/// step instead (`Timeline::python`): nothing moves while one runs, and a
/// step stops at the earliest deadline of a waiting one. False when nothing
/// moved. `script` is copied only when an action can play (it is shared
/// with the page's state).
pub fn step(script: &mut Rc<Script>, tl: &mut Timeline) -> bool {
    if tl.python.live {
        let python = tl.python;
        return python.busy || tl.forward_within(python.deadline);
    }
    if script.actions.is_empty() || tl.pos() < tl.recorded() {
        // Replaying recorded ticks (after a step back) replays script ticks too.
        return tl.forward();
    }
    let script = Rc::make_mut(script);
    script.prune(tl);
    if script.play_due(tl) {
        return true;
    }
    if let Some(due) = script.next_due_ms() {
        let world = &tl.world().sim;
        let now = world.now();
        let next_activity = if world.broker.has_pending_work() {
            now
        } else {
            world.next_work_at().unwrap_or(u64::MAX)
        };
        if due > now && due <= next_activity {
            tl.advance(due - now);
            script.play_due(tl);
            return true;
        }
    }
    tl.forward()
}

/// Lets `ms` of virtual time pass, playing script actions at their times
/// on the way.
pub fn advance(script: &mut Rc<Script>, tl: &mut Timeline, ms: u64) {
    let target = tl.world().sim.now().saturating_add(ms);
    if !script.actions.is_empty() {
        let script = Rc::make_mut(script);
        script.prune(tl);
        script.play_due(tl);
        while let Some(due) = script.next_due_ms().filter(|d| *d <= target) {
            let now = tl.world().sim.now();
            if due > now {
                tl.advance(due - now);
            }
            if !script.play_due(tl) {
                break;
            }
        }
    }
    let now = tl.world().sim.now();
    tl.advance(target.saturating_sub(now));
}
