//! Persistence in a real browser: IndexedDB in Chromium (wasm-pack test).
//!
//! Write, drop the broker, open a new one on the same database: the durable
//! state is there. A crash loses only the uncommitted batch. Two brokers
//! with different names do not see each other. One owner at a time: a
//! second open is refused, waits, or takes over (and the old owner stops
//! writing). And the failure paths: a database deleted by another tab, an
//! injected write fault, a record from a newer schema, IndexedDB missing
//! altogether.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use warren::engine::durable::{Durability, DurableState};
use warren::engine::event::EventKind;
use warren::engine::ids::ConnId;
use warren::engine::message::Properties;
use warren::engine::method::{BasicPublish, Method, QueueDeclare};
use warren::engine::{Broker, BrokerConfig, Profile};
use warren::store::indexeddb::IndexedDbStorage;
use warren::store::lock::LockMode;
use warren::store::{flush, open_browser_store, Storage, StoreError};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Opens broker `name`'s store as `owner`, waiting for any earlier owner of
/// the same test to let go.
async fn open(name: &str, owner: &str) -> IndexedDbStorage {
    open_as(name, owner, LockMode::Wait, Rc::new(|_| {}))
        .await
        .expect("IndexedDB opens")
}

async fn open_as(
    name: &str,
    owner: &str,
    mode: LockMode,
    on_lost: Rc<dyn Fn(String)>,
) -> Result<IndexedDbStorage, StoreError> {
    IndexedDbStorage::open(name, owner, Profile::RabbitMq3, 1, mode, on_lost)
        .await
        .map(|(store, _)| store)
}

/// A broker with one client, as these tests drive it: channel 1 open,
/// persistent messages to `task_queue`, commits written to a store.
struct Tab {
    b: Broker,
    conn: ConnId,
}

impl Tab {
    fn new() -> Tab {
        let mut b = Broker::new(BrokerConfig {
            durability: Durability::External,
            commit_interval_ms: 200,
            ..BrokerConfig::default()
        });
        let conn = b.open_connection("test");
        b.apply(conn, 1, Method::ChannelOpen).unwrap();
        Tab { b, conn }
    }

    /// A broker booted from a stored state.
    fn booted(state: &DurableState) -> Tab {
        let mut tab = Tab::new();
        tab.b.boot(state);
        tab
    }

    fn call(&mut self, method: Method) {
        self.b.apply(self.conn, 1, method).unwrap();
    }

    fn declare(&mut self, queue: &str, durable: bool) {
        self.call(Method::QueueDeclare(QueueDeclare {
            queue: queue.into(),
            durable,
            ..Default::default()
        }));
    }

    fn confirm(&mut self) {
        self.call(Method::ConfirmSelect { no_wait: false });
    }

    fn publish(&mut self, p: BasicPublish) {
        self.call(Method::BasicPublish(p));
    }

    /// Lets the commit tick seal the batch and writes it to `store`.
    async fn commit(&mut self, store: &mut impl Storage) -> Vec<StoreError> {
        self.b.advance(200);
        flush(&mut self.b, store).await
    }

    /// The publisher confirms so far: true for an ack, false for a nack.
    fn confirms(&self) -> Vec<bool> {
        self.b
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Confirmed { ack, .. } => Some(*ack),
                _ => None,
            })
            .collect()
    }

    fn bodies(&self, queue: &str) -> Vec<String> {
        self.b
            .queue_by_name(queue)
            .map(|q| q.ready.iter().map(|e| e.msg.body_text()).collect())
            .unwrap_or_default()
    }
}

fn persistent(body: &str) -> BasicPublish {
    BasicPublish {
        routing_key: "task_queue".into(),
        properties: Properties {
            delivery_mode: Some(2),
            ..Default::default()
        },
        body: body.as_bytes().to_vec(),
        ..Default::default()
    }
}

/// A cleared store for broker `name`.
async fn empty(name: &str, owner: &str) -> IndexedDbStorage {
    let mut store = open(name, owner).await;
    store.clear().await.unwrap();
    store
}

#[wasm_bindgen_test]
async fn durable_state_survives_dropping_the_broker() {
    let name = "t-survives";
    let mut store = empty(name, "tab-a").await;
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.declare("scratch", false);
    tab.publish(persistent("one"));
    tab.publish(BasicPublish {
        properties: Properties::default(),
        ..persistent("transient")
    });
    tab.publish(persistent("two"));
    assert!(tab.commit(&mut store).await.is_empty());
    drop(tab);
    drop(store);

    let mut store = open(name, "tab-b").await;
    let fresh = Tab::booted(&store.load().await.unwrap());
    assert_eq!(fresh.bodies("task_queue"), vec!["one", "two"]);
    assert!(
        fresh.b.queue_by_name("scratch").is_none(),
        "transient queues are not stored"
    );
}

