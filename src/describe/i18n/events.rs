//! The event sentences: one arm per event kind, which works out the pieces
//! both languages need, then gives the English and the Chinese sentence side
//! by side (`tr!`), so a sentence and its translation are edited together.
//! Laid out by hand (`#[rustfmt::skip]` in `mod.rs`): one line per pattern,
//! one line per language.

use super::{format_time, Lang};
use crate::engine::event::*;
use crate::engine::exchange::DestinationKind;
use crate::engine::value::FieldTable;
use crate::sim::{ActorEventKind, Outcome};
use crate::describe::Say;

/// `tr!(lang, en: …, zh: …)`: the English and the Chinese of one sentence
/// (or piece of one); only the language asked for is computed.
macro_rules! tr {
    ($lang:expr, en: $en:expr, zh: $zh:expr $(,)?) => {
        match $lang {
            Lang::En => $en,
            Lang::Zh => $zh,
        }
    };
}

/// `1 message`, `2 messages` (English only: Chinese counts need no plural).
fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Between the properties of one thing (`durable, auto-delete`).
fn props_sep(l: Lang) -> &'static str {
    tr!(l, en: ", ", zh: "，")
}

/// Between names in a list (`'a', 'b'`).
fn names_sep(l: Lang) -> &'static str {
    tr!(l, en: ", ", zh: "、")
}

/// Nothing for an empty list; else `piece` of its items joined with `sep`.
fn listed<S: std::borrow::Borrow<str>>(items: &[S], sep: &str, piece: impl FnOnce(String) -> String) -> String {
    if items.is_empty() {
        String::new()
    } else {
        piece(items.join(sep))
    }
}

/// `'a', 'b'` (`'a'、'b'`).
fn quoted<S: std::fmt::Display>(l: Lang, list: &[S]) -> String {
    list.iter().map(|q| format!("'{q}'")).collect::<Vec<_>>().join(names_sep(l))
}

fn x(l: Lang, name: &str) -> String {
    Say::exchange(name, tr!(l, en: "the default exchange", zh: "默认交换机"))
}

fn err_text(e: &ErrorInfo) -> String {
    format!("{} {}", e.code, e.text)
}

fn args_text(l: Lang, a: &FieldTable) -> String {
    a.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(props_sep(l))
}

/// A prefetch count, 0 being no limit.
fn prefetch(l: Lang, n: u32) -> String {
    if n == 0 {
        tr!(l, en: "unlimited", zh: "不限").to_string()
    } else {
        n.to_string()
    }
}

/// The flags of a declared exchange or queue (`(set, English, Chinese)`),
/// after `first` and its durability; then its arguments.
fn declared(l: Lang, first: Option<&str>, durable: bool, flags: &[(bool, &str, &str)], arguments: &FieldTable) -> String {
    let mut f: Vec<String> = first.into_iter().map(str::to_string).collect();
    let durability = if durable { tr!(l, en: "durable", zh: "持久化") } else { tr!(l, en: "transient", zh: "非持久化") };
    f.push(durability.to_string());
    for (set, en, zh) in flags {
        if *set {
            f.push(tr!(l, en: en, zh: zh).to_string());
        }
    }
    if !arguments.is_empty() {
        f.push(args_text(l, arguments));
    }
    f.join(props_sep(l))
}

/// A binding's destination, in Chinese.
fn kind_zh(kind: DestinationKind) -> &'static str {
    if kind == DestinationKind::Queue {
        "队列"
    } else {
        "交换机"
    }
}

/// The consumers a delivery passed over, and why.
fn skip(l: Lang, skipped: &[(std::rc::Rc<str>, SkipReason)]) -> String {
    let parts: Vec<String> = skipped
        .iter()
        .map(|(tag, why)| match why {
            SkipReason::PrefetchLimit { prefetch } => tr!(l, en: format!("{tag} (prefetch {prefetch} reached)"), zh: format!("{tag}（已达预取上限 {prefetch}）")),
            SkipReason::ChannelPrefetchLimit { limit } => tr!(l, en: format!("{tag} (channel prefetch {limit} reached)"), zh: format!("{tag}（已达信道预取上限 {limit}）")),
            SkipReason::TimedOut { deliveries } => tr!(l, en: format!("{tag} (timed out; {deliveries} deliveries to settle first)"), zh: format!("{tag}（已超时；须先处理 {deliveries} 条超时的投递）")),
        })
        .collect();
    listed(&parts, names_sep(l), |p| tr!(l, en: format!("; skipped {p}"), zh: format!("；跳过了 {p}")))
}

