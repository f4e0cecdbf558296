//! The IndexedDB store (wasm32): a broker's durable state in the browser,
//! surviving a closed tab.
//!
//! One database per named broker (`warren-<name>`), with one object store
//! per record kind (`record::STORES`). A batch is written in one readwrite
//! transaction, so it is all there or none of it; booting reads everything
//! in one readonly transaction.
//!
//! Failure handling, each with a clear [`StoreError`], never a hang:
//! - IndexedDB missing or refused (disabled, private mode): `Unavailable`,
//!   and the host falls back to the in-memory store;
//! - quota exceeded or an aborted transaction: the batch is not written (the
//!   broker nacks its confirms and keeps running);
//! - another tab: a tab that opens the same broker writes its own id into
//!   the `meta` record; every commit checks, in the same transaction, that
//!   the id is still ours and aborts if not (`TakenOver`). A schema upgrade
//!   or delete from another tab fires `versionchange`: we close at once so
//!   the other tab is not blocked, and later commits say why they fail. Our
//!   own open being `blocked` by an older tab is reported, not waited on.

use crate::engine::durable::{Batch, DurableState};
use crate::engine::Profile;
use crate::store::record::{self, BrokerRecord, RecordChange, SCHEMA_VERSION, STORES};
use crate::store::{Storage, StoreError};
use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

/// The database name of a broker.
pub fn database_name(broker: &str) -> String {
    format!("warren-{broker}")
}

fn factory() -> Result<IdbFactory, StoreError> {
    let window = web_sys::window().ok_or_else(|| StoreError::Unavailable("no window".into()))?;
    match window.indexed_db() {
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(StoreError::Unavailable(
            "IndexedDB is not available in this browser".into(),
        )),
        Err(e) => Err(StoreError::Unavailable(js_text(&e))),
    }
}

/// A readable text for a thrown JS value or a DOMException.
fn js_text(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| "unknown error".to_string())
}

fn error_of(v: &JsValue) -> StoreError {
    match v.dyn_ref::<web_sys::DomException>().map(|e| e.name()) {
        Some(name) if name == "QuotaExceededError" => StoreError::QuotaExceeded,
        _ => StoreError::Aborted(js_text(v)),
    }
}

/// Resolves when the request succeeds (with its result), rejects with its error.
fn request(req: &IdbRequest) -> JsFuture {
    let req = req.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let ok_req = req.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(
                &JsValue::NULL,
                &ok_req.result().unwrap_or(JsValue::UNDEFINED),
            );
        });
        let err_req = req.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = err_req
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        req.set_onsuccess(Some(on_success.unchecked_ref()));
        req.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Resolves when the transaction commits; rejects when it aborts or fails.
fn completion(tx: &IdbTransaction, aborted_because: Rc<RefCell<Option<StoreError>>>) -> JsFuture {
    let tx = tx.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject_abort = reject.clone();
        let abort_tx = tx.clone();
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let error = abort_tx
                .error()
                .map(JsValue::from)
                .unwrap_or(JsValue::from_str("transaction aborted"));
            let _ = reject_abort.call1(&JsValue::NULL, &error);
        });
        let error_tx = tx.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = error_tx
                .error()
                .map(JsValue::from)
                .unwrap_or(JsValue::from_str("transaction failed"));
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
        tx.set_onerror(Some(on_error.unchecked_ref()));
    });
    let _ = aborted_because;
    JsFuture::from(promise)
}

/// An open IndexedDB store for one broker.
pub struct IndexedDbStorage {
    db: IdbDatabase,
    broker: String,
    /// This tab's id, written into `meta` on open.
    owner: String,
    /// The durable state the records describe (to compute record changes).
    mirror: DurableState,
    /// Set when another tab upgrades or deletes the database under us.
    closed: Rc<RefCell<Option<String>>>,
    /// The first write with this index fails (tests of the failure path).
    fail_next: Option<StoreError>,
}

