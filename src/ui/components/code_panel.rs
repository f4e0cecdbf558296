//! The pika code equivalent to what is on the screen: each command given so
//! far as pika calls, and a whole program for the topology and for each
//! producer and worker (see `tutorial::pika`). The bottom-right slot shows
//! it or `list_queues`, by tab.

use crate::tutorial::pika;
use crate::ui::components::fields;
use crate::ui::components::queue_table::QueueTable;
use crate::ui::state::{use_app, Action, BottomTab};
use yew::prelude::*;

/// `list_queues` and the code, as tabs.
#[function_component(BottomRight)]
pub fn bottom_right() -> Html {
    let app = use_app();
    let t = app.t();
    let tab = app.state.bottom;
    let button = |which: BottomTab, label: &'static str, id: &'static str| {
        let on = tab == which;
        html! {
            <button type="button" role="tab" {id} class={classes!("tab", on.then_some("on"))}
                aria-selected={on.to_string()} onclick={app.callback(move |_| Action::SetBottom(which))}>{ label }</button>
        }
    };
    html! {
        <div class="bottom-right">
            <div class="tabs bottom-tabs" role="tablist">
                { button(BottomTab::Queues, t.tab_list_queues, "tab-list-queues") }
                { button(BottomTab::Code, t.tab_code, "tab-code") }
            </div>
            { match tab {
                BottomTab::Queues => html! { <QueueTable /> },
                BottomTab::Code => html! { <CodePanel /> },
            } }
        </div>
    }
}

#[function_component(CodePanel)]
pub fn code_panel() -> Html {
    let app = use_app();
    let t = app.t();
    let program = use_state(|| "setup".to_string());
    let tl = app.state.timeline.borrow();
    let world = tl.world();
    let sim = &world.sim;
    let pos = tl.pos();
    let actions: Vec<_> = app
        .state
        .code
        .iter()
        .filter(|e| e.pos < pos)
        .cloned()
        .collect();
    let mut programs: Vec<(String, String, String)> = vec![(
        "setup".into(),
        t.code_setup.to_string(),
        pika::topology_program(sim),
    )];
    for p in sim.producers() {
        programs.push((
            format!("p{}", p.id.0),
            p.spec.name.clone(),
            pika::producer_program(&p.spec, &sim.broker),
        ));
    }
    for w in sim.workers() {
        programs.push((
            format!("w{}", w.id.0),
            w.spec.name.clone(),
            pika::worker_program(&w.spec, &sim.broker),
        ));
    }
    drop(tl);
    let shown = programs
        .iter()
        .find(|(k, _, _)| *k == *program)
        .or(programs.first())
        .map(|(_, _, code)| code.clone())
        .unwrap_or_default();
    let onchange = fields::keep::<web_sys::HtmlSelectElement, Event>(&program);
    html! {
        <section class="panel code" id="code-panel" aria-label={t.tab_code}>
            <h3>{ t.code_actions }</h3>
            if actions.is_empty() {
                <p class="muted">{ t.code_none }</p>
            } else {
                <ol class="code-actions" id="code-actions">
                    { for actions.iter().rev().take(30).map(|e| html! {
                        <li class={classes!(e.refused.then_some("refused"))}>
                            <pre><code>{ e.code.clone() }</code></pre>
                            if e.refused { <span class="badge">{ t.code_refused }</span> }
                        </li>
                    }) }
                </ol>
            }
            <h3>
                <label for="code-program">{ t.code_programs }</label>
                <select id="code-program" {onchange} aria-label={t.code_program_label}>
                    { for programs.iter().map(|(k, label, _)| html! {
                        <option value={k.clone()} selected={*k == *program}>{ label.clone() }</option>
                    }) }
                </select>
            </h3>
            <pre class="program" id="code-program-text"><code>{ shown }</code></pre>
        </section>
    }
}
