//! What only the host knows about the node: its name, the process, its
//! listeners, how long it has run, where it keeps its data.
//!
//! The broker engine is pure and knows none of this (no OS, no sockets, no
//! wall clock), yet `rabbitmqctl status` shows it, and every pid a listing
//! prints names the node (`<warren@localhost.1.7.0>`). So the host
//! (`warren-server`, or the browser workbench) describes itself once in a
//! [`NodeInfo`] and hands it to [`crate::control::run`] with each command.

/// The node name Warren uses, in RabbitMQ's `name@host` form.
pub const DEFAULT_NODE_NAME: &str = "warren@localhost";

/// The name `status` reports as the product.
pub const PRODUCT_NAME: &str = "Warren";

/// Warren's own version (the crate's).
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A port the node listens on, as `status` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// The address it is bound to, `127.0.0.1` or `::`.
    pub interface: String,
    pub port: u16,
    /// `amqp`, or `clustering` for the control port (RabbitMQ's name for
    /// the port its CLI tools reach the node on).
    pub protocol: String,
    pub purpose: String,
}

impl Listener {
    /// The AMQP 0-9-1 port clients connect to.
    pub fn amqp(interface: &str, port: u16) -> Listener {
        Listener {
            interface: interface.to_string(),
            port,
            protocol: "amqp".to_string(),
            purpose: "AMQP 0-9-1".to_string(),
        }
    }

    /// The control port `warrenctl` talks to (one JSON request per line).
    pub fn control(interface: &str, port: u16) -> Listener {
        Listener {
            interface: interface.to_string(),
            port,
            protocol: "clustering".to_string(),
            purpose: "warrenctl (CLI tool) communication".to_string(),
        }
    }
}

/// The node as the host sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// `warren@localhost`: shown by `status` and inside every pid.
    pub node_name: String,
    /// `Warren`.
    pub product_name: String,
    /// Warren's version.
    pub product_version: String,
    /// The OS process id of the server (0 where there is none, the browser).
    pub os_pid: u32,
    /// `Linux`, `macOS`, `browser`...
    pub os: String,
    pub uptime_seconds: u64,
    /// Where the server keeps its durable state, if on disk.
    pub data_directory: Option<String>,
    pub listeners: Vec<Listener>,
}

impl Default for NodeInfo {
    /// A node without a process or listeners: the browser workbench.
    fn default() -> NodeInfo {
        NodeInfo {
            node_name: DEFAULT_NODE_NAME.to_string(),
            product_name: PRODUCT_NAME.to_string(),
            product_version: PRODUCT_VERSION.to_string(),
            os_pid: 0,
            os: "browser".to_string(),
            uptime_seconds: 0,
            data_directory: None,
            listeners: Vec::new(),
        }
    }
}
