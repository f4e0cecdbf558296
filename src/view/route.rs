//! Edge routes and where their labels go.
//!
//! An edge leaves the middle of its source's right side and enters the
//! middle of its target's left side. When the target's column is to the
//! right and the S-curve between them crosses no other node, the edge is
//! that curve. Otherwise — exchange-to-exchange bindings in one column,
//! alternate and dead-letter edges going back, and edges skipping a column
//! whose nodes are in the way — it is routed *around* the nodes: out into
//! the lane just right of its source, along a corridor (a gap between
//! nodes, or a lane above or below them all), and in from the lane just
//! left of its target, with rounded corners.
//!
//! All of this is worked out for a diagram [`Orientation::Across`]; the
//! layout routes a `Down` one in swapped axes and flips the routes
//! ([`Route::flipped`]), so "right" there reads "below".
//!
//! "Around" means: no point of the route lies inside a node box, other than
//! its two ends', grown by [`CLEARANCE`] (checked every [`SAMPLE_STEP`]
//! units). The router looks for such a route among its candidates; in the
//! automatic layout one exists, because the lanes beside a column are in
//! the node-free gaps between columns and the corridors below the nodes
//! run under every node they pass ([`BELOW_MAX`] of them, so that many
//! routed edges spanning the same columns). When dragged nodes block the
//! gaps too, it takes the first candidate whose lanes are free, and the
//! route may cross them. Two routed edges never share a stretch of lane or
//! corridor: each takes the next lane [`LANE_STEP`] units further out.
//!
//! A label is centred on its route, at the first spot (the middle, then
//! outwards) where its box meets neither a node box nor a label placed
//! before it.

use crate::view::geometry::{Orientation, Point, Rect};

/// How far a routed edge keeps from the nodes it passes.
pub const CLEARANCE: f64 = 3.0;
/// How finely a route is checked against nodes.
pub const SAMPLE_STEP: f64 = 4.0;
/// Between parallel lanes of routed edges.
pub const LANE_STEP: f64 = 8.0;
/// The first lane beside a node: its arrowhead and the start of the
/// curve stay readable.
const LANE_FIRST: f64 = 12.0;
/// How many lanes beside one column the router tries.
const LANES_MAX: usize = 4;
/// Between the lowest node (or label) and the first corridor below them.
const BELOW_FIRST: f64 = 22.0;
/// How many corridors below the nodes the router tries.
pub const BELOW_MAX: usize = 24;
/// The radius of a routed edge's corners.
const CORNER_RADIUS: f64 = 8.0;
/// A target this far right of its source, or less, is not reached by a
/// curve: the curve would double back on itself.
const CURVE_RUN_MIN: f64 = 24.0;

/// The line an edge is drawn along, from its source to its target.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// A cubic S-curve leaving and entering horizontally (`Across`) or
    /// vertically (`Down`) ([`curve_path`]).
    Curve {
        from: Point,
        to: Point,
        flow: Orientation,
    },
    /// Horizontal and vertical segments through these points, drawn with
    /// rounded corners; the last segment enters the target along the flow.
    Lines(Vec<Point>),
}

impl Route {
    pub fn start(&self) -> Point {
        match self {
            Route::Curve { from, .. } => *from,
            Route::Lines(points) => points[0],
        }
    }

    pub fn end(&self) -> Point {
        match self {
            Route::Curve { to, .. } => *to,
            Route::Lines(points) => points[points.len() - 1],
        }
    }

    /// The same route with its axes swapped (see [`Orientation`]).
    pub fn flipped(&self) -> Route {
        let flip = |p: Point| Orientation::Down.flip(p);
        match self {
            Route::Curve { from, to, flow } => Route::Curve {
                from: flip(*from),
                to: flip(*to),
                flow: match flow {
                    Orientation::Across => Orientation::Down,
                    Orientation::Down => Orientation::Across,
                },
            },
            Route::Lines(points) => Route::Lines(points.iter().copied().map(flip).collect()),
        }
    }

    /// The SVG path data.
    pub fn svg_path(&self) -> String {
        match self {
            Route::Curve { from, to, flow } => curve_path(*from, *to, *flow),
            Route::Lines(points) => rounded_polyline(points),
        }
    }

    /// Points along the route, at most about `step` apart, both ends included.
    pub fn samples(&self, step: f64) -> Vec<Point> {
        match self {
            Route::Curve { from, to, flow } => {
                let (c1, c2) = curve_controls(*from, *to, *flow);
                let length = distance(*from, c1) + distance(c1, c2) + distance(c2, *to);
                let n = ((length / step).ceil() as usize).max(2);
                (0..=n)
                    .map(|i| bezier(*from, c1, c2, *to, i as f64 / n as f64))
                    .collect()
            }
            Route::Lines(points) => {
                let mut out = vec![points[0]];
                for pair in points.windows(2) {
                    let n = ((distance(pair[0], pair[1]) / step).ceil() as usize).max(1);
                    out.extend((1..=n).map(|i| lerp(pair[0], pair[1], i as f64 / n as f64)));
                }
                out
            }
        }
    }

