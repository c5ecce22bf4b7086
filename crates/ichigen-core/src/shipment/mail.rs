//! The mail-packet judgement (メール便判定).

use serde::{Deserialize, Serialize};

use super::policy::{CarrierProfile, Planner};
use crate::ids::ShippingMethodCode;
use crate::order::{Order, PaymentMethod, ShippingClass, TemperatureZone};

/// Σ of the lines' mail fractions, exact: `5/6`, `1/1`, `7/6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLoad {
    num: u128,
    den: u128,
}

impl MailLoad {
    /// Nothing.
    pub const ZERO: MailLoad = MailLoad { num: 0, den: 1 };

    /// Numerator (in lowest terms).
    pub fn num(self) -> u128 {
        self.num
    }

    /// Denominator (in lowest terms).
    pub fn den(self) -> u128 {
        self.den
    }

    /// Adds `count × n/d`; `None` when the sum no longer fits.
    pub fn add(self, n: u32, d: u32, count: u32) -> Option<MailLoad> {
        let (n, d) = (n as u128 * count as u128, d as u128);
        let den = self.den.checked_mul(d)?;
        let num = self
            .num
            .checked_mul(d)?
            .checked_add(n.checked_mul(self.den)?)?;
        let g = gcd(num, den);
        Some(MailLoad {
            num: num / g,
            den: den / g,
        })
    }

    /// At most one whole packet.
    pub fn fits_one(self) -> bool {
        self.num <= self.den
    }
}

impl std::fmt::Display for MailLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl Serialize for MailLoad {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn gcd(a: u128, b: u128) -> u128 {
    // Fractions are small: 64-bit division is several times faster than 128-bit.
    if let (Ok(mut a), Ok(mut b)) = (u64::try_from(a), u64::try_from(b)) {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        return u128::from(a.max(1));
    }
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Why an order cannot go by mail packet, or not in one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum MailReason {
    /// Cash on delivery: no mail packet collects it (代引き不可).
    Cod,
    /// A line's item has no mail fraction (or no item spec): it does not go by mail.
    NotMailable {
        /// The line.
        line: u32,
    },
    /// A line is chilled or frozen and the profile carries no cool goods.
    Temperature {
        /// The line.
        line: u32,
    },
    /// A line's item is larger than the profile allows (a side, the thickness or
    /// the sum of the three sides), or its fraction is over one packet.
    TooLarge {
        /// The line.
        line: u32,
    },
    /// A line's item alone weighs more than one packet may.
    TooHeavy {
        /// The line.
        line: u32,
    },
    /// A delivery time slot was asked for, which the profile does not honour.
    TimeSlot,
    /// More packets are needed than the policy's `max_packets`.
    OverCapacity,
}

/// What to do with an order's mail packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailOutcome {
    /// One packet.
    MailPacket,
    /// Several packets (allowed by `max_packets`).
    Packets,
    /// A box instead.
    Box,
}

/// The mail-packet judgement of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailVerdict {
    /// The profile that judged (`nekopos`).
    pub profile: ShippingMethodCode,
    /// The order may go by mail packet at all (no COD, every line mailable, no
    /// cool line, nothing too large or heavy, no time slot), in however many
    /// packets.
    pub eligible: bool,
    /// Σ of the lines' fractions × quantities.
    pub load: MailLoad,
    /// Packets needed for the mailable lines (0 when none is).
    pub packets: u32,
    /// One packet, several, or a box.
    pub outcome: MailOutcome,
    /// Every reason found, in line order.
    pub reasons: Vec<MailReason>,
}

/// The triage context facts of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MailFacts {
    /// Eligible and one packet is enough.
    pub mail_packet_fits: bool,
    /// Packets needed (0 when not eligible).
    pub mail_packets_needed: u32,
}

impl MailVerdict {
    /// The facts for the rule conditions `mail_packet_fits` and
    /// `mail_packets_needed`.
    pub fn facts(&self) -> MailFacts {
        MailFacts {
            mail_packet_fits: self.eligible && self.packets <= 1,
            mail_packets_needed: if self.eligible { self.packets } else { 0 },
        }
    }
}

