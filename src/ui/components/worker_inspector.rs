//! A worker: its settings, the task in hand with its progress in virtual
//! time, its unacknowledged deliveries and tags; pause, cancel, kill.

use crate::sim::actors::WorkerState;
use crate::sim::world::Command;
use crate::sim::{ActorId, WorkTime};
use crate::ui::components::inspector::{fact, gone, message_link, title, unacked_row, ActorProps};
use crate::ui::i18n::{fill, format_time};
use crate::ui::state::{use_app, Action, BuildTab, Prefill};
use crate::view::deliveries::unacked_on_channel;
use yew::prelude::*;

#[function_component(WorkerInspector)]
pub fn worker_inspector(p: &ActorProps) -> Html {
    let app = use_app();
    let t = app.t();
    let id = ActorId(p.id);
    let tl = app.state.timeline.borrow();
    let world = tl.world();
    let Some(w) = world.sim.worker(id) else {
        return gone(t);
    };
    let now = world.sim.now();
    // Its deliveries awaiting an ack, with the timeout's countdown.
    let unacked = unacked_on_channel(&world.sim, w.link.channel);
    let state = match w.state {
        WorkerState::Running if w.cancelled => t.state_cancelled,
        WorkerState::Running if w.current.is_some() => t.state_working,
        WorkerState::Running => t.state_idle,
        WorkerState::Paused => t.state_paused,
        WorkerState::Killed => t.state_killed,
        WorkerState::Disconnected => t.state_disconnected,
    };
    let work = match w.spec.work {
        WorkTime::PerDot { ms } => fill(t.work_per_dot_n, &[("t", &format_time(ms.get()))]),
        WorkTime::Fixed { ms } => format_time(ms.get()),
    };
    let on_done = if w.spec.no_ack {
        "—"
    } else {
        t.on_done(w.spec.on_done)
    };
    let mut facts = vec![
        fact(t.f_queue, w.queue.to_string()),
        fact(
            t.f_ack_mode,
            if w.spec.no_ack {
                t.ack_auto
            } else {
                t.ack_manual
            },
        ),
        fact(
            t.f_prefetch,
            if w.spec.prefetch.get() == 0 {
                t.unlimited.to_string()
            } else {
                w.spec.prefetch.to_string()
            },
        ),
        fact(t.f_work, work),
        fact(t.f_on_done, on_done),
        fact(t.state, state),
        fact(t.done, w.done.to_string()),
        fact(t.consumer_tag, w.consumer_tag.to_string()),
    ];
    // A stream reader's x-stream-offset says where it started.
    if !w.spec.arguments.is_empty() {
        facts.insert(
            3,
            fact(
                t.f_consume_args,
                crate::ui::components::fields::table_text(&w.spec.arguments).replace('\n', ", "),
            ),
        );
    }
    let current = w.current.as_ref().map(|task| {
        let total = task.until.saturating_sub(task.started).max(1);
        let done = now.saturating_sub(task.started).min(total);
        let pct = done as f64 * 100.0 / total as f64;
        let mid = task.delivery.message;
        html! {
            <div class="task-box" id="worker-current" data-body={task.delivery.body.clone()} data-redelivered={task.delivery.redelivered.to_string()}>
                { message_link(&app, mid, html! { format!("#{mid} “{}”", task.delivery.body) }) }
                if task.delivery.redelivered { <span class="tag redelivered">{ t.redelivered }</span> }
                <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow={format!("{pct:.0}")}
                    aria-label={t.progress}>
                    <div class="progress-fill" style={format!("width:{pct:.1}%")}></div>
                </div>
                <p class="help">{ fill(t.task_progress, &[("done", &format_time(done)), ("total", &format_time(total)), ("tag", &task.delivery.delivery_tag.to_string())]) }</p>
            </div>
        }
    });
    let waiting = w.inbox.len();
    let paused = w.state == WorkerState::Paused;
    let dead = matches!(w.state, WorkerState::Killed | WorkerState::Disconnected);
    let cancelled = w.cancelled;
    let name = w.spec.name.clone();
    drop(tl);
    html! {
        <div class="insp" id="worker-inspector">
            { title("worker", t.kind_worker, &name) }
            <div class="actions">
                if !dead {
                    <button type="button" class="btn small" id="worker-pause"
                        onclick={app.callback(move |_| Action::Command(Command::PauseWorker(id, !paused)))}>{ if paused { t.resume } else { t.pause_worker } }</button>
                    <button type="button" class="btn small" id="worker-cancel" disabled={cancelled}
                        onclick={app.callback(move |_| Action::Command(Command::CancelWorker(id)))}>{ t.cancel_consumer }</button>
                    <button type="button" class="btn small danger" id="worker-kill"
                        onclick={app.callback(move |_| Action::Command(Command::KillWorker(id)))}>{ t.kill }</button>
                } else {
                    <button type="button" class="btn small primary" id="worker-reconnect"
                        onclick={app.callback(move |_| Action::Command(Command::ReconnectWorker(id)))}>{ t.reconnect }</button>
                }
                <button type="button" class="btn small" id="worker-edit" onclick={app.callback(move |_| Action::OpenTab(BuildTab::Worker, Prefill::EditWorker(id)))}>{ t.edit }</button>
                <button type="button" class="btn small ghost" id="worker-remove"
                    onclick={app.callback(move |_| Action::Command(Command::RemoveWorker(id)))}>{ t.remove }</button>
            </div>
            <p class="help">{ t.kill_help }</p>
            <h4>{ t.in_hand }</h4>
            { current.unwrap_or_else(|| html! { <p class="muted">{ t.no_task }</p> }) }
            if waiting > 0 { <p class="help">{ fill(t.prefetched_n, &[("n", &waiting.to_string())]) }</p> }
            <dl class="facts">{ for facts }</dl>
            <h4>{ fill(t.unacked_n, &[("n", &unacked.len().to_string())]) }</h4>
            if unacked.is_empty() { <p class="muted">{ t.none }</p> }
            <ul class="plain" id="worker-unacked">
                { for unacked.iter().map(|u| unacked_row(&app, u, false)) }
            </ul>
        </div>
    }
}