#[wasm_bindgen_test]
async fn a_crash_loses_only_the_uncommitted_batch() {
    let mut store = empty("t-crash", "tab-a").await;
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.confirm();
    tab.publish(persistent("committed"));
    tab.commit(&mut store).await;
    assert_eq!(
        tab.confirms(),
        vec![true],
        "the committed message was confirmed"
    );
    tab.publish(persistent("in the open batch"));
    tab.b.advance(50);
    flush(&mut tab.b, &mut store).await;
    assert!(
        tab.b.uncommitted_ops() > 0,
        "the second message waits for its commit tick"
    );
    tab.b.stop(false);
    let state = store.load().await.unwrap();
    tab.b.boot(&state);
    assert_eq!(tab.bodies("task_queue"), vec!["committed"]);
}

#[wasm_bindgen_test]
async fn brokers_with_different_names_do_not_see_each_other() {
    let mut a = empty("t-alpha", "tab").await;
    let mut z = empty("t-omega", "tab").await;
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.commit(&mut a).await;
    assert!(a.load().await.unwrap().queues.contains_key("task_queue"));
    assert!(z.load().await.unwrap().queues.is_empty());
}

#[wasm_bindgen_test]
async fn deleting_the_database_under_an_open_broker_is_reported_and_nacks() {
    let name = "t-deleted";
    let mut store = empty(name, "tab-a").await;
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.confirm();
    assert!(tab.commit(&mut store).await.is_empty());
    IndexedDbStorage::delete(name)
        .await
        .expect("the delete goes through: the open store closes on versionchange");
    tab.publish(persistent("after the delete"));
    let errors = tab.commit(&mut store).await;
    assert!(
        matches!(errors.as_slice(), [StoreError::TakenOver(_)]),
        "{errors:?}"
    );
    assert_eq!(tab.confirms(), vec![false], "the publisher gets a nack");
    assert!(
        tab.b.channel_id(tab.conn, 1).is_some(),
        "the broker keeps running"
    );
}

#[wasm_bindgen_test]
async fn a_second_open_of_an_owned_broker_is_refused() {
    let name = "t-refused";
    let mut first = empty(name, "tab-1").await;
    let second = open_as(name, "tab-2", LockMode::Try, Rc::new(|_| {})).await;
    assert!(
        matches!(second, Err(StoreError::Locked(ref n)) if n == name),
        "the second tab is kept out: {:?}",
        second.err()
    );
    // The owner is unharmed: it still writes.
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    assert!(tab.commit(&mut first).await.is_empty());
    assert!(first
        .load()
        .await
        .unwrap()
        .queues
        .contains_key("task_queue"));
}

