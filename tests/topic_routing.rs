//! RabbitMQ's own topic-routing tables, run through Warren's broker: the
//! `topic/1` test of `routing_SUITE` (both phases and the exchange delete)
//! and the cases of `rabbit_db_topic_exchange_SUITE`. Results are compared as
//! sets of queue names, as RabbitMQ's suite does.

use std::collections::BTreeSet;
use warren::engine::exchange::topic_trie::{key_matches, TopicTrie};
use warren::engine::method::{
    BasicPublish, ExchangeDeclare, ExchangeDelete, QueueBind, QueueDeclare,
};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, Method};

#[path = "support/chan.rs"]
mod chan;
use chan::Chan;

/// (queue, binding key, args) — the list of `routing_SUITE:topic1/1`.
const BINDINGS: &[(&str, &str, Option<&str>)] = &[
    ("t1", "a.b.c", None),
    ("t2", "a.*.c", None),
    ("t3", "a.#.b", None),
    ("t4", "a.b.b.c", None),
    ("t5", "#", None),
    ("t6", "#.#", None),
    ("t7", "#.b", None),
    ("t8", "*.*", None),
    ("t9", "a.*", None),
    ("t10", "*.b.c", None),
    ("t11", "a.#", None),
    ("t12", "a.#.#", None),
    ("t13", "b.b.c", None),
    ("t14", "a.b.b", None),
    ("t15", "a.b", None),
    ("t16", "b.c", None),
    ("t17", "", None),
    ("t18", "*.*.*", None),
    ("t19", "vodka.martini", None),
    ("t20", "a.b.c", None),
    ("t21", "*.#", None),
    ("t22", "#.*.#", None),
    ("t23", "*.#.#", None),
    ("t25", "*", None),
    ("t26", "#.b.#", None),
    ("t27", "args-test", Some("bar")),
    ("t27", "args-test", Some("baz")),
];

const PHASE1: &[(&str, &str)] = &[
    ("a.b.c", "t1 t2 t5 t6 t10 t11 t12 t18 t20 t21 t22 t23 t26"),
    ("a.b", "t3 t5 t6 t7 t8 t9 t11 t12 t15 t21 t22 t23 t26"),
    ("a.b.b", "t3 t5 t6 t7 t11 t12 t14 t18 t21 t22 t23 t26"),
    ("", "t5 t6 t17"),
    ("b.c.c", "t5 t6 t18 t21 t22 t23 t26"),
    ("a.a.a.a.a", "t5 t6 t11 t12 t21 t22 t23"),
    ("vodka.gin", "t5 t6 t8 t21 t22 t23"),
    ("vodka.martini", "t5 t6 t8 t19 t21 t22 t23"),
    ("b.b.c", "t5 t6 t10 t13 t18 t21 t22 t23 t26"),
    ("nothing.here.at.all", "t5 t6 t21 t22 t23"),
    ("oneword", "t5 t6 t21 t22 t23 t25"),
    ("args-test", "t5 t6 t21 t22 t23 t25 t27"),
];

/// After removing bindings 1, 5, 11, 19, 21 and the first args-test one.
const PHASE2: &[(&str, &str)] = &[
    ("a.b.c", "t2 t6 t10 t12 t18 t20 t22 t23 t26"),
    ("a.b", "t3 t6 t7 t8 t9 t12 t15 t22 t23 t26"),
    ("a.b.b", "t3 t6 t7 t12 t14 t18 t22 t23 t26"),
    ("", "t6 t17"),
    ("b.c.c", "t6 t18 t22 t23 t26"),
    ("a.a.a.a.a", "t6 t12 t22 t23"),
    ("vodka.gin", "t6 t8 t22 t23"),
    ("vodka.martini", "t6 t8 t22 t23"),
    ("b.b.c", "t6 t10 t13 t18 t22 t23 t26"),
    ("nothing.here.at.all", "t6 t22 t23"),
    ("oneword", "t6 t22 t23 t25"),
    ("args-test", "t6 t22 t23 t25 t27"),
];

