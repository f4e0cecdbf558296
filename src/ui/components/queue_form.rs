//! Declaring a queue: flags and x-arguments with short help, like the
//! management UI's "Add a new queue".

use crate::engine::method::{Method, QueueDeclare};
use crate::engine::queue::Queue;
use crate::engine::value::{FieldTable, FieldValue};
use crate::sim::world::Command;
use crate::sim::Simulation;
use crate::ui::components::fields::{Draft, Field, Form, FormView, Frame};
use crate::ui::i18n::Text;
use crate::ui::state::{AppCtx, Prefill};
use std::collections::BTreeMap;
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq)]
enum ArgKind {
    Int,
    Str,
    Bool,
    Choice(&'static [&'static str]),
}

const OVERFLOW: &[&str] = &["", "drop-head", "reject-publish", "reject-publish-dlx"];
const QUEUE_TYPES: &[&str] = &["", "classic", "quorum", "stream"];

/// An x-argument's help.
type Help = fn(&Text) -> &'static str;

/// The x-arguments offered: what each takes, and its help.
#[rustfmt::skip]
const ARGS: &[(&str, ArgKind, Help)] = &[
    ("x-message-ttl", ArgKind::Int, |t| t.arg_message_ttl),
    ("x-expires", ArgKind::Int, |t| t.arg_expires),
    ("x-max-length", ArgKind::Int, |t| t.arg_max_length),
    ("x-max-length-bytes", ArgKind::Int, |t| t.arg_max_length_bytes),
    ("x-overflow", ArgKind::Choice(OVERFLOW), |t| t.arg_overflow),
    ("x-dead-letter-exchange", ArgKind::Str, |t| t.arg_dlx),
    ("x-dead-letter-routing-key", ArgKind::Str, |t| t.arg_dlrk),
    ("x-max-priority", ArgKind::Int, |t| t.arg_max_priority),
    ("x-single-active-consumer", ArgKind::Bool, |t| t.arg_sac),
    ("x-queue-type", ArgKind::Choice(QUEUE_TYPES), |t| t.arg_queue_type),
    ("x-delivery-limit", ArgKind::Int, |t| t.arg_delivery_limit),
];

/// The help of an x-argument the form offers ("" for others).
pub fn arg_help(t: &Text, key: &str) -> &'static str {
    ARGS.iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, _, help)| help(t))
}

#[derive(Clone, PartialEq, Default)]
pub struct Data {
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
        for (key, kind, _) in ARGS {
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

    fn of_queue(q: &Queue) -> Data {
        let args = ARGS
            .iter()
            .filter_map(|(key, _, _)| Some((*key, q.args.get(*key)?.to_string())))
            .collect();
        Data {
            name: q.name.to_string(),
            durable: q.durable,
            exclusive: q.exclusive_owner.is_some(),
            auto_delete: q.auto_delete,
            args,
            editing: true,
        }
    }
}

impl Form for Data {
    const NAME: &'static str = "queue";

    fn prefill(request: &Prefill, sim: &Simulation) -> Option<Data> {
        match request {
            Prefill::EditQueue(name) => sim.broker.queue_by_name(name).map(Data::of_queue),
            _ => None,
        }
    }

    fn command(draft: &UseStateHandle<Data>) -> Result<Command, String> {
        Ok(Command::Method(Method::QueueDeclare(QueueDeclare {
            queue: draft.name.trim().to_string(),
            durable: draft.durable,
            exclusive: draft.exclusive,
            auto_delete: draft.auto_delete,
            arguments: draft.arguments()?,
            ..Default::default()
        })))
    }

    fn view(draft: &Draft<Data>, app: &AppCtx) -> Html {
        let (t, data) = (app.t(), &*draft.data);
        let set_count = data.args.values().filter(|v| !v.trim().is_empty()).count();
        let fields = html! { <>
            { Field::new("queue-name", t.f_name).help(t.queue_name_help).text(&data.name, draft.set(|d, v| d.name = v)) }
            <div class="checks">
                { Field::new("queue-durable", t.f_durable).help(t.queue_durable_help).check(data.durable, draft.set(|d, v| d.durable = v)) }
                { Field::new("queue-exclusive", t.f_exclusive).help(t.queue_exclusive_help).check(data.exclusive, draft.set(|d, v| d.exclusive = v)) }
                { Field::new("queue-auto-delete", t.f_auto_delete).help(t.queue_auto_delete_help).check(data.auto_delete, draft.set(|d, v| d.auto_delete = v)) }
            </div>
            <details class="args" open={set_count > 0}>
                <summary>{ t.f_arguments }{ if set_count > 0 { format!(" ({set_count})") } else { String::new() } }</summary>
                { for ARGS.iter().map(|(key, kind, help)| {
                    let id = format!("queue-arg-{}", &key[2..]);
                    let value = data.args.get(key).cloned().unwrap_or_default();
                    let key_s: &'static str = key;
                    let data = draft.data.clone();
                    let on = Callback::from(move |v: String| {
                        let mut d = (*data).clone();
                        d.args.insert(key_s, v);
                        data.set(d);
                    });
                    let help = help(t);
                    match kind {
                        ArgKind::Int => Field::new(&id, key).help(help).number(&value, on),
                        ArgKind::Str => Field::new(&id, key).help(help).list("exchange-names").text(&value, on),
                        ArgKind::Bool => Field::new(&id, key).help(help).select(&[("", "—"), ("true", "true"), ("false", "false")], &value, on),
                        ArgKind::Choice(options) => {
                            let opts: Vec<(&str, &str)> = options.iter().map(|o| (*o, if o.is_empty() { "—" } else { *o })).collect();
                            Field::new(&id, key).help(help).select(&opts, &value, on)
                        }
                    }
                }) }
            </details>
        </> };
        let frame = Frame {
            label: t.tab_queue,
            intro: t.queue_intro,
            submit: t.declare_queue,
            note: data.editing.then_some(t.redeclare_note),
        };
        draft.view(app, frame, fields, html! {})
    }
}

/// Declaring a queue.
pub type QueueForm = FormView<Data>;
