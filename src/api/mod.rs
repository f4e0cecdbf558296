//! The JavaScript API (wasm32 only), exported from `pkg/warren.js`.
//!
//! Values cross the boundary as JSON text or through serde-wasm-bindgen;
//! broker errors become JavaScript `Error`s carrying the AMQP code and text.

use wasm_bindgen::prelude::*;

use crate::conformance::{self, ReplayOptions};
use crate::engine::{BrokerConfig, Profile};

/// Mounts the workbench on the page's `#app` element.
#[wasm_bindgen(js_name = runApp)]
pub fn run_app() {
    crate::ui::mount();
}

/// Options of `replayScenario`.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ReplayScenarioOptions {
    profile: Option<String>,
    seed: Option<u64>,
}

/// Replays a conformance scenario (JSON text) against a fresh in-memory
/// broker and returns the outcome document (JSON text), exactly as the
/// native `conformance replay` prints it. Throws on a malformed scenario.
#[wasm_bindgen(js_name = replayScenario)]
pub fn replay_scenario(scenario_json: &str, options: JsValue) -> Result<String, JsError> {
    let opts: ReplayScenarioOptions = if options.is_undefined() || options.is_null() {
        ReplayScenarioOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("replayScenario options: {e}")))?
    };
    let mut config = ReplayOptions::default().config;
    if let Some(p) = opts.profile {
        config.profile = Profile::parse(&p).ok_or_else(|| {
            JsError::new(&format!(
                "unknown profile '{p}' (rabbitmq-3 or rabbitmq-4.3)"
            ))
        })?;
    }
    if let Some(seed) = opts.seed {
        config.seed = seed;
    }
    conformance::replay_json(scenario_json, &ReplayOptions { config })
        .map_err(|e| JsError::new(&e.to_string()))
}
