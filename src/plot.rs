//! Line charts to PNG, for the command's pictures.
//!
//! A private module of the `nabla` binary, not part of the library's API; the `bench_plot`
//! example compiles the same file into itself with `#[path]`.
//!
//! Every picture nabla draws is a line chart: error against step size on log-log axes,
//! training loss against iteration, train and test accuracy per epoch, the cost of a gradient
//! against the number of parameters. [`LineChart`] describes one such chart; [`Figure`] puts
//! several charts side by side in one image. Both write a PNG with `save_png`; the test
//! `line_chart_from_the_module_docs` shows the shortest use.
//!
//! # Telling series apart
//!
//! A series is drawn in the next colour of the palette, as a line 3 pixels wide (1 pixel past
//! 200 points). [`Style`] changes that for one series ([`LineChart::styled`]): a colour of
//! its own (a theory in a dark shade of the colour of what it predicts), a wide or dashed line
//! (two curves that coincide stay visible: a wide one under a narrow one, a dashed one over a
//! solid one), large dots or rings instead of a line (a few special points), a faded colour
//! (the noise under a trend). [`LineChart::rules`] draws vertical lines across the whole chart at given
//! positions (places, not data points).
//!
//! # Ticks
//!
//! A linear axis is labelled at multiples of 1, 2 or 5 times a power of ten, whole numbers only
//! on a count ([`LineChart::integer_y`]); a logarithmic one at powers of ten, every one or
//! every few decades, across the whole axis; at most 12 labels either way.
//!
//! # Points that cannot be drawn
//!
//! Measured data has holes: an error that is exactly 0 has no place on a log axis, a diverged
//! run gives NaN or infinity. A point is *drawable* when both coordinates are finite and, on a
//! logarithmic axis, positive. Other points are skipped, not an error, and the line is broken
//! where they were (a gap in the curve shows that something is missing there). A series with
//! no drawable point still gets its legend entry, marked `(nothing to draw)`. Only a chart in
//! which no series has a drawable point at all is an error ([`PlotError::NothingToDraw`]).
//! Axes stop at magnitudes of about `4e307`, and a logarithmic axis spans at most 300
//! decades below its largest value; points beyond are clipped at the frame.
//!
//! # Fonts
//!
//! Text is drawn with the DejaVu Sans font embedded in the binary (the `dejavu` crate), which
//! is registered with plotters as `sans-serif` on first use, so no system font and no
//! fontconfig is needed.
//!
//! # Files
//!
//! The image is first written to a temporary file in the target directory and then renamed
//! into place, so a failure never leaves a half-written PNG at `path`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::element::IntoDynElement;
use plotters::prelude::*;

use nabla::output::{OutputError, write_atomically_with};

/// The font family name plotters looks up for its default text style.
const FONT_FAMILY: &str = "sans-serif";

/// Default size of one chart, in pixels.
const DEFAULT_SIZE: (u32, u32) = (800, 600);

/// The largest magnitude an axis reaches; an axis whose span overflows to infinity would
/// leave plotters nothing to divide by.
const LIMIT: f64 = f64::MAX / 4.0;

/// The largest side of an image, in pixels.
const MAX_SIDE: u32 = 16384;

/// The most decades a logarithmic axis spans (from its top down).
const MAX_DECADES: f64 = 300.0;

/// Series with more points than this are drawn with thin lines.
const DENSE: usize = 200;

/// The most labelled ticks on an axis.
const MAX_TICKS: usize = 12;

/// Line colours, in the order series are added (the "tab10" cycle familiar from matplotlib).
const COLORS: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
    RGBColor(0, 0, 128),
    RGBColor(0, 0, 0),
];

/// What went wrong while drawing or saving a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// No series of the chart has a single drawable point (see the module documentation).
    #[error(
        "chart \"{title}\" has nothing to draw: no series has a point with finite coordinates{}",
        if *.log_axis { " (and positive ones on the logarithmic axes)" } else { "" }
    )]
    NothingToDraw {
        /// The chart's title.
        title: String,
        /// Whether one of its axes is logarithmic.
        log_axis: bool,
    },
    /// A [`Figure`] without any chart in it.
    #[error("figure has no charts to draw")]
    EmptyFigure,
    /// A width or height of zero pixels, or a side of the whole image above 16384 pixels.
    #[error(
        "image size {width}x{height} is not drawable: each side must be between 1 and 16384 pixels"
    )]
    InvalidSize {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
    },
    /// The embedded font could not be registered with plotters.
    #[error("the embedded DejaVu Sans font could not be loaded")]
    Font,
    /// plotters failed while drawing or encoding the image.
    #[error("could not draw {path}: {message}")]
    Draw {
        /// The PNG being written.
        path: PathBuf,
        /// plotters' description of the failure.
        message: String,
    },
    /// The path names a symlink, FIFO, device or directory, which is not replaced (see
    /// `nabla::output`).
    #[error(transparent)]
    Output(OutputError),
    /// Creating the temporary file or renaming it into place failed.
    #[error("could not write {path}: {source}")]
    Io {
        /// The PNG being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl From<OutputError> for PlotError {
    fn from(e: OutputError) -> Self {
        match e {
            OutputError::Io { path, source } => PlotError::Io { path, source },
            other => PlotError::Output(other),
        }
    }
}

/// One named line of a chart.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    points: Vec<(f64, f64)>,
    style: Style,
}

/// Vertical lines across a chart at positions on the x axis, named in the legend.
#[derive(Debug, Clone, PartialEq)]
struct Rules {
    name: String,
    xs: Vec<f64>,
    style: Style,
}

