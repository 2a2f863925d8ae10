//! [`par_gradient`]: the gradient with the parameters split across rayon's threads.

use num_traits::Float;
use rayon::prelude::*;

use crate::gradient::{base_value, partial};
use crate::stencil::Rule;
use crate::{Error, Options, Params};

/// The same gradient as [`gradient`](crate::gradient), bit for bit, computed in parallel:
/// for expensive functions of many parameters (a network's loss).
///
/// The parameters are split into chunks (four per thread); each chunk works on its own
/// clone of `params`, nudging and restoring its elements, so `f` must be `Fn + Sync` and
/// read only what it is given. `params` itself is never modified. Each element is computed by
/// the same formula from the same values as in the serial version, so the results are
/// identical.
///
/// ```
/// use nabla_numdiff::{gradient, par_gradient, Options};
///
/// let x: Vec<f64> = (0..100).map(|i| 0.01 * i as f64).collect();
/// let f = |x: &Vec<f64>| x.iter().map(|v| v.sin()).sum::<f64>();
/// let serial = gradient(&mut x.clone(), f, Options::default())?;
/// assert_eq!(par_gradient(&x, f, Options::default())?, serial);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// As [`gradient`](crate::gradient). When several elements fail, which one is reported
/// depends on scheduling.
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub fn par_gradient<T, P, F>(params: &P, f: F, opts: Options<T>) -> Result<Vec<T>, Error>
where
    T: Float + Send + Sync,
    P: Params<T> + Clone + Send + Sync,
    F: Fn(&P) -> T + Sync,
{
    opts.validate()?;
    let n = params.len();
    let mut out = vec![T::zero(); n];
    if n == 0 {
        return Ok(out);
    }
    let f0 = base_value(params, &mut |p: &P| f(p), opts)?;
    let rule = Rule::new(opts);
    let chunks = 4 * rayon::current_num_threads();
    let chunk = n.div_ceil(chunks).max(1);
    out.par_chunks_mut(chunk)
        .enumerate()
        .try_for_each(|(c, slot)| {
            let mut local = params.clone();
            let mut eval = |p: &P| f(p);
            for (k, o) in slot.iter_mut().enumerate() {
                *o = partial(&mut local, &mut eval, &rule, f0, c * chunk + k)?;
            }
            Ok(())
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn identical_to_serial_for_every_scheme() {
        let w = DMatrix::from_fn(7, 9, |i, j| ((i * 9 + j) as f64 * 0.3).cos() * 3.0);
        let f = |w: &DMatrix<f64>| w.iter().map(|v| (v * 0.5).exp() * v).sum::<f64>();
        for opts in crate::gradient::every_scheme_and_step() {
            let serial = crate::gradient(&mut w.clone(), f, opts).unwrap();
            let par = par_gradient(&w, f, opts).unwrap();
            assert_eq!(par, serial);
        }
    }

    /// Parameters that count how often they are cloned: once per chunk.
    struct Counted {
        x: Vec<f64>,
        clones: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }

    impl Clone for Counted {
        fn clone(&self) -> Self {
            self.clones
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Counted {
                x: self.x.clone(),
                clones: self.clones.clone(),
            }
        }
    }

    impl Params<f64> for Counted {
        fn len(&self) -> usize {
            self.x.len()
        }
        fn get(&self, i: usize) -> f64 {
            self.x[i]
        }
        fn set(&mut self, i: usize, value: f64) {
            self.x[i] = value;
        }
    }

    #[test]
    fn four_chunks_per_thread_each_on_its_own_clone() {
        let threads = rayon::current_num_threads();
        let n = 48 * threads;
        let p = Counted {
            x: (0..n).map(|i| i as f64 * 0.01).collect(),
            clones: Default::default(),
        };
        let g = par_gradient(
            &p,
            |p: &Counted| p.x.iter().map(|v| v * v).sum(),
            Options::default(),
        )
        .unwrap();
        assert_eq!(g.len(), n);
        assert_eq!(
            p.clones.load(std::sync::atomic::Ordering::Relaxed),
            4 * threads,
            "{threads} threads, {n} parameters"
        );
        approx::assert_relative_eq!(g[7], 0.14, max_relative = 1e-9);
    }

    #[test]
    fn f32_and_errors() {
        let x = vec![1.0f32, 2.0, 3.0];
        let g = par_gradient(&x, |x: &Vec<f32>| x.iter().sum(), Options::default()).unwrap();
        assert_eq!(g.len(), 3);
        let y = vec![1.0f64, 2.0, 1e-12];
        let err = par_gradient(
            &y,
            |x: &Vec<f64>| x.iter().map(|v| v.ln()).sum(),
            Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 2, .. }));
        let e: Vec<f64> = Vec::new();
        assert!(
            par_gradient(&e, |_: &Vec<f64>| 0.0, Options::default())
                .unwrap()
                .is_empty()
        );
    }
}
