//! Running a rule set: on one order ([`triage`]) or as a dry-run over a batch
//! ([`dry_run`]), with a trace of every decision.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::eval::{OrderView, UnknownSink};
use super::{Action, MatchMode, RuleSet, ShipDateSpec, TriageContext, Truth};
use crate::clock::Clock;
use crate::error::{Error, Issue};
use crate::ids::{OrderId, RuleId, ShippingMethodCode, Tag};
use crate::lifecycle::{
    Actor, Applied, HoldReason, LifecycleError, OrderEvent, Phase, Status, apply,
};
use crate::order::{LineOptions, Order, OrderLine, ShippingClass, SplitKey, TemperatureZone};

/// One action a matched rule applied, with the value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedAction {
    /// The rule.
    pub rule: RuleId,
    /// The action kind (`set_status`, `add_tags` …).
    pub action: String,
    /// The affected value before.
    pub before: Snapshot,
    /// The affected value after.
    pub after: Snapshot,
    /// Whether anything changed (adding a tag already present changes nothing).
    pub changed: bool,
}

/// Context facts a rule needed but the context did not give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownFact {
    /// The rule whose conditions could not be decided.
    pub rule: RuleId,
    /// The missing facts (`customer`, `transit_days` …).
    pub facts: Vec<String>,
}

/// What triage decided for one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageOutcome {
    /// The order.
    pub order_id: OrderId,
    /// The rules that matched, in order.
    pub matched: Vec<RuleId>,
    /// The actions applied, in order.
    pub applied: Vec<AppliedAction>,
    /// Rules that could not be decided for lack of context (they did not fire).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<UnknownFact>,
    /// The resulting status.
    pub status: Status,
    /// The open holds afterwards, in precedence order.
    pub holds: Vec<HoldReason>,
    /// The tags afterwards.
    pub tags: Vec<Tag>,
}

/// Runs `rules` over `order`, returning the triaged order and the trace.
///
/// Only a new order can be triaged (`LIFECYCLE_ALREADY_TRIAGED` otherwise). The
/// order passed in is never changed. If no rule sets a status the order stays new,
/// which a dry-run shows as a gap in the rule set. If an action is refused, the
/// whole triage fails and nothing is returned but the error.
pub fn triage(
    rules: &RuleSet,
    order: &Order,
    ctx: &TriageContext,
    clock: &dyn Clock,
) -> Result<(Order, TriageOutcome), Error> {
    let today = clock.today_in(order.shop_zone);
    triage_on(rules, order, ctx, clock, today)
}

fn triage_on(
    rules: &RuleSet,
    order: &Order,
    ctx: &TriageContext,
    clock: &dyn Clock,
    today: NaiveDate,
) -> Result<(Order, TriageOutcome), Error> {
    if order.state.phase != Phase::New {
        let probe = apply(
            &mut order.clone(),
            &OrderEvent::MarkTriaged,
            &Actor::System,
            clock,
        );
        if let Err(e) = probe {
            return Err(Error::Lifecycle(e));
        }
    }
    let mut o = order.clone();
    let mut matched = Vec::new();
    let mut applied = Vec::new();
    let mut unknown = Vec::new();
    // Rules are evaluated against one view of the order (its folded text and total
    // derived once); the view is rebuilt only after a matching rule's actions may
    // have changed the order, so that later rules see those changes.
    let (defs, compiled_rules) = (&rules.def.rules, &rules.compiled);
    let mut next = 0;
    while next < defs.len() {
        let hit = {
            let view = OrderView::new(&o, ctx, today);
            let mut hit = None;
            while next < defs.len() {
                let (rule, compiled) = (&defs[next], &compiled_rules[next]);
                next += 1;
                let mut missing: Vec<&'static str> = Vec::new();
                let truth = compiled.evaluate(&view, &mut missing as &mut dyn UnknownSink);
                if truth == Truth::Unknown {
                    unknown.push(UnknownFact {
                        rule: rule.id.clone(),
                        facts: missing.iter().map(|s| (*s).to_owned()).collect(),
                    });
                }
                if truth == Truth::True {
                    hit = Some(rule);
                    break;
                }
            }
            hit
        };
        let Some(rule) = hit else { break };
        matched.push(rule.id.clone());
        let actor = Actor::Rule {
            rule_set: rules.def.name.clone(),
            rule: rule.id.clone(),
        };
        for action in &rule.then {
            let step =
                apply_action(&mut o, action, &actor, clock, today).map_err(Error::Lifecycle)?;
            applied.push(AppliedAction {
                rule: rule.id.clone(),
                action: action.kind().to_owned(),
                before: step.before,
                after: step.after,
                changed: step.changed,
            });
        }
        if rules.def.mode == MatchMode::FirstMatch {
            break;
        }
    }
    let outcome = TriageOutcome {
        order_id: o.id.clone(),
        matched,
        applied,
        unknown,
        status: o.state.status(),
        holds: o.state.hold_reasons(),
        tags: o.state.tags.iter().cloned().collect(),
    };
    Ok((o, outcome))
}

