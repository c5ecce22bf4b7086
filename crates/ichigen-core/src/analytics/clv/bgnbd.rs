//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the
//! Easy Way"): while alive, a customer buys at a Poisson rate λ ~ Gamma(r, α);
//! after each purchase they drop out with probability p ~ Beta(a, b).

use serde::{Deserialize, Serialize};

use super::optimize::bfgs;
use super::special::{digamma, hyp2f1, ln_gamma};
use super::{Diagnostics, Fit, FitOptions, bad_value, check_options};
use crate::error::{Error, Issue};

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution (in periods).
    pub alpha: f64,
    /// Beta parameter of the dropout probability.
    pub a: f64,
    /// Beta parameter of the dropout probability.
    pub b: f64,
}

/// Distinct (x, t_x, T) rows with their weights, grouped by x.
struct Rows {
    /// Distinct x values, ascending.
    xs: Vec<f64>,
    /// `start[k]..start[k + 1]` are the rows of `xs[k]`.
    start: Vec<usize>,
    /// Indices into `values` of each row's t_x and T: summaries hold few
    /// distinct times (whole days or weeks), so their logarithms are computed
    /// once per value, not once per row.
    tx: Vec<u32>,
    t: Vec<u32>,
    w: Vec<f64>,
    total: f64,
    /// The distinct times.
    values: Vec<f64>,
}

impl Rows {
    fn index(
        values: &mut Vec<f64>,
        map: &mut hashbrown::HashMap<u64, u32, foldhash::fast::FixedState>,
        v: f64,
    ) -> u32 {
        *map.entry(v.to_bits()).or_insert_with(|| {
            values.push(v);
            values.len() as u32 - 1
        })
    }
}

fn compress(x: &[f64], tx: &[f64], t: &[f64], w: Option<&[f64]>) -> Result<Rows, Error> {
    let n = x.len();
    if tx.len() != n || t.len() != n || w.is_some_and(|w| w.len() != n) {
        return Err(Error::InvalidAnalytics(vec![Issue::new(
            "ANALYTICS_COLUMN_LENGTH",
            "$.summary",
            "frequency, recency, T (and weights) must have the same length",
        )]));
    }
    let mut values = Vec::new();
    let mut seen = hashbrown::HashMap::default();
    // Rows as sortable keys: x, then the indices of t_x and T among the
    // distinct times. Sorting them groups identical rows and orders by x.
    let mut keys: Vec<(u128, f64)> = Vec::with_capacity(n);
    for i in 0..n {
        let (xi, ri, ti) = (x[i], tx[i], t[i]);
        if !(xi.is_finite() && xi >= 0.0 && xi.fract() == 0.0) {
            return Err(bad_value(
                "frequency",
                i,
                "frequency is a whole number, zero or more",
            ));
        }
        if !(ri.is_finite() && ri >= 0.0) {
            return Err(bad_value("recency", i, "recency is a number, zero or more"));
        }
        if !(ti.is_finite() && ti >= ri) {
            return Err(bad_value("T", i, "T is a number no smaller than recency"));
        }
        if xi == 0.0 && ri != 0.0 {
            return Err(bad_value(
                "recency",
                i,
                "a customer without repeat purchases has recency 0",
            ));
        }
        let wi = w.map_or(1.0, |w| w[i]);
        if !(wi.is_finite() && wi >= 0.0) {
            return Err(bad_value(
                "weights",
                i,
                "a weight is a number, zero or more",
            ));
        }
        if wi > 0.0 {
            let r_at = Rows::index(&mut values, &mut seen, ri);
            let t_at = Rows::index(&mut values, &mut seen, ti);
            // x is a whole number below 2^53: its value fits the top 64 bits.
            let key = (u128::from(xi as u64) << 64) | (u128::from(r_at) << 32) | u128::from(t_at);
            keys.push((key, wi));
        }
    }
    keys.sort_unstable_by_key(|&(k, _)| k);
    let mut out = Rows {
        xs: Vec::new(),
        start: Vec::new(),
        tx: Vec::with_capacity(keys.len()),
        t: Vec::with_capacity(keys.len()),
        w: Vec::with_capacity(keys.len()),
        total: 0.0,
        values,
    };
    let mut last: Option<u128> = None;
    for &(key, w) in &keys {
        out.total += w;
        if last == Some(key) {
            if let Some(slot) = out.w.last_mut() {
                *slot += w;
            }
            continue;
        }
        last = Some(key);
        let xv = (key >> 64) as u64 as f64;
        if out.xs.last() != Some(&xv) {
            out.xs.push(xv);
            out.start.push(out.w.len());
        }
        out.tx.push((key >> 32) as u32);
        out.t.push(key as u32);
        out.w.push(w);
    }
    out.start.push(out.w.len());
    Ok(out)
}

