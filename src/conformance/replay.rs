//! Replays a conformance scenario against Warren's engine, the way the
//! harness (`oracle.py`, pika's BlockingConnection) drives a real RabbitMQ,
//! and records the same observations.
//!
//! What the harness does, and Warren mirrors:
//! - after every step (except observe, wait and restarts) it drains: the
//!   broker does all pending work, and consumers that `ack_on_receive` ack
//!   each delivery as their callback sees it, until nothing more happens;
//! - consumer callbacks run only while draining (pika dispatches them from
//!   `process_data_events`), so those acks wait until the step is over;
//! - a method on a closed channel fails on the client ("channel is
//!   closed") and sends nothing;
//! - `wait` moves Warren's virtual clock; `restart_broker` drops every
//!   connection without recording how it died.

use crate::conformance::format::{DeliveryRef, Scenario, ScenarioError, Step};
use crate::conformance::outcome::{error_json, normalize, py_json_dumps, Normalizer};
use crate::engine::durable::Durability;
use crate::engine::event::{CancelReason, EventKind, Initiator};
use crate::engine::ids::{ChannelId, ConnId, ConsumerId};
use crate::engine::message::MessageRef;
use crate::engine::methods::basic::Consume;
use crate::engine::methods::exchange::ExchangeDeclare;
use crate::engine::methods::publish::Publish;
use crate::engine::methods::queue::QueueDeclare;
use crate::engine::{Broker, BrokerConfig, CommandError};
use crate::store::{Storage, StoreError};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// How to replay.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    pub config: BrokerConfig,
}

impl Default for ReplayOptions {
    /// The broker syncs durable changes as soon as it is idle, as RabbitMQ's
    /// queues do (the 200 ms interval is only their upper bound under load):
    /// a persistent publish on a confirm channel is confirmed within the
    /// harness's quiet period.
    fn default() -> Self {
        ReplayOptions {
            config: BrokerConfig {
                commit_interval_ms: 0,
                ..BrokerConfig::default()
            },
        }
    }
}

struct ChannelState {
    id: ChannelId,
    confirm: bool,
}

struct ConsumerState {
    channel: String,
    tag: String,
    ack_on_receive: bool,
}

/// A delivery as a client recorded it, with where to ack it.
struct Received {
    record: Value,
    channel: String,
    tag: u64,
    body: String,
}

/// One replay in progress.
pub struct Run {
    broker: Broker,
    conns: HashMap<String, ConnId>,
    conn_labels: HashMap<ConnId, String>,
    chans: HashMap<String, ChannelState>,
    chan_labels: HashMap<ChannelId, String>,
    aliases: HashMap<String, String>,
    consumers: BTreeMap<String, ConsumerState>,
    consumer_labels: HashMap<ConsumerId, String>,
    deliveries: HashMap<String, Vec<Received>>,
    reported: HashMap<String, usize>,
    returns: Vec<Value>,
    closures: Vec<Value>,
    broker_cancels: Vec<String>,
    /// Deliveries to ack_on_receive consumers not yet acked: (channel, tag).
    pending_acks: Vec<(String, u64)>,
    cursor: u64,
    normalizer: Normalizer,
}

/// What a step produced: result fields, or an error for the `error` key.
type StepResult = Result<Map<String, Value>, CommandError>;

fn delivery_record(msg: &MessageRef, tag: u64, redelivered: bool) -> Value {
    let mut rec = json!({
        "body": msg.body_text(),
        "delivery_tag": tag,
        "redelivered": redelivered,
        "exchange": &*msg.exchange,
        "routing_key": &*msg.routing_key,
    });
    if !msg.properties.is_empty() {
        rec["properties"] = msg.properties.to_json();
    }
    rec
}

impl Run {
    pub fn new(options: &ReplayOptions) -> Run {
        Run::with_broker(Broker::new(options.config.clone()))
    }

