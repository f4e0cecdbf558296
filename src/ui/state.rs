//! The workbench's state: a yew [`Reducible`] over one [`Action`] enum.
//!
//! The heavy part, the [`Timeline`] (the world and its history), lives in a
//! shared cell that the reducer mutates in place; every action returns a new
//! `Rc<Workbench>` with a bumped `rev`, so components re-render from it.
//! Everything the UI shows about the broker is read from the timeline at its
//! cursor; everything else (selection, language, layout) is plain state here.
//! Objects are identified by stable ids (actor ids, message ids) and AMQP
//! names, never by list positions.
//!
//! The reducer never touches the browser: what it reads from `localStorage`
//! comes in the state (the tutorial progress, read when the page starts) or
//! with the action (`StoreReady`'s last setup), and what it keeps there it
//! queues as `PageWrite`s for the effect after the render (`page_store.rs`).

use crate::document::Document;
use crate::engine::clock::Millis;
use crate::engine::durable::DurableState;
use crate::engine::method::Method;
use crate::engine::{BrokerConfig, CommandError, Profile};
use crate::sim::world::Command;
use crate::sim::ActorId;
use crate::tutorial::action::Move;
use crate::tutorial::progress::SavedProgress;
use crate::ui::i18n::Lang;
use crate::ui::lesson::{play_move, Session};
use crate::ui::page_store::PageWrite;
use crate::ui::scenario::Embed;
use crate::view::arrangement::Arrangement;
use crate::view::script::{self, Script};
use crate::view::timeline::{SeekRefused, Timeline};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

pub use crate::view::event_log::{LogFilter, Selection};
pub use crate::view::layout::NodeKey;

/// The build panel's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildTab {
    Producer,
    Worker,
    Exchange,
    Queue,
    Binding,
}

/// A request to open a form prefilled (from the diagram or an inspector).
#[derive(Clone, Debug, PartialEq)]
pub enum Prefill {
    None,
    Bind {
        source: Rc<str>,
        destination: Rc<str>,
        to_exchange: bool,
    },
    EditProducer(ActorId),
    EditWorker(ActorId),
    EditExchange(Rc<str>),
    EditQueue(Rc<str>),
}

pub use crate::describe::Category;

/// Where durable state is kept.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreInfo {
    /// In memory; the reason says why not IndexedDB.
    Memory {
        reason: StoreReason,
    },
    IndexedDb {
        database: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreReason {
    /// IndexedDB is being opened.
    Opening,
    /// IndexedDB cannot be used (private mode, blocked…): why.
    Unavailable(String),
    /// Another tab owns this broker (named): this tab writes nothing.
    Locked(String),
    /// Waiting for the tab that owns this broker (named) to let go.
    Waiting(String),
    /// This tab owned the broker and another took it over: why.
    Lost(String),
}

impl StoreInfo {
    /// Whether this tab's setup is the one to remember for the broker: it
    /// owns the broker's store, or no store can be used at all. A tab that
    /// another tab keeps out (or took over) must not overwrite it.
    pub fn owns_broker(&self) -> bool {
        matches!(
            self,
            StoreInfo::IndexedDb { .. }
                | StoreInfo::Memory {
                    reason: StoreReason::Unavailable(_)
                }
        )
    }

    /// What the header and the broker panel say: the store's name, and
    /// why (for the memory store) or what it means.
    pub fn describe(&self, t: &crate::ui::i18n::Text) -> (String, String) {
        use crate::ui::i18n::fill;
        match self {
            StoreInfo::Memory { reason } => (
                t.store_memory.to_string(),
                match reason {
                    StoreReason::Opening => t.store_reason_opening.to_string(),
                    StoreReason::Unavailable(why) => {
                        format!("{}: {why}", t.store_reason_unavailable)
                    }
                    StoreReason::Locked(broker) => {
                        fill(t.store_reason_locked, &[("broker", broker)])
                    }
                    StoreReason::Waiting(broker) => fill(t.store_waiting, &[("broker", broker)]),
                    StoreReason::Lost(why) => format!("{}: {why}", t.store_lost_title),
                },
            ),
            StoreInfo::IndexedDb { database } => (
                format!("{} · {database}", t.store_indexeddb),
                t.store_indexeddb_help.to_string(),
            ),
        }
    }
}

/// A message at the top of the page: an error the broker raised, or why a
/// control did nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Command {
        error: CommandError,
        hint: Hint,
    },
    SeekRefused(SeekRefused),
    Idle,
    /// The page reloaded and the broker booted from IndexedDB.
    Resumed {
        queues: usize,
        messages: usize,
    },
    /// Writing to the durable store failed.
    Store(String),
    /// "Show me" could not follow the chapter from here (an actor it names
    /// was removed): resetting the chapter helps.
    ShowMeFailed(String),
    /// A scenario could not be opened (damaged link, bad file): why.
    Document(String),
    /// Tutorial chapter N (its position in the index) could not be opened.
    Chapter(usize, ChapterProblem),
}

