//! The workbench's hooks, one job each, which `components/app.rs` calls in
//! this order (effects run in the order their hooks are called, and some
//! of that order matters: the reducer's page writes land before the setup
//! is saved, as when the reducer wrote them itself).
//!
//! - [`use_url_request`]: what the URL (or a `<warren-player>` element)
//!   asks for, read once.
//! - [`use_workbench`]: the state, started from the URL and what the page
//!   remembers (language, profile, tutorial progress).
//! - [`use_timed_dispatch`] and [`use_render_timing`]: dispatching, with
//!   how long each action took to reduce and render (`data-render-ms`).
//! - [`use_store`]: the durable store (IndexedDB), opened once and fed the
//!   timeline's jobs after every action.
//! - [`use_page_writes`]: what the reducer asked to keep in `localStorage`.
//! - [`use_open_from_url`]: the chapter, share link or file the URL names.
//! - [`use_saved_setup`]: the workbench's setup, kept for the next visit.
//! - [`use_ready_mark`]: the benchmark's hook and `data-ready`.
//! - [`use_page_language`], [`use_remembered_profile`]: what the page
//!   remembers and says about itself.
//! - [`use_keyboard_shortcuts`]: Space, P and ←.
//! - [`use_autoplay`]: one step every 1/speed seconds while playing.

use crate::engine::Profile;
use crate::ui::components::app::{fetch_text, PlayerElement};
use crate::ui::i18n::Lang;
use crate::ui::page_store::storage;
use crate::ui::persistence::SharedLink;
use crate::ui::scenario::{Embed, UrlRequest};
use crate::ui::state::{Action, Origin, StoreInfo, StoreReason, Workbench, SPEEDS};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

const LANG_KEY: &str = "warren.lang";
const PROFILE_KEY: &str = "warren.profile";

/// The language remembered, or the browser's, or English.
fn initial_lang() -> Lang {
    if let Some(code) = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten()) {
        if let Some(lang) = Lang::from_code(&code) {
            return lang;
        }
    }
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    if browser.to_ascii_lowercase().starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The broker profile chosen at the last reset (its durable state may be
/// resumed from IndexedDB), or the default.
fn initial_profile() -> Profile {
    storage()
        .and_then(|s| s.get_item(PROFILE_KEY).ok().flatten())
        .and_then(|p| Profile::parse(&p))
        .unwrap_or_default()
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Whether a key press belongs to a form field rather than to the shortcuts.
fn typing_target(e: &web_sys::KeyboardEvent) -> (bool, bool) {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return (false, false);
    };
    let tag = el.tag_name().to_ascii_lowercase();
    let typing = matches!(tag.as_str(), "input" | "textarea" | "select")
        || el.get_attribute("contenteditable").is_some();
    let pressable = tag == "button"
        || tag == "summary"
        || el.get_attribute("role").as_deref() == Some("button");
    (typing, pressable)
}

/// Whether a key press comes from inside the diagram's drawing, whose
/// own keys (arrows pan, +/− zoom) come first.
fn in_diagram(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest(".topo-svg").ok().flatten())
        .is_some()
}

/// What the URL (or the element) asks for, read once (a share link,
/// `?embed`, `?src=`…). An element is always an embedded player.
#[hook]
pub fn use_url_request(element: Option<PlayerElement>) -> Rc<UrlRequest> {
    use_memo((), move |_| match element {
        Some(e) => UrlRequest {
            embed: true,
            ..e.request
        },
        None => crate::ui::scenario::current_url(),
    })
}

/// The workbench's state, started from the URL (language, broker, embed
/// options) and what the page remembers (language, profile, progress).
#[hook]
pub fn use_workbench(
    url: Rc<UrlRequest>,
    element: Option<PlayerElement>,
) -> UseReducerHandle<Workbench> {
    use_reducer(move || {
        let mut w = Workbench::new(
            url.lang.unwrap_or_else(initial_lang),
            initial_profile(),
            &url.broker_name(),
        );
        w.progress = Rc::new(crate::ui::lesson::saved_progress());
        if url.embed {
            w.embed = Some(Rc::new(Embed {
                panels: url
                    .panels
                    .clone()
                    .unwrap_or_else(|| vec!["diagram".into(), "controls".into(), "log".into()]),
                read_only: url.read_only.unwrap_or(true),
                element: element.as_ref().map(|e| e.workbench.clone()),
            }));
        }
        w
    })
}

/// When the last action was dispatched (`None` once its render is timed).
pub type DispatchedAt = Rc<RefCell<Option<f64>>>;

