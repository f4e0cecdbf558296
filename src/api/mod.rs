//! The JavaScript API (wasm32 only), exported from `pkg/warren.js`.
//!
//! Values cross the boundary as JSON text or through serde-wasm-bindgen;
//! broker errors become JavaScript `Error`s carrying the AMQP code and text.

use wasm_bindgen::prelude::*;

pub mod bench;
pub mod broker;
pub mod python;
pub use broker::{Broker, Channel, Connection};

use crate::conformance::{self, ReplayOptions};
use crate::engine::Profile;

/// Mounts the workbench on the page's `#app` element.
#[wasm_bindgen(js_name = runApp)]
pub fn run_app() {
    crate::ui::mount();
}

/// Mounts an embed player inside `root` (an element of a `<warren-player>`'s
/// shadow root, see `www/player.js`). `options` is the element's attributes
/// as the URL parameters they mirror (`src=…&lang=zh&autoplay&speed=2&
/// panels=diagram,log`); `workbench` is where its "Open in Warren" link
/// leads. Each call is a player with its own broker, in memory; the handle's
/// `unmount()` ends it.
#[wasm_bindgen(js_name = mountPlayer)]
pub fn mount_player(root: web_sys::Element, options: &str, workbench: &str) -> PlayerHandle {
    let element = crate::ui::components::app::PlayerElement {
        request: crate::ui::scenario::parse_url(options, ""),
        workbench: workbench.into(),
    };
    let props = crate::ui::components::app::AppProps {
        element: Some(element),
    };
    PlayerHandle {
        app: Some(
            yew::Renderer::<crate::ui::components::app::App>::with_root_and_props(root, props)
                .render(),
        ),
    }
}

/// A mounted `<warren-player>`.
#[wasm_bindgen]
pub struct PlayerHandle {
    app: Option<yew::AppHandle<crate::ui::components::app::App>>,
}

#[wasm_bindgen]
impl PlayerHandle {
    /// Ends the player (its element left the page). Calling it twice does nothing.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Options of `replayScenario`.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ReplayScenarioOptions {
    profile: Option<String>,
    seed: Option<u64>,
    /// `"memory"` (default) or `"indexeddb"`.
    store: Option<String>,
    /// The IndexedDB database (broker name) with `store: "indexeddb"`.
    db: Option<String>,
    /// Boot from what the database holds instead of a fresh vhost.
    resume: bool,
}

fn replay_options(opts: &ReplayScenarioOptions) -> Result<ReplayOptions, JsError> {
    let mut options = ReplayOptions::default();
    if let Some(p) = &opts.profile {
        options.config.profile = Profile::parse(p).ok_or_else(|| {
            JsError::new(&format!(
                "unknown profile '{p}' (rabbitmq-3 or rabbitmq-4.3)"
            ))
        })?;
    }
    if let Some(seed) = opts.seed {
        options.config.seed = seed;
    }
    Ok(options)
}

/// Replays a conformance scenario (JSON text) and returns the outcome
/// document (JSON text), exactly as the native `conformance replay` prints
/// it. Throws on a malformed scenario.
///
/// `options` (optional): `{store: "memory" | "indexeddb", db: "name",
/// resume: true | false, profile, seed}`. With the default in-memory store
/// the result is a string; with `store: "indexeddb"` the durable state is
/// kept in that database and the result is a Promise of the string (with
/// `resume: true` the broker boots from what the database holds).
#[wasm_bindgen(js_name = replayScenario)]
pub fn replay_scenario(scenario_json: &str, options: JsValue) -> Result<JsValue, JsError> {
    let opts: ReplayScenarioOptions = if options.is_undefined() || options.is_null() {
        ReplayScenarioOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("replayScenario options: {e}")))?
    };
    let replay = replay_options(&opts)?;
    match opts.store.as_deref().unwrap_or("memory") {
        "memory" => {
            if opts.resume {
                return Err(JsError::new(
                    "replayScenario: resume needs store: \"indexeddb\"",
                ));
            }
            conformance::replay_json(scenario_json, &replay)
                .map(JsValue::from)
                .map_err(|e| JsError::new(&e.to_string()))
        }
        "indexeddb" => {
            let scenario =
                conformance::parse(scenario_json).map_err(|e| JsError::new(&e.to_string()))?;
            let db = opts.db.clone().unwrap_or_else(|| "replay".to_string());
            let resume = opts.resume;
            let promise = wasm_bindgen_futures::future_to_promise(async move {
                let owner = format!("replay-{}", js_sys::Math::random());
                let (mut store, _) = crate::store::open_browser_store(
                    &db,
                    &owner,
                    replay.config.profile,
                    replay.config.seed,
                    crate::store::lock::LockMode::Try,
                    std::rc::Rc::new(|_why: String| {}),
                )
                .await
                .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
                if store.kind() != "indexeddb" {
                    return Err(JsValue::from(js_sys::Error::new(
                        store.fallback_reason().unwrap_or("IndexedDB unavailable"),
                    )));
                }
                let outcome =
                    conformance::replay_with_store(&scenario, &replay, &mut store, resume)
                        .await
                        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
                Ok(JsValue::from(conformance::outcome::dump(&outcome)))
            });
            Ok(promise.into())
        }
        other => Err(JsError::new(&format!(
            "replayScenario: unknown store '{other}' (memory or indexeddb)"
        ))),
    }
}
