//! The topology diagram (SVG): producers → exchanges → queues → workers,
//! in columns across, or in rows down a narrow, tall box (a phone): the
//! orientation follows the box's measured size
//! ([`Orientation::for_box`]: down when narrower than 600 px and taller
//! than wide). Nodes can be dragged; dragging from an exchange's handle to a queue or
//! exchange opens the binding form. On every step the messages involved
//! travel along their edges.
//!
//! The view: the drawing starts zoomed to fit its box (and keeps fitting as
//! the topology grows) until a person zooms or pans; "Fit" (or `0`) goes
//! back to that. Pointer events serve the mouse, a pen and touch alike: a
//! press on the background pans, on a node drags it (a press without a move
//! selects it), on an exchange's handle draws a binding; a second finger
//! turns any of them into a pinch. Ctrl (or ⌘) with the wheel, and a
//! trackpad's pinch, zoom about the cursor; the plain wheel pans in the
//! workbench and is left to the page in an embedded player, which shares
//! its page with the docs around it. With the focus in the diagram, `+`,
//! `−` and `0` zoom, the arrow keys pan (Alt+arrows move a focused node).
//! The arithmetic is `view::viewport`'s; the positions a person drags are
//! kept by `ui/saved_layout.rs`. Each kind of node draws itself
//! (`producer_node.rs`, `exchange_node.rs`, `queue_node.rs`,
//! `worker_node.rs`: what it says, worked out from the world, and its
//! shape); this file places them, in a focusable group named by their text.

use crate::describe::message_of;
use crate::engine::event::{DeadFate, EventKind};
use crate::engine::ids::ChannelId;
use crate::ui::components::exchange_node::{ExchangeFace, ExchangeNode};
use crate::ui::components::producer_node::{ProducerFace, ProducerNode};
use crate::ui::components::queue_node::{QueueFace, QueueNode};
use crate::ui::components::worker_node::{WorkerFace, WorkerNode};
use crate::ui::i18n::{fill, Text};
use crate::ui::state::{use_app, Action, AppCtx, BuildTab, NodeKey, Prefill, Selection};
use crate::view::geometry::{Point, Rect};
use crate::view::layout::{layout, Diagram, EdgeKind, NodeKind, Orientation};
use crate::view::route::curve_path;
use crate::view::timeline::Timeline;
use crate::view::viewport::{nudge_into, wheel_factor, Size, Viewport, PAN_STEP, ZOOM_STEP};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A message moving along an edge during the current step.
struct Move {
    from: (f64, f64),
    to: (f64, f64),
    label: String,
    class: &'static str,
    delay_ms: u32,
}

/// Between a node's `<text>` lines: SVG draws no text outside them, but the
/// space keeps the words apart for anything that reads the node's text
/// (a screen reader's name from content, axe's label-in-name check).
pub(crate) const SEP: &str = " ";

/// The band at the top of the drawing's box where its buttons float
/// (`.view-tools` in `www/style.css`): zoom to fit keeps the drawing below it.
const TOOLS_BAND: f64 = 48.0;

/// What floats over the bottom of the drawing's box in a small embedded
/// player (`app.rs`: its playback bar and caption; `www/style.css`): zoom
/// to fit keeps the drawing above whatever part of the box it covers.
const OVERLAY: &str = ".embed-overlay";

/// What a pressed pointer is doing. Each carries the view at its start:
/// panning and pinching move from it; dragging a node or a binding keeps
/// it, so a drawing that grows under the pointer is not refitted mid-drag.
#[derive(Clone, Debug, PartialEq)]
enum Drag {
    Node {
        key: NodeKey,
        /// Where in the node it was grabbed.
        dx: f64,
        dy: f64,
        x: f64,
        y: f64,
        moved: bool,
        view: Viewport,
    },
    Link {
        source: Rc<str>,
        x0: f64,
        y0: f64,
        x: f64,
        y: f64,
        view: Viewport,
    },
    Pan {
        pointer: i32,
        /// Where it was pressed, in the box's pixels.
        from: Point,
        view: Viewport,
    },
    Pinch {
        pointers: [i32; 2],
        from: [Point; 2],
        view: Viewport,
    },
}

/// The view's state, changed by events faster than the component renders
/// (a wheel turns, pointers move), so it lives in a `RefCell` read at
/// render and written by the handlers, never a stale copy.
#[derive(Default)]
struct ViewState {
    /// The view a person chose by zooming or panning, and the timeline it
    /// was chosen on (another setup starts fitted again); `None`: fit.
    chosen: Option<(usize, Viewport)>,
    /// The box's size in CSS pixels, from a `ResizeObserver`.
    frame: Option<Size>,
    /// How many of the box's bottom pixels the player's floating bar
    /// covers ([`OVERLAY`]; 0 when it sits above the diagram or there is
    /// none).
    covered: f64,
    drag: Option<Drag>,
    /// Pressed pointers, where they are in the box.
    pressed: BTreeMap<i32, Point>,
}

impl ViewState {
    /// The view a person chose, if it was on this timeline.
    fn chosen_on(&self, timeline: usize) -> Option<Viewport> {
        self.chosen
            .filter(|(on, _)| *on == timeline)
            .map(|(_, v)| v)
    }
}

