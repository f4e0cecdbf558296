//! Every string of the workbench, in English and Simplified Chinese: the
//! labels ([`Text`], in `text.rs`) and the event sentences (one arm per event
//! kind, in `events.rs`), each with its translation beside it.

// Laid out by hand, each sentence in both languages side by side.
#[rustfmt::skip]
mod events;
mod text;

pub use text::Text;

use crate::describe::Category;
use crate::describe::Say;
use crate::engine::clock::Millis;
use crate::engine::event::EventKind;
use crate::sim::{ActorEventKind, OnDone};

/// Chinese words Warren does not use, each with the one it uses instead,
/// so one thing keeps one name across the workbench and the chapters
/// (issue 19): a consumer's ack is 应答 and a publisher's confirm 发布确认,
/// never both 确认; a worker is a 工作进程 (or a 消费者), as the lessons
/// say; the channel is 信道. The English `worker` and `prefetch` are
/// not used in Chinese prose either, except in names (`worker.py`,
/// `prefetch_count`). Checked over every label and event sentence here,
/// and over every chapter in `tests/tutorials.rs`.
pub const ZH_AVOIDED: &[(&str, &str)] = &[
    ("工作者", "工作进程"),
    ("自动确认", "自动应答"),
    ("手动确认", "手动应答"),
    ("未确认", "未应答"),
    ("忘记确认", "忘记应答"),
    ("消息确认", "应答"),
    ("确认方式", "应答方式"),
    ("频道", "信道"),
    ("轮训", "轮询"),
];

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
            Lang::En => &text::EN,
            Lang::Zh => &text::ZH,
        }
    }

    /// The sentence for a broker event.
    pub fn event(self, kind: &EventKind, say: &Say) -> String {
        events::event(self, kind, say)
    }

    /// The sentence for a producer's or worker's event.
    pub fn actor_event(self, kind: &ActorEventKind, say: &Say) -> String {
        events::actor_event(self, kind, say)
    }
}

impl Text {
    /// What a manual-ack worker does with a finished message.
    pub fn on_done(&self, o: OnDone) -> &'static str {
        match o {
            OnDone::Ack => self.on_ack,
            OnDone::Forget => self.on_forget,
            OnDone::Reject { requeue: true } => self.on_reject_requeue,
            OnDone::Reject { requeue: false } => self.on_reject,
            OnDone::Nack { requeue: true } => self.on_nack_requeue,
            OnDone::Nack { requeue: false } => self.on_nack,
            OnDone::Crash => self.on_crash,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::ZH_AVOIDED;

    /// The string literals of a source file that contain Chinese (a
    /// backslash escapes the next character, so `\"` stays inside).
    fn chinese_literals(source: &str) -> Vec<String> {
        let (mut out, mut current, mut inside, mut escaped) =
            (Vec::new(), String::new(), false, false);
        for c in source.chars() {
            match (inside, escaped, c) {
                (true, true, _) => {
                    current.push(c);
                    escaped = false;
                }
                (true, false, '\\') => escaped = true,
                (true, false, '"') => {
                    inside = false;
                    out.push(std::mem::take(&mut current));
                }
                (true, false, _) => current.push(c),
                (false, _, '"') => inside = true,
                (false, _, _) => {}
            }
        }
        out.retain(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        out
    }

    #[test]
    fn the_chinese_labels_keep_one_word_per_thing() {
        let mut failures = Vec::new();
        for (file, source) in [
            ("text.rs", include_str!("text.rs")),
            ("events.rs", include_str!("events.rs")),
        ] {
            for zh in chinese_literals(source) {
                for (avoided, instead) in ZH_AVOIDED {
                    if zh.contains(avoided) {
                        failures.push(format!("{file}: {avoided} (say {instead}) in {zh}"));
                    }
                }
                // `{prefetch}` is a placeholder, not a word anyone reads.
                let lower: String = zh
                    .split('{')
                    .map(|part| part.split_once('}').map_or(part, |(_, after)| after))
                    .collect::<String>()
                    .to_lowercase();
                for (word, name) in [("worker", "worker."), ("prefetch", "prefetch_")] {
                    if lower.matches(word).count() != lower.matches(name).count() {
                        failures.push(format!("{file}: English '{word}' in {zh}"));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }
}
