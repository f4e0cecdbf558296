//! `Broker`, `Connection`, `Channel`: a pika-like JavaScript API.
//!
//! Methods are named after pika's (camelCase), so the lessons' programs
//! translate line by line:
//!
//! ```js
//! const broker = await Broker.create({ name: "demo", store: "memory" });
//! const ch = broker.connect().channel();
//! ch.queueDeclare("hello");
//! ch.basicConsume("hello", (m) => console.log(m.body), { autoAck: true });
//! ch.basicPublish("", "hello", "Hello World!");
//! await broker.runUntilIdle();
//! ```
//!
//! The broker runs on virtual time. By default (`autoRun: true`) it does all
//! pending work in a microtask after each call, like a real broker working
//! in the background; with `autoRun: false` nothing happens until `step()`,
//! `runUntilIdle()` or `advance(ms)`. Consumer callbacks and `onEvent`
//! listeners are called outside of any API call, never re-entrantly.
//!
//! Errors are thrown as `Error`s with `code` (the AMQP reply code),
//! `scope` (`channel`, `connection` or `client`) and `text` (RabbitMQ's
//! reply text).

use crate::engine::event::EventKind;
use crate::engine::ids::{ChannelId, ConnId, ConsumerId};
use crate::engine::message::{MessageRef, Properties};
use crate::engine::value::{self, FieldTable};
use crate::engine::{self, CommandError};
use crate::store::lock::LockMode;
use crate::store::{AnyStore, Storage, StoreError};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of `Broker.create`. */
export interface BrokerOptions {
  /** Names the broker; with the IndexedDB store, its database (`warren-<name>`). */
  name?: string;
  /** Where durable state lives. IndexedDB falls back to memory (see `storeInfo`) when unavailable. */
  store?: "memory" | "indexeddb";
  /** RabbitMQ behaviour to reproduce. */
  profile?: "rabbitmq-3" | "rabbitmq-4.3";
  /** Seeds server-generated names. */
  seed?: number;
  /** Virtual ms between durable commits (default 200). */
  commitInterval?: number;
  /** Do pending work after each call, in a microtask (default true). */
  autoRun?: boolean;
  /** Start empty even if the IndexedDB database holds a broker. */
  reset?: boolean;
  /**
   * With `store: "indexeddb"`, when another tab or window owns this broker:
   * `"reject"` (default) rejects with a `BrokerLockedError`, `"wait"` waits
   * until that tab lets go, `"takeOver"` takes the broker from it (that tab
   * stops writing). One tab at a time owns a broker's stored state.
   */
  ifLocked?: "reject" | "wait" | "takeOver";
}
/** Basic properties, camelCase. */
export interface MessageProperties {
  contentType?: string; contentEncoding?: string; headers?: Record<string, unknown>;
  deliveryMode?: 1 | 2; priority?: number; correlationId?: string; replyTo?: string;
  expiration?: string; messageId?: string; timestamp?: number; type?: string;
  userId?: string; appId?: string; clusterId?: string;
}
/** A delivered message (to a consumer, or from basicGet). */
export interface DeliveredMessage {
  body: string; bodyBytes: Uint8Array; deliveryTag: number; redelivered: boolean;
  exchange: string; routingKey: string; consumerTag?: string; messageCount?: number;
  properties: MessageProperties;
}
export interface QueueDeclareOptions { passive?: boolean; durable?: boolean; exclusive?: boolean; autoDelete?: boolean; arguments?: Record<string, unknown>; }
export interface QueueDeclareOk { queue: string; messageCount: number; consumerCount: number; }
export interface ExchangeDeclareOptions { passive?: boolean; durable?: boolean; autoDelete?: boolean; internal?: boolean; arguments?: Record<string, unknown>; }
export interface ConsumeOptions { autoAck?: boolean; exclusive?: boolean; consumerTag?: string; arguments?: Record<string, unknown>; }
export interface PublishOptions { mandatory?: boolean; }
"#;

/// What the JS objects share: the broker, its store and the callbacks.
struct Host {
    broker: engine::Broker,
    store: AnyStore,
    auto_run: bool,
    tick_scheduled: bool,
    listeners: Vec<(u32, Function)>,
    next_listener: u32,
    consumers: HashMap<ConsumerId, Function>,
    cursor: u64,
    /// Set when another tab took the broker's store over: why.
    lost: Rc<RefCell<Option<String>>>,
    /// `close()` was called: the store is released and calls are refused.
    closed: bool,
}

type Shared = Rc<RefCell<Host>>;

thread_local! {
    /// Set while callbacks are being called, so a callback's own API calls
    /// do not start a second, interleaved round of callbacks.
    static PUMPING: Cell<bool> = const { Cell::new(false) };
}

