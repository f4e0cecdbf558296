//! The chapters Warren ships, compiled in (so they work offline and the
//! native tests see exactly what the browser shows). A chapter is one
//! JSON file under `www/tutorials/`; adding one is adding its file and a
//! line here.

use super::Chapter;
use crate::document::DocumentError;

/// File name and text of every built-in chapter, in order.
pub const FILES: &[(&str, &str)] = &[
    (
        "00-concepts.json",
        include_str!("../../www/tutorials/00-concepts.json"),
    ),
    (
        "01-hello-world.json",
        include_str!("../../www/tutorials/01-hello-world.json"),
    ),
    (
        "02-work-queues.json",
        include_str!("../../www/tutorials/02-work-queues.json"),
    ),
    (
        "03-acknowledgements.json",
        include_str!("../../www/tutorials/03-acknowledgements.json"),
    ),
    (
        "04-durability.json",
        include_str!("../../www/tutorials/04-durability.json"),
    ),
    (
        "05-fair-dispatch.json",
        include_str!("../../www/tutorials/05-fair-dispatch.json"),
    ),
    (
        "06-publish-subscribe.json",
        include_str!("../../www/tutorials/06-publish-subscribe.json"),
    ),
    (
        "07-routing.json",
        include_str!("../../www/tutorials/07-routing.json"),
    ),
    (
        "08-topics.json",
        include_str!("../../www/tutorials/08-topics.json"),
    ),
    (
        "09-rpc.json",
        include_str!("../../www/tutorials/09-rpc.json"),
    ),
    (
        "10-publisher-confirms.json",
        include_str!("../../www/tutorials/10-publisher-confirms.json"),
    ),
    (
        "11-headers.json",
        include_str!("../../www/tutorials/11-headers.json"),
    ),
    (
        "12-alternate-exchanges.json",
        include_str!("../../www/tutorials/12-alternate-exchanges.json"),
    ),
    (
        "13-dead-lettering.json",
        include_str!("../../www/tutorials/13-dead-lettering.json"),
    ),
    (
        "14-streams.json",
        include_str!("../../www/tutorials/14-streams.json"),
    ),
];

/// Every built-in chapter, parsed; a chapter that does not parse is
/// reported with its file name (the tests make sure none does).
pub fn chapters() -> Vec<Result<Chapter, (String, DocumentError)>> {
    FILES
        .iter()
        .map(|(file, text)| Chapter::parse(text).map_err(|e| (file.to_string(), e)))
        .collect()
}