/// Why a tutorial chapter could not be opened.
#[derive(Clone, Debug, PartialEq)]
pub enum ChapterProblem {
    /// No chapter has that number (a `?chapter=` past the last one).
    Missing,
    /// Its file could not be downloaded: the path and why.
    Fetch(String),
    /// Its file arrived but does not parse: the path and the error.
    Damaged(String),
}

/// A lesson-style explanation attached to an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    None,
    /// 406 on a redeclare with other properties.
    Redeclare,
    /// 404: something named does not exist.
    NotFound,
    /// 405: an exclusive queue of another connection.
    Locked,
    /// 403 on a system / internal exchange.
    AccessRefused,
}

/// What the bottom-right panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BottomTab {
    /// `rabbitmqctl list_queues`.
    Queues,
    /// The pika code of the setup and of each action.
    Code,
}

/// The panel a narrow screen shows below the playback bar (a phone, a
/// tablet, a small embedded player show one at a time, switched by
/// `components::pane_switch`; wide screens show them all and ignore it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Diagram,
    /// The open chapter's text and tasks.
    Lesson,
    /// The forms that declare and add things.
    Build,
    /// The selected object, and the broker's restart/crash/reset.
    Inspector,
    /// The event log.
    Log,
    /// `list_queues` and the pika code.
    Tools,
}

impl Pane {
    /// The name in ids, classes and `data-pane`.
    pub fn name(self) -> &'static str {
        match self {
            Pane::Diagram => "diagram",
            Pane::Lesson => "lesson",
            Pane::Build => "build",
            Pane::Inspector => "inspector",
            Pane::Log => "log",
            Pane::Tools => "tools",
        }
    }
}

/// Where the broker on screen came from (decides what a reload resumes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The workbench as the person left it (resumed from the store).
    Workbench,
    /// A tutorial chapter.
    Chapter,
    /// A scenario document: a share link, an imported file, a docs page.
    Document,
}

/// One action as pika code, at the tick it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeEntry {
    /// The timeline position the command was applied at.
    pub pos: usize,
    pub code: String,
    /// The broker refused it (the code shows what was tried).
    pub refused: bool,
}

/// Playback speeds, visible steps per second.
pub const SPEEDS: [u32; 5] = [1, 2, 4, 8, 16];

/// Cloning is cheap: the timeline is shared, the rest is small.
#[derive(Clone)]
pub struct Workbench {
    pub timeline: Rc<RefCell<Timeline>>,
    /// Bumped by every action: components compare it.
    pub rev: u64,
    pub lang: Lang,
    pub profile: Profile,
    /// The broker (and IndexedDB database) this tab works on.
    pub broker: Rc<str>,
    pub store: StoreInfo,
    pub selection: Option<Selection>,
    pub playing: bool,
    pub speed: usize,
    /// Where a person dragged the diagram's nodes (kept by
    /// `ui/saved_layout.rs` for the broker and chapter or document shown).
    pub positions: Rc<Arrangement>,
    pub notice: Option<Notice>,
    pub filter: LogFilter,
    pub tab: BuildTab,
    pub prefill: Prefill,
    /// Bumped when a form should take `prefill` (so a repeated request reopens it).
    pub prefill_rev: u64,
    /// The tutorial chapter being worked through, if any.
    pub lesson: Option<Rc<Session>>,
    /// The chapter whose file is being fetched, to open when it arrives.
    pub chapter_loading: Option<usize>,
    /// What a chapter's concept points at on the diagram (`queue:hello`…).
    pub pointed: Option<Rc<str>>,
    /// Every command given, as pika code.
    pub code: Rc<Vec<CodeEntry>>,
    pub bottom: BottomTab,
    /// The panel shown on a narrow screen (see [`Pane`]).
    pub pane: Pane,
    pub origin: Origin,
    /// The compact player of `?embed` (panels shown, read-only), if so.
    pub embed: Option<Rc<Embed>>,
    /// The loaded document's script and how far it has played.
    pub script: Rc<Script>,
    /// The loaded document's title.
    pub title: Rc<str>,
    /// The share / export dialog is open.
    pub dialog: bool,
    /// The tutorial progress kept in `localStorage`, as read when the page
    /// started and changed since by this tab.
    pub progress: Rc<SavedProgress>,
    /// What the page is to keep in `localStorage`, written by the effect
    /// after the render (`ui/page_store.rs`), never by the reducer.
    pub page_writes: Rc<RefCell<Vec<PageWrite>>>,
}

