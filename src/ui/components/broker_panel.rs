//! Broker controls: graceful restart, crash, reset with a profile; which
//! store holds durable state; the acknowledgement timeout
//! (`consumer_timeout`) for channels opened from now on.

use crate::engine::clock::Millis;
use crate::engine::Profile;
use crate::sim::bounded::ConsumerTimeoutMs;
use crate::sim::world::Command;
use crate::ui::i18n::{fill, Text};
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
    let timeout_now = s
        .timeline
        .borrow()
        .world()
        .sim
        .broker
        .ack_settings()
        .timeout_ms;
    let on_timeout = app.callback(|e: Event| {
        let v = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        // "off" (or anything not a number in range): no timeout.
        let timeout = v
            .parse()
            .ok()
            .and_then(|ms| ConsumerTimeoutMs::new(ms).ok());
        Action::Command(Command::SetConsumerTimeout(timeout))
    });
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
            <div class="actions inline">
                <label class="mini" for="ack-timeout">{ t.ack_timeout }</label>
                <select id="ack-timeout" aria-describedby="ack-timeout-help" onchange={on_timeout}>
                    { timeout_options(t, timeout_now) }
                </select>
            </div>
            <p class="help" id="ack-timeout-help">{ t.ack_timeout_help }</p>
        </section>
    }
}

/// The choices of `consumer_timeout`: RabbitMQ's default, shorter ones that
/// make the timeout visible, and none; a value set elsewhere (a scenario
/// document) is listed too, so the select shows what is in force.
const TIMEOUT_CHOICES_MS: [Millis; 4] = [
    crate::engine::limits::CONSUMER_TIMEOUT_MS,
    300_000,
    60_000,
    15_000,
];

fn timeout_options(t: &Text, now: Option<Millis>) -> Html {
    let mut choices: Vec<Option<Millis>> = TIMEOUT_CHOICES_MS.iter().copied().map(Some).collect();
    if !choices.contains(&now) && now.is_some() {
        choices.push(now);
    }
    choices.push(None);
    choices
        .into_iter()
        .map(|choice| {
            let (value, label) = match choice {
                None => ("off".to_string(), t.timeout_off.to_string()),
                Some(ms) if ms == crate::engine::limits::CONSUMER_TIMEOUT_MS => (
                    ms.to_string(),
                    fill(t.timeout_default, &[("t", &duration_label(t, ms))]),
                ),
                Some(ms) => (ms.to_string(), duration_label(t, ms)),
            };
            html! { <option value={value} selected={choice == now}>{ label }</option> }
        })
        .collect()
}

/// "30 min", "15 s", "1500 ms": the largest whole unit.
fn duration_label(t: &Text, ms: Millis) -> String {
    let (text, n) = if ms.is_multiple_of(60_000) {
        (t.minutes_n, ms / 60_000)
    } else if ms.is_multiple_of(1_000) {
        (t.seconds_n, ms / 1_000)
    } else {
        (t.milliseconds_n, ms)
    };
    fill(text, &[("n", &n.to_string())])
}
