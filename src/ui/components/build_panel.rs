//! The build panel: the lesson presets' buttons (`view::presets`) and one
//! form per kind of object.

use crate::ui::components::{
    binding_form::BindingForm, exchange_form::ExchangeForm, producer_form::ProducerForm,
    queue_form::QueueForm, worker_form::WorkerForm,
};
use crate::ui::state::{use_app, Action, BuildTab, Prefill};
use yew::prelude::*;

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
                d.emit(Action::Commands(crate::view::presets::lesson(n)));
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