impl PartialEq for Workbench {
    fn eq(&self, other: &Workbench) -> bool {
        self.rev == other.rev
    }
}

pub enum Action {
    Step,
    StepBack,
    ToStart,
    Seek(usize),
    Advance(Millis),
    TogglePlay,
    Stop,
    SetSpeed(usize),
    Command(Command),
    /// Several commands as one gesture (a lesson preset).
    Commands(Vec<Command>),
    Select(Option<Selection>),
    SetLang(Lang),
    /// A node dragged to (x, y) in a diagram running this way.
    MoveNode(NodeKey, f64, f64, crate::view::geometry::Orientation),
    ResetLayout,
    /// The arrangement kept under this key (`ui/saved_layout.rs`), read
    /// when the diagram starts showing it.
    LayoutLoaded(String, Arrangement),
    Reset(Profile),
    SetFilter(LogFilter),
    DismissNotice,
    OpenTab(BuildTab, Prefill),
    /// The durable store is open (or could not be): what it holds.
    StoreReady {
        store: StoreInfo,
        recovered: Option<DurableState>,
        /// The store was claimed after waiting or by taking it over: what it
        /// holds replaces this tab's broker, whatever was done meanwhile.
        claimed: bool,
        /// The broker's last setup kept in `localStorage`
        /// (`scenario::last_setup`), read by the sender: resumed on top of
        /// what the store holds.
        setup: Option<Document>,
    },
    StoreFailed(String),
    /// Another tab took the broker over: this tab no longer writes (why).
    StoreLost(String),
    /// Opens tutorial chapter N (from the saved progress), once its file
    /// is fetched: see `lesson::request_chapter`, which sends these.
    OpenChapter(usize),
    /// Chapter N's file is being fetched.
    ChapterLoading(usize),
    /// Chapter N's file arrived: opened if it is still the one asked for.
    ChapterFetched(usize),
    /// Chapter N could not be opened.
    ChapterFailed(usize, ChapterProblem),
    CloseChapter,
    /// Starts chapter N over: progress forgotten, the starting scenario again.
    ResetChapter,
    /// Plays the current task's solution.
    ShowMe,
    NextHint,
    Point(Option<Rc<str>>),
    SetBottom(BottomTab),
    /// Shows one panel on a narrow screen.
    ShowPane(Pane),
    /// Replaces the broker with a scenario document's.
    LoadDocument(Rc<Document>),
    /// A scenario (link, file, `src=`) could not be opened: why.
    DocumentFailed(String),
    ShowDialog(bool),
    /// Python processes changed the timeline from outside the reducer
    /// (their bytes, as `Command::Wire`; see `ui/python.rs`): render again.
    Refresh,
}

impl Workbench {
    pub fn new(lang: Lang, profile: Profile, broker: &str) -> Workbench {
        Workbench {
            timeline: Rc::new(RefCell::new(Timeline::new(config_for(profile)))),
            rev: 0,
            lang,
            profile,
            broker: Rc::from(broker),
            store: StoreInfo::Memory {
                reason: StoreReason::Opening,
            },
            selection: None,
            playing: false,
            speed: 2,
            positions: Rc::default(),
            notice: None,
            filter: LogFilter::default(),
            tab: BuildTab::Queue,
            prefill: Prefill::None,
            prefill_rev: 0,
            lesson: None,
            chapter_loading: None,
            pointed: None,
            code: Rc::new(Vec::new()),
            bottom: BottomTab::Queues,
            pane: Pane::Diagram,
            origin: Origin::Workbench,
            embed: None,
            script: Rc::new(Script::default()),
            title: Rc::from(""),
            dialog: false,
            progress: Rc::default(),
            page_writes: Rc::default(),
        }
    }

