//! The workbench page: the context, the grid (or the embedded player's
//! frame) and its panels. What runs around it — the state, the store,
//! `localStorage`, the URL, keyboard shortcuts, playback — is one hook per
//! job in `ui/hooks.rs`, called here in order.

use crate::ui::components::pane_switch::{shown_pane, PaneSwitch};
use crate::ui::components::scenario_dialog::ScenarioDialog;
use crate::ui::components::{
    announcer::Announcer, broker_panel::BrokerPanel, build_panel::BuildPanel,
    code_panel::BottomRight, controls::Controls, diagram::DiagramView, event_log::EventLog,
    header::Header, inspector::Inspector, lesson_panel::LessonPanel, notice::NoticeBar,
};
use crate::ui::hooks::{
    use_autoplay, use_keyboard_shortcuts, use_open_from_url, use_page_language, use_page_writes,
    use_ready_mark, use_remembered_profile, use_render_timing, use_saved_setup, use_store,
    use_store_feed, use_timed_dispatch, use_url_request, use_workbench,
};
use crate::ui::scenario::UrlRequest;
use crate::ui::state::{AppCtx, Pane, Workbench};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

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
    let element = props.element.clone();
    let in_element = element.is_some();
    let url = use_url_request(element.clone());
    let state = use_workbench(url.clone(), element);
    let root = use_node_ref();
    let (dispatch, dispatched_at) = use_timed_dispatch(&state);
    let link = use_store(&state, &url, &dispatch);
    use_page_writes(&state);
    use_open_from_url(&url, &dispatch);
    use_saved_setup(&state);
    use_store_feed(&state, &link, &dispatch);
    use_ready_mark(&root, &dispatch, in_element);
    use_render_timing(&root, &dispatched_at, state.rev);
    use_page_language(state.lang, url.embed);
    use_remembered_profile(state.profile, url.embed);
    use_keyboard_shortcuts(&root, &dispatch, in_element);
    use_autoplay(&dispatch, state.playing, state.speed);

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
                    <@{if in_element { "section" } else { "main" }} class="embed-body" data-pane={shown.name()} aria-label={(!state.title.is_empty()).then(|| state.title.to_string())}>
                        // Outside the panels: a small player shows one panel
                        // at a time, and the playback bar and the narration
                        // go with every one. Over the diagram they float on
                        // its bottom edge (style.css), and the diagram's zoom
                        // to fit keeps clear of them (`diagram.rs`).
                        <div class="embed-overlay">
                            if embed.shows("controls") { <Controls /> }
                            <NoticeBar />
                            <crate::ui::components::caption::CaptionLine />
                        </div>
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
