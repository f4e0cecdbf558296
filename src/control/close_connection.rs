//! `close_connection <pid> <explanation>`: the broker closes a connection
//! with 320 `CONNECTION_FORCED - <explanation>`.
//!
//! It takes the connection's pid, as `list_connections pid` prints it; a
//! connection's name is refused with exit 69 and rabbitmqctl's doubled
//! `Error:` (`{:invalid_pid_syntax, "..."}`). A pid of no open connection
//! (closed already, or of another node) is no error: nothing happens.

use crate::control::cell::backslash_escape;
use crate::control::error::{exit_code, Failure};
use crate::control::pid::{parse_pid, InvalidPid};
use crate::control::report::Report;
use crate::engine::ids::ConnId;
use crate::engine::Broker;

/// A string as Elixir's `inspect` writes it: in double quotes, with `"`,
/// `\`, `#{` and control characters escaped.
pub(crate) fn elixir_string(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(escape) = backslash_escape(c) {
            out.push_str(escape);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '#' if chars.peek() == Some(&'{') => out.push_str("\\#"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn close_connection(
    broker: &mut Broker,
    node_name: &str,
    pid: &str,
    explanation: &str,
) -> Report {
    let banner = vec![format!(
        "Closing connection {pid}, reason: {explanation}..."
    )];
    match parse_pid(node_name, pid) {
        Ok(Some(id)) => {
            broker.close_connection_by_operator(ConnId(id), explanation);
            Report::done(banner)
        }
        Ok(None) => Report::done(banner),
        Err(InvalidPid(text)) => Report::failed(
            banner,
            Failure::error(
                exit_code::UNAVAILABLE,
                format!("Error:\n{{:invalid_pid_syntax, {}}}", elixir_string(&text)),
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::elixir_string;

    #[test]
    fn strings_are_inspected_as_elixir_does() {
        assert_eq!(elixir_string("a -> b"), "\"a -> b\"");
        assert_eq!(elixir_string("say \"#{x}\"\n"), "\"say \\\"\\#{x}\\\"\\n\"");
    }
}
