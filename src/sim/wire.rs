//! Clients that speak AMQP as bytes inside the simulation: the Python
//! processes the browser runs (pika in Pyodide, `www/python.js`). Each is a
//! [`ServerSession`] — the same server side of a connection warren-server
//! gives a TCP socket — fed by the host with what the client wrote, on the
//! simulation's virtual clock.
//!
//! ```text
//!  pika  ──socket.send──▶ host ──receive──▶ ServerSession ──Method──▶ Broker
//!  pika ◀──socket.recv─── host ◀──output─── ServerSession ◀─outbox──┘
//! ```
//!
//! The host (`api::python::PythonHost` for `runPythonScripts`; the
//! workbench's terminals record the same inputs as `world::Command::Wire`,
//! see `ui/python.rs`) gives
//! every client an id of its own choosing, hands over bytes with
//! [`WireClients::receive`], takes what the broker answered with
//! [`WireClients::take_output`], and reports the client's socket gone with
//! [`WireClients::close`]. Everything is deterministic: the same bytes
//! at the same virtual times give the same run, which is what lets the
//! workbench record them as ticks and replay them when stepping back.

use crate::engine::channel::Endpoint;
use crate::engine::clock::Millis;
use crate::engine::ids::ConnId;
use crate::engine::{Broker, Profile};
use crate::wire::session::{server_properties, ServerSession, SessionConfig, SocketState};
use std::collections::{BTreeMap, BTreeSet};

/// A byte-stream client's id, chosen by the host.
pub type WireId = u32;

/// The port the simulated broker listens on (RabbitMQ's, and pika's default).
pub const AMQP_PORT: u16 = 5672;

/// Client ports are counted from here, one per id, as an OS would hand out
/// ephemeral ports (what `list_connections` shows as `peer_port`).
const FIRST_PEER_PORT: u32 = 50_000;

/// The byte-stream clients of one simulation.
#[derive(Clone, Debug)]
pub struct WireClients {
    config: SessionConfig,
    /// Open sockets by id, in id order (flushes and ticks go in that order).
    sessions: BTreeMap<WireId, ServerSession>,
    /// What each client has not read yet, and whether the broker closed
    /// its socket after it.
    unread: BTreeMap<WireId, (Vec<u8>, bool)>,
    /// Counts the times a client got something to read (bytes, or its
    /// socket closed). Only ever grows, whoever reads: a step that must
    /// stop when a client has news compares it (the same in a replay,
    /// where nobody reads).
    news: u64,
    /// Every engine connection a byte-stream client has opened, kept after
    /// it closes (and across broker restarts, which keep connection ids
    /// unique): the tutorial's checkpoints tell a Python process's
    /// connections from a workbench actor's of the same name by it
    /// (`tutorial::check::process_channels`). One id per connection a
    /// learner's scripts opened, as many as the event log has
    /// `connection_opened` events for them.
    process_connections: BTreeSet<ConnId>,
}

impl WireClients {
    /// No clients yet; the handshake names the RabbitMQ version `profile`
    /// behaves as (as warren-server does).
    pub fn new(profile: Profile) -> WireClients {
        let version = match profile {
            Profile::RabbitMq3 => "3.10.8",
            _ => "4.3.0",
        };
        WireClients {
            config: SessionConfig {
                server_properties: server_properties(version),
                ..SessionConfig::default()
            },
            sessions: BTreeMap::new(),
            unread: BTreeMap::new(),
            news: 0,
            process_connections: BTreeSet::new(),
        }
    }

    /// See the `news` field: grows whenever a client gets something to read.
    pub fn news(&self) -> u64 {
        self.news
    }

