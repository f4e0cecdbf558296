//! Stable identifiers for everything the broker holds.
//!
//! Names are what AMQP speaks, but names are reused: delete queue `q` and
//! declare it again and it is a different queue, with different messages,
//! bindings and consumers. So the engine refers to entities by ids that are
//! never reused, and the UI keys its state by them (never by list position).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(/// A client connection.
    ConnId, "conn");
id_type!(/// A channel (unique across connections, unlike the channel number).
    ChannelId, "ch");
id_type!(/// An exchange, as created by one declare.
    ExchangeId, "x");
id_type!(/// A queue, as created by one declare.
    QueueId, "q");
id_type!(/// A consumer, as created by one basic.consume.
    ConsumerId, "c");
id_type!(/// A binding within the broker.
    BindingId, "b");
