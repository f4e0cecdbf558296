//! A tutorial chapter open in the workbench: the chapter, where the learner
//! is in it, and the glue between its data ([`crate::tutorial`]) and the
//! timeline.
//!
//! The workbench carries only the chapters' index (the picker's titles);
//! a chapter's file is fetched when the learner opens it
//! ([`request_chapter`]), and kept for the rest of the visit. While it is
//! on its way the state says which chapter is loading; if it cannot be
//! fetched or parsed, a notice says so and the workbench stays as it was.
//!
//! Opening a chapter starts a fresh timeline from the chapter's starting
//! document and replays the solutions of the tasks the learner finished
//! before (progress is kept in `localStorage` as tasks done per chapter,
//! mirrored in the state and written by an effect), so the world is what
//! they left. After every action the reducer calls
//! [`Session::observe`]; checkpoints read the engine, never the page.

use crate::engine::BrokerConfig;
use crate::sim::world::Command;
use crate::tutorial::action::{Move, IDLE_STEPS_MAX};
use crate::tutorial::catalog::{self, IndexEntry};
use crate::tutorial::progress::{SavedProgress, Tracker};
use crate::tutorial::Chapter;
use crate::ui::state::{Action, ChapterProblem};
use crate::view::timeline::Timeline;
use std::cell::RefCell;
use std::rc::Rc;
use yew::Callback;

const PROGRESS_KEY: &str = "warren.tutorial.progress";

/// Where the chapter files are served, relative to the page.
const CHAPTER_DIR: &str = "www/tutorials/";

thread_local! {
    static INDEX: Rc<[IndexEntry]> = catalog::index().into();
    /// The chapters fetched so far this visit, by position in the index.
    static FETCHED: RefCell<Vec<Option<Rc<Chapter>>>> = const { RefCell::new(Vec::new()) };
}

/// The built-in chapters' index (`tests/tutorials.rs` proves it parses and
/// agrees with the files).
pub fn chapters() -> Rc<[IndexEntry]> {
    INDEX.with(Rc::clone)
}

/// Chapter `index`, if its file has been fetched.
pub fn fetched(index: usize) -> Option<Rc<Chapter>> {
    FETCHED.with(|f| f.borrow().get(index).cloned().flatten())
}

fn keep_fetched(index: usize, chapter: Rc<Chapter>) {
    FETCHED.with(|f| {
        let mut f = f.borrow_mut();
        if f.len() <= index {
            f.resize(index + 1, None);
        }
        f[index] = Some(chapter);
    });
}

/// Opens chapter `index`: at once if it was fetched before, otherwise
/// after fetching its file (the state says it is loading meanwhile, and
/// a notice says why if it cannot be had).
pub fn request_chapter(index: usize, dispatch: Callback<Action>) {
    if fetched(index).is_some() {
        dispatch.emit(Action::OpenChapter(index));
        return;
    }
    let Some(entry) = chapters().get(index).cloned() else {
        dispatch.emit(Action::ChapterFailed(index, ChapterProblem::Missing));
        return;
    };
    dispatch.emit(Action::ChapterLoading(index));
    wasm_bindgen_futures::spawn_local(async move {
        let path = format!("{CHAPTER_DIR}{}", entry.file);
        let outcome = match crate::ui::components::app::fetch_text(&path).await {
            Err(why) => Err(ChapterProblem::Fetch(format!("{path}: {why}"))),
            Ok(text) => {
                Chapter::parse(&text).map_err(|e| ChapterProblem::Damaged(format!("{path}: {e}")))
            }
        };
        match outcome {
            Ok(chapter) => {
                keep_fetched(index, Rc::new(chapter));
                dispatch.emit(Action::ChapterFetched(index));
            }
            Err(problem) => dispatch.emit(Action::ChapterFailed(index, problem)),
        }
    });
}

/// The progress kept in `localStorage` (none if unreadable). Read when
/// the page starts (the state's mirror, `Workbench::progress`) and by the
/// effect that records progress, never by the reducer.
pub fn saved_progress() -> SavedProgress {
    crate::ui::page_store::storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .map(|t| SavedProgress::parse(&t))
        .unwrap_or_default()
}

/// Keeps `p` as the saved progress.
pub fn save_progress(p: &SavedProgress) {
    if let Some(s) = crate::ui::page_store::storage() {
        let _ = s.set_item(PROGRESS_KEY, &p.to_json());
    }
}

/// A chapter being worked through.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub index: usize,
    pub chapter: Rc<Chapter>,
    pub tracker: Tracker,
    /// Hints shown for the current task.
    pub hints: usize,
    /// The task finished last, whose explanation is shown.
    pub finished_last: Option<usize>,
}

/// Plays one solution move on the timeline; a command's error is returned
/// (the caller shows it, as it would a learner's).
pub fn play_move(tl: &mut Timeline, m: Move) -> Option<(Command, crate::engine::CommandError)> {
    match m {
        Move::Command(cmd) => match tl.command(cmd.clone()) {
            Ok(_) => None,
            Err(e) => Some((cmd, e)),
        },
        Move::Wait(ms) => {
            tl.advance(ms);
            None
        }
        Move::Steps(n) => {
            for _ in 0..n {
                if !tl.forward() {
                    break;
                }
            }
            None
        }
        Move::UntilIdle => {
            for _ in 0..IDLE_STEPS_MAX {
                if !tl.forward() {
                    break;
                }
            }
            None
        }
    }
}

impl Session {
    /// Opens chapter `index` with a fresh timeline: the starting document,
    /// then the solutions of the tasks already done (by `progress`).
    pub fn open(
        index: usize,
        base: BrokerConfig,
        progress: &SavedProgress,
    ) -> Option<(Session, Timeline)> {
        let chapter = fetched(index)?;
        let mut tl = Timeline::from_document(&chapter.start, base).ok()?;
        let done = progress.done(&chapter.id).min(chapter.tasks.len());
        for task in chapter.tasks.iter().take(done) {
            for action in &task.solution {
                let Ok(m) = action.to_move(tl.world()) else {
                    break;
                };
                play_move(&mut tl, m);
            }
        }
        let tracker = Tracker::start(&chapter, done, tl.world());
        Some((
            Session {
                index,
                chapter,
                tracker,
                hints: 0,
                finished_last: None,
            },
            tl,
        ))
    }

    /// Checks the current task against the timeline at its cursor; records
    /// in `progress` the tasks done when some complete. Returns whether
    /// anything changed.
    pub fn observe(&mut self, tl: &Timeline, progress: &mut SavedProgress) -> bool {
        let before = (self.tracker.task, self.tracker.passed.clone());
        let world = tl.world();
        let mut finished = None;
        // One action can finish several tasks (a "show me" that also
        // satisfies the next one): check until it stops advancing.
        while self
            .tracker
            .observe(&self.chapter, world, tl.events(), world.sim.actor_events())
        {
            finished = Some(self.tracker.task - 1);
            if self.tracker.finished(&self.chapter) {
                break;
            }
        }
        if let Some(t) = finished {
            self.finished_last = Some(t);
            self.hints = 0;
            progress.record(&self.chapter.id, self.tracker.task);
        }
        before != (self.tracker.task, self.tracker.passed.clone())
    }
}
