//! Durable storage: where committed batches of durable changes go.
//!
//! The engine records durable changes and seals them into batches
//! (`engine/persist.rs`); a [`Storage`] writes a batch all at once or not at
//! all, and reads everything back on boot. Two backends:
//! - [`memory::MemoryStorage`]: native tests, and the browser's fallback when
//!   IndexedDB is unavailable; it can inject faults;
//! - `indexeddb::IndexedDbStorage` (wasm32): one database per named broker,
//!   one transaction per batch, one read transaction on boot, and one owner
//!   at a time (`lock.rs`: a second tab is refused, waits or takes over);
//! - `disk::DiskStorage` (native, `warren-server --data DIR`): the same
//!   records in a journal flushed to disk per batch, one process at a time.
//!
//! All three hold the same records (`record.rs`).
//!
//! [`flush`] is the host's side of the contract: after the broker steps, it
//! writes every sealed batch in order and tells the broker how each went
//! (an error nacks the batch's confirms and the broker carries on).

pub mod memory;
pub mod record;

#[cfg(not(target_arch = "wasm32"))]
pub mod disk;
#[cfg(target_arch = "wasm32")]
pub mod indexeddb;
#[cfg(target_arch = "wasm32")]
pub mod lock;

use crate::engine::durable::{Batch, DurableState};
use crate::engine::Broker;
use std::fmt;

/// Why the store could not do something. Nothing already committed is lost
/// by any of these.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be used at all (IndexedDB disabled, private mode).
    Unavailable(String),
    /// The browser refused the write for lack of space.
    QuotaExceeded,
    /// The write transaction was aborted; nothing of the batch was written.
    Aborted(String),
    /// A record could not be read back.
    Corrupt(String),
    /// The database was written by a newer Warren.
    NewerSchema { found: u32, supported: u32 },
    /// Another tab took the database over (opened it, upgraded or deleted it).
    TakenOver(String),
    /// Another tab or process owns this broker's store; nothing was opened.
    Locked(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(why) => write!(f, "storage unavailable: {why}"),
            StoreError::QuotaExceeded => f.write_str("storage quota exceeded: the batch was not written"),
            StoreError::Aborted(why) => write!(f, "the write was aborted ({why}): the batch was not written"),
            StoreError::Corrupt(what) => write!(f, "a stored record is damaged: {what}"),
            StoreError::NewerSchema { found, supported } => write!(
                f,
                "this database was written by a newer Warren (schema {found}; this version reads up to {supported})"
            ),
            StoreError::TakenOver(why) => write!(f, "another tab took over this broker's database: {why}"),
            StoreError::Locked(broker) => write!(
                f,
                "broker '{broker}' is open in another tab, window or process, which owns its stored state; this one does not write to it"
            ),
        }
    }
}

impl std::error::Error for StoreError {}

/// A durable store.
#[allow(async_fn_in_trait)]
pub trait Storage {
    /// Writes one batch: all of it, or (on `Err`) none of it.
    async fn commit(&mut self, batch: &Batch) -> Result<(), StoreError>;

    /// Reads the whole durable state. An empty store gives an empty state.
    async fn load(&mut self) -> Result<DurableState, StoreError>;

    /// Makes the store hold exactly `state`, in one write: all of it, or
    /// (on `Err`) the store is unchanged.
    async fn replace(&mut self, state: &DurableState) -> Result<(), StoreError>;

    /// Removes every durable record (a fresh vhost), in one write.
    async fn clear(&mut self) -> Result<(), StoreError> {
        self.replace(&DurableState::default()).await
    }

    /// A short description for people ("IndexedDB database warren-demo").
    fn describe(&self) -> String;
}

/// Either backend, chosen at run time.
pub enum AnyStore {
    Memory(memory::MemoryStorage),
    #[cfg(target_arch = "wasm32")]
    IndexedDb(indexeddb::IndexedDbStorage),
}

