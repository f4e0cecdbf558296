//! RabbitMQ's `definitions.json` (the management UI's export format):
//! importing its exchanges, queues and bindings into a document, and
//! exporting a document's topology the same way, entirely offline.
//!
//! A definitions file may hold several vhosts; importing then asks which
//! one ([`DefinitionsError::ChooseVhost`]). Users, permissions, policies and
//! parameters are ignored on import (Warren has one vhost and one user) and
//! written empty on export.

use crate::document::{BindingDoc, DestinationType, Document, ExchangeDoc, QueueDoc};
use crate::engine::exchange::ExchangeType;
use crate::engine::value::FieldTable;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefinitionsError {
    /// The file is not valid definitions; the path says where.
    Invalid(String),
    /// The file holds several vhosts: pick one of these.
    ChooseVhost(Vec<String>),
    /// The chosen vhost is not in the file.
    NoSuchVhost(String),
}

impl fmt::Display for DefinitionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefinitionsError::Invalid(m) => write!(f, "not a RabbitMQ definitions file: {m}"),
            DefinitionsError::ChooseVhost(v) => write!(
                f,
                "the file holds several vhosts; choose one of: {}",
                v.join(", ")
            ),
            DefinitionsError::NoSuchVhost(v) => write!(f, "the file has no vhost '{v}'"),
        }
    }
}

impl std::error::Error for DefinitionsError {}

