//! What the forms share: a form's draft, the requests that fill it and its
//! submit ([`Form`], shown by [`FormView`]), the frame around its fields
//! ([`Draft::view`]), the fields with their labels and help ([`Field`]); and
//! parsing the text a person types into AMQP tables.

use crate::engine::value::{FieldTable, FieldValue};
use crate::sim::world::Command;
use crate::sim::Simulation;
use crate::ui::state::{use_app, Action, AppCtx, Prefill};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew::TargetCast;

/// An element a person types or picks a value in.
pub trait HasValue: JsCast + AsRef<web_sys::EventTarget> {
    fn current(&self) -> String;
}

impl HasValue for HtmlInputElement {
    fn current(&self) -> String {
        self.value()
    }
}

impl HasValue for HtmlTextAreaElement {
    fn current(&self) -> String {
        self.value()
    }
}

impl HasValue for HtmlSelectElement {
    fn current(&self) -> String {
        self.value()
    }
}

/// A callback for an `oninput`/`onchange` that passes on the value of the
/// element `T` the event comes from.
pub fn value_of<T: HasValue, E: TargetCast + 'static>(
    on: impl Fn(String) + 'static,
) -> Callback<E> {
    Callback::from(move |e: E| on(e.target_unchecked_into::<T>().current()))
}

/// A callback that keeps the value of the element `T` in `state`.
pub fn keep<T: HasValue, E: TargetCast + 'static>(state: &UseStateHandle<String>) -> Callback<E> {
    let state = state.clone();
    value_of::<T, E>(move |v| state.set(v))
}

/// A form of the build panel: its draft, the requests that fill it, the
/// command it gives and what it shows. [`FormView`] puts it on screen.
pub trait Form: Clone + Default + 'static {
    /// `producer`: the form is `#producer-form`, its button `#producer-submit`.
    const NAME: &'static str;
    /// The field to focus when a request fills the form, by id.
    const FOCUS: Option<&'static str> = None;

    /// The draft for a request to open a form (an inspector's Edit, an
    /// edge dragged to bind), if the request is for this one.
    fn prefill(request: &Prefill, sim: &Simulation) -> Option<Self>;

    /// The command the draft gives, or why there is none; it may leave
    /// another draft for the next one.
    fn command(draft: &UseStateHandle<Self>) -> Result<Command, String>;

    /// The form on screen (see [`Draft::view`]).
    fn view(draft: &Draft<Self>, app: &AppCtx) -> Html;
}

/// A form's draft and the error of its last submit.
pub struct Draft<D> {
    pub data: UseStateHandle<D>,
    pub error: UseStateHandle<Option<String>>,
}

/// A form on screen: its draft, empty at first and filled by requests for it.
#[function_component(FormView)]
pub fn form_view<D: Form>() -> Html {
    let app = use_app();
    let data = use_state(D::default);
    let error = use_state(|| None::<String>);
    {
        let data = data.clone();
        let state = app.state.clone();
        use_effect_with(app.state.prefill_rev, move |_| {
            let tl = state.timeline.borrow();
            if let Some(d) = D::prefill(&state.prefill, &tl.world().sim) {
                data.set(d);
                let field = D::FOCUS
                    .and_then(|id| web_sys::window()?.document()?.get_element_by_id(id))
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(field) = field {
                    let _ = field.focus();
                }
            }
        });
    }
    D::view(&Draft { data, error }, &app)
}

/// What a form says around its fields.
pub struct Frame<'a> {
    pub label: &'a str,
    pub intro: &'a str,
    /// The submit button's label.
    pub submit: &'a str,
    /// Shown above the buttons, if any.
    pub note: Option<&'a str>,
}

