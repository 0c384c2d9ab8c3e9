//! Money and distance as integers: amounts in øre, distances in tenths of a kilometre, rates in
//! øre per km. Parsing what people type ("1 234,50", "12.5") and showing it back ("1 234,50 kr").
//!
//! Rounding (docs/ARCHITECTURE.md, "Expenses"): a mileage line is computed exactly in tenths
//! of an øre (km in tenths × øre per km) and rounded once, half up, to whole øre. Its tax-free
//! part is computed and rounded the same way from the tax-free rate per km; the taxable part is
//! the difference, so the two parts always add up to the amount.

use super::model::MileageRate;

/// Longest trip one line may claim, in tenths of a km (2,000 km).
pub const MAX_KM_TENTHS: i64 = 20_000;
/// Most passengers one line may claim the passenger add-on for.
pub const MAX_PASSENGERS: i64 = 8;
/// Largest amount one line may hold: 100,000 kr. Organizations set lower maxima per type.
pub const MAX_LINE_ORE: i64 = 10_000_000;

/// `n / 10`, rounded half up (for n ≥ 0, which is all we compute).
pub fn round_tenths(n: i64) -> i64 {
    (n + 5).div_euclid(10)
}

/// A mileage line's amount with its tax-free and taxable parts, in øre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Split {
    pub amount_ore: i64,
    pub tax_free_ore: i64,
    pub taxable_ore: i64,
}

/// The add-ons of a trip.
#[derive(Clone, Copy, Debug, Default)]
pub struct Trip {
    pub km_tenths: i64,
    pub passengers: i64,
    pub forest_road: bool,
    pub trailer: bool,
}

/// What a trip is paid at a rate. The add-ons (passengers, forest road, trailer) are paid
/// tax-free in full; of the base rate, the part above the tax-free rate is taxable.
pub fn mileage(rate: &MileageRate, trip: Trip) -> Split {
    let addons = trip.passengers * i64::from(rate.passenger_ore)
        + if trip.forest_road {
            i64::from(rate.forest_road_ore)
        } else {
            0
        }
        + if trip.trailer {
            i64::from(rate.trailer_ore)
        } else {
            0
        };
    let base = i64::from(rate.rate_ore);
    let free = base.min(i64::from(rate.tax_free_ore));
    let amount_ore = round_tenths(trip.km_tenths * (base + addons));
    let tax_free_ore = round_tenths(trip.km_tenths * (free + addons)).min(amount_ore);
    Split {
        amount_ore,
        tax_free_ore,
        taxable_ore: amount_ore - tax_free_ore,
    }
}

/// Parses an amount in kroner as people type it: "125", "125,50", "125.5", "1 234,50",
/// "kr 80". At most two decimals; negative amounts and amounts over `max` øre are refused.
pub fn parse_kroner(raw: &str, max: i64) -> Option<i64> {
    let s: String = raw
        .trim()
        .trim_start_matches("kr")
        .trim_end_matches("kr")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let s = s.trim_end_matches(",-");
    let (whole, frac) = match s.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 9
    {
        return None;
    }
    let kr: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let ore: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let total = kr.checked_mul(100)?.checked_add(ore)?;
    (total <= max).then_some(total)
}

/// Parses a distance in km with at most one decimal ("12", "12,5", "12.5") into tenths.
pub fn parse_km(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let (whole, frac) = match s.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty()
        || whole.len() > 6
        || frac.len() > 1
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let tenths = whole.parse::<i64>().ok()? * 10 + frac.parse::<i64>().unwrap_or(0);
    Some(tenths)
}

