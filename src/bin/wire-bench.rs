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
    use std::io::{BufWriter, Write};
    use std::time::Instant;
    use warren::engine::message::Properties;
    use warren::engine::method::{
        BasicAck, BasicConsume, BasicPublish, BasicQos, Method, QueueDeclare, QueueDelete,
    };
    use warren::server::client::{BlockingClient, ClientError};
    use warren::wire::{Frame, WireMethod};

    type Result<T> = std::result::Result<T, ClientError>;

    fn declare(c: &mut BlockingClient, queue: &str, durable: bool) -> Result<()> {
        c.call(&Method::QueueDelete(QueueDelete {
            queue: queue.into(),
            ..Default::default()
        }))?;
        c.call(&Method::QueueDeclare(QueueDeclare {
            queue: queue.into(),
            durable,
            ..Default::default()
        }))
        .map(|_| ())
    }

    /// `n` publishes to `queue` on channel 1, as bytes.
    fn publishes(
        c: &BlockingClient,
        queue: &str,
        n: u64,
        body: usize,
        persistent: bool,
    ) -> Result<Vec<u8>> {
        let publish = Method::BasicPublish(BasicPublish {
            properties: Properties {
                delivery_mode: Some(if persistent { 2 } else { 1 }),
                ..Default::default()
            },
            ..BasicPublish::new("", queue, vec![b'x'; body])
        });
        Ok(c.encode(1, &publish)?.repeat(n as usize))
    }

    /// A publisher and a consumer connection: msg/s from the first publish
    /// to the last ack.
    fn publish_consume_ack(port: u16, n: u64, body: usize) -> Result<f64> {
        let queue = "wire-bench-flow";
        let mut consumer = BlockingClient::connect_with_channel(port)?;
        declare(&mut consumer, queue, false)?;
        consumer.call(&Method::BasicQos(BasicQos {
            prefetch_count: 1000,
            ..Default::default()
        }))?;
        consumer.call(&Method::BasicConsume(BasicConsume {
            queue: queue.into(),
            ..Default::default()
        }))?;
        let publisher = BlockingClient::connect_with_channel(port)?;
        let batch = 1000.min(n).max(1);
        let one = publishes(&publisher, queue, 1, body, false)?;
        let frames = one.repeat(batch as usize);
        let started = Instant::now();
        let sender = std::thread::spawn(move || -> Result<()> {
            let mut out = BufWriter::with_capacity(1 << 20, publisher.writer()?);
            let mut sent = 0;
            while sent < n {
                let k = batch.min(n - sent);
                out.write_all(&frames[..one.len() * k as usize])?;
                sent += k;
            }
            out.flush()?;
            drop(out);
            publisher.close()
        });
        let mut got = 0u64;
        while got < n {
            if let Frame::Method {
                method: WireMethod::BasicDeliver(d),
                ..
            } = consumer.frame()?
            {
                got += 1;
                if got.is_multiple_of(100) || got == n {
                    let ack = Method::BasicAck(BasicAck {
                        delivery_tag: d.delivery_tag,
                        multiple: true,
                    });
                    consumer.send_method(1, &ack)?;
                }
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        sender
            .join()
            .map_err(|_| ClientError::Unexpected("the publisher thread died".into()))??;
        consumer.close()?;
        Ok(n as f64 / elapsed)
    }

    /// Persistent messages to a durable queue with publisher confirms, a
    /// window of 1000 unconfirmed.
    fn confirms(port: u16, n: u64, body: usize) -> Result<f64> {
        let queue = "wire-bench-confirms";
        let mut c = BlockingClient::connect_with_channel(port)?;
        declare(&mut c, queue, true)?;
        c.call(&Method::ConfirmSelect { no_wait: false })?;
        let window = 1000u64;
        let one = publishes(&c, queue, 1, body, true)?;
        let started = Instant::now();
        let (mut sent, mut confirmed) = (0u64, 0u64);
        while confirmed < n {
            let room = (confirmed + window).min(n).saturating_sub(sent);
            if room > 0 {
                c.write(&one.repeat(room as usize))?;
                sent += room;
            }
            match c.next_method()? {
                WireMethod::BasicAck(a) if a.multiple => confirmed = a.delivery_tag,
                WireMethod::BasicAck(_) => confirmed += 1,
                WireMethod::BasicNack(_) => {
                    return Err(ClientError::Unexpected("a publish was nacked".into()))
                }
                _ => {}
            }
        }
        let rate = n as f64 / started.elapsed().as_secs_f64();
        c.call(&Method::QueueDelete(QueueDelete {
            queue: queue.into(),
            ..Default::default()
        }))?;
        c.close()?;
        Ok(rate)
    }

    /// The median of 50 connection opens and closes, in ms.
    fn connection_setup(port: u16) -> Result<f64> {
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            BlockingClient::connect_with_channel(port)?.close()?;
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
        let n = arg(&args, "--messages", 200_000).max(4);
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
                let error = serde_json::Value::String(e.to_string());
                println!("{{\"client\":\"wire-bench\",\"error\":{error}}}");
                std::process::ExitCode::FAILURE
            }
        }
    }
}
