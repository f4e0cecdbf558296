//! Tutorial actions: what "show me" does, written as data.
//!
//! An action is something a learner could do in the workbench — declare,
//! bind, add a producer or a worker, publish, kill a worker, restart the
//! broker — or let time pass. Actors are named, not numbered, so a chapter
//! file reads like the lesson (`{"do": "kill_worker", "worker": "worker 1"}`).
//! [`Action::to_move`] turns one into a [`Move`] against the world as it is
//! (looking the names up); the workbench feeds moves to its timeline, and
//! [`play`] applies them directly (tests, the embed player).

use crate::document::{JsonTable, ProducerDoc, WorkerDoc};
use crate::engine::clock::Millis;
use crate::engine::{ExchangeDeclare, QueueDeclare};
use crate::sim::world::{BindSpec, Command, World};
use crate::sim::{ActorId, ProducerSpec, WorkerSpec};
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> u32 {
    1
}

fn direct() -> String {
    "direct".into()
}

/// One step of a solution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    DeclareExchange {
        exchange: String,
        #[serde(rename = "type", default = "direct")]
        kind: String,
        #[serde(default, skip_serializing_if = "is_false")]
        durable: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        auto_delete: bool,
        #[serde(default, skip_serializing_if = "JsonTable::is_empty")]
        arguments: JsonTable,
    },
    DeleteExchange {
        exchange: String,
    },
    /// `queue: ""` lets the broker name it.
    DeclareQueue {
        queue: String,
        #[serde(default, skip_serializing_if = "is_false")]
        durable: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        exclusive: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        auto_delete: bool,
        #[serde(default, skip_serializing_if = "JsonTable::is_empty")]
        arguments: JsonTable,
    },
    DeleteQueue {
        queue: String,
    },
    PurgeQueue {
        queue: String,
    },
    /// queue.bind (or exchange.bind with `to_exchange`).
    Bind {
        exchange: String,
        queue: String,
        #[serde(default)]
        routing_key: String,
        #[serde(default, skip_serializing_if = "is_false")]
        to_exchange: bool,
        #[serde(default, skip_serializing_if = "JsonTable::is_empty")]
        arguments: JsonTable,
    },
    Unbind {
        exchange: String,
        queue: String,
        #[serde(default)]
        routing_key: String,
        #[serde(default, skip_serializing_if = "is_false")]
        to_exchange: bool,
        #[serde(default, skip_serializing_if = "JsonTable::is_empty")]
        arguments: JsonTable,
    },
    AddProducer {
        producer: ProducerDoc,
    },
    /// Changes what a producer publishes (found by `name`).
    EditProducer {
        name: String,
        producer: ProducerDoc,
    },
    RemoveProducer {
        producer: String,
    },
    Publish {
        producer: String,
        #[serde(default = "one")]
        count: u32,
        /// Publish this body (the producer keeps it for later publishes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    PublishEvery {
        producer: String,
        every_ms: Option<Millis>,
    },
    AddWorker {
        worker: WorkerDoc,
    },
    /// Restarts a worker with new settings (found by `name`).
    EditWorker {
        name: String,
        worker: WorkerDoc,
    },
    /// The worker's `basic_qos(prefetch_count=…)`: it reconnects with it.
    SetPrefetch {
        worker: String,
        prefetch: u32,
    },
    RemoveWorker {
        worker: String,
    },
    PauseWorker {
        worker: String,
    },
    ResumeWorker {
        worker: String,
    },
    CancelWorker {
        worker: String,
    },
    /// The worker's process dies (Ctrl+C): its connection closes.
    KillWorker {
        worker: String,
    },
    ReconnectWorker {
        worker: String,
    },
    RestartBroker,
    CrashBroker,
    /// Lets virtual time pass.
    Wait {
        ms: Millis,
    },
    /// Visible steps (deliveries, acks, expiries, …).
    Step {
        #[serde(default = "one")]
        count: u32,
    },
    /// Steps until nothing is scheduled (at most 10,000).
    RunUntilIdle,
}

