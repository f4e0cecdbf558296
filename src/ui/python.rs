//! The workbench's side of the Python terminals (`www/terminals.js`).
//!
//! The terminals run pika in Pyodide (`www/python.js`) against the
//! workbench's own broker: the simulation the diagram, event log and
//! inspectors show. This module is the door between them:
//!
//! ```text
//!  terminals.js ── Hub (python.js) ── host = the functions below ── Timeline
//!     Run / Ctrl-C / Kill               open / write / close  ──▶ Command::Wire (recorded ticks)
//!                                       take / isClosed      ◀── sim::wire output
//!                                       pacing(live, busy, deadline) ──▶ Timeline::python
//!  app.rs: after every render ──▶ terminals.changed()  (hand the broker's bytes to the sockets)
//! ```
//!
//! Everything a process does to the broker is a `Command::Wire` on the
//! timeline, so the broker's side replays exactly. Python's own state
//! cannot be replayed, so while a process is alive the timeline refuses to
//! step back (`SeekRefused::PythonRunning`); once they have all stopped,
//! the broker's side can be scrubbed like any run.
//!
//! Pacing: the step and play controls call `Timeline::forward_within`
//! while Python is alive. A step waits while a process executes (virtual
//! time moves only when every process waits), ends as soon as a process
//! has bytes to read, and does not move the clock past the earliest
//! deadline of a waiting process (`time.sleep`, pika's timers).
//!
//! Nothing of this loads the terminals: the module (and Pyodide behind it)
//! is imported only when a person opens a terminal. A broker replaced
//! under live processes (a chapter opened, a reset) bumps the generation:
//! calls naming an older one do nothing, and the terminals kill their
//! processes.

use crate::sim::wire::WireId;
use crate::sim::world::{Command, WireOp};
use crate::ui::i18n::{Lang, Text};
use crate::ui::state::Action;
use crate::view::timeline::{PythonPacing, Timeline};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::Callback;

/// The timeline on screen, and how to make the page render it again.
struct Link {
    timeline: Rc<RefCell<Timeline>>,
    dispatch: Callback<Action>,
    generation: u32,
    refresh_pending: bool,
}

thread_local! {
    static LINK: RefCell<Option<Link>> = const { RefCell::new(None) };
}

/// Called by the app after every render with the timeline on screen. True
/// when the broker is another one than last time (the terminals must kill
/// their processes: their sockets were on the old one).
pub fn attach(timeline: &Rc<RefCell<Timeline>>, dispatch: &Callback<Action>) -> bool {
    LINK.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return false;
        };
        match slot.as_mut() {
            Some(link) if Rc::ptr_eq(&link.timeline, timeline) => {
                link.dispatch = dispatch.clone();
                false
            }
            Some(link) => {
                link.timeline = timeline.clone();
                link.dispatch = dispatch.clone();
                link.generation = link.generation.wrapping_add(1);
                true
            }
            None => {
                *slot = Some(Link {
                    timeline: timeline.clone(),
                    dispatch: dispatch.clone(),
                    generation: 1,
                    refresh_pending: false,
                });
                false
            }
        }
    })
}

/// Runs `f` on the timeline of `generation`; `None` when the broker was
/// replaced since, or the timeline is busy (never panics on re-entry).
fn with_timeline<R>(generation: u32, f: impl FnOnce(&mut Timeline) -> R) -> Option<R> {
    LINK.with(|cell| {
        let slot = cell.try_borrow().ok()?;
        let link = slot.as_ref().filter(|l| l.generation == generation)?;
        let mut tl = link.timeline.try_borrow_mut().ok()?;
        Some(f(&mut tl))
    })
}

/// One render after a burst of calls (pika writes a handshake in many
/// small pieces): the first call schedules it, the rest join it.
fn refresh_soon() {
    let dispatch = LINK.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        let link = slot.as_mut()?;
        if link.refresh_pending {
            return None;
        }
        link.refresh_pending = true;
        Some(link.dispatch.clone())
    });
    if let Some(dispatch) = dispatch {
        wasm_bindgen_futures::spawn_local(async move {
            LINK.with(|cell| {
                if let Ok(mut slot) = cell.try_borrow_mut() {
                    if let Some(link) = slot.as_mut() {
                        link.refresh_pending = false;
                    }
                }
            });
            dispatch.emit(Action::Refresh);
        });
    }
}

