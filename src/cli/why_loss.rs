//! `nabla why-loss`: why the network is trained on the loss and not on the accuracy (the
//! book's section 4.2.5), on a batch of real MNIST images.
//!
//! The batch accuracy counts images, so a small nudge of one weight almost never changes it:
//! its numerical derivative is zero for nearly every parameter, whatever the step, and
//! gradient descent on it would not move. The loss moves with every nudge. This command
//! prints how many of the parameters' derivatives are exactly zero for each (at the book's
//! `h = 1e-4`, and at `1e-2` and `1`), and draws both along a line through parameter space:
//! the loss smooth, the accuracy a staircase. The computation is nabla-net's
//! ([`zero_derivatives`], [`along_line`]); this file prints and draws.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::plot::{self, Corner, Figure, Hue, LineChart, Shade, Style};
use nabla::data::{BatchSampler, Sampling};
use nabla::net::nalgebra::DMatrix;
use nabla::net::why_loss::{
    LinePoint, ZeroDerivatives, accuracy_jumps, along_line, parameter_norm, random_direction,
    zero_derivatives,
};
use nabla::net::{
    Difference, Gradient, SavedNet, Sizes, TwoLayerNet, load_model, numerical_gradient_structured,
};
use serde_json::json;

use super::CliResult;
use super::data::DataArgs;
use super::train::{load_mnist, positive_count, positive_real};

/// The steps of the central difference: the book's, and two larger ones to show that the
/// zeros are not a matter of the step being too small.
const STEPS: [f64; 3] = [1e-4, 1e-2, 1.0];

/// Arguments of `nabla why-loss`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where MNIST comes from.
    #[command(flatten)]
    data: DataArgs,
    /// A model written by `nabla train` (its `model.json`); default: a fresh network,
    /// weights 0.01 * N(0, 1) seeded with --seed, as `nabla train` starts from.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Images in the batch, drawn from the training set with replacement (as the book's
    /// `np.random.choice`); at most the size of the training set.
    #[arg(long, default_value = "100", value_parser = positive_count, allow_negative_numbers = true)]
    batch: usize,
    /// Hidden units of the fresh network (ignored with --model).
    #[arg(long, default_value = "50", value_parser = positive_count, allow_negative_numbers = true)]
    hidden: usize,
    /// Seed of the fresh network, of the batch and of the random direction.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How far to move along the random direction, scaled to the parameters' own length:
    /// t runs over [-span, span] and `w + t d` with |d| = |w| (span 1 moves the parameters as
    /// far as they are from zero).
    #[arg(long, default_value = "1", value_parser = positive_real, allow_negative_numbers = true)]
    span: f64,
    /// How far to move the single weight (the one with the steepest loss): t in
    /// [-weight-span, weight-span], added to that weight.
    #[arg(long, default_value = "2", value_parser = positive_real, allow_negative_numbers = true)]
    weight_span: f64,
    /// Points on each line.
    #[arg(long, default_value = "801", value_parser = points, allow_negative_numbers = true)]
    points: usize,
    /// Directory for why_loss.png and why_loss.json.
    #[arg(long, default_value = ".", value_name = "DIR")]
    out: PathBuf,
}

/// A number of points on a line: at least 3 (a line and its middle), at most 100001.
fn points(s: &str) -> Result<usize, String> {
    let n = positive_count(s)?;
    if (3..=100_001).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be between 3 and 100001, got {n}"))
    }
}

/// One line through parameter space, sampled.
struct Line {
    /// What moves, for the chart's title and the report.
    what: String,
    /// The x axis label.
    axis: String,
    points: Vec<LinePoint>,
    jumps: Vec<usize>,
}

/// The batch the derivatives are taken on, and how the network does on it.
struct Batch {
    /// The training rows drawn.
    rows: Vec<usize>,
    x: DMatrix<f64>,
    labels: Vec<usize>,
    accuracy: f64,
    /// Images right.
    correct: usize,
    loss: f64,
}

/// The numerical derivatives that are exactly 0, at each of [`STEPS`].
struct Zeros {
    /// The counts at each step, with the seconds they took.
    steps: Vec<(ZeroDerivatives, f64)>,
    /// How many of the zeros no image of the batch reaches (pixels 0 in every image).
    unreached: usize,
}

/// The two lines through parameter space: a random direction through all parameters, and
/// the single weight the loss is steepest in.
struct Lines {
    random: Line,
    single: Line,
    /// The parameters' length, which the random direction has too.
    norm: f64,
    /// The steepest parameter, the one the single line moves.
    steepest: Difference,
}

