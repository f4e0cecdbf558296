//! Exchanges: where publishers send messages, and how they route them.
//!
//! An exchange never stores messages. It holds *bindings* (destination,
//! binding key, arguments) and, for each publish, picks the bindings that
//! match. What "match" means is the exchange type:
//! - **direct**: the binding key equals the routing key (a hash lookup);
//! - **fanout**: every binding, whatever the key;
//! - **topic**: the binding key is a pattern of dot-separated words with `*`
//!   and `#` wildcards ([`topic_trie`]);
//! - **headers**: the binding's arguments are a pattern over the message's
//!   headers ([`headers`]); the routing key is ignored.
//!
//! A destination is a queue or another exchange (an exchange-to-exchange
//! binding); following those and alternate exchanges is the broker's job
//! (`routing.rs`), because it needs every exchange.

pub mod headers;
pub mod topic_trie;

use crate::engine::ids::{BindingId, ExchangeId, QueueId};
use crate::engine::value::{FieldTable, FieldValue};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use topic_trie::TopicTrie;

/// The exchange types Warren implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExchangeType {
    Direct,
    Fanout,
    Topic,
    Headers,
}

impl ExchangeType {
    pub fn parse(name: &str) -> Option<ExchangeType> {
        match name {
            "direct" => Some(ExchangeType::Direct),
            "fanout" => Some(ExchangeType::Fanout),
            "topic" => Some(ExchangeType::Topic),
            "headers" => Some(ExchangeType::Headers),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ExchangeType::Direct => "direct",
            ExchangeType::Fanout => "fanout",
            ExchangeType::Topic => "topic",
            ExchangeType::Headers => "headers",
        }
    }
}

impl<'de> Deserialize<'de> for ExchangeType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ExchangeType, D::Error> {
        let name = String::deserialize(d)?;
        ExchangeType::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected direct, fanout, topic or headers, got '{name}'"
            ))
        })
    }
}

/// What a binding leads to: a queue (queue.bind) or an exchange
/// (exchange.bind), as `rabbitmqctl list_bindings` names them.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    #[default]
    Queue,
    Exchange,
}

impl DestinationKind {
    pub fn name(self) -> &'static str {
        match self {
            DestinationKind::Queue => "queue",
            DestinationKind::Exchange => "exchange",
        }
    }
}

impl std::fmt::Display for DestinationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a binding leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Destination {
    Queue(QueueId),
    Exchange(ExchangeId),
}

/// One binding of an exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub id: BindingId,
    pub destination: Destination,
    pub key: Rc<str>,
    pub args: FieldTable,
}

/// A binding's identity: two binds with the same destination, key and
/// arguments are one binding (binding is idempotent).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct BindingIdentity {
    destination: Destination,
    key: Rc<str>,
    /// The arguments in a canonical text form (tables are sorted), so that
    /// the identity can be hashed.
    args: String,
}

fn canonical_args(args: &FieldTable) -> String {
    if args.is_empty() {
        String::new()
    } else {
        // Serde of a BTreeMap is ordered, and FieldValue's tagged form keeps types.
        serde_json::to_string(args).unwrap_or_default()
    }
}

/// An exchange and its bindings.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub id: ExchangeId,
    pub name: Rc<str>,
    pub kind: ExchangeType,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub args: FieldTable,
    /// Bindings in creation order: listing and explanations read this.
    bindings: BTreeMap<BindingId, Binding>,
    identities: HashMap<BindingIdentity, BindingId>,
    /// The per-type routing index.
    index: RouteIndex,
}

#[derive(Clone, Debug)]
enum RouteIndex {
    /// Binding key -> bindings with that key.
    Direct(HashMap<Rc<str>, Vec<BindingId>>),
    /// Fanout and headers route by scanning every binding.
    Scan,
    Topic(TopicTrie<BindingId>),
}

impl Exchange {
    /// The exchange.declare that makes this exchange as it is.
    pub fn declaration(&self) -> crate::engine::method::ExchangeDeclare {
        crate::engine::method::ExchangeDeclare {
            exchange: self.name.to_string(),
            exchange_type: self.kind.name().to_string(),
            durable: self.durable,
            auto_delete: self.auto_delete,
            internal: self.internal,
            arguments: self.args.clone(),
            ..Default::default()
        }
    }

    pub fn new(id: ExchangeId, name: Rc<str>, kind: ExchangeType) -> Exchange {
        let index = match kind {
            ExchangeType::Direct => RouteIndex::Direct(HashMap::new()),
            ExchangeType::Fanout | ExchangeType::Headers => RouteIndex::Scan,
            ExchangeType::Topic => RouteIndex::Topic(TopicTrie::new()),
        };
        Exchange {
            id,
            name,
            kind,
            durable: false,
            auto_delete: false,
            internal: false,
            args: FieldTable::new(),
            bindings: BTreeMap::new(),
            identities: HashMap::new(),
            index,
        }
    }

    /// The `alternate-exchange` argument, when it is a string.
    pub fn alternate_exchange(&self) -> Option<&str> {
        self.args
            .get("alternate-exchange")
            .and_then(FieldValue::as_str)
    }

    pub fn bindings(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.values()
    }

    pub fn binding(&self, id: BindingId) -> Option<&Binding> {
        self.bindings.get(&id)
    }

    pub fn binding_count(&self) -> usize {
        self.bindings.len()
    }

    /// The existing binding equal to (destination, key, args), if any.
    pub fn find_binding(
        &self,
        destination: Destination,
        key: &str,
        args: &FieldTable,
    ) -> Option<BindingId> {
        let identity = BindingIdentity {
            destination,
            key: Rc::from(key),
            args: canonical_args(args),
        };
        self.identities.get(&identity).copied()
    }

