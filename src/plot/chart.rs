//! The chart model: a [`LineChart`]'s title, axes, series and rules, which of its points
//! can be drawn, the ranges of its axes and the corner for its legend. Nothing here draws;
//! `render.rs` turns the model into pixels.

use std::ops::Range;
use std::path::Path;

use super::style::{Hue, Line, Style};
use super::{Figure, PlotError};

/// Default size of one chart, in pixels.
pub(super) const DEFAULT_SIZE: (u32, u32) = (800, 600);

/// The largest magnitude an axis reaches; an axis whose span overflows to infinity would
/// leave plotters nothing to divide by.
const LIMIT: f64 = f64::MAX / 4.0;

/// The most decades a logarithmic axis spans (from its top down).
const MAX_DECADES: f64 = 300.0;

/// One named line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) points: Vec<(f64, f64)>,
    pub(super) style: Style,
}

/// Vertical lines across a chart at positions on the x axis, named in the legend.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rules {
    pub(super) name: String,
    pub(super) xs: Vec<f64>,
    pub(super) style: Style,
}

/// A line chart: a title, two axis labels, linear or logarithmic axes, and named series.
///
/// Lines are 3 pixels wide, or 1 pixel for series of more than 200 points (a loss per
/// iteration would otherwise be a smear).
///
/// Built step by step and drawn with [`LineChart::save_png`] (one chart in one image) or put in
/// a [`Figure`] with others. Series accept `f64` or `f32` coordinates (anything that converts
/// losslessly into `f64`). Non-drawable points are skipped as described in the
/// [module documentation](super).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) y_label: String,
    pub(super) log_x: bool,
    pub(super) log_y: bool,
    pub(super) markers: bool,
    pub(super) legend: Corner,
    pub(super) size: (u32, u32),
    pub(super) series: Vec<Series>,
    pub(super) rules: Vec<Rules>,
    pub(super) integer_y: bool,
    pub(super) show_legend: bool,
}

/// A corner of the plotting area, where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corner {
    /// Top left.
    UpperLeft,
    /// Top right (the default).
    #[default]
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
    /// The corner where the legend covers the least of the lines (upper right on a tie).
    Emptiest,
}

