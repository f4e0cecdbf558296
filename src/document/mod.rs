//! Scenario documents: a whole Warren setup as one versioned JSON file.
//!
//! A document holds the topology (exchanges, queues, bindings), the actors
//! (producers and workers, with their behaviour), an optional script of
//! actions at virtual times or step counts, and view options (language,
//! panels, speed, autoplay, read-only). The workbench exports and imports
//! it, share links carry it (compressed, in the URL fragment), and the
//! embed player runs it.
//!
//! Parsing is strict: an unknown field, a value of the wrong type, or one
//! out of range is an error naming its path
//! (`actors[2].prefetch: expected an integer 0..65535`). Input of any size
//! or shape gives an error, never a panic.
//!
//! ```json
//! {"warren": 1, "title": "Work queues",
//!  "queues": [{"name": "task_queue", "durable": true}],
//!  "actors": [{"kind": "producer", "name": "new_task.py", "routing_key": "task_queue", "body": "Task {n}."},
//!             {"kind": "worker", "name": "worker 1", "queue": "task_queue", "prefetch": 1}],
//!  "script": [{"at_ms": 0, "do": "publish", "actor": "new_task.py", "count": 5}],
//!  "view": {"language": "en", "autoplay": true}}
//! ```

pub mod definitions;
pub mod share;

use crate::engine::clock::Millis;
use crate::engine::message::Properties;
use crate::engine::value::{self, FieldTable};
use crate::engine::{self, BrokerConfig, CommandError, Profile};
use crate::sim::{ActorId, OnDone, ProducerSpec, Simulation, Subscription, WorkTime, WorkerSpec};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The format version this build writes and reads.
pub const DOCUMENT_VERSION: u32 = 1;

/// Bounds on a document, so a hostile one cannot exhaust the tab.
pub mod bounds {
    pub const TEXT_BYTES_MAX: usize = 1 << 20;
    pub const ENTITIES_MAX: usize = 1_000;
    pub const ACTORS_MAX: usize = 100;
    pub const SCRIPT_MAX: usize = 10_000;
    pub const BODY_BYTES_MAX: usize = 64 * 1024;
}

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

fn err(path: impl Into<String>, message: impl Into<String>) -> DocumentError {
    DocumentError {
        path: path.into(),
        message: message.into(),
    }
}

/// An integer field checked against a range, with a message that says so.
fn bounded<'de, D: Deserializer<'de>>(d: D, min: u64, max: u64) -> Result<u64, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match v.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(de::Error::custom(format!(
            "expected an integer {min}..{max}, got {v}"
        ))),
    }
}

fn prefetch<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded(d, 0, 65_535).map(|n| n as u32)
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    bounded(d, 1, 10_000).map(|n| n as u32)
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
    bounded(d, 0, 365 * 24 * 3_600_000)
}

fn opt_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => millis(v).map(Some).map_err(de::Error::custom),
    }
}

/// Deserializes `value` as a `T`, naming the path of any error under `prefix`.
fn typed<T: for<'de> Deserialize<'de>>(
    prefix: &str,
    value: serde_json::Value,
) -> Result<T, DocumentError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let message = e.into_inner().to_string();
        let path = match (prefix.is_empty(), inner == ".") {
            (true, true) => String::new(),
            (true, false) => inner,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{inner}"),
        };
        err(path, message)
    })
}

/// A JSON object used as an AMQP table (arguments, headers), typed as pika
/// types Python values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonTable(pub serde_json::Map<String, serde_json::Value>);

impl JsonTable {
    pub fn to_table(&self) -> Result<FieldTable, String> {
        value::table_from_json_map(&self.0)
    }

