//! The narration line (under the workbench's diagram, over the embed
//! player's panels): the caption of the script action played last at the
//! cursor (`"say"` in a scenario document), in the page's language or else
//! the other one.
//!
//! A polite live region, so a screen reader reads each new caption; it is
//! on the page from the document's load (a region added later is often not
//! announced). Captions come from documents anyone can write: yew renders
//! them as text nodes, never as HTML.

use crate::document::Language;
use crate::ui::i18n::Lang;
use crate::ui::state::use_app;
use yew::prelude::*;

#[function_component(CaptionLine)]
pub fn caption_line() -> Html {
    let app = use_app();
    let state = &app.state;
    if !state.script.has_captions() {
        return Html::default();
    }
    let language = match state.lang {
        Lang::En => Language::En,
        Lang::Zh => Language::Zh,
    };
    let pos = state.timeline.borrow().pos();
    let caption = state.script.caption_at(pos, language);
    // A fallback caption is marked with its own language, so a screen
    // reader pronounces it right.
    let lang = caption.map(|(l, _)| match l {
        Language::En => Lang::En.html_lang(),
        Language::Zh => Lang::Zh.html_lang(),
    });
    let text = caption
        .map(|(_, text)| text.to_string())
        .unwrap_or_default();
    html! {
        <p class="caption" aria-live="polite" {lang}>{ text }</p>
    }
}