    /// Continues from an existing broker (e.g. one booted from a store).
    pub fn with_broker(broker: Broker) -> Run {
        let cursor = broker.next_event_seq();
        Run {
            broker,
            conns: HashMap::new(),
            conn_labels: HashMap::new(),
            chans: HashMap::new(),
            chan_labels: HashMap::new(),
            aliases: HashMap::new(),
            consumers: BTreeMap::new(),
            consumer_labels: HashMap::new(),
            deliveries: HashMap::new(),
            reported: HashMap::new(),
            returns: Vec::new(),
            closures: Vec::new(),
            broker_cancels: Vec::new(),
            pending_acks: Vec::new(),
            cursor,
            normalizer: Normalizer::default(),
        }
    }

    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    pub fn broker_mut(&mut self) -> &mut Broker {
        &mut self.broker
    }

    pub fn into_broker(self) -> Broker {
        self.broker
    }

    /// Replays every step; returns the `results` array.
    pub fn execute(&mut self, scenario: &Scenario) -> Result<Vec<Value>, ScenarioError> {
        let mut results = Vec::with_capacity(scenario.steps.len());
        for (i, step) in scenario.steps.iter().enumerate() {
            results.push(self.execute_step(i, step)?);
        }
        Ok(results)
    }

    /// Replays step `i`; returns its result.
    pub fn execute_step(&mut self, i: usize, step: &Step) -> Result<Value, ScenarioError> {
        let mut r = Map::new();
        r.insert("i".into(), json!(i));
        r.insert("op".into(), json!(step.op()));
        match self.step(step)? {
            Ok(fields) => r.extend(fields),
            Err(e) => {
                r.insert("error".into(), error_json(&e));
            }
        }
        if !matches!(
            step,
            Step::Observe { .. } | Step::Wait { .. } | Step::RestartBroker | Step::CrashBroker
        ) {
            self.drain();
        }
        Ok(self.normalizer.normalize(Value::Object(r)))
    }

    // ------------------------------------------------------------ plumbing

    /// Reads what the broker sent to clients since the last look.
    fn pump(&mut self) {
        let events = self.broker.events_since(self.cursor).to_vec();
        self.cursor = self.broker.next_event_seq();
        for event in events {
            match event.kind {
                EventKind::Delivered {
                    message,
                    consumer: Some(consumer),
                    delivery_tag,
                    redelivered,
                    channel,
                    ..
                } => {
                    let Some(label) = self.consumer_labels.get(&consumer).cloned() else {
                        continue;
                    };
                    let Some(chlabel) = self.chan_labels.get(&channel).cloned() else {
                        continue;
                    };
                    let record = delivery_record(&message, delivery_tag, redelivered);
                    if self.consumers.get(&label).is_some_and(|c| c.ack_on_receive) {
                        self.pending_acks.push((chlabel.clone(), delivery_tag));
                    }
                    self.deliveries.entry(label).or_default().push(Received {
                        record,
                        channel: chlabel,
                        tag: delivery_tag,
                        body: message.body_text(),
                    });
                }
                EventKind::Returned {
                    message,
                    channel,
                    reply_code,
                    reply_text,
                } => {
                    let Some(chlabel) = self.chan_labels.get(&channel).cloned() else {
                        continue;
                    };
                    let mut rec = json!({
                        "channel": chlabel,
                        "reply_code": reply_code,
                        "reply_text": reply_text,
                        "exchange": &*message.exchange,
                        "routing_key": &*message.routing_key,
                        "body": message.body_text(),
                    });
                    if !message.properties.is_empty() {
                        rec["properties"] = message.properties.to_json();
                    }
                    self.returns.push(rec);
                }
                EventKind::ChannelClosed {
                    channel,
                    by: Initiator::Broker,
                    error: Some(e),
                    ..
                } => {
                    if let Some(chlabel) = self.chan_labels.get(&channel) {
                        self.closures
                            .push(json!({"channel": chlabel, "code": e.code, "text": e.text}));
                    }
                }
                EventKind::ConnectionClosed {
                    conn,
                    by: Initiator::Broker,
                    error: Some(e),
                } => {
                    if let Some(label) = self.conn_labels.get(&conn) {
                        self.closures
                            .push(json!({"connection": label, "code": e.code, "text": e.text}));
                    }
                }
                EventKind::ConsumerCancelled {
                    consumer,
                    reason: CancelReason::QueueDeleted,
                    ..
                } => {
                    if let Some(label) = self.consumer_labels.get(&consumer) {
                        self.broker_cancels.push(label.clone());
                    }
                }
                _ => {}
            }
        }
    }

