//! Warren: a RabbitMQ (AMQP 0-9-1) broker simulator that runs in the browser.
//!
//! # Layout
//!
//! - [`engine`]: the broker itself, a pure and deterministic state machine.
//!   No web APIs, no wall clock, no OS randomness: it builds and is tested
//!   natively, and behaves byte-for-byte the same compiled to WebAssembly.
//! - [`sim`]: producers and workers (the tutorials' programs) around a broker.
//! - [`document`]: scenario documents (export, import, share links,
//!   RabbitMQ definitions.json).
//! - [`conformance`]: replays RabbitMQ-recorded scenarios against the engine.
//! - [`control`]: warrenctl, a rabbitmqctl-compatible command line (pure;
//!   the server answers it on its control port).
//! - [`describe`]: the log for people: one sentence per event, English
//!   and Chinese (the workbench's log, `warren-server`'s output).
//! - [`benchmark`]: benchmark workloads, shared by native and wasm runs.
//! - [`wire`]: the AMQP 0-9-1 wire codec (frames, methods, tables), pure.
//! - [`workload`]: seeded random workloads (determinism checks, benchmarks).
//! - [`view`]: what the workbench draws, pure: the diagram's layout, edge
//!   routes and labels (tested natively; `ui` renders it).
//! - `store`: durable state (in-memory, and IndexedDB in the browser).
//! - `server` (native only): `warren-server`, the engine behind real AMQP
//!   0-9-1 sockets (tokio, one thread), with the disk store.
//! - `ui` (wasm32 only): the yew workbench.
//! - `api` (wasm32 only): the JavaScript API exported with wasm-bindgen.
//!
//! `ARCHITECTURE.md` at the top of the repository is the map; start there.

pub mod benchmark;
pub mod conformance;
pub mod control;
pub mod describe;
pub mod document;
pub mod engine;
pub mod sim;
pub mod store;
pub mod tutorial;
pub mod view;
pub mod wire;
pub mod workload;

#[cfg(not(target_arch = "wasm32"))]
pub mod server;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod ui;
