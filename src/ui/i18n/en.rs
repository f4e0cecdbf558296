//! English: the labels and the event sentences.

use super::Text;
use crate::engine::event::*;
use crate::sim::{ActorEventKind, Outcome};
use crate::ui::describe::Say;

pub static TEXT: Text = Text {
    document_failed: "This scenario cannot be opened",
    share_button: "Share / export",
    dialog_title: "Share, export, import",
    share_link: "Link to this setup",
    share_help: "The link carries the topology, producers and workers (not the messages) in its #fragment, which never reaches a server.",
    copy: "Copy",
    export_json: "Warren scenario (JSON)",
    export_definitions: "RabbitMQ definitions.json (topology only)",
    download: "Download",
    import_title: "Open a scenario or definitions.json",
    import_help: "Paste a Warren scenario or a RabbitMQ definitions.json (as the management UI exports it), or choose a file. It replaces the broker on screen.",
    import_file: "File",
    import_open: "Open",
    vhost_pick: "Virtual host",
    dialog_close: "Close",
    embed_open: "Open in Warren",
    store_embedded: "embedded player: nothing is stored",
    tutorial_pick: "Tutorial…",
    tutorial_label: "Open a tutorial chapter",
    lesson_chapter: "Chapter {n}",
    lesson_task_of: "Task {i} of {n}",
    lesson_checks: "Checkpoints",
    lesson_hint: "Hint",
    lesson_more_hint: "Another hint",
    lesson_show_me: "Show me",
    lesson_reset: "Start over",
    lesson_close: "Close",
    lesson_read: "Read the chapter",
    lesson_concepts: "Point at a term to see it on the diagram:",
    lesson_finished: "Chapter finished",
    lesson_next: "Next chapter",
    lesson_why: "Why",
    lesson_tasks: "Tasks",
    lesson_progress: "{done}/{n} done",
    show_me_failed_title: "Show me stopped",
    show_me_failed_hint: "Something the chapter needs was removed. Start the chapter over to see the solution.",
    tab_list_queues: "list_queues",
    tab_code: "pika code",
    code_actions: "Your actions, as pika calls",
    code_programs: "Programs",
    code_setup: "setup.py: the topology",
    code_none: "Nothing yet: what you build appears here as pika code.",
    code_refused: "refused by the broker",
    code_program_label: "Program",
    ack_auto: "auto-ack",
    ack_auto_help: "auto_ack=True: the broker forgets each message as it sends it. If the worker dies mid-task, the task is lost.",
    ack_manual: "manual ack",
    ack_manual_help: "The worker sends basic.ack when done; if it dies first, the message goes back to the queue.",
    add_producer: "Add producer",
    add_worker: "Add worker",
    advance_1s: "+1 s",
    advance_help: "Let one second of virtual time pass (everything due in it happens)",
    alternate_help: "alternate-exchange: where messages that match no binding go instead of being dropped.",
    apply_worker: "Restart with these settings",
    arg_delivery_limit: "Quorum queues: dead-letter a message after this many redeliveries.",
    arg_dlrk: "Routing key for dead-lettered messages (default: their own).",
    arg_dlx: "Exchange that receives messages that are rejected, expire or overflow.",
    arg_expires: "Delete the queue after it has been unused this many ms.",
    arg_max_length: "At most this many ready messages.",
    arg_max_length_bytes: "At most this many bytes of ready message bodies.",
    arg_max_priority: "Make this a priority queue with levels 0…N.",
    arg_message_ttl: "Messages expire after this many ms in the queue.",
    arg_overflow: "What a full queue does: drop the oldest (default) or refuse new messages.",
    arg_queue_type: "classic, quorum or stream (quorum and stream must be durable).",
    arg_sac: "Only one consumer receives messages; the others wait as standbys.",
    aria_exchange: "Exchange {name}, type {type}",
    aria_producer: "Producer {name}, {n} sent",
    aria_queue: "Queue {name}: {ready} ready, {unacked} unacknowledged, {consumers} consumers",
    aria_worker: "Worker {name}, {state}, {unacked} unacknowledged",
    bind: "Bind",
    binding_args_help: "For headers exchanges: x-match=all or any, then key=value lines.",
    binding_intro: "A binding tells an exchange which queues (or exchanges) want which messages. Tip: drag from an exchange's + handle to a queue.",
    binding_key_direct_help: "Direct: a message goes here when its routing key equals this key.",
    binding_key_fanout_help: "Fanout ignores the key: every bound queue gets a copy.",
    binding_key_headers_help: "Headers exchanges ignore the key; use the arguments below.",
    binding_key_topic_help: "Topic: dot-separated words; * matches exactly one word, # zero or more.",
    bindings_n: "Bindings ({n})",
    body_help: "Free text. A lesson worker works one second for each '.', so “Task ...” takes 3 s.",
    broker_title: "Broker",
    build_title: "Build",
    cancel_consumer: "Cancel consumer",
    cat_broker: "broker",
    cat_client: "clients",
    cat_dead: "dead",
    cat_deliver: "deliver",
    cat_error: "errors",
    cat_publish: "publish",
    cat_store: "disk",
    cat_settle: "ack/nack",
    cat_topology: "topology",
    cat_worker: "workers",
    channel_closed_short: "channel closed",
    channel_is_closed: "The channel is closed: the client sends nothing.",
    client_refused: "refused by the client",
    close_inspector: "Close the inspector",
    confirm_counts: "{ack} acked · {nack} nacked · {pending} pending",
    confirm_help: "confirm.select: the broker acks every publish once it has taken responsibility for it.",
    confirms: "Confirms",
    connection_is_closed: "The connection is closed: the client sends nothing.",
    consumer_tag: "Consumer tag",
    consumers: "consumers",
    controls: "Playback",
    crash: "Crash",
    crash_help: "Crash: the broker stops at once. On boot, durable queues and persistent messages come back; everything else is lost.",
    declare_again: "Declare again…",
    declare_exchange: "Declare exchange",
    declare_queue: "Declare queue",
    default_exchange: "(AMQP default)",
    default_exchange_help: "The default exchange routes a message to the queue named by its routing key. Every queue is bound to it implicitly.",
    delete: "Delete",
    depth_chart: "Depth over time",
    diagram: "Topology diagram",
    dismiss: "Dismiss",
    done: "Done",
    drag_hint: "Drag nodes (or Alt+arrows) to rearrange · drag an exchange's + onto a queue to bind",
    dropped_short: "dropped: no route",
    edit: "Edit",
    empty_help: "Build the lessons' programs with the forms on the left, or load a lesson from the menu above them.",
    empty_step1: "Declare a queue, e.g. task_queue (durable).",
    empty_step2: "Add a producer that publishes to it, and one or two workers that consume from it.",
    empty_step3: "Publish, then step through every delivery with Space.",
    empty_title: "Nothing here yet",
    every_label: "Every (ms)",
    exchange_auto_delete_help: "Deleted when its last binding is removed.",
    exchange_durable_help: "Survives a broker restart.",
    exchange_gone: "Exchange '{name}' does not exist (any more).",
    exchange_internal_help: "Publishers cannot publish to it directly; only other exchanges can route to it.",
    exchange_intro: "Producers publish to exchanges; exchanges route copies to the queues bound to them.",
    expiration_help: "Per-message TTL in ms (the expiration property).",
    expired_short: "expired",
    f_ack_mode: "Acknowledgement",
    f_alternate: "Alternate exchange",
    f_arguments: "Arguments (x-…)",
    f_auto_delete: "Auto-delete",
    f_binding_args: "Arguments",
    f_binding_key: "Binding key",
    f_body: "Body",
    f_confirm: "Publisher confirms",
    f_dest_kind: "Destination kind",
    f_destination: "Destination",
    f_durable: "Durable",
    f_exchange: "Exchange",
    f_exclusive: "Exclusive",
    f_expiration: "Expiration (ms)",
    f_headers: "Headers",
    f_internal: "Internal",
    f_mandatory: "Mandatory",
    f_ms: "Milliseconds",
    f_ms_per_dot: "ms per '.'",
    f_name: "Name",
    f_on_done: "When done",
    f_consumes: "Consumes from",
    source_queue: "a named queue",
    source_subscribe: "its own queue, bound to an exchange",
    source_queue_help: "Like worker.py: basic_consume on a queue that exists.",
    source_subscribe_help: "Like receive_logs.py: queue_declare(queue='', exclusive=True), bound to the exchange with each key; the queue goes away with the worker.",
    f_sub_keys: "Binding keys",
    sub_keys_help: "Separated by commas (ja, error). Empty: one binding with the empty key, as a fanout needs.",
    f_reply: "Answer RPC requests",
    reply_help: "Like rpc_server.py: publish fib(n) to the request's reply_to with its correlation_id, then ack.",
    f_rpc: "RPC client",
    rpc_help: "Like rpc_client.py: an exclusive callback queue; every request carries reply_to and a new correlation_id.",
    f_persistent: "Persistent (delivery_mode 2)",
    f_prefetch: "Prefetch",
    f_priority: "Priority",
    f_properties: "More properties",
    f_queue: "Queue",
    f_routing_key: "Routing key",
    f_source: "Source exchange",
    f_type: "Type",
    f_work: "Work time",
    filter_kinds: "Show kinds",
    flag_auto_delete: "auto-delete",
    flag_auto_delete_short: "auto-del",
    flag_durable: "durable",
    flag_durable_short: "durable",
    flag_exclusive_short: "excl.",
    flag_internal: "internal",
    go_to_step: "Go to this step",
    gone: "It does not exist (any more).",
    headers_help: "One key=value a line (numbers become integers, quote to keep text).",
    hint_access_refused: "This exchange refuses the operation: system exchanges cannot be deleted, internal ones cannot be published to.",
    hint_locked: "Another connection declared this queue exclusive: only it may use the queue.",
    hint_not_found: "Nothing by that name exists: declare it first.",
    hint_redeclare: "RabbitMQ never changes an existing queue or exchange: declaring it again with other properties fails and closes the channel. Use a new name (as the lesson does with task_queue) or delete it first.",
    hv_different: "different",
    hv_equal: "equal",
    hv_missing: "missing",
    hv_nothing_all: "nothing to compare: x-match=all matches",
    hv_nothing_any: "nothing to compare: x-match=any does not match",
    hv_present: "present",
    idle: "idle",
    idle_help: "Nothing is scheduled: publish a message, add a worker or let time pass.",
    idle_title: "Nothing to do",
    implicit_binding: "key = {key}",
    in_hand: "Working on",
    inspector_empty: "Select a producer, exchange, queue or worker on the diagram (or a message in a queue) to see everything about it.",
    inspector_title: "Inspector",
    journey: "Journey",
    kill: "Kill",
    kill_help: "Kill: the worker's process dies, its connection closes and every message it had not acked goes back to the queue, marked redelivered.",
    kind_exchange: "exchange",
    kind_exchange_caps: "EXCHANGE",
    kind_message: "message",
    kind_producer: "producer",
    kind_producer_caps: "PRODUCER",
    kind_queue: "queue",
    kind_queue_caps: "QUEUE",
    kind_worker: "worker",
    kind_worker_caps: "WORKER",
    language: "Language",
    legend: "Legend",
    legend_implicit: "default-exchange route",
    legend_ready: "ready",
    legend_unacked: "unacked",
    lesson_direct: "Routing (direct)",
    lesson_fanout: "Publish/Subscribe (fanout)",
    lesson_hello: "Hello World",
    lesson_topic: "Topics",
    lesson_work: "Work queues",
    load_lesson: "Load a lesson…",
    log_empty: "No events to show.",
    log_title: "Event log",
    mandatory_help: "Return the message to the producer when no queue takes it.",
    matches: "matches",
    n_requeued: "{n} requeued",
    new_instead: "New",
    no: "no",
    no_bindings: "No bindings: messages published here go nowhere.",
    no_consumers: "No consumers.",
    no_match: "does not match",
    no_queues: "No queues.",
    no_ready: "No ready messages.",
    no_task: "Nothing.",
    none: "None.",
    on_ack: "ack (basic.ack)",
    on_done_help: "What a manual-ack worker does when it finishes a message.",
    on_forget: "forget to ack",
    on_nack: "nack, no requeue",
    on_nack_requeue: "nack with requeue",
    on_reject: "reject, no requeue",
    on_reject_requeue: "reject with requeue",
    only_selected: "Only the selected object",
    out_messages_n: "Out for delivery ({n})",
    overflowed_short: "dropped: queue full",
    page_title: "Warren — a RabbitMQ simulator",
    pause: "Pause",
    pause_worker: "Pause",
    per_second: "{n} steps/s",
    persistent_help: "Saved with a durable queue, it survives a broker restart.",
    play: "Play",
    port_help: "Drag onto a queue or exchange to bind",
    prefetch_help: "basic.qos prefetch_count: at most this many unacked messages at a time (0 = unlimited). 1 gives fair dispatch.",
    prefetched_n: "{n} more delivered and waiting (prefetched).",
    priority_help: "0–255; only priority queues (x-max-priority) use it.",
    producer_exchange_help: "Empty = the default exchange, which routes to the queue named by the routing key.",
    producer_intro: "A producer is a program like new_task.py: it publishes messages to an exchange with a routing key.",
    profile: "Profile",
    profile_help: "Which RabbitMQ's behaviour the broker reproduces (chosen when it is reset)",
    progress: "Work progress",
    publish_n: "Publish N",
    publish_n_label: "N",
    publish_once: "Publish",
    publishing_every: "Publishing every {t} of virtual time.",
    purge: "Purge",
    queue_auto_delete_help: "Deleted when its last consumer goes away.",
    queue_counts: "{ready} ready · {unacked} unacked",
    queue_durable_help: "The queue survives a broker restart (its persistent messages too).",
    queue_exclusive_help: "Only this workbench's connection may use it; deleted when that connection closes.",
    queue_gone: "Queue '{name}' does not exist (any more).",
    queue_intro: "Queues hold messages until a consumer takes and acknowledges them.",
    queue_name_help: "Leave empty for a server-named queue (amq.gen-…).",
    ready_messages: "Ready messages",
    ready_messages_n: "Ready messages ({n})",
    reconnect: "Reconnect",
    redeclare_note: "Declaring an existing queue or exchange with other properties fails with 406 PRECONDITION_FAILED, as in RabbitMQ.",
    redelivered: "redelivered",
    remove: "Remove",
    reset: "Reset",
    reset_help: "Reset: a brand-new broker with the chosen profile (the timeline starts over).",
    reset_layout: "Reset layout",
    restart: "Restart",
    restart_help: "Graceful restart: connections close (unacked messages go back), then durable queues and persistent messages are recovered.",
    resume: "Resume",
    returned: "Returned",
    returned_short: "returned to producer",
    rewind_durable: "The store is durable: stepping back across a restart or crash is refused, because the store already holds what came after.",
    rewind_memory: "Step back and the timeline replay everything exactly (the engine is deterministic), restarts and crashes included.",
    rewind_refused: "This rewind crosses a broker restart or crash, and the durable store already holds what came after: the earlier state cannot be shown truthfully.",
    rewind_refused_title: "Cannot rewind",
    routing_key_help: "With the default exchange: the name of the queue.",
    save_producer: "Save changes",
    sent: "Sent",
    sent_n: "{n} sent",
    server_named: "Server-named",
    shortcuts: "Space step · P play/pause · ← back",
    skip_to_diagram: "Skip to the diagram",
    speed: "Speed",
    start_every: "Start",
    state: "State",
    state_cancelled: "cancelled",
    state_disconnected: "disconnected",
    state_idle: "idle",
    state_killed: "killed",
    state_paused: "paused",
    state_working: "working",
    step: "Step",
    step_back: "Step back",
    step_of: "step {pos} / {len}",
    stop: "Stop",
    store: "Store",
    store_indexeddb: "IndexedDB",
    store_indexeddb_help: "Committed durable state is copied to this browser's IndexedDB: reload the page and the broker boots from it.",
    store_memory: "in memory",
    store_reason_opening: "opening IndexedDB…",
    all_on_disk: "Every durable change is on disk: a crash now loses nothing durable.",
    unsaved_ops: "{n} durable changes are not on disk yet (the next commit writes them): a crash now would lose them.",
    resumed_title: "Resumed",
    resumed: "The broker booted from IndexedDB; what came back — durable queues: {queues}, persistent messages: {messages}.",
    store_failed: "Store",
    store_reason_unavailable: "IndexedDB is not available in this browser (private mode or blocked)",
    store_reason_locked: "another tab owns broker '{broker}'; this tab saves nothing",
    store_locked_title: "Not saving",
    store_locked: "Broker '{broker}' is open in another tab or window, and that tab owns what is stored. This tab runs in memory and saves nothing, so neither tab can overwrite the other's work — just as a second RabbitMQ node refuses a data directory another node holds.",
    store_wait: "Open it when the other tab lets go",
    store_waiting: "Waiting for the other tab to let go of broker '{broker}'; it opens here as soon as that tab closes.",
    store_take_over: "Take it over",
    store_take_over_help: "The other tab stops saving and says why; this tab then reloads the broker from what was saved (what you did here meanwhile is replaced).",
    store_other_name: "Or work on another broker:",
    store_name_label: "Broker name",
    store_open_name: "Open",
    store_lost_title: "This tab stopped saving",
    store_lost: "Another tab took broker '{broker}' over (or changed its database): this tab no longer saves anything, so it cannot undo that tab's work. Reload to open the broker here again.",
    store_reload: "Reload",
    tab_binding: "Binding",
    tab_exchange: "Exchange",
    tab_producer: "Producer",
    tab_queue: "Queue",
    tab_worker: "Worker",
    table_title: "list_queues",
    tagline: "a RabbitMQ simulator",
    task_progress: "{done} of {total} · delivery tag {tag}",
    timeline: "Timeline",
    to_start: "Back to start",
    topic_count_exact: "the routing key has {n} words but the binding key needs exactly {m}",
    topic_count_min: "the routing key has {n} words but the binding key needs at least {m}",
    topic_every_word: "every word matches",
    topic_no_alignment: "the words cannot be lined up with the pattern (# takes zero or more words, * exactly one)",
    topic_word_differs: "word {i}: '{word}' is not '{pattern}'",
    topology: "Topology",
    try_alternate: "No binding matches: the message goes to the alternate exchange {ae}.",
    try_nothing: "No binding matches: the message would be dropped (or returned if mandatory).",
    try_reaches: "It would reach: {queues}",
    try_title: "Try a routing key",
    type_direct: "direct",
    type_direct_help: "Routes to bindings whose key equals the routing key.",
    type_fanout: "fanout",
    type_fanout_help: "Copies every message to every bound queue; keys are ignored.",
    type_headers: "headers",
    type_headers_help: "Routes by message headers (x-match all/any); keys are ignored.",
    type_topic: "topic",
    type_topic_help: "Routes by patterns of words: * one word, # zero or more.",
    unacked_n: "Unacknowledged deliveries ({n})",
    unbind: "Unbind",
    unbind_aria: "Unbind {dest} (key {key})",
    unlimited: "unlimited",
    virtual_time: "t =",
    virtual_time_help: "Virtual time of the simulation (not your clock)",
    why_direct_differs: "'{key}' is not '{pattern}'",
    why_direct_equal: "the routing key equals the binding key",
    why_fanout: "fanout: every binding matches",
    work_fixed: "fixed time",
    work_per_dot: "1 s per '.' (lessons)",
    work_per_dot_n: "{t} per '.'",
    worker_intro: "A worker is a program like worker.py: it consumes from a queue, works on each message, then acks it (or not).",
    worker_sub_idle: "{unacked} unacked · {done} done",
    yes: "yes",
};

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn x(name: &str) -> String {
    Say::exchange(name, "the default exchange")
}

