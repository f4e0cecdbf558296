//! Tutorials: guided chapters that a learner works through in the
//! workbench, each checked against the broker itself.
//!
//! A chapter is data, one JSON file under `www/tutorials/` (see
//! [`catalog`]): a title and an explanation in English and Simplified
//! Chinese, a starting scenario (a [`Document`]), and tasks. A task says
//! what to do, offers hints, lists *checkpoints* — conditions on the
//! engine's state and event log ([`check`]), never on the page — and
//! carries a solution: the workbench actions ([`action`]) that "show me"
//! performs. [`progress`] follows a learner through a chapter; [`pika`]
//! writes the Python (pika) code equivalent to what is on the screen.
//!
//! The contract each chapter meets, proven by `tests/tutorials.rs`: its
//! starting state does not pass the first task's checkpoints, and playing
//! the solutions in order passes every task's checkpoints in turn. Every
//! task also has a hint in both languages and the exact pika line it
//! stands for (`pika`, checked against what [`pika`] writes for its
//! solution), and the counts its goal names are the counts its
//! checkpoints ask for.
//!
//! A task may wait for the engine: `"needs": "consumer_timeout"` keeps it
//! out of its chapter until [`ENGINE_FEATURES`] lists the feature (the
//! task is parsed and checked all the same, and kept in
//! [`Chapter::pending`]; a test says when the engine can run it).
//!
//! ```json
//! {"tutorial": 1, "id": "01-hello-world", "number": 1,
//!  "title": {"en": "Hello World", "zh": "你好，世界"},
//!  "summary": {"en": "…", "zh": "…"}, "intro": {"en": "…", "zh": "…"},
//!  "start": {"warren": 1, "queues": [{"name": "hello"}]},
//!  "tasks": [{"id": "send", "goal": {"en": "…", "zh": "…"},
//!             "checks": [{"label": {"en": "…", "zh": "…"},
//!                         "expect": {"queue": {"name": "hello", "ready": 1}}}],
//!             "solution": [{"do": "publish", "producer": "send.py"}]}]}
//! ```

pub mod action;
pub mod catalog;
pub mod check;
pub mod pika;
pub mod progress;

use crate::document::{Document, DocumentError, Language};
use action::Action;
use check::Checkpoint;
use serde::{Deserialize, Serialize};

/// The chapter format version this build reads.
pub const TUTORIAL_VERSION: u32 = 1;

/// Engine features a task may wait for (its `needs`), each with what it
/// is. A task that needs one of these is left out of its chapter until
/// the feature is in [`ENGINE_FEATURES`].
pub const KNOWN_NEEDS: &[(&str, &str)] = &[(
    "consumer_timeout",
    "the delivery acknowledgement timeout: a delivery left unacked past the broker's \
     consumer_timeout (30 min) closes its channel with 406 PRECONDITION_FAILED (issue 17)",
)];

/// The features of [`KNOWN_NEEDS`] the engine has. Adding one here turns
/// on the tasks that wait for it (`tests/tutorials.rs` tells when a
/// pending task would pass: then it belongs here).
pub const ENGINE_FEATURES: &[&str] = &["consumer_timeout"];

/// A text in both of Warren's languages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::En => &self.en,
            Language::Zh => &self.zh,
        }
    }
}

/// A term of chapter 0, pointed at on the live diagram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    pub term: Text,
    pub text: Text,
    /// What to highlight: `exchange:NAME`, `queue:NAME`, `producer:NAME`,
    /// `worker:NAME`, `binding:SOURCE>DESTINATION`, or `broker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<String>,
}

/// What the blog lessons (`../shared/lessons`) call something, and what
/// RabbitMQ calls it: chapter 0's bridge for a learner who arrives from
/// them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bridge {
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// One entry per term or mistake: what the lessons wrote, then what
    /// it is.
    pub entries: Vec<Concept>,
}

/// One thing to do, and how Warren knows it was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Stable within its chapter (progress is saved by it).
    pub id: String,
    pub goal: Text,
    /// Shown once the task is done: why it behaved so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Text>,
    /// Worded for both ways of doing the task: the workbench's controls
    /// and the pika code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<Text>,
    /// The pika line(s) the task stands for, as Warren's code panel writes
    /// them (`#` lines are comments). The same in both languages.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pika: String,
    /// An engine feature the task waits for (one of [`KNOWN_NEEDS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    pub checks: Vec<Checkpoint>,
    /// What "show me" does, from the state the previous task left.
    pub solution: Vec<Action>,
}

impl Task {
    /// Whether the engine has what this task needs.
    pub fn ready(&self) -> bool {
        self.needs
            .as_deref()
            .is_none_or(|n| ENGINE_FEATURES.contains(&n))
    }
}

/// A chapter as written in its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChapterFile {
    tutorial: u32,
    id: String,
    number: u32,
    title: Text,
    summary: Text,
    /// Paragraphs separated by a blank line; `code` in backticks.
    intro: Text,
    #[serde(default)]
    concepts: Vec<Concept>,
    #[serde(default)]
    bridge: Option<Bridge>,
    start: serde_json::Value,
    tasks: Vec<Task>,
    #[serde(default)]
    wrap_up: Option<Text>,
}