#[derive(Deserialize, Serialize, Default)]
struct Definitions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rabbit_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rabbitmq_version: Option<String>,
    #[serde(default)]
    vhosts: Vec<VhostDef>,
    #[serde(default)]
    queues: Vec<QueueDef>,
    #[serde(default)]
    exchanges: Vec<ExchangeDef>,
    #[serde(default)]
    bindings: Vec<BindingDef>,
    /// Everything else (users, permissions, policies, …) passes through unread.
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize, Serialize)]
struct VhostDef {
    name: String,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

fn default_vhost() -> String {
    "/".to_string()
}

#[derive(Deserialize, Serialize)]
struct QueueDef {
    name: String,
    #[serde(default = "default_vhost")]
    vhost: String,
    #[serde(default)]
    durable: bool,
    #[serde(default)]
    auto_delete: bool,
    #[serde(default, serialize_with = "plain_table")]
    arguments: FieldTable,
}

#[derive(Deserialize, Serialize)]
struct ExchangeDef {
    name: String,
    #[serde(default = "default_vhost")]
    vhost: String,
    #[serde(rename = "type")]
    kind: ExchangeType,
    #[serde(default)]
    durable: bool,
    #[serde(default)]
    auto_delete: bool,
    #[serde(default)]
    internal: bool,
    #[serde(default, serialize_with = "plain_table")]
    arguments: FieldTable,
}

#[derive(Deserialize, Serialize)]
struct BindingDef {
    source: String,
    #[serde(default = "default_vhost")]
    vhost: String,
    destination: String,
    destination_type: DestinationType,
    #[serde(default)]
    routing_key: String,
    #[serde(default, serialize_with = "plain_table")]
    arguments: FieldTable,
}

/// Arguments as RabbitMQ writes them in definitions: plain JSON values.
fn plain_table<S: serde::Serializer>(t: &FieldTable, s: S) -> Result<S::Ok, S::Error> {
    crate::engine::value::table_to_plain_json(t).serialize(s)
}

/// Imports the topology of one vhost (`vhost`, or the only one) into a
/// fresh document, validated like any document.
pub fn import(text: &str, vhost: Option<&str>) -> Result<Document, DefinitionsError> {
    if text.len() > crate::document::bounds::TEXT_BYTES_MAX * 8 {
        return Err(DefinitionsError::Invalid(
            "the file is larger than 8 MB".into(),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let defs: Definitions = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        DefinitionsError::Invalid(format!("{path}: {}", e.into_inner()))
    })?;
    let mut vhosts: Vec<String> = defs.vhosts.iter().map(|v| v.name.clone()).collect();
    for v in defs
        .queues
        .iter()
        .map(|q| &q.vhost)
        .chain(defs.exchanges.iter().map(|x| &x.vhost))
        .chain(defs.bindings.iter().map(|b| &b.vhost))
    {
        if !vhosts.contains(v) {
            vhosts.push(v.clone());
        }
    }
    let chosen = match (vhost, vhosts.len()) {
        (Some(v), _) if vhosts.iter().any(|x| x == v) => v.to_string(),
        (Some(v), _) => return Err(DefinitionsError::NoSuchVhost(v.to_string())),
        (None, 0) => "/".to_string(),
        (None, 1) => vhosts[0].clone(),
        (None, _) => return Err(DefinitionsError::ChooseVhost(vhosts)),
    };
    let mut doc = Document {
        title: format!("definitions.json (vhost {chosen})"),
        ..Document::default()
    };
    doc.exchanges = defs
        .exchanges
        .into_iter()
        .filter(|x| x.vhost == chosen && !x.name.is_empty() && !x.name.starts_with("amq."))
        .map(|x| ExchangeDoc {
            name: x.name,
            kind: x.kind,
            durable: x.durable,
            auto_delete: x.auto_delete,
            internal: x.internal,
            arguments: x.arguments,
        })
        .collect();
    doc.queues = defs
        .queues
        .into_iter()
        .filter(|q| q.vhost == chosen)
        .map(|q| QueueDoc {
            name: q.name,
            durable: q.durable,
            exclusive: false,
            auto_delete: q.auto_delete,
            arguments: q.arguments,
        })
        .collect();
    doc.bindings = defs
        .bindings
        .into_iter()
        .filter(|b| b.vhost == chosen && !b.source.is_empty())
        .map(|b| BindingDoc {
            source: b.source,
            destination: b.destination,
            destination_type: b.destination_type,
            routing_key: b.routing_key,
            arguments: b.arguments,
        })
        .collect();
    doc.validate()
        .map_err(|e| DefinitionsError::Invalid(e.to_string()))?;
    Ok(doc)
}

/// The document's topology as a RabbitMQ definitions file (vhost `/`).
pub fn export(doc: &Document) -> String {
    let defs = Definitions {
        rabbit_version: Some("3.10.8".into()),
        rabbitmq_version: Some("3.10.8".into()),
        vhosts: vec![VhostDef {
            name: "/".into(),
            rest: Default::default(),
        }],
        queues: doc
            .queues
            .iter()
            .filter(|q| !q.exclusive)
            .map(|q| QueueDef {
                name: q.name.clone(),
                vhost: "/".into(),
                durable: q.durable,
                auto_delete: q.auto_delete,
                arguments: q.arguments.clone(),
            })
            .collect(),
        exchanges: doc
            .exchanges
            .iter()
            .map(|x| ExchangeDef {
                name: x.name.clone(),
                vhost: "/".into(),
                kind: x.kind,
                durable: x.durable,
                auto_delete: x.auto_delete,
                internal: x.internal,
                arguments: x.arguments.clone(),
            })
            .collect(),
        bindings: doc
            .bindings
            .iter()
            .map(|b| BindingDef {
                source: b.source.clone(),
                vhost: "/".into(),
                destination: b.destination.clone(),
                destination_type: b.destination_type,
                routing_key: b.routing_key.clone(),
                arguments: b.arguments.clone(),
            })
            .collect(),
        rest: [
            "users",
            "permissions",
            "topic_permissions",
            "parameters",
            "global_parameters",
            "policies",
        ]
        .into_iter()
        .map(|k| (k.to_string(), serde_json::Value::Array(Vec::new())))
        .collect(),
    };
    serde_json::to_string_pretty(&defs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "rabbit_version": "3.10.8",
      "users": [{"name": "guest", "tags": "administrator"}],
      "vhosts": [{"name": "/"}, {"name": "staging"}],
      "queues": [{"name": "task_queue", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-max-length": 10}},
                 {"name": "other", "vhost": "staging", "durable": true, "auto_delete": false, "arguments": {}}],
      "exchanges": [{"name": "logs", "vhost": "/", "type": "fanout", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}],
      "bindings": [{"source": "logs", "vhost": "/", "destination": "task_queue", "destination_type": "queue", "routing_key": "", "arguments": {}}],
      "policies": []
    }"#;

    #[test]
    fn several_vhosts_ask_which_one() {
        assert_eq!(
            import(SAMPLE, None).unwrap_err(),
            DefinitionsError::ChooseVhost(vec!["/".into(), "staging".into()])
        );
        let doc = import(SAMPLE, Some("/")).unwrap();
        assert_eq!(doc.queues.len(), 1);
        assert_eq!(
            doc.queues[0].arguments["x-max-length"],
            crate::engine::value::FieldValue::Int(10)
        );
        assert_eq!(doc.bindings.len(), 1);
        assert!(matches!(
            import(SAMPLE, Some("prod")),
            Err(DefinitionsError::NoSuchVhost(_))
        ));
    }

    #[test]
    fn export_then_import_round_trips() {
        let doc = import(SAMPLE, Some("/")).unwrap();
        let again = import(&export(&doc), None).unwrap();
        assert_eq!(again.queues, doc.queues);
        assert_eq!(again.exchanges, doc.exchanges);
        assert_eq!(again.bindings, doc.bindings);
    }

    #[test]
    fn bad_types_name_their_path() {
        let e = import(r#"{"queues":[{"name":"q","durable":"yes"}]}"#, None).unwrap_err();
        assert!(e.to_string().contains("queues[0].durable"), "{e}");
    }
}
