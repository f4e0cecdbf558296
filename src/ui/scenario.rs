//! Scenario documents in the page: where a setup comes from when the page
//! opens (a share link's fragment, a `?src=` file for docs pages, the last
//! setup kept in `localStorage`) and the embed player's options from the
//! URL. The document's script is played by `view::script`.
//!
//! URL parameters, for docs authors:
//!
//! | parameter            | meaning                                                |
//! |----------------------|--------------------------------------------------------|
//! | `embed`              | the compact player (no IndexedDB, nothing remembered)  |
//! | `src=PATH`           | load a scenario document (JSON) from this same-origin path |
//! | `#doc=…`             | the scenario itself, from a share link                 |
//! | `panels=a,b`         | `diagram`, `controls`, `log`, `queues`, `inspector`, `build` |
//! | `autoplay=1`         | start playing                                          |
//! | `speed=N`            | steps per second (1, 2, 4, 8, 16)                      |
//! | `lang=en` / `lang=zh`| the language                                           |
//! | `readonly=1`         | no build panel: watch, step, inspect                   |
//! | `chapter=N`          | open tutorial chapter N                                |
//! | `broker=NAME`        | the broker (and IndexedDB database) this tab works on  |

use crate::document::Document;
use crate::ui::i18n::Lang;
use crate::ui::page_store::storage;
use std::rc::Rc;

/// Where the last setup of broker `broker` is kept (each broker its own, so
/// a tab on another broker never overwrites what this one resumes).
fn last_key(broker: &str) -> String {
    if broker == crate::ui::persistence::DEFAULT_BROKER {
        "warren.last".to_string()
    } else {
        format!("warren.last.{broker}")
    }
}

/// What the page's URL asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlRequest {
    pub embed: bool,
    pub chapter: Option<usize>,
    /// `#doc=…`, still encoded.
    pub fragment: Option<String>,
    pub src: Option<String>,
    pub panels: Option<Vec<String>>,
    pub autoplay: Option<bool>,
    pub speed: Option<f64>,
    pub lang: Option<Lang>,
    pub read_only: Option<bool>,
    /// `broker=NAME`, when it is a valid broker name.
    pub broker: Option<String>,
}

impl UrlRequest {
    /// The broker this page works on: the URL's, else the workbench's.
    pub fn broker_name(&self) -> String {
        self.broker
            .clone()
            .unwrap_or_else(|| crate::ui::persistence::DEFAULT_BROKER.to_string())
    }
}

fn url_decode(s: &str) -> String {
    js_sys::decode_uri_component(&s.replace('+', " "))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| s.to_string())
}

fn flag(v: &str) -> bool {
    !matches!(v, "0" | "false" | "no" | "off")
}

/// Parses `?a=b&c` and `#doc=…` (pure, so it can be checked).
pub fn parse_url(search: &str, hash: &str) -> UrlRequest {
    let mut r = UrlRequest::default();
    for kv in search
        .trim_start_matches('?')
        .split('&')
        .filter(|s| !s.is_empty())
    {
        let (k, v) = kv.split_once('=').unwrap_or((kv, "1"));
        let v = url_decode(v);
        match k {
            "embed" => r.embed = flag(&v),
            "chapter" => r.chapter = v.parse().ok(),
            "src" => r.src = Some(v),
            "panels" => {
                r.panels = Some(
                    v.split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect(),
                )
            }
            "autoplay" => r.autoplay = Some(flag(&v)),
            "speed" => r.speed = v.parse().ok(),
            "lang" => r.lang = Lang::from_code(&v),
            "readonly" => r.read_only = Some(flag(&v)),
            "broker" if crate::ui::persistence::valid_broker_name(&v) => r.broker = Some(v),
            _ => {}
        }
    }
    let hash = hash.trim_start_matches('#');
    if !hash.is_empty() {
        r.fragment = Some(hash.to_string());
    }
    r
}

/// One part of the page's address (`search`, `hash`…), if it can be read.
fn location(
    part: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>,
) -> Option<String> {
    part(&web_sys::window()?.location()).ok()
}

pub fn current_url() -> UrlRequest {
    let search = location(web_sys::Location::search).unwrap_or_default();
    let hash = location(web_sys::Location::hash).unwrap_or_default();
    parse_url(&search, &hash)
}

/// How the embed player looks, from the document's view options with the
/// URL's on top.
#[derive(Clone, Debug, PartialEq)]
pub struct Embed {
    pub panels: Vec<String>,
    pub read_only: bool,
    /// `Some(the workbench's address)` when a `<warren-player>` element holds
    /// the player: it shares its page with the docs around it, so it leaves
    /// the page's title, language, landmarks and keys alone.
    pub element: Option<Rc<str>>,
}

impl Embed {
    pub fn shows(&self, panel: &str) -> bool {
        self.panels.iter().any(|p| p == panel)
    }
}

/// The setup left at the last visit, if any and readable.
pub fn last_setup(broker: &str) -> Option<Document> {
    let text = storage()?.get_item(&last_key(broker)).ok().flatten()?;
    Document::parse(&text).ok()
}

/// Keeps the setup for the next visit (topology and actors; the durable
/// broker state itself is in IndexedDB).
pub fn save_setup(broker: &str, doc: &Document) {
    if let Some(s) = storage() {
        let _ = s.set_item(&last_key(broker), &doc.to_json());
    }
}

pub fn forget_setup(broker: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&last_key(broker));
    }
}

/// The link that reopens `doc` (this page, `#doc=…`).
pub fn share_link(doc: &Document) -> Result<String, String> {
    let fragment = crate::document::share::encode(doc).map_err(|e| e.to_string())?;
    let origin = location(web_sys::Location::origin).unwrap_or_default();
    let path = location(web_sys::Location::pathname).unwrap_or_else(|| "/".into());
    Ok(format!("{origin}{path}#{fragment}"))
}
