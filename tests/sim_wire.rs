//! Byte-stream clients inside the simulation (`sim::wire`, what pika in
//! Pyodide talks to through `runPythonScripts`): a consumer and a producer
//! speaking AMQP bytes on the virtual clock, a consumer dropped without a
//! close (its unacked message goes back, redelivered), heartbeats on the
//! virtual clock, wrong credentials, and a broker restart's 320.

#[path = "support/wire_bytes.rs"]
mod wire_bytes;

use warren::engine::method::{
    BasicAck, BasicConsume, BasicPublish, BasicQos, Close, ConnectionOpen, Method, QueueDeclare,
};
use warren::engine::value::FieldValue;
use warren::engine::BrokerConfig;
use warren::sim::wire::WireId;
use warren::sim::world::WireOp;
use warren::sim::Simulation;
use warren::wire::{
    encode_heartbeat, ConnectionStartOk, Frame, FrameDecoder, Tune, WireMethod, PROTOCOL_HEADER,
};

/// One client's end: what it has read but not parsed yet.
struct Client {
    id: WireId,
    inbox: Vec<u8>,
    decoder: FrameDecoder,
}

impl Client {
    fn new(id: WireId) -> Client {
        Client {
            id,
            inbox: Vec::new(),
            decoder: FrameDecoder::with_frame_max(0),
        }
    }

    fn write(&self, sim: &mut Simulation, bytes: Vec<u8>) {
        wire_bytes::write(sim, self.id, bytes);
    }

    fn send(&self, sim: &mut Simulation, channel: u16, method: &WireMethod) {
        wire_bytes::send(sim, self.id, channel, method);
    }

    fn call(&self, sim: &mut Simulation, method: &Method) {
        wire_bytes::call(sim, self.id, method);
    }

    /// Every frame the broker has written so far, and whether it closed
    /// the socket.
    fn read(&mut self, sim: &mut Simulation) -> (Vec<Frame>, bool) {
        let (bytes, closed) = sim.wire.take_output(self.id).unwrap_or_default();
        self.inbox.extend_from_slice(&bytes);
        let mut frames = Vec::new();
        let mut at = 0;
        while let Ok(Some((frame, used))) = self.decoder.next_frame(&self.inbox[at..]) {
            at += used;
            frames.push(frame);
        }
        self.inbox.drain(..at);
        (frames, closed)
    }

    fn methods(&mut self, sim: &mut Simulation) -> Vec<WireMethod> {
        self.read(sim)
            .0
            .into_iter()
            .filter_map(|f| match f {
                Frame::Method { method, .. } => Some(method),
                _ => None,
            })
            .collect()
    }

    /// Connects, logs in as `user`/`password` with `heartbeat` seconds,
    /// opens vhost / and channel 1; returns what the broker said last.
    fn connect(
        sim: &mut Simulation,
        id: WireId,
        password: &str,
        heartbeat: u16,
    ) -> (Client, Vec<WireMethod>) {
        let mut c = Client::new(id);
        sim.wire_input(id, &WireOp::Open { process: None })
            .expect("a fresh id");
        c.write(sim, PROTOCOL_HEADER.to_vec());
        let start = c.methods(sim);
        assert!(matches!(start.as_slice(), [WireMethod::ConnectionStart(_)]));
        c.send(
            sim,
            0,
            &WireMethod::ConnectionStartOk(ConnectionStartOk {
                // As pika: told of a failed login by a connection.close.
                client_properties: [(
                    "capabilities".to_string(),
                    FieldValue::Table(
                        [(
                            "authentication_failure_close".to_string(),
                            FieldValue::Bool(true),
                        )]
                        .into(),
                    ),
                )]
                .into(),
                mechanism: "PLAIN".into(),
                response: format!("\0guest\0{password}").into_bytes(),
                locale: "en_US".into(),
            }),
        );
        let tune = match c.methods(sim).as_slice() {
            [WireMethod::ConnectionTune(t)] => *t,
            other => return (c, other.to_vec()),
        };
        c.send(
            sim,
            0,
            &WireMethod::ConnectionTuneOk(Tune { heartbeat, ..tune }),
        );
        c.send(
            sim,
            0,
            &WireMethod::ConnectionOpen(ConnectionOpen {
                virtual_host: "/".into(),
            }),
        );
        c.send(sim, 1, &WireMethod::ChannelOpen);
        let said = c.methods(sim);
        (c, said)
    }
}

fn sim() -> Simulation {
    Simulation::new(BrokerConfig {
        commit_interval_ms: 0,
        ..BrokerConfig::default()
    })
}