/// A JS `Error` carrying the AMQP code, scope and text.
fn js_error(e: &CommandError) -> JsValue {
    let (code, scope, text) = match e {
        CommandError::Amqp(a) => (
            Some(a.code.code()),
            match a.scope() {
                engine::error::ErrorScope::Channel => "channel",
                engine::error::ErrorScope::Connection => "connection",
            },
            a.reply_text(),
        ),
        other => (None, "client", other.to_string()),
    };
    let message = match code {
        Some(c) => format!("{c} {text}"),
        None => text.clone(),
    };
    let error = js_sys::Error::new(&message);
    let _ = Reflect::set(
        &error,
        &"code".into(),
        &code.map_or(JsValue::NULL, |c| JsValue::from(c)),
    );
    let _ = Reflect::set(&error, &"scope".into(), &scope.into());
    let _ = Reflect::set(&error, &"text".into(), &text.into());
    error.into()
}

fn usage(message: impl Into<String>) -> JsValue {
    js_error(&CommandError::invalid(message))
}

fn to_js<T: Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// Options objects: `undefined`/`null` mean defaults; a bad field is a clear error.
fn options<T: for<'de> Deserialize<'de> + Default>(v: JsValue, what: &str) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| usage(format!("{what}: {e}")))
}

/// An AMQP table from a plain JS object (typed the way pika types Python values).
fn table(v: Option<serde_json::Value>, what: &str) -> Result<FieldTable, JsValue> {
    match v {
        None => Ok(FieldTable::new()),
        Some(json) => value::table_from_json(&json).map_err(|e| usage(format!("{what}: {e}"))),
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct JsProperties {
    content_type: Option<String>,
    content_encoding: Option<String>,
    headers: Option<serde_json::Value>,
    delivery_mode: Option<u8>,
    priority: Option<u8>,
    correlation_id: Option<String>,
    reply_to: Option<String>,
    expiration: Option<String>,
    message_id: Option<String>,
    timestamp: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    user_id: Option<String>,
    app_id: Option<String>,
    cluster_id: Option<String>,
}

impl JsProperties {
    fn into_properties(self) -> Result<Properties, JsValue> {
        Ok(Properties {
            content_type: self.content_type,
            content_encoding: self.content_encoding,
            headers: match self.headers {
                None => None,
                Some(h) => Some(table(Some(h), "properties.headers")?),
            },
            delivery_mode: self.delivery_mode,
            priority: self.priority,
            correlation_id: self.correlation_id,
            reply_to: self.reply_to,
            expiration: self.expiration,
            message_id: self.message_id,
            timestamp: self.timestamp,
            kind: self.kind,
            user_id: self.user_id,
            app_id: self.app_id,
            cluster_id: self.cluster_id,
        })
    }
}

/// Properties as a camelCase JS object.
fn properties_js(p: &Properties) -> JsValue {
    let obj = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&obj, &k.into(), &v);
    };
    let s = |v: &Option<String>| v.as_ref().map(|x| JsValue::from_str(x));
    for (k, v) in [
        ("contentType", s(&p.content_type)),
        ("contentEncoding", s(&p.content_encoding)),
        ("correlationId", s(&p.correlation_id)),
        ("replyTo", s(&p.reply_to)),
        ("expiration", s(&p.expiration)),
        ("messageId", s(&p.message_id)),
        ("type", s(&p.kind)),
        ("userId", s(&p.user_id)),
        ("appId", s(&p.app_id)),
        ("clusterId", s(&p.cluster_id)),
    ] {
        if let Some(v) = v {
            set(k, v);
        }
    }
    if let Some(h) = &p.headers {
        set("headers", to_js(&value::table_to_json(h)));
    }
    if let Some(v) = p.delivery_mode {
        set("deliveryMode", v.into());
    }
    if let Some(v) = p.priority {
        set("priority", v.into());
    }
    if let Some(v) = p.timestamp {
        set("timestamp", (v as f64).into());
    }
    obj.into()
}

fn message_js(
    m: &MessageRef,
    tag: u64,
    redelivered: bool,
    consumer_tag: Option<&str>,
    message_count: Option<u64>,
) -> JsValue {
    let obj = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&obj, &k.into(), &v);
    };
    set("body", m.body_text().into());
    set("bodyBytes", Uint8Array::from(&m.body()[..]).into());
    set("deliveryTag", (tag as f64).into());
    set("redelivered", redelivered.into());
    set("exchange", JsValue::from_str(&m.exchange));
    set("routingKey", JsValue::from_str(&m.routing_key));
    if let Some(t) = consumer_tag {
        set("consumerTag", t.into());
    }
    if let Some(n) = message_count {
        set("messageCount", (n as f64).into());
    }
    set("properties", properties_js(&m.properties));
    obj.into()
}

/// Calls consumer callbacks and event listeners for new events, outside
/// any borrow of the host, in log order.
fn pump(host: &Shared) {
    if PUMPING.with(|p| p.replace(true)) {
        return;
    }
    loop {
        let calls: Vec<(Function, JsValue)> = {
            let Ok(mut h) = host.try_borrow_mut() else {
                break;
            };
            let events = h.broker.events_since(h.cursor).to_vec();
            if events.is_empty() {
                break;
            }
            h.cursor = h.broker.next_event_seq();
            let mut calls = Vec::new();
            for e in &events {
                if let EventKind::Delivered {
                    message,
                    consumer: Some(c),
                    delivery_tag,
                    redelivered,
                    consumer_tag,
                    ..
                } = &e.kind
                {
                    if let Some(f) = h.consumers.get(c) {
                        calls.push((
                            f.clone(),
                            message_js(
                                message,
                                *delivery_tag,
                                *redelivered,
                                consumer_tag.as_deref(),
                                None,
                            ),
                        ));
                    }
                }
                if !h.listeners.is_empty() {
                    let js = to_js(e);
                    for (_, f) in &h.listeners {
                        calls.push((f.clone(), js.clone()));
                    }
                }
            }
            calls
        };
        for (f, arg) in calls {
            // A throwing callback must not stop the broker.
            let _ = f.call1(&JsValue::NULL, &arg);
        }
    }
    PUMPING.with(|p| p.set(false));
}

