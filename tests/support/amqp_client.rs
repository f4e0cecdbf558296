//! A minimal blocking AMQP 0-9-1 client on Warren's own codec, for tests
//! that drive `warren-server` over a real socket from Rust. (Real client
//! libraries — pika, amqplib — are exercised by `tests/wire_clients/`.)

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use warren::engine::method::{Close, ConnectionOpen, Method};
use warren::engine::value::{FieldTable, FieldValue};
use warren::wire::{
    encode_client_method, encode_method_frame, ConnectionStartOk, Frame, FrameDecoder, Tune,
    WireMethod, PROTOCOL_HEADER,
};

pub struct Client {
    stream: TcpStream,
    inbox: Vec<u8>,
    decoder: FrameDecoder,
    pub frame_max: u32,
}

/// A frame, or the end of the socket.
#[derive(Debug)]
pub enum Received {
    Frame(Frame),
    Closed,
}

impl Client {
    /// Connects and completes the handshake as `guest`.
    pub fn connect(port: u16) -> std::io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut client = Client {
            stream,
            inbox: Vec::new(),
            decoder: FrameDecoder::with_frame_max(0),
            frame_max: 131_072,
        };
        client.stream.write_all(&PROTOCOL_HEADER)?;
        let start = client.next_method()?;
        assert!(matches!(start, WireMethod::ConnectionStart(_)), "{start:?}");
        let mut capabilities = FieldTable::new();
        capabilities.insert(
            "authentication_failure_close".into(),
            FieldValue::Bool(true),
        );
        capabilities.insert("consumer_cancel_notify".into(), FieldValue::Bool(true));
        let mut properties = FieldTable::new();
        properties.insert("capabilities".into(), FieldValue::Table(capabilities));
        client.send(
            0,
            &WireMethod::ConnectionStartOk(ConnectionStartOk {
                client_properties: properties,
                mechanism: "PLAIN".into(),
                response: b"\0guest\0guest".to_vec(),
                locale: "en_US".into(),
            }),
        )?;
        let WireMethod::ConnectionTune(tune) = client.next_method()? else {
            panic!("expected connection.tune");
        };
        client.frame_max = tune.frame_max;
        client.send(
            0,
            &WireMethod::ConnectionTuneOk(Tune {
                heartbeat: 0,
                ..tune
            }),
        )?;
        client.send(
            0,
            &WireMethod::ConnectionOpen(ConnectionOpen {
                virtual_host: "/".into(),
            }),
        )?;
        let ok = client.next_method()?;
        assert_eq!(ok, WireMethod::ConnectionOpenOk);
        Ok(client)
    }

    pub fn send(&mut self, channel: u16, method: &WireMethod) -> std::io::Result<()> {
        let mut out = Vec::new();
        encode_method_frame(&mut out, channel, method).expect("encodable");
        self.stream.write_all(&out)
    }

    /// Sends a client method (with its content, for basic.publish).
    pub fn send_method(&mut self, channel: u16, method: &Method) -> std::io::Result<()> {
        let mut out = Vec::new();
        encode_client_method(&mut out, channel, method, self.frame_max).expect("encodable");
        self.stream.write_all(&out)
    }

    /// The next frame from the server.
    pub fn next(&mut self) -> std::io::Result<Received> {
        loop {
            match self.decoder.next_frame(&self.inbox) {
                Ok(Some((frame, used))) => {
                    self.inbox.drain(..used);
                    return Ok(Received::Frame(frame));
                }
                Ok(None) => {}
                Err(e) => panic!("the server sent a bad frame: {e:?}"),
            }
            let mut buf = [0u8; 65536];
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Ok(Received::Closed);
            }
            self.inbox.extend_from_slice(&buf[..n]);
        }
    }

    /// The next method frame (skipping heartbeats; content frames are an error).
    pub fn next_method(&mut self) -> std::io::Result<WireMethod> {
        loop {
            match self.next()? {
                Received::Frame(Frame::Method { method, .. }) => return Ok(method),
                Received::Frame(Frame::Heartbeat) => continue,
                Received::Frame(other) => panic!("expected a method, got {other:?}"),
                Received::Closed => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the server closed the socket",
                    ))
                }
            }
        }
    }

    /// Sends a method and waits for the next method back.
    pub fn call(&mut self, channel: u16, method: &Method) -> std::io::Result<WireMethod> {
        self.send_method(channel, method)?;
        self.next_method()
    }

    /// The body of the message whose method was just read.
    pub fn content(&mut self) -> std::io::Result<Vec<u8>> {
        let Received::Frame(Frame::Header { header, .. }) = self.next()? else {
            panic!("expected a content header");
        };
        let mut body = Vec::new();
        while (body.len() as u64) < header.body_size {
            match self.next()? {
                Received::Frame(Frame::Body { payload, .. }) => body.extend_from_slice(&payload),
                other => panic!("expected a body frame, got {other:?}"),
            }
        }
        Ok(body)
    }

    /// Closes the connection politely.
    pub fn close(mut self) -> std::io::Result<()> {
        self.send(0, &WireMethod::ConnectionClose(Close::normal()))?;
        let ok = self.next_method()?;
        assert_eq!(ok, WireMethod::ConnectionCloseOk);
        Ok(())
    }
}
