//! The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The
//! Gamma-Gamma Model of Monetary Value"): a customer's purchases are
//! Gamma(p, ν) with ν ~ Gamma(q, γ) across customers (`v` here is γ). Fitted on
//! customers with repeat purchases: their number `x` and mean value `m`.

use serde::{Deserialize, Serialize};

use super::bgnbd::no_data;
use super::optimize::bfgs;
use super::special::{digamma, ln_gamma};
use super::{Diagnostics, Fit, FitOptions, bad_value, check_options};
use crate::error::{Error, Issue};

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of a customer's purchase values.
    pub p: f64,
    /// Shape of the distribution of customers' rates.
    pub q: f64,
    /// Scale of the distribution of customers' rates (γ in the note).
    pub v: f64,
}

struct Rows {
    xs: Vec<f64>,
    ln_x: Vec<f64>,
    start: Vec<usize>,
    m: Vec<f64>,
    ln_m: Vec<f64>,
    w: Vec<f64>,
    total: f64,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    ll: f64,
    g: [f64; 3],
}

impl GammaGamma {
    fn sums(&self, rows: &Rows) -> Sums {
        self.sums_in(rows, 0..rows.xs.len())
    }

    /// [`Self::sums`] on two threads for large summaries.
    fn sums_parallel(&self, rows: &Rows) -> Sums {
        let groups = rows.xs.len();
        let n = rows.w.len();
        if n < 200_000 {
            return self.sums(rows);
        }
        let half = rows.start.partition_point(|&s| s < n / 2).min(groups);
        let (one, two) = std::thread::scope(|scope| {
            let h = scope.spawn(|| self.sums_in(rows, half..groups));
            (self.sums_in(rows, 0..half), h.join().unwrap_or_default())
        });
        Sums {
            ll: one.ll + two.ll,
            g: [0, 1, 2].map(|i| one.g[i] + two.g[i]),
        }
    }