/// Writes sealed batches to the store, then delivers callbacks.
async fn settle(host: &Shared) {
    loop {
        let batches = match host.try_borrow_mut() {
            Ok(mut h) => h.broker.take_sealed_batches(),
            Err(_) => Vec::new(),
        };
        if batches.is_empty() {
            break;
        }
        // The store is taken out for the await, so callbacks can use the host.
        let mut store = match host.try_borrow_mut() {
            Ok(mut h) => std::mem::replace(&mut h.store, AnyStore::Memory(Default::default())),
            Err(_) => break,
        };
        let mut results = Vec::new();
        for batch in &batches {
            results.push((
                batch.id,
                store.commit(batch).await.map_err(|e| e.to_string()),
            ));
        }
        if let Ok(mut h) = host.try_borrow_mut() {
            h.store = store;
            for (id, result) in results {
                h.broker.batch_committed(id, result);
            }
        }
    }
    pump(host);
}

/// With autoRun, does the pending work in a microtask after the current call.
fn schedule_tick(host: &Shared) {
    let Ok(mut h) = host.try_borrow_mut() else {
        return;
    };
    if !h.auto_run || h.tick_scheduled {
        return;
    }
    h.tick_scheduled = true;
    drop(h);
    let host = host.clone();
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            match host.try_borrow_mut() {
                Ok(mut h) => {
                    h.tick_scheduled = false;
                    h.broker.run_until_idle();
                }
                Err(_) => break,
            }
            settle(&host).await;
            let more = host
                .try_borrow()
                .is_ok_and(|h| h.broker.has_pending_work() || h.broker.has_sealed_batches());
            if !more {
                break;
            }
        }
    });
}

