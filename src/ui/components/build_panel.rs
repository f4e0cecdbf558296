//! The build panel: lesson presets and one form per kind of object.

use crate::engine::message::Properties;
use crate::engine::method::{ExchangeDeclare, Method, QueueBind, QueueDeclare};
use crate::sim::bounded::Prefetch;
use crate::sim::world::Command;
use crate::sim::{OnDone, ProducerSpec, WorkerSpec};
use crate::ui::components::{
    binding_form::BindingForm, exchange_form::ExchangeForm, producer_form::ProducerForm,
    queue_form::QueueForm, worker_form::WorkerForm,
};
use crate::ui::state::{use_app, Action, BuildTab, Prefill};
use yew::prelude::*;

fn queue(name: &str, durable: bool) -> Command {
    Command::Method(Method::QueueDeclare(QueueDeclare {
        queue: name.into(),
        durable,
        ..Default::default()
    }))
}

fn producer(name: &str, x: &str, key: &str, body: &str, persistent: bool) -> Command {
    Command::AddProducer(ProducerSpec {
        name: name.into(),
        exchange: x.into(),
        routing_key: key.into(),
        body: body.into(),
        properties: Properties {
            delivery_mode: persistent.then_some(2),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn worker(name: &str, q: &str, no_ack: bool, prefetch: u16) -> Command {
    Command::AddWorker(WorkerSpec {
        name: name.into(),
        queue: q.into(),
        no_ack,
        prefetch: Prefetch::new(u64::from(prefetch)).unwrap_or_default(),
        on_done: OnDone::Ack,
        ..Default::default()
    })
}

/// A lesson around exchange `x` of type `kind`: the queues its `bindings`
/// (queue, key) name, declared in that order and bound; a producer
/// (`emit_log….py`, routing key, body) publishing to `x`; and one auto-ack
/// worker per (name, queue).
fn routed(
    (x, kind): (&str, &str),
    bindings: &[(&str, &str)],
    (name, key, body): (&str, &str, &str),
    workers: &[(&str, &str)],
) -> Vec<Command> {
    let mut out = vec![Command::Method(Method::ExchangeDeclare(
        ExchangeDeclare::new(x, kind),
    ))];
    let mut queues: Vec<&str> = Vec::new();
    for (q, _) in bindings {
        if !queues.contains(q) {
            queues.push(q);
            out.push(queue(q, false));
        }
    }
    for (q, k) in bindings {
        out.push(Command::Method(Method::QueueBind(QueueBind::new(q, x, k))));
    }
    out.push(producer(name, x, key, body, false));
    out.extend(workers.iter().map(|(w, q)| worker(w, q, true, 0)));
    out
}

/// The lessons' programs, ready to step through.
pub fn lesson(n: usize) -> Vec<Command> {
    match n {
        0 => vec![
            queue("hello", false),
            producer("send.py", "", "hello", "Hello World!", false),
            worker("receive.py", "hello", true, 0),
        ],
        1 => vec![
            queue("task_queue", true),
            producer("new_task.py", "", "task_queue", "A task...", true),
            worker("worker 1", "task_queue", false, 1),
            worker("worker 2", "task_queue", false, 1),
        ],
        2 => routed(
            ("logs", "fanout"),
            &[("logs.console", ""), ("logs.file", "")],
            ("emit_log.py", "", "info: Hello World!"),
            &[
                ("receive_logs 1", "logs.console"),
                ("receive_logs 2", "logs.file"),
            ],
        ),
        3 => routed(
            ("direct_logs", "direct"),
            &[
                ("errors", "error"),
                ("all_logs", "info"),
                ("all_logs", "warning"),
                ("all_logs", "error"),
            ],
            (
                "emit_log_direct.py",
                "error",
                "Run. Run. Or it will explode.",
            ),
            &[("save errors", "errors"), ("print all", "all_logs")],
        ),
        _ => routed(
            ("topic_logs", "topic"),
            &[("Q1", "*.orange.*"), ("Q2", "*.*.rabbit"), ("Q2", "lazy.#")],
            (
                "emit_log_topic.py",
                "quick.orange.rabbit",
                "A quick orange rabbit",
            ),
            &[("C1", "Q1"), ("C2", "Q2")],
        ),
    }
}

#[function_component(BuildPanel)]
pub fn build_panel() -> Html {
    let app = use_app();
    let t = app.t();
    let tab = app.state.tab;
    let profile = app.state.profile;
    let tabs = [
        (BuildTab::Queue, t.tab_queue, "tab-queue"),
        (BuildTab::Exchange, t.tab_exchange, "tab-exchange"),
        (BuildTab::Binding, t.tab_binding, "tab-binding"),
        (BuildTab::Producer, t.tab_producer, "tab-producer"),
        (BuildTab::Worker, t.tab_worker, "tab-worker"),
    ];
    let lessons = [
        t.lesson_hello,
        t.lesson_work,
        t.lesson_fanout,
        t.lesson_direct,
        t.lesson_topic,
    ];
    let on_lesson = {
        let d = app.dispatch.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Ok(n) = v.parse::<usize>() {
                d.emit(Action::Reset(profile));
                d.emit(Action::Commands(lesson(n)));
                e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .set_value("");
            }
        })
    };
    let (exchanges, queues) = {
        let tl = app.state.timeline.borrow();
        let broker = &tl.world().sim.broker;
        (
            broker
                .exchanges()
                .map(|x| x.name.to_string())
                .collect::<Vec<_>>(),
            broker
                .queues()
                .map(|q| q.name.to_string())
                .collect::<Vec<_>>(),
        )
    };
    html! {
        <div class="panel build" id="build-panel">
            <div class="panel-head">
                <h2>{ t.build_title }</h2>
                <label class="lesson-pick">
                    <span class="sr-only">{ t.load_lesson }</span>
                    <select id="lesson-select" onchange={on_lesson} aria-label={t.load_lesson}>
                        <option value="" selected=true>{ t.load_lesson }</option>
                        { for lessons.iter().enumerate().map(|(i, l)| html! { <option value={i.to_string()}>{ *l }</option> }) }
                    </select>
                </label>
            </div>
            { crate::ui::components::fields::datalist("exchange-names", exchanges) }
            { crate::ui::components::fields::datalist("queue-names", queues) }
            <div class="tabs" role="tablist" aria-label={t.build_title}>
                { for tabs.iter().map(|(k, label, id)| {
                    let k = *k;
                    let selected = k == tab;
                    html! {
                        <button type="button" role="tab" id={*id} class={classes!("tab", selected.then_some("on"))}
                            aria-selected={selected.to_string()} aria-controls="build-form"
                            onclick={app.callback(move |_| Action::OpenTab(k, Prefill::None))}>{ *label }</button>
                    }
                }) }
            </div>
            <div class="tab-body" id="build-form" role="tabpanel">
                { match tab {
                    BuildTab::Producer => html! { <ProducerForm /> },
                    BuildTab::Worker => html! { <WorkerForm /> },
                    BuildTab::Exchange => html! { <ExchangeForm /> },
                    BuildTab::Queue => html! { <QueueForm /> },
                    BuildTab::Binding => html! { <BindingForm /> },
                } }
            </div>
        </div>
    }
}