/// Where a pointer is in the SVG's box (CSS pixels from its top-left
/// corner), and the box's size.
fn box_point(svg: &NodeRef, client: (i32, i32)) -> Option<(Point, Size)> {
    let el = svg.cast::<web_sys::Element>()?;
    let r = el.get_bounding_client_rect();
    let size = Size {
        w: r.width(),
        h: r.height(),
    };
    size.is_usable().then(|| {
        (
            (
                f64::from(client.0) - r.left(),
                f64::from(client.1) - r.top(),
            ),
            size,
        )
    })
}

/// What the view's handlers share: the view state, how to redraw, and what
/// the last render showed.
#[derive(Clone)]
struct ViewControl {
    svg: NodeRef,
    state: Rc<RefCell<ViewState>>,
    redraw: UseForceUpdateHandle,
    /// The timeline shown (see [`ViewState::chosen`]).
    timeline: usize,
    /// The SVG's viewBox as last rendered, and the whole drawing.
    shown: Rect,
    content: Rect,
}

impl ViewControl {
    /// The view on screen: the one chosen since the last render (the wheel
    /// turns faster than the page renders), else what the viewBox shows.
    fn current(&self, size: Size) -> Viewport {
        self.state
            .borrow()
            .chosen_on(self.timeline)
            .unwrap_or_else(|| Viewport::showing(self.shown, size))
    }

    /// Shows `view` (with the drawing kept in reach) until the next choice.
    fn choose(&self, view: Viewport, size: Size) {
        let view = view.keep_in_reach(self.content, size);
        self.state.borrow_mut().chosen = Some((self.timeline, view));
        self.redraw.force_update();
    }

    /// Changes the view on screen (keys and buttons).
    fn change(&self, how: impl Fn(Viewport, Size) -> Viewport) {
        if let Some((_, size)) = box_point(&self.svg, (0, 0)) {
            self.choose(how(self.current(size), size), size);
        }
    }

    /// Back to zoom to fit, which follows the drawing as it grows.
    fn fit(&self) {
        self.state.borrow_mut().chosen = None;
        self.redraw.force_update();
    }
}

/// How many of the box's bottom pixels `overlay` covers: from its top to
/// the box's bottom where it floats over the box, 0 where it is elsewhere
/// (above the diagram in a large player, or hidden).
fn covered_below(frame: &web_sys::Element, overlay: &web_sys::Element) -> f64 {
    let (f, o) = (
        frame.get_bounding_client_rect(),
        overlay.get_bounding_client_rect(),
    );
    let across = o.right().min(f.right()) - o.left().max(f.left());
    if across <= 0.0 || o.height() <= 0.0 || o.top() <= f.top() || o.top() >= f.bottom() {
        return 0.0;
    }
    (f.bottom() - o.top()).clamp(0.0, f.height())
}

fn node_key_of_channel(tl: &Timeline, ch: ChannelId) -> Option<NodeKey> {
    let sim = &tl.world().sim;
    if let Some(w) = sim.workers().find(|w| w.link.channel == ch) {
        return Some(NodeKey::Worker(w.id));
    }
    sim.producers()
        .find(|p| p.link.channel == ch)
        .map(|p| NodeKey::Producer(p.id))
}

/// The moves of one step, each starting after the ones it follows.
#[derive(Default)]
struct Trips {
    moves: Vec<Move>,
    delay_ms: u32,
}

impl Trips {
    /// A message going from one point to another, if both are drawn.
    fn go(
        &mut self,
        from: Option<Point>,
        to: Option<Point>,
        label: String,
        class: &'static str,
    ) -> bool {
        let (Some(from), Some(to)) = (from, to) else {
            return false;
        };
        self.moves.push(Move {
            from,
            to,
            label,
            class,
            delay_ms: self.delay_ms,
        });
        true
    }

    /// The moves after this start later.
    fn pause(&mut self) {
        self.delay_ms += 350;
    }
}

