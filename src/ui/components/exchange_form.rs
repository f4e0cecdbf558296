//! Declaring an exchange: type, flags and an alternate exchange.

use crate::engine::exchange::Exchange;
use crate::engine::method::{ExchangeDeclare, Method};
use crate::engine::value::{FieldTable, FieldValue};
use crate::sim::world::Command;
use crate::sim::Simulation;
use crate::ui::components::fields::{Draft, Field, Form, FormView, Frame};
use crate::ui::state::{AppCtx, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Data {
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

impl Data {
    fn of_exchange(x: &Exchange) -> Data {
        Data {
            name: x.name.to_string(),
            kind: x.kind.name().to_string(),
            durable: x.durable,
            auto_delete: x.auto_delete,
            internal: x.internal,
            alternate: x.alternate_exchange().unwrap_or("").to_string(),
            editing: true,
        }
    }
}

impl Form for Data {
    const NAME: &'static str = "exchange";

    fn prefill(request: &Prefill, sim: &Simulation) -> Option<Data> {
        match request {
            Prefill::EditExchange(name) => sim.broker.exchange_by_name(name).map(Data::of_exchange),
            _ => None,
        }
    }

    fn command(draft: &UseStateHandle<Data>) -> Result<Command, String> {
        let mut arguments = FieldTable::new();
        let ae = draft.alternate.trim();
        if !ae.is_empty() {
            arguments.insert("alternate-exchange".into(), FieldValue::LongStr(ae.into()));
        }
        Ok(Command::Method(Method::ExchangeDeclare(ExchangeDeclare {
            exchange: draft.name.trim().to_string(),
            exchange_type: draft.kind.clone(),
            durable: draft.durable,
            auto_delete: draft.auto_delete,
            internal: draft.internal,
            arguments,
            ..Default::default()
        })))
    }

    fn view(draft: &Draft<Data>, app: &AppCtx) -> Html {
        let (t, data) = (app.t(), &*draft.data);
        let kind_help = match data.kind.as_str() {
            "fanout" => t.type_fanout_help,
            "topic" => t.type_topic_help,
            "headers" => t.type_headers_help,
            _ => t.type_direct_help,
        };
        let fields = html! { <>
            { Field::new("exchange-name", t.f_name).text(&data.name, draft.set(|d, v| d.name = v)) }
            { Field::new("exchange-type", t.f_type).help(kind_help).select(&[("direct", t.type_direct), ("fanout", t.type_fanout), ("topic", t.type_topic), ("headers", t.type_headers)], &data.kind, draft.set(|d, v| d.kind = v)) }
            <div class="checks">
                { Field::new("exchange-durable", t.f_durable).help(t.exchange_durable_help).check(data.durable, draft.set(|d, v| d.durable = v)) }
                { Field::new("exchange-auto-delete", t.f_auto_delete).help(t.exchange_auto_delete_help).check(data.auto_delete, draft.set(|d, v| d.auto_delete = v)) }
                { Field::new("exchange-internal", t.f_internal).help(t.exchange_internal_help).check(data.internal, draft.set(|d, v| d.internal = v)) }
            </div>
            { Field::new("exchange-ae", t.f_alternate).help(t.alternate_help).list("exchange-names").text(&data.alternate, draft.set(|d, v| d.alternate = v)) }
        </> };
        let note = data.editing.then_some(t.redeclare_note);
        let frame = Frame {
            label: t.tab_exchange,
            intro: t.exchange_intro,
            submit: t.declare_exchange,
            note,
        };
        draft.view(app, frame, fields, html! {})
    }
}

/// Declaring an exchange.
pub type ExchangeForm = FormView<Data>;
