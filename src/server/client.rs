//! A minimal blocking AMQP 0-9-1 client on Warren's own codec: what
//! `wire-bench` and the server's tests speak to a broker with. (Real client
//! libraries — pika, amqplib — are exercised by `tests/wire_clients/`.)

use crate::engine::method::{Close, ConnectionOpen, Method};
use crate::engine::value::{FieldTable, FieldValue};
use crate::wire::{
    encode_client_method, encode_method_frame, ConnectionStartOk, Frame, FrameDecoder, Tune,
    WireMethod, PROTOCOL_HEADER,
};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What went wrong talking to the broker.
#[derive(Debug)]
pub enum ClientError {
    Io(std::io::Error),
    /// The broker sent something this client did not expect.
    Unexpected(String),
    /// The broker closed the channel or the connection (its close's text).
    Closed(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "{e}"),
            ClientError::Unexpected(what) => write!(f, "unexpected {what}"),
            ClientError::Closed(text) => write!(f, "closed by the broker: {text}"),
        }
    }
}

impl From<std::io::Error> for ClientError {
    fn from(e: std::io::Error) -> ClientError {
        ClientError::Io(e)
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// A frame, or the end of the socket. (Returned one at a time and matched
/// at once, never stored: the size of a frame inline costs nothing here.)
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Received {
    Frame(Frame),
    Closed,
}

/// One connection, logged in as guest, with no heartbeats.
pub struct BlockingClient {
    stream: TcpStream,
    inbox: Vec<u8>,
    read_at: usize,
    decoder: FrameDecoder,
    pub frame_max: u32,
}

impl BlockingClient {
    /// Connects to 127.0.0.1:`port` and completes the handshake.
    pub fn connect(port: u16) -> ClientResult<BlockingClient> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut client = BlockingClient {
            stream,
            inbox: Vec::with_capacity(1 << 20),
            read_at: 0,
            decoder: FrameDecoder::with_frame_max(0),
            frame_max: 131_072,
        };
        client.write(&PROTOCOL_HEADER)?;
        client.expect(|m| matches!(m, WireMethod::ConnectionStart(_)))?;
        let capabilities: FieldTable = ["authentication_failure_close", "consumer_cancel_notify"]
            .into_iter()
            .map(|c| (c.to_string(), FieldValue::Bool(true)))
            .collect();
        let properties: FieldTable =
            [("capabilities".to_string(), FieldValue::Table(capabilities))].into();
        client.send(
            0,
            &WireMethod::ConnectionStartOk(ConnectionStartOk {
                client_properties: properties,
                mechanism: "PLAIN".into(),
                response: b"\0guest\0guest".to_vec(),
                locale: "en_US".into(),
            }),
        )?;
        let tune = match client.next_method()? {
            WireMethod::ConnectionTune(tune) => tune,
            other => return Err(ClientError::Unexpected(other.name().into())),
        };
        client.frame_max = tune.frame_max;
        let tune_ok = Tune {
            heartbeat: 0,
            ..tune
        };
        client.send(0, &WireMethod::ConnectionTuneOk(tune_ok))?;
        let open = ConnectionOpen {
            virtual_host: "/".into(),
        };
        client.send(0, &WireMethod::ConnectionOpen(open))?;
        client.expect(|m| *m == WireMethod::ConnectionOpenOk)?;
        Ok(client)
    }

    /// Connects and opens channel 1.
    pub fn connect_with_channel(port: u16) -> ClientResult<BlockingClient> {
        let mut client = BlockingClient::connect(port)?;
        client.send(1, &WireMethod::ChannelOpen)?;
        client.expect(|m| *m == WireMethod::ChannelOpenOk)?;
        Ok(client)
    }

    pub fn write(&mut self, bytes: &[u8]) -> ClientResult<()> {
        Ok(self.stream.write_all(bytes)?)
    }

    /// A second handle on the socket (to write from another thread).
    pub fn writer(&self) -> ClientResult<TcpStream> {
        Ok(self.stream.try_clone()?)
    }

    pub fn send(&mut self, channel: u16, method: &WireMethod) -> ClientResult<()> {
        let mut out = Vec::new();
        encode_method_frame(&mut out, channel, method)
            .map_err(|e| ClientError::Unexpected(format!("{e:?}")))?;
        self.write(&out)
    }

    /// Sends a client method (with its content, for basic.publish).
    pub fn send_method(&mut self, channel: u16, method: &Method) -> ClientResult<()> {
        let bytes = self.encode(channel, method)?;
        self.write(&bytes)
    }

    /// A client method's frames (with content, for basic.publish).
    pub fn encode(&self, channel: u16, method: &Method) -> ClientResult<Vec<u8>> {
        let mut out = Vec::new();
        encode_client_method(&mut out, channel, method, self.frame_max)
            .map_err(|e| ClientError::Unexpected(format!("{e:?}")))?;
        Ok(out)
    }

    /// The next frame from the broker, or the end of the socket.
    pub fn receive(&mut self) -> ClientResult<Received> {
        loop {
            match self.decoder.next_frame(&self.inbox[self.read_at..]) {
                Ok(Some((frame, used))) => {
                    self.read_at += used;
                    return Ok(Received::Frame(frame));
                }
                Ok(None) => {}
                Err(e) => return Err(ClientError::Unexpected(format!("frame: {e:?}"))),
            }
            self.inbox.drain(..self.read_at);
            self.read_at = 0;
            let len = self.inbox.len();
            self.inbox.resize(len + 65536, 0);
            let n = self.stream.read(&mut self.inbox[len..])?;
            self.inbox.truncate(len + n);
            if n == 0 {
                return Ok(Received::Closed);
            }
        }
    }

    /// The next frame; the end of the socket is an error.
    pub fn frame(&mut self) -> ClientResult<Frame> {
        match self.receive()? {
            Received::Frame(frame) => Ok(frame),
            Received::Closed => Err(ClientError::Closed("the socket ended".into())),
        }
    }

    /// The next method (heartbeats skipped); a close from the broker is
    /// [`ClientError::Closed`].
    pub fn next_method(&mut self) -> ClientResult<WireMethod> {
        loop {
            match self.frame()? {
                Frame::Method {
                    method: WireMethod::ConnectionClose(c) | WireMethod::ChannelClose(c),
                    ..
                } => return Err(ClientError::Closed(c.reply_text)),
                Frame::Method { method, .. } => return Ok(method),
                Frame::Heartbeat => {}
                other => return Err(ClientError::Unexpected(format!("{other:?}"))),
            }
        }
    }

    pub fn expect(&mut self, ok: impl Fn(&WireMethod) -> bool) -> ClientResult<WireMethod> {
        let m = self.next_method()?;
        if ok(&m) {
            Ok(m)
        } else {
            Err(ClientError::Unexpected(m.name().into()))
        }
    }

    /// Sends a method on channel 1 and waits for the next method back.
    pub fn call(&mut self, method: &Method) -> ClientResult<WireMethod> {
        self.send_method(1, method)?;
        self.next_method()
    }

    /// The body of the message whose method was just read.
    pub fn content(&mut self) -> ClientResult<Vec<u8>> {
        let Frame::Header { header, .. } = self.frame()? else {
            return Err(ClientError::Unexpected(
                "a frame other than a content header".into(),
            ));
        };
        let mut body = Vec::new();
        while (body.len() as u64) < header.body_size {
            match self.frame()? {
                Frame::Body { payload, .. } => body.extend_from_slice(&payload),
                other => return Err(ClientError::Unexpected(format!("{other:?}"))),
            }
        }
        Ok(body)
    }

    /// Closes the connection politely. What the broker sent before its
    /// close-ok (deliveries still in flight, their content) is skipped.
    pub fn close(mut self) -> ClientResult<()> {
        self.send(0, &WireMethod::ConnectionClose(Close::normal()))?;
        loop {
            match self.frame()? {
                Frame::Method {
                    method: WireMethod::ConnectionCloseOk,
                    ..
                } => return Ok(()),
                Frame::Method {
                    method: WireMethod::ConnectionClose(c),
                    ..
                } => return Err(ClientError::Closed(c.reply_text)),
                _ => {}
            }
        }
    }
}