fn deliveries(methods: &[WireMethod]) -> Vec<(u64, bool)> {
    methods
        .iter()
        .filter_map(|m| match m {
            WireMethod::BasicDeliver(d) => Some((d.delivery_tag, d.redelivered)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_consumer_dropped_without_close_gives_its_message_back_redelivered() {
    let mut sim = sim();
    let (mut first, said) = Client::connect(&mut sim, 1, "guest", 0);
    assert_eq!(
        said,
        vec![WireMethod::ConnectionOpenOk, WireMethod::ChannelOpenOk]
    );
    first.call(&mut sim, &Method::QueueDeclare(QueueDeclare::named("ja")));
    first.call(
        &mut sim,
        &Method::BasicQos(BasicQos {
            prefetch_count: 1,
            ..BasicQos::default()
        }),
    );
    first.call(
        &mut sim,
        &Method::BasicConsume(BasicConsume {
            queue: "ja".into(),
            ..BasicConsume::default()
        }),
    );
    first.methods(&mut sim);

    let (producer, _) = Client::connect(&mut sim, 2, "guest", 0);
    producer.call(
        &mut sim,
        &Method::BasicPublish(BasicPublish {
            routing_key: "ja".into(),
            body: b"hello".to_vec(),
            ..BasicPublish::default()
        }),
    );
    sim.run_until(sim.now());
    assert_eq!(deliveries(&first.methods(&mut sim)), vec![(1, false)]);

    // The second consumer waits behind the first; the first is killed.
    let (mut second, _) = Client::connect(&mut sim, 3, "guest", 0);
    second.call(
        &mut sim,
        &Method::BasicConsume(BasicConsume {
            queue: "ja".into(),
            ..BasicConsume::default()
        }),
    );
    sim.run_until(sim.now());
    assert!(deliveries(&second.methods(&mut sim)).is_empty());
    sim.wire_input(1, &WireOp::Close)
        .expect("a close is always taken");
    sim.run_until(sim.now());
    assert_eq!(deliveries(&second.methods(&mut sim)), vec![(1, true)]);
    second.call(
        &mut sim,
        &Method::BasicAck(BasicAck {
            delivery_tag: 1,
            multiple: false,
        }),
    );
    sim.run_until(sim.now());
    assert_eq!(
        sim.broker.queue_by_name("ja").map(|q| q.ready_count()),
        Some(0)
    );
}

#[test]
fn heartbeats_run_on_the_virtual_clock() {
    let mut sim = sim();
    let (mut quiet, _) = Client::connect(&mut sim, 1, "guest", 5);
    let (mut lively, _) = Client::connect(&mut sim, 2, "guest", 5);
    quiet.read(&mut sim);
    lively.read(&mut sim);
    // An hour of virtual time: the lively client answers every few seconds.
    let mut heartbeats = 0;
    for _ in 0..720 {
        let next = sim.now() + 5_000;
        sim.run_until(next);
        let (frames, closed) = lively.read(&mut sim);
        assert!(!closed, "a client that sends heartbeats stays connected");
        heartbeats += frames
            .iter()
            .filter(|f| matches!(f, Frame::Heartbeat))
            .count();
        let mut beat = Vec::new();
        encode_heartbeat(&mut beat);
        lively.write(&mut sim, beat);
    }
    assert!(
        heartbeats >= 700,
        "the broker sent {heartbeats} heartbeats in an hour"
    );
    let (_, closed) = quiet.read(&mut sim);
    assert!(closed, "a silent client is dropped after missed heartbeats");
}

#[test]
fn wrong_credentials_are_refused_as_rabbitmq_refuses_them() {
    let mut sim = sim();
    let (mut c, said) = Client::connect(&mut sim, 1, "wrong", 0);
    let text = said.iter().find_map(|m| match m {
        WireMethod::ConnectionClose(Close {
            reply_code,
            reply_text,
            ..
        }) => Some((*reply_code, reply_text.clone())),
        _ => None,
    });
    assert_eq!(
        text,
        Some((
            403,
            "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.".into()
        ))
    );
    sim.run_until(sim.now() + 60_000);
    assert!(c.read(&mut sim).1, "the socket is closed");
}

#[test]
fn a_restart_sends_320_and_closes_every_socket() {
    let mut sim = sim();
    let (mut c, _) = Client::connect(&mut sim, 1, "guest", 0);
    c.read(&mut sim);
    sim.restart_broker();
    let (frames, closed) = c.read(&mut sim);
    let code = frames.iter().find_map(|f| match f {
        Frame::Method {
            method: WireMethod::ConnectionClose(close),
            ..
        } => Some(close.reply_code),
        _ => None,
    });
    assert_eq!(code, Some(320));
    assert!(closed);
}