impl Planner {
    /// Judges whether an order goes by mail packet: with the profile of its
    /// shipping method when that is a mail-packet profile, else with the policy's
    /// `mail_profile`.
    ///
    /// ```
    /// use ichigen_core::shipment::{MailOutcome, Planner, ShipmentPolicy};
    /// use serde_json::json;
    /// let policy: ShipmentPolicy = serde_json::from_value(json!({"items": [
    ///     {"sku": "TEA-A", "mail_fraction": "[M便 1/3]"},
    ///     {"sku": "SWT-01", "mail_fraction": "1/2"},
    ///     {"sku": "CUP-01", "mail_fraction": "1/2"}]}))?;
    /// let planner = Planner::new(policy)?;
    /// let order = ichigen_core::sample::order(); // 2 × 1/3 + 1/2 + 1/2
    /// let verdict = planner.mail(&order);
    /// assert_eq!(verdict.load.to_string(), "5/3");
    /// assert_eq!((verdict.packets, verdict.outcome), (2, MailOutcome::Box));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mail(&self, order: &Order) -> MailVerdict {
        let profile: &CarrierProfile = match order
            .shipping
            .method
            .as_ref()
            .and_then(|m| self.profile(m.as_str()))
        {
            Some(p) if p.class == ShippingClass::MailPacket => p,
            _ => &self.profiles[self.mail_profile as usize],
        };
        let mut reasons = Vec::new();
        if order.payment.method == PaymentMethod::Cod && !profile.cod {
            reasons.push(MailReason::Cod);
        }
        if order.shipping.time_slot.is_some() && !profile.time_slot {
            reasons.push(MailReason::TimeSlot);
        }
        let mut load = MailLoad::ZERO;
        let mut weight = 0u64;
        let mut mailable = 0usize;
        for (i, line) in order.lines.iter().enumerate() {
            let i = i as u32;
            if line.temperature != TemperatureZone::Ambient && !profile.cool {
                reasons.push(MailReason::Temperature { line: i });
            }
            let item = self.item(line);
            let Some(f) = item.and_then(|it| it.mail_fraction) else {
                reasons.push(MailReason::NotMailable { line: i });
                continue;
            };
            let item = item.expect("a fraction comes from an item");
            if f.num() > f.den() || too_large(item, profile) {
                reasons.push(MailReason::TooLarge { line: i });
            }
            let w = item.weight_g.unwrap_or(0);
            if profile.max_weight_g.is_some_and(|m| w > m) {
                reasons.push(MailReason::TooHeavy { line: i });
            }
            load = load
                .add(f.num(), f.den(), line.quantity)
                .unwrap_or(MailLoad {
                    num: u128::MAX,
                    den: 1,
                });
            weight = weight.saturating_add(u64::from(w) * u64::from(line.quantity));
            mailable += 1;
        }
        let packets = if mailable == 0 {
            0
        } else if load.fits_one() && profile.max_weight_g.is_none_or(|m| weight <= u64::from(m)) {
            // Everything fits one packet: no packing to do.
            1
        } else {
            // (fraction as n/d, weight, quantity) of the mailable lines.
            let units: Vec<(u32, u32, u32, u32)> = order
                .lines
                .iter()
                .filter_map(|line| {
                    let item = self.item(line)?;
                    let f = item.mail_fraction?;
                    Some((f.num(), f.den(), item.weight_g.unwrap_or(0), line.quantity))
                })
                .collect();
            packets(&units, profile.max_weight_g)
        };
        let eligible = reasons.is_empty();
        let outcome = if !eligible {
            MailOutcome::Box
        } else if packets <= 1 {
            MailOutcome::MailPacket
        } else if packets <= self.policy.max_packets {
            MailOutcome::Packets
        } else {
            reasons.push(MailReason::OverCapacity);
            MailOutcome::Box
        };
        MailVerdict {
            profile: profile.code.clone(),
            eligible,
            load,
            packets,
            outcome,
            reasons,
        }
    }
}