/// The corner for the legend of `chart` drawn on the axes `xr` and `yr` in a panel of `size`
/// pixels: the chart's own, or for [`Corner::Emptiest`] the corner whose legend-sized box holds
/// the fewest points of the lines (each segment sampled, each rule a vertical line).
pub(super) fn legend_corner(
    chart: &LineChart,
    xr: &Range<f64>,
    yr: &Range<f64>,
    size: (u32, u32),
) -> Corner {
    if chart.legend != Corner::Emptiest {
        return chart.legend;
    }
    // Where a value lies along an axis, from 0 to 1.
    let fraction = |v: f64, r: &Range<f64>, log: bool| {
        if log {
            (v.log10() - r.start.log10()) / (r.end.log10() - r.start.log10())
        } else {
            (v - r.start) / (r.end - r.start)
        }
    };
    // The legend's size as a fraction of the panel: about 8 pixels a character beside a
    // 40-pixel sample, 22 pixels a line, at the default size (800x600).
    let scale = f64::from(size.0.min(size.1)) / 600.0;
    let names = chart
        .series
        .iter()
        .map(|s| &s.name)
        .chain(chart.rules.iter().map(|r| &r.name));
    let longest = names.clone().map(|n| n.chars().count()).max().unwrap_or(0);
    let width = ((longest as f64 * 8.0 + 60.0) * scale / f64::from(size.0.max(1))).min(0.9);
    let height = ((names.count() as f64 * 22.0 + 20.0) * scale / f64::from(size.1.max(1))).min(0.9);
    let mut points: Vec<(f64, f64)> = Vec::new();
    for series in &chart.series {
        for run in chart.runs(series) {
            let at = |p: (f64, f64)| {
                (
                    fraction(p.0, xr, chart.log_x),
                    fraction(p.1, yr, chart.log_y),
                )
            };
            points.extend(run.iter().map(|&p| at(p)));
            for w in run.windows(2) {
                let (a, b) = (at(w[0]), at(w[1]));
                points.extend((1..8).map(|k| {
                    let t = f64::from(k) / 8.0;
                    (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
                }));
            }
        }
    }
    for x in chart.rules.iter().flat_map(|r| r.xs.iter().copied()) {
        if chart.rule_drawable(x) {
            let x = fraction(x, xr, chart.log_x);
            points.extend((0..=20).map(|k| (x, f64::from(k) / 20.0)));
        }
    }
    let covered = |left: bool, top: bool| {
        let in_x = |x: f64| if left { x <= width } else { x >= 1.0 - width };
        let in_y = |y: f64| if top { y >= 1.0 - height } else { y <= height };
        points.iter().filter(|&&(x, y)| in_x(x) && in_y(y)).count()
    };
    [
        (Corner::UpperRight, false, true),
        (Corner::UpperLeft, true, true),
        (Corner::LowerRight, false, false),
        (Corner::LowerLeft, true, false),
    ]
    .into_iter()
    .min_by_key(|&(_, left, top)| covered(left, top))
    .map_or(Corner::UpperRight, |(corner, _, _)| corner)
}

impl LineChart {
    /// A chart with the given title, no series, linear axes and the default size (800x600).
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            markers: false,
            legend: Corner::default(),
            size: DEFAULT_SIZE,
            series: Vec::new(),
            rules: Vec::new(),
            integer_y: false,
            show_legend: true,
        }
    }

    /// Leaves the legend out: for the panels of a figure that share one legend (same names,
    /// same colours, see [`LineChart::style_last`]).
    // The `bench_plot` example compiles this file in without using it.
    #[allow(dead_code)]
    #[must_use]
    pub fn without_legend(mut self) -> Self {
        self.show_legend = false;
        self
    }

    /// Gives the last series added the palette's colour `color` (the same in every chart, so
    /// that one name has one colour across panels), drawn dashed if `dashed`: a shorthand for
    /// a [`Style`] with [`Hue::Palette`]. Without a series, does nothing.
    // The `bench_plot` example compiles this file in without using it.
    #[allow(dead_code)]
    #[must_use]
    pub fn style_last(mut self, color: usize, dashed: bool) -> Self {
        if let Some(last) = self.series.last_mut() {
            last.style.hue = Hue::Palette(color);
            last.style.line = if dashed { Line::Dashed(3) } else { Line::Auto };
        }
        self
    }

    /// Sets the label under the horizontal axis.
    #[must_use]
    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }

    /// Sets the label beside the vertical axis.
    #[must_use]
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// Makes the horizontal axis logarithmic (base 10) or linear.
    #[must_use]
    pub fn log_x(mut self, log: bool) -> Self {
        self.log_x = log;
        self
    }

    /// Makes the vertical axis logarithmic (base 10) or linear.
    #[must_use]
    pub fn log_y(mut self, log: bool) -> Self {
        self.log_y = log;
        self
    }

    /// Draws a small circle on every drawable point, not only the line through them.
    // The command's charts choose markers per series (`Style`); `bench_plot` uses this.
    #[cfg_attr(not(test), allow(dead_code))]
    ///
    /// Off by default (a loss curve of 10000 iterations would be a smear of circles); useful
    /// for sparse series such as an error per step size or an accuracy per epoch. A point with
    /// no drawable neighbour is always marked, since a line needs two points.
    #[must_use]
    pub fn markers(mut self, on: bool) -> Self {
        self.markers = on;
        self
    }

    /// Puts the legend in another corner, away from the data (upper right by default).
    #[must_use]
    pub fn legend(mut self, corner: Corner) -> Self {
        self.legend = corner;
        self
    }

    /// Sets the image size in pixels when the chart is saved on its own (default 800x600).
    ///
    /// Inside a [`Figure`], the figure's panel size applies instead.
    // The command's charts keep the default size; the tests draw small ones.
    #[cfg_attr(not(test), allow(dead_code))]
    #[must_use]
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    /// Labels the vertical axis with whole numbers only (for a count: half an image is not a
    /// value it can take). Linear axes only.
    #[must_use]
    pub fn integer_y(mut self, on: bool) -> Self {
        self.integer_y = on;
        self
    }

    /// Adds a series of `(x, y)` points, drawn as a line in the order given.
    // The command's charts all style their series; `bench_plot` and the tests use this.
    #[cfg_attr(not(test), allow(dead_code))]
    #[must_use]
    pub fn series<X, Y>(self, name: impl Into<String>, points: &[(X, Y)]) -> Self
    where
        X: Into<f64> + Copy,
        Y: Into<f64> + Copy,
    {
        self.styled(name, points, Style::default())
    }

    /// Adds a series drawn with `style`. Series are drawn in the order they are added, each
    /// over the ones before.
    #[must_use]
    pub fn styled<X, Y>(mut self, name: impl Into<String>, points: &[(X, Y)], style: Style) -> Self
    where
        X: Into<f64> + Copy,
        Y: Into<f64> + Copy,
    {
        self.series.push(Series {
            name: name.into(),
            points: points.iter().map(|&(x, y)| (x.into(), y.into())).collect(),
            style,
        });
        self
    }

    /// Adds vertical lines across the chart at `xs` (drawn under every series), named once in
    /// the legend: places on the x axis, such as where a count changes or the book's step.
    /// Positions that cannot be placed on the axis are skipped; the axis reaches every one
    /// that can.
    #[must_use]
    pub fn rules(mut self, name: impl Into<String>, xs: &[f64], style: Style) -> Self {
        self.rules.push(Rules {
            name: name.into(),
            xs: xs.to_vec(),
            style,
        });
        self
    }

    /// Writes the chart alone as a PNG of its [`size`](LineChart::size) at `path`.
    ///
    /// # Errors
    ///
    /// [`PlotError::NothingToDraw`] when no series has a drawable point,
    /// [`PlotError::InvalidSize`] for a zero side or one above 16384 pixels, [`PlotError::Io`] or
    /// [`PlotError::Draw`] when the file cannot be written. On error nothing is left at
    /// `path` (an existing file there is left untouched).
    // The `nabla` command stages its charts with `write_png`; the `bench_plot` example, which
    // compiles this file in, and the tests save them.
    #[allow(dead_code)]
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        self.figure().save_png(path)
    }

    /// Draws the chart into the PNG file at `path` itself (see [`Figure::write_png`]).
    ///
    /// # Errors
    ///
    /// Those of [`LineChart::save_png`] but [`PlotError::Output`].
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        self.figure().write_png(path)
    }

    /// A figure of this chart alone, at its size.
    fn figure(&self) -> Figure {
        let (width, height) = self.size;
        Figure::new().panel_size(width, height).chart(self.clone())
    }

    /// Whether any axis is logarithmic.
    pub(super) fn has_log_axis(&self) -> bool {
        self.log_x || self.log_y
    }

    /// Whether a point can be placed on this chart's axes.
    pub(super) fn drawable(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
    }

    /// The series split into runs of consecutive drawable points.
    pub(super) fn runs(&self, series: &Series) -> Vec<Vec<(f64, f64)>> {
        let mut runs = Vec::new();
        let mut current = Vec::new();
        for &p in &series.points {
            if self.drawable(p) {
                current.push(p);
            } else if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            runs.push(current);
        }
        runs
    }

    /// Whether a rule's position can be placed on the x axis.
    pub(super) fn rule_drawable(&self, x: f64) -> bool {
        x.is_finite() && (!self.log_x || x > 0.0)
    }

    /// The axis ranges that hold every drawable point (and every rule), or `None` if there is
    /// no drawable point.
    pub(super) fn ranges(&self) -> Option<(Range<f64>, Range<f64>)> {
        let mut bounds: Option<(f64, f64, f64, f64)> = None;
        let drawable = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|&p| self.drawable(p));
        for (x, y) in drawable {
            bounds = Some(match bounds {
                None => (x, x, y, y),
                Some((x0, x1, y0, y1)) => (x0.min(x), x1.max(x), y0.min(y), y1.max(y)),
            });
        }
        let (mut x0, mut x1, y0, y1) = bounds?;
        let rules = self.rules.iter().flat_map(|r| r.xs.iter().copied());
        for x in rules.filter(|&x| self.rule_drawable(x)) {
            (x0, x1) = (x0.min(x), x1.max(x));
        }
        Some((pad(x0, x1, self.log_x), pad(y0, y1, self.log_y)))
    }
}

