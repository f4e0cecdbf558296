//! The in-memory store: a durable state kept in a value, with injectable
//! faults so tests can make a write fail exactly where they want.
//!
//! It also round-trips every batch through the record format (encode, then
//! decode on load), so the record layer is exercised by every native test
//! that uses it.

use crate::engine::durable::{Batch, DurableState};
use crate::store::record::{self, RecordChange};
use crate::store::{Storage, StoreError};
use std::collections::BTreeMap;

/// The stored records, by store and key.
type Records = BTreeMap<&'static str, BTreeMap<String, String>>;

#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    /// The durable state the records describe (to compute record changes).
    state: DurableState,
    records: Records,
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
            .entry(store)
            .or_default()
            .insert(key.to_string(), text.to_string());
    }

    pub fn record_count(&self) -> usize {
        self.records.values().map(BTreeMap::len).sum()
    }

    fn apply(&mut self, changes: &[RecordChange]) {
        for c in changes {
            let table = self.records.entry(c.store).or_default();
            match &c.value {
                Some(v) => {
                    table.insert(c.key.clone(), v.clone());
                }
                None => {
                    table.remove(&c.key);
                }
            }
        }
    }
}

impl Storage for MemoryStorage {
    async fn commit(&mut self, batch: &Batch) -> Result<(), StoreError> {
        let index = self.writes;
        if let Some(error) = self.faults.remove(&index) {
            return Err(error);
        }
        let mut state = self.state.clone();
        let mut changes = Vec::new();
        for op in &batch.ops {
            changes.extend(record::changes(&state, op));
            state.apply(op);
        }
        self.apply(&changes);
        self.state = state;
        self.writes += 1;
        Ok(())
    }

    async fn load(&mut self) -> Result<DurableState, StoreError> {
        let records: BTreeMap<&'static str, Vec<(String, String)>> = self
            .records
            .iter()
            .map(|(store, table)| {
                (
                    *store,
                    table.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                )
            })
            .collect();
        let state = record::state_from_records(&records)?;
        self.state = state.clone();
        Ok(state)
    }

    async fn replace(&mut self, state: &DurableState) -> Result<(), StoreError> {
        let index = self.writes;
        if let Some(error) = self.faults.remove(&index) {
            return Err(error);
        }
        self.records.retain(|store, _| *store == "meta");
        self.apply(&record::records_of(state));
        self.state = state.clone();
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
