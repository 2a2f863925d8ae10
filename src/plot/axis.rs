//! An axis as plotters places values on it, labelled at the ticks of [`ticks`].

use std::ops::Range;

use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::ticks::ticks;

/// One axis as plotters places values on it: linear or logarithmic, labelled at the ticks of
/// [`ticks`] (plotters' own choice left the ends of long logarithmic axes unlabelled).
pub(super) struct Axis {
    scale: Scale,
    bold: Vec<f64>,
    light: Vec<f64>,
    /// The span of a linear axis (0 for a logarithmic one), for [`snap_to_zero`](super::ticks::snap_to_zero).
    pub(super) span: f64,
}

/// How values are placed along an [`Axis`].
enum Scale {
    Linear(RangedCoordf64),
    Log(LogCoord<f64>),
}

impl Axis {
    pub(super) fn new(range: Range<f64>, log: bool, integers: bool) -> Self {
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
