//! Writing durable changes in batches, and confirms that mean "on disk".
//!
//! Every durable change is recorded as an op in the open batch. The first op
//! of a batch schedules a commit tick `commit_interval_ms` later (RabbitMQ
//! syncs its message store and queue index in batches rather than per
//! message). At the tick the batch is sealed; it commits either at once
//! (`Durability::Internal`) or when the host says its store wrote it
//! (`Durability::External`). Publisher confirms for persistent messages in
//! durable queues wait for the batch that holds them: the event log shows the
//! window (`ConfirmPending` … `BatchCommitted` … `Confirmed`). If the store
//! fails the batch, those publishers get nacks, as RabbitMQ nacks on an
//! internal error, and the broker carries on.

use crate::engine::broker::{Broker, Timer};
use crate::engine::durable::{Batch, Durability, DurableOp};
use crate::engine::event::EventKind;
use crate::engine::ids::ChannelId;
use std::collections::BTreeMap;

impl Broker {
    /// Records a durable change in the open batch.
    pub(crate) fn record(&mut self, op: DurableOp) {
        if self.open_ops.is_empty() {
            self.schedule_commit();
        }
        self.open_ops.push(op);
    }

    /// Makes sure a commit tick comes `commit_interval_ms` from now (once).
    fn schedule_commit(&mut self) {
        if !self.commit_scheduled {
            let at = self
                .clock
                .now()
                .saturating_add(self.config.commit_interval_ms);
            self.commit_scheduled = true;
            self.schedule_timer(at, Timer::Commit);
        }
    }

    /// The id the open batch will have when sealed.
    pub(crate) fn open_batch_id(&self) -> u64 {
        self.next_batch_id
    }

    /// A confirm that waits for the open batch to commit.
    pub(crate) fn confirm_after_commit(&mut self, channel: ChannelId, seq: u64) {
        let batch = self.open_batch_id();
        self.awaiting_commit
            .entry(batch)
            .or_default()
            .push((channel, seq));
        // Make sure a commit tick will come even if this publish recorded
        // nothing new (its ops are in the open batch already).
        self.schedule_commit();
        self.emit(EventKind::ConfirmPending {
            channel,
            seq,
            batch,
        });
    }

    /// The commit tick: seal the open batch.
    pub(crate) fn commit_tick(&mut self) {
        self.commit_scheduled = false;
        self.seal();
    }

    /// Seals the open batch (even an empty one that confirms wait on).
    /// Returns its id, if one was sealed.
    pub fn seal(&mut self) -> Option<u64> {
        let id = self.next_batch_id;
        if self.open_ops.is_empty() && !self.awaiting_commit.contains_key(&id) {
            return None;
        }
        self.next_batch_id += 1;
        let batch = Batch {
            id,
            ops: std::mem::take(&mut self.open_ops),
        };
        self.emit(EventKind::BatchSealed {
            batch: id,
            ops: batch.ops.len() as u64,
        });
        match self.config.durability {
            Durability::Internal => {
                self.committed.apply_batch(&batch);
                if self.config.retain_committed_batches {
                    self.committed_out.push(batch.clone());
                }
                self.finish_batch(id, Ok(()));
            }
            Durability::External => {
                self.in_flight.insert(id, batch.clone());
                self.sealed.push(batch);
            }
        }
        Some(id)
    }

    /// Sealed batches for the host to write, oldest first (`External`).
    pub fn take_sealed_batches(&mut self) -> Vec<Batch> {
        std::mem::take(&mut self.sealed)
    }

    /// Batches committed internally since the last call, for the host to
    /// copy to a store (`retain_committed_batches`).
    pub fn take_committed_batches(&mut self) -> Vec<Batch> {
        std::mem::take(&mut self.committed_out)
    }

    /// Whether batches are sealed and not yet handed to the host.
    pub fn has_sealed_batches(&self) -> bool {
        !self.sealed.is_empty()
    }

    /// The host's report on a batch it was given. `Err` means nothing of the
    /// batch is durable: its confirms become nacks.
    pub fn batch_committed(&mut self, batch: u64, result: Result<(), String>) {
        self.finish_batch(batch, result);
    }

    fn finish_batch(&mut self, batch: u64, result: Result<(), String>) {
        let ack = result.is_ok();
        // With external durability the engine mirrors what the host's store
        // committed, so a restart can boot from it.
        if let Some(written) = self.in_flight.remove(&batch) {
            if ack {
                self.committed.apply_batch(&written);
            }
        }
        match result {
            Ok(()) => self.emit(EventKind::BatchCommitted { batch }),
            Err(reason) => self.emit(EventKind::BatchFailed { batch, reason }),
        }
        let mut by_channel: BTreeMap<ChannelId, Vec<u64>> = BTreeMap::new();
        for (channel, seq) in self.awaiting_commit.remove(&batch).unwrap_or_default() {
            if self.channels.get(&channel).is_some_and(|c| c.open) {
                by_channel.entry(channel).or_default().push(seq);
            }
        }
        for (channel, seqs) in by_channel {
            self.send_confirms(channel, seqs, ack);
        }
    }

    /// Confirms (or nacks) `seqs` on a channel the way RabbitMQ's
    /// `coalesce_and_send` does: the ones below the channel's smallest
    /// still-unconfirmed publish go out as one `multiple` confirm of the
    /// last of them (a lone one without `multiple`); the rest one by one.
    fn send_confirms(&mut self, channel: ChannelId, mut seqs: Vec<u64>, ack: bool) {
        seqs.sort_unstable();
        seqs.dedup();
        let Some(&last) = seqs.last() else {
            return;
        };
        let cutoff = self
            .awaiting_commit
            .values()
            .flatten()
            .filter(|(c, _)| *c == channel)
            .map(|(_, s)| *s)
            .min()
            .unwrap_or(last + 1);
        let below = seqs.partition_point(|s| *s < cutoff);
        if below > 0 {
            self.confirm(channel, seqs[below - 1], below > 1, ack);
        }
        for &seq in &seqs[below..] {
            self.confirm(channel, seq, false, ack);
        }
    }

    /// Ops recorded but not yet sealed (lost in a crash).
    pub fn uncommitted_ops(&self) -> usize {
        self.open_ops.len()
    }

    /// Publishes on `channel` whose confirm waits for a batch to commit
    /// (`rabbitmqctl list_channels messages_unconfirmed`).
    pub fn unconfirmed_count(&self, channel: ChannelId) -> u64 {
        self.awaiting_commit
            .values()
            .flatten()
            .filter(|(c, _)| *c == channel)
            .count() as u64
    }
}
