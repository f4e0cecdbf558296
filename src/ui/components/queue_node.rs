//! A queue in the diagram: its name and flags, a cell per message (ready,
//! then unacknowledged; at most [`CELLS_MAX`], then `+N`), and its counts.

use crate::engine::Broker;
use crate::ui::components::diagram::SEP;
use crate::ui::i18n::{fill, Text};
use crate::view::geometry::clip_chars;
use yew::prelude::*;

/// At most this many message cells are drawn in a queue.
const CELLS_MAX: u64 = 12;
/// A cell's width, and the gap after it.
const CELL_W: f64 = 11.0;
const CELL_GAP: f64 = 2.0;

/// What a queue's node says.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueFace {
    /// `QUEUE · D X AD args`: the kind and the flags.
    pub kind: String,
    /// The name, clipped to fit.
    pub name: String,
    pub ready: u64,
    pub unacked: u64,
    /// Cells drawn for ready and for unacknowledged messages.
    pub shown_ready: u64,
    pub shown_unacked: u64,
    /// Messages without a cell (`+N`).
    pub more: u64,
    /// `N ready · M unacked · K consumers`.
    pub counts: String,
}

impl QueueFace {
    /// Queue `name`'s face, if it is declared.
    pub fn of(broker: &Broker, name: &str, t: &Text) -> Option<QueueFace> {
        let q = broker.queue_by_name(name)?;
        let ready = q.ready_count();
        let unacked = q.unacked;
        let mut flags = Vec::new();
        if q.durable {
            flags.push(t.flag_durable_short);
        }
        if q.exclusive_owner.is_some() {
            flags.push(t.flag_exclusive_short);
        }
        if q.auto_delete {
            flags.push(t.flag_auto_delete_short);
        }
        if !q.args.is_empty() {
            flags.push("args");
        }
        let shown_ready = ready.min(CELLS_MAX);
        let shown_unacked = unacked.min(CELLS_MAX.saturating_sub(shown_ready).max(2));
        Some(QueueFace {
            kind: format!(
                "{}{}",
                t.kind_queue_caps,
                if flags.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", flags.join(" "))
                }
            ),
            name: clip_chars(name, 17),
            ready,
            unacked,
            shown_ready,
            shown_unacked,
            more: (ready + unacked).saturating_sub(shown_ready + shown_unacked),
            counts: fill(
                t.queue_counts,
                &[
                    ("ready", &ready.to_string()),
                    ("unacked", &unacked.to_string()),
                    ("consumers", &q.consumers.len().to_string()),
                ],
            ),
        })
    }

    /// The node's visible text, in document order (its accessible name).
    pub fn visible(&self) -> Vec<String> {
        let mut visible = vec![self.kind.clone(), self.name.clone()];
        if self.more > 0 {
            visible.push(format!("+{}", self.more));
        }
        visible.push(self.counts.clone());
        visible
    }
}

#[derive(Properties, PartialEq)]
pub struct QueueNodeProps {
    pub face: QueueFace,
    /// The node's size.
    pub w: f64,
    pub h: f64,
}

#[function_component(QueueNode)]
pub fn queue_node(props: &QueueNodeProps) -> Html {
    let f = &props.face;
    let (w, h) = (props.w, props.h);
    let cell_x = |i: u64| 10.0 + i as f64 * (CELL_W + CELL_GAP);
    let cells = (0..f.shown_ready)
        .map(|i| html! {
            <rect class="cell ready" x={format!("{:.0}", cell_x(i))} y="40" width="11" height="14" rx="2" />
        })
        .chain((0..f.shown_unacked).map(|i| html! {
            <rect class="cell unacked" x={format!("{:.0}", cell_x(f.shown_ready + i))} y="40" width="11" height="14" rx="2" />
        }));
    html! {
        <>
            <rect class="shape" width={format!("{w:.0}")} height={format!("{h:.0}")} rx="6" />
            <path class="mouth" d={format!("M{:.0},6 L{:.0},{:.0}", w - 6.0, w - 6.0, h - 6.0)} />
            <text class="kind" x="10" y="15">{ f.kind.clone() }</text>{ SEP }
            <text class="name" x="10" y="32">{ f.name.clone() }</text>{ SEP }
            { for cells }
            if f.more > 0 {
                <text class="more" x={format!("{:.0}", 2.0 + cell_x(f.shown_ready + f.shown_unacked))} y="51">{ format!("+{}", f.more) }</text>{ SEP }
            }
            <text class="counts" x="10" y="69" data-ready={f.ready.to_string()} data-unacked={f.unacked.to_string()}>
                { f.counts.clone() }
            </text>{ SEP }
        </>
    }
}
