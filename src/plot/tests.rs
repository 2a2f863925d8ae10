//! The tests of the `plot` module.
#![cfg(test)]

use approx::assert_relative_eq;

use super::chart::{DEFAULT_SIZE, legend_corner, pad};
use super::ticks::{snap_to_zero, tick_label, ticks};
use super::*;
use nabla_data::test_http::names_in;

/// The PNG file signature (first 8 bytes of every PNG).
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// Width and height from the IHDR chunk, which the PNG format puts first.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], &PNG_SIGNATURE, "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

fn error_curve(scale: f64) -> Vec<(f64, f64)> {
    (0..=16)
        .map(|k| {
            let h = 10f64.powi(-k);
            (h, scale * (1e-16 / h + h * h))
        })
        .collect()
}

/// The shortest use: one log-log series, saved.
#[test]
fn line_chart_from_the_module_docs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.png");
    let central: Vec<(f64, f64)> = [1e-8, 1e-6, 1e-4, 1e-2]
        .iter()
        .map(|&h| (h, 1e-16 / h + h * h / 6.0))
        .collect();
    LineChart::new("d/dx exp(x) at x = 1")
        .x_label("step h")
        .y_label("absolute error")
        .log_x(true)
        .log_y(true)
        .series("central", &central)
        .save_png(&path)
        .unwrap();
    assert_eq!(png_size(&std::fs::read(&path).unwrap()), DEFAULT_SIZE);
}

#[test]
fn log_log_chart_with_holes_is_written_as_png_of_the_requested_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.png");
    let mut with_holes = error_curve(1.0);
    with_holes[3].1 = 0.0; // not drawable on a log axis
    with_holes[5].1 = f64::NAN;
    with_holes[7].1 = f64::INFINITY;
    let f32_points: Vec<(f32, f32)> = error_curve(3.0)
        .iter()
        .map(|&(x, y)| (x as f32, y as f32))
        .collect();
    LineChart::new("error vs step")
        .x_label("h")
        .y_label("|error|")
        .log_x(true)
        .log_y(true)
        .markers(true)
        .size(640, 480)
        .series("f64 with holes", &with_holes)
        .series("f32", &f32_points)
        .series("all NaN", &[(f64::NAN, f64::NAN)])
        .save_png(&path)
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(png_size(&bytes), (640, 480));
    assert_eq!(names_in(dir.path()), ["errors.png"]);
}

#[test]
fn figure_with_panels_has_grid_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("training.png");
    let loss: Vec<(f32, f32)> = (0..500)
        .map(|i| (i as f32, 2.3 * (-(i as f32) / 100.0).exp() + 0.1))
        .collect();
    let train: Vec<(f64, f64)> = (0..17)
        .map(|e| (e as f64, 0.9 + e as f64 * 0.003))
        .collect();
    let figure = Figure::new()
        .columns(2)
        .panel_size(400, 300)
        .chart(LineChart::new("loss").series("train loss", &loss))
        .chart(
            LineChart::new("accuracy")
                .series("train", &train)
                .markers(true),
        )
        .chart(
            LineChart::new("cost")
                .log_x(true)
                .log_y(true)
                .series("n", &[(10.0, 1.0)]),
        );
    assert_eq!(figure.pixel_size(), (800, 600));
    figure.save_png(&path).unwrap();
    assert_eq!(png_size(&std::fs::read(&path).unwrap()), (800, 600));
}

#[test]
fn undrawable_charts_are_errors_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.png");

    let no_series = LineChart::new("empty").save_png(&path).unwrap_err();
    assert!(matches!(no_series, PlotError::NothingToDraw { .. }));
    assert_eq!(
        no_series.to_string(),
        "chart \"empty\" has nothing to draw: no series has a point with finite coordinates"
    );

    let empty_series: &[(f64, f64)] = &[];
    let err = LineChart::new("e")
        .series("none", empty_series)
        .save_png(&path)
        .unwrap_err();
    assert!(matches!(err, PlotError::NothingToDraw { .. }));

    let err = LineChart::new("nan")
        .series("nan", &[(f64::NAN, 1.0), (2.0, f64::NAN)])
        .save_png(&path)
        .unwrap_err();
    assert!(matches!(err, PlotError::NothingToDraw { .. }));

    // Zeros and negatives are fine on linear axes but not on logarithmic ones.
    let zeros = [(0.0, 0.0), (1.0, -1.0)];
    let err = LineChart::new("log")
        .log_y(true)
        .series("z", &zeros)
        .save_png(&path);
    assert_eq!(
        err.unwrap_err().to_string(),
        "chart \"log\" has nothing to draw: no series has a point with finite coordinates \
         (and positive ones on the logarithmic axes)"
    );

    assert!(matches!(
        Figure::new().save_png(&path),
        Err(PlotError::EmptyFigure)
    ));
    let err = LineChart::new("tiny")
        .size(0, 10)
        .series("z", &zeros)
        .save_png(&path);
    assert!(matches!(
        err,
        Err(PlotError::InvalidSize {
            width: 0,
            height: 10
        })
    ));
    let err = LineChart::new("huge")
        .size(20_000, 10)
        .series("z", &zeros)
        .save_png(&path);
    assert_eq!(
        err.unwrap_err().to_string(),
        "image size 20000x10 is not drawable: each side must be between 1 and 16384 pixels"
    );

    assert!(
        names_in(dir.path()).is_empty(),
        "left behind: {:?}",
        names_in(dir.path())
    );
}