impl IndexedDbStorage {
    /// Opens (creating if needed) the database of broker `name`, claiming
    /// it for this tab (`owner`). Returns the store and the broker record
    /// found there, if any.
    pub async fn open(
        name: &str,
        owner: &str,
        profile: Profile,
        seed: u64,
    ) -> Result<(IndexedDbStorage, Option<BrokerRecord>), StoreError> {
        let factory = factory()?;
        let open: IdbOpenDbRequest = factory
            .open_with_u32(&database_name(name), SCHEMA_VERSION)
            .map_err(|e| StoreError::Unavailable(js_text(&e)))?;
        let on_upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new({
            let open = open.clone();
            move |_e: web_sys::IdbVersionChangeEvent| {
                if let Ok(result) = open.result() {
                    let db: IdbDatabase = result.unchecked_into();
                    let existing = db.object_store_names();
                    for store in STORES {
                        if !existing.contains(store) {
                            let _ = db.create_object_store(store);
                        }
                    }
                }
            }
        });
        open.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        // A tab with an older version open blocks us: say so instead of waiting.
        let blocked = Rc::new(RefCell::new(false));
        let on_blocked = Closure::<dyn FnMut(web_sys::Event)>::new({
            let blocked = blocked.clone();
            move |_e: web_sys::Event| *blocked.borrow_mut() = true
        });
        open.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
        let opened = race_blocked(request(&open), blocked.clone()).await;
        open.set_onupgradeneeded(None);
        open.set_onblocked(None);
        drop(on_upgrade);
        drop(on_blocked);
        let db: IdbDatabase = match opened {
            Ok(v) => v.unchecked_into(),
            Err(OpenFailure::Blocked) => {
                return Err(StoreError::TakenOver(
                    "another tab holds this broker's database open with an older version; close it and reload".into(),
                ))
            }
            Err(OpenFailure::Js(e)) => return Err(StoreError::Unavailable(js_text(&e))),
        };
        let closed = Rc::new(RefCell::new(None));
        let on_version_change = Closure::<dyn FnMut(web_sys::Event)>::new({
            let db = db.clone();
            let closed = closed.clone();
            move |_e: web_sys::Event| {
                db.close();
                *closed.borrow_mut() =
                    Some("the database was upgraded or deleted from another tab".to_string());
            }
        });
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();

        let store = IndexedDbStorage {
            db,
            broker: name.to_string(),
            owner: owner.to_string(),
            mirror: DurableState::default(),
            closed,
            fail_next: None,
        };
        let existing = store.read_meta().await?;
        let record = BrokerRecord {
            name: name.to_string(),
            profile: existing.as_ref().map_or(profile, |r| r.profile),
            seed: existing.as_ref().map_or(seed, |r| r.seed),
            owner: owner.to_string(),
        };
        store
            .write(
                &[RecordChange {
                    store: "meta",
                    key: "broker".into(),
                    value: Some(record::encode(&record)),
                }],
                false,
            )
            .await?;
        Ok((store, existing))
    }

    /// Deletes a broker's database.
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        let req = factory()?
            .delete_database(&database_name(name))
            .map_err(|e| StoreError::Unavailable(js_text(&e)))?;
        request(&req)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Aborted(js_text(&e)))
    }

    /// Makes the next write fail with `error` (tests of the failure path).
    pub fn inject_failure(&mut self, error: StoreError) {
        self.fail_next = Some(error);
    }

    /// Writes one raw record (tests of damaged or newer records).
    pub async fn put_raw_for_tests(
        &mut self,
        store: &'static str,
        key: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        self.write(
            &[RecordChange {
                store,
                key: key.to_string(),
                value: Some(text.to_string()),
            }],
            false,
        )
        .await
    }

    pub fn broker_name(&self) -> &str {
        &self.broker
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, StoreError> {
        if let Some(why) = self.closed.borrow().clone() {
            return Err(StoreError::TakenOver(why));
        }
        let names = Array::new();
        for s in STORES {
            names.push(&JsValue::from_str(s));
        }
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(|e| match self.closed.borrow().clone() {
                Some(why) => StoreError::TakenOver(why),
                None => StoreError::Aborted(js_text(&e)),
            })
    }

    async fn read_meta(&self) -> Result<Option<BrokerRecord>, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let meta = tx
            .object_store("meta")
            .map_err(|e| StoreError::Aborted(js_text(&e)))?;
        let req = meta
            .get(&JsValue::from_str("broker"))
            .map_err(|e| StoreError::Aborted(js_text(&e)))?;
        let value = request(&req)
            .await
            .map_err(|e| StoreError::Aborted(js_text(&e)))?;
        match value.as_string() {
            None => Ok(None),
            Some(text) => record::decode("meta", "broker", &text).map(Some),
        }
    }

    /// Writes record changes in one transaction. With `check_owner`, the
    /// transaction aborts if another tab has claimed the database.
    async fn write(&self, changes: &[RecordChange], check_owner: bool) -> Result<(), StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let aborted_because = Rc::new(RefCell::new(None));
        let done = completion(&tx, aborted_because.clone());
        let mut stores = BTreeMap::new();
        for store in STORES {
            stores.insert(
                *store,
                tx.object_store(store)
                    .map_err(|e| StoreError::Aborted(js_text(&e)))?,
            );
        }
        for c in changes {
            let Some(os) = stores.get(c.store) else {
                continue;
            };
            let key = JsValue::from_str(&c.key);
            let result = match &c.value {
                Some(v) => os.put_with_key(&JsValue::from_str(v), &key),
                None => os.delete(&key),
            };
            if let Err(e) = result {
                let _ = tx.abort();
                return Err(error_of(&e));
            }
        }
        let taken_over = Rc::new(RefCell::new(false));
        if check_owner {
            if let Some(meta) = stores.get("meta") {
                if let Ok(req) = meta.get(&JsValue::from_str("broker")) {
                    let owner = self.owner.clone();
                    let tx2 = tx.clone();
                    let flag = taken_over.clone();
                    let check = Closure::once_into_js(move |e: web_sys::Event| {
                        let result = e
                            .target()
                            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                            .and_then(|r| r.result().ok())
                            .and_then(|v| v.as_string());
                        let ours = result
                            .and_then(|text| {
                                record::decode::<BrokerRecord>("meta", "broker", &text).ok()
                            })
                            .is_some_and(|r| r.owner == owner);
                        if !ours {
                            *flag.borrow_mut() = true;
                            let _ = tx2.abort();
                        }
                    });
                    req.set_onsuccess(Some(check.unchecked_ref()));
                }
            }
        }
        match done.await {
            Ok(_) => Ok(()),
            Err(_) if *taken_over.borrow() => Err(StoreError::TakenOver(
                "another tab opened this broker; this tab no longer writes to it".into(),
            )),
            Err(e) => Err(match self.closed.borrow().clone() {
                Some(why) => StoreError::TakenOver(why),
                None => error_of(&e),
            }),
        }
    }
}

