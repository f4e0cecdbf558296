//! Broker controls: graceful restart, crash, reset with a profile; which
//! store holds durable state.

use crate::engine::Profile;
use crate::sim::world::Command;
use crate::ui::i18n::fill;
use crate::ui::state::{use_app, Action};
use yew::prelude::*;

#[function_component(BrokerPanel)]
pub fn broker_panel() -> Html {
    let app = use_app();
    let t = app.t();
    let s = &app.state;
    let profile = use_state(|| s.profile);
    let (store, reason) = s.store.describe(t);
    let (rewind, unsaved) = {
        let tl = s.timeline.borrow();
        (
            if tl.durable_store() {
                t.rewind_durable
            } else {
                t.rewind_memory
            },
            tl.world().sim.broker.uncommitted_ops(),
        )
    };
    let on_profile = {
        let profile = profile.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            profile.set(Profile::parse(&v).unwrap_or_default());
        })
    };
    let chosen = *profile;
    html! {
        <section class="panel broker" id="broker-panel" aria-label={t.broker_title}>
            <div class="panel-head"><h2>{ t.broker_title }</h2></div>
            <dl class="facts">
                <div class="fact-row"><dt>{ t.profile }</dt><dd id="broker-profile">{ s.profile.name() }</dd></div>
                <div class="fact-row"><dt>{ t.store }</dt><dd id="broker-store">{ store }</dd></div>
            </dl>
            <p class="help" id="broker-store-reason">{ reason }</p>
            <p class="help" id="broker-unsaved">{ if unsaved == 0 { t.all_on_disk.to_string() } else { fill(t.unsaved_ops, &[("n", &unsaved.to_string())]) } }</p>
            <p class="help">{ rewind }</p>
            <div class="actions">
                <button type="button" class="btn small" id="broker-restart" title={t.restart_help}
                    onclick={app.callback(|_| Action::Command(Command::RestartBroker))}>{ t.restart }</button>
                <button type="button" class="btn small danger" id="broker-crash" title={t.crash_help}
                    onclick={app.callback(|_| Action::Command(Command::CrashBroker))}>{ t.crash }</button>
            </div>
            <p class="help">{ t.restart_help }</p>
            <div class="actions inline">
                <label class="mini" for="reset-profile">{ t.profile }</label>
                <select id="reset-profile" onchange={on_profile}>
                    <option value="rabbitmq-3" selected={chosen == Profile::RabbitMq3}>{ "rabbitmq-3 (3.10)" }</option>
                    <option value="rabbitmq-4.3" selected={chosen == Profile::RabbitMq43}>{ "rabbitmq-4.3" }</option>
                </select>
                <button type="button" class="btn small" id="broker-reset" title={t.reset_help}
                    onclick={app.callback(move |_| Action::Reset(chosen))}>{ t.reset }</button>
            </div>
            <p class="help">{ t.reset_help }</p>
        </section>
    }
}
