//! queue.bind/unbind and exchange.bind/unbind.
//!
//! Binding is idempotent (the same source, destination, key and arguments
//! make one binding) and unbinding forgives: unbinding something that does
//! not exist, even from an exchange that does not exist, succeeds. Binding
//! to a missing end is 404, the source exchange reported first.

use crate::engine::broker::{destination_kind, Broker};
use crate::engine::durable::DurableOp;
use crate::engine::error::{AmqpError, CommandError};
use crate::engine::event::{EventKind, UnbindReason};
use crate::engine::exchange::{headers, topic_trie, Binding, Destination, ExchangeType};
use crate::engine::ids::{BindingId, ChannelId, ConnId, ExchangeId};
use crate::engine::method::MethodId;
use crate::engine::methods::exchange::default_exchange_refused;
use crate::engine::methods::{check_shortstr, check_table};
use crate::engine::value::FieldTable;
use std::rc::Rc;

/// What a bind or unbind names: a destination (queue or exchange) by name.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'a> {
    Queue(&'a str),
    Exchange(&'a str),
}

impl Broker {
    /// queue.bind/unbind and exchange.bind/unbind (`method` says which).
    pub(crate) fn binding_method(
        &mut self,
        ch: ChannelId,
        method: MethodId,
        target: Target<'_>,
        source: &str,
        routing_key: &str,
        arguments: FieldTable,
    ) -> Result<(), CommandError> {
        let (Target::Queue(dest) | Target::Exchange(dest)) = target;
        check_shortstr("destination name", dest)?;
        check_shortstr("source exchange name", source)?;
        check_shortstr("routing key", routing_key)?;
        check_table("arguments", &arguments)?;
        let bind = method == MethodId::QUEUE_BIND || method == MethodId::EXCHANGE_BIND;
        self.on_channel(ch, method, |b, ch, conn| {
            // An empty queue name means the channel's last declared queue; if
            // the routing key is empty too, it becomes that name as well.
            let (target_name, key): (Rc<str>, Rc<str>) = match target {
                Target::Queue(q) => {
                    let name = b.expand_queue_name(ch, q)?;
                    let key = if q.is_empty() && routing_key.is_empty() {
                        name.clone()
                    } else {
                        Rc::from(routing_key)
                    };
                    (name, key)
                }
                Target::Exchange(x) => (Rc::from(x), Rc::from(routing_key)),
            };
            if matches!(target, Target::Exchange(_)) && target_name.is_empty() {
                return Err(default_exchange_refused());
            }
            if source.is_empty() {
                return Err(default_exchange_refused());
            }
            if bind {
                b.bind(
                    conn,
                    matches!(target, Target::Queue(_)),
                    &target_name,
                    source,
                    key,
                    arguments,
                )
            } else {
                b.unbind(
                    conn,
                    matches!(target, Target::Queue(_)),
                    &target_name,
                    source,
                    &key,
                    &arguments,
                )
            }
        })
    }

    fn resolve_destination(&self, is_queue: bool, name: &str) -> Result<Destination, AmqpError> {
        if is_queue {
            self.queue_or_404(name).map(Destination::Queue)
        } else {
            self.exchange_or_404(name).map(Destination::Exchange)
        }
    }

    fn bind(
        &mut self,
        conn: ConnId,
        is_queue: bool,
        target: &str,
        source: &str,
        key: Rc<str>,
        args: FieldTable,
    ) -> Result<(), AmqpError> {
        let source_id = self.exchange_or_404(source)?;
        let destination = self.resolve_destination(is_queue, target)?;
        let x = &self.exchanges[&source_id];
        if x.kind == ExchangeType::Headers {
            headers::validate_binding(&args).map_err(AmqpError::precondition_failed)?;
        }
        if x.kind == ExchangeType::Topic {
            if let Some(max) = self.config.profile.topic_hash_words_max() {
                let hashes = topic_trie::words(&key)
                    .iter()
                    .filter(|w| **w == "#")
                    .count();
                if hashes > max {
                    return Err(AmqpError::precondition_failed(format!(
                        "binding key '{key}' has {hashes} '#' wildcards: at most {max} are allowed"
                    )));
                }
            }
        }
        if let Destination::Queue(q) = destination {
            self.check_exclusive_access(q, conn)?;
        }
        if x.find_binding(destination, &key, &args).is_some() {
            return Ok(());
        }
        let id = BindingId(self.take_id());
        let binding = Binding {
            id,
            destination,
            key: key.clone(),
            args: args.clone(),
        };
        if let Some(x) = self.exchanges.get_mut(&source_id) {
            x.add_binding(binding.clone());
        }
        if let Some(db) = self
            .exchanges
            .get(&source_id)
            .and_then(|x| self.stored_binding(x, &binding))
        {
            self.record(DurableOp::PutBinding(db));
        }
        self.bound_to
            .entry(destination)
            .or_default()
            .insert((source_id, id));
        let source_name = self.exchanges[&source_id].name.clone();
        let destination_name = self.destination_name(destination);
        self.emit(EventKind::BindingAdded {
            source: source_name,
            destination: destination_name,
            destination_kind: destination_kind(destination),
            key,
            arguments: args,
        });
        Ok(())
    }

    fn unbind(
        &mut self,
        conn: ConnId,
        is_queue: bool,
        target: &str,
        source: &str,
        key: &str,
        args: &FieldTable,
    ) -> Result<(), AmqpError> {
        let Some(source_id) = self.exchange_id(source) else {
            return Ok(());
        };
        let Ok(destination) = self.resolve_destination(is_queue, target) else {
            return Ok(());
        };
        let Some(binding) = self.exchanges[&source_id].find_binding(destination, key, args) else {
            return Ok(());
        };
        if let Destination::Queue(q) = destination {
            self.check_exclusive_access(q, conn)?;
        }
        self.remove_binding(source_id, binding, UnbindReason::Client);
        self.maybe_auto_delete_exchange(source_id);
        Ok(())
    }

    /// Removes one binding and logs it.
    pub(crate) fn remove_binding(
        &mut self,
        source: ExchangeId,
        id: BindingId,
        reason: UnbindReason,
    ) {
        let stored = self
            .exchanges
            .get(&source)
            .and_then(|x| x.binding(id).and_then(|b| self.stored_binding(x, b)));
        let Some(x) = self.exchanges.get_mut(&source) else {
            return;
        };
        let Some(binding) = x.remove_binding(id) else {
            return;
        };
        let source_name = x.name.clone();
        if let Some(db) = stored {
            self.record(DurableOp::DeleteBinding(db));
        }
        if let Some(set) = self.bound_to.get_mut(&binding.destination) {
            set.remove(&(source, id));
            if set.is_empty() {
                self.bound_to.remove(&binding.destination);
            }
        }
        let destination_name = self.destination_name(binding.destination);
        self.emit(EventKind::BindingRemoved {
            source: source_name,
            destination: destination_name,
            destination_kind: destination_kind(binding.destination),
            key: binding.key,
            arguments: binding.args,
            reason,
        });
    }
}
