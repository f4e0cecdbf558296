//! The server's side of one AMQP connection: bytes in, the engine in the
//! middle, bytes out. No I/O, no clock: the host (warren-server's socket
//! task, or the browser's bridge to Python) hands it what it read and the
//! time, and writes what it produced.
//!
//! ```text
//!  socket ──bytes──▶ receive ──frames──▶ handshake ─┐
//!                                                   ├─ content assembly ─▶ Broker::apply
//!                                                   └─ channel rules         │
//!  socket ◀──bytes── output ◀── reply frames ◀─────────────────────────────┘
//!                        ▲
//!                        └── send_outbox: deliveries, confirms, returns, closes
//! ```
//!
//! A connection goes through RabbitMQ's states: *starting* (protocol header
//! read, connection.start sent), *tuning* (credentials accepted,
//! connection.tune sent), *opening* (tune-ok read), *running*, then
//! *closing*. What it does at each misstep follows RabbitMQ 3.10.8 as
//! recorded (research/wire/SUMMARY.md):
//!
//! - before connection.open is reached, any error is silent: nothing is
//!   sent and the socket is reset 3 s later (the one exception: failed
//!   credentials from a client that advertises
//!   `authentication_failure_close` get a 403 close);
//! - from then on a protocol error sends connection.close and waits for
//!   close-ok (at most 30 s; 3 s after a fatal framing error, whatever
//!   comes); a few errors reset the socket at once with nothing sent;
//! - a channel the server closed ignores everything until its close-ok; a
//!   channel the client closed drops what follows until it is reopened;
//! - heartbeats run from tune-ok on a fixed grid, as RabbitMQ's timers
//!   do: every `heartbeat / 2` seconds one is sent unless something else
//!   was (the first always is), and a client from which nothing was read
//!   at two looks in a row, `heartbeat` seconds apart, is reset (3 ×
//!   `heartbeat` after its last bytes at most);
//! - a body over the broker's `max_message_size` is counted, not kept,
//!   and the publish fails when it is complete.
//!
//! The engine sees only methods (with their content assembled) and the
//! connection's own lifecycle; everything above is this file's business.

use crate::engine::channel::{ClientInfo, Endpoint};
use crate::engine::error::{AmqpError, CommandError, ReplyCode};
use crate::engine::ids::ConnId;
use crate::engine::method::{Close, Method, MethodId, Reply};
use crate::engine::outbox::ServerMethod;
use crate::engine::value::{FieldTable, FieldValue};
use crate::engine::Broker;
use crate::wire::content::ContentHeader;
use crate::wire::engine_bridge::{
    attach_content, encode_outgoing, ClientMethod, MethodWithContent,
};
use crate::wire::error::{Reaction, WireError};
use crate::wire::field_table::decode_table;
use crate::wire::frame::{encode_heartbeat, encode_method_frame, FrameDecoder, RawFrame};
use crate::wire::method::{ConnectionStart, ConnectionStartOk, Tune, WireMethod};
use crate::wire::protocol_header::{check_protocol_header, ProtocolHeaderCheck, PROTOCOL_HEADER};
use std::collections::BTreeMap;

/// Milliseconds on the host's clock (the wall clock for a server).
pub type HostMs = u64;

/// How long RabbitMQ waits before resetting a connection that erred
/// before it was open, or after a fatal frame error.
const SILENT_RESET_MS: HostMs = 3_000;
/// How long it waits for a close-ok, or for the client to close its
/// socket after the close handshake.
const CLOSE_WAIT_MS: HostMs = 30_000;
/// How long a client has to reach connection.open.
const HANDSHAKE_TIMEOUT_MS: HostMs = 10_000;

/// What a server offers and accepts; RabbitMQ 3.10's defaults.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// What connection.tune proposes, and the largest values tune-ok may
    /// choose (RabbitMQ refuses 0 = "no limit" for both).
    pub tune: Tune,
    pub server_properties: FieldTable,
    /// Users and their passwords.
    pub users: Vec<(String, String)>,
    /// Users who may only connect from a loopback address (RabbitMQ's
    /// `loopback_users`: `guest`).
    pub loopback_users: Vec<String>,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            tune: Tune {
                channel_max: 2047,
                frame_max: 131_072,
                heartbeat: 60,
            },
            server_properties: server_properties("3.10.8"),
            users: vec![("guest".into(), "guest".into())],
            loopback_users: vec!["guest".into()],
        }
    }
}

