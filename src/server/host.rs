//! The one place the server's state lives: the broker, its store, the
//! connections' sessions, the clock and the log. Every task (a socket, the
//! control port, the timer) borrows it for a moment, does one thing, and
//! calls [`Host::settle`] before letting go, so the engine's effects reach
//! the disk and every socket before anything else happens.

use crate::control::NodeInfo;
use crate::engine::channel::Endpoint;
use crate::engine::ids::ConnId;
use crate::engine::Broker;
use crate::server::clock::ServerClock;
use crate::server::log::EventPrinter;
use crate::store::disk::DiskStorage;
use crate::store::{now_or_never, Storage};
use crate::wire::session::{ServerSession, SessionConfig, SocketState};
use std::collections::HashMap;
use std::rc::Rc;
use tokio::sync::Notify;

/// A socket's session and the way to wake its writer.
pub struct Slot {
    pub session: ServerSession,
    /// Woken when the session has bytes to write or must close.
    pub wake: Rc<Notify>,
}

pub struct Host {
    pub broker: Broker,
    pub store: Option<DiskStorage>,
    pub clock: ServerClock,
    pub printer: EventPrinter,
    pub node: NodeInfo,
    pub session_config: SessionConfig,
    pub slots: HashMap<u64, Slot>,
    next_slot: u64,
    /// Woken when timers may have moved earlier (the timer task re-plans).
    pub replan: Rc<Notify>,
}

impl Host {
    pub fn new(
        broker: Broker,
        store: Option<DiskStorage>,
        clock: ServerClock,
        printer: EventPrinter,
        node: NodeInfo,
        session_config: SessionConfig,
    ) -> Host {
        Host {
            broker,
            store,
            clock,
            printer,
            node,
            session_config,
            slots: HashMap::new(),
            next_slot: 1,
            replan: Rc::new(Notify::new()),
        }
    }

    /// A new socket: its session, and the slot's number and wake-up.
    pub fn accept(&mut self, peer: Endpoint, local: Endpoint) -> (u64, Rc<Notify>) {
        let id = self.next_slot;
        self.next_slot += 1;
        let now = self.clock.wall_ms();
        let session = ServerSession::new(self.session_config.clone(), peer, local, now);
        let wake = Rc::new(Notify::new());
        self.slots.insert(
            id,
            Slot {
                session,
                wake: wake.clone(),
            },
        );
        (id, wake)
    }

    /// Bytes read from slot `id`'s socket.
    pub fn receive(&mut self, id: u64, bytes: &[u8]) {
        self.catch_up();
        let now = self.clock.wall_ms();
        if let Some(slot) = self.slots.get_mut(&id) {
            slot.session.receive(&mut self.broker, bytes, now);
        }
        self.settle();
    }

    /// Slot `id`'s socket ended (or its writer gave up).
    pub fn socket_closed(&mut self, id: u64) {
        if let Some(mut slot) = self.slots.remove(&id) {
            slot.session.socket_closed(&mut self.broker);
            slot.wake.notify_one();
        }
        self.settle();
    }

    /// Brings the broker's virtual clock up to the wall clock, firing what
    /// became due.
    pub fn catch_up(&mut self) {
        let now = self.clock.virtual_now();
        if now > self.broker.now() {
            self.broker.advance_to(now);
        }
    }

    /// Heartbeats, socket deadlines and broker timers that are due.
    pub fn tick(&mut self) {
        self.catch_up();
        let now = self.clock.wall_ms();
        for slot in self.slots.values_mut() {
            slot.session.tick(&mut self.broker, now);
        }
        self.settle();
    }

    /// When the timer task must next call [`tick`](Self::tick).
    pub fn next_wakeup(&self) -> Option<std::time::Instant> {
        let broker = self
            .broker
            .next_timer_at()
            .map(|at| self.clock.instant_of_virtual(at));
        let sessions = self
            .slots
            .values()
            .filter_map(|s| s.session.next_wakeup())
            .min()
            .map(|ms| self.clock.instant_of_wall(ms));
        [broker, sessions].into_iter().flatten().min()
    }

    /// After anything happened: the broker does the work it can do now,
    /// sealed batches go to the disk (before their confirms are sent),
    /// every connection's outbox becomes bytes, writers are woken, and the
    /// events are printed.
    pub fn settle(&mut self) {
        loop {
            self.broker.run_until_idle();
            if !self.write_sealed_batches() {
                break;
            }
        }
        let now = self.clock.wall_ms();
        for slot in self.slots.values_mut() {
            let outgoing = slot
                .session
                .conn()
                .is_some_and(|c: ConnId| self.broker.has_outgoing(c));
            if outgoing {
                slot.session.send_outbox(&mut self.broker, now);
            }
            if slot.session.has_output() || slot.session.state() == SocketState::Close {
                slot.wake.notify_one();
            }
        }
        self.printer.print_new(&mut self.broker);
        self.replan.notify_one();
    }

    /// Writes the sealed batches to the store; returns whether there were
    /// any (their commits may release more work).
    fn write_sealed_batches(&mut self) -> bool {
        if !self.broker.has_sealed_batches() {
            return false;
        }
        for batch in self.broker.take_sealed_batches() {
            let result = match self.store.as_mut() {
                Some(store) => now_or_never(store.commit(&batch))
                    .unwrap_or_else(|| Err(crate::store::StoreError::Aborted("pending".into())))
                    .map_err(|e| e.to_string()),
                None => Ok(()),
            };
            self.broker.batch_committed(batch.id, result);
        }
        true
    }

    /// A warrenctl request line; its answer line.
    pub fn control(&mut self, line: &str) -> String {
        self.catch_up();
        self.node.uptime_seconds = self.clock.wall_ms() / 1000;
        let answer = crate::control::serve_request(&mut self.broker, line, &self.node);
        self.settle();
        answer
    }

    /// A graceful stop: connections get 320 CONNECTION_FORCED, everything
    /// recorded is committed.
    pub fn shut_down(&mut self) {
        self.catch_up();
        self.broker.stop(true);
        self.settle();
    }
}