/// How one series is drawn; the default is the next palette colour and a plain line (see the
/// [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// The colour.
    pub hue: Hue,
    /// The line through the points.
    pub line: Line,
    /// What is drawn at each point.
    pub marker: Marker,
    /// Lighter or darker than the colour.
    pub shade: Shade,
}

/// A colour as it is, lighter or darker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shade {
    /// The colour itself.
    #[default]
    Plain,
    /// Mixed with white: a band of noise under the trend drawn over it.
    Faded,
    /// Mixed with black: a line that stays visible over a line of the plain colour (a theory
    /// dashed over the measurement it predicts).
    Dark,
}

/// A series' colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hue {
    /// The palette's colour of the series' place in the chart (the first series the first
    /// colour, and so on).
    #[default]
    Next,
    /// The palette's colour number `i` (from 0), the same as the `i`-th series' by default.
    Palette(usize),
    /// Black.
    Black,
    /// A middle grey.
    Grey,
}

/// The line through a series' points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Line {
    /// 3 pixels wide, or 1 past 200 points.
    #[default]
    Auto,
    /// Solid, this many pixels wide (plotters draws 2 as two strands: use 1, 3 or more).
    Solid(u32),
    /// Dashed, this many pixels wide.
    Dashed(u32),
    /// No line: the markers alone.
    None,
}

/// What is drawn at each point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Marker {
    /// Small dots when the chart asks for markers ([`LineChart::markers`]), else none (a
    /// point with no drawable neighbour is always marked, since a line needs two points).
    #[default]
    Auto,
    /// Filled dots of this radius (in pixels at the default size), outlined in black.
    Dot(u32),
    /// Rings of this radius, 2 pixels wide.
    Ring(u32),
}

/// A line chart: a title, two axis labels, linear or logarithmic axes, and named series.
///
/// Lines are 3 pixels wide, or 1 pixel for series of more than 200 points (a loss per
/// iteration would otherwise be a smear).
///
/// Built step by step and drawn with [`LineChart::save_png`] (one chart in one image) or put in
/// a [`Figure`] with others. Series accept `f64` or `f32` coordinates (anything that converts
/// losslessly into `f64`). Non-drawable points are skipped as described in the
/// [module documentation](self).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    markers: bool,
    legend: Corner,
    size: (u32, u32),
    series: Vec<Series>,
    rules: Vec<Rules>,
    integer_y: bool,
    show_legend: bool,
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

