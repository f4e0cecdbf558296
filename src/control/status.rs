//! `status`: the node at a glance, in the layout of rabbitmqctl 3.10's
//! (bold section headings, `Key: value` lines), with what Warren knows:
//! the process, the versions, where data is kept, totals and listeners.
//! RabbitMQ's Erlang-specific sections (memory breakdown, file
//! descriptors, plugins) have no Warren counterpart and are left out.
//!
//! `RabbitMQ version` is the version whose behaviour the broker's profile
//! reproduces; `Product name` and `Product version` say it is Warren (RabbitMQ
//! prints those two lines when a product name is configured).

use crate::control::format::Formatter;
use crate::control::node::NodeInfo;
use crate::control::report::Report;
use crate::control::usage::bold;
use crate::engine::{Broker, Profile};
use serde_json::json;

/// The RabbitMQ release a profile behaves like.
fn rabbitmq_version(profile: Profile) -> &'static str {
    match profile {
        Profile::RabbitMq3 => "3.10.8",
        Profile::RabbitMq43 => "4.3.0",
    }
}

/// Counts `status` reports.
struct Totals {
    connections: usize,
    queues: usize,
    vhosts: usize,
}

fn totals(broker: &Broker) -> Totals {
    Totals {
        connections: broker.connections().filter(|c| c.open).count(),
        queues: broker.queues().count(),
        vhosts: usize::from(
            broker
                .access()
                .vhost_exists(crate::engine::vhost::DEFAULT_VHOST),
        ),
    }
}

pub(crate) fn status(broker: &Broker, node: &NodeInfo, formatter: Formatter) -> Report {
    let banner = vec![format!("Status of node {} ...", node.node_name)];
    let text = match formatter {
        Formatter::Json => format!("{}\n", status_json(broker, node)),
        _ => status_text(broker, node),
    };
    Report::text(banner, text)
}

fn status_text(broker: &Broker, node: &NodeInfo) -> String {
    let totals = totals(broker);
    let heading = |title: &str| format!("\n{}\n", bold(title));
    let mut lines = vec![
        format!("{}\n", bold("Runtime")),
        format!("OS PID: {}", node.os_pid),
        format!("OS: {}", node.os),
        format!("Uptime (seconds): {}", node.uptime_seconds),
        "Is under maintenance?: false".to_string(),
        format!("Product name: {}", node.product_name),
        format!("Product version: {}", node.product_version),
        format!("RabbitMQ version: {}", rabbitmq_version(broker.profile())),
        format!("Node name: {}", node.node_name),
        format!("Broker profile: {}", broker.profile().name()),
        format!("Virtual time (ms): {}", broker.now()),
        heading("Data directory"),
        format!(
            "Node data directory: {}",
            node.data_directory
                .as_deref()
                .unwrap_or("(none: state is kept in memory)")
        ),
        heading("Alarms"),
        "(none)".to_string(),
        heading("Totals"),
        format!("Connection count: {}", totals.connections),
        format!("Queue count: {}", totals.queues),
        format!("Virtual host count: {}", totals.vhosts),
        heading("Listeners"),
    ];
    if node.listeners.is_empty() {
        lines.push("(none)".to_string());
    }
    for l in &node.listeners {
        lines.push(format!(
            "Interface: {}, port: {}, protocol: {}, purpose: {}",
            l.interface, l.port, l.protocol, l.purpose
        ));
    }
    format!("{}\n", lines.join("\n"))
}

fn status_json(broker: &Broker, node: &NodeInfo) -> serde_json::Value {
    let totals = totals(broker);
    let listeners: Vec<serde_json::Value> = node
        .listeners
        .iter()
        .map(|l| {
            json!({
                "interface": l.interface,
                "node": node.node_name,
                "port": l.port,
                "protocol": l.protocol,
                "purpose": l.purpose,
            })
        })
        .collect();
    json!({
        "alarms": [],
        "broker_profile": broker.profile().name(),
        "data_directory": node.data_directory.clone().unwrap_or_default(),
        "is_under_maintenance": false,
        "listeners": listeners,
        "os": node.os,
        "pid": node.os_pid,
        "product_name": node.product_name,
        "product_version": node.product_version,
        "rabbitmq_version": rabbitmq_version(broker.profile()),
        "totals": {
            "connection_count": totals.connections,
            "queue_count": totals.queues,
            "virtual_host_count": totals.vhosts,
        },
        "uptime": node.uptime_seconds,
        "virtual_time_ms": broker.now(),
    })
}
