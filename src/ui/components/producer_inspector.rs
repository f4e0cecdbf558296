//! A producer: what it publishes and its counters; publish once, N times, or
//! every X virtual ms.

use crate::sim::bounded::{PublishCount, VirtualMs};
use crate::sim::world::Command;
use crate::sim::ActorId;
use crate::sim::ProducerSpec;
use crate::ui::components::fields;
use crate::ui::components::inspector::{fact, gone, title, yes_no, ActorProps};
use crate::ui::i18n::{fill, format_time};
use crate::ui::state::{use_app, Action, BuildTab, Prefill};
use yew::prelude::*;

#[function_component(ProducerInspector)]
pub fn producer_inspector(p: &ActorProps) -> Html {
    let app = use_app();
    let t = app.t();
    let id = ActorId(p.id);
    let body = use_state(|| None::<String>);
    let count = use_state(|| "10".to_string());
    let every = use_state(|| "1000".to_string());
    {
        let body = body.clone();
        use_effect_with(p.id, move |_| body.set(None));
    }
    let tl = app.state.timeline.borrow();
    let Some(prod) = tl.world().sim.producer(id) else {
        return gone(t);
    };
    let spec = prod.spec.clone();
    let body_text = (*body).clone().unwrap_or_else(|| spec.body.clone());
    let target = if spec.exchange.is_empty() {
        t.default_exchange.to_string()
    } else {
        spec.exchange.clone()
    };
    let props = &spec.properties;
    let mut facts = vec![
        fact(t.f_exchange, target),
        fact(
            t.f_routing_key,
            if spec.routing_key.is_empty() {
                "\"\"".to_string()
            } else {
                spec.routing_key.clone()
            },
        ),
        fact(t.f_persistent, yes_no(t, props.is_persistent())),
        fact(t.f_mandatory, yes_no(t, spec.mandatory)),
        fact(t.f_confirm, yes_no(t, spec.confirm)),
        fact(t.sent, prod.sent.to_string()),
    ];
    if let Some(pr) = props.priority {
        facts.push(fact(t.f_priority, pr.to_string()));
    }
    if let Some(e) = &props.expiration {
        facts.push(fact(t.f_expiration, e.clone()));
    }
    if let Some(h) = &props.headers {
        facts.push(fact(t.f_headers, fields::table_text(h).replace('\n', ", ")));
    }
    if spec.confirm {
        facts.push(fact(
            t.confirms,
            fill(
                t.confirm_counts,
                &[
                    ("ack", &prod.acked.to_string()),
                    ("nack", &prod.nacked.to_string()),
                    ("pending", &prod.unconfirmed.len().to_string()),
                ],
            ),
        ));
    }
    if spec.mandatory || prod.returned > 0 {
        facts.push(fact(t.returned, prod.returned.to_string()));
    }
    let periodic = prod.every;
    let last_error = prod.last_error.clone();
    let name = spec.name.clone();
    drop(tl);

    let publish = |n: Option<u32>| {
        let body = body_text.clone();
        let count = count.clone();
        let d = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            let n = n.unwrap_or_else(|| count.trim().parse::<u32>().unwrap_or(1));
            let count = PublishCount::new(u64::from(n).clamp(1, u64::from(PublishCount::MAX)))
                .unwrap_or_default();
            d.emit(Action::Command(Command::Publish {
                producer: id,
                count,
                body: Some(body.clone()),
            }));
        })
    };
    let on_every = {
        let every = every.clone();
        let d = app.dispatch.clone();
        let body = body_text.clone();
        let original = spec.clone();
        Callback::from(move |_: MouseEvent| {
            let ms = every
                .trim()
                .parse::<u64>()
                .unwrap_or(1000)
                .clamp(1, VirtualMs::MAX);
            if body != original.body {
                // Changes the body without publishing now.
                let spec = ProducerSpec {
                    body: body.clone(),
                    ..original.clone()
                };
                d.emit(Action::Command(Command::EditProducer(id, spec)));
            }
            d.emit(Action::Command(Command::PublishEvery {
                producer: id,
                every_ms: VirtualMs::new(ms).ok(),
            }));
        })
    };
    html! {
        <div class="insp" id="producer-inspector">
            { title("producer", t.kind_producer, &name) }
            <dl class="facts">{ for facts }</dl>
            if let Some(e) = last_error { <p class="form-error">{ e }</p> }
            <div class="publish-box">
                <div class="field">
                    <label for="publish-body">{ t.f_body }</label>
                    <textarea id="publish-body" rows="2" value={body_text.clone()} spellcheck="false"
                        oninput={{ let b = body.clone(); fields::value_of::<web_sys::HtmlTextAreaElement, InputEvent>(move |v| b.set(Some(v))) }} />
                    <p class="help">{ t.body_help }</p>
                </div>
                <div class="actions">
                    <button type="button" class="btn primary" id="publish-once" onclick={publish(Some(1))}>{ t.publish_once }</button>
                </div>
                <div class="actions inline">
                    <label class="mini" for="publish-count">{ t.publish_n_label }</label>
                    <input id="publish-count" class="mini-input" type="text" inputmode="numeric" value={(*count).clone()}
                        oninput={fields::keep::<web_sys::HtmlInputElement, InputEvent>(&count)} />
                    <button type="button" class="btn" id="publish-n" onclick={publish(None)}>{ t.publish_n }</button>
                </div>
                <div class="actions inline">
                    <label class="mini" for="publish-every-ms">{ t.every_label }</label>
                    <input id="publish-every-ms" class="mini-input" type="text" inputmode="numeric" value={(*every).clone()}
                        oninput={fields::keep::<web_sys::HtmlInputElement, InputEvent>(&every)} />
                    if periodic.is_some() {
                        <button type="button" class="btn" id="publish-stop"
                            onclick={app.callback(move |_| Action::Command(Command::PublishEvery { producer: id, every_ms: None }))}>{ t.stop }</button>
                    } else {
                        <button type="button" class="btn" id="publish-every" onclick={on_every}>{ t.start_every }</button>
                    }
                </div>
                if let Some(ms) = periodic { <p class="help">{ fill(t.publishing_every, &[("t", &format_time(ms))]) }</p> }
            </div>
            <div class="actions">
                <button type="button" class="btn small" id="producer-edit"
                    onclick={app.callback(move |_| Action::OpenTab(BuildTab::Producer, Prefill::EditProducer(id)))}>{ t.edit }</button>
                <button type="button" class="btn small danger" id="producer-remove"
                    onclick={app.callback(move |_| Action::Command(Command::RemoveProducer(id)))}>{ t.remove }</button>
            </div>
        </div>
    }
}