    /// Moves what the sessions wrote into `unread`, counting news.
    fn collect(&mut self) {
        for (id, s) in self.sessions.iter_mut() {
            let bytes = s.take_output();
            let closed = s.state() == SocketState::Close;
            let entry = self.unread.entry(*id).or_default();
            if !bytes.is_empty() || (closed && !entry.1) {
                self.news += 1;
            }
            entry.0.extend_from_slice(&bytes);
            entry.1 = closed;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = WireId> + '_ {
        self.sessions.keys().copied()
    }

    /// The engine connection behind client `id`, once it sent connection.open.
    pub fn conn(&self, id: WireId) -> Option<ConnId> {
        self.sessions.get(&id).and_then(ServerSession::conn)
    }

    /// Whether a byte-stream client (a Python process) opened engine
    /// connection `conn`, now or earlier.
    pub fn opened_by_process(&self, conn: ConnId) -> bool {
        self.process_connections.contains(&conn)
    }

    /// The ids whose engine connection is `conn` (at most one).
    pub fn id_of(&self, conn: ConnId) -> Option<WireId> {
        self.sessions
            .iter()
            .find(|(_, s)| s.conn() == Some(conn))
            .map(|(id, _)| *id)
    }

    /// A client connected from loopback at `now`, from the program
    /// `process` if the host knows it (its connections are named after it).
    /// False (and nothing changes) if `id` is taken.
    pub fn open(&mut self, id: WireId, process: Option<&str>, now: Millis) -> bool {
        if self.sessions.contains_key(&id) {
            return false;
        }
        let port = FIRST_PEER_PORT.saturating_add(id) % 65_536;
        let peer = Endpoint {
            host: "127.0.0.1".into(),
            port: u16::try_from(port).unwrap_or(u16::MAX),
        };
        let local = Endpoint {
            host: "127.0.0.1".into(),
            port: AMQP_PORT,
        };
        let session = ServerSession::new(self.config.clone(), peer, local, now)
            .for_process(process.map(str::to_string));
        self.sessions.insert(id, session);
        true
    }

    /// Bytes client `id` wrote. Unknown ids are ignored (a socket the
    /// broker already reset).
    pub fn receive(&mut self, broker: &mut Broker, id: WireId, bytes: &[u8], now: Millis) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.receive(broker, bytes, now);
            if let Some(conn) = s.conn() {
                self.process_connections.insert(conn);
            }
        }
        self.collect();
    }

    /// Client `id` closed its socket (or its process was killed): the
    /// engine sees the connection drop, as RabbitMQ does when a socket goes
    /// away without connection.close.
    pub fn close(&mut self, broker: &mut Broker, id: WireId) {
        if let Some(mut s) = self.sessions.remove(&id) {
            s.socket_closed(broker);
        }
        self.unread.remove(&id);
    }

    /// Encodes what the broker queued for each client (deliveries,
    /// confirms, closes).
    pub fn flush(&mut self, broker: &mut Broker, now: Millis) {
        for s in self.sessions.values_mut() {
            if s.conn().is_some_and(|c| broker.has_outgoing(c)) {
                s.send_outbox(broker, now);
            }
        }
        self.collect();
    }

    /// After the broker stopped (a restart or a crash): every client whose
    /// connection is gone has its socket reset, after what was queued for
    /// it (a graceful stop's 320 CONNECTION_FORCED) is written.
    pub fn broker_stopped(&mut self, broker: &mut Broker, now: Millis) {
        self.flush(broker, now);
        for s in self.sessions.values_mut() {
            let dead = s
                .conn()
                .is_some_and(|c| !broker.connection(c).is_some_and(|c| c.open));
            if dead && s.state() == SocketState::Open {
                s.socket_closed(broker);
            }
        }
        self.collect();
    }

    /// Heartbeats and deadlines due at `now`.
    pub fn tick(&mut self, broker: &mut Broker, now: Millis) {
        for s in self.sessions.values_mut() {
            if s.next_wakeup().is_some_and(|at| at <= now) {
                s.tick(broker, now);
            }
        }
        self.collect();
    }

    /// When [`tick`](Self::tick) next has something to do.
    pub fn next_wakeup(&self) -> Option<Millis> {
        self.sessions
            .values()
            .filter_map(ServerSession::next_wakeup)
            .min()
    }

    /// Whether the broker closed client `id`'s socket.
    pub fn is_closed(&self, id: WireId) -> bool {
        self.unread.get(&id).is_some_and(|u| u.1)
    }

    /// What client `id` has to read, and whether the broker closed its
    /// socket (after these bytes). `None` for an unknown id.
    pub fn take_output(&mut self, id: WireId) -> Option<(Vec<u8>, bool)> {
        let (bytes, closed) = self.unread.get_mut(&id)?;
        Some((std::mem::take(bytes), *closed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BrokerConfig;
    use crate::wire::protocol_header::PROTOCOL_HEADER;

    #[test]
    fn a_client_gets_connection_start_and_a_closed_socket_drops_its_connection() {
        let mut broker = Broker::new(BrokerConfig::default());
        let mut wire = WireClients::new(Profile::RabbitMq3);
        assert!(wire.open(7, None, 0));
        assert!(!wire.open(7, None, 0), "an id is taken once");
        wire.receive(&mut broker, 7, &PROTOCOL_HEADER, 0);
        assert_eq!(wire.news(), 1);
        let (bytes, closed) = wire.take_output(7).unwrap_or_default();
        assert!(!closed);
        assert_eq!(wire.take_output(7), Some((Vec::new(), false)), "read once");
        // A method frame on channel 0: connection.start (class 10, method 10).
        assert_eq!(bytes.first(), Some(&1));
        assert_eq!(&bytes[7..11], &[0, 10, 0, 10]);
        assert!(wire.next_wakeup().is_some(), "the handshake has a deadline");
        wire.close(&mut broker, 7);
        assert!(wire.is_empty());
        assert_eq!(wire.take_output(7), None);
    }
}
