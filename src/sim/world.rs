//! The world the workbench drives: a [`Simulation`] plus the workbench's own
//! management connection (the one a person types `queue_declare` on), and
//! the commands a person can give. Everything here is deterministic: the same
//! commands on the same starting world give the same run, which is what
//! stepping back relies on (see `view/timeline.rs`), and what lets a
//! tutorial's "show me" be data (see `tutorial/action.rs`).

use crate::engine::clock::Millis;
use crate::engine::ids::ConnId;
use crate::engine::method::{Method, Reply};
use crate::engine::{BrokerConfig, CommandError};
use crate::sim::bounded::{ConsumerTimeoutMs, PublishCount, VirtualMs};
use crate::sim::wire::WireId;
use crate::sim::{ActorId, ProducerSpec, Simulation, WorkerSpec};

/// Everything a person can do to the world, besides stepping it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// An AMQP method on the workbench's management channel (the one a
    /// person types `channel.queue_declare(...)` on): declares, deletes,
    /// purges, binds and unbinds.
    Method(Method),
    AddProducer(ProducerSpec),
    EditProducer(ActorId, ProducerSpec),
    RemoveProducer(ActorId),
    /// Publishes `count` messages; with `body`, the producer's body changes first.
    Publish {
        producer: ActorId,
        count: PublishCount,
        body: Option<String>,
    },
    PublishEvery {
        producer: ActorId,
        every_ms: Option<VirtualMs>,
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
    /// The operator changes `consumer_timeout` (`None`: no timeout) for
    /// channels opened from now on, as `rabbitmqctl eval
    /// 'application:set_env(rabbit, consumer_timeout, N).'` does; open
    /// channels keep theirs, a restart goes back to the configuration's.
    SetConsumerTimeout(Option<ConsumerTimeoutMs>),
    /// A byte-stream client (a Python process's socket, see `sim/wire.rs`)
    /// connected, wrote, or went away. Recorded like any command, so a
    /// replay feeds the broker the same bytes at the same virtual times.
    Wire {
        client: WireId,
        op: WireOp,
    },
}

/// What a byte-stream client did.
#[derive(Clone, Debug, PartialEq)]
pub enum WireOp {
    /// Its socket connected to the broker's port, from the program
    /// `process` (`send.py`) if known: its connections are named after it.
    Open { process: Option<String> },
    /// It wrote these bytes.
    Data(Vec<u8>),
    /// Its socket closed (the process ended, or was killed).
    Close,
}

impl Command {
    /// Restarts and crashes: what a durable store cannot rewind across.
    pub fn is_lifecycle(&self) -> bool {
        matches!(self, Command::RestartBroker | Command::CrashBroker)
    }
}

/// What a successful command created, if anything (to select it).
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub new_actor: Option<ActorId>,
    /// The broker's reply to a management method (a server-named queue's name…).
    pub reply: Option<Reply>,
}

/// The simulation and the workbench's management channel.
#[derive(Clone, Debug)]
pub struct World {
    pub sim: Simulation,
    admin: Option<(ConnId, u16)>,
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
    fn admin_channel(&mut self) -> Result<(ConnId, u16), CommandError> {
        let broker = &mut self.sim.broker;
        if let Some((conn, number)) = self.admin {
            if broker.channel_id(conn, number).is_some() {
                return Ok((conn, number));
            }
            if broker.connection(conn).is_some_and(|c| c.open) {
                let number = broker.open_next_channel(conn)?;
                self.admin = Some((conn, number));
                return Ok((conn, number));
            }
        }
        let conn = broker.open_connection("workbench");
        let number = broker.open_next_channel(conn)?;
        self.admin = Some((conn, number));
        Ok((conn, number))
    }

    pub fn apply(&mut self, cmd: &Command) -> Result<Applied, CommandError> {
        let mut applied = Applied::default();
        match cmd {
            Command::Method(method) => {
                let (conn, number) = self.admin_channel()?;
                let reply = self.sim.broker.apply(conn, number, method.clone());
                // What the broker sent back on its own (a close after an
                // error) is read, as the person's pika would.
                let _ = self.sim.broker.take_outbox(conn);
                applied.reply = Some(reply?);
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
                self.sim.publish_n(*producer, count.get())?;
            }
            Command::PublishEvery { producer, every_ms } => self
                .sim
                .publish_every(*producer, every_ms.map(VirtualMs::get)),
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
            Command::SetConsumerTimeout(timeout) => {
                let broker = &mut self.sim.broker;
                let tick_interval_ms = broker.ack_settings().tick_interval_ms;
                broker.set_consumer_timeout(timeout.map(|ms| ms.get()), tick_interval_ms);
            }
            Command::Wire { client, op } => self.sim.wire_input(*client, op)?,
        }
        Ok(applied)
    }

    /// One visible step: simulation steps until one logs something (a
    /// delivery, an expiry, a worker finishing…). False when nothing is
    /// scheduled at all.
    pub fn step(&mut self) -> bool {
        self.step_within(None)
    }

    /// [`step`](Self::step), but the clock does not move past `limit`
    /// (a Python process's next deadline: it must run then), and the step
    /// also ends when a byte-stream client gets something to read (so a
    /// Python process answers before the broker goes on without it).
    pub fn step_within(&mut self, limit: Option<Millis>) -> bool {
        let broker_before = self.sim.broker.next_event_seq();
        let actors_before = self.sim.actor_events().len();
        let news_before = self.sim.wire.news();
        let changed = |w: &World| {
            w.sim.broker.next_event_seq() != broker_before
                || w.sim.actor_events().len() != actors_before
                || w.sim.wire.news() != news_before
        };
        for _ in 0..QUIET_STEPS_MAX {
            if let Some(limit) = limit {
                let due_by_limit = self.sim.broker.has_pending_work()
                    || self.sim.next_activity_at().is_some_and(|at| at <= limit);
                if !due_by_limit {
                    return changed(self);
                }
            }
            if !self.sim.step() {
                return changed(self);
            }
            if changed(self) {
                return true;
            }
        }
        true
    }

    /// Whether anything is waiting to happen (a step would do something).
    pub fn is_idle(&self) -> bool {
        !self.sim.broker.has_pending_work() && self.sim.next_work_at().is_none()
    }
}