/// The messages that move in the step that led to the cursor.
fn moves(tl: &Timeline, d: &Diagram) -> Vec<Move> {
    // `out`: where the node's edges leave it, else where they enter.
    let pos = |k: &NodeKey, out: bool| {
        d.node(k)
            .map(|n| if out { n.exit(d.flow) } else { n.entry(d.flow) })
    };
    let queue = |name: &Rc<str>, right: bool| pos(&NodeKey::Queue(name.clone()), right);
    let exchange = |name: &Rc<str>, right: bool| pos(&NodeKey::Exchange(name.clone()), right);
    let client =
        |ch: ChannelId, right: bool| node_key_of_channel(tl, ch).and_then(|k| pos(&k, right));
    let mut trips = Trips::default();
    for e in tl.last_tick_events() {
        if trips.moves.len() >= 8 {
            break;
        }
        match &e.kind {
            EventKind::Published {
                message, channel, ..
            } => {
                let label = format!("#{}", message.id().0);
                if trips.go(
                    client(*channel, true),
                    exchange(&message.exchange, false),
                    label,
                    "publish",
                ) {
                    trips.pause();
                }
            }
            EventKind::Routed {
                message,
                exchange: x,
                trace,
                ..
            } => {
                let Some(from) = exchange(x, true) else {
                    continue;
                };
                for q in &trace.queues {
                    trips.go(
                        Some(from),
                        queue(q, false),
                        format!("#{}", message.0),
                        "publish",
                    );
                }
                trips.pause();
            }
            EventKind::Delivered {
                message,
                queue_name,
                channel,
                redelivered,
                ..
            } => {
                let (label, class) = match redelivered {
                    true => (format!("#{} ↺", message.id().0), "redeliver"),
                    false => (format!("#{}", message.id().0), "deliver"),
                };
                trips.go(
                    queue(queue_name, true),
                    client(*channel, false),
                    label,
                    class,
                );
            }
            EventKind::Acked {
                message,
                queue_name,
                channel,
                ..
            } => {
                let label = format!("ack #{}", message.0);
                trips.go(
                    client(*channel, false),
                    queue(queue_name, true),
                    label,
                    "ack",
                );
            }
            EventKind::Rejected {
                message,
                queue_name,
                channel,
                nack,
                ..
            } => {
                let label = format!("{} #{}", if *nack { "nack" } else { "reject" }, message.0);
                trips.go(
                    client(*channel, false),
                    queue(queue_name, true),
                    label,
                    "reject",
                );
            }
            EventKind::Requeued {
                message,
                queue_name,
                channel: Some(ch),
                ..
            } => {
                let to = queue(queue_name, true);
                let after = d.flow.flip((60.0, 0.0));
                let from =
                    client(*ch, false).or_else(|| to.map(|(x, y)| (x + after.0, y + after.1)));
                trips.go(from, to, format!("#{} ↺", message.0), "requeue");
            }
            EventKind::MessageDead {
                message,
                queue_name,
                fate: DeadFate::DeadLettered { dlx, .. },
                ..
            } => {
                let to = exchange(&Rc::from(dlx.as_str()), false);
                if trips.go(
                    queue(queue_name, true),
                    to,
                    format!("#{} ✝", message.0),
                    "dead",
                ) {
                    trips.pause();
                }
            }
            _ => {}
        }
    }
    trips.moves
}

/// Callouts: consequences drawn next to the node they happened to.
fn callouts(tl: &Timeline, t: &Text) -> Vec<(NodeKey, String, &'static str)> {
    let mut out = Vec::new();
    for e in tl.last_tick_events() {
        // A message lost where it was, and how.
        let (node, how) = match &e.kind {
            EventKind::ChannelClosed {
                channel,
                requeued,
                error,
                ..
            } if *requeued > 0 || error.is_some() => {
                if let Some(k) = node_key_of_channel(tl, *channel) {
                    let closed = match error {
                        Some(err) => format!("{} {}", err.code, t.channel_closed_short),
                        None => t.channel_closed_short.to_string(),
                    };
                    let back = fill(t.n_requeued, &[("n", &requeued.to_string())]);
                    out.push((k, format!("{closed} → {back}"), "bad"));
                }
                continue;
            }
            EventKind::Expired { queue_name, .. } => {
                (NodeKey::Queue(queue_name.clone()), t.expired_short)
            }
            EventKind::Overflowed { queue_name, .. } => {
                (NodeKey::Queue(queue_name.clone()), t.overflowed_short)
            }
            EventKind::Unroutable {
                exchange, returned, ..
            } => (
                NodeKey::Exchange(exchange.clone()),
                if *returned {
                    t.returned_short
                } else {
                    t.dropped_short
                },
            ),
            _ => continue,
        };
        if let Some(id) = message_of(&e.kind) {
            out.push((node, format!("#{id} {how}"), "warn"));
        }
    }
    out
}