struct Step {
    before: Snapshot,
    after: Snapshot,
    changed: bool,
}

/// A value an action touched, before or after it ran. It is kept compact (a dry-run
/// holds one pair per applied action) and serializes as the plain JSON of the value:
/// `{"status", "holds"}`, `{"method", "class"}`, `{"lines", "stated_total"}`, an array
/// of tags or split keys, a boolean, a string or null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Snapshot {
    /// The shown status and the open holds.
    Status {
        /// The status.
        status: Status,
        /// The open holds, in precedence order.
        holds: Vec<HoldReason>,
    },
    /// The shipping method and its class.
    Method {
        /// The method code.
        method: Option<ShippingMethodCode>,
        /// The class.
        class: ShippingClass,
    },
    /// The number of lines and the stated total.
    Lines {
        /// How many lines.
        lines: usize,
        /// The stated total, if any.
        stated_total: Option<String>,
    },
    /// The tags.
    Tags(Vec<Tag>),
    /// The requested split keys.
    SplitKeys(Vec<SplitKey>),
    /// A flag (hide prices).
    Flag(bool),
    /// A text value (sub-status, carrier, ship date, mail template) or none.
    Text(Option<String>),
}

fn status_value(o: &Order) -> Snapshot {
    Snapshot::Status {
        status: o.state.status(),
        holds: o.state.hold_reasons(),
    }
}

fn text<T: std::fmt::Display>(v: Option<&T>) -> Snapshot {
    Snapshot::Text(v.map(ToString::to_string))
}

fn tags_of(o: &Order) -> Snapshot {
    Snapshot::Tags(o.state.tags.iter().cloned().collect())
}

fn method(o: &Order) -> Snapshot {
    Snapshot::Method {
        method: o.shipping.method.clone(),
        class: o.shipping.class,
    }
}

fn lines_of(o: &Order) -> Snapshot {
    Snapshot::Lines {
        lines: o.lines.len(),
        stated_total: o.stated.total.map(|t| t.to_string()),
    }
}

