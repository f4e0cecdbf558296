//! Reading an argument vector the way rabbitmqctl does.
//!
//! Options may come anywhere: before the command, between its arguments,
//! after them (`list_queues name messages -p / --formatter json`). A long
//! option is `--name value` or `--name=value` (underscores and dashes are
//! the same: `--if_empty` is `--if-empty`); a short one is `-p value`. `--`
//! ends the options, so a queue may be called `-x`. What is not an option
//! is a positional argument: the command first, then its arguments.
//!
//! An option no command knows, a value missing (`--formatter` at the end)
//! or not a number (`-t soon`) is kept as *invalid*, with the text typed,
//! and reported the way rabbitmqctl reports it (`--bogus : `).

use crate::control::commands::{any_switch_aliased, any_switch_named, Arity, Switch};

/// An option as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GivenSwitch {
    pub switch: Switch,
    /// As typed (`-p`, `--vhost`), for error messages.
    pub typed: String,
    pub value: Option<String>,
}

/// An option that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InvalidSwitch {
    pub typed: String,
    pub value: Option<String>,
}

/// An argument vector, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CommandLine {
    /// The command, then its arguments.
    pub positionals: Vec<String>,
    pub switches: Vec<GivenSwitch>,
    pub invalid: Vec<InvalidSwitch>,
}

/// Whether `token` looks like an option rather than a value.
fn looks_like_option(token: &str) -> bool {
    token.len() > 1 && token.starts_with('-')
}

pub(crate) fn parse(argv: &[String]) -> CommandLine {
    let mut line = CommandLine::default();
    let mut tokens = argv.iter().peekable();
    let mut options_ended = false;
    while let Some(token) = tokens.next() {
        if options_ended || !looks_like_option(token) {
            line.positionals.push(token.clone());
            continue;
        }
        if token == "--" {
            options_ended = true;
            continue;
        }
        let (typed, inline_value, switch) = if let Some(body) = token.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (body, None),
            };
            let canonical = name.replace('_', "-");
            (format!("--{name}"), value, any_switch_named(&canonical))
        } else {
            let body = &token[1..];
            let mut chars = body.chars();
            let alias = match (chars.next(), chars.next()) {
                (Some(c), None) => any_switch_aliased(c),
                _ => None,
            };
            (token.clone(), None, alias)
        };
        let Some(switch) = switch else {
            line.invalid.push(InvalidSwitch {
                typed,
                value: inline_value,
            });
            continue;
        };
        if switch.arity == Arity::Flag {
            match inline_value.as_deref() {
                None | Some("true") => line.switches.push(GivenSwitch {
                    switch,
                    typed,
                    value: None,
                }),
                Some(_) => line.invalid.push(InvalidSwitch {
                    typed,
                    value: inline_value,
                }),
            }
            continue;
        }
        let value = match inline_value {
            Some(v) => Some(v),
            None => tokens.next_if(|next| !looks_like_option(next)).cloned(),
        };
        let readable = match (&value, switch.arity) {
            (None, _) => false,
            (Some(v), Arity::Integer) => v.parse::<u64>().is_ok(),
            (Some(_), _) => true,
        };
        if readable {
            line.switches.push(GivenSwitch {
                switch,
                typed,
                value,
            });
        } else {
            line.invalid.push(InvalidSwitch { typed, value });
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[test]
    fn options_come_anywhere() {
        let line = parse(&args("list_queues name -p / messages --formatter=json -q"));
        assert_eq!(line.positionals, ["list_queues", "name", "messages"]);
        let given: Vec<(&str, Option<&str>)> = line
            .switches
            .iter()
            .map(|s| (s.switch.long, s.value.as_deref()))
            .collect();
        assert_eq!(
            given,
            [
                ("vhost", Some("/")),
                ("formatter", Some("json")),
                ("quiet", None)
            ]
        );
        assert!(line.invalid.is_empty());
    }

    #[test]
    fn unknown_missing_and_unreadable_values_are_invalid() {
        let line = parse(&args("list_queues --bogus -t soon --formatter"));
        let invalid: Vec<(&str, Option<&str>)> = line
            .invalid
            .iter()
            .map(|s| (s.typed.as_str(), s.value.as_deref()))
            .collect();
        assert_eq!(
            invalid,
            [
                ("--bogus", None),
                ("-t", Some("soon")),
                ("--formatter", None)
            ]
        );
    }

    #[test]
    fn a_double_dash_ends_the_options() {
        let line = parse(&args("delete_queue --if_empty -- -q"));
        assert_eq!(line.positionals, ["delete_queue", "-q"]);
        assert_eq!(line.switches[0].switch.long, "if-empty");
    }
}
