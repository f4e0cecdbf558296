//! The event log: every broker and worker event up to the cursor, as a
//! sentence tied to its step; filterable by kind and by the selected object.

use crate::ui::components::virtual_list::VirtualList;
use crate::ui::describe::{actor_category, actor_involves, category, involves, Say};
use crate::ui::i18n::format_time;
use crate::ui::state::{use_app, Action, Category, LogFilter};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq)]
enum Row {
    Broker(usize),
    Actor(usize),
}

#[function_component(EventLog)]
pub fn event_log() -> Html {
    let app = use_app();
    let t = app.t();
    let s = app.state.clone();
    let rows: Rc<Vec<Row>> = {
        let tl = s.timeline.borrow();
        let events = tl.events();
        let actor_all = tl.world().sim.actor_events();
        let actors = &actor_all[..tl.current_mark().actor_len.min(actor_all.len())];
        let sel = if s.filter.only_selected {
            s.selection.as_ref()
        } else {
            None
        };
        let keep_b = |i: usize| {
            let e = &events[i];
            !s.filter.hidden.contains(&category(&e.kind))
                && sel.is_none_or(|sel| involves(e, sel, &tl.names, tl.world()))
        };
        let keep_a = |i: usize| {
            let e = &actors[i];
            !s.filter.hidden.contains(&actor_category(&e.kind))
                && sel.is_none_or(|sel| actor_involves(e, sel))
        };
        let mut rows = Vec::with_capacity(events.len() + actors.len());
        let (mut b, mut a) = (0, 0);
        while b < events.len() || a < actors.len() {
            let take_actor =
                a < actors.len() && (b >= events.len() || actors[a].broker_seq <= events[b].seq);
            if take_actor {
                if keep_a(a) {
                    rows.push(Row::Actor(a));
                }
                a += 1;
            } else {
                if keep_b(b) {
                    rows.push(Row::Broker(b));
                }
                b += 1;
            }
        }
        Rc::new(rows)
    };
    let render = {
        let rows = rows.clone();
        let app = app.clone();
        Callback::from(move |i: usize| {
            let s = &app.state;
            let tl = s.timeline.borrow();
            let say = Say {
                names: &tl.names,
                world: Some(tl.world()),
            };
            let (tick, time, cat, kind, text) = match rows.get(i) {
                Some(Row::Broker(b)) => {
                    let Some(e) = tl.events().get(*b) else {
                        return html! {};
                    };
                    (
                        tl.tick_of_event(e.seq),
                        e.time,
                        category(&e.kind),
                        e.kind.name(),
                        s.lang.event(&e.kind, &say),
                    )
                }
                Some(Row::Actor(a)) => {
                    let Some(e) = tl.world().sim.actor_events().get(*a) else {
                        return html! {};
                    };
                    (
                        tl.tick_of_actor_event(*a),
                        e.time,
                        actor_category(&e.kind),
                        "worker",
                        s.lang.actor_event(&e.kind, &say),
                    )
                }
                None => return html! {},
            };
            let current = tick == tl.pos();
            html! {
                <div class={classes!("vrow", "log-row", (cat == Category::Error).then_some("is-error"), current.then_some("current"))} role="listitem" data-kind={kind}>
                    <button type="button" class="step-link" title={s.lang.text().go_to_step}
                        onclick={app.callback(move |_| Action::Seek(tick))}>{ tick }</button>
                    <span class="time">{ format_time(time) }</span>
                    <span class={classes!("cat", cat_class(cat))}>{ s.lang.text().category(cat) }</span>
                    <span class="text" title={text.clone()}>{ text }</span>
                </div>
            }
        })
    };
    let toggle = |c: Category| {
        let f = s.filter.clone();
        app.callback(move |_: MouseEvent| {
            let mut f: LogFilter = f.clone();
            if !f.hidden.remove(&c) {
                f.hidden.insert(c);
            }
            Action::SetFilter(f)
        })
    };
    let only = {
        let f = s.filter.clone();
        app.callback(move |e: Event| {
            let mut f = f.clone();
            f.only_selected = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            Action::SetFilter(f)
        })
    };
    html! {
        <section class="panel log" id="event-log" aria-label={app.region_label(t.log_title)}>
            <div class="panel-head">
                <h2>{ t.log_title }</h2>
                <div class="chips" role="group" aria-label={t.filter_kinds}>
                    { for Category::ALL.iter().map(|c| {
                        let on = !s.filter.hidden.contains(c);
                        html! {
                            <button type="button" class={classes!("chip", cat_class(*c), on.then_some("on"))}
                                aria-pressed={on.to_string()} id={format!("filter-{}", &cat_class(*c)[4..])}
                                onclick={toggle(*c)}>{ t.category(*c) }</button>
                        }
                    }) }
                </div>
                <label class="only-sel">
                    <input type="checkbox" id="filter-selected" checked={s.filter.only_selected} onchange={only}
                        disabled={s.selection.is_none()} />
                    { t.only_selected }
                </label>
            </div>
            if rows.is_empty() {
                <p class="muted pad">{ t.log_empty }</p>
            } else {
                <VirtualList count={rows.len()} row_h={26.0} height={196.0} render={render} id="log-list" label={t.log_title} follow_end=true />
            }
        </section>
    }
}

pub fn cat_class(c: Category) -> &'static str {
    match c {
        Category::Publish => "cat-publish",
        Category::Deliver => "cat-deliver",
        Category::Settle => "cat-settle",
        Category::Dead => "cat-dead",
        Category::Error => "cat-error",
        Category::Topology => "cat-topology",
        Category::Client => "cat-client",
        Category::Worker => "cat-worker",
        Category::Store => "cat-store",
        Category::Broker => "cat-broker",
    }
}
