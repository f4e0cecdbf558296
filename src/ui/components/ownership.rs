//! The ownership bar: shown when this tab does not own its broker's store
//! (another tab does, this tab waits for it, or another tab took it over),
//! with what the person can do about it.
//!
//! Claiming the store is I/O, so the bar only asks: `on_claim` (the app's
//! effect) takes the lock and reopens the store; the reducer then replaces
//! this tab's broker with the stored one.

use crate::store::lock::LockMode;
use crate::ui::components::fields;
use crate::ui::i18n::fill;
use crate::ui::persistence::valid_broker_name;
use crate::ui::state::{use_app, StoreInfo, StoreReason};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OwnershipProps {
    /// Reopens the store with the lock taken this way.
    pub on_claim: Callback<LockMode>,
}

#[function_component(OwnershipBar)]
pub fn ownership_bar(props: &OwnershipProps) -> Html {
    let app = use_app();
    let t = app.t();
    let name = use_state(|| format!("{}-2", app.state.broker));
    let StoreInfo::Memory { reason } = &app.state.store else {
        return html! {};
    };
    // The broker another tab holds, or the one this tab lost.
    let (title, text, broker, detail) = match reason {
        StoreReason::Locked(other) => (t.store_locked_title, t.store_locked, other.as_str(), None),
        StoreReason::Waiting(other) => {
            (t.store_locked_title, t.store_waiting, other.as_str(), None)
        }
        StoreReason::Lost(why) => (
            t.store_lost_title,
            t.store_lost,
            &*app.state.broker,
            Some(why.clone()),
        ),
        StoreReason::Opening | StoreReason::Unavailable(_) => return html! {},
    };
    let text = fill(text, &[("broker", broker)]);
    // Waiting only helps while the other tab holds the lock; taking over,
    // until this tab has lost it; reloading, once it has.
    let can_wait = matches!(reason, StoreReason::Locked(_));
    let can_take = !matches!(reason, StoreReason::Lost(_));
    let can_reload = !can_take;
    let claim = |mode: LockMode| {
        let on_claim = props.on_claim.clone();
        Callback::from(move |_: MouseEvent| on_claim.emit(mode))
    };
    let reload = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let on_name = fields::keep::<web_sys::HtmlInputElement, InputEvent>(&name);
    let valid = valid_broker_name(&name);
    let open_other = {
        let name = name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !valid_broker_name(&name) {
                return;
            }
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_search(&format!("?broker={}", *name));
            }
        })
    };
    html! {
        <section class="wb-ownership" id="ownership" role="alert" aria-labelledby="ownership-title">
            <h2 class="ownership-title" id="ownership-title">{ title }</h2>
            <p class="ownership-text" id="ownership-text">{ text }</p>
            if let Some(detail) = detail {
                <p class="ownership-detail" id="ownership-detail">{ detail }</p>
            }
            <div class="ownership-actions">
                if can_wait {
                    <button type="button" class="btn small" id="ownership-wait"
                        onclick={claim(LockMode::Wait)}>{ t.store_wait }</button>
                }
                if can_take {
                    <button type="button" class="btn small" id="ownership-take"
                        title={t.store_take_over_help}
                        onclick={claim(LockMode::TakeOver)}>{ t.store_take_over }</button>
                }
                if can_reload {
                    <button type="button" class="btn small" id="ownership-reload"
                        onclick={reload}>{ t.store_reload }</button>
                }
                <form class="ownership-rename" id="ownership-rename" onsubmit={open_other}>
                    <label for="ownership-name">{ t.store_other_name }</label>
                    <input id="ownership-name" type="text" value={(*name).clone()}
                        aria-label={t.store_name_label} aria-invalid={(!valid).to_string()}
                        pattern={r"[A-Za-z0-9._\-]{1,64}"} oninput={on_name}/>
                    <button type="submit" class="btn small ghost" disabled={!valid}>{ t.store_open_name }</button>
                </form>
            </div>
            if can_take {
                <p class="ownership-help">{ t.store_take_over_help }</p>
            }
        </section>
    }
}
