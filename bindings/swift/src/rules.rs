//! Triage rules: loading a rule set, triage of one order, dry-run over a batch.
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{MatchMode, RuleSet, dry_run, example_rule_set_json, sample_order_json, triage};
//!
//! let rules = RuleSet::from_json(example_rule_set_json())?;
//! assert_eq!(rules.mode(), MatchMode::AllMatching);
//! let summary = triage(rules.clone(), sample_order_json(), None, None)?;
//! assert_eq!(summary.status, "ready");
//!
//! let batch = format!("[{}]", sample_order_json());
//! let report: serde_json::Value = serde_json::from_str(&dry_run(rules, batch, None, None)?)?;
//! assert_eq!(report["totals"]["orders"], 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use ichigen::interop;
use serde::Deserialize;

use crate::{IchigenError, clock_at, json_arg, json_text, optional_json_arg, read_output};

/// A validated, compiled rule set, ready to run; immutable and shareable across
/// threads.
#[derive(Debug, uniffi::Object)]
pub struct RuleSet {
    inner: ichigen::rules::RuleSet,
}

/// Whether a rule set stops at the first matching rule or applies every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MatchMode {
    /// Stop at the first rule that matches.
    FirstMatch,
    /// Apply every rule that matches, in order.
    AllMatching,
}

impl From<ichigen::rules::MatchMode> for MatchMode {
    fn from(mode: ichigen::rules::MatchMode) -> MatchMode {
        // Exhaustive on purpose: a new core mode must be added here too.
        match mode {
            ichigen::rules::MatchMode::FirstMatch => MatchMode::FirstMatch,
            ichigen::rules::MatchMode::AllMatching => MatchMode::AllMatching,
        }
    }
}

#[uniffi::export]
impl RuleSet {
    /// Loads a rule set from JSON text; throws `InvalidRuleSet` with every problem.
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<RuleSet>, IchigenError> {
        Ok(Arc::new(RuleSet {
            inner: ichigen::rules::RuleSet::from_json(&text)?,
        }))
    }

    /// Loads a rule set from TOML text; throws `InvalidRuleSet` with every problem.
    #[uniffi::constructor]
    pub fn from_toml(text: String) -> Result<Arc<RuleSet>, IchigenError> {
        Ok(Arc::new(RuleSet {
            inner: ichigen::rules::RuleSet::from_toml(&text)?,
        }))
    }

    /// The set's name (it appears in order history entries).
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// The set's mode.
    pub fn mode(&self) -> MatchMode {
        self.inner.mode().into()
    }

    /// The ids of the rules, in order.
    pub fn rule_ids(&self) -> Vec<String> {
        let rules = &self.inner.definition().rules;
        rules.iter().map(|r| r.id.as_str().to_owned()).collect()
    }

    /// The full definition, as JSON text (loadable again with `fromJson`).
    pub fn to_json(&self) -> String {
        json_text(&interop::rule_set_definition(&self.inner))
    }
}

/// What triage decided for one order: the parts Swift code branches on as fields,
/// the full trace and the triaged order as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TriageSummary {
    /// The resulting status (`ready`, `needs_check`, `awaiting_payment` …).
    pub status: String,
    /// The open holds afterwards, in precedence order.
    pub holds: Vec<String>,
    /// The tags afterwards.
    pub tags: Vec<String>,
    /// The ids of the rules that matched, in order.
    pub matched_rules: Vec<String>,
    /// The full outcome (matched rules, applied actions with before and after,
    /// unknown facts) as JSON text.
    pub outcome_json: String,
    /// The triaged order as JSON text.
    pub order_json: String,
}

/// Runs a rule set over one new order (JSON text). The context (JSON text) gives
/// facts beyond the order, such as `{"customer": {"purchase_count": 1}}`; absent,
/// none. `now` is the
/// instant of the decision; absent, the system clock. The order passed in is not
/// changed: the triaged order is in the summary.
#[uniffi::export(default(context_json = None, now = None))]
pub fn triage(
    rule_set: Arc<RuleSet>,
    order_json: String,
    context_json: Option<String>,
    now: Option<SystemTime>,
) -> Result<TriageSummary, IchigenError> {
    #[derive(Deserialize)]
    struct Output {
        order: serde_json::Value,
        outcome: serde_json::Value,
    }
    #[derive(Deserialize)]
    struct Outcome {
        status: String,
        holds: Vec<String>,
        tags: Vec<String>,
        matched: Vec<String>,
    }
    let order = json_arg(&order_json, "order")?;
    let context = optional_json_arg(context_json, "context")?;
    let out = interop::triage(&rule_set.inner, order, context, &*clock_at(now))?;
    let out: Output = read_output(out, "triage result")?;
    let outcome: Outcome = read_output(out.outcome.clone(), "triage outcome")?;
    Ok(TriageSummary {
        status: outcome.status,
        holds: outcome.holds,
        tags: outcome.tags,
        matched_rules: outcome.matched,
        outcome_json: json_text(&out.outcome),
        order_json: json_text(&out.order),
    })
}

/// Runs a rule set over a batch of orders (a JSON array) without changing them
/// and returns the dry-run report as JSON text. The contexts are absent or a JSON
/// array with one context (or `null`) per order. `now` is the instant of the
/// decisions; absent, the system clock. An order that does not decode
/// fails the whole run, naming its index: nothing is skipped silently.
#[uniffi::export(default(contexts_json = None, now = None))]
pub fn dry_run(
    rule_set: Arc<RuleSet>,
    orders_json: String,
    contexts_json: Option<String>,
    now: Option<SystemTime>,
) -> Result<String, IchigenError> {
    let orders = json_arg(&orders_json, "orders")?;
    let contexts = optional_json_arg(contexts_json, "contexts")?;
    let report = interop::dry_run(&rule_set.inner, orders, contexts, &*clock_at(now))?;
    Ok(json_text(&report))
}

/// The example rule set shipped with ichigen, as JSON text.
#[uniffi::export]
pub fn example_rule_set_json() -> String {
    ichigen::rules::EXAMPLE_RULE_SET_JSON.to_owned()
}