    pub fn from_table(t: &FieldTable) -> JsonTable {
        match value::table_to_json(t) {
            serde_json::Value::Object(m) => JsonTable(m),
            _ => JsonTable::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerOptions {
    pub profile: Profile,
    pub seed: u64,
    #[serde(deserialize_with = "millis")]
    pub commit_interval_ms: Millis,
}

impl Default for BrokerOptions {
    fn default() -> Self {
        let c = BrokerConfig::default();
        BrokerOptions {
            profile: c.profile,
            seed: c.seed,
            commit_interval_ms: c.commit_interval_ms,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    #[serde(skip_serializing_if = "JsonTable::is_empty")]
    pub arguments: JsonTable,
}

impl Default for ExchangeDoc {
    fn default() -> Self {
        ExchangeDoc {
            name: String::new(),
            kind: "direct".into(),
            durable: false,
            auto_delete: false,
            internal: false,
            arguments: JsonTable::default(),
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
    #[serde(skip_serializing_if = "JsonTable::is_empty")]
    pub arguments: JsonTable,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DestinationType {
    #[default]
    Queue,
    Exchange,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BindingDoc {
    pub source: String,
    pub destination: String,
    pub destination_type: DestinationType,
    pub routing_key: String,
    #[serde(skip_serializing_if = "JsonTable::is_empty")]
    pub arguments: JsonTable,
}

/// Basic properties in a document (headers as plain JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PropertiesDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<JsonTable>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
}

impl PropertiesDoc {
    pub fn to_properties(&self, path: &str) -> Result<Properties, DocumentError> {
        Ok(Properties {
            content_type: self.content_type.clone(),
            content_encoding: self.content_encoding.clone(),
            headers: match &self.headers {
                None => None,
                Some(h) => Some(
                    h.to_table()
                        .map_err(|e| err(format!("{path}.headers"), e))?,
                ),
            },
            delivery_mode: self.delivery_mode,
            priority: self.priority,
            correlation_id: self.correlation_id.clone(),
            reply_to: self.reply_to.clone(),
            expiration: self.expiration.clone(),
            message_id: self.message_id.clone(),
            timestamp: self.timestamp,
            kind: self.kind.clone(),
            user_id: self.user_id.clone(),
            app_id: self.app_id.clone(),
            cluster_id: None,
        })
    }

    fn from_properties(p: &Properties) -> PropertiesDoc {
        PropertiesDoc {
            content_type: p.content_type.clone(),
            content_encoding: p.content_encoding.clone(),
            headers: p.headers.as_ref().map(JsonTable::from_table),
            delivery_mode: p.delivery_mode,
            priority: p.priority,
            correlation_id: p.correlation_id.clone(),
            reply_to: p.reply_to.clone(),
            expiration: p.expiration.clone(),
            message_id: p.message_id.clone(),
            timestamp: p.timestamp,
            kind: p.kind.clone(),
            user_id: p.user_id.clone(),
            app_id: p.app_id.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProducerDoc {
    pub name: String,
    pub exchange: String,
    pub routing_key: String,
    pub body: String,
    pub properties: PropertiesDoc,
    pub mandatory: bool,
    pub confirm: bool,
    /// An RPC client with its own callback queue (see [`ProducerSpec::rpc`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rpc: bool,
    /// Publishes every this many virtual ms from the start, if set.
    #[serde(
        deserialize_with = "opt_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub every_ms: Option<Millis>,
}

impl Default for ProducerDoc {
    fn default() -> Self {
        let d = ProducerSpec::default();
        ProducerDoc {
            name: d.name,
            exchange: d.exchange,
            routing_key: d.routing_key,
            body: d.body,
            properties: PropertiesDoc::default(),
            mandatory: false,
            confirm: false,
            rpc: false,
            every_ms: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerDoc {
    pub name: String,
    pub queue: String,
    /// Declares its own exclusive queue bound to an exchange (see [`Subscription`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<Subscription>,
    pub no_ack: bool,
    #[serde(deserialize_with = "prefetch")]
    pub prefetch: u32,
    pub work: WorkTime,
    pub on_done: OnDone,
    /// An RPC server (see [`WorkerSpec::reply`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reply: bool,
}

impl Default for WorkerDoc {
    fn default() -> Self {
        let d = WorkerSpec::default();
        WorkerDoc {
            name: d.name,
            queue: d.queue,
            subscribe: d.subscribe,
            no_ack: d.no_ack,
            prefetch: d.prefetch,
            work: d.work,
            on_done: d.on_done,
            reply: d.reply,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ActorDoc {
    Producer(ProducerDoc),
    Worker(WorkerDoc),
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
}

/// One scripted action, at a virtual time or after a number of steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScriptAction {
    #[serde(
        deserialize_with = "opt_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub at_ms: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_step: Option<u64>,
    #[serde(rename = "do")]
    pub verb: Option<ScriptVerb>,
    /// The actor's name (publish, kill, pause, resume, cancel).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub actor: String,
    /// How many messages (publish).
    #[serde(deserialize_with = "count", skip_serializing_if = "is_one")]
    pub count: u32,
}

impl Default for ScriptAction {
    fn default() -> Self {
        ScriptAction {
            at_ms: None,
            at_step: None,
            verb: None,
            actor: String::new(),
            // One message unless the script says how many.
            count: 1,
        }
    }
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Zh,
}

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
            panels: ["diagram", "controls", "log", "queues", "inspector", "build"]
                .map(String::from)
                .to_vec(),
            speed: 1.0,
            autoplay: false,
            read_only: false,
        }
    }
}

pub const PANELS: &[&str] = &["diagram", "controls", "log", "queues", "inspector", "build"];

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

fn check_name(path: String, name: &str) -> Result<(), DocumentError> {
    if name.len() > engine::limits::SHORTSTR_BYTES_MAX {
        return Err(err(
            path,
            format!("{} bytes; names hold at most 255", name.len()),
        ));
    }
    Ok(())
}

fn check_len<T>(path: &str, items: &[T], max: usize) -> Result<(), DocumentError> {
    if items.len() > max {
        return Err(err(
            path,
            format!("{} entries; at most {max} are allowed", items.len()),
        ));
    }
    Ok(())
}

impl Document {
    /// Parses and validates a document.
    pub fn parse(text: &str) -> Result<Document, DocumentError> {
        if text.len() > bounds::TEXT_BYTES_MAX {
            return Err(err(
                "",
                format!(
                    "the document is {} bytes; at most {} are allowed",
                    text.len(),
                    bounds::TEXT_BYTES_MAX
                ),
            ));
        }
        // serde_json refuses nesting deeper than 128 levels, so no input can
        // overflow the stack here.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| err("", format!("not valid JSON: {e}")))?;
        Document::from_value(value)
    }

    /// Builds a document from parsed JSON. Actors are read one by one (by
    /// their `kind`), so an error inside one names its full path.
    pub fn from_value(value: serde_json::Value) -> Result<Document, DocumentError> {
        let serde_json::Value::Object(mut top) = value else {
            return Err(err("", "a Warren document is a JSON object"));
        };
        let actors = match top.remove("actors") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::Array(items)) => items,
            Some(_) => return Err(err("actors", "expected a list")),
        };
        let mut doc: Document = typed("", serde_json::Value::Object(top))?;
        for (i, actor) in actors.into_iter().enumerate() {
            let path = format!("actors[{i}]");
            let serde_json::Value::Object(mut fields) = actor else {
                return Err(err(path, "expected an object"));
            };
            let kind = fields.remove("kind");
            let actor = match kind.as_ref().and_then(|k| k.as_str()) {
                Some("producer") => {
                    ActorDoc::Producer(typed(&path, serde_json::Value::Object(fields))?)
                }
                Some("worker") => {
                    ActorDoc::Worker(typed(&path, serde_json::Value::Object(fields))?)
                }
                _ => {
                    return Err(err(
                        format!("{path}.kind"),
                        "expected \"producer\" or \"worker\"",
                    ))
                }
            };
            doc.actors.push(actor);
        }
        doc.validate()?;
        Ok(doc)
    }

    /// Checks what the types alone cannot: version, sizes, names, ranges,
    /// references between entries.
    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.warren != DOCUMENT_VERSION {
            return Err(err(
                "warren",
                format!("format version {} is not supported (this Warren reads version {DOCUMENT_VERSION})", self.warren),
            ));
        }
        check_len("exchanges", &self.exchanges, bounds::ENTITIES_MAX)?;
        check_len("queues", &self.queues, bounds::ENTITIES_MAX)?;
        check_len("bindings", &self.bindings, bounds::ENTITIES_MAX * 4)?;
        check_len("actors", &self.actors, bounds::ACTORS_MAX)?;
        check_len("script", &self.script, bounds::SCRIPT_MAX)?;
        for (i, x) in self.exchanges.iter().enumerate() {
            check_name(format!("exchanges[{i}].name"), &x.name)?;
            if engine::exchange::ExchangeType::parse(&x.kind).is_none() {
                return Err(err(
                    format!("exchanges[{i}].type"),
                    format!(
                        "expected direct, fanout, topic or headers, got '{}'",
                        x.kind
                    ),
                ));
            }
            x.arguments
                .to_table()
                .map_err(|e| err(format!("exchanges[{i}].arguments"), e))?;
        }
        for (i, q) in self.queues.iter().enumerate() {
            check_name(format!("queues[{i}].name"), &q.name)?;
            q.arguments
                .to_table()
                .map_err(|e| err(format!("queues[{i}].arguments"), e))?;
        }
        for (i, b) in self.bindings.iter().enumerate() {
            check_name(format!("bindings[{i}].source"), &b.source)?;
            check_name(format!("bindings[{i}].destination"), &b.destination)?;
            check_name(format!("bindings[{i}].routing_key"), &b.routing_key)?;
            b.arguments
                .to_table()
                .map_err(|e| err(format!("bindings[{i}].arguments"), e))?;
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, a) in self.actors.iter().enumerate() {
            let path = format!("actors[{i}]");
            if a.name().is_empty() {
                return Err(err(format!("{path}.name"), "an actor needs a name"));
            }
            if !names.insert(a.name().to_string()) {
                return Err(err(
                    format!("{path}.name"),
                    format!("another actor is already called '{}'", a.name()),
                ));
            }
            check_name(format!("{path}.name"), a.name())?;
            match a {
                ActorDoc::Producer(p) => {
                    check_name(format!("{path}.exchange"), &p.exchange)?;
                    check_name(format!("{path}.routing_key"), &p.routing_key)?;
                    if p.body.len() > bounds::BODY_BYTES_MAX {
                        return Err(err(
                            format!("{path}.body"),
                            format!("at most {} bytes", bounds::BODY_BYTES_MAX),
                        ));
                    }
                    if let Some(m) = p.properties.delivery_mode {
                        if !(1..=2).contains(&m) {
                            return Err(err(
                                format!("{path}.properties.delivery_mode"),
                                "expected 1 (transient) or 2 (persistent)",
                            ));
                        }
                    }
                    p.properties.to_properties(&format!("{path}.properties"))?;
                    if p.every_ms == Some(0) {
                        return Err(err(
                            format!("{path}.every_ms"),
                            "expected an integer 1..31536000000, got 0",
                        ));
                    }
                }
                ActorDoc::Worker(w) => {
                    check_name(format!("{path}.queue"), &w.queue)?;
                    if let Some(sub) = &w.subscribe {
                        check_name(format!("{path}.subscribe.exchange"), &sub.exchange)?;
                        check_len(
                            &format!("{path}.subscribe.routing_keys"),
                            &sub.routing_keys,
                            bounds::ENTITIES_MAX,
                        )?;
                        for (k, key) in sub.routing_keys.iter().enumerate() {
                            check_name(format!("{path}.subscribe.routing_keys[{k}]"), key)?;
                        }
                    }
                }
            }
        }
        for (i, s) in self.script.iter().enumerate() {
            let path = format!("script[{i}]");
            match (s.at_ms, s.at_step) {
                (None, None) => return Err(err(path, "needs at_ms or at_step")),
                (Some(_), Some(_)) => return Err(err(path, "give at_ms or at_step, not both")),
                _ => {}
            }
            let Some(verb) = &s.verb else {
                return Err(err(format!("{path}.do"), "missing"));
            };
            let needs_actor = !matches!(verb, ScriptVerb::Restart | ScriptVerb::Crash);
            if needs_actor && !names.contains(&s.actor) {
                return Err(err(
                    format!("{path}.actor"),
                    format!("no actor called '{}'", s.actor),
                ));
            }
        }
        if !(0.01..=1000.0).contains(&self.view.speed) {
            return Err(err(
                "view.speed",
                format!("expected a number 0.01..1000, got {}", self.view.speed),
            ));
        }
        for (i, p) in self.view.panels.iter().enumerate() {
            if !PANELS.contains(&p.as_str()) {
                return Err(err(
                    format!("view.panels[{i}]"),
                    format!("expected one of {}, got '{p}'", PANELS.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// The document as JSON text (pretty, stable field order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Builds the simulation the document describes. Topology is declared
    /// on a "setup" connection that stays open (exclusive queues belong to
    /// it); producers and workers get their own connections. Returns the
    /// simulation and the actor ids, in document order.
    pub fn build(&self) -> Result<(Simulation, Vec<ActorId>), DocumentError> {
        self.build_with(BrokerConfig::default())
    }

    /// [`Document::build`] on a broker configured like `base` except for
    /// what the document sets (profile, seed, commit interval).
    pub fn build_with(
        &self,
        base: BrokerConfig,
    ) -> Result<(Simulation, Vec<ActorId>), DocumentError> {
        let config = BrokerConfig {
            profile: self.broker.profile,
            seed: self.broker.seed,
            commit_interval_ms: self.broker.commit_interval_ms,
            ..base
        };
        self.build_on(Simulation::new(config))
    }

    /// Declares the document's topology and starts its actors on an
    /// existing simulation (a broker booted from a store: what is durable
    /// is there already, and declaring it again changes nothing).
    pub fn build_on(
        &self,
        mut sim: Simulation,
    ) -> Result<(Simulation, Vec<ActorId>), DocumentError> {
        self.validate()?;
        let amqp = |path: String| move |e: CommandError| err(path, e.to_string());
        let conn = sim.broker.open_connection("setup");
        let mut ch = sim.broker.open_channel(conn).map_err(amqp("".into()))?;
        // A refused declaration closes the setup channel; report it and stop.
        for (i, x) in self.exchanges.iter().enumerate() {
            let arguments = x
                .arguments
                .to_table()
                .map_err(|e| err(format!("exchanges[{i}].arguments"), e))?;
            sim.broker
                .exchange_declare(
                    ch,
                    engine::ExchangeDeclare {
                        exchange: x.name.clone(),
                        kind: x.kind.clone(),
                        passive: false,
                        durable: x.durable,
                        auto_delete: x.auto_delete,
                        internal: x.internal,
                        arguments,
                    },
                )
                .map_err(amqp(format!("exchanges[{i}]")))?;
        }
        for (i, q) in self.queues.iter().enumerate() {
            let arguments = q
                .arguments
                .to_table()
                .map_err(|e| err(format!("queues[{i}].arguments"), e))?;
            sim.broker
                .queue_declare(
                    ch,
                    engine::QueueDeclare {
                        queue: q.name.clone(),
                        passive: false,
                        durable: q.durable,
                        exclusive: q.exclusive,
                        auto_delete: q.auto_delete,
                        arguments,
                    },
                )
                .map_err(amqp(format!("queues[{i}]")))?;
        }
        for (i, b) in self.bindings.iter().enumerate() {
            let arguments = b
                .arguments
                .to_table()
                .map_err(|e| err(format!("bindings[{i}].arguments"), e))?;
            let r = match b.destination_type {
                DestinationType::Queue => {
                    sim.broker
                        .queue_bind(ch, &b.destination, &b.source, &b.routing_key, arguments)
                }
                DestinationType::Exchange => sim.broker.exchange_bind(
                    ch,
                    &b.destination,
                    &b.source,
                    &b.routing_key,
                    arguments,
                ),
            };
            r.map_err(amqp(format!("bindings[{i}]")))?;
        }
        if !sim.broker.channel(ch).is_some_and(|c| c.open) {
            ch = sim.broker.open_channel(conn).map_err(amqp("".into()))?;
        }
        let _ = ch;
        let mut ids = Vec::new();
        for (i, a) in self.actors.iter().enumerate() {
            let path = format!("actors[{i}]");
            let id = match a {
                ActorDoc::Producer(p) => {
                    let spec = ProducerSpec {
                        name: p.name.clone(),
                        exchange: p.exchange.clone(),
                        routing_key: p.routing_key.clone(),
                        body: p.body.clone(),
                        properties: p.properties.to_properties(&format!("{path}.properties"))?,
                        mandatory: p.mandatory,
                        confirm: p.confirm,
                        rpc: p.rpc,
                    };
                    let id = sim.add_producer(spec).map_err(amqp(path.clone()))?;
                    if p.every_ms.is_some() {
                        sim.publish_every(id, p.every_ms);
                    }
                    id
                }
                ActorDoc::Worker(w) => sim
                    .add_worker(WorkerSpec {
                        name: w.name.clone(),
                        queue: w.queue.clone(),
                        subscribe: w.subscribe.clone(),
                        no_ack: w.no_ack,
                        prefetch: w.prefetch,
                        work: w.work,
                        on_done: w.on_done,
                        reply: w.reply,
                    })
                    .map_err(amqp(path))?,
            };
            ids.push(id);
        }
        Ok((sim, ids))
    }

    /// A document describing a simulation as it is now (topology and
    /// actors; messages are not part of a document).
    pub fn from_simulation(sim: &Simulation, title: &str, view: ViewOptions) -> Document {
        let b = &sim.broker;
        let exchanges = b
            .exchanges()
            .filter(|x| !x.name.starts_with("amq."))
            .map(|x| ExchangeDoc {
                name: x.name.to_string(),
                kind: x.kind.name().to_string(),
                durable: x.durable,
                auto_delete: x.auto_delete,
                internal: x.internal,
                arguments: JsonTable::from_table(&x.args),
            })
            .collect();
        // Server-named queues belong to the workers that declared them
        // (subscriptions, RPC callbacks): their programs declare them
        // again, and no document can declare an `amq.gen-` name.
        let server_named = |name: &str| b.queue_by_name(name).is_some_and(|q| q.server_named);
        let queues = b
            .queues()
            .filter(|q| !q.server_named)
            .map(|q| QueueDoc {
                name: q.name.to_string(),
                durable: q.durable,
                exclusive: q.exclusive_owner.is_some(),
                auto_delete: q.auto_delete,
                arguments: JsonTable::from_table(&q.args),
            })
            .collect();
        let bindings = b
            .bindings()
            .into_iter()
            .filter(|v| !(v.destination_kind == "queue" && server_named(&v.destination)))
            .map(|v| BindingDoc {
                source: v.source.to_string(),
                destination: v.destination.to_string(),
                destination_type: if v.destination_kind == "exchange" {
                    DestinationType::Exchange
                } else {
                    DestinationType::Queue
                },
                routing_key: v.routing_key.to_string(),
                arguments: JsonTable::from_table(&v.arguments),
            })
            .collect();
        let mut actors: Vec<(ActorId, ActorDoc)> = sim
            .producers()
            .map(|p| {
                (
                    p.id,
                    ActorDoc::Producer(ProducerDoc {
                        name: p.spec.name.clone(),
                        exchange: p.spec.exchange.clone(),
                        routing_key: p.spec.routing_key.clone(),
                        body: p.spec.body.clone(),
                        properties: PropertiesDoc::from_properties(&p.spec.properties),
                        mandatory: p.spec.mandatory,
                        confirm: p.spec.confirm,
                        rpc: p.spec.rpc,
                        every_ms: p.every,
                    }),
                )
            })
            .chain(sim.workers().map(|w| {
                (
                    w.id,
                    ActorDoc::Worker(WorkerDoc {
                        name: w.spec.name.clone(),
                        queue: w.spec.queue.clone(),
                        subscribe: w.spec.subscribe.clone(),
                        no_ack: w.spec.no_ack,
                        prefetch: w.spec.prefetch,
                        work: w.spec.work,
                        on_done: w.spec.on_done,
                        reply: w.spec.reply,
                    }),
                )
            }))
            .collect();
        actors.sort_by_key(|(id, _)| *id);
        Document {
            title: title.to_string(),
            broker: BrokerOptions {
                profile: b.profile(),
                seed: b.config().seed,
                commit_interval_ms: b.config().commit_interval_ms,
            },
            exchanges,
            queues,
            bindings,
            actors: actors.into_iter().map(|(_, a)| a).collect(),
            view,
            ..Document::default()
        }
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
