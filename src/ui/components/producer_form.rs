//! Adding or editing a producer (the lessons' `send.py` / `new_task.py`).

use crate::engine::message::Properties;
use crate::sim::world::Command;
use crate::sim::{ActorId, ProducerSpec};
use crate::ui::components::fields;
use crate::ui::state::{use_app, Action, Prefill};
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
            name: if self.name.trim().is_empty() {
                "producer".into()
            } else {
                self.name.trim().to_string()
            },
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

#[function_component(ProducerForm)]
pub fn producer_form() -> Html {
    let app = use_app();
    let t = app.t();
    let data = use_state(Data::default);
    let error = use_state(|| None::<String>);
    {
        let data = data.clone();
        let state = app.state.clone();
        use_effect_with(app.state.prefill_rev, move |_| {
            if let Prefill::EditProducer(id) = &state.prefill {
                let tl = state.timeline.borrow();
                if let Some(p) = tl.world().sim.producer(*id) {
                    data.set(Data::from_spec(*id, &p.spec));
                }
            }
        });
    }
    let set = |f: fn(&mut Data, String)| fields::setter(&data, f);
    let set_b = |f: fn(&mut Data, bool)| fields::setter(&data, f);
    let onsubmit = {
        let data = data.clone();
        let error = error.clone();
        let d = app.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match data.spec() {
                Ok(spec) => {
                    error.set(None);
                    d.emit(Action::Command(match data.editing {
                        Some(id) => Command::EditProducer(id, spec),
                        None => Command::AddProducer(spec),
                    }));
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let on_new = {
        let data = data.clone();
        Callback::from(move |_: MouseEvent| data.set(Data::default()))
    };
    html! {
        <form class="form" id="producer-form" {onsubmit} aria-label={t.tab_producer}>
            <p class="form-intro">{ t.producer_intro }</p>
            { fields::text("producer-name", t.f_name, &data.name, set(|d, v| d.name = v), None, None) }
            { fields::text("producer-exchange", t.f_exchange, &data.exchange, set(|d, v| d.exchange = v), Some(t.producer_exchange_help), Some("exchange-names")) }
            { fields::text("producer-key", t.f_routing_key, &data.routing_key, set(|d, v| d.routing_key = v), Some(t.routing_key_help), Some("queue-names")) }
            { fields::area("producer-body", t.f_body, &data.body, set(|d, v| d.body = v), Some(t.body_help), 2) }
            <div class="checks">
                { fields::check("producer-persistent", t.f_persistent, data.persistent, set_b(|d, v| d.persistent = v), Some(t.persistent_help)) }
                { fields::check("producer-mandatory", t.f_mandatory, data.mandatory, set_b(|d, v| d.mandatory = v), Some(t.mandatory_help)) }
                { fields::check("producer-confirm", t.f_confirm, data.confirm, set_b(|d, v| d.confirm = v), Some(t.confirm_help)) }
                { fields::check("producer-rpc", t.f_rpc, data.rpc, set_b(|d, v| d.rpc = v), Some(t.rpc_help)) }
            </div>
            <details class="args">
                <summary>{ t.f_properties }</summary>
                { fields::number("producer-priority", t.f_priority, &data.priority, set(|d, v| d.priority = v), Some(t.priority_help)) }
                { fields::number("producer-expiration", t.f_expiration, &data.expiration, set(|d, v| d.expiration = v), Some(t.expiration_help)) }
                { fields::area("producer-headers", t.f_headers, &data.headers, set(|d, v| d.headers = v), Some(t.headers_help), 2) }
                { fields::text("producer-reply-to", "reply_to", &data.reply_to, set(|d, v| d.reply_to = v), None, Some("queue-names")) }
                { fields::text("producer-correlation-id", "correlation_id", &data.correlation_id, set(|d, v| d.correlation_id = v), None, None) }
            </details>
            if let Some(m) = &*error { <p class="form-error" role="alert">{ m.clone() }</p> }
            <div class="form-actions">
                <button type="submit" class="btn primary" id="producer-submit">
                    { if data.editing.is_some() { t.save_producer } else { t.add_producer } }
                </button>
                if data.editing.is_some() {
                    <button type="button" class="btn ghost" onclick={on_new}>{ t.new_instead }</button>
                }
            </div>
        </form>
    }
}