/// A dispatcher that notes when each action was sent, for
/// [`use_render_timing`].
#[hook]
pub fn use_timed_dispatch(state: &UseReducerHandle<Workbench>) -> (Callback<Action>, DispatchedAt) {
    let dispatched_at = use_mut_ref(|| None::<f64>);
    let d = state.dispatcher();
    let at = dispatched_at.clone();
    let dispatch = Callback::from(move |a: Action| {
        *at.borrow_mut() = Some(now_ms());
        d.dispatch(a);
    });
    (dispatch, dispatched_at)
}

/// The durable store: opened once (an embedded player never opens the
/// workbench's database), then fed the timeline's jobs after every action.
/// The link is what claiming the store later reopens.
#[hook]
pub fn use_store(
    state: &UseReducerHandle<Workbench>,
    url: &UrlRequest,
    dispatch: &Callback<Action>,
) -> SharedLink {
    let link = use_mut_ref(crate::ui::persistence::StoreLink::default);
    {
        let link = link.clone();
        let dispatch = dispatch.clone();
        let profile = state.profile;
        let embed = url.embed;
        let broker = url.broker_name();
        let t = state.lang.text();
        use_effect_with((), move |_| {
            if embed {
                // Several players can share a docs page: none of them
                // touches the workbench's database or remembers anything.
                dispatch.emit(Action::StoreReady {
                    store: StoreInfo::Memory {
                        reason: StoreReason::Unavailable(t.store_embedded.to_string()),
                    },
                    recovered: None,
                    claimed: false,
                    // A player remembers no setup.
                    setup: None,
                });
            } else {
                crate::ui::persistence::open(
                    link,
                    dispatch,
                    profile,
                    broker,
                    crate::store::lock::LockMode::Try,
                )
            }
        });
    }
    link
}

/// Feeds the store what the timeline committed since the last render.
#[hook]
pub fn use_store_feed(
    state: &UseReducerHandle<Workbench>,
    link: &SharedLink,
    dispatch: &Callback<Action>,
) {
    let link = link.clone();
    let dispatch = dispatch.clone();
    let timeline = state.timeline.clone();
    use_effect_with(state.rev, move |_| {
        let jobs = timeline.borrow_mut().take_outbox();
        crate::ui::persistence::enqueue(&link, jobs, dispatch);
    });
}

/// Writes what the reducer asked the page to keep in `localStorage`.
#[hook]
pub fn use_page_writes(state: &UseReducerHandle<Workbench>) {
    let writes = state.page_writes.clone();
    use_effect_with(state.rev, move |_| {
        let writes = std::mem::take(&mut *writes.borrow_mut());
        crate::ui::page_store::perform(writes);
    });
}

/// Opens the setup the URL names, once: a chapter, a share link, a
/// document file.
#[hook]
pub fn use_open_from_url(url: &Rc<UrlRequest>, dispatch: &Callback<Action>) {
    let dispatch = dispatch.clone();
    let url = url.clone();
    use_effect_with((), move |_| open_from_url(&url, dispatch));
}

/// Keeps the setup for the next visit (the workbench's, not a chapter's or
/// an embedded player's).
#[hook]
pub fn use_saved_setup(state: &UseReducerHandle<Workbench>) {
    let timeline = state.timeline.clone();
    // Not before the store has answered (the last setup must be read,
    // and resumed, before the empty start could overwrite it), and not
    // by a tab that another tab keeps out of the broker.
    let keep =
        state.store.owns_broker() && state.embed.is_none() && state.origin != Origin::Chapter;
    let title = state.title.clone();
    let broker = state.broker.clone();
    use_effect_with((state.code.len(), state.rev / 16, keep), move |_| {
        if keep {
            let tl = timeline.borrow();
            let doc = crate::document::Document::from_simulation(
                &tl.world().sim,
                &title,
                Default::default(),
            );
            crate::ui::scenario::save_setup(&broker, &doc);
        }
    });
}

/// Ready: the benchmark's hook is installed (by the workbench, never by a
/// docs page's players) and the page says so (`data-ready`).
#[hook]
pub fn use_ready_mark(root: &NodeRef, dispatch: &Callback<Action>, in_element: bool) {
    let dispatch = dispatch.clone();
    let root = root.clone();
    use_effect_with((), move |_| {
        if !in_element {
            crate::ui::components::bench_hook::install(dispatch);
        }
        if let Some(el) = root.cast::<web_sys::Element>() {
            let _ = el.set_attribute("data-ready", "true");
        }
    });
}

/// How long the last action took to reduce and render (the bench reads
/// `data-render-ms`).
#[hook]
pub fn use_render_timing(root: &NodeRef, at: &DispatchedAt, rev: u64) {
    let root = root.clone();
    let at = at.clone();
    use_effect_with(rev, move |_| {
        if let Some(t0) = at.borrow_mut().take() {
            if let Some(el) = root.cast::<web_sys::Element>() {
                let _ = el.set_attribute("data-render-ms", &format!("{:.2}", now_ms() - t0));
            }
        }
    });
}

