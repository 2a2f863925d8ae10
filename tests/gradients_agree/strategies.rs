//! Random inputs over many orders of magnitude.

use proptest::prelude::*;

/// A real number `±10^e` with `e` uniform in `[lo, hi]`, so that tiny, ordinary and large
/// magnitudes are equally likely, or (one time in ten) exactly zero.
pub fn wide(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        9 => (any::<bool>(), lo..=hi).prop_map(|(neg, e)| {
            let m = 10f64.powf(e);
            if neg { -m } else { m }
        }),
        1 => Just(0.0),
    ]
}

/// A vector of `len` [`wide`] numbers.
pub fn wide_vec(
    len: impl Into<proptest::collection::SizeRange>,
    lo: f64,
    hi: f64,
) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(wide(lo, hi), len)
}
