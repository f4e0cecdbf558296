//! A queue's depth over time: ready and unacked messages, step by step.

use crate::ui::i18n::format_time;
use crate::ui::state::use_app;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub queue: AttrValue,
}

/// At most this many points are drawn (older ones are sampled).
const POINTS_MAX: usize = 160;

#[function_component(DepthChart)]
pub fn depth_chart(p: &Props) -> Html {
    let app = use_app();
    let t = app.t();
    let tl = app.state.timeline.borrow();
    let marks = tl.marks();
    let stride = marks.len().div_ceil(POINTS_MAX).max(1);
    let points: Vec<(u64, u64, u64)> = marks
        .iter()
        .step_by(stride)
        .chain(marks.last())
        .map(|m| {
            let d = m.depths.iter().find(|d| *d.queue == *p.queue.as_str());
            (m.time, d.map_or(0, |d| d.ready), d.map_or(0, |d| d.unacked))
        })
        .collect();
    drop(tl);
    let (w, h) = (300.0_f64, 90.0_f64);
    let max = points
        .iter()
        .map(|(_, r, u)| (*r).max(*u))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = points.len().max(2) as f64 - 1.0;
    let line = |f: &dyn Fn(&(u64, u64, u64)) -> u64| {
        points
            .iter()
            .enumerate()
            .map(|(i, pt)| {
                format!(
                    "{:.1},{:.1}",
                    4.0 + i as f64 / n * (w - 8.0),
                    h - 14.0 - f(pt) as f64 / max * (h - 24.0)
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ready = line(&|p| p.1);
    let unacked = line(&|p| p.2);
    let (t0, t1) = (
        points.first().map_or(0, |p| p.0),
        points.last().map_or(0, |p| p.0),
    );
    let last = points.last().copied().unwrap_or((0, 0, 0));
    html! {
        <figure class="chart">
            <figcaption>{ t.depth_chart }</figcaption>
            <svg viewBox={format!("0 0 {w} {h}")} role="img"
                aria-label={format!("{}: {} {}, {} {}", t.depth_chart, t.legend_ready, last.1, t.legend_unacked, last.2)}>
                <line class="axis" x1="4" y1={format!("{}", h - 14.0)} x2={format!("{}", w - 4.0)} y2={format!("{}", h - 14.0)} />
                <text class="tick" x="4" y="9">{ format!("{max:.0}") }</text>
                <text class="tick" x="4" y={format!("{}", h - 2.0)}>{ format_time(t0) }</text>
                <text class="tick" x={format!("{}", w - 4.0)} y={format!("{}", h - 2.0)} text-anchor="end">{ format_time(t1) }</text>
                <polyline class="series ready" points={ready} />
                <polyline class="series unacked" points={unacked} />
            </svg>
            <div class="chart-legend">
                <span class="lg"><span class="lg-line solid"></span>{ t.legend_ready }</span>
                <span class="lg"><span class="lg-line dashed warm"></span>{ t.legend_unacked }</span>
            </div>
        </figure>
    }
}
