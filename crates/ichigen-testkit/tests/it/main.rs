//! Integration tests of the testkit: every vector in `tests/vectors/` runs here.

mod vectors;
