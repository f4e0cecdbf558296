//! The commands warrenctl knows: their names (rabbitmqctl's), the options
//! each accepts, the columns a listing can show, and a line of help.
//!
//! One table, so parsing, validation and the usage text cannot disagree.

use crate::control::listing;

/// How a switch takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arity {
    /// `--quiet`: no value.
    Flag,
    /// `--vhost /`: a string.
    Text,
    /// `--timeout 30`: a whole number.
    Integer,
}

/// An option, by its long name (with dashes) and its one-letter alias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Switch {
    pub long: &'static str,
    pub short: Option<char>,
    pub arity: Arity,
}

const fn switch(long: &'static str, short: Option<char>, arity: Arity) -> Switch {
    Switch { long, short, arity }
}

/// Options every command accepts.
pub(crate) const GLOBAL_SWITCHES: &[Switch] = &[
    switch("node", Some('n'), Arity::Text),
    switch("quiet", Some('q'), Arity::Flag),
    switch("silent", Some('s'), Arity::Flag),
    switch("vhost", Some('p'), Arity::Text),
    switch("longnames", Some('l'), Arity::Flag),
    switch("formatter", None, Arity::Text),
    switch("timeout", Some('t'), Arity::Integer),
];

const LISTING_SWITCHES: &[Switch] = &[switch("no-table-headers", None, Arity::Flag)];

/// list_queues also takes rabbitmqctl's cluster filters; every Warren queue
/// is local and online, so they change nothing.
const LIST_QUEUES_SWITCHES: &[Switch] = &[
    switch("no-table-headers", None, Arity::Flag),
    switch("online", None, Arity::Flag),
    switch("offline", None, Arity::Flag),
    switch("local", None, Arity::Flag),
];

const DELETE_QUEUE_SWITCHES: &[Switch] = &[
    switch("if-empty", Some('e'), Arity::Flag),
    switch("if-unused", Some('u'), Arity::Flag),
];

/// Accepted for compatibility; Warren's one vhost has no description or tags.
const ADD_VHOST_SWITCHES: &[Switch] = &[
    switch("description", None, Arity::Text),
    switch("tags", None, Arity::Text),
    switch("default-queue-type", None, Arity::Text),
];

const STATUS_SWITCHES: &[Switch] = &[switch("unit", None, Arity::Text)];

/// Where a command appears in the usage text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Listings,
    AccessControl,
    Operations,
    Help,
}

impl Section {
    pub(crate) const ALL: [Section; 4] = [
        Section::Listings,
        Section::AccessControl,
        Section::Operations,
        Section::Help,
    ];

    pub(crate) fn title(self) -> &'static str {
        match self {
            Section::Listings => "Listings",
            Section::AccessControl => "Virtual host, users and permissions",
            Section::Operations => "Queues and connections",
            Section::Help => "Node and help",
        }
    }
}

/// A command.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CommandSpec {
    pub name: &'static str,
    pub section: Section,
    pub summary: &'static str,
    /// What follows the command name in its usage line.
    pub synopsis: &'static str,
    /// Options beyond the global ones.
    pub switches: &'static [Switch],
    /// For listings: every column it can show, and those shown by default.
    pub columns: &'static [&'static str],
    pub default_columns: &'static [&'static str],
}

const fn command(
    name: &'static str,
    section: Section,
    summary: &'static str,
    synopsis: &'static str,
    switches: &'static [Switch],
) -> CommandSpec {
    CommandSpec {
        name,
        section,
        summary,
        synopsis,
        switches,
        columns: &[],
        default_columns: &[],
    }
}

const fn listing(
    name: &'static str,
    summary: &'static str,
    synopsis: &'static str,
    switches: &'static [Switch],
    columns: &'static [&'static str],
    default_columns: &'static [&'static str],
) -> CommandSpec {
    CommandSpec {
        name,
        section: Section::Listings,
        summary,
        synopsis,
        switches,
        columns,
        default_columns,
    }
}