    /// The broker does everything pending; consumer callbacks run (and
    /// `ack_on_receive` consumers ack) until nothing more happens.
    fn drain(&mut self) {
        loop {
            self.broker.run_until_idle();
            self.pump();
            if self.pending_acks.is_empty() {
                return;
            }
            for (chlabel, tag) in std::mem::take(&mut self.pending_acks) {
                let Some(ch) = self.chans.get(&chlabel).map(|c| c.id) else {
                    continue;
                };
                // pika acks only while the channel is open; errors surface later.
                if self.broker.channel(ch).is_some_and(|c| c.open) {
                    let _ = self.broker.basic_ack(ch, tag, false);
                }
            }
        }
    }

    fn channel(&self, label: &str) -> Result<ChannelId, ScenarioError> {
        self.chans
            .get(label)
            .map(|c| c.id)
            .ok_or_else(|| ScenarioError(format!("unknown channel '{label}'")))
    }

    /// `$alias` → the server-generated name; `$$x` → the literal `$x`.
    fn resolve(&self, v: &str) -> Result<String, ScenarioError> {
        if let Some(rest) = v.strip_prefix("$$") {
            return Ok(format!("${rest}"));
        }
        if v.starts_with('$') {
            return self
                .aliases
                .get(v)
                .cloned()
                .ok_or_else(|| ScenarioError(format!("unknown alias {v}")));
        }
        Ok(v.to_string())
    }

    fn select(&self, d: &DeliveryRef) -> Result<(String, u64), ScenarioError> {
        match d {
            DeliveryRef::Tag { channel, tag } => Ok((channel.clone(), *tag)),
            DeliveryRef::Index { label, index } => {
                let recs = self.deliveries.get(label).map(Vec::as_slice).unwrap_or(&[]);
                let n = recs.len() as i64;
                let at = if *index < 0 { n + index } else { *index };
                if at < 0 || at >= n {
                    return Err(ScenarioError(format!(
                        "{label} has no delivery #{index} (got {n})"
                    )));
                }
                let r = &recs[at as usize];
                Ok((r.channel.clone(), r.tag))
            }
            DeliveryRef::Body { label, body } => {
                let recs = self.deliveries.get(label).map(Vec::as_slice).unwrap_or(&[]);
                recs.iter()
                    .rev()
                    .find(|r| &r.body == body)
                    .map(|r| (r.channel.clone(), r.tag))
                    .ok_or_else(|| {
                        ScenarioError(format!("{label} received no message with body {body:?}"))
                    })
            }
        }
    }

    // --------------------------------------------------------------- steps