/// A chapter, parsed and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Chapter {
    pub id: String,
    pub number: u32,
    pub title: Text,
    pub summary: Text,
    pub intro: Text,
    pub concepts: Vec<Concept>,
    pub bridge: Option<Bridge>,
    pub start: Document,
    /// The tasks the engine can run, in order.
    pub tasks: Vec<Task>,
    /// Tasks waiting for an engine feature (see [`Task::needs`]): each
    /// with the number of tasks before it in the file's order.
    pub pending: Vec<(usize, Task)>,
    pub wrap_up: Option<Text>,
}

fn err(path: impl Into<String>, message: impl Into<String>) -> DocumentError {
    DocumentError {
        path: path.into(),
        message: message.into(),
    }
}

impl Chapter {
    /// Parses a chapter file. Errors name the path, as documents' do
    /// (`tasks[1].checks[0].expect.queue.ready: …`).
    pub fn parse(text: &str) -> Result<Chapter, DocumentError> {
        if text.len() > crate::document::bounds::TEXT_BYTES_MAX {
            return Err(err("", "the chapter is larger than 1 MiB"));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let file: ChapterFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            err(if path == "." { String::new() } else { path }, message)
        })?;
        if file.tutorial != TUTORIAL_VERSION {
            return Err(err(
                "tutorial",
                format!(
                    "format version {} is not supported (this Warren reads version {TUTORIAL_VERSION})",
                    file.tutorial
                ),
            ));
        }
        let start = Document::from_value(file.start).map_err(|e| DocumentError {
            path: if e.path.is_empty() {
                "start".into()
            } else {
                format!("start.{}", e.path)
            },
            message: e.message,
        })?;
        if file.id.is_empty()
            || !file
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(err("id", "letters, digits and '-' only, not empty"));
        }
        if file.tasks.is_empty() {
            return Err(err("tasks", "a chapter needs at least one task"));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, task) in file.tasks.iter().enumerate() {
            if !ids.insert(task.id.as_str()) {
                return Err(err(format!("tasks[{i}].id"), "another task has this id"));
            }
            if task.checks.is_empty() {
                return Err(err(
                    format!("tasks[{i}].checks"),
                    "a task needs a checkpoint",
                ));
            }
            for (c, checkpoint) in task.checks.iter().enumerate() {
                checkpoint
                    .expect
                    .validate()
                    .map_err(|m| err(format!("tasks[{i}].checks[{c}].expect"), m))?;
            }
            for (a, step) in task.solution.iter().enumerate() {
                step.validate()
                    .map_err(|m| err(format!("tasks[{i}].solution[{a}]"), m))?;
            }
            if let Some(need) = &task.needs {
                if !KNOWN_NEEDS.iter().any(|(n, _)| n == need) {
                    return Err(err(
                        format!("tasks[{i}].needs"),
                        format!(
                            "no engine feature is called '{need}' (known: {})",
                            KNOWN_NEEDS
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        let (mut tasks, mut pending) = (Vec::new(), Vec::new());
        for task in file.tasks {
            if task.ready() {
                tasks.push(task);
            } else {
                pending.push((tasks.len(), task));
            }
        }
        if tasks.is_empty() {
            return Err(err("tasks", "every task waits for the engine"));
        }
        Ok(Chapter {
            id: file.id,
            number: file.number,
            title: file.title,
            summary: file.summary,
            intro: file.intro,
            concepts: file.concepts,
            bridge: file.bridge,
            start,
            tasks,
            pending,
            wrap_up: file.wrap_up,
        })
    }
}

/// How a run of tutorial prose is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    Plain,
    /// In backticks: code.
    Code,
    /// Between asterisks: emphasis.
    Em,
}

/// Splits one line of prose into plain, `code` and *emphasis* runs.
pub fn runs(text: &str) -> Vec<(Run, &str)> {
    let mut out = Vec::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            if !part.is_empty() {
                out.push((Run::Code, part));
            }
            continue;
        }
        for (j, piece) in part.split('*').enumerate() {
            if !piece.is_empty() {
                out.push((if j % 2 == 1 { Run::Em } else { Run::Plain }, piece));
            }
        }
    }
    out
}

/// Splits tutorial prose into paragraphs (separated by a blank line) of
/// runs, for a renderer that shows every run as text, never as HTML.
pub fn paragraphs(text: &str) -> Vec<Vec<(Run, &str)>> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(runs)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_code_and_emphasis_runs() {
        let p = paragraphs("One `a*b` *two*.\n\nThree `b`");
        assert_eq!(
            p,
            vec![
                vec![
                    (Run::Plain, "One "),
                    (Run::Code, "a*b"),
                    (Run::Plain, " "),
                    (Run::Em, "two"),
                    (Run::Plain, ".")
                ],
                vec![(Run::Plain, "Three "), (Run::Code, "b")]
            ]
        );
    }

    #[test]
    fn chapter_errors_name_the_path() {
        let e = Chapter::parse(r#"{"tutorial":1,"id":"x","number":1,"title":{"en":"","zh":""},"summary":{"en":"","zh":""},"intro":{"en":"","zh":""},"start":{"warren":1,"queues":[{"name":"q","durabel":true}]},"tasks":[]}"#).unwrap_err();
        assert!(e.to_string().starts_with("start.queues[0].durabel"), "{e}");
        let e = Chapter::parse(r#"{"tutorial":1,"id":"x","number":1,"title":{"en":""},"summary":{"en":"","zh":""},"intro":{"en":"","zh":""},"start":{"warren":1},"tasks":[]}"#).unwrap_err();
        assert!(e.to_string().contains("title"), "{e}");
    }
}