/// Runs `nabla why-loss`: the network and the batch, the zero derivatives, the two lines,
/// then the picture and the numbers.
pub fn run(args: Args) -> CliResult {
    let start = Instant::now();
    let saved = args.model.as_deref().map(load_model).transpose()?;
    // Locked until the run ends; checks, before any work, that both outputs can be written
    // (a symlink or a FIFO in their place is refused); both are put in place together.
    let mut outputs = super::open_outputs(&args.out, &["why_loss.png", "why_loss.json"])?;
    let (train, _, _) = load_mnist(&args.data)?;
    if train.is_empty() {
        return Err("the MNIST training set has no images: there is no batch to draw".into());
    }
    // Drawn with replacement, a batch could be larger; it would only repeat images, and an
    // absurd size would fail to allocate.
    super::data::check_batch(args.batch, &train)?;
    let (net, source) = network(&args, saved.as_ref(), &train)?;
    let batch = draw_batch(&args, &net, &train)?;
    outln!(
        "why-loss: {} training images drawn with replacement (seed {}), {source}, f64",
        args.batch,
        args.seed
    )?;
    outln!(
        "batch accuracy: {} of {} ({:.2}), batch loss {:.6}",
        batch.correct,
        args.batch,
        batch.accuracy,
        batch.loss
    )?;
    let zeros = count_zeros(&net, &batch)?;
    let lines = sample_lines(&args, &net, &batch)?;
    for line in [&lines.random, &lines.single] {
        report_line(line, args.batch)?;
    }

    let picture = outputs.path("why_loss.png");
    let figure = figure(&[&lines.random, &lines.single], args.batch, batch.correct);
    outputs.stage("why_loss.png", |temp| figure.write_png(temp))?;
    let report = report(&args, net.sizes(), &batch, &zeros, &lines, start);
    let json_path = outputs.path("why_loss.json");
    outputs
        .stage_bytes(
            "why_loss.json",
            serde_json::to_string_pretty(&report)?.as_bytes(),
        )
        .map_err(|e| format!("cannot write the numbers: {e}"))?;
    outputs
        .commit()
        .map_err(|e| format!("cannot put the outputs in place: {e}"))?;
    outln!("wrote {} and {}", picture.display(), json_path.display())?;
    Ok(())
}

/// The network to study, with a description of where it comes from: the saved model
/// (checked against MNIST's images) or a fresh one of `--hidden` units.
fn network(
    args: &Args,
    saved: Option<&SavedNet>,
    train: &nabla::data::Mnist,
) -> Result<(TwoLayerNet<f64>, String), Box<dyn std::error::Error>> {
    Ok(match saved {
        None => {
            let sizes = super::network_sizes(train.image_len(), args.hidden)?;
            let net = TwoLayerNet::<f64>::new(sizes, 0.01, args.seed)?;
            (net, format!("a fresh network {sizes} (seed {})", args.seed))
        }
        Some(saved) => {
            let net = match saved {
                SavedNet::F32(net) => net.map(f64::from),
                SavedNet::F64(net) => net.clone(),
                _ => return Err("this model's precision is not supported by this build".into()),
            };
            (net, model_source(args.model.as_deref(), saved, train)?)
        }
    })
}

/// The batch: drawn with replacement, as the book's `np.random.choice(60000, 100)`, with the
/// network's accuracy and loss on it.
fn draw_batch(
    args: &Args,
    net: &TwoLayerNet<f64>,
    train: &nabla::data::Mnist,
) -> Result<Batch, Box<dyn std::error::Error>> {
    let mut sampler = BatchSampler::new(
        train.len(),
        args.batch,
        Sampling::WithReplacement,
        args.seed,
    )?;
    let rows = sampler.next_batch().to_vec();
    let (mut x32, mut t) = (DMatrix::zeros(0, 0), DMatrix::zeros(0, 0));
    train.fill_batch(&rows, &mut x32, &mut t);
    let x = x32.map(f64::from);
    let labels: Vec<usize> = rows
        .iter()
        .map(|&r| usize::from(train.labels()[r]))
        .collect();
    let accuracy = net.accuracy(&x, &labels)?;
    let correct = (accuracy * args.batch as f64).round() as usize;
    let loss = net.loss(&x, &labels)?;
    Ok(Batch {
        rows,
        x,
        labels,
        accuracy,
        correct,
        loss,
    })
}

/// Counts, at each of [`STEPS`], the parameters whose numerical derivatives are exactly 0,
/// and prints the table.
fn count_zeros(net: &TwoLayerNet<f64>, batch: &Batch) -> Result<Zeros, Box<dyn std::error::Error>> {
    let sizes = net.sizes();
    outln!(
        "numerical derivatives (central difference) of all {} parameters that are exactly 0:",
        sizes.parameter_count()
    )?;
    outln!(
        "  {:>8}  {:>18}  {:>18}  {:>8}",
        "h",
        "of the accuracy",
        "of the loss",
        "seconds"
    )?;
    let mut steps: Vec<(ZeroDerivatives, f64)> = Vec::new();
    for h in STEPS {
        let timer = Instant::now();
        let counts = zero_derivatives(net, &batch.x, &batch.labels, h)?;
        let seconds = timer.elapsed().as_secs_f64();
        let share = |n: usize| format!("{n} ({:.1}%)", 100.0 * n as f64 / counts.parameters as f64);
        outln!(
            "  {:>8}  {:>18}  {:>18}  {seconds:>8.3}",
            counts.h_label(),
            share(counts.accuracy_zero),
            share(counts.loss_zero),
        )?;
        steps.push((counts, seconds));
    }
    let unreached = steps.first().map_or(0, |(c, _)| c.unreached);
    let also_flat = steps
        .iter()
        .map(|(c, _)| c.loss_zero.saturating_sub(c.unreached))
        .max()
        .unwrap_or(0);
    outln!(
        "  {unreached} of the zeros are first-layer weights of the {} pixels that are 0 in every \
         image of the batch: no image depends on them, so both derivatives are 0 there. {}",
        unreached / sizes.hidden,
        if also_flat == 0 {
            "Every other parameter moves the loss, at every h.".to_owned()
        } else {
            format!("At most {also_flat} other parameters leave the loss unchanged at some h.")
        }
    )?;
    Ok(Zeros { steps, unreached })
}

