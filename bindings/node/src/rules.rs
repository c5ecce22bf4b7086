//! Triage rules: the `RuleSet` class, `triage`, `dryRun` and `dryRunAsync`.

use std::sync::Arc;

use ichigen::interop;
use napi::bindgen_prelude::{AsyncTask, ToNapiValue, Unknown};
use napi::{Env, ScopedTask};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{NowClock, clock_arg, json_arg, opt_json_arg, text_arg};
use crate::errors::{CoreResultExt, to_js};

/// A validated, compiled rule set. Build it with `RuleSet.fromJson`,
/// `RuleSet.fromToml` or `RuleSet.fromObject`; it is immutable and can be shared
/// across calls (and with `dryRunAsync`, which runs on the thread pool).
#[napi]
#[derive(Debug)]
pub struct RuleSet {
    inner: Arc<ichigen::rules::RuleSet>,
}

impl RuleSet {
    fn new(
        env: &Env,
        loaded: Result<ichigen::rules::RuleSet, ichigen::Error>,
    ) -> napi::Result<Self> {
        loaded.map(|r| RuleSet { inner: Arc::new(r) }).or_throw(env)
    }

    fn summary(&self) -> Value {
        interop::describe_rule_set(&self.inner)
    }
}

#[napi]
impl RuleSet {
    /// Loads a rule set from JSON text; throws `RULESET_INVALID` with every issue.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_json(env: Env, text: Unknown<'_>) -> napi::Result<RuleSet> {
        let loaded = text_arg(text, "text").and_then(|t| ichigen::rules::RuleSet::from_json(&t));
        RuleSet::new(&env, loaded)
    }

    /// Loads a rule set from TOML text; throws `RULESET_INVALID` with every issue.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_toml(env: Env, text: Unknown<'_>) -> napi::Result<RuleSet> {
        let loaded = text_arg(text, "text").and_then(|t| ichigen::rules::RuleSet::from_toml(&t));
        RuleSet::new(&env, loaded)
    }

    /// Loads a rule set from an object (the JSON shape); throws `RULESET_INVALID`.
    #[napi(factory, ts_args_type = "definition: RuleSetDefinition")]
    pub fn from_object(env: Env, definition: Unknown<'_>) -> napi::Result<RuleSet> {
        let loaded = json_arg(definition, "rule_set").and_then(interop::load_rule_set);
        RuleSet::new(&env, loaded)
    }

    /// The set's name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// `"first_match"` or `"all_matching"`.
    #[napi(getter, ts_return_type = "MatchMode")]
    pub fn mode(&self) -> Value {
        self.summary()["mode"].take()
    }

    /// The ids of the rules, in order.
    #[napi(getter, ts_return_type = "string[]")]
    pub fn rule_ids(&self) -> Value {
        self.summary()["rules"].take()
    }

    /// The full definition, as loaded (what `JSON.stringify` writes).
    #[napi(js_name = "toJSON", ts_return_type = "RuleSetDefinition")]
    pub fn to_json(&self) -> Value {
        interop::rule_set_definition(&self.inner)
    }
}

/// Triage of one order: `{order, outcome}`. `context` holds facts beyond the order
/// (customer, transit days…); `now` defaults to the system clock.
#[napi(
    ts_args_type = "ruleSet: RuleSet, order: OrderInput, context?: ContextInput | null, now?: Now",
    ts_return_type = "TriageResult"
)]
pub fn triage(
    env: Env,
    rule_set: &RuleSet,
    order: Unknown<'_>,
    context: Option<Unknown<'_>>,
    now: Option<Unknown<'_>>,
) -> napi::Result<Value> {
    let run = || {
        let order = json_arg(order, "order")?;
        let context = opt_json_arg(context, "context")?;
        let clock = clock_arg(now)?;
        interop::triage(&rule_set.inner, order, context, &clock)
    };
    run().or_throw(&env)
}

/// The arguments of a dry-run, converted on the JS thread.
#[derive(Debug)]
struct DryRunArgs {
    orders: Value,
    contexts: Value,
    clock: NowClock,
}

fn dry_run_args(
    orders: Unknown<'_>,
    contexts: Option<Unknown<'_>>,
    now: Option<Unknown<'_>>,
) -> Result<DryRunArgs, ichigen::Error> {
    Ok(DryRunArgs {
        orders: json_arg(orders, "orders")?,
        contexts: opt_json_arg(contexts, "contexts")?,
        clock: clock_arg(now)?,
    })
}

fn run_dry_run(rules: &ichigen::rules::RuleSet, args: DryRunArgs) -> Result<Value, ichigen::Error> {
    interop::dry_run(rules, args.orders, args.contexts, &args.clock)
}

/// Triage of a batch without keeping the results: what each order would become, and
/// totals by status and rule. `contexts`, when given, lines up with `orders`.
#[napi(
    ts_args_type = "ruleSet: RuleSet, orders: OrderInput[] | string, contexts?: Array<ContextInput | null> | string | null, now?: Now",
    ts_return_type = "DryRunReport"
)]
pub fn dry_run(
    env: Env,
    rule_set: &RuleSet,
    orders: Unknown<'_>,
    contexts: Option<Unknown<'_>>,
    now: Option<Unknown<'_>>,
) -> napi::Result<Value> {
    dry_run_args(orders, contexts, now)
        .and_then(|args| run_dry_run(&rule_set.inner, args))
        .or_throw(&env)
}

/// The work of `dryRunAsync`: the arguments are converted on the JS thread, the
/// dry-run runs on the libuv pool, and the report (or the error) is turned back
/// into JS on the JS thread.
#[derive(Debug)]
pub struct DryRunTask {
    rules: Arc<ichigen::rules::RuleSet>,
    /// A conversion error is kept and becomes the rejection: the call never throws.
    args: Option<Result<DryRunArgs, ichigen::Error>>,
}

impl<'task> ScopedTask<'task> for DryRunTask {
    type Output = Result<Value, ichigen::Error>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.args.take() {
            Some(Ok(args)) => run_dry_run(&self.rules, args),
            Some(Err(e)) => Err(e),
            None => Err(crate::errors::input(
                "INPUT_WRONG_TYPE",
                "$",
                "the task has already run",
            )),
        })
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<Unknown<'task>> {
        output.map_err(|e| to_js(env, &e))?.into_unknown(env)
    }
}

/// `dryRun` on the libuv thread pool: a Promise of the report, rejected with the
/// same errors `dryRun` throws.
#[napi(
    ts_args_type = "ruleSet: RuleSet, orders: OrderInput[] | string, contexts?: Array<ContextInput | null> | string | null, now?: Now",
    ts_return_type = "Promise<DryRunReport>"
)]
pub fn dry_run_async(
    rule_set: &RuleSet,
    orders: Unknown<'_>,
    contexts: Option<Unknown<'_>>,
    now: Option<Unknown<'_>>,
) -> AsyncTask<DryRunTask> {
    AsyncTask::new(DryRunTask {
        rules: Arc::clone(&rule_set.inner),
        args: Some(dry_run_args(orders, contexts, now)),
    })
}
