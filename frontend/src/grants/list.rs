//! Grant lists: all grants (with the filters a dashboard bar or the address gives) and the
//! finance officer's worklist (open grants due within 30 days, overdue ones included).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{GrantList, grant_list, state_label};
use crate::components::states::{load, show};
use crate::components::{Column, DataTable, Empty, FilterBar, Paging, SortState};
use crate::i18n::{Key, tr, use_i18n};

fn columns() -> Vec<Column> {
    [
        Key::GrantsNumber,
        Key::GrantsTitle,
        Key::GrantsDonor,
        Key::GrantsAmount,
        Key::GrantsDueOn,
        Key::GrantsStateLabel,
    ]
    .into_iter()
    .map(|label| Column { label, sort: None })
    .collect()
}

#[component]
pub fn GrantListPage() -> impl IntoView {
    view! { <Grants worklist=false/> }
}

#[component]
pub fn WorklistPage() -> impl IntoView {
    view! { <Grants worklist=true/> }
}

#[component]
fn Grants(worklist: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let search = RwSignal::new(String::new());
    let paging = Paging::new();
    Effect::new(move |_| {
        search.track();
        query.track();
        paging.restart();
    });
    let grants = load::<GrantList>(move || {
        let query = query.read();
        let text = |name: &str| query.get(name).filter(|v| !v.is_empty());
        let year = text("year").and_then(|y| y.parse().ok());
        let term = search.get().trim().to_owned();
        grant_list::Variables {
            filter: Some(grant_list::GrantFilter {
                search: (!term.is_empty()).then_some(term),
                from_year: year.or_else(|| text("from").and_then(|y| y.parse().ok())),
                to_year: year.or_else(|| text("to").and_then(|y| y.parse().ok())),
                donors: text("donor").map(|d| vec![d]),
                divisions: text("division").map(|d| vec![d]),
                overdue: text("overdue").map(|_| true),
                due_within_days: worklist.then_some(30),
                states: None,
                statuses: None,
                regions: None,
                officer: None,
            }),
            after: paging.after.get(),
        }
    });
    // The same list as a file: the export takes the list's filters by their API names.
    let export = move |format: &str| {
        let query = query.read();
        let mut parts = vec![format!("format={format}")];
        for (name, api) in [
            ("from", "fromYear"),
            ("to", "toYear"),
            ("donor", "donor"),
            ("division", "division"),
        ] {
            if let Some(value) = query.get(name).filter(|v| !v.is_empty()) {
                parts.push(format!("{api}={}", js_sys::encode_uri_component(&value)));
            }
        }
        if let Some(year) = query.get("year").filter(|v| !v.is_empty()) {
            parts.push(format!("fromYear={year}&toYear={year}"));
        }
        if query.get("overdue").is_some() {
            parts.push("overdue=true".to_owned());
        }
        if worklist {
            parts.push("dueWithinDays=30".to_owned());
        }
        let term = search.get();
        if !term.trim().is_empty() {
            parts.push(format!(
                "search={}",
                js_sys::encode_uri_component(term.trim())
            ));
        }
        format!("/api/exports/grants?{}", parts.join("&"))
    };
    view! {
        {worklist.then(|| view! { <p class="muted">{tr(Key::GrantsWorklistAbout)}</p> })}
        <FilterBar search placeholder=Signal::derive(move || i18n.t(Key::GrantsSearch).to_owned())
            on_reset=Callback::new(move |()| search.set(String::new()))/>
        <p class="exports">
            <a class="button secondary" href=move || export("csv") download="" data-test="export-csv">{tr(Key::GrantsExportCsv)}</a>
            " "
            <a class="button secondary" href=move || export("xlsx") download="" data-test="export-xlsx">{tr(Key::GrantsExportXlsx)}</a>
        </p>
        {show::<GrantList, _>(grants, move |data| {
            let list = data.grants;
            let shown = list.nodes.len();
            let rows = list.nodes.into_iter().map(|grant| {
                let due = grant.closure_due_on.clone();
                let amount = (grant.amount.clone(), grant.currency.clone());
                let overdue = grant.days_overdue;
                let late = overdue > 0;
                view! {
                    <tr data-test="grant-row">
                        <td data-label=tr(Key::GrantsNumber)>
                            <A href=format!("/grants/{}", grant.number)>{grant.number.clone()}</A>
                        </td>
                        <td data-label=tr(Key::GrantsTitle)>{grant.title}</td>
                        <td data-label=tr(Key::GrantsDonor)>{grant.donor.map(|d| d.code)}</td>
                        <td data-label=tr(Key::GrantsAmount) class="number">{move || i18n.money(&amount.0, &amount.1)}</td>
                        <td data-label=tr(Key::GrantsDueOn)>{move || due.as_deref().map(|d| i18n.date(d))}</td>
                        <td data-label=tr(Key::GrantsStateLabel)>
                            <span class="badge" class:late=late>{tr(state_label(grant.closure_state))}</span>
                            {(overdue > 0).then(|| view! {
                                " " <span class="muted">{move || i18n.tf(Key::GrantsDaysOverdue, &[("days", &i18n.number(overdue))])}</span>
                            })}
                        </td>
                    </tr>
                }
            }).collect_view();
            view! {
                {(shown == 0).then(|| view! { <Empty/> })}
                <DataTable columns=columns() sort=RwSignal::new(SortState { field: "", descending: false })
                    caption=Signal::derive(move || i18n.t(if worklist { Key::GrantsWorklist } else { Key::GrantsAll }).to_owned())>
                    {rows}
                </DataTable>
                {paging.pager(shown, list.total_count, list.page_info.has_next_page, list.page_info.end_cursor)}
            }
        })}
    }
}
