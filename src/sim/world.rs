//! The world the workbench drives: a [`Simulation`] plus the workbench's own
//! management connection (the one a person types `queue_declare` on), and
//! the commands a person can give. Everything here is deterministic: the same
//! commands on the same starting world give the same run, which is what
//! stepping back relies on (see `ui/timeline.rs`), and what lets a
//! tutorial's "show me" be data (see `tutorial/action.rs`).

use crate::engine::ids::{ChannelId, ConnId};
use crate::engine::value::FieldTable;
use crate::engine::{BrokerConfig, CommandError, ExchangeDeclare, QueueDeclare};
use crate::sim::{ActorId, ProducerSpec, Simulation, WorkerSpec};

/// A binding as the forms describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct BindSpec {
    pub source: String,
    pub destination: String,
    /// The destination is an exchange (exchange.bind) rather than a queue.
    pub to_exchange: bool,
    pub key: String,
    pub arguments: FieldTable,
}

/// Everything a person can do to the world, besides stepping it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    DeclareExchange(ExchangeDeclare),
    DeleteExchange(String),
    DeclareQueue(QueueDeclare),
    DeleteQueue(String),
    PurgeQueue(String),
    Bind(BindSpec),
    Unbind(BindSpec),
    AddProducer(ProducerSpec),
    EditProducer(ActorId, ProducerSpec),
    RemoveProducer(ActorId),
    /// Publishes `count` messages; with `body`, the producer's body changes first.
    Publish {
        producer: ActorId,
        count: u32,
        body: Option<String>,
    },
    PublishEvery {
        producer: ActorId,
        every_ms: Option<u64>,
    },
    AddWorker(WorkerSpec),
    /// A worker restarted with new settings: its old connection closes
    /// (what it held goes back to the queue) and a new one consumes.
    ReplaceWorker(ActorId, WorkerSpec),
    RemoveWorker(ActorId),
    PauseWorker(ActorId, bool),
    CancelWorker(ActorId),
    KillWorker(ActorId),
    ReconnectWorker(ActorId),
    RestartBroker,
    CrashBroker,
}

impl Command {
    /// Restarts and crashes: what a durable store cannot rewind across.
    pub fn is_lifecycle(&self) -> bool {
        matches!(self, Command::RestartBroker | Command::CrashBroker)
    }
}

/// What a successful command created, if anything (to select it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub new_actor: Option<ActorId>,
}

/// The simulation and the workbench's management channel.
#[derive(Clone, Debug)]
pub struct World {
    pub sim: Simulation,
    admin: Option<(ConnId, ChannelId)>,
}

/// How many simulation steps one visible step may take when they move only
/// the clock (it stops at the first step that logs something).
const QUIET_STEPS_MAX: usize = 10_000;

impl World {
    pub fn new(config: BrokerConfig) -> World {
        World {
            sim: Simulation::new(config),
            admin: None,
        }
    }

    /// A world around a simulation built elsewhere (a scenario document).
    pub fn with_simulation(sim: Simulation) -> World {
        World { sim, admin: None }
    }

    /// The management channel, reopened if an error closed it (as a person
    /// would reconnect after pika raised ChannelClosedByBroker).
    fn admin_channel(&mut self) -> Result<ChannelId, CommandError> {
        let broker = &mut self.sim.broker;
        if let Some((conn, ch)) = self.admin {
            if broker.channel(ch).is_some_and(|c| c.open) {
                return Ok(ch);
            }
            if broker.connection(conn).is_some_and(|c| c.open) {
                let ch = broker.open_channel(conn)?;
                self.admin = Some((conn, ch));
                return Ok(ch);
            }
        }
        let conn = broker.open_connection("workbench");
        let ch = broker.open_channel(conn)?;
        self.admin = Some((conn, ch));
        Ok(ch)
    }

