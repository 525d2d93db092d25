//! The closure dashboard: the closure rate of the cohorts chosen, a cohort chart (closed and
//! open per due year, with the rate as a line), the overdue backlog by age, and rates by
//! division and donor. Every bar leads to the grants behind it.

use leptos::prelude::*;
use steward_shared::grants::AgeingBand;

use super::{ClosureDashboard, closure_dashboard};
use crate::components::states::{load, show};
use crate::components::{Bar, BarChart};
use crate::i18n::{I18n, Key, tr, use_i18n};

fn band_label(band: AgeingBand) -> Key {
    match band {
        AgeingBand::UpToSixMonths => Key::GrantsBandUpToSix,
        AgeingBand::SixToTwelveMonths => Key::GrantsBandSixToTwelve,
        AgeingBand::TwelveToTwentyFourMonths => Key::GrantsBandTwelveToTwentyFour,
        AgeingBand::OverTwentyFourMonths => Key::GrantsBandOverTwentyFour,
    }
}

/// A rate in tenths of a percent, for charts drawn in whole units.
fn per_mille(rate: f64) -> i64 {
    (rate * 1000.0).round() as i64
}

/// The filter as the list page reads it from its address.
fn list_link(filters: &[(&str, String)]) -> String {
    let query: Vec<String> = filters
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", js_sys::encode_uri_component(value)))
        .collect();
    format!("/grants/list?{}", query.join("&"))
}

#[component]
pub fn ClosureDashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let from = RwSignal::new("2012".to_owned());
    let to = RwSignal::new("2019".to_owned());
    let division = RwSignal::new(String::new());
    let donor = RwSignal::new(String::new());
    let dashboard = load::<ClosureDashboard>(move || {
        let one = |id: String| (!id.is_empty()).then(|| vec![id]);
        closure_dashboard::Variables {
            filter: Some(closure_dashboard::ClosureFilter {
                from_year: from.get().trim().parse().ok(),
                to_year: to.get().trim().parse().ok(),
                divisions: one(division.get()),
                donors: one(donor.get()),
                regions: None,
            }),
        }
    });
    // Links carry the cohorts and the choices made here.
    let scope = move || {
        vec![
            ("from", from.get_untracked()),
            ("to", to.get_untracked()),
            ("division", division.get_untracked()),
            ("donor", donor.get_untracked()),
        ]
    };
    view! {
        {show::<ClosureDashboard, _>(dashboard, move |data| {
            let total = data.total;
            let headline = move || i18n.tf(Key::GrantsHeadline, &[
                ("due", &i18n.number(total.due)),
                ("closed", &i18n.number(total.closed)),
                ("rate", &i18n.percent(total.rate)),
            ]);
            let division_options = data.divisions.iter().filter_map(|d| Some((d.key.clone()?, d.label.clone()))).collect::<Vec<_>>();
            let donor_options = data.all_donors.into_iter().map(|d| (d.id, d.code)).collect::<Vec<_>>();
            let backlog: Vec<Bar> = data.backlog.iter().map(|b| Bar {
                label: i18n.t(band_label(b.band)).to_owned(),
                value: b.grants,
                shown: i18n.number(b.grants),
                href: Some(list_link(&[("overdue", "1".into())])),
            }).collect();
            let rates = |rates: Vec<closure_dashboard::Rate>, filter: &'static str| -> Vec<Bar> {
                rates.into_iter().map(|r| Bar {
                    value: per_mille(r.rate),
                    shown: i18n.percent(r.rate),
                    href: Some(list_link(&[(filter, r.key.unwrap_or_default())])),
                    label: r.label,
                }).collect()
            };
            let by_division = rates(data.divisions, "division");
            let by_donor = rates(data.donors, "donor");
            // Years apply when complete (on change, not on every keystroke), so the dashboard
            // is not reloaded under the user's fingers.
            view! {
                <div class="filter-bar" data-test="closure-filters">
                    <label class="filter"><span>{tr(Key::GrantsFromYear)}</span>
                        <input type="number" min="2000" max="2100" prop:value=from
                            on:change=move |e| from.set(event_target_value(&e))/></label>
                    <label class="filter"><span>{tr(Key::GrantsToYear)}</span>
                        <input type="number" min="2000" max="2100" prop:value=to
                            on:change=move |e| to.set(event_target_value(&e))/></label>
                    <Choice label=Key::GrantsDivision value=division options=division_options/>
                    <Choice label=Key::GrantsDonor value=donor options=donor_options/>
                </div>
                <p class="headline" data-test="closure-headline">{headline}</p>
                <CohortChart years=data.years i18n scope=scope()/>
                <div class="chart-grid">
                    <BarChart id="closure-backlog" title=Signal::derive(move || i18n.t(Key::GrantsBacklog).to_owned()) bars=backlog/>
                    <BarChart id="closure-divisions" title=Signal::derive(move || i18n.t(Key::GrantsByDivision).to_owned()) bars=by_division/>
                    <BarChart id="closure-donors" title=Signal::derive(move || i18n.t(Key::GrantsByDonor).to_owned()) bars=by_donor/>
                </div>
            }
        })}
    }
}

