//! How one series is drawn: its colour, its shade, its line and its markers.

/// How one series is drawn; the default is the next palette colour and a plain line (see the
/// [module documentation](super)).
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
    /// Small dots when the chart asks for markers ([`LineChart::markers`](super::LineChart::markers)), else none (a
    /// point with no drawable neighbour is always marked, since a line needs two points).
    #[default]
    Auto,
    /// Filled dots of this radius (in pixels at the default size), outlined in black.
    Dot(u32),
    /// Rings of this radius, 2 pixels wide.
    Ring(u32),
}
