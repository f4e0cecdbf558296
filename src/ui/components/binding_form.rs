//! Binding a queue or an exchange to an exchange (or unbinding).

use crate::engine::exchange::DestinationKind;
use crate::engine::method::Method;
use crate::sim::world::Command;
use crate::sim::Simulation;
use crate::ui::components::fields::{self, Draft, Field, Form, FormView, Frame};
use crate::ui::state::{AppCtx, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq, Default)]
pub struct Data {
    source: String,
    destination: String,
    to_exchange: bool,
    key: String,
    args: String,
}

impl Data {
    /// Binding (or unbinding) what the draft says.
    fn binding(&self, unbind: bool) -> Result<Command, String> {
        let kind = if self.to_exchange {
            DestinationKind::Exchange
        } else {
            DestinationKind::Queue
        };
        Ok(Command::Method(Method::binding(
            unbind,
            kind,
            self.source.trim(),
            self.destination.trim(),
            &self.key,
            fields::parse_table(&self.args)?,
        )))
    }
}

impl Form for Data {
    const NAME: &'static str = "binding";
    // A binding dragged on the diagram only lacks its key.
    const FOCUS: Option<&'static str> = Some("binding-key");

    fn prefill(request: &Prefill, _: &Simulation) -> Option<Data> {
        let Prefill::Bind {
            source,
            destination,
            to_exchange,
        } = request
        else {
            return None;
        };
        Some(Data {
            source: source.to_string(),
            destination: destination.to_string(),
            to_exchange: *to_exchange,
            ..Data::default()
        })
    }

    fn command(draft: &UseStateHandle<Data>) -> Result<Command, String> {
        draft.binding(false)
    }

    fn view(draft: &Draft<Data>, app: &AppCtx) -> Html {
        let (t, data) = (app.t(), &*draft.data);
        let tl = app.state.timeline.borrow();
        let source_kind = tl
            .world()
            .sim
            .broker
            .exchange_by_name(&data.source)
            .map(|x| x.kind.name())
            .unwrap_or("");
        let key_help = match source_kind {
            "topic" => t.binding_key_topic_help,
            "fanout" => t.binding_key_fanout_help,
            "headers" => t.binding_key_headers_help,
            _ => t.binding_key_direct_help,
        };
        drop(tl);
        let fields = html! { <>
            { Field::new("binding-source", t.f_source).list("exchange-names").text(&data.source, draft.set(|d, v| d.source = v)) }
            { Field::new("binding-dest-kind", t.f_dest_kind).select(&[("queue", t.kind_queue), ("exchange", t.kind_exchange)], if data.to_exchange { "exchange" } else { "queue" }, draft.set(|d, v: String| d.to_exchange = v == "exchange")) }
            { Field::new("binding-destination", t.f_destination).list(if data.to_exchange { "exchange-names" } else { "queue-names" }).text(&data.destination, draft.set(|d, v| d.destination = v)) }
            { Field::new("binding-key", t.f_binding_key).help(key_help).text(&data.key, draft.set(|d, v| d.key = v)) }
            { Field::new("binding-args", t.f_binding_args).help(t.binding_args_help).area(&data.args, 2, draft.set(|d, v| d.args = v)) }
        </> };
        let on_unbind = draft.give::<MouseEvent>(app, |data| data.binding(true));
        let unbind = html! {
            <button type="button" class="btn" id="binding-unbind" onclick={on_unbind}>{ t.unbind }</button>
        };
        let frame = Frame {
            label: t.tab_binding,
            intro: t.binding_intro,
            submit: t.bind,
            note: None,
        };
        draft.view(app, frame, fields, unbind)
    }
}

/// Binding a queue or an exchange to an exchange (or unbinding).
pub type BindingForm = FormView<Data>;
