//! Loss functions of chapter 4 (work in progress).
