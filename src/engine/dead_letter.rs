//! Dead-lettering: what happens to a message that dies in a queue.
//!
//! A message dies when it is rejected (nack/reject with requeue=false), when
//! its TTL runs out at the head of the queue, or when a full queue pushes it
//! out (`maxlen`). If the queue has `x-dead-letter-exchange`, the message is
//! republished there: with `x-dead-letter-routing-key` as its routing key if
//! set, otherwise with its own keys, its `expiration` removed, and an
//! `x-death` header recording the death. Otherwise (or if that exchange does
//! not exist) it is gone.
//!
//! `x-death` (RabbitMQ 3.10): one entry per (queue, reason), most recent
//! first; dying again for the same queue and reason only increments that
//! entry's `count` and moves it to the front. `x-first-death-queue`,
//! `-reason` and `-exchange` are set once. (`x-last-death-*` arrived in
//! 3.13; the `rabbitmq-4.3` profile adds them.)
//!
//! Cycles: a message that would return to a queue it already died in, with
//! no rejection along the way, is not delivered there (it would loop
//! forever); a rejection in the cycle means a client is involved, and the
//! message keeps going.
//!
//! Quorum queues (RabbitMQ 3.10.8's `rabbit_fifo_dlx`): `x-dead-letter-strategy:
//! at-least-once` takes effect only with a dead-letter exchange and
//! `x-overflow: reject-publish` (otherwise RabbitMQ logs a warning and uses
//! `at-most-once`, the classic behaviour above). A dead-letter worker then
//! forwards each dead letter; one it cannot forward (the exchange is
//! missing, it routes to no queue, or only into a cycle) is not dropped but
//! kept with its queue (`Queue::dead_letter_held`): not ready, yet counted
//! towards `x-max-length`/`-bytes` (`rabbit_fifo:is_over_limit`), and sent
//! again every 180 s (`dead_letter_worker_publisher_confirm_timeout`).
//! Deleting the queue discards them.
//!
//! Dead-lettering can cascade (the dead-letter queue may be full and
//! dead-letter in turn), so dying messages wait in a work list and are
//! settled iteratively, never by recursion.

use crate::engine::broker::{Broker, Timer};
use crate::engine::durable::{DurableDeadLetter, DurableOp};
use crate::engine::event::{DeadFate, DeathReason, EventKind};
use crate::engine::ids::QueueId;
use crate::engine::message::{MessageRef, Properties};
use crate::engine::value::{FieldTable, FieldValue};
use std::rc::Rc;

/// How often RabbitMQ 3.10.8's dead-letter worker retries what it could
/// not forward (`dead_letter_worker_publisher_confirm_timeout`, ms).
pub(crate) const DEAD_LETTER_RETRY_MS: u64 = 180_000;

/// A message that died and waits to be dead-lettered or dropped.
#[derive(Clone, Debug)]
pub(crate) struct Dying {
    pub queue_name: Rc<str>,
    pub msg: MessageRef,
    pub reason: DeathReason,
    /// The queue's dead-letter settings at the time of death.
    pub dlx: Option<Rc<str>>,
    pub dlrk: Option<Rc<str>>,
    /// The quorum queue it died in, if that queue dead-letters
    /// `at-least-once` (not for `maxlen`, which that strategy never causes):
    /// a message that cannot be forwarded yet goes back to it.
    pub held_by: Option<QueueId>,
}

impl Broker {
    /// A message died in `queue`: queue it for dead-lettering.
    pub(crate) fn kill(&mut self, queue: QueueId, msg: MessageRef, reason: DeathReason) {
        let Some(q) = self.queues.get(&queue) else {
            return;
        };
        self.dying.push_back(Dying {
            queue_name: q.name.clone(),
            msg,
            reason,
            dlx: q.settings.dead_letter_exchange.clone(),
            dlrk: q.settings.dead_letter_routing_key.clone(),
            held_by: (q.settings.dead_letter_at_least_once && reason != DeathReason::Maxlen)
                .then_some(queue),
        });
    }