    fn step(&mut self, step: &Step) -> Result<StepResult, ScenarioError> {
        let ok = |m: Map<String, Value>| -> Result<StepResult, ScenarioError> { Ok(Ok(m)) };
        let done = |r: Result<(), CommandError>| -> Result<StepResult, ScenarioError> {
            Ok(r.map(|_| Map::new()))
        };
        match step {
            Step::OpenConnection { conn } => {
                let id = self.broker.open_connection(conn);
                self.conns.insert(conn.clone(), id);
                self.conn_labels.insert(id, conn.clone());
                ok(Map::new())
            }
            Step::CloseConnection { conn } => {
                let id = *self
                    .conns
                    .get(conn)
                    .ok_or_else(|| ScenarioError(format!("unknown connection '{conn}'")))?;
                done(self.broker.close_connection(id))
            }
            Step::OpenChannel { conn, channel } => {
                let id = *self
                    .conns
                    .get(conn)
                    .ok_or_else(|| ScenarioError(format!("unknown connection '{conn}'")))?;
                match self.broker.open_channel(id) {
                    Ok(ch) => {
                        self.chans.insert(
                            channel.clone(),
                            ChannelState {
                                id: ch,
                                confirm: false,
                            },
                        );
                        self.chan_labels.insert(ch, channel.clone());
                        ok(Map::new())
                    }
                    Err(e) => Ok(Err(e)),
                }
            }
            Step::CloseChannel { channel } => {
                let ch = self.channel(channel)?;
                done(self.broker.close_channel(ch))
            }
            Step::ConfirmSelect { channel } => {
                let ch = self.channel(channel)?;
                let r = self.broker.confirm_select(ch);
                if r.is_ok() {
                    if let Some(c) = self.chans.get_mut(channel) {
                        c.confirm = true;
                    }
                }
                done(r)
            }
            Step::ExchangeDeclare {
                channel,
                exchange,
                kind,
                durable,
                auto_delete,
                internal,
                passive,
                arguments,
            } => {
                let ch = self.channel(channel)?;
                done(self.broker.exchange_declare(
                    ch,
                    ExchangeDeclare {
                        exchange: exchange.clone(),
                        kind: kind.clone(),
                        passive: *passive,
                        durable: *durable,
                        auto_delete: *auto_delete,
                        internal: *internal,
                        arguments: arguments.clone(),
                    },
                ))
            }
            Step::ExchangeDelete {
                channel,
                exchange,
                if_unused,
            } => {
                let ch = self.channel(channel)?;
                done(self.broker.exchange_delete(ch, exchange, *if_unused))
            }
            Step::ExchangeBind {
                channel,
                destination,
                source,
                routing_key,
                arguments,
                bind,
            } => {
                let ch = self.channel(channel)?;
                done(if *bind {
                    self.broker.exchange_bind(
                        ch,
                        destination,
                        source,
                        routing_key,
                        arguments.clone(),
                    )
                } else {
                    self.broker.exchange_unbind(
                        ch,
                        destination,
                        source,
                        routing_key,
                        arguments.clone(),
                    )
                })
            }
            Step::QueueDeclare {
                channel,
                queue,
                alias,
                durable,
                exclusive,
                auto_delete,
                passive,
                arguments,
            } => {
                let ch = self.channel(channel)?;
                let name = self.resolve(queue)?;
                match self.broker.queue_declare(
                    ch,
                    QueueDeclare {
                        queue: name,
                        passive: *passive,
                        durable: *durable,
                        exclusive: *exclusive,
                        auto_delete: *auto_delete,
                        arguments: arguments.clone(),
                    },
                ) {
                    Ok(okd) => {
                        if let Some(a) = alias.as_ref().filter(|a| !a.is_empty()) {
                            let key = if a.starts_with('$') {
                                a.clone()
                            } else {
                                format!("${a}")
                            };
                            self.aliases.insert(key, okd.queue.to_string());
                        }
                        let mut m = Map::new();
                        m.insert("queue".into(), json!(&*okd.queue));
                        m.insert("message_count".into(), json!(okd.message_count));
                        m.insert("consumer_count".into(), json!(okd.consumer_count));
                        ok(m)
                    }
                    Err(e) => Ok(Err(e)),
                }
            }
            Step::QueueBind {
                channel,
                queue,
                exchange,
                routing_key,
                arguments,
                bind,
            } => {
                let ch = self.channel(channel)?;
                let (queue, key) = (self.resolve(queue)?, self.resolve(routing_key)?);
                done(if *bind {
                    self.broker
                        .queue_bind(ch, &queue, exchange, &key, arguments.clone())
                } else {
                    self.broker
                        .queue_unbind(ch, &queue, exchange, &key, arguments.clone())
                })
            }
            Step::QueuePurge { channel, queue } => {
                let ch = self.channel(channel)?;
                let queue = self.resolve(queue)?;
                Ok(self.broker.queue_purge(ch, &queue).map(|n| count(n)))
            }
            Step::QueueDelete {
                channel,
                queue,
                if_unused,
                if_empty,
            } => {
                let ch = self.channel(channel)?;
                let queue = self.resolve(queue)?;
                Ok(self
                    .broker
                    .queue_delete(ch, &queue, *if_unused, *if_empty)
                    .map(|n| count(n)))
            }
            Step::Publish {
                channel,
                exchange,
                routing_key,
                bodies,
                mandatory,
                properties,
            } => self.publish(
                channel,
                exchange,
                routing_key,
                bodies,
                *mandatory,
                properties,
            ),
            Step::Qos {
                channel,
                prefetch_count,
                prefetch_size,
                global,
            } => {
                let ch = self.channel(channel)?;
                done(
                    self.broker
                        .basic_qos(ch, *prefetch_size, *prefetch_count, *global),
                )
            }
            Step::Consume {
                channel,
                queue,
                consumer,
                consumer_tag,
                no_ack,
                exclusive,
                arguments,
                ack_on_receive,
            } => {
                let ch = self.channel(channel)?;
                let queue = self.resolve(queue)?;
                let r = self.broker.basic_consume(
                    ch,
                    Consume {
                        queue,
                        consumer_tag: consumer_tag.clone(),
                        no_ack: *no_ack,
                        exclusive: *exclusive,
                        arguments: arguments.clone(),
                    },
                );
                match r {
                    Ok(tag) => {
                        if let Some(id) = self
                            .broker
                            .channel(ch)
                            .and_then(|c| c.consumers.get(&tag).copied())
                        {
                            self.consumer_labels.insert(id, consumer.clone());
                        }
                        self.consumers.insert(
                            consumer.clone(),
                            ConsumerState {
                                channel: channel.clone(),
                                tag: tag.to_string(),
                                ack_on_receive: *ack_on_receive,
                            },
                        );
                        self.deliveries.entry(consumer.clone()).or_default();
                        self.reported.entry(consumer.clone()).or_insert(0);
                        let mut m = Map::new();
                        m.insert("consumer_tag".into(), json!(&*tag));
                        ok(m)
                    }
                    Err(e) => Ok(Err(e)),
                }
            }
            Step::Cancel { consumer } => {
                let c = self
                    .consumers
                    .get(consumer)
                    .ok_or_else(|| ScenarioError(format!("unknown consumer '{consumer}'")))?;
                let (chlabel, tag) = (c.channel.clone(), c.tag.clone());
                let ch = self.channel(&chlabel)?;
                done(self.broker.basic_cancel(ch, &tag))
            }
            Step::Get {
                channel,
                queue,
                label,
                no_ack,
            } => {
                let ch = self.channel(channel)?;
                let queue = self.resolve(queue)?;
                match self.broker.basic_get(ch, &queue, *no_ack) {
                    Ok(None) => {
                        let mut m = Map::new();
                        m.insert("message".into(), Value::Null);
                        ok(m)
                    }
                    Ok(Some(got)) => {
                        let mut record =
                            delivery_record(&got.message, got.delivery_tag, got.redelivered);
                        record["message_count"] = json!(got.message_count);
                        self.deliveries
                            .entry(label.clone())
                            .or_default()
                            .push(Received {
                                record: record.clone(),
                                channel: channel.clone(),
                                tag: got.delivery_tag,
                                body: got.message.body_text(),
                            });
                        let mut m = Map::new();
                        m.insert("message".into(), record);
                        ok(m)
                    }
                    Err(e) => Ok(Err(e)),
                }
            }
            Step::Ack { delivery, multiple } => {
                let (chlabel, tag) = self.select(delivery)?;
                let ch = self.channel(&chlabel)?;
                done(self.broker.basic_ack(ch, tag, *multiple))
            }
            Step::Nack {
                delivery,
                multiple,
                requeue,
            } => {
                let (chlabel, tag) = self.select(delivery)?;
                let ch = self.channel(&chlabel)?;
                done(self.broker.basic_nack(ch, tag, *multiple, *requeue))
            }
            Step::Reject { delivery, requeue } => {
                let (chlabel, tag) = self.select(delivery)?;
                let ch = self.channel(&chlabel)?;
                done(self.broker.basic_reject(ch, tag, *requeue))
            }
            Step::Recover { channel, requeue } => {
                let ch = self.channel(channel)?;
                done(self.broker.basic_recover(ch, *requeue))
            }
            Step::TxSelect { channel } => {
                let ch = self.channel(channel)?;
                done(self.broker.tx_select(ch))
            }
            Step::TxCommit { channel } => {
                let ch = self.channel(channel)?;
                done(self.broker.tx_commit(ch))
            }
            Step::TxRollback { channel } => {
                let ch = self.channel(channel)?;
                done(self.broker.tx_rollback(ch))
            }
            Step::Wait { ms } => {
                self.broker.advance(*ms);
                self.pump();
                ok(Map::new())
            }
            Step::RestartBroker | Step::CrashBroker => {
                self.drain();
                let mut open: Vec<String> = self
                    .conns
                    .iter()
                    .filter(|(_, id)| self.broker.connection(**id).is_some_and(|c| c.open))
                    .map(|(l, _)| l.clone())
                    .collect();
                open.sort();
                if matches!(step, Step::RestartBroker) {
                    self.broker.restart();
                } else {
                    self.broker.crash();
                }
                // Connections died with the node; nothing about how is recorded.
                self.cursor = self.broker.next_event_seq();
                self.pending_acks.clear();
                self.conns.clear();
                self.chans.clear();
                let mut m = Map::new();
                m.insert("connections_dropped".into(), json!(open));
                ok(m)
            }
            Step::Observe {
                queues,
                exchanges,
                bindings,
                consumers_of,
            } => {
                self.drain();
                Ok(Ok(self.observe(
                    queues,
                    exchanges,
                    *bindings,
                    consumers_of,
                )?))
            }
        }
    }