fn err_text(e: &ErrorInfo) -> String {
    format!("{} {}", e.code, e.text)
}

fn queue_reason(r: QueueDeleteReason) -> &'static str {
    match r {
        QueueDeleteReason::Client => "queue.delete",
        QueueDeleteReason::AutoDelete => "auto-delete: its last consumer left",
        QueueDeleteReason::OwnerClosed => "exclusive: its connection closed",
        QueueDeleteReason::Expired => "x-expires: unused too long",
        QueueDeleteReason::NotDurable => "not durable: it did not survive the restart",
    }
}

fn requeue_reason(r: RequeueReason) -> &'static str {
    match r {
        RequeueReason::Nack => "nacked with requeue",
        RequeueReason::Reject => "rejected with requeue",
        RequeueReason::Recover => "basic.recover",
        RequeueReason::ChannelClosed => "its channel closed before the ack",
        RequeueReason::Restart => "the broker restarted before the ack",
    }
}

fn death_reason(r: DeathReason) -> &'static str {
    match r {
        DeathReason::Rejected => "rejected without requeue",
        DeathReason::Expired => "its TTL ran out",
        DeathReason::Maxlen => "the queue was over its length limit",
        DeathReason::DeliveryLimit => "it came back more often than x-delivery-limit",
    }
}