fn wire(generation: u32, client: WireId, op: WireOp) -> bool {
    let ok = with_timeline(generation, |tl| {
        tl.command(Command::Wire { client, op }).is_ok()
    })
    .unwrap_or(false);
    refresh_soon();
    ok
}

/// The broker the terminals' processes connect to now (see the module doc).
#[wasm_bindgen(js_name = workbenchPythonGeneration)]
pub fn generation() -> u32 {
    LINK.with(|cell| {
        cell.try_borrow()
            .ok()
            .and_then(|s| s.as_ref().map(|l| l.generation))
            .unwrap_or(0)
    })
}

/// The workbench's virtual time, ms.
#[wasm_bindgen(js_name = workbenchWireNow)]
pub fn now(generation: u32) -> f64 {
    with_timeline(generation, |tl| tl.world().sim.now() as f64).unwrap_or(0.0)
}

/// A process's socket connected (false: the broker was replaced, or the id
/// is taken). `process` is its script's name: the connection's default name.
#[wasm_bindgen(js_name = workbenchWireOpen)]
pub fn open(generation: u32, client: WireId, process: String) -> bool {
    let process = Some(process).filter(|p| !p.is_empty());
    wire(generation, client, WireOp::Open { process })
}

/// Bytes a process wrote.
#[wasm_bindgen(js_name = workbenchWireWrite)]
pub fn write(generation: u32, client: WireId, bytes: &[u8]) {
    wire(generation, client, WireOp::Data(bytes.to_vec()));
}

/// A process's socket closed (it ended, or was killed).
#[wasm_bindgen(js_name = workbenchWireClose)]
pub fn close(generation: u32, client: WireId) {
    wire(generation, client, WireOp::Close);
}

/// What the broker wrote to a process's socket since the last call.
#[wasm_bindgen(js_name = workbenchWireTake)]
pub fn take(generation: u32, client: WireId) -> Vec<u8> {
    with_timeline(generation, |tl| tl.take_wire_output(client))
        .flatten()
        .map(|(bytes, _)| bytes)
        .unwrap_or_default()
}

/// Whether the broker closed a process's socket (true for an old broker's).
#[wasm_bindgen(js_name = workbenchWireIsClosed)]
pub fn is_closed(generation: u32, client: WireId) -> bool {
    with_timeline(generation, |tl| tl.wire_closed(client)).unwrap_or(true)
}

/// The processes' state after every change: alive, executing, and the
/// earliest deadline of a waiting one (virtual ms, or negative for none).
#[wasm_bindgen(js_name = workbenchPythonPacing)]
pub fn pacing(generation: u32, live: bool, busy: bool, deadline: f64) {
    let deadline = (deadline.is_finite() && deadline >= 0.0).then(|| deadline.ceil() as u64);
    let pacing = PythonPacing {
        live,
        busy,
        deadline,
    };
    let changed = with_timeline(generation, |tl| {
        let changed = tl.python != pacing;
        tl.python = pacing;
        changed
    })
    .unwrap_or(false);
    if changed {
        refresh_soon();
    }
}

#[wasm_bindgen(inline_js = r#"
let loading = null;
let loaded = null;
function load() {
  if (!loading) {
    loading = import(new URL('www/terminals.js', document.baseURI).href).then((m) => (loaded = m));
    loading.catch((e) => { loading = null; console.error('Python terminals:', e); });
  }
  return loading;
}
export function terminalsCall(method, arg) {
  return load().then((m) => m[method](arg));
}
export function terminalsNotify(method, arg) {
  if (!loaded) return;
  try { loaded[method](arg); } catch (e) { console.error('Python terminals:', e); }
}
"#)]
extern "C" {
    /// Loads `www/terminals.js` if needed, then calls `method(arg)` on it.
    #[wasm_bindgen(js_name = terminalsCall)]
    fn terminals_call(method: &str, arg: JsValue) -> js_sys::Promise;
    /// Calls `method(arg)` on `www/terminals.js` only if it is loaded.
    #[wasm_bindgen(js_name = terminalsNotify)]
    fn terminals_notify(method: &str, arg: JsValue);
}

