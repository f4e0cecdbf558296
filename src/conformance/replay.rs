//! Replays a conformance scenario against Warren's engine, the way the
//! harness (`oracle.py`, pika's BlockingConnection) drives a real RabbitMQ,
//! and records the same observations.
//!
//! The replayer is a client like any other: it applies AMQP methods through
//! `Broker::apply` and learns what the broker sent on its own by reading
//! each connection's outbox. What the harness does, and Warren mirrors:
//! - after every step (except observe, wait and restarts) it drains: the
//!   broker does all pending work, and consumers that `ack_on_receive` ack
//!   each delivery as their callback sees it, until nothing more happens;
//! - consumer callbacks run only while draining (pika dispatches them from
//!   `process_data_events`), so those acks wait until the step is over;
//! - a method on a closed channel fails on the client ("channel is
//!   closed") and sends nothing; closing a channel cancels its consumers
//!   first, as pika does (`Broker::close_channel_gracefully`);
//! - `wait` moves Warren's virtual clock; `restart_broker` drops every
//!   connection without recording how it died.

use crate::conformance::format::{DeliveryRef, Scenario, ScenarioError, Step};
use crate::conformance::outcome::{
    error_json, normalize, properties_json, py_json_dumps, Normalizer,
};
use crate::engine::durable::Durability;
use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::message::MessageRef;
use crate::engine::method::{BasicAck, BasicCancel, BasicNack, BasicReject, Method, Reply};
use crate::engine::outbox::{Confirm, Outgoing, ServerMethod};
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

/// A channel as the client knows it.
struct ChannelState {
    conn: ConnId,
    number: u16,
    /// The engine's id of the channel, to tell that it is still open (pika
    /// knows it from the channel.close it received).
    id: ChannelId,
    confirm: bool,
    /// Publishes since confirm.select: the sequence numbers confirms name.
    published: u64,
    /// Confirms received.
    confirms: Vec<Confirm>,
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
    conns: BTreeMap<String, ConnId>,
    conn_labels: HashMap<ConnId, String>,
    chans: HashMap<String, ChannelState>,
    /// Which label the channel with this number on this connection has now.
    chan_at: HashMap<(ConnId, u16), String>,
    aliases: HashMap<String, String>,
    consumers: BTreeMap<String, ConsumerState>,
    deliveries: HashMap<String, Vec<Received>>,
    reported: HashMap<String, usize>,
    returns: Vec<Value>,
    closures: Vec<Value>,
    broker_cancels: Vec<String>,
    /// Deliveries to ack_on_receive consumers not yet acked: (channel, tag).
    pending_acks: Vec<(String, u64)>,
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
        rec["properties"] = properties_json(&msg.properties);
    }
    rec
}

impl Run {
    pub fn new(options: &ReplayOptions) -> Run {
        Run::with_broker(Broker::new(options.config.clone()))
    }

    /// Continues from an existing broker (e.g. one booted from a store).
    pub fn with_broker(broker: Broker) -> Run {
        Run {
            broker,
            conns: BTreeMap::new(),
            conn_labels: HashMap::new(),
            chans: HashMap::new(),
            chan_at: HashMap::new(),
            aliases: HashMap::new(),
            consumers: BTreeMap::new(),
            deliveries: HashMap::new(),
            reported: HashMap::new(),
            returns: Vec::new(),
            closures: Vec::new(),
            broker_cancels: Vec::new(),
            pending_acks: Vec::new(),
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
            Step::Observe { .. }
                | Step::Wait { .. }
                | Step::SetConsumerTimeout { .. }
                | Step::RestartBroker
                | Step::CrashBroker
        ) {
            self.drain();
        }
        Ok(self.normalizer.normalize(Value::Object(r)))
    }

    // ------------------------------------------------------------ plumbing

    /// Reads what the broker sent each connection since the last look.
    fn pump(&mut self) {
        let conns: Vec<ConnId> = self.conns.values().copied().collect();
        for conn in conns {
            for out in self.broker.take_outbox(conn) {
                self.receive(conn, out);
            }
        }
    }