    /// A copy for the reducer to change, with the next revision.
    fn next(&self) -> Workbench {
        Workbench {
            rev: self.rev + 1,
            ..self.clone()
        }
    }
}

impl Workbench {
    /// Asks the page to keep (or forget) something in `localStorage`.
    fn keep(&self, write: PageWrite) {
        self.page_writes.borrow_mut().push(write);
    }
}

/// Keeps the arrangement of what `state` shows, if it is kept.
fn keep_layout(state: &Workbench) {
    if let Some(key) = crate::ui::saved_layout::key(state) {
        state.keep(PageWrite::Layout(key, state.positions.clone()));
    }
}

pub fn config_for(profile: Profile) -> BrokerConfig {
    BrokerConfig {
        profile,
        ..BrokerConfig::default()
    }
}

fn hint_for(error: &CommandError, cmd: Option<&Command>) -> Hint {
    let Some(e) = error.amqp() else {
        return Hint::None;
    };
    match e.code.code() {
        406 if matches!(
            cmd,
            Some(Command::Method(Method::QueueDeclare(_)))
                | Some(Command::Method(Method::ExchangeDeclare(_)))
        ) && (e.explanation.contains("inequivalent")
            || e.explanation.contains("received")) =>
        {
            Hint::Redeclare
        }
        404 => Hint::NotFound,
        405 => Hint::Locked,
        403 => Hint::AccessRefused,
        _ => Hint::None,
    }
}

