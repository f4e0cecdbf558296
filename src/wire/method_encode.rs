//! Writing a method: its class and method id, then its arguments in the
//! specification's order, as RabbitMQ's generated encoder writes them
//! (reserved fields as 0 or empty, unused bits as 0).

use crate::engine::method::{Close, ExchangeBind};
use crate::wire::error::EncodeError;
use crate::wire::field_table::encode_table;
use crate::wire::method::{Tune, WireMethod};
use crate::wire::primitives::WireWriter;

fn close(w: &mut WireWriter<'_>, close: &Close) -> Result<(), EncodeError> {
    w.short(close.reply_code);
    w.shortstr("reply-text", close.reply_text.as_bytes())?;
    w.short(close.class_id);
    w.short(close.method_id);
    Ok(())
}

fn tune(w: &mut WireWriter<'_>, tune: &Tune) {
    w.short(tune.channel_max);
    w.long(tune.frame_max);
    w.short(tune.heartbeat);
}

fn exchange_bind(w: &mut WireWriter<'_>, bind: &ExchangeBind) -> Result<(), EncodeError> {
    w.short(0);
    w.shortstr("destination", bind.destination.as_bytes())?;
    w.shortstr("source", bind.source.as_bytes())?;
    w.shortstr("routing-key", bind.routing_key.as_bytes())?;
    w.bits(&[bind.no_wait]);
    encode_table(&bind.arguments, w)
}

