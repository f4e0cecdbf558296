//! A message: body, properties and headers (x-death included), and its
//! journey: every event that concerned it, each with its reason.

use crate::describe::{actor_message_of, message_of, Say};
use crate::engine::value::{FieldTable, FieldValue};
use crate::ui::components::inspector::fact;
use crate::ui::i18n::{fill, format_time};
use crate::ui::state::{use_app, Action};
use crate::view::deliveries::delivery_counts_of_message;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: u64,
}

fn value_html(v: &FieldValue) -> Html {
    match v {
        FieldValue::Table(t) => table_html(t),
        FieldValue::Array(items) => html! {
            <ol class="arr">{ for items.iter().map(|i| html! { <li>{ value_html(i) }</li> }) }</ol>
        },
        other => {
            html! { <code>{ format!("{other}") }<span class="ty">{ format!(" ({})", other.type_name()) }</span></code> }
        }
    }
}

fn table_html(t: &FieldTable) -> Html {
    html! {
        <dl class="table">
            { for t.iter().map(|(k, v)| html! { <div class="kv"><dt>{ k.clone() }</dt><dd>{ value_html(v) }</dd></div> }) }
        </dl>
    }
}

#[function_component(MessageInspector)]
pub fn message_inspector(p: &Props) -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.state.lang;
    let tl = app.state.timeline.borrow();
    let id = p.id;
    let say = Say {
        names: &tl.names,
        world: Some(tl.world()),
    };
    let Some(msg) = tl.names.messages.get(&id).cloned() else {
        return html! { <p class="muted">{ t.gone }</p> };
    };
    // The journey: broker and actor events about this message, in order.
    let mut journey: Vec<(u64, usize, u64, String, &'static str)> = Vec::new();
    for e in tl
        .events()
        .iter()
        .filter(|e| message_of(&e.kind) == Some(id))
    {
        journey.push((
            e.seq * 2,
            tl.tick_of_event(e.seq),
            e.time,
            lang.event(&e.kind, &say),
            e.kind.name(),
        ));
    }
    let actor_len = tl.current_mark().actor_len;
    for (i, e) in tl.world().sim.actor_events()
        [..actor_len.min(tl.world().sim.actor_events().len())]
        .iter()
        .enumerate()
    {
        if actor_message_of(&e.kind) == Some(id) {
            journey.push((
                e.broker_seq * 2 + 1,
                tl.tick_of_actor_event(i),
                e.time,
                lang.actor_event(&e.kind, &say),
                "actor",
            ));
        }
    }
    journey.sort_by_key(|j| j.0);
    let props = &msg.properties;
    let mut facts = vec![
        fact(
            t.f_exchange,
            if msg.exchange.is_empty() {
                t.default_exchange.to_string()
            } else {
                msg.exchange.to_string()
            },
        ),
        fact(t.f_routing_key, msg.routing_key.to_string()),
    ];
    // Every property that is set, by its AMQP name (headers get their own table).
    if let Ok(serde_json::Value::Object(set)) = serde_json::to_value(&props) {
        for (name, value) in set.into_iter().filter(|(k, _)| k != "headers") {
            let text = match (name.as_str(), &value) {
                ("delivery_mode", v) if v.as_u64() == Some(2) => "2 (persistent)".to_string(),
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            facts.push(fact(&name, text));
        }
    }
    let headers = props.headers.clone();
    let body = msg.body_text();
    // Its copies in quorum queues, each with the queue's count.
    let counted = delivery_counts_of_message(&tl.world().sim, id);
    drop(tl);
    html! {
        <div class="insp" id="message-inspector" data-id={id.to_string()}>
            <div class="insp-title">
                <span class="badge message">{ t.kind_message }</span>
                <h3>{ format!("#{id}") }</h3>
            </div>
            <h4>{ t.f_body }</h4>
            <pre class="body" id="message-body">{ body }</pre>
            <dl class="facts">{ for facts }</dl>
            if !counted.is_empty() {
                <h4>{ t.delivery_counts }</h4>
                <ul class="plain" id="message-delivery-counts">
                    { for counted.iter().map(|c| html! {
                        <li data-queue={c.queue.clone()} data-count={c.count.count.to_string()}>
                            { fill(t.delivery_count_in, &[
                                ("queue", &c.queue),
                                ("where", if c.unacked { t.legend_unacked } else { t.legend_ready }),
                                ("n", &c.count.count.to_string()),
                            ]) }
                            { c.count.limit.map(|l| format!(" {}", fill(t.of_limit, &[("limit", &l.to_string())]))).unwrap_or_default() }
                        </li>
                    }) }
                </ul>
                <p class="help">{ t.delivery_count_help }</p>
            }
            <h4>{ t.f_headers }</h4>
            { match &headers {
                Some(h) if !h.is_empty() => html! { <div id="message-headers">{ table_html(h) }</div> },
                _ => html! { <p class="muted">{ t.none }</p> },
            } }
            <h4>{ t.journey }</h4>
            <ol class="journey" id="message-journey">
                { for journey.into_iter().map(|(_, tick, time, text, kind)| html! {
                    <li class={classes!("j", kind)}>
                        <button type="button" class="step-link" title={t.go_to_step}
                            onclick={app.callback(move |_| Action::Seek(tick))}>{ format!("{tick}") }</button>
                        <span class="time">{ format_time(time) }</span>
                        <span class="text">{ text }</span>
                    </li>
                }) }
            </ol>
        </div>
    }
}
