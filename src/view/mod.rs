//! The view layer, pure: what the workbench shows, worked out from the
//! simulation without a browser, so it builds and is tested natively
//! (`tests/diagram_layout.rs`, `tests/view_inspectors.rs`,
//! `tests/timeline.rs`, `tests/event_log.rs`, `tests/script.rs`) and `ui/` only
//! renders it. Like the engine
//! it names no web API, clock or randomness (`tests/purity.rs`): the same
//! world gives the same picture.
//!
//! - [`arrangement`]: where a person put the nodes, by name, saved and
//!   read back (a reload, the same chapter again).
//! - [`layout`]: the diagram: nodes in columns (producers → exchanges →
//!   queues → workers), a person's dragged positions, edges and their
//!   labels, and the view box that fits them.
//! - [`route`]: the line each edge follows (around nodes when a curve
//!   would cross one) and where its label sits.
//! - [`geometry`]: rectangles, text widths and clipping, zoom to fit.
//! - [`viewport`]: which part of the drawing the screen shows, and how big:
//!   zoom to fit, zoom about a point, pan, pinch.
//! - [`stream_log`]: a stream's log as rows by offset, and each consumer's
//!   next offset and credit (the queue inspector).
//! - [`deliveries`]: a quorum queue's delivery counts, and the
//!   acknowledgement timeout's countdown on each unacknowledged delivery
//!   (the queue, worker and message inspectors).
//! - [`timeline`]: the run as ticks a person scrubs: recording, snapshots,
//!   stepping back by replaying, and what the durable store must mirror
//!   (`tests/timeline.rs`).
//! - [`event_log`]: the log a person reads: the filter, the selection an
//!   entry involves, broker and worker events interleaved, each with its
//!   step and sentence in English or Chinese (`tests/event_log.rs`).
//! - [`script`]: a scenario's script played as the timeline moves: each
//!   action resolved to commands when due, its caption by position
//!   (`tests/script.rs`).
//! - [`presets`]: the lesson buttons' setups (tutorials 1 to 5) as commands.

pub mod arrangement;
pub mod deliveries;
pub mod event_log;
pub mod geometry;
pub mod layout;
pub mod presets;
pub mod route;
pub mod script;
pub mod stream_log;
pub mod timeline;
pub mod viewport;