/// Runs an API call on the broker, then lets the broker work (autoRun).
fn call<T>(
    host: &Shared,
    f: impl FnOnce(&mut engine::Broker) -> Result<T, CommandError>,
) -> Result<T, JsValue> {
    let result = {
        let mut h = host
            .try_borrow_mut()
            .map_err(|_| usage("the broker is busy (called from inside a store write)"))?;
        if h.closed {
            return Err(usage("the broker is closed"));
        }
        f(&mut h.broker)
    };
    schedule_tick(host);
    pump(host);
    result.map_err(|e| js_error(&e))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct CreateOptions {
    name: Option<String>,
    store: Option<String>,
    profile: Option<String>,
    seed: Option<u64>,
    commit_interval: Option<u64>,
    auto_run: Option<bool>,
    reset: bool,
    if_locked: Option<String>,
}

/// The error `Broker.create` rejects with when another tab owns the broker.
fn locked_error(broker: &str) -> JsValue {
    let error = js_sys::Error::new(&format!(
        "broker '{broker}' is open in another tab or window, which owns its stored state; \
         this one does not share it (pass ifLocked: \"wait\" to wait until that tab lets go, \
         or ifLocked: \"takeOver\" to take it over)"
    ));
    error.set_name("BrokerLockedError");
    let _ = Reflect::set(&error, &"code".into(), &JsValue::NULL);
    let _ = Reflect::set(&error, &"scope".into(), &"client".into());
    let _ = Reflect::set(&error, &"broker".into(), &broker.into());
    error.into()
}

/// A simulated RabbitMQ broker.
#[wasm_bindgen]
pub struct Broker {
    host: Shared,
    name: String,
}

#[wasm_bindgen]
impl Broker {
    /// Creates a broker. With `store: "indexeddb"` its durable state lives in
    /// the database `warren-<name>`, and a broker saved there earlier comes
    /// back (unless `reset`). Resolves to the `Broker`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Broker>")]
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "BrokerOptions | undefined")] opts: JsValue,
    ) -> Promise {
        let opts: Result<CreateOptions, JsValue> = options(opts, "Broker.create options");
        future_to_promise(async move {
            let opts = opts?;
            let name = opts.name.clone().unwrap_or_else(|| "default".to_string());
            let mut config = engine::BrokerConfig::default();
            if let Some(p) = &opts.profile {
                config.profile = engine::Profile::parse(p).ok_or_else(|| {
                    usage(format!(
                        "unknown profile '{p}' (rabbitmq-3 or rabbitmq-4.3)"
                    ))
                })?;
            }
            if let Some(seed) = opts.seed {
                config.seed = seed;
            }
            if let Some(ms) = opts.commit_interval {
                config.commit_interval_ms = ms;
            }
            config.durability = engine::durable::Durability::External;
            let mode = match opts.if_locked.as_deref().unwrap_or("reject") {
                "reject" => LockMode::Try,
                "wait" => LockMode::Wait,
                "takeOver" => LockMode::TakeOver,
                other => {
                    return Err(usage(format!(
                        "ifLocked: unknown value '{other}' (reject, wait or takeOver)"
                    )))
                }
            };
            let lost: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
            let (mut store, existing) = match opts.store.as_deref().unwrap_or("memory") {
                "memory" => (AnyStore::Memory(Default::default()), None),
                "indexeddb" => {
                    let owner = format!("api-{}", js_sys::Math::random());
                    let on_lost: Rc<dyn Fn(String)> = Rc::new({
                        let lost = lost.clone();
                        move |why: String| {
                            web_sys::console::warn_1(&JsValue::from_str(&why));
                            *lost.borrow_mut() = Some(why);
                        }
                    });
                    match crate::store::open_browser_store(
                        &name,
                        &owner,
                        config.profile,
                        config.seed,
                        mode,
                        on_lost,
                    )
                    .await
                    {
                        Ok(opened) => opened,
                        Err(StoreError::Locked(broker)) => return Err(locked_error(&broker)),
                        Err(e) => return Err(usage(e.to_string())),
                    }
                }
                other => {
                    return Err(usage(format!(
                        "unknown store '{other}' (memory or indexeddb)"
                    )))
                }
            };
            if let Some(record) = &existing {
                if !opts.reset {
                    config.profile = record.profile;
                    config.seed = record.seed;
                }
            }
            let mut broker = engine::Broker::new(config);
            if opts.reset {
                store.clear().await.map_err(|e| usage(e.to_string()))?;
            } else if existing.is_some() {
                let state = store.load().await.map_err(|e| usage(e.to_string()))?;
                broker.boot(&state);
            }
            let cursor = broker.next_event_seq();
            let host = Rc::new(RefCell::new(Host {
                broker,
                store,
                auto_run: opts.auto_run.unwrap_or(true),
                tick_scheduled: false,
                listeners: Vec::new(),
                next_listener: 1,
                consumers: HashMap::new(),
                cursor,
                lost,
                closed: false,
            }));
            Ok(Broker { host, name }.into())
        })
    }

    /// The broker's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// Opens a connection (as user `guest`).
    pub fn connect(&self, label: Option<String>) -> Result<Connection, JsValue> {
        let label = label.unwrap_or_else(|| "client".to_string());
        let id = call(&self.host, |b| Ok(b.open_connection(&label)))?;
        Ok(Connection {
            host: self.host.clone(),
            id,
        })
    }

    /// Does the next pending thing (one delivery, one due timer) and writes
    /// any sealed batch. Resolves to whether anything happened.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn step(&self) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let did = host
                .try_borrow_mut()
                .map(|mut h| h.broker.step())
                .unwrap_or(false);
            settle(&host).await;
            Ok(did.into())
        })
    }

    /// Does everything pending at the current virtual time. Resolves to the
    /// number of steps taken.
    #[wasm_bindgen(js_name = runUntilIdle, unchecked_return_type = "Promise<number>")]
    pub fn run_until_idle(&self) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let mut steps = 0usize;
            loop {
                let n = host
                    .try_borrow_mut()
                    .map(|mut h| h.broker.run_until_idle())
                    .unwrap_or(0);
                steps += n;
                settle(&host).await;
                let more = host.try_borrow().is_ok_and(|h| h.broker.has_pending_work());
                if n == 0 && !more {
                    break;
                }
            }
            Ok((steps as f64).into())
        })
    }

    /// Moves virtual time forward by `ms`, firing timers (TTL, queue expiry,
    /// durable commits) at their own times.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn advance(&self, ms: f64) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let target = host
                .try_borrow()
                .map(|h| h.broker.now())
                .unwrap_or(0)
                .saturating_add(ms.max(0.0) as u64);
            loop {
                let next = host
                    .try_borrow()
                    .ok()
                    .and_then(|h| h.broker.next_timer_at())
                    .filter(|t| *t <= target);
                let Some(at) = next else { break };
                if let Ok(mut h) = host.try_borrow_mut() {
                    h.broker.advance_to(at);
                }
                settle(&host).await;
            }
            if let Ok(mut h) = host.try_borrow_mut() {
                h.broker.advance_to(target);
            }
            settle(&host).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Current virtual time (ms).
    #[wasm_bindgen(getter)]
    pub fn now(&self) -> f64 {
        self.host
            .try_borrow()
            .map(|h| h.broker.now() as f64)
            .unwrap_or(0.0)
    }

    /// Graceful restart: connections close (unacked messages requeued),
    /// everything is committed, the broker boots from its store.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn restart(&self) -> Promise {
        self.stop_and_boot(true)
    }

    /// Crash: the broker dies at once; what the store had not committed is lost.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn crash(&self) -> Promise {
        self.stop_and_boot(false)
    }

    fn stop_and_boot(&self, graceful: bool) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            if let Ok(mut h) = host.try_borrow_mut() {
                h.broker.stop(graceful);
                h.consumers.clear();
            }
            if graceful {
                settle(&host).await;
            }
            let mut store = match host.try_borrow_mut() {
                Ok(mut h) => std::mem::replace(&mut h.store, AnyStore::Memory(Default::default())),
                Err(_) => return Err(usage("the broker is busy")),
            };
            let loaded = store.load().await;
            let mut h = host
                .try_borrow_mut()
                .map_err(|_| usage("the broker is busy"))?;
            h.store = store;
            let state = loaded.map_err(|e| usage(e.to_string()))?;
            h.broker.boot(&state);
            drop(h);
            pump(&host);
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Calls `listener(event)` for every event from now on; returns an id
    /// for `offEvent`.
    #[wasm_bindgen(js_name = onEvent)]
    pub fn on_event(&self, listener: Function) -> u32 {
        let Ok(mut h) = self.host.try_borrow_mut() else {
            return 0;
        };
        let id = h.next_listener;
        h.next_listener += 1;
        h.listeners.push((id, listener));
        id
    }

    #[wasm_bindgen(js_name = offEvent)]
    pub fn off_event(&self, id: u32) {
        if let Ok(mut h) = self.host.try_borrow_mut() {
            h.listeners.retain(|(i, _)| *i != id);
        }
    }

    /// The event log so far (objects with `seq`, `time`, `kind` and details).
    pub fn events(&self) -> JsValue {
        self.host
            .try_borrow()
            .map(|h| to_js(&h.broker.events()))
            .unwrap_or(JsValue::NULL)
    }

    /// A picture of the broker now: queues (with counts), exchanges,
    /// bindings, consumers, virtual time, profile and store.
    pub fn snapshot(&self) -> JsValue {
        let Ok(h) = self.host.try_borrow() else {
            return JsValue::NULL;
        };
        let b = &h.broker;
        let queues: Vec<serde_json::Value> = b
            .queues()
            .map(|q| {
                serde_json::json!({
                    "name": &*q.name, "durable": q.durable, "exclusive": q.exclusive_owner.is_some(),
                    "autoDelete": q.auto_delete, "arguments": value::table_to_json(&q.args),
                    "ready": q.ready_count(), "unacked": q.unacked, "consumers": q.consumers.len(),
                })
            })
            .collect();
        let exchanges: Vec<serde_json::Value> = b
            .exchanges()
            .map(|x| {
                serde_json::json!({
                    "name": &*x.name, "type": x.kind.name(), "durable": x.durable,
                    "autoDelete": x.auto_delete, "internal": x.internal,
                    "arguments": value::table_to_json(&x.args),
                })
            })
            .collect();
        let bindings: Vec<serde_json::Value> = b
            .bindings()
            .into_iter()
            .map(|bv| {
                serde_json::json!({
                    "source": &*bv.source, "destination": &*bv.destination,
                    "destinationKind": bv.destination_kind, "routingKey": &*bv.routing_key,
                    "arguments": value::table_to_json(&bv.arguments),
                })
            })
            .collect();
        let consumers: Vec<serde_json::Value> = b
            .consumers()
            .map(|c| {
                serde_json::json!({
                    "consumerTag": &*c.tag, "queue": b.queue(c.queue).map(|q| q.name.to_string()),
                    "ackRequired": !c.no_ack, "prefetchCount": c.prefetch, "unacked": c.unacked,
                })
            })
            .collect();
        to_js(&serde_json::json!({
            "time": b.now(), "profile": b.profile().name(),
            "store": store_json(&h),
            "queues": queues, "exchanges": exchanges, "bindings": bindings, "consumers": consumers,
            "connections": b.connections().filter(|c| c.open).count(),
        }))
    }

    /// Which store holds the durable state, and why if it is a fallback;
    /// `owner` is false once another tab took the broker over (`lostReason`
    /// says why) or after `close()`.
    #[wasm_bindgen(js_name = storeInfo)]
    pub fn store_info(&self) -> JsValue {
        let Ok(h) = self.host.try_borrow() else {
            return JsValue::NULL;
        };
        to_js(&store_json(&h))
    }

    /// Stops the broker gracefully (connections close, everything durable
    /// is committed) and lets go of its store, so another tab waiting for
    /// this broker gets it. Later calls are refused.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            match host.try_borrow_mut() {
                Ok(mut h) if !h.closed => {
                    h.broker.stop(true);
                    h.consumers.clear();
                }
                Ok(_) => return Ok(JsValue::UNDEFINED),
                Err(_) => return Err(usage("the broker is busy")),
            }
            settle(&host).await;
            let mut h = host
                .try_borrow_mut()
                .map_err(|_| usage("the broker is busy"))?;
            h.closed = true;
            // Dropping the store releases its lock.
            h.store = AnyStore::Memory(Default::default());
            Ok(JsValue::UNDEFINED)
        })
    }
}