impl AnyStore {
    /// `"memory"` or `"indexeddb"`.
    pub fn kind(&self) -> &'static str {
        match self {
            AnyStore::Memory(_) => "memory",
            #[cfg(target_arch = "wasm32")]
            AnyStore::IndexedDb(_) => "indexeddb",
        }
    }

    /// Why the memory store is in use instead of IndexedDB, if it stands in.
    pub fn fallback_reason(&self) -> Option<&str> {
        match self {
            AnyStore::Memory(m) => m.reason.as_deref(),
            #[cfg(target_arch = "wasm32")]
            AnyStore::IndexedDb(_) => None,
        }
    }
}

impl Storage for AnyStore {
    async fn commit(&mut self, batch: &Batch) -> Result<(), StoreError> {
        match self {
            AnyStore::Memory(s) => s.commit(batch).await,
            #[cfg(target_arch = "wasm32")]
            AnyStore::IndexedDb(s) => s.commit(batch).await,
        }
    }

    async fn load(&mut self) -> Result<DurableState, StoreError> {
        match self {
            AnyStore::Memory(s) => s.load().await,
            #[cfg(target_arch = "wasm32")]
            AnyStore::IndexedDb(s) => s.load().await,
        }
    }

    async fn replace(&mut self, state: &DurableState) -> Result<(), StoreError> {
        match self {
            AnyStore::Memory(s) => s.replace(state).await,
            #[cfg(target_arch = "wasm32")]
            AnyStore::IndexedDb(s) => s.replace(state).await,
        }
    }

    fn describe(&self) -> String {
        match self {
            AnyStore::Memory(s) => s.describe(),
            #[cfg(target_arch = "wasm32")]
            AnyStore::IndexedDb(s) => s.describe(),
        }
    }
}

/// Opens broker `name`'s IndexedDB database for this tab (`owner`), taking
/// its lock as `mode` says, or, if IndexedDB cannot be used, an in-memory
/// store that says why. Returns the store and the broker record found in the
/// database (profile and seed of an existing broker). `on_lost` is called if
/// this tab later stops owning the database.
///
/// The one error is [`StoreError::Locked`]: another tab owns the broker
/// (with [`lock::LockMode::Try`]). Falling back to memory silently there
/// would hide exactly what the person needs to know.
#[cfg(target_arch = "wasm32")]
pub async fn open_browser_store(
    name: &str,
    owner: &str,
    profile: crate::engine::Profile,
    seed: u64,
    mode: lock::LockMode,
    on_lost: std::rc::Rc<dyn Fn(String)>,
) -> Result<(AnyStore, Option<record::BrokerRecord>), StoreError> {
    match indexeddb::IndexedDbStorage::open(name, owner, profile, seed, mode, on_lost).await {
        Ok((store, existing)) => Ok((AnyStore::IndexedDb(store), existing)),
        Err(e @ StoreError::Locked(_)) => Err(e),
        Err(e) => {
            let mut memory = memory::MemoryStorage::new();
            memory.reason = Some(format!(
                "IndexedDB cannot be used ({e}); nothing survives closing the tab"
            ));
            Ok((AnyStore::Memory(memory), None))
        }
    }
}

/// Writes every sealed batch of the broker, in order, and reports each
/// result to it. Returns the errors, if any (the broker already nacked the
/// affected confirms).
pub async fn flush<S: Storage>(broker: &mut Broker, store: &mut S) -> Vec<StoreError> {
    let mut errors = Vec::new();
    for batch in broker.take_sealed_batches() {
        match store.commit(&batch).await {
            Ok(()) => broker.batch_committed(batch.id, Ok(())),
            Err(e) => {
                broker.batch_committed(batch.id, Err(e.to_string()));
                errors.push(e);
            }
        }
    }
    errors
}

/// Runs a future that never waits (the memory backend's) to completion, for
/// synchronous callers and native tests. Returns `None` if it would wait.
pub fn now_or_never<F: std::future::Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}