/// A select of ids by their codes, with "all" first.
#[component]
fn Choice(label: Key, value: RwSignal<String>, options: Vec<(String, String)>) -> impl IntoView {
    view! {
        <label class="filter"><span>{tr(label)}</span>
            <select bind:value=value>
                <option value="">{tr(Key::CommonAll)}</option>
                {options.into_iter().map(|(id, code)| view! { <option value=id>{code}</option> }).collect_view()}
            </select>
        </label>
    }
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const AXIS: i64 = 24;

/// Closed and open grants per due year as stacked columns, the closure rate as a line over
/// them; each year leads to its grants.
#[component]
fn CohortChart(
    years: Vec<closure_dashboard::Rate>,
    i18n: I18n,
    scope: Vec<(&'static str, String)>,
) -> impl IntoView {
    let most = years.iter().map(|y| y.due).max().unwrap_or(0).max(1);
    let slot = WIDTH / years.len().max(1) as i64;
    let plot = HEIGHT - AXIS;
    let points = years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let x = i as i64 * slot + slot / 2;
            format!("{x},{}", plot - per_mille(y.rate) * plot / 1000)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let columns = years
        .into_iter()
        .enumerate()
        .map(|(i, y)| {
            let x = i as i64 * slot + slot / 5;
            let w = slot * 3 / 5;
            let closed_h = y.closed * plot / most;
            let open_h = (y.due - y.closed) * plot / most;
            let year = y.key.clone().unwrap_or_default();
            let mut filters = scope.clone();
            filters.retain(|(name, _)| *name == "division" || *name == "donor");
            filters.push(("year", year.clone()));
            let tip = i18n.tf(
                Key::GrantsCohortTip,
                &[
                    ("year", &year),
                    ("due", &i18n.number(y.due)),
                    ("closed", &i18n.number(y.closed)),
                    ("rate", &i18n.percent(y.rate)),
                ],
            );
            let label = tip.clone();
            // The outer `<g>` makes the macro create an SVG `<a>`, not an HTML one.
            view! {
                <g><a href=list_link(&filters) class="cohort" aria-label=label>
                    <title>{tip}</title>
                    <rect class="hit" x=i as i64 * slot y="0" width=slot height=plot/>
                    <rect class="closed" x=x y=plot - closed_h width=w height=closed_h/>
                    <rect class="open" x=x y=plot - closed_h - open_h width=w height=open_h/>
                    <text x=x + w / 2 y=HEIGHT - 6 text-anchor="middle">{year}</text>
                </a></g>
            }
        })
        .collect_view();
    view! {
        <figure class="cohort-chart" data-test="cohort-chart">
            <figcaption id="cohort-chart-title">{tr(Key::GrantsCohorts)}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="cohort-chart-title">
                {columns}
                <polyline class="rate" points=points/>
            </svg>
            <p class="legend">
                <span class="key closed"></span>{tr(Key::GrantsClosed)}
                <span class="key open"></span>{tr(Key::GrantsOpen)}
                <span class="key rate"></span>{tr(Key::GrantsRate)}
            </p>
        </figure>
    }
}
