//! `list_vhosts`: Warren's one virtual host, while it exists.

use crate::control::cell::Cell;
use crate::control::listing::Source;
use crate::engine::vhost::DEFAULT_VHOST;
use serde_json::json;

pub(crate) const COLUMNS: &[&str] = &["name", "description", "tags", "tracing", "cluster_state"];

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    if !source.broker.access().vhost_exists(DEFAULT_VHOST) {
        return Vec::new();
    }
    let node = &source.node.node_name;
    let row = columns
        .iter()
        .map(|column| match column.as_str() {
            "name" => Cell::text(DEFAULT_VHOST),
            "description" => Cell::text("Default virtual host"),
            "tags" => Cell::Custom {
                text: "[]".to_string(),
                json: json!([]),
            },
            "tracing" => Cell::Bool(false),
            "cluster_state" => Cell::Custom {
                text: format!("[{{{node},running}}]"),
                json: json!({ node.as_str(): "running" }),
            },
            _ => Cell::text(""),
        })
        .collect();
    vec![row]
}