enum OpenFailure {
    Blocked,
    Js(JsValue),
}

/// Waits for the open request, but gives up as soon as it reports blocked.
async fn race_blocked(open: JsFuture, blocked: Rc<RefCell<bool>>) -> Result<JsValue, OpenFailure> {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    struct Race {
        open: JsFuture,
        blocked: Rc<RefCell<bool>>,
        poll_blocked: Option<gloo_timers::future::TimeoutFuture>,
    }
    impl Future for Race {
        type Output = Result<JsValue, OpenFailure>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            if let Poll::Ready(r) = Pin::new(&mut self.open).poll(cx) {
                return Poll::Ready(r.map_err(OpenFailure::Js));
            }
            if *self.blocked.borrow() {
                return Poll::Ready(Err(OpenFailure::Blocked));
            }
            // Look again shortly: `blocked` is set by an event, not a waker.
            let timer = self
                .poll_blocked
                .get_or_insert_with(|| gloo_timers::future::TimeoutFuture::new(50));
            if Pin::new(timer).poll(cx).is_ready() {
                self.poll_blocked = None;
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        }
    }
    Race {
        open,
        blocked,
        poll_blocked: None,
    }
    .await
}

impl Storage for IndexedDbStorage {
    async fn commit(&mut self, batch: &Batch) -> Result<(), StoreError> {
        if let Some(error) = self.fail_next.take() {
            return Err(error);
        }
        let mut state = self.mirror.clone();
        let mut changes = Vec::new();
        for op in &batch.ops {
            changes.extend(record::changes(&state, op));
            state.apply(op);
        }
        self.write(&changes, true).await?;
        self.mirror = state;
        Ok(())
    }

    async fn load(&mut self) -> Result<DurableState, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let mut pending = Vec::new();
        for store in STORES.iter().filter(|s| **s != "meta") {
            let os = tx
                .object_store(store)
                .map_err(|e| StoreError::Aborted(js_text(&e)))?;
            let keys = os
                .get_all_keys()
                .map_err(|e| StoreError::Aborted(js_text(&e)))?;
            let values = os.get_all().map_err(|e| StoreError::Aborted(js_text(&e)))?;
            pending.push((*store, request(&keys), request(&values)));
        }
        let mut records: BTreeMap<&'static str, Vec<(String, String)>> = BTreeMap::new();
        for (store, keys, values) in pending {
            let keys: Array = keys
                .await
                .map_err(|e| StoreError::Aborted(js_text(&e)))?
                .unchecked_into();
            let values: Array = values
                .await
                .map_err(|e| StoreError::Aborted(js_text(&e)))?
                .unchecked_into();
            let mut rows = Vec::new();
            for i in 0..values.length() {
                let key = keys.get(i).as_string().unwrap_or_default();
                let Some(text) = values.get(i).as_string() else {
                    return Err(StoreError::Corrupt(format!("{store}/{key}: not text")));
                };
                rows.push((key, text));
            }
            records.insert(store, rows);
        }
        let state = record::state_from_records(&records)?;
        self.mirror = state.clone();
        Ok(state)
    }

    async fn clear(&mut self) -> Result<(), StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let done = completion(&tx, Rc::new(RefCell::new(None)));
        for store in STORES.iter().filter(|s| **s != "meta") {
            let os = tx
                .object_store(store)
                .map_err(|e| StoreError::Aborted(js_text(&e)))?;
            os.clear().map_err(|e| error_of(&e))?;
        }
        done.await.map_err(|e| error_of(&e))?;
        self.mirror = DurableState::default();
        Ok(())
    }

    fn describe(&self) -> String {
        format!("IndexedDB database {}", database_name(&self.broker))
    }
}
