//! Binding a queue or an exchange to an exchange (or unbinding).

use crate::engine::exchange::DestinationKind;
use crate::engine::method::Method;
use crate::sim::world::Command;
use crate::ui::components::fields;
use crate::ui::state::{use_app, Action, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq, Default)]
struct Data {
    source: String,
    destination: String,
    to_exchange: bool,
    key: String,
    args: String,
}

#[function_component(BindingForm)]
pub fn binding_form() -> Html {
    let app = use_app();
    let t = app.t();
    let data = use_state(Data::default);
    let error = use_state(|| None::<String>);
    let key_ref = use_node_ref();
    {
        let data = data.clone();
        let state = app.state.clone();
        let key_ref = key_ref.clone();
        use_effect_with(app.state.prefill_rev, move |_| {
            if let Prefill::Bind {
                source,
                destination,
                to_exchange,
            } = &state.prefill
            {
                data.set(Data {
                    source: source.to_string(),
                    destination: destination.to_string(),
                    to_exchange: *to_exchange,
                    key: String::new(),
                    args: String::new(),
                });
                if let Some(el) = key_ref.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let tl = app.state.timeline.borrow();
    let broker = &tl.world().sim.broker;
    let source_kind = broker
        .exchange_by_name(&data.source)
        .map(|x| x.kind.name())
        .unwrap_or("");
    drop(tl);
    let set = |f: fn(&mut Data, String)| fields::setter(&data, f);
    let submit = |unbind: bool| {
        let data = data.clone();
        let error = error.clone();
        let d = app.dispatch.clone();
        move || match fields::parse_table(&data.args) {
            Ok(arguments) => {
                error.set(None);
                let kind = if data.to_exchange {
                    DestinationKind::Exchange
                } else {
                    DestinationKind::Queue
                };
                d.emit(Action::Command(Command::Method(Method::binding(
                    unbind,
                    kind,
                    data.source.trim(),
                    data.destination.trim(),
                    &data.key,
                    arguments,
                ))));
            }
            Err(m) => error.set(Some(m)),
        }
    };
    let onsubmit = {
        let go = submit(false);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            go();
        })
    };
    let on_unbind = {
        let go = submit(true);
        Callback::from(move |_: MouseEvent| go())
    };
    let key_help = match source_kind {
        "topic" => t.binding_key_topic_help,
        "fanout" => t.binding_key_fanout_help,
        "headers" => t.binding_key_headers_help,
        _ => t.binding_key_direct_help,
    };
    let oninput_key = {
        let data = data.clone();
        Callback::from(move |e: InputEvent| {
            let mut d = (*data).clone();
            d.key = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            data.set(d);
        })
    };
    html! {
        <form class="form" id="binding-form" {onsubmit} aria-label={t.tab_binding}>
            <p class="form-intro">{ t.binding_intro }</p>
            { fields::text("binding-source", t.f_source, &data.source, set(|d, v| d.source = v), None, Some("exchange-names")) }
            { fields::select("binding-dest-kind", t.f_dest_kind, &[("queue", t.kind_queue), ("exchange", t.kind_exchange)],
                if data.to_exchange { "exchange" } else { "queue" }, set(|d, v| d.to_exchange = v == "exchange"), None) }
            { fields::text("binding-destination", t.f_destination, &data.destination, set(|d, v| d.destination = v), None,
                Some(if data.to_exchange { "exchange-names" } else { "queue-names" })) }
            <div class="field">
                <label for="binding-key">{ t.f_binding_key }</label>
                <input id="binding-key" type="text" ref={key_ref} value={data.key.clone()} oninput={oninput_key}
                    autocomplete="off" spellcheck="false" aria-describedby="binding-key-help" />
                <p class="help" id="binding-key-help">{ key_help }</p>
            </div>
            { fields::area("binding-args", t.f_binding_args, &data.args, set(|d, v| d.args = v), Some(t.binding_args_help), 2) }
            if let Some(m) = &*error { <p class="form-error" role="alert">{ m.clone() }</p> }
            <div class="form-actions">
                <button type="submit" class="btn primary" id="binding-submit">{ t.bind }</button>
                <button type="button" class="btn" id="binding-unbind" onclick={on_unbind}>{ t.unbind }</button>
            </div>
        </form>
    }
}
