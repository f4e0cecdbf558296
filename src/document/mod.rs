//! Scenario documents: a whole Warren setup as one versioned JSON file.
//!
//! A document holds broker options (profile, seed, commit interval and
//! `consumer_timeout_ms`, RabbitMQ's `consumer_timeout`: 30 minutes if left
//! out, `null` for none), the topology (exchanges, queues, bindings), the actors
//! (producers and workers, with their behaviour), an optional script of
//! actions at virtual times or step counts, and view options (language,
//! panels, speed, autoplay, read-only). The workbench exports and imports
//! it, share links carry it (compressed, in the URL fragment), and the
//! embed player runs it.
//!
//! A script action may carry a caption, `"say": {"en": "…", "zh": "…"}`
//! (either language may be left out; at most 1000 bytes each): narration
//! that the workbench and the embed player show under the diagram from
//! the step the action plays until the next captioned action, in the
//! player's language or else the other. `"do": "say"` is an action that
//! only narrates. Captions are text, never HTML.
//!
//! Parsing is strict: an unknown field, a value of the wrong type, or one
//! out of range is an error naming its path
//! (`actors[2].prefetch: expected an integer 0..65535`). Input of any size
//! or shape gives an error, never a panic.
//!
//! The module is in four parts: `schema.rs` (the types), `validate.rs`
//! (parsing and checks), `build.rs` (a document to a simulation, through the
//! broker's one door) and `export.rs` (a simulation to a document).
//!
//! ```json
//! {"warren": 1, "title": "Work queues",
//!  "queues": [{"name": "task_queue", "durable": true}],
//!  "actors": [{"kind": "producer", "name": "new_task.py", "routing_key": "task_queue", "body": "Task {n}."},
//!             {"kind": "worker", "name": "worker 1", "queue": "task_queue", "prefetch": 1}],
//!  "script": [{"at_ms": 0, "do": "publish", "actor": "new_task.py", "count": 5,
//!              "say": {"en": "Five tasks arrive.", "zh": "五个任务到达。"}}],
//!  "view": {"language": "en", "autoplay": true}}
//! ```

pub mod definitions;
pub mod share;

mod build;
mod export;
mod schema;
mod validate;

pub use schema::*;
use std::fmt;

/// A document that cannot be used, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentError {
    /// `actors[2].prefetch`; empty for the whole document.
    pub path: String,
    pub message: String,
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DocumentError {}

pub(crate) fn err(path: impl Into<String>, message: impl Into<String>) -> DocumentError {
    DocumentError {
        path: path.into(),
        message: message.into(),
    }
}

impl Document {
    /// The document as JSON text (pretty, stable field order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_path() {
        let e = Document::parse(r#"{"warren":1,"actors":[{"kind":"worker","name":"a"},{"kind":"worker","name":"b"},{"kind":"worker","name":"c","prefetch":70000}]}"#)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "actors[2].prefetch: expected an integer 0..65535, got 70000"
        );
        let e =
            Document::parse(r#"{"warren":1,"queues":[{"name":"q","durabel":true}]}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("queues[0].durabel: unknown field `durabel`"),
            "{e}"
        );
        let e =
            Document::parse(r#"{"warren":1,"exchanges":[{"name":"x","type":"fan"}]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "exchanges[0].type: expected direct, fanout, topic or headers, got 'fan'"
        );
        let e = Document::parse(r#"{"warren":2}"#).unwrap_err();
        assert!(e.to_string().starts_with("warren: format version 2"), "{e}");
        assert!(Document::parse("{").is_err());
        assert!(Document::parse("[]").is_err());
    }

    #[test]
    fn a_document_builds_and_exports_back() {
        let text = r#"{"warren": 1, "title": "Work queues",
            "queues": [{"name": "task_queue", "durable": true}],
            "actors": [{"kind": "producer", "name": "new_task.py", "routing_key": "task_queue", "body": "Task {n}."},
                       {"kind": "worker", "name": "worker 1", "queue": "task_queue", "prefetch": 1}],
            "script": [{"at_ms": 0, "do": "publish", "actor": "new_task.py", "count": 5}]}"#;
        let doc = Document::parse(text).unwrap();
        let (sim, ids) = doc.build().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(sim.broker.queue_stats("task_queue").unwrap().consumers, 1);
        let back = Document::from_simulation(&sim, "Work queues", doc.view.clone());
        assert_eq!(back.queues, doc.queues);
        assert_eq!(back.actors, doc.actors);
        assert_eq!(Document::parse(&back.to_json()).unwrap().actors, doc.actors);
    }
}
