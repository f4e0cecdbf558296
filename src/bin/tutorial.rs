//! The tutorials from a terminal.
//!
//! ```text
//! tutorial list                 the chapters, with their tasks
//! tutorial check                play every chapter's solutions; exit 1 if a
//!                               checkpoint fails (what tests/tutorials.rs proves)
//! tutorial script N             chapter N as steps for a real broker (JSON):
//!                               the pika code to run, programs to start and
//!                               kill, waits — what tests/pika/run_chapters.py
//!                               plays against RabbitMQ
//! tutorial index                www/tutorials/index.json, what the workbench
//!                               carries of the chapters before it fetches
//!                               one (tests/tutorials.rs checks it is current)
//! ```

use serde_json::{json, Value};
use std::process::ExitCode;
use warren::sim::world::{Command, World};
use warren::tutorial::action::{apply, Move};
use warren::tutorial::progress::{world_at, Tracker};
use warren::tutorial::{catalog, pika, Chapter};

fn chapters() -> Result<Vec<Chapter>, String> {
    catalog::chapters()
        .into_iter()
        .map(|c| c.map_err(|(file, e)| format!("{file}: {e}")))
        .collect()
}

fn list(chapters: &[Chapter]) {
    for c in chapters {
        println!("{:>2}  {}  ({})", c.number, c.title.en, c.title.zh);
        for t in &c.tasks {
            println!("      - {}", t.id);
        }
    }
}

fn check(chapters: &[Chapter]) -> ExitCode {
    let mut failed = 0;
    for c in chapters {
        let mut world = match world_at(c, 0) {
            Ok(w) => w,
            Err(e) => {
                println!("FAIL {:>2} {}: {e}", c.number, c.id);
                failed += 1;
                continue;
            }
        };
        let mut tracker = Tracker::start(c, 0, &world);
        for task in &c.tasks {
            for action in &task.solution {
                if let Ok(m) = action.to_move(&world) {
                    apply(&mut world, &m);
                }
                tracker.observe(
                    c,
                    &world,
                    world.sim.broker.events(),
                    world.sim.actor_events(),
                );
            }
        }
        if tracker.finished(c) {
            let waiting: Vec<String> = c
                .pending
                .iter()
                .map(|(_, t)| format!("{} waits for {}", t.id, t.needs.as_deref().unwrap_or("?")))
                .collect();
            let waiting = if waiting.is_empty() {
                String::new()
            } else {
                format!("; {}", waiting.join(", "))
            };
            println!(
                "ok   {:>2} {} ({} tasks{waiting})",
                c.number,
                c.id,
                c.tasks.len()
            );
        } else {
            failed += 1;
            println!(
                "FAIL {:>2} {}: stuck at task {} '{}'",
                c.number, c.id, tracker.task, c.tasks[tracker.task].id
            );
        }
    }
    println!("{} chapters, {failed} failed", chapters.len());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What a real-broker player does for one command, given the world
/// before it (for names) and after it (for what was declared).
fn real_steps(cmd: &Command, before: &World, after: &World) -> Vec<Value> {
    let actor_name = |id| {
        before
            .sim
            .worker(id)
            .map(|w| w.spec.name.clone())
            .or_else(|| before.sim.producer(id).map(|p| p.spec.name.clone()))
            .unwrap_or_default()
    };
    let b = &after.sim.broker;
    match cmd {
        Command::AddWorker(spec) => {
            vec![json!({"do": "start", "name": spec.name, "code": pika::worker_program(spec, b)})]
        }
        Command::ReplaceWorker(id, spec) => vec![
            json!({"do": "kill", "name": actor_name(*id)}),
            json!({"do": "start", "name": spec.name, "code": pika::worker_program(spec, b)}),
        ],
        Command::KillWorker(id) | Command::RemoveWorker(id) => {
            vec![json!({"do": "kill", "name": actor_name(*id)})]
        }
        Command::AddProducer(_) | Command::EditProducer(..) | Command::RemoveProducer(_) => {
            Vec::new()
        }
        Command::Publish {
            producer,
            count,
            body,
        } => {
            let Some(p) = after.sim.producer(*producer) else {
                return Vec::new();
            };
            let mut spec = p.spec.clone();
            if let Some(body) = body {
                spec.body = body.clone();
            }
            vec![json!({"do": "publish", "name": spec.name, "count": count,
                        "code": pika::publish_program(&spec, u64::from(count.get()), &before.sim.broker)})]
        }
        Command::RestartBroker => vec![json!({"do": "restart"})],
        Command::CrashBroker => vec![json!({"do": "crash"})],
        other => match pika::command(other, before) {
            Some(code) => vec![json!({"do": "exec", "code": code})],
            None => Vec::new(),
        },
    }
}

fn script(chapter: &Chapter) -> Result<Value, String> {
    // The start: the document's topology and workers, as setup steps.
    let start = world_at(chapter, 0)?;
    let mut setup = vec![json!({"do": "exec", "code": pika::topology_program(&start.sim)})];
    for w in start.sim.workers() {
        setup.push(json!({"do": "start", "name": w.spec.name,
                          "code": pika::worker_program(&w.spec, &start.sim.broker)}));
    }
    let mut world = start;
    let mut tasks = Vec::new();
    for task in &chapter.tasks {
        let mut steps = Vec::new();
        for action in &task.solution {
            let m = action.to_move(&world)?;
            let before = world.clone();
            apply(&mut world, &m);
            match &m {
                Move::Command(cmd) => steps.extend(real_steps(cmd, &before, &world)),
                Move::Wait(ms) => steps.push(json!({"do": "wait", "ms": ms})),
                Move::Steps(n) => steps.push(json!({"do": "step", "count": n})),
                Move::UntilIdle => steps.push(json!({"do": "idle"})),
            }
        }
        tasks.push(json!({"id": task.id, "goal": task.goal.en, "steps": steps}));
    }
    Ok(json!({"chapter": chapter.number, "id": chapter.id, "setup": setup, "tasks": tasks}))
}

/// Prints the chapters' index, one chapter a line.
fn index() -> ExitCode {
    let entries = match catalog::index_of_files() {
        Ok(e) => e,
        Err((file, e)) => {
            eprintln!("{file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lines: Vec<String> = entries
        .iter()
        .filter_map(|e| serde_json::to_string(e).ok())
        .map(|line| format!("  {line}"))
        .collect();
    println!("[\n{}\n]", lines.join(",\n"));
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let chapters = match chapters() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list"] => {
            list(&chapters);
            ExitCode::SUCCESS
        }
        ["check"] => check(&chapters),
        ["index"] => index(),
        ["script", n] => {
            let Some(c) = n
                .parse::<u32>()
                .ok()
                .and_then(|n| chapters.iter().find(|c| c.number == n))
            else {
                eprintln!("no chapter {n}");
                return ExitCode::from(2);
            };
            match script(c) {
                Ok(v) => {
                    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: tutorial list | tutorial check | tutorial script N | tutorial index");
            ExitCode::from(2)
        }
    }
}
