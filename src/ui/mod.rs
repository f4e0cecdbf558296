//! The workbench: a yew front end (wasm32 only) to build producers, workers,
//! exchanges, queues and bindings, and to step through every delivery.
//!
//! # Layout
//!
//! - [`crate::sim::world`] (pure, shared with the tutorials): the simulation
//!   plus the workbench's management channel, and the `Command`s a person gives.
//! - [`crate::view::timeline`] (pure): every tick in order, snapshots and
//!   replay (step back).
//! - [`state`]: the `Reducible` UI state and its [`state::Action`]s.
//! - [`crate::describe`] (pure): categories and objects of events; [`i18n`]:
//!   every string, English and Simplified Chinese, including the event
//!   sentences. [`crate::view::event_log`] (pure): the log's rows, filter and
//!   selection.
//! - [`crate::view`] (pure): the diagram's layout, which
//!   `components/diagram.rs` draws.
//! - [`lesson`]: a tutorial chapter open in the workbench.
//! - [`scenario`]: documents in the page (links, files, the last setup,
//!   `?embed`), and their scripts.
//! - [`saved_layout`]: the diagram's dragged positions in `localStorage`.
//! - [`page_store`]: the page's `localStorage`, written by an effect with
//!   what the reducer asked for ([`page_store::PageWrite`]).
//! - [`persistence`]: IndexedDB (or the in-memory fallback) behind the broker.
//! - [`python`]: the door between the Python terminals (`www/terminals.js`)
//!   and the timeline: their bytes as `Command::Wire`, their pacing.
//! - [`hooks`]: the app's hooks, one job each (the store, `localStorage`,
//!   the URL, keyboard shortcuts, playback…).
//! - [`components`]: one file per component.

pub mod components;
/// The sentences and labels (pure, shared with `warren-server`).
pub use crate::describe::i18n;
pub mod hooks;
pub mod lesson;
pub mod page_store;
pub mod persistence;
pub mod python;
pub mod saved_layout;
pub mod scenario;
pub mod state;

/// Mounts the app on `#app`.
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<components::app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<components::app::App>::new().render();
        }
    }
}
