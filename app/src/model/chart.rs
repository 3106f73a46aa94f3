//! A chart of money spent month by month, split into series (suppliers, or
//! vouchers and passes): what the server sends, drawn as an SVG by
//! `components::chart` with its figures in a table beside it.

use crate::domain::{Money, Month};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonthlyChart {
    /// The series, in the legend's order.
    pub series: Vec<String>,
    /// Oldest month first; each with one value per series.
    pub months: Vec<MonthValues>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthValues {
    pub month: Month,
    pub values: Vec<Money>,
}

impl MonthValues {
    pub fn total(&self) -> Money {
        Money::from_cents(self.values.iter().map(|v| v.cents()).sum())
    }
}

impl MonthlyChart {
    /// From `(month, series, value)` entries, each month from `first` to
    /// `last` once (those without spending at zero), series in the order
    /// given by `series`.
    pub fn of(series: Vec<String>, first: Month, last: Month, entries: &[(Month, usize, Money)]) -> MonthlyChart {
        let mut months = Vec::new();
        let mut month = first;
        while month <= last && months.len() < 240 {
            months.push(MonthValues { month, values: vec![Money::ZERO; series.len()] });
            month = month.next();
        }
        for &(month, index, value) in entries {
            if let Some(row) = months.iter_mut().find(|m| m.month == month)
                && let Some(slot) = row.values.get_mut(index)
            {
                *slot = Money::from_cents(slot.cents() + value.cents());
            }
        }
        MonthlyChart { series, months }
    }

    pub fn is_empty(&self) -> bool {
        self.months.iter().all(|m| m.total() == Money::ZERO)
    }

    /// The largest month's total: the chart's scale.
    pub fn peak(&self) -> Money {
        self.months.iter().map(MonthValues::total).max().unwrap_or(Money::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_month_of_the_span_is_there_and_values_add_up_per_series() {
        let m = |s: &str| Month::parse_iso(s).unwrap();
        let e = Money::from_euros;
        let entries =
            [(m("2026-10"), 0, e(20)), (m("2026-10"), 0, e(20)), (m("2026-12"), 1, e(50)), (m("2027-02"), 0, e(1))];
        let chart = MonthlyChart::of(vec!["A".into(), "B".into()], m("2026-10"), m("2027-01"), &entries);
        let months: Vec<String> = chart.months.iter().map(|r| r.month.iso()).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12", "2027-01"], "outside the span: left out");
        assert_eq!(chart.months[0].values, [e(40), Money::ZERO]);
        assert_eq!(chart.months[2].values, [Money::ZERO, e(50)]);
        assert_eq!(chart.peak(), e(50));
        assert!(!chart.is_empty());
    }
}