impl Corner {
    fn position(self) -> SeriesLabelPosition {
        match self {
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::UpperRight | Corner::Emptiest => SeriesLabelPosition::UpperRight,
            Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// The corner for the legend of `chart` drawn on the axes `xr` and `yr` in a panel of `size`
/// pixels: the chart's own, or for [`Corner::Emptiest`] the corner whose legend-sized box holds
/// the fewest points of the lines (each segment sampled, each rule a vertical line).
fn legend_corner(chart: &LineChart, xr: &Range<f64>, yr: &Range<f64>, size: (u32, u32)) -> Corner {
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
    fn has_log_axis(&self) -> bool {
        self.log_x || self.log_y
    }

    /// Whether a point can be placed on this chart's axes.
    fn drawable(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
    }

    /// The series split into runs of consecutive drawable points.
    fn runs(&self, series: &Series) -> Vec<Vec<(f64, f64)>> {
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
    fn rule_drawable(&self, x: f64) -> bool {
        x.is_finite() && (!self.log_x || x > 0.0)
    }

    /// The axis ranges that hold every drawable point (and every rule), or `None` if there is
    /// no drawable point.
    fn ranges(&self) -> Option<(Range<f64>, Range<f64>)> {
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
fn pad(lo: f64, hi: f64, log: bool) -> Range<f64> {
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

/// Several [`LineChart`]s in one image, laid out in a grid, row by row.
///
/// Each chart becomes a panel of [`panel_size`](Figure::panel_size) pixels (default 800x600);
/// the image is `columns * width` wide and `rows * height` tall, with as many rows as the
/// charts need.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    charts: Vec<LineChart>,
    columns: usize,
    panel_size: (u32, u32),
}

impl Default for Figure {
    fn default() -> Self {
        Self::new()
    }
}

impl Figure {
    /// An empty figure with one column and 800x600 panels.
    pub fn new() -> Self {
        Self {
            charts: Vec::new(),
            columns: 1,
            panel_size: DEFAULT_SIZE,
        }
    }

    /// Sets the number of panels per row (at least 1; 0 is taken as 1).
    #[must_use]
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = columns.max(1);
        self
    }

    /// Sets the size of each panel in pixels.
    #[must_use]
    pub fn panel_size(mut self, width: u32, height: u32) -> Self {
        self.panel_size = (width, height);
        self
    }

    /// Adds a chart as the next panel.
    #[must_use]
    pub fn chart(mut self, chart: LineChart) -> Self {
        self.charts.push(chart);
        self
    }

    /// The image size in pixels that [`save_png`](Figure::save_png) writes.
    pub fn pixel_size(&self) -> (u32, u32) {
        let columns = self.columns.min(self.charts.len()).max(1);
        let rows = self.charts.len().div_ceil(columns).max(1);
        let (w, h) = self.panel_size;
        (
            w.saturating_mul(u32::try_from(columns).unwrap_or(u32::MAX)),
            h.saturating_mul(u32::try_from(rows).unwrap_or(u32::MAX)),
        )
    }

    /// Writes the figure as a PNG at `path`, through a temporary file renamed into place.
    ///
    /// # Errors
    ///
    /// [`PlotError::EmptyFigure`] without charts, [`PlotError::NothingToDraw`] naming the
    /// first chart with no drawable point, [`PlotError::InvalidSize`] for a zero panel side
    /// or an image side above 16384 pixels,
    /// [`PlotError::Io`] or [`PlotError::Draw`] when the file cannot be written, and
    /// [`PlotError::Output`] when `path` is a symlink, FIFO, device or directory, which is
    /// not replaced. On error nothing is left at `path` (an existing file there is left
    /// untouched).
    // See `LineChart::save_png`.
    #[allow(dead_code)]
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let path = path.as_ref();
        let panels = self.panels()?;
        write_atomically_with(path, |temp| self.draw(&panels, temp, path))
    }

    /// Draws the figure into the PNG file at `path` itself, replacing what is there: for a
    /// caller that writes it to a temporary file of its own, as
    /// [`OutputSet::stage`](nabla::output::OutputSet::stage) gives.
    ///
    /// # Errors
    ///
    /// Those of [`Figure::save_png`] but [`PlotError::Output`].
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let path = path.as_ref();
        let panels = self.panels()?;
        self.draw(&panels, path, path)
    }

    /// Checks the figure and gives each chart its axis ranges.
    fn panels(&self) -> Result<Vec<Panel<'_>>, PlotError> {
        if self.charts.is_empty() {
            return Err(PlotError::EmptyFigure);
        }
        let (width, height) = self.panel_size;
        let (total_w, total_h) = self.pixel_size();
        if width == 0 || height == 0 {
            return Err(PlotError::InvalidSize { width, height });
        }
        // The whole image is one RGB buffer in memory; keep it below 1 GB.
        if total_w > MAX_SIDE || total_h > MAX_SIDE {
            return Err(PlotError::InvalidSize {
                width: total_w,
                height: total_h,
            });
        }
        let mut panels = Vec::with_capacity(self.charts.len());
        for chart in &self.charts {
            let ranges = chart.ranges().ok_or_else(|| PlotError::NothingToDraw {
                title: chart.title.clone(),
                log_axis: chart.has_log_axis(),
            })?;
            panels.push((chart, ranges));
        }
        register_font()?;
        Ok(panels)
    }

    /// Draws `panels` into the PNG file `file` (which plotters encodes by its extension, so it
    /// ends in `.png`); errors name `path`, the output it becomes.
    fn draw(&self, panels: &[Panel<'_>], file: &Path, path: &Path) -> Result<(), PlotError> {
        let draw_error = |message: String| PlotError::Draw {
            path: path.to_path_buf(),
            message,
        };
        let (width, height) = self.panel_size;
        let (columns, rows) = {
            let (w, h) = self.pixel_size();
            ((w / width) as usize, (h / height) as usize)
        };
        let root = BitMapBackend::new(file, self.pixel_size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(e.to_string()))?;
        let areas = root.split_evenly((rows, columns));
        for ((chart, (xr, yr)), area) in panels.iter().zip(&areas) {
            let corner = legend_corner(chart, xr, yr, (width, height));
            draw_chart(chart, area, xr.clone(), yr.clone(), corner).map_err(draw_error)?;
        }
        root.present().map_err(|e| draw_error(e.to_string()))
    }
}

/// Registers the embedded font once per process; later calls return the first outcome.
fn register_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
            && plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, dejavu::sans::bold())
                .is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// A chart of a figure with its axis ranges (x, then y), checked and ready to draw.
type Panel<'a> = (&'a LineChart, (Range<f64>, Range<f64>));

/// Draws one chart into its panel, on a linear or logarithmic axis each way, with the ticks of
/// [`ticks`].
fn draw_chart(
    chart: &LineChart,
    area: &Area<'_>,
    xr: Range<f64>,
    yr: Range<f64>,
    legend: Corner,
) -> Result<(), String> {
    let y_extent = yr.clone();
    let x = Axis::new(xr, chart.log_x, false);
    let y = Axis::new(yr, chart.log_y, chart.integer_y);
    draw_in(chart, area, x, y, y_extent, legend)
}

/// One axis as plotters places values on it: linear or logarithmic, labelled at the ticks of
/// [`ticks`] (plotters' own choice left the ends of long logarithmic axes unlabelled).
struct Axis {
    scale: Scale,
    bold: Vec<f64>,
    light: Vec<f64>,
    /// The span of a linear axis (0 for a logarithmic one), for [`snap_to_zero`].
    span: f64,
}

/// How values are placed along an [`Axis`].
enum Scale {
    Linear(RangedCoordf64),
    Log(LogCoord<f64>),
}

impl Axis {
    fn new(range: Range<f64>, log: bool, integers: bool) -> Self {
        let (bold, light) = ticks(&range, log, integers);
        let span = if log { 0.0 } else { range.end - range.start };
        let scale = if log {
            Scale::Log(range.log_scale().into())
        } else {
            Scale::Linear(range.into())
        };
        Self {
            scale,
            bold,
            light,
            span,
        }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        match &self.scale {
            Scale::Linear(c) => c.map(value, limit),
            Scale::Log(c) => c.map(value, limit),
        }
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        match &self.scale {
            Scale::Linear(c) => c.range(),
            Scale::Log(c) => c.range(),
        }
    }
}

/// The labelled ticks and the grid's light lines of an axis over `r`, at most [`MAX_TICKS`]
/// labelled. Linear: multiples of 1, 2 or 5 times a power of ten (whole numbers when
/// `integers`), light lines halfway (at every whole number on a short count axis). Logarithmic: the powers of ten whose exponent
/// is a multiple of the smallest step of decades that fits (so `1e-50`, `1e-45`, ... `1`), light
/// lines at every decade, or at 2..9 times each power of ten when every decade is labelled.
fn ticks(r: &Range<f64>, log: bool, integers: bool) -> (Vec<f64>, Vec<f64>) {
    if log {
        let (lo, hi) = (r.start.log10().ceil(), r.end.log10().floor());
        let decades = hi - lo;
        if decades >= 1.0 {
            let step = (decades / MAX_TICKS as f64).ceil().max(1.0);
            let first = (lo / step).ceil() * step;
            let bold = multiples(first, hi, step).map(|d| 10f64.powf(d)).collect();
            let light = if step > 1.0 {
                multiples(lo, hi, 1.0).map(|d| 10f64.powf(d)).collect()
            } else {
                multiples(lo - 1.0, hi, 1.0)
                    .flat_map(|d| (2..10).map(move |m| f64::from(m) * 10f64.powf(d)))
                    .filter(|v| r.contains(v))
                    .collect()
            };
            return (bold, light);
        }
        // Less than a decade: linear ticks inside it (all positive).
    }
    let span = r.end - r.start;
    let raw = span / MAX_TICKS as f64;
    let power = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power); // ok: 10 * power >= raw always; a fallback for NaN only
    if integers {
        step = step.max(1.0).round();
    }
    // One light line between labels; on a count, one per whole number while they are few.
    let light_step = if integers && step <= 10.0 {
        1.0
    } else {
        step / 2.0
    };
    let at = |s: f64| multiples((r.start / s).ceil() * s, r.end, s).collect::<Vec<_>>();
    (at(step), at(light_step))
}

