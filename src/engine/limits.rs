//! Every bound the engine enforces, in one place, units last.
//!
//! AMQP itself bounds short strings (names, routing keys, consumer tags,
//! table keys) to 255 bytes. The other limits protect the page: a simulator
//! runs in a browser tab, and hostile input (a huge scenario in a shared URL)
//! must produce an error, never an out-of-memory crash.

/// AMQP short strings: exchange and queue names, routing keys, consumer tags.
pub const SHORTSTR_BYTES_MAX: usize = 255;

/// Nesting depth of header and argument tables.
pub const TABLE_DEPTH_MAX: usize = 32;

/// Highest `x-max-priority` RabbitMQ accepts.
pub const PRIORITY_MAX: u8 = 255;

/// Largest prefetch count (a 16-bit field on the wire).
pub const PREFETCH_COUNT_MAX: u32 = 65_535;

/// Largest TTL RabbitMQ accepts for `x-message-ttl`, `x-expires` and `expiration` (ms).
pub const TTL_MS_MAX: u64 = 4_294_967_295;

/// How many non-matching bindings a routing event explains inline; beyond this
/// the event carries only the count, and `Broker::explain_route` answers on demand.
pub const EXPLAINED_MISSES_MAX: usize = 32;

/// How many exchange-to-exchange hops a publish may take before routing stops
/// (cycles are cut anyway; this bounds pathological topologies).
pub const EXCHANGE_HOPS_MAX: usize = 1_000;

/// Channels open at once per connection: RabbitMQ 3.10's default
/// `channel_max`, which it offers in connection.tune.
pub const CHANNEL_MAX: u16 = 2047;

/// RabbitMQ 3.10's default `consumer_timeout`: 30 minutes to ack a delivery
/// (`BrokerConfig::consumer_timeout_ms`, `ack_timeout.rs`).
pub const CONSUMER_TIMEOUT_MS: u64 = 1_800_000;

/// RabbitMQ's default `channel_tick_interval`: a channel checks the
/// consumer timeout once a minute.
pub const CHANNEL_TICK_INTERVAL_MS: u64 = 60_000;

/// RabbitMQ's default `max_message_size`: 128 MiB of body per message
/// (`BrokerConfig::max_message_size`).
pub const MAX_MESSAGE_SIZE: u64 = 134_217_728;
