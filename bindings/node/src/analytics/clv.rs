//! The CLV functions: `fitClv`, `fitClvAsync` (on the libuv pool) and
//! `predictClv`, over a summary given as rows, columns (JS arrays or typed
//! arrays), Arrow IPC bytes or JSON text, read into the JSON the core's face
//! takes.

use ichigen::Error;
use ichigen::analytics::json;
use ichigen::analytics::{Column, Table};
use napi::bindgen_prelude::{AsyncTask, FromNapiValue, JsValue, TypedArray, Unknown};
use napi::{Env, ScopedTask};
use napi_derive::napi;
use serde_json::{Map, Value};

use super::output::{self, Output, output_arg};
use super::source::Input;
use super::{arrow_in, clip, js_columns};
use crate::convert::{json_arg, keys_of, opt_json_arg, property, to_js, unreadable, value_arg};
use crate::errors::{CoreResultExt, input};

/// A CLV summary argument as the JSON the core's face reads: rows, an object of
/// columns (JS arrays or typed arrays), Arrow IPC bytes, or JSON text.
fn summary_arg(summary: Unknown<'_>) -> Result<Value, Error> {
    let path = "$.summary";
    match Input::of(Some(summary), "summary")? {
        Input::Arrow(bytes) => arrow_in::summary_json(bytes.bytes()),
        Input::Columns {
            object,
            typed: true,
        } => {
            let mut out = Map::new();
            for key in keys_of(&object, path)? {
                let at = format!("{path}.{}", clip(&key));
                let Some(value) = property(&object, &key, &at)? else {
                    out.insert(key, Value::Null);
                    continue;
                };
                let column = if value.is_typedarray().map_err(|_| unreadable(&at))? {
                    let t = TypedArray::from_unknown(value).map_err(|_| unreadable(&at))?;
                    let source = js_columns::Source::Typed(t);
                    let mut values = Vec::with_capacity(source.len());
                    source.each(|_, c| values.push(arrow_in::cell_json(c)))?;
                    Value::Array(values)
                } else {
                    value_arg(Some(value), &format!("summary.{key}"))?
                };
                out.insert(key, column);
            }
            Ok(Value::Object(out))
        }
        other => other.json("summary"),
    }
}

/// Fits BG/NBD to a CLV summary (`frequency`, `recency`, `T`, and optionally
/// `weights`), and Gamma-Gamma when it has `monetary_value`: `{bgnbd: {r, alpha,
/// a, b, diagnostics}, gamma_gamma: {p, q, v, diagnostics} | null}`. The summary:
/// rows, columns (JS arrays or Float64Arrays), Arrow IPC bytes or JSON text.
/// `options`: `{penalizer?, tolerance?, max_iterations?, decimals?}`.
#[napi(
    ts_args_type = "summary: ClvSummaryInput, options?: ClvFitOptions | string | null",
    ts_return_type = "ClvFit"
)]
pub fn fit_clv<'env>(
    env: &'env Env,
    summary: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Unknown<'env>> {
    let run = || json::clv_fit(summary_arg(summary)?, opt_json_arg(options, "options")?);
    let fit = run().or_throw(env)?;
    to_js(env, &fit)
}

/// `fitClv` on the libuv thread pool: the summary and options are converted on
/// the calling thread, the fit runs on the pool; a Promise of the same value,
/// rejected (never thrown) with the same errors.
#[napi(
    ts_args_type = "summary: ClvSummaryInput, options?: ClvFitOptions | string | null",
    ts_return_type = "Promise<ClvFit>"
)]
pub fn fit_clv_async(summary: Unknown<'_>, options: Option<Unknown<'_>>) -> AsyncTask<FitTask> {
    let args = summary_arg(summary).and_then(|s| Ok((s, opt_json_arg(options, "options")?)));
    AsyncTask::new(FitTask { args: Some(args) })
}

/// The work of `fitClvAsync`.
pub struct FitTask {
    /// A conversion error is kept and becomes the rejection.
    args: Option<Result<(Value, Value), Error>>,
}

impl std::fmt::Debug for FitTask {
    // The summary may hold customer ids: they stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitTask").finish_non_exhaustive()
    }
}

impl<'task> ScopedTask<'task> for FitTask {
    type Output = Result<Value, Error>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.args.take() {
            Some(Ok((summary, options))) => json::clv_fit(summary, options),
            Some(Err(e)) => Err(e),
            None => Err(input("INPUT_WRONG_TYPE", "$", "the task has already run")),
        })
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<Unknown<'task>> {
        let fit = output.map_err(|e| crate::errors::to_js(env, &e))?;
        to_js(env, &fit)
    }
}

/// Predictions per summary row from fitted models (`options`: `{bgnbd, gamma_gamma?,
/// periods?, months?, discount_rate?, period_days?, decimals?}`): `customer` (when
/// the summary has it), `expected_purchases`, `probability_alive`, and with
/// Gamma-Gamma `expected_average_value` and `clv`.
#[napi(
    ts_generic_types = "O extends OutputOptions = {}",
    ts_args_type = "summary: ClvSummaryInput, options: ClvPredictOptions | string, output?: O",
    ts_return_type = "TableOutput<O>"
)]
pub fn predict_clv<'env>(
    env: &'env Env,
    summary: Unknown<'_>,
    options: Unknown<'_>,
    output: Option<Unknown<'_>>,
) -> napi::Result<Unknown<'env>> {
    let run = || {
        let out = output_arg(output)?;
        let rows = json::clv_predict(summary_arg(summary)?, json_arg(options, "options")?)?;
        Ok((rows, out))
    };
    let (rows, out) = run().or_throw(env)?;
    if out == Output::Rows {
        return to_js(env, &rows);
    }
    let rows = rows
        .get("rows")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    output::table(env, &prediction_table(rows), None, out)
}

/// The face's prediction rows as columns: `customer` as text, the rest as real
/// numbers (already rounded by the face).
fn prediction_table(rows: &[Value]) -> Table {
    let mut table = Table::default();
    let Some(Value::Object(first)) = rows.first() else {
        return table;
    };
    for name in first.keys() {
        let cells = rows.iter().map(|r| r.get(name).unwrap_or(&Value::Null));
        let column = if name == "customer" {
            Column::Text(
                cells
                    .map(|v| match v {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect(),
            )
        } else {
            Column::Float(cells.map(Value::as_f64).collect())
        };
        table.push(name, column);
    }
    table
}
