//! What the server prints: one line per broker event, the workbench's own
//! sentence for it (English or Chinese), or the event record as JSON
//! (`--log json`), or nothing (`--log off`, for benchmarks).

use crate::describe::i18n::Lang;
use crate::describe::{Names, Say};
use crate::engine::Broker;
use std::io::Write;

/// How events are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// The workbench's sentences.
    Text,
    /// One JSON object per event (the event log's records).
    Json,
    /// Nothing.
    Off,
}

/// Prints the broker's new events and forgets them (the server keeps no
/// history: its log is stdout).
pub struct EventPrinter {
    format: LogFormat,
    lang: Lang,
    names: Names,
    out: std::io::BufWriter<std::io::Stdout>,
}

/// Past this many remembered message bodies (for sentences naming a
/// message), the memory is cleared: a long-running server must not grow.
const REMEMBERED_MESSAGES_MAX: usize = 10_000;

impl EventPrinter {
    pub fn new(format: LogFormat, lang: Lang) -> EventPrinter {
        EventPrinter {
            format,
            lang,
            names: Names::default(),
            out: std::io::BufWriter::new(std::io::stdout()),
        }
    }

    /// A line of the server's own (listening, stopping).
    pub fn note(&mut self, line: &str) {
        if self.format != LogFormat::Off {
            let _ = writeln!(self.out, "{line}");
            let _ = self.out.flush();
        }
    }

    /// Prints every event since the last call, then drops them from the
    /// broker's log.
    pub fn print_new(&mut self, broker: &mut Broker) {
        let next = broker.next_event_seq();
        if self.format != LogFormat::Off {
            let first = broker.events().first().map_or(next, |e| e.seq);
            for e in broker.events_since(first) {
                self.names.learn(broker, e);
                match self.format {
                    LogFormat::Json => {
                        let _ = serde_json::to_writer(&mut self.out, e);
                        let _ = self.out.write_all(b"\n");
                    }
                    _ => {
                        let say = Say {
                            names: &self.names,
                            world: None,
                        };
                        let time = crate::describe::i18n::format_time(e.time);
                        let _ = writeln!(self.out, "{time}  {}", self.lang.event(&e.kind, &say));
                    }
                }
            }
            let _ = self.out.flush();
            if self.names.messages.len() > REMEMBERED_MESSAGES_MAX {
                self.names.messages.clear();
            }
        }
        broker.truncate_log_before(next);
    }
}
