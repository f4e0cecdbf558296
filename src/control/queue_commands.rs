//! `purge_queue` and `delete_queue`, with rabbitmqctl's banners and errors.
//!
//! Their quirks are RabbitMQ's: purging a missing queue fails with exit 69
//! and `not_found`, deleting one with exit 64 and `Queue not found`;
//! purging says "in vhost", deleting "on vhost".

use crate::control::error::{exit_code, Failure};
use crate::control::report::Report;
use crate::engine::operator::QueueDeleteRefusal;
use crate::engine::Broker;

/// Whether `vhost` is the broker's (only there do its queues exist).
fn vhost_holds_queues(broker: &Broker, vhost: &str) -> bool {
    broker.access().vhost_exists(vhost)
}

pub(crate) fn purge_queue(broker: &mut Broker, vhost: &str, queue: &str) -> Report {
    let banner = vec![format!("Purging queue '{queue}' in vhost '{vhost}' ...")];
    let purged = if vhost_holds_queues(broker, vhost) {
        broker.purge_queue_by_operator(queue)
    } else {
        None
    };
    match purged {
        Some(_) => Report::done(banner),
        None => Report::failed(banner, Failure::error(exit_code::UNAVAILABLE, "not_found")),
    }
}

pub(crate) fn delete_queue(
    broker: &mut Broker,
    vhost: &str,
    queue: &str,
    if_empty: bool,
    if_unused: bool,
) -> Report {
    let conditions: Vec<&str> = [
        (if_empty, "if queue is empty "),
        (if_unused, "if queue is unused "),
    ]
    .into_iter()
    .filter_map(|(given, text)| given.then_some(text))
    .collect();
    let banner = vec![format!(
        "Deleting queue '{queue}' on vhost '{vhost}' {}...",
        conditions.join("and ")
    )];
    let deleted = if vhost_holds_queues(broker, vhost) {
        broker.delete_queue_by_operator(queue, if_empty, if_unused)
    } else {
        Err(QueueDeleteRefusal::NotFound)
    };
    match deleted {
        Ok(ready) => Report::text(
            banner,
            format!("Queue was successfully deleted with {ready} ready messages\n"),
        ),
        Err(refusal) => Report::failed(banner, Failure::error(exit_code::USAGE, refusal)),
    }
}
