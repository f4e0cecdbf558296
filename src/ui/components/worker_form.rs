//! Adding or changing a worker (the lessons' `worker.py` / `receive.py`).

use crate::sim::bounded::{Prefetch, VirtualMs};
use crate::sim::world::Command;
use crate::sim::{ActorId, OnDone, Simulation, Subscription, WorkTime, WorkerSpec};
use crate::ui::components::fields::{self, Draft, Field, Form, FormView, Frame};
use crate::ui::state::{AppCtx, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Data {
    name: String,
    /// Consume a named queue, or declare an own exclusive one bound to an exchange.
    subscribe: bool,
    queue: String,
    sub_exchange: String,
    /// Binding keys, separated by commas.
    sub_keys: String,
    reply: bool,
    auto_ack: bool,
    prefetch: String,
    /// basic.consume's arguments, `key=value` lines (`x-stream-offset=first`).
    consume_args: String,
    per_dot: bool,
    work_ms: String,
    on_done: OnDone,
    editing: Option<ActorId>,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            name: "worker".into(),
            subscribe: false,
            queue: String::new(),
            sub_exchange: String::new(),
            sub_keys: String::new(),
            reply: false,
            auto_ack: false,
            prefetch: "1".into(),
            consume_args: String::new(),
            per_dot: true,
            work_ms: "1000".into(),
            on_done: OnDone::Ack,
            editing: None,
        }
    }
}

/// What a manual-ack worker can do with a finished message, by its value
/// in the form.
const ON_DONE: [(&str, OnDone); 7] = [
    ("ack", OnDone::Ack),
    ("forget", OnDone::Forget),
    ("reject-requeue", OnDone::Reject { requeue: true }),
    ("reject", OnDone::Reject { requeue: false }),
    ("nack-requeue", OnDone::Nack { requeue: true }),
    ("nack", OnDone::Nack { requeue: false }),
    ("crash", OnDone::Crash),
];

impl Data {
    fn spec(&self) -> Result<WorkerSpec, String> {
        let prefetch = match self.prefetch.trim() {
            "" => Prefetch::default(),
            p => fields::bounded("prefetch", p, Prefetch::new)?,
        };
        let ms = fields::bounded("ms", &self.work_ms, VirtualMs::new)?;
        Ok(WorkerSpec {
            name: fields::name_or(&self.name, "worker"),
            queue: self.queue.trim().to_string(),
            subscribe: self.subscribe.then(|| Subscription {
                exchange: self.sub_exchange.trim().to_string(),
                routing_keys: keys_of(&self.sub_keys),
            }),
            reply: self.reply,
            no_ack: self.auto_ack,
            prefetch,
            arguments: fields::parse_table(&self.consume_args)?,
            work: if self.per_dot {
                WorkTime::PerDot { ms }
            } else {
                WorkTime::Fixed { ms }
            },
            on_done: self.on_done,
        })
    }

    fn from_spec(id: ActorId, s: &WorkerSpec) -> Data {
        let (per_dot, ms) = match s.work {
            WorkTime::PerDot { ms } => (true, ms),
            WorkTime::Fixed { ms } => (false, ms),
        };
        let sub = s.subscribe.as_ref();
        Data {
            name: s.name.clone(),
            subscribe: sub.is_some(),
            queue: s.queue.clone(),
            sub_exchange: sub.map(|x| x.exchange.clone()).unwrap_or_default(),
            sub_keys: sub.map(|x| x.routing_keys.join(", ")).unwrap_or_default(),
            reply: s.reply,
            auto_ack: s.no_ack,
            prefetch: s.prefetch.to_string(),
            consume_args: fields::table_text(&s.arguments),
            per_dot,
            work_ms: ms.to_string(),
            on_done: s.on_done,
            editing: Some(id),
        }
    }
}

impl Form for Data {
    const NAME: &'static str = "worker";

    fn prefill(request: &Prefill, sim: &Simulation) -> Option<Data> {
        match request {
            Prefill::EditWorker(id) => sim.worker(*id).map(|w| Data::from_spec(*id, &w.spec)),
            _ => None,
        }
    }

