//! What can go wrong while drawing or saving a chart.

use std::path::PathBuf;

use nabla::output::OutputError;

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
    /// A [`Figure`](super::Figure) without any chart in it.
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
