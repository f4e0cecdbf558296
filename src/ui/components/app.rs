//! The workbench page: context, keyboard shortcuts, playback, the grid.

use crate::engine::Profile;
use crate::ui::components::pane_switch::{shown_pane, PaneSwitch};
use crate::ui::components::scenario_dialog::ScenarioDialog;
use crate::ui::components::{
    announcer::Announcer, broker_panel::BrokerPanel, build_panel::BuildPanel,
    code_panel::BottomRight, controls::Controls, diagram::DiagramView, event_log::EventLog,
    header::Header, inspector::Inspector, lesson_panel::LessonPanel, notice::NoticeBar,
};
use crate::ui::i18n::Lang;
use crate::ui::page_store::storage;
use crate::ui::scenario::{Embed, UrlRequest};
use crate::ui::state::{Action, AppCtx, Origin, Pane, StoreInfo, StoreReason, Workbench, SPEEDS};
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

/// A player mounted in a `<warren-player>` element (`www/player.js`) rather
/// than on its own page.
#[derive(Clone, Debug, PartialEq)]
pub struct PlayerElement {
    /// The element's attributes, as the URL parameters they mirror.
    pub request: UrlRequest,
    /// Where "Open in Warren" leads: the workbench next to the module.
    pub workbench: Rc<str>,
}

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// `None`: the app is the page (`#app`), and reads the page's URL.
    #[prop_or_default]
    pub element: Option<PlayerElement>,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    // What the URL (or the element) asks for, read once (a share link,
    // `?embed`, `?src=`…).
    let element = props.element.clone();
    let url = use_memo((), {
        let element = element.clone();
        move |_| match element {
            Some(e) => UrlRequest {
                embed: true,
                ..e.request
            },
            None => crate::ui::scenario::current_url(),
        }
    });
    let in_element = element.is_some();
    let state = use_reducer({
        let url = url.clone();
        move || {
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
        }
    });
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

    // What the reducer asked the page to keep in `localStorage` (before the
    // setup below is saved, as when the reducer wrote it itself).
    {
        let writes = state.page_writes.clone();
        use_effect_with(state.rev, move |_| {
            let writes = std::mem::take(&mut *writes.borrow_mut());
            crate::ui::page_store::perform(writes);
        });
    }

    // The setup, from the URL: a chapter, a share link, a document file.
    {
        let dispatch = dispatch.clone();
        let url = url.clone();
        use_effect_with((), move |_| open_from_url(&url, dispatch));
    }

    // The setup is kept for the next visit (the workbench's, not a
    // chapter's or an embedded player's).
    {
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
    {
        let link = link.clone();
        let dispatch = dispatch.clone();
        let timeline = state.timeline.clone();
        use_effect_with(state.rev, move |_| {
            let jobs = timeline.borrow_mut().take_outbox();
            crate::ui::persistence::enqueue(&link, jobs, dispatch);
        });
    }

    // Ready: the benchmark's hook is installed and the page says so.
    {
        let dispatch = dispatch.clone();
        let root = root.clone();
        use_effect_with((), move |_| {
            // One hook per page: the workbench's, never a docs page's players'.
            if !in_element {
                crate::ui::components::bench_hook::install(dispatch);
            }
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

    // The language is remembered, and the page says which it is in. An
    // embedded player does neither: its language is its author's choice, not
    // the reader's, and a docs page keeps its own title.
    let embedded = url.embed;
    use_effect_with(state.lang, move |lang| {
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

    use_effect_with(state.profile, move |profile| {
        if embedded {
            return;
        }
        if let Some(s) = storage() {
            let _ = s.set_item(PROFILE_KEY, profile.name());
        }
    });

    // Keyboard: Space steps, P plays/pauses, ← steps back — anywhere on the
    // page, or, for a `<warren-player>` among other content, while the focus
    // is inside it.
    {
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
                let _ = d
                    .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
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

    // Claiming the broker's store after all (waiting for the tab that owns
    // it, or taking it over): the same open, with the lock taken that way.
    let on_claim = {
        let link = link.clone();
        let dispatch = dispatch.clone();
        let profile = state.profile;
        let broker = state.broker.to_string();
        Callback::from(move |mode: crate::store::lock::LockMode| {
            crate::ui::persistence::open(
                link.clone(),
                dispatch.clone(),
                profile,
                broker.clone(),
                mode,
            )
        })
    };
    let ctx = AppCtx {
        state: handle_rc(&state),
        dispatch,
    };
    let t = state.lang.text();
    let lesson_open = state.lesson.is_some();
    let tl = state.timeline.borrow();
    let pos = tl.pos();
    drop(tl);
    if let Some(embed) = state.embed.clone() {
        // A small player shows one of its panels at a time (style.css).
        let panes: Vec<Pane> = [
            ("diagram", Pane::Diagram),
            ("log", Pane::Log),
            ("queues", Pane::Tools),
            ("inspector", Pane::Inspector),
            ("build", Pane::Build),
        ]
        .into_iter()
        .filter(|(panel, pane)| embed.shows(panel) && !(*pane == Pane::Build && embed.read_only))
        .map(|(_, pane)| pane)
        .collect();
        let shown = shown_pane(state.pane, &panes);
        return html! {
            <ContextProvider<AppCtx> context={ctx}>
                <div class="wb embed" ref={root} data-pos={pos.to_string()} data-lang={state.lang.code()} lang={state.lang.html_lang()}>
                    <EmbedBar panes={panes} {shown} />
                    // In its own frame the player is the page's main content
                    // (the document has nothing else); in an element it is
                    // one region of a docs page, which has its own <main>.
                    <@{if in_element { "section" } else { "main" }} class="embed-body" aria-label={(!state.title.is_empty()).then(|| state.title.to_string())}>
                        if embed.shows("controls") { <Controls /> }
                        <NoticeBar />
                        // Over the panels, not in them: a small player shows
                        // one panel at a time, and the narration goes with
                        // every one.
                        <crate::ui::components::caption::CaptionLine />
                        <div class="embed-main" data-pane={shown.name()}>
                            if embed.shows("diagram") { <DiagramView /> }
                            if embed.shows("log") { <EventLog /> }
                            if embed.shows("queues") { <crate::ui::components::queue_table::QueueTable /> }
                            if embed.shows("inspector") { <Inspector /> }
                            if embed.shows("build") && !embed.read_only { <BuildPanel /> }
                        </div>
                    </@>
                    <Announcer />
                </div>
            </ContextProvider<AppCtx>>
        };
    }
    // A narrow screen shows one of these at a time (style.css), the
    // diagram first.
    let panes: Vec<Pane> = [
        Pane::Diagram,
        Pane::Lesson,
        Pane::Build,
        Pane::Inspector,
        Pane::Log,
        Pane::Tools,
    ]
    .into_iter()
    .filter(|p| *p != Pane::Lesson || lesson_open)
    .collect();
    let shown = shown_pane(state.pane, &panes);
    html! {
        <ContextProvider<AppCtx> context={ctx}>
            <ScenarioDialog />
            <div class="wb" ref={root} data-pos={pos.to_string()} data-lang={state.lang.code()}>
                <a class="skip-link" href="#diagram">{ t.skip_to_diagram }</a>
                <Header />
                // Every part of the page sits in a landmark, so a screen
                // reader can jump between them: the playback bar and its
                // notices are one region.
                <section class="wb-top" aria-label={t.controls}>
                    <crate::ui::components::ownership::OwnershipBar on_claim={on_claim} />
                    <Controls />
                    <NoticeBar />
                </section>
                <PaneSwitch panes={panes} {shown} />
                <crate::ui::components::python_dock::PythonLink />
                <div class={classes!("wb-main", lesson_open.then_some("with-lesson"))} data-pane={shown.name()}>
                    <aside class="wb-build" aria-label={t.build_title}>
                        <LessonPanel />
                        <BuildPanel />
                    </aside>
                    <main class="wb-center">
                        <DiagramView />
                        <crate::ui::components::caption::CaptionLine />
                    </main>
                    <section class="wb-bottom" aria-label={t.bottom_region}>
                        <EventLog />
                        <BottomRight />
                    </section>
                    <aside class="wb-side" aria-label={t.inspector_title}>
                        <Inspector />
                        <BrokerPanel />
                    </aside>
                </div>
                <Announcer />
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

/// GETs a same-origin file as text.
pub(crate) async fn fetch_text(path: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    // Only paths on this site: a docs page cannot make the player fetch
    // from elsewhere.
    if path.contains("//") || path.contains(':') {
        return Err("only paths on this site can be loaded".into());
    }
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| "could not be fetched".to_string())?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|_| "no body".to_string())?)
        .await
        .map_err(|_| "could not be read".to_string())?;
    let text = text.as_string().unwrap_or_default();
    if text.len() > crate::document::bounds::TEXT_BYTES_MAX {
        return Err("larger than 1 MiB".into());
    }
    Ok(text)
}

#[derive(Properties, PartialEq)]
struct EmbedBarProps {
    /// The player's panels, for the pane switch of a small frame.
    panes: Vec<Pane>,
    /// The one a small frame shows.
    shown: Pane,
}

/// The embedded player's top line: the scenario's title, the pane switch
/// when the frame is small (style.css hides it otherwise), and a link to
/// open it in the full workbench.
#[function_component(EmbedBar)]
fn embed_bar(props: &EmbedBarProps) -> Html {
    let app = crate::ui::state::use_app();
    let t = app.t();
    let doc = crate::ui::components::scenario_dialog::current_document(&app);
    // From a `<warren-player>` the workbench is next to the module, not
    // next to the docs page.
    let workbench = app
        .state
        .embed
        .as_ref()
        .and_then(|e| e.element.clone())
        .unwrap_or_else(|| Rc::from("./"));
    let href = crate::document::share::encode(&doc)
        .ok()
        .map(|f| format!("{workbench}#{f}"))
        .unwrap_or_else(|| workbench.to_string());
    let in_element = app
        .state
        .embed
        .as_ref()
        .is_some_and(|e| e.element.is_some());
    html! {
        <header class="embed-bar" aria-label={app.region_label("Warren")}>
            <span class="brand-mini">{ "Warren" }</span>
            // The scenario's title is the player's page heading (in a docs
            // page, a heading under the page's own). Cut to one line in a
            // small frame: the whole title on hover.
            <@{if in_element { "h2" } else { "h1" }} class="embed-title" id="embed-title" title={app.state.title.to_string()}>{ app.state.title.to_string() }</@>
            if props.panes.len() > 1 { <PaneSwitch panes={props.panes.clone()} shown={props.shown} /> }
            <a class="embed-open" href={href} target="_blank" rel="noopener">{ t.embed_open }{ " ↗" }</a>
        </header>
    }
}
