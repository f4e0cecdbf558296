//! `warren-server`: the Warren engine behind real AMQP 0-9-1 sockets.
//!
//! ```text
//!  AMQP clients ──▶ sockets.rs ──bytes──▶ host.rs ──▶ wire::session ──▶ Broker::apply
//!  warrenctl ─────▶ sockets.rs ──lines──▶ host.rs ──▶ control::serve_request
//!  timer task ────▶ host.tick: heartbeats, deadlines, broker timers (virtual
//!                   time following the wall clock, clock.rs)
//!  after each: Host::settle ─▶ broker work ─▶ store.commit (fsync) ─▶ outboxes
//!                   ─▶ bytes to every socket ─▶ one printed line per event (log.rs)
//! ```
//!
//! Everything runs on one thread (a tokio current-thread runtime and a
//! `LocalSet`): the engine is a single-threaded state machine, and one
//! thread keeps the server as deterministic as sockets allow.
//!
//! SIGTERM or Ctrl-C is a graceful stop: every connection gets 320
//! `CONNECTION_FORCED - broker forced connection closure with reason
//! 'shutdown'`, everything recorded is committed, and the process exits.
//! SIGKILL is a crash: what was committed (confirmed) is on disk, the rest
//! is lost, as with RabbitMQ.

pub mod client;
pub mod clock;
pub mod host;
pub mod log;
pub mod sockets;

use crate::control::{Listener, NodeInfo};
use crate::describe::i18n::Lang;
use crate::engine::durable::Durability;
use crate::engine::{Broker, BrokerConfig, Profile};
use crate::store::disk::DiskStorage;
use crate::store::{now_or_never, Storage, StoreError};
use crate::wire::session::{server_properties, SessionConfig};
use clock::ServerClock;
use host::Host;
use log::{EventPrinter, LogFormat};
use std::cell::RefCell;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;

/// How to run the server (the command line's options).
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub amqp: SocketAddr,
    /// The warrenctl port (default: the AMQP port + 20000).
    pub control: Option<SocketAddr>,
    /// Where durable state lives; `None` keeps it in memory.
    pub data: Option<PathBuf>,
    /// Virtual milliseconds per real millisecond.
    pub speed: f64,
    pub profile: Profile,
    pub log: LogFormat,
    pub lang: Lang,
    pub seed: u64,
    /// Virtual ms between a durable change and its batch's commit (0: as
    /// soon as the broker is idle).
    pub commit_interval_ms: u64,
}

/// Why the server could not start or run.
#[derive(Debug)]
pub enum ServerError {
    /// The store could not be opened or read (another server owns it, it
    /// is damaged or newer).
    Store(StoreError),
    /// A listening socket could not be opened.
    Listen(SocketAddr, std::io::Error),
    Runtime(std::io::Error),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Store(e) => write!(f, "cannot use the data directory: {e}"),
            ServerError::Listen(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            ServerError::Runtime(e) => write!(f, "cannot start: {e}"),
        }
    }
}

impl std::error::Error for ServerError {}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Opens the store and boots the broker from it.
fn boot(
    options: &ServerOptions,
) -> Result<(Broker, Option<DiskStorage>, Option<String>), ServerError> {
    let store = match &options.data {
        Some(dir) => Some(DiskStorage::open(dir).map_err(ServerError::Store)?),
        None => None,
    };
    let mut broker = Broker::new(BrokerConfig {
        seed: options.seed,
        profile: options.profile,
        // AMQP timestamps (x-death `time`) read as real dates.
        epoch_unix_seconds: unix_seconds(),
        // Commit when the broker is idle (as RabbitMQ syncs its message
        // store when its queues are idle): a lone publisher's confirm comes
        // in milliseconds, and busy clients share each fsync.
        commit_interval_ms: options.commit_interval_ms,
        durability: if store.is_some() {
            Durability::External
        } else {
            Durability::Internal
        },
        ..Default::default()
    });
    let mut repaired = None;
    let store = match store {
        Some(mut store) => {
            let state = now_or_never(store.load())
                .unwrap_or_else(|| Err(StoreError::Aborted("pending".into())))
                .map_err(ServerError::Store)?;
            repaired = store.repaired.clone();
            if state != Default::default() {
                broker.boot(&state);
            }
            Some(store)
        }
        None => None,
    };
    Ok((broker, store, repaired))
}

/// Runs the server until SIGTERM or Ctrl-C.
pub fn run(options: ServerOptions) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, serve(options))
}

async fn serve(options: ServerOptions) -> Result<(), ServerError> {
    let (broker, store, repaired) = boot(&options)?;
    let control_addr = options.control.unwrap_or_else(|| {
        let mut a = options.amqp;
        a.set_port(options.amqp.port().saturating_add(20_000));
        a
    });
    let amqp = tokio::net::TcpListener::bind(options.amqp)
        .await
        .map_err(|e| ServerError::Listen(options.amqp, e))?;
    let control = tokio::net::TcpListener::bind(control_addr)
        .await
        .map_err(|e| ServerError::Listen(control_addr, e))?;
    let amqp_addr = amqp.local_addr().unwrap_or(options.amqp);
    let control_addr = control.local_addr().unwrap_or(control_addr);

    let node = NodeInfo {
        os_pid: std::process::id(),
        os: std::env::consts::OS.to_string(),
        data_directory: options.data.as_ref().map(|d| d.display().to_string()),
        listeners: vec![
            Listener::amqp(&amqp_addr.ip().to_string(), amqp_addr.port()),
            Listener::control(&control_addr.ip().to_string(), control_addr.port()),
        ],
        ..NodeInfo::default()
    };
    let version = match options.profile {
        Profile::RabbitMq3 => "3.10.8",
        _ => "4.3.0",
    };
    let session_config = SessionConfig {
        server_properties: server_properties(version),
        ..SessionConfig::default()
    };
    let clock = ServerClock::new(broker.now(), options.speed);
    let mut printer = EventPrinter::new(options.log, options.lang);
    if let Some(note) = &repaired {
        printer.note(&format!("warren-server: repaired the store: {note}"));
    }
    printer.note(&format!(
        "warren-server: AMQP 0-9-1 on {amqp_addr}, warrenctl on {control_addr} (-n {control_addr}), profile {}, store {}",
        options.profile.name(),
        store.as_ref().map_or("in memory (nothing survives a restart)".to_string(), |s| s.describe()),
    ));
    let host = Rc::new(RefCell::new(Host::new(
        broker,
        store,
        clock,
        printer,
        node,
        session_config,
    )));
    host.borrow_mut().settle();

    tokio::task::spawn_local(sockets::serve_amqp(host.clone(), amqp));
    tokio::task::spawn_local(sockets::serve_control(host.clone(), control));
    tokio::task::spawn_local(sockets::run_timers(host.clone()));

    stop_signal().await;
    host.borrow_mut().shut_down();
    // Give the writers a moment to send the closes.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    host.borrow_mut().printer.note("warren-server: stopped");
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