/// The sentence for one broker event.
pub fn event(l: Lang, kind: &EventKind, s: &Say) -> String {
    use EventKind::*;
    match kind {
        BrokerStarted { profile, recovered: false } => tr!(l,
            en: format!("The broker started ({profile})."),
            zh: format!("代理已启动（{profile}）。")),
        BrokerStarted { profile, recovered: true } => tr!(l,
            en: format!("The broker started again ({profile}) and recovered its durable exchanges, queues, bindings and persistent messages."),
            zh: format!("代理重新启动（{profile}），恢复了持久化的交换机、队列、绑定和持久化消息。")),
        BrokerStopped { graceful: true } => tr!(l,
            en: "The broker stopped gracefully: it closed every connection first.",
            zh: "代理正常停止：先关闭了所有连接。").into(),
        BrokerStopped { graceful: false } => tr!(l,
            en: "The broker crashed: it stopped at once.",
            zh: "代理崩溃：立即停止。").into(),
        ConnectionOpened { conn, user, label } => tr!(l,
            en: format!("{label} opened connection {conn} (user '{user}')."),
            zh: format!("{label} 打开了连接 {conn}（用户 '{user}'）。")),
        ConnectionClosed { conn, error: Some(e), .. } => {
            let e = err_text(e);
            tr!(l, en: format!("The broker closed connection {conn}: {e}."), zh: format!("代理关闭了连接 {conn}：{e}。"))
        }
        ConnectionClosed { conn, by: Initiator::Broker, .. } => tr!(l,
            en: format!("The broker closed connection {conn}."),
            zh: format!("代理关闭了连接 {conn}。")),
        ConnectionClosed { conn, .. } => tr!(l,
            en: format!("Connection {conn} closed."),
            zh: format!("连接 {conn} 已关闭。")),
        ChannelOpened { channel, number, .. } => {
            let c = s.chan(*channel);
            tr!(l, en: format!("{c} opened channel {number}."), zh: format!("{c} 打开了信道 {number}。"))
        }
        ChannelClosed { channel, number, error, requeued, .. } => {
            let c = s.chan(*channel);
            let back = if *requeued > 0 {
                tr!(l,
                    en: format!("; {} went back to their queues", plural(*requeued, "unacknowledged message", "unacknowledged messages")),
                    zh: format!("；{requeued} 条未应答的消息回到了各自的队列"))
            } else {
                String::new()
            };
            match error.as_ref().map(err_text) {
                Some(e) => tr!(l,
                    en: format!("The broker closed {c}'s channel {number} with {e}{back}."),
                    zh: format!("代理以 {e} 关闭了 {c} 的信道 {number}{back}。")),
                None => tr!(l,
                    en: format!("{c}'s channel {number} closed{back}."),
                    zh: format!("{c} 的信道 {number} 已关闭{back}。")),
            }
        }
        AckTimedOut { channel, delivery_tag, queue_name, delivered_at, timeout_ms, .. } => {
            let c = s.chan(*channel);
            tr!(l,
                en: format!("Delivery {delivery_tag} from '{queue_name}' on {c}, delivered at {delivered_at} ms, was not acknowledged within the consumer timeout ({timeout_ms} ms)."),
                zh: format!("{c} 上来自 '{queue_name}' 的投递 {delivery_tag}（{delivered_at} ms 时投递）没有在消费者超时（{timeout_ms} ms）内被确认。"))
        }
        ConsumerTimedOut { tag, channel, queue_name, deliveries, cancel_sent, .. } => {
            let c = s.chan(*channel);
            match (tag, cancel_sent) {
                (Some(tag), true) => tr!(l,
                    en: format!("Quorum queue '{queue_name}' took back {deliveries} timed-out deliveries of consumer {tag} on {c} and sent it basic.cancel; it gets no more messages until it settles them."),
                    zh: format!("仲裁队列 '{queue_name}' 收回了 {c} 上消费者 {tag} 的 {deliveries} 条超时投递，并向它发送 basic.cancel；在处理完这些投递之前，它不会再收到消息。")),
                _ => tr!(l,
                    en: format!("Quorum queue '{queue_name}' took back {deliveries} timed-out deliveries on {c}; the broker closes the channel."),
                    zh: format!("仲裁队列 '{queue_name}' 收回了 {c} 上 {deliveries} 条超时投递；代理将关闭该信道。")),
            }
        }
        MethodFailed { channel, method, error, .. } => {
            let (c, e) = (s.chan(*channel), err_text(error));
            tr!(l, en: format!("{method} from {c} failed: {e}."), zh: format!("{c} 调用 {method} 失败：{e}。"))
        }
        ExchangeDeclared { name, exchange_type, durable, auto_delete, internal, arguments } => {
            let flags = [(*auto_delete, "auto-delete", "自动删除"), (*internal, "internal", "内部")];
            let f = declared(l, Some(*exchange_type), *durable, &flags, arguments);
            tr!(l, en: format!("Exchange '{name}' declared: {f}."), zh: format!("已声明交换机 '{name}'：{f}。"))
        }
        ExchangeDeleted { name, reason } => {
            let why = match reason {
                ExchangeDeleteReason::Client => "exchange.delete",
                ExchangeDeleteReason::AutoDelete => tr!(l, en: "auto-delete: its last binding was removed", zh: "自动删除：最后一个绑定被移除"),
                ExchangeDeleteReason::NotDurable => tr!(l, en: "not durable: it did not survive the restart", zh: "非持久化：没能在重启后保留"),
                ExchangeDeleteReason::VhostDeleted => tr!(l, en: "its virtual host was deleted", zh: "它所在的虚拟主机被删除了"),
            };
            tr!(l, en: format!("Exchange '{name}' deleted ({why})."), zh: format!("交换机 '{name}' 已删除（{why}）。"))
        }
        QueueDeclared { name, durable, exclusive, auto_delete, arguments, server_named, .. } => {
            let flags = [(*exclusive, "exclusive", "排他"), (*auto_delete, "auto-delete", "自动删除")];
            let f = declared(l, None, *durable, &flags, arguments);
            tr!(l,
                en: format!("Queue '{name}' declared{}: {f}.", if *server_named { " (named by the server)" } else { "" }),
                zh: format!("已声明队列 '{name}'{}：{f}。", if *server_named { "（由服务器命名）" } else { "" }))
        }
        QueueRedeclared { name, .. } => tr!(l,
            en: format!("Queue '{name}' declared again with the same properties: nothing changes (declare is idempotent)."),
            zh: format!("再次以相同属性声明队列 '{name}'：没有任何变化（声明是幂等的）。")),
        QueueDeleted { name, reason, messages_lost, .. } => {
            let why = match reason {
                QueueDeleteReason::Client => "queue.delete",
                QueueDeleteReason::AutoDelete => tr!(l, en: "auto-delete: its last consumer left", zh: "自动删除：最后一个消费者离开了"),
                QueueDeleteReason::OwnerClosed => tr!(l, en: "exclusive: its connection closed", zh: "排他队列：它的连接关闭了"),
                QueueDeleteReason::Expired => tr!(l, en: "x-expires: unused too long", zh: "x-expires：闲置太久"),
                QueueDeleteReason::NotDurable => tr!(l, en: "not durable: it did not survive the restart", zh: "非持久化：没能在重启后保留"),
                QueueDeleteReason::Operator => tr!(l, en: "an operator deleted it with rabbitmqctl", zh: "管理员用 rabbitmqctl 删除了它"),
                QueueDeleteReason::VhostDeleted => tr!(l, en: "its virtual host was deleted", zh: "它所在的虚拟主机被删除了"),
            };
            tr!(l,
                en: format!("Queue '{name}' deleted ({why}); {} lost.", plural(*messages_lost, "ready message", "ready messages")),
                zh: format!("队列 '{name}' 已删除（{why}）；丢失 {messages_lost} 条就绪消息。"))
        }
        QueuePurged { name, count, .. } => tr!(l,
            en: format!("Queue '{name}' purged: {} removed.", plural(*count, "ready message", "ready messages")),
            zh: format!("队列 '{name}' 已清空：移除了 {count} 条就绪消息。")),
        BindingAdded { source, destination, destination_kind, key, arguments } => {
            let args = if arguments.is_empty() {
                String::new()
            } else {
                let a = args_text(l, arguments);
                tr!(l, en: format!(" and arguments {a}"), zh: format!("，参数 {a}"))
            };
            tr!(l,
                en: format!("Bound {destination_kind} '{destination}' to exchange '{source}' with key '{key}'{args}."),
                zh: format!("已把{} '{destination}' 绑定到交换机 '{source}'，键 '{key}'{args}。", kind_zh(*destination_kind)))
        }
        BindingRemoved { source, destination, destination_kind, key, reason, .. } => {
            let why = match reason {
                UnbindReason::Client => None,
                UnbindReason::EndDeleted => Some(tr!(l, en: "one end was deleted", zh: "一端已被删除")),
                UnbindReason::NotDurable => Some(tr!(l, en: "not durable", zh: "非持久化")),
            };
            let why = why.map(|w| tr!(l, en: format!("; {w}"), zh: format!("；{w}"))).unwrap_or_default();
            tr!(l,
                en: format!("Unbound {destination_kind} '{destination}' from exchange '{source}' (key '{key}'{why})."),
                zh: format!("已解除{} '{destination}' 与交换机 '{source}' 的绑定（键 '{key}'{why}）。", kind_zh(*destination_kind)))
        }
        QosSet { channel, prefetch_count, global } => {
            let (c, n) = (s.chan(*channel), prefetch(l, *prefetch_count));
            tr!(l,
                en: format!("{c} set prefetch to {n}{}.", if *global { " for the whole channel" } else { " per consumer" }),
                zh: format!("{c} 把预取数量设为 {n}（{}）。", if *global { "整个信道" } else { "每个消费者" }))
        }
        ConsumerAdded { tag, channel, queue_name, no_ack, prefetch: p, .. } => {
            let (c, n) = (s.chan(*channel), prefetch(l, *p));
            let ack = if *no_ack { tr!(l, en: "auto-ack", zh: "自动应答") } else { tr!(l, en: "manual ack", zh: "手动应答") };
            tr!(l,
                en: format!("{c} started consuming from '{queue_name}' ({ack}, prefetch {n}) as {tag}."),
                zh: format!("{c} 开始从 '{queue_name}' 消费（{ack}，预取 {n}），消费者标签 {tag}。"))
        }
        ConsumerCancelled { channel, queue_name, reason, .. } => {
            let c = s.chan(*channel);
            let why = match reason {
                CancelReason::Client => "basic.cancel",
                CancelReason::QueueDeleted => tr!(l, en: "the queue was deleted", zh: "队列被删除"),
                CancelReason::ChannelClosed => tr!(l, en: "its channel closed", zh: "信道关闭"),
            };
            tr!(l, en: format!("{c}'s consumer on '{queue_name}' stopped ({why})."), zh: format!("{c} 在 '{queue_name}' 上的消费者已停止（{why}）。"))
        }
        ConsumerActivated { tag, queue_name, .. } => tr!(l,
            en: format!("{tag} is now the single active consumer of '{queue_name}'."),
            zh: format!("{tag} 现在是 '{queue_name}' 唯一的活跃消费者。")),
        Published { message, channel, mandatory, confirm_seq, in_tx } => {
            let (c, m, ex, key) = (s.chan(*channel), s.msg(message.id().0), x(l, &message.exchange), &message.routing_key);
            let mut f = Vec::new();
            if message.is_persistent() {
                f.push(tr!(l, en: "persistent", zh: "持久化").to_string());
            }
            if *mandatory {
                f.push("mandatory".to_string());
            }
            if let Some(seq) = confirm_seq {
                f.push(tr!(l, en: format!("confirm #{seq}"), zh: format!("确认序号 #{seq}")));
            }
            if *in_tx {
                f.push(tr!(l, en: "in a transaction", zh: "在事务中").to_string());
            }
            let f = listed(&f, props_sep(l), |f| tr!(l, en: format!(" ({f})"), zh: format!("（{f}）")));
            tr!(l,
                en: format!("{c} published {m} to {ex} with routing key '{key}'{f}."),
                zh: format!("{c} 把 {m} 发布到{ex}，路由键 '{key}'{f}。"))
        }
        Routed { message, exchange, trace, .. } => {
            let (ex, m) = (x(l, exchange), s.msg(message.0));
            let misses = if trace.missed_total > 0 {
                let n = trace.missed_total;
                let first = trace.missed.first().map(|m| tr!(l,
                    en: format!(" (e.g. '{}' → '{}')", m.key, m.destination),
                    zh: format!("（例如 '{}' → '{}'）", m.key, m.destination)));
                let first = first.unwrap_or_default();
                tr!(l,
                    en: format!("; {} did not match{first}", plural(n as u64, "binding", "bindings")),
                    zh: format!("；{n} 个绑定不匹配{first}"))
            } else {
                String::new()
            };
            let via = listed(&trace.alternates, names_sep(l), |a| tr!(l,
                en: format!(" via alternate exchange {a}"),
                zh: format!("（经备用交换机 {a}）")));
            if trace.queues.is_empty() {
                tr!(l,
                    en: format!("{ex} routed {m} to no queue{via}{misses}."),
                    zh: format!("{ex}没有把 {m} 路由到任何队列{via}{misses}。"))
            } else {
                let q = quoted(l, &trace.queues);
                tr!(l,
                    en: format!("{ex} routed {m} to {q}{via}{misses}."),
                    zh: format!("{ex}把 {m} 路由到 {q}{via}{misses}。"))
            }
        }
        Unroutable { message, exchange, routing_key, returned } => {
            let (m, ex) = (s.msg(message.0), x(l, exchange));
            let fate = if *returned {
                tr!(l, en: "it is returned to the publisher (mandatory)", zh: "它被退回给发布者（mandatory）")
            } else {
                tr!(l, en: "it is dropped", zh: "它被丢弃")
            };
            tr!(l,
                en: format!("No queue took {m} (exchange {ex}, key '{routing_key}'): {fate}."),
                zh: format!("没有队列接收 {m}（交换机 {ex}，键 '{routing_key}'）：{fate}。"))
        }
        Returned { message, channel, reply_code, reply_text } => {
            let (m, c) = (s.msg(message.id().0), s.chan(*channel));
            tr!(l,
                en: format!("{m} was returned to {c}: {reply_code} {reply_text}."),
                zh: format!("{m} 被退回给 {c}：{reply_code} {reply_text}。"))
        }
        Enqueued { message, queue_name, ready, handoff, .. } => {
            let m = s.msg(message.0);
            if *handoff {
                tr!(l,
                    en: format!("{m} entered '{queue_name}'; a consumer is free, so it goes straight to it."),
                    zh: format!("{m} 进入 '{queue_name}'；有空闲的消费者，它会被直接交给对方。"))
            } else {
                tr!(l,
                    en: format!("{m} joined '{queue_name}' ({ready} ready)."),
                    zh: format!("{m} 进入 '{queue_name}'（{ready} 条就绪）。"))
            }
        }
        HandoffJoined { queue_name, count, .. } => tr!(l,
            en: format!("{} waiting for a consumer that left joined '{queue_name}'.", plural(*count, "message", "messages")),
            zh: format!("{count} 条等待已离开的消费者的消息加入了 '{queue_name}'。")),
        PublishRefused { message, queue_name, max_length, .. } => {
            let m = s.msg(message.0);
            let max = max_length.map(|n| tr!(l, en: format!(" (x-max-length {n})"), zh: format!("（x-max-length {n}）")));
            let max = max.unwrap_or_default();
            tr!(l,
                en: format!("'{queue_name}' is full{max} and refused {m} (x-overflow reject-publish)."),
                zh: format!("'{queue_name}' 已满{max}，拒收了 {m}（x-overflow reject-publish）。"))
        }
        Confirmed { channel, seq, multiple, ack } => {
            let c = s.chan(*channel);
            let how = if *ack { tr!(l, en: "confirmed", zh: "确认") } else { tr!(l, en: "nacked", zh: "拒绝（nack）") };
            let all = if *multiple { tr!(l, en: " and every one before it", zh: "及之前的所有发布") } else { "" };
            tr!(l,
                en: format!("The broker {how} publish #{seq}{all} to {c}."),
                zh: format!("代理{how}了发布 #{seq}{all}，通知 {c}。"))
        }
        Delivered { message, queue_name, channel, consumer, delivery_tag, redelivered, ack_required, skipped, message_count, .. } => {
            let (m, c, skipped) = (s.msg(message.id().0), s.chan(*channel), skip(l, skipped));
            let how = if consumer.is_none() {
                let left = message_count.unwrap_or(0);
                tr!(l, en: format!(" by basic.get ({left} left)"), zh: format!("（basic.get，剩余 {left} 条）"))
            } else {
                String::new()
            };
            let again = if *redelivered { tr!(l, en: ", redelivered", zh: "，重新投递") } else { "" };
            let auto = if *ack_required { "" } else { tr!(l, en: ", auto-ack: the broker forgets it now", zh: "，自动应答：代理立即忘掉它") };
            tr!(l,
                en: format!("'{queue_name}' delivered {m} to {c}{how} (delivery tag {delivery_tag}{again}{auto}){skipped}."),
                zh: format!("'{queue_name}' 把 {m} 投递给 {c}{how}（投递标签 {delivery_tag}{again}{auto}）{skipped}。"))
        }
        GetEmpty { channel, queue_name } => {
            let c = s.chan(*channel);
            tr!(l,
                en: format!("{c} asked '{queue_name}' for a message (basic.get): it is empty."),
                zh: format!("{c} 向 '{queue_name}' 取消息（basic.get）：队列为空。"))
        }
        Acked { channel, delivery_tag, message, queue_name } => {
            let (c, m) = (s.chan(*channel), s.msg(message.0));
            tr!(l,
                en: format!("{c} acknowledged {m} (tag {delivery_tag}): '{queue_name}' forgets it."),
                zh: format!("{c} 应答了 {m}（标签 {delivery_tag}）：'{queue_name}' 删除它。"))
        }
        Rejected { channel, delivery_tag, message, queue_name, requeue, nack } => {
            let (c, m) = (s.chan(*channel), s.msg(message.0));
            let how = if *nack { tr!(l, en: "nacked", zh: "nack") } else { tr!(l, en: "rejected", zh: "拒绝") };
            let then = if *requeue {
                tr!(l, en: format!(": it goes back to '{queue_name}'"), zh: format!("：它回到 '{queue_name}'"))
            } else {
                tr!(l, en: format!(": it leaves '{queue_name}'"), zh: format!("：它离开 '{queue_name}'"))
            };
            tr!(l,
                en: format!("{c} {how} {m} (tag {delivery_tag}){then}."),
                zh: format!("{c} {how}了 {m}（标签 {delivery_tag}）{then}。"))
        }
        Requeued { message, queue_name, reason, .. } => {
            let m = s.msg(message.0);
            let why = match reason {
                RequeueReason::Nack => tr!(l, en: "nacked with requeue", zh: "被 nack 并要求重新入队"),
                RequeueReason::Reject => tr!(l, en: "rejected with requeue", zh: "被 reject 并要求重新入队"),
                RequeueReason::Recover => "basic.recover",
                RequeueReason::ChannelClosed => tr!(l, en: "its channel closed before the ack", zh: "应答之前信道就关闭了"),
                RequeueReason::Restart => tr!(l, en: "the broker restarted before the ack", zh: "应答之前代理重启了"),
                RequeueReason::ConsumerTimeout => tr!(l, en: "not acknowledged within the consumer timeout", zh: "没有在消费者超时内应答"),
            };
            tr!(l,
                en: format!("{m} went back to '{queue_name}' at its original place ({why}); its next delivery is marked redelivered."),
                zh: format!("{m} 回到 '{queue_name}' 的原位置（{why}）；下次投递会标记为 redelivered。"))
        }
        Expired { message, queue_name, ttl } => {
            let m = s.msg(message.0);
            let ttl = match ttl {
                TtlSource::Queue { ttl_ms } => tr!(l, en: format!("the queue's x-message-ttl is {ttl_ms} ms"), zh: format!("队列的 x-message-ttl 为 {ttl_ms} 毫秒")),
                TtlSource::Message { expiration_ms } => tr!(l, en: format!("its expiration was {expiration_ms} ms"), zh: format!("它的 expiration 为 {expiration_ms} 毫秒")),
            };
            tr!(l,
                en: format!("{m} expired at the head of '{queue_name}' ({ttl})."),
                zh: format!("{m} 在 '{queue_name}' 的队首过期（{ttl}）。"))
        }
        Overflowed { message, queue_name, max_length, max_length_bytes } => {
            let m = s.msg(message.0);
            let limit = match (max_length, max_length_bytes) {
                (Some(n), _) => format!("x-max-length {n}"),
                (None, Some(b)) => format!("x-max-length-bytes {b}"),
                _ => tr!(l, en: "length limit", zh: "长度上限").into(),
            };
            tr!(l,
                en: format!("'{queue_name}' is over its limit ({limit}): {m} was dropped from the head."),
                zh: format!("'{queue_name}' 超过上限（{limit}）：{m} 被从队首丢弃。"))
        }
        MessageDead { message, queue_name, reason, fate } => {
            let m = s.msg(message.0);
            let why = match reason {
                DeathReason::Rejected => tr!(l, en: "rejected without requeue", zh: "被拒绝且不重新入队"),
                DeathReason::Expired => tr!(l, en: "its TTL ran out", zh: "TTL 到期"),
                DeathReason::Maxlen => tr!(l, en: "the queue was over its length limit", zh: "队列超过了长度上限"),
                DeathReason::DeliveryLimit => tr!(l, en: "it came back more often than x-delivery-limit", zh: "退回次数超过 x-delivery-limit"),
            };
            match fate {
                DeadFate::Dropped => tr!(l,
                    en: format!("{m} died in '{queue_name}' ({why}) and is gone: the queue has no dead-letter exchange."),
                    zh: format!("{m} 在 '{queue_name}' 中死亡（{why}）并消失：队列没有死信交换机。")),
                DeadFate::DlxMissing { dlx } => tr!(l,
                    en: format!("{m} died in '{queue_name}' ({why}); its dead-letter exchange '{dlx}' does not exist, so it is gone."),
                    zh: format!("{m} 在 '{queue_name}' 中死亡（{why}）；死信交换机 '{dlx}' 不存在，所以它消失了。")),
                DeadFate::Held { dlx } => tr!(l,
                    en: format!("{m} died in '{queue_name}' ({why}); its dead-letter exchange '{dlx}' is missing or routes it to no queue, so the queue keeps it (at-least-once) and tries again every 3 minutes."),
                    zh: format!("{m} 在 '{queue_name}' 中死亡（{why}）；死信交换机 '{dlx}' 不存在或无法路由到任何队列，所以队列保留它（至少一次），每 3 分钟重试一次。")),
                DeadFate::DeadLettered { dlx, queues, cycle_dropped, .. } => {
                    let to = if queues.is_empty() { tr!(l, en: "no queue", zh: "没有队列").into() } else { quoted(l, queues) };
                    let cycle = listed(cycle_dropped, names_sep(l), |d| tr!(l,
                        en: format!(" (dropped for {d}: a dead-letter cycle)"),
                        zh: format!("（{d} 因死信循环被丢弃）")));
                    tr!(l,
                        en: format!("{m} died in '{queue_name}' ({why}) and was dead-lettered to '{dlx}' → {to}{cycle}."),
                        zh: format!("{m} 在 '{queue_name}' 中死亡（{why}），被转发到死信交换机 '{dlx}' → {to}{cycle}。"))
                }
            }
        }
        ConfirmPending { channel, seq, batch } => {
            let c = s.chan(*channel);
            tr!(l,
                en: format!("The confirm of {c}'s publish #{seq} waits for batch {batch} to reach the disk."),
                zh: format!("{c} 的发布 #{seq} 的确认要等批次 {batch} 写入磁盘。"))
        }
        BatchSealed { batch, ops } => tr!(l,
            en: format!("Batch {batch} of {} sealed for writing.", plural(*ops, "durable change", "durable changes")),
            zh: format!("批次 {batch}（{ops} 项持久化变更）已封存，等待写入。")),
        BatchCommitted { batch } => tr!(l,
            en: format!("Batch {batch} is on disk: its changes now survive a crash."),
            zh: format!("批次 {batch} 已写入磁盘：其中的变更在崩溃后也能保留。")),
        BatchFailed { batch, reason } => tr!(l,
            en: format!("The store could not write batch {batch} ({reason}): none of it is durable."),
            zh: format!("存储无法写入批次 {batch}（{reason}）：其中的变更都不是持久的。")),
        TxCommitted { channel, publishes, acks } => tr!(l,
            en: format!("{} committed a transaction ({publishes} publishes, {acks} acks).", s.chan(*channel)),
            zh: format!("{} 提交了事务（{publishes} 次发布，{acks} 次应答）。", s.chan(*channel))),
        TxRolledBack { channel, publishes, acks } => tr!(l,
            en: format!("{} rolled back a transaction ({publishes} publishes, {acks} acks).", s.chan(*channel)),
            zh: format!("{} 回滚了事务（{publishes} 次发布，{acks} 次应答）。", s.chan(*channel))),
        ConfirmSelected { channel } => tr!(l,
            en: format!("{} turned on publisher confirms.", s.chan(*channel)),
            zh: format!("{} 开启了发布确认。", s.chan(*channel))),
        TxSelected { channel } => tr!(l,
            en: format!("{} started using transactions.", s.chan(*channel)),
            zh: format!("{} 开始使用事务。", s.chan(*channel))),
        VhostDeleted { vhost } => tr!(l,
            en: format!("An operator deleted virtual host '{vhost}': its queues, exchanges and permissions are gone and its connections are closed."),
            zh: format!("管理员删除了虚拟主机 '{vhost}'：它的队列、交换机和权限都没有了，连接也被关闭。")),
        VhostAdded { vhost } => tr!(l,
            en: format!("An operator added virtual host '{vhost}' (no user may use it until permissions are set)."),
            zh: format!("管理员添加了虚拟主机 '{vhost}'（设置权限之前，任何用户都不能使用它）。")),
        PermissionsSet { vhost, user, configure, write, read } => tr!(l,
            en: format!("An operator let user '{user}' use virtual host '{vhost}' (configure '{configure}', write '{write}', read '{read}')."),
            zh: format!("管理员允许用户 '{user}' 使用虚拟主机 '{vhost}'（配置 '{configure}'，写 '{write}'，读 '{read}'）。")),
    }
}