/// connection.start's server properties: RabbitMQ's capabilities, and a
/// product that says what it is (a client that checks the version sees the
/// RabbitMQ version Warren behaves as).
pub fn server_properties(version: &str) -> FieldTable {
    let capabilities: FieldTable = [
        "publisher_confirms",
        "exchange_exchange_bindings",
        "basic.nack",
        "consumer_cancel_notify",
        "connection.blocked",
        "consumer_priorities",
        "authentication_failure_close",
        "per_consumer_qos",
    ]
    .into_iter()
    .map(|c| (c.to_string(), FieldValue::Bool(true)))
    .collect();
    let text = |s: &str| FieldValue::LongStr(s.to_string());
    [
        ("capabilities", FieldValue::Table(capabilities)),
        ("cluster_name", text("warren@localhost")),
        ("copyright", text("Warren authors; MIT OR Apache-2.0")),
        (
            "information",
            text("Warren, a deterministic RabbitMQ simulator. Behaves as the RabbitMQ version below."),
        ),
        ("platform", text("Rust")),
        ("product", text("Warren")),
        ("version", text(version)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Where the connection is in its life.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// Waiting for the 8-byte protocol header.
    AwaitingHeader,
    /// connection.start sent; waiting for start-ok.
    Starting,
    /// connection.tune sent; waiting for tune-ok.
    Tuning {
        user: String,
    },
    /// Tuned; waiting for connection.open.
    Opening {
        user: String,
    },
    Running,
    /// The server sent connection.close: waiting for close-ok.
    ClosingByServer,
    /// The client closed (close-ok sent): waiting for it to close its socket.
    ClosedByClient,
    /// Something went wrong before the connection was open: say nothing,
    /// reset at the deadline.
    Silent,
    /// The socket is to be reset now (after writing what is pending).
    Reset,
}

/// A message arriving in pieces: a content-carrying method, its header,
/// then body frames until `body_size` bytes have come.
#[derive(Clone, Debug)]
struct Assembly {
    method: WireMethod,
    /// Its properties are decoded when the message is complete, as
    /// RabbitMQ's channel does.
    header: Option<ContentHeader>,
    body: Vec<u8>,
    /// Body bytes read so far (kept in `body` or not).
    received: u64,
    /// The header announced more than the broker's `max_message_size`:
    /// the body is counted, not kept (the publish fails when it is
    /// complete, as RabbitMQ checks the size then).
    oversized: bool,
    /// More body bytes came than the header announced: RabbitMQ never
    /// completes such a message, and the channel waits for body frames
    /// forever.
    overrun: bool,
}

/// What the connection knows about a channel number besides the engine.
#[derive(Clone, Debug, Default)]
struct ChannelWire {
    assembling: Option<Assembly>,
    /// The server closed it: everything but close-ok is ignored.
    closing_by_server: bool,
    /// The client closed it: what follows is dropped until channel.open.
    closed_by_client: bool,
}

/// RabbitMQ's two heartbeat timers, which tune-ok starts (with a
/// heartbeat of `h` seconds):
///
/// - the sender looks every `h / 2` and sends a heartbeat unless the
///   server wrote something else since it last looked; its first look
///   always sends one (recorded: a heartbeat at 1 s with heartbeat 2,
///   although a declare-ok went out at 0.5 s, and none after while
///   declare-oks went out every 0.5 s);
/// - the receiver looks every `h` and resets the socket, with nothing
///   sent, the second time in a row it finds nothing read (a client silent
///   from tune-ok on is reset at 3 `h`). Its first look counts tune-ok
///   itself.
///
/// Both run on a fixed grid from tune-ok, as RabbitMQ's timers do, and
/// are due at the same instant every `h`: the receiver looks first
/// (recorded: no heartbeat along with the reset).
#[derive(Clone, Debug)]
struct Heartbeats {
    send_every: HostMs,
    next_send: HostMs,
    first_send: bool,
    /// Something other than a heartbeat was written since the sender's
    /// last look.
    wrote: bool,
    check_every: HostMs,
    next_check: HostMs,
    /// Bytes were read since the receiver's last look.
    read: bool,
    silent_checks: u64,
}

impl Heartbeats {
    fn start(heartbeat_s: u16, now: HostMs) -> Option<Heartbeats> {
        let check_every = u64::from(heartbeat_s) * 1000;
        let send_every = check_every / 2;
        (heartbeat_s > 0).then_some(Heartbeats {
            send_every,
            next_send: now.saturating_add(send_every),
            first_send: true,
            wrote: false,
            check_every,
            next_check: now.saturating_add(check_every),
            read: true,
            silent_checks: 0,
        })
    }

    fn next_due(&self) -> HostMs {
        self.next_send.min(self.next_check)
    }

    /// The receiver's looks due by `now`: whether the client is dead.
    fn client_dead(&mut self, now: HostMs) -> bool {
        let Some(looks) = looks_due(now, self.next_check, self.check_every) else {
            return false;
        };
        // Only the first of several looks (a late tick) can see bytes.
        self.silent_checks = if self.read {
            looks - 1
        } else {
            self.silent_checks.saturating_add(looks)
        };
        self.read = false;
        self.next_check = self
            .next_check
            .saturating_add(looks.saturating_mul(self.check_every));
        self.silent_checks >= 2
    }

    /// The sender's looks due by `now`: whether to send a heartbeat (one,
    /// however many looks a late tick covers).
    fn beat(&mut self, now: HostMs) -> bool {
        let Some(looks) = looks_due(now, self.next_send, self.send_every) else {
            return false;
        };
        let beat = self.first_send || !self.wrote || looks > 1;
        self.first_send = false;
        self.wrote = false;
        self.next_send = self
            .next_send
            .saturating_add(looks.saturating_mul(self.send_every));
        beat
    }
}

/// How many looks of a timer that looks every `every` ms, next at `next`,
/// are due by `now` (`None`: none).
fn looks_due(now: HostMs, next: HostMs, every: HostMs) -> Option<u64> {
    let late = now.checked_sub(next)?;
    Some(late / every.max(1) + 1)
}

/// What the host should do with the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketState {
    /// Keep reading and writing.
    Open,
    /// Write what is pending, then close the socket (RabbitMQ resets it).
    Close,
}

/// One AMQP connection, server side. Cloneable, so the workbench's
/// timeline can snapshot Python's connections with the rest of the world.
#[derive(Clone, Debug)]
pub struct ServerSession {
    config: SessionConfig,
    phase: Phase,
    /// Bytes read but not yet a whole frame.
    inbox: Vec<u8>,
    /// The byte stream lost its framing (a frame over `frame_max`, a bad
    /// frame-end): nothing after it can be read, so nothing is kept.
    unframed: bool,
    /// Bytes for the socket.
    output: Vec<u8>,
    decoder: FrameDecoder,
    /// The engine's connection, from connection.open on.
    conn: Option<ConnId>,
    client: ClientInfo,
    /// Negotiated in tune-ok (the proposal until then).
    frame_max: u32,
    channel_max: u16,
    /// From tune-ok on, if the client asked for heartbeats.
    heartbeats: Option<Heartbeats>,
    channels: BTreeMap<u16, ChannelWire>,
    /// When the socket is reset whatever happens (a handshake timeout, a
    /// close that is never answered).
    deadline: Option<HostMs>,
    /// The program on the other end (`send.py`), if the host knows it:
    /// the connection's name when the client does not give one.
    process: Option<String>,
}

impl ServerSession {
    /// A connection accepted at `now` from `peer` on `local`.
    pub fn new(
        config: SessionConfig,
        peer: Endpoint,
        local: Endpoint,
        now: HostMs,
    ) -> ServerSession {
        let frame_max = config.tune.frame_max;
        ServerSession {
            config,
            phase: Phase::AwaitingHeader,
            inbox: Vec::new(),
            unframed: false,
            output: Vec::new(),
            decoder: FrameDecoder::new(),
            conn: None,
            client: ClientInfo {
                peer: Some(peer),
                local: Some(local),
                ..Default::default()
            },
            frame_max,
            channel_max: 0,
            heartbeats: None,
            channels: BTreeMap::new(),
            deadline: Some(now.saturating_add(HANDSHAKE_TIMEOUT_MS)),
            process: None,
        }
    }

    /// Names the program behind the socket (`send.py`). A real broker
    /// cannot know it; Warren's hosts can, and the name lets the engine's
    /// connection (and the tutorials' checkpoints) say whose it is.
    pub fn for_process(mut self, process: Option<String>) -> ServerSession {
        self.process = process.filter(|p| !p.is_empty());
        self
    }

    /// The engine's connection, once connection.open has been read.
    pub fn conn(&self) -> Option<ConnId> {
        self.conn
    }

    pub fn state(&self) -> SocketState {
        if self.phase == Phase::Reset {
            SocketState::Close
        } else {
            SocketState::Open
        }
    }

    /// Takes the bytes to write.
    pub fn take_output(&mut self) -> Vec<u8> {
        // The next batch starts as large as this one: a busy connection
        // then writes without growing (and copying) its buffer each time.
        let capacity = self.output.len().min(1 << 20);
        std::mem::replace(&mut self.output, Vec::with_capacity(capacity))
    }

    pub fn has_output(&self) -> bool {
        !self.output.is_empty()
    }

    /// When [`tick`](Self::tick) next has something to do.
    pub fn next_wakeup(&self) -> Option<HostMs> {
        if self.phase == Phase::Reset {
            return None;
        }
        let heartbeats = self
            .heartbeats
            .as_ref()
            .filter(|_| self.beating())
            .map(Heartbeats::next_due);
        [heartbeats, self.deadline].into_iter().flatten().min()
    }

    /// Whether the heartbeat timers run: from tune-ok until a close.
    fn beating(&self) -> bool {
        matches!(self.phase, Phase::Opening { .. } | Phase::Running)
    }

    /// Sends heartbeats, and resets a connection whose time is up.
    pub fn tick(&mut self, broker: &mut Broker, now: HostMs) {
        if self.phase == Phase::Reset {
            return;
        }
        if self.deadline.is_some_and(|d| now >= d) {
            self.reset(broker);
            return;
        }
        if !self.beating() {
            return;
        }
        let Some(heartbeats) = self.heartbeats.as_mut() else {
            return;
        };
        if heartbeats.client_dead(now) {
            // RabbitMQ: "missed heartbeats from client" – no close frame.
            self.reset(broker);
            return;
        }
        if heartbeats.beat(now) {
            encode_heartbeat(&mut self.output);
        }
    }

    /// Something other than a heartbeat went into the output.
    fn wrote(&mut self) {
        if let Some(heartbeats) = self.heartbeats.as_mut() {
            heartbeats.wrote = true;
        }
    }

    /// The client's socket ended (closed, or an error): the engine closes
    /// the connection as RabbitMQ does when a socket goes away.
    pub fn socket_closed(&mut self, broker: &mut Broker) {
        self.reset(broker);
    }

    fn reset(&mut self, broker: &mut Broker) {
        if let Some(conn) = self.conn {
            broker.drop_connection(conn);
        }
        self.phase = Phase::Reset;
        self.deadline = None;
    }

    fn write_method(&mut self, channel: u16, method: &WireMethod) {
        // Encoding a method the server builds itself cannot fail for sizes
        // it controls; a failure would be a bug, and then nothing is sent.
        let _ = encode_method_frame(&mut self.output, channel, method);
        self.wrote();
    }

    /// Reads `bytes` from the socket: whole frames are acted on, the rest
    /// waits for more.
    pub fn receive(&mut self, broker: &mut Broker, bytes: &[u8], now: HostMs) {
        if matches!(self.phase, Phase::Reset | Phase::Silent) || self.unframed {
            return;
        }
        if let Some(heartbeats) = self.heartbeats.as_mut() {
            heartbeats.read = true;
        }
        // The buffer is taken out of `self` while its frames are handled,
        // so a frame's payload is read in place (no copy per frame).
        let mut inbox = std::mem::take(&mut self.inbox);
        inbox.extend_from_slice(bytes);
        let mut used = 0;
        loop {
            if matches!(self.phase, Phase::Reset | Phase::Silent) {
                break;
            }
            let rest = &inbox[used..];
            if self.phase == Phase::AwaitingHeader {
                match check_protocol_header(rest) {
                    ProtocolHeaderCheck::NeedMore => break,
                    ProtocolHeaderCheck::Accept => {
                        used += PROTOCOL_HEADER.len();
                        self.start();
                        continue;
                    }
                    ProtocolHeaderCheck::Refuse(_) => {
                        // RabbitMQ answers with the header it speaks and resets.
                        self.output.extend_from_slice(&PROTOCOL_HEADER);
                        self.phase = Phase::Reset;
                        break;
                    }
                }
            }
            let (raw, size) = match self.decoder.next_raw(rest) {
                Ok(Some(found)) => found,
                Ok(None) => break,
                Err(e) => {
                    self.protocol_error(broker, &e, now);
                    // Frame boundaries are lost: nothing more is read.
                    self.unframed = true;
                    return;
                }
            };
            used += size;
            self.frame(broker, raw, now);
        }
        inbox.drain(..used.min(inbox.len()));
        self.inbox = inbox;
    }

    /// connection.start, after a good protocol header.
    fn start(&mut self) {
        let start = ConnectionStart {
            version_major: 0,
            version_minor: 9,
            server_properties: self.config.server_properties.clone(),
            mechanisms: "PLAIN AMQPLAIN".into(),
            locales: "en_US".into(),
        };
        self.write_method(0, &WireMethod::ConnectionStart(start));
        self.phase = Phase::Starting;
    }

    /// An error before the connection is open: nothing is said, and the
    /// socket is reset 3 s later.
    fn go_silent(&mut self, now: HostMs) {
        self.phase = Phase::Silent;
        self.deadline = Some(now.saturating_add(SILENT_RESET_MS));
    }

    /// A protocol error, handled as RabbitMQ does in the current state.
    fn protocol_error(&mut self, broker: &mut Broker, e: &WireError, now: HostMs) {
        if matches!(
            self.phase,
            Phase::AwaitingHeader | Phase::Starting | Phase::Tuning { .. }
        ) {
            self.go_silent(now);
            return;
        }
        if matches!(self.phase, Phase::ClosingByServer | Phase::ClosedByClient) {
            // Already closing: RabbitMQ ignores what comes meanwhile.
            return;
        }
        match e.reaction() {
            Reaction::Reset => self.reset(broker),
            Reaction::CloseConnection { close, fatal } => {
                self.close_connection(broker, close, fatal, now)
            }
        }
    }

    /// Closes the connection with `close`: the engine learns of the error
    /// (its channels close, requeueing what they held) and the client gets
    /// connection.close.
    fn close_connection(&mut self, broker: &mut Broker, close: Close, fatal: bool, now: HostMs) {
        match self.conn {
            Some(conn) if broker.connection(conn).is_some_and(|c| c.open) => {
                broker.fail_connection_from_wire(conn, amqp_error(&close));
                self.send_outbox(broker, now);
            }
            _ => {
                self.write_method(0, &WireMethod::ConnectionClose(close));
                self.phase = Phase::ClosingByServer;
                self.deadline = Some(now.saturating_add(CLOSE_WAIT_MS));
            }
        }
        if fatal {
            self.deadline = Some(now.saturating_add(SILENT_RESET_MS));
        }
    }

    fn frame(&mut self, broker: &mut Broker, raw: RawFrame<'_>, now: HostMs) {
        let frame = match raw.parse() {
            Ok(frame) => frame,
            Err(e) => return self.protocol_error(broker, &e, now),
        };
        use crate::wire::frame::Frame;
        match frame {
            Frame::Heartbeat => {}
            Frame::Method { channel, method } => self.method_frame(broker, channel, method, now),
            Frame::Header { channel, header } => self.header_frame(broker, channel, header, now),
            Frame::Body { channel, payload } => self.body_frame(broker, channel, payload, now),
        }
    }

    /// A method frame, in whatever state the connection is.
    fn method_frame(&mut self, broker: &mut Broker, channel: u16, method: WireMethod, now: HostMs) {
        match std::mem::replace(&mut self.phase, Phase::Reset) {
            Phase::Starting => self.start_ok(channel, method, now),
            Phase::Tuning { user } => self.tune_ok(channel, method, user, now),
            Phase::Opening { user } => self.open(broker, channel, method, user, now),
            Phase::Running => {
                self.phase = Phase::Running;
                self.running_method(broker, channel, method, now);
            }
            Phase::ClosingByServer => {
                self.phase = Phase::ClosingByServer;
                match (channel, method) {
                    (0, WireMethod::ConnectionCloseOk) => self.reset(broker),
                    // Closes that cross: answer, and keep waiting for ours.
                    (0, WireMethod::ConnectionClose(_)) => {
                        self.write_method(0, &WireMethod::ConnectionCloseOk)
                    }
                    _ => {}
                }
            }
            other => self.phase = other,
        }
    }

    /// In *starting*: the client's credentials.
    fn start_ok(&mut self, channel: u16, method: WireMethod, now: HostMs) {
        let WireMethod::ConnectionStartOk(ok) = method else {
            return self.go_silent(now);
        };
        if channel != 0 {
            return self.go_silent(now);
        }
        let Some((user, password)) = credentials(&ok) else {
            // Unknown mechanism or a malformed response: always silent.
            return self.go_silent(now);
        };
        let known = self
            .config
            .users
            .iter()
            .any(|(u, p)| *u == user && *p == password);
        let loopback_only = self.config.loopback_users.contains(&user);
        let from_loopback = self
            .client
            .peer
            .as_ref()
            .is_some_and(|p| is_loopback(&p.host));
        self.client.properties = ok.client_properties.clone();
        self.client.auth_mechanism = ok.mechanism.clone();
        if !known || (loopback_only && !from_loopback) {
            if wants_auth_failure_close(&ok.client_properties) {
                let close = Close {
                    reply_code: ReplyCode::AccessRefused.code(),
                    reply_text: format!(
                        "ACCESS_REFUSED - Login was refused using authentication mechanism {}. For details see the broker logfile.",
                        ok.mechanism
                    ),
                    class_id: 0,
                    method_id: 0,
                };
                self.write_method(0, &WireMethod::ConnectionClose(close));
                self.phase = Phase::ClosingByServer;
                self.deadline = Some(now.saturating_add(CLOSE_WAIT_MS));
                return;
            }
            return self.go_silent(now);
        }
        self.write_method(0, &WireMethod::ConnectionTune(self.config.tune));
        self.phase = Phase::Tuning { user };
    }

    /// In *tuning*: the client's limits. RabbitMQ refuses "no limit" (0)
    /// and anything above what it proposed, silently.
    fn tune_ok(&mut self, channel: u16, method: WireMethod, user: String, now: HostMs) {
        let WireMethod::ConnectionTuneOk(tune) = method else {
            return self.go_silent(now);
        };
        let limits = self.config.tune;
        let frame_ok = tune.frame_max >= crate::wire::frame::FRAME_MIN_SIZE
            && tune.frame_max <= limits.frame_max;
        let channels_ok = tune.channel_max != 0 && tune.channel_max <= limits.channel_max;
        if channel != 0 || !frame_ok || !channels_ok {
            return self.go_silent(now);
        }
        self.frame_max = tune.frame_max;
        self.decoder.set_frame_max(tune.frame_max);
        self.heartbeats = Heartbeats::start(tune.heartbeat, now);
        self.client.frame_max = tune.frame_max;
        self.client.heartbeat = tune.heartbeat;
        self.channel_max = tune.channel_max;
        self.phase = Phase::Opening { user };
    }

    /// In *opening*: connection.open makes the engine's connection.
    fn open(
        &mut self,
        broker: &mut Broker,
        channel: u16,
        method: WireMethod,
        user: String,
        now: HostMs,
    ) {
        let id = method.id();
        let WireMethod::ConnectionOpen(open) = method else {
            // From here on errors are spoken: RabbitMQ names the state.
            let close = channel_error("unexpected method in connection state opening", Some(id));
            self.phase = Phase::Opening { user };
            return self.close_connection(broker, close, false, now);
        };
        if channel != 0 {
            self.phase = Phase::Opening { user };
            let close = command_invalid(id);
            return self.close_connection(broker, close, false, now);
        }
        let label = self.connection_name();
        let conn = broker.open_connection_as(&label, &user);
        self.conn = Some(conn);
        let mut info = self.client.clone();
        info.connected_at = broker.now();
        broker.set_client_info(conn, info);
        broker.set_channel_max(conn, self.channel_max);
        self.phase = Phase::Running;
        self.deadline = None;
        let result = broker.apply(conn, 0, Method::ConnectionOpen(open));
        self.answer(broker, 0, result, false, now);
    }

    /// The client's own `connection_name` (what RabbitMQ shows first),
    /// else the process the host said the socket belongs to, else the
    /// name RabbitMQ gives a connection (`127.0.0.1:5342 -> 127.0.0.1:5672`).
    fn connection_name(&self) -> String {
        if let Some(FieldValue::LongStr(name)) = self.client.properties.get("connection_name") {
            return name.clone();
        }
        if let Some(process) = &self.process {
            return process.clone();
        }
        let end = |e: &Option<Endpoint>| {
            e.as_ref()
                .map_or_else(|| "?".to_string(), |e| format!("{}:{}", e.host, e.port))
        };
        format!("{} -> {}", end(&self.client.peer), end(&self.client.local))
    }

    /// A method on a running connection.
    fn running_method(
        &mut self,
        broker: &mut Broker,
        channel: u16,
        method: WireMethod,
        now: HostMs,
    ) {
        let id = method.id();
        if channel == 0 {
            return match method {
                WireMethod::ConnectionClose(close) => {
                    let result = self.apply(broker, 0, Method::ConnectionClose(close));
                    if result.is_ok() {
                        self.write_method(0, &WireMethod::ConnectionCloseOk);
                    }
                    // RabbitMQ leaves closing the socket to the client.
                    self.phase = Phase::ClosedByClient;
                    self.deadline = Some(now.saturating_add(CLOSE_WAIT_MS));
                }
                WireMethod::ConnectionCloseOk | WireMethod::ConnectionUpdateSecret(_) => {}
                _ => {
                    let close =
                        channel_error("unexpected method in connection state running", Some(id));
                    self.close_connection(broker, close, false, now);
                }
            };
        }
        let wire = self.channels.entry(channel).or_default();
        if let Some(assembly) = &wire.assembling {
            // A method where content was due.
            let (waiting_for_header, method_id) = (assembly.header.is_none(), assembly.method.id());
            let e = if waiting_for_header {
                WireError::ExpectedContentHeader { method: method_id }
            } else {
                WireError::ExpectedContentBody { method: method_id }
            };
            return self.protocol_error(broker, &e, now);
        }
        if wire.closing_by_server {
            match method {
                WireMethod::ChannelCloseOk => {
                    self.channels.remove(&channel);
                }
                WireMethod::ChannelOpen => {
                    let close = channel_error("second 'channel.open' seen", Some(id));
                    self.close_connection(broker, close, false, now);
                }
                _ => {}
            }
            return;
        }
        if wire.closed_by_client {
            if !matches!(method, WireMethod::ChannelOpen) {
                return;
            }
            wire.closed_by_client = false;
        }
        if method.has_content() {
            wire.assembling = Some(Assembly {
                method,
                header: None,
                body: Vec::new(),
                received: 0,
                oversized: false,
                overrun: false,
            });
            return;
        }
        self.dispatch(broker, channel, method, now);
    }

    /// A whole method (with its content) on channel `channel` > 0.
    fn dispatch(&mut self, broker: &mut Broker, channel: u16, method: WireMethod, now: HostMs) {
        let id = method.id();
        let sorted = match method.into_client_method() {
            Ok(sorted) => sorted,
            Err(e) => return self.protocol_error(broker, &e, now),
        };
        let method = match sorted {
            ClientMethod::Broker(method) => method,
            ClientMethod::Connection(WireMethod::ChannelCloseOk) => {
                if !self.channel_open(broker, channel) {
                    let close = channel_error("expected 'channel.open'", Some(id));
                    self.close_connection(broker, close, false, now);
                }
                return;
            }
            ClientMethod::Connection(_) => {
                // A connection method on a channel other than 0.
                return self.close_connection(broker, command_invalid(id), false, now);
            }
        };
        if matches!(
            method,
            Method::ConnectionOpen(_) | Method::ConnectionClose(_)
        ) {
            return self.close_connection(broker, command_invalid(id), false, now);
        }
        if !matches!(method, Method::ChannelOpen) && !self.channel_open(broker, channel) {
            let close = channel_error("expected 'channel.open'", Some(id));
            return self.close_connection(broker, close, false, now);
        }
        let no_wait = method.no_wait();
        let closes = matches!(method, Method::ChannelClose(_));
        let result = self.apply(broker, channel, method);
        if closes && result.is_ok() {
            self.channels.entry(channel).or_default().closed_by_client = true;
        }
        self.answer(broker, channel, result, no_wait, now);
    }

    fn channel_open(&self, broker: &Broker, channel: u16) -> bool {
        self.conn
            .and_then(|conn| broker.channel_id(conn, channel))
            .and_then(|ch| broker.channel(ch))
            .is_some_and(|c| c.open)
    }

    fn apply(
        &mut self,
        broker: &mut Broker,
        channel: u16,
        method: Method,
    ) -> Result<Reply, CommandError> {
        match self.conn {
            Some(conn) => broker.apply(conn, channel, method),
            None => Err(CommandError::ConnectionClosed),
        }
    }

    /// Writes a method's reply, then whatever the engine queued meanwhile
    /// (an error's close, deliveries, confirms).
    fn answer(
        &mut self,
        broker: &mut Broker,
        channel: u16,
        result: Result<Reply, CommandError>,
        no_wait: bool,
        now: HostMs,
    ) {
        match result {
            Ok(reply) => {
                if !no_wait {
                    if let Some(frames) = MethodWithContent::from_reply(&reply) {
                        let _ = frames.encode(&mut self.output, channel, self.frame_max);
                        self.wrote();
                    }
                }
            }
            // The engine queued the channel.close or connection.close.
            Err(CommandError::Amqp(_)) => {}
            // A refusal the wire's own checks should have made first: say
            // so the way RabbitMQ reports a crashed channel.
            Err(_) => {
                if self
                    .conn
                    .is_some_and(|c| broker.connection(c).is_some_and(|c| c.open))
                {
                    let close = Close {
                        reply_code: ReplyCode::InternalError.code(),
                        reply_text: ReplyCode::InternalError.name().to_string(),
                        class_id: 0,
                        method_id: 0,
                    };
                    self.close_connection(broker, close, false, now);
                }
            }
        }
        self.send_outbox(broker, now);
    }

    /// The message a content frame on `channel` continues: none when the
    /// frame is to be ignored (the connection is not running yet, or the
    /// channel is closing), an error when no content-carrying method came
    /// first (505 UNEXPECTED_FRAME, as RabbitMQ).
    fn assembly_for_content(&mut self, channel: u16) -> Result<Option<&mut Assembly>, WireError> {
        if self.phase != Phase::Running {
            return Ok(None);
        }
        let wire = self.channels.entry(channel).or_default();
        if wire.closing_by_server || wire.closed_by_client {
            return Ok(None);
        }
        match wire.assembling.as_mut() {
            Some(assembly) => Ok(Some(assembly)),
            None => Err(WireError::ExpectedMethodFrame),
        }
    }

    /// A content header frame.
    fn header_frame(
        &mut self,
        broker: &mut Broker,
        channel: u16,
        header: ContentHeader,
        now: HostMs,
    ) {
        let assembly = match self.assembly_for_content(channel) {
            Ok(Some(assembly)) => assembly,
            Ok(None) => return,
            Err(e) => return self.protocol_error(broker, &e, now),
        };
        if assembly.header.is_some() {
            let e = WireError::ExpectedContentBody {
                method: assembly.method.id(),
            };
            return self.protocol_error(broker, &e, now);
        }
        if header.class_id != assembly.method.id().class_id {
            let e = WireError::WrongContentClass {
                method: assembly.method.id(),
                header_class_id: header.class_id,
            };
            return self.protocol_error(broker, &e, now);
        }
        let complete = header.body_size == 0;
        assembly.oversized = header.body_size > broker.config().max_message_size;
        assembly.header = Some(header);
        if complete {
            self.complete_content(broker, channel, now);
        }
    }

    /// A content body frame.
    fn body_frame(&mut self, broker: &mut Broker, channel: u16, payload: Vec<u8>, now: HostMs) {
        let assembly = match self.assembly_for_content(channel) {
            Ok(Some(assembly)) => assembly,
            Ok(None) => return,
            Err(e) => return self.protocol_error(broker, &e, now),
        };
        let Some(header) = &assembly.header else {
            let e = WireError::ExpectedContentHeader {
                method: assembly.method.id(),
            };
            return self.protocol_error(broker, &e, now);
        };
        if assembly.overrun {
            return;
        }
        let size = header.body_size;
        let have = assembly.received.saturating_add(payload.len() as u64);
        if have > size {
            assembly.overrun = true;
            assembly.body = Vec::new();
            return;
        }
        assembly.received = have;
        if !assembly.oversized {
            assembly.body.extend_from_slice(&payload);
        }
        if have == size {
            self.complete_content(broker, channel, now);
        }
    }

    /// The method's content is all in: hand the whole message on.
    fn complete_content(&mut self, broker: &mut Broker, channel: u16, now: HostMs) {
        let Some(assembly) = self
            .channels
            .get_mut(&channel)
            .and_then(|w| w.assembling.take())
        else {
            return;
        };
        let Some(header) = assembly.header else {
            return;
        };
        let mut method = assembly.method;
        if let WireMethod::BasicPublish(publish) = &mut method {
            // RabbitMQ's order: immediate (540), then the size (406), and
            // only then are the properties decoded.
            if assembly.oversized && !publish.immediate && self.channel_open(broker, channel) {
                let max = broker.config().max_message_size;
                let mut e = AmqpError::message_too_large(assembly.received, max);
                e.method = Some(MethodId::BASIC_PUBLISH);
                if let Some(conn) = self.conn {
                    broker.fail_channel_from_wire(conn, channel, e);
                }
                return self.send_outbox(broker, now);
            }
            let properties = match header.properties.decode() {
                Ok(p) => p,
                Err(e) => return self.protocol_error(broker, &WireError::properties(e), now),
            };
            attach_content(publish, properties, assembly.body);
        }
        self.dispatch(broker, channel, method, now);
    }

    /// Moves what the engine queued for this connection into bytes.
    pub fn send_outbox(&mut self, broker: &mut Broker, now: HostMs) {
        let Some(conn) = self.conn else {
            return;
        };
        for outgoing in broker.take_outbox(conn) {
            if matches!(
                self.phase,
                Phase::Reset | Phase::ClosingByServer | Phase::ClosedByClient
            ) {
                // After a connection.close the server sends nothing more.
                break;
            }
            if encode_outgoing(&mut self.output, &outgoing, self.frame_max).is_err() {
                continue;
            }
            self.wrote();
            match &outgoing.method {
                ServerMethod::ChannelClose(_) => {
                    let wire = self.channels.entry(outgoing.channel).or_default();
                    wire.closing_by_server = true;
                    wire.assembling = None;
                }
                ServerMethod::ConnectionClose(closing) => {
                    if closing.await_close_ok {
                        self.phase = Phase::ClosingByServer;
                        self.deadline = Some(now.saturating_add(CLOSE_WAIT_MS));
                    } else {
                        // A shutdown or a deleted vhost: reset without waiting.
                        self.phase = Phase::Reset;
                        self.deadline = None;
                    }
                }
                _ => {}
            }
        }
    }
}

/// The user and password of a start-ok, for PLAIN (`\0user\0password`) or
/// AMQPLAIN (a table body with LOGIN and PASSWORD); `None` for anything
/// else, as RabbitMQ refuses it.
fn credentials(ok: &ConnectionStartOk) -> Option<(String, String)> {
    match ok.mechanism.as_str() {
        "PLAIN" => {
            let mut parts = ok.response.split(|b| *b == 0);
            let authzid = parts.next()?;
            let user = parts.next()?;
            let password = parts.next()?;
            // RabbitMQ refuses an authorization identity (even the user's own).
            if !authzid.is_empty() || parts.next().is_some() {
                return None;
            }
            Some((
                String::from_utf8(user.to_vec()).ok()?,
                String::from_utf8(password.to_vec()).ok()?,
            ))
        }
        "AMQPLAIN" => {
            let table = decode_table(&ok.response).ok()?;
            let text = |key: &str| match table.get(key) {
                Some(FieldValue::LongStr(s)) => Some(s.clone()),
                _ => None,
            };
            Some((text("LOGIN")?, text("PASSWORD")?))
        }
        _ => None,
    }
}

fn wants_auth_failure_close(client_properties: &FieldTable) -> bool {
    matches!(
        client_properties.get("capabilities"),
        Some(FieldValue::Table(caps))
            if caps.get("authentication_failure_close") == Some(&FieldValue::Bool(true))
    )
}

fn is_loopback(host: &str) -> bool {
    host == "::1" || host.starts_with("127.") || host == "::ffff:127.0.0.1"
}

/// 504 CHANNEL_ERROR with RabbitMQ's text.
fn channel_error(text: &str, method: Option<MethodId>) -> Close {
    Close {
        reply_code: ReplyCode::ChannelError.code(),
        reply_text: format!("{} - {text}", ReplyCode::ChannelError.name()),
        class_id: method.map_or(0, |m| m.class_id),
        method_id: method.map_or(0, |m| m.method_id),
    }
}

/// 503 COMMAND_INVALID: a method where it has no meaning.
fn command_invalid(method: MethodId) -> Close {
    Close {
        reply_code: ReplyCode::CommandInvalid.code(),
        reply_text: format!(
            "{} - unimplemented method",
            ReplyCode::CommandInvalid.name()
        ),
        class_id: method.class_id,
        method_id: method.method_id,
    }
}

/// The engine's error for a close the wire layer decided on.
fn amqp_error(close: &Close) -> AmqpError {
    let code = ReplyCode::from_code(close.reply_code).unwrap_or(ReplyCode::InternalError);
    let prefix = format!("{} - ", code.name());
    // A crash's text is the code's name alone (`INTERNAL_ERROR`).
    let explanation = if close.reply_text == code.name() {
        String::new()
    } else {
        close
            .reply_text
            .strip_prefix(&prefix)
            .unwrap_or(&close.reply_text)
            .to_string()
    };
    let mut e = AmqpError::new(code, explanation);
    e.method = crate::wire::method::method_id(close.class_id, close.method_id);
    e
}