impl<D: Form> Draft<D> {
    /// A callback that edits one field of the draft: `draft.set(|d, v|
    /// d.name = v)`. The draft is one `use_state` value, replaced whole on
    /// each edit.
    pub fn set<V: 'static>(&self, edit: fn(&mut D, V)) -> Callback<V> {
        let data = self.data.clone();
        Callback::from(move |v: V| {
            let mut d = (*data).clone();
            edit(&mut d, v);
            data.set(d);
        })
    }

    /// A callback that gives the command `command` makes of the draft, or
    /// shows why there is none.
    pub fn give<E: 'static>(
        &self,
        app: &AppCtx,
        command: impl Fn(&UseStateHandle<D>) -> Result<Command, String> + 'static,
    ) -> Callback<E> {
        let (data, error, d) = (self.data.clone(), self.error.clone(), app.dispatch.clone());
        Callback::from(move |_: E| match command(&data) {
            Ok(c) => {
                error.set(None);
                d.emit(Action::Command(c));
            }
            Err(m) => error.set(Some(m)),
        })
    }

    /// A button that starts a new draft instead of editing (shown while
    /// `editing`).
    pub fn new_button(&self, editing: bool, label: &str) -> Html {
        let data = self.data.clone();
        let onclick = Callback::from(move |_: MouseEvent| data.set(D::default()));
        html! {
            if editing {
                <button type="button" class="btn ghost" {onclick}>{ label.to_string() }</button>
            }
        }
    }

    /// The form: its intro, `fields`, its note, the error of the last
    /// submit, the submit button (which gives [`Form::command`]) and `more`
    /// buttons.
    pub fn view(&self, app: &AppCtx, frame: Frame, fields: Html, more: Html) -> Html {
        let Frame {
            label,
            intro,
            submit,
            note,
        } = frame;
        let name = D::NAME;
        let onsubmit = {
            let give = self.give::<()>(app, D::command);
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                give.emit(());
            })
        };
        html! {
            <form class="form" id={format!("{name}-form")} {onsubmit} aria-label={label.to_string()}>
                <p class="form-intro">{ intro.to_string() }</p>
                { fields }
                if let Some(n) = note { <p class="help warn-text">{ n.to_string() }</p> }
                if let Some(m) = &*self.error { <p class="form-error" role="alert">{ m.clone() }</p> }
                <div class="form-actions">
                    <button type="submit" class="btn primary" id={format!("{name}-submit")}>{ submit.to_string() }</button>
                    { more }
                </div>
            </form>
        }
    }
}

/// A labelled field of a form: `Field::new(id, label)`, with `.help(…)`
/// below it and `.list(…)` suggestions if any, then its control
/// (`.text(value, on)`, `.number(…)`, `.area(…)`, `.check(…)`, `.select(…)`).
#[derive(Clone, Copy)]
pub struct Field<'a> {
    id: &'a str,
    label: &'a str,
    help: Option<&'a str>,
    list: Option<&'a str>,
}

