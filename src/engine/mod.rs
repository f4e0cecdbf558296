//! The broker engine: a pure, deterministic model of a RabbitMQ broker.
//!
//! Nothing in this module may touch the browser, the wall clock or OS
//! randomness (`tests/purity.rs` greps for it): time is virtual
//! ([`clock`]) and the only source of randomness is a seeded generator
//! ([`rng`]), so the same seed and the same commands always produce the
//! same run, natively and in WebAssembly.
//!
//! # Layout, by AMQP concept
//!
//! - [`broker`]: the state, the agenda of pending work, timers, the log.
//! - [`method`]: the AMQP vocabulary (methods and their replies);
//!   [`methods`]: the broker side of each, one file per AMQP class, and
//!   `Broker::apply`, the one door every client comes in by;
//!   [`outbox`]: what the broker sends each connection on its own.
//! - [`exchange`]: exchange types and their routing indexes; [`routing`]
//!   follows exchange-to-exchange bindings and alternate exchanges.
//! - [`queue`], [`queue_args`]: queues, their ready messages and arguments;
//!   [`queue_type`]: classic, quorum and stream queues' own rules.
//! - [`consumer`]: consumers and the order a queue serves them in.
//! - [`channel`]: channels and connections, delivery tags, unacked deliveries;
//!   [`ack_timeout`]: the delivery acknowledgement timeout (`consumer_timeout`);
//!   [`quorum_timeout`]: RabbitMQ 4.3's, kept by quorum queues per consumer.
//! - [`dispatch`]: delivering to consumers; TTL and length limits at the head.
//! - [`dead_letter`]: dead-lettering and the `x-death` header.
//! - [`message`], [`value`]: messages, properties, AMQP field values.
//! - [`event`]: the event log's vocabulary.
//! - [`error`]: AMQP reply codes and errors; [`limits`]: every bound.
//! - [`durable`], [`persist`], [`lifecycle`]: what survives a restart, the
//!   batched commits that write it, restart and crash.
//! - [`profile`]: RabbitMQ 3.x or 4.3 behaviour.
//! - [`vhost`]: the virtual host, users and permissions; [`operator`]: the
//!   queue and connection commands of `rabbitmqctl`.

pub mod ack_timeout;
pub mod broker;
pub mod channel;
pub mod client;
pub mod clock;
pub mod consumer;
pub mod dead_letter;
pub mod dispatch;
pub mod durable;
pub mod error;
pub mod event;
pub mod exchange;
pub mod ids;
pub mod lifecycle;
pub mod limits;
pub mod message;
pub mod method;
pub mod methods;
pub mod operator;
pub mod outbox;
pub mod persist;
pub mod profile;
pub mod queue;
pub mod queue_args;
pub mod queue_type;
pub mod quorum_timeout;
pub mod rng;
pub mod routing;
pub mod stream_log;
pub mod stream_segments;
pub mod value;
pub mod vhost;

pub use broker::{Broker, BrokerConfig};
pub use error::{AmqpError, CommandError, ReplyCode};
pub use method::{Method, Reply};
pub use outbox::{Outgoing, ServerMethod};
pub use profile::Profile;

/// The name of the product, shown by the UI.
pub const PRODUCT: &str = "Warren";
