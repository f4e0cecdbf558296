//! Tutorial actions: what "show me" does, written as data.
//!
//! An action is something a learner could do in the workbench — declare,
//! bind, add a producer or a worker, publish, kill a worker, restart the
//! broker — or let time pass. Actors are named, not numbered, so a chapter
//! file reads like the lesson (`{"do": "kill_worker", "worker": "worker 1"}`).
//! [`Action::to_move`] turns one into a [`Move`] against the world as it is
//! (looking the names up); the workbench feeds moves to its timeline, and
//! [`play`] applies them directly (tests, the embed player).

use crate::engine::clock::Millis;
use crate::engine::method::{
    BasicQos, ExchangeBind, ExchangeDeclare, ExchangeDelete, Method, QueueBind, QueueDeclare,
    QueueDelete, QueuePurge,
};
use crate::sim::bounded::{Prefetch, PublishCount, VirtualMs};
use crate::sim::world::{Command, World};
use crate::sim::{ActorId, ProducerSpec, WorkerSpec};
use serde::{Deserialize, Serialize};

fn one() -> PublishCount {
    PublishCount::new(1).unwrap_or_default()
}

/// One step of a solution. The AMQP ones carry the method's own arguments
/// (`{"do": "declare_queue", "queue": "hello", "durable": true}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    DeclareExchange(ExchangeDeclare),
    DeleteExchange(ExchangeDelete),
    /// `queue: ""` lets the broker name it.
    DeclareQueue(QueueDeclare),
    DeleteQueue(QueueDelete),
    PurgeQueue(QueuePurge),
    /// queue.bind.
    Bind(QueueBind),
    Unbind(QueueBind),
    /// exchange.bind: `destination` gets what `source` routes.
    BindExchange(ExchangeBind),
    UnbindExchange(ExchangeBind),
    /// basic.qos on the workbench's channel, which publishes and consumes
    /// nothing: where the blog lesson's producer.py calls it.
    Qos(BasicQos),
    AddProducer {
        producer: ProducerSpec,
    },
    /// Changes what a producer publishes (found by `name`).
    EditProducer {
        name: String,
        producer: ProducerSpec,
    },
    RemoveProducer {
        producer: String,
    },
    Publish {
        producer: String,
        #[serde(default = "one")]
        count: PublishCount,
        /// Publish this body (the producer keeps it for later publishes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    PublishEvery {
        producer: String,
        every_ms: Option<VirtualMs>,
    },
    AddWorker {
        worker: WorkerSpec,
    },
    /// Restarts a worker with new settings (found by `name`).
    EditWorker {
        name: String,
        worker: WorkerSpec,
    },
    /// The worker's `basic_qos(prefetch_count=…)`: it reconnects with it.
    SetPrefetch {
        worker: String,
        prefetch: Prefetch,
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
        ms: VirtualMs,
    },
    /// Visible steps (deliveries, acks, expiries, …).
    Step {
        #[serde(default = "one")]
        count: PublishCount,
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

/// Checks an actor the way a document checks it.
fn check_actor(actor: crate::document::ActorDoc) -> Result<(), String> {
    let doc = crate::document::Document {
        actors: vec![actor],
        ..Default::default()
    };
    doc.validate().map_err(|e| e.to_string())
}

impl Action {
    /// Checks what the types cannot (bodies, names, properties).
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Action::AddProducer { producer } | Action::EditProducer { producer, .. } => {
                check_actor(crate::document::ActorDoc::Producer(producer.clone()))
            }
            Action::AddWorker { worker } | Action::EditWorker { worker, .. } => {
                check_actor(crate::document::ActorDoc::Worker(worker.clone()))
            }
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
        let method = |m: Method| Command::Method(m);
        let command = match self {
            Action::DeclareExchange(m) => method(Method::ExchangeDeclare(m.clone())),
            Action::DeleteExchange(m) => method(Method::ExchangeDelete(m.clone())),
            Action::DeclareQueue(m) => method(Method::QueueDeclare(m.clone())),
            Action::DeleteQueue(m) => method(Method::QueueDelete(m.clone())),
            Action::PurgeQueue(m) => method(Method::QueuePurge(m.clone())),
            Action::Bind(m) => method(Method::QueueBind(m.clone())),
            Action::Unbind(m) => method(Method::QueueUnbind(m.clone())),
            Action::BindExchange(m) => method(Method::ExchangeBind(m.clone())),
            Action::UnbindExchange(m) => method(Method::ExchangeUnbind(m.clone())),
            Action::Qos(m) => method(Method::BasicQos(*m)),
            Action::AddProducer { producer: p } => Command::AddProducer(p.clone()),
            Action::EditProducer { name, producer: p } => {
                Command::EditProducer(producer(name)?, p.clone())
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
            Action::AddWorker { worker: w } => Command::AddWorker(w.clone()),
            Action::EditWorker { name, worker: w } => {
                Command::ReplaceWorker(worker(name)?, w.clone())
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
            Action::Wait { ms } => return Ok(Move::Wait(ms.get())),
            Action::Step { count } => return Ok(Move::Steps(count.get())),
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
