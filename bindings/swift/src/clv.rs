//! Customer lifetime value: fitting the BG/NBD and Gamma-Gamma models to a CLV
//! summary (`fitClv`) and predicting per customer (`predictClv`).
//!
//! A summary is JSON text, the rows `OrderHistory.clvSummaryJson` returns (its
//! `rows`: `[{customer?, frequency, recency, T, monetary_value?, weights?}]`) or
//! the same as columns (`{frequency: [...], ...}`), so a summary made elsewhere
//! (the published CDNOW one, say) fits too. The fitted parameters and their
//! diagnostics, and the predictions, cross as Swift records; a real number the
//! models cannot give (a series that does not converge, the Gamma-Gamma's mean
//! when `q ≤ 1`, a likelihood that is not finite) is `nil`, never NaN.
//!
//! Problems are thrown as `IchigenError.InvalidAnalytics` (`ANALYTICS_INVALID`):
//! `CLV_BAD_VALUE` at `$.summary.T[1]` (a recency above T; a value that is not a
//! number at `$.summary[1].T` in rows), `CLV_NO_REPEAT` at `$.summary.frequency`,
//! `ANALYTICS_BAD_CONFIG` at `$.options…`.
//!
//! ```
//! use ichigen_ffi::{fit_clv, predict_clv};
//!
//! let summary = r#"[{"customer": "a", "frequency": 2, "recency": 30.43, "T": 38.86},
//!                   {"customer": "b", "frequency": 0, "recency": 0, "T": 38.86}]"#;
//! let fit = fit_clv(summary.to_owned(), None)?;
//! assert_eq!(fit.bgnbd.diagnostics.customers, 2.0);
//! assert!(fit.gamma_gamma.is_none()); // no monetary_value: no Gamma-Gamma
//!
//! // The published CDNOW parameters (Fader, Hardie & Lee 2005).
//! let options = r#"{"bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
//!                   "periods": 39, "decimals": 3}"#;
//! let predictions = predict_clv(summary.to_owned(), options.to_owned())?;
//! assert_eq!(predictions[0].expected_purchases, Some(1.226));
//! assert_eq!(predictions[1].probability_alive, Some(1.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use ichigen::analytics::json as face;
use serde::Deserialize;
use serde_json::Value;

use crate::analytics::{debug_without_customer, rows_of};
use crate::{IchigenError, json_arg, optional_json_arg, read_output};

/// How a model's fit went: reported instead of NaNs.
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
pub struct FitDiagnostics {
    /// Whether the gradient vanished (to the tolerance).
    pub converged: bool,
    /// Iterations taken.
    pub iterations: u32,
    /// Likelihood evaluations.
    pub evaluations: u32,
    /// The log-likelihood at the parameters, summed over customers (without the
    /// penalty); `nil` when not finite.
    pub log_likelihood: Option<f64>,
    /// The largest gradient component at the end; `nil` when not finite.
    pub gradient_norm: Option<f64>,
    /// Customers fitted (after weights).
    pub customers: f64,
    /// Distinct rows the likelihood was computed on.
    pub distinct_rows: u64,
    /// What happened, in words.
    pub message: String,
}

/// The BG/NBD model of purchase counts, fitted.
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
pub struct BgNbdFit {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Dropout beta's first shape.
    pub a: f64,
    /// Dropout beta's second shape.
    pub b: f64,
    /// How the fit went.
    pub diagnostics: FitDiagnostics,
}

/// The Gamma-Gamma model of spend per purchase, fitted.
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
pub struct GammaGammaFit {
    /// Shape of the spend gamma.
    pub p: f64,
    /// Shape of the scale's gamma.
    pub q: f64,
    /// Scale of the scale's gamma (γ in Fader & Hardie).
    pub v: f64,
    /// How the fit went.
    pub diagnostics: FitDiagnostics,
}

/// Both models fitted to one summary.
#[derive(Debug, Clone, PartialEq, Deserialize, uniffi::Record)]
pub struct ClvFit {
    /// The purchase model.
    pub bgnbd: BgNbdFit,
    /// The spend model; `nil` when the summary has no `monetary_value`.
    pub gamma_gamma: Option<GammaGammaFit>,
}

/// The models' answers for one summary row.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct ClvPrediction {
    /// The row's customer, when the summary names one (an id given as a number is
    /// its decimal text).
    pub customer: Option<String>,
    /// Expected purchases in the next `periods` periods.
    pub expected_purchases: Option<f64>,
    /// Probability that the customer is still active (alive).
    pub probability_alive: Option<f64>,
    /// Expected spend per purchase (Gamma-Gamma); `nil` without the model, or when
    /// its `q ≤ 1` leaves no finite mean.
    pub expected_average_value: Option<f64>,
    /// Lifetime value over `months`, discounted; `nil` without Gamma-Gamma or when
    /// a model cannot answer.
    pub clv: Option<f64>,
}

debug_without_customer!(ClvPrediction {
    expected_purchases,
    probability_alive,
    expected_average_value,
    clv,
});

impl ClvPrediction {
    /// Reads one row of the JSON face's predictions.
    fn from_row(row: Value) -> Result<ClvPrediction, IchigenError> {
        #[derive(Deserialize)]
        struct Row {
            #[serde(default)]
            customer: Value,
            expected_purchases: Option<f64>,
            probability_alive: Option<f64>,
            #[serde(default)]
            expected_average_value: Option<f64>,
            #[serde(default)]
            clv: Option<f64>,
        }
        let row: Row = read_output(row, "CLV prediction")?;
        // The customer is echoed from the summary as given: text, or another JSON
        // value (a number), kept as its JSON text.
        let customer = match row.customer {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        };
        Ok(ClvPrediction {
            customer,
            expected_purchases: row.expected_purchases,
            probability_alive: row.probability_alive,
            expected_average_value: row.expected_average_value,
            clv: row.clv,
        })
    }
}

/// Fits BG/NBD to a CLV summary (JSON text, rows or columns: `frequency`,
/// `recency`, `T`, and optional `weights`), and Gamma-Gamma too when it has
/// `monetary_value` (on the customers with repeat purchases). Options (JSON text;
/// `nil` for the defaults): `{penalizer?, tolerance?, max_iterations?,
/// decimals?}`. Identical rows are computed once.
#[uniffi::export(default(options_json = None))]
pub fn fit_clv(summary_json: String, options_json: Option<String>) -> Result<ClvFit, IchigenError> {
    let summary = json_arg(&summary_json, "summary")?;
    let options = optional_json_arg(options_json, "options")?;
    read_output(face::clv_fit(summary, options)?, "CLV fit")
}

/// Predictions per summary row (JSON text, rows or columns, as `fitClv` reads
/// them). Options (JSON text): `{bgnbd: {r, alpha, a, b}, gamma_gamma?: {p, q,
/// v}, periods? (1), months? (12), discount_rate? (0.01 a month), period_days?
/// (1), decimals?}`: expected purchases in `periods`, the probability of being
/// alive, and with Gamma-Gamma the expected spend per purchase and the CLV over
/// `months` of 30 days.
#[uniffi::export]
pub fn predict_clv(
    summary_json: String,
    options_json: String,
) -> Result<Vec<ClvPrediction>, IchigenError> {
    let summary = json_arg(&summary_json, "summary")?;
    let options = json_arg(&options_json, "options")?;
    let answer = face::clv_predict(summary, options)?;
    rows_of(answer, "rows", ClvPrediction::from_row)
}
