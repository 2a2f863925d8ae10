//! The operators of a differentiable number beyond negation, `+`, `-` and `*` (which each mode
//! writes natively): division, remainder, the assignment operators, a primitive float on
//! either side, `Sum` and `Product`, comparisons on the value and the conversions from a
//! primitive float.

#[doc(hidden)]
#[macro_export]
macro_rules! __operators {
    ([$($g:tt)*] $ty:ty, $v:ty, #[$ops:meta]) => {
        impl<$($g)*> ::core::ops::Div for $ty {
            type Output = Self;
            /// The quotient rule. The value is `a / b` exactly as for floats (not
            /// `a * (1 / b)`).
            #[$ops]
            fn div(self, o: Self) -> Self {
                $crate::rules::div(self, o)
            }
        }

        impl<$($g)*> ::core::ops::Rem for $ty {
            type Output = Self;
            /// `a % b = a - b trunc(a / b)`: partials `1` and `-trunc(a / b)`.
            #[$ops]
            fn rem(self, o: Self) -> Self {
                $crate::rules::rem(self, o)
            }
        }

        $crate::__assign!([$($g)*] $ty, $v, #[$ops], AddAssign add_assign +);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], SubAssign sub_assign -);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], MulAssign mul_assign *);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], DivAssign div_assign /);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], RemAssign rem_assign %);

        // A primitive float on the right.

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Add<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn add(self, o: F) -> Self {
                let value = $crate::Differentiable::value(&self) + <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::with_value(self, value)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Sub<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn sub(self, o: F) -> Self {
                let value = $crate::Differentiable::value(&self) - <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::with_value(self, value)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Mul<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn mul(self, o: F) -> Self {
                let c = <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::scale(self, $crate::Differentiable::value(&self) * c, c)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Div<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn div(self, o: F) -> Self {
                let c = <$v as $crate::Real>::from_primitive(o);
                let one = <$v as $crate::__private::num_traits::One>::one();
                $crate::Differentiable::scale(self, $crate::Differentiable::value(&self) / c, one / c)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Rem<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            /// `a % c` has derivative 1 (the subtracted multiple of `c` is locally constant).
            #[$ops]
            fn rem(self, o: F) -> Self {
                let value = $crate::Differentiable::value(&self) % <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::with_value(self, value)
            }
        }

        impl<$($g)*> ::core::iter::Sum for $ty {
            #[$ops]
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                let zero = <$v as $crate::__private::num_traits::Zero>::zero();
                iter.fold(<Self as $crate::Differentiable>::constant(zero), |a, b| a + b)
            }
        }

        impl<'a, $($g)*> ::core::iter::Sum<&'a Self> for $ty {
            #[$ops]
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                let zero = <$v as $crate::__private::num_traits::Zero>::zero();
                iter.fold(<Self as $crate::Differentiable>::constant(zero), |a, b| a + *b)
            }
        }

        impl<$($g)*> ::core::iter::Product for $ty {
            #[$ops]
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                let one = <$v as $crate::__private::num_traits::One>::one();
                iter.fold(<Self as $crate::Differentiable>::constant(one), |a, b| a * b)
            }
        }

        impl<'a, $($g)*> ::core::iter::Product<&'a Self> for $ty {
            #[$ops]
            fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                let one = <$v as $crate::__private::num_traits::One>::one();
                iter.fold(<Self as $crate::Differentiable>::constant(one), |a, b| a * *b)
            }
        }

        // Comparisons and conversions.

        impl<$($g)*> ::core::cmp::PartialEq for $ty {
            /// Compares the values only.
            #[$ops]
            fn eq(&self, other: &Self) -> bool {
                $crate::Differentiable::value(self) == $crate::Differentiable::value(other)
            }
        }

        impl<$($g)*> ::core::cmp::PartialOrd for $ty {
            /// Compares the values only.
            #[$ops]
            fn partial_cmp(&self, other: &Self) -> Option<::core::cmp::Ordering> {
                $crate::Differentiable::value(self)
                    .partial_cmp(&$crate::Differentiable::value(other))
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::cmp::PartialEq<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            /// Compares the value with a primitive float.
            #[$ops]
            fn eq(&self, other: &F) -> bool {
                $crate::Differentiable::value(self) == <$v as $crate::Real>::from_primitive(*other)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::cmp::PartialOrd<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            /// Compares the value with a primitive float.
            #[$ops]
            fn partial_cmp(&self, other: &F) -> Option<::core::cmp::Ordering> {
                $crate::Differentiable::value(self)
                    .partial_cmp(&<$v as $crate::Real>::from_primitive(*other))
            }
        }

        impl<$($g)*> ::core::convert::From<$v> for $ty {
            /// A constant.
            #[$ops]
            fn from(value: $v) -> Self {
                <Self as $crate::Differentiable>::constant(value)
            }
        }

        impl<$($g)*> ::core::default::Default for $ty {
            /// The constant zero.
            #[$ops]
            fn default() -> Self {
                <Self as $crate::Differentiable>::constant(<$v as $crate::__private::num_traits::Zero>::zero())
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __assign {
    ([$($g:tt)*] $ty:ty, $v:ty, #[$ops:meta], $Assign:ident $assign:ident $op:tt) => {
        impl<$($g)*> ::core::ops::$Assign for $ty {
            #[$ops]
            fn $assign(&mut self, o: Self) {
                *self = *self $op o;
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::$Assign<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            #[$ops]
            fn $assign(&mut self, o: F) {
                *self = *self $op o;
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __primitive_on_the_left {
    ([$($g:tt)*] $ty:ty, $v:ty, #[$ops:meta], $f:ty) => {
        impl<$($g)*> ::core::ops::Add<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn add(self, o: $ty) -> $ty {
                o + self
            }
        }

        impl<$($g)*> ::core::ops::Sub<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn sub(self, o: $ty) -> $ty {
                $crate::rules::sub_from(<$v as $crate::Real>::from_primitive(self), o)
            }
        }

        impl<$($g)*> ::core::ops::Mul<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn mul(self, o: $ty) -> $ty {
                o * self
            }
        }

        impl<$($g)*> ::core::ops::Div<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            /// `c / y`: value `c / b` exactly, derivative `-(c / b) / b`.
            #[$ops]
            fn div(self, o: $ty) -> $ty {
                $crate::rules::div_from(<$v as $crate::Real>::from_primitive(self), o)
            }
        }

        impl<$($g)*> ::core::ops::Rem<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn rem(self, o: $ty) -> $ty {
                let c = <$v as $crate::Real>::from_primitive(self);
                <$ty as $crate::Differentiable>::constant(c) % o
            }
        }
    };
}
