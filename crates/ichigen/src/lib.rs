//! # ichigen
//!
//! The crate Rust users add. It re-exports the pure core ([`ichigen_core`]) and adds
//! what the core deliberately lacks: a [`SystemClock`] that reads the wall clock.
//! Storage adapters and the pipeline that runs over them join here in later versions.
//!
//! ```
//! use ichigen::{rules::{triage, RuleSet, TriageContext, EXAMPLE_RULE_SET_JSON}, SystemClock};
//! let rules = RuleSet::from_json(EXAMPLE_RULE_SET_JSON)?;
//! let (_, outcome) = triage(&rules, &ichigen::sample::order(), &TriageContext::default(), &SystemClock)?;
//! println!("{}", outcome.status);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub use ichigen_core::*;

/// The wall clock. The core never reads it; applications pass it in.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl clock::Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// The README's Rust example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
