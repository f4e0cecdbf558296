//! The notice bar: a broker error with what it means, or why a control did
//! nothing.

use crate::engine::CommandError;
use crate::ui::i18n::fill;
use crate::ui::i18n::Text;
use crate::ui::state::{use_app, Action, ChapterProblem, Hint, Notice};
use crate::view::timeline::SeekRefused;
use yew::prelude::*;

/// What a notice says: its kind (`error`, `warn` or `info`), its title,
/// its text and a hint. The bar shows it; the announcer reads it out.
pub fn notice_parts(
    notice: &Notice,
    t: &'static Text,
) -> (&'static str, String, String, Option<&'static str>) {
    match notice {
        Notice::Command { error, hint } => {
            let (title, text) = match error {
                CommandError::Amqp(e) => (
                    format!("{} {}", e.code.code(), e.code.name()),
                    e.reply_text(),
                ),
                CommandError::ChannelClosed => (
                    t.client_refused.to_string(),
                    t.channel_is_closed.to_string(),
                ),
                CommandError::ConnectionClosed => (
                    t.client_refused.to_string(),
                    t.connection_is_closed.to_string(),
                ),
                CommandError::Invalid(m) => (t.client_refused.to_string(), m.clone()),
            };
            let hint = match hint {
                Hint::Redeclare => Some(t.hint_redeclare),
                Hint::NotFound => Some(t.hint_not_found),
                Hint::Locked => Some(t.hint_locked),
                Hint::AccessRefused => Some(t.hint_access_refused),
                Hint::None => None,
            };
            ("error", title, text, hint)
        }
        Notice::SeekRefused(SeekRefused::DurableRestart) => (
            "warn",
            t.rewind_refused_title.to_string(),
            t.rewind_refused.to_string(),
            None,
        ),
        Notice::SeekRefused(SeekRefused::PythonRunning) => (
            "warn",
            t.py_refused_title.to_string(),
            t.py_refused.to_string(),
            None,
        ),
        Notice::Idle => (
            "info",
            t.idle_title.to_string(),
            t.idle_help.to_string(),
            None,
        ),
        Notice::Resumed { queues, messages } => (
            "info",
            t.resumed_title.to_string(),
            crate::ui::i18n::fill(
                t.resumed,
                &[
                    ("queues", &queues.to_string()),
                    ("messages", &messages.to_string()),
                ],
            ),
            None,
        ),
        Notice::Store(why) => ("error", t.store_failed.to_string(), why.clone(), None),
        Notice::Document(why) => ("error", t.document_failed.to_string(), why.clone(), None),
        Notice::Chapter(index, problem) => {
            let number = crate::ui::lesson::chapters()
                .get(*index)
                .map_or(*index as u32, |c| c.number);
            let text = match problem {
                ChapterProblem::Missing => t.chapter_missing.to_string(),
                ChapterProblem::Fetch(why) => fill(t.chapter_fetch_failed, &[("why", why)]),
                ChapterProblem::Damaged(why) => fill(t.chapter_damaged, &[("why", why)]),
            };
            let title = fill(t.chapter_failed, &[("n", &number.to_string())]);
            ("error", title, text, None)
        }
        Notice::ShowMeFailed(why) => (
            "warn",
            t.show_me_failed_title.to_string(),
            why.clone(),
            Some(t.show_me_failed_hint),
        ),
    }
}

#[function_component(NoticeBar)]
pub fn notice_bar() -> Html {
    let app = use_app();
    let t = app.t();
    let Some(notice) = app.state.notice.clone() else {
        return html! { <div class="wb-notice empty"></div> };
    };
    let (class, title, text, hint) = notice_parts(&notice, t);
    // Not a live region itself: the announcer (always on the page) reads
    // notices out, errors assertively, and a second region would say it twice.
    html! {
        <div class={classes!("wb-notice", class)} id="notice">
            <span class="notice-badge">{ title }</span>
            <span class="notice-text" id="notice-text">{ text }</span>
            if let Some(h) = hint { <span class="notice-hint">{ h }</span> }
            <button type="button" class="btn small ghost" onclick={app.callback(|_| Action::DismissNotice)}
                aria-label={t.dismiss}>{ "✕" }</button>
        </div>
    }
}
