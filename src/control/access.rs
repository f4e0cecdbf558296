//! The vhost, user and permission commands: `list_users`,
//! `list_permissions`, `list_user_permissions`, `add_vhost`,
//! `delete_vhost`, `set_permissions` (`list_vhosts` is a listing).
//!
//! Their effects on the broker are the engine's (`engine/vhost.rs`); here
//! are their banners, tables and errors as rabbitmqctl 3.10 prints them.
//! Note the quoting, which differs from command to command, as in
//! RabbitMQ: `Deleting vhost "x" ...`, `Virtual host 'x' does not exist`,
//! but `Virtual host x does not exist` from set_permissions.

use crate::control::cell::Cell;
use crate::control::error::{exit_code, Failure};
use crate::control::format::{Rows, WhenEmpty};
use crate::control::report::Report;
use crate::engine::vhost::{AccessError, Permission, DEFAULT_VHOST};
use crate::engine::Broker;
use serde_json::json;

fn permission_cells(p: &Permission) -> [Cell; 3] {
    [
        Cell::text(&p.configure),
        Cell::text(&p.write),
        Cell::text(&p.read),
    ]
}

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

pub(crate) fn list_users(broker: &Broker) -> Report {
    let rows = broker
        .access()
        .users()
        .iter()
        .map(|u| {
            vec![
                Cell::text(&u.name),
                Cell::Custom {
                    text: format!("[{}]", u.tags.join(",")),
                    json: json!(u.tags),
                },
            ]
        })
        .collect();
    Report::rows(
        vec!["Listing users ...".to_string()],
        Rows {
            columns: columns(&["user", "tags"]),
            rows,
            when_empty: WhenEmpty::BlankLine,
        },
    )
}

pub(crate) fn list_permissions(broker: &Broker, vhost: &str) -> Report {
    let banner = vec![format!("Listing permissions for vhost \"{vhost}\" ...")];
    if !broker.access().vhost_exists(vhost) {
        let missing = AccessError::NoSuchVhost(vhost.to_string());
        return Report::failed(banner, Failure::bare(exit_code::DATA_ERROR, missing));
    }
    let rows = broker
        .access()
        .permissions_on(vhost)
        .map(|(user, p)| permission_row(user, p))
        .collect();
    permission_report(banner, "user", rows)
}

pub(crate) fn list_user_permissions(broker: &Broker, user: &str) -> Report {
    let banner = vec![format!("Listing permissions for user \"{user}\" ...")];
    if !broker.access().user_exists(user) {
        let reason = format!(
            "{{:no_such_user, {}}}",
            crate::control::close_connection::elixir_string(user)
        );
        return Report::failed(banner, Failure::error(exit_code::UNAVAILABLE, reason));
    }
    let rows = broker
        .access()
        .permissions_on(DEFAULT_VHOST)
        .filter(|(u, _)| *u == user)
        .map(|(_, p)| permission_row(DEFAULT_VHOST, p))
        .collect();
    permission_report(banner, "vhost", rows)
}

/// One row of a permissions listing: who or where, then the three patterns.
fn permission_row(first: &str, permissions: &Permission) -> Vec<Cell> {
    let mut row = vec![Cell::text(first)];
    row.extend(permission_cells(permissions));
    row
}

/// A permissions listing whose first column is `first_column` (`user` or
/// `vhost`), as `rabbitmqctl list_permissions` / `list_user_permissions`.
fn permission_report(banner: Vec<String>, first_column: &str, rows: Vec<Vec<Cell>>) -> Report {
    Report::rows(
        banner,
        Rows {
            columns: columns(&[first_column, "configure", "write", "read"]),
            rows,
            when_empty: WhenEmpty::BlankLine,
        },
    )
}

pub(crate) fn add_vhost(broker: &mut Broker, vhost: &str) -> Report {
    let banner = vec![format!("Adding vhost \"{vhost}\" ...")];
    match broker.add_vhost(vhost) {
        // Adding one that exists is no error, as in RabbitMQ.
        Ok(_) => Report::done(banner),
        Err(e) => Report::failed(banner, Failure::error(exit_code::UNAVAILABLE, e)),
    }
}

pub(crate) fn delete_vhost(broker: &mut Broker, vhost: &str) -> Report {
    let banner = vec![format!("Deleting vhost \"{vhost}\" ...")];
    match broker.delete_vhost(vhost) {
        Ok(()) => Report::done(banner),
        Err(e) => Report::failed(banner, Failure::bare(exit_code::DATA_ERROR, e)),
    }
}

pub(crate) fn set_permissions(
    broker: &mut Broker,
    vhost: &str,
    user: &str,
    permission: Permission,
) -> Report {
    let banner = vec![format!(
        "Setting permissions for user \"{user}\" in vhost \"{vhost}\" ..."
    )];
    match broker.set_permissions(user, vhost, permission) {
        Ok(()) => Report::done(banner),
        Err(AccessError::NoSuchUser(u)) => Report::failed(
            banner,
            Failure::error(exit_code::NO_USER, format!("User {u} does not exist")),
        ),
        Err(AccessError::NoSuchVhost(v)) => Report::failed(
            banner,
            Failure::error(
                exit_code::UNAVAILABLE,
                format!("Virtual host {v} does not exist"),
            ),
        ),
        Err(e) => Report::failed(banner, Failure::error(exit_code::UNAVAILABLE, e)),
    }
}
