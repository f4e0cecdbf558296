//! warrenctl: rabbitmqctl for Warren. A thin client: it sends its arguments
//! to warren-server's control port as one JSON line, prints the answer's
//! standard output and error exactly, and exits with its exit code. The
//! commands themselves run in the server (`warren::control`).
//!
//! ```text
//! warrenctl [-n HOST:PORT] <command> [<arguments and options>]
//! warrenctl list_queues name messages_ready messages_unacknowledged
//! warrenctl -n 127.0.0.1:25673 close_connection "<warren@localhost.1.7.0>" "go away"
//! ```
//!
//! `-n` (or `--node`, anywhere in the arguments) names the server's control
//! port: `HOST:PORT`, `HOST` (port 25672), or RabbitMQ's `NAME@HOST[:PORT]`
//! (the name is ignored). The default is 127.0.0.1:25672: the AMQP port
//! 5672 plus 20000, as RabbitMQ's CLI port is. If the server cannot be
//! reached, warrenctl says so and exits with 69, as rabbitmqctl does.
//! `warrenctl` alone and `warrenctl help` answer without a server.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    client::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod client {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpStream, ToSocketAddrs};
    use std::process::ExitCode;
    use std::time::Duration;
    use warren::control::{self, exit_code, CtlOutput, NodeInfo};

    /// The control port when `-n` is not given.
    const DEFAULT_CONTROL_PORT: u16 = 25672;
    const DEFAULT_HOST: &str = "127.0.0.1";
    /// How long to wait for a connection to the server.
    const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// How long to wait for an answer without `-t`.
    const DEFAULT_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
    /// rabbitmqctl's exit code for a timed-out operation (`EX_TEMPFAIL`).
    const TIMED_OUT: i32 = 75;

    /// The command line, with `-n` taken out.
    struct Invocation {
        /// `host:port` of the control port.
        address: String,
        /// The rest, for the server.
        argv: Vec<String>,
    }

    /// `host:port` for a `-n` value: `HOST:PORT`, `HOST`, `NAME@HOST[:PORT]`,
    /// `[::1]:PORT`.
    fn control_address(node: &str) -> String {
        let host = node.rsplit_once('@').map_or(node, |(_, host)| host);
        let has_port = if host.starts_with('[') {
            host.contains("]:")
        } else {
            host.matches(':').count() == 1
        };
        match (has_port, host.contains(':') && !host.starts_with('[')) {
            (true, _) => host.to_string(),
            // A bare IPv6 address.
            (false, true) => format!("[{host}]:{DEFAULT_CONTROL_PORT}"),
            (false, false) => format!("{host}:{DEFAULT_CONTROL_PORT}"),
        }
    }

    /// Takes `-n`/`--node` out of the arguments (not after `--`).
    fn read_invocation(args: Vec<String>) -> Result<Invocation, String> {
        let mut node = None;
        let mut argv = Vec::with_capacity(args.len());
        let mut args = args.into_iter();
        let mut options_ended = false;
        while let Some(arg) = args.next() {
            if options_ended {
                argv.push(arg);
                continue;
            }
            if arg == "--" {
                options_ended = true;
                argv.push(arg);
            } else if arg == "-n" || arg == "--node" {
                node = Some(args.next().ok_or(format!("{arg} needs HOST:PORT"))?);
            } else if let Some(value) = arg.strip_prefix("--node=") {
                node = Some(value.to_string());
            } else {
                argv.push(arg);
            }
        }
        let address = node.map_or_else(
            || format!("{DEFAULT_HOST}:{DEFAULT_CONTROL_PORT}"),
            |n| control_address(&n),
        );
        Ok(Invocation { address, argv })
    }

    /// The `-t` value, if any: how long to wait for the answer.
    fn answer_timeout(argv: &[String]) -> Duration {
        argv.windows(2)
            .rev()
            .find_map(|pair| match pair {
                [option, value] if option == "-t" || option == "--timeout" => {
                    value.parse::<u64>().ok()
                }
                _ => None,
            })
            .map_or(DEFAULT_ANSWER_TIMEOUT, |s| Duration::from_secs(s.max(1)))
    }

    /// Why the server did not answer.
    enum Unanswered {
        Unreachable(String),
        TimedOut,
        Garbled(String),
    }

    fn connect(address: &str) -> Result<TcpStream, String> {
        let candidates = address.to_socket_addrs().map_err(|e| e.to_string())?;
        let mut last_error = format!("{address} names no address");
        for candidate in candidates {
            match TcpStream::connect_timeout(&candidate, CONNECT_TIMEOUT) {
                Ok(stream) => return Ok(stream),
                Err(e) => last_error = e.to_string(),
            }
        }
        Err(last_error)
    }

    fn ask(invocation: &Invocation) -> Result<CtlOutput, Unanswered> {
        let mut stream = connect(&invocation.address).map_err(Unanswered::Unreachable)?;
        let timeout = answer_timeout(&invocation.argv);
        stream
            .set_read_timeout(Some(timeout))
            .map_err(|e| Unanswered::Unreachable(e.to_string()))?;
        stream
            .write_all(control::request_line(&invocation.argv).as_bytes())
            .map_err(|e| Unanswered::Unreachable(e.to_string()))?;
        let mut line = String::new();
        match BufReader::new(stream).read_line(&mut line) {
            Ok(0) => {
                return Err(Unanswered::Garbled(
                    "the server closed the connection without answering".to_string(),
                ))
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Unanswered::TimedOut)
            }
            Err(e) => return Err(Unanswered::Unreachable(e.to_string())),
        }
        control::parse_response(&line).map_err(|e| Unanswered::Garbled(e.to_string()))
    }

    fn print(output: &CtlOutput) -> ExitCode {
        // Nothing sensible is left to do if the terminal is gone.
        let _ = std::io::stdout().write_all(output.stdout.as_bytes());
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().write_all(output.stderr.as_bytes());
        let _ = std::io::stderr().flush();
        ExitCode::from(u8::try_from(output.exit_code).unwrap_or(u8::MAX))
    }

    fn failure(exit_code: i32, stderr: String) -> ExitCode {
        print(&CtlOutput {
            stdout: String::new(),
            stderr,
            exit_code,
        })
    }

    pub(crate) fn main() -> ExitCode {
        let invocation = match read_invocation(std::env::args().skip(1).collect()) {
            Ok(invocation) => invocation,
            Err(reason) => {
                return failure(exit_code::USAGE, format!("warrenctl: {reason}\n"));
            }
        };
        // The usage needs no server.
        if invocation.argv.is_empty() || invocation.argv[0] == "help" {
            let mut offline = warren::engine::Broker::new(Default::default());
            return print(&control::run(
                &mut offline,
                &invocation.argv,
                &NodeInfo::default(),
            ));
        }
        let address = &invocation.address;
        match ask(&invocation) {
            Ok(output) => print(&output),
            Err(Unanswered::Unreachable(reason)) => failure(
                exit_code::UNAVAILABLE,
                format!(
                    "Error: unable to perform an operation on node at {address}: {reason}\n\n\
                     Is warren-server running, with its control port at {address}? \
                     Use -n HOST:PORT to name another.\n"
                ),
            ),
            Err(Unanswered::TimedOut) => failure(
                TIMED_OUT,
                format!(
                    "Error: operation {} on node at {address} timed out. Timeout value used: {}\n",
                    invocation.argv[0],
                    answer_timeout(&invocation.argv).as_secs()
                ),
            ),
            Err(Unanswered::Garbled(reason)) => failure(
                exit_code::UNAVAILABLE,
                format!("Error: node at {address}: {reason}\n"),
            ),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn node_names_become_addresses() {
            assert_eq!(control_address("127.0.0.1:25673"), "127.0.0.1:25673");
            assert_eq!(control_address("localhost"), "localhost:25672");
            assert_eq!(control_address("warren@localhost"), "localhost:25672");
            assert_eq!(control_address("warren@host:1234"), "host:1234");
            assert_eq!(control_address("[::1]:25673"), "[::1]:25673");
            assert_eq!(control_address("::1"), "[::1]:25672");
        }

        #[test]
        fn the_node_option_is_taken_out_anywhere() {
            let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
            let i =
                read_invocation(args("list_queues -n h:1 name")).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                (i.address.as_str(), i.argv),
                ("h:1", args("list_queues name"))
            );
            let i = read_invocation(args("--node=h list_queues")).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(i.address, "h:25672");
            assert!(read_invocation(args("list_queues -n")).is_err());
        }
    }
}
