//! The inspector: details of the selected producer, exchange, queue, worker
//! or message.

use crate::ui::components::{
    exchange_inspector::ExchangeInspector, message_inspector::MessageInspector,
    producer_inspector::ProducerInspector, queue_inspector::QueueInspector,
    worker_inspector::WorkerInspector,
};
use crate::ui::state::{use_app, Action, Selection};
use yew::prelude::*;

#[function_component(Inspector)]
pub fn inspector() -> Html {
    let app = use_app();
    let t = app.t();
    let body = match app.state.selection.clone() {
        None => html! { <p class="muted" id="inspector-empty">{ t.inspector_empty }</p> },
        Some(Selection::Queue(name)) => {
            html! { <QueueInspector name={AttrValue::from(name.to_string())} /> }
        }
        Some(Selection::Exchange(name)) => {
            html! { <ExchangeInspector name={AttrValue::from(name.to_string())} /> }
        }
        Some(Selection::Producer(id)) => html! { <ProducerInspector id={id.0} /> },
        Some(Selection::Worker(id)) => html! { <WorkerInspector id={id.0} /> },
        Some(Selection::Message(id)) => html! { <MessageInspector id={id} /> },
    };
    html! {
        <section class="panel inspector" id="inspector" aria-label={t.inspector_title}>
            <div class="panel-head">
                <h2>{ t.inspector_title }</h2>
                if app.state.selection.is_some() {
                    <button type="button" class="btn small ghost" onclick={app.callback(|_| Action::Select(None))}
                        aria-label={t.close_inspector}>{ "✕" }</button>
                }
            </div>
            { body }
        </section>
    }
}

/// A row of the facts table.
pub fn fact(k: &str, v: impl Into<Html>) -> Html {
    html! {
        <div class="fact-row"><dt>{ k.to_string() }</dt><dd>{ v.into() }</dd></div>
    }
}

pub fn yes_no(t: &crate::ui::i18n::Text, b: bool) -> &'static str {
    if b {
        t.yes
    } else {
        t.no
    }
}
