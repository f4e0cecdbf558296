//! Browser tests: `wasm-pack test --headless --chrome` runs these in Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/web_conformance_list.rs"]
mod conformance_list;
#[path = "support/determinism.rs"]
mod determinism;

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_shows_its_name() {
    let root = document().create_element("div").unwrap();
    root.set_id("app");
    document().body().unwrap().append_child(&root).unwrap();
    warren::ui::mount();
    // yew renders on its scheduler; give it a turn of the event loop.
    gloo_timers::future::TimeoutFuture::new(10).await;
    let heading = document()
        .query_selector("#app h1")
        .unwrap()
        .expect("a heading");
    assert_eq!(heading.text_content().as_deref(), Some("Warren"));
}

/// The wasm build replays every recorded scenario through the exported
/// `replayScenario`, with the same results as RabbitMQ.
#[wasm_bindgen_test]
fn replay_scenario_matches_every_recording_in_the_browser() {
    let mut failures = Vec::new();
    for (name, scenario, expected) in conformance_list::SCENARIOS {
        let outcome = match warren::api::replay_scenario(scenario, JsValue::UNDEFINED)
            .map(|v| v.as_string())
        {
            Ok(Some(text)) => text,
            _ => {
                failures.push(format!("{name}: replayScenario threw"));
                continue;
            }
        };
        let actual: serde_json::Value = serde_json::from_str(&outcome).unwrap();
        let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
        if let Some(diff) = warren::conformance::compare(&expected, &actual) {
            failures.push(format!("{name}:\n{diff}"));
        }
    }
    assert!(conformance_list::SCENARIOS.len() >= 26);
    assert!(
        failures.is_empty(),
        "{} scenarios differ in the browser:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[wasm_bindgen_test]
fn replay_scenario_rejects_malformed_input_with_an_error() {
    assert!(warren::api::replay_scenario("{not json", JsValue::UNDEFINED).is_err());
    assert!(warren::api::replay_scenario(
        r#"{"name":"x","steps":[{"op":"nope"}]}"#,
        JsValue::UNDEFINED
    )
    .is_err());
}

/// The seeded runs give the same event logs in wasm as natively: both are
/// checked against the fingerprints in tests/determinism.golden.
#[wasm_bindgen_test]
fn event_logs_are_identical_to_the_native_run() {
    assert_eq!(determinism::current(), include_str!("determinism.golden"));
}
