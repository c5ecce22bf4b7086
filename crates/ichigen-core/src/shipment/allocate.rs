//! Sharing an amount out in whole minor units without losing or creating any.

use rust_decimal::Decimal;

/// Shares `total` (in minor units, such as yen) out in proportion to `weights`
/// by the largest-remainder method: each share is first rounded down, and the
/// units left over go one each to the largest fractional remainders (the earlier
/// index on a tie). The shares always add up to `total` exactly.
///
/// Negative weights count as zero. When every weight is zero, the whole amount
/// goes to the first share. A negative total is shared as its absolute value and
/// negated. An empty `weights` gives an empty result (nothing to share to).
/// The arithmetic never overflows: each share is computed as
/// `(total / Σ) × w + (total % Σ) × w / Σ`, exact for any total. Only weights whose
/// sum passes 2^63 (no order's amounts come near) are first halved together until
/// it does not; the shares still add up exactly.
///
/// ```
/// use ichigen_core::shipment::largest_remainder;
/// // 100 yen over three equal shipments: 34 + 33 + 33.
/// assert_eq!(largest_remainder(100, &[1, 1, 1]), vec![34, 33, 33]);
/// assert_eq!(largest_remainder(550, &[3000, 1000]), vec![413, 137]);
/// assert_eq!(largest_remainder(7, &[0, 0]), vec![7, 0]);
/// ```
pub fn largest_remainder(total: i128, weights: &[i128]) -> Vec<i128> {
    let mut out = vec![0i128; weights.len()];
    if weights.is_empty() || total == 0 {
        return out;
    }
    // i128::MIN has no positive counterpart: share one unit less, then add it.
    if total == i128::MIN {
        let mut shares = largest_remainder(total + 1, weights);
        shares[0] -= 1;
        return shares;
    }
    let negative = total < 0;
    let total = total.abs();
    let mut w: Vec<i128> = weights.iter().map(|&w| w.max(0)).collect();
    // (total % Σ) × w must fit: keep Σ at most 2^63.
    let limit = 1i128 << 63;
    let mut sum = w.iter().try_fold(0i128, |a, &b| a.checked_add(b));
    while sum.is_none_or(|s| s > limit) {
        for x in w.iter_mut() {
            *x >>= 1;
        }
        sum = w.iter().try_fold(0i128, |a, &b| a.checked_add(b));
    }
    let sum = sum.unwrap_or(0);
    if sum == 0 {
        out[0] = total;
    } else {
        let (q, r) = (total / sum, total % sum);
        let mut given = 0i128;
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(w.len());
        for (i, &wi) in w.iter().enumerate() {
            // total × wi / Σ = q × wi + r × wi / Σ; q × wi ≤ total, r × wi < 2^126.
            let p = r * wi;
            out[i] = q * wi + p / sum;
            given += out[i];
            remainders.push((p % sum, i));
        }
        let mut left = total - given;
        if left > 0 {
            remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, i) in &remainders {
                if left == 0 {
                    break;
                }
                out[i] += 1;
                left -= 1;
            }
        }
    }
    if negative {
        for v in &mut out {
            *v = -*v;
        }
    }
    out
}

/// An amount in minor units (`digits` decimals). Amounts of a valid order have no
/// more decimals than their currency; anything finer is truncated.
pub(crate) fn minor(amount: Decimal, digits: u32) -> i128 {
    let mut a = amount;
    a.rescale(digits);
    a.mantissa()
}

/// Back from minor units.
pub(crate) fn from_minor(v: i128, digits: u32) -> Decimal {
    Decimal::try_from_i128_with_scale(v, digits).unwrap_or_else(|_| {
        // Out of Decimal's range cannot come from amounts that fit in it; keep the
        // value's sign and magnitude as best as possible rather than panic.
        Decimal::from_i128_with_scale(v.clamp(i64::MIN as i128, i64::MAX as i128), digits)
    })
}

/// Caps each share at `caps` and gives what was over to the shares, in order,
/// that still have room; what no share has room for stays on the last one.
pub(crate) fn cap_and_spill(shares: &mut [i128], caps: &[i128]) {
    let mut excess = 0i128;
    for (s, &c) in shares.iter_mut().zip(caps) {
        let c = c.max(0);
        if *s > c {
            excess += *s - c;
            *s = c;
        }
    }
    if excess == 0 {
        return;
    }
    for (s, &c) in shares.iter_mut().zip(caps) {
        let room = c.max(0) - *s;
        if room > 0 {
            let give = room.min(excess);
            *s += give;
            excess -= give;
            if excess == 0 {
                return;
            }
        }
    }
    if let Some(last) = shares.last_mut() {
        *last += excess;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_favour_larger_remainders() {
        assert_eq!(largest_remainder(10, &[1, 2, 3]), vec![2, 3, 5]);
        assert_eq!(largest_remainder(-100, &[1, 1, 1]), vec![-34, -33, -33]);
        assert_eq!(largest_remainder(5, &[-3, 1]), vec![0, 5]);
        assert!(largest_remainder(5, &[]).is_empty());
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let big = 10i128.pow(30);
        let shares = largest_remainder(big, &[big, big, big]);
        assert_eq!(shares.iter().sum::<i128>(), big);
        assert_eq!(shares[0] - shares[2], 1);
        let shares = largest_remainder(i128::MIN, &[1, 1]);
        assert_eq!(
            shares.iter().fold(0i128, |a, &b| a.wrapping_add(b)),
            i128::MIN
        );
        let shares = largest_remainder(i128::MAX, &[i128::MAX, 1]);
        assert_eq!(shares.iter().sum::<i128>(), i128::MAX);
        // A large total over small weights is exact, not scaled.
        let shares = largest_remainder(i128::MAX, &[1, 1]);
        assert_eq!(shares, vec![1i128 << 126, (1i128 << 126) - 1]);
        let shares = largest_remainder(1 << 100, &[3, 1]);
        assert_eq!(shares, vec![3 << 98, 1 << 98]);
    }

    #[test]
    fn spill_moves_the_excess_forward() {
        let mut s = vec![500, 0, 0];
        cap_and_spill(&mut s, &[200, 100, 1000]);
        assert_eq!(s, vec![200, 100, 200]);
        let mut s = vec![0, 500];
        cap_and_spill(&mut s, &[100, 100]);
        assert_eq!(s, vec![100, 400]);
    }

    #[test]
    fn minor_units_round_trip() {
        let d = Decimal::new(12345, 2);
        assert_eq!(minor(d, 2), 12345);
        assert_eq!(from_minor(12345, 2), d);
        assert_eq!(minor(Decimal::from(550), 0), 550);
    }
}
