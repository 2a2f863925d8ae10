//! nabla-tape's integration tests, one binary with one module per subject.

mod tape {
    mod drivers;
    mod edge_cases;
    mod elementary;
    #[cfg(feature = "dual")]
    mod hessians;
    mod misuse;
    mod nalgebra;
    mod recording;
    #[cfg(feature = "dual")]
    mod rules;
    mod threads;
    mod traits;
}