/// The terminals' labels in `lang` (they show no text of their own).
fn labels(t: &Text) -> JsValue {
    let pairs: [(&str, &str); 34] = [
        ("args", t.py_args),
        ("argsHelp", t.py_args_help),
        ("brokerReplaced", t.py_broker_replaced),
        ("close", t.py_close),
        ("code", t.py_code),
        ("console", t.py_console),
        ("interrupt", t.py_interrupt),
        ("interruptHelp", t.py_interrupt_help),
        ("kill", t.py_kill),
        ("killHelp", t.py_kill_help),
        ("loadFailed", t.py_load_failed),
        ("loading", t.py_loading),
        ("name", t.py_name),
        ("newTerminal", t.py_new_terminal),
        ("pacing", t.py_pacing),
        ("panelTitle", t.py_panel_title),
        ("ready", t.py_ready),
        ("remove", t.py_remove),
        ("run", t.py_run),
        ("runAgain", t.py_run_again),
        ("statusExit", t.py_status_exit),
        ("statusIdle", t.py_status_idle),
        ("statusKilled", t.py_status_killed),
        ("statusRunning", t.py_status_running),
        ("unsupported", t.py_unsupported),
        ("step", t.step),
        ("play", t.play),
        ("refusedTitle", t.py_refused_title),
        ("refused", t.py_refused),
        ("runLesson", t.py_run_lesson),
        ("runLine", t.py_run_line),
        ("button", t.py_button),
        ("buttonHelp", t.py_button_help),
        ("runLessonHelp", t.py_run_lesson_help),
    ];
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// What the terminals are asked to do.
pub enum Open {
    /// The drawer, as it was.
    Drawer,
    /// Terminals with chapter `n`'s scripts.
    Chapter(usize),
    /// A terminal with a task's pika line, wrapped to run, in chapter `n`.
    Line { chapter: usize, code: String },
}

/// Opens the terminals (loading them, and then Python, on first use).
pub fn open_terminals(lang: Lang, what: Open) {
    let arg = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&arg, &JsValue::from_str(k), &v);
    };
    set("labels", labels(lang.text()));
    set("lang", JsValue::from_str(lang.code()));
    let method = match what {
        Open::Drawer => "open",
        Open::Chapter(n) => {
            set("chapter", JsValue::from_f64(n as f64));
            // The chapter's own programs, for the terminals to open when the
            // lessons have no scripts for it.
            let scripts = js_sys::Array::new();
            // The chapter is open, so its file has been fetched.
            if let Some(chapter) = crate::ui::lesson::fetched(n) {
                for (name, code) in crate::tutorial::pika::chapter_programs(&chapter) {
                    let script = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&script, &"name".into(), &name.into());
                    let _ = js_sys::Reflect::set(&script, &"code".into(), &code.into());
                    scripts.push(&script);
                }
            }
            set("scripts", scripts.into());
            "openChapter"
        }
        Open::Line { chapter, code } => {
            set("chapter", JsValue::from_f64(chapter as f64));
            set("code", JsValue::from_str(&code));
            "openLine"
        }
    };
    let promise = terminals_call(method, arg.into());
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::error_2(&JsValue::from_str("Python terminals:"), &e);
        }
    });
}

/// After every render: the terminals (if loaded) hand the broker's bytes
/// to their sockets, and learn whether the broker was replaced.
pub fn after_render(replaced: bool) {
    if replaced {
        terminals_notify("brokerReplaced", JsValue::UNDEFINED);
    }
    terminals_notify("changed", JsValue::UNDEFINED);
}

/// The language changed: the terminals' labels follow (if loaded).
pub fn set_lang(lang: Lang) {
    let arg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&arg, &JsValue::from_str("labels"), &labels(lang.text()));
    let _ = js_sys::Reflect::set(
        &arg,
        &JsValue::from_str("lang"),
        &JsValue::from_str(lang.code()),
    );
    terminals_notify("setLabels", arg.into());
}
