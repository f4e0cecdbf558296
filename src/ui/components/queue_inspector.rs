//! A queue: properties, arguments, counts, consumers, messages, depth chart.

use crate::engine::method::{Method, QueueDelete, QueuePurge};
use crate::engine::queue_type::QueueType;
use crate::sim::world::Command;
use crate::ui::components::depth_chart::DepthChart;
use crate::ui::components::inspector::{
    delivery_count_tag, fact, message_link, title, unacked_row, yes_no,
};
use crate::ui::components::queue_form::arg_help;
use crate::ui::components::stream_log::StreamLogView;
use crate::ui::components::virtual_list::VirtualList;
use crate::ui::i18n::fill;
use crate::ui::state::{use_app, Action, BuildTab, Prefill};
use crate::view::deliveries::{delivery_count, unacked_of_queue};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub name: AttrValue,
}

#[function_component(QueueInspector)]
pub fn queue_inspector(p: &Props) -> Html {
    let app = use_app();
    let t = app.t();
    let tl = app.state.timeline.borrow();
    let broker = &tl.world().sim.broker;
    let name = p.name.to_string();
    let Some(q) = broker.queue_by_name(&name) else {
        return html! { <p class="muted">{ fill(t.queue_gone, &[("name", &name)]) }</p> };
    };
    let ready = q.ready_count();
    let qid = q.id;
    let consumers = broker.consumers_of(&name);
    let is_stream = q.settings.queue_type == QueueType::Stream;
    let counts_deliveries = q.settings.queue_type.rules().counts_deliveries();
    // Deliveries out on channels, with their holder, delivery count and
    // the acknowledgement timeout's countdown.
    let out = unacked_of_queue(&tl.world().sim, &name);
    let timeline = app.state.timeline.clone();
    let render = {
        let app = app.clone();
        let timeline = timeline.clone();
        Callback::from(move |i: usize| {
            let tl = timeline.borrow();
            let Some(q) = tl.world().sim.broker.queue(qid) else {
                return html! {};
            };
            let entry = q.handoff.iter().chain(q.ready.iter()).nth(i);
            let Some(e) = entry else { return html! {} };
            let id = e.msg.id().0;
            let body = e.msg.preview(60);
            let count = delivery_count(q, e);
            html! {
                <div class="vrow msg-row" role="listitem" key={format!("m{id}-{}", e.seq())}>
                    { message_link(&app, id, html! { <>
                        <span class="msg-id">{ format!("#{id}") }</span>
                        <span class="msg-body">{ body }</span>
                        if e.redelivered() { <span class="tag redelivered" title="redelivered">{ "↺" }</span> }
                        if e.msg.is_persistent() { <span class="tag" title="persistent">{ "P" }</span> }
                    </> }) }
                    { delivery_count_tag(t, count) }
                </div>
            }
        })
    };
    let mut flags = vec![
        fact(t.f_durable, yes_no(t, q.durable)),
        fact(t.f_exclusive, yes_no(t, q.exclusive_owner.is_some())),
        fact(t.f_auto_delete, yes_no(t, q.auto_delete)),
    ];
    if q.server_named {
        flags.push(fact(t.server_named, t.yes));
    }
    if counts_deliveries {
        let limit = q.settings.delivery_limit;
        flags.push(fact(
            t.f_delivery_limit,
            limit.map_or_else(|| t.none.to_string(), |l| l.to_string()),
        ));
    }
    let args: Vec<Html> = q
        .args
        .iter()
        .map(|(k, v)| {
            let help = arg_help(t, k);
            html! { <li title={help}><code>{ format!("{k} = {v}") }</code>if !help.is_empty() { <span class="help">{ help }</span> }</li> }
        })
        .collect();
    let qname: Rc<str> = q.name.clone();
    let (n1, n2, n3) = (qname.clone(), qname.clone(), qname.clone());
    let html = html! {
        <div class="insp" id="queue-inspector" data-name={name.clone()}>
            { title("queue", t.kind_queue, &name) }
            <div class="counts-row">
                <div class="count ready"><span class="n" id="insp-ready">{ ready }</span><span>{ t.legend_ready }</span></div>
                <div class="count unacked"><span class="n" id="insp-unacked">{ q.unacked }</span><span>{ t.legend_unacked }</span></div>
                <div class="count"><span class="n" id="insp-consumers">{ consumers.len() }</span><span>{ t.consumers }</span></div>
            </div>
            <dl class="facts">{ for flags }</dl>
            if !args.is_empty() {
                <h4>{ t.f_arguments }</h4>
                <ul class="args-list">{ for args }</ul>
            }
            <div class="actions">
                <button type="button" class="btn small" id="queue-edit"
                    onclick={app.callback(move |_| Action::OpenTab(BuildTab::Queue, Prefill::EditQueue(n1.clone())))}>{ t.declare_again }</button>
                <button type="button" class="btn small" id="queue-purge"
                    onclick={app.callback(move |_| Action::Command(Command::Method(Method::QueuePurge(QueuePurge { queue: n2.to_string(), no_wait: false }))))}>{ t.purge }</button>
                <button type="button" class="btn small danger" id="queue-delete"
                    onclick={app.callback(move |_| Action::Command(Command::Method(Method::QueueDelete(QueueDelete { queue: n3.to_string(), ..Default::default() }))))}>{ t.delete }</button>
            </div>
            <DepthChart queue={AttrValue::from(name.clone())} />
            // A stream shows its log, and its consumers as readers with
            // their offsets.
            if is_stream {
                <StreamLogView name={AttrValue::from(name.clone())} />
            } else {
                <h4>{ t.consumers }</h4>
                if consumers.is_empty() { <p class="muted">{ t.no_consumers }</p> }
                <ul class="plain">
                    { for consumers.iter().map(|c| html! {
                        <li><code>{ c.consumer_tag.to_string() }</code>{ match (c.ack_required, c.prefetch_count) {
                            (Some(manual), Some(prefetch)) => format!(" · {} · prefetch {prefetch}", if manual { t.ack_manual } else { t.ack_auto }),
                            _ => format!(" · {}", t.get_consumer),
                        } }</li>
                    }) }
                </ul>
                <h4>{ fill(t.ready_messages_n, &[("n", &ready.to_string())]) }</h4>
                if ready == 0 { <p class="muted">{ t.no_ready }</p> } else {
                    <VirtualList count={ready as usize} row_h={28.0} height={(ready as f64 * 28.0).min(196.0)} render={render}
                        id="queue-messages" label={t.ready_messages} />
                }
            }
            if !out.is_empty() {
                <h4>{ fill(t.out_messages_n, &[("n", &out.len().to_string())]) }</h4>
                <ul class="plain out" id="queue-unacked">
                    { for out.iter().take(50).map(|u| unacked_row(&app, u, true)) }
                </ul>
            }
        </div>
    };
    drop(tl);
    html
}
