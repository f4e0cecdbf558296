//! The disk store (native): a broker's durable records in a directory, for
//! `warren-server --data DIR`.
//!
//! It holds the same records as the browser's IndexedDB store (`record.rs`:
//! one JSON text per exchange, queue, binding and persistent message), so a
//! restart reloads exactly what the browser would. The directory holds:
//!
//! - `LOCK`: locked (an OS file lock) by the one process that owns the
//!   store; a second server on the same directory is refused, not allowed
//!   to interleave its writes.
//! - `journal`: the record changes of each committed batch, appended, and
//!   flushed to the disk (`fsync`) before the batch counts as committed, so
//!   a publisher confirm always means "on disk".
//! - `snapshot`: every record at one moment. When the journal has grown
//!   well past the records it describes, the records are written to a new
//!   snapshot beside the old one, flushed, renamed over it (atomic), and
//!   the journal is emptied.
//!
//! Both files start with the line `warren-store 1` (format and version),
//! then entries: a 4-byte little-endian payload length, the payload's
//! CRC-32 (4 bytes, little-endian), and the payload, a JSON array of
//! `[store, key, value]` (`value` null: delete). Loading reads the snapshot
//! then the journal. A crash can only tear the journal's last entry (cut
//! short, or never fully written): such a tail is detected by its length or
//! checksum, dropped and cut off — never loaded half. A damaged entry
//! anywhere else, an unknown format or a newer version is an error that
//! names the file and offset; nothing is written over it.

use crate::engine::durable::{Batch, DurableState};
use crate::store::record::{RecordChange, RecordSet, STORES};
use crate::store::{Storage, StoreError};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first line of both files.
const MAGIC: &[u8] = b"warren-store ";
/// The format version this build writes and reads.
pub const DISK_FORMAT_VERSION: u32 = 1;
/// An entry's length and checksum.
const ENTRY_HEAD: usize = 8;
/// Entries larger than this are damage, not data (a batch is far smaller).
const ENTRY_MAX: usize = 1 << 30;
/// The journal is compacted once it is this large and twice the records'
/// size.
const COMPACT_AFTER_BYTES: u64 = 64 << 20;

/// An open disk store, owning its directory until dropped.
pub struct DiskStorage {
    dir: PathBuf,
    journal: File,
    /// Bytes in the journal (where the next entry goes).
    journal_len: u64,
    records: RecordSet,
    /// Approximate bytes of all records (to decide when to compact).
    records_bytes: u64,
    /// Compact once the journal is this large (and twice the records).
    compact_after: u64,
    /// Set when a failed write could not be undone on disk: every later
    /// write is refused rather than appended after a damaged tail.
    broken: Option<String>,
    /// What loading found and repaired (a torn tail), for the server's log.
    pub repaired: Option<String>,
    _lock: File,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("{what} {}: {e}", path.display()))
}

fn header() -> Vec<u8> {
    format!("warren-store {DISK_FORMAT_VERSION}\n").into_bytes()
}

