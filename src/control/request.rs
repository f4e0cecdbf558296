//! The control port's line protocol: one JSON request per line, one JSON
//! response per line.
//!
//! ```text
//! → {"argv": ["list_queues", "name", "messages", "-p", "/"]}
//! ← {"stdout": "Timeout: 60.0 seconds ...\n...", "stderr": "", "exit_code": 0}
//! ```
//!
//! `argv` is what follows the program name (`warrenctl` strips `-n`, which
//! names the server it talks to). The response carries the command's
//! standard output and error exactly, and its exit code; the client prints
//! them and exits with it. A line that is not such a request gets a
//! response too (exit code 65, the reason on stderr): a server never fails
//! a connection over a bad line.

use crate::control::error::exit_code;
use crate::control::node::NodeInfo;
use crate::control::{run, CtlOutput};
use crate::engine::Broker;
use serde::Deserialize;
use std::fmt;

/// One request. Unknown fields are ignored, so later clients may add some.
#[derive(Deserialize)]
struct Request {
    argv: Vec<String>,
}

/// Why a line is not a request (or a response).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedLine(pub String);

impl fmt::Display for MalformedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MalformedLine {}

/// The request line for `argv`, ending with a newline.
pub fn request_line(argv: &[String]) -> String {
    format!("{}\n", serde_json::json!({ "argv": argv }))
}

/// Reads a request line: the arguments to run.
pub fn parse_request(line: &str) -> Result<Vec<String>, MalformedLine> {
    serde_json::from_str::<Request>(line.trim_end_matches(['\r', '\n']))
        .map(|r| r.argv)
        .map_err(|e| {
            MalformedLine(format!(
                "malformed request ({e}); expected one JSON object per line, such as {{\"argv\": [\"list_queues\"]}}"
            ))
        })
}

/// Reads a response line (the client's side).
pub fn parse_response(line: &str) -> Result<CtlOutput, MalformedLine> {
    serde_json::from_str::<CtlOutput>(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| MalformedLine(format!("malformed response from the server ({e})")))
}

/// The response line for `output`, ending with a newline.
pub fn response_line(output: &CtlOutput) -> String {
    // Serialising strings and an integer cannot fail.
    let json = serde_json::to_string(output).unwrap_or_default();
    format!("{json}\n")
}

/// Answers one request line of the control port: runs the command on
/// `broker` and returns the response line (ending with a newline). A
/// malformed line is answered with exit code 65 and the reason on stderr.
pub fn serve_request(broker: &mut Broker, line: &str, node: &NodeInfo) -> String {
    let output = match parse_request(line) {
        Ok(argv) => run(broker, &argv, node),
        Err(e) => CtlOutput {
            stdout: String::new(),
            stderr: format!("Error: {e}\n"),
            exit_code: exit_code::DATA_ERROR,
        },
    };
    response_line(&output)
}
