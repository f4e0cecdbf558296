//! An exchange: its flags and bindings, and a box to try a routing key or
//! a header set, which shows which bindings match and why the others do not
//! (word by word for topic exchanges).

use crate::engine::exchange::topic_trie::words;
use crate::engine::exchange::DestinationKind;
use crate::engine::exchange::MatchExplanation;
use crate::engine::method::{ExchangeDelete, Method};
use crate::sim::world::Command;
use crate::ui::components::fields;
use crate::ui::components::inspector::{fact, yes_no};
use crate::ui::i18n::{fill, Text};
use crate::ui::state::{use_app, Action, BuildTab, Prefill, Selection};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub name: AttrValue,
}

/// One pattern word and the key words it takes (for a matching topic key).
type Aligned = Vec<(String, Vec<String>)>;

/// Lines a routing key up with a topic pattern, if it matches.
pub fn topic_alignment(pattern: &str, key: &str) -> Option<Aligned> {
    let p = words(pattern);
    let k = words(key);
    fn go(p: &[&str], k: &[&str], out: &mut Aligned) -> bool {
        match p.first() {
            None => k.is_empty(),
            Some(&"#") => {
                for take in 0..=k.len() {
                    out.push((
                        "#".into(),
                        k[..take].iter().map(|s| s.to_string()).collect(),
                    ));
                    if go(&p[1..], &k[take..], out) {
                        return true;
                    }
                    out.pop();
                }
                false
            }
            Some(w) => {
                let Some(first) = k.first() else { return false };
                if *w == "*" || w == first {
                    out.push((w.to_string(), vec![first.to_string()]));
                    if go(&p[1..], &k[1..], out) {
                        return true;
                    }
                    out.pop();
                }
                false
            }
        }
    }
    let mut out = Vec::new();
    go(&p, &k, &mut out).then_some(out)
}

/// Why a topic key does not match, in the person's language.
fn topic_reason(t: &Text, pattern: &str, key: &str) -> String {
    let p = words(pattern);
    let k = words(key);
    if !p.contains(&"#") {
        if p.len() != k.len() {
            return fill(
                t.topic_count_exact,
                &[("n", &k.len().to_string()), ("m", &p.len().to_string())],
            );
        }
        if let Some((i, (pw, kw))) = p
            .iter()
            .zip(&k)
            .enumerate()
            .find(|(_, (pw, kw))| **pw != "*" && pw != kw)
        {
            return fill(
                t.topic_word_differs,
                &[("i", &(i + 1).to_string()), ("word", kw), ("pattern", pw)],
            );
        }
    }
    // Literal words before the first '#' and after the last one must line
    // up with the key's first and last words.
    let head = p.iter().take_while(|w| **w != "#").count();
    for (i, pw) in p[..head].iter().enumerate() {
        match k.get(i) {
            Some(kw) if *pw != "*" && pw != kw => {
                return fill(
                    t.topic_word_differs,
                    &[("i", &(i + 1).to_string()), ("word", kw), ("pattern", pw)],
                );
            }
            _ => {}
        }
    }
    let tail = p.iter().rev().take_while(|w| **w != "#").count();
    if tail < p.len() && k.len() >= tail {
        for j in 0..tail {
            let (pw, kw) = (p[p.len() - 1 - j], k[k.len() - 1 - j]);
            if pw != "*" && pw != kw {
                let i = k.len() - j;
                return fill(
                    t.topic_word_differs,
                    &[("i", &i.to_string()), ("word", kw), ("pattern", pw)],
                );
            }
        }
    }
    let fixed = p.iter().filter(|w| **w != "#").count();
    if k.len() < fixed {
        return fill(
            t.topic_count_min,
            &[("n", &k.len().to_string()), ("m", &fixed.to_string())],
        );
    }
    t.topic_no_alignment.to_string()
}

