//! The page header: the product's name, the broker profile and store in
//! force, and the language switch.

use crate::ui::i18n::Lang;
use crate::ui::state::{use_app, Action};
use yew::prelude::*;

#[function_component(Header)]
pub fn header() -> Html {
    let app = use_app();
    let t = app.t();
    let s = &app.state;
    let (store, store_title) = s.store.describe(t);
    let lang_button = |lang: Lang, label: &'static str| {
        let pressed = s.lang == lang;
        html! {
            <button type="button" class={classes!("seg", pressed.then_some("on"))}
                id={format!("lang-{}", lang.code())}
                aria-pressed={pressed.to_string()}
                lang={lang.html_lang()}
                onclick={app.callback(move |_| Action::SetLang(lang))}>{ label }</button>
        }
    };
    html! {
        <header class="wb-header">
            <div class="brand">
                <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                    <rect x="3" y="9" width="26" height="16" rx="4" class="logo-body"/>
                    <rect x="7" y="13" width="5" height="8" rx="1" class="logo-msg"/>
                    <rect x="14" y="13" width="5" height="8" rx="1" class="logo-msg"/>
                    <rect x="21" y="13" width="4" height="8" rx="1" class="logo-msg dim"/>
                    <path d="M9 9 L9 4 M23 9 L23 4" class="logo-ears"/>
                </svg>
                <h1>{ "Warren" }</h1>
                <span class="tagline">{ t.tagline }</span>
            </div>
            <div class="header-facts">
                <crate::ui::components::lesson_panel::ChapterPicker />
                <crate::ui::components::python_dock::PythonButton />
                <button type="button" class="btn small header-btn" id="share-open"
                    onclick={app.callback(|_| Action::ShowDialog(true))}>{ t.share_button }</button>
                <span class="fact" id="profile-badge" title={t.profile_help}>
                    <span class="fact-k">{ t.profile }</span>
                    <span class="fact-v">{ s.profile.name() }</span>
                </span>
                <span class="fact" id="store-badge" title={store_title.clone()}>
                    <span class="fact-k">{ t.store }</span>
                    <span class="fact-v">{ store }</span>
                </span>
                <div class="segmented" role="group" aria-label={t.language}>
                    { lang_button(Lang::En, "English") }
                    { lang_button(Lang::Zh, "中文") }
                </div>
            </div>
        </header>
    }
}
