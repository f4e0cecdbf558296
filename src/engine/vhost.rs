//! The virtual host `/`, the users, and who may use the vhost.
//!
//! A RabbitMQ broker holds many virtual hosts; Warren simulates one, `/`,
//! and the one user RabbitMQ starts with, `guest`. What an operator can do
//! to them (`rabbitmqctl delete_vhost`, `add_vhost`, `set_permissions`) is
//! what lessons about access control need:
//!
//! - **Deleting** `/` takes everything in it away, in RabbitMQ's order: each
//!   queue is deleted (its consumers get `basic.cancel`), then every
//!   exchange, then every connection is closed with 320
//!   `CONNECTION_FORCED - vhost '/' is deleted`, and the server resets the
//!   socket at once, without waiting for close-ok. The deletions of durable
//!   queues and exchanges are recorded like any other, so a restart does
//!   not bring them back. While `/` is gone, connection.open of it fails
//!   with 530 `NOT_ALLOWED - vhost / not found`.
//! - **Adding** `/` again gives it its predeclared `amq.*` exchanges but,
//!   as in RabbitMQ, *no permissions*: connection.open then fails with 530
//!   `NOT_ALLOWED - access to vhost '/' refused for user 'guest'` until
//!   `set_permissions -p / guest ".*" ".*" ".*"`.
//! - **Permissions** are kept as the three patterns RabbitMQ stores
//!   (configure, write, read). Warren checks only that a user *has* a
//!   permission on the vhost (connection.open); it does not match the
//!   patterns against resource names.
//!
//! The vhost's existence and its permissions live in the engine's state but
//! not in the durable state: a broker rebuilt from a store starts with `/`
//! and guest's full permissions, as a fresh RabbitMQ node does.

use crate::engine::broker::Broker;
use crate::engine::error::{AmqpError, ReplyCode};
use crate::engine::event::{EventKind, ExchangeDeleteReason, Initiator, QueueDeleteReason};
use crate::engine::ids::{ConnId, ExchangeId, QueueId};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// The one virtual host Warren simulates.
pub const DEFAULT_VHOST: &str = "/";

/// The user every RabbitMQ node starts with (password `guest`).
pub const DEFAULT_USER: &str = "guest";

/// A user's permission on a vhost: three regular expressions over resource
/// names, as `rabbitmqctl set_permissions` takes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub configure: String,
    pub write: String,
    pub read: String,
}

impl Permission {
    /// `".*" ".*" ".*"`: everything, what guest has on a fresh node.
    pub fn full() -> Permission {
        Permission {
            configure: ".*".to_string(),
            write: ".*".to_string(),
            read: ".*".to_string(),
        }
    }
}

/// A user of the broker and its tags (`administrator`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub tags: Vec<String>,
}

/// Users, the vhost's existence and the permissions on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessControl {
    users: Vec<User>,
    vhost_exists: bool,
    /// Permissions on `/`, by user name.
    permissions: BTreeMap<String, Permission>,
}

impl Default for AccessControl {
    /// A fresh node: user guest (administrator) with full permissions on `/`.
    fn default() -> AccessControl {
        let mut permissions = BTreeMap::new();
        permissions.insert(DEFAULT_USER.to_string(), Permission::full());
        AccessControl {
            users: vec![User {
                name: DEFAULT_USER.to_string(),
                tags: vec!["administrator".to_string()],
            }],
            vhost_exists: true,
            permissions,
        }
    }
}

impl AccessControl {
    pub fn users(&self) -> &[User] {
        &self.users
    }

    pub fn user_exists(&self, name: &str) -> bool {
        self.users.iter().any(|u| u.name == name)
    }

    /// Whether vhost `name` exists (only `/` can).
    pub fn vhost_exists(&self, name: &str) -> bool {
        self.vhost_exists && name == DEFAULT_VHOST
    }

    /// The permissions on vhost `name` by user (none for a missing vhost).
    pub fn permissions_on(&self, vhost: &str) -> impl Iterator<Item = (&str, &Permission)> {
        let exists = self.vhost_exists(vhost);
        self.permissions
            .iter()
            .filter(move |_| exists)
            .map(|(user, p)| (user.as_str(), p))
    }
}