fn too_large(item: &super::ItemSpec, p: &CarrierProfile) -> bool {
    // Sides compared longest to longest.
    let mut dims = [item.length_mm, item.width_mm].map(|d| d.unwrap_or(0));
    dims.sort_unstable_by(|a, b| b.cmp(a));
    let mut limits = [p.max_length_mm, p.max_width_mm].map(|d| d.unwrap_or(u32::MAX));
    limits.sort_unstable_by(|a, b| b.cmp(a));
    let t = item.thickness_mm.unwrap_or(0);
    dims[0] > limits[0]
        || dims[1] > limits[1]
        || p.max_thickness_mm.is_some_and(|m| t > m)
        || p.max_three_sides_mm
            .is_some_and(|m| dims[0] as u64 + dims[1] as u64 + t as u64 > m as u64)
}

/// Packets for the units: first-fit by decreasing fraction, each packet holding
/// at most one whole and `max_weight` grams.
fn packets(units: &[(u32, u32, u32, u32)], max_weight: Option<u32>) -> u32 {
    if units.is_empty() {
        return 0;
    }
    // Fast path: one kind of item and no weight limit that binds.
    let weightless = max_weight.is_none() || units.iter().all(|u| u.2 == 0);
    if weightless && units.len() == 1 {
        let (n, d, _, q) = units[0];
        if n == 0 {
            return 1;
        }
        if n >= d {
            return q;
        }
        let per = (d / n) as u64; // whole units per packet
        return (q as u64).div_ceil(per).max(1) as u32;
    }
    let mut scale: u128 = 1;
    for &(n, d, _, _) in units {
        if n > 0 {
            let g = gcd(scale, d as u128);
            scale = scale / g * d as u128;
            if scale > 1 << 100 {
                scale = 1 << 100;
            }
        }
    }
    let mut sized: Vec<(u128, u64, u32)> = units
        .iter()
        .map(|&(n, d, w, q)| {
            let f = if n == 0 {
                0
            } else {
                (n as u128).saturating_mul(scale / d as u128)
            };
            (f, w as u64, q)
        })
        .collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mw = max_weight.map(u64::from);
    let mut bins: Vec<(u128, u64)> = Vec::new();
    for (f, w, q) in sized {
        let mut left = q as u64;
        for b in bins.iter_mut() {
            if left == 0 {
                break;
            }
            let mut n = left;
            if let Some(q) = scale.saturating_sub(b.0).checked_div(f) {
                n = n.min(q as u64);
            }
            if let (Some(m), true) = (mw, w > 0) {
                n = n.min(m.saturating_sub(b.1) / w);
            }
            if n > 0 {
                b.0 += f * n as u128;
                b.1 += w * n;
                left -= n;
            }
        }
        while left > 0 {
            let mut n = left;
            if let Some(q) = scale.checked_div(f) {
                n = n.min(q as u64);
            }
            if let (Some(m), true) = (mw, w > 0) {
                n = n.min(m / w);
            }
            let n = n.max(1);
            bins.push((f * n as u128, w * n));
            left -= n.min(left);
        }
    }
    bins.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_add_exactly() {
        let l = MailLoad::ZERO.add(1, 3, 2).unwrap().add(1, 3, 1).unwrap();
        assert_eq!(l.to_string(), "1/1");
        assert!(l.fits_one());
        let l = l.add(1, 100, 1).unwrap();
        assert!(!l.fits_one());
    }

    #[test]
    fn packets_by_first_fit_decreasing() {
        assert_eq!(packets(&[(1, 3, 0, 3)], None), 1);
        assert_eq!(packets(&[(1, 3, 0, 4)], None), 2);
        assert_eq!(
            packets(&[(1, 2, 0, 1), (1, 3, 0, 1), (1, 6, 0, 1)], None),
            1
        );
        assert_eq!(packets(&[(2, 3, 0, 2), (1, 3, 0, 2)], None), 2);
        assert_eq!(packets(&[(0, 1, 0, 5)], None), 1);
        // Weight binds: four 300 g units, 1 kg per packet.
        assert_eq!(packets(&[(1, 10, 300, 4)], Some(1000)), 2);
    }
}
