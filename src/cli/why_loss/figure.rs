//! `why_loss.png`: the loss and the number of images right along each line.

use nabla::net::why_loss::LinePoint;

use super::Line;
use crate::plot::{self, Corner, Figure, Hue, LineChart, Shade, Style};

/// Two rows of two panels: for each line, the loss (smooth) beside the number of images
/// right (a staircase), with a faint vertical line on both wherever the number of images right
/// changes: the loss passes through those places without a kink.
pub(super) fn figure(lines: &[&Line], batch: usize, correct: usize) -> Figure {
    let mut figure = Figure::new().columns(2).panel_size(800, 520);
    let b = batch as f64;
    let curve_style = Style {
        line: plot::Line::Solid(2),
        ..Style::default()
    };
    let jump_style = Style {
        hue: Hue::Palette(1),
        shade: Shade::Faded,
        line: plot::Line::Solid(1),
        ..Style::default()
    };
    for line in lines {
        let right = |p: &LinePoint| p.accuracy * b;
        let loss = |p: &LinePoint| p.loss;
        let curve = |f: &dyn Fn(&LinePoint) -> f64| -> Vec<(f64, f64)> {
            line.points.iter().map(|p| (p.t, f(p))).collect()
        };
        // Each change of the count halfway between the two points it lies between.
        let jumps: Vec<f64> = line
            .jumps
            .iter()
            .map(|&i| (line.points[i - 1].t + line.points[i].t) / 2.0)
            .collect();
        let jumps_name = format!("the count changes ({})", line.jumps.len());
        figure = figure
            .chart(
                LineChart::new(format!("loss along {}", line.what))
                    .x_label(line.axis.as_str())
                    .y_label("batch cross-entropy loss")
                    .legend(Corner::Emptiest)
                    .rules(jumps_name.as_str(), &jumps, jump_style)
                    .styled("loss: smooth", &curve(&loss), curve_style),
            )
            .chart(
                LineChart::new(format!(
                    "accuracy along {}: {correct} of {batch} at t = 0",
                    line.what
                ))
                .x_label(line.axis.as_str())
                .y_label(format!("images right, of {batch}"))
                .integer_y(true)
                .legend(Corner::Emptiest)
                .rules(jumps_name.as_str(), &jumps, jump_style)
                .styled("accuracy: a staircase", &curve(&right), curve_style),
            );
    }
    figure
}