#[function_component(DiagramView)]
pub fn diagram_view() -> Html {
    let app = use_app();
    let t = app.t();
    let svg_ref = use_node_ref();
    let frame_ref = use_node_ref();
    let view_state = use_mut_ref(ViewState::default);
    let redraw = use_force_update();
    let s = &app.state;
    // A chosen view belongs to the timeline it was chosen on: a reset, a
    // chapter or a document replaces the timeline and starts fitted again.
    let timeline = Rc::as_ptr(&s.timeline) as *const () as usize;

    // The arrangement kept for what is shown, read when that changes (and
    // when its timeline is replaced: a chapter started over keeps it).
    {
        let key = crate::ui::saved_layout::key(s);
        let app = app.clone();
        use_effect_with((key, timeline), move |(key, _)| {
            if let Some(key) = key {
                let saved = crate::ui::saved_layout::load(key);
                if !saved.is_empty() {
                    app.send(Action::LayoutLoaded(key.clone(), saved));
                }
            }
        });
    }

    let tl = s.timeline.borrow();
    let (drag, chosen, frame, covered) = {
        let vs = view_state.borrow();
        (vs.drag.clone(), vs.chosen_on(timeline), vs.frame, vs.covered)
    };
    // Across until the box is measured, then as its shape asks.
    let flow = frame.map_or(Orientation::Across, |f| Orientation::for_box(f.w, f.h));
    let mut positions = s.positions.positions(tl.world(), flow);
    if let Some(Drag::Node { key, x, y, .. }) = &drag {
        positions.insert(key.clone(), (*x, *y));
    }
    let d = Rc::new(layout(tl.world(), &positions, t, flow));
    let pos = tl.pos();

    // The box's size, and how much of it the player's floating bar covers,
    // whenever either changes (a hidden pane measures 0×0 and keeps the
    // last size).
    {
        let frame_ref = frame_ref.clone();
        let view_state = view_state.clone();
        let redraw = redraw.clone();
        use_effect_with(d.nodes.is_empty(), move |_| {
            let observed = frame_ref.cast::<web_sys::Element>().and_then(|el| {
                let target = el.clone();
                // Within the same player (a `<warren-player>`'s shadow root
                // holds its own).
                let overlay = el
                    .closest(".wb")
                    .ok()
                    .flatten()
                    .and_then(|wb| wb.query_selector(OVERLAY).ok().flatten());
                let over = overlay.clone();
                let on_resize = Closure::<dyn Fn()>::new(move || {
                    let size = Size {
                        w: f64::from(target.client_width()),
                        h: f64::from(target.client_height()),
                    };
                    let covered = over.as_ref().map_or(0.0, |o| covered_below(&target, o));
                    let mut vs = view_state.borrow_mut();
                    if size.is_usable() && (vs.frame != Some(size) || vs.covered != covered) {
                        vs.frame = Some(size);
                        vs.covered = covered;
                        drop(vs);
                        redraw.force_update();
                    }
                });
                let observer =
                    web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                if let Some(o) = &overlay {
                    observer.observe(o);
                }
                Some((observer, on_resize))
            });
            move || {
                if let Some((observer, on_resize)) = observed {
                    observer.disconnect();
                    drop(on_resize);
                }
            }
        });
    }

    if d.nodes.is_empty() {
        drop(tl);
        return html! {
            <section class="diagram empty" id="diagram" aria-label={app.region_label(t.diagram)}>
                <div class="empty-state">
                    <h2>{ t.empty_title }</h2>
                    <p>{ t.empty_help }</p>
                    <ol>
                        <li>{ t.empty_step1 }</li>
                        <li>{ t.empty_step2 }</li>
                        <li>{ t.empty_step3 }</li>
                    </ol>
                </div>
            </section>
        };
    }

    // The view drawn: a node or binding being dragged keeps the view it
    // started with, else the one a person chose, else zoom to fit. Before
    // the box is measured the SVG fits the drawing itself (its viewBox).
    let content = d.view_box;
    let view = match &drag {
        Some(Drag::Node { view, .. } | Drag::Link { view, .. }) => Some(*view),
        _ => None,
    }
    .or(chosen)
    .or_else(|| frame.map(|f| Viewport::fit_between(content, f, TOOLS_BAND, covered)));
    let shown = match (view, frame) {
        (Some(v), Some(f)) => v.view_box(f),
        _ => content,
    };
    let scale = view.map_or(1.0, |v| v.scale);
    let control = ViewControl {
        svg: svg_ref.clone(),
        state: view_state.clone(),
        redraw: redraw.clone(),
        timeline,
        shown,
        content,
    };

    // A node that gets the focus (Tab, a screen reader, a script) but lies
    // outside the box, or under the floating buttons, is panned just into
    // view: a focused control must not be hidden (WCAG 2.4.11).
    let onfocusin = {
        let control = control.clone();
        Callback::from(move |e: FocusEvent| {
            let Some(node) = e.target_dyn_into::<web_sys::Element>() else {
                return;
            };
            let Some(svg) = control.svg.cast::<web_sys::Element>() else {
                return;
            };
            if !node.matches("g.node").unwrap_or(false) {
                return;
            }
            let (b, r) = (
                svg.get_bounding_client_rect(),
                node.get_bounding_client_rect(),
            );
            let dx = nudge_into(r.left(), r.right(), b.left(), b.right(), 8.0);
            let dy = nudge_into(
                r.top(),
                r.bottom(),
                b.top() + TOOLS_BAND,
                b.bottom() - covered,
                8.0,
            );
            if dx != 0.0 || dy != 0.0 {
                control.change(|v, _| v.pan_by(dx, dy));
            }
        })
    };

    // Ctrl/⌘ + wheel (and a trackpad's pinch, which the browser sends as
    // one) zooms about the cursor. The plain wheel pans the workbench's
    // diagram; in an embedded player it scrolls the page as usual.
    let onwheel = {
        let control = control.clone();
        let pans = s.embed.is_none();
        Callback::from(move |e: WheelEvent| {
            let zoom = e.ctrl_key() || e.meta_key();
            if !zoom && !pans {
                return;
            }
            let Some((at, size)) = box_point(&control.svg, (e.client_x(), e.client_y())) else {
                return;
            };
            e.prevent_default();
            let now = control.current(size);
            let next = if zoom {
                now.zoom_about(wheel_factor(e.delta_y(), e.delta_mode()), at)
            } else {
                let unit = match e.delta_mode() {
                    1 => 40.0,
                    2 => size.h,
                    _ => 1.0,
                };
                // Shift turns a plain wheel sideways where the browser does not.
                let (dx, dy) = if e.shift_key() && e.delta_x() == 0.0 {
                    (e.delta_y(), 0.0)
                } else {
                    (e.delta_x(), e.delta_y())
                };
                now.pan_by(-dx * unit, -dy * unit)
            };
            control.choose(next, size);
        })
    };

    // A press: on a handle, a binding; on a node, a move (or a selection);
    // on the background, a pan; a second finger, a pinch.
    let onpointerdown = {
        let control = control.clone();
        let d = d.clone();
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() == "mouse" && e.button() != 0 {
                return;
            }
            let Some((at, size)) = box_point(&control.svg, (e.client_x(), e.client_y())) else {
                return;
            };
            let id = e.pointer_id();
            let svg = control.svg.cast::<web_sys::Element>();
            if let Some(svg) = &svg {
                // Moves and the release come here even off the drawing.
                let _ = svg.set_pointer_capture(id);
            }
            // No text selection, no emulated mouse events.
            e.prevent_default();
            let now = control.current(size);
            let mut vs = control.state.borrow_mut();
            if e.is_primary() {
                // A new gesture: any pointer whose release was lost is gone.
                vs.pressed.clear();
            }
            vs.pressed.insert(id, at);
            if vs.pressed.len() >= 2 {
                if vs.pressed.len() == 2 {
                    let two: Vec<(i32, Point)> = vs.pressed.iter().map(|(i, p)| (*i, *p)).collect();
                    vs.drag = Some(Drag::Pinch {
                        pointers: [two[0].0, two[1].0],
                        from: [two[0].1, two[1].1],
                        view: now,
                    });
                }
                drop(vs);
                control.redraw.force_update();
                return;
            }
            let target = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let hit = |selector: &str| {
                target
                    .as_ref()
                    .and_then(|t| t.closest(selector).ok().flatten())
            };
            let node = hit("g.node")
                .and_then(|g| g.get_attribute("data-index"))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| d.nodes.get(i));
            let (x, y) = now.to_drawing(at);
            vs.drag = Some(match (hit("g.port"), node) {
                (Some(_), Some(n)) => {
                    let NodeKey::Exchange(source) = &n.key else {
                        return;
                    };
                    let (x0, y0) = n.exit(d.flow);
                    Drag::Link {
                        source: source.clone(),
                        x0,
                        y0,
                        x: x0,
                        y: y0,
                        view: now,
                    }
                }
                (_, Some(n)) => Drag::Node {
                    key: n.key.clone(),
                    dx: x - n.x,
                    dy: y - n.y,
                    x: n.x,
                    y: n.y,
                    moved: false,
                    view: now,
                },
                (_, None) => {
                    // The keys act on the diagram once it is pressed (no
                    // focus ring for a pointer's focus, no scrolling to it).
                    if let Some(svg) = svg.and_then(|s| s.dyn_into::<web_sys::SvgElement>().ok()) {
                        let options = web_sys::FocusOptions::new();
                        options.set_focus_visible(false);
                        options.set_prevent_scroll(true);
                        let _ = svg.focus_with_options(&options);
                    }
                    Drag::Pan {
                        pointer: id,
                        from: at,
                        view: now,
                    }
                }
            });
            drop(vs);
            control.redraw.force_update();
        })
    };

    let onpointermove = {
        let control = control.clone();
        Callback::from(move |e: PointerEvent| {
            let Some((at, size)) = box_point(&control.svg, (e.client_x(), e.client_y())) else {
                return;
            };
            let id = e.pointer_id();
            let mut vs = control.state.borrow_mut();
            match vs.pressed.get_mut(&id) {
                Some(p) => *p = at,
                // Hovering: nothing to do.
                None => return,
            }
            let Some(drag) = vs.drag.clone() else { return };
            let next = match drag {
                Drag::Pinch {
                    pointers: [a, b],
                    from,
                    view,
                } => {
                    let (Some(pa), Some(pb)) = (vs.pressed.get(&a), vs.pressed.get(&b)) else {
                        return;
                    };
                    let pinched = view.pinch(from, [*pa, *pb]);
                    drop(vs);
                    control.choose(pinched, size);
                    return;
                }
                Drag::Pan {
                    pointer,
                    from,
                    view,
                } => {
                    if pointer != id {
                        return;
                    }
                    drop(vs);
                    control.choose(view.pan_by(at.0 - from.0, at.1 - from.1), size);
                    return;
                }
                Drag::Node {
                    key,
                    dx,
                    dy,
                    moved,
                    x: ox,
                    y: oy,
                    view,
                } => {
                    let (x, y) = view.to_drawing(at);
                    let (nx, ny) = ((x - dx).max(0.0), (y - dy).max(0.0));
                    // A press that wanders a few units is still a click.
                    let moved = moved || (nx - ox).abs() > 3.0 || (ny - oy).abs() > 3.0;
                    let (x, y) = if moved { (nx, ny) } else { (ox, oy) };
                    Drag::Node {
                        key,
                        dx,
                        dy,
                        x,
                        y,
                        moved,
                        view,
                    }
                }
                Drag::Link {
                    source,
                    x0,
                    y0,
                    view,
                    ..
                } => {
                    let (x, y) = view.to_drawing(at);
                    Drag::Link {
                        source,
                        x0,
                        y0,
                        x,
                        y,
                        view,
                    }
                }
            };
            vs.drag = Some(next);
            drop(vs);
            control.redraw.force_update();
        })
    };

    // A release ends what its pointer began (either finger ends a pinch);
    // a cancelled one (the browser took the gesture) changes nothing.
    let release = {
        let control = control.clone();
        let d = d.clone();
        let app = app.clone();
        Rc::new(move |e: PointerEvent, cancelled: bool| {
            let id = e.pointer_id();
            let mut vs = control.state.borrow_mut();
            vs.pressed.remove(&id);
            let ends = match &vs.drag {
                Some(Drag::Pan { pointer, .. }) => *pointer == id,
                Some(_) => true,
                None => false,
            };
            if !ends {
                return;
            }
            let drag = vs.drag.take();
            drop(vs);
            control.redraw.force_update();
            if cancelled {
                return;
            }
            match drag {
                Some(Drag::Node {
                    key, x, y, moved, ..
                }) => {
                    if moved {
                        app.send(Action::MoveNode(key, x, y, flow));
                    } else {
                        app.send(Action::Select(Some(selection_of(&key))));
                    }
                }
                Some(Drag::Link { source, view, .. }) => {
                    let Some((at, _)) = box_point(&control.svg, (e.client_x(), e.client_y()))
                    else {
                        return;
                    };
                    let (x, y) = view.to_drawing(at);
                    let target = d.nodes.iter().find(|n| {
                        matches!(n.kind, NodeKind::Queue | NodeKind::Exchange)
                            && x >= n.x
                            && x <= n.x + n.w
                            && y >= n.y
                            && y <= n.y + n.h
                    });
                    if let Some(n) = target {
                        let (destination, to_exchange) = match &n.key {
                            NodeKey::Queue(q) => (q.clone(), false),
                            NodeKey::Exchange(x) => (x.clone(), true),
                            _ => return,
                        };
                        if destination.is_empty() || (to_exchange && destination == source) {
                            return;
                        }
                        app.send(Action::OpenTab(
                            BuildTab::Binding,
                            Prefill::Bind {
                                source,
                                destination,
                                to_exchange,
                            },
                        ));
                    }
                }
                _ => {}
            }
        })
    };
    let onpointerup = {
        let release = release.clone();
        Callback::from(move |e: PointerEvent| release(e, false))
    };
    let onpointercancel = Callback::from(move |e: PointerEvent| release(e, true));

    // With the focus in the diagram: + and − zoom, 0 fits, the arrows pan
    // (a focused node's Alt+arrows, which move it, come first).
    let onkeydown = {
        let control = control.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.default_prevented() || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let step = if e.shift_key() {
                PAN_STEP * 4.0
            } else {
                PAN_STEP
            };
            match e.key().as_str() {
                "+" | "=" => control.change(|v, size| v.zoom_centred(ZOOM_STEP, size)),
                "-" | "_" => control.change(|v, size| v.zoom_centred(1.0 / ZOOM_STEP, size)),
                "0" => control.fit(),
                "ArrowLeft" => control.change(|v, _| v.pan_by(step, 0.0)),
                "ArrowRight" => control.change(|v, _| v.pan_by(-step, 0.0)),
                "ArrowUp" => control.change(|v, _| v.pan_by(0.0, step)),
                "ArrowDown" => control.change(|v, _| v.pan_by(0.0, -step)),
                _ => return,
            }
            e.prevent_default();
            e.stop_propagation();
        })
    };
    let zoom_out = {
        let control = control.clone();
        Callback::from(move |_: MouseEvent| {
            control.change(|v, size| v.zoom_centred(1.0 / ZOOM_STEP, size))
        })
    };
    let zoom_in = {
        let control = control.clone();
        Callback::from(move |_: MouseEvent| {
            control.change(|v, size| v.zoom_centred(ZOOM_STEP, size))
        })
    };
    let zoom_fit = {
        let control = control.clone();
        Callback::from(move |_: MouseEvent| control.fit())
    };

    let now = tl.world().sim.now();
    let edges = d.edges.iter().enumerate().map(|(i, e)| {
        let class = match e.kind {
            EdgeKind::Publish => "edge publish",
            EdgeKind::Binding => "edge binding",
            EdgeKind::Implicit => "edge implicit",
            EdgeKind::Consume => "edge consume",
            EdgeKind::Alternate => "edge alternate",
            EdgeKind::DeadLetter => "edge deadletter",
        };
        let caption = e.caption.as_ref().map(|c| {
            let r = c.rect;
            html! {
                <g class="edge-label" transform={format!("translate({:.1},{:.1})", r.x, r.y)}>
                    // The whole label on hover, when the box shows less.
                    if c.shown != c.full {
                        <title>{ c.full.clone() }</title>
                    }
                    <rect width={format!("{:.1}", r.w)} height={format!("{:.1}", r.h)} rx="9" />
                    <text x={format!("{:.1}", r.w / 2.0)} y="13" text-anchor="middle">{ c.shown.clone() }</text>
                </g>
            }
        });
        html! {
            <g class={class} key={format!("e{i}")}>
                <path d={e.route.svg_path()} marker-end="url(#arrow)" />
                { for caption }
            </g>
        }
    });

    let selected = s.selection.clone();
    let pointed = app.state.pointed.clone();
    let (nodes, labels): (Vec<Html>, Vec<(NodeKey, String)>) = d
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let sel = selected
                .as_ref()
                .is_some_and(|x| *x == selection_of(&n.key));
            let point = pointed
                .as_deref()
                .is_some_and(|p| points_at(p, &n.key, &tl.world().sim));
            let (html, label) = render_node(&app, &tl, &d, i, sel, point, now);
            (html, (n.key.clone(), label))
        })
        .unzip();
    let as_text = crate::ui::components::diagram_text::diagram_text(t, tl.world(), &d, &labels);

    let tokens = moves(&tl, &d).into_iter().enumerate().map(|(i, m)| {
        let (dx, dy) = (m.to.0 - m.from.0, m.to.1 - m.from.1);
        let w = (m.label.chars().count() as f64 * 7.0 + 14.0).max(30.0);
        html! {
            <g key={format!("tok-{pos}-{i}")} transform={format!("translate({:.1},{:.1})", m.from.0, m.from.1)} aria-hidden="true">
                <g class={classes!("token", m.class)} style={format!("--dx:{dx:.1}px;--dy:{dy:.1}px;animation-delay:{}ms", m.delay_ms)}>
                    <rect x={format!("{:.1}", -w / 2.0)} y="-10" width={format!("{w:.1}")} height="20" rx="6" />
                    <text y="4.5" text-anchor="middle">{ m.label.clone() }</text>
                </g>
            </g>
        }
    });

    let callouts = callouts(&tl, t).into_iter().enumerate().filter_map(|(i, (k, text, class))| {
        let n = d.node(&k)?;
        let w = (text.chars().count() as f64 * 6.8 + 16.0).max(60.0);
        Some(html! {
            <g key={format!("co-{pos}-{i}")} class={classes!("callout", class)}
                transform={format!("translate({:.1},{:.1})", n.x + n.w / 2.0 - w / 2.0, n.y - 14.0 - i as f64 * 4.0)}>
                <rect width={format!("{w:.1}")} height="20" rx="10" />
                <text x={format!("{:.1}", w / 2.0)} y="14" text-anchor="middle">{ text }</text>
            </g>
        })
    });

    let link = match &drag {
        Some(Drag::Link { x0, y0, x, y, .. }) => html! {
            <path class="link-drag" d={curve_path((*x0, *y0), (*x, *y), d.flow)} />
        },
        _ => html! {},
    };
    let dragging = matches!(drag, Some(Drag::Pan { .. } | Drag::Pinch { .. }));
    let html = html! {
        <section class={classes!("diagram", (app.state.pointed.as_deref() == Some("broker")).then_some("pointed"))} id="diagram" aria-label={app.region_label(t.diagram)}>
            <div class="diagram-bar">
                <h2>{ t.topology }</h2>
                <div class="legend" aria-label={t.legend}>
                    <span class="lg"><svg viewBox="0 0 12 12" aria-hidden="true"><rect x="1" y="1" width="10" height="10" rx="2" class="cell ready"/></svg>{ t.legend_ready }</span>
                    <span class="lg"><svg viewBox="0 0 12 12" aria-hidden="true"><rect x="1" y="1" width="10" height="10" rx="2" class="cell unacked"/></svg>{ t.legend_unacked }</span>
                    <span class="lg"><span class="lg-line dashed"></span>{ t.legend_implicit }</span>
                </div>
                <span class="hint">{ t.drag_hint }</span>
            </div>
            <div class="diagram-scroll" ref={frame_ref}>
                // Over the drawing's top-right corner, as on a map.
                <div class="view-tools">
                    <div class="zoom" role="group" aria-label={t.zoom}>
                        <button type="button" class="btn small ghost" id="zoom-out" aria-label={t.zoom_out} title={t.zoom_out} onclick={zoom_out}>{ "−" }</button>
                        <button type="button" class="btn small ghost" id="zoom-in" aria-label={t.zoom_in} title={t.zoom_in} onclick={zoom_in}>{ "+" }</button>
                        <button type="button" class="btn small ghost" id="zoom-fit" aria-label={t.zoom_fit_name} title={t.zoom_fit_name}
                            aria-pressed={chosen.is_none().to_string()} onclick={zoom_fit}>{ t.zoom_fit }</button>
                    </div>
                    <button type="button" class="btn small" id="layout-reset" onclick={app.callback(|_| Action::ResetLayout)}
                        disabled={s.positions.is_empty()}>{ t.reset_layout }</button>
                </div>
                <svg ref={svg_ref} class={classes!("topo-svg", dragging.then_some("panning"))}
                    viewBox={format!("{:.1} {:.1} {:.1} {:.1}", shown.x, shown.y, shown.w, shown.h)}
                    role="group" aria-label={t.diagram} tabindex="0"
                    aria-keyshortcuts="+ - 0 ArrowLeft ArrowRight ArrowUp ArrowDown"
                    data-scale={format!("{scale:.3}")} data-fit={chosen.is_none().to_string()}
                    data-flow={match d.flow { Orientation::Across => "across", Orientation::Down => "down" }}
                    {onwheel} {onpointerdown} {onpointermove} {onpointerup} {onpointercancel} {onkeydown} {onfocusin}>
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
                        </marker>
                        <pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                            <rect width="5" height="5" class="hatch-bg" />
                            <line x1="0" y1="0" x2="0" y2="5" class="hatch-line" />
                        </pattern>
                    </defs>
                    <g class="edges">{ for edges }</g>
                    <g class="nodes">{ for nodes }</g>
                    <g class="tokens">{ for tokens }</g>
                    <g class="callouts">{ for callouts }</g>
                    { link }
                </svg>
            </div>
            { as_text }
        </section>
    };
    drop(tl);
    html
}

