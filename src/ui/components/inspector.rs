//! The inspector: details of the selected producer, exchange, queue, worker
//! or message.

use crate::engine::clock::Millis;
use crate::ui::components::{
    exchange_inspector::ExchangeInspector, message_inspector::MessageInspector,
    producer_inspector::ProducerInspector, queue_inspector::QueueInspector,
    worker_inspector::WorkerInspector,
};
use crate::ui::i18n::{fill, Text};
use crate::ui::state::{use_app, Action, AppCtx, Selection};
use crate::view::deliveries::{countdown, DeliveryCount, UnackedDelivery};
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
    // Following a link in the inspector (a message, a bound queue) or
    // closing it removes the focused button with the old content, and
    // focus would fall back to the top of the page; a keyboard user would
    // have to Tab through everything again. Focus stays in the inspector.
    let panel = use_node_ref();
    let mounted = use_mut_ref(|| false);
    {
        let panel = panel.clone();
        use_effect_with(app.state.selection.clone(), move |_| {
            let first = !std::mem::replace(&mut *mounted.borrow_mut(), true);
            let lost = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_none_or(|e| e.tag_name().eq_ignore_ascii_case("body"));
            if !first && lost {
                if let Some(el) = panel.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    html! {
        <section class="panel inspector" id="inspector" aria-label={app.region_label(t.inspector_title)}
            ref={panel} tabindex="-1">
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

/// The properties of the producer and worker inspectors.
#[derive(Properties, PartialEq)]
pub struct ActorProps {
    pub id: u32,
}

/// An inspector's heading: the kind of object (a badge of class `badge`)
/// and its name.
pub fn title(badge: &'static str, kind: &str, name: &str) -> Html {
    html! {
        <div class="insp-title">
            <span class={classes!("badge", badge)}>{ kind.to_string() }</span>
            <h3>{ name.to_string() }</h3>
        </div>
    }
}

/// What an inspector shows when its object is gone.
pub fn gone(t: &Text) -> Html {
    html! { <p class="muted">{ t.gone }</p> }
}

/// A button that opens a message in the inspector.
pub fn message_link(app: &AppCtx, id: u64, content: Html) -> Html {
    html! {
        <button type="button" class="linkish" onclick={app.callback(move |_| Action::Select(Some(Selection::Message(id))))}>
            { content }
        </button>
    }
}

/// A row of the facts table.
pub fn fact(k: &str, v: impl Into<Html>) -> Html {
    html! {
        <div class="fact-row"><dt>{ k.to_string() }</dt><dd>{ v.into() }</dd></div>
    }
}

pub fn yes_no(t: &Text, b: bool) -> &'static str {
    if b {
        t.yes
    } else {
        t.no
    }
}

/// A quorum queue's `x-delivery-count` for one message, as a small tag
/// (nothing for queues that count nothing).
pub fn delivery_count_tag(t: &Text, count: Option<DeliveryCount>) -> Html {
    let Some(c) = count else { return html! {} };
    // Compact, "2/3" with a limit: rows are narrow; the title explains.
    let limit = c.limit.map(|limit| format!("/{limit}")).unwrap_or_default();
    html! {
        <span class="tag dcount" title={t.delivery_count_help} data-count={c.count.to_string()}>
            { format!("x-delivery-count {}{limit}", c.count) }
        </span>
    }
}

/// The acknowledgement timeout's countdown ("times out in 29:41"), when the
/// channel has a timeout.
pub fn countdown_tag(t: &Text, times_out_in: Option<Millis>) -> Html {
    let Some(ms) = times_out_in else {
        return html! {};
    };
    html! {
        <span class="tag countdown" title={t.times_out_help} data-ms={ms.to_string()}>
            { fill(t.times_out_in, &[("t", &countdown(ms))]) }
        </span>
    }
}

/// One unacknowledged delivery: its message (a link), the holder when
/// `with_holder`, its tag, and its delivery count and countdown.
pub fn unacked_row(app: &AppCtx, u: &UnackedDelivery, with_holder: bool) -> Html {
    let t = app.t();
    let id = u.message;
    let redelivered = if u.redelivered { " ↺" } else { "" };
    let text = if with_holder {
        format!("#{id} → {} · tag {}{redelivered}", u.holder, u.delivery_tag)
    } else {
        format!("tag {} · #{id} “{}”{redelivered}", u.delivery_tag, u.body)
    };
    html! {
        <li class="unacked-row" data-tag={u.delivery_tag.to_string()}>
            { message_link(app, id, html! { text }) }
            { delivery_count_tag(t, u.delivery_count) }
            { countdown_tag(t, u.times_out_in) }
        </li>
    }
}