    /// `at-least-once`: a dead letter that reached no queue stays with the
    /// quorum queue it died in; the dead-letter worker tries again every
    /// `dead_letter_worker_publisher_confirm_timeout` (180 s in 3.10.8).
    fn hold(&mut self, queue: QueueId, d: Dying, dlx: &str) {
        let now = self.clock.now();
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        let first = q.dead_letter_held.is_empty();
        let (message, queue_name, reason) = (d.msg.id(), d.queue_name.clone(), d.reason);
        let stored = q.stores_message(&d.msg).then(|| DurableOp::HoldDeadLetter {
            queue: queue_name.to_string(),
            letter: DurableDeadLetter::from_dying(&d),
        });
        q.dead_letter_held.push_back(d);
        if let Some(op) = stored {
            self.record(op);
        }
        self.emit(EventKind::MessageDead {
            message,
            queue_name,
            reason,
            fate: DeadFate::Held {
                dlx: dlx.to_string(),
            },
        });
        if first {
            self.schedule_timer(
                now.saturating_add(DEAD_LETTER_RETRY_MS),
                Timer::DeadLetterRetry(queue),
            );
        }
    }

    /// The dead-letter worker's retry: every held dead letter of `queue`
    /// is forwarded again; those that still reach no queue stay held.
    pub(crate) fn retry_held_dead_letters(&mut self, queue: QueueId) {
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        let held = std::mem::take(&mut q.dead_letter_held);
        let name = q.name.to_string();
        if self.stores_queue(queue) && !held.is_empty() {
            self.record(DurableOp::ReleaseDeadLetters { queue: name });
        }
        self.dying.extend(held);
        self.settle_dying();
    }

    /// Dead-letters or drops every dying message, including those that die
    /// while doing so.
    pub(crate) fn settle_dying(&mut self) {
        if self.dead_lettering {
            return;
        }
        self.dead_lettering = true;
        while let Some(d) = self.dying.pop_front() {
            self.dead_letter(d);
        }
        self.dead_lettering = false;
    }

    fn dead_letter(&mut self, d: Dying) {
        let (message, queue_name, reason) = (d.msg.id(), d.queue_name.clone(), d.reason);
        let Some(dlx) = d.dlx.clone() else {
            self.emit(EventKind::MessageDead {
                message,
                queue_name,
                reason,
                fate: DeadFate::Dropped,
            });
            return;
        };
        if !dlx.is_empty() && self.exchange_id(&dlx).is_none() {
            if let Some(queue) = d.held_by {
                self.hold(queue, d, &dlx);
                return;
            }
            self.emit(EventKind::MessageDead {
                message,
                queue_name,
                reason,
                fate: DeadFate::DlxMissing {
                    dlx: dlx.to_string(),
                },
            });
            return;
        }
        let dead = self.dead_letter_copy(&d, &dlx);
        let mut keys = vec![dead.routing_key.clone()];
        keys.extend(dead.cc.iter().cloned());
        let routed = self.route(&dlx, &keys, dead.properties.headers.as_ref(), false);
        let x_death = dead.properties.header("x-death").cloned();
        let (mut targets, mut cycle_dropped) = (Vec::new(), Vec::new());
        for q in routed.queues {
            let name = self
                .queues
                .get(&q)
                .map(|q| q.name.clone())
                .unwrap_or_else(|| Rc::from(""));
            if is_cycle(x_death.as_ref(), &name) {
                cycle_dropped.push(name.to_string());
            } else {
                targets.push((q, name));
            }
        }
        if let (Some(queue), true) = (d.held_by, targets.is_empty()) {
            self.hold(queue, d, &dlx);
            return;
        }
        self.emit(EventKind::MessageDead {
            message,
            queue_name,
            reason,
            fate: DeadFate::DeadLettered {
                dlx: dlx.to_string(),
                routing_keys: keys.iter().map(|k| k.to_string()).collect(),
                queues: targets.iter().map(|(_, n)| n.to_string()).collect(),
                cycle_dropped,
            },
        });
        // The dead-lettering queue writes to a stream as a writer of its own.
        let source = self.queue_names.get(&d.queue_name).map_or(0, |id| id.0);
        for (q, _) in targets {
            let writer = crate::engine::stream_segments::Writer::Queue(source);
            self.enqueue(q, dead.clone(), writer);
        }
    }