/// Encodes changes as one entry (length, checksum, payload).
fn entry<'a>(changes: impl Iterator<Item = (&'static str, &'a str, Option<&'a str>)>) -> Vec<u8> {
    let rows: Vec<(&str, &str, Option<&str>)> = changes.collect();
    let payload = serde_json::to_vec(&rows).unwrap_or_default();
    let mut out = Vec::with_capacity(ENTRY_HEAD + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// What reading a file's entries found.
struct Scan {
    changes: Vec<RecordChange>,
    /// Where the last whole entry ends.
    good_len: u64,
    /// Why the bytes after `good_len` were not loaded, if there are any.
    torn: Option<String>,
}

/// The version named by a file's first line, after checking the format.
fn read_header(bytes: &[u8], path: &Path) -> Result<usize, StoreError> {
    let corrupt = |why: &str| StoreError::Corrupt(format!("{}: {why}", path.display()));
    let Some(end) = bytes.iter().position(|b| *b == b'\n') else {
        return Err(corrupt("not a Warren store (no header line)"));
    };
    let line = &bytes[..end];
    let Some(version) = line.strip_prefix(MAGIC) else {
        return Err(corrupt("not a Warren store (unknown header)"));
    };
    let version: u32 = std::str::from_utf8(version)
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| corrupt("not a Warren store (bad version)"))?;
    if version > DISK_FORMAT_VERSION {
        return Err(StoreError::NewerSchema {
            found: version,
            supported: DISK_FORMAT_VERSION,
        });
    }
    Ok(end + 1)
}

/// Reads every entry of a file. `tail_may_tear`: the file is the journal,
/// whose last entry a crash can cut short.
fn scan(bytes: &[u8], path: &Path, tail_may_tear: bool) -> Result<Scan, StoreError> {
    let mut at = read_header(bytes, path)?;
    let mut scan = Scan {
        changes: Vec::new(),
        good_len: at as u64,
        torn: None,
    };
    while at < bytes.len() {
        let rest = &bytes[at..];
        let damaged = |why: String| {
            StoreError::Corrupt(format!("{}: entry at byte {at}: {why}", path.display()))
        };
        let (len, crc) = match rest.get(..ENTRY_HEAD) {
            Some(head) => (
                u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize,
                u32::from_le_bytes([head[4], head[5], head[6], head[7]]),
            ),
            None => (usize::MAX, 0),
        };
        let payload = (len > 0 && len <= ENTRY_MAX)
            .then(|| rest.get(ENTRY_HEAD..ENTRY_HEAD + len))
            .flatten()
            .filter(|p| crc32fast::hash(p) == crc);
        let Some(payload) = payload else {
            // Not a whole, intact entry. If nothing valid follows it, it is
            // the torn last write of a crash; otherwise the file is damaged.
            // (A filesystem may also leave zeros where the write never went.)
            let whole = ENTRY_HEAD.saturating_add(len);
            let is_tail = whole >= rest.len() || rest.iter().all(|b| *b == 0);
            if tail_may_tear && is_tail {
                scan.torn = Some(format!(
                    "dropped {} bytes of an unfinished write at the end of {}",
                    rest.len(),
                    path.display()
                ));
                return Ok(scan);
            }
            return Err(damaged("checksum or length does not match".into()));
        };
        let rows: Vec<(String, String, Option<String>)> =
            serde_json::from_slice(payload).map_err(|e| damaged(e.to_string()))?;
        for (store, key, value) in rows {
            let Some(store) = STORES.iter().copied().find(|s| *s == store) else {
                return Err(damaged(format!("unknown record store '{store}'")));
            };
            scan.changes.push(RecordChange {
                store,
                key,
                value,
                previous: None,
            });
        }
        at += ENTRY_HEAD + len;
        scan.good_len = at as u64;
    }
    Ok(scan)
}

/// Reads a whole file, or `None` if it does not exist.
fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("cannot read", path, e)),
    }
}

/// Flushes a directory's entries (a rename or a new file) to the disk.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("cannot flush directory", dir, e))
}

