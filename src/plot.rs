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

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
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

/// Line colours, in the order series are added (the "tab10" cycle familiar from matplotlib,
/// then two more for charts of up to twelve series).
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
    /// A colour of its own (an index into the palette), else the next in the cycle.
    color: Option<usize>,
    /// Drawn dashed rather than solid.
    dashed: bool,
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
    /// Whether the legend is drawn (a figure whose panels share colours needs one).
    show_legend: bool,
    size: (u32, u32),
    series: Vec<Series>,
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
}

impl Corner {
    fn position(self) -> SeriesLabelPosition {
        match self {
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::UpperRight => SeriesLabelPosition::UpperRight,
            Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
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
            show_legend: true,
            size: DEFAULT_SIZE,
            series: Vec::new(),
        }
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

    /// Leaves the legend out: for the panels of a figure that share one legend (same names,
    /// same colours, see [`LineChart::style_last`]).
    // The `bench_plot` example compiles this file in without using it.
    #[allow(dead_code)]
    #[must_use]
    pub fn without_legend(mut self) -> Self {
        self.show_legend = false;
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

    /// Adds a series of `(x, y)` points, drawn as a line in the order given.
    #[must_use]
    pub fn series<X, Y>(mut self, name: impl Into<String>, points: &[(X, Y)]) -> Self
    where
        X: Into<f64> + Copy,
        Y: Into<f64> + Copy,
    {
        self.series.push(Series {
            name: name.into(),
            points: points.iter().map(|&(x, y)| (x.into(), y.into())).collect(),
            color: None,
            dashed: false,
        });
        self
    }

    /// Gives the last series added the palette's colour `color` (of twelve, the same in every
    /// chart, so that one name has one colour across panels) and draws it dashed if `dashed`.
    /// Without a series, does nothing.
    // The `bench_plot` example compiles this file in without using it.
    #[allow(dead_code)]
    #[must_use]
    pub fn style_last(mut self, color: usize, dashed: bool) -> Self {
        if let Some(last) = self.series.last_mut() {
            last.color = Some(color % COLORS.len());
            last.dashed = dashed;
        }
        self
    }

    /// Adds a series of values against their index 0, 1, 2, ... (a loss per iteration).
    #[must_use]
    pub fn series_indexed<Y>(self, name: impl Into<String>, values: &[Y]) -> Self
    where
        Y: Into<f64> + Copy,
    {
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .map(|(i, &y)| (i as f64, y.into()))
            .collect();
        self.series(name, &points)
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

    /// The axis ranges that hold every drawable point, or `None` if there is none.
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
        let (x0, x1, y0, y1) = bounds?;
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
            draw_chart(chart, area, xr.clone(), yr.clone()).map_err(draw_error)?;
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

/// Draws one chart into its panel, choosing linear or logarithmic coordinates per axis.
fn draw_chart(
    chart: &LineChart,
    area: &Area<'_>,
    xr: Range<f64>,
    yr: Range<f64>,
) -> Result<(), String> {
    // On a linear axis, a tick very close to zero relative to the axis is zero (plotters
    // steps to 0 by adding floats, and lands on -2.2e-16 for an axis from -1.1 to 1.1). A
    // logarithmic axis gets span 0: nothing is snapped.
    let span = |r: &Range<f64>, log: bool| {
        if !log {
            r.end - r.start
        } else if r.end >= 10.0 * r.start {
            THIN_LOG
        } else {
            0.0
        }
    };
    let spans = (span(&xr, chart.log_x), span(&yr, chart.log_y));
    match (chart.log_x, chart.log_y) {
        (false, false) => draw_in(chart, area, xr, yr, spans),
        (true, false) => draw_in(chart, area, xr.log_scale(), yr, spans),
        (false, true) => draw_in(chart, area, xr, yr.log_scale(), spans),
        (true, true) => draw_in(chart, area, xr.log_scale(), yr.log_scale(), spans),
    }
}

/// The drawing itself, written once for the four combinations of axis kinds.
fn draw_in<X, Y>(
    chart: &LineChart,
    area: &Area<'_>,
    xr: X,
    yr: Y,
    (x_span, y_span): (f64, f64),
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let (w, h) = area.dim_in_pixel();
    let scale = f64::from(w.min(h)) / 600.0;
    let font = |size: f64| (FONT_FAMILY, (size * scale).max(8.0));

    let mut ctx = ChartBuilder::on(area)
        .caption(&chart.title, font(26.0))
        .margin((12.0 * scale) as u32)
        .x_label_area_size((50.0 * scale) as u32)
        .y_label_area_size((80.0 * scale) as u32)
        .build_cartesian_2d(xr, yr)
        .map_err(|e| err(&e))?;
    ctx.configure_mesh()
        .x_label_formatter(&|v| axis_label(*v, x_span))
        .y_label_formatter(&|v| axis_label(*v, y_span))
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(font(15.0))
        .axis_desc_style(font(18.0))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(205, 205, 205))
        .draw()
        .map_err(|e| err(&e))?;

    let radius = (3.0 * scale).max(2.0) as i32;
    for (i, series) in chart.series.iter().enumerate() {
        let color = COLORS[series.color.unwrap_or(i) % COLORS.len()];
        // A dense curve (a loss per iteration) stays readable only when thin; a sparse one
        // reads better bold. plotters draws 2-pixel lines as two strands, so 1 or 3.
        let stroke = if series.points.len() > DENSE || scale < 0.5 {
            1
        } else {
            3
        };
        let style = color.stroke_width(stroke);
        let runs = chart.runs(series);
        let label = if runs.is_empty() {
            format!("{} (nothing to draw)", series.name)
        } else {
            series.name.clone()
        };
        // An empty line carries the legend entry, so it exists even for a series without
        // drawable points, and exactly once for a series broken into several runs.
        let dash = (8.0 * scale).max(4.0) as u32;
        let legend = ctx
            .draw_series(LineSeries::new(std::iter::empty::<(f64, f64)>(), style))
            .map_err(|e| err(&e))?
            .label(label);
        if series.dashed {
            legend.legend(move |(x, y)| {
                DashedPathElement::new([(x, y), (x + 24, y)], dash, dash / 2, style)
            });
        } else {
            legend.legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
        }
        for run in &runs {
            if series.dashed {
                ctx.draw_series(DashedLineSeries::new(
                    run.iter().copied(),
                    dash,
                    dash / 2,
                    style,
                ))
                .map_err(|e| err(&e))?;
            } else {
                ctx.draw_series(LineSeries::new(run.iter().copied(), style))
                    .map_err(|e| err(&e))?;
            }
            if chart.markers || run.len() == 1 {
                ctx.draw_series(run.iter().map(|&p| Circle::new(p, radius, color.filled())))
                    .map_err(|e| err(&e))?;
            }
        }
    }
    if chart.show_legend {
        ctx.configure_series_labels()
            .label_font(font(15.0))
            .background_style(WHITE.mix(0.75))
            .border_style(BLACK)
            .position(chart.legend.position())
            .draw()
            .map_err(|e| err(&e))?;
    }
    Ok(())
}

/// The "span" of a logarithmic axis of a decade or more: its ticks are labelled only at 1, 2
/// and 5 times a power of ten (plotters puts a tick at every multiple on an axis of one or
/// two decades, and their labels, 200 300 ... 900, run into each other).
const THIN_LOG: f64 = -1.0;

/// A tick's label: [`tick_label`] of the value snapped to zero ([`snap_to_zero`]), or none
/// on a logarithmic axis of [`THIN_LOG`] at a value not 1, 2 or 5 times a power of ten.
fn axis_label(value: f64, span: f64) -> String {
    if span == THIN_LOG {
        let mantissa = value / 10f64.powf(value.log10().floor());
        if ![1.0, 2.0, 5.0, 10.0]
            .iter()
            .any(|m| (mantissa - m).abs() < 1e-6)
        {
            return String::new();
        }
        return tick_label(value);
    }
    tick_label(snap_to_zero(value, span))
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
        let loss: Vec<f32> = (0..500)
            .map(|i| 2.3 * (-(i as f32) / 100.0).exp() + 0.1)
            .collect();
        let train: Vec<(f64, f64)> = (0..17)
            .map(|e| (e as f64, 0.9 + e as f64 * 0.003))
            .collect();
        let figure = Figure::new()
            .columns(2)
            .panel_size(400, 300)
            .chart(LineChart::new("loss").series_indexed("train loss", &loss))
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
    fn log_axes_of_a_decade_or_more_label_1_2_and_5_only() {
        let labels: Vec<String> = [20.0, 30.0, 50.0, 70.0, 100.0, 200.0, 900.0, 1000.0, 1e-5]
            .iter()
            .map(|&v| axis_label(v, THIN_LOG))
            .collect();
        assert_eq!(
            labels,
            ["20", "", "50", "", "100", "200", "", "1000", "1e-5"]
        );
        // A narrower logarithmic axis (span 0) and a linear one label every tick.
        assert_eq!(axis_label(30.0, 0.0), "30");
        assert_eq!(axis_label(-2.220446049250313e-16, 2.2), "0");
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
    fn single_values_get_a_range_around_them() {
        assert_eq!(pad(2.0, 2.0, false), 1.8..2.2);
        assert_eq!(pad(0.0, 0.0, false), -1.0..1.0);
        let r = pad(100.0, 100.0, true);
        assert!((r.start - 10f64.powf(1.5)).abs() < 1e-9 && (r.end - 10f64.powf(2.5)).abs() < 1e-9);
        let r = pad(0.0, 10.0, false);
        assert_eq!(r, -0.5..10.5);
    }
}
