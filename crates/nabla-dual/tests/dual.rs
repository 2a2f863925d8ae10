//! Integration tests of nabla-dual: one binary, one module per concern.

mod dual {
    mod drivers;
    mod edge_cases;
    mod elementary;
    mod nalgebra;
    mod nested;
    mod operators;
    mod serde;
    mod traits;
}
