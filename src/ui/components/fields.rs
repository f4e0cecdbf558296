//! Form fields with labels and help, shared by the forms; and parsing the
//! text a person types into AMQP tables.

use crate::engine::value::{FieldTable, FieldValue};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// A callback that edits one field of a form's state: `setter(&data, |d, v|
/// d.name = v)`. Every form keeps its draft in one `use_state` value and
/// replaces it whole on each edit.
pub fn setter<D: Clone + 'static, V: 'static>(
    data: &UseStateHandle<D>,
    edit: fn(&mut D, V),
) -> Callback<V> {
    let data = data.clone();
    Callback::from(move |v: V| {
        let mut d = (*data).clone();
        edit(&mut d, v);
        data.set(d);
    })
}

pub fn text(
    id: &str,
    label: &str,
    value: &str,
    on: Callback<String>,
    help: Option<&str>,
    list: Option<&str>,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        on.emit(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let help_id = format!("{id}-help");
    html! {
        <div class="field">
            <label for={id.to_string()}>{ label.to_string() }</label>
            <input id={id.to_string()} type="text" value={value.to_string()} {oninput} list={list.map(str::to_string)}
                autocomplete="off" spellcheck="false"
                aria-describedby={help.map(|_| help_id.clone())} />
            if let Some(h) = help { <p class="help" id={help_id}>{ h.to_string() }</p> }
        </div>
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

pub fn number(
    id: &str,
    label: &str,
    value: &str,
    on: Callback<String>,
    help: Option<&str>,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        on.emit(e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let help_id = format!("{id}-help");
    html! {
        <div class="field">
            <label for={id.to_string()}>{ label.to_string() }</label>
            <input id={id.to_string()} type="text" inputmode="numeric" value={value.to_string()} {oninput}
                autocomplete="off" aria-describedby={help.map(|_| help_id.clone())} />
            if let Some(h) = help { <p class="help" id={help_id}>{ h.to_string() }</p> }
        </div>
    }
}

pub fn area(
    id: &str,
    label: &str,
    value: &str,
    on: Callback<String>,
    help: Option<&str>,
    rows: u32,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        on.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
    });
    let help_id = format!("{id}-help");
    html! {
        <div class="field">
            <label for={id.to_string()}>{ label.to_string() }</label>
            <textarea id={id.to_string()} value={value.to_string()} {oninput} rows={rows.to_string()} spellcheck="false"
                aria-describedby={help.map(|_| help_id.clone())} />
            if let Some(h) = help { <p class="help" id={help_id}>{ h.to_string() }</p> }
        </div>
    }
}

pub fn check(id: &str, label: &str, checked: bool, on: Callback<bool>, help: Option<&str>) -> Html {
    let onchange = Callback::from(move |e: Event| {
        on.emit(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    let help_id = format!("{id}-help");
    html! {
        <div class="field check">
            <input id={id.to_string()} type="checkbox" {checked} {onchange}
                aria-describedby={help.map(|_| help_id.clone())} />
            <label for={id.to_string()}>{ label.to_string() }</label>
            if let Some(h) = help { <p class="help" id={help_id}>{ h.to_string() }</p> }
        </div>
    }
}

pub fn select(
    id: &str,
    label: &str,
    options: &[(&str, &str)],
    value: &str,
    on: Callback<String>,
    help: Option<&str>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        on.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
    });
    let help_id = format!("{id}-help");
    html! {
        <div class="field">
            <label for={id.to_string()}>{ label.to_string() }</label>
            <select id={id.to_string()} {onchange} aria-describedby={help.map(|_| help_id.clone())}>
                { for options.iter().map(|(v, l)| html! {
                    <option value={v.to_string()} selected={*v == value}>{ l.to_string() }</option>
                }) }
            </select>
            if let Some(h) = help { <p class="help" id={help_id}>{ h.to_string() }</p> }
        </div>
    }
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