fn topic_grid(pattern: &str, key: &str) -> Html {
    match topic_alignment(pattern, key) {
        Some(aligned) => html! {
            <div class="words ok">
                { for aligned.iter().map(|(pw, kws)| html! {
                    <span class="word-pair">
                        <span class="pw">{ pw.clone() }</span>
                        <span class="kw">{ if kws.is_empty() { "∅".to_string() } else { kws.join(".") } }</span>
                    </span>
                }) }
            </div>
        },
        None => {
            let p = words(pattern);
            let k = words(key);
            let n = p.len().max(k.len());
            html! {
                <div class="words bad">
                    { for (0..n).map(|i| {
                        let pw = p.get(i).copied().unwrap_or("");
                        let kw = k.get(i).copied().unwrap_or("");
                        let ok = pw == "#" || (pw == "*" && !kw.is_empty() && k.len() > i) || (!pw.is_empty() && pw == kw && k.len() > i);
                        html! {
                            <span class={classes!("word-pair", (!ok).then_some("miss"))}>
                                <span class="pw">{ if pw.is_empty() { "—".to_string() } else { pw.to_string() } }</span>
                                <span class="kw">{ if i >= k.len() { "—".to_string() } else { kw.to_string() } }</span>
                            </span>
                        }
                    }) }
                </div>
            }
        }
    }
}

fn explain(t: &Text, e: &MatchExplanation, pattern: &str, key: &str) -> Html {
    match e {
        MatchExplanation::Fanout => html! { <span>{ t.why_fanout }</span> },
        MatchExplanation::Direct { equal: true } => html! { <span>{ t.why_direct_equal }</span> },
        MatchExplanation::Direct { equal: false } => html! {
            <span>{ fill(t.why_direct_differs, &[("key", key), ("pattern", pattern)]) }</span>
        },
        MatchExplanation::Topic { matched, .. } => html! {
            <>
                { topic_grid(pattern, key) }
                <span>{ if *matched { t.topic_every_word.to_string() } else { topic_reason(t, pattern, key) } }</span>
            </>
        },
        MatchExplanation::Headers {
            mode,
            keys,
            matched,
        } => html! {
            <span>
                { format!("x-match={mode}: ") }
                { for keys.iter().map(|(k, v)| {
                    let verdict = match v.as_str() {
                        "equal" => t.hv_equal,
                        "present" => t.hv_present,
                        "missing" => t.hv_missing,
                        _ => t.hv_different,
                    };
                    html! { <span class={classes!("hv", v.clone())}>{ format!("{k}: {verdict}  ") }</span> }
                }) }
                if keys.is_empty() { { if *matched { t.hv_nothing_all } else { t.hv_nothing_any } } }
            </span>
        },
    }
}

