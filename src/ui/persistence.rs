//! The workbench's durable store: IndexedDB when the browser allows it and
//! no other tab owns the broker, the in-memory fallback (with the reason)
//! when not.
//!
//! The engine keeps its own committed state (so every position of the
//! timeline can be replayed); the store mirrors it. The timeline hands over
//! [`StoreJob`]s after each action; a single writer task applies them in
//! order, so the store always holds the committed state of the furthest tick
//! recorded. On load, what the store holds is offered to the reducer
//! ([`Action::StoreReady`]), which boots the broker from it.
//!
//! One tab at a time owns a broker's database (`store/lock.rs`). A second
//! tab opening the same broker runs in memory and says so
//! ([`StoreReason::Locked`]), offering to wait for the owner, to take the
//! broker over, or to open another broker name (`?broker=NAME`). A tab that
//! loses the broker to another stops writing at once ([`Action::StoreLost`]).

use crate::engine::Profile;
use crate::store::lock::LockMode;
use crate::store::{AnyStore, Storage, StoreError};
use crate::ui::state::{Action, StoreInfo, StoreReason};
use crate::view::timeline::StoreJob;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use yew::Callback;

/// The broker name of the workbench's database when the URL names none
/// (`warren-workbench`).
pub const DEFAULT_BROKER: &str = "workbench";

/// Whether `name` can name a broker (and so a database and a lock):
/// letters, digits, `-`, `_`, `.`; up to 64.
pub fn valid_broker_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[derive(Default)]
pub struct StoreLink {
    store: Option<AnyStore>,
    jobs: VecDeque<StoreJob>,
    writing: bool,
    /// Another tab took the broker over: the store (and its lock) is gone
    /// for good, even if a write was in flight when it happened.
    lost: bool,
}

pub type SharedLink = Rc<RefCell<StoreLink>>;

/// Opens the store, taking the broker's lock as `mode` says, and reports
/// what it holds. With `Try`, a broker another tab owns is reported as
/// [`StoreReason::Locked`]; `Wait` reports [`StoreReason::Waiting`] first.
pub fn open(
    link: SharedLink,
    dispatch: Callback<Action>,
    profile: Profile,
    broker: String,
    mode: LockMode,
) {
    if mode == LockMode::Wait {
        dispatch.emit(Action::StoreReady {
            store: StoreInfo::Memory {
                reason: StoreReason::Waiting(broker.clone()),
            },
            recovered: None,
            claimed: false,
            setup: crate::ui::scenario::last_setup(&broker),
        });
    }
    wasm_bindgen_futures::spawn_local(async move {
        let owner = format!("tab-{}-{}", js_sys::Date::now(), js_sys::Math::random());
        let on_lost: Rc<dyn Fn(String)> = Rc::new({
            let link = link.clone();
            let dispatch = dispatch.clone();
            move |why: String| {
                // Drop the store: its lock is gone, and nothing more is written.
                let mut l = link.borrow_mut();
                l.store = None;
                l.jobs.clear();
                l.lost = true;
                drop(l);
                dispatch.emit(Action::StoreLost(why));
            }
        });
        let opened =
            crate::store::open_browser_store(&broker, &owner, profile, 1, mode, on_lost).await;
        let (info, recovered, store) = match opened {
            Err(StoreError::Locked(name)) => (
                StoreInfo::Memory {
                    reason: StoreReason::Locked(name),
                },
                None,
                None,
            ),
            Err(e) => (
                StoreInfo::Memory {
                    reason: StoreReason::Unavailable(e.to_string()),
                },
                None,
                None,
            ),
            Ok((mut store, _record)) if store.kind() == "indexeddb" => match store.load().await {
                Ok(state) => (
                    StoreInfo::IndexedDb {
                        database: crate::store::indexeddb::database_name(&broker),
                    },
                    Some(state),
                    Some(store),
                ),
                Err(e) => (
                    StoreInfo::Memory {
                        reason: StoreReason::Unavailable(e.to_string()),
                    },
                    None,
                    None,
                ),
            },
            Ok((store, _)) => {
                let why = store
                    .fallback_reason()
                    .unwrap_or("IndexedDB is unavailable")
                    .to_string();
                (
                    StoreInfo::Memory {
                        reason: StoreReason::Unavailable(why),
                    },
                    None,
                    None,
                )
            }
        };
        {
            let mut l = link.borrow_mut();
            l.store = store;
            l.lost = false;
            // Jobs queued while this tab did not own the store describe a
            // broker that is about to be replaced by the stored one.
            l.jobs.clear();
        }
        mark_idle(true);
        dispatch.emit(Action::StoreReady {
            store: info,
            recovered,
            claimed: mode != LockMode::Try,
            setup: crate::ui::scenario::last_setup(&broker),
        });
    });
}

/// Says on the page whether everything handed to the store is written
/// (`<html data-store-idle>`), for people who wonder and for tests.
fn mark_idle(idle: bool) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("data-store-idle", if idle { "true" } else { "false" });
    }
}

/// Queues jobs for the writer and starts it if it is idle.
pub fn enqueue(link: &SharedLink, jobs: Vec<StoreJob>, dispatch: Callback<Action>) {
    if jobs.is_empty() {
        return;
    }
    let start = {
        let mut l = link.borrow_mut();
        l.jobs.extend(jobs);
        let start = !l.writing && l.store.is_some();
        if start {
            l.writing = true;
            mark_idle(false);
        }
        start
    };
    if start {
        let link = link.clone();
        wasm_bindgen_futures::spawn_local(async move { write_all(link, dispatch).await });
    }
}

async fn write_all(link: SharedLink, dispatch: Callback<Action>) {
    loop {
        // Never hold the cell across an await: take the store out meanwhile.
        let (job, store) = {
            let mut l = link.borrow_mut();
            match l.jobs.pop_front() {
                Some(job) => (job, l.store.take()),
                None => {
                    l.writing = false;
                    mark_idle(true);
                    return;
                }
            }
        };
        let Some(mut store) = store else {
            link.borrow_mut().writing = false;
            return;
        };
        let result = match job {
            StoreJob::Commit(batch) => store.commit(&batch).await,
            StoreJob::Clear => store.clear().await,
            StoreJob::Replace(state) => store.replace(&state).await,
        };
        {
            let mut l = link.borrow_mut();
            if !l.lost {
                l.store = Some(store);
            }
        }
        if let Err(e) = result {
            dispatch.emit(Action::StoreFailed(e.to_string()));
        }
    }
}
