//! Declaring a queue: flags and x-arguments with short help, like the
//! management UI's "Add a new queue".

use crate::engine::method::{Method, QueueDeclare};
use crate::engine::value::{FieldTable, FieldValue};
use crate::sim::world::Command;
use crate::ui::components::fields;
use crate::ui::i18n::Text;
use crate::ui::state::{use_app, Action, Prefill};
use std::collections::BTreeMap;
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq)]
enum ArgKind {
    Int,
    Str,
    Bool,
    Choice(&'static [&'static str]),
}

/// The x-arguments offered, with their type.
const ARGS: &[(&str, ArgKind)] = &[
    ("x-message-ttl", ArgKind::Int),
    ("x-expires", ArgKind::Int),
    ("x-max-length", ArgKind::Int),
    ("x-max-length-bytes", ArgKind::Int),
    (
        "x-overflow",
        ArgKind::Choice(&["", "drop-head", "reject-publish", "reject-publish-dlx"]),
    ),
    ("x-dead-letter-exchange", ArgKind::Str),
    ("x-dead-letter-routing-key", ArgKind::Str),
    ("x-max-priority", ArgKind::Int),
    ("x-single-active-consumer", ArgKind::Bool),
    (
        "x-queue-type",
        ArgKind::Choice(&["", "classic", "quorum", "stream"]),
    ),
    ("x-delivery-limit", ArgKind::Int),
];

pub fn arg_help(t: &Text, key: &str) -> &'static str {
    match key {
        "x-message-ttl" => t.arg_message_ttl,
        "x-expires" => t.arg_expires,
        "x-max-length" => t.arg_max_length,
        "x-max-length-bytes" => t.arg_max_length_bytes,
        "x-overflow" => t.arg_overflow,
        "x-dead-letter-exchange" => t.arg_dlx,
        "x-dead-letter-routing-key" => t.arg_dlrk,
        "x-max-priority" => t.arg_max_priority,
        "x-single-active-consumer" => t.arg_sac,
        "x-queue-type" => t.arg_queue_type,
        "x-delivery-limit" => t.arg_delivery_limit,
        _ => "",
    }
}

#[derive(Clone, PartialEq, Default)]
struct Data {
    name: String,
    durable: bool,
    exclusive: bool,
    auto_delete: bool,
    args: BTreeMap<&'static str, String>,
    editing: bool,
}

impl Data {
    fn arguments(&self) -> Result<FieldTable, String> {
        let mut table = FieldTable::new();
        for (key, kind) in ARGS {
            let Some(text) = self
                .args
                .get(key)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            let value = match kind {
                ArgKind::Int => match text.parse::<i64>() {
                    Ok(i) => match i32::try_from(i) {
                        Ok(small) => FieldValue::Int(small),
                        Err(_) => FieldValue::Long(i),
                    },
                    Err(_) => return Err(format!("{key}: {text}")),
                },
                ArgKind::Bool => FieldValue::Bool(text == "true"),
                ArgKind::Str | ArgKind::Choice(_) => FieldValue::LongStr(text.to_string()),
            };
            table.insert(key.to_string(), value);
        }
        Ok(table)
    }
}

#[function_component(QueueForm)]
pub fn queue_form() -> Html {
    let app = use_app();
    let t = app.t();
    let data = use_state(Data::default);
    let error = use_state(|| None::<String>);

    {
        let data = data.clone();
        let state = app.state.clone();
        use_effect_with(app.state.prefill_rev, move |_| {
            if let Prefill::EditQueue(name) = &state.prefill {
                let tl = state.timeline.borrow();
                if let Some(q) = tl.world().sim.broker.queue_by_name(name) {
                    let mut args = BTreeMap::new();
                    for (key, _) in ARGS {
                        if let Some(v) = q.args.get(*key) {
                            args.insert(*key, v.to_string());
                        }
                    }
                    data.set(Data {
                        name: q.name.to_string(),
                        durable: q.durable,
                        exclusive: q.exclusive_owner.is_some(),
                        auto_delete: q.auto_delete,
                        args,
                        editing: true,
                    });
                }
            }
        });
    }

    let set = |f: fn(&mut Data, String)| fields::setter(&data, f);
    let set_b = |f: fn(&mut Data, bool)| fields::setter(&data, f);
    let onsubmit = {
        let data = data.clone();
        let error = error.clone();
        let d = app.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match data.arguments() {
                Ok(arguments) => {
                    error.set(None);
                    d.emit(Action::Command(Command::Method(Method::QueueDeclare(
                        QueueDeclare {
                            queue: data.name.trim().to_string(),
                            durable: data.durable,
                            exclusive: data.exclusive,
                            auto_delete: data.auto_delete,
                            arguments,
                            ..Default::default()
                        },
                    ))));
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let set_count = data.args.values().filter(|v| !v.trim().is_empty()).count();
    html! {
        <form class="form" id="queue-form" {onsubmit} aria-label={t.tab_queue}>
            <p class="form-intro">{ t.queue_intro }</p>
            { fields::text("queue-name", t.f_name, &data.name, set(|d, v| d.name = v), Some(t.queue_name_help), None) }
            <div class="checks">
                { fields::check("queue-durable", t.f_durable, data.durable, set_b(|d, v| d.durable = v), Some(t.queue_durable_help)) }
                { fields::check("queue-exclusive", t.f_exclusive, data.exclusive, set_b(|d, v| d.exclusive = v), Some(t.queue_exclusive_help)) }
                { fields::check("queue-auto-delete", t.f_auto_delete, data.auto_delete, set_b(|d, v| d.auto_delete = v), Some(t.queue_auto_delete_help)) }
            </div>
            <details class="args" open={set_count > 0}>
                <summary>{ t.f_arguments }{ if set_count > 0 { format!(" ({set_count})") } else { String::new() } }</summary>
                { for ARGS.iter().map(|(key, kind)| {
                    let id = format!("queue-arg-{}", &key[2..]);
                    let value = data.args.get(key).cloned().unwrap_or_default();
                    let key_s: &'static str = key;
                    let data = data.clone();
                    let on = Callback::from(move |v: String| {
                        let mut d = (*data).clone();
                        d.args.insert(key_s, v);
                        data.set(d);
                    });
                    let help = Some(arg_help(t, key));
                    match kind {
                        ArgKind::Int => fields::number(&id, key, &value, on, help),
                        ArgKind::Str => fields::text(&id, key, &value, on, help, Some("exchange-names")),
                        ArgKind::Bool => fields::select(&id, key, &[("", "—"), ("true", "true"), ("false", "false")], &value, on, help),
                        ArgKind::Choice(options) => {
                            let opts: Vec<(&str, &str)> = options.iter().map(|o| (*o, if o.is_empty() { "—" } else { *o })).collect();
                            fields::select(&id, key, &opts, &value, on, help)
                        }
                    }
                }) }
            </details>
            if data.editing { <p class="help warn-text">{ t.redeclare_note }</p> }
            if let Some(m) = &*error { <p class="form-error" role="alert">{ m.clone() }</p> }
            <div class="form-actions">
                <button type="submit" class="btn primary" id="queue-submit">{ t.declare_queue }</button>
            </div>
        </form>
    }
}
