//! The diagram's arrangement (where a person dragged its nodes) kept in
//! `localStorage`, so a reload shows it again.
//!
//! Why `localStorage` and not the IndexedDB store: the store mirrors the
//! broker's durable state and refuses writes from a tab that does not own
//! the broker; an arrangement is a preference of the page, small, written on
//! a drop, read once, and must not wait for the store to open (nor come back
//! with a recovered broker that another tab laid out). The language and the
//! last setup are kept the same way (`components/app.rs`, `scenario.rs`).
//!
//! One arrangement per broker and what it shows: the workbench's own setup,
//! each tutorial chapter, each scenario document by title. An embedded
//! player keeps none (it leaves the docs page's storage alone), so its
//! moves last as long as the page.

use crate::ui::page_store::storage;
use crate::ui::state::{Origin, Workbench};
use crate::view::arrangement::Arrangement;

/// The `localStorage` key of the arrangement `state` shows, or `None` when
/// it is not kept (an embedded player).
pub fn key(state: &Workbench) -> Option<String> {
    if state.embed.is_some() {
        return None;
    }
    let broker = &state.broker;
    Some(match (state.origin, &state.lesson) {
        (Origin::Chapter, Some(lesson)) => {
            format!("warren.layout.{broker}.chapter.{}", lesson.chapter.id)
        }
        (Origin::Document, _) => format!("warren.layout.{broker}.doc.{}", state.title),
        _ => format!("warren.layout.{broker}"),
    })
}

/// The arrangement kept under `key` (empty if none, or unreadable).
pub fn load(key: &str) -> Arrangement {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .map(|text| Arrangement::from_json(&text))
        .unwrap_or_default()
}

/// Keeps `arrangement` under `key`; an empty one is forgotten.
pub fn save(key: &str, arrangement: &Arrangement) {
    let Some(s) = storage() else { return };
    // A full storage only loses the arrangement, which is a preference.
    let _ = if arrangement.is_empty() {
        s.remove_item(key)
    } else {
        s.set_item(key, &arrangement.to_json())
    };
}
