//! The server's sockets: AMQP clients and warrenctl requests.
//!
//! Each AMQP connection has a reader task (bytes into its session through
//! the host) and a writer task (woken when its session has bytes or must
//! close). All tasks run on one thread beside the engine, so they share the
//! host through a `RefCell`, each borrowing it only between awaits.
//!
//! Sockets close as RabbitMQ's do. Its listeners default to
//! `tcp_listen_options` `{linger, {true, 0}}`, and its reader ends every
//! connection with `rabbit_net:fast_close` (a `port_close`), never a
//! half-close: so every close the broker makes is a reset (RST), never a
//! FIN. A client that wrote to a connection the broker gave up on (a
//! worker asleep through a restart, then acking) reads
//! `ECONNRESET` rather than the close frame waiting for it. The one close
//! a client never sees as a reset is its own: after close-ok the session
//! waits for the client to close first (`SocketState::Open` until then), so
//! the reset only meets a socket the client has already let go of.

use crate::engine::channel::Endpoint;
use crate::server::host::Host;
use crate::wire::session::SocketState;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

fn endpoint(addr: SocketAddr) -> Endpoint {
    let ip = match addr.ip() {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        std::net::IpAddr::V4(v4) => v4.to_string(),
    };
    Endpoint {
        host: ip,
        port: addr.port(),
    }
}

/// Accepts AMQP clients forever.
pub async fn serve_amqp(host: Rc<RefCell<Host>>, listener: TcpListener) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        // RabbitMQ's `{linger, {true, 0}}`: closing the socket resets it.
        // (Dropping it cannot block: a zero linger discards, never waits.)
        let _ = stream.set_zero_linger();
        let local = stream.local_addr().map(endpoint).unwrap_or(Endpoint {
            host: "127.0.0.1".into(),
            port: 0,
        });
        let (id, wake) = host.borrow_mut().accept(endpoint(peer), local);
        host.borrow().replan.notify_one();
        let (mut reader, mut writer) = stream.into_split();

        let reading = host.clone();
        let read_task = tokio::task::spawn_local(async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut h = reading.borrow_mut();
                        if !h.slots.contains_key(&id) {
                            break;
                        }
                        h.receive(id, &buf[..n]);
                    }
                }
            }
            reading.borrow_mut().socket_closed(id);
        });

        let writing = host.clone();
        tokio::task::spawn_local(async move {
            loop {
                wake.notified().await;
                let (bytes, closing) = {
                    let mut h = writing.borrow_mut();
                    match h.slots.get_mut(&id) {
                        Some(slot) => (
                            slot.session.take_output(),
                            slot.session.state() == SocketState::Close,
                        ),
                        None => (Vec::new(), true),
                    }
                };
                if !bytes.is_empty() && writer.write_all(&bytes).await.is_err() {
                    break;
                }
                if closing {
                    break;
                }
            }
            // No shutdown (a FIN, which RabbitMQ never sends): the socket
            // closes when both halves are gone, and with a zero linger that
            // is a reset. What was written is on its way already (write_all
            // returned once the kernel took it); a reset discards only what
            // a full peer window held back, as RabbitMQ's `port_close` does.
            writer.forget();
            read_task.abort();
            writing.borrow_mut().socket_closed(id);
        });
    }
}

/// Answers warrenctl: one JSON request per line, one answer per line.
pub async fn serve_control(host: Rc<RefCell<Host>>, listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let host = host.clone();
        tokio::task::spawn_local(async move {
            let (reader, mut writer) = stream.into_split();
            let mut lines = BufReader::new(reader).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let answer = host.borrow_mut().control(&line);
                if writer.write_all(answer.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// Calls the host's tick whenever a heartbeat, deadline or broker timer is
/// due, re-planning whenever something changed.
pub async fn run_timers(host: Rc<RefCell<Host>>) {
    let replan = host.borrow().replan.clone();
    loop {
        let next = host.borrow().next_wakeup();
        match next {
            Some(at) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(tokio::time::Instant::from_std(at)) => {
                        host.borrow_mut().tick();
                    }
                    _ = replan.notified() => {}
                }
            }
            None => replan.notified().await,
        }
    }
}