/// Sums over one slice of rows: log-likelihood and its gradient in (r, α, a, b).
#[derive(Default, Clone, Copy)]
struct Sums {
    ll: f64,
    g: [f64; 4],
}

impl BgNbd {
    fn sums(&self, rows: &Rows, groups: std::ops::Range<usize>) -> Sums {
        let BgNbd { r, alpha, a, b } = *self;
        let ln_alpha = alpha.ln();
        let (lg_r, lg_ab, lg_b) = (ln_gamma(r), ln_gamma(a + b), ln_gamma(b));
        let (dg_r, dg_ab, dg_b) = (digamma(r), digamma(a + b), digamma(b));
        // ln(α + v) and 1 / (α + v) of every distinct time.
        let ln_v: Vec<f64> = rows.values.iter().map(|v| (alpha + v).ln()).collect();
        let inv_v: Vec<f64> = rows.values.iter().map(|v| 1.0 / (alpha + v)).collect();
        let mut s = Sums::default();
        for k in groups {
            let x = rows.xs[k];
            let rx = r + x;
            let a1 = ln_gamma(rx) - lg_r + r * ln_alpha;
            let a2 = lg_ab + ln_gamma(b + x) - lg_b - ln_gamma(a + b + x);
            let repeat = x > 0.0;
            let bx1 = b + x - 1.0;
            let ln_a4 = if repeat { a.ln() - bx1.ln() } else { 0.0 };
            // Per-row sums of this x.
            let (mut w_sum, mut ll, mut g_r, mut g_alpha, mut w4_sum) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for i in rows.start[k]..rows.start[k + 1] {
                let w = rows.w[i];
                let (ti, txi) = (rows.t[i] as usize, rows.tx[i] as usize);
                let l_t = ln_v[ti];
                let a3 = -rx * l_t;
                if repeat {
                    let l_tx = ln_v[txi];
                    let a4 = ln_a4 - rx * l_tx;
                    let (hi, lo) = if a3 >= a4 { (a3, a4) } else { (a4, a3) };
                    let e = (lo - hi).exp();
                    let lse = hi + e.ln_1p();
                    let w3 = if a3 >= a4 {
                        1.0 / (1.0 + e)
                    } else {
                        e / (1.0 + e)
                    };
                    let w4 = 1.0 - w3;
                    ll += w * lse;
                    g_r -= w * (w3 * l_t + w4 * l_tx);
                    g_alpha -= w * rx * (w3 * inv_v[ti] + w4 * inv_v[txi]);
                    w4_sum += w * w4;
                } else {
                    ll += w * a3;
                    g_r -= w * l_t;
                    g_alpha -= w * rx * inv_v[ti];
                }
                w_sum += w;
            }
            s.ll += ll + w_sum * (a1 + a2);
            s.g[0] += g_r + w_sum * (digamma(rx) - dg_r + ln_alpha);
            s.g[1] += g_alpha + w_sum * r / alpha;
            let d_ab = dg_ab - digamma(a + b + x);
            s.g[2] += w_sum * d_ab + if repeat { w4_sum / a } else { 0.0 };
            s.g[3] +=
                w_sum * (d_ab + digamma(b + x) - dg_b) - if repeat { w4_sum / bx1 } else { 0.0 };
        }
        s
    }

    fn sums_parallel(&self, rows: &Rows) -> Sums {
        let groups = rows.xs.len();
        let n = rows.w.len();
        if n < 200_000 {
            return self.sums(rows, 0..groups);
        }
        // Split the x groups into two halves of about equal rows.
        let half = rows.start.partition_point(|&s| s < n / 2).min(groups);
        let (one, two) = std::thread::scope(|scope| {
            let h = scope.spawn(|| self.sums(rows, half..groups));
            (self.sums(rows, 0..half), h.join().unwrap_or_default())
        });
        Sums {
            ll: one.ll + two.ll,
            g: [0, 1, 2, 3].map(|i| one.g[i] + two.g[i]),
        }
    }

