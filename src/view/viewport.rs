//! The diagram's view: which part of the drawing the screen shows, and how
//! big. Pure arithmetic, so `ui/components/diagram.rs` only turns pointer,
//! wheel and key events into calls here and draws the result as the SVG's
//! `viewBox`.
//!
//! A [`Viewport`] is the drawing's point at the box's top-left corner and a
//! scale (screen pixels per drawing unit). Everything a person does is one
//! of four moves: [`Viewport::fit`] (show the drawing readably: all of it
//! when it can be; the start and the "Fit" button), [`Viewport::zoom_about`] (the wheel, `+`/`−`: the
//! point under the cursor stays put), [`Viewport::pan_by`] (a drag on the
//! background, arrow keys) and [`Viewport::pinch`] (two fingers: zoom about
//! their midpoint and follow it). Every move keeps the scale within
//! [`SCALE_MIN`]..[`SCALE_MAX`] and some of the drawing on screen
//! ([`Viewport::keep_in_reach`]), and no input — zero or negative sizes, NaN,
//! infinities, huge deltas — gives a NaN or infinite view: whatever comes
//! out can be written into the `viewBox` as it is.

use crate::view::geometry::{Point, Rect};

/// The smallest scale: a node is still a box, not a dot.
pub const SCALE_MIN: f64 = 0.1;
/// The largest scale: a node's name at 15 px is 60 px.
pub const SCALE_MAX: f64 = 4.0;
/// Zoom to fit never enlarges a small drawing past this (it would look
/// blown up in a big box).
pub const FIT_SCALE_MAX: f64 = 1.2;
/// Zoom to fit shrinks a tall drawing to fit the box's height down to this
/// scale and no further: a node's name (15 px) is 12 px here.
pub const READABLE_SCALE: f64 = 0.8;
/// One `+` or `−` (a key or a button) zooms by this factor.
pub const ZOOM_STEP: f64 = 1.25;
/// One arrow key pans this many screen pixels.
pub const PAN_STEP: f64 = 48.0;
/// At least this much of the drawing (screen pixels, each way) stays on
/// screen however far it is panned, so it can always be dragged back.
pub const REACH: f64 = 48.0;

/// A width and a height in screen pixels (the diagram's box).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

impl Size {
    /// Whether it can show anything: both sides finite and positive (a
    /// hidden box measures 0×0).
    pub fn is_usable(self) -> bool {
        self.w.is_finite() && self.h.is_finite() && self.w > 0.0 && self.h > 0.0
    }

    /// The size to compute with: each side within 1..=[`LIMIT`], or `None`
    /// when the box shows nothing.
    fn usable(self) -> Option<Size> {
        self.is_usable().then(|| Size {
            w: self.w.clamp(1.0, LIMIT),
            h: self.h.clamp(1.0, LIMIT),
        })
    }
}

/// Which part of the drawing the box shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// The drawing's point at the box's top-left corner.
    pub x: f64,
    pub y: f64,
    /// Screen pixels per drawing unit.
    pub scale: f64,
}

impl Default for Viewport {
    fn default() -> Viewport {
        Viewport {
            x: 0.0,
            y: 0.0,
            scale: 1.0,
        }
    }
}

/// The farthest any coordinate or length goes, in either unit: far beyond
/// any drawing or screen, and small enough that sums and divisions by the
/// smallest scale stay finite.
const LIMIT: f64 = 1e9;

/// `v` within ±[`LIMIT`], or `fallback` when it is not a number at all.
fn finite_or(v: f64, fallback: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-LIMIT, LIMIT)
    } else {
        fallback
    }
}

/// `scale` within the bounds (a non-finite or non-positive one is 1).
fn clamp_scale(scale: f64) -> f64 {
    if scale.is_finite() && scale > 0.0 {
        scale.clamp(SCALE_MIN, SCALE_MAX)
    } else {
        1.0
    }
}