impl Reducible for Workbench {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = self.next();
        let timeline = self.timeline.clone();
        match action {
            Action::Step => {
                let moved = script::step(&mut next.script, &mut timeline.borrow_mut());
                if moved {
                    if matches!(next.notice, Some(Notice::Idle | Notice::SeekRefused(_))) {
                        next.notice = None;
                    }
                } else {
                    next.playing = false;
                    next.notice = Some(Notice::Idle);
                }
            }
            Action::StepBack => {
                next.playing = false;
                if let Err(e) = timeline.borrow_mut().back() {
                    next.notice = Some(Notice::SeekRefused(e));
                } else if matches!(next.notice, Some(Notice::Idle)) {
                    next.notice = None;
                }
            }
            Action::ToStart => {
                next.playing = false;
                if let Err(e) = timeline.borrow_mut().seek(0) {
                    next.notice = Some(Notice::SeekRefused(e));
                }
            }
            Action::Seek(p) => {
                next.playing = false;
                if let Err(e) = timeline.borrow_mut().seek(p) {
                    next.notice = Some(Notice::SeekRefused(e));
                }
            }
            Action::Advance(ms) => {
                script::advance(&mut next.script, &mut timeline.borrow_mut(), ms)
            }
            Action::TogglePlay => {
                next.playing = !next.playing;
                if next.playing && matches!(next.notice, Some(Notice::Idle)) {
                    next.notice = None;
                }
            }
            Action::Stop => next.playing = false,
            Action::SetSpeed(i) => next.speed = i.min(SPEEDS.len() - 1),
            Action::Command(cmd) => apply_command(&mut next, &timeline, cmd),
            Action::Commands(cmds) => {
                for cmd in cmds {
                    apply_command(&mut next, &timeline, cmd);
                    if next.notice.is_some() {
                        break;
                    }
                }
            }
            Action::Select(sel) => next.selection = sel,
            Action::SetLang(lang) => next.lang = lang,
            Action::MoveNode(key, x, y, flow) => {
                Rc::make_mut(&mut next.positions).place(
                    timeline.borrow().world(),
                    &key,
                    (x, y),
                    flow,
                );
                keep_layout(&next);
            }
            Action::ResetLayout => {
                next.positions = Rc::default();
                keep_layout(&next);
            }
            Action::LayoutLoaded(key, arrangement) => {
                // Not over moves made since (or another setup's).
                if next.positions.is_empty()
                    && crate::ui::saved_layout::key(&next).as_deref() == Some(&*key)
                {
                    next.positions = Rc::new(arrangement);
                }
            }
            Action::Reset(profile) => {
                let mut fresh = Timeline::new(config_for(profile));
                if timeline.borrow().durable_store() {
                    fresh.clear_store();
                }
                next.timeline = Rc::new(RefCell::new(fresh));
                next.profile = profile;
                next.origin = Origin::Workbench;
                next.lesson = None;
                next.script = Rc::new(Script::default());
                next.title = Rc::from("");
                next.code = Rc::new(Vec::new());
                next.keep(PageWrite::ForgetSetup(next.broker.clone()));
                next.selection = None;
                next.playing = false;
                next.notice = None;
                // The setup is forgotten, and so is its arrangement.
                next.positions = Rc::default();
                keep_layout(&next);
            }
            Action::SetFilter(f) => next.filter = f,
            Action::DismissNotice => next.notice = None,
            Action::StoreReady {
                store,
                recovered,
                claimed,
                setup,
            } => {
                let durable = matches!(store, StoreInfo::IndexedDb { .. });
                next.store = store;
                if durable {
                    // A chapter's or a link's broker is not replaced by what
                    // the store held, unless this tab has just taken the
                    // broker over: then the stored state wins (writing this
                    // tab's own would undo the other tab's commits).
                    let untouched =
                        timeline.borrow().recorded() == 0 && next.origin == Origin::Workbench;
                    let state =
                        recovered.filter(|s| !s.queues.is_empty() || !s.exchanges.is_empty());
                    if claimed {
                        next.origin = Origin::Workbench;
                        next.lesson = None;
                        next.script = Rc::new(Script::default());
                        next.code = Rc::new(Vec::new());
                        next.selection = None;
                        next.playing = false;
                    }
                    if claimed || (untouched && (state.is_some() || setup.is_some())) {
                        let mut resumed = Timeline::resume(
                            config_for(next.profile),
                            state.as_ref(),
                            setup.as_ref(),
                        );
                        resumed.attach_store();
                        if let Some(state) = &state {
                            next.notice = Some(Notice::Resumed {
                                queues: state.queues.len(),
                                messages: state.queues.values().map(|q| q.messages.len()).sum(),
                            });
                        }
                        next.timeline = Rc::new(RefCell::new(resumed));
                    } else {
                        timeline.borrow_mut().attach_store();
                    }
                } else if next.origin == Origin::Workbench
                    && next.embed.is_none()
                    && next.store.owns_broker()
                    && timeline.borrow().recorded() == 0
                {
                    // No IndexedDB: the last setup still comes back (without
                    // durable messages).
                    if let Some(setup) = setup {
                        next.timeline = Rc::new(RefCell::new(Timeline::resume(
                            config_for(next.profile),
                            None,
                            Some(&setup),
                        )));
                    }
                }
            }
            Action::StoreFailed(why) => next.notice = Some(Notice::Store(why)),
            Action::StoreLost(why) => {
                next.store = StoreInfo::Memory {
                    reason: StoreReason::Lost(why),
                };
                timeline.borrow_mut().detach_store();
            }
            Action::OpenTab(tab, prefill) => {
                next.tab = tab;
                next.prefill = prefill;
                next.prefill_rev += 1;
            }
            Action::OpenChapter(index) => {
                next.chapter_loading = None;
                open_chapter(&mut next, &timeline, index);
            }
            Action::ChapterLoading(index) => next.chapter_loading = Some(index),
            // A chapter asked for earlier and overtaken by another choice
            // stays closed (it is kept for when it is asked for again).
            Action::ChapterFetched(index) => {
                if next.chapter_loading == Some(index) {
                    next.chapter_loading = None;
                    open_chapter(&mut next, &timeline, index);
                }
            }
            Action::ChapterFailed(index, problem) => {
                if next.chapter_loading.is_none_or(|n| n == index) {
                    next.chapter_loading = None;
                    next.notice = Some(Notice::Chapter(index, problem));
                }
            }
            Action::ResetChapter => {
                if let Some(lesson) = next.lesson.clone() {
                    let chapter: Rc<str> = Rc::from(lesson.chapter.id.as_str());
                    Rc::make_mut(&mut next.progress).reset(&chapter);
                    next.keep(PageWrite::ForgetProgress(chapter));
                    open_chapter(&mut next, &timeline, lesson.index);
                }
            }
            Action::CloseChapter => {
                next.lesson = None;
                next.chapter_loading = None;
                next.pointed = None;
            }
            Action::ShowMe => show_me(&mut next),
            Action::NextHint => {
                if let Some(lesson) = next.lesson.as_mut() {
                    Rc::make_mut(lesson).hints += 1;
                }
            }
            Action::Point(p) => next.pointed = p,
            Action::SetBottom(tab) => next.bottom = tab,
            Action::ShowPane(pane) => next.pane = pane,
            Action::LoadDocument(doc) => load_document(&mut next, &timeline, &doc),
            Action::DocumentFailed(why) => next.notice = Some(Notice::Document(why)),
            Action::ShowDialog(open) => next.dialog = open,
            Action::Refresh => {}
        }
        // Checkpoints read the engine after every action, whoever acted.
        if let Some(lesson) = next.lesson.as_mut() {
            let tl = next.timeline.borrow();
            let mut l = (**lesson).clone();
            let mut progress = (*next.progress).clone();
            if l.observe(&tl, &mut progress) {
                *lesson = Rc::new(l);
            }
            if progress != *next.progress {
                let chapter: Rc<str> = Rc::from(lesson.chapter.id.as_str());
                let done = progress.done(&chapter);
                next.page_writes
                    .borrow_mut()
                    .push(PageWrite::Progress(chapter, done));
                next.progress = Rc::new(progress);
            }
        }
        Rc::new(next)
    }
}