fn args(foo: Option<&str>) -> FieldTable {
    let mut t = FieldTable::new();
    if let Some(v) = foo {
        t.insert("foo".into(), FieldValue::LongStr(v.into()));
    }
    t
}

/// The binding of `queue` to the test exchange with `key` and `args(foo)`.
fn binding(queue: &str, key: &str, foo: Option<&str>) -> QueueBind {
    QueueBind {
        arguments: args(foo),
        ..QueueBind::new(queue, "topic_matching-exchange", key)
    }
}

struct Fixture {
    broker: Broker,
    ch: Chan,
}

impl Fixture {
    fn new() -> Fixture {
        let exchange = ExchangeDeclare {
            durable: true,
            ..ExchangeDeclare::new("topic_matching-exchange", "topic")
        };
        let (broker, ch) = chan::broker_after("test", Method::ExchangeDeclare(exchange));
        let mut f = Fixture { broker, ch };
        for (q, key, foo) in BINDINGS {
            f.ch.call(&mut f.broker, Method::QueueDeclare(QueueDeclare::named(q)))
                .unwrap();
            f.ch.call(&mut f.broker, Method::QueueBind(binding(q, key, *foo)))
                .unwrap();
        }
        f
    }

    /// The queues a publish with `key` reaches (read from the routing event).
    fn route(&mut self, key: &str) -> BTreeSet<String> {
        let before: Vec<(String, u64)> = self.counts();
        self.ch
            .call(
                &mut self.broker,
                Method::BasicPublish(BasicPublish::new("topic_matching-exchange", key, "")),
            )
            .unwrap();
        let after = self.counts();
        before
            .iter()
            .zip(after)
            .filter(|(b, a)| a.1 > b.1)
            .map(|(b, _)| b.0.clone())
            .collect()
    }

    fn counts(&self) -> Vec<(String, u64)> {
        self.broker
            .queues()
            .map(|q| (q.name.to_string(), q.ready_count()))
            .collect()
    }
}

fn expected(list: &str) -> BTreeSet<String> {
    list.split_whitespace().map(String::from).collect()
}

fn check(f: &mut Fixture, table: &[(&str, &str)], phase: &str) {
    for (key, want) in table {
        assert_eq!(f.route(key), expected(want), "{phase}: routing key {key:?}");
    }
}

