//! The workbench's durable store: IndexedDB when the browser allows it, the
//! in-memory fallback (with the reason) when not.
//!
//! The engine keeps its own committed state (so every position of the
//! timeline can be replayed); the store mirrors it. The timeline hands over
//! [`StoreJob`]s after each action; a single writer task applies them in
//! order, so the store always holds the committed state of the furthest tick
//! recorded. On load, what the store holds is offered to the reducer
//! ([`Action::StoreReady`]), which boots the broker from it.

use crate::engine::durable::{Batch, DurableOp, DurableState};
use crate::engine::Profile;
use crate::store::{AnyStore, Storage};
use crate::ui::state::{Action, StoreInfo, StoreReason};
use crate::ui::timeline::StoreJob;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use yew::Callback;

/// The broker name of the workbench's database (`warren-workbench`).
pub const BROKER_NAME: &str = "workbench";

#[derive(Default)]
pub struct StoreLink {
    store: Option<AnyStore>,
    jobs: VecDeque<StoreJob>,
    writing: bool,
}

pub type SharedLink = Rc<RefCell<StoreLink>>;

/// Opens the store and reports what it holds.
pub fn open(link: SharedLink, dispatch: Callback<Action>, profile: Profile) {
    wasm_bindgen_futures::spawn_local(async move {
        let owner = format!("tab-{}", js_sys::Date::now());
        let (mut store, _record) =
            crate::store::open_browser_store(BROKER_NAME, &owner, profile, 1).await;
        let (info, recovered) = if store.kind() == "indexeddb" {
            match store.load().await {
                Ok(state) => (
                    StoreInfo::IndexedDb {
                        database: format!("warren-{BROKER_NAME}"),
                    },
                    Some(state),
                ),
                Err(e) => (
                    StoreInfo::Memory {
                        reason: StoreReason::Unavailable(e.to_string()),
                    },
                    None,
                ),
            }
        } else {
            let why = store
                .fallback_reason()
                .unwrap_or("IndexedDB is unavailable")
                .to_string();
            (
                StoreInfo::Memory {
                    reason: StoreReason::Unavailable(why),
                },
                None,
            )
        };
        if matches!(info, StoreInfo::IndexedDb { .. }) {
            link.borrow_mut().store = Some(store);
        }
        mark_idle(true);
        dispatch.emit(Action::StoreReady {
            store: info,
            recovered,
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
            StoreJob::Replace(state) => match store.clear().await {
                Ok(()) => store.commit(&batch_of(&state)).await,
                Err(e) => Err(e),
            },
        };
        link.borrow_mut().store = Some(store);
        if let Err(e) = result {
            dispatch.emit(Action::StoreFailed(e.to_string()));
        }
    }
}

/// A batch that writes a whole state into an empty store.
fn batch_of(state: &DurableState) -> Batch {
    let mut ops = Vec::new();
    for x in state.exchanges.values() {
        ops.push(DurableOp::PutExchange(x.clone()));
    }
    for q in state.queues.values() {
        ops.push(DurableOp::PutQueue {
            name: q.name.clone(),
            auto_delete: q.auto_delete,
            arguments: q.arguments.clone(),
        });
        for m in q.messages.values() {
            ops.push(DurableOp::PutMessage {
                queue: q.name.clone(),
                message: m.clone(),
            });
        }
    }
    for b in state.bindings.values() {
        ops.push(DurableOp::PutBinding(b.clone()));
    }
    Batch { id: 0, ops }
}