    /// One frame the broker sent on `conn`, as the client records it.
    fn receive(&mut self, conn: ConnId, out: Outgoing) {
        let chlabel = self.chan_at.get(&(conn, out.channel)).cloned();
        match out.method {
            ServerMethod::BasicDeliver(d) => {
                let Some(chlabel) = chlabel else { return };
                let Some(label) = self.consumer_label(&chlabel, &d.consumer_tag) else {
                    return;
                };
                if self.consumers.get(&label).is_some_and(|c| c.ack_on_receive) {
                    self.pending_acks.push((chlabel.clone(), d.delivery_tag));
                }
                self.deliveries.entry(label).or_default().push(Received {
                    record: delivery_record(&d.message, d.delivery_tag, d.redelivered),
                    channel: chlabel,
                    tag: d.delivery_tag,
                    body: d.message.body_text(),
                });
            }
            ServerMethod::BasicReturn {
                reply_code,
                reply_text,
                message,
            } => {
                let Some(chlabel) = chlabel else { return };
                let mut rec = json!({
                    "channel": chlabel,
                    "reply_code": reply_code,
                    "reply_text": reply_text,
                    "exchange": &*message.exchange,
                    "routing_key": &*message.routing_key,
                    "body": message.body_text(),
                });
                if !message.properties.is_empty() {
                    rec["properties"] = properties_json(&message.properties);
                }
                self.returns.push(rec);
            }
            ServerMethod::Confirm(c) => {
                if let Some(state) = chlabel.and_then(|l| self.chans.get_mut(&l)) {
                    state.confirms.push(c);
                }
            }
            ServerMethod::BasicCancel { consumer_tag } => {
                if let Some(label) = chlabel.and_then(|l| self.consumer_label(&l, &consumer_tag)) {
                    self.broker_cancels.push(label);
                }
            }
            ServerMethod::ChannelClose(closing) => {
                if let Some(chlabel) = chlabel {
                    self.closures.push(
                        json!({"channel": chlabel, "code": closing.reply_code, "text": closing.reply_text}),
                    );
                }
            }
            ServerMethod::ConnectionClose(closing) => {
                if let Some(label) = self.conn_labels.get(&conn) {
                    self.closures.push(
                        json!({"connection": label, "code": closing.reply_code, "text": closing.reply_text}),
                    );
                }
            }
        }
    }

