//! A virtualized list: only the rows in view are in the DOM, so a queue of
//! 10,000 messages or a log of 50,000 events costs a screenful of rows.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub count: usize,
    /// Row height in px (every row has this height).
    pub row_h: f64,
    /// Viewport height in px.
    pub height: f64,
    /// Renders row `i`.
    pub render: Callback<usize, Html>,
    pub id: AttrValue,
    pub label: AttrValue,
    /// Keep the end in view as rows are added (while the person is there).
    #[prop_or_default]
    pub follow_end: bool,
}

#[function_component(VirtualList)]
pub fn virtual_list(p: &Props) -> Html {
    let scroll = use_state(|| 0.0_f64);
    let at_end = use_state(|| true);
    // The viewport's real height: CSS may make it taller than `height` (a
    // phone's log pane) or smaller; `height` until it is first measured.
    let viewport = use_state(|| p.height);
    let el = use_node_ref();
    let total = p.count as f64 * p.row_h;
    {
        // After every render: follow the end, and learn the real scroll
        // position and height. A list hidden with its pane (narrow
        // screens) measures 0 and is left alone until it is shown again.
        let el = el.clone();
        let follow = p.follow_end && *at_end;
        let scroll = scroll.clone();
        let viewport = viewport.clone();
        use_effect(move || {
            let Some(div) = el.cast::<web_sys::Element>() else {
                return;
            };
            let real = f64::from(div.client_height());
            if real <= 0.0 {
                return;
            }
            if follow {
                div.set_scroll_top((total - real).max(0.0).ceil() as i32);
            }
            let top = f64::from(div.scroll_top());
            if (*scroll - top).abs() > 0.5 {
                scroll.set(top);
            }
            if (*viewport - real).abs() > 0.5 {
                viewport.set(real);
            }
        });
    }
    let onscroll = {
        let scroll = scroll.clone();
        let at_end = at_end.clone();
        let el = el.clone();
        Callback::from(move |_: Event| {
            if let Some(div) = el.cast::<web_sys::Element>() {
                let top = f64::from(div.scroll_top());
                let real = f64::from(div.client_height()).max(1.0);
                scroll.set(top);
                at_end.set(top + real >= total - 4.0);
            }
        })
    };
    let first = ((*scroll / p.row_h).floor() as usize).min(p.count);
    let visible = (p.height.max(*viewport) / p.row_h).ceil() as usize + 2;
    let last = (first + visible).min(p.count);
    html! {
        <div class="vlist" ref={el} id={p.id.clone()} style={format!("height:{}px", p.height)} {onscroll}
            role="list" aria-label={p.label.clone()} tabindex="0" data-count={p.count.to_string()}>
            <div class="vlist-inner" style={format!("height:{total}px")}>
                <div class="vlist-rows" style={format!("transform:translateY({}px)", first as f64 * p.row_h)}>
                    { for (first..last).map(|i| p.render.emit(i)) }
                </div>
            </div>
        </div>
    }
}