    /// Adds a binding; returns false if an equal one exists (nothing changes).
    pub fn add_binding(&mut self, binding: Binding) -> bool {
        let identity = BindingIdentity {
            destination: binding.destination,
            key: binding.key.clone(),
            args: canonical_args(&binding.args),
        };
        if self.identities.contains_key(&identity) {
            return false;
        }
        self.identities.insert(identity, binding.id);
        match &mut self.index {
            RouteIndex::Direct(map) => map.entry(binding.key.clone()).or_default().push(binding.id),
            RouteIndex::Topic(trie) => {
                trie.insert(&binding.key, binding.id);
            }
            RouteIndex::Scan => {}
        }
        self.bindings.insert(binding.id, binding);
        true
    }

    /// Removes a binding by id; returns it if it was there.
    pub fn remove_binding(&mut self, id: BindingId) -> Option<Binding> {
        let binding = self.bindings.remove(&id)?;
        self.identities.remove(&BindingIdentity {
            destination: binding.destination,
            key: binding.key.clone(),
            args: canonical_args(&binding.args),
        });
        match &mut self.index {
            RouteIndex::Direct(map) => {
                if let Some(ids) = map.get_mut(&binding.key) {
                    ids.retain(|b| *b != id);
                    if ids.is_empty() {
                        map.remove(&binding.key);
                    }
                }
            }
            RouteIndex::Topic(trie) => {
                trie.remove(&binding.key, &id);
            }
            RouteIndex::Scan => {}
        }
        Some(binding)
    }

    /// The bindings that match one publish, by this exchange's type alone.
    /// `routing_keys` is the publish's key plus any `CC`/`BCC` keys. The
    /// result may name a binding once per matching key; callers de-duplicate.
    pub fn matching_bindings(
        &self,
        routing_keys: &[&str],
        headers: Option<&FieldTable>,
        exact: bool,
    ) -> Vec<BindingId> {
        match (&self.index, self.kind) {
            (RouteIndex::Direct(map), _) => routing_keys
                .iter()
                .filter_map(|k| map.get(*k))
                .flat_map(|ids| ids.iter().copied())
                .collect(),
            (RouteIndex::Topic(trie), _) => {
                routing_keys.iter().flat_map(|k| trie.matches(k)).collect()
            }
            (RouteIndex::Scan, ExchangeType::Headers) => self
                .bindings
                .values()
                .filter(|b| headers::matches(&b.args, headers, exact))
                .map(|b| b.id)
                .collect(),
            (RouteIndex::Scan, _) => self.bindings.keys().copied().collect(),
        }
    }

    /// Why one binding does or does not match a routing key (for the UI's
    /// "try a key" box and for routing events).
    pub fn explain_binding(
        &self,
        binding: &Binding,
        routing_key: &str,
        headers: Option<&FieldTable>,
        exact: bool,
    ) -> MatchExplanation {
        match self.kind {
            ExchangeType::Fanout => MatchExplanation::Fanout,
            ExchangeType::Direct => MatchExplanation::Direct {
                equal: &*binding.key == routing_key,
            },
            ExchangeType::Topic => explain_topic(&binding.key, routing_key),
            ExchangeType::Headers => {
                let (mode, verdicts, matched) = headers::explain(&binding.args, headers, exact);
                MatchExplanation::Headers {
                    mode: mode.name(),
                    keys: verdicts
                        .into_iter()
                        .map(|(k, v)| (k, format!("{v:?}").to_lowercase()))
                        .collect(),
                    matched,
                }
            }
        }
    }
}

/// The reason a binding matched or not, word by word for topics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MatchExplanation {
    Fanout,
    Direct {
        equal: bool,
    },
    Topic {
        matched: bool,
        reason: String,
    },
    Headers {
        mode: &'static str,
        keys: Vec<(String, String)>,
        matched: bool,
    },
}

impl MatchExplanation {
    pub fn matched(&self) -> bool {
        match self {
            MatchExplanation::Fanout => true,
            MatchExplanation::Direct { equal } => *equal,
            MatchExplanation::Topic { matched, .. } | MatchExplanation::Headers { matched, .. } => {
                *matched
            }
        }
    }
}

/// Explains a topic match in words a learner can follow, e.g.
/// "word 2: 'orange' does not match 'brown'" or
/// "the key has 2 words but the pattern needs at least 3".
pub fn explain_topic(binding_key: &str, routing_key: &str) -> MatchExplanation {
    let matched = topic_trie::key_matches(binding_key, routing_key);
    let pattern = topic_trie::words(binding_key);
    let words = topic_trie::words(routing_key);
    let reason = if matched {
        "every word matches".to_string()
    } else if !pattern.contains(&"#") {
        if pattern.len() != words.len() {
            format!(
                "the routing key has {} word{} but the binding key needs exactly {}",
                words.len(),
                if words.len() == 1 { "" } else { "s" },
                pattern.len()
            )
        } else {
            let (i, (p, w)) = pattern
                .iter()
                .zip(&words)
                .enumerate()
                .find(|(_, (p, w))| **p != "*" && p != w)
                .unwrap_or((0, (&"", &"")));
            format!("word {}: '{}' is not '{}'", i + 1, w, p)
        }
    } else {
        let fixed = pattern.iter().filter(|w| **w != "#").count();
        if words.len() < fixed {
            format!(
                "the routing key has {} word{} but the binding key needs at least {}",
                words.len(),
                if words.len() == 1 { "" } else { "s" },
                fixed
            )
        } else {
            "no way to line the words up with the pattern ('#' takes zero or more words, '*' exactly one)".to_string()
        }
    };
    MatchExplanation::Topic { matched, reason }
}