    /// The log-likelihood of one customer.
    pub fn log_likelihood(&self, frequency: f64, recency: f64, t: f64) -> f64 {
        let rows = Rows {
            xs: vec![frequency],
            start: vec![0, 1],
            tx: vec![0],
            t: vec![1],
            w: vec![1.0],
            total: 1.0,
            values: vec![recency, t],
        };
        self.sums(&rows, 0..1).ll
    }

    /// Fits the model to per-customer summaries by maximum likelihood. Identical
    /// (frequency, recency, T) rows are computed once, weighted by their count
    /// (times `weights`, when given).
    ///
    /// Errors: `CLV_BAD_VALUE` at `$.summary.<column>[row]` (a negative or
    /// fractional frequency, recency above T, recency without repeat purchases),
    /// `CLV_NO_DATA` without customers, `CLV_NO_REPEAT` when nobody bought twice
    /// (the dropout process then has no maximum).
    ///
    /// ```
    /// use ichigen_core::analytics::clv::{BgNbd, FitOptions};
    /// let x = [2.0, 1.0, 0.0, 0.0, 3.0, 0.0];
    /// let tx = [30.4, 1.7, 0.0, 0.0, 20.0, 0.0];
    /// let t = [38.9, 38.9, 38.9, 38.9, 38.9, 38.9];
    /// let fit = BgNbd::fit(&x, &tx, &t, None, &FitOptions { penalizer: 0.01, ..FitOptions::default() })?;
    /// assert!(fit.diagnostics.converged);
    /// assert_eq!(fit.diagnostics.distinct_rows, 4);
    /// # Ok::<(), ichigen_core::Error>(())
    /// ```
    pub fn fit(
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        weights: Option<&[f64]>,
        options: &FitOptions,
    ) -> Result<Fit<BgNbd>, Error> {
        check_options(options)?;
        let rows = compress(frequency, recency, t, weights)?;
        if rows.total <= 0.0 {
            return Err(no_data("$.summary", "there are no customers to fit"));
        }
        if rows.xs.iter().all(|&x| x == 0.0) {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "CLV_NO_REPEAT",
                "$.summary.frequency",
                "nobody made a repeat purchase: the dropout process cannot be estimated",
            )]));
        }
        let lambda = options.penalizer;
        let objective = |theta: &[f64]| {
            let p = theta.iter().map(|v| v.exp()).collect::<Vec<f64>>();
            let m = BgNbd {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            };
            let s = m.sums_parallel(&rows);
            let value = -s.ll / rows.total + lambda * p.iter().map(|v| v * v).sum::<f64>();
            // Chain rule to log-parameters: d/dθ = p × d/dp.
            let grad = (0..4)
                .map(|i| p[i] * (-s.g[i] / rows.total + 2.0 * lambda * p[i]))
                .collect();
            (value, grad)
        };
        let min = bfgs(
            objective,
            &[0.0; 4],
            options.tolerance,
            options.max_iterations,
        );
        let p: Vec<f64> = min.x.iter().map(|v| v.exp()).collect();
        let model = BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        };
        let ll = model.sums(&rows, 0..rows.xs.len()).ll;
        Ok(Fit {
            model,
            diagnostics: Diagnostics::of(
                &min,
                ll,
                rows.total,
                rows.w.len(),
                min.message.to_owned(),
            ),
        })
    }

    /// P(alive): the probability that a customer with this history has not
    /// dropped out (1 for a customer without repeat purchases).
    pub fn probability_alive(&self, frequency: f64, recency: f64, t: f64) -> f64 {
        if frequency == 0.0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let ln_odds = a.ln() - (b + frequency - 1.0).ln()
            + (r + frequency) * ((alpha + t).ln() - (alpha + recency).ln());
        1.0 / (1.0 + ln_odds.exp())
    }

    /// Purchases a customer with this history is expected to make in the next
    /// `periods` (Fader, Hardie & Lee, equation 10); `None` if the series does
    /// not converge.
    pub fn expected_purchases(
        &self,
        periods: f64,
        frequency: f64,
        recency: f64,
        t: f64,
    ) -> Option<f64> {
        if periods <= 0.0 {
            return Some(0.0);
        }
        let BgNbd { r, alpha, a, b } = *self;
        let x = frequency;
        let z = periods / (alpha + t + periods);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let ln_ratio = (r + x) * ((alpha + t).ln() - (alpha + t + periods).ln());
        let numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - ln_ratio.exp() * f);
        let denominator = if x > 0.0 {
            1.0 + a / (b + x - 1.0) * ((r + x) * ((alpha + t).ln() - (alpha + recency).ln())).exp()
        } else {
            1.0
        };
        let e = numerator / denominator;
        e.is_finite().then_some(e)
    }

    /// Purchases a new customer is expected to make in `periods` (equation 9).
    pub fn expected_purchases_new(&self, periods: f64) -> Option<f64> {
        let BgNbd { r, alpha, a, b } = *self;
        let z = periods / (alpha + periods);
        let f = hyp2f1(r, b, a + b - 1.0, z)?;
        let e =
            (a + b - 1.0) / (a - 1.0) * (1.0 - (r * (alpha / (alpha + periods)).ln()).exp() * f);
        e.is_finite().then_some(e)
    }
}