    fn publish(
        &mut self,
        channel: &str,
        exchange: &str,
        routing_key: &str,
        bodies: &[String],
        mandatory: bool,
        properties: &crate::engine::message::Properties,
    ) -> Result<StepResult, ScenarioError> {
        let ch = self.channel(channel)?;
        let confirm = self.chans.get(channel).is_some_and(|c| c.confirm);
        let routing_key = self.resolve(routing_key)?;
        let mut confirms = Vec::new();
        for body in bodies {
            let publish = Publish {
                exchange: exchange.to_string(),
                routing_key: routing_key.clone(),
                mandatory,
                immediate: false,
                properties: properties.clone(),
                body: body.as_bytes().to_vec(),
            };
            let before = self.broker.next_event_seq();
            match self.broker.basic_publish(ch, publish) {
                Ok(Some(seq)) => confirms.push(self.await_confirm(ch, seq, before)),
                Ok(None) => {}
                Err(e) => return Ok(Err(e)),
            }
            self.broker.run_until_idle();
        }
        let mut m = Map::new();
        if confirm {
            m.insert("confirms".into(), json!(confirms));
        }
        Ok(Ok(m))
    }

    /// Waits (moving virtual time if need be, as a blocking client waits in
    /// real time) for the broker's confirm of publish `seq`.
    fn await_confirm(&mut self, ch: ChannelId, seq: u64, since: u64) -> &'static str {
        let mut from = since;
        for _ in 0..1_000 {
            let found = self
                .broker
                .events_since(from)
                .iter()
                .find_map(|e| match &e.kind {
                    EventKind::Confirmed {
                        channel,
                        seq: s,
                        multiple,
                        ack,
                    } if *channel == ch && (*s == seq || (*multiple && *s >= seq)) => Some(*ack),
                    _ => None,
                });
            if let Some(ack) = found {
                return if ack { "ack" } else { "nack" };
            }
            from = self.broker.next_event_seq();
            match self.broker.next_timer_at() {
                Some(at) => self.broker.advance_to(at),
                None => break,
            }
        }
        "nack"
    }

    fn observe(
        &mut self,
        queues: &[String],
        exchanges: &[String],
        bindings: bool,
        consumers_of: &[String],
    ) -> Result<Map<String, Value>, ScenarioError> {
        let mut obs = Map::new();
        let mut d = Map::new();
        for label in self.consumers.keys() {
            let recs = self.deliveries.get(label).map(Vec::as_slice).unwrap_or(&[]);
            let from = self
                .reported
                .get(label)
                .copied()
                .unwrap_or(0)
                .min(recs.len());
            d.insert(
                label.clone(),
                Value::Array(recs[from..].iter().map(|r| r.record.clone()).collect()),
            );
        }
        for label in self.consumers.keys() {
            let n = self.deliveries.get(label).map_or(0, Vec::len);
            self.reported.insert(label.clone(), n);
        }
        obs.insert("deliveries".into(), Value::Object(d));
        if !queues.is_empty() {
            let mut m = Map::new();
            for r in queues {
                let name = self.resolve(r).ok();
                let stats = name.and_then(|n| self.broker.queue_stats(&n));
                m.insert(r.clone(), stats.map_or(Value::Null, |s| json!(s)));
            }
            obs.insert("queues".into(), Value::Object(m));
        }
        if !exchanges.is_empty() {
            let mut m = Map::new();
            for x in exchanges {
                m.insert(
                    x.clone(),
                    self.broker
                        .exchange_info(x)
                        .map_or(Value::Null, |i| json!(i)),
                );
            }
            obs.insert("exchanges".into(), Value::Object(m));
        }
        if bindings {
            let mut rows: Vec<Value> = self
                .broker
                .bindings()
                .into_iter()
                .map(|b| {
                    json!({
                        "source": &*b.source,
                        "destination": &*b.destination,
                        "destination_kind": b.destination_kind,
                        "routing_key": &*b.routing_key,
                        "arguments": crate::engine::value::table_to_json(&b.arguments),
                    })
                })
                .map(|row| self.normalizer.normalize(row))
                .collect();
            rows.sort_by_cached_key(py_json_dumps);
            obs.insert("bindings".into(), Value::Array(rows));
        }
        if !consumers_of.is_empty() {
            let mut m = Map::new();
            for r in consumers_of {
                let name = self.resolve(r)?;
                let mut rows: Vec<Value> = self
                    .broker
                    .consumers_of(&name)
                    .into_iter()
                    .map(|c| json!(c))
                    .collect();
                rows.sort_by_key(|c| c["consumer_tag"].as_str().unwrap_or_default().to_string());
                m.insert(r.clone(), Value::Array(rows));
            }
            obs.insert("consumers_of".into(), Value::Object(m));
        }
        let mut returns = std::mem::take(&mut self.returns);
        returns.sort_by(|a, b| a["channel"].as_str().cmp(&b["channel"].as_str()));
        obs.insert("returns".into(), Value::Array(returns));
        let mut closures = std::mem::take(&mut self.closures);
        closures.sort_by(|a, b| {
            let key = |v: &Value| {
                (
                    v.get("connection")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    v.get("channel")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                )
            };
            key(a).cmp(&key(b))
        });
        obs.insert("closures".into(), Value::Array(closures));
        let mut cancels = std::mem::take(&mut self.broker_cancels);
        cancels.sort();
        obs.insert("broker_cancels".into(), json!(cancels));
        let mut m = Map::new();
        m.insert("observation".into(), Value::Object(obs));
        Ok(m)
    }
}