/// A rectangle with finite coordinates and sides of at least one unit.
fn sane_rect(r: Rect) -> Rect {
    Rect {
        x: finite_or(r.x, 0.0),
        y: finite_or(r.y, 0.0),
        w: finite_or(r.w, 1.0).max(1.0),
        h: finite_or(r.h, 1.0).max(1.0),
    }
}

impl Viewport {
    /// The view that shows `rect` whole and centred in a box of `size`, at
    /// the scale that fills the box's tighter side — what an SVG with this
    /// `viewBox` and the default `preserveAspectRatio` (`xMidYMid meet`)
    /// shows. The diagram maps pointer positions through it.
    /// Zoom to fit, readably: the whole width of `content` (the layout's
    /// view box, which has its margin) and, centred, its whole height —
    /// unless fitting the height would draw it under [`READABLE_SCALE`]:
    /// then the drawing is drawn at that scale from its top, and the rest
    /// is a pan away. The width always fits (a phone shows a wide diagram
    /// whole, smaller, rather than a slice of it), and a small drawing is
    /// never enlarged past [`FIT_SCALE_MAX`].
    pub fn fit(content: Rect, size: Size) -> Viewport {
        Viewport::fit_below(content, size, 0.0)
    }

    /// [`Viewport::fit`] in the part of the box below a band `top` pixels
    /// tall (where the diagram's buttons float), unless that band would
    /// take half of the box or more: then in the whole box.
    pub fn fit_below(content: Rect, size: Size, top: f64) -> Viewport {
        Viewport::fit_between(content, size, top, 0.0)
    }

    /// [`Viewport::fit`] in the part of the box between a band `top` pixels
    /// tall and one `bottom` pixels tall (the embedded player's playback bar
    /// floats over the bottom of its diagram), unless the two bands would
    /// take half of the box or more: then in the whole box.
    pub fn fit_between(content: Rect, size: Size, top: f64, bottom: f64) -> Viewport {
        let c = sane_rect(content);
        let Some(size) = size.usable() else {
            return Viewport::showing(c, size);
        };
        let top = finite_or(top, 0.0).max(0.0);
        let bottom = finite_or(bottom, 0.0).max(0.0);
        let (top, bottom) = if top + bottom < size.h / 2.0 {
            (top, bottom)
        } else {
            (0.0, 0.0)
        };
        let (w, h) = (size.w, size.h - top - bottom);
        let across = w / c.w;
        let down = h / c.h;
        let scale = clamp_scale(across.min(down.max(READABLE_SCALE)).min(FIT_SCALE_MAX));
        let (cx, cy) = c.center();
        let y = if c.h * scale <= h {
            cy - h / scale / 2.0
        } else {
            c.y
        };
        Viewport {
            x: cx - w / scale / 2.0,
            y: y - top / scale,
            scale,
        }
        .sane()
    }

    pub fn showing(rect: Rect, size: Size) -> Viewport {
        let rect = sane_rect(rect);
        let Some(size) = size.usable() else {
            return Viewport {
                x: rect.x,
                y: rect.y,
                scale: 1.0,
            };
        };
        let scale = clamp_scale((size.w / rect.w).min(size.h / rect.h));
        let (cx, cy) = rect.center();
        Viewport {
            x: cx - size.w / scale / 2.0,
            y: cy - size.h / scale / 2.0,
            scale,
        }
        .sane()
    }

    /// The same view with every field usable: non-finite coordinates are 0,
    /// the scale within bounds.
    pub fn sane(self) -> Viewport {
        Viewport {
            x: finite_or(self.x, 0.0),
            y: finite_or(self.y, 0.0),
            scale: clamp_scale(self.scale),
        }
    }

    /// The part of the drawing a box of `size` shows: the SVG's `viewBox`.
    pub fn view_box(&self, size: Size) -> Rect {
        let v = self.sane();
        let Size { w, h } = size.usable().unwrap_or(Size { w: 1.0, h: 1.0 });
        Rect {
            x: v.x,
            y: v.y,
            w: w / v.scale,
            h: h / v.scale,
        }
    }

