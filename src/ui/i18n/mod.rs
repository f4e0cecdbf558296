//! Every string of the workbench, in English and Simplified Chinese: the
//! labels ([`Text`], one table per language in `en.rs` and `zh.rs`) and the
//! event sentences (one template per event kind, in the same files).

pub mod en;
pub mod zh;

use crate::engine::clock::Millis;
use crate::engine::event::EventKind;
use crate::sim::ActorEventKind;
use crate::ui::describe::Say;
use crate::ui::state::Category;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh" | "zh-CN" => Some(Lang::Zh),
            _ => None,
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &en::TEXT,
            Lang::Zh => &zh::TEXT,
        }
    }

    /// The sentence for a broker event.
    pub fn event(self, kind: &EventKind, say: &Say) -> String {
        match self {
            Lang::En => en::event(kind, say),
            Lang::Zh => zh::event(kind, say),
        }
    }

    /// The sentence for a producer's or worker's event.
    pub fn actor_event(self, kind: &ActorEventKind, say: &Say) -> String {
        match self {
            Lang::En => en::actor_event(kind, say),
            Lang::Zh => zh::actor_event(kind, say),
        }
    }
}

impl Text {
    pub fn category(&self, c: Category) -> &'static str {
        match c {
            Category::Publish => self.cat_publish,
            Category::Deliver => self.cat_deliver,
            Category::Settle => self.cat_settle,
            Category::Dead => self.cat_dead,
            Category::Error => self.cat_error,
            Category::Topology => self.cat_topology,
            Category::Client => self.cat_client,
            Category::Worker => self.cat_worker,
            Category::Store => self.cat_store,
            Category::Broker => self.cat_broker,
        }
    }
}

/// Fills `{name}` placeholders in one pass; the values are never scanned
/// again, so a name containing `{n}` stays as it is.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match args.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Virtual time for people: `0 s`, `1.5 s`, `2 min 3.2 s`.
pub fn format_time(ms: Millis) -> String {
    if ms < 60_000 {
        let mut s = format!("{:.3}", ms as f64 / 1000.0);
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
        format!("{s} s")
    } else {
        let (min, rest) = (ms / 60_000, ms % 60_000);
        if rest == 0 {
            format!("{min} min")
        } else {
            format!("{min} min {}", format_time(rest))
        }
    }
}