    fn command(draft: &UseStateHandle<Data>) -> Result<Command, String> {
        let spec = draft.spec()?;
        let Some(id) = draft.editing else {
            // A second worker is the usual next step: keep the settings, bump the name.
            draft.set(Data {
                name: bump_name(&draft.name),
                ..(**draft).clone()
            });
            return Ok(Command::AddWorker(spec));
        };
        Ok(Command::ReplaceWorker(id, spec))
    }

    fn view(draft: &Draft<Data>, app: &AppCtx) -> Html {
        let (t, data) = (app.t(), &*draft.data);
        let on_done = ON_DONE
            .iter()
            .find(|(_, o)| *o == data.on_done)
            .map_or("ack", |(v, _)| *v);
        let fields = html! { <>
            { Field::new("worker-name", t.f_name).text(&data.name, draft.set(|d, v| d.name = v)) }
            { Field::new("worker-source", t.f_consumes).help(if data.subscribe { t.source_subscribe_help } else { t.source_queue_help }).select(&[("queue", t.source_queue), ("subscribe", t.source_subscribe)], if data.subscribe { "subscribe" } else { "queue" }, draft.set(|d, v: String| d.subscribe = v == "subscribe")) }
            if data.subscribe {
                { Field::new("worker-sub-exchange", t.f_exchange).list("exchange-names").text(&data.sub_exchange, draft.set(|d, v| d.sub_exchange = v)) }
                { Field::new("worker-sub-keys", t.f_sub_keys).help(t.sub_keys_help).text(&data.sub_keys, draft.set(|d, v| d.sub_keys = v)) }
            } else {
                { Field::new("worker-queue", t.f_queue).list("queue-names").text(&data.queue, draft.set(|d, v| d.queue = v)) }
            }
            { Field::new("worker-ack", t.f_ack_mode).help(if data.auto_ack { t.ack_auto_help } else { t.ack_manual_help }).select(&[("manual", t.ack_manual), ("auto", t.ack_auto)], if data.auto_ack { "auto" } else { "manual" }, draft.set(|d, v: String| d.auto_ack = v == "auto")) }
            { Field::new("worker-prefetch", t.f_prefetch).help(t.prefetch_help).number(&data.prefetch, draft.set(|d, v| d.prefetch = v)) }
            { Field::new("worker-consume-args", t.f_consume_args).help(t.consume_args_help).area(&data.consume_args, 2, draft.set(|d, v| d.consume_args = v)) }
            <div class="row2">
                { Field::new("worker-work", t.f_work).select(&[("dot", t.work_per_dot), ("fixed", t.work_fixed)], if data.per_dot { "dot" } else { "fixed" }, draft.set(|d, v: String| d.per_dot = v == "dot")) }
                { Field::new("worker-ms", if data.per_dot { t.f_ms_per_dot } else { t.f_ms }).number(&data.work_ms, draft.set(|d, v| d.work_ms = v)) }
            </div>
            if !data.auto_ack {
                { Field::new("worker-on-done", t.f_on_done).help(t.on_done_help).select(&ON_DONE.map(|(v, o)| (v, t.on_done(o))), on_done, draft.set(|d, v: String| d.on_done = ON_DONE.iter().find(|(c, _)| *c == v).map_or(OnDone::Ack, |(_, o)| *o))) }
            }
            { Field::new("worker-reply", t.f_reply).help(t.reply_help).check(data.reply, draft.set(|d, v| d.reply = v)) }
        </> };
        let editing = data.editing.is_some();
        let frame = Frame {
            label: t.tab_worker,
            intro: t.worker_intro,
            submit: if editing {
                t.apply_worker
            } else {
                t.add_worker
            },
            note: None,
        };
        draft.view(app, frame, fields, draft.new_button(editing, t.new_instead))
    }
}

/// Adding or changing a worker.
pub type WorkerForm = FormView<Data>;

/// "worker 1" → "worker 2"; "worker" → "worker 2".
fn bump_name(name: &str) -> String {
    match name.rsplit_once(' ') {
        Some((head, n)) if n.parse::<u32>().is_ok() => {
            format!("{head} {}", n.parse::<u32>().unwrap_or(1) + 1)
        }
        _ => format!("{name} 2"),
    }
}

/// "ja, error" → ["ja", "error"]. An empty field is one empty key (what a
/// fanout binding uses); a key may itself be empty between commas.
fn keys_of(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',').map(|k| k.trim().to_string()).collect()
}
