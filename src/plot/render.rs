//! The plotters rendering: a figure's panels into a PNG, each chart's frame, rules, series,
//! markers and legend, with the embedded font and the palette.

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use plotters::element::IntoDynElement;
use plotters::prelude::*;

use super::axis::Axis;
use super::chart::{LineChart, Rules, legend_corner};
use super::figure::Panel;
use super::style::{Hue, Line, Marker, Shade, Style};
use super::ticks::{snap_to_zero, tick_label};
use super::{Corner, Figure, PlotError};

/// The font family name plotters looks up for its default text style.
const FONT_FAMILY: &str = "sans-serif";

/// Series with more points than this are drawn with thin lines.
const DENSE: usize = 200;

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

impl Figure {
    /// Draws `panels` into the PNG file `file` (which plotters encodes by its extension, so it
    /// ends in `.png`); errors name `path`, the output it becomes.
    pub(super) fn draw(
        &self,
        panels: &[Panel<'_>],
        file: &Path,
        path: &Path,
    ) -> Result<(), PlotError> {
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

impl Corner {
    /// Where plotters puts the legend.
    fn position(self) -> SeriesLabelPosition {
        match self {
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::UpperRight | Corner::Emptiest => SeriesLabelPosition::UpperRight,
            Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// Registers the embedded font once per process; later calls return the first outcome.
pub(super) fn register_font() -> Result<(), PlotError> {
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
