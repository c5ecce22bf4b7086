//! Integration tests of the facade: the bundled example data and rule sets.

mod examples;
