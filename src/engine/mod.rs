//! The broker engine: a pure, deterministic model of a RabbitMQ broker.
//!
//! Nothing in this module may touch the browser, the wall clock or OS
//! randomness (a test greps for it): time is virtual and the only source of
//! randomness is a seeded generator, so the same seed and the same commands
//! always produce the same run.

/// The name of the product, shown by the UI.
pub const PRODUCT: &str = "Warren";
