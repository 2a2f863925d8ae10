//! The chart of `nabla steps` for one precision: the measured errors, the error model, the
//! best steps and the book's steps, against the step on log-log axes.

use crate::plot::{Corner, Hue, Line, LineChart, Marker, Shade, Style};

use super::{METHODS, PRECISIONS, Study, model_error, theory};

/// The book's two steps: its `numerical_diff`'s `h = 1e-4`, and the `h = 1e-50` it warns
/// against.
const BOOK_STEPS: [f64; 2] = [1e-50, 1e-4];

/// The chart of precision `p`: the measured errors (solid), the error model over the grid
/// (dashed, a dark shade of the same colour, drawn over the measurement so that both show
/// where they agree), the best steps (large dots measured, rings predicted) and the book's
/// steps (grey vertical lines).
pub(super) fn chart(study: &Study, p: usize) -> LineChart {
    let eps = PRECISIONS[p].1;
    let measured =
        |m: usize| -> Vec<(f64, f64)> { study.rows.iter().map(|r| (r.h, r.error(p, m))).collect() };
    let best_measured: Vec<(f64, f64)> = (0..METHODS.len())
        .filter_map(|m| study.best(p, m))
        .collect();
    let best_theory = theory(study.d, study.x, eps);
    let (lo, hi) = (study.rows[0].h, study.rows[study.rows.len() - 1].h);
    let book: Vec<f64> = BOOK_STEPS
        .into_iter()
        .filter(|h| (lo..=hi).contains(h))
        .collect();
    LineChart::new(chart_title(study, p))
        .x_label("step h")
        .y_label(if study.exact() == 0.0 {
            "absolute error"
        } else {
            "relative error"
        })
        .log_x(true)
        .log_y(true)
        .legend(Corner::LowerLeft)
        .rules(
            "the book's steps: 1e-50 and 1e-4",
            &book,
            Style {
                hue: Hue::Grey,
                line: Line::Dashed(1),
                ..Style::default()
            },
        )
        .styled("forward", &measured(0), solid(0))
        .styled("central", &measured(1), solid(1))
        .styled("Richardson (from h)", &measured(2), solid(2))
        .styled(
            "theory: forward",
            &model_curve(study, eps, false),
            dashed(0),
        )
        .styled("theory: central", &model_curve(study, eps, true), dashed(1))
        .styled("best h, measured", &best_measured, points(Marker::Dot(7)))
        .styled("best h, theory", &best_theory, points(Marker::Ring(11)))
}

/// The title of precision `p`'s chart: the function, the point, and where the steps vanish.
fn chart_title(study: &Study, p: usize) -> String {
    let label = PRECISIONS[p].0;
    let lo = study.rows[0].h;
    // In f32 the smallest steps round to 0 (the book's np.float32(1e-50) is 0.0): no estimate.
    let smallest = if p == 1 {
        f64::from(f32::from_bits(1))
    } else {
        0.0
    };
    let vanishes = if lo < smallest {
        format!(" (h below {smallest:.1e} is 0 in {label})")
    } else {
        String::new()
    };
    format!(
        "d/dx {}(x) at x = {}, {label}{vanishes}",
        study.function, study.x
    )
}

/// The error model of the forward or the `central` difference over the grid, at machine
/// epsilon `eps`.
fn model_curve(study: &Study, eps: f64, central: bool) -> Vec<(f64, f64)> {
    study
        .rows
        .iter()
        .map(|r| {
            let e = model_error(study.d, study.d[0].abs(), eps, r.h, central);
            // Above 1 the model says nothing useful (the estimate is noise or 0); leaving
            // it out keeps the axis on the measured errors.
            (r.h, if e <= 1.0 { e } else { f64::NAN })
        })
        .collect()
}

/// A measured error: method `m`'s colour, solid.
fn solid(m: usize) -> Style {
    Style {
        hue: Hue::Palette(m),
        line: Line::Solid(3),
        ..Style::default()
    }
}

/// The error model: a dark shade of method `m`'s colour, dashed over its measurement.
fn dashed(m: usize) -> Style {
    Style {
        hue: Hue::Palette(m),
        line: Line::Dashed(2),
        shade: Shade::Dark,
        ..Style::default()
    }
}

/// Special points: black markers without a line.
fn points(marker: Marker) -> Style {
    Style {
        hue: Hue::Black,
        line: Line::None,
        marker,
        ..Style::default()
    }
}