/// Why an operator's request about users, vhosts or permissions failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessError {
    /// The vhost does not exist (deleted, or never was).
    NoSuchVhost(String),
    /// The user does not exist.
    NoSuchUser(String),
    /// Warren simulates one vhost; it cannot add another.
    OnlyDefaultVhost(String),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessError::NoSuchVhost(v) => write!(f, "Virtual host '{v}' does not exist"),
            AccessError::NoSuchUser(u) => write!(f, "User {u} does not exist"),
            AccessError::OnlyDefaultVhost(v) => write!(
                f,
                "Warren simulates a single virtual host, '{DEFAULT_VHOST}'; it cannot add '{v}'"
            ),
        }
    }
}

impl std::error::Error for AccessError {}

impl Broker {
    /// Users, the vhost and permissions, for listings.
    pub fn access(&self) -> &AccessControl {
        &self.access
    }

    /// Why `user` may not open `vhost` (connection.open's 530 explanation),
    /// or `None` if it may. The vhost's existence is checked first, as in
    /// RabbitMQ.
    pub(crate) fn vhost_refusal(&self, vhost: &str, user: &str) -> Option<String> {
        if !self.access.vhost_exists(vhost) {
            // RabbitMQ quotes nothing here: `vhost nope not found`.
            return Some(format!("vhost {vhost} not found"));
        }
        if !self.access.permissions.contains_key(user) {
            return Some(format!(
                "access to vhost '{vhost}' refused for user '{user}'"
            ));
        }
        None
    }

    /// `rabbitmqctl delete_vhost`: cancels the consumers and deletes the
    /// queues, deletes the exchanges, then closes every connection with 320
    /// (the socket is reset without waiting for close-ok). The permissions
    /// go with the vhost.
    pub fn delete_vhost(&mut self, name: &str) -> Result<(), AccessError> {
        if !self.access.vhost_exists(name) {
            return Err(AccessError::NoSuchVhost(name.to_string()));
        }
        self.emit(EventKind::VhostDeleted {
            vhost: Rc::from(name),
        });
        let queues: Vec<QueueId> = self.queues.keys().copied().collect();
        for queue in queues {
            self.delete_queue(queue, QueueDeleteReason::VhostDeleted);
        }
        let exchanges: Vec<ExchangeId> = self.exchanges.keys().copied().collect();
        for exchange in exchanges {
            // An earlier deletion may have auto-deleted this one already.
            self.delete_exchange(exchange, ExchangeDeleteReason::VhostDeleted);
        }
        let forced = AmqpError::new(
            ReplyCode::ConnectionForced,
            format!("vhost '{name}' is deleted"),
        );
        let open: Vec<ConnId> = self
            .connections
            .values()
            .filter(|c| c.open)
            .map(|c| c.id)
            .collect();
        for conn in open {
            self.connection_down_with(conn, Initiator::Broker, Some(&forced), false);
        }
        self.settle_dying();
        self.access.vhost_exists = false;
        self.access.permissions.clear();
        Ok(())
    }

    /// `rabbitmqctl add_vhost`: recreates `/` with its predeclared
    /// exchanges and no permissions. Adding `/` while it exists changes
    /// nothing (and is no error, as in RabbitMQ). Returns whether it was
    /// created.
    pub fn add_vhost(&mut self, name: &str) -> Result<bool, AccessError> {
        if name != DEFAULT_VHOST {
            return Err(AccessError::OnlyDefaultVhost(name.to_string()));
        }
        if self.access.vhost_exists {
            return Ok(false);
        }
        self.access.vhost_exists = true;
        self.declare_system_exchanges();
        self.emit(EventKind::VhostAdded {
            vhost: Rc::from(name),
        });
        Ok(true)
    }

    /// `rabbitmqctl set_permissions`: gives `user` a permission on `vhost`
    /// (replacing any it had). The user is checked first, as in RabbitMQ.
    pub fn set_permissions(
        &mut self,
        user: &str,
        vhost: &str,
        permission: Permission,
    ) -> Result<(), AccessError> {
        if !self.access.user_exists(user) {
            return Err(AccessError::NoSuchUser(user.to_string()));
        }
        if !self.access.vhost_exists(vhost) {
            return Err(AccessError::NoSuchVhost(vhost.to_string()));
        }
        self.emit(EventKind::PermissionsSet {
            vhost: Rc::from(vhost),
            user: Rc::from(user),
            configure: permission.configure.clone(),
            write: permission.write.clone(),
            read: permission.read.clone(),
        });
        self.access.permissions.insert(user.to_string(), permission);
        Ok(())
    }
}