/// Samples the two lines: a random direction through all parameters, and the single weight
/// the loss is steepest in.
fn sample_lines(
    args: &Args,
    net: &TwoLayerNet<f64>,
    batch: &Batch,
) -> Result<Lines, Box<dyn std::error::Error>> {
    let sizes = net.sizes();
    let (x, labels) = (&batch.x, batch.labels.as_slice());
    let norm = parameter_norm(net);
    let direction = random_direction::<f64>(sizes, args.seed)?.map(|d| d * norm);
    let random = sample_line(
        net,
        x,
        labels,
        &direction,
        args.span,
        args.points,
        "a random direction".to_owned(),
        format!("t: parameters w + t d, d random, |d| = |w| = {norm:.3}"),
    )?;
    let gradient = numerical_gradient_structured(net, x, labels, 1e-4)?;
    let steepest = gradient
        .worst_difference(&Gradient::zeros(sizes), |v| v)
        .ok_or("the network has no parameters")?;
    let weight = unit_direction(sizes, &steepest);
    let single = sample_line(
        net,
        x,
        labels,
        &weight,
        args.weight_span,
        args.points,
        format!("{} alone", name_of(&steepest)),
        format!(
            "t: added to {}, the steepest parameter (dL/dw = {:.4})",
            name_of(&steepest),
            steepest.a
        ),
    )?;
    Ok(Lines {
        random,
        single,
        norm,
        steepest,
    })
}

/// Prints how often the accuracy and the loss change between neighbouring points of `line`.
fn report_line(line: &Line, batch: usize) -> CliResult {
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
fn report(
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

/// Says where a loaded model comes from, after checking that it fits MNIST's images.
fn model_source(
    path: Option<&Path>,
    saved: &SavedNet,
    train: &nabla::data::Mnist,
) -> Result<String, String> {
    let path = path.map_or_else(String::new, |p| p.display().to_string());
    let sizes = saved.sizes();
    if sizes.input != train.image_len() || sizes.output < nabla::data::CLASSES {
        return Err(format!(
            "{path}: the model ({sizes}) does not fit MNIST: it takes {} inputs and has {} \
             outputs, where the images have {} pixels and {} classes",
            sizes.input,
            sizes.output,
            train.image_len(),
            nabla::data::CLASSES
        ));
    }
    Ok(format!("the model {path} ({sizes}, {})", saved.precision()))
}

/// `w1[3, 7]` or `b2[4]`.
fn name_of(d: &Difference) -> String {
    if d.parameter.starts_with('b') {
        format!("{}[{}]", d.parameter, d.row)
    } else {
        format!("{}[{}, {}]", d.parameter, d.row, d.col)
    }
}

/// The direction that moves only the parameter at `at`, by 1.
fn unit_direction(sizes: Sizes, at: &Difference) -> Gradient<f64> {
    let mut d = Gradient::zeros(sizes);
    match at.parameter {
        "w1" => d.w1[(at.row, at.col)] = 1.0,
        "b1" => d.b1[at.row] = 1.0,
        "w2" => d.w2[(at.row, at.col)] = 1.0,
        _ => d.b2[at.row] = 1.0,
    }
    d
}

/// Samples the batch loss and accuracy at `points` values of t in `[-span, span]`.
#[allow(clippy::too_many_arguments)]
fn sample_line(
    net: &TwoLayerNet<f64>,
    x: &DMatrix<f64>,
    labels: &[usize],
    direction: &Gradient<f64>,
    span: f64,
    points: usize,
    what: String,
    axis: String,
) -> Result<Line, Box<dyn std::error::Error>> {
    let last = (points - 1) as f64;
    let ts: Vec<f64> = (0..points)
        .map(|i| span * (2.0 * i as f64 / last - 1.0))
        .collect();
    let points = along_line(net, x, labels, direction, &ts)?;
    let jumps = accuracy_jumps(&points);
    Ok(Line {
        what,
        axis,
        points,
        jumps,
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

/// Two rows of two panels: for each line, the loss (smooth) beside the number of images
/// right (a staircase), with a faint vertical line on both wherever the number of images right
/// changes: the loss passes through those places without a kink.
fn figure(lines: &[&Line], batch: usize, correct: usize) -> Figure {
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
