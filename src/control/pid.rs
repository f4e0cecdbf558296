//! Process ids, as rabbitmqctl prints and takes them.
//!
//! In RabbitMQ every connection, channel and queue is an Erlang process, and
//! the CLI names them by pid: `<rabbit@host.1795652667.21236.0>` in tables
//! (node, creation, id, serial), `#PID<11017.21236.0>` in JSON.
//! `close_connection` takes the first form back. Warren has no processes; a
//! pid carries the engine's id of the thing instead, which is never reused:
//! connection 7 on node `warren@localhost` is `<warren@localhost.1.7.0>`.

use crate::control::cell::Cell;

/// The "creation" field of every Warren pid (RabbitMQ's changes per boot).
const CREATION: u32 = 1;

/// The pid of the engine object with id `id` on node `node`.
pub(crate) fn pid_cell(node: &str, id: u32) -> Cell {
    Cell::Custom {
        text: format!("<{node}.{CREATION}.{id}.0>"),
        json: serde_json::Value::String(format!("#PID<{CREATION}.{id}.0>")),
    }
}

/// A string that is not a pid (`close_connection` was given a name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InvalidPid(pub String);

/// Reads `<node.creation.id.serial>`. Returns the id if the pid is on
/// `node`, `None` if it names another node (no process of this one).
pub(crate) fn parse_pid(node: &str, text: &str) -> Result<Option<u32>, InvalidPid> {
    let invalid = || InvalidPid(text.to_string());
    let inner = text
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .ok_or_else(invalid)?;
    let mut parts = inner.rsplitn(4, '.');
    let (Some(serial), Some(id), Some(creation), Some(pid_node)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let (Some(_), Some(id), Some(_)) = (number(serial), number(id), number(creation)) else {
        return Err(invalid());
    };
    if pid_node.is_empty() {
        return Err(invalid());
    }
    if pid_node != node {
        return Ok(None);
    }
    Ok(u32::try_from(id).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_pid_reads_back() {
        let Cell::Custom { text, .. } = pid_cell("warren@localhost", 42) else {
            panic!("a pid is a custom cell");
        };
        assert_eq!(text, "<warren@localhost.1.42.0>");
        assert_eq!(parse_pid("warren@localhost", &text), Ok(Some(42)));
    }

    #[test]
    fn names_and_fragments_are_not_pids() {
        for bad in [
            "127.0.0.1:54276 -> 127.0.0.1:5672",
            "<>",
            "<warren@localhost.1.x.0>",
            "<.1.2.0>",
            "<1.2.0>",
            "",
            "<",
        ] {
            assert_eq!(
                parse_pid("warren@localhost", bad),
                Err(InvalidPid(bad.into()))
            );
        }
        assert_eq!(
            parse_pid("warren@localhost", "<rabbit@other.1.2.0>"),
            Ok(None)
        );
    }
}
