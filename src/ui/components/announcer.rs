//! What a screen reader hears as the simulation moves: two visually hidden
//! live regions that are on the page from the start (a region added later
//! is often not announced).
//!
//! - `#announce-polite` says each step's event sentences ("Step 4: …"),
//!   and the notices that are not errors. While playing, at most one
//!   announcement per [`PLAYING_GAP_MS`]: at 16 steps a second nobody can
//!   listen to every sentence, and a queue of stale ones would drown the
//!   controls; when playback stops, the step it stopped at is said.
//! - `#announce-alert` says errors at once (assertive): an error event of
//!   the step (a channel closed with 406, a nack…) and an error notice (a
//!   refused command, a bad link, the store failing).
//!
//! The text is written into the regions directly (not rendered by yew), so
//! a repeated sentence can be made to differ and be announced again.

use crate::describe::{actor_category, category, Say};
use crate::ui::components::notice::notice_parts;
use crate::ui::i18n::fill;
use crate::ui::state::{use_app, Category, Notice, Workbench};
use yew::prelude::*;

/// While playing, the shortest time between two polite announcements.
pub const PLAYING_GAP_MS: f64 = 2000.0;

/// At most this many sentences of one step are read; the rest are counted.
const SENTENCES_MAX: usize = 4;

/// What was said last, to say only what is new.
#[derive(Default)]
struct Said {
    /// The timeline position last announced (`None`: nothing yet).
    pos: Option<usize>,
    /// When (performance.now(), ms) the polite region last changed.
    at_ms: f64,
    /// A step was skipped while playing: say the current one when playback stops.
    pending: bool,
    /// The notice last announced, so a re-render does not repeat it.
    notice: Option<Notice>,
    /// Flips on every write: the same text twice still changes the region.
    parity: bool,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The step's sentences (broker and client events, not the store's), and
/// whether any of them is an error.
fn step_sentences(s: &Workbench) -> (Vec<String>, Vec<String>) {
    let tl = s.timeline.borrow();
    let say = Say {
        names: &tl.names,
        world: Some(tl.world()),
    };
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for e in tl.last_tick_events() {
        let c = category(&e.kind);
        if c == Category::Store {
            continue;
        }
        let text = s.lang.event(&e.kind, &say);
        if c == Category::Error {
            errors.push(text.clone());
        }
        all.push(text);
    }
    // The workers' and producers' own events of the same step.
    let pos = tl.pos();
    if pos > 0 {
        let actor_all = tl.world().sim.actor_events();
        let start = tl.mark_at(pos - 1).actor_len.min(actor_all.len());
        let end = tl.current_mark().actor_len.min(actor_all.len());
        for e in &actor_all[start..end.max(start)] {
            let text = s.lang.actor_event(&e.kind, &say);
            if actor_category(&e.kind) == Category::Error {
                errors.push(text.clone());
            }
            all.push(text);
        }
    }
    (all, errors)
}

/// "Step 4: a. b. c. (and 3 more events)" or, for a step with no event, the
/// step and the virtual time.
fn step_announcement(s: &Workbench, sentences: &[String]) -> String {
    let t = s.lang.text();
    let tl = s.timeline.borrow();
    let step = fill(t.announce_step, &[("n", &tl.pos().to_string())]);
    if sentences.is_empty() {
        let time = crate::ui::i18n::format_time(tl.current_mark().time);
        return format!("{step}: {} {time}", t.virtual_time);
    }
    let mut text = format!(
        "{step}: {}",
        sentences[..sentences.len().min(SENTENCES_MAX)].join(" ")
    );
    if sentences.len() > SENTENCES_MAX {
        text.push(' ');
        text.push_str(&fill(
            t.announce_more,
            &[("n", &(sentences.len() - SENTENCES_MAX).to_string())],
        ));
    }
    text
}

fn write(region: &NodeRef, text: &str, parity: bool) {
    if let Some(el) = region.cast::<web_sys::Element>() {
        // A trailing no-break space on every other write: a screen reader
        // announces a region when its text changes, even to the same words.
        let text = if parity {
            format!("{text}\u{a0}")
        } else {
            text.to_string()
        };
        el.set_text_content(Some(&text));
    }
}

#[function_component(Announcer)]
pub fn announcer() -> Html {
    let app = use_app();
    let polite = use_node_ref();
    let alert = use_node_ref();
    let said = use_mut_ref(Said::default);
    {
        let s = app.state.clone();
        let (polite, alert, said) = (polite.clone(), alert.clone(), said.clone());
        use_effect_with(app.state.rev, move |_| {
            let mut said = said.borrow_mut();
            let pos = s.timeline.borrow().pos();
            let first = said.pos.is_none();
            let moved = said.pos != Some(pos);
            if first {
                // The page opening is not news (a notice it opens with is).
                said.pos = Some(pos);
            } else if moved || (said.pending && !s.playing) {
                let (sentences, errors) = step_sentences(&s);
                let now = now_ms();
                if s.playing && said.at_ms > 0.0 && now - said.at_ms < PLAYING_GAP_MS {
                    said.pending = true;
                } else {
                    said.parity = !said.parity;
                    write(&polite, &step_announcement(&s, &sentences), said.parity);
                    said.at_ms = now;
                    said.pending = false;
                }
                if moved && !errors.is_empty() {
                    write(&alert, &errors.join(" "), said.parity);
                }
                said.pos = Some(pos);
            }
            if s.notice != said.notice {
                said.notice = s.notice.clone();
                if let Some(n) = &s.notice {
                    let (class, title, text, hint) = notice_parts(n, s.lang.text());
                    let words = match hint {
                        Some(h) => format!("{title}: {text} {h}"),
                        None => format!("{title}: {text}"),
                    };
                    said.parity = !said.parity;
                    if class == "error" {
                        write(&alert, &words, said.parity);
                    } else {
                        write(&polite, &words, said.parity);
                        said.at_ms = now_ms();
                    }
                }
            }
        });
    }
    html! {
        <div class="announcer">
            <div class="sr-only" id="announce-polite" role="status" aria-live="polite" aria-atomic="true" ref={polite}></div>
            <div class="sr-only" id="announce-alert" role="alert" aria-live="assertive" aria-atomic="true" ref={alert}></div>
        </div>
    }
}
