#![cfg(not(target_arch = "wasm32"))]
//! The server side of a connection (`wire::session::ServerSession`) against
//! RabbitMQ 3.10.8, recording by recording.
//!
//! `tests/wire/sessions/` holds the raw-socket and pika recordings of
//! `research/wire` trimmed to what a replay needs (`trim.py` writes them):
//! what the client sent and when, what RabbitMQ sent and when, when it
//! closed the socket, and when the broker was stopped. Each replay makes a
//! fresh `Broker` (`BrokerConfig::default()`, unless the recorded broker
//! was configured otherwise: see [`setup`]) and one `ServerSession` for the
//! recorded peer address, feeds the client's bytes at their recorded times
//! on a virtual clock (ticking at every `next_wakeup()` and broker timer in
//! between, so handshake timeouts, heartbeats and the 3 s / 30 s resets
//! happen as they would), drives the broker the way `server/host.rs` does
//! (run until idle, commit sealed batches, drain the outbox), and compares:
//!
//! - the frames: every method with its arguments, content headers and
//!   bodies, in order on each channel; each no later than RabbitMQ's plus
//!   [`TOLERANCE_MS`], and no earlier than the client bytes it answers (see
//!   [`BUSY_MS`]) or RabbitMQ's minus [`TOLERANCE_MS`];
//! - heartbeats: the same instants, within [`TOLERANCE_MS`];
//! - the socket: whether the server closed it, and when (within
//!   [`TOLERANCE_MS`] of RabbitMQ's reset). Where the recording's broker
//!   was stopped, the replay calls `broker.stop(true)` as warren-server's
//!   shutdown does; the process then exits, which closes a socket still in
//!   the handshake (RabbitMQ resets those too).
//!
//! Normalised, because they must differ:
//! - connection.start's `server_properties` (Warren names its own product,
//!   see `wire::session::server_properties`) and the order of its
//!   `mechanisms` (RabbitMQ's depends on the node's boot history);
//! - server-generated names (`amq.gen-…`, `amq.ctag-…`): the first time one
//!   appears, RabbitMQ's name is mapped to Warren's, in the frames compared
//!   and in the client's later bytes (both are 22 characters after the
//!   prefix, so the bytes keep their lengths);
//! - how the frames of different channels interleave: RabbitMQ's channels
//!   are processes of their own, and its scheduler decides;
//! - a content header's property bytes where Warren re-encodes them: the
//!   engine keeps header tables sorted by key and reads `L` as `l`, so a
//!   header is accepted when Warren's bytes are exactly RabbitMQ's decoded
//!   and re-encoded by the codec; and `x-death`'s `time`, the wall clock of
//!   the dead-lettering;
//! - a heartbeat due as the socket was reset (RabbitMQ's heartbeat timers
//!   drift by about 1 ms a tick): one within [`TOLERANCE_MS`] of the reset
//!   may be missing on either side;
//! - a client that closed its socket within [`TOLERANCE_MS`] after Warren
//!   reset it, where the recording shows no reset: the recording cannot
//!   tell which came first.
//!
//! Recordings whose setup the engine cannot reproduce (another vhost,
//! another user, AMQP 0-8) or which need a 128 MiB message are listed in
//! [`SKIPPED`] with the reason. `WIRE_SESSION_PROBE=name` replays one
//! recording and prints what both sides sent.

#[path = "support/env_number.rs"]
mod env_number;
#[path = "support/recordings.rs"]
mod recordings;

use base64::Engine as _;
use env_number::env_number;
use recordings::hex;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use warren::engine::channel::Endpoint;
use warren::engine::message::Properties;
use warren::engine::method::{Method, QueueDeclare};
use warren::engine::value::FieldValue;
use warren::engine::{Broker, BrokerConfig};
use warren::wire::session::{HostMs, ServerSession, SessionConfig, SocketState};
use warren::wire::{EncodedProperties, Frame, FrameDecoder, WireMethod};

/// How far Warren's frames and resets may be from RabbitMQ's: the
/// recordings' own jitter (a loopback round trip, the broker's scheduling,
/// heartbeat timers drifting by about 1 ms a tick) stays well below it,
/// and the timeouts it must tell apart are seconds apart.
const TOLERANCE_MS: f64 = 60.0;

/// How long RabbitMQ may have been busy working out its answer to a
/// client's bytes: Warren answers at once, so a frame of Warren's may come
/// as early as the bytes it answers when RabbitMQ's came less than this
/// after them (2047 channel.open in one write took it 950 ms to answer).
const BUSY_MS: f64 = 1_000.0;

/// Recordings not replayed, and why.
const SKIPPED: &[(&str, &str)] = &[
    (
        "vh_no_permission",
        "a second vhost (`rabbitmqctl add_vhost noperm`): Warren simulates one vhost, `/`",
    ),
    (
        "nl_other_user_nonloopback",
        "a second user with permissions on `/` (`rabbitmqctl add_user warren`): the engine's \
         access control knows guest only and has no add_user",
    ),
    (
        "ph_amqp_1_1_8_0",
        "AMQP 0-8: RabbitMQ answers connection.start 8-0; Warren does not speak 0-8 and refuses \
         the header (protocol_header.rs, Refusal::Amqp08)",
    ),
    (
        "ms_default_128mib",
        "its first message is exactly 128 MiB (accepted), and its body frames were not recorded: \
         `a_body_over_128_mib_is_refused_unkept` replays its second publish (128 MiB + 1) without \
         keeping the body, and ms_limit_1024 covers the limit itself",
    ),
    (
        "ph_amqp_1_1_9_1",
        "AMQP 0-8 as well (RabbitMQ reads 1-1-9-1 as 0-8); see ph_amqp_1_1_8_0",
    ),
];

