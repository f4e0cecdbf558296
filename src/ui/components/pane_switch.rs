//! The pane switch of narrow screens: on a phone, a tablet or a small
//! embedded player the workbench shows one panel at a time below the
//! playback bar (the diagram first), and these buttons choose which. Wide
//! screens show every panel at once and hide the switch (`www/style.css`);
//! the panel shown is the `data-pane` of the panels' container.

use crate::ui::state::{use_app, Action, Pane};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PaneSwitchProps {
    /// The panels this page has, in the order their buttons appear.
    pub panes: Vec<Pane>,
    /// The one shown.
    pub shown: Pane,
}

#[function_component(PaneSwitch)]
pub fn pane_switch(props: &PaneSwitchProps) -> Html {
    let app = use_app();
    let t = app.t();
    let label = |pane: Pane| match pane {
        Pane::Diagram => t.pane_diagram,
        Pane::Lesson => t.pane_lesson,
        Pane::Build => t.pane_build,
        Pane::Inspector => t.pane_inspector,
        Pane::Log => t.pane_log,
        Pane::Tools => t.pane_tools,
    };
    html! {
        <nav class="pane-switch" id="pane-switch" aria-label={app.region_label(t.pane_switch)}>
            { for props.panes.iter().map(|&pane| {
                let on = pane == props.shown;
                html! {
                    <button type="button" id={format!("pane-{}", pane.name())}
                        class={classes!("pane-button", on.then_some("on"))}
                        aria-pressed={on.to_string()}
                        onclick={app.callback(move |_| Action::ShowPane(pane))}>{ label(pane) }</button>
                }
            }) }
        </nav>
    }
}

/// The pane to show: the one chosen if this page has it, else the first.
pub fn shown_pane(chosen: Pane, panes: &[Pane]) -> Pane {
    if panes.contains(&chosen) {
        chosen
    } else {
        panes.first().copied().unwrap_or(Pane::Diagram)
    }
}