#[test]
fn routing_suite_topic_phase_1_2_and_delete() {
    let mut f = Fixture::new();
    check(&mut f, PHASE1, "phase 1");
    for (q, key, foo) in [
        BINDINGS[0],
        BINDINGS[4],
        BINDINGS[10],
        BINDINGS[18],
        BINDINGS[20],
        BINDINGS[25],
    ] {
        f.ch.call(&mut f.broker, Method::QueueUnbind(binding(q, key, foo)))
            .unwrap();
    }
    check(&mut f, PHASE2, "phase 2");
    f.ch.call(
        &mut f.broker,
        Method::ExchangeDelete(ExchangeDelete {
            exchange: "topic_matching-exchange".into(),
            if_unused: false,
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(f.broker.bindings().is_empty());
    // Publishing to the deleted exchange is now a 404 that closes the channel.
    let err =
        f.ch.call(
            &mut f.broker,
            Method::BasicPublish(BasicPublish::new("topic_matching-exchange", "a.b.c", "")),
        )
        .unwrap_err();
    assert_eq!(err.amqp().unwrap().code.code(), 404);
}

/// `rabbit_db_topic_exchange_SUITE`: bindings, then key → matching binding keys.
const DB_CASES: &[(&[&str], &[(&str, &[&str])])] = &[
    (
        &["foo.*", "foo.#", "foo.bar", "foo.*.baz", "#"],
        &[
            ("foo.bar", &["#", "foo.bar", "foo.#", "foo.*"]),
            ("foo.bar.baz", &["#", "foo.*.baz", "foo.#"]),
            ("foo.bar.baz.qux", &["#", "foo.#"]),
            ("foo.qux", &["#", "foo.#", "foo.*"]),
            ("bar.foo", &["#"]),
        ],
    ),
    (
        &["#.c", "#.b.c", "a.#.d", "#.*.#"],
        &[
            ("a.b.c", &["#.c", "#.b.c", "#.*.#"]),
            ("c", &["#.c", "#.*.#"]),
            ("x.y.b.c", &["#.c", "#.b.c", "#.*.#"]),
            ("a.d", &["a.#.d", "#.*.#"]),
            ("a.b.c.d", &["a.#.d", "#.*.#"]),
            ("x", &["#.*.#"]),
            ("x.c", &["#.c", "#.*.#"]),
        ],
    ),
    (
        &["#", "foo.bar"],
        &[("", &["#"]), ("foo.bar", &["#", "foo.bar"])],
    ),
    (
        &[
            "a.b", "a.b.#", "a.b.c", "a.b.*", "a.b.d", "a.*.*", "a.*.#", "*.b.c",
        ],
        &[
            (
                "a.b.c",
                &["a.b.#", "a.b.c", "a.b.*", "a.*.*", "a.*.#", "*.b.c"],
            ),
            ("a.b", &["a.b", "a.b.#", "a.*.#"]),
        ],
    ),
    (
        &[".#", ".*", ".*.a.b.c"],
        &[(".0.a.b.c", &[".#", ".*.a.b.c"])],
    ),
    (&["foo.*", "foo.bar"], &[("foo.bar", &["foo.*", "foo.bar"])]),
];

#[test]
fn db_topic_exchange_suite_cases_trie_and_naive_agree() {
    for (bindings, cases) in DB_CASES {
        let mut trie = TopicTrie::new();
        for b in *bindings {
            trie.insert(b, b.to_string());
        }
        for (key, want) in *cases {
            let got: BTreeSet<String> = trie.matches(key).into_iter().collect();
            let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(got, want, "trie: bindings {bindings:?}, key {key:?}");
            let naive: BTreeSet<String> = bindings
                .iter()
                .filter(|b| key_matches(b, key))
                .map(|s| s.to_string())
                .collect();
            assert_eq!(
                naive, want,
                "naive matcher: bindings {bindings:?}, key {key:?}"
            );
        }
    }
}

#[test]
fn deep_hierarchy_and_many_wildcards() {
    let letters: Vec<String> = ('a'..='z').map(|c| c.to_string()).collect();
    let deep = letters.join(".");
    let mut trie = TopicTrie::new();
    trie.insert("#", "hash");
    trie.insert(&format!("{deep}.#"), "deep#");
    trie.insert(&format!("{deep}.*"), "deep*");
    let m: BTreeSet<&str> = trie.matches(&deep).into_iter().collect();
    assert_eq!(m, BTreeSet::from(["hash", "deep#"]));
    let m: BTreeSet<&str> = trie.matches(&format!("{deep}.1")).into_iter().collect();
    assert_eq!(m, BTreeSet::from(["hash", "deep#", "deep*"]));

    let all_stars = format!("{}.#", vec!["*"; 26].join("."));
    let mut t = TopicTrie::new();
    t.insert(&all_stars, 1);
    assert_eq!(t.matches(&deep), vec![1]);

    let alternating = "a.*.c.*.e.*.g.*.i.*.k.*.m.*.o.*.q.*.s.*.u.*.w.*.y.*.#";
    let mut t = TopicTrie::new();
    t.insert(alternating, 1);
    assert_eq!(t.matches(&deep), vec![1]);
}

/// The lesson's mistake: binding key `europe.` is two words, the second
/// empty, so it matches neither `europe.weather` nor `europe.weather.bad`.
#[test]
fn europe_dot_binding_key_matches_only_the_empty_second_word() {
    assert!(!key_matches("europe.", "europe.weather"));
    assert!(!key_matches("europe.", "europe.weather.bad"));
    assert!(key_matches("europe.", "europe."));
    assert!(key_matches("europe.*", "europe."));
}