/// Every command, in the order the usage text lists them.
pub(crate) const COMMANDS: &[CommandSpec] = &[
    listing(
        "list_queues",
        "Lists queues, with the columns you name",
        "[-p <vhost>] [--no-table-headers] [<column> ...]",
        LIST_QUEUES_SWITCHES,
        listing::queues::COLUMNS,
        &["name", "messages"],
    ),
    listing(
        "list_exchanges",
        "Lists exchanges, the default exchange \"\" too",
        "[-p <vhost>] [--no-table-headers] [<column> ...]",
        LISTING_SWITCHES,
        listing::exchanges::COLUMNS,
        &["name", "type"],
    ),
    listing(
        "list_bindings",
        "Lists bindings, the default exchange's implicit ones too",
        "[-p <vhost>] [--no-table-headers] [<column> ...]",
        LISTING_SWITCHES,
        listing::bindings::COLUMNS,
        listing::bindings::COLUMNS,
    ),
    listing(
        "list_consumers",
        "Lists consumers",
        "[-p <vhost>] [--no-table-headers] [<column> ...]",
        LISTING_SWITCHES,
        listing::consumers::COLUMNS,
        &[
            "queue_name",
            "channel_pid",
            "consumer_tag",
            "ack_required",
            "prefetch_count",
            "active",
            "arguments",
        ],
    ),
    listing(
        "list_connections",
        "Lists AMQP connections (their pids are what close_connection takes)",
        "[--no-table-headers] [<column> ...]",
        LISTING_SWITCHES,
        listing::connections::COLUMNS,
        &["user", "peer_host", "peer_port", "state"],
    ),
    listing(
        "list_channels",
        "Lists channels",
        "[--no-table-headers] [<column> ...]",
        LISTING_SWITCHES,
        listing::channels::COLUMNS,
        &["pid", "user", "consumer_count", "messages_unacknowledged"],
    ),
    CommandSpec {
        section: Section::AccessControl,
        ..listing(
            "list_vhosts",
            "Lists virtual hosts (Warren has one, /)",
            "[--no-table-headers] [<column> ...]",
            LISTING_SWITCHES,
            listing::vhosts::COLUMNS,
            &["name"],
        )
    },
    command(
        "list_users",
        Section::AccessControl,
        "Lists users and their tags",
        "[--no-table-headers]",
        LISTING_SWITCHES,
    ),
    command(
        "list_permissions",
        Section::AccessControl,
        "Lists the users' permissions on a vhost",
        "[-p <vhost>] [--no-table-headers]",
        LISTING_SWITCHES,
    ),
    command(
        "list_user_permissions",
        Section::AccessControl,
        "Lists a user's permissions on every vhost",
        "[--no-table-headers] <username>",
        LISTING_SWITCHES,
    ),
    command(
        "add_vhost",
        Section::AccessControl,
        "Creates the vhost / again after delete_vhost (with no permissions)",
        "<vhost>",
        ADD_VHOST_SWITCHES,
    ),
    command(
        "delete_vhost",
        Section::AccessControl,
        "Deletes a vhost: its queues, exchanges and permissions; closes its connections",
        "<vhost>",
        &[],
    ),
    command(
        "set_permissions",
        Section::AccessControl,
        "Sets a user's configure, write and read permissions on a vhost",
        "[-p <vhost>] <username> <conf> <write> <read>",
        &[],
    ),
    command(
        "purge_queue",
        Section::Operations,
        "Removes a queue's ready messages (unacknowledged ones stay)",
        "[-p <vhost>] <queue>",
        &[],
    ),
    command(
        "delete_queue",
        Section::Operations,
        "Deletes a queue; its consumers are cancelled",
        "[-p <vhost>] <queue> [--if-empty|-e] [--if-unused|-u]",
        DELETE_QUEUE_SWITCHES,
    ),
    command(
        "close_connection",
        Section::Operations,
        "Closes a connection (by pid, see list_connections pid) with a reason",
        "<connection pid> <explanation>",
        &[],
    ),
    command(
        "status",
        Section::Help,
        "Shows the node: versions, data directory, totals, listeners",
        "",
        STATUS_SWITCHES,
    ),
    command(
        "help",
        Section::Help,
        "Shows this text, or a command's usage and columns",
        "[<command>]",
        &[],
    ),
    command("version", Section::Help, "Shows Warren's version", "", &[]),
];

/// The command called `name`.
pub(crate) fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// A switch by long name or alias, global or the command's.
pub(crate) fn find_switch(spec: &CommandSpec, long: &str) -> Option<Switch> {
    GLOBAL_SWITCHES
        .iter()
        .chain(spec.switches)
        .find(|s| s.long == long)
        .copied()
}

/// Any command's switch with this long name (to parse before the command is known).
pub(crate) fn any_switch_named(long: &str) -> Option<Switch> {
    GLOBAL_SWITCHES
        .iter()
        .chain(COMMANDS.iter().flat_map(|c| c.switches))
        .find(|s| s.long == long)
        .copied()
}

/// Any command's switch with this alias.
pub(crate) fn any_switch_aliased(short: char) -> Option<Switch> {
    GLOBAL_SWITCHES
        .iter()
        .chain(COMMANDS.iter().flat_map(|c| c.switches))
        .find(|s| s.short == Some(short))
        .copied()
}