    /// The drawing's point under a point of the box (screen pixels from its
    /// top-left corner).
    pub fn to_drawing(&self, screen: Point) -> Point {
        let v = self.sane();
        (
            v.x + finite_or(screen.0, 0.0) / v.scale,
            v.y + finite_or(screen.1, 0.0) / v.scale,
        )
    }

    /// Zoomed by `factor` (above 1 enlarges) about `anchor`, a point of the
    /// box: the drawing's point under it stays under it. The scale stops at
    /// its bounds.
    pub fn zoom_about(&self, factor: f64, anchor: Point) -> Viewport {
        let v = self.sane();
        let anchor = (finite_or(anchor.0, 0.0), finite_or(anchor.1, 0.0));
        let under = v.to_drawing(anchor);
        let scale = clamp_scale(v.scale * finite_or(factor, 1.0));
        Viewport {
            x: under.0 - anchor.0 / scale,
            y: under.1 - anchor.1 / scale,
            scale,
        }
        .sane()
    }

    /// Zoomed by `factor` about the middle of a box of `size` (keys and
    /// buttons: there is no cursor to zoom about).
    pub fn zoom_centred(&self, factor: f64, size: Size) -> Viewport {
        let anchor = size.usable().map_or((0.0, 0.0), |s| (s.w / 2.0, s.h / 2.0));
        self.zoom_about(factor, anchor)
    }

    /// The drawing moved by `(dx, dy)` screen pixels: a drag to the right
    /// shows more of the left.
    pub fn pan_by(&self, dx: f64, dy: f64) -> Viewport {
        let v = self.sane();
        Viewport {
            x: v.x - finite_or(dx, 0.0) / v.scale,
            y: v.y - finite_or(dy, 0.0) / v.scale,
            scale: v.scale,
        }
        .sane()
    }

    /// Two fingers that were at `from` (each a point of the box) and are now
    /// at `to`: the view this one becomes, zoomed by how much further apart
    /// they are, about where they started, then moved as their midpoint
    /// moved. Fingers on one spot only pan.
    pub fn pinch(&self, from: [Point; 2], to: [Point; 2]) -> Viewport {
        let mid = |p: [Point; 2]| ((p[0].0 + p[1].0) / 2.0, (p[0].1 + p[1].1) / 2.0);
        let apart = |p: [Point; 2]| (p[0].0 - p[1].0).hypot(p[0].1 - p[1].1);
        let sane = |p: [Point; 2]| p.map(|(x, y)| (finite_or(x, 0.0), finite_or(y, 0.0)));
        let (from, to) = (sane(from), sane(to));
        let (d0, d1) = (apart(from), apart(to));
        let factor = if d0.is_finite() && d1.is_finite() && d0 >= 1.0 {
            d1 / d0
        } else {
            1.0
        };
        let (m0, m1) = (mid(from), mid(to));
        self.zoom_about(factor, m0).pan_by(m1.0 - m0.0, m1.1 - m0.1)
    }

    /// Moved, if need be, so that at least [`REACH`] screen pixels of
    /// `content` (or all of it, when it is smaller) stay inside a box of
    /// `size` each way: however far a person pans, the drawing can be
    /// dragged back.
    pub fn keep_in_reach(&self, content: Rect, size: Size) -> Viewport {
        let v = self.sane();
        let Some(size) = size.usable() else {
            return v;
        };
        let content = sane_rect(content);
        let axis = |at: f64, start: f64, len: f64, shown: f64| {
            let reach = (REACH / v.scale).min(len).min(shown);
            // The box's start may go from (content's start + reach - shown)
            // to (content's end - reach).
            let low = start + reach - shown;
            let high = start + len - reach;
            if low <= high {
                at.clamp(low, high)
            } else {
                at
            }
        };
        Viewport {
            x: axis(v.x, content.x, content.w, size.w / v.scale),
            y: axis(v.y, content.y, content.h, size.h / v.scale),
            scale: v.scale,
        }
        .sane()
    }
}