fn skip(skipped: &[(std::rc::Rc<str>, SkipReason)]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = skipped
        .iter()
        .map(|(tag, why)| match why {
            SkipReason::PrefetchLimit { prefetch } => {
                format!("{tag} (prefetch {prefetch} reached)")
            }
            SkipReason::ChannelPrefetchLimit { limit } => {
                format!("{tag} (channel prefetch {limit} reached)")
            }
        })
        .collect();
    format!("; skipped {}", parts.join(", "))
}

fn args_text(a: &crate::engine::value::FieldTable) -> String {
    a.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sentence for one broker event.
pub fn event(kind: &EventKind, s: &Say) -> String {
    use EventKind::*;
    match kind {
        BrokerStarted { profile, recovered: false } => format!("The broker started ({profile})."),
        BrokerStarted { profile, recovered: true } => format!(
            "The broker started again ({profile}) and recovered its durable exchanges, queues, bindings and persistent messages."
        ),
        BrokerStopped { graceful: true } => "The broker stopped gracefully: it closed every connection first.".into(),
        BrokerStopped { graceful: false } => "The broker crashed: it stopped at once.".into(),
        ConnectionOpened { conn, user, label } => format!("{label} opened connection {conn} (user '{user}')."),
        ConnectionClosed { conn, error: Some(e), .. } => format!("The broker closed connection {conn}: {}.", err_text(e)),
        ConnectionClosed { conn, by: Initiator::Broker, .. } => format!("The broker closed connection {conn}."),
        ConnectionClosed { conn, .. } => format!("Connection {conn} closed."),
        ChannelOpened { channel, number, .. } => format!("{} opened channel {number}.", s.chan(*channel)),
        ChannelClosed { channel, number, error, requeued, .. } => {
            let back = if *requeued > 0 {
                format!("; {} went back to their queues", plural(*requeued, "unacknowledged message", "unacknowledged messages"))
            } else {
                String::new()
            };
            match error {
                Some(e) => format!("The broker closed {}'s channel {number} with {}{back}.", s.chan(*channel), err_text(e)),
                None => format!("{}'s channel {number} closed{back}.", s.chan(*channel)),
            }
        }
        MethodFailed { channel, method, error: e, .. } => format!("{} from {} failed: {}.", method, s.chan(*channel), err_text(e)),
        ExchangeDeclared { name, exchange_type, durable, auto_delete, internal, arguments } => {
            let mut f = vec![exchange_type.to_string(), if *durable { "durable".into() } else { "transient".into() }];
            if *auto_delete { f.push("auto-delete".into()); }
            if *internal { f.push("internal".into()); }
            if !arguments.is_empty() { f.push(args_text(arguments)); }
            format!("Exchange '{name}' declared: {}.", f.join(", "))
        }
        ExchangeDeleted { name, reason } => format!("Exchange '{name}' deleted ({}).", match reason {
            ExchangeDeleteReason::Client => "exchange.delete",
            ExchangeDeleteReason::AutoDelete => "auto-delete: its last binding was removed",
            ExchangeDeleteReason::NotDurable => "not durable: it did not survive the restart",
        }),
        QueueDeclared { name, durable, exclusive, auto_delete, arguments, server_named, .. } => {
            let mut f = vec![if *durable { "durable".to_string() } else { "transient".to_string() }];
            if *exclusive { f.push("exclusive".into()); }
            if *auto_delete { f.push("auto-delete".into()); }
            if !arguments.is_empty() { f.push(args_text(arguments)); }
            format!("Queue '{name}' declared{}: {}.", if *server_named { " (named by the server)" } else { "" }, f.join(", "))
        }
        QueueRedeclared { name, .. } => format!(
            "Queue '{name}' declared again with the same properties: nothing changes (declare is idempotent)."
        ),
        QueueDeleted { name, reason, messages_lost, .. } => format!(
            "Queue '{name}' deleted ({}); {} lost.", queue_reason(*reason), plural(*messages_lost, "ready message", "ready messages")
        ),
        QueuePurged { name, count, .. } => format!("Queue '{name}' purged: {} removed.", plural(*count, "ready message", "ready messages")),
        BindingAdded { source, destination, destination_kind, key, arguments } => format!(
            "Bound {destination_kind} '{destination}' to exchange '{source}' with key '{key}'{}.",
            if arguments.is_empty() { String::new() } else { format!(" and arguments {}", args_text(arguments)) }
        ),
        BindingRemoved { source, destination, destination_kind, key, reason, .. } => format!(
            "Unbound {destination_kind} '{destination}' from exchange '{source}' (key '{key}'{}).",
            match reason {
                UnbindReason::Client => "",
                UnbindReason::EndDeleted => "; one end was deleted",
                UnbindReason::NotDurable => "; not durable",
            }
        ),
        QosSet { channel, prefetch_count, global } => format!(
            "{} set prefetch to {}{}.", s.chan(*channel),
            if *prefetch_count == 0 { "unlimited".to_string() } else { prefetch_count.to_string() },
            if *global { " for the whole channel" } else { " per consumer" }
        ),
        ConsumerAdded { tag, channel, queue_name, no_ack, prefetch, .. } => format!(
            "{} started consuming from '{queue_name}' ({}, prefetch {}) as {tag}.", s.chan(*channel),
            if *no_ack { "auto-ack" } else { "manual ack" },
            if *prefetch == 0 { "unlimited".to_string() } else { prefetch.to_string() }
        ),
        ConsumerCancelled { channel, queue_name, reason, .. } => format!("{}'s consumer on '{queue_name}' stopped ({}).", s.chan(*channel), match reason {
            CancelReason::Client => "basic.cancel",
            CancelReason::QueueDeleted => "the queue was deleted",
            CancelReason::ChannelClosed => "its channel closed",
        }),
        ConsumerActivated { tag, queue_name, .. } => format!("{tag} is now the single active consumer of '{queue_name}'."),
        Published { message, channel, mandatory, confirm_seq, in_tx } => {
            let mut f = Vec::new();
            if message.is_persistent() { f.push("persistent".to_string()); }
            if *mandatory { f.push("mandatory".into()); }
            if let Some(seq) = confirm_seq { f.push(format!("confirm #{seq}")); }
            if *in_tx { f.push("in a transaction".into()); }
            format!("{} published {} to {} with routing key '{}'{}.", s.chan(*channel), s.msg(message.id().0), x(&message.exchange), message.routing_key,
                if f.is_empty() { String::new() } else { format!(" ({})", f.join(", ")) })
        }
        Routed { message, exchange, trace, .. } => {
            let misses = if trace.missed_total > 0 {
                let first = trace.missed.first().map(|m| format!(" (e.g. '{}' → '{}')", m.key, m.destination)).unwrap_or_default();
                format!("; {} did not match{first}", plural(trace.missed_total as u64, "binding", "bindings"))
            } else {
                String::new()
            };
            let via = if trace.alternates.is_empty() { String::new() } else { format!(" via alternate exchange {}", trace.alternates.join(", ")) };
            if trace.queues.is_empty() {
                format!("{} routed {} to no queue{via}{misses}.", x(exchange), s.msg(message.0))
            } else {
                format!("{} routed {} to {}{via}{misses}.", x(exchange), s.msg(message.0),
                    trace.queues.iter().map(|q| format!("'{q}'")).collect::<Vec<_>>().join(", "))
            }
        }
        Unroutable { message, exchange, routing_key, returned } => format!(
            "No queue took {} (exchange {}, key '{routing_key}'): {}.", s.msg(message.0), x(exchange),
            if *returned { "it is returned to the publisher (mandatory)" } else { "it is dropped" }
        ),
        Returned { message, channel, reply_code, reply_text } => format!("{} was returned to {}: {reply_code} {reply_text}.", s.msg(message.id().0), s.chan(*channel)),
        Enqueued { message, queue_name, ready, handoff, .. } => {
            if *handoff {
                format!("{} entered '{queue_name}'; a consumer is free, so it goes straight to it.", s.msg(message.0))
            } else {
                format!("{} joined '{queue_name}' ({} ready).", s.msg(message.0), ready)
            }
        }
        HandoffJoined { queue_name, count, .. } => format!("{} waiting for a consumer that left joined '{queue_name}'.", plural(*count, "message", "messages")),
        PublishRefused { message, queue_name, max_length, .. } => format!(
            "'{queue_name}' is full{} and refused {} (x-overflow reject-publish).",
            max_length.map(|m| format!(" (x-max-length {m})")).unwrap_or_default(), s.msg(message.0)
        ),
        Confirmed { channel, seq, multiple, ack } => format!(
            "The broker {} publish #{seq}{} to {}.", if *ack { "confirmed" } else { "nacked" },
            if *multiple { " and every one before it" } else { "" }, s.chan(*channel)
        ),
        Delivered { message, queue_name, channel, consumer, delivery_tag, redelivered, ack_required, skipped, message_count, .. } => {
            let how = if consumer.is_none() {
                format!(" by basic.get ({} left)", message_count.unwrap_or(0))
            } else {
                String::new()
            };
            format!("'{queue_name}' delivered {} to {}{how} (delivery tag {delivery_tag}{}{}){}.", s.msg(message.id().0), s.chan(*channel),
                if *redelivered { ", redelivered" } else { "" },
                if *ack_required { "" } else { ", auto-ack: the broker forgets it now" },
                skip(skipped))
        }
        GetEmpty { channel, queue_name } => format!("{} asked '{queue_name}' for a message (basic.get): it is empty.", s.chan(*channel)),
        Acked { channel, delivery_tag, message, queue_name } => format!(
            "{} acknowledged {} (tag {delivery_tag}): '{queue_name}' forgets it.", s.chan(*channel), s.msg(message.0)
        ),
        Rejected { channel, delivery_tag, message, queue_name, requeue, nack } => format!(
            "{} {} {} (tag {delivery_tag}){}.", s.chan(*channel), if *nack { "nacked" } else { "rejected" }, s.msg(message.0),
            if *requeue { format!(": it goes back to '{queue_name}'") } else { format!(": it leaves '{queue_name}'") }
        ),
        Requeued { message, queue_name, reason, .. } => format!(
            "{} went back to '{queue_name}' at its original place ({}); its next delivery is marked redelivered.", s.msg(message.0), requeue_reason(*reason)
        ),
        Expired { message, queue_name, ttl } => format!("{} expired at the head of '{queue_name}' ({}).", s.msg(message.0), match ttl {
            TtlSource::Queue { ttl_ms } => format!("the queue's x-message-ttl is {ttl_ms} ms"),
            TtlSource::Message { expiration_ms } => format!("its expiration was {expiration_ms} ms"),
        }),
        Overflowed { message, queue_name, max_length, max_length_bytes } => format!(
            "'{queue_name}' is over its limit ({}): {} was dropped from the head.",
            match (max_length, max_length_bytes) {
                (Some(m), _) => format!("x-max-length {m}"),
                (None, Some(b)) => format!("x-max-length-bytes {b}"),
                _ => "length limit".into(),
            }, s.msg(message.0)
        ),
        MessageDead { message, queue_name, reason, fate } => match fate {
            DeadFate::Dropped => format!("{} died in '{queue_name}' ({}) and is gone: the queue has no dead-letter exchange.", s.msg(message.0), death_reason(*reason)),
            DeadFate::DlxMissing { dlx } => format!("{} died in '{queue_name}' ({}); its dead-letter exchange '{dlx}' does not exist, so it is gone.", s.msg(message.0), death_reason(*reason)),
            DeadFate::DeadLettered { dlx, queues, cycle_dropped, .. } => format!(
                "{} died in '{queue_name}' ({}) and was dead-lettered to '{dlx}' → {}{}.", s.msg(message.0), death_reason(*reason),
                if queues.is_empty() { "no queue".to_string() } else { queues.iter().map(|q| format!("'{q}'")).collect::<Vec<_>>().join(", ") },
                if cycle_dropped.is_empty() { String::new() } else { format!(" (dropped for {}: a dead-letter cycle)", cycle_dropped.join(", ")) }
            ),
        },
        ConfirmPending { channel, seq, batch } => format!("The confirm of {}'s publish #{seq} waits for batch {batch} to reach the disk.", s.chan(*channel)),
        BatchSealed { batch, ops } => format!("Batch {batch} of {} sealed for writing.", plural(*ops, "durable change", "durable changes")),
        BatchCommitted { batch } => format!("Batch {batch} is on disk: its changes now survive a crash."),
        BatchFailed { batch, reason } => format!("The store could not write batch {batch} ({reason}): none of it is durable."),
        TxCommitted { channel, publishes, acks } => format!("{} committed a transaction ({publishes} publishes, {acks} acks).", s.chan(*channel)),
        TxRolledBack { channel, publishes, acks } => format!("{} rolled back a transaction ({publishes} publishes, {acks} acks).", s.chan(*channel)),
        ConfirmSelected { channel } => format!("{} turned on publisher confirms.", s.chan(*channel)),
        TxSelected { channel } => format!("{} started using transactions.", s.chan(*channel)),
    }
}

/// The sentence for one producer or worker event.
pub fn actor_event(kind: &ActorEventKind, s: &Say) -> String {
    use ActorEventKind::*;
    match kind {
        WorkerStarted {
            worker,
            message,
            redelivered,
            until,
            ..
        } => format!(
            "{} started working on {}{}; done at t = {}.",
            s.actor(*worker),
            s.msg(*message),
            if *redelivered { " (redelivered)" } else { "" },
            super::format_time(*until)
        ),
        WorkerFinished {
            worker,
            message,
            outcome,
            ..
        } => format!(
            "{} finished {} and {}.",
            s.actor(*worker),
            s.msg(*message),
            match *outcome {
                Outcome::Acked => "acked it",
                Outcome::Forgot => "forgot to ack it: it stays unacknowledged",
                Outcome::Rejected { requeue: true } => "rejected it with requeue",
                Outcome::Rejected { requeue: false } => "rejected it",
                Outcome::Nacked { requeue: true } => "nacked it with requeue",
                Outcome::Nacked { requeue: false } => "nacked it",
                Outcome::Done => "is done (auto-ack: nothing to send)",
            }
        ),
        WorkerPaused { worker } => format!("{} paused: it takes no new task.", s.actor(*worker)),
        WorkerResumed { worker } => format!("{} resumed.", s.actor(*worker)),
        WorkerKilled {
            worker,
            lost_in_hand,
        } => format!(
            "{} was killed with {} in hand: its connection dies.",
            s.actor(*worker),
            plural(*lost_in_hand as u64, "message", "messages")
        ),
        WorkerCancelled { worker } => format!(
            "{} cancelled its consumer (basic.cancel): no new deliveries.",
            s.actor(*worker)
        ),
        ProducerPublished {
            producer, message, ..
        } => format!("{} sent {}.", s.actor(*producer), s.msg(*message)),
        ProducerFailed { producer, error } => {
            format!("{} could not publish: {error}.", s.actor(*producer))
        }
        ProducerStopped { producer } => {
            format!("{} stopped publishing periodically.", s.actor(*producer))
        }
        WorkerReplied {
            worker,
            message,
            reply_to,
            correlation_id,
        } => format!(
            "{} answered {} to '{reply_to}'{}.",
            s.actor(*worker),
            s.msg(*message),
            correlation_id
                .as_ref()
                .map(|c| format!(" with correlation_id '{c}'"))
                .unwrap_or_default()
        ),
        ProducerGotReply {
            producer,
            message,
            correlation_id,
            matched,
        } => format!(
            "{} received the answer {}{}.",
            s.actor(*producer),
            s.msg(*message),
            match (correlation_id, matched) {
                (Some(c), true) => format!(" to its request '{c}'"),
                (Some(c), false) => format!(", but '{c}' is no request of its own: ignored"),
                (None, _) => " without a correlation_id: ignored".to_string(),
            }
        ),
    }
}