impl WireMethod {
    /// Appends the method frame's payload: ids, then arguments. On error
    /// the buffer may hold part of it (`encode_method_frame` undoes that).
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let id = self.id();
        let w = &mut WireWriter::new(out);
        w.short(id.class_id);
        w.short(id.method_id);
        self.encode_arguments(w)
    }

    fn encode_arguments(&self, w: &mut WireWriter<'_>) -> Result<(), EncodeError> {
        match self {
            WireMethod::ConnectionStart(start) => {
                w.octet(start.version_major);
                w.octet(start.version_minor);
                encode_table(&start.server_properties, w)?;
                w.longstr("mechanisms", start.mechanisms.as_bytes())?;
                w.longstr("locales", start.locales.as_bytes())?;
            }
            WireMethod::ConnectionStartOk(start_ok) => {
                encode_table(&start_ok.client_properties, w)?;
                w.shortstr("mechanism", start_ok.mechanism.as_bytes())?;
                w.longstr("response", &start_ok.response)?;
                w.shortstr("locale", start_ok.locale.as_bytes())?;
            }
            WireMethod::ConnectionSecure { challenge } => w.longstr("challenge", challenge)?,
            WireMethod::ConnectionSecureOk { response } => w.longstr("response", response)?,
            WireMethod::ConnectionTune(t) | WireMethod::ConnectionTuneOk(t) => tune(w, t),
            WireMethod::ConnectionOpen(open) => {
                w.shortstr("virtual-host", open.virtual_host.as_bytes())?;
                w.shortstr("capabilities", b"")?;
                w.bits(&[false]);
            }
            WireMethod::ConnectionOpenOk => w.shortstr("known-hosts", b"")?,
            WireMethod::ConnectionClose(c) | WireMethod::ChannelClose(c) => close(w, c)?,
            WireMethod::ConnectionBlocked { reason } => w.shortstr("reason", reason.as_bytes())?,
            WireMethod::ConnectionUpdateSecret(update) => {
                w.longstr("new-secret", &update.new_secret)?;
                w.shortstr("reason", update.reason.as_bytes())?;
            }
            WireMethod::ChannelOpen => w.shortstr("out-of-band", b"")?,
            WireMethod::ChannelOpenOk => w.longstr("channel-id", b"")?,
            WireMethod::ChannelFlow { active } | WireMethod::ChannelFlowOk { active } => {
                w.bits(&[*active])
            }
            WireMethod::AccessRequest(request) => {
                w.shortstr("realm", request.realm.as_bytes())?;
                w.bits(&[
                    request.exclusive,
                    request.passive,
                    request.active,
                    request.write,
                    request.read,
                ]);
            }
            WireMethod::AccessRequestOk { ticket } => w.short(*ticket),
            WireMethod::ExchangeDeclare(declare) => {
                w.short(0);
                w.shortstr("exchange", declare.exchange.as_bytes())?;
                w.shortstr("type", declare.exchange_type.as_bytes())?;
                w.bits(&[
                    declare.passive,
                    declare.durable,
                    declare.auto_delete,
                    declare.internal,
                    declare.no_wait,
                ]);
                encode_table(&declare.arguments, w)?;
            }
            WireMethod::ExchangeDelete(delete) => {
                w.short(0);
                w.shortstr("exchange", delete.exchange.as_bytes())?;
                w.bits(&[delete.if_unused, delete.no_wait]);
            }
            WireMethod::ExchangeBind(bind) | WireMethod::ExchangeUnbind(bind) => {
                exchange_bind(w, bind)?
            }
            WireMethod::QueueDeclare(declare) => {
                w.short(0);
                w.shortstr("queue", declare.queue.as_bytes())?;
                w.bits(&[
                    declare.passive,
                    declare.durable,
                    declare.exclusive,
                    declare.auto_delete,
                    declare.no_wait,
                ]);
                encode_table(&declare.arguments, w)?;
            }
            WireMethod::QueueDeclareOk {
                queue,
                message_count,
                consumer_count,
            } => {
                w.shortstr("queue", queue.as_bytes())?;
                w.long(*message_count);
                w.long(*consumer_count);
            }
            WireMethod::QueueBind(bind) => {
                w.short(0);
                w.shortstr("queue", bind.queue.as_bytes())?;
                w.shortstr("exchange", bind.exchange.as_bytes())?;
                w.shortstr("routing-key", bind.routing_key.as_bytes())?;
                w.bits(&[bind.no_wait]);
                encode_table(&bind.arguments, w)?;
            }
            WireMethod::QueuePurge(purge) => {
                w.short(0);
                w.shortstr("queue", purge.queue.as_bytes())?;
                w.bits(&[purge.no_wait]);
            }
            WireMethod::QueuePurgeOk { message_count }
            | WireMethod::QueueDeleteOk { message_count } => w.long(*message_count),
            WireMethod::QueueDelete(delete) => {
                w.short(0);
                w.shortstr("queue", delete.queue.as_bytes())?;
                w.bits(&[delete.if_unused, delete.if_empty, delete.no_wait]);
            }
            WireMethod::QueueUnbind(unbind) => {
                w.short(0);
                w.shortstr("queue", unbind.queue.as_bytes())?;
                w.shortstr("exchange", unbind.exchange.as_bytes())?;
                w.shortstr("routing-key", unbind.routing_key.as_bytes())?;
                encode_table(&unbind.arguments, w)?;
            }
            WireMethod::BasicQos(qos) => {
                w.long(qos.prefetch_size);
                w.short(qos.prefetch_count);
                w.bits(&[qos.global]);
            }
            WireMethod::BasicConsume(consume) => {
                w.short(0);
                w.shortstr("queue", consume.queue.as_bytes())?;
                w.shortstr("consumer-tag", consume.consumer_tag.as_bytes())?;
                w.bits(&[
                    consume.no_local,
                    consume.no_ack,
                    consume.exclusive,
                    consume.no_wait,
                ]);
                encode_table(&consume.arguments, w)?;
            }
            WireMethod::BasicConsumeOk { consumer_tag }
            | WireMethod::BasicCancelOk { consumer_tag } => {
                w.shortstr("consumer-tag", consumer_tag.as_bytes())?
            }
            WireMethod::BasicCancel(cancel) => {
                w.shortstr("consumer-tag", cancel.consumer_tag.as_bytes())?;
                w.bits(&[cancel.no_wait]);
            }
            WireMethod::BasicPublish(publish) => {
                w.short(0);
                w.shortstr("exchange", publish.exchange.as_bytes())?;
                w.shortstr("routing-key", publish.routing_key.as_bytes())?;
                w.bits(&[publish.mandatory, publish.immediate]);
            }
            WireMethod::BasicReturn(ret) => {
                w.short(ret.reply_code);
                w.shortstr("reply-text", ret.reply_text.as_bytes())?;
                w.shortstr("exchange", ret.exchange.as_bytes())?;
                w.shortstr("routing-key", ret.routing_key.as_bytes())?;
            }
            WireMethod::BasicDeliver(deliver) => {
                w.shortstr("consumer-tag", deliver.consumer_tag.as_bytes())?;
                w.longlong(deliver.delivery_tag);
                w.bits(&[deliver.redelivered]);
                w.shortstr("exchange", deliver.exchange.as_bytes())?;
                w.shortstr("routing-key", deliver.routing_key.as_bytes())?;
            }
            WireMethod::BasicGet(get) => {
                w.short(0);
                w.shortstr("queue", get.queue.as_bytes())?;
                w.bits(&[get.no_ack]);
            }
            WireMethod::BasicGetOk(get_ok) => {
                w.longlong(get_ok.delivery_tag);
                w.bits(&[get_ok.redelivered]);
                w.shortstr("exchange", get_ok.exchange.as_bytes())?;
                w.shortstr("routing-key", get_ok.routing_key.as_bytes())?;
                w.long(get_ok.message_count);
            }
            WireMethod::BasicGetEmpty => w.shortstr("cluster-id", b"")?,
            WireMethod::BasicAck(ack) => {
                w.longlong(ack.delivery_tag);
                w.bits(&[ack.multiple]);
            }
            WireMethod::BasicReject(reject) => {
                w.longlong(reject.delivery_tag);
                w.bits(&[reject.requeue]);
            }
            WireMethod::BasicRecoverAsync(recover) | WireMethod::BasicRecover(recover) => {
                w.bits(&[recover.requeue])
            }
            WireMethod::BasicNack(nack) => {
                w.longlong(nack.delivery_tag);
                w.bits(&[nack.multiple, nack.requeue]);
            }
            WireMethod::ConfirmSelect { no_wait } => w.bits(&[*no_wait]),
            WireMethod::ConnectionCloseOk
            | WireMethod::ConnectionUnblocked
            | WireMethod::ConnectionUpdateSecretOk
            | WireMethod::ChannelCloseOk
            | WireMethod::ExchangeDeclareOk
            | WireMethod::ExchangeDeleteOk
            | WireMethod::ExchangeBindOk
            | WireMethod::ExchangeUnbindOk
            | WireMethod::QueueBindOk
            | WireMethod::QueueUnbindOk
            | WireMethod::BasicQosOk
            | WireMethod::BasicRecoverOk
            | WireMethod::ConfirmSelectOk
            | WireMethod::TxSelect
            | WireMethod::TxSelectOk
            | WireMethod::TxCommit
            | WireMethod::TxCommitOk
            | WireMethod::TxRollback
            | WireMethod::TxRollbackOk => {}
        }
        Ok(())
    }
}