fn apply_action(
    o: &mut Order,
    action: &Action,
    actor: &Actor,
    clock: &dyn Clock,
    today: NaiveDate,
) -> Result<Step, crate::lifecycle::LifecycleError> {
    let mut changed = false;
    let mut run = |o: &mut Order, e: OrderEvent| -> Result<(), crate::lifecycle::LifecycleError> {
        if apply(o, &e, actor, clock)? == Applied::Changed {
            changed = true;
        }
        Ok(())
    };
    let (before, after) = match action {
        Action::SetStatus(status) => {
            let before = status_value(o);
            if let Some(reason) = status.hold_reason() {
                run(
                    o,
                    OrderEvent::AddHold {
                        reason,
                        message: None,
                    },
                )?;
            }
            if o.state.phase == Phase::New {
                run(o, OrderEvent::MarkTriaged)?;
            }
            (before, status_value(o))
        }
        Action::AddHold(spec) => {
            let before = status_value(o);
            run(
                o,
                OrderEvent::AddHold {
                    reason: spec.reason,
                    message: spec.message.clone(),
                },
            )?;
            (before, status_value(o))
        }
        Action::RemoveHold(reason) => {
            let before = status_value(o);
            if o.state.is_held(*reason) {
                run(o, OrderEvent::ReleaseHold { reason: *reason })?;
            }
            (before, status_value(o))
        }
        Action::AddTags(tags) | Action::RemoveTags(tags) => {
            let before = tags_of(o);
            for tag in tags {
                let e = if matches!(action, Action::AddTags(_)) {
                    OrderEvent::AddTag { tag: tag.clone() }
                } else {
                    OrderEvent::RemoveTag { tag: tag.clone() }
                };
                run(o, e)?;
            }
            (before, tags_of(o))
        }
        Action::SetSubStatus(s) => {
            let before = text(o.state.sub_status.as_ref());
            run(
                o,
                OrderEvent::SetSubStatus {
                    sub_status: Some(s.clone()),
                },
            )?;
            (before, text(o.state.sub_status.as_ref()))
        }
        Action::SetShippingMethod(spec) => {
            let before = method(o);
            run(
                o,
                OrderEvent::SetShippingMethod {
                    method: spec.method.clone(),
                    class: spec.class,
                },
            )?;
            (before, method(o))
        }
        Action::SetCarrier(c) => {
            let before = text(o.shipping.carrier.as_ref());
            run(o, OrderEvent::SetCarrier { carrier: c.clone() })?;
            (before, text(o.shipping.carrier.as_ref()))
        }
        Action::HidePrices(hide) => {
            let before = Snapshot::Flag(o.instructions.hide_prices);
            run(o, OrderEvent::SetHidePrices { hide: *hide })?;
            (before, Snapshot::Flag(o.instructions.hide_prices))
        }
        Action::AddLine(spec) => {
            let before = lines_of(o);
            let line = OrderLine {
                listing_code: spec.listing_code.clone(),
                sku: spec.sku.clone(),
                name: spec.name.clone(),
                quantity: spec.quantity,
                unit_price: spec.unit_price,
                tax_rate: spec.tax_rate,
                temperature: TemperatureZone::Ambient,
                options: LineOptions::default(),
                release_date: None,
                made_to_order: false,
                needs_confirmation: false,
                product_group: None,
                recipient: 0,
            };
            run(
                o,
                OrderEvent::AddLine {
                    line: Box::new(line),
                },
            )?;
            (before, lines_of(o))
        }
        Action::SetShipDate(spec) => {
            let before = text(o.instructions.ship_date.as_ref());
            let date = match spec {
                ShipDateSpec::Date(d) => *d,
                ShipDateSpec::DaysFromToday { days_from_today } => {
                    // The loader bounds the days; only a `today` at the end of the
                    // calendar's range could still overflow, and that is refused.
                    let days = Days::new(u64::from(*days_from_today));
                    let event = OrderEvent::SetShipDate { date: today };
                    today.checked_add_days(days).ok_or_else(|| {
                        LifecycleError::new(
                            "LIFECYCLE_DATE_OUT_OF_RANGE",
                            &event,
                            o.state.status(),
                            "the ship date falls outside the supported calendar",
                        )
                    })?
                }
            };
            run(o, OrderEvent::SetShipDate { date })?;
            (before, text(o.instructions.ship_date.as_ref()))
        }
        Action::SetMailTemplate(t) => {
            let before = text(o.instructions.mail_template.as_ref());
            run(
                o,
                OrderEvent::SetMailTemplate {
                    template: t.clone(),
                },
            )?;
            (before, text(o.instructions.mail_template.as_ref()))
        }
        Action::RequestSplit(keys) => {
            let before = Snapshot::SplitKeys(o.instructions.split_by.clone());
            run(o, OrderEvent::RequestSplit { by: keys.clone() })?;
            (before, Snapshot::SplitKeys(o.instructions.split_by.clone()))
        }
    };
    Ok(Step {
        before,
        after,
        changed,
    })
}

/// The result for one order of a dry-run: its outcome, or the error that stopped it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DryRunItem {
    /// The order.
    pub order_id: OrderId,
    /// What triage would decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<TriageOutcome>,
    /// Why triage could not run on this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Issue>,
}

/// How often one rule matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule.
    pub rule: RuleId,
    /// Orders it matched.
    pub matched: u64,
}

/// Totals over a dry-run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DryRunTotals {
    /// Orders in the batch.
    pub orders: u64,
    /// Resulting status → number of orders (only statuses that occur).
    pub by_status: BTreeMap<Status, u64>,
    /// Every rule in set order, with how many orders it matched (zero included:
    /// a rule that never matches is worth a look).
    pub by_rule: Vec<RuleCount>,
    /// Orders no rule matched.
    pub unmatched: u64,
    /// Orders triage refused (listed with their error).
    pub errors: u64,
    /// Missing context fact → number of orders where it left a rule undecided.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub missing_facts: BTreeMap<String, u64>,
}

