//! The machine floats that the fast (backpropagation) path computes in.

/// A machine float, `f32` or `f64`, in which the fast path (backpropagation, the
/// structure-aware numerical gradient, evaluation) runs.
///
/// The generic forward pass of [`TwoLayerNet`](crate::TwoLayerNet) works for any
/// `nalgebra::RealField`, dual numbers included; the fast path is specialised to machine floats
/// so that it can work on flat buffers, and this trait is all it needs from them. It is sealed:
/// only `f32` and `f64` implement it.
pub trait Precision:
    num_traits::Float
    + nalgebra::Scalar
    + Default
    + Send
    + Sync
    + std::iter::Sum
    + std::fmt::Display
    + sealed::Sealed
{
    /// The name used on the command line and in reports: `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` exactly (named so as not to clash with `ToPrimitive::to_f64`).
    fn as_f64(self) -> f64;
}

/// The two implementations differ only in the name, the conversion from `f64` and the fast
/// path's `exp`.
macro_rules! precision {
    ($float:ty, $name:literal, $exp:path) => {
        impl Precision for $float {
            const NAME: &'static str = $name;
            #[allow(clippy::cast_possible_truncation, clippy::unnecessary_cast)]
            fn from_f64(x: f64) -> Self {
                x as $float
            }
            fn as_f64(self) -> f64 {
                f64::from(self)
            }
        }

        impl sealed::Sealed for $float {
            fn reverse_gradient(
                net: &crate::TwoLayerNet<Self>,
                x: &nalgebra::DMatrix<Self>,
                labels: &[usize],
            ) -> Result<(Self, crate::Gradient<Self>), crate::Error> {
                crate::reverse_gradient(net, x, labels)
            }
            type Real = $float;
            #[inline(always)]
            fn to_real(self) -> Self {
                self
            }
            #[inline(always)]
            fn from_real(x: Self) -> Self {
                x
            }
            #[inline(always)]
            fn real_mut(x: &mut [Self]) -> &mut [Self] {
                x
            }
            #[inline(always)]
            fn real(x: &[Self]) -> &[Self] {
                x
            }
            #[inline(always)]
            fn from_real_mut(x: &mut [Self]) -> &mut [Self] {
                x
            }
            #[inline(always)]
            fn fast_exp(self) -> Self {
                $exp(self)
            }
        }
    };
}

precision!(f32, "f32", crate::fast_exp::exp);
precision!(f64, "f64", f64::exp);

/// What the fast path needs from its floats beyond [`Precision`]'s public methods: the
/// sealing trait, crate-private, so that a caller outside nabla-net can neither implement
/// [`Precision`] nor call these (generic code of this crate bounded by `Precision` reaches
/// them through the supertrait).
pub(crate) mod sealed {
    pub trait Sealed: nalgebra::Scalar + Sized {
        /// [`reverse_gradient`](crate::reverse_gradient) in this precision, for code generic over
        /// `Precision` (the engine's tests compare with it); both floats are nabla-tape scalars, but making that a
        /// supertrait would put `RealField`'s methods beside `Float`'s in every generic kernel.
        fn reverse_gradient(
            net: &crate::TwoLayerNet<Self>,
            x: &nalgebra::DMatrix<Self>,
            labels: &[usize],
        ) -> Result<(Self, crate::Gradient<Self>), crate::Error>;
        /// `Self` as a nalgebra `RealField` (it is `Self`; the conversions below are the
        /// identity), through which the fast path calls the formulas written once for every
        /// scalar: the activation (`activation.rs`) and nabla-loss's softmax. Not a supertrait,
        /// for the reason given on `reverse_gradient`.
        ///
        /// It is a nabla-tape scalar too, so that the training loop's reverse-mode step records
        /// on `Var<Self::Real>` straight from the fast path's buffers (`reverse_step.rs`).
        type Real: nalgebra::RealField + Copy + nabla_tape::Scalar;
        /// `self` as `Real`.
        fn to_real(self) -> Self::Real;
        /// `x` as `Self`.
        fn from_real(x: Self::Real) -> Self;
        /// `x` as a slice of `Real`.
        fn real_mut(x: &mut [Self]) -> &mut [Self::Real];
        /// `x` as a slice of `Real`.
        fn real(x: &[Self]) -> &[Self::Real];
        /// `x` as a slice of `Self`.
        fn from_real_mut(x: &mut [Self::Real]) -> &mut [Self];
        /// `e^self` as the fast path computes it: in `f32` without a call, so that a loop of it
        /// vectorises (`fast_exp.rs`, within 1 ulp); in `f64` the C library's `exp`.
        fn fast_exp(self) -> Self;
    }
}
