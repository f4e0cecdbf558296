//! Adding or changing a worker (the lessons' `worker.py` / `receive.py`).

use crate::sim::bounded::{Prefetch, VirtualMs};
use crate::sim::world::Command;
use crate::sim::{ActorId, OnDone, Subscription, WorkTime, WorkerSpec};
use crate::ui::components::fields;
use crate::ui::state::{use_app, Action, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct Data {
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
    per_dot: bool,
    work_ms: String,
    on_done: String,
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
            per_dot: true,
            work_ms: "1000".into(),
            on_done: "ack".into(),
            editing: None,
        }
    }
}

fn on_done_code(o: OnDone) -> &'static str {
    match o {
        OnDone::Ack => "ack",
        OnDone::Forget => "forget",
        OnDone::Reject { requeue: true } => "reject-requeue",
        OnDone::Reject { requeue: false } => "reject",
        OnDone::Nack { requeue: true } => "nack-requeue",
        OnDone::Nack { requeue: false } => "nack",
    }
}

fn on_done_of(code: &str) -> OnDone {
    match code {
        "forget" => OnDone::Forget,
        "reject-requeue" => OnDone::Reject { requeue: true },
        "reject" => OnDone::Reject { requeue: false },
        "nack-requeue" => OnDone::Nack { requeue: true },
        "nack" => OnDone::Nack { requeue: false },
        _ => OnDone::Ack,
    }
}

impl Data {
    fn spec(&self) -> Result<WorkerSpec, String> {
        let prefetch = match self.prefetch.trim() {
            "" => Prefetch::default(),
            p => fields::bounded("prefetch", p, Prefetch::new)?,
        };
        let ms = fields::bounded("ms", &self.work_ms, VirtualMs::new)?;
        Ok(WorkerSpec {
            name: if self.name.trim().is_empty() {
                "worker".into()
            } else {
                self.name.trim().to_string()
            },
            queue: self.queue.trim().to_string(),
            subscribe: self.subscribe.then(|| Subscription {
                exchange: self.sub_exchange.trim().to_string(),
                routing_keys: keys_of(&self.sub_keys),
            }),
            reply: self.reply,
            no_ack: self.auto_ack,
            prefetch,
            work: if self.per_dot {
                WorkTime::PerDot { ms }
            } else {
                WorkTime::Fixed { ms }
            },
            on_done: on_done_of(&self.on_done),
        })
    }
}

