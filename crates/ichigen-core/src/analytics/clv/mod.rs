//! Customer lifetime value: the BG/NBD model of how many purchases a customer
//! will make and whether they are still a customer (Fader, Hardie & Lee 2005),
//! the Gamma-Gamma model of what they spend per purchase (Fader & Hardie 2013),
//! and the value of both over months with a discount rate.
//!
//! Both models are fitted by maximum likelihood on per-customer summaries
//! (frequency, recency, T, monetary) that [`OrderHistory::clv_summary`] builds
//! from an order history exactly as the `lifetimes` Python package does:
//! purchases on one day are one purchase, frequency counts the repeat days,
//! recency and T are measured from the first purchase in periods of
//! `period_days`, and monetary is the mean of the repeat days' spend.
//!
//! ```
//! use ichigen_core::analytics::clv::{BgNbd, FitOptions};
//! // The customer of Fader, Hardie & Lee's worked example.
//! let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
//! let e = m.expected_purchases(39.0, 2.0, 30.43, 38.86).unwrap();
//! assert!((e - 1.226).abs() < 0.001);
//! # let _ = FitOptions::default();
//! ```

mod bgnbd;
mod gamma_gamma;
pub(crate) mod optimize;
mod predict;
pub mod special;
mod summary;

pub use bgnbd::BgNbd;
pub use gamma_gamma::GammaGamma;
pub use predict::{Predictions, Predictor};
pub use summary::{ClvSummary, SummaryConfig};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Issue};

#[allow(unused_imports)]
use super::OrderHistory;

/// How a model is fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FitOptions {
    /// L2 penalty on the parameters, added to the mean negative log-likelihood
    /// as `penalizer × Σ θ²` (as `lifetimes` does); 0 for plain maximum likelihood.
    pub penalizer: f64,
    /// Stop when no gradient component (per customer, on log-parameters) is
    /// larger than this.
    pub tolerance: f64,
    /// Give up after this many iterations.
    pub max_iterations: u32,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            penalizer: 0.0,
            tolerance: 1e-9,
            max_iterations: 500,
        }
    }
}

/// How a fit went: reported instead of NaNs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// Whether the gradient vanished (to the tolerance).
    pub converged: bool,
    /// Iterations taken.
    pub iterations: u32,
    /// Likelihood evaluations.
    pub evaluations: u32,
    /// The log-likelihood at the parameters, summed over customers (without
    /// the penalty).
    pub log_likelihood: f64,
    /// The largest gradient component at the end.
    pub gradient_norm: f64,
    /// Customers fitted (after weights).
    pub customers: f64,
    /// Distinct rows the likelihood was computed on.
    pub distinct_rows: usize,
    /// What happened, in words.
    pub message: String,
}

impl Diagnostics {
    fn of(
        min: &optimize::Minimum,
        log_likelihood: f64,
        customers: f64,
        distinct_rows: usize,
        message: String,
    ) -> Diagnostics {
        Diagnostics {
            converged: min.converged,
            iterations: min.iterations,
            evaluations: min.evaluations,
            log_likelihood,
            gradient_norm: min.gradient_norm,
            customers,
            distinct_rows,
            message,
        }
    }
}

/// A fitted model and how the fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit<M> {
    /// The parameters.
    pub model: M,
    /// The report.
    pub diagnostics: Diagnostics,
}

pub(crate) fn bad_value(column: &str, row: usize, message: &str) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(
        "CLV_BAD_VALUE",
        format!("$.summary.{column}[{row}]"),
        message,
    )])
}

pub(crate) fn check_options(o: &FitOptions) -> Result<(), Error> {
    let bad = |path: &str, m: &str| {
        Error::InvalidAnalytics(vec![Issue::new(
            "ANALYTICS_BAD_CONFIG",
            format!("$.options.{path}"),
            m,
        )])
    };
    if !(o.penalizer.is_finite() && o.penalizer >= 0.0) {
        return Err(bad("penalizer", "must be a finite number, zero or more"));
    }
    if !(o.tolerance.is_finite() && o.tolerance > 0.0) {
        return Err(bad("tolerance", "must be a positive number"));
    }
    Ok(())
}

/// Customer lifetime value over `months` months of 30 days: for each month,
/// the BG/NBD's expected purchases in it times the Gamma-Gamma's expected value
/// per purchase, discounted by `(1 + discount_rate)^month`. Times are in the
/// summary's periods of `period_days`, as the models were fitted. (`lifetimes`
/// computes the same with its `freq="D"` data when `period_days` is 1.)
///
/// `None` when a model cannot answer (the Gamma-Gamma's `q` at or below 1 has no
/// finite mean; a series that does not converge).
#[allow(clippy::too_many_arguments)]
pub fn lifetime_value(
    purchases: &BgNbd,
    spend: &GammaGamma,
    frequency: f64,
    recency: f64,
    t: f64,
    monetary: f64,
    months: u32,
    discount_rate: f64,
    period_days: f64,
) -> Option<f64> {
    let value = spend.expected_average_value(frequency, monetary)?;
    let step = 30.0 / period_days;
    let mut total = 0.0;
    let mut before = 0.0;
    for i in 1..=months {
        let upto = purchases.expected_purchases(step * f64::from(i), frequency, recency, t)?;
        total += value * (upto - before) / (1.0 + discount_rate).powi(i as i32);
        before = upto;
    }
    Some(total)
}