/// "1 234,50" (Norwegian) or "1,234.50" (English), without the currency.
pub fn amount(ore: i64, lang: &str) -> String {
    let neg = ore < 0;
    let ore = ore.unsigned_abs();
    let kr = (ore / 100).to_string();
    let (group, decimal) = if lang == "en" {
        (',', '.')
    } else {
        ('\u{a0}', ',')
    };
    let mut grouped = String::new();
    for (i, c) in kr.chars().enumerate() {
        if i > 0 && (kr.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    format!(
        "{}{grouped}{decimal}{:02}",
        if neg { "-" } else { "" },
        ore % 100
    )
}

/// "1 234,50 kr".
pub fn kr(ore: i64, lang: &str) -> String {
    format!("{} kr", amount(ore, lang))
}

/// An amount as the value of a form field: "125,50" (no grouping, so it parses back).
pub fn field(ore: i64) -> String {
    format!("{},{:02}", ore / 100, ore % 100)
}

/// Tenths of a km as "12,5" (Norwegian) or "12.5".
pub fn km(tenths: i64, lang: &str) -> String {
    let sep = if lang == "en" { '.' } else { ',' };
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}{sep}{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(rate_ore: i32, tax_free_ore: i32) -> MileageRate {
        MileageRate {
            id: String::new(),
            organization_id: String::new(),
            effective_from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            rate_ore,
            tax_free_ore,
            passenger_ore: 100,
            forest_road_ore: 100,
            trailer_ore: 100,
            created_by: None,
            created_at: crate::db::now(),
        }
    }

    #[test]
    fn a_trip_is_rounded_once_half_up_and_its_parts_add_up() {
        // 12.3 km at 4.90 kr: 60.27 kr exactly; 3.50 kr of it tax-free: 43.05 kr.
        let s = mileage(
            &rate(490, 350),
            Trip {
                km_tenths: 123,
                ..Default::default()
            },
        );
        assert_eq!(s.amount_ore, 6027);
        assert_eq!(s.tax_free_ore, 4305);
        assert_eq!(s.taxable_ore, 1722);
        // 0.1 km at 4.95 kr = 49.5 øre → 50 (half up); tax-free 35 øre; 15 taxable.
        let s = mileage(
            &rate(495, 350),
            Trip {
                km_tenths: 1,
                ..Default::default()
            },
        );
        assert_eq!((s.amount_ore, s.tax_free_ore, s.taxable_ore), (50, 35, 15));
        // 0.1 km at 4.94 kr = 49.4 øre → 49 (down).
        let s = mileage(
            &rate(494, 350),
            Trip {
                km_tenths: 1,
                ..Default::default()
            },
        );
        assert_eq!(s.amount_ore, 49);
        // 2 passengers, forest road and trailer: 4 kr of add-ons per km, all tax-free.
        let s = mileage(
            &rate(500, 350),
            Trip {
                km_tenths: 100,
                passengers: 2,
                forest_road: true,
                trailer: true,
            },
        );
        assert_eq!(
            (s.amount_ore, s.tax_free_ore, s.taxable_ore),
            (9000, 7500, 1500)
        );
        // A rate below the tax-free rate is all tax-free.
        let s = mileage(
            &rate(300, 350),
            Trip {
                km_tenths: 10,
                ..Default::default()
            },
        );
        assert_eq!((s.amount_ore, s.tax_free_ore, s.taxable_ore), (300, 300, 0));
    }

    #[test]
    fn amounts_parse_as_people_type_them() {
        let max = MAX_LINE_ORE;
        assert_eq!(parse_kroner("125", max), Some(12_500));
        assert_eq!(parse_kroner("125,5", max), Some(12_550));
        assert_eq!(parse_kroner("125.05", max), Some(12_505));
        assert_eq!(parse_kroner(" 1 234,50 kr", max), Some(123_450));
        assert_eq!(parse_kroner("kr 80,-", max), Some(8_000));
        assert_eq!(parse_kroner(",50", max), Some(50));
        assert_eq!(parse_kroner("-5", max), None);
        assert_eq!(parse_kroner("1,234", max), None);
        assert_eq!(parse_kroner("12e3", max), None);
        assert_eq!(parse_kroner("", max), None);
        assert_eq!(parse_kroner("99999999999999999999", max), None);
        assert_eq!(parse_kroner("100001", max), None);
        assert_eq!(parse_kroner("100000", max), Some(max));
        assert_eq!(parse_km("12,5"), Some(125));
        assert_eq!(parse_km("12"), Some(120));
        assert_eq!(parse_km("0.1"), Some(1));
        assert_eq!(parse_km("-3"), None);
        assert_eq!(parse_km("1,25"), None);
        assert_eq!(parse_km("NaN"), None);
    }

    #[test]
    fn amounts_are_shown_in_the_reader_s_language() {
        assert_eq!(kr(123_450, "nb"), "1\u{a0}234,50 kr");
        assert_eq!(kr(123_450, "en"), "1,234.50 kr");
        assert_eq!(amount(5, "nb"), "0,05");
        assert_eq!(amount(100_000_000, "nb"), "1\u{a0}000\u{a0}000,00");
        assert_eq!(field(12_550), "125,50");
        assert_eq!(km(125, "nb"), "12,5");
        assert_eq!(km(120, "en"), "12");
    }
}
