//! What the page keeps in `localStorage` for itself (never the broker's
//! state, which is IndexedDB's: `persistence.rs`): the diagram's
//! arrangement, the last setup, a chapter's progress.
//!
//! The reducer never touches the browser: it says what to keep as
//! [`PageWrite`]s in the state's queue (`Workbench::page_writes`, shared
//! like the timeline, so writes asked for by several actions between two
//! renders are all kept), and the effect after each render
//! (`components/app.rs`) carries them out with [`perform`]. Reads happen
//! outside the reducer too: when the page starts (the progress the state
//! mirrors), or by whoever sends an action (the last setup, with
//! `Action::StoreReady`).

use crate::tutorial::progress::SavedProgress;
use crate::view::arrangement::Arrangement;
use std::rc::Rc;

/// The page's `localStorage`, if it has one (a private window or a
/// sandboxed frame may not).
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// One thing the reducer asks the page to keep or forget.
#[derive(Clone, Debug, PartialEq)]
pub enum PageWrite {
    /// The diagram's arrangement under its key (`saved_layout::key`); an
    /// empty one is forgotten.
    Layout(String, Rc<Arrangement>),
    /// Broker `0`'s last setup is forgotten (the workbench was reset).
    ForgetSetup(Rc<str>),
    /// Chapter `0` (by id) has `1` tasks done (kept as the most done).
    Progress(Rc<str>, usize),
    /// Chapter `0` starts over.
    ForgetProgress(Rc<str>),
}

/// Carries out `writes` in order. Progress is read and written back per
/// write, so another tab's progress in other chapters is kept.
pub fn perform(writes: Vec<PageWrite>) {
    for write in writes {
        match write {
            PageWrite::Layout(key, arrangement) => {
                crate::ui::saved_layout::save(&key, &arrangement)
            }
            PageWrite::ForgetSetup(broker) => crate::ui::scenario::forget_setup(&broker),
            PageWrite::Progress(chapter, done) => {
                change_progress(|p| p.record(&chapter, done));
            }
            PageWrite::ForgetProgress(chapter) => change_progress(|p| p.reset(&chapter)),
        }
    }
}

fn change_progress(change: impl FnOnce(&mut SavedProgress)) {
    let mut progress = crate::ui::lesson::saved_progress();
    change(&mut progress);
    crate::ui::lesson::save_progress(&progress);
}
