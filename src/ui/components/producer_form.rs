//! Adding or editing a producer (the lessons' `send.py` / `new_task.py`).

use crate::engine::message::Properties;
use crate::sim::world::Command;
use crate::sim::{ActorId, ProducerSpec, Simulation};
use crate::ui::components::fields::{self, Draft, Field, Form, FormView, Frame};
use crate::ui::state::{AppCtx, Prefill};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Data {
    name: String,
    exchange: String,
    routing_key: String,
    body: String,
    persistent: bool,
    priority: String,
    expiration: String,
    headers: String,
    reply_to: String,
    correlation_id: String,
    mandatory: bool,
    confirm: bool,
    rpc: bool,
    editing: Option<ActorId>,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            name: "new_task.py".into(),
            exchange: String::new(),
            routing_key: String::new(),
            body: "Hello World!".into(),
            persistent: false,
            priority: String::new(),
            expiration: String::new(),
            headers: String::new(),
            reply_to: String::new(),
            correlation_id: String::new(),
            mandatory: false,
            confirm: false,
            rpc: false,
            editing: None,
        }
    }
}

impl Data {
    fn from_spec(id: ActorId, s: &ProducerSpec) -> Data {
        let p = &s.properties;
        Data {
            name: s.name.clone(),
            exchange: s.exchange.clone(),
            routing_key: s.routing_key.clone(),
            body: s.body.clone(),
            persistent: p.is_persistent(),
            priority: p.priority.map(|v| v.to_string()).unwrap_or_default(),
            expiration: p.expiration.clone().unwrap_or_default(),
            headers: p
                .headers
                .as_ref()
                .map(fields::table_text)
                .unwrap_or_default(),
            reply_to: p.reply_to.clone().unwrap_or_default(),
            correlation_id: p.correlation_id.clone().unwrap_or_default(),
            mandatory: s.mandatory,
            confirm: s.confirm,
            rpc: s.rpc,
            editing: Some(id),
        }
    }

    fn spec(&self) -> Result<ProducerSpec, String> {
        let headers = fields::parse_table(&self.headers)?;
        let priority = match self.priority.trim() {
            "" => None,
            p => Some(p.parse::<u8>().map_err(|_| format!("priority: {p}"))?),
        };
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(ProducerSpec {
            name: fields::name_or(&self.name, "producer"),
            exchange: self.exchange.trim().to_string(),
            routing_key: self.routing_key.clone(),
            body: self.body.clone(),
            properties: Properties {
                delivery_mode: self.persistent.then_some(2),
                priority,
                expiration: opt(&self.expiration),
                headers: (!headers.is_empty()).then_some(headers),
                reply_to: opt(&self.reply_to),
                correlation_id: opt(&self.correlation_id),
                ..Default::default()
            },
            mandatory: self.mandatory,
            confirm: self.confirm,
            rpc: self.rpc,
            every_ms: None,
        })
    }
}

impl Form for Data {
    const NAME: &'static str = "producer";

    fn prefill(request: &Prefill, sim: &Simulation) -> Option<Data> {
        match request {
            Prefill::EditProducer(id) => sim.producer(*id).map(|p| Data::from_spec(*id, &p.spec)),
            _ => None,
        }
    }

    fn command(draft: &UseStateHandle<Data>) -> Result<Command, String> {
        let spec = draft.spec()?;
        Ok(match draft.editing {
            Some(id) => Command::EditProducer(id, spec),
            None => Command::AddProducer(spec),
        })
    }

    fn view(draft: &Draft<Data>, app: &AppCtx) -> Html {
        let (t, data) = (app.t(), &*draft.data);
        let editing = data.editing.is_some();
        let frame = Frame {
            label: t.tab_producer,
            intro: t.producer_intro,
            submit: if editing {
                t.save_producer
            } else {
                t.add_producer
            },
            note: None,
        };
        let fields = html! { <>
            { Field::new("producer-name", t.f_name).text(&data.name, draft.set(|d, v| d.name = v)) }
            { Field::new("producer-exchange", t.f_exchange).help(t.producer_exchange_help).list("exchange-names").text(&data.exchange, draft.set(|d, v| d.exchange = v)) }
            { Field::new("producer-key", t.f_routing_key).help(t.routing_key_help).list("queue-names").text(&data.routing_key, draft.set(|d, v| d.routing_key = v)) }
            { Field::new("producer-body", t.f_body).help(t.body_help).area(&data.body, 2, draft.set(|d, v| d.body = v)) }
            <div class="checks">
                { Field::new("producer-persistent", t.f_persistent).help(t.persistent_help).check(data.persistent, draft.set(|d, v| d.persistent = v)) }
                { Field::new("producer-mandatory", t.f_mandatory).help(t.mandatory_help).check(data.mandatory, draft.set(|d, v| d.mandatory = v)) }
                { Field::new("producer-confirm", t.f_confirm).help(t.confirm_help).check(data.confirm, draft.set(|d, v| d.confirm = v)) }
                { Field::new("producer-rpc", t.f_rpc).help(t.rpc_help).check(data.rpc, draft.set(|d, v| d.rpc = v)) }
            </div>
            <details class="args">
                <summary>{ t.f_properties }</summary>
                { Field::new("producer-priority", t.f_priority).help(t.priority_help).number(&data.priority, draft.set(|d, v| d.priority = v)) }
                { Field::new("producer-expiration", t.f_expiration).help(t.expiration_help).number(&data.expiration, draft.set(|d, v| d.expiration = v)) }
                { Field::new("producer-headers", t.f_headers).help(t.headers_help).area(&data.headers, 2, draft.set(|d, v| d.headers = v)) }
                { Field::new("producer-reply-to", "reply_to").list("queue-names").text(&data.reply_to, draft.set(|d, v| d.reply_to = v)) }
                { Field::new("producer-correlation-id", "correlation_id").text(&data.correlation_id, draft.set(|d, v| d.correlation_id = v)) }
            </details>
        </> };
        draft.view(app, frame, fields, draft.new_button(editing, t.new_instead))
    }
}

/// Adding or editing a producer.
pub type ProducerForm = FormView<Data>;
