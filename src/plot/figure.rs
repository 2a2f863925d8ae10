//! Several charts in one image: the grid of panels, its size and the checks before drawing.

use std::ops::Range;
use std::path::Path;

use nabla::output::write_atomically_with;

use super::PlotError;
use super::chart::{DEFAULT_SIZE, LineChart};
use super::render::register_font;

/// The largest side of an image, in pixels.
const MAX_SIDE: u32 = 16384;

/// A chart of a figure with its axis ranges (x, then y), checked and ready to draw.
pub(super) type Panel<'a> = (&'a LineChart, (Range<f64>, Range<f64>));

/// Several [`LineChart`]s in one image, laid out in a grid, row by row.
///
/// Each chart becomes a panel of [`panel_size`](Figure::panel_size) pixels (default 800x600);
/// the image is `columns * width` wide and `rows * height` tall, with as many rows as the
/// charts need.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub(super) charts: Vec<LineChart>,
    pub(super) columns: usize,
    pub(super) panel_size: (u32, u32),
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
}