/// A fresh timeline from a scenario document; its view options apply.
fn load_document(next: &mut Workbench, old: &Rc<RefCell<Timeline>>, doc: &Document) {
    let mut fresh = match Timeline::from_document(doc, config_for(doc.broker.profile)) {
        Ok(t) => t,
        Err(e) => {
            next.notice = Some(Notice::Document(e.to_string()));
            return;
        }
    };
    if old.borrow().durable_store() && next.embed.is_none() {
        fresh.attach_store();
    }
    next.timeline = Rc::new(RefCell::new(fresh));
    next.profile = doc.broker.profile;
    next.origin = Origin::Document;
    next.lesson = None;
    next.script = Rc::new(Script::new(doc.script.clone()));
    next.title = Rc::from(doc.title.as_str());
    next.selection = None;
    next.playing = doc.view.autoplay;
    next.speed = speed_index(doc.view.speed);
    if let Some(embed) = &next.embed {
        // A docs page chooses its player's language; in the workbench the
        // person's own choice stays.
        next.lang = match doc.view.language {
            crate::document::Language::En => Lang::En,
            crate::document::Language::Zh => Lang::Zh,
        };
        // And its panels (the URL's, merged into the view by the page): a
        // document that names none keeps the compact player's.
        let chose_panels = doc.view.panels != crate::document::ViewOptions::default().panels;
        next.embed = Some(Rc::new(Embed {
            panels: if chose_panels {
                doc.view.panels.clone()
            } else {
                embed.panels.clone()
            },
            read_only: doc.view.read_only,
            element: embed.element.clone(),
        }));
    }
    next.notice = None;
    next.positions = Rc::default();
    next.code = Rc::new(Vec::new());
    next.pointed = None;
}

/// The playback speed nearest to `steps` per second.
pub fn speed_index(steps: f64) -> usize {
    SPEEDS
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| {
            (f64::from(**a) - steps)
                .abs()
                .total_cmp(&(f64::from(**b) - steps).abs())
        })
        .map(|(i, _)| i)
        .unwrap_or(2)
}

/// A fresh timeline from the chapter's start (and the tasks already done).
fn open_chapter(next: &mut Workbench, old: &Rc<RefCell<Timeline>>, index: usize) {
    let Some((session, mut fresh)) = Session::open(index, config_for(next.profile), &next.progress)
    else {
        return;
    };
    if old.borrow().durable_store() {
        // The store now mirrors the chapter's broker instead.
        fresh.attach_store();
    }
    next.timeline = Rc::new(RefCell::new(fresh));
    next.lesson = Some(Rc::new(session));
    next.origin = Origin::Chapter;
    next.script = Rc::new(Script::default());
    next.title = Rc::from("");
    next.selection = None;
    next.playing = false;
    next.notice = None;
    next.positions = Rc::default();
    next.code = Rc::new(Vec::new());
    next.pointed = None;
}

