//! Every built-in chapter: it parses; its starting state does not pass the
//! first task; each task's checkpoints fail before its solution and pass
//! after it (played from the state the previous tasks left); and the pika
//! code for the finished chapter mentions what the chapter teaches.
//!
//! And what a chapter teaches (issue 19): every task has a hint in both
//! languages and the pika line it stands for, which is what Warren's code
//! panel writes for its solution; the counts a goal names are the counts
//! its checkpoints ask for, in both languages; the Chinese keeps one word
//! per thing (工作进程, 应答 for a consumer's ack, 发布确认 for a
//! publisher's confirm, 预取); and a task waiting for an engine feature
//! still cannot pass, until the engine has it.

use warren::describe::i18n::ZH_AVOIDED;
use warren::sim::world::{Command, World};
use warren::tutorial::action::{apply, play, Move};
use warren::tutorial::catalog;
use warren::tutorial::check::Condition;
use warren::tutorial::pika;
use warren::tutorial::progress::{checkpoints_holding, world_at, SavedProgress, Tracker};
use warren::tutorial::{Chapter, Task, Text, ENGINE_FEATURES, KNOWN_NEEDS};

fn chapters() -> Vec<Chapter> {
    catalog::chapters()
        .into_iter()
        .map(|c| c.unwrap_or_else(|(file, e)| panic!("{file}: {e}")))
        .collect()
}

/// The workbench knows the chapters by `www/tutorials/index.json` until it
/// fetches one: the index must list every chapter file, in order, with what
/// the file says (its id, number, title and task count).
#[test]
fn the_index_agrees_with_the_chapter_files() {
    let index = catalog::index();
    let expected = catalog::index_of_files().unwrap_or_else(|(file, e)| panic!("{file}: {e}"));
    assert_eq!(
        index, expected,
        "www/tutorials/index.json is stale: run `cargo run --bin tutorial -- index > www/tutorials/index.json`"
    );
    // And FILES names every chapter file there is (none is left unlisted).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/tutorials");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|f| f.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json") && name != "index.json")
        .collect();
    on_disk.sort();
    let listed: Vec<String> = index.iter().map(|e| e.file.clone()).collect();
    assert_eq!(
        listed, on_disk,
        "every chapter file is in catalog::FILES and the index"
    );
}

#[test]
fn every_chapter_parses_and_is_numbered_in_order() {
    let chapters = chapters();
    assert_eq!(chapters.len(), 15);
    for (i, c) in chapters.iter().enumerate() {
        assert_eq!(c.number as usize, i, "{}", c.id);
        assert!(
            catalog::FILES[i].0.starts_with(&c.id),
            "{} in {}",
            c.id,
            catalog::FILES[i].0
        );
        for text in [&c.title, &c.summary, &c.intro] {
            assert!(
                !text.en.trim().is_empty() && !text.zh.trim().is_empty(),
                "{}: empty text",
                c.id
            );
        }
        for task in &c.tasks {
            assert!(
                !task.goal.en.is_empty() && !task.goal.zh.is_empty(),
                "{}/{}",
                c.id,
                task.id
            );
            for check in &task.checks {
                assert!(!check.label.en.is_empty() && !check.label.zh.is_empty());
            }
        }
    }
}