#[function_component(WorkerForm)]
pub fn worker_form() -> Html {
    let app = use_app();
    let t = app.t();
    let data = use_state(Data::default);
    let error = use_state(|| None::<String>);
    {
        let data = data.clone();
        let state = app.state.clone();
        use_effect_with(app.state.prefill_rev, move |_| {
            if let Prefill::EditWorker(id) = &state.prefill {
                let tl = state.timeline.borrow();
                if let Some(w) = tl.world().sim.worker(*id) {
                    let s = &w.spec;
                    let (per_dot, ms) = match s.work {
                        WorkTime::PerDot { ms } => (true, ms),
                        WorkTime::Fixed { ms } => (false, ms),
                    };
                    data.set(Data {
                        name: s.name.clone(),
                        subscribe: s.subscribe.is_some(),
                        queue: s.queue.clone(),
                        sub_exchange: s
                            .subscribe
                            .as_ref()
                            .map(|x| x.exchange.clone())
                            .unwrap_or_default(),
                        sub_keys: s
                            .subscribe
                            .as_ref()
                            .map(|x| x.routing_keys.join(", "))
                            .unwrap_or_default(),
                        reply: s.reply,
                        auto_ack: s.no_ack,
                        prefetch: s.prefetch.to_string(),
                        per_dot,
                        work_ms: ms.to_string(),
                        on_done: on_done_code(s.on_done).into(),
                        editing: Some(*id),
                    });
                }
            }
        });
    }
    let set = |f: fn(&mut Data, String)| fields::setter(&data, f);
    let onsubmit = {
        let data = data.clone();
        let error = error.clone();
        let d = app.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match data.spec() {
                Ok(spec) => {
                    error.set(None);
                    d.emit(Action::Command(match data.editing {
                        Some(id) => Command::ReplaceWorker(id, spec),
                        None => Command::AddWorker(spec),
                    }));
                    // A second worker is the usual next step: keep the settings, bump the name.
                    if data.editing.is_none() {
                        let mut next = (*data).clone();
                        next.name = bump_name(&next.name);
                        data.set(next);
                    }
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let set_b = |f: fn(&mut Data, bool)| fields::setter(&data, f);
    let on_new = {
        let data = data.clone();
        Callback::from(move |_: MouseEvent| data.set(Data::default()))
    };
    let done_options = [
        ("ack", t.on_ack),
        ("forget", t.on_forget),
        ("reject-requeue", t.on_reject_requeue),
        ("reject", t.on_reject),
        ("nack-requeue", t.on_nack_requeue),
        ("nack", t.on_nack),
    ];
    html! {
        <form class="form" id="worker-form" {onsubmit} aria-label={t.tab_worker}>
            <p class="form-intro">{ t.worker_intro }</p>
            { fields::text("worker-name", t.f_name, &data.name, set(|d, v| d.name = v), None, None) }
            { fields::select("worker-source", t.f_consumes, &[("queue", t.source_queue), ("subscribe", t.source_subscribe)],
                if data.subscribe { "subscribe" } else { "queue" }, set(|d, v| d.subscribe = v == "subscribe"),
                Some(if data.subscribe { t.source_subscribe_help } else { t.source_queue_help })) }
            if data.subscribe {
                { fields::text("worker-sub-exchange", t.f_exchange, &data.sub_exchange, set(|d, v| d.sub_exchange = v), None, Some("exchange-names")) }
                { fields::text("worker-sub-keys", t.f_sub_keys, &data.sub_keys, set(|d, v| d.sub_keys = v), Some(t.sub_keys_help), None) }
            } else {
                { fields::text("worker-queue", t.f_queue, &data.queue, set(|d, v| d.queue = v), None, Some("queue-names")) }
            }
            { fields::select("worker-ack", t.f_ack_mode, &[("manual", t.ack_manual), ("auto", t.ack_auto)],
                if data.auto_ack { "auto" } else { "manual" }, set(|d, v| d.auto_ack = v == "auto"),
                Some(if data.auto_ack { t.ack_auto_help } else { t.ack_manual_help })) }
            { fields::number("worker-prefetch", t.f_prefetch, &data.prefetch, set(|d, v| d.prefetch = v), Some(t.prefetch_help)) }
            <div class="row2">
                { fields::select("worker-work", t.f_work, &[("dot", t.work_per_dot), ("fixed", t.work_fixed)],
                    if data.per_dot { "dot" } else { "fixed" }, set(|d, v| d.per_dot = v == "dot"), None) }
                { fields::number("worker-ms", if data.per_dot { t.f_ms_per_dot } else { t.f_ms }, &data.work_ms, set(|d, v| d.work_ms = v), None) }
            </div>
            if !data.auto_ack {
                { fields::select("worker-on-done", t.f_on_done, &done_options, &data.on_done, set(|d, v| d.on_done = v), Some(t.on_done_help)) }
            }
            { fields::check("worker-reply", t.f_reply, data.reply, set_b(|d, v| d.reply = v), Some(t.reply_help)) }
            if let Some(m) = &*error { <p class="form-error" role="alert">{ m.clone() }</p> }
            <div class="form-actions">
                <button type="submit" class="btn primary" id="worker-submit">
                    { if data.editing.is_some() { t.apply_worker } else { t.add_worker } }
                </button>
                if data.editing.is_some() {
                    <button type="button" class="btn ghost" onclick={on_new}>{ t.new_instead }</button>
                }
            </div>
        </form>
    }
}

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