    /// Where a label centred on the route reads best, best first: the
    /// middle of a curve, then outwards; the middle of a routed edge's
    /// longest horizontal stretch, then outwards, then the rest.
    fn label_spots(&self) -> Vec<Point> {
        match self {
            Route::Curve { from, to, flow } => {
                let (c1, c2) = curve_controls(*from, *to, *flow);
                // t = 0.5, 0.4875, 0.5125, … out to 0.1 and 0.9.
                (0..=64)
                    .map(|i| {
                        let off = (i as f64 / 2.0).ceil() * 0.0125;
                        0.5 + if i % 2 == 1 { -off } else { off }
                    })
                    .map(|t| bezier(*from, c1, c2, *to, t))
                    .collect()
            }
            Route::Lines(points) => {
                let longest = points
                    .windows(2)
                    .enumerate()
                    .filter(|(_, p)| p[0].1 == p[1].1)
                    .max_by(|(_, a), (_, b)| distance(a[0], a[1]).total_cmp(&distance(b[0], b[1])))
                    .map(|(i, _)| i);
                let mut spots: Vec<(usize, f64, Point)> = Vec::new();
                for (i, pair) in points.windows(2).enumerate() {
                    let middle = lerp(pair[0], pair[1], 0.5);
                    let n = ((distance(pair[0], pair[1]) / SAMPLE_STEP).ceil() as usize).max(1);
                    for k in 0..=n {
                        let p = lerp(pair[0], pair[1], k as f64 / n as f64);
                        let rank = usize::from(Some(i) != longest);
                        spots.push((rank, distance(p, middle), p));
                    }
                }
                spots.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                spots.into_iter().map(|(_, _, p)| p).collect()
            }
        }
    }
}

/// The two control points of the S-curve from `a` to `b` along `flow`.
fn curve_controls(a: Point, b: Point, flow: Orientation) -> (Point, Point) {
    // Worked out Across; a Down curve is the Across one of the swapped ends.
    let (a, b) = (flow.flip(a), flow.flip(b));
    let dx = ((b.0 - a.0).abs() / 2.0).max(40.0);
    (flow.flip((a.0 + dx, a.1)), flow.flip((b.0 - dx, b.1)))
}

/// An S-curve from `a` to `b`, leaving and entering along `flow` (also the
/// line drawn while a person drags a new binding).
pub fn curve_path(a: Point, b: Point, flow: Orientation) -> String {
    let (c1, c2) = curve_controls(a, b, flow);
    format!(
        "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        a.0, a.1, c1.0, c1.1, c2.0, c2.1, b.0, b.1
    )
}

fn rounded_polyline(points: &[Point]) -> String {
    let mut d = format!("M{:.1},{:.1}", points[0].0, points[0].1);
    for w in points.windows(3) {
        let (p, c, q) = (w[0], w[1], w[2]);
        let r = CORNER_RADIUS
            .min(distance(p, c) / 2.0)
            .min(distance(c, q) / 2.0);
        let a = towards(c, p, r);
        let b = towards(c, q, r);
        d.push_str(&format!(
            " L{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}",
            a.0, a.1, c.0, c.1, b.0, b.1
        ));
    }
    let last = points[points.len() - 1];
    d.push_str(&format!(" L{:.1},{:.1}", last.0, last.1));
    d
}

fn bezier(a: Point, c1: Point, c2: Point, b: Point, t: f64) -> Point {
    let u = 1.0 - t;
    let (k0, k1, k2, k3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        k0 * a.0 + k1 * c1.0 + k2 * c2.0 + k3 * b.0,
        k0 * a.1 + k1 * c1.1 + k2 * c2.1 + k3 * b.1,
    )
}

fn distance(a: Point, b: Point) -> f64 {
    (b.0 - a.0).hypot(b.1 - a.1)
}

