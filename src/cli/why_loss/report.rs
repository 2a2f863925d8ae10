//! What `nabla why-loss` prints about each line, and `why_loss.json`.

use std::time::Instant;

use nabla::net::Sizes;
use serde_json::json;

use super::{Args, Batch, Line, Lines, Zeros};
use crate::cli::CliResult;

/// Prints how often the accuracy and the loss change between neighbouring points of `line`.
pub(super) fn report_line(line: &Line, batch: usize) -> CliResult {
    let (lo, hi) = line
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.accuracy), hi.max(p.accuracy))
        });
    outln!(
        "along {}: between {} neighbouring points the accuracy changes {} time{} (between \
         {} and {} of {}), the loss {} times",
        line.what,
        line.points.len() - 1,
        line.jumps.len(),
        if line.jumps.len() == 1 { "" } else { "s" },
        (lo * batch as f64).round(),
        (hi * batch as f64).round(),
        batch,
        line.points
            .windows(2)
            .filter(|w| w[0].loss != w[1].loss)
            .count()
    )?;
    Ok(())
}

/// `why_loss.json`; `seconds` counts from `start`.
pub(super) fn report(
    args: &Args,
    sizes: Sizes,
    batch: &Batch,
    zeros: &Zeros,
    lines: &Lines,
    start: Instant,
) -> serde_json::Value {
    let steepest = &lines.steepest;
    json!({
        "model": args.model,
        "network": sizes.to_string(),
        "seed": args.seed,
        "batch_size": args.batch,
        "batch_rows": batch.rows,
        "batch_correct": batch.correct,
        "batch_accuracy": batch.accuracy,
        "batch_loss": batch.loss,
        "parameters": sizes.parameter_count(),
        "unreached": zeros.unreached,
        "steps": zeros.steps.iter().map(|(c, seconds)| json!({
            "h": c.h,
            "accuracy_zero": c.accuracy_zero,
            "loss_zero": c.loss_zero,
            "seconds": seconds,
        })).collect::<Vec<_>>(),
        "random_direction": line_json(&lines.random, json!({ "norm": lines.norm, "span": args.span })),
        "single_weight": line_json(&lines.single, json!({
            "parameter": steepest.parameter,
            "row": steepest.row,
            "col": steepest.col,
            "loss_derivative": steepest.a,
            "span": args.weight_span,
        })),
        "seconds": start.elapsed().as_secs_f64(),
    })
}

fn line_json(line: &Line, extra: serde_json::Value) -> serde_json::Value {
    json!({
        "what": line.what,
        "direction": extra,
        "points": line.points,
        "jumps": line.jumps.iter().map(|&i| json!({
            "t_before": line.points[i - 1].t,
            "t_after": line.points[i].t,
            "accuracy_before": line.points[i - 1].accuracy,
            "accuracy_after": line.points[i].accuracy,
        })).collect::<Vec<_>>(),
    })
}
