//! A small BFGS minimizer with a backtracking line search, for the few
//! parameters of the CLV models. Steps that land on a non-finite value are
//! shortened, never taken.

/// What the minimizer reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub gradient_norm: f64,
    pub iterations: u32,
    pub evaluations: u32,
    pub converged: bool,
    pub message: &'static str,
}

/// Minimizes `f` (value and gradient) from `x0`.
pub(crate) fn bfgs<F>(mut f: F, x0: &[f64], tolerance: f64, max_iterations: u32) -> Minimum
where
    F: FnMut(&[f64]) -> (f64, Vec<f64>),
{
    let n = x0.len();
    let mut x = x0.to_vec();
    let (mut fx, mut g) = f(&x);
    let mut evaluations = 1;
    let norm = |g: &[f64]| g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Minimum {
            x,
            value: fx,
            gradient_norm: f64::NAN,
            iterations: 0,
            evaluations,
            converged: false,
            message: "the likelihood is not finite at the starting point",
        };
    }
    // Inverse Hessian approximation, starting from the identity.
    let mut h = vec![vec![0.0; n]; n];
    for (i, row) in h.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let mut iterations = 0;
    let mut stalled = 0;
    while iterations < max_iterations {
        if norm(&g) < tolerance {
            return Minimum {
                x,
                value: fx,
                gradient_norm: norm(&g),
                iterations,
                evaluations,
                converged: true,
                message: "converged",
            };
        }
        iterations += 1;
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i][j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 || !slope.is_finite() {
            // Not a descent direction: restart from steepest descent.
            for (i, row) in h.iter_mut().enumerate() {
                row.iter_mut().for_each(|v| *v = 0.0);
                row[i] = 1.0;
            }
            d = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        // Keep a step in log-parameters modest: e^5 is a big move already.
        let longest = d.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let mut step = if longest > 5.0 { 5.0 / longest } else { 1.0 };
        let mut accepted = None;
        for _ in 0..30 {
            let xn: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let (fnew, gnew) = f(&xn);
            evaluations += 1;
            if fnew.is_finite()
                && gnew.iter().all(|v| v.is_finite())
                && fnew <= fx + 1e-4 * step * slope
            {
                accepted = Some((xn, fnew, gnew));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fnew, gnew)) = accepted else {
            // No decrease is possible along any tried step: at machine precision.
            let converged = norm(&g) < tolerance.sqrt();
            return Minimum {
                x,
                value: fx,
                gradient_norm: norm(&g),
                iterations,
                evaluations,
                converged,
                message: if converged {
                    "converged to machine precision"
                } else {
                    "the line search found no decrease"
                },
            };
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gnew.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            if iterations == 1 {
                // Scale the first guess of the inverse Hessian to the curvature
                // just seen, so that later steps of length 1 are about right.
                let yy: f64 = y.iter().map(|v| v * v).sum();
                if yy > 0.0 {
                    for (i, row) in h.iter_mut().enumerate() {
                        row.iter_mut().for_each(|v| *v = 0.0);
                        row[i] = sy / yy;
                    }
                }
            }
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i][j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i][j] +=
                        (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
        // A decrease of a few hundred ulps is rounding, not progress: the sums
        // over many customers cannot get the gradient below about 1e-8.
        stalled = if (fx - fnew).abs() <= 1e-13 * fx.abs().max(1.0) {
            stalled + 1
        } else {
            0
        };
        x = xn;
        fx = fnew;
        g = gnew;
        if stalled >= 2 {
            let converged = norm(&g) < tolerance.sqrt();
            return Minimum {
                x,
                value: fx,
                gradient_norm: norm(&g),
                iterations,
                evaluations,
                converged,
                message: if converged {
                    "converged to machine precision"
                } else {
                    "the likelihood stopped improving before the gradient vanished"
                },
            };
        }
    }
    Minimum {
        gradient_norm: norm(&g),
        x,
        value: fx,
        iterations,
        evaluations,
        converged: false,
        message: "the iteration limit was reached",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let f = |x: &[f64]| {
            let (a, b) = (x[0], x[1]);
            let v = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            let g = vec![
                -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                200.0 * (b - a * a),
            ];
            (v, g)
        };
        let m = bfgs(f, &[-1.2, 1.0], 1e-10, 500);
        assert!(m.converged, "{m:?}");
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_function_without_a_minimum_is_reported_not_converged() {
        let f = |x: &[f64]| (-x[0], vec![-1.0]);
        let m = bfgs(f, &[0.0], 1e-10, 50);
        assert!(!m.converged);
        assert!(m.value.is_finite());
    }
}