/// `storeInfo()`: the store's kind and description, why memory stands in
/// (if it does), and whether this tab still owns the broker.
fn store_json(h: &Host) -> serde_json::Value {
    let lost = h.lost.borrow().clone();
    serde_json::json!({
        "kind": h.store.kind(), "description": h.store.describe(),
        "fallbackReason": h.store.fallback_reason(),
        "owner": lost.is_none() && !h.closed && h.store.kind() == "indexeddb",
        "lostReason": lost,
    })
}

/// A client connection.
#[wasm_bindgen]
pub struct Connection {
    host: Shared,
    id: ConnId,
}

#[wasm_bindgen]
impl Connection {
    /// Opens a channel.
    pub fn channel(&self) -> Result<Channel, JsValue> {
        let id = call(&self.host, |b| b.open_channel(self.id))?;
        Ok(Channel {
            host: self.host.clone(),
            id,
        })
    }

    /// Closes the connection: its channels close (their unacked messages go
    /// back) and its exclusive queues are deleted.
    pub fn close(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.close_connection(self.id))
    }

    #[wasm_bindgen(getter, js_name = isOpen)]
    pub fn is_open(&self) -> bool {
        self.host
            .try_borrow()
            .is_ok_and(|h| h.broker.connection(self.id).is_some_and(|c| c.open))
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct QueueOptions {
    passive: bool,
    durable: bool,
    exclusive: bool,
    auto_delete: bool,
    arguments: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct ExchangeOptions {
    passive: bool,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    arguments: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct ConsumeOptions {
    auto_ack: bool,
    exclusive: bool,
    consumer_tag: Option<String>,
    arguments: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct DeleteOptions {
    if_unused: bool,
    if_empty: bool,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct QosOptions {
    global: bool,
    prefetch_size: u32,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct PublishOptions {
    mandatory: bool,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct GetOptions {
    auto_ack: bool,
}

/// A channel: where AMQP methods are called.
#[wasm_bindgen]
pub struct Channel {
    host: Shared,
    id: ChannelId,
}

#[wasm_bindgen]
impl Channel {
    /// queue.declare. `queue` "" lets the broker name it (`amq.gen-…`).
    #[wasm_bindgen(js_name = queueDeclare, unchecked_return_type = "QueueDeclareOk")]
    pub fn queue_declare(
        &self,
        queue: String,
        #[wasm_bindgen(unchecked_param_type = "QueueDeclareOptions | undefined")] opts: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: QueueOptions = options(opts, "queueDeclare options")?;
        let arguments = table(o.arguments, "queueDeclare arguments")?;
        let ok = call(&self.host, |b| {
            b.queue_declare(
                self.id,
                engine::QueueDeclare {
                    queue,
                    passive: o.passive,
                    durable: o.durable,
                    exclusive: o.exclusive,
                    auto_delete: o.auto_delete,
                    arguments,
                },
            )
        })?;
        Ok(to_js(
            &serde_json::json!({"queue": &*ok.queue, "messageCount": ok.message_count, "consumerCount": ok.consumer_count}),
        ))
    }

    /// queue.delete; resolves nothing, returns the ready messages deleted.
    #[wasm_bindgen(js_name = queueDelete)]
    pub fn queue_delete(&self, queue: String, opts: JsValue) -> Result<f64, JsValue> {
        let o: DeleteOptions = options(opts, "queueDelete options")?;
        call(&self.host, |b| {
            b.queue_delete(self.id, &queue, o.if_unused, o.if_empty)
        })
        .map(|n| n as f64)
    }

    /// queue.purge; returns the ready messages removed.
    #[wasm_bindgen(js_name = queuePurge)]
    pub fn queue_purge(&self, queue: String) -> Result<f64, JsValue> {
        call(&self.host, |b| b.queue_purge(self.id, &queue)).map(|n| n as f64)
    }

    #[wasm_bindgen(js_name = queueBind)]
    pub fn queue_bind(
        &self,
        queue: String,
        exchange: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        let args = table(
            options::<Option<serde_json::Value>>(arguments, "queueBind arguments")?,
            "queueBind arguments",
        )?;
        call(&self.host, |b| {
            b.queue_bind(
                self.id,
                &queue,
                &exchange,
                routing_key.as_deref().unwrap_or(""),
                args,
            )
        })
    }

    #[wasm_bindgen(js_name = queueUnbind)]
    pub fn queue_unbind(
        &self,
        queue: String,
        exchange: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        let args = table(
            options::<Option<serde_json::Value>>(arguments, "queueUnbind arguments")?,
            "queueUnbind arguments",
        )?;
        call(&self.host, |b| {
            b.queue_unbind(
                self.id,
                &queue,
                &exchange,
                routing_key.as_deref().unwrap_or(""),
                args,
            )
        })
    }

    /// exchange.declare (`type`: direct, fanout, topic, headers).
    #[wasm_bindgen(js_name = exchangeDeclare)]
    pub fn exchange_declare(
        &self,
        exchange: String,
        kind: Option<String>,
        #[wasm_bindgen(unchecked_param_type = "ExchangeDeclareOptions | undefined")] opts: JsValue,
    ) -> Result<(), JsValue> {
        let o: ExchangeOptions = options(opts, "exchangeDeclare options")?;
        let arguments = table(o.arguments, "exchangeDeclare arguments")?;
        call(&self.host, |b| {
            b.exchange_declare(
                self.id,
                engine::ExchangeDeclare {
                    exchange,
                    kind: kind.unwrap_or_else(|| "direct".into()),
                    passive: o.passive,
                    durable: o.durable,
                    auto_delete: o.auto_delete,
                    internal: o.internal,
                    arguments,
                },
            )
        })
    }

    #[wasm_bindgen(js_name = exchangeDelete)]
    pub fn exchange_delete(&self, exchange: String, opts: JsValue) -> Result<(), JsValue> {
        let o: DeleteOptions = options(opts, "exchangeDelete options")?;
        call(&self.host, |b| {
            b.exchange_delete(self.id, &exchange, o.if_unused)
        })
    }

    #[wasm_bindgen(js_name = exchangeBind)]
    pub fn exchange_bind(
        &self,
        destination: String,
        source: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        let args = table(
            options::<Option<serde_json::Value>>(arguments, "exchangeBind arguments")?,
            "exchangeBind arguments",
        )?;
        call(&self.host, |b| {
            b.exchange_bind(
                self.id,
                &destination,
                &source,
                routing_key.as_deref().unwrap_or(""),
                args,
            )
        })
    }

    #[wasm_bindgen(js_name = exchangeUnbind)]
    pub fn exchange_unbind(
        &self,
        destination: String,
        source: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        let args = table(
            options::<Option<serde_json::Value>>(arguments, "exchangeUnbind arguments")?,
            "exchangeUnbind arguments",
        )?;
        call(&self.host, |b| {
            b.exchange_unbind(
                self.id,
                &destination,
                &source,
                routing_key.as_deref().unwrap_or(""),
                args,
            )
        })
    }

    /// basic.publish. `body` is a string or a Uint8Array. Returns the
    /// publish sequence number in confirm mode.
    #[wasm_bindgen(js_name = basicPublish)]
    pub fn basic_publish(
        &self,
        exchange: String,
        routing_key: String,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MessageProperties | undefined")] properties: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PublishOptions | undefined")] opts: JsValue,
    ) -> Result<Option<f64>, JsValue> {
        let body: Vec<u8> = if let Some(s) = body.as_string() {
            s.into_bytes()
        } else if body.is_instance_of::<Uint8Array>() {
            Uint8Array::new(&body).to_vec()
        } else if body.is_undefined() || body.is_null() {
            Vec::new()
        } else {
            return Err(usage(
                "basicPublish: the body must be a string or a Uint8Array",
            ));
        };
        let props =
            options::<JsProperties>(properties, "basicPublish properties")?.into_properties()?;
        let o: PublishOptions = options(opts, "basicPublish options")?;
        call(&self.host, |b| {
            b.basic_publish(
                self.id,
                engine::Publish {
                    exchange,
                    routing_key,
                    mandatory: o.mandatory,
                    immediate: false,
                    properties: props,
                    body,
                },
            )
        })
        .map(|seq| seq.map(|s| s as f64))
    }

    /// basic.qos: `prefetchCount` for consumers created from now on (or, with
    /// `{global: true}`, for the whole channel).
    #[wasm_bindgen(js_name = basicQos)]
    pub fn basic_qos(&self, prefetch_count: u32, opts: JsValue) -> Result<(), JsValue> {
        let o: QosOptions = options(opts, "basicQos options")?;
        call(&self.host, |b| {
            b.basic_qos(self.id, o.prefetch_size, prefetch_count, o.global)
        })
    }

    /// basic.consume: `onMessage(message)` is called for each delivery.
    /// Returns the consumer tag.
    #[wasm_bindgen(js_name = basicConsume)]
    pub fn basic_consume(
        &self,
        queue: String,
        #[wasm_bindgen(unchecked_param_type = "(message: DeliveredMessage) => void")]
        on_message: Function,
        #[wasm_bindgen(unchecked_param_type = "ConsumeOptions | undefined")] opts: JsValue,
    ) -> Result<String, JsValue> {
        let o: ConsumeOptions = options(opts, "basicConsume options")?;
        let arguments = table(o.arguments, "basicConsume arguments")?;
        let consume = engine::Consume {
            queue,
            consumer_tag: o.consumer_tag.unwrap_or_default(),
            no_ack: o.auto_ack,
            exclusive: o.exclusive,
            arguments,
        };
        // Registered before any delivery can be pumped.
        let tag = {
            let mut h = self
                .host
                .try_borrow_mut()
                .map_err(|_| usage("the broker is busy"))?;
            let tag = h
                .broker
                .basic_consume(self.id, consume)
                .map_err(|e| js_error(&e));
            if let Ok(t) = &tag {
                if let Some(id) = h
                    .broker
                    .channel(self.id)
                    .and_then(|c| c.consumers.get(t).copied())
                {
                    h.consumers.insert(id, on_message);
                }
            }
            tag
        };
        schedule_tick(&self.host);
        pump(&self.host);
        tag.map(|t| t.to_string())
    }

    #[wasm_bindgen(js_name = basicCancel)]
    pub fn basic_cancel(&self, consumer_tag: String) -> Result<(), JsValue> {
        call(&self.host, |b| b.basic_cancel(self.id, &consumer_tag))
    }

    /// basic.get: the head message, or null when the queue is empty.
    #[wasm_bindgen(js_name = basicGet, unchecked_return_type = "DeliveredMessage | null")]
    pub fn basic_get(&self, queue: String, opts: JsValue) -> Result<JsValue, JsValue> {
        let o: GetOptions = options(opts, "basicGet options")?;
        let got = call(&self.host, |b| b.basic_get(self.id, &queue, o.auto_ack))?;
        Ok(match got {
            None => JsValue::NULL,
            Some(g) => message_js(
                &g.message,
                g.delivery_tag,
                g.redelivered,
                None,
                Some(g.message_count),
            ),
        })
    }

    #[wasm_bindgen(js_name = basicAck)]
    pub fn basic_ack(&self, delivery_tag: f64, multiple: Option<bool>) -> Result<(), JsValue> {
        call(&self.host, |b| {
            b.basic_ack(self.id, delivery_tag as u64, multiple.unwrap_or(false))
        })
    }

    #[wasm_bindgen(js_name = basicNack)]
    pub fn basic_nack(
        &self,
        delivery_tag: f64,
        multiple: Option<bool>,
        requeue: Option<bool>,
    ) -> Result<(), JsValue> {
        call(&self.host, |b| {
            b.basic_nack(
                self.id,
                delivery_tag as u64,
                multiple.unwrap_or(false),
                requeue.unwrap_or(true),
            )
        })
    }

    #[wasm_bindgen(js_name = basicReject)]
    pub fn basic_reject(&self, delivery_tag: f64, requeue: Option<bool>) -> Result<(), JsValue> {
        call(&self.host, |b| {
            b.basic_reject(self.id, delivery_tag as u64, requeue.unwrap_or(true))
        })
    }

    #[wasm_bindgen(js_name = basicRecover)]
    pub fn basic_recover(&self, requeue: Option<bool>) -> Result<(), JsValue> {
        call(&self.host, |b| {
            b.basic_recover(self.id, requeue.unwrap_or(true))
        })
    }

    /// confirm.select: the broker acks (or nacks) every publish from now on.
    #[wasm_bindgen(js_name = confirmSelect)]
    pub fn confirm_select(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.confirm_select(self.id))
    }

    /// Runs the broker (virtual time moves to each commit) until every
    /// publish of this channel is confirmed. Resolves to true if all were
    /// acked, false if any was nacked.
    #[wasm_bindgen(js_name = waitForConfirms, unchecked_return_type = "Promise<boolean>")]
    pub fn wait_for_confirms(&self) -> Promise {
        let host = self.host.clone();
        let channel = self.id;
        future_to_promise(async move {
            let from = host
                .try_borrow()
                .map(|h| h.broker.events().first().map_or(0, |e| e.seq))
                .unwrap_or(0);
            for _ in 0..10_000 {
                if let Ok(mut h) = host.try_borrow_mut() {
                    h.broker.run_until_idle();
                }
                settle(&host).await;
                let (outstanding, nacked) = {
                    let h = host.try_borrow().map_err(|_| usage("the broker is busy"))?;
                    confirm_status(&h.broker, channel, from)
                };
                if outstanding == 0 {
                    return Ok((!nacked).into());
                }
                let next = host
                    .try_borrow()
                    .ok()
                    .and_then(|h| h.broker.next_timer_at());
                match next {
                    Some(at) => {
                        if let Ok(mut h) = host.try_borrow_mut() {
                            h.broker.advance_to(at);
                        }
                    }
                    None => break,
                }
            }
            Err(usage(
                "waitForConfirms: confirms never came (is the channel in confirm mode?)",
            ))
        })
    }

    #[wasm_bindgen(js_name = txSelect)]
    pub fn tx_select(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.tx_select(self.id))
    }

    #[wasm_bindgen(js_name = txCommit)]
    pub fn tx_commit(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.tx_commit(self.id))
    }

    #[wasm_bindgen(js_name = txRollback)]
    pub fn tx_rollback(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.tx_rollback(self.id))
    }

    /// Closes the channel: its consumers are cancelled and its unacked
    /// deliveries go back to their queues.
    pub fn close(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.close_channel(self.id))
    }

    #[wasm_bindgen(getter, js_name = isOpen)]
    pub fn is_open(&self) -> bool {
        self.host
            .try_borrow()
            .is_ok_and(|h| h.broker.channel(self.id).is_some_and(|c| c.open))
    }
}

/// (publishes still waiting for a confirm, whether any was nacked) on a channel.
fn confirm_status(b: &engine::Broker, channel: ChannelId, from: u64) -> (usize, bool) {
    let mut pending = std::collections::BTreeSet::new();
    let mut nacked = false;
    for e in b.events_since(from) {
        match &e.kind {
            EventKind::Published {
                channel: c,
                confirm_seq: Some(s),
                ..
            } if *c == channel => {
                pending.insert(*s);
            }
            EventKind::Confirmed {
                channel: c,
                seq,
                multiple,
                ack,
            } if *c == channel => {
                if *multiple {
                    pending.retain(|s| s > seq);
                } else {
                    pending.remove(seq);
                }
                nacked |= !ack;
            }
            _ => {}
        }
    }
    (pending.len(), nacked)
}