/// The sentence for one producer or worker event.
pub fn actor_event(l: Lang, kind: &ActorEventKind, s: &Say) -> String {
    use ActorEventKind::*;
    match kind {
        WorkerStarted { worker, message, redelivered, until, .. } => {
            let (w, m, t) = (s.actor(*worker), s.msg(*message), format_time(*until));
            let again = if *redelivered { tr!(l, en: " (redelivered)", zh: "（重新投递）") } else { "" };
            tr!(l,
                en: format!("{w} started working on {m}{again}; done at t = {t}."),
                zh: format!("{w} 开始处理 {m}{again}；预计在 t = {t} 完成。"))
        }
        WorkerFinished { worker, message, outcome, .. } => {
            let (w, m) = (s.actor(*worker), s.msg(*message));
            let then = match *outcome {
                Outcome::Acked => tr!(l, en: "acked it", zh: "并应答了它"),
                Outcome::Forgot => tr!(l, en: "forgot to ack it: it stays unacknowledged", zh: "但忘了应答：它一直处于未应答状态"),
                Outcome::Rejected { requeue: true } => tr!(l, en: "rejected it with requeue", zh: "并拒绝了它（重新入队）"),
                Outcome::Rejected { requeue: false } => tr!(l, en: "rejected it", zh: "并拒绝了它"),
                Outcome::Nacked { requeue: true } => tr!(l, en: "nacked it with requeue", zh: "并 nack 了它（重新入队）"),
                Outcome::Nacked { requeue: false } => tr!(l, en: "nacked it", zh: "并 nack 了它"),
                Outcome::Done => tr!(l, en: "is done (auto-ack: nothing to send)", zh: "无需应答（自动应答）"),
                Outcome::Crashed => tr!(l, en: "crashed before acking it: the program exits", zh: "但在应答之前崩溃了：程序退出"),
            };
            tr!(l, en: format!("{w} finished {m} and {then}."), zh: format!("{w} 处理完 {m}，{then}。"))
        }
        WorkerPaused { worker } => tr!(l,
            en: format!("{} paused: it takes no new task.", s.actor(*worker)),
            zh: format!("{} 已暂停：不再接新任务。", s.actor(*worker))),
        WorkerResumed { worker } => tr!(l, en: format!("{} resumed.", s.actor(*worker)), zh: format!("{} 已继续。", s.actor(*worker))),
        WorkerKilled { worker, lost_in_hand } => {
            let w = s.actor(*worker);
            tr!(l,
                en: format!("{w} was killed with {} in hand: its connection dies.", plural(*lost_in_hand as u64, "message", "messages")),
                zh: format!("{w} 被杀死，手上有 {lost_in_hand} 条消息：它的连接断开了。"))
        }
        WorkerCancelled { worker } => tr!(l,
            en: format!("{} cancelled its consumer (basic.cancel): no new deliveries.", s.actor(*worker)),
            zh: format!("{} 取消了消费者（basic.cancel）：不再接收新的投递。", s.actor(*worker))),
        ProducerPublished { producer, message, .. } => {
            let (p, m) = (s.actor(*producer), s.msg(*message));
            tr!(l, en: format!("{p} sent {m}."), zh: format!("{p} 发送了 {m}。"))
        }
        ProducerFailed { producer, error } => tr!(l,
            en: format!("{} could not publish: {error}.", s.actor(*producer)),
            zh: format!("{} 发布失败：{error}。", s.actor(*producer))),
        ProducerStopped { producer } => tr!(l,
            en: format!("{} stopped publishing periodically.", s.actor(*producer)),
            zh: format!("{} 停止了定时发布。", s.actor(*producer))),
        WorkerReplied { worker, message, reply_to, correlation_id } => {
            let (w, m) = (s.actor(*worker), s.msg(*message));
            let with = correlation_id.as_ref().map(|c| tr!(l,
                en: format!(" with correlation_id '{c}'"),
                zh: format!("，correlation_id 为 '{c}'")));
            let with = with.unwrap_or_default();
            tr!(l,
                en: format!("{w} answered {m} to '{reply_to}'{with}."),
                zh: format!("{w} 把 {m} 的结果发到了 '{reply_to}'{with}。"))
        }
        ProducerGotReply { producer, message, correlation_id, matched } => {
            let (p, m) = (s.actor(*producer), s.msg(*message));
            let to = match (correlation_id, matched) {
                (Some(c), true) => tr!(l, en: format!(" to its request '{c}'"), zh: format!("，对应它的请求 '{c}'")),
                (Some(c), false) => tr!(l,
                    en: format!(", but '{c}' is no request of its own: ignored"),
                    zh: format!("，但 '{c}' 不是它发出的请求：忽略")),
                (None, _) => tr!(l, en: " without a correlation_id: ignored", zh: "，没有 correlation_id：忽略").to_string(),
            };
            tr!(l, en: format!("{p} received the answer {m}{to}."), zh: format!("{p} 收到了回复 {m}{to}。"))
        }
    }
}
