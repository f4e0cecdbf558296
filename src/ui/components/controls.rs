//! Playback controls: back to start, step back, play/pause, step, let time
//! pass, speed, and the timeline scrubber.

use crate::ui::i18n::{fill, format_time};
use crate::ui::state::{use_app, Action, SPEEDS};
use web_sys::HtmlInputElement;
use yew::prelude::*;

fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true"><path d={path}/></svg>
    }
}

const I_START: &str = "M4 4h2v12H4zM16 4v12L7 10z";
const I_BACK: &str = "M14 4v12L5 10zM15 4h2v12h-2z";
const I_PLAY: &str = "M6 4l10 6-10 6z";
const I_PAUSE: &str = "M5 4h4v12H5zM11 4h4v12h-4z";
const I_STEP: &str = "M6 4v12l9-6zM15 4h2v12h-2z";
const I_CLOCK: &str = "M10 3a7 7 0 1 0 0 14 7 7 0 0 0 0-14zm0 2a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm-1 1v5l4 2 .8-1.4L11 10V6z";

#[function_component(Controls)]
pub fn controls() -> Html {
    let app = use_app();
    let t = app.t();
    let s = &app.state;
    let tl = s.timeline.borrow();
    let pos = tl.pos();
    let len = tl.recorded();
    let time = tl.current_mark().time;
    let idle = pos == len && tl.world().is_idle();
    drop(tl);

    let on_seek = app.callback(|e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        Action::Seek(v.parse().unwrap_or(0))
    });
    let on_speed = app.callback(|e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        Action::SetSpeed(v.parse().unwrap_or(2))
    });
    let play_label = if s.playing { t.pause } else { t.play };
    html! {
        <div class="wb-controls" role="toolbar" aria-label={t.controls}>
            <div class="btn-group">
                <button type="button" id="ctl-start" class="btn icon-btn" onclick={app.callback(|_| Action::ToStart)}
                    disabled={pos == 0} title={t.to_start} aria-label={t.to_start}>{ icon(I_START) }</button>
                <button type="button" id="ctl-back" class="btn icon-btn" onclick={app.callback(|_| Action::StepBack)}
                    disabled={pos == 0} title={format!("{} (←)", t.step_back)} aria-label={t.step_back}>{ icon(I_BACK) }</button>
                <button type="button" id="ctl-play" class={classes!("btn", "icon-btn", s.playing.then_some("on"))}
                    onclick={app.callback(|_| Action::TogglePlay)} aria-pressed={s.playing.to_string()}
                    title={format!("{play_label} (P)")} aria-label={play_label}>
                    { icon(if s.playing { I_PAUSE } else { I_PLAY }) }
                </button>
                <button type="button" id="ctl-step" class="btn primary" onclick={app.callback(|_| Action::Step)}
                    title={format!("{} (Space)", t.step)}>{ icon(I_STEP) }<span>{ t.step }</span></button>
                <button type="button" id="ctl-advance" class="btn" onclick={app.callback(|_| Action::Advance(1000))}
                    title={t.advance_help}>{ icon(I_CLOCK) }<span>{ t.advance_1s }</span></button>
            </div>
            <label class="speed">
                <span>{ t.speed }</span>
                <select id="ctl-speed" onchange={on_speed}>
                    { for SPEEDS.iter().enumerate().map(|(i, n)| html! {
                        <option value={i.to_string()} selected={i == s.speed}>{ fill(t.per_second, &[("n", &n.to_string())]) }</option>
                    }) }
                </select>
            </label>
            <div class="scrub">
                <input type="range" id="ctl-timeline" min="0" max={len.to_string()} value={pos.to_string()}
                    aria-label={t.timeline} aria-valuetext={fill(t.step_of, &[("pos", &pos.to_string()), ("len", &len.to_string())])}
                    oninput={on_seek} />
            </div>
            // Not a live region: the announcer says each step with its events.
            <div class="clock">
                <span id="step-counter" data-pos={pos.to_string()} data-len={len.to_string()}>
                    { fill(t.step_of, &[("pos", &pos.to_string()), ("len", &len.to_string())]) }
                </span>
                <span class="vtime" id="virtual-time" data-ms={time.to_string()} title={t.virtual_time_help}>
                    { format!("{} {}", t.virtual_time, format_time(time)) }
                </span>
                if idle { <span class="idle-chip">{ t.idle }</span> }
            </div>
            <div class="keys" aria-hidden="true">{ t.shortcuts }</div>
        </div>
    }
}
