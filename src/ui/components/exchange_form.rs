//! Declaring an exchange: type, flags and an alternate exchange.

use crate::engine::method::{ExchangeDeclare, Method};
use crate::engine::value::{FieldTable, FieldValue};
use crate::sim::world::Command;
use crate::ui::components::fields;
use crate::ui::state::{use_app, Action, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct Data {
    name: String,
    kind: String,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    alternate: String,
    editing: bool,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            name: String::new(),
            kind: "direct".into(),
            durable: false,
            auto_delete: false,
            internal: false,
            alternate: String::new(),
            editing: false,
        }
    }
}

#[function_component(ExchangeForm)]
pub fn exchange_form() -> Html {
    let app = use_app();
    let t = app.t();
    let data = use_state(Data::default);
    {
        let data = data.clone();
        let state = app.state.clone();
        use_effect_with(app.state.prefill_rev, move |_| {
            if let Prefill::EditExchange(name) = &state.prefill {
                let tl = state.timeline.borrow();
                if let Some(x) = tl.world().sim.broker.exchange_by_name(name) {
                    data.set(Data {
                        name: x.name.to_string(),
                        kind: x.kind.name().to_string(),
                        durable: x.durable,
                        auto_delete: x.auto_delete,
                        internal: x.internal,
                        alternate: x.alternate_exchange().unwrap_or("").to_string(),
                        editing: true,
                    });
                }
            }
        });
    }
    let set = |f: fn(&mut Data, String)| fields::setter(&data, f);
    let set_b = |f: fn(&mut Data, bool)| fields::setter(&data, f);
    let onsubmit = {
        let data = data.clone();
        let d = app.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut arguments = FieldTable::new();
            let ae = data.alternate.trim();
            if !ae.is_empty() {
                arguments.insert("alternate-exchange".into(), FieldValue::LongStr(ae.into()));
            }
            d.emit(Action::Command(Command::Method(Method::ExchangeDeclare(
                ExchangeDeclare {
                    exchange: data.name.trim().to_string(),
                    exchange_type: data.kind.clone(),
                    durable: data.durable,
                    auto_delete: data.auto_delete,
                    internal: data.internal,
                    arguments,
                    ..Default::default()
                },
            ))));
        })
    };
    let kinds = [
        ("direct", t.type_direct),
        ("fanout", t.type_fanout),
        ("topic", t.type_topic),
        ("headers", t.type_headers),
    ];
    html! {
        <form class="form" id="exchange-form" {onsubmit} aria-label={t.tab_exchange}>
            <p class="form-intro">{ t.exchange_intro }</p>
            { fields::text("exchange-name", t.f_name, &data.name, set(|d, v| d.name = v), None, None) }
            { fields::select("exchange-type", t.f_type, &kinds, &data.kind, set(|d, v| d.kind = v), Some(match data.kind.as_str() {
                "fanout" => t.type_fanout_help,
                "topic" => t.type_topic_help,
                "headers" => t.type_headers_help,
                _ => t.type_direct_help,
            })) }
            <div class="checks">
                { fields::check("exchange-durable", t.f_durable, data.durable, set_b(|d, v| d.durable = v), Some(t.exchange_durable_help)) }
                { fields::check("exchange-auto-delete", t.f_auto_delete, data.auto_delete, set_b(|d, v| d.auto_delete = v), Some(t.exchange_auto_delete_help)) }
                { fields::check("exchange-internal", t.f_internal, data.internal, set_b(|d, v| d.internal = v), Some(t.exchange_internal_help)) }
            </div>
            { fields::text("exchange-ae", t.f_alternate, &data.alternate, set(|d, v| d.alternate = v), Some(t.alternate_help), Some("exchange-names")) }
            if data.editing { <p class="help warn-text">{ t.redeclare_note }</p> }
            <div class="form-actions">
                <button type="submit" class="btn primary" id="exchange-submit">{ t.declare_exchange }</button>
            </div>
        </form>
    }
}
