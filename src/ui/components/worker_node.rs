//! A worker in the diagram: its state, name, the task in hand (body,
//! redelivered, a progress bar and its time) or its counts when idle.

use crate::engine::clock::Millis;
use crate::sim::actors::WorkerState;
use crate::sim::{ActorId, Simulation};
use crate::ui::components::diagram::SEP;
use crate::ui::i18n::{fill, format_time, Text};
use crate::ui::state::use_app;
use crate::view::geometry::clip_chars;
use yew::prelude::*;

/// What a worker's node says.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerFace {
    /// `● working`, `○ idle`…
    pub state: String,
    /// The state's class (`working`, `idle`, `paused`…), for its colour.
    pub state_class: &'static str,
    /// The name, clipped to fit.
    pub name: String,
    /// The task's body, clipped, or the counts when idle.
    pub sub: String,
    /// `#3 ↺ 1 s/2 s · +1`: the message, its time, deliveries waiting.
    pub task: String,
    /// How far the task is done, 0 to 1.
    pub progress: f64,
    /// The task's whole body (`data-body`, for tests).
    pub body: String,
    pub redelivered: bool,
}

impl WorkerFace {
    /// Worker `id`'s face at virtual time `now`, if it is in the simulation.
    pub fn of(sim: &Simulation, id: ActorId, now: Millis, t: &Text) -> Option<WorkerFace> {
        let wk = sim.worker(id)?;
        let unacked = sim
            .broker
            .channel(wk.link.channel)
            .map(|c| c.unacked.len())
            .unwrap_or(0);
        let (state_icon, state_text, state_class) = match wk.state {
            WorkerState::Running if wk.cancelled => ("◌", t.state_cancelled, "cancelled"),
            WorkerState::Running if wk.current.is_some() => ("●", t.state_working, "working"),
            WorkerState::Running => ("○", t.state_idle, "idle"),
            WorkerState::Paused => ("❚❚", t.state_paused, "paused"),
            WorkerState::Killed => ("✕", t.state_killed, "killed"),
            WorkerState::Disconnected => ("⚡", t.state_disconnected, "disconnected"),
        };
        let (progress, task, body, redelivered) = match &wk.current {
            Some(task) => {
                let total = task.until.saturating_sub(task.started).max(1);
                let frac = (now.saturating_sub(task.started) as f64 / total as f64).clamp(0.0, 1.0);
                // Prefetched deliveries waiting behind the one in hand.
                let waiting = if wk.inbox.is_empty() {
                    String::new()
                } else {
                    format!(" · +{}", wk.inbox.len())
                };
                let text = format!(
                    "#{} {} {}/{}{waiting}",
                    task.delivery.message,
                    if task.delivery.redelivered { "↺" } else { "" },
                    format_time(now.saturating_sub(task.started).min(total)),
                    format_time(total)
                );
                (
                    frac,
                    text,
                    task.delivery.body.clone(),
                    task.delivery.redelivered,
                )
            }
            None => (0.0, String::new(), String::new(), false),
        };
        let sub = if body.is_empty() {
            fill(
                t.worker_sub_idle,
                &[
                    ("unacked", &unacked.to_string()),
                    ("done", &wk.done.to_string()),
                ],
            )
        } else {
            format!("“{}”", clip_chars(&body, 20))
        };
        Some(WorkerFace {
            state: format!("{state_icon} {state_text}"),
            state_class,
            name: clip_chars(&wk.spec.name, 16),
            sub,
            task,
            progress,
            body,
            redelivered,
        })
    }

    /// The node's visible text, in document order (its accessible name).
    pub fn visible(&self, t: &Text) -> Vec<String> {
        vec![
            t.kind_worker_caps.to_string(),
            self.state.clone(),
            self.name.clone(),
            self.sub.clone(),
            self.task.clone(),
        ]
    }
}

#[derive(Properties, PartialEq)]
pub struct WorkerNodeProps {
    pub face: WorkerFace,
    /// The node's size.
    pub w: f64,
    pub h: f64,
}

#[function_component(WorkerNode)]
pub fn worker_node(props: &WorkerNodeProps) -> Html {
    let t = use_app().t();
    let f = &props.face;
    let (w, h) = (props.w, props.h);
    let bar_w = w - 20.0;
    html! {
        <>
            <rect class="shape" width={format!("{w:.0}")} height={format!("{h:.0}")} rx="16" />
            <text class="kind" x="12" y="15">{ t.kind_worker_caps }</text>{ SEP }
            <text class={classes!("state", f.state_class)} x={format!("{:.0}", w - 12.0)} y="15" text-anchor="end">{ f.state.clone() }</text>{ SEP }
            <text class="name" x="12" y="33">{ f.name.clone() }</text>{ SEP }
            <text class="sub" x="12" y="49">{ f.sub.clone() }</text>{ SEP }
            <rect class="bar-bg" x="10" y="58" width={format!("{bar_w:.0}")} height="8" rx="4" />
            <rect class={classes!("bar", f.redelivered.then_some("redelivered"))} x="10" y="58" width={format!("{:.1}", bar_w * f.progress)} height="8" rx="4" />
            <text class="task" x="10" y="77" data-body={f.body.clone()} data-redelivered={f.redelivered.to_string()}>{ f.task.clone() }</text>{ SEP }
        </>
    }
}
