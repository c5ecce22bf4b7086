//! Customer identity across channels (名寄せ).
//!
//! - [`normalize`]: names, readings, phones (E.164), e-mails (with relay kinds),
//!   postal codes and addresses, each total and idempotent;
//! - [`IdentityConfig`]: the rules (each a set of two or more fields that must all
//!   match, or the member id alone), per-channel trust, relay domains, the
//!   giant-key guard, fuzzy settings;
//! - [`Resolver`]: batch and incremental resolution into customers with stable
//!   ids, evidence for every link, manual merge and unmerge that survive
//!   recomputation;
//! - [`candidates`](candidates::candidates): probable duplicates as scored
//!   suggestions;
//! - [`customer`]: facts per customer, tiers, triage facts, and the Amazon masking
//!   rule.
//!
//! Marketplace caveats are built in: Rakuten relay addresses
//! (`…@pc.fw.rakuten.ne.jp`) and Amazon's anonymized addresses match only within
//! their channel and store, Amazon's phone is ignored by default, and a member id
//! is matched within its channel.

pub mod candidates;
pub mod config;
pub mod customer;
pub(crate) mod json;
pub mod normalize;
mod record;
mod resolver;

pub use candidates::{Candidate, FuzzyRule, candidates};
pub use config::{
    ChannelTrust, Field, FuzzyConfig, IdentityConfig, IdentityConfigDef, Rule, Threshold,
};
pub use record::{IdentityRecord, RecordRef};
pub use resolver::{Blocked, Cluster, Decision, GiantKey, Link, Placement, Resolver};
