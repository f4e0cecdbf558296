//! `window.warrenBench`: the hook `./dev.sh bench` (tests/bench/browser.mjs)
//! uses to measure the workbench. `stepRender(messages, steps)` resets the
//! broker, queues `messages` persistent messages behind one prefetch-1
//! worker, opens the queue's inspector, then steps `steps` times and returns
//! `{ step_render_ms, samples, max_ms, step_back_ms, dom_nodes }`: the
//! median (and worst) time from dispatching a step to the end of its render,
//! the median of ten steps back (restore a snapshot, replay), and the DOM's
//! size.

use crate::engine::message::Properties;
use crate::engine::method::{Method, QueueDeclare};
use crate::engine::Profile;
use crate::sim::bounded::{Prefetch, PublishCount, VirtualMs};
use crate::sim::world::Command;
use crate::sim::{ActorId, OnDone, ProducerSpec, WorkTime, WorkerSpec};
use crate::ui::state::{Action, Selection};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

const QUEUE: &str = "backlog";

fn setup(messages: u32) -> Vec<Command> {
    vec![
        Command::Method(Method::QueueDeclare(QueueDeclare {
            queue: QUEUE.into(),
            durable: true,
            ..Default::default()
        })),
        Command::AddProducer(ProducerSpec {
            name: "flood.py".into(),
            routing_key: QUEUE.into(),
            body: "Task.".into(),
            properties: Properties {
                delivery_mode: Some(2),
                ..Default::default()
            },
            ..Default::default()
        }),
        // A fresh broker numbers its actors from 1: the producer is #1.
        Command::Publish {
            producer: ActorId(1),
            count: PublishCount::new(u64::from(messages)).unwrap_or_default(),
            body: None,
        },
        Command::AddWorker(WorkerSpec {
            name: "worker".into(),
            queue: QUEUE.into(),
            no_ack: false,
            prefetch: Prefetch::new(1).unwrap_or_default(),
            work: WorkTime::PerDot {
                ms: VirtualMs::new(1000).unwrap_or_default(),
            },
            on_done: OnDone::Ack,
            ..Default::default()
        }),
    ]
}

fn render_ms() -> Option<f64> {
    web_sys::window()?
        .document()?
        .query_selector(".wb")
        .ok()??
        .get_attribute("data-render-ms")?
        .parse()
        .ok()
}

fn dom_nodes() -> u32 {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.get_elements_by_tag_name("*").length())
        .unwrap_or(0)
}

async fn measure(
    dispatch: Callback<Action>,
    messages: u32,
    steps: u32,
) -> Result<JsValue, JsValue> {
    dispatch.emit(Action::Reset(Profile::default()));
    dispatch.emit(Action::Commands(setup(messages)));
    dispatch.emit(Action::Select(Some(Selection::Queue(Rc::from(QUEUE)))));
    gloo_timers::future::TimeoutFuture::new(100).await;
    let mut samples = Vec::new();
    for _ in 0..steps.max(1) {
        dispatch.emit(Action::Step);
        // yew renders on its scheduler; a macrotask later the effect has run.
        gloo_timers::future::TimeoutFuture::new(0).await;
        if let Some(ms) = render_ms() {
            samples.push(ms);
        }
    }
    let raw = js_sys::Array::new();
    for ms in &samples {
        raw.push(&JsValue::from_f64(*ms));
    }
    let mut back = Vec::new();
    for _ in 0..10 {
        dispatch.emit(Action::StepBack);
        gloo_timers::future::TimeoutFuture::new(0).await;
        if let Some(ms) = render_ms() {
            back.push(ms);
        }
    }
    back.sort_by(|a, b| a.total_cmp(b));
    samples.sort_by(|a, b| a.total_cmp(b));
    let median = samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN);
    let max = samples.last().copied().unwrap_or(f64::NAN);
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), &v);
    set("step_render_ms", JsValue::from_f64(median))?;
    set("max_ms", JsValue::from_f64(max))?;
    set("each_ms", raw.into())?;
    set("samples", JsValue::from_f64(samples.len() as f64))?;
    set(
        "step_back_ms",
        JsValue::from_f64(back.get(back.len() / 2).copied().unwrap_or(f64::NAN)),
    )?;
    set("dom_nodes", JsValue::from_f64(f64::from(dom_nodes())))?;
    Ok(out.into())
}

/// Installs `window.warrenBench`.
pub fn install(dispatch: Callback<Action>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let step_render =
        Closure::<dyn Fn(u32, u32) -> js_sys::Promise>::new(move |messages: u32, steps: u32| {
            wasm_bindgen_futures::future_to_promise(measure(dispatch.clone(), messages, steps))
        });
    let bench = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &bench,
        &JsValue::from_str("stepRender"),
        step_render.as_ref().unchecked_ref(),
    );
    let _ = js_sys::Reflect::set(&window, &JsValue::from_str("warrenBench"), &bench);
    // The page lives as long as the app: the function stays installed.
    step_render.forget();
}
