//! An exchange in the diagram: its name (or the default exchange), type and
//! flags, and the handle a binding is drawn from.

use crate::engine::Broker;
use crate::ui::components::diagram::SEP;
use crate::ui::i18n::Text;
use crate::ui::state::use_app;
use crate::view::geometry::clip_chars;
use crate::view::layout::PORT_RADIUS;
use yew::prelude::*;

/// What an exchange's node says.
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeFace {
    /// The name (the default exchange's label for `""`), clipped to fit.
    pub name: String,
    /// The type and flags (`topic · durable`).
    pub sub: String,
    /// Whether it has a binding handle (the default exchange takes none).
    pub bindable: bool,
}

impl ExchangeFace {
    /// Exchange `name`'s face (one not declared yet reads as the default
    /// exchange does: direct, durable).
    pub fn of(broker: &Broker, name: &str, t: &Text) -> ExchangeFace {
        let (kind, flags) = match broker.exchange_by_name(name) {
            Some(x) => {
                let mut f = Vec::new();
                if x.durable {
                    f.push(t.flag_durable);
                }
                if x.auto_delete {
                    f.push(t.flag_auto_delete);
                }
                if x.internal {
                    f.push(t.flag_internal);
                }
                (x.kind.name(), f.join(" · "))
            }
            None => ("direct", t.flag_durable.to_string()),
        };
        let shown = if name.is_empty() {
            t.default_exchange.to_string()
        } else {
            name.to_string()
        };
        ExchangeFace {
            name: clip_chars(&shown, 14),
            sub: if flags.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} · {flags}")
            },
            bindable: !name.is_empty(),
        }
    }

    /// The node's visible text, in document order (its accessible name).
    pub fn visible(&self, t: &Text) -> Vec<String> {
        vec![
            t.kind_exchange_caps.to_string(),
            self.name.clone(),
            self.sub.clone(),
        ]
    }
}

#[derive(Properties, PartialEq)]
pub struct ExchangeNodeProps {
    pub face: ExchangeFace,
    /// The node's size.
    pub w: f64,
    pub h: f64,
    /// The binding handle, in the node's own coordinates.
    pub port: (f64, f64),
}

#[function_component(ExchangeNode)]
pub fn exchange_node(props: &ExchangeNodeProps) -> Html {
    let t = use_app().t();
    let (w, h) = (props.w, props.h);
    let (port_x, port_y) = props.port;
    let port = if props.face.bindable {
        html! {
            <g class="port">
                <title>{ t.port_help }</title>
                <circle cx={format!("{port_x:.0}")} cy={format!("{port_y:.0}")} r={PORT_RADIUS.to_string()} />
                <text x={format!("{port_x:.0}")} y={format!("{:.0}", port_y + 4.0)} text-anchor="middle">{ "+" }</text>{ SEP }
            </g>
        }
    } else {
        html! {}
    };
    html! {
        <>
            <path class="shape" d={format!("M14,0 L{:.0},0 L{w:.0},{:.0} L{:.0},{h:.0} L14,{h:.0} L0,{:.0} Z", w - 14.0, h / 2.0, w - 14.0, h / 2.0)} />
            <text class="kind" x="18" y="15">{ t.kind_exchange_caps }</text>{ SEP }
            <text class="name" x="18" y="33">{ props.face.name.clone() }</text>{ SEP }
            <text class="sub" x="18" y="49">{ props.face.sub.clone() }</text>{ SEP }
            { port }
        </>
    }
}