#[test]
fn failed_write_keeps_the_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.png");
    std::fs::write(&path, b"old").unwrap();
    let err = LineChart::new("nan")
        .series("nan", &[(f64::NAN, 0.0)])
        .save_png(&path);
    assert!(err.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"old");

    let missing = dir.path().join("no-such-dir").join("x.png");
    let err = LineChart::new("ok")
        .series("a", &[(0.0, 1.0), (1.0, 2.0)])
        .save_png(&missing);
    match err {
        Err(PlotError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected an Io error, got {other:?}"),
    }
}

#[test]
fn extreme_magnitudes_do_not_break_the_axes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    let huge = [(0.0, 1e308), (1.0, -1e308), (2.0, f64::MAX)];
    LineChart::new("huge")
        .series("h", &huge)
        .size(200, 150)
        .save_png(&path)
        .unwrap();
    assert_eq!(png_size(&std::fs::read(&path).unwrap()), (200, 150));
    // 620 decades on x: the axis keeps the top 300, and the call returns.
    let tiny = [(1e-320, 1e-300), (1e300, 1e-310)];
    LineChart::new("tiny")
        .log_x(true)
        .log_y(true)
        .series("t", &tiny)
        .size(200, 150)
        .save_png(&path)
        .unwrap();
    assert_eq!(png_size(&std::fs::read(&path).unwrap()), (200, 150));
}

#[test]
fn tick_labels_are_short() {
    let cases = [
        (100.0, "100"),
        (0.84, "0.84"),
        (0.1 + 0.2, "0.3"),
        (9.99999999e-5, "1e-4"),
        (2.5e-7, "2.5e-7"),
        (1e6, "1e6"),
        (-3.0, "-3"),
        (0.0, "0"),
    ];
    for (value, label) in cases {
        assert_eq!(tick_label(value), label, "{value}");
    }
    assert_eq!(snap_to_zero(-2.220446049250313e-16, 2.2), 0.0);
    assert_eq!(snap_to_zero(0.2, 2.2), 0.2);
    assert_eq!(snap_to_zero(1e-16, 0.0), 1e-16);
    for value in [1e-300, -1e-300] {
        assert_eq!(snap_to_zero(value, 1e-295), value);
    }
}

#[test]
fn log_axes_span_at_most_300_decades() {
    let r = pad(1e-320, 1e300, true);
    assert!(r.end.is_finite() && r.start > 0.0);
    assert_relative_eq!(r.end.log10() - r.start.log10(), 300.0, epsilon = 1e-9);
    let r = pad(1e300, f64::MAX, true);
    assert!(r.end < 1e308 && r.start > 1e290, "{r:?}");
}