/// How far to move a span `[start, end]` (a focused node, in screen
/// pixels) so that it lies within `[lo, hi]` (the diagram's box, less a
/// `margin` each side): 0 when it already does; a span too big to fit is
/// aligned at its start. Used to bring a node that gets the keyboard focus
/// into view (WCAG 2.4.11: a focused control is not hidden). Non-finite
/// input moves nothing.
pub fn nudge_into(start: f64, end: f64, lo: f64, hi: f64, margin: f64) -> f64 {
    if ![start, end, lo, hi, margin].iter().all(|v| v.is_finite()) {
        return 0.0;
    }
    let (lo, hi) = (lo + margin.max(0.0), hi - margin.max(0.0));
    if start < lo || end - start > hi - lo {
        lo - start
    } else if end > hi {
        hi - end
    } else {
        0.0
    }
}

/// The zoom factor of one wheel event (`deltaY`, in pixels; a line is
/// counted as 40 pixels, a page as 800): a notch of a mouse wheel (100 px)
/// zooms by about 1.2, a trackpad's pinch (small deltas, many events) as
/// smoothly as it moves. Scrolling down zooms out, as in maps.
pub fn wheel_factor(delta_y: f64, delta_mode: u32) -> f64 {
    let px = match delta_mode {
        1 => delta_y * 40.0,
        2 => delta_y * 800.0,
        _ => delta_y,
    };
    // One event zooms by at most 2× either way.
    let px = finite_or(px, 0.0).clamp(-400.0, 400.0);
    (-px * 0.0018).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOX: Size = Size { w: 800.0, h: 600.0 };

    fn content() -> Rect {
        Rect {
            x: -20.0,
            y: -20.0,
            w: 1200.0,
            h: 400.0,
        }
    }

    /// A drawing of this size with its top-left corner at the origin.
    fn at_origin(w: f64, h: f64) -> Rect {
        Rect {
            x: 0.0,
            y: 0.0,
            w,
            h,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn fit_shows_the_whole_drawing_centred() {
        let v = Viewport::fit(content(), BOX);
        let shown = v.view_box(BOX);
        let c = content();
        assert!(
            shown.x <= c.x && shown.right() >= c.right() - 1e-9,
            "{shown:?}"
        );
        assert!(
            shown.y <= c.y && shown.bottom() >= c.bottom() - 1e-9,
            "{shown:?}"
        );
        // The wide drawing fills the box's width, centred top to bottom.
        assert!(close(v.scale, 800.0 / 1200.0), "{}", v.scale);
        assert!(close(shown.center().1, c.center().1));
    }

    #[test]
    fn fit_below_a_band_keeps_the_drawing_out_of_it() {
        let v = Viewport::fit_below(content(), BOX, 50.0);
        let shown = v.view_box(BOX);
        let c = content();
        assert!(close(v.scale, 800.0 / 1200.0));
        // Centred in the 550 px below the band.
        let top = (c.y - shown.y) * v.scale;
        let bottom = (shown.bottom() - c.bottom()) * v.scale;
        assert!(close(top - 50.0, bottom), "{top} {bottom}");
        // A band of half the box or more is ignored.
        assert_eq!(Viewport::fit_below(c, BOX, 300.0), Viewport::fit(c, BOX));
        assert_eq!(Viewport::fit_below(c, BOX, f64::NAN), Viewport::fit(c, BOX));
    }

    #[test]
    fn fit_between_two_bands_keeps_the_drawing_out_of_both() {
        let c = content();
        let v = Viewport::fit_between(c, BOX, 50.0, 100.0);
        let shown = v.view_box(BOX);
        // The drawing (1200 wide) fits the 450 px between the bands by its
        // height there, centred in them.
        let top = (c.y - shown.y) * v.scale;
        let bottom = (shown.bottom() - c.bottom()) * v.scale;
        assert!(top >= 50.0 - 1e-6 && bottom >= 100.0 - 1e-6, "{top} {bottom}");
        assert!(close(top - 50.0, bottom - 100.0), "{top} {bottom}");
        // Without a bottom band it is fit_below; bands of half the box or
        // more together are ignored; a band that is not a number is none.
        assert_eq!(Viewport::fit_between(c, BOX, 50.0, 0.0), Viewport::fit_below(c, BOX, 50.0));
        assert_eq!(Viewport::fit_between(c, BOX, 150.0, 150.0), Viewport::fit(c, BOX));
        assert_eq!(Viewport::fit_between(c, BOX, 50.0, f64::INFINITY), Viewport::fit_below(c, BOX, 50.0));
        assert_eq!(Viewport::fit_between(c, BOX, 0.0, f64::NAN), Viewport::fit(c, BOX));
    }

    #[test]
    fn a_tall_drawing_fits_down_to_a_readable_scale_from_its_top() {
        let tall = at_origin(300.0, 3000.0);
        let v = Viewport::fit_below(tall, BOX, 50.0);
        assert_eq!(v.scale, READABLE_SCALE);
        let shown = v.view_box(BOX);
        assert!(close((tall.y - shown.y) * v.scale, 50.0), "{shown:?}");
        assert!(close(shown.center().0, tall.center().0));
        // A wide one fits its width, however small (a phone).
        let wide = at_origin(3000.0, 3000.0);
        let v = Viewport::fit(wide, BOX);
        assert!(close(v.scale, 800.0 / 3000.0));
        assert!(close(v.view_box(BOX).x, 0.0));
    }

    #[test]
    fn fit_does_not_blow_up_a_small_drawing() {
        let small = at_origin(100.0, 50.0);
        let v = Viewport::fit(small, BOX);
        assert_eq!(v.scale, FIT_SCALE_MAX);
        assert!(close(v.view_box(BOX).center().0, 50.0));
        // What an SVG shows of the same view box is not capped.
        assert_eq!(Viewport::showing(small, BOX).scale, SCALE_MAX);
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor() {
        let v = Viewport::fit(content(), BOX);
        let cursor = (613.0, 87.0);
        let under = v.to_drawing(cursor);
        let zoomed = v.zoom_about(1.7, cursor);
        assert!(close(zoomed.scale, v.scale * 1.7));
        let after = zoomed.to_drawing(cursor);
        assert!(
            close(after.0, under.0) && close(after.1, under.1),
            "{under:?} {after:?}"
        );
        // In and out again is where it was.
        let back = zoomed.zoom_about(1.0 / 1.7, cursor);
        assert!(close(back.x, v.x) && close(back.y, v.y) && close(back.scale, v.scale));
    }

    #[test]
    fn the_scale_stops_at_its_bounds() {
        let v = Viewport::default();
        assert_eq!(v.zoom_about(1e9, (5.0, 5.0)).scale, SCALE_MAX);
        assert_eq!(v.zoom_about(1e-9, (5.0, 5.0)).scale, SCALE_MIN);
        let mut w = v;
        for _ in 0..100 {
            w = w.zoom_centred(ZOOM_STEP, BOX);
        }
        assert_eq!(w.scale, SCALE_MAX);
    }

    #[test]
    fn a_drag_moves_the_drawing_with_the_pointer() {
        let v = Viewport::fit(content(), BOX).zoom_about(2.0, (0.0, 0.0));
        let grabbed = v.to_drawing((300.0, 200.0));
        let panned = v.pan_by(50.0, -30.0);
        let now = panned.to_drawing((350.0, 170.0));
        assert!(close(grabbed.0, now.0) && close(grabbed.1, now.1));
        assert_eq!(panned.scale, v.scale);
    }

    #[test]
    fn a_pinch_zooms_about_the_fingers_and_follows_them() {
        let v = Viewport::fit(content(), BOX);
        let from = [(300.0, 300.0), (400.0, 300.0)];
        let to = [(250.0, 320.0), (450.0, 320.0)];
        let mid_from = v.to_drawing((350.0, 300.0));
        let p = v.pinch(from, to);
        assert!(close(p.scale, v.scale * 2.0));
        let mid_to = p.to_drawing((350.0, 320.0));
        assert!(close(mid_from.0, mid_to.0) && close(mid_from.1, mid_to.1));
        // Two fingers on one spot: no zoom, no NaN.
        let same = v.pinch([(1.0, 1.0); 2], [(1.0, 1.0); 2]);
        assert_eq!(same, v);
    }

    #[test]
    fn panning_never_loses_the_drawing() {
        let c = content();
        let v = Viewport::fit(c, BOX);
        for (dx, dy) in [(1e7, 0.0), (-1e7, 0.0), (0.0, 1e7), (0.0, -1e7)] {
            let far = v.pan_by(dx, dy).keep_in_reach(c, BOX);
            let shown = far.view_box(BOX);
            let seen_w = shown.right().min(c.right()) - shown.x.max(c.x);
            let seen_h = shown.bottom().min(c.bottom()) - shown.y.max(c.y);
            assert!(seen_w * far.scale >= REACH - 1e-6, "{dx},{dy}: {seen_w}");
            assert!(seen_h * far.scale >= REACH - 1e-6, "{dx},{dy}: {seen_h}");
        }
        // A view already in reach is left alone.
        assert_eq!(v.keep_in_reach(c, BOX), v);
    }

    #[test]
    fn the_wheel_zooms_in_when_scrolled_up_and_never_by_nothing_or_infinity() {
        assert!(wheel_factor(-100.0, 0) > 1.1);
        assert!(wheel_factor(100.0, 0) < 0.9);
        assert!(close(wheel_factor(100.0, 0) * wheel_factor(-100.0, 0), 1.0));
        assert_eq!(wheel_factor(3.0, 1), wheel_factor(120.0, 0));
        for d in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e308, -1e308] {
            for mode in [0, 1, 2, 7] {
                let f = wheel_factor(d, mode);
                assert!(f.is_finite() && f > 0.0, "{d} {mode}: {f}");
            }
        }
    }

    /// Values that have broken view arithmetic elsewhere: zeros, negatives,
    /// NaN, infinities, the extremes of f64.
    const NASTY: [f64; 11] = [
        0.0,
        -0.0,
        -1.0,
        1e-300,
        1e300,
        -1e300,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN_POSITIVE,
    ];

    fn finite(v: Viewport) -> bool {
        v.x.is_finite() && v.y.is_finite() && v.scale.is_finite() && v.scale > 0.0
    }

    fn finite_rect(r: Rect) -> bool {
        [r.x, r.y, r.w, r.h].iter().all(|v| v.is_finite()) && r.w > 0.0 && r.h > 0.0
    }

    #[test]
    fn no_input_gives_a_nan_or_infinite_view() {
        for &a in &NASTY {
            for &b in &NASTY {
                let size = Size { w: a, h: b };
                let rect = Rect {
                    x: a,
                    y: b,
                    w: b,
                    h: a,
                };
                let odd = Viewport {
                    x: a,
                    y: b,
                    scale: a,
                };
                let views = [
                    Viewport::fit(rect, size),
                    Viewport::fit_below(rect, size, a),
                    Viewport::fit(content(), size),
                    Viewport::fit(rect, BOX),
                    Viewport::showing(rect, size),
                    odd.sane(),
                    odd.zoom_about(a, (b, a)),
                    odd.zoom_centred(b, size),
                    odd.pan_by(a, b),
                    odd.pinch([(a, b), (b, a)], [(0.0, a), (b, 1.0)]),
                    odd.keep_in_reach(rect, size),
                    odd.keep_in_reach(content(), BOX),
                    Viewport::fit(content(), BOX)
                        .pan_by(a, b)
                        .keep_in_reach(rect, BOX),
                ];
                for (i, v) in views.into_iter().enumerate() {
                    assert!(finite(v), "{i} with {a}, {b}: {v:?}");
                    assert!(finite_rect(v.view_box(size)), "{i} with {a}, {b}: {v:?}");
                    let p = v.to_drawing((a, b));
                    assert!(p.0.is_finite() && p.1.is_finite(), "{i} with {a}, {b}");
                }
            }
        }
    }

    #[test]
    fn a_focused_node_is_nudged_just_into_the_box() {
        // Inside: nothing moves.
        assert_eq!(nudge_into(20.0, 60.0, 0.0, 100.0, 8.0), 0.0);
        // Below the box: up until its end is a margin above the bottom.
        assert_eq!(nudge_into(120.0, 160.0, 0.0, 100.0, 8.0), -68.0);
        // Above (or left of) it: down to a margin from the top.
        assert_eq!(nudge_into(-50.0, -10.0, 0.0, 100.0, 8.0), 58.0);
        // Bigger than the box: its start is shown.
        assert_eq!(nudge_into(30.0, 300.0, 0.0, 100.0, 8.0), -22.0);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(nudge_into(bad, 1.0, 0.0, 100.0, 8.0), 0.0);
            assert_eq!(nudge_into(1.0, 2.0, 0.0, bad, 8.0), 0.0);
        }
    }

    /// Random sequences of moves (proptest is a native dev-dependency: the
    /// unit tests also run in Chromium through wasm-pack, without it).
    #[cfg(not(target_arch = "wasm32"))]
    mod random_moves {
        use super::*;

        /// One thing a person does to the view, with whatever numbers.
        #[derive(Clone, Debug)]
        enum Move {
            Zoom(f64, f64, f64),
            Pan(f64, f64),
            Pinch([f64; 8]),
            Fit,
            Reach,
        }

        fn any_number() -> impl proptest::strategy::Strategy<Value = f64> {
            use proptest::prelude::*;
            prop_oneof![
                -2000.0..2000.0f64,
                proptest::num::f64::ANY,
                Just(0.0),
                Just(f64::NAN),
            ]
        }

        fn any_move() -> impl proptest::strategy::Strategy<Value = Move> {
            use proptest::prelude::*;
            let n = any_number;
            prop_oneof![
                (n(), n(), n()).prop_map(|(f, x, y)| Move::Zoom(f, x, y)),
                (n(), n()).prop_map(|(x, y)| Move::Pan(x, y)),
                proptest::array::uniform8(n()).prop_map(Move::Pinch),
                Just(Move::Fit),
                Just(Move::Reach),
            ]
        }

        proptest::proptest! {
            #![proptest_config(proptest::test_runner::Config { cases: 2000, ..Default::default() })]

            /// Any sequence of moves on any box leaves a usable view, with the
            /// scale in bounds; in a usable box, reach keeps the drawing seen.
            #[test]
            fn any_sequence_of_moves_keeps_the_view_usable(
                w in any_number(), h in any_number(),
                moves in proptest::collection::vec(any_move(), 0..24),
            ) {
                let size = Size { w, h };
                let c = content();
                let mut v = Viewport::fit(c, size);
                for m in moves {
                    v = match m {
                        Move::Zoom(f, x, y) => v.zoom_about(f, (x, y)),
                        Move::Pan(x, y) => v.pan_by(x, y),
                        Move::Pinch(p) => v.pinch([(p[0], p[1]), (p[2], p[3])], [(p[4], p[5]), (p[6], p[7])]),
                        Move::Fit => Viewport::fit(c, size),
                        Move::Reach => v.keep_in_reach(c, size),
                    };
                    proptest::prop_assert!(finite(v), "{:?}", v);
                    proptest::prop_assert!((SCALE_MIN..=SCALE_MAX).contains(&v.scale));
                    proptest::prop_assert!(finite_rect(v.view_box(size)));
                }
                let reached = v.keep_in_reach(c, BOX);
                let shown = reached.view_box(BOX);
                let seen_w = shown.right().min(c.right()) - shown.x.max(c.x);
                proptest::prop_assert!(seen_w * reached.scale >= REACH - 1e-6, "{:?} {:?}", reached, shown);
            }
        }
    }
}