/// Plays the current task's solution through the timeline, as if the
/// learner had given each command.
fn show_me(next: &mut Workbench) {
    let Some(lesson) = next.lesson.clone() else {
        return;
    };
    let Some(task) = lesson.chapter.tasks.get(lesson.tracker.task) else {
        return;
    };
    next.playing = false;
    let timeline = next.timeline.clone();
    for action in &task.solution {
        let m = match action.to_move(timeline.borrow().world()) {
            Ok(m) => m,
            Err(why) => {
                next.notice = Some(Notice::ShowMeFailed(why));
                return;
            }
        };
        match m {
            Move::Command(cmd) => {
                apply_command(next, &timeline, cmd);
                // A refusal the chapter teaches (a 406) is the point: keep it shown.
            }
            other => {
                play_move(&mut timeline.borrow_mut(), other);
            }
        }
    }
}

fn apply_command(next: &mut Workbench, timeline: &Rc<RefCell<Timeline>>, cmd: Command) {
    let removed = match &cmd {
        Command::RemoveProducer(id) => Some(Selection::Producer(*id)),
        Command::RemoveWorker(id) | Command::ReplaceWorker(id, _) => Some(Selection::Worker(*id)),
        Command::Method(Method::QueueDelete(m)) => {
            Some(Selection::Queue(Rc::from(m.queue.as_str())))
        }
        Command::Method(Method::ExchangeDelete(m)) => {
            Some(Selection::Exchange(Rc::from(m.exchange.as_str())))
        }
        _ => None,
    };
    let is_worker_cmd = matches!(cmd, Command::AddWorker(_) | Command::ReplaceWorker(..));
    let (pos, snippet) = {
        let tl = timeline.borrow();
        (tl.pos(), crate::tutorial::pika::command(&cmd, tl.world()))
    };
    let result = timeline.borrow_mut().command(cmd.clone());
    if let Some(code) = snippet {
        let log = Rc::make_mut(&mut next.code);
        // A command after stepping back replaces the recorded future.
        log.retain(|e| e.pos < pos);
        log.push(CodeEntry {
            pos,
            code,
            refused: result.is_err(),
        });
    }
    match result {
        Ok(applied) => {
            if matches!(next.notice, Some(Notice::Command { .. } | Notice::Idle)) {
                next.notice = None;
            }
            if removed.is_some() && next.selection == removed {
                next.selection = None;
            }
            if let Some(id) = applied.new_actor {
                next.selection = Some(if is_worker_cmd {
                    Selection::Worker(id)
                } else {
                    Selection::Producer(id)
                });
            }
        }
        Err(error) => {
            let hint = hint_for(&error, Some(&cmd));
            next.notice = Some(Notice::Command { error, hint });
        }
    }
}

/// What components get from the context: the state and the way to change it.
#[derive(Clone)]
pub struct AppCtx {
    pub state: Rc<Workbench>,
    pub dispatch: Callback<Action>,
}

impl PartialEq for AppCtx {
    fn eq(&self, other: &AppCtx) -> bool {
        self.state.rev == other.state.rev && Rc::ptr_eq(&self.state.timeline, &other.state.timeline)
    }
}

impl AppCtx {
    pub fn send(&self, action: Action) {
        self.dispatch.emit(action);
    }

    pub fn callback<E>(&self, f: impl Fn(E) -> Action + 'static) -> Callback<E> {
        let d = self.dispatch.clone();
        Callback::from(move |e: E| d.emit(f(e)))
    }

    pub fn t(&self) -> &'static crate::ui::i18n::Text {
        self.state.lang.text()
    }

    /// A panel's landmark label. An embedded player prefixes its title: a
    /// docs page with two players would otherwise offer a screen reader two
    /// landmarks of the same name ("Topology diagram") it cannot tell apart.
    pub fn region_label(&self, base: &str) -> String {
        if self.state.embed.is_some() && !self.state.title.is_empty() {
            format!("{}: {base}", self.state.title)
        } else {
            base.to_string()
        }
    }
}

/// The context inside components.
#[hook]
pub fn use_app() -> AppCtx {
    use_context::<AppCtx>().unwrap_or_else(|| AppCtx {
        state: Rc::new(Workbench::new(
            Lang::En,
            Profile::RabbitMq3,
            crate::ui::persistence::DEFAULT_BROKER,
        )),
        dispatch: Callback::noop(),
    })
}