#[test]
fn ticks_are_round_few_and_cover_the_whole_axis() {
    // The loss chart's x axis (10000 iterations, padded): every 1000, light lines halfway.
    let (bold, light) = ticks(&(-500.0..10500.0), false, false);
    assert_eq!(
        bold,
        (0..=10).map(|k| f64::from(k) * 1000.0).collect::<Vec<_>>()
    );
    assert_eq!(light.len(), 23);
    assert_eq!(light[..3], [-500.0, 0.0, 500.0]);
    // A count from 53 to 56 (padded): whole numbers only, never 53.5.
    let (bold, light) = ticks(&(52.85..56.15), false, true);
    assert_eq!(bold, [53.0, 54.0, 55.0, 56.0]);
    assert_eq!(light, bold);
    let (bold, _) = ticks(&(5.0..68.0), false, true);
    assert_eq!(bold, [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
    // Fifty decades (nabla steps from the book's h = 1e-50): every fifth power of ten,
    // down to 1e-50 itself, and a light line at every decade.
    let (bold, light) = ticks(&(10f64.powf(-52.5)..10f64.powf(2.5)), true, false);
    let labels: Vec<String> = bold.iter().map(|&v| tick_label(v)).collect();
    assert_eq!(labels.len(), 11, "{labels:?}");
    assert_eq!((labels[0].as_str(), labels[10].as_str()), ("1e-50", "1"));
    assert_eq!(labels[1], "1e-45");
    assert_eq!(light.len(), 55); // 1e-52 .. 1e2
    // Eight decades: every one, with 2..9 times each as light lines.
    let (bold, light) = ticks(&(10f64.powf(-7.4)..10f64.powf(0.4)), true, false);
    assert_eq!(bold.len(), 8);
    assert_relative_eq!(bold[0], 1e-7, max_relative = 1e-12);
    assert!(
        light
            .iter()
            .all(|v| (10f64.powf(-7.4)..10f64.powf(0.4)).contains(v))
    );
    // 4e-8 .. 9e-8 above 10^-7.4, 2e-7 .. 9e-1, and 2 below 10^0.4.
    assert_eq!(light.len(), 6 + 7 * 8 + 1, "{light:?}");
    // Less than a decade on a log axis: plain round numbers, all positive.
    let (bold, _) = ticks(&(0.2..0.8), true, false);
    assert!(!bold.is_empty() && bold.iter().all(|&v| v > 0.0 && (0.2..=0.8).contains(&v)));
}

#[test]
fn rules_widen_the_axis_and_skip_what_cannot_be_placed() {
    let chart = LineChart::new("steps")
        .log_x(true)
        .log_y(true)
        .series("error", &[(1e-20, 1.0), (1.0, 1e-8)])
        .rules("book", &[1e-50, 0.0, f64::NAN], Style::default());
    let (xr, _) = chart.ranges().unwrap();
    assert!(xr.start < 1e-50 && xr.start > 1e-53, "{xr:?}");
    // Rules alone draw nothing: a chart needs a drawable point.
    let alone = LineChart::new("r").rules("book", &[1.0], Style::default());
    assert!(alone.ranges().is_none());
}

#[test]
fn the_legend_goes_where_the_lines_are_not() {
    // A line along the top and one down the left side: the lower right is empty.
    let top: Vec<(f64, f64)> = (0..=10).map(|k| (f64::from(k), 10.0)).collect();
    let left: Vec<(f64, f64)> = (0..=10).map(|k| (0.0, f64::from(k))).collect();
    let chart = LineChart::new("l")
        .legend(Corner::Emptiest)
        .series("top", &top)
        .series("left", &left);
    let (xr, yr) = chart.ranges().unwrap();
    assert_eq!(
        legend_corner(&chart, &xr, &yr, DEFAULT_SIZE),
        Corner::LowerRight
    );
    // Two points far apart still make a line through the corner between them.
    let diagonal = LineChart::new("d")
        .legend(Corner::Emptiest)
        .series("up", &[(0.0, 0.0), (10.0, 10.0)]);
    let (xr, yr) = diagonal.ranges().unwrap();
    let corner = legend_corner(&diagonal, &xr, &yr, DEFAULT_SIZE);
    assert!(matches!(corner, Corner::UpperLeft), "{corner:?}");
    // A chosen corner is kept.
    let fixed = chart.clone().legend(Corner::UpperLeft);
    assert_eq!(
        legend_corner(&fixed, &xr, &yr, DEFAULT_SIZE),
        Corner::UpperLeft
    );
}

#[test]
fn every_style_draws() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("styles.png");
    let line: Vec<(f64, f64)> = (1..=50)
        .map(|k| (f64::from(k), f64::from(k).sqrt()))
        .collect();
    let mut chart = LineChart::new("styles").log_x(true).size(400, 300);
    let hues = [Hue::Next, Hue::Palette(3), Hue::Black, Hue::Grey];
    let lines = [Line::Auto, Line::Solid(5), Line::Dashed(2), Line::None];
    let markers = [Marker::Auto, Marker::Dot(6), Marker::Ring(8), Marker::Auto];
    let shades = [Shade::Plain, Shade::Faded, Shade::Dark, Shade::Plain];
    for i in 0..4 {
        let style = Style {
            hue: hues[i],
            line: lines[i],
            marker: markers[i],
            shade: shades[i],
        };
        let shifted: Vec<(f64, f64)> = line.iter().map(|&(x, y)| (x, y + i as f64)).collect();
        chart = chart.styled(format!("style {i}"), &shifted, style);
    }
    chart
        .rules(
            "dashed rules",
            &[2.0, 20.0],
            Style {
                line: Line::Dashed(1),
                ..Style::default()
            },
        )
        .legend(Corner::Emptiest)
        .save_png(&path)
        .unwrap();
    assert_eq!(png_size(&std::fs::read(&path).unwrap()), (400, 300));
}

#[test]
fn single_values_get_a_range_around_them() {
    assert_eq!(pad(2.0, 2.0, false), 1.8..2.2);
    assert_eq!(pad(0.0, 0.0, false), -1.0..1.0);
    let r = pad(100.0, 100.0, true);
    assert!((r.start - 10f64.powf(1.5)).abs() < 1e-9 && (r.end - 10f64.powf(2.5)).abs() < 1e-9);
    let r = pad(0.0, 10.0, false);
    assert_eq!(r, -0.5..10.5);
}
