//! `rabbitmqctl list_queues name messages_ready messages_unacknowledged consumers`.

use crate::ui::state::{use_app, Action, Selection};
use yew::prelude::*;

#[function_component(QueueTable)]
pub fn queue_table() -> Html {
    let app = use_app();
    let t = app.t();
    let tl = app.state.timeline.borrow();
    let broker = &tl.world().sim.broker;
    let rows: Vec<(std::rc::Rc<str>, u64, u64, usize)> = broker
        .queues()
        .map(|q| {
            (
                q.name.clone(),
                q.ready_count(),
                q.unacked,
                q.consumers.len(),
            )
        })
        .collect();
    drop(tl);
    html! {
        <section class="panel qtable" id="list-queues" aria-label={app.region_label(t.table_title)}>
            <div class="panel-head"><h2>{ t.table_title }</h2></div>
            <pre class="cmd" aria-hidden="true">{ "$ rabbitmqctl list_queues name messages_ready messages_unacknowledged consumers" }</pre>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{ "name" }</th>
                        <th scope="col" class="num">{ "messages_ready" }</th>
                        <th scope="col" class="num">{ "messages_unacknowledged" }</th>
                        <th scope="col" class="num">{ "consumers" }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|(name, ready, unacked, consumers)| {
                            let n = name.clone();
                            html! {
                                <tr data-queue={name.to_string()}>
                                    <td><button type="button" class="linkish" onclick={app.callback(move |_| Action::Select(Some(Selection::Queue(n.clone()))))}>{ name.to_string() }</button></td>
                                    <td class="num ready">{ ready }</td>
                                    <td class="num unacked">{ unacked }</td>
                                    <td class="num consumers">{ consumers }</td>
                                </tr>
                            }
                        }) }
                        if rows.is_empty() { <tr><td colspan="4" class="muted">{ t.no_queues }</td></tr> }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