#[test]
fn solutions_pass_every_checkpoint_and_the_start_does_not() {
    let mut failures = Vec::new();
    for chapter in chapters() {
        let mut world = world_at(&chapter, 0).unwrap();
        for (t, task) in chapter.tasks.iter().enumerate() {
            let since = (
                world.sim.broker.next_event_seq(),
                world.sim.actor_events().len(),
            );
            let before = checkpoints_holding(&chapter.tasks[t], &world, since);
            if before.iter().all(|h| *h) {
                failures.push(format!(
                    "{} task {} '{}': already passes before its solution",
                    chapter.id, t, task.id
                ));
            }
            if let Err(e) = play(&mut world, &task.solution) {
                failures.push(format!("{} task {} '{}': {e}", chapter.id, t, task.id));
                break;
            }
            let after = checkpoints_holding(&chapter.tasks[t], &world, since);
            for (c, ok) in after.iter().enumerate() {
                if !ok {
                    failures.push(format!(
                        "{} task {} '{}': checkpoint {c} ({}) fails after the solution",
                        chapter.id, t, task.id, task.checks[c].label.en
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The tracker, fed as the workbench feeds it (after every move), walks
/// through every task of every chapter.
#[test]
fn the_tracker_follows_the_solutions_move_by_move() {
    use warren::tutorial::action::apply;
    for chapter in chapters() {
        let mut world = world_at(&chapter, 0).unwrap();
        let mut tracker = Tracker::start(&chapter, 0, &world);
        assert!(
            !tracker.observe(
                &chapter,
                &world,
                world.sim.broker.events(),
                world.sim.actor_events()
            ),
            "{}: the start passes task 0",
            chapter.id
        );
        for (t, task) in chapter.tasks.iter().enumerate() {
            assert_eq!(tracker.task, t, "{}", chapter.id);
            for action in &task.solution {
                let m = action.to_move(&world).unwrap();
                apply(&mut world, &m);
                tracker.observe(
                    &chapter,
                    &world,
                    world.sim.broker.events(),
                    world.sim.actor_events(),
                );
            }
        }
        assert!(
            tracker.finished(&chapter),
            "{} ends at task {}",
            chapter.id,
            tracker.task
        );
    }
}

#[test]
fn saved_progress_rebuilds_the_world_and_survives_garbage() {
    let chapters = chapters();
    let chapter = &chapters[3];
    let mut saved = SavedProgress::parse("not json");
    assert_eq!(saved.done(&chapter.id), 0);
    saved.record(&chapter.id, 2);
    saved.record(&chapter.id, 1);
    let saved = SavedProgress::parse(&saved.to_json());
    assert_eq!(saved.done(&chapter.id), 2);
    let world = world_at(chapter, saved.done(&chapter.id)).unwrap();
    let mut tracker = Tracker::start(chapter, 2, &world);
    assert_eq!(tracker.task, 2);
    assert!(!tracker.observe(
        chapter,
        &world,
        world.sim.broker.events(),
        world.sim.actor_events()
    ));
}

/// The code panel's programs for each finished chapter.
#[test]
fn pika_code_for_the_finished_chapters() {
    for chapter in chapters() {
        let world = world_at(&chapter, chapter.tasks.len()).unwrap();
        let mut code = pika::topology_program(&world.sim);
        for p in world.sim.producers() {
            code += &pika::producer_program(&p.spec, &world.sim.broker);
        }
        for w in world.sim.workers() {
            code += &pika::worker_program(&w.spec, &world.sim.broker);
        }
        // The lesson's `method.deliver_tag` only where a chapter reproduces
        // it on purpose: a worker told to crash on it.
        let crashers = world
            .sim
            .workers()
            .filter(|w| w.spec.on_done == warren::sim::OnDone::Crash)
            .count();
        assert_eq!(
            code.matches("method.deliver_tag").count(),
            crashers,
            "{}",
            chapter.id
        );
        let expect: &[&str] = match chapter.number {
            1 => &["channel.queue_declare(queue='hello')", "auto_ack=True"],
            2 => &["time.sleep(body.count(b'.'))"],
            3 => &["ch.basic_ack(delivery_tag=method.delivery_tag)"],
            4 => &["durable=True", "delivery_mode=pika.DeliveryMode.Persistent"],
            5 => &["channel.basic_qos(prefetch_count=1)"],
            6 => &[
                "exchange_type='fanout'",
                "exclusive=True",
                "result.method.queue",
            ],
            7 => &["exchange_type='direct'", "routing_key='ja'"],
            8 => &["exchange_type='topic'", "routing_key='europe.#'"],
            9 => &[
                "reply_to=callback_queue",
                "correlation_id=corr_id",
                "properties.reply_to",
            ],
            10 => &["channel.confirm_delivery()"],
            11 => &[
                "exchange_type='headers'",
                "'x-match': 'all'",
                "'x-match': 'any'",
                "headers={'year': 2026}",
            ],
            12 => &[
                "arguments={'alternate-exchange': 'unrouted'}",
                "mandatory=True",
            ],
            13 => &[
                "'x-queue-type': 'quorum'",
                "'x-delivery-limit': 3",
                "ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)",
            ],
            14 => &[
                "'x-queue-type': 'stream'",
                "channel.basic_qos(prefetch_count=1)",
                "arguments={'x-stream-offset': 'first'}",
                "arguments={'x-stream-offset': 3}",
            ],
            _ => &[],
        };
        for e in expect {
            assert!(code.contains(e), "{}: no {e} in\n{code}", chapter.id);
        }
    }
}

/// "Run the lesson's code" for a chapter the lessons have no scripts for
/// opens the chapter's own programs: the topology first, then the
/// consumers, then the producers, each as the code panel writes it.
#[test]
fn a_chapters_programs_are_its_topology_then_consumers_then_producers() {
    let chapters = chapters();
    let streams = chapters.iter().find(|c| c.id == "14-streams").unwrap();
    let programs = pika::chapter_programs(streams);
    let names: Vec<&str> = programs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "setup.py",
            "reader.py",
            "tail.py",
            "audit.py",
            "emit_event.py"
        ]
    );
    assert!(programs[0].1.contains(
        "channel.queue_declare(queue='events', arguments={'x-queue-type': 'stream'}, durable=True)"
    ));
    assert!(programs[1]
        .1
        .contains("channel.basic_qos(prefetch_count=1)"));
    assert!(programs[1]
        .1
        .contains("arguments={'x-stream-offset': 'first'}"));
    assert!(programs[4].1.contains("channel.basic_publish("));
    for chapter in &chapters {
        let programs = pika::chapter_programs(chapter);
        assert_eq!(
            programs.first().map(|(n, _)| n.as_str()),
            Some("setup.py"),
            "{}",
            chapter.id
        );
    }
}

// ---------------------------------------------------------------------------
// What the chapters teach (issue 19)

/// Every task of a chapter, each with the number of runnable tasks before
/// it: the runnable ones, then those waiting for an engine feature.
fn all_tasks(chapter: &Chapter) -> Vec<(usize, &Task)> {
    let mut out: Vec<(usize, &Task)> = chapter.tasks.iter().enumerate().collect();
    out.extend(chapter.pending.iter().map(|(at, t)| (*at, t)));
    out
}

/// The lines of a task's `pika` that are code (not blank, not `#`).
fn code_lines(pika: &str) -> Vec<&str> {
    pika.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn every_task_has_a_hint_in_both_languages_and_its_pika_line() {
    let mut failures = Vec::new();
    for chapter in chapters() {
        for (_, task) in all_tasks(&chapter) {
            let name = format!("{}/{}", chapter.id, task.id);
            if task.hints.is_empty() {
                failures.push(format!("{name}: no hint"));
            }
            for (h, hint) in task.hints.iter().enumerate() {
                if hint.en.trim().is_empty() || hint.zh.trim().is_empty() {
                    failures.push(format!("{name}: hint {h} lacks a language"));
                }
            }
            // Worded for both ways of doing it: the controls and the code.
            let (en, zh): (Vec<&str>, Vec<&str>) = task
                .hints
                .iter()
                .map(|h| (h.en.as_str(), h.zh.as_str()))
                .unzip();
            let (en, zh) = (en.join(" "), zh.join(" "));
            for (lang, text, workbench) in
                [("English", &en, "workbench"), ("Chinese", &zh, "工作台")]
            {
                if !text.contains(workbench) || !text.contains("pika") {
                    failures.push(format!("{name}: the {lang} hints do not say both how in the workbench and how in pika"));
                }
            }
            if code_lines(&task.pika).is_empty() {
                failures.push(format!("{name}: no pika line"));
            }
            if task
                .explain
                .as_ref()
                .is_some_and(|x| x.en.trim().is_empty() || x.zh.trim().is_empty())
            {
                failures.push(format!("{name}: the explanation lacks a language"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Whitespace runs as one space, so a call the code panel wraps over
/// several lines reads as the one line a chapter quotes.
fn one_line(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plays a task's solution in `world` and returns the pika Warren writes
/// for it: each command as the code panel lists it (and a publish as the
/// whole program that sends it), then the topology and every producer's
/// and worker's program afterwards.
fn play_and_write(world: &mut World, task: &Task) -> String {
    let mut code = String::new();
    for action in &task.solution {
        let m = action.to_move(world).unwrap();
        if let Move::Command(cmd) = &m {
            if let Some(c) = pika::command(cmd, world) {
                code += &c;
                code.push('\n');
            }
            if let Command::Publish {
                producer,
                count,
                body,
            } = cmd
            {
                if let Some(p) = world.sim.producer(*producer) {
                    let mut spec = p.spec.clone();
                    if let Some(b) = body {
                        spec.body = b.clone();
                    }
                    code +=
                        &pika::publish_program(&spec, u64::from(count.get()), &world.sim.broker);
                }
            }
        }
        apply(world, &m);
    }
    code += &pika::topology_program(&world.sim);
    for p in world.sim.producers() {
        code += &pika::producer_program(&p.spec, &world.sim.broker);
    }
    for w in world.sim.workers() {
        code += &pika::worker_program(&w.spec, &world.sim.broker);
    }
    code
}

#[test]
fn each_tasks_pika_line_is_what_warren_writes_for_it() {
    let mut failures = Vec::new();
    for chapter in chapters() {
        let mut check = |world: &mut World, task: &Task| {
            let code = one_line(&play_and_write(world, task));
            for line in code_lines(&task.pika) {
                if !code.contains(&one_line(line)) {
                    failures.push(format!(
                        "{}/{}: Warren does not write `{line}` for this task",
                        chapter.id, task.id
                    ));
                }
            }
        };
        let mut world = world_at(&chapter, 0).unwrap();
        for task in &chapter.tasks {
            check(&mut world, task);
        }
        for (at, task) in &chapter.pending {
            check(&mut world_at(&chapter, *at).unwrap(), task);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Prose outside `code` spans (a span becomes a space, so what is on
/// either side of it never joins).
fn outside_code(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

const EN_NUMBERS: &[(&str, u64)] = &[
    ("two", 2),
    ("both", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("twenty", 20),
    ("thirty", 30),
    ("fifty", 50),
    ("hundred", 100),
];
/// A number followed by one of these is a duration or a size, not a count.
const EN_UNITS: &[&str] = &[
    "second", "seconds", "minute", "minutes", "hour", "hours", "ms", "dot", "dots",
];
/// A number after one of these is a name or a reference (`worker 2`,
/// chapter 4), not a count.
const EN_NAMES: &[&str] = &[
    "chapter", "chapters", "lesson", "section", "worker", "customer", "server", "task",
];

/// The counts (2 and more) an English goal names, as the checkpoints must
/// ask for them: number words and numerals outside `code`, leaving out
/// durations (`ten-second`, `45 minutes`), names (`worker 2`), sections
/// (`§3.4`) and lesson numbers (`000`).
fn en_counts(text: &str) -> Vec<u64> {
    let prose = outside_code(text);
    let chars: Vec<char> = prose.chars().collect();
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            words.push((start, i));
        } else {
            i += 1;
        }
    }
    let word = |k: usize| -> Option<String> {
        words
            .get(k)
            .map(|&(a, b)| chars[a..b].iter().collect::<String>().to_lowercase())
    };
    let mut out = Vec::new();
    for (k, &(a, b)) in words.iter().enumerate() {
        let w = word(k).unwrap_or_default();
        let value = if w.chars().all(|c| c.is_ascii_digit()) {
            let before = if a > 0 { chars[a - 1] } else { ' ' };
            let dotted_before = before == '.' && a >= 2 && chars[a - 2].is_ascii_digit();
            let dotted_after =
                chars.get(b) == Some(&'.') && chars.get(b + 1).is_some_and(|c| c.is_ascii_digit());
            if (w.len() > 1 && w.starts_with('0')) || before == '§' || dotted_before || dotted_after
            {
                continue;
            }
            w.parse().unwrap_or(0)
        } else if let Some((_, v)) = EN_NUMBERS.iter().find(|(n, _)| *n == w) {
            *v
        } else {
            continue;
        };
        if chars.get(b) == Some(&'-') {
            continue;
        }
        if word(k + 1).is_some_and(|n| EN_UNITS.contains(&n.as_str())) {
            continue;
        }
        if k > 0 && word(k - 1).is_some_and(|p| EN_NAMES.contains(&p.as_str())) {
            continue;
        }
        if value >= 2 {
            out.push(value);
        }
    }
    out.sort_unstable();
    out
}

/// A run of Chinese numerals as a number (十二, 五十, 两), or `None` for
/// runs that are not one number (一两, 三四).
fn zh_number(run: &str) -> Option<u64> {
    if run.chars().all(|c| c.is_ascii_digit()) {
        return run.parse().ok();
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u64)
            .or((c == '两').then_some(2))
    };
    let cs: Vec<char> = run.chars().collect();
    match cs.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
}

/// The counts (2 and more) a Chinese goal names, by the same rules as
/// [`en_counts`]: not 三个点 or 十秒, not 第 3.4 节, not `worker 2`.
fn zh_counts(text: &str) -> Vec<u64> {
    let prose = outside_code(text);
    let chars: Vec<char> = prose.chars().collect();
    let numeral = |c: char| c.is_ascii_digit() || "零一二两三四五六七八九十".contains(c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !numeral(chars[i])
            || (i > 0 && chars[i - 1].is_ascii_alphabetic() && chars[i].is_ascii_digit())
        {
            i += 1;
            continue;
        }
        let start = i;
        let ascii = chars[i].is_ascii_digit();
        while i < chars.len() && numeral(chars[i]) && chars[i].is_ascii_digit() == ascii {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let before: String = chars[..start]
            .iter()
            .rev()
            .skip_while(|c| c.is_whitespace())
            .take(8)
            .collect::<String>()
            .chars()
            .rev()
            .collect();
        let after: String = chars[i..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take(3)
            .collect();
        let rest: String = chars[i..].iter().take(2).collect();
        let named = EN_NAMES.iter().any(|n| before.to_lowercase().ends_with(n));
        let unit = ["秒", "分钟", "毫秒", "小时", "个点", "点", "次", "章", "节"]
            .iter()
            .any(|u| after.starts_with(u));
        let dotted = before.ends_with('.')
            || rest.starts_with('.') && rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
        let ordinal = before.ends_with('第') || before.ends_with('§');
        let padded = ascii && run.len() > 1 && run.starts_with('0');
        if named || unit || dotted || ordinal || padded {
            continue;
        }
        if let Some(v) = zh_number(&run).filter(|v| *v >= 2) {
            out.push(v);
        }
    }
    out.sort_unstable();
    out
}

/// The lower bounds of every count a condition asks for (not inside a
/// `not`).
fn minimums(condition: &Condition) -> Vec<u64> {
    fn walk(v: &serde_json::Value, out: &mut Vec<u64>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    match (k.as_str(), x) {
                        ("not", _) => {}
                        ("min", serde_json::Value::Number(n)) => out.extend(n.as_u64()),
                        _ => walk(x, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(condition).unwrap(), &mut out);
    out
}

#[test]
fn goal_counts_are_what_the_checkpoints_ask_for() {
    assert_eq!(
        en_counts("Publish the lesson's five tasks, `First message.` to `Fifth message.....`"),
        [5]
    );
    assert_eq!(
        en_counts("ten three-dot tasks; a ten-second task; 45 minutes; worker 2; §3.4; lesson 002"),
        [10]
    );
    assert_eq!(
        zh_counts("发布十个三个点的任务；十秒钟的任务；第 3.4 节；课程 002；`worker 2`；五十条"),
        [10, 50]
    );
    assert_eq!(zh_counts("单步一两次，两个生产者"), [2]);
    let mut failures = Vec::new();
    for chapter in chapters() {
        for (_, task) in all_tasks(&chapter) {
            let name = format!("{}/{}", chapter.id, task.id);
            let (en, zh) = (en_counts(&task.goal.en), zh_counts(&task.goal.zh));
            if en != zh {
                failures.push(format!(
                    "{name}: the English goal counts {en:?}, the Chinese {zh:?}"
                ));
            }
            let asked: Vec<u64> = task
                .checks
                .iter()
                .flat_map(|c| minimums(&c.expect))
                .collect();
            for n in en {
                if !asked.contains(&n) {
                    failures.push(format!(
                        "{name}: the goal says {n}, but no checkpoint asks for at least {n} (they ask for {asked:?})"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every Chinese text of a chapter a learner reads, with where it is; the
/// bridge from the blog lessons is left out (it quotes their words).
fn chinese_texts(chapter: &Chapter) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = vec![
        ("title".into(), chapter.title.zh.as_str()),
        ("summary".into(), &chapter.summary.zh),
        ("intro".into(), &chapter.intro.zh),
    ];
    for c in &chapter.concepts {
        out.push((format!("concept {}", c.term.en), &c.term.zh));
        out.push((format!("concept {}", c.term.en), &c.text.zh));
    }
    for (_, task) in all_tasks(chapter) {
        let texts: Vec<&Text> = [&task.goal]
            .into_iter()
            .chain(task.explain.as_ref())
            .chain(&task.hints)
            .chain(task.checks.iter().map(|c| &c.label))
            .collect();
        out.extend(texts.into_iter().map(|t| (task.id.clone(), t.zh.as_str())));
    }
    if let Some(w) = &chapter.wrap_up {
        out.push(("wrap_up".into(), &w.zh));
    }
    out
}

#[test]
fn the_chinese_keeps_one_word_per_thing() {
    let mut failures = Vec::new();
    for chapter in chapters() {
        for (place, zh) in chinese_texts(&chapter) {
            failures.extend(
                chinese_word_slips(zh)
                    .into_iter()
                    .map(|slip| format!("{} {place}: {slip}", chapter.id)),
            );
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The demo scenarios' captions (`www/scenarios/*.json`, every `"zh"`
/// string in them) are Chinese prose a learner reads too: the same words.
#[test]
fn the_demo_captions_keep_one_word_per_thing() {
    fn zh_strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner) {
                        ("zh", serde_json::Value::String(text)) => out.push(text),
                        _ => zh_strings(inner, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| zh_strings(i, out)),
            _ => {}
        }
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/www/scenarios");
    let mut failures = Vec::new();
    let mut captions = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let document: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut texts = Vec::new();
        zh_strings(&document, &mut texts);
        captions += texts.len();
        for zh in texts {
            failures.extend(
                chinese_word_slips(zh)
                    .into_iter()
                    .map(|slip| format!("{}: {slip}", path.display())),
            );
        }
    }
    assert!(captions > 0, "no Chinese caption found under {dir}");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// What in one Chinese text breaks the glossary. A worker is a 工作进程 or
/// a 消费者, as the lessons say; a consumer's ack is 应答 and a publisher's
/// confirm 发布确认, never both 确认; prefetch is 预取. Names (`worker 2`,
/// worker.py, `prefetch_count`), code spans and “quoted” lesson words are
/// left as they are.
fn chinese_word_slips(zh: &str) -> Vec<String> {
    let mut slips = Vec::new();
    let prose: String = outside_code(zh)
        .split('“')
        .map(|part| part.split_once('”').map_or(part, |(_, after)| after))
        .collect();
    for (word, instead) in ZH_AVOIDED {
        if prose.contains(word) {
            slips.push(format!("{word} (say {instead})"));
        }
    }
    let lower = prose.to_lowercase();
    for (at, _) in lower.match_indices("worker") {
        let next: String = lower[at + 6..].chars().take(2).collect();
        let named = next.starts_with('.')
            || next.starts_with('_')
            || (next.starts_with(' ') && next.chars().nth(1).is_some_and(|c| c.is_ascii_digit()));
        if !named {
            slips.push("'worker' in Chinese text".into());
        }
    }
    for (at, _) in lower.match_indices("prefetch") {
        if !lower[at + 8..].starts_with('_') {
            slips.push("'prefetch' instead of 预取".into());
        }
    }
    slips
}

/// A task that waits for an engine feature is parsed, its solution plays,
/// and it cannot pass yet. When it does, the engine has the feature: list
/// it in `tutorial::ENGINE_FEATURES` and the task joins its chapter (the
/// other tests then hold it to every rule).
#[test]
fn tasks_waiting_for_the_engine_cannot_pass_yet() {
    let chapters = chapters();
    for (need, what) in KNOWN_NEEDS {
        let waiting = chapters.iter().any(|c| {
            c.pending
                .iter()
                .any(|(_, t)| t.needs.as_deref() == Some(need))
        });
        assert!(
            waiting || ENGINE_FEATURES.contains(need),
            "no task waits for '{need}' ({what}), and the engine does not have it"
        );
    }
    for chapter in &chapters {
        for (at, task) in &chapter.pending {
            let need = task.needs.as_deref().unwrap_or_default();
            let mut world = world_at(chapter, *at).unwrap();
            let since = (
                world.sim.broker.next_event_seq(),
                world.sim.actor_events().len(),
            );
            play(&mut world, &task.solution).unwrap();
            let held = checkpoints_holding(task, &world, since);
            assert!(
                !held.iter().all(|h| *h),
                "{}/{} passes now: the engine has '{need}'. Add it to tutorial::ENGINE_FEATURES to open the task.",
                chapter.id,
                task.id
            );
        }
    }
}
