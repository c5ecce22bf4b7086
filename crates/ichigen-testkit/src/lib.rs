//! Test support for ichigen: the language-neutral vector runner and the order
//! generator used by benchmarks, property tests and fuzzing.
#![deny(missing_docs)]

pub mod generate;
pub mod vectors;
