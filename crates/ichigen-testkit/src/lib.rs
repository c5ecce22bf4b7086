//! Test support for ichigen.
