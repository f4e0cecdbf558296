//! Reading a document: strict parsing (errors name their path) and the
//! checks the types alone cannot make.

use crate::document::schema::{
    bounds, ActorDoc, Caption, Document, ScriptVerb, DOCUMENT_VERSION, PANELS,
};
use crate::document::{err, DocumentError};
use crate::engine;
use serde::Deserialize;

/// Deserializes `value` as a `T`, naming the path of any error under `prefix`.
pub(crate) fn typed<T: for<'de> Deserialize<'de>>(
    prefix: &str,
    value: serde_json::Value,
) -> Result<T, DocumentError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let message = e.into_inner().to_string();
        let path = match (prefix.is_empty(), inner == ".") {
            (true, true) => String::new(),
            (true, false) => inner,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{inner}"),
        };
        err(path, message)
    })
}

fn check_name(path: String, name: &str) -> Result<(), DocumentError> {
    if name.len() > engine::limits::SHORTSTR_BYTES_MAX {
        return Err(err(
            path,
            format!("{} bytes; names hold at most 255", name.len()),
        ));
    }
    Ok(())
}

fn check_len<T>(path: &str, items: &[T], max: usize) -> Result<(), DocumentError> {
    if items.len() > max {
        return Err(err(
            path,
            format!("{} entries; at most {max} are allowed", items.len()),
        ));
    }
    Ok(())
}

/// A caption holds some text, and none of it too long.
fn check_caption(path: &str, caption: &Caption) -> Result<(), DocumentError> {
    if caption.en.is_none() && caption.zh.is_none() {
        return Err(err(path, "a caption needs en, zh or both"));
    }
    for (language, text) in [("en", &caption.en), ("zh", &caption.zh)] {
        let Some(text) = text else { continue };
        if text.len() > bounds::CAPTION_BYTES_MAX {
            return Err(err(
                format!("{path}.{language}"),
                format!(
                    "{} bytes; a caption holds at most {}",
                    text.len(),
                    bounds::CAPTION_BYTES_MAX
                ),
            ));
        }
    }
    Ok(())
}

impl Document {
    /// Parses and validates a document.
    pub fn parse(text: &str) -> Result<Document, DocumentError> {
        if text.len() > bounds::TEXT_BYTES_MAX {
            return Err(err(
                "",
                format!(
                    "the document is {} bytes; at most {} are allowed",
                    text.len(),
                    bounds::TEXT_BYTES_MAX
                ),
            ));
        }
        // serde_json refuses nesting deeper than 128 levels, so no input can
        // overflow the stack here.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| err("", format!("not valid JSON: {e}")))?;
        Document::from_value(value)
    }

