//! exchange.declare and exchange.delete.

use crate::engine::broker::Broker;
use crate::engine::durable::DurableOp;
use crate::engine::error::{AmqpError, CommandError, ReplyCode};
use crate::engine::event::{EventKind, ExchangeDeleteReason, UnbindReason};
use crate::engine::exchange::{Destination, Exchange, ExchangeType};
use crate::engine::ids::{ChannelId, ExchangeId};
use crate::engine::method::{ExchangeDeclare, ExchangeDelete, MethodId};
use crate::engine::methods::{check_shortstr, check_table};
use crate::engine::queue::exchange_resource;
use crate::engine::queue_args;
use crate::engine::value::{FieldTable, FieldValue};
use std::rc::Rc;

pub(crate) fn default_exchange_refused() -> AmqpError {
    AmqpError::access_refused("operation not permitted on the default exchange")
}

impl Broker {
    pub(crate) fn exchange_declare(
        &mut self,
        ch: ChannelId,
        d: ExchangeDeclare,
    ) -> Result<(), CommandError> {
        check_shortstr("exchange name", &d.exchange)?;
        check_shortstr("exchange type", &d.exchange_type)?;
        check_table("arguments", &d.arguments)?;
        self.on_channel(ch, MethodId::EXCHANGE_DECLARE, |b, _ch, _conn| {
            b.declare_exchange(d)
        })
    }

    fn declare_exchange(&mut self, d: ExchangeDeclare) -> Result<(), AmqpError> {
        if d.passive {
            if d.exchange.is_empty() {
                return Err(default_exchange_refused());
            }
            self.exchange_or_404(&d.exchange)?;
            return Ok(());
        }
        // RabbitMQ checks the type before anything else, and an unknown type
        // is a connection error.
        let Some(kind) = ExchangeType::parse(&d.exchange_type) else {
            // RabbitMQ turns the type into an existing Erlang atom first: ''
            // is one (with no exchange module behind it); another unknown
            // name usually is not.
            let word = if d.exchange_type.is_empty() {
                "invalid"
            } else {
                "unknown"
            };
            return Err(AmqpError::new(
                ReplyCode::CommandInvalid,
                format!("{word} exchange type '{}'", d.exchange_type),
            ));
        };
        if d.exchange.is_empty() {
            return Err(default_exchange_refused());
        }
        let resource = exchange_resource(&d.exchange);
        if let Some(x) = self.exchange_by_name(&d.exchange) {
            let mismatch = if x.kind != kind {
                Some(queue_args::flag_mismatch(
                    "type",
                    &resource,
                    kind.name(),
                    x.kind.name(),
                ))
            } else if x.durable != d.durable {
                Some(queue_args::flag_mismatch(
                    "durable", &resource, d.durable, x.durable,
                ))
            } else if x.auto_delete != d.auto_delete {
                Some(queue_args::flag_mismatch(
                    "auto_delete",
                    &resource,
                    d.auto_delete,
                    x.auto_delete,
                ))
            } else if x.internal != d.internal {
                Some(queue_args::flag_mismatch(
                    "internal", &resource, d.internal, x.internal,
                ))
            } else {
                alternate_exchange_mismatch(&x.args, &d.arguments, &resource)
            };
            return match mismatch {
                Some(text) => Err(AmqpError::precondition_failed(text)),
                None => Ok(()),
            };
        }
        if d.exchange.starts_with("amq.") {
            return Err(AmqpError::access_refused(format!(
                "exchange name '{}' contains reserved prefix 'amq.*'",
                d.exchange
            )));
        }
        if let Some(v) = d.arguments.get("alternate-exchange") {
            if !matches!(v, FieldValue::LongStr(_)) {
                return Err(AmqpError::precondition_failed(format!(
                    "invalid type '{}' for arg 'alternate-exchange' in {}",
                    v.type_name(),
                    resource
                )));
            }
        }
        let id = ExchangeId(self.take_id());
        let name: Rc<str> = Rc::from(d.exchange.as_str());
        let mut x = Exchange::new(id, name.clone(), kind);
        x.durable = d.durable;
        x.auto_delete = d.auto_delete;
        x.internal = d.internal;
        x.args = d.arguments.clone();
        self.exchange_names.insert(name.clone(), id);
        if x.durable {
            self.record(DurableOp::PutExchange(Broker::durable_exchange(&x)));
        }
        self.exchanges.insert(id, x);
        self.emit(EventKind::ExchangeDeclared {
            name,
            exchange_type: kind.name(),
            durable: d.durable,
            auto_delete: d.auto_delete,
            internal: d.internal,
            arguments: d.arguments,
        });
        Ok(())
    }