pub(crate) fn no_data(path: &str, message: &str) -> Error {
    Error::InvalidAnalytics(vec![Issue::new("CLV_NO_DATA", path, message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> BgNbd {
        BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        }
    }

    #[test]
    fn the_gradient_matches_finite_differences() {
        let x = [0.0, 1.0, 2.0, 2.0, 7.0];
        let tx = [0.0, 1.71, 30.43, 12.0, 35.0];
        let t = [38.86, 38.86, 38.86, 30.0, 36.0];
        let rows = compress(&x, &tx, &t, None).unwrap();
        let m = model();
        let s = m.sums(&rows, 0..rows.xs.len());
        let p = [m.r, m.alpha, m.a, m.b];
        for i in 0..4 {
            let h = 1e-6 * p[i];
            let at = |d: f64| {
                let mut q = p;
                q[i] += d;
                BgNbd {
                    r: q[0],
                    alpha: q[1],
                    a: q[2],
                    b: q[3],
                }
                .sums(&rows, 0..rows.xs.len())
                .ll
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (numeric - s.g[i]).abs() < 1e-6 * numeric.abs().max(1.0),
                "{i}: {numeric} vs {}",
                s.g[i]
            );
        }
    }

    #[test]
    fn the_likelihood_matches_the_closed_form() {
        // Equation 6 of the paper, computed directly.
        let m = model();
        let (x, tx, t): (f64, f64, f64) = (2.0, 30.43, 38.86);
        let beta = |p: f64, q: f64| ln_gamma(p) + ln_gamma(q) - ln_gamma(p + q);
        let g = ln_gamma(m.r + x) + m.r * m.alpha.ln() - ln_gamma(m.r);
        let alive =
            (beta(m.a, m.b + x) - beta(m.a, m.b) + g - (m.r + x) * (m.alpha + t).ln()).exp();
        let dead = (beta(m.a + 1.0, m.b + x - 1.0) - beta(m.a, m.b) + g
            - (m.r + x) * (m.alpha + tx).ln())
        .exp();
        assert!((m.log_likelihood(x, tx, t) - (alive + dead).ln()).abs() < 1e-12);
    }

    #[test]
    fn bad_rows_are_refused_at_their_path() {
        let e = BgNbd::fit(
            &[1.0, 0.0],
            &[2.0, 1.0],
            &[5.0, 5.0],
            None,
            &FitOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.issues()[0].code, "CLV_BAD_VALUE");
        assert_eq!(e.issues()[0].path, "$.summary.recency[1]");
        let e = BgNbd::fit(&[1.5], &[2.0], &[5.0], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.issues()[0].path, "$.summary.frequency[0]");
        let e = BgNbd::fit(&[0.0], &[0.0], &[5.0], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.issues()[0].code, "CLV_NO_REPEAT");
    }
}