/// The language is remembered, and the page says which it is in. An
/// embedded player does neither: its language is its author's choice, not
/// the reader's, and a docs page keeps its own title.
#[hook]
pub fn use_page_language(lang: Lang, embedded: bool) {
    use_effect_with(lang, move |lang| {
        if embedded {
            return;
        }
        if let Some(s) = storage() {
            let _ = s.set_item(LANG_KEY, lang.code());
        }
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.html_lang());
        }
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(lang.text().page_title);
        }
    });
}

/// The broker profile is remembered for the next visit (not by an
/// embedded player).
#[hook]
pub fn use_remembered_profile(profile: Profile, embedded: bool) {
    use_effect_with(profile, move |profile| {
        if embedded {
            return;
        }
        if let Some(s) = storage() {
            let _ = s.set_item(PROFILE_KEY, profile.name());
        }
    });
}

/// Keyboard: Space steps, P plays/pauses, ← steps back — anywhere on the
/// page, or, for a `<warren-player>` among other content, while the focus
/// is inside it.
#[hook]
pub fn use_keyboard_shortcuts(root: &NodeRef, dispatch: &Callback<Action>, in_element: bool) {
    let dispatch = dispatch.clone();
    let root = root.clone();
    use_effect_with((), move |_| {
        let listener =
            Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let (typing, pressable) = typing_target(&e);
                if typing {
                    return;
                }
                match e.key().as_str() {
                    " " | "Spacebar" if !pressable => {
                        e.prevent_default();
                        dispatch.emit(Action::Step);
                    }
                    "p" | "P" => {
                        e.prevent_default();
                        dispatch.emit(Action::TogglePlay);
                    }
                    // In the diagram the arrows pan (components/diagram.rs).
                    "ArrowLeft" if !in_diagram(&e) => {
                        e.prevent_default();
                        dispatch.emit(Action::StepBack);
                    }
                    _ => {}
                }
            });
        let target: Option<web_sys::EventTarget> = if in_element {
            root.cast::<web_sys::Element>()
                .map(web_sys::EventTarget::from)
        } else {
            web_sys::window()
                .and_then(|w| w.document())
                .map(web_sys::EventTarget::from)
        };
        if let Some(d) = &target {
            let _ =
                d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = &target {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
            drop(listener);
        }
    });
}

/// Playback: one step every 1/speed seconds while playing.
#[hook]
pub fn use_autoplay(dispatch: &Callback<Action>, playing: bool, speed: usize) {
    let dispatch = dispatch.clone();
    let speed = SPEEDS[speed.min(SPEEDS.len() - 1)];
    use_effect_with((playing, speed), move |(playing, speed)| {
        let interval = if *playing {
            let d = dispatch.clone();
            Some(gloo_timers::callback::Interval::new(
                1000 / speed.max(&1),
                move || d.emit(Action::Step),
            ))
        } else {
            None
        };
        move || drop(interval)
    });
}

/// Opens what the URL names: a tutorial chapter, a share link's document,
/// or a document file (`?src=`, same origin), with the URL's view options
/// on top. A bad link or file is reported, and the page still works.
fn open_from_url(url: &UrlRequest, dispatch: Callback<Action>) {
    use crate::document::{share, Document};
    let apply = {
        let url = url.clone();
        move |mut doc: Document| {
            if let Some(lang) = url.lang {
                doc.view.language = match lang {
                    Lang::En => crate::document::Language::En,
                    Lang::Zh => crate::document::Language::Zh,
                };
            }
            if let Some(a) = url.autoplay {
                doc.view.autoplay = a;
            }
            if let Some(s) = url.speed {
                doc.view.speed = s;
            }
            if let Some(p) = &url.panels {
                doc.view.panels = p.clone();
            }
            if let Some(r) = url.read_only {
                doc.view.read_only = r;
            }
            doc
        }
    };
    if let Some(n) = url.chapter {
        crate::ui::lesson::request_chapter(n, dispatch);
    } else if let Some(fragment) = url
        .fragment
        .as_deref()
        .filter(|f| f.contains(share::PREFIX))
    {
        match share::decode(fragment) {
            Ok(doc) => dispatch.emit(Action::LoadDocument(Rc::new(apply(doc)))),
            Err(e) => dispatch.emit(Action::DocumentFailed(e.to_string())),
        }
    } else if let Some(src) = url.src.clone() {
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_text(&src).await {
                Ok(text) => match Document::parse(&text) {
                    Ok(doc) => dispatch.emit(Action::LoadDocument(Rc::new(apply(doc)))),
                    Err(e) => dispatch.emit(Action::DocumentFailed(format!("{src}: {e}"))),
                },
                Err(e) => dispatch.emit(Action::DocumentFailed(format!("{src}: {e}"))),
            }
        });
    }
}