    /// The message as republished to the dead-letter exchange.
    fn dead_letter_copy(&self, d: &Dying, dlx: &Rc<str>) -> MessageRef {
        let msg = &d.msg;
        let mut properties: Properties = msg.properties.clone();
        let original_expiration = properties.expiration.take();
        let mut headers: FieldTable = properties.headers.take().unwrap_or_default();
        let had_deaths = headers.contains_key("x-death");

        let mut routing_keys = vec![FieldValue::LongStr(msg.routing_key.to_string())];
        routing_keys.extend(msg.cc.iter().map(|k| FieldValue::LongStr(k.to_string())));
        let reason = d.reason.as_str();
        let mut deaths: Vec<FieldValue> = match headers.remove("x-death") {
            Some(FieldValue::Array(items)) => items,
            _ => Vec::new(),
        };
        let existing = deaths.iter().position(|e| match e {
            FieldValue::Table(t) => {
                t.get("queue").and_then(FieldValue::as_str) == Some(&*d.queue_name)
                    && t.get("reason").and_then(FieldValue::as_str) == Some(reason)
            }
            _ => false,
        });
        let entry = match existing {
            Some(i) => {
                let mut e = deaths.remove(i);
                if let FieldValue::Table(t) = &mut e {
                    let count = t.get("count").and_then(FieldValue::as_integer).unwrap_or(0);
                    t.insert("count".into(), FieldValue::Long(count.saturating_add(1)));
                }
                e
            }
            None => {
                let mut t = FieldTable::new();
                t.insert("count".into(), FieldValue::Long(1));
                t.insert("reason".into(), FieldValue::LongStr(reason.into()));
                t.insert(
                    "queue".into(),
                    FieldValue::LongStr(d.queue_name.to_string()),
                );
                t.insert(
                    "time".into(),
                    FieldValue::Timestamp(self.clock.unix_seconds()),
                );
                t.insert(
                    "exchange".into(),
                    FieldValue::LongStr(msg.exchange.to_string()),
                );
                t.insert("routing-keys".into(), FieldValue::Array(routing_keys));
                if let Some(exp) = original_expiration {
                    t.insert("original-expiration".into(), FieldValue::LongStr(exp));
                }
                FieldValue::Table(t)
            }
        };
        deaths.insert(0, entry);
        headers.insert("x-death".into(), FieldValue::Array(deaths));
        // x-first-death-* once; x-last-death-* every time (4.x only).
        for (prefix, set) in [
            ("x-first-death", !had_deaths),
            (
                "x-last-death",
                self.config.profile.adds_last_death_headers(),
            ),
        ] {
            if set {
                for (what, value) in [
                    ("reason", reason.to_string()),
                    ("queue", d.queue_name.to_string()),
                    ("exchange", msg.exchange.to_string()),
                ] {
                    headers.insert(format!("{prefix}-{what}"), FieldValue::LongStr(value));
                }
            }
        }
        let (routing_key, cc) = match &d.dlrk {
            Some(key) => {
                headers.remove("CC");
                (key.clone(), Vec::new())
            }
            None => (msg.routing_key.clone(), msg.cc.clone()),
        };
        properties.headers = Some(headers);
        MessageRef::new(
            msg.id(),
            dlx.clone(),
            routing_key,
            cc,
            properties,
            msg.body(),
        )
    }
}

/// RabbitMQ's cycle rule: `queue` already appears in `x-death` and every
/// death up to (and including) that one was not a rejection.
fn is_cycle(x_death: Option<&FieldValue>, queue: &str) -> bool {
    let Some(FieldValue::Array(deaths)) = x_death else {
        return false;
    };
    for death in deaths {
        let FieldValue::Table(t) = death else {
            return false;
        };
        if t.get("reason").and_then(FieldValue::as_str) == Some("rejected") {
            return false;
        }
        if t.get("queue").and_then(FieldValue::as_str) == Some(queue) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn death(queue: &str, reason: &str) -> FieldValue {
        let mut t = FieldTable::new();
        t.insert("queue".into(), FieldValue::LongStr(queue.into()));
        t.insert("reason".into(), FieldValue::LongStr(reason.into()));
        FieldValue::Table(t)
    }

    #[test]
    fn cycles_without_rejection_are_cut() {
        let deaths = FieldValue::Array(vec![death("b", "expired"), death("a", "expired")]);
        assert!(is_cycle(Some(&deaths), "a"));
        assert!(!is_cycle(Some(&deaths), "c"));
        let with_reject = FieldValue::Array(vec![death("b", "rejected"), death("a", "expired")]);
        assert!(!is_cycle(Some(&with_reject), "a"));
        assert!(!is_cycle(None, "a"));
    }
}
