//! A producer in the diagram: its name, where it publishes, how many it
//! sent (and its confirms), in the shape of an arrow head.

use crate::sim::ActorId;
use crate::sim::Simulation;
use crate::ui::components::diagram::SEP;
use crate::ui::i18n::{fill, format_time, Text};
use crate::ui::state::use_app;
use crate::view::geometry::clip_chars;
use yew::prelude::*;

/// What a producer's node says.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerFace {
    /// The name, clipped to fit.
    pub name: String,
    /// `→ exchange · sent N`, with the publishing interval and confirms.
    pub sub: String,
}

impl ProducerFace {
    /// Producer `id`'s face, if it is in the simulation.
    pub fn of(sim: &Simulation, id: ActorId, t: &Text) -> Option<ProducerFace> {
        let p = sim.producer(id)?;
        let target = if p.spec.exchange.is_empty() {
            t.default_exchange.to_string()
        } else {
            p.spec.exchange.clone()
        };
        let every = p
            .every
            .map(|ms| format!(" · ⟳ {}", format_time(ms)))
            .unwrap_or_default();
        let confirms = if p.spec.confirm {
            format!(" · ✓{} ✗{}", p.acked, p.nacked)
        } else {
            String::new()
        };
        Some(ProducerFace {
            name: clip_chars(&p.spec.name, 14),
            sub: format!(
                "→ {} · {}{}{}",
                clip_chars(&target, 10),
                fill(t.sent_n, &[("n", &p.sent.to_string())]),
                every,
                confirms
            ),
        })
    }

    /// The node's visible text, in document order (its accessible name).
    pub fn visible(&self, t: &Text) -> Vec<String> {
        vec![
            t.kind_producer_caps.to_string(),
            self.name.clone(),
            self.sub.clone(),
        ]
    }
}

#[derive(Properties, PartialEq)]
pub struct ProducerNodeProps {
    pub face: ProducerFace,
    /// The node's size.
    pub w: f64,
    pub h: f64,
}

#[function_component(ProducerNode)]
pub fn producer_node(props: &ProducerNodeProps) -> Html {
    let t = use_app().t();
    let (w, h) = (props.w, props.h);
    html! {
        <>
            <path class="shape" d={format!("M0,8 Q0,0 8,0 L{:.0},0 L{w:.0},{:.0} L{:.0},{h:.0} L8,{h:.0} Q0,{h:.0} 0,{:.0} Z", w - 16.0, h / 2.0, w - 16.0, h - 8.0)} />
            <text class="kind" x="12" y="15">{ t.kind_producer_caps }</text>{ SEP }
            <text class="name" x="12" y="33">{ props.face.name.clone() }</text>{ SEP }
            <text class="sub" x="12" y="49">{ props.face.sub.clone() }</text>{ SEP }
        </>
    }
}
