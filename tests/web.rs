//! Browser tests: `wasm-pack test --headless --chrome` runs these in Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_shows_its_name() {
    let root = document().create_element("div").unwrap();
    root.set_id("app");
    document().body().unwrap().append_child(&root).unwrap();
    warren::ui::mount();
    // yew renders on its scheduler; give it a turn of the event loop.
    gloo_timers::future::TimeoutFuture::new(10).await;
    let heading = document().query_selector("#app h1").unwrap().expect("a heading");
    assert_eq!(heading.text_content().as_deref(), Some("Warren"));
}
