//! The document format: what a scenario document may hold, as types.
//!
//! Field names are the format (`routing_key`, `auto_delete`); every struct
//! refuses unknown fields, so a typo is an error naming its path. Tables
//! (arguments, headers) and message properties are the engine's own types
//! (`FieldTable`, `Properties`), read and written as JSON the one way every
//! format of Warren does (see `engine/value.rs`); producers and workers are
//! the simulation's own specs.

use crate::engine::exchange::ExchangeType;
use crate::engine::method::{ExchangeDeclare, QueueDeclare};
use crate::engine::value::FieldTable;
use crate::engine::{BrokerConfig, Profile};
use crate::sim::bounded::{ConsumerTimeoutMs, PublishCount, VirtualMs};
use crate::sim::{ProducerSpec, WorkerSpec};
use serde::{Deserialize, Serialize};

/// The format version this build writes and reads.
pub const DOCUMENT_VERSION: u32 = 1;

/// Bounds on a document, so a hostile one cannot exhaust the tab.
pub mod bounds {
    pub const TEXT_BYTES_MAX: usize = 1 << 20;
    pub const ENTITIES_MAX: usize = 1_000;
    pub const ACTORS_MAX: usize = 100;
    pub const SCRIPT_MAX: usize = 10_000;
    pub const BODY_BYTES_MAX: usize = 64 * 1024;
    /// One caption, per language: a sentence or two under the diagram, not
    /// an essay (a docs page puts long text around the player).
    pub const CAPTION_BYTES_MAX: usize = 1_000;
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerOptions {
    pub profile: Profile,
    pub seed: u64,
    pub commit_interval_ms: VirtualMs,
    /// RabbitMQ's `consumer_timeout`: how long a delivery may stay
    /// unacknowledged before its channel is closed (`engine/ack_timeout.rs`).
    /// Left out: 3.10's 30 minutes (and left out of exports that have it);
    /// `null`: no timeout, as a node whose `consumer_timeout` is not an
    /// integer has none.
    #[serde(
        deserialize_with = "consumer_timeout_or_null",
        skip_serializing_if = "is_default_consumer_timeout"
    )]
    pub consumer_timeout_ms: Option<ConsumerTimeoutMs>,
}

impl Default for BrokerOptions {
    fn default() -> Self {
        let c = BrokerConfig::default();
        BrokerOptions {
            profile: c.profile,
            seed: c.seed,
            commit_interval_ms: VirtualMs::new(c.commit_interval_ms).unwrap_or_default(),
            consumer_timeout_ms: default_consumer_timeout(),
        }
    }
}

fn default_consumer_timeout() -> Option<ConsumerTimeoutMs> {
    BrokerConfig::default()
        .consumer_timeout_ms
        .and_then(|ms| ConsumerTimeoutMs::new(ms).ok())
}

fn is_default_consumer_timeout(timeout: &Option<ConsumerTimeoutMs>) -> bool {
    *timeout == default_consumer_timeout()
}

/// `consumer_timeout_ms`: milliseconds in range, or `null` for none; the
/// error says both (a plain `Option` would only name the number's range).
fn consumer_timeout_or_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<ConsumerTimeoutMs>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    value
        .as_u64()
        .and_then(|ms| ConsumerTimeoutMs::new(ms).ok())
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected milliseconds, an integer {}..{}, or null for no timeout, got {value}",
                ConsumerTimeoutMs::MIN,
                ConsumerTimeoutMs::MAX
            ))
        })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ExchangeType,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    #[serde(skip_serializing_if = "FieldTable::is_empty")]
    pub arguments: FieldTable,
}

impl Default for ExchangeDoc {
    fn default() -> Self {
        ExchangeDoc {
            name: String::new(),
            kind: ExchangeType::Direct,
            durable: false,
            auto_delete: false,
            internal: false,
            arguments: FieldTable::new(),
        }
    }
}

impl ExchangeDoc {
    /// The exchange.declare this entry stands for.
    pub fn declaration(&self) -> ExchangeDeclare {
        ExchangeDeclare {
            exchange: self.name.clone(),
            exchange_type: self.kind.name().to_string(),
            durable: self.durable,
            auto_delete: self.auto_delete,
            internal: self.internal,
            arguments: self.arguments.clone(),
            ..Default::default()
        }
    }

