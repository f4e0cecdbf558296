//! Plane geometry for the diagram, in SVG user units (one unit is one CSS
//! pixel at zoom 1): rectangles, how wide a label's text is, clipping text to
//! a width, and the view box that fits a drawing.

/// A point: x to the right, y downwards.
pub type Point = (f64, f64);

/// Which way the diagram's layers run. The layout and the router work
/// [`Across`](Orientation::Across); a [`Down`](Orientation::Down) diagram is
/// that drawing with its axes swapped (mirrored in the diagonal), which
/// keeps every overlap and every containment as it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Orientation {
    /// Columns left to right, producers on the left: a wide box.
    #[default]
    Across,
    /// Rows top to bottom, producers on top: a narrow, tall box (a phone).
    Down,
}

/// Boxes narrower than this, and taller than wide, draw the diagram
/// [`Orientation::Down`]: below it four columns side by side shrink the
/// names past reading, while rows fill the height a phone has.
pub const DOWN_WIDTH_MAX: f64 = 600.0;

impl Orientation {
    /// The orientation for a box of `w` × `h` CSS pixels (see
    /// [`DOWN_WIDTH_MAX`]).
    pub fn for_box(w: f64, h: f64) -> Orientation {
        if w < DOWN_WIDTH_MAX && h > w {
            Orientation::Down
        } else {
            Orientation::Across
        }
    }

    /// `p` in the other orientation's axes (the same point when Across).
    pub fn flip(self, p: Point) -> Point {
        match self {
            Orientation::Across => p,
            Orientation::Down => (p.1, p.0),
        }
    }

    /// `r` in the other orientation's axes (the same box when Across).
    pub fn flip_rect(self, r: Rect) -> Rect {
        let (x, y) = self.flip((r.x, r.y));
        let (w, h) = self.flip((r.w, r.h));
        Rect { x, y, w, h }
    }
}

/// An axis-aligned rectangle: a node's box or an edge label's.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// The rectangle of this size centred on `c`.
    pub fn centered(c: Point, w: f64, h: f64) -> Rect {
        Rect {
            x: c.0 - w / 2.0,
            y: c.1 - h / 2.0,
            w,
            h,
        }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn center(&self) -> Point {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Grown by `pad` on every side.
    pub fn inflate(&self, pad: f64) -> Rect {
        Rect {
            x: self.x - pad,
            y: self.y - pad,
            w: self.w + 2.0 * pad,
            h: self.h + 2.0 * pad,
        }
    }

    /// Whether the two share area. Rectangles that only touch along an edge
    /// do not: a label may sit flush against a node.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// Whether `p` is strictly inside (not on the border).
    pub fn contains_strictly(&self, p: Point) -> bool {
        p.0 > self.x && p.0 < self.right() && p.1 > self.y && p.1 < self.bottom()
    }

    /// Whether `p` lies on the border, within `tolerance`.
    pub fn has_on_border(&self, p: Point, tolerance: f64) -> bool {
        let near = |a: f64, b: f64| (a - b).abs() <= tolerance;
        let within_x = p.0 >= self.x - tolerance && p.0 <= self.right() + tolerance;
        let within_y = p.1 >= self.y - tolerance && p.1 <= self.bottom() + tolerance;
        ((near(p.0, self.x) || near(p.0, self.right())) && within_y)
            || ((near(p.1, self.y) || near(p.1, self.bottom())) && within_x)
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            w: self.right().max(other.right()) - x,
            h: self.bottom().max(other.bottom()) - y,
        }
    }
}

/// Zoom to fit: the view box that shows every rectangle with `margin`
/// around them, or `None` when there is nothing to show.
pub fn fit_view_box<'a>(rects: impl IntoIterator<Item = &'a Rect>, margin: f64) -> Option<Rect> {
    rects
        .into_iter()
        .copied()
        .reduce(|a, b| a.union(&b))
        .map(|r| r.inflate(margin))
}

/// Edge labels are set in the monospace font at 11 px (`.edge-label text`
/// in `www/style.css`): a Latin character is about 0.6 em wide, a wide one
/// (CJK, full-width forms) a whole em. Slightly generous, so an estimate
/// never makes a label's box smaller than its text.
const NARROW_CHAR_WIDTH: f64 = 6.8;
const WIDE_CHAR_WIDTH: f64 = 11.5;

/// How wide `text` is drawn in an edge label, in user units.
pub fn text_width(text: &str) -> f64 {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> f64 {
    let wide = matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    if wide {
        WIDE_CHAR_WIDTH
    } else {
        NARROW_CHAR_WIDTH
    }
}

/// `text` cut to at most `width` units, ending in "…" when cut.
pub fn clip_to_width(text: &str, width: f64) -> String {
    if text_width(text) <= width {
        return text.to_string();
    }
    let room = width - char_width('…');
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        used += char_width(c);
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` cut to at most `n` characters, ending in "…" when cut (node
/// boxes clip their lines by count).
pub fn clip_chars(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut c: String = text.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_rectangles_do_not_overlap() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        let right = Rect {
            x: 10.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        let inside = Rect {
            x: 9.0,
            y: 9.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(!a.overlaps(&right));
        assert!(a.overlaps(&inside));
        assert!(inside.overlaps(&a));
    }

    #[test]
    fn the_view_box_fits_every_rectangle_with_its_margin() {
        let rects = [
            Rect {
                x: 20.0,
                y: 30.0,
                w: 100.0,
                h: 50.0,
            },
            Rect {
                x: 300.0,
                y: 10.0,
                w: 40.0,
                h: 200.0,
            },
        ];
        let fit = fit_view_box(&rects, 20.0).unwrap();
        assert_eq!(
            fit,
            Rect {
                x: 0.0,
                y: -10.0,
                w: 360.0,
                h: 240.0
            }
        );
        assert_eq!(fit_view_box(&[], 20.0), None);
    }

    #[test]
    fn clipping_keeps_within_the_width_and_says_so() {
        assert_eq!(clip_to_width("info", 100.0), "info");
        let cut = clip_to_width("kern.critical.disk.full", 80.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut) <= 80.0, "{cut}");
        assert!(text_width("键") > text_width("k"));
        assert_eq!(clip_chars("a-long-queue-name", 6), "a-lon…");
    }

    #[test]
    fn a_point_on_the_border_is_on_it_and_not_inside() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(r.has_on_border((10.0, 5.0), 0.01));
        assert!(!r.contains_strictly((10.0, 5.0)));
        assert!(!r.has_on_border((5.0, 5.0), 0.01));
    }
}