    fn sums_in(&self, rows: &Rows, groups: std::ops::Range<usize>) -> Sums {
        let GammaGamma { p, q, v } = *self;
        let (lg_q, dg_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
        let mut s = Sums::default();
        for k in groups {
            let x = rows.xs[k];
            let px = p * x;
            let c = ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + px * rows.ln_x[k];
            let (dp_const, dq_const) =
                (digamma(px + q) - digamma(px), digamma(px + q) - dg_q + ln_v);
            let (mut w_sum, mut ll, mut g_p, mut g_q, mut g_v) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for i in rows.start[k]..rows.start[k + 1] {
                let w = rows.w[i];
                let ln_xmv = (x * rows.m[i] + v).ln();
                ll += w * ((px - 1.0) * rows.ln_m[i] - (px + q) * ln_xmv);
                g_p += w * x * (rows.ln_m[i] - ln_xmv);
                g_q -= w * ln_xmv;
                g_v -= w * (px + q) / (x * rows.m[i] + v);
                w_sum += w;
            }
            s.ll += ll + w_sum * c;
            s.g[0] += g_p + w_sum * x * (dp_const + rows.ln_x[k]);
            s.g[1] += g_q + w_sum * dq_const;
            s.g[2] += g_v + w_sum * q / v;
        }
        s
    }

    /// Fits the model by maximum likelihood to customers' repeat purchase
    /// counts and mean repeat values. Customers with no repeat purchase are
    /// skipped, as the model requires; identical rows are computed once.
    ///
    /// Errors: `CLV_BAD_VALUE` (a negative or fractional frequency, a monetary
    /// value that is not positive for a repeat buyer) and `CLV_NO_DATA` when
    /// nobody made a repeat purchase.
    ///
    /// ```
    /// use ichigen_core::analytics::clv::{FitOptions, GammaGamma};
    /// let fit = GammaGamma::fit(&[1.0, 2.0, 3.0, 1.0, 0.0], &[20.0, 35.5, 12.0, 50.0, 0.0], None, &FitOptions::default())?;
    /// assert_eq!(fit.diagnostics.customers, 4.0);
    /// let m = fit.model;
    /// assert!(m.expected_average_value(2.0, 30.0).unwrap() > 0.0);
    /// # Ok::<(), ichigen_core::Error>(())
    /// ```
    pub fn fit(
        frequency: &[f64],
        monetary: &[f64],
        weights: Option<&[f64]>,
        options: &FitOptions,
    ) -> Result<Fit<GammaGamma>, Error> {
        check_options(options)?;
        let n = frequency.len();
        if monetary.len() != n || weights.is_some_and(|w| w.len() != n) {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_COLUMN_LENGTH",
                "$.summary",
                "frequency, monetary_value (and weights) must have the same length",
            )]));
        }
        // (x, m) as sortable keys: m is positive, so its bits order as its value.
        let mut keys: Vec<(u128, f64)> = Vec::with_capacity(n);
        for i in 0..n {
            let (x, m) = (frequency[i], monetary[i]);
            if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
                return Err(bad_value(
                    "frequency",
                    i,
                    "frequency is a whole number, zero or more",
                ));
            }
            let w = weights.map_or(1.0, |w| w[i]);
            if !(w.is_finite() && w >= 0.0) {
                return Err(bad_value(
                    "weights",
                    i,
                    "a weight is a number, zero or more",
                ));
            }
            if x == 0.0 || w == 0.0 {
                continue;
            }
            if !(m.is_finite() && m > 0.0) {
                return Err(bad_value(
                    "monetary_value",
                    i,
                    "a repeat buyer's mean value must be a positive number",
                ));
            }
            keys.push(((u128::from(x as u64) << 64) | u128::from(m.to_bits()), w));
        }
        keys.sort_unstable_by_key(|&(k, _)| k);
        let mut items: Vec<(f64, f64, f64)> = Vec::with_capacity(keys.len());
        let mut last = None;
        for &(k, w) in &keys {
            if last == Some(k) {
                if let Some(item) = items.last_mut() {
                    item.2 += w;
                }
                continue;
            }
            last = Some(k);
            items.push(((k >> 64) as u64 as f64, f64::from_bits(k as u64), w));
        }
        if items.is_empty() {
            return Err(no_data(
                "$.summary.frequency",
                "nobody made a repeat purchase: there is no spend to fit",
            ));
        }
        let mut rows = Rows {
            xs: Vec::new(),
            ln_x: Vec::new(),
            start: Vec::new(),
            m: Vec::new(),
            ln_m: Vec::new(),
            w: Vec::new(),
            total: 0.0,
        };
        for (k, &(x, m, w)) in items.iter().enumerate() {
            if rows.xs.last() != Some(&x) {
                rows.xs.push(x);
                rows.ln_x.push(x.ln());
                rows.start.push(k);
            }
            rows.m.push(m);
            rows.ln_m.push(m.ln());
            rows.w.push(w);
            rows.total += w;
        }
        rows.start.push(items.len());
        let lambda = options.penalizer;
        let objective = |theta: &[f64]| {
            let p: Vec<f64> = theta.iter().map(|v| v.exp()).collect();
            let s = GammaGamma {
                p: p[0],
                q: p[1],
                v: p[2],
            }
            .sums_parallel(&rows);
            let value = -s.ll / rows.total + lambda * p.iter().map(|v| v * v).sum::<f64>();
            let grad = (0..3)
                .map(|i| p[i] * (-s.g[i] / rows.total + 2.0 * lambda * p[i]))
                .collect();
            (value, grad)
        };
        let min = bfgs(
            objective,
            &[0.0; 3],
            options.tolerance,
            options.max_iterations,
        );
        let p: Vec<f64> = min.x.iter().map(|v| v.exp()).collect();
        let model = GammaGamma {
            p: p[0],
            q: p[1],
            v: p[2],
        };
        let ll = model.sums(&rows).ll;
        let mut message = min.message.to_owned();
        if model.q <= 1.0 {
            message.push_str("; q ≤ 1: the expected value per purchase has no finite mean");
        }
        Ok(Fit {
            model,
            diagnostics: Diagnostics::of(&min, ll, rows.total, rows.w.len(), message),
        })
    }

    /// The expected value per purchase of a customer with `frequency` repeat
    /// purchases of mean value `monetary` (for a customer without repeat
    /// purchases, the population mean γp ÷ (q − 1)). `None` when q ≤ 1.
    pub fn expected_average_value(&self, frequency: f64, monetary: f64) -> Option<f64> {
        let GammaGamma { p, q, v } = *self;
        if q <= 1.0 {
            return None;
        }
        let x = frequency;
        Some(p * (v + x * monetary) / (p * x + q - 1.0))
    }

    /// The log-likelihood of one repeat buyer.
    pub fn log_likelihood(&self, frequency: f64, monetary: f64) -> f64 {
        let rows = Rows {
            xs: vec![frequency],
            ln_x: vec![frequency.ln()],
            start: vec![0, 1],
            m: vec![monetary],
            ln_m: vec![monetary.ln()],
            w: vec![1.0],
            total: 1.0,
        };
        self.sums(&rows).ll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_matches_finite_differences() {
        let m = GammaGamma {
            p: 6.25,
            q: 3.74,
            v: 15.44,
        };
        let fit_rows = |m: &GammaGamma| -> Sums {
            let x = [1.0, 2.0, 2.0, 5.0];
            let mon = [20.0, 35.5, 11.0, 42.0];
            let mut s = Sums::default();
            for i in 0..4 {
                let rows = Rows {
                    xs: vec![x[i]],
                    ln_x: vec![f64::ln(x[i])],
                    start: vec![0, 1],
                    m: vec![mon[i]],
                    ln_m: vec![f64::ln(mon[i])],
                    w: vec![1.0],
                    total: 1.0,
                };
                let t = m.sums(&rows);
                s.ll += t.ll;
                (0..3).for_each(|k| s.g[k] += t.g[k]);
            }
            s
        };
        let s = fit_rows(&m);
        let p = [m.p, m.q, m.v];
        for i in 0..3 {
            let h = 1e-6 * p[i];
            let at = |d: f64| {
                let mut q = p;
                q[i] += d;
                fit_rows(&GammaGamma {
                    p: q[0],
                    q: q[1],
                    v: q[2],
                })
                .ll
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (numeric - s.g[i]).abs() < 1e-6 * numeric.abs().max(1.0),
                "{i}"
            );
        }
    }

    #[test]
    fn the_likelihood_is_the_marginal_density() {
        // f(m | x) = Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px−1) x^(px) / (γ + m x)^(px+q)
        let g = GammaGamma {
            p: 6.25,
            q: 3.74,
            v: 15.44,
        };
        let (x, m): (f64, f64) = (3.0, 27.5);
        let px = g.p * x;
        let direct = ln_gamma(px + g.q) - ln_gamma(px) - ln_gamma(g.q)
            + g.q * g.v.ln()
            + (px - 1.0) * m.ln()
            + px * x.ln()
            - (px + g.q) * (g.v + m * x).ln();
        assert!((g.log_likelihood(x, m) - direct).abs() < 1e-12);
    }
}