fn count(n: u64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("message_count".into(), json!(n));
    m
}

/// Replays a scenario and returns its outcome document
/// (`{"scenario", "broker_version", "results"}`).
pub fn replay(scenario: &Scenario, options: &ReplayOptions) -> Result<Value, ScenarioError> {
    let mut run = Run::new(options);
    let results = run.execute(scenario)?;
    Ok(outcome(scenario, &run, results))
}

/// Replays with a store: every batch the broker commits is copied into
/// `store` after each step, so the durable state ends up there. With
/// `resume`, the broker boots from what `store` holds instead of a fresh
/// vhost (a scenario continuing after a page reload); otherwise the store is
/// cleared first.
pub async fn replay_with_store<S: Storage>(
    scenario: &Scenario,
    options: &ReplayOptions,
    store: &mut S,
    resume: bool,
) -> Result<Value, ScenarioError> {
    let store_error = |e: StoreError| ScenarioError(format!("store: {e}"));
    let mut config = options.config.clone();
    config.durability = Durability::Internal;
    config.retain_committed_batches = true;
    let mut broker = Broker::new(config);
    if resume {
        let state = store.load().await.map_err(store_error)?;
        broker.boot(&state);
    } else {
        store.clear().await.map_err(store_error)?;
    }
    let mut run = Run::with_broker(broker);
    let mut results = Vec::with_capacity(scenario.steps.len());
    for (i, step) in scenario.steps.iter().enumerate() {
        results.push(run.execute_step(i, step)?);
        for batch in run.broker_mut().take_committed_batches() {
            store.commit(&batch).await.map_err(store_error)?;
        }
    }
    Ok(outcome(scenario, &run, results))
}

/// The outcome document for finished results.
pub fn outcome(scenario: &Scenario, run: &Run, results: Vec<Value>) -> Value {
    json!({
        "scenario": scenario.name,
        "broker_version": format!("warren ({})", run.broker().profile().name()),
        "results": normalize(results),
    })
}