fn lerp(a: Point, b: Point, t: f64) -> Point {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

/// The point `r` from `from` towards `to`.
fn towards(from: Point, to: Point, r: f64) -> Point {
    let d = distance(from, to);
    if d == 0.0 {
        from
    } else {
        lerp(from, to, r / d)
    }
}

/// Whether the samples of `route` stay [`CLEARANCE`] away from every node
/// box but its ends', and out of its ends' boxes (it may run along their
/// borders, where it starts and ends).
pub fn route_is_clear(route: &Route, nodes: &[Rect], ends: (usize, usize)) -> bool {
    let samples = route.samples(SAMPLE_STEP);
    nodes.iter().enumerate().all(|(i, r)| {
        let keep_off = if i == ends.0 || i == ends.1 {
            *r
        } else {
            r.inflate(CLEARANCE)
        };
        !samples.iter().any(|p| keep_off.contains_strictly(*p))
    })
}

/// A stretch of lane or corridor a routed edge took: `at` across,
/// `from..to` along.
#[derive(Clone, Copy, Debug)]
struct Stretch {
    at: f64,
    from: f64,
    to: f64,
}

impl Stretch {
    fn new(at: f64, a: f64, b: f64) -> Stretch {
        Stretch {
            at,
            from: a.min(b),
            to: a.max(b),
        }
    }

    fn shares_with(&self, other: &Stretch) -> bool {
        (self.at - other.at).abs() < LANE_STEP - 0.5 && self.from < other.to && other.from < self.to
    }
}

/// Routes edges one after the other among fixed node boxes, keeping the
/// lanes and corridors each routed edge took so the next one takes others.
pub struct Router<'a> {
    nodes: &'a [Rect],
    /// Horizontal stretches taken (corridors).
    across: Vec<Stretch>,
    /// Vertical stretches taken (lanes beside columns).
    down: Vec<Stretch>,
}

