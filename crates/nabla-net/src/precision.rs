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
    /// [`reverse_gradient`](crate::reverse_gradient) in this precision, for code generic over
    /// `Precision` (the training loop); both floats are nabla-tape scalars, but making that a
    /// supertrait would put `RealField`'s methods beside `Float`'s in every generic kernel.
    #[doc(hidden)]
    fn reverse_gradient(
        net: &crate::TwoLayerNet<Self>,
        x: &nalgebra::DMatrix<Self>,
        labels: &[usize],
    ) -> Result<(Self, crate::Gradient<Self>), crate::Error>;
}

impl Precision for f32 {
    const NAME: &'static str = "f32";
    #[allow(clippy::cast_possible_truncation)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    fn reverse_gradient(
        net: &crate::TwoLayerNet<Self>,
        x: &nalgebra::DMatrix<Self>,
        labels: &[usize],
    ) -> Result<(Self, crate::Gradient<Self>), crate::Error> {
        crate::reverse_gradient(net, x, labels)
    }
}

impl Precision for f64 {
    const NAME: &'static str = "f64";
    fn from_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn reverse_gradient(
        net: &crate::TwoLayerNet<Self>,
        x: &nalgebra::DMatrix<Self>,
        labels: &[usize],
    ) -> Result<(Self, crate::Gradient<Self>), crate::Error> {
        crate::reverse_gradient(net, x, labels)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}