    /// The entry for a declaration (an unknown type reads as direct: the
    /// broker refused it, so it cannot exist).
    pub fn from_declaration(d: ExchangeDeclare) -> ExchangeDoc {
        ExchangeDoc {
            kind: ExchangeType::parse(&d.exchange_type).unwrap_or(ExchangeType::Direct),
            name: d.exchange,
            durable: d.durable,
            auto_delete: d.auto_delete,
            internal: d.internal,
            arguments: d.arguments,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueDoc {
    pub name: String,
    pub durable: bool,
    pub exclusive: bool,
    pub auto_delete: bool,
    #[serde(skip_serializing_if = "FieldTable::is_empty")]
    pub arguments: FieldTable,
}

impl QueueDoc {
    /// The queue.declare this entry stands for.
    pub fn declaration(&self) -> QueueDeclare {
        QueueDeclare {
            queue: self.name.clone(),
            durable: self.durable,
            exclusive: self.exclusive,
            auto_delete: self.auto_delete,
            arguments: self.arguments.clone(),
            ..Default::default()
        }
    }

    pub fn from_declaration(d: QueueDeclare) -> QueueDoc {
        QueueDoc {
            name: d.queue,
            durable: d.durable,
            exclusive: d.exclusive,
            auto_delete: d.auto_delete,
            arguments: d.arguments,
        }
    }
}

/// What a binding leads to.
pub use crate::engine::exchange::DestinationKind as DestinationType;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BindingDoc {
    pub source: String,
    pub destination: String,
    pub destination_type: DestinationType,
    pub routing_key: String,
    #[serde(skip_serializing_if = "FieldTable::is_empty")]
    pub arguments: FieldTable,
}

/// A producer or a worker, with its behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ActorDoc {
    Producer(ProducerSpec),
    Worker(WorkerSpec),
}

impl ActorDoc {
    pub fn name(&self) -> &str {
        match self {
            ActorDoc::Producer(p) => &p.name,
            ActorDoc::Worker(w) => &w.name,
        }
    }
}

/// What a script step does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptVerb {
    Publish,
    Kill,
    Pause,
    Resume,
    Cancel,
    Restart,
    Crash,
    /// Nothing happens in the world: only the action's `say` caption shows
    /// (narration between other actions).
    Say,
}

/// A script action's narration, shown as a caption from the step it plays.
/// Either language may be missing; a player shows its own language and
/// falls back to the other. Untrusted text: shown as text, never as HTML.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Caption {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Caption {
    /// The caption in `language`, else in the other one, with the
    /// language it is in (so a page can mark a fallback's language).
    pub fn text(&self, language: Language) -> Option<(Language, &str)> {
        let (first, second) = match language {
            Language::En => (Language::En, Language::Zh),
            Language::Zh => (Language::Zh, Language::En),
        };
        let in_language = |l: Language| match l {
            Language::En => self.en.as_deref(),
            Language::Zh => self.zh.as_deref(),
        };
        in_language(first)
            .map(|text| (first, text))
            .or_else(|| in_language(second).map(|text| (second, text)))
    }
}

/// One scripted action, at a virtual time or after a number of steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScriptAction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<VirtualMs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_step: Option<u64>,
    #[serde(rename = "do")]
    pub verb: Option<ScriptVerb>,
    /// The actor's name (publish, kill, pause, resume, cancel).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub actor: String,
    /// How many messages (publish).
    #[serde(skip_serializing_if = "is_one")]
    pub count: PublishCount,
    /// Narration shown from this action on, until the next captioned one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub say: Option<Caption>,
}

impl Default for ScriptAction {
    fn default() -> Self {
        ScriptAction {
            at_ms: None,
            at_step: None,
            verb: None,
            actor: String::new(),
            // One message unless the script says how many.
            count: PublishCount::new(1).unwrap_or_default(),
            say: None,
        }
    }
}

fn is_one(n: &PublishCount) -> bool {
    n.get() == 1
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Zh,
}

/// Panels a view can show.
pub const PANELS: &[&str] = &["diagram", "controls", "log", "queues", "inspector", "build"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewOptions {
    pub language: Language,
    /// Panels to show: `diagram`, `log`, `queues`, `inspector`, `build`, `controls`.
    pub panels: Vec<String>,
    /// Playback speed: virtual seconds per real second.
    pub speed: f64,
    pub autoplay: bool,
    pub read_only: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            language: Language::En,
            panels: PANELS.iter().map(|p| p.to_string()).collect(),
            speed: 1.0,
            autoplay: false,
            read_only: false,
        }
    }
}

/// A whole setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Document {
    /// The format version (`DOCUMENT_VERSION`).
    pub warren: u32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    pub broker: BrokerOptions,
    pub exchanges: Vec<ExchangeDoc>,
    pub queues: Vec<QueueDoc>,
    pub bindings: Vec<BindingDoc>,
    pub actors: Vec<ActorDoc>,
    pub script: Vec<ScriptAction>,
    pub view: ViewOptions,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            warren: DOCUMENT_VERSION,
            title: String::new(),
            broker: BrokerOptions::default(),
            exchanges: Vec::new(),
            queues: Vec::new(),
            bindings: Vec::new(),
            actors: Vec::new(),
            script: Vec::new(),
            view: ViewOptions::default(),
        }
    }
}
