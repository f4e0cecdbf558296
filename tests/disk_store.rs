#![cfg(not(target_arch = "wasm32"))]
//! The disk store (`warren-server --data DIR`): what was committed comes
//! back after a reopen, exactly; a write torn by a crash at any byte is
//! dropped, never loaded half; damage elsewhere, a newer format or a
//! foreign file is a clear error and nothing is written over it; one
//! process at a time owns the directory; compaction loses nothing, even
//! if the process dies halfway through it.

use std::path::{Path, PathBuf};
use warren::engine::durable::{Batch, DurableMessage, DurableOp, DurableState};
use warren::engine::message::Properties;
use warren::engine::rng::SeededRng;
use warren::store::disk::DiskStorage;
use warren::store::{now_or_never, Storage, StoreError};

/// A fresh directory under the target directory, removed first if a
/// previous run left it.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("disk_store-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &Path) -> DiskStorage {
    DiskStorage::open(dir).unwrap_or_else(|e| panic!("open {}: {e}", dir.display()))
}

fn load(store: &mut DiskStorage) -> DurableState {
    now_or_never(store.load()).unwrap().unwrap()
}

fn commit(store: &mut DiskStorage, batch: &Batch) {
    now_or_never(store.commit(batch)).unwrap().unwrap();
}

/// Random batches over a few queues: declares, persistent messages,
/// deliveries, acks, bindings, queue deletes.
struct Workload {
    rng: SeededRng,
    next_seq: u64,
    next_batch: u64,
}

impl Workload {
    fn new(seed: u64) -> Workload {
        Workload {
            rng: SeededRng::new(seed),
            next_seq: 1,
            next_batch: 1,
        }
    }

    fn batch(&mut self) -> Batch {
        let queues = ["orders", "audit", "logs"];
        let mut ops = Vec::new();
        for _ in 0..1 + self.rng.below(6) {
            let queue = queues[self.rng.below(3) as usize].to_string();
            let seq = self.next_seq.saturating_sub(1 + self.rng.below(5)).max(1);
            ops.push(match self.rng.below(12) {
                0 => DurableOp::PutQueue {
                    name: queue,
                    auto_delete: false,
                    arguments: Default::default(),
                },
                1 if self.rng.below(4) == 0 => DurableOp::DeleteQueue { name: queue },
                2 => DurableOp::PutBinding(warren::engine::durable::DurableBinding {
                    source: "amq.topic".into(),
                    destination: queue,
                    destination_kind: warren::engine::exchange::DestinationKind::Queue,
                    routing_key: "a.#".into(),
                    arguments: Default::default(),
                }),
                3 | 4 => DurableOp::MarkDelivered { queue, seq },
                5 | 6 => DurableOp::DeleteMessage { queue, seq },
                _ => {
                    self.next_seq += 1;
                    DurableOp::PutMessage {
                        queue,
                        message: DurableMessage {
                            seq: self.next_seq,
                            id: self.next_seq,
                            routing_key: "orders".into(),
                            cc: Vec::new(),
                            properties: Properties {
                                delivery_mode: Some(2),
                                ..Default::default()
                            },
                            body: format!("message {} é \u{0}", self.next_seq).into_bytes(),
                            ..DurableMessage::default()
                        },
                    }
                }
            });
        }
        self.next_batch += 1;
        Batch {
            id: self.next_batch,
            ops,
        }
    }
}

/// Commits the workload's next `n` batches; `state` with them applied.
fn commit_next(
    store: &mut DiskStorage,
    work: &mut Workload,
    n: usize,
    mut state: DurableState,
) -> DurableState {
    for _ in 0..n {
        let batch = work.batch();
        commit(store, &batch);
        state = applied(state, &batch);
    }
    state
}

/// The state a sequence of batches builds, as the engine applies them.
fn applied(mut state: DurableState, batch: &Batch) -> DurableState {
    state.apply_batch(batch);
    state
}

#[test]
fn what_was_committed_comes_back_after_every_reopen() {
    let dir = fresh_dir("reopen");
    let mut work = Workload::new(7);
    let mut expected = DurableState::default();
    let mut store = open(&dir);
    for round in 0..10 {
        expected = commit_next(&mut store, &mut work, 30, expected);
        drop(store);
        store = open(&dir);
        assert_eq!(load(&mut store), expected, "round {round}");
    }
    assert!(expected.message_count() > 0, "the workload stores messages");
}

#[test]
fn a_second_owner_is_refused_until_the_first_lets_go() {
    let dir = fresh_dir("lock");
    let first = open(&dir);
    match DiskStorage::open(&dir) {
        Err(StoreError::Locked(what)) => assert!(
            what.contains(&std::process::id().to_string()),
            "the error names the holder: {what}"
        ),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a second owner opened the store"),
    }
    drop(first);
    open(&dir);
}