pub fn selection_of(key: &NodeKey) -> Selection {
    match key {
        NodeKey::Producer(id) => Selection::Producer(*id),
        NodeKey::Exchange(x) => Selection::Exchange(x.clone()),
        NodeKey::Queue(q) => Selection::Queue(q.clone()),
        NodeKey::Worker(id) => Selection::Worker(*id),
    }
}

/// Whether a chapter's concept pointer (`queue:hello`, `worker:receive.py`,
/// `exchange:` for the default exchange) names this node.
fn points_at(point: &str, key: &NodeKey, sim: &crate::sim::Simulation) -> bool {
    let Some((kind, name)) = point.split_once(':') else {
        return false;
    };
    match (kind, key) {
        ("exchange", NodeKey::Exchange(x)) => **x == *name,
        ("queue", NodeKey::Queue(q)) => **q == *name,
        ("producer", NodeKey::Producer(id)) => {
            sim.producer(*id).is_some_and(|p| p.spec.name == name)
        }
        ("worker", NodeKey::Worker(id)) => sim.worker(*id).is_some_and(|w| w.spec.name == name),
        _ => false,
    }
}

fn render_node(
    app: &AppCtx,
    tl: &Timeline,
    d: &Diagram,
    index: usize,
    selected: bool,
    pointed: bool,
    now: u64,
) -> (Html, String) {
    let n = &d.nodes[index];
    let flow = d.flow;
    let t = app.t();
    let broker = &tl.world().sim.broker;
    let sim = &tl.world().sim;
    let key = n.key.clone();
    let onkeydown = {
        let app = app.clone();
        let key = key.clone();
        let (nx, ny) = (n.x, n.y);
        Callback::from(move |e: KeyboardEvent| {
            // Alt+arrows move the node: the keyboard's way to rearrange.
            let step = 16.0;
            let moved = match e.key().as_str() {
                "ArrowLeft" if e.alt_key() => Some(((nx - step).max(0.0), ny)),
                "ArrowRight" if e.alt_key() => Some((nx + step, ny)),
                "ArrowUp" if e.alt_key() => Some((nx, (ny - step).max(0.0))),
                "ArrowDown" if e.alt_key() => Some((nx, ny + step)),
                _ => None,
            };
            if let Some((x, y)) = moved {
                e.prevent_default();
                app.send(Action::MoveNode(key.clone(), x, y, flow));
            } else if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                app.send(Action::Select(Some(selection_of(&key))));
            }
        })
    };
    let (w, h) = (n.w, n.h);
    // The binding handle, in the node's own coordinates.
    let (port_x, port_y) = {
        let (x, y) = n.exit(d.flow);
        (x - n.x, y - n.y)
    };
    let class = classes!(
        "node",
        match n.kind {
            NodeKind::Producer => "producer",
            NodeKind::Exchange => "exchange",
            NodeKind::Queue => "queue",
            NodeKind::Worker => "worker",
        },
        selected.then_some("selected"),
        pointed.then_some("pointed")
    );
    // Each arm returns the node's visible text, in document order, with its
    // drawing: the accessible name is that text (WCAG 2.5.3, label in name:
    // someone using voice control says what they see), plus the full name
    // when the drawing had to clip it.
    let (visible, body, id): (Vec<String>, Html, String) = match &n.key {
        NodeKey::Producer(pid) => {
            let Some(face) = ProducerFace::of(sim, *pid, t) else {
                return (html! {}, String::new());
            };
            (
                face.visible(t),
                html! { <ProducerNode {face} {w} {h} /> },
                format!("node-producer-{}", pid.0),
            )
        }
        NodeKey::Exchange(name) => {
            let face = ExchangeFace::of(broker, name, t);
            let id = if name.is_empty() {
                "default".to_string()
            } else {
                css_id(name)
            };
            (
                face.visible(t),
                html! { <ExchangeNode {face} {w} {h} port={(port_x, port_y)} /> },
                format!("node-exchange-{id}"),
            )
        }
        NodeKey::Queue(name) => {
            let Some(face) = QueueFace::of(broker, name, t) else {
                return (html! {}, String::new());
            };
            (
                face.visible(),
                html! { <QueueNode {face} {w} {h} /> },
                format!("node-queue-{}", css_id(name)),
            )
        }
        NodeKey::Worker(wid) => {
            let Some(face) = WorkerFace::of(sim, *wid, now, t) else {
                return (html! {}, String::new());
            };
            (
                face.visible(t),
                html! { <WorkerNode {face} {w} {h} /> },
                format!("node-worker-{}", wid.0),
            )
        }
    };
    let name = match &n.key {
        NodeKey::Producer(pid) => sim.producer(*pid).map(|p| p.spec.name.clone()),
        NodeKey::Worker(wid) => sim.worker(*wid).map(|w| w.spec.name.clone()),
        NodeKey::Exchange(x) | NodeKey::Queue(x) => Some(x.to_string()),
    }
    .unwrap_or_default();
    let mut label = visible
        .iter()
        .filter(|v| !v.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let clipped = visible.iter().any(|v| v.ends_with('…'));
    if clipped {
        // Something was clipped to fit: the name in full, after what is seen
        // (focus), and as the node's tooltip (hover).
        label.push_str(&format!(" ({name})"));
    }
    let node = html! {
        <g {class} key={id.clone()} id={id} transform={format!("translate({:.1},{:.1})", n.x, n.y)}
            data-name={name.clone()}
            data-index={index.to_string()}
            tabindex="0" role="button" aria-label={label.clone()} aria-pressed={selected.to_string()}
            {onkeydown}>
            if clipped {
                <title>{ name }</title>
            }
            { body }
        </g>
    };
    (node, label)
}

/// A name made safe for an element id (the e2e tests find nodes by it).
pub fn css_id(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
