//! The gradient of the loss with respect to the four parameter arrays.

use nalgebra::{DMatrix, DVector};

use crate::Sizes;

/// The gradient of a [`TwoLayerNet`](crate::TwoLayerNet)'s loss: one array per parameter
/// array, of the same shape. Backpropagation, finite differences and dual numbers all return
/// this type, so their answers compare element by element.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient<T: nalgebra::Scalar> {
    /// d loss / d w1, `input x hidden`.
    pub w1: DMatrix<T>,
    /// d loss / d b1, `hidden` entries.
    pub b1: DVector<T>,
    /// d loss / d w2, `hidden x output`.
    pub w2: DMatrix<T>,
    /// d loss / d b2, `output` entries.
    pub b2: DVector<T>,
}

/// Where two gradients differ most, as found by [`Gradient::worst_difference`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// The parameter array: `"w1"`, `"b1"`, `"w2"` or `"b2"`.
    pub parameter: &'static str,
    /// Row of the element (the index for a bias).
    pub row: usize,
    /// Column of the element (0 for a bias).
    pub col: usize,
    /// The element of the first gradient.
    pub a: f64,
    /// The element of the second gradient.
    pub b: f64,
    /// `|a - b|`.
    pub abs: f64,
    /// `|a - b| / max(|a|, |b|)` (0 when both are 0).
    pub rel: f64,
}

impl<T: nalgebra::Scalar + Copy + num_traits::Zero> Gradient<T> {
    /// An all-zero gradient for a network of the given sizes.
    pub fn zeros(sizes: Sizes) -> Self {
        Gradient {
            w1: DMatrix::zeros(sizes.input, sizes.hidden),
            b1: DVector::zeros(sizes.hidden),
            w2: DMatrix::zeros(sizes.hidden, sizes.output),
            b2: DVector::zeros(sizes.output),
        }
    }
}

impl<T: nalgebra::Scalar + Copy> Gradient<T> {
    /// Splits a flat gradient, laid out as the network's parameters (`w1`, `b1`, `w2`, `b2`,
    /// matrices column-major, the order of [`TwoLayerNet::parameters`](crate::TwoLayerNet::parameters)),
    /// into the four arrays.
    ///
    /// # Panics
    ///
    /// If `flat` does not have [`Sizes::parameter_count`] elements.
    pub fn from_flat(sizes: Sizes, flat: &[T]) -> Self {
        assert_eq!(
            flat.len(),
            sizes.parameter_count(),
            "flat gradient of the wrong length"
        );
        let (w1, rest) = flat.split_at(sizes.input * sizes.hidden);
        let (b1, rest) = rest.split_at(sizes.hidden);
        let (w2, b2) = rest.split_at(sizes.hidden * sizes.output);
        Gradient {
            w1: DMatrix::from_column_slice(sizes.input, sizes.hidden, w1),
            b1: DVector::from_column_slice(b1),
            w2: DMatrix::from_column_slice(sizes.hidden, sizes.output, w2),
            b2: DVector::from_column_slice(b2),
        }
    }

