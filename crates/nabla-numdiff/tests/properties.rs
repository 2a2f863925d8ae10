//! Property tests: parameters come back bit-exactly, and the parallel gradient is the serial
//! one, for random points and every scheme.

use nabla_numdiff::{Options, Scheme, gradient};
use proptest::prelude::*;

fn f(x: &[f64]) -> f64 {
    x.iter()
        .enumerate()
        .map(|(i, v)| (v * (1.0 + i as f64 * 0.1)).sin() + 0.01 * v * v)
        .sum()
}

fn scheme() -> impl Strategy<Value = Scheme> {
    prop_oneof![
        Just(Scheme::Forward),
        Just(Scheme::Backward),
        Just(Scheme::Central),
        Just(Scheme::FivePoint)
    ]
}

proptest! {
    #[test]
    fn parameters_are_restored_bit_exactly(
        x in prop::collection::vec(-1e6f64..1e6, 1..20),
        scheme in scheme(),
        fixed in any::<bool>(),
    ) {
        let opts = if fixed { Options::fixed(scheme, 1e-4) } else { Options::auto(scheme) };
        let mut p = x.clone();
        gradient(&mut p[..], f, opts).unwrap();
        prop_assert_eq!(
            p.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn parallel_gradient_is_the_serial_one(
        x in prop::collection::vec(-50f64..50.0, 1..40),
        scheme in scheme(),
    ) {
        let serial = gradient(&mut x.clone()[..], f, Options::auto(scheme)).unwrap();
        let parallel = nabla_numdiff::par_gradient(&x, |x: &Vec<f64>| f(x), Options::auto(scheme)).unwrap();
        prop_assert_eq!(parallel, serial);
    }
}