/// Widens `[lo, hi]` a little so that lines do not run along the frame, and gives a
/// single value a range around it.
///
/// The range is kept inside `[-LIMIT, LIMIT]` on a linear axis, and below `LIMIT` and within
/// `MAX_DECADES` decades of its top on a logarithmic one, so that its span stays finite;
/// points beyond are drawn clipped at the frame.
pub(super) fn pad(lo: f64, hi: f64, log: bool) -> Range<f64> {
    if log {
        // Work in decades: 5% of the span on each side, half a decade around a single value.
        let (a, b) = (lo.log10(), hi.log10());
        let margin = if b > a { 0.05 * (b - a) } else { 0.5 };
        let top = (b + margin).min(LIMIT.log10());
        // plotters divides the ends of a log axis; their ratio must stay finite.
        let bottom = (a - margin).max(top - MAX_DECADES);
        10f64.powf(bottom)..10f64.powf(top)
    } else {
        let (lo, hi) = (
            lo.clamp(-LIMIT / 2.0, LIMIT / 2.0),
            hi.clamp(-LIMIT / 2.0, LIMIT / 2.0),
        );
        let margin = if hi > lo {
            0.05 * (hi - lo)
        } else if lo != 0.0 {
            0.1 * lo.abs()
        } else {
            1.0
        };
        (lo - margin)..(hi + margin)
    }
}
