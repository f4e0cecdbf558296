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

use crate::engine::exchange::DestinationKind;
use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::message::{MessageRef, Properties};
use crate::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, ExchangeDeclare, ExchangeDelete, Method, QueueDeclare, QueueDelete, QueuePurge,
    Reply,
};
use crate::engine::outbox::{Confirm, Delivery, ServerMethod};
use crate::engine::value;
use crate::engine::{self, CommandError};
use crate::sim::bounded::{Prefetch, VirtualMs};
use crate::store::lock::LockMode;
use crate::store::{AnyStore, Storage, StoreError};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
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

/// What a JS channel knows as a client: its consumers' callbacks and its
/// publisher confirms, learnt from the connection's outbox.
#[derive(Default)]
struct ClientChannel {
    /// Callbacks by consumer tag.
    consumers: BTreeMap<String, Function>,
    /// Publishes since confirm.select (confirms name them 1, 2, …).
    published: u64,
    /// Publishes not yet confirmed.
    unconfirmed: BTreeSet<u64>,
    /// Whether any publish was nacked.
    nacked: bool,
}

/// What the JS objects share: the broker, its store and the callbacks.
struct Host {
    broker: engine::Broker,
    store: AnyStore,
    auto_run: bool,
    tick_scheduled: bool,
    listeners: Vec<(u32, Function)>,
    next_listener: u32,
    /// The JS clients' channels, by connection and channel number.
    clients: BTreeMap<(ConnId, u16), ClientChannel>,
    /// The explanation log read so far (for `onEvent` listeners).
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

/// A JS object's keys in Rust's spelling (`autoDelete` → `auto_delete`), for
/// the top level of an options or properties object only (header and
/// argument names are the user's own and stay as they are).
fn snake_keys(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut out = String::with_capacity(k.len() + 2);
                    for c in k.chars() {
                        if c.is_ascii_uppercase() {
                            out.push('_');
                            out.push(c.to_ascii_lowercase());
                        } else {
                            out.push(c);
                        }
                    }
                    (out, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// The JavaScript spelling of an object's top-level keys (`content_type` →
/// `contentType`): the JS edge is camelCase, every other format snake_case.
fn camel_keys(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut out = String::with_capacity(k.len());
                    let mut upper = false;
                    for c in k.chars() {
                        if c == '_' {
                            upper = true;
                        } else if upper {
                            out.push(c.to_ascii_uppercase());
                            upper = false;
                        } else {
                            out.push(c);
                        }
                    }
                    (out, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// A method's arguments from a JS options object (camelCase, unknown keys
/// refused), on top of `base` (the arguments the call names positionally).
/// `renames` maps a JS option to the AMQP argument it sets (pika's
/// `autoAck` is AMQP's `no_ack`).
fn method_args<T: Serialize + for<'de> Deserialize<'de>>(
    base: T,
    opts: JsValue,
    what: &str,
    renames: &[(&str, &str)],
) -> Result<T, JsValue> {
    let mut fields = match serde_json::to_value(&base) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return Err(usage(format!("{what}: internal error"))),
    };
    if !opts.is_undefined() && !opts.is_null() {
        let given: serde_json::Value =
            serde_wasm_bindgen::from_value(opts).map_err(|e| usage(format!("{what}: {e}")))?;
        let serde_json::Value::Object(given) = snake_keys(given) else {
            return Err(usage(format!("{what}: expected an object")));
        };
        for (k, v) in given {
            let key = renames
                .iter()
                .find(|(js, _)| *js == k)
                .map_or(k.clone(), |(_, amqp)| amqp.to_string());
            if !fields.contains_key(&key) || matches!(key.as_str(), "no_wait" | "body") {
                return Err(usage(format!("{what}: unknown option '{k}'")));
            }
            fields.insert(key, v);
        }
    }
    serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| usage(format!("{what}: {e}")))
}

/// Properties from a camelCase JS object.
fn properties_from_js(v: JsValue) -> Result<Properties, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Properties::default());
    }
    let json: serde_json::Value = serde_wasm_bindgen::from_value(v)
        .map_err(|e| usage(format!("basicPublish properties: {e}")))?;
    serde_json::from_value(snake_keys(json))
        .map_err(|e| usage(format!("basicPublish properties: {e}")))
}