/// An action resolved against the world: what the timeline records.
#[derive(Clone, Debug, PartialEq)]
pub enum Move {
    Command(Command),
    Wait(Millis),
    Steps(u32),
    UntilIdle,
}

/// Steps `RunUntilIdle` takes at most.
pub const IDLE_STEPS_MAX: usize = 10_000;

fn producer_spec(p: &ProducerDoc) -> Result<ProducerSpec, String> {
    let doc = crate::document::Document {
        actors: vec![crate::document::ActorDoc::Producer(p.clone())],
        ..Default::default()
    };
    doc.validate().map_err(|e| e.to_string())?;
    Ok(ProducerSpec {
        name: p.name.clone(),
        exchange: p.exchange.clone(),
        routing_key: p.routing_key.clone(),
        body: p.body.clone(),
        properties: p
            .properties
            .to_properties("producer.properties")
            .map_err(|e| e.to_string())?,
        mandatory: p.mandatory,
        confirm: p.confirm,
        rpc: p.rpc,
    })
}

fn worker_spec(w: &WorkerDoc) -> WorkerSpec {
    WorkerSpec {
        name: w.name.clone(),
        queue: w.queue.clone(),
        subscribe: w.subscribe.clone(),
        no_ack: w.no_ack,
        prefetch: w.prefetch,
        work: w.work,
        on_done: w.on_done,
        reply: w.reply,
    }
}

fn table(t: &JsonTable) -> Result<crate::engine::value::FieldTable, String> {
    t.to_table()
}

