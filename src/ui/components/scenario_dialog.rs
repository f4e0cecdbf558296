//! Share, export, import: the setup on screen as a link (`#doc=…`), as a
//! Warren scenario file, as RabbitMQ's `definitions.json`; and opening one
//! of those (pasted or from a file), picking a vhost when a definitions
//! file holds several. Whatever is opened is parsed strictly: a bad file
//! gives its error in the dialog, and the broker on screen stays.

use crate::document::{definitions, Document, Language, ViewOptions};
use crate::ui::components::fields;
use crate::ui::i18n::Lang;
use crate::ui::state::{use_app, Action};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The setup on screen as a document (topology and actors, not messages).
pub fn current_document(app: &crate::ui::state::AppCtx) -> Document {
    let tl = app.state.timeline.borrow();
    let view = ViewOptions {
        language: match app.state.lang {
            Lang::En => Language::En,
            Lang::Zh => Language::Zh,
        },
        ..ViewOptions::default()
    };
    Document::from_simulation(&tl.world().sim, &app.state.title, view)
}

fn data_url(text: &str) -> String {
    format!(
        "data:application/json;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    )
}

/// Parses what was pasted: a Warren scenario, or a definitions file.
fn open_text(text: &str, vhost: Option<&str>) -> Result<Document, OpenError> {
    let looks_like_definitions = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.as_object().map(|o| !o.contains_key("warren")))
        .unwrap_or(false);
    if !looks_like_definitions {
        return Document::parse(text).map_err(|e| OpenError::Message(e.to_string()));
    }
    definitions::import(text, vhost).map_err(|e| match e {
        definitions::DefinitionsError::ChooseVhost(v) => OpenError::ChooseVhost(v),
        other => OpenError::Message(other.to_string()),
    })
}

#[derive(Clone, Debug, PartialEq)]
enum OpenError {
    Message(String),
    ChooseVhost(Vec<String>),
}

#[function_component(ScenarioDialog)]
pub fn scenario_dialog() -> Html {
    let app = use_app();
    let t = app.t();
    let import_text = use_state(String::new);
    let vhosts = use_state(Vec::<String>::new);
    let vhost = use_state(String::new);
    let error = use_state(|| None::<String>);
    let copied = use_state(|| false);
    if !app.state.dialog {
        return html! {};
    }
    let doc = current_document(&app);
    let json = doc.to_json();
    let defs = definitions::export(&doc);
    let link = crate::ui::scenario::share_link(&doc);

    let on_copy = {
        let link = link.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            if let (Ok(l), Some(w)) = (&link, web_sys::window()) {
                let _ = w.navigator().clipboard().write_text(l);
                copied.set(true);
            }
        })
    };
    let on_import_input = fields::keep::<web_sys::HtmlTextAreaElement, InputEvent>(&import_text);
    let on_file = {
        let import_text = import_text.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            if file.size() > 8.0 * 1024.0 * 1024.0 {
                error.set(Some("the file is larger than 8 MB".into()));
                return;
            }
            let import_text = import_text.clone();
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(v) => import_text.set(v.as_string().unwrap_or_default()),
                    Err(_) => error.set(Some("the file could not be read".into())),
                }
            });
        })
    };
    let on_open = {
        let import_text = import_text.clone();
        let vhosts = vhosts.clone();
        let vhost = vhost.clone();
        let error = error.clone();
        let d = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            let chosen = (!vhost.is_empty()).then(|| vhost.as_str());
            match open_text(&import_text, chosen) {
                Ok(doc) => {
                    error.set(None);
                    vhosts.set(Vec::new());
                    d.emit(Action::LoadDocument(Rc::new(doc)));
                    d.emit(Action::ShowDialog(false));
                }
                Err(OpenError::ChooseVhost(v)) => {
                    vhost.set(v.first().cloned().unwrap_or_default());
                    vhosts.set(v);
                    error.set(None);
                }
                Err(OpenError::Message(m)) => error.set(Some(m)),
            }
        })
    };
    let on_vhost = fields::keep::<web_sys::HtmlSelectElement, Event>(&vhost);
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            el.select();
        }
    });
    html! {
        <div class="dialog-backdrop" onclick={app.callback(|_| Action::ShowDialog(false))}>
            <div class="dialog panel" id="scenario-dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <div class="panel-head">
                    <h2 id="dialog-title">{ t.dialog_title }</h2>
                    <button type="button" class="btn ghost small" id="dialog-close" onclick={app.callback(|_| Action::ShowDialog(false))}>{ t.dialog_close }</button>
                </div>
                <div class="dialog-body">
                    <h3>{ t.share_link }</h3>
                    <p class="muted">{ t.share_help }</p>
                    { match &link {
                        Ok(l) => html! {
                            <div class="row-input">
                                <input id="share-link" type="text" readonly=true value={l.clone()} onfocus={select_all} aria-label={t.share_link} />
                                <button type="button" class="btn" id="share-copy" onclick={on_copy}>{ if *copied { "✓" } else { t.copy } }</button>
                            </div>
                        },
                        Err(e) => html! { <p class="form-error" id="share-error" role="alert">{ e.clone() }</p> },
                    } }
                    <h3>{ t.export_json }</h3>
                    <textarea id="export-json" readonly=true rows="5" value={json.clone()} aria-label={t.export_json} />
                    <a class="btn small" id="export-json-download" download="warren-scenario.json" href={data_url(&json)}>{ t.download }</a>
                    <h3>{ t.export_definitions }</h3>
                    <textarea id="export-definitions" readonly=true rows="4" value={defs.clone()} aria-label={t.export_definitions} />
                    <a class="btn small" id="export-definitions-download" download="definitions.json" href={data_url(&defs)}>{ t.download }</a>
                    <h3>{ t.import_title }</h3>
                    <p class="muted">{ t.import_help }</p>
                    <textarea id="import-text" rows="5" value={(*import_text).clone()} oninput={on_import_input}
                        spellcheck="false" aria-label={t.import_title} />
                    <div class="row-input">
                        <label class="file">{ t.import_file }{ " " }<input id="import-file" type="file" accept=".json,application/json" onchange={on_file} /></label>
                        if !vhosts.is_empty() {
                            <label>{ t.vhost_pick }{ " " }
                                <select id="import-vhost" onchange={on_vhost}>
                                    { for vhosts.iter().map(|v| html! { <option value={v.clone()} selected={*v == *vhost}>{ v.clone() }</option> }) }
                                </select>
                            </label>
                        }
                        <button type="button" class="btn primary" id="import-open" onclick={on_open}>{ t.import_open }</button>
                    </div>
                    if let Some(m) = &*error { <p class="form-error" id="import-error" role="alert">{ m.clone() }</p> }
                </div>
            </div>
        </div>
    }
}