impl<'a> Router<'a> {
    pub fn new(nodes: &'a [Rect]) -> Router<'a> {
        Router {
            nodes,
            across: Vec::new(),
            down: Vec::new(),
        }
    }

    /// The route from node `from` to node `to` (indexes into the boxes).
    pub fn route(&mut self, from: usize, to: usize) -> Route {
        let (a, b) = (self.nodes[from], self.nodes[to]);
        let start = (a.right(), a.center().1);
        let end = (b.x, b.center().1);
        if end.0 >= start.0 + CURVE_RUN_MIN {
            let curve = Route::Curve {
                from: start,
                to: end,
                flow: Orientation::Across,
            };
            if route_is_clear(&curve, self.nodes, (from, to)) {
                return curve;
            }
        }
        self.around(start, end, (from, to))
    }

    /// A route through lanes and a corridor, the first clear one found.
    fn around(&mut self, start: Point, end: Point, ends: (usize, usize)) -> Route {
        let corridors = self.corridors(start, end);
        let mut fallback = None;
        for &y in &corridors {
            for k in 0..LANES_MAX {
                let out_x = start.0 + LANE_FIRST + k as f64 * LANE_STEP;
                let in_x = end.0 - LANE_FIRST - k as f64 * LANE_STEP;
                let points = simplify(vec![
                    start,
                    (out_x, start.1),
                    (out_x, y),
                    (in_x, y),
                    (in_x, end.1),
                    end,
                ]);
                let stretches = (
                    Stretch::new(y, out_x, in_x),
                    Stretch::new(out_x, start.1, y),
                    Stretch::new(in_x, y, end.1),
                );
                let free = !self.across.iter().any(|s| s.shares_with(&stretches.0))
                    && !self
                        .down
                        .iter()
                        .any(|s| s.shares_with(&stretches.1) || s.shares_with(&stretches.2));
                if !free {
                    continue;
                }
                let route = Route::Lines(points);
                if fallback.is_none() {
                    fallback = Some((route.clone(), stretches));
                }
                if route_is_clear(&route, self.nodes, ends) {
                    return self.take(route, stretches);
                }
            }
        }
        match fallback {
            Some((route, stretches)) => self.take(route, stretches),
            None => Route::Lines(simplify(vec![start, end])),
        }
    }

    fn take(&mut self, route: Route, stretches: (Stretch, Stretch, Stretch)) -> Route {
        self.across.push(stretches.0);
        self.down.push(stretches.1);
        self.down.push(stretches.2);
        route
    }

    /// The heights a corridor from `start` to `end` may run at, best first:
    /// straight across, the middle of each gap between the nodes it passes,
    /// above them all, then lanes below them all.
    fn corridors(&self, start: Point, end: Point) -> Vec<f64> {
        // Where the corridor runs: between the first lanes, or the last
        // ones when they are further apart (going back, lanes go outwards).
        let (nearest_out, nearest_in) = (start.0 + LANE_FIRST, end.0 - LANE_FIRST);
        let outermost = LANES_MAX as f64 * LANE_STEP;
        let (left, right) = if nearest_out <= nearest_in {
            (nearest_out, nearest_in)
        } else {
            (nearest_in - outermost, nearest_out + outermost)
        };
        let mut spans: Vec<(f64, f64)> = self
            .nodes
            .iter()
            .filter(|r| r.x < right && r.right() > left)
            .map(|r| (r.y - CLEARANCE, r.bottom() + CLEARANCE))
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (top, bottom) in spans {
            match merged.last_mut() {
                Some(last) if top <= last.1 => last.1 = last.1.max(bottom),
                _ => merged.push((top, bottom)),
            }
        }
        let middle = (start.1 + end.1) / 2.0;
        let mut near: Vec<f64> = vec![start.1, end.1];
        near.extend(merged.windows(2).map(|w| (w[0].1 + w[1].0) / 2.0));
        if let Some(first) = merged.first() {
            if first.0 - BELOW_FIRST >= 0.0 {
                near.push(first.0 - BELOW_FIRST);
            }
        }
        near.sort_by(|a, b| {
            (a - middle)
                .abs()
                .total_cmp(&(b - middle).abs())
                .then(a.total_cmp(b))
        });
        let lowest = merged.last().map_or(start.1.max(end.1), |m| m.1);
        near.extend((0..BELOW_MAX).map(|j| lowest + BELOW_FIRST + j as f64 * LANE_STEP * 1.5));
        near
    }
}

/// The points without repeats and without middle points of straight runs.
fn simplify(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight = (a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1);
            if straight {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// How much room a label keeps from nodes and other labels.
pub const LABEL_PAD: f64 = 2.0;

/// The box of a `w` × `h` label centred on `route`, at the best spot where
/// it meets no node box and no label in `placed`; `None` when there is none.
pub fn place_label(route: &Route, w: f64, h: f64, nodes: &[Rect], placed: &[Rect]) -> Option<Rect> {
    route
        .label_spots()
        .into_iter()
        .map(|c| Rect::centered(c, w, h))
        .find(|r| {
            let grown = r.inflate(LABEL_PAD);
            !nodes.iter().chain(placed).any(|o| grown.overlaps(o))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(x: f64, y: f64) -> Rect {
        Rect {
            x,
            y,
            w: 100.0,
            h: 50.0,
        }
    }

    #[test]
    fn a_clear_forward_edge_is_a_curve_between_the_sides() {
        let nodes = [node(0.0, 0.0), node(200.0, 100.0)];
        let route = Router::new(&nodes).route(0, 1);
        assert_eq!(
            route,
            Route::Curve {
                from: (100.0, 25.0),
                to: (200.0, 125.0),
                flow: Orientation::Across,
            }
        );
    }

    #[test]
    fn a_backward_edge_goes_around_the_node_between() {
        // A queue dead-letters back to an exchange two columns left, with
        // a node in the middle column on the straight way.
        let nodes = [node(400.0, 0.0), node(0.0, 0.0), node(200.0, 0.0)];
        let route = Router::new(&nodes).route(0, 1);
        assert!(matches!(route, Route::Lines(_)), "{route:?}");
        assert!(route_is_clear(&route, &nodes, (0, 1)), "{route:?}");
        assert_eq!(route.start(), (500.0, 25.0));
        assert_eq!(route.end(), (0.0, 25.0));
    }

    #[test]
    fn two_routed_edges_take_different_corridors() {
        let nodes = [node(0.0, 0.0), node(0.0, 80.0), node(0.0, 160.0)];
        let mut router = Router::new(&nodes);
        let first = router.route(0, 2);
        let second = router.route(1, 2);
        // Their corridors (horizontal stretches not touching an end).
        let corridors = |r: &Route| match r {
            Route::Lines(p) => p
                .windows(2)
                .filter(|w| w[0].1 == w[1].1 && w[0] != p[0] && w[1] != p[p.len() - 1])
                .map(|w| Stretch::new(w[0].1, w[0].0, w[1].0))
                .collect::<Vec<_>>(),
            Route::Curve { .. } => vec![],
        };
        for a in corridors(&first) {
            for b in corridors(&second) {
                assert!(!a.shares_with(&b), "{first:?} {second:?}");
            }
        }
        assert!(route_is_clear(&first, &nodes, (0, 2)), "{first:?}");
        assert!(route_is_clear(&second, &nodes, (1, 2)), "{second:?}");
    }

    #[test]
    fn a_label_moves_along_its_curve_to_a_free_spot() {
        let nodes = [node(0.0, 0.0), node(300.0, 0.0)];
        let route = Route::Curve {
            from: (100.0, 25.0),
            to: (300.0, 25.0),
            flow: Orientation::Across,
        };
        let first = place_label(&route, 60.0, 18.0, &nodes, &[]).unwrap();
        assert_eq!(first.center(), (200.0, 25.0));
        let second = place_label(&route, 60.0, 18.0, &nodes, &[first]).unwrap();
        assert!(!second.inflate(LABEL_PAD).overlaps(&first));
        assert_eq!(place_label(&route, 197.0, 18.0, &nodes, &[]), None);
    }
}