impl Action {
    /// Checks what the types cannot (bodies, names, properties).
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Action::AddProducer { producer } | Action::EditProducer { producer, .. } => {
                producer_spec(producer).map(|_| ())
            }
            Action::AddWorker { worker } | Action::EditWorker { worker, .. } => {
                let doc = crate::document::Document {
                    actors: vec![crate::document::ActorDoc::Worker(worker.clone())],
                    ..Default::default()
                };
                doc.validate().map_err(|e| e.to_string())
            }
            Action::DeclareExchange { arguments, .. }
            | Action::DeclareQueue { arguments, .. }
            | Action::Bind { arguments, .. }
            | Action::Unbind { arguments, .. } => table(arguments).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The move this action is in `world` now; an error names an actor
    /// that does not exist.
    pub fn to_move(&self, world: &World) -> Result<Move, String> {
        let sim = &world.sim;
        let worker = |name: &str| -> Result<ActorId, String> {
            sim.workers()
                .find(|w| w.spec.name == name)
                .map(|w| w.id)
                .ok_or_else(|| format!("no worker called '{name}'"))
        };
        let producer = |name: &str| -> Result<ActorId, String> {
            sim.producers()
                .find(|p| p.spec.name == name)
                .map(|p| p.id)
                .ok_or_else(|| format!("no producer called '{name}'"))
        };
        let command = match self {
            Action::DeclareExchange {
                exchange,
                kind,
                durable,
                auto_delete,
                arguments,
            } => Command::DeclareExchange(ExchangeDeclare {
                exchange: exchange.clone(),
                kind: kind.clone(),
                durable: *durable,
                auto_delete: *auto_delete,
                arguments: table(arguments)?,
                ..Default::default()
            }),
            Action::DeleteExchange { exchange } => Command::DeleteExchange(exchange.clone()),
            Action::DeclareQueue {
                queue,
                durable,
                exclusive,
                auto_delete,
                arguments,
            } => Command::DeclareQueue(QueueDeclare {
                queue: queue.clone(),
                durable: *durable,
                exclusive: *exclusive,
                auto_delete: *auto_delete,
                arguments: table(arguments)?,
                ..Default::default()
            }),
            Action::DeleteQueue { queue } => Command::DeleteQueue(queue.clone()),
            Action::PurgeQueue { queue } => Command::PurgeQueue(queue.clone()),
            Action::Bind {
                exchange,
                queue,
                routing_key,
                to_exchange,
                arguments,
            } => Command::Bind(BindSpec {
                source: exchange.clone(),
                destination: queue.clone(),
                to_exchange: *to_exchange,
                key: routing_key.clone(),
                arguments: table(arguments)?,
            }),
            Action::Unbind {
                exchange,
                queue,
                routing_key,
                to_exchange,
                arguments,
            } => Command::Unbind(BindSpec {
                source: exchange.clone(),
                destination: queue.clone(),
                to_exchange: *to_exchange,
                key: routing_key.clone(),
                arguments: table(arguments)?,
            }),
            Action::AddProducer { producer: p } => Command::AddProducer(producer_spec(p)?),
            Action::EditProducer { name, producer: p } => {
                Command::EditProducer(producer(name)?, producer_spec(p)?)
            }
            Action::RemoveProducer { producer: p } => Command::RemoveProducer(producer(p)?),
            Action::Publish {
                producer: p,
                count,
                body,
            } => Command::Publish {
                producer: producer(p)?,
                count: *count,
                body: body.clone(),
            },
            Action::PublishEvery {
                producer: p,
                every_ms,
            } => Command::PublishEvery {
                producer: producer(p)?,
                every_ms: *every_ms,
            },
            Action::AddWorker { worker: w } => Command::AddWorker(worker_spec(w)),
            Action::EditWorker { name, worker: w } => {
                Command::ReplaceWorker(worker(name)?, worker_spec(w))
            }
            Action::SetPrefetch {
                worker: w,
                prefetch,
            } => {
                let id = worker(w)?;
                let spec = sim
                    .worker(id)
                    .map(|w| w.spec.clone())
                    .ok_or_else(|| format!("no worker called '{w}'"))?;
                Command::ReplaceWorker(
                    id,
                    WorkerSpec {
                        prefetch: *prefetch,
                        ..spec
                    },
                )
            }
            Action::RemoveWorker { worker: w } => Command::RemoveWorker(worker(w)?),
            Action::PauseWorker { worker: w } => Command::PauseWorker(worker(w)?, true),
            Action::ResumeWorker { worker: w } => Command::PauseWorker(worker(w)?, false),
            Action::CancelWorker { worker: w } => Command::CancelWorker(worker(w)?),
            Action::KillWorker { worker: w } => Command::KillWorker(worker(w)?),
            Action::ReconnectWorker { worker: w } => Command::ReconnectWorker(worker(w)?),
            Action::RestartBroker => Command::RestartBroker,
            Action::CrashBroker => Command::CrashBroker,
            Action::Wait { ms } => return Ok(Move::Wait(*ms)),
            Action::Step { count } => return Ok(Move::Steps(*count)),
            Action::RunUntilIdle => return Ok(Move::UntilIdle),
        };
        Ok(Move::Command(command))
    }
}

/// Applies a move to a world directly (no timeline). A command the broker
/// refuses is not an error here — a solution may show a refusal (the 406
/// of chapter 4) — it is returned for the caller to look at.
pub fn apply(world: &mut World, m: &Move) -> Option<crate::engine::CommandError> {
    match m {
        Move::Command(c) => world.apply(c).err(),
        Move::Wait(ms) => {
            world.sim.run_for(*ms);
            None
        }
        Move::Steps(n) => {
            for _ in 0..*n {
                if !world.step() {
                    break;
                }
            }
            None
        }
        Move::UntilIdle => {
            for _ in 0..IDLE_STEPS_MAX {
                if !world.step() {
                    break;
                }
            }
            None
        }
    }
}

/// Resolves and applies actions in order; stops at an action whose names
/// do not resolve.
pub fn play(world: &mut World, actions: &[Action]) -> Result<(), String> {
    for (i, a) in actions.iter().enumerate() {
        let m = a
            .to_move(world)
            .map_err(|e| format!("step {}: {e}", i + 1))?;
        apply(world, &m);
    }
    Ok(())
}