#[function_component(ExchangeInspector)]
pub fn exchange_inspector(p: &Props) -> Html {
    let app = use_app();
    let t = app.t();
    let try_key = use_state(String::new);
    let try_headers = use_state(String::new);
    let name = p.name.to_string();
    let tl = app.state.timeline.borrow();
    let broker = &tl.world().sim.broker;
    let is_default = name.is_empty();
    let info = broker.exchange_by_name(&name);
    if info.is_none() && !is_default {
        return html! { <p class="muted">{ fill(t.exchange_gone, &[("name", &name)]) }</p> };
    }
    let kind = info.map(|x| x.kind.name()).unwrap_or("direct");
    let bindings: Vec<_> = broker
        .bindings()
        .into_iter()
        .filter(|b| *b.source == *name)
        .collect();
    let headers = fields::parse_table(&try_headers)
        .ok()
        .filter(|h| !h.is_empty());
    let trace = broker.explain_route(&name, &try_key, headers.as_ref());
    let shown = if is_default {
        t.default_exchange.to_string()
    } else {
        name.clone()
    };
    let facts = match info {
        Some(x) => vec![
            fact(t.f_type, x.kind.name()),
            fact(t.f_durable, yes_no(t, x.durable)),
            fact(t.f_auto_delete, yes_no(t, x.auto_delete)),
            fact(t.f_internal, yes_no(t, x.internal)),
            fact(
                t.f_alternate,
                x.alternate_exchange().unwrap_or("—").to_string(),
            ),
        ],
        None => vec![
            fact(t.f_type, "direct"),
            html! { <p class="help">{ t.default_exchange_help }</p> },
        ],
    };
    let system = name.starts_with("amq.") || is_default;
    let n1: Rc<str> = Rc::from(name.as_str());
    let n2 = name.clone();
    let html = html! {
        <div class="insp" id="exchange-inspector" data-name={name.clone()}>
            <div class="insp-title">
                <span class="badge exchange">{ format!("{} · {kind}", t.kind_exchange) }</span>
                <h3>{ shown }</h3>
            </div>
            <dl class="facts">{ for facts }</dl>
            if !system {
                <div class="actions">
                    <button type="button" class="btn small" onclick={app.callback(move |_| Action::OpenTab(BuildTab::Exchange, Prefill::EditExchange(n1.clone())))}>{ t.declare_again }</button>
                    <button type="button" class="btn small danger" id="exchange-delete"
                        onclick={app.callback(move |_| Action::Command(Command::Method(Method::ExchangeDelete(ExchangeDelete { exchange: n2.clone(), ..Default::default() }))))}>{ t.delete }</button>
                </div>
            }
            <h4>{ fill(t.bindings_n, &[("n", &bindings.len().to_string())]) }</h4>
            if bindings.is_empty() { <p class="muted">{ if is_default { t.default_exchange_help } else { t.no_bindings } }</p> }
            <ul class="plain bindings">
                { for bindings.iter().map(|b| {
                    let unbind = Method::binding(true, b.destination_kind, &b.source, &b.destination, &b.routing_key, b.arguments.clone());
                    let dest: Rc<str> = b.destination.clone();
                    let to_q = b.destination_kind == DestinationKind::Queue;
                    let args = if b.arguments.is_empty() { String::new() } else { format!(" {}", fields::table_text(&b.arguments).replace('\n', ", ")) };
                    html! {
                        <li>
                            <button type="button" class="linkish" onclick={app.callback(move |_| Action::Select(Some(if to_q { Selection::Queue(dest.clone()) } else { Selection::Exchange(dest.clone()) })))}>
                                { format!("→ {} '{}'", if to_q { t.kind_queue } else { t.kind_exchange }, b.destination) }
                            </button>
                            <code>{ format!("{}{args}", if b.routing_key.is_empty() { "\"\"".to_string() } else { b.routing_key.to_string() }) }</code>
                            <button type="button" class="btn tiny ghost" aria-label={fill(t.unbind_aria, &[("dest", &b.destination), ("key", &b.routing_key)])}
                                onclick={app.callback(move |_| Action::Command(Command::Method(unbind.clone())))}>{ t.unbind }</button>
                        </li>
                    }
                }) }
            </ul>
            <div class="try">
                <h4>{ t.try_title }</h4>
                <div class="field">
                    <label for="try-key">{ t.f_routing_key }</label>
                    <input id="try-key" type="text" value={(*try_key).clone()} autocomplete="off" spellcheck="false"
                        oninput={{ let s = try_key.clone(); Callback::from(move |e: InputEvent| s.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())) }} />
                </div>
                if kind == "headers" {
                    <div class="field">
                        <label for="try-headers">{ t.f_headers }</label>
                        <textarea id="try-headers" rows="2" value={(*try_headers).clone()} spellcheck="false"
                            oninput={{ let s = try_headers.clone(); Callback::from(move |e: InputEvent| s.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())) }} />
                    </div>
                }
                <ul class="plain try-results" id="try-results">
                    { for trace.matched.iter().filter(|m| *m.exchange == *name || is_default).map(|m| html! {
                        <li class="hit">
                            <span class="mark" aria-label={t.matches}>{ "✓" }</span>
                            <span>{ format!("{} '{}' ", m.destination_kind, m.destination) }<code>{ m.key.to_string() }</code></span>
                            { if kind == "topic" { topic_grid(&m.key, &try_key) } else { html! {} } }
                        </li>
                    }) }
                    { for trace.missed.iter().filter(|m| *m.exchange == *name).map(|m| html! {
                        <li class="miss">
                            <span class="mark" aria-label={t.no_match}>{ "✗" }</span>
                            <span>{ format!("'{}' ", m.destination) }<code>{ m.key.to_string() }</code></span>
                            <div class="why">{ explain(t, &m.explanation, &m.key, &try_key) }</div>
                        </li>
                    }) }
                    if trace.matched.iter().filter(|m| *m.exchange == *name || is_default).count() == 0 {
                        <li class="none">{ if trace.alternates.is_empty() { t.try_nothing.to_string() } else { fill(t.try_alternate, &[("ae", &trace.alternates.join(", "))]) } }</li>
                    }
                </ul>
                if !trace.queues.is_empty() {
                    <p class="help">{ fill(t.try_reaches, &[("queues", &trace.queues.join(", "))]) }</p>
                }
            </div>
        </div>
    };
    drop(tl);
    html
}
