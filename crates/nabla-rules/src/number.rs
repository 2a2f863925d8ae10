//! [`differentiable_number!`](crate::differentiable_number): everything a number type of an
//! automatic-differentiation mode has in common with the other mode's, generated once from
//! the rules.

/// Makes a [`Differentiable`](crate::Differentiable) type a complete number: the elementary
/// functions as inherent methods, the operators beyond the four basic ones, comparisons,
/// `num_traits` (`Zero`, `One`, `Num`, `NumCast`, `ToPrimitive`, `FromPrimitive`, `Float`,
/// `FloatConst`, `Signed`, `Bounded`) and nalgebra/simba (`SimdValue`, `Field`, `SubsetOf`,
/// `ComplexField`, `RealField`, and the `approx` traits they require).
///
/// Invoked once by nabla-dual for `DualNumber<T, E>` and once by nabla-tape for `Var<T>`:
///
/// ```text
/// nabla_rules::differentiable_number!(impl[T: Real, E: Tangent<T>] DualNumber<T, E>, value T, #[inline(always)]);
/// ```
///
/// `value` names the type of [`Differentiable::Value`](crate::Differentiable::Value); the
/// attribute is put on the operators and comparisons (forward mode inlines its arithmetic
/// always, see nabla-dual's `DEFAULT_CHUNK`). The type itself implements `Differentiable`,
/// `Neg`, `Add`, `Sub`, `Mul` (its own fast paths), `Debug` and `Display`.
///
/// Conventions that the generated code keeps for both modes: comparisons (`==`, `<`, the
/// `approx` traits, `max`, `min`) look at the value only; constants, predicates and
/// conversions (`is_nan`, `to_f64`, `integer_decode`) are those of the value; a primitive
/// float converts to a constant.
#[macro_export]
macro_rules! differentiable_number {
    (impl [$($g:tt)*] $ty:ty, value $v:ty, #[$ops:meta]) => {
        $crate::__elementary_methods!([$($g)*] $ty);
        $crate::__operators!([$($g)*] $ty, $v, #[$ops]);
        $crate::__primitive_on_the_left!([$($g)*] $ty, $v, #[$ops], f32);
        $crate::__primitive_on_the_left!([$($g)*] $ty, $v, #[$ops], f64);
        $crate::__num_traits!([$($g)*] $ty, $v);
        $crate::__nalgebra!([$($g)*] $ty, $v);
        $crate::__primitive_subset!([$($g)*] $ty, $v, f32);
        $crate::__primitive_subset!([$($g)*] $ty, $v, f64);
    };
}

// The pieces the macro above expands, one concept a file; `#[macro_export]` puts each at the
// crate root, where `$crate::__name!` reaches it.
mod elementary;
mod nalgebra_impls;
mod num_traits_impls;
mod operators;