/// Copies a store's files into another fresh directory.
fn copy_store(from: &Path, name: &str) -> PathBuf {
    let to = fresh_dir(name);
    std::fs::create_dir_all(&to).unwrap();
    for file in ["journal", "snapshot"] {
        if from.join(file).exists() {
            std::fs::copy(from.join(file), to.join(file)).unwrap();
        }
    }
    to
}

#[test]
fn a_write_torn_at_any_byte_is_dropped_whole() {
    let dir = fresh_dir("torn");
    let mut work = Workload::new(11);
    let mut store = open(&dir);
    let before = commit_next(&mut store, &mut work, 20, DurableState::default());
    let len_before = store.journal_len();
    let last = work.batch();
    commit(&mut store, &last);
    let after = applied(before.clone(), &last);
    let len_after = store.journal_len();
    drop(store);
    let journal = std::fs::read(dir.join("journal")).unwrap();
    assert_eq!(journal.len() as u64, len_after);

    for cut in len_before..=len_after {
        let copy = copy_store(&dir, "torn-copy");
        std::fs::write(copy.join("journal"), &journal[..cut as usize]).unwrap();
        let mut reopened = open(&copy);
        let want = if cut == len_after { &after } else { &before };
        assert_eq!(&load(&mut reopened), want, "journal cut at byte {cut}");
        assert_eq!(
            reopened.repaired.is_some(),
            cut != len_before && cut != len_after
        );
        // The repaired store takes new writes, and they come back too.
        let next = work.batch();
        commit(&mut reopened, &next);
        let want = applied(want.clone(), &next);
        drop(reopened);
        assert_eq!(load(&mut open(&copy)), want, "after repair at byte {cut}");
    }

    // Zeros or garbage after the last entry (a write that never landed).
    for tail in [
        vec![0u8; 4096],
        vec![0xAB; 3],
        b"\x10\x00\x00\x00garbage".to_vec(),
    ] {
        let copy = copy_store(&dir, "torn-tail");
        let mut bytes = journal.clone();
        bytes.extend_from_slice(&tail);
        std::fs::write(copy.join("journal"), &bytes).unwrap();
        let mut reopened = open(&copy);
        assert_eq!(load(&mut reopened), after);
        assert!(reopened.repaired.is_some());
        drop(reopened);
        assert_eq!(std::fs::read(copy.join("journal")).unwrap(), journal);
    }
}

#[test]
fn damage_before_the_end_newer_formats_and_foreign_files_are_errors() {
    let dir = fresh_dir("damaged");
    let mut work = Workload::new(3);
    let mut store = open(&dir);
    for _ in 0..5 {
        commit(&mut store, &work.batch());
    }
    drop(store);
    let journal = std::fs::read(dir.join("journal")).unwrap();

    let refused = |bytes: &[u8], name: &str| -> StoreError {
        let copy = copy_store(&dir, name);
        std::fs::write(copy.join("journal"), bytes).unwrap();
        let err = match DiskStorage::open(&copy) {
            Err(e) => e,
            Ok(_) => panic!("{name}: a bad journal was opened"),
        };
        assert_eq!(
            std::fs::read(copy.join("journal")).unwrap(),
            bytes,
            "{name}: nothing is written over a store that cannot be read"
        );
        err
    };

    // A flipped byte inside the first entry's payload.
    let mut flipped = journal.clone();
    flipped[30] ^= 0x55;
    match refused(&flipped, "flipped") {
        StoreError::Corrupt(what) => assert!(what.contains("journal") && what.contains("byte")),
        e => panic!("expected Corrupt, got {e}"),
    }

    let mut newer = b"warren-store 2\n".to_vec();
    newer.extend_from_slice(&journal[b"warren-store 1\n".len()..]);
    assert_eq!(
        refused(&newer, "newer"),
        StoreError::NewerSchema {
            found: 2,
            supported: warren::store::disk::DISK_FORMAT_VERSION
        }
    );

    match refused(b"PK\x03\x04 not ours\n", "foreign") {
        StoreError::Corrupt(what) => assert!(what.contains("not a Warren store")),
        e => panic!("expected Corrupt, got {e}"),
    }
}

#[test]
fn compaction_loses_nothing_even_if_interrupted() {
    let dir = fresh_dir("compact");
    let mut work = Workload::new(5);
    let mut store = open(&dir);
    store.set_compact_after(4096);
    let mut expected = commit_next(&mut store, &mut work, 300, DurableState::default());
    assert!(dir.join("snapshot").exists());
    assert!(store.journal_len() < 8192, "the journal was compacted");
    drop(store);
    assert_eq!(load(&mut open(&dir)), expected);

    // A process that dies after renaming the new snapshot into place but
    // before emptying the journal: the journal's entries are replayed over
    // a snapshot that already holds them.
    let mut store = open(&dir);
    store.set_compact_after(u64::MAX);
    expected = commit_next(&mut store, &mut work, 40, expected);
    let journal = std::fs::read(dir.join("journal")).unwrap();
    store.compact().unwrap();
    drop(store);
    std::fs::write(dir.join("journal"), journal).unwrap();
    assert_eq!(load(&mut open(&dir)), expected);
}
