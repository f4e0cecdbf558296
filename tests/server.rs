#![cfg(not(target_arch = "wasm32"))]
//! warren-server as a process: a real socket, a real data directory, real
//! signals. One owner per data directory (a second server is refused and
//! the first keeps its data); what was confirmed survives SIGKILL; SIGTERM
//! closes every connection with 320 CONNECTION_FORCED; warrenctl reads the
//! same broker; the server's closes are resets, as RabbitMQ's are.

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use warren::engine::message::Properties;
use warren::engine::method::{BasicGet, BasicPublish, Close, Method, QueueDeclare};
use warren::server::client::{BlockingClient as Client, ClientError, Received};
use warren::wire::{Frame, WireMethod};

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("server-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A running warren-server, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    control: u16,
}

impl Server {
    /// Starts a server on ports the system picks (`127.0.0.1:0`) and reads
    /// them from its first line. (Picking a "free" port first and passing
    /// it races with every other process on the machine; polling a port in
    /// the ephemeral range can even connect a socket to itself.) The line is
    /// printed once both listeners are bound, so the server is ready.
    fn start(data: &Path) -> Server {
        let mut child = spawn(data, true);
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("warren-server: AMQP 0-9-1 on ") => break line,
                Some(Ok(_)) => {}
                _ => panic!("warren-server exited before listening: {:?}", child.wait()),
            }
        };
        // Keep reading, or the server blocks once the pipe is full.
        std::thread::spawn(move || lines.for_each(drop));
        let port_after = |marker: &str| -> u16 {
            let rest = &ready[ready.find(marker).expect(marker) + marker.len()..];
            let addr = rest.split([',', ' ']).next().unwrap_or("");
            let port = addr.rsplit(':').next().unwrap_or("");
            port.parse()
                .unwrap_or_else(|_| panic!("a port in {ready:?}"))
        };
        Server {
            port: port_after("AMQP 0-9-1 on "),
            control: port_after("warrenctl on "),
            child,
        }
    }

    fn ctl(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_warrenctl"))
            .arg("-n")
            .arg(format!("127.0.0.1:{}", self.control))
            .args(args)
            .output()
            .expect("warrenctl runs");
        assert!(
            out.status.success(),
            "warrenctl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn signal(&mut self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().expect("wait").is_none() {
            assert!(
                Instant::now() < deadline,
                "warren-server did not stop on SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts warren-server on `data` with system-picked ports; `announce`
/// pipes its stdout (where it prints its addresses) instead of silencing it.
fn spawn(data: &Path, announce: bool) -> Child {
    Command::new(env!("CARGO_BIN_EXE_warren-server"))
        .args(["--amqp", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .arg("--data")
        .arg(data)
        .args(["--log", if announce { "text" } else { "off" }])
        .stdout(if announce {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::piped())
        .spawn()
        .expect("warren-server starts")
}

fn declare_durable(client: &mut Client, queue: &str) {
    client.send(1, &WireMethod::ChannelOpen).unwrap();
    assert_eq!(client.next_method().unwrap(), WireMethod::ChannelOpenOk);
    let declare = Method::QueueDeclare(QueueDeclare {
        queue: queue.into(),
        durable: true,
        ..Default::default()
    });
    assert!(matches!(
        client.call(&declare).unwrap(),
        WireMethod::QueueDeclareOk { .. }
    ));
}

/// Publishes `n` persistent messages with confirms; returns when all are acked.
fn publish_confirmed(client: &mut Client, queue: &str, n: u32) {
    let select = Method::ConfirmSelect { no_wait: false };
    assert_eq!(client.call(&select).unwrap(), WireMethod::ConfirmSelectOk);
    for i in 0..n {
        let publish = Method::BasicPublish(BasicPublish {
            properties: Properties {
                delivery_mode: Some(2),
                ..Default::default()
            },
            ..BasicPublish::new("", queue, format!("message {i}"))
        });
        client.send_method(1, &publish).unwrap();
    }
    let mut acked = 0u64;
    while acked < u64::from(n) {
        match client.next_method().unwrap() {
            WireMethod::BasicAck(ack) if ack.multiple => acked = ack.delivery_tag,
            WireMethod::BasicAck(_) => acked += 1,
            other => panic!("expected a confirm, got {other:?}"),
        }
    }
}

fn get(client: &mut Client, queue: &str) -> Option<(bool, Vec<u8>)> {
    let get = Method::BasicGet(BasicGet {
        queue: queue.into(),
        no_ack: true,
    });
    match client.call(&get).unwrap() {
        WireMethod::BasicGetOk(ok) => Some((ok.redelivered, client.content().unwrap())),
        WireMethod::BasicGetEmpty => None,
        other => panic!("expected get-ok or get-empty, got {other:?}"),
    }
}

#[test]
fn a_second_server_on_the_same_data_is_refused_and_the_first_keeps_its_data() {
    let data = fresh_dir("two-owners");
    let first = Server::start(&data);
    let mut client = Client::connect(first.port).unwrap();
    declare_durable(&mut client, "orders");
    publish_confirmed(&mut client, "orders", 5);

    let second = spawn(&data, false);
    let out = second.wait_with_output().expect("the second server exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a second server on {} must not run",
        data.display()
    );
    assert!(
        stderr.contains("another tab or process owns") || stderr.contains("in another"),
        "the refusal says why: {stderr}"
    );
    assert!(
        stderr.contains(&first.child.id().to_string()),
        "and names the owner: {stderr}"
    );

    // The first server is untouched: its queue and messages are there.
    let listing = first.ctl(&["list_queues", "-q", "name", "messages"]);
    assert!(listing.contains("orders\t5"), "{listing}");
    assert!(get(&mut client, "orders").is_some());
}

#[test]
fn confirmed_messages_survive_sigkill_and_sigterm_closes_connections_with_320() {
    let data = fresh_dir("crash");
    let mut server = Server::start(&data);
    let mut client = Client::connect(server.port).unwrap();
    declare_durable(&mut client, "task_queue");
    publish_confirmed(&mut client, "task_queue", 20);
    // Taken without ack by a consumer that then dies with the server.
    let take = Method::BasicGet(BasicGet {
        queue: "task_queue".into(),
        no_ack: false,
    });
    assert!(matches!(
        client.call(&take).unwrap(),
        WireMethod::BasicGetOk(_)
    ));
    client.content().unwrap();
    server.signal("KILL");

    let mut server = Server::start(&data);
    let listing = server.ctl(&["list_queues", "-q", "name", "messages"]);
    assert!(
        listing.contains("task_queue\t20"),
        "every confirmed message is back: {listing}"
    );
    let mut client = Client::connect(server.port).unwrap();
    client.send(1, &WireMethod::ChannelOpen).unwrap();
    client.next_method().unwrap();
    let (redelivered, body) = get(&mut client, "task_queue").expect("a message");
    assert!(
        redelivered,
        "the message out when the server died comes back redelivered"
    );
    assert_eq!(body, b"message 0");

    server.signal("TERM");
    let mut saw_close = None;
    loop {
        match client.receive() {
            Ok(Received::Frame(Frame::Method {
                method: WireMethod::ConnectionClose(close),
                ..
            })) => saw_close = Some(close),
            Ok(Received::Frame(_)) => {}
            Ok(Received::Closed) | Err(_) => break,
        }
    }
    let close = saw_close.expect("connection.close before the socket ends");
    assert_eq!(close.reply_code, 320);
    assert_eq!(
        close.reply_text,
        "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"
    );
    assert!(
        server.child.wait().unwrap().success(),
        "a graceful stop exits 0"
    );
}

/// Reads up to the broker's connection.close, skipping what comes before.
fn read_until_close(client: &mut Client) -> Close {
    loop {
        match client.receive() {
            Ok(Received::Frame(Frame::Method {
                method: WireMethod::ConnectionClose(close),
                ..
            })) => return close,
            Ok(Received::Frame(_)) => {}
            other => panic!("expected connection.close, got {other:?}"),
        }
    }
}

/// The next read on `client`'s socket ends in a reset: RabbitMQ's
/// listeners use `{linger, {true, 0}}`, so its closes are RSTs, never FINs
/// (an end of stream would be `Received::Closed`).
fn assert_reset(client: &mut Client, after: &str) {
    match client.receive() {
        Err(ClientError::Io(e)) if e.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("{after}: expected a reset (SO_LINGER 0), got {other:?}"),
    }
}

#[test]
fn the_servers_closes_are_resets_and_a_clients_own_close_is_left_to_the_client() {
    let data = fresh_dir("resets");
    let mut server = Server::start(&data);

    // An operator's close: 320, the client's close-ok, then the reset
    // (rabbit_reader: close-ok in state closed → terminate_connection →
    // fast_close).
    let mut forced = Client::connect(server.port).unwrap();
    let pid = server.ctl(&["list_connections", "-q", "--no-table-headers", "pid"]);
    server.ctl(&["close_connection", pid.trim(), "go away"]);
    let close = read_until_close(&mut forced);
    assert_eq!(close.reply_code, 320);
    assert_eq!(close.reply_text, "CONNECTION_FORCED - go away");
    forced.send(0, &WireMethod::ConnectionCloseOk).unwrap();
    assert_reset(&mut forced, "after the close-ok of an operator's close");

    // The client's own close: after close-ok the server waits for the
    // client to close its socket (RabbitMQ's state `closed`), so a client
    // that closes at once never meets the reset.
    let clean = Client::connect(server.port).unwrap();
    let socket = clean.writer().unwrap();
    clean.close().unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let waited = (&socket).read(&mut [0u8; 16]);
    assert!(
        matches!(&waited, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "after close-ok the server leaves the close to the client: {waited:?}"
    );
    drop(socket);

    // A shutdown: 320, then the reset at once, whether or not the client
    // answers (a client that wrote first would read ECONNRESET instead of
    // the 320: pika's StreamLostError of a worker asleep in a restart).
    let mut shut = Client::connect(server.port).unwrap();
    server.signal("TERM");
    let close = read_until_close(&mut shut);
    assert_eq!(close.reply_code, 320);
    assert_reset(&mut shut, "after the 320 of a shutdown");
}
