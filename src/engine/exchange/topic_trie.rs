//! A word trie for topic routing, RabbitMQ's design (`rabbit_db_topic_exchange`).
//!
//! A binding key like `*.orange.#` is split on `.` into words, and each word
//! is an edge: a literal word, `*` (exactly one word) or `#` (zero or more
//! words). Matching a routing key walks only the edges that can match it:
//! at each node, the literal child for the next word, the `*` child and the
//! `#` child. So the cost of a publish depends on the keys that *could*
//! match, not on how many bindings exist; 100,000 bindings on unrelated keys
//! cost nothing.
//!
//! Edge cases that follow from "split on `.`" and that RabbitMQ's own test
//! suite pins down:
//! - the empty key `""` has zero words: `#` and `""` match it, `*` does not;
//! - consecutive dots make empty words, which are ordinary literals
//!   (`a..b` has three words, and `*` matches the empty one);
//! - `*` and `#` are wildcards only as whole words (`a#b` is a literal);
//! - several `#`s could make matching exponential; a memo of visited
//!   (node, position) pairs keeps it linear in trie paths times key words.

use std::collections::{HashMap, HashSet};

/// Splits a topic key into words: `""` is zero words, otherwise split on `.`.
pub fn words(key: &str) -> Vec<&str> {
    if key.is_empty() {
        Vec::new()
    } else {
        key.split('.').collect()
    }
}

type NodeId = u32;

#[derive(Clone, Debug, Default)]
struct Node<T> {
    /// Literal-word edges. Looked up, never iterated during matching, so the
    /// map's iteration order cannot influence results.
    literal: HashMap<Box<str>, NodeId>,
    star: Option<NodeId>,
    hash: Option<NodeId>,
    /// Values bound with a key that ends at this node.
    values: Vec<T>,
    /// The parent and the edge leading here, so empty nodes can be pruned.
    parent: Option<(NodeId, Edge)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Edge {
    Literal(Box<str>),
    Star,
    Hash,
}

impl Edge {
    fn of(word: &str) -> Edge {
        match word {
            "*" => Edge::Star,
            "#" => Edge::Hash,
            w => Edge::Literal(w.into()),
        }
    }
}

/// A trie from binding keys to values (bindings). Values equal under `==`
/// may be inserted once per key; `remove` removes one.
#[derive(Clone, Debug)]
pub struct TopicTrie<T> {
    nodes: Vec<Node<T>>,
    /// Slots of pruned nodes, reused by later inserts.
    free: Vec<NodeId>,
    len: usize,
}

impl<T> Default for TopicTrie<T> {
    fn default() -> Self {
        TopicTrie {
            nodes: vec![Node::empty()],
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Node<T> {
    fn empty() -> Node<T> {
        Node {
            literal: HashMap::new(),
            star: None,
            hash: None,
            values: Vec::new(),
            parent: None,
        }
    }

    fn is_unused(&self) -> bool {
        self.literal.is_empty()
            && self.star.is_none()
            && self.hash.is_none()
            && self.values.is_empty()
    }
}

const ROOT: NodeId = 0;

impl<T: Clone + PartialEq> TopicTrie<T> {
    pub fn new() -> TopicTrie<T> {
        TopicTrie::default()
    }

    /// Number of values stored.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn child(&self, node: NodeId, edge: &Edge) -> Option<NodeId> {
        let n = &self.nodes[node as usize];
        match edge {
            Edge::Literal(w) => n.literal.get(w).copied(),
            Edge::Star => n.star,
            Edge::Hash => n.hash,
        }
    }

    fn add_child(&mut self, node: NodeId, edge: Edge) -> NodeId {
        let mut fresh = Node::empty();
        fresh.parent = Some((node, edge.clone()));
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = fresh;
                id
            }
            None => {
                self.nodes.push(fresh);
                (self.nodes.len() - 1) as NodeId
            }
        };
        let n = &mut self.nodes[node as usize];
        match edge {
            Edge::Literal(w) => {
                n.literal.insert(w, id);
            }
            Edge::Star => n.star = Some(id),
            Edge::Hash => n.hash = Some(id),
        }
        id
    }

    /// Adds `value` under `key`. Returns false (and changes nothing) if the
    /// same value is already stored under that key.
    pub fn insert(&mut self, key: &str, value: T) -> bool {
        let mut node = ROOT;
        for word in words(key) {
            let edge = Edge::of(word);
            node = match self.child(node, &edge) {
                Some(next) => next,
                None => self.add_child(node, edge),
            };
        }
        let values = &mut self.nodes[node as usize].values;
        if values.contains(&value) {
            return false;
        }
        values.push(value);
        self.len += 1;
        true
    }