/// The system allocator, noting the largest single allocation while
/// `WATCHING` (see `a_body_over_128_mib_is_refused_unkept`).
struct Watched;

static WATCHING: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Watched {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.load(Ordering::Relaxed) {
            LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if WATCHING.load(Ordering::Relaxed) {
            LARGEST.fetch_max(new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is System's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Watched = Watched;

// ---------------------------------------------------------------------
// Recordings
// ---------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Kind {
    /// Bytes the client sent.
    Client(Vec<u8>),
    /// Bytes RabbitMQ sent.
    Server(Vec<u8>),
    /// `broker.sh stop` (SIGTERM): a graceful stop.
    Stop,
    /// The client closed its socket (or shut down its sending side).
    Eof,
    /// RabbitMQ closed the socket.
    Reset,
    Note(String),
}

#[derive(Clone, Debug)]
struct Event {
    t: f64,
    kind: Kind,
}

struct Recording {
    probe: String,
    peer: Endpoint,
    events: Vec<Event>,
}

fn unzip(text: &str) -> Vec<u8> {
    let packed = base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64");
    miniz_oxide::inflate::decompress_to_vec_zlib(&packed).expect("zlib")
}

fn sessions_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire/sessions")
}

fn load(probe: &str) -> Recording {
    let path = sessions_dir().join(format!("{probe}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("recording JSON");
    let peer = json["peer"].as_str().unwrap_or("127.0.0.1:40000");
    let (host, port) = peer.rsplit_once(':').expect("host:port");
    let events = json["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let t = e["t"].as_f64().expect("t");
            let kind = if let Some(h) = e["c"].as_str() {
                Kind::Client(hex(h))
            } else if let Some(z) = e["cz"].as_str() {
                Kind::Client(unzip(z))
            } else if let Some(h) = e["s"].as_str() {
                Kind::Server(hex(h))
            } else if let Some(z) = e["sz"].as_str() {
                Kind::Server(unzip(z))
            } else if e.get("stop").is_some() {
                Kind::Stop
            } else if e.get("eof").is_some() {
                Kind::Eof
            } else if e.get("reset").is_some() {
                Kind::Reset
            } else {
                Kind::Note(e["note"].as_str().unwrap_or_default().to_string())
            };
            Event { t, kind }
        })
        .collect();
    Recording {
        probe: probe.to_string(),
        peer: Endpoint {
            host: host.to_string(),
            port: port.parse().expect("port"),
        },
        events,
    }
}

fn all_probes() -> Vec<String> {
    recordings::json_stems(&sessions_dir())
}

// ---------------------------------------------------------------------
// Frames, as compared
// ---------------------------------------------------------------------

/// One thing a server sent.
#[derive(Clone, Debug)]
struct Sent {
    t: f64,
    /// Its place in everything the server sent.
    seq: usize,
    frame: Sendable,
}

// A frame is as large as its method (see `Frame`).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum Sendable {
    /// A refused protocol header's answer: RabbitMQ's own header.
    ProtocolHeader(Vec<u8>),
    Frame(Frame),
    /// Bytes that are no frame.
    Garbage(Vec<u8>),
}

impl Sendable {
    fn is_heartbeat(&self) -> bool {
        matches!(self, Sendable::Frame(Frame::Heartbeat))
    }

    fn channel(&self) -> u16 {
        match self {
            Sendable::Frame(frame) => frame.channel(),
            _ => 0,
        }
    }
}

/// The frames other than heartbeats, by channel, each channel's in order.
/// RabbitMQ's channels are processes of their own: how the frames of two
/// channels interleave depends on its scheduler, not on the protocol.
fn by_channel(sent: &[Sent]) -> BTreeMap<u16, Vec<&Sent>> {
    let mut channels: BTreeMap<u16, Vec<&Sent>> = BTreeMap::new();
    for s in sent.iter().filter(|s| !s.frame.is_heartbeat()) {
        channels.entry(s.frame.channel()).or_default().push(s);
    }
    channels
}

/// Cuts a server's byte stream into frames as it arrives.
#[derive(Default)]
struct Splitter {
    buffer: Vec<u8>,
    started: bool,
}

impl Splitter {
    fn push(&mut self, t: f64, bytes: &[u8], out: &mut Vec<Sent>) {
        self.buffer.extend_from_slice(bytes);
        if !self.started && self.buffer.len() >= 4 {
            self.started = true;
            if self.buffer.starts_with(b"AMQP") {
                out.push(Sent {
                    t,
                    seq: out.len(),
                    frame: Sendable::ProtocolHeader(std::mem::take(&mut self.buffer)),
                });
                return;
            }
        }
        let decoder = FrameDecoder::with_frame_max(0);
        loop {
            match decoder.next_frame(&self.buffer) {
                Ok(Some((frame, used))) => {
                    self.buffer.drain(..used);
                    out.push(Sent {
                        t,
                        seq: out.len(),
                        frame: Sendable::Frame(frame),
                    });
                }
                Ok(None) => break,
                Err(_) => {
                    out.push(Sent {
                        t,
                        seq: out.len(),
                        frame: Sendable::Garbage(std::mem::take(&mut self.buffer)),
                    });
                    break;
                }
            }
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A frame as text, with what must differ taken out.
fn render(sent: &Sendable) -> String {
    match sent {
        Sendable::ProtocolHeader(bytes) => format!("protocol header {bytes:02x?}"),
        Sendable::Garbage(bytes) => format!("{} bytes that are no frame", bytes.len()),
        Sendable::Frame(Frame::Heartbeat) => "heartbeat".into(),
        Sendable::Frame(Frame::Method { channel, method }) => match method {
            WireMethod::ConnectionStart(start) => {
                let mut mechanisms: Vec<&str> = start.mechanisms.split(' ').collect();
                mechanisms.sort_unstable();
                format!(
                    "ch{channel} connection.start(version {}-{}, mechanisms {mechanisms:?}, locales {:?}, server_properties …)",
                    start.version_major, start.version_minor, start.locales
                )
            }
            other => format!("ch{channel} {other:?}"),
        },
        Sendable::Frame(Frame::Header { channel, header }) => format!(
            "ch{channel} content-header(class {}, weight {}, body_size {}, properties {:?})",
            header.class_id,
            header.weight,
            header.body_size,
            properties(&header.properties)
        ),
        Sendable::Frame(Frame::Body { channel, payload }) => format!(
            "ch{channel} content-body({} bytes, fnv {:016x})",
            payload.len(),
            fnv(payload)
        ),
    }
}

/// A content header's properties, with the wall-clock instant of each
/// dead-lettering (`x-death`'s `time`) set to 0.
fn properties(encoded: &EncodedProperties) -> Result<Properties, String> {
    let mut p = encoded.decode().map_err(|e| format!("{e:?}"))?;
    if let Some(FieldValue::Array(deaths)) = p.headers.as_mut().and_then(|h| h.get_mut("x-death")) {
        for death in deaths {
            if let FieldValue::Table(death) = death {
                if let Some(time) = death.get_mut("time") {
                    *time = FieldValue::Timestamp(0);
                }
            }
        }
    }
    Ok(p)
}

/// Whether Warren's content header is RabbitMQ's as the codec re-encodes
/// it (sorted header tables, `L` as `l`; Warren's own bytes are always
/// that encoding), `x-death` times aside.
fn same_properties(rabbit: &Sendable, warren: &Sendable, names: &BTreeMap<String, String>) -> bool {
    match (rabbit, warren) {
        (
            Sendable::Frame(Frame::Header { header: r, .. }),
            Sendable::Frame(Frame::Header { header: w, .. }),
        ) => {
            let canonical = |e: &EncodedProperties| {
                properties(e)
                    .ok()
                    .and_then(|p| EncodedProperties::encode(&p).ok())
            };
            let renamed = |e: &EncodedProperties| {
                let mut bytes = e.as_bytes().to_vec();
                for (from, to) in names {
                    replace_bytes(&mut bytes, from.as_bytes(), to.as_bytes());
                }
                EncodedProperties::from_bytes(bytes)
            };
            let r = renamed(&r.properties);
            r == w.properties || canonical(&r).is_some_and(|r| Some(r) == canonical(&w.properties))
        }
        _ => true,
    }
}

/// The server-generated names in a rendered frame, in order.
fn generated_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for prefix in ["amq.gen-", "amq.ctag-"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix) {
            let start = from + at;
            let end = (start + prefix.len() + 22).min(text.len());
            names.push((start, text[start..end].to_string()));
            from = end;
        }
    }
    names.sort();
    names.into_iter().map(|(_, n)| n).collect()
}

/// Pairs the server-generated names of the frames both sides have sent
/// since the last call (channel by channel, in order).
fn learn_names(
    ours: &[Sent],
    theirs: &[Sent],
    compared: &mut BTreeMap<u16, usize>,
    names: &mut BTreeMap<String, String>,
) {
    let (ours, theirs) = (by_channel(ours), by_channel(theirs));
    for (channel, theirs) in &theirs {
        let ours = ours.get(channel).map_or(&[][..], Vec::as_slice);
        let done = compared.entry(*channel).or_insert(0);
        while *done < ours.len().min(theirs.len()) {
            let (w, t) = (render(&ours[*done].frame), render(&theirs[*done].frame));
            for (from, to) in generated_names(&t).into_iter().zip(generated_names(&w)) {
                names.entry(from).or_insert(to);
            }
            *done += 1;
        }
    }
}

fn replace_bytes(haystack: &mut [u8], from: &[u8], to: &[u8]) {
    if from.len() != to.len() || from.is_empty() {
        return;
    }
    let mut i = 0;
    while i + from.len() <= haystack.len() {
        if &haystack[i..i + from.len()] == from {
            haystack[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------
// The replay
// ---------------------------------------------------------------------

/// A recording's broker and session configuration, and what an operator
/// did before the client connected.
fn setup(probe: &str) -> (BrokerConfig, SessionConfig, fn(&mut Broker)) {
    let mut broker = BrokerConfig::default();
    let mut session = SessionConfig::default();
    let nothing: fn(&mut Broker) = |_| {};
    match probe {
        // `rabbitmqctl add_user noperm_user …` and no set_permissions.
        "nl_user_no_vhost_permission" => {
            session.users.push(("noperm_user".into(), "pw".into()));
        }
        // RabbitMQ ran with `max_message_size = 1024`.
        "ms_limit_1024" => broker.max_message_size = 1024,
        // Connection A declared the exclusive queue `lockq`; the recording
        // is connection B.
        "qos_exclusive_locked" => {
            return (broker, session, |broker| {
                let a = broker.open_connection("connection A");
                broker
                    .apply(a, 1, Method::ChannelOpen)
                    .expect("channel.open");
                let lockq = QueueDeclare {
                    exclusive: true,
                    ..QueueDeclare::named("lockq")
                };
                broker
                    .apply(a, 1, Method::QueueDeclare(lockq))
                    .expect("queue.declare");
                let _ = broker.take_outbox(a);
            });
        }
        _ => {}
    }
    (broker, session, nothing)
}

struct Replay {
    broker: Broker,
    session: ServerSession,
    now: HostMs,
    splitter: Splitter,
    sent: Vec<Sent>,
    /// When the server closed the socket on its own.
    server_closed: Option<f64>,
    /// The client closed its socket (the session was told).
    client_gone: bool,
}

impl Replay {
    /// The host's settle: broker work, sealed batches committed (no store),
    /// the outbox drained, the output taken.
    fn settle(&mut self) {
        loop {
            self.broker.run_until_idle();
            if !self.broker.has_sealed_batches() {
                break;
            }
            for batch in self.broker.take_sealed_batches() {
                self.broker.batch_committed(batch.id, Ok(()));
            }
        }
        let now = self.now;
        if self
            .session
            .conn()
            .is_some_and(|c| self.broker.has_outgoing(c))
        {
            self.session.send_outbox(&mut self.broker, now);
        }
        self.collect();
    }

    fn collect(&mut self) {
        let bytes = self.session.take_output();
        if !bytes.is_empty() {
            self.splitter.push(self.now as f64, &bytes, &mut self.sent);
        }
        if self.server_closed.is_none()
            && !self.client_gone
            && self.session.state() == SocketState::Close
        {
            self.server_closed = Some(self.now as f64);
        }
    }

    fn closed(&self) -> bool {
        self.server_closed.is_some() || self.client_gone
    }

    /// Moves the clock to `t`, ticking at every wake-up on the way (the
    /// session's and the broker's timers).
    fn advance_to(&mut self, t: HostMs) -> Result<(), String> {
        let mut ticks = 0u32;
        while !self.closed() {
            let next = [self.session.next_wakeup(), self.broker.next_timer_at()]
                .into_iter()
                .flatten()
                .min();
            let Some(at) = next.filter(|at| *at <= t) else {
                break;
            };
            ticks += 1;
            if ticks > 1_000_000 {
                return Err(format!("next_wakeup() stays at {at} ms"));
            }
            self.now = self.now.max(at);
            if self.now > self.broker.now() {
                self.broker.advance_to(self.now);
            }
            let now = self.now;
            self.session.tick(&mut self.broker, now);
            self.settle();
        }
        self.now = self.now.max(t);
        if self.now > self.broker.now() {
            self.broker.advance_to(self.now);
            self.settle();
        }
        Ok(())
    }
}

/// What RabbitMQ did, from the recording.
struct Expected {
    sent: Vec<Sent>,
    reset: Option<f64>,
    /// The earliest a frame of Warren's may come, by `seq` of RabbitMQ's
    /// (see [`BUSY_MS`]).
    earliest: BTreeMap<usize, f64>,
}

fn expected(recording: &Recording) -> Expected {
    let mut splitter = Splitter::default();
    let mut sent = Vec::new();
    let mut reset = None;
    let mut earliest = BTreeMap::new();
    let mut last_input = f64::NEG_INFINITY;
    for e in &recording.events {
        match &e.kind {
            Kind::Client(_) => last_input = e.t,
            Kind::Server(bytes) => {
                let from = sent.len();
                splitter.push(e.t, bytes, &mut sent);
                for s in &sent[from..] {
                    let busy = s.t - last_input <= BUSY_MS;
                    earliest.insert(s.seq, if busy { last_input } else { s.t });
                }
            }
            Kind::Reset => reset = reset.or(Some(e.t)),
            _ => {}
        }
    }
    Expected {
        sent,
        reset,
        earliest,
    }
}

fn ms(t: f64) -> HostMs {
    t.round().max(0.0) as HostMs
}

/// The broker's end of a test connection: RabbitMQ's port on loopback.
fn loopback_5672() -> Endpoint {
    Endpoint {
        host: "127.0.0.1".into(),
        port: 5672,
    }
}

/// A session with the default settings, for a client at `peer_host`:40000
/// that reached [`loopback_5672`].
fn fresh_session(peer_host: &str) -> ServerSession {
    let peer = Endpoint {
        host: peer_host.into(),
        port: 40000,
    };
    ServerSession::new(SessionConfig::default(), peer, loopback_5672(), 0)
}

/// Replays one recording; the differences from RabbitMQ, if any.
fn replay(recording: &Recording) -> Result<(), Vec<String>> {
    let (broker_config, session_config, prepare) = setup(&recording.probe);
    let mut broker = Broker::new(broker_config);
    prepare(&mut broker);
    let local = Endpoint {
        host: if recording.peer.host.starts_with("127.") {
            "127.0.0.1".into()
        } else {
            recording.peer.host.clone()
        },
        port: 5672,
    };
    let session = ServerSession::new(session_config, recording.peer.clone(), local, 0);
    let mut r = Replay {
        broker,
        session,
        now: 0,
        splitter: Splitter::default(),
        sent: Vec::new(),
        server_closed: None,
        client_gone: false,
    };
    let want = expected(recording);
    let client_eof = recording
        .events
        .iter()
        .find(|e| matches!(e.kind, Kind::Eof))
        .map(|e| e.t);
    let mut problems = Vec::new();
    // RabbitMQ's server-generated names → Warren's.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // How many frames of each channel were compared for names.
    let mut compared: BTreeMap<u16, usize> = BTreeMap::new();

    for e in &recording.events {
        if let Err(stuck) = r.advance_to(ms(e.t)) {
            problems.push(stuck);
            break;
        }
        match &e.kind {
            Kind::Client(bytes) if !r.closed() => {
                // The names both sides have sent so far.
                learn_names(&r.sent, &want.sent, &mut compared, &mut names);
                let mut bytes = bytes.clone();
                for (from, to) in &names {
                    replace_bytes(&mut bytes, from.as_bytes(), to.as_bytes());
                }
                let now = r.now;
                r.session.receive(&mut r.broker, &bytes, now);
                r.settle();
            }
            Kind::Stop if !r.closed() => {
                r.broker.stop(true);
                r.settle();
                // warren-server exits after a graceful stop: a socket
                // still in the handshake closes with the process.
                if r.server_closed.is_none() {
                    r.server_closed = Some(r.now as f64);
                }
            }
            Kind::Eof if !r.closed() => {
                if let Some(reset) = want.reset.filter(|reset| *reset <= e.t) {
                    // RabbitMQ reset the socket first: give Warren until
                    // then (and the tolerance) to do the same.
                    let _ = r.advance_to(ms(reset + TOLERANCE_MS));
                } else {
                    r.session.socket_closed(&mut r.broker);
                    r.client_gone = true;
                    r.settle();
                    if want.reset.is_some_and(|reset| reset - e.t <= TOLERANCE_MS) {
                        // RabbitMQ reset at once when the client closed.
                        r.server_closed = Some(e.t);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(reset) = want.reset {
        if !r.closed() {
            let _ = r.advance_to(ms(reset + TOLERANCE_MS));
        }
    }

    // Frames other than heartbeats, channel by channel.
    let (ours, theirs) = (by_channel(&r.sent), by_channel(&want.sent));
    let channels: std::collections::BTreeSet<u16> =
        ours.keys().chain(theirs.keys()).copied().collect();
    for channel in channels {
        let (ours, theirs) = (
            ours.get(&channel).map_or(&[][..], Vec::as_slice),
            theirs.get(&channel).map_or(&[][..], Vec::as_slice),
        );
        for i in 0..ours.len().max(theirs.len()) {
            let which = format!("channel {channel}, frame {i}");
            match (theirs.get(i), ours.get(i)) {
                (Some(t), Some(w)) => {
                    let mut expected_text = render(&t.frame);
                    for (from, to) in &names {
                        expected_text = expected_text.replace(from, to);
                    }
                    let actual = render(&w.frame);
                    let same =
                        expected_text == actual && same_properties(&t.frame, &w.frame, &names);
                    if !same {
                        problems.push(format!(
                            "{which}: RabbitMQ sent at {:.1} ms\n      {expected_text}\n    Warren sent at {:.1} ms\n      {actual}",
                            t.t, w.t
                        ));
                        break;
                    }
                    let earliest = want.earliest.get(&t.seq).copied().unwrap_or(t.t);
                    if w.t > t.t + TOLERANCE_MS || w.t < earliest - TOLERANCE_MS {
                        problems.push(format!(
                            "{which} ({actual}): RabbitMQ sent it at {:.1} ms, Warren at {:.1} ms",
                            t.t, w.t
                        ));
                    }
                }
                (Some(t), None) => {
                    problems.push(format!(
                        "{which}: RabbitMQ sent at {:.1} ms\n      {}\n    Warren sent nothing",
                        t.t,
                        render(&t.frame)
                    ));
                    break;
                }
                (None, Some(w)) => {
                    problems.push(format!(
                        "{which}: Warren sent at {:.1} ms\n      {}\n    RabbitMQ sent nothing more",
                        w.t,
                        render(&w.frame)
                    ));
                    break;
                }
                (None, None) => unreachable!(),
            }
        }
    }

    // Heartbeats: the same instants.
    let beats = |sent: &[Sent]| -> Vec<f64> {
        sent.iter()
            .filter(|s| s.frame.is_heartbeat())
            .map(|s| s.t)
            .collect()
    };
    let (theirs, ours) = (beats(&want.sent), beats(&r.sent));
    let end = want.reset.or(r.server_closed);
    let unmatched = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter()
            .copied()
            .filter(|x| !b.iter().any(|y| (x - y).abs() <= TOLERANCE_MS))
            // A heartbeat due as the socket was reset may go either way.
            .filter(|x| !end.is_some_and(|end| (end - x).abs() <= TOLERANCE_MS))
            .collect()
    };
    let (missing, extra) = (unmatched(&theirs, &ours), unmatched(&ours, &theirs));
    if !missing.is_empty() || !extra.is_empty() {
        problems.push(format!(
            "heartbeats: RabbitMQ at {theirs:.0?} ms, Warren at {ours:.0?} ms"
        ));
    }

    // The socket.
    match (want.reset, r.server_closed) {
        (Some(t), Some(w)) if (t - w).abs() > TOLERANCE_MS => problems.push(format!(
            "socket: RabbitMQ closed it at {t:.1} ms, Warren at {w:.1} ms"
        )),
        (Some(t), None) => problems.push(format!(
            "socket: RabbitMQ closed it at {t:.1} ms, Warren kept it open"
        )),
        // The client closed its socket as the server's timer was due: the
        // recording cannot tell who was first.
        (None, Some(w)) if client_eof.is_some_and(|eof| eof - w <= TOLERANCE_MS && eof >= w) => {}
        (None, Some(w)) => problems.push(format!(
            "socket: Warren closed it at {w:.1} ms, RabbitMQ left it to the client"
        )),
        _ => {}
    }

    if std::env::var("WIRE_SESSION_PROBE").is_ok_and(|p| p == recording.probe) {
        eprintln!("--- RabbitMQ (closed at {:?})", want.reset);
        for s in &want.sent {
            eprintln!("{:>9.1} {}", s.t, render(&s.frame));
        }
        eprintln!("--- Warren (closed at {:?})", r.server_closed);
        for s in &r.sent {
            eprintln!("{:>9.1} {}", s.t, render(&s.frame));
        }
        eprintln!("--- names {names:?}");
        for e in &recording.events {
            if let Kind::Note(note) = &e.kind {
                eprintln!("--- note at {:.1} ms: {note}", e.t);
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[test]
fn sessions_replay_like_rabbitmq() {
    let only = std::env::var("WIRE_SESSION_PROBE").ok();
    let mut report = String::new();
    let (mut passed, mut failed) = (0, 0);
    for probe in all_probes() {
        if only.as_ref().is_some_and(|o| *o != probe) {
            continue;
        }
        if SKIPPED.iter().any(|(p, _)| *p == probe) {
            continue;
        }
        match replay(&load(&probe)) {
            Ok(()) => passed += 1,
            Err(problems) => {
                failed += 1;
                let _ = writeln!(report, "{probe}:");
                for p in problems {
                    let _ = writeln!(report, "  - {p}");
                }
            }
        }
    }
    eprintln!("{passed} recordings replayed like RabbitMQ, {failed} differ");
    assert!(failed == 0, "\n{report}");
}

#[test]
fn every_skipped_recording_exists_and_says_why() {
    let probes = all_probes();
    for (probe, why) in SKIPPED {
        assert!(probes.iter().any(|p| p == probe), "{probe} is not recorded");
        assert!(!why.is_empty());
    }
}

/// `ms_default_128mib`'s second publish: a body of 128 MiB + 1 bytes with
/// the default `max_message_size`, in the 1025 body frames the recorder
/// sent (131064 bytes each, the last 8193), gets RabbitMQ's channel.close.
/// The session counts such a body without keeping it, so this allocates
/// one frame, not 128 MiB.
#[test]
fn a_body_over_128_mib_is_refused_unkept() {
    let recording = load("ms_default_128mib");
    let want = expected(&recording);
    let refusal = want
        .sent
        .iter()
        .find_map(|s| match &s.frame {
            Sendable::Frame(Frame::Method {
                channel: 1,
                method: WireMethod::ChannelClose(close),
            }) => Some(close.clone()),
            _ => None,
        })
        .expect("RabbitMQ's channel.close");
    // The handshake, channel.open 1 and queue.declare, then the second
    // publish's method and header frames.
    let sends: Vec<&Vec<u8>> = recording
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::Client(bytes) => Some(bytes),
            _ => None,
        })
        .collect();
    let publishes: Vec<&Vec<u8>> = sends
        .iter()
        .copied()
        .filter(|bytes| bytes.get(7..11) == Some(&[0, 60, 0, 40][..]))
        .collect();
    let publish = publishes[1];

    let mut broker = Broker::new(BrokerConfig::default());
    let mut session = ServerSession::new(
        SessionConfig::default(),
        recording.peer.clone(),
        loopback_5672(),
        0,
    );
    for bytes in sends.iter().take(6).copied().chain([publish]) {
        session.receive(&mut broker, bytes, 10);
    }
    let mut frame = vec![3, 0, 1];
    frame.extend_from_slice(&131_064u32.to_be_bytes());
    frame.resize(7 + 131_064, 0x5a);
    frame.push(0xce);
    let mut last = vec![3, 0, 1];
    last.extend_from_slice(&8_193u32.to_be_bytes());
    last.resize(7 + 8_193, 0x5a);
    last.push(0xce);
    // Other tests run meanwhile, but none allocates 16 MiB at once; a body
    // kept would grow past 64 MiB.
    WATCHING.store(true, Ordering::Relaxed);
    for _ in 0..1024 {
        session.receive(&mut broker, &frame, 20);
    }
    session.receive(&mut broker, &last, 30);
    WATCHING.store(false, Ordering::Relaxed);
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(largest < 16 << 20, "an allocation of {largest} bytes");
    broker.run_until_idle();
    session.send_outbox(&mut broker, 30);

    let mut sent = Vec::new();
    Splitter::default().push(30.0, &session.take_output(), &mut sent);
    let closes: Vec<&Sent> = sent
        .iter()
        .filter(|s| {
            matches!(
                s.frame,
                Sendable::Frame(Frame::Method {
                    method: WireMethod::ChannelClose(_),
                    ..
                })
            )
        })
        .collect();
    assert_eq!(
        closes.len(),
        1,
        "{:?}",
        sent.iter().map(|s| render(&s.frame)).collect::<Vec<_>>()
    );
    assert_eq!(
        render(&closes[0].frame),
        render(&Sendable::Frame(Frame::Method {
            channel: 1,
            method: WireMethod::ChannelClose(refusal)
        }))
    );
    assert_eq!(session.state(), SocketState::Open);
}

/// A small deterministic generator for the fuzz cases below.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Whatever a client sends, and however it is cut and timed, the session
/// never panics, everything it writes is whole frames (or RabbitMQ's
/// protocol header), and it closes the socket within 31 s of the client's
/// last bytes unless the connection is open and alive. The inputs are the
/// recordings' client streams, mutated (bits flipped, bytes replaced,
/// ranges cut or repeated, size fields set to extremes).
#[test]
fn any_input_is_answered_without_panic() {
    let cases: usize = env_number("WARREN_SESSION_FUZZ_CASES", 10_000);
    let streams: Vec<Vec<u8>> = all_probes()
        .iter()
        .map(|p| load(p))
        .map(|r| {
            r.events
                .iter()
                .filter_map(|e| match &e.kind {
                    Kind::Client(bytes) => Some(bytes.clone()),
                    _ => None,
                })
                .flatten()
                .collect::<Vec<u8>>()
        })
        .filter(|s| s.len() < 64 * 1024)
        .collect();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for case in 0..cases {
        let mut input = streams[rng.below(streams.len())].clone();
        for _ in 0..=rng.below(4) {
            if input.is_empty() {
                break;
            }
            let at = rng.below(input.len());
            match rng.below(5) {
                0 => input[at] ^= 1 << rng.below(8),
                1 => input[at] = rng.next() as u8,
                2 => {
                    let end = (at + rng.below(64)).min(input.len());
                    input.drain(at..end);
                }
                3 => {
                    let end = (at + rng.below(64)).min(input.len());
                    let copy = input[at..end].to_vec();
                    input.splice(at..at, copy);
                }
                _ => {
                    let end = (at + 4).min(input.len());
                    let extreme = [0u32, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX][rng.below(5)];
                    input[at..end].copy_from_slice(&extreme.to_be_bytes()[..end - at]);
                }
            }
        }
        let mut broker = Broker::new(BrokerConfig::default());
        let mut session = fresh_session(["127.0.0.1", "192.0.2.2"][rng.below(2)]);
        let mut out = Vec::new();
        let mut now = 0;
        let mut rest = &input[..];
        while !rest.is_empty() && session.state() == SocketState::Open {
            let cut = (1 + rng.below(600)).min(rest.len());
            session.receive(&mut broker, &rest[..cut], now);
            rest = &rest[cut..];
            broker.run_until_idle();
            session.send_outbox(&mut broker, now);
            now += rng.below(3) as u64 * 700;
            while let Some(at) = session.next_wakeup().filter(|at| *at <= now) {
                session.tick(&mut broker, at);
                broker.run_until_idle();
                session.send_outbox(&mut broker, at);
            }
            out.extend(session.take_output());
        }
        let last_bytes = now;
        let mut ticks = 0;
        while let Some(at) = session
            .next_wakeup()
            .filter(|at| *at <= last_bytes + 31_000)
        {
            ticks += 1;
            assert!(ticks < 10_000, "case {case}: next_wakeup() stays at {at}");
            session.tick(&mut broker, at);
            broker.run_until_idle();
            session.send_outbox(&mut broker, at);
        }
        out.extend(session.take_output());
        let alive = session
            .conn()
            .is_some_and(|c| broker.connection(c).is_some_and(|c| c.open));
        assert!(
            alive || session.state() == SocketState::Close,
            "case {case}: a connection that is not open kept its socket: {input:02x?}"
        );
        let mut sent = Vec::new();
        let mut splitter = Splitter::default();
        splitter.push(0.0, &out, &mut sent);
        assert!(
            splitter.buffer.is_empty()
                && !sent.iter().any(|s| matches!(s.frame, Sendable::Garbage(_))),
            "case {case}: wrote bytes that are no frame for {input:02x?}"
        );
    }
}

/// pika's `channel.close()` sends basic.cancel for each of the channel's
/// consumers and then channel.close, without waiting in between; the two
/// may reach warren-server in separate reads, and the host runs the broker
/// (`Host::settle`) after each. RabbitMQ 3.10.8
/// (`tests/conformance/expected/sac_prefetch.json`): cancelling the single
/// active consumer only hands the role over, the queue does not run, so
/// the next consumer's first delivery is the closed channel's unacked m2,
/// redelivered, not the ready m3. Each method here is its own read, with
/// the broker run to idle in between.
#[test]
fn a_single_active_consumer_cancelled_then_closed_hands_its_unacked_over_first() {
    use warren::engine::method::{
        BasicAck, BasicCancel, BasicConsume, BasicPublish, BasicQos, Close,
    };
    use warren::wire::{
        encode_client_method, encode_method_frame, ConnectionStartOk, Tune, PROTOCOL_HEADER,
    };

    let mut broker = Broker::new(BrokerConfig::default());
    let mut session = fresh_session("127.0.0.1");
    let mut output = Vec::new();
    // One read of `bytes`, then what warren-server's host does after it.
    let mut read = |broker: &mut Broker, bytes: &[u8]| {
        session.receive(broker, bytes, 10);
        broker.run_until_idle();
        session.send_outbox(broker, 10);
        output.extend(session.take_output());
        assert_eq!(session.state(), SocketState::Open);
    };
    let wire = |channel: u16, method: WireMethod| {
        let mut out = Vec::new();
        encode_method_frame(&mut out, channel, &method).expect("encodable");
        out
    };
    let method = |channel: u16, method: Method| {
        let mut out = Vec::new();
        encode_client_method(&mut out, channel, &method, 131_072).expect("encodable");
        out
    };

    read(&mut broker, &PROTOCOL_HEADER);
    let start_ok = ConnectionStartOk {
        client_properties: Default::default(),
        mechanism: "PLAIN".into(),
        response: b"\0guest\0guest".to_vec(),
        locale: "en_US".into(),
    };
    read(
        &mut broker,
        &wire(0, WireMethod::ConnectionStartOk(start_ok)),
    );
    let tune_ok = Tune {
        channel_max: 2047,
        frame_max: 131_072,
        heartbeat: 0,
    };
    read(&mut broker, &wire(0, WireMethod::ConnectionTuneOk(tune_ok)));
    let open = warren::engine::method::ConnectionOpen {
        virtual_host: "/".into(),
    };
    read(&mut broker, &wire(0, WireMethod::ConnectionOpen(open)));
    // s = 1, ch1 = 2, ch2 = 3, as sac_prefetch opens them.
    for channel in 1..=3 {
        read(&mut broker, &wire(channel, WireMethod::ChannelOpen));
    }
    let mut sac = warren::engine::value::FieldTable::new();
    sac.insert("x-single-active-consumer".into(), FieldValue::Bool(true));
    let declare = QueueDeclare {
        arguments: sac,
        ..QueueDeclare::named("sacp")
    };
    read(&mut broker, &method(1, Method::QueueDeclare(declare)));
    for (channel, tag) in [(2, "c1"), (3, "c2")] {
        let qos = BasicQos {
            prefetch_size: 0,
            prefetch_count: 1,
            global: false,
        };
        read(&mut broker, &method(channel, Method::BasicQos(qos)));
        let consume = BasicConsume {
            queue: "sacp".into(),
            consumer_tag: tag.into(),
            ..Default::default()
        };
        read(&mut broker, &method(channel, Method::BasicConsume(consume)));
    }
    for body in ["m1", "m2", "m3"] {
        let publish = BasicPublish::new("", "sacp", body);
        read(&mut broker, &method(1, Method::BasicPublish(publish)));
    }
    let ack = BasicAck {
        delivery_tag: 1,
        multiple: false,
    };
    read(&mut broker, &method(2, Method::BasicAck(ack)));
    // pika's ch1.close(): basic.cancel, then channel.close, read apart.
    let cancel = BasicCancel::new("c1");
    read(&mut broker, &method(2, Method::BasicCancel(cancel)));
    read(
        &mut broker,
        &method(2, Method::ChannelClose(Close::normal())),
    );

    // Every delivery, in order: (channel, tag, redelivered, body).
    let decoder = FrameDecoder::new();
    let mut at = 0;
    let mut deliveries: Vec<(u16, String, bool, String)> = Vec::new();
    while let Ok(Some((frame, used))) = decoder.next_frame(&output[at..]) {
        at += used;
        match frame {
            Frame::Method {
                channel,
                method: WireMethod::BasicDeliver(d),
            } => deliveries.push((channel, d.consumer_tag, d.redelivered, String::new())),
            Frame::Body { payload, .. } => {
                if let Some(last) = deliveries.last_mut() {
                    last.3.push_str(&String::from_utf8_lossy(&payload));
                }
            }
            _ => {}
        }
    }
    let got: Vec<(u16, &str, bool, &str)> = deliveries
        .iter()
        .map(|(ch, tag, redelivered, body)| (*ch, tag.as_str(), *redelivered, body.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "c1", false, "m1"),
            (2, "c1", false, "m2"),
            (3, "c2", true, "m2"),
        ]
    );
    assert_eq!(
        broker
            .queue_stats("sacp")
            .map(|q| (q.ready, q.unacked, q.consumers)),
        Some((1, 1, 1))
    );
}
