//! A month-by-month chart of money spent, drawn as SVG on the server (it
//! reads without the WASM), each month's bar stacked by series, with a
//! legend and the same figures in a table for screen readers and anyone
//! who wants the numbers. Colour is never the only signal: the table names
//! every value. Geometry is whole SVG units, computed from cents.

use crate::model::chart::MonthlyChart;
use leptos::prelude::*;

const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
/// Room under the bars for the months' names.
const AXIS: i64 = 24;
const TOP: i64 = 8;
/// One colour per series (the seventh takes the first again), dark enough
/// on white for a 3:1 contrast of graphical objects (WCAG 1.4.11).
const COLOURS: [&str; 6] = ["#1f5fa8", "#b35900", "#2e7d4f", "#7b3fa0", "#b3261e", "#5f6b6d"];

/// One rectangle of a bar: x, y, width, height, colour.
type Bar = (i64, i64, i64, i64, &'static str);

/// The rectangles of every month's stacked bar, scaled to the largest month.
fn bars(chart: &MonthlyChart) -> Vec<Bar> {
    let count = i64::try_from(chart.months.len()).unwrap_or(1).max(1);
    let slot = WIDTH / count;
    let width = (slot * 3 / 5).max(2);
    let peak = chart.peak().cents().max(1);
    let plot = HEIGHT - AXIS - TOP;
    let mut rects = Vec::new();
    for (i, month) in (0..).zip(&chart.months) {
        let x = i * slot + (slot - width) / 2;
        let mut bottom = HEIGHT - AXIS;
        for (j, value) in month.values.iter().enumerate() {
            if value.cents() <= 0 {
                continue;
            }
            let height = (value.cents().saturating_mul(plot) / peak).max(1);
            bottom -= height;
            rects.push((x, bottom, width, height, COLOURS[j % COLOURS.len()]));
        }
    }
    rects
}

#[component]
pub fn MonthlyChartView(chart: MonthlyChart, title: &'static str) -> impl IntoView {
    let count = i64::try_from(chart.months.len()).unwrap_or(1).max(1);
    let slot = WIDTH / count;
    // Past a year of months, every other name: they would overlap.
    let step = if count > 12 { 2 } else { 1 };
    let labels: Vec<(i64, String)> = (0..)
        .zip(&chart.months)
        .filter(|(i, _)| i % step == 0)
        .map(|(i, m)| (i * slot + slot / 2, m.month.short()))
        .collect();
    let rects = bars(&chart);
    let summary = format!("{title} : détail dans le tableau qui suit.");
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg
                class="chart-bars"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=summary
                preserveAspectRatio="xMidYMid meet"
            >
                <line x1="0" y1=HEIGHT - AXIS x2=WIDTH y2=HEIGHT - AXIS stroke="#444" stroke-width="1" />
                {rects
                    .into_iter()
                    .map(|(x, y, w, h, fill)| view! { <rect x=x y=y width=w height=h fill=fill /> })
                    .collect_view()}
                {labels
                    .into_iter()
                    .map(|(x, label)| {
                        view! {
                            <text x=x y=HEIGHT - 7 text-anchor="middle" font-size="11" fill="#222">
                                {label}
                            </text>
                        }
                    })
                    .collect_view()}
            </svg>
            <ul class="chart-legend">
                {chart
                    .series
                    .iter()
                    .enumerate()
                    .map(|(j, name)| {
                        view! {
                            <li>
                                <svg width="12" height="12" aria-hidden="true">
                                    <rect width="12" height="12" fill=COLOURS[j % COLOURS.len()] />
                                </svg>
                                {name.clone()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <table class="table chart-figures">
                <caption>"Les chiffres du graphique"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Mois"</th>
                        {chart.series.iter().map(|s| view! { <th scope="col">{s.clone()}</th> }).collect_view()}
                        <th scope="col">"Total"</th>
                    </tr>
                </thead>
                <tbody>
                    {chart
                        .months
                        .iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <th scope="row">{m.month.to_string()}</th>
                                    {m.values.iter().map(|v| view! { <td class="amount">{v.priced()}</td> }).collect_view()}
                                    <td class="amount">{m.total().priced()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, Month};

    #[test]
    fn bars_stack_by_series_and_the_largest_month_fills_the_height() {
        let m = |s: &str| Month::parse_iso(s).unwrap();
        let e = Money::from_euros;
        let entries = [(m("2026-10"), 0, e(100)), (m("2026-10"), 1, e(100)), (m("2026-11"), 1, e(50))];
        let chart = MonthlyChart::of(vec!["A".into(), "B".into()], m("2026-10"), m("2026-11"), &entries);
        let rects = bars(&chart);
        let plot = HEIGHT - AXIS - TOP;
        assert_eq!(rects.len(), 3);
        let (first, second, third) = (rects[0], rects[1], rects[2]);
        assert_eq!(first.3 + second.3, plot, "October, the peak, fills the plot");
        assert_eq!(second.1 + second.3, first.1, "B sits on A");
        assert_eq!(third.3, plot / 4, "November's 50 € is a quarter of 200 €");
        assert_eq!((first.4, second.4), (COLOURS[0], COLOURS[1]));
        assert!(third.0 > first.0, "months left to right");
    }
}