/// `first, first + step, ...` up to `last`, each computed as `first + k step` (no drift).
fn multiples(first: f64, last: f64, step: f64) -> impl Iterator<Item = f64> {
    let count = if step > 0.0 && last >= first {
        ((last - first) / step + 1e-9).floor() as usize + 1
    } else {
        0
    };
    // A few hundred at most: the spans and steps above keep `count` near MAX_TICKS * 5 or 9.
    (0..count.min(4096)).map(move |k| first + k as f64 * step)
}

/// The legend entry of a series or a set of rules named `name`, drawn with `look`, and marked
/// "(nothing to draw)" unless `drawable`. An empty line carries it, so that it exists even for
/// a series without drawable points, and exactly once for a series broken into several runs.
fn legend_entry<'a, 'b: 'a>(
    ctx: &mut Ctx<'a, 'b>,
    look: &Look,
    name: &str,
    drawable: bool,
) -> Result<(), String> {
    let label = if drawable {
        name.to_owned()
    } else {
        format!("{name} (nothing to draw)")
    };
    let sample = look.legend();
    ctx.draw_series(LineSeries::new(
        std::iter::empty::<(f64, f64)>(),
        look.stroke,
    ))
    .map_err(|e| e.to_string())?
    .label(label)
    .legend(move |at| sample.at(at));
    Ok(())
}

/// The chart being drawn into a panel, on its two axes.
type Ctx<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<Axis, Axis>>;

/// The drawing itself: frame, ticks and labels, rules, series, legend.
fn draw_in(
    chart: &LineChart,
    area: &Area<'_>,
    x: Axis,
    y: Axis,
    y_extent: Range<f64>,
    legend: Corner,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let scale = f64::from(w.min(h)) / 600.0;
    let font = |size: f64| (FONT_FAMILY, (size * scale).max(8.0));
    let mut ctx = frame(chart, area, x, y, scale)?;
    // Rules first, so that every series is drawn over them.
    for (i, rules) in chart.rules.iter().enumerate() {
        draw_rules(
            &mut ctx,
            chart,
            rules,
            Look::of(&rules.style, i, usize::MAX, scale),
            &y_extent,
        )?;
    }
    for (i, series) in chart.series.iter().enumerate() {
        let look = Look::of(&series.style, i, series.points.len(), scale);
        let runs = chart.runs(series);
        legend_entry(&mut ctx, &look, &series.name, !runs.is_empty())?;
        for run in &runs {
            draw_run(&mut ctx, &look, run)?;
            draw_markers(&mut ctx, chart, &look, run)?;
        }
    }
    if chart.show_legend {
        ctx.configure_series_labels()
            .label_font(font(15.0))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(legend.position())
            .draw()
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The frame of a chart: its title, the axes with their ticks, labels and grid, at `scale`.
fn frame<'a, 'b>(
    chart: &LineChart,
    area: &'a Area<'b>,
    x: Axis,
    y: Axis,
    scale: f64,
) -> Result<Ctx<'a, 'b>, String> {
    // On a linear axis, a tick very close to zero relative to the axis is zero (a rounding
    // residue of the tick steps). A logarithmic axis has span 0: nothing is snapped.
    let (x_span, y_span) = (x.span, y.span);
    let font = |size: f64| (FONT_FAMILY, (size * scale).max(8.0));
    let mut ctx = ChartBuilder::on(area)
        .caption(&chart.title, font(26.0))
        .margin((12.0 * scale) as u32)
        .x_label_area_size((50.0 * scale) as u32)
        .y_label_area_size((80.0 * scale) as u32)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())?;
    ctx.configure_mesh()
        .x_label_formatter(&|v| tick_label(snap_to_zero(*v, x_span)))
        .y_label_formatter(&|v| tick_label(snap_to_zero(*v, y_span)))
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(font(15.0))
        .axis_desc_style(font(18.0))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(205, 205, 205))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(ctx)
}