/// Every label of the UI, one field per string.
pub struct Text {
    pub document_failed: &'static str,
    pub share_button: &'static str,
    pub dialog_title: &'static str,
    pub share_link: &'static str,
    pub share_help: &'static str,
    pub copy: &'static str,
    pub export_json: &'static str,
    pub export_definitions: &'static str,
    pub download: &'static str,
    pub import_title: &'static str,
    pub import_help: &'static str,
    pub import_file: &'static str,
    pub import_open: &'static str,
    pub vhost_pick: &'static str,
    pub dialog_close: &'static str,
    pub embed_open: &'static str,
    pub store_embedded: &'static str,
    pub tutorial_pick: &'static str,
    pub tutorial_label: &'static str,
    pub lesson_chapter: &'static str,
    pub lesson_task_of: &'static str,
    pub lesson_checks: &'static str,
    pub lesson_hint: &'static str,
    pub lesson_more_hint: &'static str,
    pub lesson_show_me: &'static str,
    pub lesson_reset: &'static str,
    pub lesson_close: &'static str,
    pub lesson_read: &'static str,
    pub lesson_concepts: &'static str,
    pub lesson_finished: &'static str,
    pub lesson_next: &'static str,
    pub lesson_why: &'static str,
    pub lesson_tasks: &'static str,
    pub lesson_progress: &'static str,
    pub show_me_failed_title: &'static str,
    pub show_me_failed_hint: &'static str,
    pub tab_list_queues: &'static str,
    pub tab_code: &'static str,
    pub code_actions: &'static str,
    pub code_programs: &'static str,
    pub code_setup: &'static str,
    pub code_none: &'static str,
    pub code_refused: &'static str,
    pub code_program_label: &'static str,
    pub ack_auto: &'static str,
    pub ack_auto_help: &'static str,
    pub ack_manual: &'static str,
    pub ack_manual_help: &'static str,
    pub add_producer: &'static str,
    pub add_worker: &'static str,
    pub advance_1s: &'static str,
    pub advance_help: &'static str,
    pub alternate_help: &'static str,
    pub apply_worker: &'static str,
    pub arg_delivery_limit: &'static str,
    pub arg_dlrk: &'static str,
    pub arg_dlx: &'static str,
    pub arg_expires: &'static str,
    pub arg_max_length: &'static str,
    pub arg_max_length_bytes: &'static str,
    pub arg_max_priority: &'static str,
    pub arg_message_ttl: &'static str,
    pub arg_overflow: &'static str,
    pub arg_queue_type: &'static str,
    pub arg_sac: &'static str,
    pub aria_exchange: &'static str,
    pub aria_producer: &'static str,
    pub aria_queue: &'static str,
    pub aria_worker: &'static str,
    pub bind: &'static str,
    pub binding_args_help: &'static str,
    pub binding_intro: &'static str,
    pub binding_key_direct_help: &'static str,
    pub binding_key_fanout_help: &'static str,
    pub binding_key_headers_help: &'static str,
    pub binding_key_topic_help: &'static str,
    pub bindings_n: &'static str,
    pub body_help: &'static str,
    pub broker_title: &'static str,
    pub build_title: &'static str,
    pub cancel_consumer: &'static str,
    pub cat_broker: &'static str,
    pub cat_client: &'static str,
    pub cat_dead: &'static str,
    pub cat_deliver: &'static str,
    pub cat_error: &'static str,
    pub cat_publish: &'static str,
    pub cat_settle: &'static str,
    pub cat_store: &'static str,
    pub cat_topology: &'static str,
    pub cat_worker: &'static str,
    pub channel_closed_short: &'static str,
    pub channel_is_closed: &'static str,
    pub client_refused: &'static str,
    pub close_inspector: &'static str,
    pub confirm_counts: &'static str,
    pub confirm_help: &'static str,
    pub confirms: &'static str,
    pub connection_is_closed: &'static str,
    pub consumer_tag: &'static str,
    pub consumers: &'static str,
    pub controls: &'static str,
    pub crash: &'static str,
    pub crash_help: &'static str,
    pub declare_again: &'static str,
    pub declare_exchange: &'static str,
    pub declare_queue: &'static str,
    pub default_exchange: &'static str,
    pub default_exchange_help: &'static str,
    pub delete: &'static str,
    pub depth_chart: &'static str,
    pub diagram: &'static str,
    pub dismiss: &'static str,
    pub done: &'static str,
    pub drag_hint: &'static str,
    pub dropped_short: &'static str,
    pub edit: &'static str,
    pub empty_help: &'static str,
    pub empty_step1: &'static str,
    pub empty_step2: &'static str,
    pub empty_step3: &'static str,
    pub empty_title: &'static str,
    pub every_label: &'static str,
    pub exchange_auto_delete_help: &'static str,
    pub exchange_durable_help: &'static str,
    pub exchange_gone: &'static str,
    pub exchange_internal_help: &'static str,
    pub exchange_intro: &'static str,
    pub expiration_help: &'static str,
    pub expired_short: &'static str,
    pub f_ack_mode: &'static str,
    pub f_alternate: &'static str,
    pub f_arguments: &'static str,
    pub f_auto_delete: &'static str,
    pub f_binding_args: &'static str,
    pub f_binding_key: &'static str,
    pub f_body: &'static str,
    pub f_confirm: &'static str,
    pub f_dest_kind: &'static str,
    pub f_destination: &'static str,
    pub f_durable: &'static str,
    pub f_exchange: &'static str,
    pub f_exclusive: &'static str,
    pub f_expiration: &'static str,
    pub f_headers: &'static str,
    pub f_internal: &'static str,
    pub f_mandatory: &'static str,
    pub f_ms: &'static str,
    pub f_ms_per_dot: &'static str,
    pub f_name: &'static str,
    pub f_on_done: &'static str,
    pub f_consumes: &'static str,
    pub source_queue: &'static str,
    pub source_subscribe: &'static str,
    pub source_queue_help: &'static str,
    pub source_subscribe_help: &'static str,
    pub f_sub_keys: &'static str,
    pub sub_keys_help: &'static str,
    pub f_reply: &'static str,
    pub reply_help: &'static str,
    pub f_rpc: &'static str,
    pub rpc_help: &'static str,
    pub f_persistent: &'static str,
    pub f_prefetch: &'static str,
    pub f_priority: &'static str,
    pub f_properties: &'static str,
    pub f_queue: &'static str,
    pub f_routing_key: &'static str,
    pub f_source: &'static str,
    pub f_type: &'static str,
    pub f_work: &'static str,
    pub filter_kinds: &'static str,
    pub flag_auto_delete: &'static str,
    pub flag_auto_delete_short: &'static str,
    pub flag_durable: &'static str,
    pub flag_durable_short: &'static str,
    pub flag_exclusive_short: &'static str,
    pub flag_internal: &'static str,
    pub go_to_step: &'static str,
    pub gone: &'static str,
    pub headers_help: &'static str,
    pub hint_access_refused: &'static str,
    pub hint_locked: &'static str,
    pub hint_not_found: &'static str,
    pub hint_redeclare: &'static str,
    pub hv_different: &'static str,
    pub hv_equal: &'static str,
    pub hv_missing: &'static str,
    pub hv_nothing_all: &'static str,
    pub hv_nothing_any: &'static str,
    pub hv_present: &'static str,
    pub idle: &'static str,
    pub idle_help: &'static str,
    pub idle_title: &'static str,
    pub implicit_binding: &'static str,
    pub in_hand: &'static str,
    pub inspector_empty: &'static str,
    pub inspector_title: &'static str,
    pub journey: &'static str,
    pub kill: &'static str,
    pub kill_help: &'static str,
    pub kind_exchange: &'static str,
    pub kind_exchange_caps: &'static str,
    pub kind_message: &'static str,
    pub kind_producer: &'static str,
    pub kind_producer_caps: &'static str,
    pub kind_queue: &'static str,
    pub kind_queue_caps: &'static str,
    pub kind_worker: &'static str,
    pub kind_worker_caps: &'static str,
    pub language: &'static str,
    pub legend: &'static str,
    pub legend_implicit: &'static str,
    pub legend_ready: &'static str,
    pub legend_unacked: &'static str,
    pub lesson_direct: &'static str,
    pub lesson_fanout: &'static str,
    pub lesson_hello: &'static str,
    pub lesson_topic: &'static str,
    pub lesson_work: &'static str,
    pub load_lesson: &'static str,
    pub log_empty: &'static str,
    pub log_title: &'static str,
    pub mandatory_help: &'static str,
    pub matches: &'static str,
    pub n_requeued: &'static str,
    pub new_instead: &'static str,
    pub no: &'static str,
    pub no_bindings: &'static str,
    pub no_consumers: &'static str,
    pub no_match: &'static str,
    pub no_queues: &'static str,
    pub no_ready: &'static str,
    pub no_task: &'static str,
    pub none: &'static str,
    pub on_ack: &'static str,
    pub on_done_help: &'static str,
    pub on_forget: &'static str,
    pub on_nack: &'static str,
    pub on_nack_requeue: &'static str,
    pub on_reject: &'static str,
    pub on_reject_requeue: &'static str,
    pub only_selected: &'static str,
    pub out_messages_n: &'static str,
    pub overflowed_short: &'static str,
    pub page_title: &'static str,
    pub pause: &'static str,
    pub pause_worker: &'static str,
    pub per_second: &'static str,
    pub persistent_help: &'static str,
    pub play: &'static str,
    pub port_help: &'static str,
    pub prefetch_help: &'static str,
    pub prefetched_n: &'static str,
    pub priority_help: &'static str,
    pub producer_exchange_help: &'static str,
    pub producer_intro: &'static str,
    pub profile: &'static str,
    pub profile_help: &'static str,
    pub progress: &'static str,
    pub publish_n: &'static str,
    pub publish_n_label: &'static str,
    pub publish_once: &'static str,
    pub publishing_every: &'static str,
    pub purge: &'static str,
    pub queue_auto_delete_help: &'static str,
    pub queue_counts: &'static str,
    pub queue_durable_help: &'static str,
    pub queue_exclusive_help: &'static str,
    pub queue_gone: &'static str,
    pub queue_intro: &'static str,
    pub queue_name_help: &'static str,
    pub ready_messages: &'static str,
    pub ready_messages_n: &'static str,
    pub reconnect: &'static str,
    pub redeclare_note: &'static str,
    pub redelivered: &'static str,
    pub remove: &'static str,
    pub reset: &'static str,
    pub reset_help: &'static str,
    pub reset_layout: &'static str,
    pub restart: &'static str,
    pub restart_help: &'static str,
    pub resume: &'static str,
    pub returned: &'static str,
    pub returned_short: &'static str,
    pub rewind_durable: &'static str,
    pub rewind_memory: &'static str,
    pub rewind_refused: &'static str,
    pub rewind_refused_title: &'static str,
    pub routing_key_help: &'static str,
    pub save_producer: &'static str,
    pub sent: &'static str,
    pub sent_n: &'static str,
    pub server_named: &'static str,
    pub shortcuts: &'static str,
    pub skip_to_diagram: &'static str,
    pub speed: &'static str,
    pub start_every: &'static str,
    pub state: &'static str,
    pub state_cancelled: &'static str,
    pub state_disconnected: &'static str,
    pub state_idle: &'static str,
    pub state_killed: &'static str,
    pub state_paused: &'static str,
    pub state_working: &'static str,
    pub step: &'static str,
    pub step_back: &'static str,
    pub step_of: &'static str,
    pub stop: &'static str,
    pub store: &'static str,
    pub store_indexeddb: &'static str,
    pub store_indexeddb_help: &'static str,
    pub store_memory: &'static str,
    pub store_reason_opening: &'static str,
    pub all_on_disk: &'static str,
    pub unsaved_ops: &'static str,
    pub resumed_title: &'static str,
    pub resumed: &'static str,
    pub store_failed: &'static str,
    pub store_reason_unavailable: &'static str,
    pub store_reason_locked: &'static str,
    pub store_locked_title: &'static str,
    pub store_locked: &'static str,
    pub store_wait: &'static str,
    pub store_waiting: &'static str,
    pub store_take_over: &'static str,
    pub store_take_over_help: &'static str,
    pub store_other_name: &'static str,
    pub store_name_label: &'static str,
    pub store_open_name: &'static str,
    pub store_lost_title: &'static str,
    pub store_lost: &'static str,
    pub store_reload: &'static str,
    pub tab_binding: &'static str,
    pub tab_exchange: &'static str,
    pub tab_producer: &'static str,
    pub tab_queue: &'static str,
    pub tab_worker: &'static str,
    pub table_title: &'static str,
    pub tagline: &'static str,
    pub task_progress: &'static str,
    pub timeline: &'static str,
    pub to_start: &'static str,
    pub topic_count_exact: &'static str,
    pub topic_count_min: &'static str,
    pub topic_every_word: &'static str,
    pub topic_no_alignment: &'static str,
    pub topic_word_differs: &'static str,
    pub topology: &'static str,
    pub try_alternate: &'static str,
    pub try_nothing: &'static str,
    pub try_reaches: &'static str,
    pub try_title: &'static str,
    pub type_direct: &'static str,
    pub type_direct_help: &'static str,
    pub type_fanout: &'static str,
    pub type_fanout_help: &'static str,
    pub type_headers: &'static str,
    pub type_headers_help: &'static str,
    pub type_topic: &'static str,
    pub type_topic_help: &'static str,
    pub unacked_n: &'static str,
    pub unbind: &'static str,
    pub unbind_aria: &'static str,
    pub unlimited: &'static str,
    pub virtual_time: &'static str,
    pub virtual_time_help: &'static str,
    pub why_direct_differs: &'static str,
    pub why_direct_equal: &'static str,
    pub why_fanout: &'static str,
    pub work_fixed: &'static str,
    pub work_per_dot: &'static str,
    pub work_per_dot_n: &'static str,
    pub worker_intro: &'static str,
    pub worker_sub_idle: &'static str,
    pub yes: &'static str,
}
