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

mod axis;
mod chart;
mod error;
mod figure;
mod render;
mod style;
mod ticks;

pub use chart::{Corner, LineChart};
pub use error::PlotError;
pub use figure::Figure;
pub use style::{Hue, Line, Marker, Shade, Style};

#[cfg(test)]
mod tests;