    /// The label of the consumer with this tag on the labelled channel.
    fn consumer_label(&self, channel: &str, tag: &str) -> Option<String> {
        self.consumers
            .iter()
            .find(|(_, c)| c.channel == channel && c.tag == tag)
            .map(|(l, _)| l.clone())
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
            for (chlabel, delivery_tag) in std::mem::take(&mut self.pending_acks) {
                // pika acks only while the channel is open; errors surface later.
                if let Ok((conn, number)) = self.open_channel(&chlabel) {
                    let _ = self.broker.apply(
                        conn,
                        number,
                        Method::BasicAck(BasicAck {
                            delivery_tag,
                            multiple: false,
                        }),
                    );
                }
            }
        }
    }

    fn channel(&self, label: &str) -> Result<&ChannelState, ScenarioError> {
        self.chans
            .get(label)
            .ok_or_else(|| ScenarioError(format!("unknown channel '{label}'")))
    }

    /// The channel's connection and number if it is still open; pika's
    /// refusal otherwise (it sends nothing on a closed channel).
    fn open_channel(&self, label: &str) -> Result<(ConnId, u16), CommandError> {
        let Some(c) = self.chans.get(label) else {
            return Err(CommandError::invalid(format!("unknown channel '{label}'")));
        };
        // pika checks the channel: on a dead connection it is closed too.
        if !self.broker.channel(c.id).is_some_and(|x| x.open) {
            return Err(CommandError::ChannelClosed);
        }
        Ok((c.conn, c.number))
    }

    /// Applies `method` on the channel labelled `label`, as pika would.
    fn call(&mut self, label: &str, method: Method) -> Result<StepResult, ScenarioError> {
        self.channel(label)?;
        Ok(match self.open_channel(label) {
            Ok((conn, number)) => self
                .broker
                .apply(conn, number, method)
                .map(|reply| reply_fields(&reply)),
            Err(e) => Err(e),
        })
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

    /// A method with its `$alias` queue names (and a queue bind's routing
    /// key) resolved.
    fn resolve_method(&self, method: &Method) -> Result<Method, ScenarioError> {
        let mut m = method.clone();
        match &mut m {
            Method::QueueDeclare(d) => d.queue = self.resolve(&d.queue)?,
            Method::QueueBind(b) | Method::QueueUnbind(b) => {
                b.queue = self.resolve(&b.queue)?;
                b.routing_key = self.resolve(&b.routing_key)?;
            }
            Method::QueuePurge(p) => p.queue = self.resolve(&p.queue)?,
            Method::QueueDelete(d) => d.queue = self.resolve(&d.queue)?,
            _ => {}
        }
        Ok(m)
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
                Ok(self
                    .broker
                    .close_connection_gracefully(id)
                    .map(|_| Map::new()))
            }
            Step::OpenChannel { conn, channel } => {
                let id = *self
                    .conns
                    .get(conn)
                    .ok_or_else(|| ScenarioError(format!("unknown connection '{conn}'")))?;
                match self.broker.open_next_channel(id) {
                    Ok(number) => {
                        let engine_id = self.broker.channel_id(id, number).unwrap_or(ChannelId(0));
                        self.chans.insert(
                            channel.clone(),
                            ChannelState {
                                conn: id,
                                number,
                                id: engine_id,
                                confirm: false,
                                published: 0,
                                confirms: Vec::new(),
                            },
                        );
                        self.chan_at.insert((id, number), channel.clone());
                        ok(Map::new())
                    }
                    Err(e) => Ok(Err(e)),
                }
            }
            Step::CloseChannel { channel } => {
                self.channel(channel)?;
                Ok(match self.open_channel(channel) {
                    Ok((conn, number)) => self
                        .broker
                        .close_channel_gracefully(conn, number)
                        .map(|_| Map::new()),
                    Err(e) => Err(e),
                })
            }
            Step::Method {
                channel,
                method,
                alias,
                ..
            } => {
                let method = self.resolve_method(method)?;
                let confirm = matches!(method, Method::ConfirmSelect { .. });
                let result = self.call(channel, method)?;
                if let (Ok(fields), Some(a)) = (&result, alias.as_ref().filter(|a| !a.is_empty())) {
                    if let Some(name) = fields.get("queue").and_then(Value::as_str) {
                        let key = if a.starts_with('$') {
                            a.clone()
                        } else {
                            format!("${a}")
                        };
                        self.aliases.insert(key, name.to_string());
                    }
                }
                if confirm && result.is_ok() {
                    if let Some(c) = self.chans.get_mut(channel) {
                        c.confirm = true;
                    }
                }
                Ok(result)
            }
            Step::Publish {
                channel,
                template,
                bodies,
            } => self.publish(channel, template, bodies),
            Step::Consume {
                channel,
                consumer,
                method,
                ack_on_receive,
            } => {
                let mut method = method.clone();
                method.queue = self.resolve(&method.queue)?;
                let result = self.call(channel, Method::BasicConsume(method))?;
                if let Ok(fields) = &result {
                    let tag = fields
                        .get("consumer_tag")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    self.consumers.insert(
                        consumer.clone(),
                        ConsumerState {
                            channel: channel.clone(),
                            tag,
                            ack_on_receive: *ack_on_receive,
                        },
                    );
                    self.deliveries.entry(consumer.clone()).or_default();
                    self.reported.entry(consumer.clone()).or_insert(0);
                }
                Ok(result)
            }
            Step::Cancel { consumer } => {
                let c = self
                    .consumers
                    .get(consumer)
                    .ok_or_else(|| ScenarioError(format!("unknown consumer '{consumer}'")))?;
                let (chlabel, consumer_tag) = (c.channel.clone(), c.tag.clone());
                self.call(
                    &chlabel,
                    Method::BasicCancel(BasicCancel::new(&consumer_tag)),
                )
                .map(|r| r.map(|_| Map::new()))
            }
            Step::Get {
                channel,
                label,
                method,
            } => {
                let mut method = method.clone();
                method.queue = self.resolve(&method.queue)?;
                self.channel(channel)?;
                let reply = match self.open_channel(channel) {
                    Ok((conn, number)) => self.broker.apply(conn, number, Method::BasicGet(method)),
                    Err(e) => Err(e),
                };
                match reply {
                    Ok(Reply::BasicGetOk(got)) => {
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
                    Ok(_) => {
                        let mut m = Map::new();
                        m.insert("message".into(), Value::Null);
                        ok(m)
                    }
                    Err(e) => Ok(Err(e)),
                }
            }
            Step::Ack { delivery, multiple } => {
                let (chlabel, delivery_tag) = self.select(delivery)?;
                self.call(
                    &chlabel,
                    Method::BasicAck(BasicAck {
                        delivery_tag,
                        multiple: *multiple,
                    }),
                )
            }
            Step::Nack {
                delivery,
                multiple,
                requeue,
            } => {
                let (chlabel, delivery_tag) = self.select(delivery)?;
                self.call(
                    &chlabel,
                    Method::BasicNack(BasicNack {
                        delivery_tag,
                        multiple: *multiple,
                        requeue: *requeue,
                    }),
                )
            }
            Step::Reject { delivery, requeue } => {
                let (chlabel, delivery_tag) = self.select(delivery)?;
                self.call(
                    &chlabel,
                    Method::BasicReject(BasicReject {
                        delivery_tag,
                        requeue: *requeue,
                    }),
                )
            }
            Step::Wait { ms } => {
                self.broker.advance(*ms);
                self.pump();
                ok(Map::new())
            }
            Step::SetConsumerTimeout { ms, tick_ms } => {
                self.broker.set_consumer_timeout(*ms, *tick_ms);
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
                self.pending_acks.clear();
                self.conns.clear();
                self.chans.clear();
                self.chan_at.clear();
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
        template: &crate::engine::method::BasicPublish,
        bodies: &[String],
    ) -> Result<StepResult, ScenarioError> {
        let confirm = self.channel(channel)?.confirm;
        let routing_key = self.resolve(&template.routing_key)?;
        let mut confirms = Vec::new();
        for body in bodies {
            let mut publish = template.clone();
            publish.routing_key = routing_key.clone();
            publish.body = body.as_bytes().to_vec();
            if let Err(e) = self.call(channel, Method::BasicPublish(publish))? {
                return Ok(Err(e));
            }
            if confirm {
                let seq = match self.chans.get_mut(channel) {
                    Some(c) => {
                        c.published += 1;
                        c.published
                    }
                    None => 0,
                };
                confirms.push(self.await_confirm(channel, seq));
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
    /// real time) for the broker's confirm of publish `seq` on `channel`.
    fn await_confirm(&mut self, channel: &str, seq: u64) -> &'static str {
        for _ in 0..1_000 {
            self.broker.run_until_idle();
            self.pump();
            let found = self
                .chans
                .get(channel)
                .and_then(|c| c.confirms.iter().find(|c| c.covers(seq)).map(|c| c.ack));
            if let Some(ack) = found {
                return if ack { "ack" } else { "nack" };
            }
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
                // What `rabbitmqctl list_consumers` shows: not a stream's.
                let listed = self
                    .broker
                    .queue_by_name(&name)
                    .is_none_or(|q| q.settings.queue_type.rules().lists_consumers());
                let mut rows: Vec<Value> = self
                    .broker
                    .consumers_of(&name)
                    .into_iter()
                    .filter(|_| listed)
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

/// The result fields a reply gives, as the harness records them.
fn reply_fields(reply: &Reply) -> Map<String, Value> {
    let mut m = Map::new();
    match reply {
        Reply::QueueDeclareOk(ok) => {
            m.insert("queue".into(), json!(&*ok.queue));
            m.insert("message_count".into(), json!(ok.message_count));
            m.insert("consumer_count".into(), json!(ok.consumer_count));
        }
        Reply::QueuePurgeOk { message_count } | Reply::QueueDeleteOk { message_count } => {
            m.insert("message_count".into(), json!(message_count));
        }
        Reply::BasicConsumeOk { consumer_tag } => {
            m.insert("consumer_tag".into(), json!(&**consumer_tag));
        }
        _ => {}
    }
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