impl DiskStorage {
    /// Opens (creating if needed) the store in `dir` and takes its lock:
    /// [`StoreError::Locked`] if another process holds it. Reads everything
    /// back (see [`Storage::load`] for the state).
    pub fn open(dir: &Path) -> Result<DiskStorage, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| io_error("cannot create", dir, e))?;
        let lock_path = dir.join("LOCK");
        let mut lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("cannot open", &lock_path, e))?;
        if let Err(e) = lock.try_lock() {
            let mut holder = String::new();
            let _ = lock.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(StoreError::Locked(match e {
                std::fs::TryLockError::WouldBlock if !holder.is_empty() => {
                    format!("{} (held by process {holder})", dir.display())
                }
                std::fs::TryLockError::WouldBlock => dir.display().to_string(),
                std::fs::TryLockError::Error(e) => format!("{} ({e})", dir.display()),
            }));
        }
        // Who holds it, for the message another process prints.
        let _ = lock
            .set_len(0)
            .and_then(|()| lock.write_all(std::process::id().to_string().as_bytes()));

        let mut records = RecordSet::default();
        let snapshot_path = dir.join("snapshot");
        if let Some(bytes) = read_optional(&snapshot_path)? {
            records.apply_changes(scan(&bytes, &snapshot_path, false)?.changes);
        }
        let journal_path = dir.join("journal");
        let existing = read_optional(&journal_path)?;
        let mut journal = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&journal_path)
            .map_err(|e| io_error("cannot open", &journal_path, e))?;
        let (journal_len, repaired) = match existing.filter(|b| !b.is_empty()) {
            Some(bytes) => {
                let found = scan(&bytes, &journal_path, true)?;
                records.apply_changes(found.changes);
                if found.torn.is_some() {
                    journal
                        .set_len(found.good_len)
                        .and_then(|()| journal.sync_all())
                        .map_err(|e| io_error("cannot repair", &journal_path, e))?;
                }
                (found.good_len, found.torn)
            }
            None => {
                let head = header();
                journal
                    .set_len(0)
                    .and_then(|()| journal.write_all(&head))
                    .and_then(|()| journal.sync_all())
                    .map_err(|e| io_error("cannot write", &journal_path, e))?;
                sync_dir(dir)?;
                (head.len() as u64, None)
            }
        };
        journal
            .seek(SeekFrom::Start(journal_len))
            .map_err(|e| io_error("cannot seek", &journal_path, e))?;
        let records_bytes = records
            .rows()
            .map(|(_, k, v)| (k.len() + v.len()) as u64)
            .sum();
        Ok(DiskStorage {
            dir: dir.to_path_buf(),
            journal,
            journal_len,
            records,
            records_bytes,
            compact_after: COMPACT_AFTER_BYTES,
            broken: None,
            repaired,
            _lock: lock,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Compacts once the journal passes `bytes` (and twice the records'
    /// size) instead of 64 MiB.
    pub fn set_compact_after(&mut self, bytes: u64) {
        self.compact_after = bytes;
    }

    /// Bytes in the journal now.
    pub fn journal_len(&self) -> u64 {
        self.journal_len
    }

    /// Appends one entry and flushes it to the disk. On failure the journal
    /// is cut back to where it was, so no partial entry stays in the middle.
    fn append(&mut self, entry: &[u8]) -> Result<(), StoreError> {
        if let Some(why) = &self.broken {
            return Err(StoreError::Unavailable(why.clone()));
        }
        let path = self.dir.join("journal");
        let written = self
            .journal
            .write_all(entry)
            .and_then(|()| self.journal.sync_data());
        if let Err(e) = written {
            let undone = self
                .journal
                .set_len(self.journal_len)
                .and_then(|()| {
                    self.journal
                        .seek(SeekFrom::Start(self.journal_len))
                        .map(|_| ())
                })
                .and_then(|()| self.journal.sync_data());
            if let Err(undo) = undone {
                self.broken = Some(format!(
                    "{}: a write failed ({e}) and could not be undone ({undo}); restart to repair",
                    path.display()
                ));
            }
            return Err(StoreError::Aborted(format!("{}: {e}", path.display())));
        }
        self.journal_len += entry.len() as u64;
        Ok(())
    }

    /// Writes every record to a new snapshot and empties the journal.
    pub fn compact(&mut self) -> Result<(), StoreError> {
        let tmp = self.dir.join("snapshot.tmp");
        let mut bytes = header();
        bytes.extend(entry(
            self.records
                .rows()
                .map(|(s, k, v)| (s, k.as_str(), Some(v.as_str()))),
        ));
        let written = File::create(&tmp).and_then(|mut f| {
            f.write_all(&bytes)?;
            f.sync_all()
        });
        written.map_err(|e| io_error("cannot write", &tmp, e))?;
        let snapshot = self.dir.join("snapshot");
        std::fs::rename(&tmp, &snapshot).map_err(|e| io_error("cannot rename", &tmp, e))?;
        sync_dir(&self.dir)?;
        // The snapshot holds everything: the journal starts over. (A crash
        // before this replays the journal over the snapshot: the same
        // records again, harmlessly.)
        let head = header();
        let path = self.dir.join("journal");
        self.journal
            .set_len(0)
            .and_then(|()| self.journal.seek(SeekFrom::Start(0)).map(|_| ()))
            .and_then(|()| self.journal.write_all(&head))
            .and_then(|()| self.journal.sync_all())
            .map_err(|e| io_error("cannot reset", &path, e))?;
        self.journal_len = head.len() as u64;
        self.records_bytes = bytes.len() as u64;
        Ok(())
    }

    fn write_changes(&mut self, changes: &[RecordChange]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let bytes = entry(
            changes
                .iter()
                .map(|c| (c.store, c.key.as_str(), c.value.as_deref())),
        );
        self.append(&bytes)?;
        for c in changes {
            let size = (c.key.len() + c.value.as_ref().map_or(0, String::len)) as i64
                - c.previous
                    .as_ref()
                    .map_or(0, |p| (c.key.len() + p.len()) as i64);
            self.records_bytes = self.records_bytes.saturating_add_signed(size);
        }
        if self.journal_len > self.compact_after && self.journal_len > 2 * self.records_bytes {
            // The batch is durable already; a failed compaction only means
            // the journal stays long.
            let _ = self.compact();
        }
        Ok(())
    }
}

impl Storage for DiskStorage {
    async fn commit(&mut self, batch: &Batch) -> Result<(), StoreError> {
        let changes = self.records.apply_ops(&batch.ops);
        match self.write_changes(&changes) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.records.undo(changes);
                Err(e)
            }
        }
    }

    async fn load(&mut self) -> Result<DurableState, StoreError> {
        self.records.state()
    }

    async fn replace(&mut self, state: &DurableState) -> Result<(), StoreError> {
        let previous = std::mem::replace(&mut self.records, RecordSet::from_state(state));
        match self.compact() {
            Ok(()) => Ok(()),
            Err(e) => {
                self.records = previous;
                Err(e)
            }
        }
    }

    fn describe(&self) -> String {
        format!("directory {}", self.dir.display())
    }
}
