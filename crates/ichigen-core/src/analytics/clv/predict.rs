//! Predictions for many customers at once: expected purchases, probability
//! alive and, with a spend model, expected value per purchase and lifetime
//! value; on two threads for large summaries.

use serde::{Deserialize, Serialize};

use super::{BgNbd, GammaGamma, lifetime_value};
use crate::error::{Error, Issue};

/// What to predict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predictor {
    /// The purchase model.
    pub bgnbd: BgNbd,
    /// The spend model, for value and CLV.
    #[serde(default)]
    pub gamma_gamma: Option<GammaGamma>,
    /// Periods ahead for expected purchases (default 1).
    #[serde(default = "one")]
    pub periods: f64,
    /// Months of 30 days for CLV (default 12).
    #[serde(default = "twelve")]
    pub months: u32,
    /// Discount rate per month (default 0.01).
    #[serde(default = "rate")]
    pub discount_rate: f64,
    /// Days in one period of the summary (default 1).
    #[serde(default = "one")]
    pub period_days: f64,
}

fn one() -> f64 {
    1.0
}
fn twelve() -> u32 {
    12
}
fn rate() -> f64 {
    0.01
}

/// Predictions per customer, `None` where a model has no answer (a series that
/// does not converge, q ≤ 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predictions {
    /// Expected purchases in the next `periods`.
    pub expected_purchases: Vec<Option<f64>>,
    /// Probability alive.
    pub probability_alive: Vec<f64>,
    /// Expected value per purchase (with a spend model and monetary values).
    pub expected_average_value: Vec<Option<f64>>,
    /// Lifetime value (with a spend model and monetary values).
    pub clv: Vec<Option<f64>>,
}

impl Predictor {
    /// The defaults for a fitted model.
    pub fn new(bgnbd: BgNbd, gamma_gamma: Option<GammaGamma>) -> Predictor {
        Predictor {
            bgnbd,
            gamma_gamma,
            periods: 1.0,
            months: 12,
            discount_rate: 0.01,
            period_days: 1.0,
        }
    }

    /// Refuses parameters no model has: `ANALYTICS_BAD_CONFIG` at `$.options`.
    pub fn check(&self) -> Result<(), Error> {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let b = self.bgnbd;
        let usable = [b.r, b.alpha, b.a, b.b].into_iter().all(positive)
            && self
                .gamma_gamma
                .is_none_or(|g| [g.p, g.q, g.v].into_iter().all(positive))
            && self.periods.is_finite()
            && self.periods >= 0.0
            && positive(self.period_days)
            && self.discount_rate.is_finite()
            && self.discount_rate > -1.0
            && self.months <= 1200;
        if usable {
            Ok(())
        } else {
            Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_CONFIG",
                "$.options",
                "parameters must be positive numbers, periods zero or more, months at most 1200",
            )]))
        }
    }

    /// Predicts every customer of a summary (`monetary` needed for value and
    /// CLV). Errors: the [`Predictor::check`] ones, and
    /// `ANALYTICS_COLUMN_LENGTH` for columns of different lengths.
    ///
    /// ```
    /// use ichigen_core::analytics::clv::{BgNbd, Predictor};
    /// let p = Predictor { periods: 39.0, ..Predictor::new(BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, None) };
    /// let out = p.predict(&[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86], None)?;
    /// assert!((out.expected_purchases[0].unwrap() - 1.226).abs() < 5e-4);
    /// assert_eq!(out.probability_alive[1], 1.0);
    /// # Ok::<(), ichigen_core::Error>(())
    /// ```
    pub fn predict(
        &self,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        monetary: Option<&[f64]>,
    ) -> Result<Predictions, Error> {
        self.check()?;
        let n = frequency.len();
        if recency.len() != n || t.len() != n || monetary.is_some_and(|m| m.len() != n) {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_COLUMN_LENGTH",
                "$.summary",
                "frequency, recency, T (and monetary_value) must have the same length",
            )]));
        }
        let run = |range: std::ops::Range<usize>| {
            let mut out = Predictions::default();
            let b = &self.bgnbd;
            for i in range {
                let (x, tx, tt) = (frequency[i], recency[i], t[i]);
                out.expected_purchases
                    .push(b.expected_purchases(self.periods, x, tx, tt));
                out.probability_alive.push(b.probability_alive(x, tx, tt));
                if let (Some(g), Some(m)) = (&self.gamma_gamma, monetary) {
                    out.expected_average_value
                        .push(g.expected_average_value(x, m[i]));
                    out.clv.push(lifetime_value(
                        b,
                        g,
                        x,
                        tx,
                        tt,
                        m[i],
                        self.months,
                        self.discount_rate,
                        self.period_days,
                    ));
                }
            }
            out
        };
        if n < 50_000 {
            return Ok(run(0..n));
        }
        let (mut a, b) = std::thread::scope(|scope| {
            let h = scope.spawn(|| run(n / 2..n));
            (run(0..n / 2), h.join().unwrap_or_default())
        });
        a.expected_purchases.extend(b.expected_purchases);
        a.probability_alive.extend(b.probability_alive);
        a.expected_average_value.extend(b.expected_average_value);
        a.clv.extend(b.clv);
        if a.probability_alive.len() != n {
            // A thread that failed would leave rows out: never return part.
            return Ok(run(0..n));
        }
        Ok(a)
    }
}