/// One set of rules, each a vertical line across `y_extent`, and its legend entry.
fn draw_rules<'a, 'b: 'a>(
    ctx: &mut Ctx<'a, 'b>,
    chart: &LineChart,
    rules: &Rules,
    look: Look,
    y_extent: &Range<f64>,
) -> Result<(), String> {
    let xs: Vec<f64> = rules
        .xs
        .iter()
        .copied()
        .filter(|&x| chart.rule_drawable(x))
        .collect();
    for &x in &xs {
        let segment = [(x, y_extent.start), (x, y_extent.end)];
        match look.line {
            Line::Dashed(_) => ctx.draw_series(DashedLineSeries::new(
                segment,
                look.pixels(8),
                look.pixels(6),
                look.stroke,
            )),
            _ => ctx.draw_series(LineSeries::new(segment, look.stroke)),
        }
        .map_err(|e| e.to_string())?;
    }
    legend_entry(ctx, &look, &rules.name, !xs.is_empty())
}

/// The line through one run of drawable points of a series.
fn draw_run(ctx: &mut Ctx<'_, '_>, look: &Look, run: &[(f64, f64)]) -> Result<(), String> {
    match look.line {
        Line::None => {}
        Line::Dashed(_) => {
            ctx.draw_series(DashedLineSeries::new(
                run.iter().copied(),
                look.pixels(10),
                look.pixels(6),
                look.stroke,
            ))
            .map_err(|e| e.to_string())?;
        }
        _ => {
            ctx.draw_series(LineSeries::new(run.iter().copied(), look.stroke))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The markers on one run of a series: its own, or small dots where the chart asks for
/// markers, the run is a single point or the series has no line.
fn draw_markers(
    ctx: &mut Ctx<'_, '_>,
    chart: &LineChart,
    look: &Look,
    run: &[(f64, f64)],
) -> Result<(), String> {
    let marker = match look.marker {
        Marker::Auto if chart.markers || run.len() == 1 || look.line == Line::None => {
            Marker::Dot(3)
        }
        other => other,
    };
    match marker {
        Marker::Auto => {}
        Marker::Dot(r) => {
            let r = look.radius(r);
            ctx.draw_series(run.iter().map(|&p| Circle::new(p, r, look.color.filled())))
                .map_err(|e| e.to_string())?;
            if r >= 5 {
                ctx.draw_series(
                    run.iter()
                        .map(|&p| Circle::new(p, r, BLACK.stroke_width(1))),
                )
                .map_err(|e| e.to_string())?;
            }
        }
        Marker::Ring(r) => {
            let r = look.radius(r);
            let ring = look.color.stroke_width(2);
            ctx.draw_series(run.iter().map(|&p| Circle::new(p, r, ring)))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// What a legend entry shows: a line in one or two pieces and a marker on it (unused parts
/// transparent, so that every entry is one element type).
#[derive(Clone, Copy)]
struct LegendSample {
    dashes: [[(i32, i32); 2]; 2],
    line: ShapeStyle,
    radius: i32,
    marker: ShapeStyle,
}

impl LegendSample {
    /// The sample drawn at `at`, the legend's place for it.
    fn at<'a, DB: DrawingBackend + 'a>(
        self,
        at: (i32, i32),
    ) -> impl IntoDynElement<'a, DB, (i32, i32)> {
        EmptyElement::at(at)
            + PathElement::new(self.dashes[0], self.line)
            + PathElement::new(self.dashes[1], self.line)
            + Circle::new((10, 0), self.radius, self.marker)
    }
}

/// A [`Style`] resolved for drawing: the colour, the line's stroke and the marker, at the
/// panel's scale.
struct Look {
    color: RGBColor,
    line: Line,
    stroke: ShapeStyle,
    marker: Marker,
    scale: f64,
}

impl Look {
    /// The look of the `index`-th series (or rule set), of `points` points, at `scale`.
    fn of(style: &Style, index: usize, points: usize, scale: f64) -> Self {
        let base = match style.hue {
            Hue::Next => COLORS[index % COLORS.len()],
            Hue::Palette(i) => COLORS[i % COLORS.len()],
            Hue::Black => BLACK,
            Hue::Grey => RGBColor(128, 128, 128),
        };
        let mix =
            |c: u8, with: u16, parts: u16| ((u16::from(c) + parts * with) / (parts + 1)) as u8;
        let color = match style.shade {
            Shade::Plain => base,
            // Two parts white to one of the colour: a pale band that a line over it crosses.
            Shade::Faded => RGBColor(
                mix(base.0, 255, 2),
                mix(base.1, 255, 2),
                mix(base.2, 255, 2),
            ),
            // Half black.
            Shade::Dark => RGBColor(mix(base.0, 0, 1), mix(base.1, 0, 1), mix(base.2, 0, 1)),
        };
        // A dense curve (a loss per iteration) stays readable only when thin; a sparse one
        // reads better bold. plotters draws 2-pixel lines as two strands, so 1 or 3.
        let width = match style.line {
            Line::Auto if points > DENSE || scale < 0.5 => 1,
            Line::Auto => 3,
            Line::Solid(w) | Line::Dashed(w) => w,
            Line::None => 1,
        };
        Self {
            color,
            line: style.line,
            stroke: color.stroke_width(width),
            marker: style.marker,
            scale,
        }
    }

    /// `n` pixels at the default size, at this scale (at least 1).
    fn pixels(&self, n: u32) -> u32 {
        ((f64::from(n) * self.scale).round() as u32).max(1)
    }

    /// A marker radius in pixels at this scale, at least 2.
    fn radius(&self, r: u32) -> i32 {
        ((f64::from(r) * self.scale).round() as i32).max(2)
    }

    /// The legend's sample: the line (solid or in two dashes) with the marker on it.
    fn legend(&self) -> LegendSample {
        let none = TRANSPARENT.stroke_width(1);
        let (dashes, line) = match self.line {
            Line::None => ([[(10, 0), (10, 0)], [(10, 0), (10, 0)]], none),
            Line::Dashed(_) => ([[(0, 0), (8, 0)], [(13, 0), (20, 0)]], self.stroke),
            _ => ([[(0, 0), (20, 0)], [(0, 0), (20, 0)]], self.stroke),
        };
        let marker = match self.marker {
            Marker::Auto if self.line == Line::None => Marker::Dot(3),
            other => other,
        };
        let (radius, marker) = match marker {
            Marker::Dot(r) => (self.radius(r).min(7), self.color.filled()),
            Marker::Ring(r) => (self.radius(r).min(7), self.color.stroke_width(2)),
            Marker::Auto => (0, TRANSPARENT.filled()),
        };
        LegendSample {
            dashes,
            line,
            radius,
            marker,
        }
    }
}

/// `value`, or 0 when it is closer to zero than `1e-9` times the span of its linear axis: a
/// rounding residue of the tick steps, not a value (a span of 0 snaps nothing).
fn snap_to_zero(value: f64, span: f64) -> f64 {
    if value.abs() < 1e-9 * span.abs() {
        0.0
    } else {
        value
    }
}

/// A short tick label: at most 4 significant digits, plain for ordinary magnitudes and in
/// `1e-5` notation for very small or very large ones (`0.84`, `100`, `2.5e-7`, `1e6`).
fn tick_label(value: f64) -> String {
    let rounded: f64 = format!("{value:.3e}").parse().unwrap_or(value);
    let magnitude = rounded.abs();
    if magnitude == 0.0 {
        "0".to_owned()
    } else if (1e-3..1e5).contains(&magnitude) {
        format!("{rounded}")
    } else {
        format!("{rounded:e}")
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    use super::*;

    /// The PNG file signature (first 8 bytes of every PNG).
    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    /// Width and height from the IHDR chunk, which the PNG format puts first.
    fn png_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[..8], &PNG_SIGNATURE, "not a PNG");
        assert_eq!(&bytes[12..16], b"IHDR");
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        (w, h)
    }

    /// Files in `dir`, to check that no temporary file was left behind.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn error_curve(scale: f64) -> Vec<(f64, f64)> {
        (0..=16)
            .map(|k| {
                let h = 10f64.powi(-k);
                (h, scale * (1e-16 / h + h * h))
            })
            .collect()
    }

    /// The shortest use: one log-log series, saved.
    #[test]
    fn line_chart_from_the_module_docs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("error.png");
        let central: Vec<(f64, f64)> = [1e-8, 1e-6, 1e-4, 1e-2]
            .iter()
            .map(|&h| (h, 1e-16 / h + h * h / 6.0))
            .collect();
        LineChart::new("d/dx exp(x) at x = 1")
            .x_label("step h")
            .y_label("absolute error")
            .log_x(true)
            .log_y(true)
            .series("central", &central)
            .save_png(&path)
            .unwrap();
        assert_eq!(png_size(&std::fs::read(&path).unwrap()), DEFAULT_SIZE);
    }

    #[test]
    fn log_log_chart_with_holes_is_written_as_png_of_the_requested_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.png");
        let mut with_holes = error_curve(1.0);
        with_holes[3].1 = 0.0; // not drawable on a log axis
        with_holes[5].1 = f64::NAN;
        with_holes[7].1 = f64::INFINITY;
        let f32_points: Vec<(f32, f32)> = error_curve(3.0)
            .iter()
            .map(|&(x, y)| (x as f32, y as f32))
            .collect();
        LineChart::new("error vs step")
            .x_label("h")
            .y_label("|error|")
            .log_x(true)
            .log_y(true)
            .markers(true)
            .size(640, 480)
            .series("f64 with holes", &with_holes)
            .series("f32", &f32_points)
            .series("all NaN", &[(f64::NAN, f64::NAN)])
            .save_png(&path)
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(png_size(&bytes), (640, 480));
        assert_eq!(entries(dir.path()), ["errors.png"]);
    }

    #[test]
    fn figure_with_panels_has_grid_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("training.png");
        let loss: Vec<(f32, f32)> = (0..500)
            .map(|i| (i as f32, 2.3 * (-(i as f32) / 100.0).exp() + 0.1))
            .collect();
        let train: Vec<(f64, f64)> = (0..17)
            .map(|e| (e as f64, 0.9 + e as f64 * 0.003))
            .collect();
        let figure = Figure::new()
            .columns(2)
            .panel_size(400, 300)
            .chart(LineChart::new("loss").series("train loss", &loss))
            .chart(
                LineChart::new("accuracy")
                    .series("train", &train)
                    .markers(true),
            )
            .chart(
                LineChart::new("cost")
                    .log_x(true)
                    .log_y(true)
                    .series("n", &[(10.0, 1.0)]),
            );
        assert_eq!(figure.pixel_size(), (800, 600));
        figure.save_png(&path).unwrap();
        assert_eq!(png_size(&std::fs::read(&path).unwrap()), (800, 600));
    }

    #[test]
    fn undrawable_charts_are_errors_and_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nothing.png");

        let no_series = LineChart::new("empty").save_png(&path).unwrap_err();
        assert!(matches!(no_series, PlotError::NothingToDraw { .. }));
        assert_eq!(
            no_series.to_string(),
            "chart \"empty\" has nothing to draw: no series has a point with finite coordinates"
        );

        let empty_series: &[(f64, f64)] = &[];
        let err = LineChart::new("e")
            .series("none", empty_series)
            .save_png(&path)
            .unwrap_err();
        assert!(matches!(err, PlotError::NothingToDraw { .. }));

        let err = LineChart::new("nan")
            .series("nan", &[(f64::NAN, 1.0), (2.0, f64::NAN)])
            .save_png(&path)
            .unwrap_err();
        assert!(matches!(err, PlotError::NothingToDraw { .. }));

        // Zeros and negatives are fine on linear axes but not on logarithmic ones.
        let zeros = [(0.0, 0.0), (1.0, -1.0)];
        let err = LineChart::new("log")
            .log_y(true)
            .series("z", &zeros)
            .save_png(&path);
        assert_eq!(
            err.unwrap_err().to_string(),
            "chart \"log\" has nothing to draw: no series has a point with finite coordinates \
             (and positive ones on the logarithmic axes)"
        );

        assert!(matches!(
            Figure::new().save_png(&path),
            Err(PlotError::EmptyFigure)
        ));
        let err = LineChart::new("tiny")
            .size(0, 10)
            .series("z", &zeros)
            .save_png(&path);
        assert!(matches!(
            err,
            Err(PlotError::InvalidSize {
                width: 0,
                height: 10
            })
        ));
        let err = LineChart::new("huge")
            .size(20_000, 10)
            .series("z", &zeros)
            .save_png(&path);
        assert_eq!(
            err.unwrap_err().to_string(),
            "image size 20000x10 is not drawable: each side must be between 1 and 16384 pixels"
        );

        assert!(
            entries(dir.path()).is_empty(),
            "left behind: {:?}",
            entries(dir.path())
        );
    }

    #[test]
    fn failed_write_keeps_the_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keep.png");
        std::fs::write(&path, b"old").unwrap();
        let err = LineChart::new("nan")
            .series("nan", &[(f64::NAN, 0.0)])
            .save_png(&path);
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");

        let missing = dir.path().join("no-such-dir").join("x.png");
        let err = LineChart::new("ok")
            .series("a", &[(0.0, 1.0), (1.0, 2.0)])
            .save_png(&missing);
        match err {
            Err(PlotError::Io { path, .. }) => assert_eq!(path, missing),
            other => panic!("expected an Io error, got {other:?}"),
        }
    }

    #[test]
    fn extreme_magnitudes_do_not_break_the_axes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.png");
        let huge = [(0.0, 1e308), (1.0, -1e308), (2.0, f64::MAX)];
        LineChart::new("huge")
            .series("h", &huge)
            .size(200, 150)
            .save_png(&path)
            .unwrap();
        assert_eq!(png_size(&std::fs::read(&path).unwrap()), (200, 150));
        // 620 decades on x: the axis keeps the top 300, and the call returns.
        let tiny = [(1e-320, 1e-300), (1e300, 1e-310)];
        LineChart::new("tiny")
            .log_x(true)
            .log_y(true)
            .series("t", &tiny)
            .size(200, 150)
            .save_png(&path)
            .unwrap();
        assert_eq!(png_size(&std::fs::read(&path).unwrap()), (200, 150));
    }

    #[test]
    fn tick_labels_are_short() {
        let cases = [
            (100.0, "100"),
            (0.84, "0.84"),
            (0.1 + 0.2, "0.3"),
            (9.99999999e-5, "1e-4"),
            (2.5e-7, "2.5e-7"),
            (1e6, "1e6"),
            (-3.0, "-3"),
            (0.0, "0"),
        ];
        for (value, label) in cases {
            assert_eq!(tick_label(value), label, "{value}");
        }
        assert_eq!(snap_to_zero(-2.220446049250313e-16, 2.2), 0.0);
        assert_eq!(snap_to_zero(0.2, 2.2), 0.2);
        assert_eq!(snap_to_zero(1e-16, 0.0), 1e-16);
        for value in [1e-300, -1e-300] {
            assert_eq!(snap_to_zero(value, 1e-295), value);
        }
    }

    #[test]
    fn log_axes_span_at_most_300_decades() {
        let r = pad(1e-320, 1e300, true);
        assert!(r.end.is_finite() && r.start > 0.0);
        assert_relative_eq!(r.end.log10() - r.start.log10(), 300.0, epsilon = 1e-9);
        let r = pad(1e300, f64::MAX, true);
        assert!(r.end < 1e308 && r.start > 1e290, "{r:?}");
    }

    #[test]
    fn ticks_are_round_few_and_cover_the_whole_axis() {
        // The loss chart's x axis (10000 iterations, padded): every 1000, light lines halfway.
        let (bold, light) = ticks(&(-500.0..10500.0), false, false);
        assert_eq!(
            bold,
            (0..=10).map(|k| f64::from(k) * 1000.0).collect::<Vec<_>>()
        );
        assert_eq!(light.len(), 23);
        assert_eq!(light[..3], [-500.0, 0.0, 500.0]);
        // A count from 53 to 56 (padded): whole numbers only, never 53.5.
        let (bold, light) = ticks(&(52.85..56.15), false, true);
        assert_eq!(bold, [53.0, 54.0, 55.0, 56.0]);
        assert_eq!(light, bold);
        let (bold, _) = ticks(&(5.0..68.0), false, true);
        assert_eq!(bold, [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
        // Fifty decades (nabla steps from the book's h = 1e-50): every fifth power of ten,
        // down to 1e-50 itself, and a light line at every decade.
        let (bold, light) = ticks(&(10f64.powf(-52.5)..10f64.powf(2.5)), true, false);
        let labels: Vec<String> = bold.iter().map(|&v| tick_label(v)).collect();
        assert_eq!(labels.len(), 11, "{labels:?}");
        assert_eq!((labels[0].as_str(), labels[10].as_str()), ("1e-50", "1"));
        assert_eq!(labels[1], "1e-45");
        assert_eq!(light.len(), 55); // 1e-52 .. 1e2
        // Eight decades: every one, with 2..9 times each as light lines.
        let (bold, light) = ticks(&(10f64.powf(-7.4)..10f64.powf(0.4)), true, false);
        assert_eq!(bold.len(), 8);
        assert_relative_eq!(bold[0], 1e-7, max_relative = 1e-12);
        assert!(
            light
                .iter()
                .all(|v| (10f64.powf(-7.4)..10f64.powf(0.4)).contains(v))
        );
        // 4e-8 .. 9e-8 above 10^-7.4, 2e-7 .. 9e-1, and 2 below 10^0.4.
        assert_eq!(light.len(), 6 + 7 * 8 + 1, "{light:?}");
        // Less than a decade on a log axis: plain round numbers, all positive.
        let (bold, _) = ticks(&(0.2..0.8), true, false);
        assert!(!bold.is_empty() && bold.iter().all(|&v| v > 0.0 && (0.2..=0.8).contains(&v)));
    }

    #[test]
    fn rules_widen_the_axis_and_skip_what_cannot_be_placed() {
        let chart = LineChart::new("steps")
            .log_x(true)
            .log_y(true)
            .series("error", &[(1e-20, 1.0), (1.0, 1e-8)])
            .rules("book", &[1e-50, 0.0, f64::NAN], Style::default());
        let (xr, _) = chart.ranges().unwrap();
        assert!(xr.start < 1e-50 && xr.start > 1e-53, "{xr:?}");
        // Rules alone draw nothing: a chart needs a drawable point.
        let alone = LineChart::new("r").rules("book", &[1.0], Style::default());
        assert!(alone.ranges().is_none());
    }

    #[test]
    fn the_legend_goes_where_the_lines_are_not() {
        // A line along the top and one down the left side: the lower right is empty.
        let top: Vec<(f64, f64)> = (0..=10).map(|k| (f64::from(k), 10.0)).collect();
        let left: Vec<(f64, f64)> = (0..=10).map(|k| (0.0, f64::from(k))).collect();
        let chart = LineChart::new("l")
            .legend(Corner::Emptiest)
            .series("top", &top)
            .series("left", &left);
        let (xr, yr) = chart.ranges().unwrap();
        assert_eq!(
            legend_corner(&chart, &xr, &yr, DEFAULT_SIZE),
            Corner::LowerRight
        );
        // Two points far apart still make a line through the corner between them.
        let diagonal = LineChart::new("d")
            .legend(Corner::Emptiest)
            .series("up", &[(0.0, 0.0), (10.0, 10.0)]);
        let (xr, yr) = diagonal.ranges().unwrap();
        let corner = legend_corner(&diagonal, &xr, &yr, DEFAULT_SIZE);
        assert!(matches!(corner, Corner::UpperLeft), "{corner:?}");
        // A chosen corner is kept.
        let fixed = chart.clone().legend(Corner::UpperLeft);
        assert_eq!(
            legend_corner(&fixed, &xr, &yr, DEFAULT_SIZE),
            Corner::UpperLeft
        );
    }

    #[test]
    fn every_style_draws() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("styles.png");
        let line: Vec<(f64, f64)> = (1..=50)
            .map(|k| (f64::from(k), f64::from(k).sqrt()))
            .collect();
        let mut chart = LineChart::new("styles").log_x(true).size(400, 300);
        let hues = [Hue::Next, Hue::Palette(3), Hue::Black, Hue::Grey];
        let lines = [Line::Auto, Line::Solid(5), Line::Dashed(2), Line::None];
        let markers = [Marker::Auto, Marker::Dot(6), Marker::Ring(8), Marker::Auto];
        let shades = [Shade::Plain, Shade::Faded, Shade::Dark, Shade::Plain];
        for i in 0..4 {
            let style = Style {
                hue: hues[i],
                line: lines[i],
                marker: markers[i],
                shade: shades[i],
            };
            let shifted: Vec<(f64, f64)> = line.iter().map(|&(x, y)| (x, y + i as f64)).collect();
            chart = chart.styled(format!("style {i}"), &shifted, style);
        }
        chart
            .rules(
                "dashed rules",
                &[2.0, 20.0],
                Style {
                    line: Line::Dashed(1),
                    ..Style::default()
                },
            )
            .legend(Corner::Emptiest)
            .save_png(&path)
            .unwrap();
        assert_eq!(png_size(&std::fs::read(&path).unwrap()), (400, 300));
    }

    #[test]
    fn single_values_get_a_range_around_them() {
        assert_eq!(pad(2.0, 2.0, false), 1.8..2.2);
        assert_eq!(pad(0.0, 0.0, false), -1.0..1.0);
        let r = pad(100.0, 100.0, true);
        assert!((r.start - 10f64.powf(1.5)).abs() < 1e-9 && (r.end - 10f64.powf(2.5)).abs() < 1e-9);
        let r = pad(0.0, 10.0, false);
        assert_eq!(r, -0.5..10.5);
    }
}