    pub(crate) fn exchange_or_404(&self, name: &str) -> Result<ExchangeId, AmqpError> {
        self.exchange_id(name)
            .ok_or_else(|| AmqpError::not_found(format!("no {}", exchange_resource(name))))
    }

    /// exchange.delete. Deleting an exchange that does not exist succeeds.
    pub(crate) fn exchange_delete(
        &mut self,
        ch: ChannelId,
        d: ExchangeDelete,
    ) -> Result<(), CommandError> {
        let (exchange, if_unused) = (d.exchange.as_str(), d.if_unused);
        check_shortstr("exchange name", exchange)?;
        self.on_channel(ch, MethodId::EXCHANGE_DELETE, |b, _ch, _conn| {
            if exchange.is_empty() {
                return Err(default_exchange_refused());
            }
            if exchange.starts_with("amq.") {
                return Err(AmqpError::access_refused(format!(
                    "deletion of system {} not allowed",
                    exchange_resource(exchange)
                )));
            }
            let Some(id) = b.exchange_id(exchange) else {
                return Ok(());
            };
            if if_unused && b.exchanges[&id].binding_count() > 0 {
                return Err(AmqpError::precondition_failed(format!(
                    "{} in use",
                    exchange_resource(exchange)
                )));
            }
            b.delete_exchange(id, ExchangeDeleteReason::Client);
            Ok(())
        })
    }

    /// Deletes an exchange with the bindings from it and to it; removing the
    /// bindings to it may auto-delete their sources in turn.
    pub(crate) fn delete_exchange(&mut self, id: ExchangeId, reason: ExchangeDeleteReason) {
        let Some(x) = self.exchanges.get(&id) else {
            return;
        };
        let outgoing: Vec<_> = x.bindings().map(|b| b.id).collect();
        for b in outgoing {
            self.remove_binding(id, b, UnbindReason::EndDeleted);
        }
        if let Some(incoming) = self.bound_to.remove(&Destination::Exchange(id)) {
            for (source, b) in incoming {
                self.remove_binding(source, b, UnbindReason::EndDeleted);
                if source != id {
                    self.maybe_auto_delete_exchange(source);
                }
            }
        }
        if let Some(x) = self.exchanges.remove(&id) {
            self.exchange_names.remove(&x.name);
            if x.durable {
                self.record(DurableOp::DeleteExchange {
                    name: x.name.to_string(),
                });
            }
            self.emit(EventKind::ExchangeDeleted {
                name: x.name,
                reason,
            });
        }
    }

    /// An auto-delete exchange goes when its last binding (as a source) goes.
    pub(crate) fn maybe_auto_delete_exchange(&mut self, id: ExchangeId) {
        if self
            .exchanges
            .get(&id)
            .is_some_and(|x| x.auto_delete && x.binding_count() == 0)
        {
            self.delete_exchange(id, ExchangeDeleteReason::AutoDelete);
        }
    }
}

/// Exchanges compare only the `alternate-exchange` argument on redeclare.
fn alternate_exchange_mismatch(
    current: &FieldTable,
    received: &FieldTable,
    resource: &str,
) -> Option<String> {
    let key = "alternate-exchange";
    let (cur, new) = (current.get(key), received.get(key));
    if cur == new {
        return None;
    }
    let alone = |v: Option<&FieldValue>| match v {
        None => "none".to_string(),
        Some(v) => format!("the value '{}' of type '{}'", v, v.type_name()),
    };
    let (r, c) = match (new, cur) {
        (Some(n), Some(c)) => (format!("'{n}'"), format!("'{c}'")),
        (n, c) => (alone(n), alone(c)),
    };
    Some(format!(
        "inequivalent arg '{key}' for {resource}: received {r} but current is {c}"
    ))
}