    /// Removes `value` from `key`. Returns whether it was there. Nodes left
    /// with no values and no children are pruned, so the trie does not grow
    /// with churn.
    pub fn remove(&mut self, key: &str, value: &T) -> bool {
        let mut node = ROOT;
        for word in words(key) {
            match self.child(node, &Edge::of(word)) {
                Some(next) => node = next,
                None => return false,
            }
        }
        let values = &mut self.nodes[node as usize].values;
        let Some(pos) = values.iter().position(|v| v == value) else {
            return false;
        };
        values.remove(pos);
        self.len -= 1;
        self.prune(node);
        true
    }

    fn prune(&mut self, mut node: NodeId) {
        while node != ROOT && self.nodes[node as usize].is_unused() {
            let Some((parent, edge)) = self.nodes[node as usize].parent.take() else {
                return;
            };
            let p = &mut self.nodes[parent as usize];
            match edge {
                Edge::Literal(w) => {
                    p.literal.remove(&w);
                }
                Edge::Star => p.star = None,
                Edge::Hash => p.hash = None,
            }
            self.free.push(node);
            node = parent;
        }
    }

    /// Every value whose binding key matches `routing_key`, each value once
    /// per key it is stored under that matches (the caller de-duplicates
    /// destinations). Order: depth-first, literal before `*` before `#`.
    pub fn matches(&self, routing_key: &str) -> Vec<T> {
        let words = words(routing_key);
        let mut out = Vec::new();
        let mut seen: HashSet<(NodeId, usize)> = HashSet::new();
        self.walk(ROOT, &words, 0, &mut seen, &mut out);
        out
    }

    fn walk(
        &self,
        node: NodeId,
        words: &[&str],
        at: usize,
        seen: &mut HashSet<(NodeId, usize)>,
        out: &mut Vec<T>,
    ) {
        // Each (node, position) is explored once: with several `#` edges the
        // same state is reachable along many paths.
        if !seen.insert((node, at)) {
            return;
        }
        let n = &self.nodes[node as usize];
        if at == words.len() {
            out.extend(n.values.iter().cloned());
        } else {
            if let Some(&next) = n.literal.get(words[at]) {
                self.walk(next, words, at + 1, seen, out);
            }
            if let Some(next) = n.star {
                self.walk(next, words, at + 1, seen, out);
            }
        }
        if let Some(next) = n.hash {
            // `#` swallows zero or more words.
            for skip_to in at..=words.len() {
                self.walk(next, words, skip_to, seen, out);
            }
        }
    }
}

/// Whether one binding key matches one routing key, by direct backtracking.
/// This is the naive matcher the trie is measured and tested against; the UI
/// also uses it to explain, binding by binding, why a key did not match.
pub fn key_matches(binding_key: &str, routing_key: &str) -> bool {
    fn go(b: &[&str], r: &[&str]) -> bool {
        match b.split_first() {
            None => r.is_empty(),
            Some((&"#", rest)) => (0..=r.len()).any(|skip| go(rest, &r[skip..])),
            Some((&"*", rest)) => !r.is_empty() && go(rest, &r[1..]),
            Some((w, rest)) => r.first() == Some(w) && go(rest, &r[1..]),
        }
    }
    go(&words(binding_key), &words(routing_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<&'static str>) -> Vec<&'static str> {
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn empty_key_is_zero_words() {
        assert!(words("").is_empty());
        assert_eq!(words("a..b"), vec!["a", "", "b"]);
        assert_eq!(words("europe."), vec!["europe", ""]);
    }

    #[test]
    fn insert_is_idempotent_and_remove_prunes() {
        let mut t = TopicTrie::new();
        assert!(t.insert("a.*.c", "q1"));
        assert!(!t.insert("a.*.c", "q1"));
        assert!(t.insert("a.#", "q2"));
        assert_eq!(t.len(), 2);
        assert_eq!(sorted(t.matches("a.b.c")), vec!["q1", "q2"]);
        assert!(t.remove("a.*.c", &"q1"));
        assert!(!t.remove("a.*.c", &"q1"));
        assert_eq!(t.matches("a.b.c"), vec!["q2"]);
        assert!(t.remove("a.#", &"q2"));
        assert!(t.is_empty());
        // Only the root is left in use; the pruned slots are free for reuse.
        assert_eq!(t.nodes.len() - t.free.len(), 1);
    }

    #[test]
    fn many_hashes_stay_fast_and_correct() {
        let mut t = TopicTrie::new();
        let key = vec!["#"; 15].join(".");
        t.insert(&key, 1);
        let routing: Vec<String> = (0..31).map(|i| format!("w{i}")).collect();
        assert_eq!(t.matches(&routing.join(".")), vec![1]);
    }
}