#[wasm_bindgen_test]
async fn a_waiting_tab_gets_the_broker_when_the_owner_lets_go() {
    let name = "t-wait";
    let mut first = empty(name, "tab-1").await;
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.confirm();
    tab.publish(persistent("from the first tab"));
    assert!(tab.commit(&mut first).await.is_empty());
    let waiting = Rc::new(RefCell::new(None));
    wasm_bindgen_futures::spawn_local({
        let waiting = waiting.clone();
        async move {
            let store = open_as(name, "tab-2", LockMode::Wait, Rc::new(|_| {})).await;
            *waiting.borrow_mut() = Some(store);
        }
    });
    gloo_timers::future::TimeoutFuture::new(100).await;
    assert!(
        waiting.borrow().is_none(),
        "it waits while the owner holds the broker"
    );
    drop(first);
    for _ in 0..50 {
        if waiting.borrow().is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    let opened = waiting.borrow_mut().take().expect("the owner let go");
    let mut second = opened.expect("the waiting tab opens the store");
    let fresh = Tab::booted(&second.load().await.unwrap());
    assert_eq!(fresh.bodies("task_queue"), vec!["from the first tab"]);
}

#[wasm_bindgen_test]
async fn taking_the_broker_over_stops_the_old_owner_writing() {
    let name = "t-take-over";
    let lost = Rc::new(RefCell::new(None::<String>));
    let mut first = open_as(name, "tab-1", LockMode::Wait, {
        let lost = lost.clone();
        Rc::new(move |why| *lost.borrow_mut() = Some(why))
    })
    .await
    .unwrap();
    first.clear().await.unwrap();
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.confirm();
    tab.publish(persistent("committed by the first tab"));
    assert!(tab.commit(&mut first).await.is_empty());

    let mut second = open_as(name, "tab-2", LockMode::TakeOver, Rc::new(|_| {}))
        .await
        .expect("taking over never waits");
    for _ in 0..50 {
        if lost.borrow().is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    let why = lost.borrow().clone().expect("the old owner is told");
    assert!(why.contains("another tab took over"), "{why}");

    tab.publish(persistent("after the take-over"));
    let errors = tab.commit(&mut first).await;
    assert!(
        matches!(errors.as_slice(), [StoreError::TakenOver(_)]),
        "{errors:?}"
    );
    assert_eq!(
        tab.confirms(),
        vec![true, false],
        "only the committed publish was acked"
    );
    let fresh = Tab::booted(&second.load().await.unwrap());
    assert_eq!(
        fresh.bodies("task_queue"),
        vec!["committed by the first tab"],
        "the new owner has everything confirmed"
    );
}

#[wasm_bindgen_test]
async fn replacing_the_whole_state_is_one_write() {
    let mut store = empty("t-replace", "tab").await;
    let mut tab = Tab::new();
    tab.declare("old", true);
    tab.publish(BasicPublish {
        routing_key: "old".into(),
        ..persistent("old message")
    });
    assert!(tab.commit(&mut store).await.is_empty());
    let before = store.load().await.unwrap();

    let mut other = Tab::new();
    other.declare("new", true);
    let mut scratch = warren::store::memory::MemoryStorage::new();
    assert!(other.commit(&mut scratch).await.is_empty());
    let replacement = other.b.committed_state().clone();
    assert!(replacement.queues.contains_key("new"));
    store.inject_failure(StoreError::QuotaExceeded);
    assert_eq!(
        store.replace(&replacement).await,
        Err(StoreError::QuotaExceeded)
    );
    assert_eq!(
        store.load().await.unwrap(),
        before,
        "a failed replace changes nothing"
    );
    store.replace(&replacement).await.unwrap();
    assert_eq!(store.load().await.unwrap(), replacement);
}

#[wasm_bindgen_test]
async fn an_injected_fault_fails_the_batch_and_keeps_what_was_committed() {
    let mut store = empty("t-fault", "tab").await;
    let mut tab = Tab::new();
    tab.declare("task_queue", true);
    tab.confirm();
    tab.publish(persistent("kept"));
    tab.commit(&mut store).await;
    store.inject_failure(StoreError::QuotaExceeded);
    tab.publish(persistent("refused"));
    let errors = tab.commit(&mut store).await;
    assert_eq!(errors, vec![StoreError::QuotaExceeded]);
    assert_eq!(tab.confirms(), vec![true, false]);
    let state = store.load().await.unwrap();
    assert_eq!(
        state.message_count(),
        1,
        "only the committed message is stored"
    );
}

#[wasm_bindgen_test]
async fn a_record_from_a_newer_schema_is_an_error_not_a_panic() {
    let mut store = empty("t-newer", "tab").await;
    store
        .put_raw_for_tests("queues", "q", r#"{"v": 99, "name": "q"}"#)
        .await
        .unwrap();
    let err = store.load().await.unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    store.clear().await.unwrap();
}

#[wasm_bindgen_test]
fn without_indexeddb_the_broker_falls_back_to_memory_and_says_why() {
    let window = web_sys::window().unwrap();
    let key = JsValue::from_str("indexedDB");
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(
        &descriptor,
        &JsValue::from_str("value"),
        &JsValue::UNDEFINED,
    )
    .unwrap();
    js_sys::Reflect::set(
        &descriptor,
        &JsValue::from_str("configurable"),
        &JsValue::TRUE,
    )
    .unwrap();
    // Tests run concurrently: hide IndexedDB only while opening, which
    // finds it missing before its first await (so no other test sees it).
    // `indexedDB` is an own accessor of the global object: keep it to put back.
    let original = js_sys::Reflect::get_own_property_descriptor(&window, &key).unwrap();
    js_sys::Reflect::define_property(&window, &key, &descriptor).unwrap();
    let opened = warren::store::now_or_never(open_browser_store(
        "t-fallback",
        "tab",
        Profile::RabbitMq3,
        1,
        LockMode::Try,
        Rc::new(|_| {}),
    ));
    if original.is_undefined() {
        js_sys::Reflect::delete_property(&window, &key).unwrap();
    } else {
        js_sys::Reflect::define_property(&window, &key, &original.into()).unwrap();
    }
    assert!(
        web_sys::window().unwrap().indexed_db().unwrap().is_some(),
        "IndexedDB is back for the other tests"
    );
    let (store, _) = opened
        .expect("a missing IndexedDB is detected at once")
        .expect("it falls back to memory");
    assert_eq!(store.kind(), "memory");
    assert!(
        store.fallback_reason().unwrap().contains("IndexedDB"),
        "{:?}",
        store.fallback_reason()
    );
    assert!(store.describe().contains("in memory"));
}

#[wasm_bindgen_test]
async fn replay_scenario_with_indexeddb_resumes_after_a_reload() {
    let first = r#"{"name": "first", "steps": [
        {"op": "open_connection", "conn": "c"},
        {"op": "open_channel", "conn": "c", "channel": "ch"},
        {"op": "queue_declare", "channel": "ch", "queue": "task_queue", "durable": true},
        {"op": "publish", "channel": "ch", "routing_key": "task_queue", "body": "survivor", "properties": {"delivery_mode": 2}}
    ]}"#;
    let second = r#"{"name": "second", "steps": [
        {"op": "open_connection", "conn": "c"},
        {"op": "open_channel", "conn": "c", "channel": "ch"},
        {"op": "get", "channel": "ch", "queue": "task_queue", "no_ack": true}
    ]}"#;
    let opts = |resume: bool| {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"store".into(), &"indexeddb".into()).unwrap();
        js_sys::Reflect::set(&o, &"db".into(), &"t-replay".into()).unwrap();
        js_sys::Reflect::set(&o, &"resume".into(), &JsValue::from_bool(resume)).unwrap();
        JsValue::from(o)
    };
    let run = |json: &str, resume: bool| {
        let promise: js_sys::Promise = match warren::api::replay_scenario(json, opts(resume)) {
            Ok(v) => v.into(),
            Err(e) => panic!("replayScenario threw: {:?}", JsValue::from(e).as_string()),
        };
        wasm_bindgen_futures::JsFuture::from(promise)
    };
    run(first, false).await.unwrap();
    let out = run(second, true).await.unwrap().as_string().unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"][2]["message"]["body"], "survivor");
    let out = run(second, false).await.unwrap().as_string().unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["results"][2]["error"].is_object(),
        "a fresh vhost has no task_queue: {v}"
    );
}

