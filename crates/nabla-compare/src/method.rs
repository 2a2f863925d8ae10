//! The ways to differentiate, by name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One way to get the derivative. Its [`id`](Method::id) is the name in reports, JSON and
/// benchmark ids (`gradient/rosenbrock/central_fd/100`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// `forward_fd`: nabla-numdiff, forward differences, automatic step `sqrt(eps) max(1, |x|)`.
    ForwardFd,
    /// `central_fd`: nabla-numdiff, central differences, automatic step `cbrt(eps) max(1, |x|)`.
    CentralFd,
    /// `five_point_fd`: nabla-numdiff, five-point differences, step `eps^(1/5) max(1, |x|)`.
    FivePointFd,
    /// `richardson`: nabla-numdiff's Richardson extrapolation, default settings, with its
    /// error estimate.
    Richardson,
    /// `dual`: nabla-dual, one `Dual64` pass per input.
    Dual,
    /// `dual_vec8`: nabla-dual, one `DualVec64<8>` pass per 8 inputs.
    DualVec8,
    /// `dual_vec16`: nabla-dual, one `DualVec64<16>` pass per 16 inputs (its default chunk).
    DualVec16,
    /// `dual_vec32`: nabla-dual, one `DualVec64<32>` pass per 32 inputs.
    DualVec32,
    /// `reverse`: nabla-tape, one recording and one reverse sweep per output.
    Reverse,
    /// `analytic`: the function's own hand-written derivative, when it has one.
    Analytic,
    /// `finitediff_central`: the finitediff crate's central differences (a fixed step
    /// `cbrt(eps)`, not scaled with `|x|`). Feature `peers`.
    FinitediffCentral,
    /// `num_dual`: the num-dual crate's `DualSVec64<8>` in the passes of `dual_vec8` (and its
    /// `Dual64` for a function of one variable). Feature `peers`.
    NumDual,
}

impl Method {
    /// Every method, in the order of a report.
    pub const ALL: [Method; 12] = [
        Method::ForwardFd,
        Method::CentralFd,
        Method::FivePointFd,
        Method::Richardson,
        Method::Dual,
        Method::DualVec8,
        Method::DualVec16,
        Method::DualVec32,
        Method::Reverse,
        Method::Analytic,
        Method::FinitediffCentral,
        Method::NumDual,
    ];

    /// The methods a comparison runs unless told otherwise: the three difference schemes,
    /// Richardson, `Dual64` passes, `DualVec64<16>` chunks, reverse mode and the analytic
    /// derivative, and the peer crates when the `peers` feature is on.
    pub fn defaults() -> Vec<Method> {
        let mut methods = vec![
            Method::ForwardFd,
            Method::CentralFd,
            Method::FivePointFd,
            Method::Richardson,
            Method::Dual,
            Method::DualVec16,
            Method::Reverse,
            Method::Analytic,
        ];
        if cfg!(feature = "peers") {
            methods.extend([Method::FinitediffCentral, Method::NumDual]);
        }
        methods
    }

    /// The name in reports, JSON and benchmark ids.
    pub fn id(self) -> &'static str {
        match self {
            Method::ForwardFd => "forward_fd",
            Method::CentralFd => "central_fd",
            Method::FivePointFd => "five_point_fd",
            Method::Richardson => "richardson",
            Method::Dual => "dual",
            Method::DualVec8 => "dual_vec8",
            Method::DualVec16 => "dual_vec16",
            Method::DualVec32 => "dual_vec32",
            Method::Reverse => "reverse",
            Method::Analytic => "analytic",
            Method::FinitediffCentral => "finitediff_central",
            Method::NumDual => "num_dual",
        }
    }

    /// Whether the method is exact up to rounding (dual numbers, reverse mode, the analytic
    /// derivative): the exact methods must agree with each other, and their consensus is the
    /// reference every method's error is measured against.
    pub fn is_exact(self) -> bool {
        !self.is_finite_difference()
    }

    /// Whether the method estimates from values of `f` alone (a finite-difference scheme or
    /// Richardson extrapolation): it has a truncation and a rounding error.
    pub fn is_finite_difference(self) -> bool {
        matches!(
            self,
            Method::ForwardFd
                | Method::CentralFd
                | Method::FivePointFd
                | Method::Richardson
                | Method::FinitediffCentral
        )
    }

    /// Whether the method is another crate's (feature `peers`), not nabla's.
    pub fn is_peer(self) -> bool {
        matches!(self, Method::FinitediffCentral | Method::NumDual)
    }

    /// Partial derivatives carried per forward-mode pass (0 for the other methods).
    pub(crate) fn chunk(self) -> usize {
        match self {
            Method::Dual => 1,
            Method::DualVec8 | Method::NumDual => 8,
            Method::DualVec16 => 16,
            Method::DualVec32 => 32,
            _ => 0,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

/// A name that is no [`Method`]'s id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMethod(pub String);

impl fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Method::ALL.iter().map(|m| m.id()).collect();
        write!(
            f,
            "unknown method {:?}; the methods are {}",
            self.0,
            ids.join(", ")
        )
    }
}

impl std::error::Error for UnknownMethod {}

impl FromStr for Method {
    type Err = UnknownMethod;

    /// A method from its [`id`](Method::id).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.id() == s)
            .ok_or_else(|| UnknownMethod(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        for m in Method::ALL {
            assert_eq!(m.id().parse::<Method>(), Ok(m));
            assert_eq!(m.to_string(), m.id());
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.id()));
            assert_eq!(serde_json::from_str::<Method>(&json).unwrap(), m);
        }
        let err = "centra_fd".parse::<Method>().unwrap_err();
        assert!(err.to_string().contains("\"centra_fd\""), "{err}");
        assert!(err.to_string().contains("central_fd"), "{err}");
    }

    #[test]
    fn kinds() {
        let fd: Vec<&str> = Method::ALL
            .iter()
            .filter(|m| m.is_finite_difference())
            .map(|m| m.id())
            .collect();
        assert_eq!(
            fd,
            [
                "forward_fd",
                "central_fd",
                "five_point_fd",
                "richardson",
                "finitediff_central"
            ]
        );
        assert!(Method::NumDual.is_exact() && Method::NumDual.is_peer());
        assert!(!Method::Reverse.is_peer() && Method::Analytic.is_exact());
        assert_eq!(Method::DualVec16.chunk(), 16);
        assert_eq!(
            Method::defaults()[..3],
            [Method::ForwardFd, Method::CentralFd, Method::FivePointFd]
        );
        assert_eq!(format!("{:<12}|", Method::Dual), "dual        |");
    }
}
