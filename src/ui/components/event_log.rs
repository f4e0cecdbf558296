//! The event log: every broker and worker event up to the cursor, as a
//! sentence tied to its step; filterable by kind and by the selected object.
//! Which rows and what they say is `view::event_log`; this draws them.

use crate::ui::components::virtual_list::VirtualList;
use crate::ui::i18n::format_time;
use crate::ui::state::{use_app, Action, Category, LogFilter};
use crate::view::event_log::{self as log_view, LogEntry, LogRow};
use std::rc::Rc;
use yew::prelude::*;

#[function_component(EventLog)]
pub fn event_log() -> Html {
    let app = use_app();
    let t = app.t();
    let s = app.state.clone();
    let rows: Rc<Vec<LogRow>> = {
        let tl = s.timeline.borrow();
        Rc::new(log_view::rows(&tl, &s.filter, s.selection.as_ref()))
    };
    let render = {
        let rows = rows.clone();
        let app = app.clone();
        Callback::from(move |i: usize| {
            let s = &app.state;
            let tl = s.timeline.borrow();
            let Some(LogEntry {
                tick,
                time,
                category: cat,
                kind,
                sentence: text,
            }) = rows
                .get(i)
                .and_then(|row| log_view::entry(&tl, *row, s.lang))
            else {
                return html! {};
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
