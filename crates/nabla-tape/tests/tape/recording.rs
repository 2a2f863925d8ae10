//! What a recording holds, and that a warm thread reuses its storage.

use nabla_tape::{Recording, Var, gradient, release_tape, tape_reserved_bytes};

#[test]
fn constants_and_constant_shifts_are_not_recorded() {
    let rec = Recording::<f64>::new();
    let x = rec.var(2.0);
    assert_eq!(rec.len(), 1);
    let c = (Var::constant(3.0) * 2.0).exp() + 1.0; // constants only
    assert!(c.is_constant());
    assert_eq!(rec.len(), 1);
    let shifted = x + 1.0 - 2.0 + c; // the same entry under a new value
    assert_eq!(rec.len(), 1);
    assert_eq!(shifted.value(), 1.0 + c.value());
    let y = shifted * x; // one binary entry
    assert_eq!(rec.len(), 2);
    let z = y * 3.0 + x.sin(); // two unary entries and one binary
    assert_eq!(rec.len(), 5);
    let same = (z * 1.0) / Var::constant(1.0); // derivative 1: the same entry
    assert_eq!(rec.len(), 5);
    assert_eq!(rec.gradient(same, &[x]), rec.gradient(z, &[x]));
    // d/dx [(x + c - 1) x * 3 + sin x] = 3 (2x + c - 1) + cos x
    let g = rec.gradient(z, &[x]);
    assert_eq!(g[0], 3.0 * (4.0 + c.value() - 1.0) + 2.0f64.cos());
    // Sweeping again from another output reuses the same recording.
    assert_eq!(rec.gradient(y, &[x]), vec![2.0 * 2.0 + c.value() - 1.0]);
    assert_eq!(rec.gradient(Var::constant(1.0), &[x]), vec![0.0]);
}

#[test]
fn a_warm_thread_records_without_growing_its_tape() {
    // A fresh thread, so that other tests do not share this tape.
    std::thread::spawn(|| {
        assert!(release_tape::<f64>());
        assert_eq!(tape_reserved_bytes::<f64>(), 0);
        let f = |x: &[Var<f64>]| x.iter().map(|&v| v * v).sum::<Var<f64>>();
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let first = gradient(f, &x);
        let reserved = tape_reserved_bytes::<f64>();
        // 1000 inputs (one block, no entry each), 1000 squares, 999 additions (the first
        // adds to a constant zero) and the sink: 1999 24-byte entries, and an 8-byte
        // adjoint for each of the 3000 numbers.
        assert!(reserved >= 1999 * 24 + 3000 * 8, "{reserved}");
        for _ in 0..10 {
            assert_eq!(gradient(f, &x), first);
        }
        assert_eq!(tape_reserved_bytes::<f64>(), reserved);
        // Not released while a recording is active.
        let rec = Recording::<f64>::new();
        assert!(!release_tape::<f64>());
        drop(rec);
        assert!(release_tape::<f64>());
    })
    .join()
    .unwrap();
}

#[test]
fn adjoints_of_several_seeds_add_up() {
    let rec = Recording::<f64>::new();
    let x = rec.vars(&[1.0, 2.0]);
    let a = x[0] * x[1];
    let b = x[0].exp();
    let mut out = vec![9.0; 7];
    rec.adjoints_into(&[(a, 2.0), (b, -1.0), (a, 1.0)], &x, &mut out);
    assert_eq!(out, vec![3.0 * 2.0 - 1.0f64.exp(), 3.0 * 1.0]);
    assert!(!rec.is_empty());
    assert!(Recording::<f64>::new().is_empty());
    let shown = format!("{rec:?}");
    assert!(
        shown.starts_with("Recording") && shown.contains("id"),
        "{shown}"
    );
}

#[test]
fn the_tape_grows_by_doubling_so_its_memory_stays_within_twice_what_is_recorded() {
    // 4000 entries fill most of a 4096-entry tape, 5000 just over half of an 8192-entry one.
    for n in [4000, 5000] {
        std::thread::spawn(move || {
            assert!(release_tape::<f64>());
            let rec = Recording::<f64>::new();
            let x = rec.var(0.5);
            let mut y = x;
            for _ in 1..n {
                y *= x;
            }
            let recorded = rec.len();
            assert_eq!(recorded, n);
            let _ = rec.gradient(y, &[x]);
            drop(rec);
            // A 24-byte entry and an 8-byte adjoint for each entry and the sink, reserved at
            // most twice over (the tape starts at 1024 entries and doubles).
            let reserved = tape_reserved_bytes::<f64>();
            let needed = (recorded + 1) * (24 + 8);
            assert!(
                reserved >= needed,
                "{reserved} bytes reserved for {recorded} entries"
            );
            assert!(
                reserved <= 2 * needed,
                "{reserved} bytes reserved for {recorded} entries"
            );
        })
        .join()
        .unwrap();
    }
}

#[test]
fn a_var_is_a_value_and_a_tag() {
    assert_eq!(std::mem::size_of::<Var<f64>>(), 16);
    assert_eq!(std::mem::size_of::<Var<f32>>(), 16);
    fn copy_static_send_sync<T: Copy + Send + Sync + 'static>() {}
    copy_static_send_sync::<Var<f64>>();
}

#[test]
fn a_var_shows_its_value_and_whether_it_is_recorded() {
    let c = Var::from(1.25);
    assert!(c.is_constant() && c.value() == 1.25);
    assert_eq!(format!("{c:?}"), "Var { value: 1.25, constant: true }");
    assert_eq!(format!("{:.1}", Var::constant(2.25)), "2.2");
    assert_eq!(format!("{}", Var::constant(-0.5)), "-0.5");
    let rec = Recording::<f64>::new();
    let x = rec.var(3.0);
    let shown = format!("{x:?}");
    assert!(
        shown.starts_with("Var { value: 3.0, serial: ") && !shown.contains("constant"),
        "{shown}"
    );
    // Comparisons look at the value only, against a Var or a float.
    assert!(x == Var::constant(3.0) && x != Var::constant(3.5));
    assert!(x == 3.0 && x != 2.0);
}
