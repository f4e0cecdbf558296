//! The JavaScript API (wasm32 only), exported from `pkg/warren.js`.

use wasm_bindgen::prelude::*;

/// Mounts the workbench on the page's `#app` element.
#[wasm_bindgen(js_name = runApp)]
pub fn run_app() {
    crate::ui::mount();
}
