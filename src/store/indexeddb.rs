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
//! - another tab: one tab at a time owns a broker's database, by holding its
//!   Web Lock (`lock.rs`) from before the database is opened until the
//!   store is dropped. A second tab is refused (`Locked`), waits, or takes
//!   over; a tab whose lock is taken over is told at once and every later
//!   write fails with `TakenOver`. In the database, the owner also writes
//!   its id into the `meta` record, and every write checks it in the same
//!   transaction and aborts if another tab has claimed the database since.
//!   A schema upgrade or delete from another tab fires `versionchange`: we
//!   close at once so the other tab is not blocked, and say to reload. Our
//!   own open being `blocked` by an older tab is reported, not waited on.

use crate::engine::durable::{Batch, DurableState};
use crate::engine::Profile;
use crate::store::lock::{LockError, LockMode, StoreLock};
use crate::store::record::{self, BrokerRecord, RecordChange, RecordSet, SCHEMA_VERSION, STORES};
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

/// Resolves when the transaction commits; rejects when it aborts or fails
/// (with the transaction's error, or `why` when it has none).
fn completion(tx: &IdbTransaction) -> JsFuture {
    let tx = tx.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = |why: &'static str| {
            let (tx, reject) = (tx.clone(), reject.clone());
            Closure::once_into_js(move |_: web_sys::Event| {
                let error = tx
                    .error()
                    .map(JsValue::from)
                    .unwrap_or(JsValue::from_str(why));
                let _ = reject.call1(&JsValue::NULL, &error);
            })
        };
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onabort(Some(failed("transaction aborted").unchecked_ref()));
        tx.set_onerror(Some(failed("transaction failed").unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// An open IndexedDB store for one broker.
pub struct IndexedDbStorage {
    db: IdbDatabase,
    broker: String,
    /// This tab's id, written into `meta` on open.
    owner: String,
    /// The records as stored (to compute a batch's record changes).
    mirror: RecordSet,
    /// Set when another tab takes the broker over, or upgrades or deletes
    /// the database under us: every later write fails with this reason.
    closed: Rc<RefCell<Option<String>>>,
    /// This tab's exclusive hold on the broker (released when dropped).
    _lock: StoreLock,
    /// The first write with this index fails (tests of the failure path).
    fail_next: Option<StoreError>,
}

impl IndexedDbStorage {
    /// Opens (creating if needed) the database of broker `name`, after
    /// taking its lock as `mode` says, and claims it for this tab (`owner`).
    /// `on_lost` is called once if this tab later stops owning it (another
    /// tab took it over, or upgraded or deleted the database). Returns the
    /// store and the broker record found there, if any.
    pub async fn open(
        name: &str,
        owner: &str,
        profile: Profile,
        seed: u64,
        mode: LockMode,
        on_lost: Rc<dyn Fn(String)>,
    ) -> Result<(IndexedDbStorage, Option<BrokerRecord>), StoreError> {
        // Before any await: a missing IndexedDB is reported at once.
        let factory = factory()?;
        let closed: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
        let lock = StoreLock::acquire(name, mode, {
            let closed = closed.clone();
            let on_lost = on_lost.clone();
            move |why: String| {
                *closed.borrow_mut() = Some(why.clone());
                on_lost(why);
            }
        })
        .await
        .map_err(|e| match e {
            LockError::Held => StoreError::Locked(name.to_string()),
            LockError::Unsupported => StoreError::Unavailable(format!(
                "this page cannot keep other tabs from writing to broker '{name}' (the Web Locks API is missing; pages served over plain HTTP from another machine are not a secure context)"
            )),
            LockError::Failed(why) => StoreError::Unavailable(format!("the lock on broker '{name}' was refused: {why}")),
        })?;
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
        let on_version_change = Closure::<dyn FnMut(web_sys::Event)>::new({
            let db = db.clone();
            let closed = closed.clone();
            move |_e: web_sys::Event| {
                db.close();
                let why = "another tab upgraded or deleted this broker's database; this tab no longer writes to it — reload to open it again".to_string();
                *closed.borrow_mut() = Some(why.clone());
                on_lost(why);
            }
        });
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();

        let store = IndexedDbStorage {
            db,
            broker: name.to_string(),
            owner: owner.to_string(),
            mirror: RecordSet::default(),
            closed,
            _lock: lock,
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
                &[RecordChange::put("meta", "broker", record::encode(&record))],
                WriteMode::Claim,
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
        self.write(&[RecordChange::put(store, key, text)], WriteMode::AsOwner)
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

    /// Writes record changes in one transaction: all of them or none.
    async fn write(&self, changes: &[RecordChange], mode: WriteMode) -> Result<(), StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let done = completion(&tx);
        let mut stores = BTreeMap::new();
        for store in STORES {
            stores.insert(
                *store,
                tx.object_store(store)
                    .map_err(|e| StoreError::Aborted(js_text(&e)))?,
            );
        }
        if mode == WriteMode::AsOwnerReplacing {
            for (name, os) in stores.iter().filter(|(name, _)| **name != "meta") {
                if let Err(e) = os.clear() {
                    let _ = tx.abort();
                    return Err(match error_of(&e) {
                        StoreError::Aborted(why) => StoreError::Aborted(format!("{name}: {why}")),
                        other => other,
                    });
                }
            }
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
        if mode != WriteMode::Claim {
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

/// What a write may assume about who owns the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriteMode {
    /// Claiming the database on open: this write names the owner.
    Claim,
    /// A change by the owner; it aborts if another tab has claimed the
    /// database since (checked in the same transaction).
    AsOwner,
    /// As `AsOwner`, after removing every durable record in the same
    /// transaction: the store then holds exactly the changes written.
    AsOwnerReplacing,
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
        let changes = self.mirror.apply_ops(&batch.ops);
        match self.write(&changes, WriteMode::AsOwner).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.mirror.undo(changes);
                Err(e)
            }
        }
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
        let older = record::any_older(&records);
        let stored = RecordSet::from_rows(records);
        let state = stored.state()?;
        if older {
            // Written by an older Warren: rewrite it whole in this schema
            // (one transaction), so no record keeps an old key.
            self.replace(&state).await?;
        } else {
            self.mirror = stored;
        }
        Ok(state)
    }

    async fn replace(&mut self, state: &DurableState) -> Result<(), StoreError> {
        if let Some(error) = self.fail_next.take() {
            return Err(error);
        }
        let records = RecordSet::from_state(state);
        let changes: Vec<RecordChange> = records
            .rows()
            .map(|(store, key, value)| RecordChange::put(store, key.as_str(), value.as_str()))
            .collect();
        self.write(&changes, WriteMode::AsOwnerReplacing).await?;
        self.mirror = records;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("IndexedDB database {}", database_name(&self.broker))
    }
}
