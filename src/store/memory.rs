//! The in-memory store: a durable state kept in a value, with injectable
//! faults so tests can make a write fail exactly where they want.
//!
//! It also round-trips every batch through the record format (encode, then
//! decode on load), so the record layer is exercised by every native test
//! that uses it.

use crate::engine::durable::{Batch, DurableState};
use crate::store::record::{self, RecordSet};
use crate::store::{Storage, StoreError};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    records: RecordSet,
    /// Batches written so far.
    pub writes: u64,
    /// Faults to inject: the write with this index (0-based) fails so.
    faults: BTreeMap<u64, StoreError>,
    /// Why this store is in use, if it stands in for another ("IndexedDB is
    /// unavailable: …").
    pub reason: Option<String>,
}

impl MemoryStorage {
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }

    /// Makes write number `index` (0-based) fail with `error`.
    pub fn fail_write(&mut self, index: u64, error: StoreError) {
        self.faults.insert(index, error);
    }

    /// Puts a raw record in place (tests of damaged or newer records).
    pub fn put_raw(&mut self, store: &'static str, key: &str, text: &str) {
        self.records
            .apply_changes([record::RecordChange::put(store, key, text)]);
    }

    pub fn record_count(&self) -> usize {
        self.records.len()
    }

    /// The injected fault for the next write, if any.
    fn fault(&mut self) -> Result<(), StoreError> {
        match self.faults.remove(&self.writes) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl Storage for MemoryStorage {
    async fn commit(&mut self, batch: &Batch) -> Result<(), StoreError> {
        self.fault()?;
        self.records.apply_ops(&batch.ops);
        self.writes += 1;
        Ok(())
    }

    async fn load(&mut self) -> Result<DurableState, StoreError> {
        self.records.state()
    }

    async fn replace(&mut self, state: &DurableState) -> Result<(), StoreError> {
        self.fault()?;
        self.records = RecordSet::from_state(state);
        self.writes += 1;
        Ok(())
    }

    fn describe(&self) -> String {
        match &self.reason {
            Some(why) => format!("in memory ({why})"),
            None => "in memory".to_string(),
        }
    }
}