/// A dry-run's result: per order, and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DryRunReport {
    /// The rule set's name.
    pub rule_set: String,
    /// One item per order, in input order.
    pub items: Vec<DryRunItem>,
    /// Totals.
    pub totals: DryRunTotals,
}

/// Runs `rules` over a batch without changing anything (シミュレーション).
///
/// `contexts` is either empty (no context for any order) or one per order, in the
/// same order. An order that cannot be triaged (already triaged, an action refused)
/// is reported in its item and counted in `totals.errors`; the rest still run.
///
/// ```
/// use ichigen_core::clock::FixedClock;
/// use ichigen_core::rules::{dry_run, RuleSet, EXAMPLE_RULE_SET_JSON};
/// let rules = RuleSet::from_json(EXAMPLE_RULE_SET_JSON)?;
/// let orders = vec![ichigen_core::sample::order()];
/// let report = dry_run(&rules, &orders, &[], &FixedClock::parse("2026-11-23T03:00:00Z")?)?;
/// assert_eq!(report.totals.orders, 1);
/// assert_eq!(report.items[0].outcome.as_ref().unwrap().status.as_str(), "ready");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dry_run(
    rules: &RuleSet,
    orders: &[Order],
    contexts: &[TriageContext],
    clock: &dyn Clock,
) -> Result<DryRunReport, Error> {
    if !contexts.is_empty() && contexts.len() != orders.len() {
        return Err(Error::InvalidInput(Issue::new(
            "INPUT_CONTEXT_LENGTH",
            "$.contexts",
            format!(
                "{} contexts for {} orders: give none or one per order",
                contexts.len(),
                orders.len()
            ),
        )));
    }
    let default_ctx = TriageContext::default();
    let mut totals = DryRunTotals {
        orders: orders.len() as u64,
        by_rule: rules
            .def
            .rules
            .iter()
            .map(|r| RuleCount {
                rule: r.id.clone(),
                matched: 0,
            })
            .collect(),
        ..DryRunTotals::default()
    };
    let index: BTreeMap<&RuleId, usize> = rules
        .def
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (&r.id, i))
        .collect();
    // Today is computed once per zone, not once per order.
    let mut today_cache: Option<(chrono_tz::Tz, NaiveDate)> = None;
    let mut items = Vec::with_capacity(orders.len());
    for (i, order) in orders.iter().enumerate() {
        let ctx = contexts.get(i).unwrap_or(&default_ctx);
        let today = match today_cache {
            Some((zone, day)) if zone == order.shop_zone => day,
            _ => {
                let day = clock.today_in(order.shop_zone);
                today_cache = Some((order.shop_zone, day));
                day
            }
        };
        match triage_on(rules, order, ctx, clock, today) {
            Ok((_, outcome)) => {
                *totals.by_status.entry(outcome.status).or_default() += 1;
                if outcome.matched.is_empty() {
                    totals.unmatched += 1;
                }
                for id in &outcome.matched {
                    if let Some(&k) = index.get(id) {
                        totals.by_rule[k].matched += 1;
                    }
                }
                let mut facts: Vec<&str> = outcome
                    .unknown
                    .iter()
                    .flat_map(|u| u.facts.iter().map(String::as_str))
                    .collect();
                facts.sort_unstable();
                facts.dedup();
                for f in facts {
                    *totals.missing_facts.entry(f.to_owned()).or_default() += 1;
                }
                items.push(DryRunItem {
                    order_id: order.id.clone(),
                    outcome: Some(outcome),
                    error: None,
                });
            }
            Err(e) => {
                totals.errors += 1;
                let issue = match &e {
                    Error::Lifecycle(le) => {
                        Issue::new(le.code(), format!("$.orders[{i}]"), le.to_string())
                    }
                    other => Issue::new(other.code(), format!("$.orders[{i}]"), other.to_string()),
                };
                items.push(DryRunItem {
                    order_id: order.id.clone(),
                    outcome: None,
                    error: Some(issue),
                });
            }
        }
    }
    Ok(DryRunReport {
        rule_set: rules.def.name.clone(),
        items,
        totals,
    })
}
