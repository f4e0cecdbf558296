//! The yew front end (wasm32 only).

use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let count = use_state(|| 0u32);
    let onclick = {
        let count = count.clone();
        Callback::from(move |_| count.set(*count + 1))
    };
    html! {
        <main class="app">
            <h1>{ crate::engine::PRODUCT }</h1>
            <p>{ "A RabbitMQ broker simulator in your browser." }</p>
            <button id="publish" {onclick}>{ "Publish a message" }</button>
            <p id="published">{ format!("Published: {}", *count) }</p>
        </main>
    }
}

/// Mounts the app on `#app`.
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