#[wasm_bindgen_test]
async fn a_store_written_by_schema_1_is_read_and_rewritten() {
    let name = "t-schema-1";
    let mut store = empty(name, "tab").await;
    store
        .put_raw_for_tests(
            "queues",
            "q",
            r#"{"v":1,"name":"q","auto_delete":false,"arguments":{"x-max-length":{"type":"int","value":10}}}"#,
        )
        .await
        .unwrap();
    store
        .put_raw_for_tests(
            "exchanges",
            "x",
            r#"{"v":1,"name":"x","kind":"fanout","auto_delete":false,"internal":false,"arguments":{}}"#,
        )
        .await
        .unwrap();
    let binding = r#"{"v":1,"source":"x","destination":"q","destination_kind":"queue","routing_key":"","arguments":{"k":{"type":"long","value":5}}}"#;
    store
        .put_raw_for_tests("bindings", "an old key", binding)
        .await
        .unwrap();
    let state = store.load().await.unwrap();
    assert_eq!(
        state.queues["q"].arguments["x-max-length"],
        warren::engine::value::FieldValue::Int(10)
    );
    let mut tab = Tab::booted(&state);
    assert_eq!(tab.b.bindings().len(), 1, "the binding came back");
    // Unbinding deletes the record under today's key: had the old-keyed
    // record stayed, the binding would come back on the next load.
    tab.conn = tab.b.open_connection("after boot");
    tab.call(Method::ChannelOpen);
    let mut unbind = warren::engine::method::QueueBind::new("q", "x", "");
    unbind.arguments = state.bindings.values().next().unwrap().arguments.clone();
    tab.call(Method::QueueUnbind(unbind));
    assert!(tab.commit(&mut store).await.is_empty());
    drop(store);
    let mut store = open(name, "tab-2").await;
    let reloaded = store.load().await.unwrap();
    assert!(reloaded.bindings.is_empty(), "{:?}", reloaded.bindings);
    assert!(reloaded.queues.contains_key("q"));
}