    pub fn apply(&mut self, cmd: &Command) -> Result<Applied, CommandError> {
        let mut applied = Applied::default();
        match cmd {
            Command::DeclareExchange(d) => {
                let ch = self.admin_channel()?;
                self.sim.broker.exchange_declare(ch, d.clone())?;
            }
            Command::DeleteExchange(name) => {
                let ch = self.admin_channel()?;
                self.sim.broker.exchange_delete(ch, name, false)?;
            }
            Command::DeclareQueue(d) => {
                let ch = self.admin_channel()?;
                self.sim.broker.queue_declare(ch, d.clone())?;
            }
            Command::DeleteQueue(name) => {
                let ch = self.admin_channel()?;
                self.sim.broker.queue_delete(ch, name, false, false)?;
            }
            Command::PurgeQueue(name) => {
                let ch = self.admin_channel()?;
                self.sim.broker.queue_purge(ch, name)?;
            }
            Command::Bind(b) => {
                let ch = self.admin_channel()?;
                let broker = &mut self.sim.broker;
                if b.to_exchange {
                    broker.exchange_bind(
                        ch,
                        &b.destination,
                        &b.source,
                        &b.key,
                        b.arguments.clone(),
                    )?;
                } else {
                    broker.queue_bind(
                        ch,
                        &b.destination,
                        &b.source,
                        &b.key,
                        b.arguments.clone(),
                    )?;
                }
            }
            Command::Unbind(b) => {
                let ch = self.admin_channel()?;
                let broker = &mut self.sim.broker;
                if b.to_exchange {
                    broker.exchange_unbind(
                        ch,
                        &b.destination,
                        &b.source,
                        &b.key,
                        b.arguments.clone(),
                    )?;
                } else {
                    broker.queue_unbind(
                        ch,
                        &b.destination,
                        &b.source,
                        &b.key,
                        b.arguments.clone(),
                    )?;
                }
            }
            Command::AddProducer(spec) => {
                applied.new_actor = Some(self.sim.add_producer(spec.clone())?);
            }
            Command::EditProducer(id, spec) => self.sim.set_producer_spec(*id, spec.clone())?,
            Command::RemoveProducer(id) => self.sim.remove_producer(*id),
            Command::Publish {
                producer,
                count,
                body,
            } => {
                if let Some(body) = body {
                    let spec = self.sim.producer(*producer).map(|p| p.spec.clone());
                    if let Some(spec) = spec.filter(|s| s.body != *body) {
                        let spec = ProducerSpec {
                            body: body.clone(),
                            ..spec
                        };
                        self.sim.set_producer_spec(*producer, spec)?;
                    }
                }
                self.sim.publish_n(*producer, *count)?;
            }
            Command::PublishEvery { producer, every_ms } => {
                self.sim.publish_every(*producer, *every_ms)
            }
            Command::AddWorker(spec) => {
                applied.new_actor = Some(self.sim.add_worker(spec.clone())?);
            }
            Command::ReplaceWorker(id, spec) => {
                let new = self.sim.add_worker(spec.clone())?;
                self.sim.remove_worker(*id);
                applied.new_actor = Some(new);
            }
            Command::RemoveWorker(id) => self.sim.remove_worker(*id),
            Command::PauseWorker(id, paused) => self.sim.pause_worker(*id, *paused),
            Command::CancelWorker(id) => self.sim.cancel_worker(*id)?,
            Command::KillWorker(id) => self.sim.kill_worker(*id),
            Command::ReconnectWorker(id) => self.sim.reconnect_worker(*id)?,
            Command::RestartBroker => {
                self.sim.restart_broker();
                self.admin = None;
            }
            Command::CrashBroker => {
                self.sim.crash_broker();
                self.admin = None;
            }
        }
        Ok(applied)
    }

    /// One visible step: simulation steps until one logs something (a
    /// delivery, an expiry, a worker finishing…). False when nothing is
    /// scheduled at all.
    pub fn step(&mut self) -> bool {
        let broker_before = self.sim.broker.next_event_seq();
        let actors_before = self.sim.actor_events().len();
        for _ in 0..QUIET_STEPS_MAX {
            if !self.sim.step() {
                return self.sim.broker.next_event_seq() != broker_before
                    || self.sim.actor_events().len() != actors_before;
            }
            if self.sim.broker.next_event_seq() != broker_before
                || self.sim.actor_events().len() != actors_before
            {
                return true;
            }
        }
        true
    }

    /// Whether anything is waiting to happen (a step would do something).
    pub fn is_idle(&self) -> bool {
        !self.sim.broker.has_pending_work() && self.sim.next_activity_at().is_none()
    }
}