    /// The layer sizes this gradient belongs to.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            input: self.w1.nrows(),
            hidden: self.w1.ncols(),
            output: self.w2.ncols(),
        }
    }

    /// Every element, in the order of [`from_flat`](Self::from_flat): `w1`, `b1`, `w2`, `b2`,
    /// matrices column-major.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.w1
            .iter()
            .chain(self.b1.iter())
            .chain(self.w2.iter())
            .chain(self.b2.iter())
            .copied()
    }

    /// The same gradient with every element converted by `f`.
    pub fn map<U: nalgebra::Scalar + Copy>(&self, mut f: impl FnMut(T) -> U) -> Gradient<U> {
        Gradient {
            w1: self.w1.map(&mut f),
            b1: self.b1.map(&mut f),
            w2: self.w2.map(&mut f),
            b2: self.b2.map(&mut f),
        }
    }

    /// The element where `self` and `other` differ most in absolute value, with both values,
    /// its location, and the absolute and relative differences (a NaN on either side counts as
    /// an infinite difference, so it is never hidden). `None` only if the gradient is empty.
    ///
    /// # Panics
    ///
    /// If the two gradients belong to networks of different sizes.
    pub fn worst_difference(&self, other: &Self, to_f64: impl Fn(T) -> f64) -> Option<Difference> {
        assert_eq!(
            self.sizes(),
            other.sizes(),
            "gradients of different networks"
        );
        let arrays: [(&'static str, &[T], &[T], usize); 4] = [
            (
                "w1",
                self.w1.as_slice(),
                other.w1.as_slice(),
                self.w1.nrows(),
            ),
            (
                "b1",
                self.b1.as_slice(),
                other.b1.as_slice(),
                self.b1.nrows(),
            ),
            (
                "w2",
                self.w2.as_slice(),
                other.w2.as_slice(),
                self.w2.nrows(),
            ),
            (
                "b2",
                self.b2.as_slice(),
                other.b2.as_slice(),
                self.b2.nrows(),
            ),
        ];
        let mut worst: Option<Difference> = None;
        for (parameter, xs, ys, nrows) in arrays {
            for (i, (&x, &y)) in xs.iter().zip(ys).enumerate() {
                let (a, b) = (to_f64(x), to_f64(y));
                let abs = if a.is_nan() || b.is_nan() {
                    f64::INFINITY
                } else {
                    (a - b).abs()
                };
                let scale = a.abs().max(b.abs());
                let rel = if abs == 0.0 { 0.0 } else { abs / scale };
                if worst.is_none_or(|w| abs > w.abs) {
                    worst = Some(Difference {
                        parameter,
                        row: i % nrows,
                        col: i / nrows,
                        a,
                        b,
                        abs,
                        rel,
                    });
                }
            }
        }
        worst
    }

    /// The largest relative difference `|a - b| / max(|a|, |b|, floor)` over all elements: a
    /// size-independent measure of agreement where `floor` keeps elements that are both
    /// nearly zero from dominating.
    ///
    /// # Panics
    ///
    /// If the two gradients belong to networks of different sizes.
    pub fn max_relative_difference(
        &self,
        other: &Self,
        floor: f64,
        to_f64: impl Fn(T) -> f64,
    ) -> f64 {
        assert_eq!(
            self.sizes(),
            other.sizes(),
            "gradients of different networks"
        );
        let pairs = [
            (self.w1.as_slice(), other.w1.as_slice()),
            (self.b1.as_slice(), other.b1.as_slice()),
            (self.w2.as_slice(), other.w2.as_slice()),
            (self.b2.as_slice(), other.b2.as_slice()),
        ];
        let mut worst: f64 = 0.0;
        for (xs, ys) in pairs {
            for (&x, &y) in xs.iter().zip(ys) {
                let (a, b) = (to_f64(x), to_f64(y));
                let d = (a - b).abs() / a.abs().max(b.abs()).max(floor);
                worst = if d.is_nan() {
                    f64::INFINITY
                } else {
                    worst.max(d)
                };
            }
        }
        worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_difference_finds_the_element_and_its_place() {
        let sizes = Sizes::new(3, 2, 2).unwrap();
        let a = Gradient::<f64>::zeros(sizes);
        let mut b = a.clone();
        b.w1[(2, 1)] = 0.5;
        b.b2[1] = -0.25;
        let d = a.worst_difference(&b, |v| v).unwrap();
        assert_eq!((d.parameter, d.row, d.col), ("w1", 2, 1));
        assert_eq!((d.a, d.b, d.abs, d.rel), (0.0, 0.5, 0.5, 1.0));
        assert_eq!(a.max_relative_difference(&b, 1e-3, |v| v), 1.0);
        b.w2[(0, 0)] = f64::NAN;
        let d = a.worst_difference(&b, |v| v).unwrap();
        assert_eq!((d.parameter, d.abs), ("w2", f64::INFINITY));
        assert_eq!(a.max_relative_difference(&b, 1e-3, |v| v), f64::INFINITY);
    }

    #[test]
    fn the_first_of_equal_differences_is_reported_relative_to_the_larger_side() {
        let sizes = Sizes::new(2, 2, 2).unwrap();
        let (mut a, mut b) = (Gradient::<f64>::zeros(sizes), Gradient::zeros(sizes));
        (a.b1[1], b.b1[1]) = (1.0, 3.0);
        (a.w2[(1, 0)], b.w2[(1, 0)]) = (-1.0, 1.0);
        let d = a.worst_difference(&b, |v| v).unwrap();
        assert_eq!(
            (d.parameter, d.row, d.col, d.a, d.b, d.abs, d.rel),
            ("b1", 1, 0, 1.0, 3.0, 2.0, 2.0 / 3.0)
        );
        // |-1 - 1| / 1 for w2.
        assert_eq!(a.max_relative_difference(&b, 1e-3, |v| v), 2.0);
        (a.w2[(1, 0)], b.w2[(1, 0)]) = (0.0, 0.0);
        assert_eq!(a.max_relative_difference(&b, 1e-3, |v| v), 2.0 / 3.0);
        // Below the floor, the floor divides.
        assert_eq!(a.max_relative_difference(&b, 10.0, |v| v), 0.2);
        // The order of `iter` and `from_flat`: w1, b1, w2, b2, matrices column-major.
        let flat: Vec<f64> = b.iter().collect();
        assert_eq!(
            flat,
            [0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        );
        assert_eq!(Gradient::from_flat(sizes, &flat), b);
        let wide = Sizes::new(3, 2, 4).unwrap();
        let ramp: Vec<f64> = (0..wide.parameter_count()).map(|i| i as f64).collect();
        let g = Gradient::from_flat(wide, &ramp);
        assert_eq!(g.sizes(), wide);
        assert_eq!(
            (g.w1[(2, 1)], g.b1[1], g.w2[(1, 3)], g.b2[3]),
            (5.0, 7.0, 15.0, 19.0)
        );
        assert_eq!(g.iter().collect::<Vec<_>>(), ramp);
        assert_eq!(g.map(|v| v * 2.0).b2[3], 38.0);
    }
}
