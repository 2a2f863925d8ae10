//! The pictures of a training run: `loss.png` (the noise of the mini-batch losses and its
//! trend) and `accuracy.png` (train and test accuracy per epoch, as the book draws them).

use nabla::net::{Precision, TrainConfig, TrainOutcome};

use crate::plot::{Corner, Hue, Line, LineChart, Marker, Shade, Style};

/// The mean loss of each [`WINDOW`] iterations (the last window may be shorter), with the
/// iteration at its middle: the trend under the mini-batch noise, in the report and in
/// `loss.png`.
pub(super) fn window_means(losses: &[f64]) -> impl Iterator<Item = ((f64, f64), f64)> + '_ {
    losses.chunks(WINDOW).enumerate().map(|(k, c)| {
        let first = (k * WINDOW) as f64;
        let middle = first + (c.len() - 1) as f64 / 2.0;
        ((first, middle), c.iter().sum::<f64>() / c.len() as f64)
    })
}

/// Iterations per mean in [`window_means`].
const WINDOW: usize = 100;

/// `loss.png`: the loss of every mini-batch as a pale band of noise, and over it the mean of
/// each 100 iterations, the trend that the noise hides (the slow decrease after the first
/// epochs).
pub(super) fn loss_chart(config: &TrainConfig, precision: &str, losses: &[f64]) -> LineChart {
    let trend: Vec<(f64, f64)> = window_means(losses)
        .map(|((_, middle), mean)| (middle, mean))
        .collect();
    let faded = Style {
        shade: Shade::Faded,
        ..Style::default()
    };
    let bold = Style {
        hue: Hue::Palette(0),
        line: Line::Solid(3),
        ..Style::default()
    };
    LineChart::new(format!(
        "mini-batch loss ({}, {precision}): the noise, and its trend",
        config.grad().name()
    ))
    .x_label("iteration")
    .y_label("cross-entropy loss")
    .styled("loss of each mini-batch", &indexed(losses), faded)
    .styled(format!("mean of each {WINDOW} iterations"), &trend, bold)
}

/// `values` against their index.
fn indexed(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as f64, v))
        .collect()
}

/// `accuracy.png`, as the book draws it: train and test accuracy against the epoch
/// (`per_epoch` iterations), one point per evaluation and the last one after the last
/// iteration (the accuracies of the title). Train is drawn wide and test narrow over it, so
/// that both show where they coincide (the book's run: 0.947 and 0.945).
pub(super) fn accuracy_chart<T: Precision>(
    config: &TrainConfig,
    per_epoch: usize,
    train_size: Option<usize>,
    outcome: &TrainOutcome<T>,
) -> LineChart {
    let epoch = |iteration: usize| iteration as f64 / per_epoch as f64;
    let last = config.iterations() - 1;
    let mut points: Vec<(f64, f64, f64)> = outcome
        .epochs
        .iter()
        .map(|r| (epoch(r.iteration), r.train_accuracy, r.test_accuracy))
        .collect();
    if outcome.epochs.last().is_none_or(|r| r.iteration != last) {
        points.push((
            epoch(last),
            outcome.final_train_accuracy,
            outcome.final_test_accuracy,
        ));
    }
    let curve = |f: fn(&(f64, f64, f64)) -> f64| -> Vec<(f64, f64)> {
        points.iter().map(|p| (p.0, f(p))).collect()
    };
    let train = Style {
        line: Line::Solid(9),
        marker: Marker::Dot(7),
        ..Style::default()
    };
    let test = Style {
        line: Line::Solid(3),
        marker: Marker::Dot(3),
        ..Style::default()
    };
    let gap = outcome.final_train_accuracy - outcome.final_test_accuracy;
    // The final accuracies and their gap in the title (it must fit 800 pixels).
    LineChart::new(format!(
        "accuracy: train {:.3}, test {:.3}, gap {gap:.3}{}",
        outcome.final_train_accuracy,
        outcome.final_test_accuracy,
        train_size.map_or_else(String::new, |n| format!(" ({n} images)")),
    ))
    .x_label(format!(
        "epoch ({per_epoch} iterations of {} images)",
        config.batch_size()
    ))
    .y_label("accuracy")
    .legend(Corner::LowerRight)
    .styled("train (wide)", &curve(|p| p.1), train)
    .styled("test", &curve(|p| p.2), test)
}
