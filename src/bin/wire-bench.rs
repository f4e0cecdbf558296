//! wire-bench: a fast AMQP 0-9-1 client for `./dev.sh bench`, built on
//! Warren's own codec, so the broker (Warren or RabbitMQ) is what limits
//! the figures rather than the client library.
//!
//! ```text
//! wire-bench --port 5672 [--messages 200000] [--body 100]
//! ```
//!
//! Prints one JSON line: publish→consume→ack msg/s (a publisher and a
//! consumer connection, prefetch 1000, acks with `multiple` every 100),
//! persistent messages with publisher confirms msg/s (a window of 1000
//! unconfirmed), and the median time to open and close a connection.
//! Figures, never pass/fail.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    bench::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::io::{BufWriter, Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    use warren::engine::message::Properties;
    use warren::engine::method::{
        BasicAck, BasicConsume, BasicPublish, BasicQos, Close, ConnectionOpen, Method,
        QueueDeclare, QueueDelete,
    };
    use warren::engine::value::FieldTable;
    use warren::wire::{
        encode_client_method, encode_method_frame, ConnectionStartOk, Frame, FrameDecoder, Tune,
        WireMethod, PROTOCOL_HEADER,
    };

    type Result<T> = std::result::Result<T, String>;

    /// One connection with channel 1 open.
    struct Conn {
        stream: TcpStream,
        inbox: Vec<u8>,
        read_at: usize,
        decoder: FrameDecoder,
        frame_max: u32,
    }

    impl Conn {
        fn open(port: u16) -> Result<Conn> {
            let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let mut c = Conn {
                stream,
                inbox: Vec::with_capacity(1 << 20),
                read_at: 0,
                decoder: FrameDecoder::with_frame_max(0),
                frame_max: 131_072,
            };
            c.write(&PROTOCOL_HEADER)?;
            c.expect(|m| matches!(m, WireMethod::ConnectionStart(_)))?;
            c.send(
                &WireMethod::ConnectionStartOk(ConnectionStartOk {
                    client_properties: FieldTable::new(),
                    mechanism: "PLAIN".into(),
                    response: b"\0guest\0guest".to_vec(),
                    locale: "en_US".into(),
                }),
                0,
            )?;
            let tune = match c.method()? {
                WireMethod::ConnectionTune(t) => t,
                other => return Err(format!("expected connection.tune, got {}", other.name())),
            };
            c.frame_max = tune.frame_max;
            c.send(
                &WireMethod::ConnectionTuneOk(Tune {
                    heartbeat: 0,
                    ..tune
                }),
                0,
            )?;
            c.send(
                &WireMethod::ConnectionOpen(ConnectionOpen {
                    virtual_host: "/".into(),
                }),
                0,
            )?;
            c.expect(|m| *m == WireMethod::ConnectionOpenOk)?;
            c.send(&WireMethod::ChannelOpen, 1)?;
            c.expect(|m| *m == WireMethod::ChannelOpenOk)?;
            Ok(c)
        }

        fn write(&mut self, bytes: &[u8]) -> Result<()> {
            self.stream.write_all(bytes).map_err(|e| e.to_string())
        }

        fn send(&mut self, method: &WireMethod, channel: u16) -> Result<()> {
            let mut out = Vec::new();
            encode_method_frame(&mut out, channel, method).map_err(|e| format!("{e:?}"))?;
            self.write(&out)
        }

        fn call(&mut self, method: Method) -> Result<WireMethod> {
            let mut out = Vec::new();
            encode_client_method(&mut out, 1, &method, self.frame_max)
                .map_err(|e| format!("{e:?}"))?;
            self.write(&out)?;
            self.method()
        }

        fn frame(&mut self) -> Result<Frame> {
            loop {
                match self.decoder.next_frame(&self.inbox[self.read_at..]) {
                    Ok(Some((frame, used))) => {
                        self.read_at += used;
                        return Ok(frame);
                    }
                    Ok(None) => {}
                    Err(e) => return Err(format!("bad frame from the broker: {e:?}")),
                }
                self.inbox.drain(..self.read_at);
                self.read_at = 0;
                let len = self.inbox.len();
                self.inbox.resize(len + 65536, 0);
                let n = self
                    .stream
                    .read(&mut self.inbox[len..])
                    .map_err(|e| e.to_string())?;
                self.inbox.truncate(len + n);
                if n == 0 {
                    return Err("the broker closed the connection".into());
                }
            }
        }

        fn method(&mut self) -> Result<WireMethod> {
            loop {
                match self.frame()? {
                    Frame::Method { method, .. } => {
                        if let WireMethod::ConnectionClose(c) | WireMethod::ChannelClose(c) =
                            &method
                        {
                            return Err(format!("closed by the broker: {}", c.reply_text));
                        }
                        return Ok(method);
                    }
                    Frame::Heartbeat => {}
                    _ => {}
                }
            }
        }

        fn expect(&mut self, ok: impl Fn(&WireMethod) -> bool) -> Result<()> {
            let m = self.method()?;
            if ok(&m) {
                Ok(())
            } else {
                Err(format!("unexpected {}", m.name()))
            }
        }

        fn close(mut self) -> Result<()> {
            self.send(&WireMethod::ConnectionClose(Close::normal()), 0)?;
            self.expect(|m| *m == WireMethod::ConnectionCloseOk)
        }
    }

    fn declare(c: &mut Conn, queue: &str, durable: bool) -> Result<()> {
        let _ = c.call(Method::QueueDelete(QueueDelete {
            queue: queue.into(),
            ..Default::default()
        }))?;
        c.call(Method::QueueDeclare(QueueDeclare {
            queue: queue.into(),
            durable,
            ..Default::default()
        }))
        .map(|_| ())
    }

    fn publishes(
        queue: &str,
        n: u64,
        body: usize,
        persistent: bool,
        frame_max: u32,
    ) -> Result<Vec<u8>> {
        let publish = Method::BasicPublish(BasicPublish {
            properties: Properties {
                delivery_mode: Some(if persistent { 2 } else { 1 }),
                ..Default::default()
            },
            ..BasicPublish::new("", queue, vec![b'x'; body])
        });
        let mut one = Vec::new();
        encode_client_method(&mut one, 1, &publish, frame_max).map_err(|e| format!("{e:?}"))?;
        Ok(one.repeat(n as usize))
    }

    /// A publisher and a consumer connection: msg/s from the first publish
    /// to the last ack.
    fn publish_consume_ack(port: u16, n: u64, body: usize) -> Result<f64> {
        let queue = "wire-bench-flow";
        let mut consumer = Conn::open(port)?;
        declare(&mut consumer, queue, false)?;
        consumer.call(Method::BasicQos(BasicQos {
            prefetch_count: 1000,
            ..Default::default()
        }))?;
        consumer.call(Method::BasicConsume(BasicConsume {
            queue: queue.into(),
            ..Default::default()
        }))?;
        let publisher = Conn::open(port)?;
        let batch = 1000.min(n);
        let frames = publishes(queue, batch, body, false, publisher.frame_max)?;
        let started = Instant::now();
        let sender = std::thread::spawn(move || -> Result<()> {
            let mut sent = 0;
            let mut out = BufWriter::with_capacity(
                1 << 20,
                publisher.stream.try_clone().map_err(|e| e.to_string())?,
            );
            while sent < n {
                let k = batch.min(n - sent);
                let bytes = if k == batch {
                    &frames[..]
                } else {
                    &frames[..frames.len() / batch as usize * k as usize]
                };
                out.write_all(bytes).map_err(|e| e.to_string())?;
                sent += k;
            }
            out.flush().map_err(|e| e.to_string())?;
            drop(out);
            publisher.close()
        });
        let mut got = 0u64;
        let mut acks = Vec::new();
        while got < n {
            if let Frame::Method {
                method: WireMethod::BasicDeliver(d),
                ..
            } = consumer.frame()?
            {
                got += 1;
                if got % 100 == 0 || got == n {
                    acks.clear();
                    let ack = Method::BasicAck(BasicAck {
                        delivery_tag: d.delivery_tag,
                        multiple: true,
                    });
                    encode_client_method(&mut acks, 1, &ack, consumer.frame_max)
                        .map_err(|e| format!("{e:?}"))?;
                    consumer.write(&acks)?;
                }
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        sender
            .join()
            .map_err(|_| "the publisher thread died".to_string())??;
        consumer.close()?;
        Ok(n as f64 / elapsed)
    }

    /// Persistent messages to a durable queue with publisher confirms, a
    /// window of 1000 unconfirmed.
    fn confirms(port: u16, n: u64, body: usize) -> Result<f64> {
        let queue = "wire-bench-confirms";
        let mut c = Conn::open(port)?;
        declare(&mut c, queue, true)?;
        c.call(Method::ConfirmSelect { no_wait: false })?;
        let window = 1000u64;
        let one = publishes(queue, 1, body, true, c.frame_max)?;
        let started = Instant::now();
        let (mut sent, mut confirmed) = (0u64, 0u64);
        while confirmed < n {
            let room = (confirmed + window).min(n).saturating_sub(sent);
            if room > 0 {
                c.write(&one.repeat(room as usize))?;
                sent += room;
            }
            match c.method()? {
                WireMethod::BasicAck(a) => {
                    confirmed = if a.multiple {
                        a.delivery_tag
                    } else {
                        confirmed + 1
                    }
                }
                WireMethod::BasicNack(_) => return Err("a publish was nacked".into()),
                _ => {}
            }
        }
        let rate = n as f64 / started.elapsed().as_secs_f64();
        let _ = c.call(Method::QueueDelete(QueueDelete {
            queue: queue.into(),
            ..Default::default()
        }));
        c.close()?;
        Ok(rate)
    }

    /// The median of 50 connection opens and closes, in ms.
    fn connection_setup(port: u16) -> Result<f64> {
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            Conn::open(port)?.close()?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    }

    fn arg(args: &[String], name: &str, default: u64) -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    pub fn main() -> std::process::ExitCode {
        let args: Vec<String> = std::env::args().collect();
        let port = arg(&args, "--port", 5672) as u16;
        let n = arg(&args, "--messages", 200_000);
        let body = arg(&args, "--body", 100) as usize;
        let run = || -> Result<String> {
            let flow = publish_consume_ack(port, n, body)?;
            let confirmed = confirms(port, n / 4, body)?;
            let setup = connection_setup(port)?;
            Ok(format!(
                "{{\"client\":\"wire-bench (Rust, Warren's codec)\",\"messages\":{n},\"body_bytes\":{body},\"publish_consume_ack_msgs_per_s\":{flow:.0},\"confirms_persistent_msgs_per_s\":{confirmed:.0},\"connection_open_close_ms_median\":{setup:.2}}}"
            ))
        };
        match run() {
            Ok(line) => {
                println!("{line}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                println!(
                    "{{\"client\":\"wire-bench\",\"error\":{}}}",
                    serde_json::Value::String(e)
                );
                std::process::ExitCode::FAILURE
            }
        }
    }
}