impl<'a> Field<'a> {
    pub fn new(id: &'a str, label: &'a str) -> Field<'a> {
        Field {
            id,
            label,
            help: None,
            list: None,
        }
    }

    /// A line of help below the control.
    pub fn help(self, help: &'a str) -> Field<'a> {
        Field {
            help: Some(help),
            ..self
        }
    }

    /// The `<datalist>` of suggestions for a text field.
    pub fn list(self, list: &'a str) -> Field<'a> {
        Field {
            list: Some(list),
            ..self
        }
    }

    /// The id of the help, for the control's `aria-describedby`.
    fn described(&self) -> Option<String> {
        self.help.map(|_| format!("{}-help", self.id))
    }

    fn help_line(&self) -> Html {
        html! {
            if let Some(h) = self.help { <p class="help" id={self.described()}>{ h.to_string() }</p> }
        }
    }

    /// The label, then the control, then the help.
    fn labelled(&self, control: Html) -> Html {
        html! {
            <div class="field">
                <label for={self.id.to_string()}>{ self.label.to_string() }</label>
                { control }
                { self.help_line() }
            </div>
        }
    }

    pub fn text(self, value: &str, on: Callback<String>) -> Html {
        let oninput = value_of::<HtmlInputElement, InputEvent>(move |v| on.emit(v));
        self.labelled(html! {
            <input id={self.id.to_string()} type="text" value={value.to_string()} {oninput} list={self.list.map(str::to_string)}
                autocomplete="off" spellcheck="false" aria-describedby={self.described()} />
        })
    }

    pub fn number(self, value: &str, on: Callback<String>) -> Html {
        let oninput = value_of::<HtmlInputElement, InputEvent>(move |v| on.emit(v));
        self.labelled(html! {
            <input id={self.id.to_string()} type="text" inputmode="numeric" value={value.to_string()} {oninput}
                autocomplete="off" aria-describedby={self.described()} />
        })
    }

    pub fn area(self, value: &str, rows: u32, on: Callback<String>) -> Html {
        let oninput = value_of::<HtmlTextAreaElement, InputEvent>(move |v| on.emit(v));
        self.labelled(html! {
            <textarea id={self.id.to_string()} value={value.to_string()} {oninput} rows={rows.to_string()} spellcheck="false"
                aria-describedby={self.described()} />
        })
    }

    /// A checkbox, before its label.
    pub fn check(self, checked: bool, on: Callback<bool>) -> Html {
        let onchange = Callback::from(move |e: Event| {
            on.emit(e.target_unchecked_into::<HtmlInputElement>().checked())
        });
        html! {
            <div class="field check">
                <input id={self.id.to_string()} type="checkbox" {checked} {onchange}
                    aria-describedby={self.described()} />
                <label for={self.id.to_string()}>{ self.label.to_string() }</label>
                { self.help_line() }
            </div>
        }
    }

    /// A choice among `options` (value, label).
    pub fn select(self, options: &[(&str, &str)], value: &str, on: Callback<String>) -> Html {
        let onchange = value_of::<HtmlSelectElement, Event>(move |v| on.emit(v));
        self.labelled(html! {
            <select id={self.id.to_string()} {onchange} aria-describedby={self.described()}>
                { for options.iter().map(|(v, l)| html! {
                    <option value={v.to_string()} selected={*v == value}>{ l.to_string() }</option>
                }) }
            </select>
        })
    }
}

/// The name typed into a form, or `default` when it is blank.
pub fn name_or(typed: &str, default: &str) -> String {
    match typed.trim() {
        "" => default.to_string(),
        name => name.to_string(),
    }
}

/// A number typed into a form, checked by its bounded type
/// (`Prefetch::new`, `VirtualMs::new`…); the error names the field.
pub fn bounded<T>(
    label: &str,
    text: &str,
    check: impl Fn(u64) -> Result<T, crate::sim::bounded::BoundError>,
) -> Result<T, String> {
    let text = text.trim();
    let n: u64 = text
        .parse()
        .map_err(|_| format!("{label}: expected a whole number, got '{text}'"))?;
    check(n).map_err(|e| format!("{label}: {e}"))
}

/// A `<datalist>` of suggestions for a text field.
pub fn datalist(id: &str, values: impl IntoIterator<Item = String>) -> Html {
    html! {
        <datalist id={id.to_string()}>
            { for values.into_iter().map(|v| html! { <option value={v} /> }) }
        </datalist>
    }
}

/// Types a value the way pika would encode the Python literal (the engine's
/// JSON typing): integers, floats, booleans, `null`, quoted strings;
/// anything else is a string as typed.
pub fn parse_value(text: &str) -> FieldValue {
    let v = text.trim();
    match serde_json::from_str::<serde_json::Value>(v) {
        Ok(
            json @ (serde_json::Value::Number(_)
            | serde_json::Value::Bool(_)
            | serde_json::Value::Null
            | serde_json::Value::String(_)),
        ) => FieldValue::from_json(&json).unwrap_or_else(|_| FieldValue::LongStr(v.to_string())),
        _ => FieldValue::LongStr(v.to_string()),
    }
}

/// Parses `key=value` lines (or a JSON object) into a table.
pub fn parse_table(text: &str) -> Result<FieldTable, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(FieldTable::new());
    }
    if trimmed.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| e.to_string())?;
        let serde_json::Value::Object(map) = json else {
            return Err("expected a JSON object".into());
        };
        let mut table = FieldTable::new();
        for (k, v) in &map {
            table.insert(k.clone(), FieldValue::from_json(v)?);
        }
        return Ok(table);
    }
    let mut table = FieldTable::new();
    for (n, line) in trimmed.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            return Err(format!("line {}: expected key=value", n + 1));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(format!("line {}: empty key", n + 1));
        }
        table.insert(k.to_string(), parse_value(v));
    }
    Ok(table)
}

/// A table as `key=value` lines (for editing).
pub fn table_text(table: &FieldTable) -> String {
    table
        .iter()
        .map(|(k, v)| match v {
            FieldValue::LongStr(s)
                if s.parse::<i64>().is_ok() || s == "true" || s == "false" || s == "null" =>
            {
                format!("{k}=\"{s}\"")
            }
            _ => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
