//! A stream's log in the queue inspector: the last offsets of the log,
//! each row with its write time and marked with the readers that read it
//! next, segment boundaries between them, what retention removed, then the
//! readers with their next offset and credit (`view::stream_log` shapes it
//! all).

use crate::ui::components::inspector::message_link;
use crate::ui::i18n::fill;
use crate::ui::state::use_app;
use crate::view::stream_log::{stream_log, time_of_day, LogRow, StreamLog, StreamReader};
use yew::prelude::*;

/// How many offsets the log shows at most: its end, where readers are.
const ROWS_SHOWN: usize = 50;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The stream's name.
    pub name: AttrValue,
}

#[function_component(StreamLogView)]
pub fn stream_log_view(p: &Props) -> Html {
    let app = use_app();
    let t = app.t();
    let tl = app.state.timeline.borrow();
    let Some(log) = stream_log(&tl.world().sim, &p.name, ROWS_SHOWN) else {
        return html! {};
    };
    drop(tl);
    let marks = |readers: &[usize]| -> Html {
        html! { <>{ for readers.iter().filter_map(|i| log.readers.get(*i)).map(|r| html! {
            <span class="reader-mark" title={t.stream_reads_next}>{ format!("◀ {}", r.holder) }</span>
        }) }</> }
    };
    // Segments and retention are shown once they matter: a stream with
    // RabbitMQ's default 500 MB segments and no retention is one segment.
    let r = log.retention;
    let segmented = log.segments.len() > 1
        || log.first_offset > 0
        || r.max_bytes.is_some()
        || r.max_age_ms.is_some();
    // Readers that read everything wait at the offset the next publish takes.
    let waiting: Vec<usize> = log
        .readers
        .iter()
        .enumerate()
        .filter(|(_, r)| r.at_end(&log))
        .map(|(i, _)| i)
        .collect();
    let reader = |r: &StreamReader| {
        let at = if r.at_end(&log) {
            fill(
                t.stream_reader_waiting,
                &[("offset", &r.next_offset.to_string())],
            )
        } else {
            let credit = r
                .credit
                .map_or_else(|| t.ack_auto.to_string(), |c| c.to_string());
            fill(
                t.stream_reader_at,
                &[
                    ("offset", &r.next_offset.to_string()),
                    ("credit", &credit),
                    ("prefetch", &r.prefetch.to_string()),
                ],
            )
        };
        html! {
            <li data-tag={r.consumer_tag.clone()} data-next-offset={r.next_offset.to_string()}
                data-credit={r.credit.map(|c| c.to_string())}>
                <strong>{ r.holder.clone() }</strong>
                <span>{ at }</span>
                <code class="ctag">{ r.consumer_tag.clone() }</code>
            </li>
        }
    };
    html! {
        <section class="stream-log" id="stream-log" data-next-offset={log.next_offset.to_string()}>
            <h4>{ fill(t.stream_log_n, &[("n", &(log.next_offset - log.first_offset).to_string())]) }</h4>
            { range(&log, t) }
            if segmented { { retention(&log, t) } }
            if log.earlier > 0 {
                <p class="muted" id="stream-earlier">{ fill(t.stream_earlier_n, &[("n", &log.earlier.to_string())]) }</p>
            }
            <ol class="stream-rows" id="stream-rows" aria-label={t.stream_log_label}>
                { for log.rows.iter().map(|row| html! { <>
                    if row.starts_segment && segmented { { segment_start(&log, row, t) } }
                    <li class={classes!("stream-row", (!row.readers_here.is_empty()).then_some("has-reader"), row.message.is_none().then_some("tracking"))}
                        data-offset={row.offset.to_string()} data-written-at={row.written_at.to_string()}>
                        <span class="offset" title={t.stream_offset}>{ row.offset }</span>
                        <span class="written-at muted" title={t.stream_written_at}>{ time_of_day(row.written_at) }</span>
                        { match row.message {
                            Some(id) => message_link(&app, id, html! { <span class="msg-body">{ row.body.clone() }</span> }),
                            None => html! { <span class="muted" title={t.stream_tracking_help}>{ t.stream_tracking_chunk }</span> },
                        } }
                        if !row.properties.is_empty() { <span class="props">{ row.properties.clone() }</span> }
                        { marks(&row.readers_here) }
                    </li>
                </> }) }
                if !waiting.is_empty() {
                    <li class="stream-row next has-reader" data-offset={log.next_offset.to_string()}>
                        <span class="offset" title={t.stream_offset}>{ log.next_offset }</span>
                        <span class="muted">{ "…" }</span>
                        { marks(&waiting) }
                    </li>
                }
            </ol>
            <h4>{ t.stream_readers }</h4>
            if log.readers.is_empty() { <p class="muted">{ t.no_consumers }</p> }
            <ul class="plain stream-readers" id="stream-readers">{ for log.readers.iter().map(reader) }</ul>
            <p class="help">{ t.stream_credit_help }</p>
        </section>
    }
}

/// "offsets 0–5; the next publish takes 6", or that the log is empty.
fn range(log: &StreamLog, t: &crate::ui::i18n::Text) -> Html {
    let text = match log.last_offset {
        Some(last) => fill(
            t.stream_log_range,
            &[
                ("first", &log.first_offset.to_string()),
                ("last", &last.to_string()),
                ("next", &log.next_offset.to_string()),
            ],
        ),
        None => t.stream_log_empty.to_string(),
    };
    html! { <p class="help" id="stream-range">{ text }</p> }
}

/// A boundary before the first row of a segment: where it starts, its size.
fn segment_start(log: &StreamLog, row: &LogRow, t: &crate::ui::i18n::Text) -> Html {
    let Some(segment) = log.segments.iter().find(|s| s.first_offset == row.offset) else {
        return html! {};
    };
    html! {
        <li class="stream-segment muted" data-segment-offset={segment.first_offset.to_string()}
            data-segment-bytes={segment.bytes.to_string()}>
            { fill(t.stream_segment, &[
                ("offset", &segment.first_offset.to_string()),
                ("bytes", &segment.bytes.to_string()),
                ("chunks", &segment.chunks.to_string()),
            ]) }
        </li>
    }
}

/// The stream's segment size and retention, and what retention removed.
fn retention(log: &StreamLog, t: &crate::ui::i18n::Text) -> Html {
    let r = log.retention;
    let mut limits = vec![fill(
        t.stream_segment_size,
        &[("bytes", &r.max_segment_bytes.to_string())],
    )];
    if let Some(bytes) = r.max_bytes {
        limits.push(fill(t.stream_keeps_bytes, &[("bytes", &bytes.to_string())]));
    }
    if let Some(ms) = r.max_age_ms {
        limits.push(fill(t.stream_keeps_age, &[("ms", &ms.to_string())]));
    }
    let removed = log
        .first_offset
        .checked_sub(1)
        .map(|last| fill(t.stream_removed, &[("last", &last.to_string())]));
    html! {
        <p class="help" id="stream-retention" data-first-offset={log.first_offset.to_string()}
            data-segments={log.segments.len().to_string()}>
            { limits.join(" · ") }
            if let Some(text) = removed { <br/><strong id="stream-removed">{ text }</strong> }
        </p>
    }
}
