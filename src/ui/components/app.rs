//! The workbench page: context, keyboard shortcuts, playback, the grid.

use crate::engine::Profile;
use crate::ui::components::{
    broker_panel::BrokerPanel, build_panel::BuildPanel, code_panel::BottomRight,
    controls::Controls, diagram::DiagramView, event_log::EventLog, header::Header,
    inspector::Inspector, lesson_panel::LessonPanel, notice::NoticeBar,
};
use crate::ui::i18n::Lang;
use crate::ui::state::{Action, AppCtx, Workbench, SPEEDS};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

const LANG_KEY: &str = "warren.lang";
const PROFILE_KEY: &str = "warren.profile";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

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

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| Workbench::new(initial_lang(), initial_profile()));
    let root = use_node_ref();
    let dispatched_at = use_mut_ref(|| None::<f64>);

    let dispatch = {
        let d = state.dispatcher();
        let at = dispatched_at.clone();
        Callback::from(move |a: Action| {
            *at.borrow_mut() = Some(now_ms());
            d.dispatch(a);
        })
    };

    // The durable store: opened once, then fed after every action.
    let link = use_mut_ref(crate::ui::persistence::StoreLink::default);
    {
        let link = link.clone();
        let dispatch = dispatch.clone();
        let profile = state.profile;
        use_effect_with((), move |_| {
            crate::ui::persistence::open(link, dispatch, profile)
        });
    }
    {
        let link = link.clone();
        let dispatch = dispatch.clone();
        let timeline = state.timeline.clone();
        use_effect_with(state.rev, move |_| {
            let jobs = timeline.borrow_mut().take_outbox();
            crate::ui::persistence::enqueue(&link, jobs, dispatch);
        });
    }

    // `?chapter=N` opens tutorial chapter N (links from docs pages).
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let search = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .unwrap_or_default();
            let chapter = search
                .trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("chapter="))
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(n) = chapter {
                dispatch.emit(Action::OpenChapter(n));
            }
        });
    }

    // Ready: the benchmark's hook is installed and the page says so.
    {
        let dispatch = dispatch.clone();
        let root = root.clone();
        use_effect_with((), move |_| {
            crate::ui::components::bench_hook::install(dispatch);
            if let Some(el) = root.cast::<web_sys::Element>() {
                let _ = el.set_attribute("data-ready", "true");
            }
        });
    }

    // How long the last action took to reduce and render (the bench reads it).
    {
        let root = root.clone();
        let at = dispatched_at.clone();
        use_effect_with(state.rev, move |_| {
            if let Some(t0) = at.borrow_mut().take() {
                if let Some(el) = root.cast::<web_sys::Element>() {
                    let _ = el.set_attribute("data-render-ms", &format!("{:.2}", now_ms() - t0));
                }
            }
        });
    }

    // The language is remembered, and the page says which it is in.
    use_effect_with(state.lang, |lang| {
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

    use_effect_with(state.profile, |profile| {
        if let Some(s) = storage() {
            let _ = s.set_item(PROFILE_KEY, profile.name());
        }
    });

    // Keyboard: Space steps, P plays/pauses, ← steps back.
    {
        let dispatch = dispatch.clone();
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
                        "ArrowLeft" => {
                            e.prevent_default();
                            dispatch.emit(Action::StepBack);
                        }
                        _ => {}
                    }
                });
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(d) = &document {
                let _ = d
                    .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(d) = &document {
                    let _ = d.remove_event_listener_with_callback(
                        "keydown",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                drop(listener);
            }
        });
    }

    // Playback: one step every 1/speed seconds while playing.
    {
        let dispatch = dispatch.clone();
        let playing = state.playing;
        let speed = SPEEDS[state.speed.min(SPEEDS.len() - 1)];
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

    let ctx = AppCtx {
        state: handle_rc(&state),
        dispatch,
    };
    let t = state.lang.text();
    let lesson_open = state.lesson.is_some();
    let tl = state.timeline.borrow();
    let pos = tl.pos();
    drop(tl);
    html! {
        <ContextProvider<AppCtx> context={ctx}>
            <div class="wb" ref={root} data-pos={pos.to_string()} data-lang={state.lang.code()}>
                <a class="skip-link" href="#diagram">{ t.skip_to_diagram }</a>
                <Header />
                <Controls />
                <NoticeBar />
                <div class={classes!("wb-main", lesson_open.then_some("with-lesson"))}>
                    <aside class="wb-build" aria-label={t.build_title}>
                        <LessonPanel />
                        <BuildPanel />
                    </aside>
                    <main class="wb-center">
                        <DiagramView />
                    </main>
                    <div class="wb-bottom">
                        <EventLog />
                        <BottomRight />
                    </div>
                    <aside class="wb-side" aria-label={t.inspector_title}>
                        <Inspector />
                        <BrokerPanel />
                    </aside>
                </div>
            </div>
        </ContextProvider<AppCtx>>
    }
}

/// The state behind a reducer handle as an `Rc` the context can hold (the
/// timeline is shared, the small fields are copied).
fn handle_rc(handle: &UseReducerHandle<Workbench>) -> Rc<Workbench> {
    let s: &Workbench = handle;
    Rc::new(s.clone())
}