/// Properties as a camelCase JS object.
fn properties_js(p: &Properties) -> JsValue {
    to_js(&camel_keys(serde_json::to_value(p).unwrap_or_default()))
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

/// A consumer's delivery as the JS callback gets it.
fn delivery_js(d: &Delivery) -> JsValue {
    message_js(
        &d.message,
        d.delivery_tag,
        d.redelivered,
        Some(&d.consumer_tag),
        None,
    )
}

/// Reads every JS connection's outbox (deliveries to consumer callbacks,
/// confirms to their channel) and the explanation log (to `onEvent`
/// listeners), then calls the callbacks outside any borrow of the host.
fn pump(host: &Shared) {
    if PUMPING.with(|p| p.replace(true)) {
        return;
    }
    loop {
        let calls: Vec<(Function, JsValue)> = {
            let Ok(mut h) = host.try_borrow_mut() else {
                break;
            };
            let h = &mut *h;
            let mut calls = Vec::new();
            let conns: BTreeSet<ConnId> = h.clients.keys().map(|(c, _)| *c).collect();
            for conn in conns {
                for out in h.broker.take_outbox(conn) {
                    let Some(client) = h.clients.get_mut(&(conn, out.channel)) else {
                        continue;
                    };
                    match out.method {
                        ServerMethod::BasicDeliver(d) => {
                            if let Some(f) = client.consumers.get(&*d.consumer_tag) {
                                calls.push((f.clone(), delivery_js(&d)));
                            }
                        }
                        ServerMethod::Confirm(c) => client.confirmed(c),
                        ServerMethod::BasicCancel { consumer_tag } => {
                            client.consumers.remove(&*consumer_tag);
                        }
                        _ => {}
                    }
                }
            }
            if !h.listeners.is_empty() {
                for e in h.broker.events_since(h.cursor) {
                    let js = to_js(e);
                    for (_, f) in &h.listeners {
                        calls.push((f.clone(), js.clone()));
                    }
                }
            }
            h.cursor = h.broker.next_event_seq();
            calls
        };
        if calls.is_empty() {
            break;
        }
        for (f, arg) in calls {
            // A throwing callback must not stop the broker.
            let _ = f.call1(&JsValue::NULL, &arg);
        }
    }
    PUMPING.with(|p| p.set(false));
}

impl ClientChannel {
    fn confirmed(&mut self, c: Confirm) {
        self.unconfirmed.retain(|s| !c.covers(*s));
        self.nacked |= !c.ack;
    }
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
                clients: BTreeMap::new(),
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
        let ms = VirtualMs::from_f64(ms).map_err(|e| usage(format!("advance: ms {e}")));
        future_to_promise(async move {
            let ms = ms?.get();
            let target = host
                .try_borrow()
                .map(|h| h.broker.now())
                .unwrap_or(0)
                .saturating_add(ms);
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
                h.clients.clear();
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
                    h.clients.clear();
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
    /// Opens a channel (the lowest free number, as pika does).
    pub fn channel(&self) -> Result<Channel, JsValue> {
        let number = call(&self.host, |b| b.open_next_channel(self.id))?;
        let mut h = self
            .host
            .try_borrow_mut()
            .map_err(|_| usage("the broker is busy"))?;
        let id = h
            .broker
            .channel_id(self.id, number)
            .ok_or_else(|| usage("the channel closed at once"))?;
        h.clients
            .insert((self.id, number), ClientChannel::default());
        Ok(Channel {
            host: self.host.clone(),
            conn: self.id,
            number,
            id,
        })
    }

    /// Closes the connection as pika does (each channel's consumers are
    /// cancelled, the channels close, their unacked messages go back) and
    /// its exclusive queues are deleted.
    pub fn close(&self) -> Result<(), JsValue> {
        call(&self.host, |b| b.close_connection_gracefully(self.id))
    }

    #[wasm_bindgen(getter, js_name = isOpen)]
    pub fn is_open(&self) -> bool {
        self.host
            .try_borrow()
            .is_ok_and(|h| h.broker.connection(self.id).is_some_and(|c| c.open))
    }
}

/// A channel: where AMQP methods are called.
#[wasm_bindgen]
pub struct Channel {
    host: Shared,
    conn: ConnId,
    number: u16,
    /// The engine's id of this channel: a number is reused once its channel
    /// has closed, and this channel must not speak on another's.
    id: ChannelId,
}

impl Channel {
    /// Applies a method on this channel, as pika would: refused on the
    /// client when the channel is closed.
    fn apply(&self, method: Method) -> Result<Reply, JsValue> {
        let (conn, number, id) = (self.conn, self.number, self.id);
        call(&self.host, |b| {
            // As pika: on a dead connection the channel is closed too.
            if !b.channel(id).is_some_and(|c| c.open) {
                return Err(CommandError::ChannelClosed);
            }
            b.apply(conn, number, method)
        })
    }

    /// Applies a method whose reply is only "ok".
    fn send(&self, method: Method) -> Result<(), JsValue> {
        self.apply(method).map(|_| ())
    }

    /// Applies the method `wrap` makes of `base` with the JS options on top
    /// (see [`method_args`]).
    fn apply_with<T: Serialize + for<'de> Deserialize<'de>>(
        &self,
        base: T,
        opts: JsValue,
        what: &str,
        renames: &[(&str, &str)],
        wrap: fn(T) -> Method,
    ) -> Result<Reply, JsValue> {
        self.apply(wrap(method_args(base, opts, what, renames)?))
    }

    /// queue.bind/unbind or exchange.bind/unbind with positional arguments.
    fn binding(
        &self,
        unbind: bool,
        kind: DestinationKind,
        source: &str,
        destination: &str,
        routing_key: Option<String>,
        args: JsValue,
    ) -> Result<(), JsValue> {
        let arguments = arguments(args, "arguments")?;
        self.send(Method::binding(
            unbind,
            kind,
            source,
            destination,
            &routing_key.unwrap_or_default(),
            arguments,
        ))
    }

    fn client<T>(&self, f: impl FnOnce(&mut ClientChannel) -> T) -> Result<T, JsValue> {
        let mut h = self
            .host
            .try_borrow_mut()
            .map_err(|_| usage("the broker is busy"))?;
        Ok(f(h.clients.entry((self.conn, self.number)).or_default()))
    }
}

/// An arguments table given positionally.
fn arguments(v: JsValue, what: &str) -> Result<crate::engine::value::FieldTable, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Default::default());
    }
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(v).map_err(|e| usage(format!("{what}: {e}")))?;
    serde_json::from_value(json).map_err(|e| usage(format!("{what}: {e}")))
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
        let base = QueueDeclare::named(&queue);
        match self.apply_with(
            base,
            opts,
            "queueDeclare options",
            &[],
            Method::QueueDeclare,
        )? {
            Reply::QueueDeclareOk(ok) => Ok(to_js(&camel_keys(
                serde_json::to_value(&ok).unwrap_or_default(),
            ))),
            _ => Err(usage("queueDeclare: unexpected reply")),
        }
    }

    /// queue.delete; returns the ready messages deleted.
    #[wasm_bindgen(js_name = queueDelete)]
    pub fn queue_delete(&self, queue: String, opts: JsValue) -> Result<f64, JsValue> {
        let base = QueueDelete {
            queue,
            ..Default::default()
        };
        match self.apply_with(base, opts, "queueDelete options", &[], Method::QueueDelete)? {
            Reply::QueueDeleteOk { message_count } => Ok(message_count as f64),
            _ => Ok(0.0),
        }
    }

    /// queue.purge; returns the ready messages removed.
    #[wasm_bindgen(js_name = queuePurge)]
    pub fn queue_purge(&self, queue: String) -> Result<f64, JsValue> {
        let m = QueuePurge {
            queue,
            no_wait: false,
        };
        match self.apply(Method::QueuePurge(m))? {
            Reply::QueuePurgeOk { message_count } => Ok(message_count as f64),
            _ => Ok(0.0),
        }
    }

    #[wasm_bindgen(js_name = queueBind)]
    pub fn queue_bind(
        &self,
        queue: String,
        exchange: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        self.binding(
            false,
            DestinationKind::Queue,
            &exchange,
            &queue,
            routing_key,
            arguments,
        )
    }

    #[wasm_bindgen(js_name = queueUnbind)]
    pub fn queue_unbind(
        &self,
        queue: String,
        exchange: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        self.binding(
            true,
            DestinationKind::Queue,
            &exchange,
            &queue,
            routing_key,
            arguments,
        )
    }

    /// exchange.declare (`type`: direct, fanout, topic, headers).
    #[wasm_bindgen(js_name = exchangeDeclare)]
    pub fn exchange_declare(
        &self,
        exchange: String,
        kind: Option<String>,
        #[wasm_bindgen(unchecked_param_type = "ExchangeDeclareOptions | undefined")] opts: JsValue,
    ) -> Result<(), JsValue> {
        let base = ExchangeDeclare::new(&exchange, kind.as_deref().unwrap_or("direct"));
        self.apply_with(
            base,
            opts,
            "exchangeDeclare options",
            &[],
            Method::ExchangeDeclare,
        )
        .map(drop)
    }

    #[wasm_bindgen(js_name = exchangeDelete)]
    pub fn exchange_delete(&self, exchange: String, opts: JsValue) -> Result<(), JsValue> {
        let base = ExchangeDelete {
            exchange,
            ..Default::default()
        };
        self.apply_with(
            base,
            opts,
            "exchangeDelete options",
            &[],
            Method::ExchangeDelete,
        )
        .map(drop)
    }

    #[wasm_bindgen(js_name = exchangeBind)]
    pub fn exchange_bind(
        &self,
        destination: String,
        source: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        self.binding(
            false,
            DestinationKind::Exchange,
            &source,
            &destination,
            routing_key,
            arguments,
        )
    }

    #[wasm_bindgen(js_name = exchangeUnbind)]
    pub fn exchange_unbind(
        &self,
        destination: String,
        source: String,
        routing_key: Option<String>,
        arguments: JsValue,
    ) -> Result<(), JsValue> {
        self.binding(
            true,
            DestinationKind::Exchange,
            &source,
            &destination,
            routing_key,
            arguments,
        )
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
        let mut m = method_args(
            BasicPublish::new(&exchange, &routing_key, Vec::new()),
            opts,
            "basicPublish options",
            &[],
        )?;
        m.properties = properties_from_js(properties)?;
        m.body = body;
        let confirm = self.confirm_mode();
        self.send(Method::BasicPublish(m))?;
        if !confirm {
            return Ok(None);
        }
        self.client(|c| {
            c.published += 1;
            c.unconfirmed.insert(c.published);
            Some(c.published as f64)
        })
    }

    /// basic.qos: `prefetchCount` for consumers created from now on (or, with
    /// `{global: true}`, for the whole channel).
    #[wasm_bindgen(js_name = basicQos)]
    pub fn basic_qos(&self, prefetch_count: f64, opts: JsValue) -> Result<(), JsValue> {
        let prefetch_count = Prefetch::from_f64(prefetch_count)
            .map_err(|e| usage(format!("basicQos: prefetchCount {e}")))?
            .get();
        let base = BasicQos {
            prefetch_count,
            ..Default::default()
        };
        self.apply_with(base, opts, "basicQos options", &[], Method::BasicQos)
            .map(drop)
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
        let base = BasicConsume {
            queue,
            ..Default::default()
        };
        let m = method_args(
            base,
            opts,
            "basicConsume options",
            &[("auto_ack", "no_ack")],
        )?;
        match self.apply(Method::BasicConsume(m))? {
            Reply::BasicConsumeOk { consumer_tag } => {
                // Deliveries wait in the outbox until the next pump: the
                // callback is in place before any is read.
                self.client(|c| c.consumers.insert(consumer_tag.to_string(), on_message))?;
                pump(&self.host);
                Ok(consumer_tag.to_string())
            }
            _ => Err(usage("basicConsume: unexpected reply")),
        }
    }

    #[wasm_bindgen(js_name = basicCancel)]
    pub fn basic_cancel(&self, consumer_tag: String) -> Result<(), JsValue> {
        self.send(Method::BasicCancel(BasicCancel::new(&consumer_tag)))?;
        self.client(|c| c.consumers.remove(&consumer_tag))?;
        Ok(())
    }

    /// basic.get: the head message, or null when the queue is empty.
    #[wasm_bindgen(js_name = basicGet, unchecked_return_type = "DeliveredMessage | null")]
    pub fn basic_get(&self, queue: String, opts: JsValue) -> Result<JsValue, JsValue> {
        let base = BasicGet {
            queue,
            no_ack: false,
        };
        let renames = &[("auto_ack", "no_ack")];
        Ok(
            match self.apply_with(base, opts, "basicGet options", renames, Method::BasicGet)? {
                Reply::BasicGetOk(g) => message_js(
                    &g.message,
                    g.delivery_tag,
                    g.redelivered,
                    None,
                    Some(g.message_count),
                ),
                _ => JsValue::NULL,
            },
        )
    }

    #[wasm_bindgen(js_name = basicAck)]
    pub fn basic_ack(&self, delivery_tag: f64, multiple: Option<bool>) -> Result<(), JsValue> {
        self.send(Method::BasicAck(BasicAck {
            delivery_tag: tag(delivery_tag)?,
            multiple: multiple.unwrap_or(false),
        }))
    }

    #[wasm_bindgen(js_name = basicNack)]
    pub fn basic_nack(
        &self,
        delivery_tag: f64,
        multiple: Option<bool>,
        requeue: Option<bool>,
    ) -> Result<(), JsValue> {
        self.send(Method::BasicNack(BasicNack {
            delivery_tag: tag(delivery_tag)?,
            multiple: multiple.unwrap_or(false),
            requeue: requeue.unwrap_or(true),
        }))
    }

    #[wasm_bindgen(js_name = basicReject)]
    pub fn basic_reject(&self, delivery_tag: f64, requeue: Option<bool>) -> Result<(), JsValue> {
        self.send(Method::BasicReject(BasicReject {
            delivery_tag: tag(delivery_tag)?,
            requeue: requeue.unwrap_or(true),
        }))
    }

    #[wasm_bindgen(js_name = basicRecover)]
    pub fn basic_recover(&self, requeue: Option<bool>) -> Result<(), JsValue> {
        self.send(Method::BasicRecover(BasicRecover {
            requeue: requeue.unwrap_or(true),
        }))
    }

    /// confirm.select: the broker acks (or nacks) every publish from now on.
    #[wasm_bindgen(js_name = confirmSelect)]
    pub fn confirm_select(&self) -> Result<(), JsValue> {
        self.send(Method::ConfirmSelect { no_wait: false })
    }

    /// Runs the broker (virtual time moves to each commit) until every
    /// publish of this channel is confirmed. Resolves to true if all were
    /// acked, false if any was nacked.
    #[wasm_bindgen(js_name = waitForConfirms, unchecked_return_type = "Promise<boolean>")]
    pub fn wait_for_confirms(&self) -> Promise {
        let host = self.host.clone();
        let key = (self.conn, self.number);
        future_to_promise(async move {
            for _ in 0..10_000 {
                if let Ok(mut h) = host.try_borrow_mut() {
                    h.broker.run_until_idle();
                }
                settle(&host).await;
                let (outstanding, nacked) = {
                    let h = host.try_borrow().map_err(|_| usage("the broker is busy"))?;
                    h.clients
                        .get(&key)
                        .map_or((0, false), |c| (c.unconfirmed.len(), c.nacked))
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
        self.send(Method::TxSelect)
    }

    #[wasm_bindgen(js_name = txCommit)]
    pub fn tx_commit(&self) -> Result<(), JsValue> {
        self.send(Method::TxCommit)
    }

    #[wasm_bindgen(js_name = txRollback)]
    pub fn tx_rollback(&self) -> Result<(), JsValue> {
        self.send(Method::TxRollback)
    }

    /// Closes the channel as pika does: its consumers are cancelled, then
    /// its unacked deliveries go back to their queues.
    pub fn close(&self) -> Result<(), JsValue> {
        let (conn, number, id) = (self.conn, self.number, self.id);
        call(&self.host, |b| {
            if !b.channel(id).is_some_and(|c| c.open) {
                return Err(CommandError::ChannelClosed);
            }
            b.close_channel_gracefully(conn, number)
        })
    }

    #[wasm_bindgen(getter, js_name = isOpen)]
    pub fn is_open(&self) -> bool {
        self.host
            .try_borrow()
            .is_ok_and(|h| h.broker.channel(self.id).is_some_and(|c| c.open))
    }
}

impl Channel {
    /// Whether confirm.select was sent on this channel (the broker's view).
    fn confirm_mode(&self) -> bool {
        self.host
            .try_borrow()
            .is_ok_and(|h| h.broker.channel(self.id).is_some_and(|c| c.confirm))
    }
}

/// A delivery tag from a JS number.
fn tag(n: f64) -> Result<u64, JsValue> {
    if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) {
        Ok(n as u64)
    } else {
        Err(usage(format!(
            "a delivery tag is a whole number ≥ 0, got {n}"
        )))
    }
}