    /// Builds a document from parsed JSON. Actors are read one by one (by
    /// their `kind`), so an error inside one names its full path.
    pub fn from_value(value: serde_json::Value) -> Result<Document, DocumentError> {
        let serde_json::Value::Object(mut top) = value else {
            return Err(err("", "a Warren document is a JSON object"));
        };
        let actors = match top.remove("actors") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::Array(items)) => items,
            Some(_) => return Err(err("actors", "expected a list")),
        };
        let mut doc: Document = typed("", serde_json::Value::Object(top))?;
        for (i, actor) in actors.into_iter().enumerate() {
            let path = format!("actors[{i}]");
            let serde_json::Value::Object(mut fields) = actor else {
                return Err(err(path, "expected an object"));
            };
            let kind = fields.remove("kind");
            let actor = match kind.as_ref().and_then(|k| k.as_str()) {
                Some("producer") => {
                    ActorDoc::Producer(typed(&path, serde_json::Value::Object(fields))?)
                }
                Some("worker") => {
                    ActorDoc::Worker(typed(&path, serde_json::Value::Object(fields))?)
                }
                _ => {
                    return Err(err(
                        format!("{path}.kind"),
                        "expected \"producer\" or \"worker\"",
                    ))
                }
            };
            doc.actors.push(actor);
        }
        doc.validate()?;
        Ok(doc)
    }

    /// Checks what the types alone cannot: version, sizes, names, ranges,
    /// references between entries.
    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.warren != DOCUMENT_VERSION {
            return Err(err(
                "warren",
                format!("format version {} is not supported (this Warren reads version {DOCUMENT_VERSION})", self.warren),
            ));
        }
        check_len("exchanges", &self.exchanges, bounds::ENTITIES_MAX)?;
        check_len("queues", &self.queues, bounds::ENTITIES_MAX)?;
        check_len("bindings", &self.bindings, bounds::ENTITIES_MAX * 4)?;
        check_len("actors", &self.actors, bounds::ACTORS_MAX)?;
        check_len("script", &self.script, bounds::SCRIPT_MAX)?;
        for (i, x) in self.exchanges.iter().enumerate() {
            check_name(format!("exchanges[{i}].name"), &x.name)?;
        }
        for (i, q) in self.queues.iter().enumerate() {
            check_name(format!("queues[{i}].name"), &q.name)?;
        }
        for (i, b) in self.bindings.iter().enumerate() {
            check_name(format!("bindings[{i}].source"), &b.source)?;
            check_name(format!("bindings[{i}].destination"), &b.destination)?;
            check_name(format!("bindings[{i}].routing_key"), &b.routing_key)?;
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, a) in self.actors.iter().enumerate() {
            let path = format!("actors[{i}]");
            if a.name().is_empty() {
                return Err(err(format!("{path}.name"), "an actor needs a name"));
            }
            if !names.insert(a.name().to_string()) {
                return Err(err(
                    format!("{path}.name"),
                    format!("another actor is already called '{}'", a.name()),
                ));
            }
            check_name(format!("{path}.name"), a.name())?;
            match a {
                ActorDoc::Producer(p) => {
                    check_name(format!("{path}.exchange"), &p.exchange)?;
                    check_name(format!("{path}.routing_key"), &p.routing_key)?;
                    if p.body.len() > bounds::BODY_BYTES_MAX {
                        return Err(err(
                            format!("{path}.body"),
                            format!("at most {} bytes", bounds::BODY_BYTES_MAX),
                        ));
                    }
                    if let Some(m) = p.properties.delivery_mode {
                        if !(1..=2).contains(&m) {
                            return Err(err(
                                format!("{path}.properties.delivery_mode"),
                                "expected 1 (transient) or 2 (persistent)",
                            ));
                        }
                    }
                    for (field, value) in p.properties.short_strings() {
                        if let Some(v) = value {
                            check_name(format!("{path}.properties.{field}"), v)?;
                        }
                    }
                    if p.every_ms.is_some_and(|ms| ms.get() == 0) {
                        return Err(err(
                            format!("{path}.every_ms"),
                            "expected an integer 1..31536000000, got 0",
                        ));
                    }
                }
                ActorDoc::Worker(w) => {
                    check_name(format!("{path}.queue"), &w.queue)?;
                    if let Some(sub) = &w.subscribe {
                        check_name(format!("{path}.subscribe.exchange"), &sub.exchange)?;
                        check_len(
                            &format!("{path}.subscribe.routing_keys"),
                            &sub.routing_keys,
                            bounds::ENTITIES_MAX,
                        )?;
                        for (k, key) in sub.routing_keys.iter().enumerate() {
                            check_name(format!("{path}.subscribe.routing_keys[{k}]"), key)?;
                        }
                    }
                }
            }
        }
        for (i, s) in self.script.iter().enumerate() {
            let path = format!("script[{i}]");
            match (s.at_ms, s.at_step) {
                (None, None) => return Err(err(path, "needs at_ms or at_step")),
                (Some(_), Some(_)) => return Err(err(path, "give at_ms or at_step, not both")),
                _ => {}
            }
            let Some(verb) = &s.verb else {
                return Err(err(format!("{path}.do"), "missing"));
            };
            if let Some(caption) = &s.say {
                check_caption(&format!("{path}.say"), caption)?;
            } else if *verb == ScriptVerb::Say {
                return Err(err(
                    format!("{path}.say"),
                    "\"do\": \"say\" needs a caption (say.en, say.zh or both)",
                ));
            }
            let needs_actor = !matches!(
                verb,
                ScriptVerb::Restart | ScriptVerb::Crash | ScriptVerb::Say
            );
            if needs_actor && !names.contains(&s.actor) {
                return Err(err(
                    format!("{path}.actor"),
                    format!("no actor called '{}'", s.actor),
                ));
            }
        }
        if !(0.01..=1000.0).contains(&self.view.speed) {
            return Err(err(
                "view.speed",
                format!("expected a number 0.01..1000, got {}", self.view.speed),
            ));
        }
        for (i, p) in self.view.panels.iter().enumerate() {
            if !PANELS.contains(&p.as_str()) {
                return Err(err(
                    format!("view.panels[{i}]"),
                    format!("expected one of {}, got '{p}'", PANELS.join(", ")),
                ));
            }
        }
        Ok(())
    }
}
