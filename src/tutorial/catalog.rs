//! The chapters Warren ships. A chapter is one JSON file under
//! `www/tutorials/`; adding one is adding its file, a line in [`FILES`],
//! and regenerating the index (`cargo run --bin tutorial -- index >
//! www/tutorials/index.json`).
//!
//! Two ways in. Native code (the `tutorial` binary, the tests) reads every
//! chapter compiled in, [`FILES`] and [`chapters`]. The workbench carries
//! only the [`index`] — each chapter's file, id, number, title and task
//! count, all the chapter picker shows — and fetches a chapter's file when
//! the learner opens it (issue 16: the chapters were a sixteenth of the
//! first download). Nothing in the wasm build names [`FILES`], so the
//! linker leaves the chapters' text out of it. `tests/tutorials.rs` checks
//! that the index says what the files say.

use super::{Chapter, Text};
use crate::document::DocumentError;
use serde::{Deserialize, Serialize};

/// File name and text of every built-in chapter, in order.
pub const FILES: &[(&str, &str)] = &[
    (
        "00-concepts.json",
        include_str!("../../www/tutorials/00-concepts.json"),
    ),
    (
        "01-hello-world.json",
        include_str!("../../www/tutorials/01-hello-world.json"),
    ),
    (
        "02-work-queues.json",
        include_str!("../../www/tutorials/02-work-queues.json"),
    ),
    (
        "03-acknowledgements.json",
        include_str!("../../www/tutorials/03-acknowledgements.json"),
    ),
    (
        "04-durability.json",
        include_str!("../../www/tutorials/04-durability.json"),
    ),
    (
        "05-fair-dispatch.json",
        include_str!("../../www/tutorials/05-fair-dispatch.json"),
    ),
    (
        "06-publish-subscribe.json",
        include_str!("../../www/tutorials/06-publish-subscribe.json"),
    ),
    (
        "07-routing.json",
        include_str!("../../www/tutorials/07-routing.json"),
    ),
    (
        "08-topics.json",
        include_str!("../../www/tutorials/08-topics.json"),
    ),
    (
        "09-rpc.json",
        include_str!("../../www/tutorials/09-rpc.json"),
    ),
    (
        "10-publisher-confirms.json",
        include_str!("../../www/tutorials/10-publisher-confirms.json"),
    ),
    (
        "11-headers.json",
        include_str!("../../www/tutorials/11-headers.json"),
    ),
    (
        "12-alternate-exchanges.json",
        include_str!("../../www/tutorials/12-alternate-exchanges.json"),
    ),
    (
        "13-dead-lettering.json",
        include_str!("../../www/tutorials/13-dead-lettering.json"),
    ),
    (
        "14-streams.json",
        include_str!("../../www/tutorials/14-streams.json"),
    ),
];

/// Every built-in chapter, parsed; a chapter that does not parse is
/// reported with its file name (the tests make sure none does).
pub fn chapters() -> Vec<Result<Chapter, (String, DocumentError)>> {
    FILES
        .iter()
        .map(|(file, text)| Chapter::parse(text).map_err(|e| (file.to_string(), e)))
        .collect()
}

/// What the chapter picker knows of a chapter before its file is fetched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// The chapter's file name under `www/tutorials/`.
    pub file: String,
    pub id: String,
    pub number: u32,
    pub title: Text,
    /// The tasks the engine can run (a chapter whose saved progress
    /// reaches this many is marked done).
    pub tasks: usize,
}

/// `www/tutorials/index.json`, compiled in: a couple of KB where the
/// chapters are hundreds.
pub const INDEX: &str = include_str!("../../www/tutorials/index.json");

/// The chapters' index, in order; empty if it does not parse (the tests
/// make sure it does).
pub fn index() -> Vec<IndexEntry> {
    serde_json::from_str(INDEX).unwrap_or_default()
}

/// The index as [`FILES`] says it should be: what `tutorial index` prints
/// and `www/tutorials/index.json` must equal.
pub fn index_of_files() -> Result<Vec<IndexEntry>, (String, DocumentError)> {
    FILES
        .iter()
        .zip(chapters())
        .map(|((file, _), chapter)| {
            chapter.map(|c| IndexEntry {
                file: file.to_string(),
                id: c.id,
                number: c.number,
                title: c.title,
                tasks: c.tasks.len(),
            })
        })
        .collect()
}
