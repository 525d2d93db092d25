//! People: search, filters, sorting and pages, with a chart of the people found by grade
//! category.

use leptos::prelude::*;
use leptos_router::components::A;
use steward_shared::organisation::GradeCategory;

use super::{People, labels, people};
use crate::components::states::{load, show};
use crate::components::{Bar, BarChart, Column, DataTable, Empty, FilterBar, Paging, SortState};
use crate::i18n::{Key, tr, use_i18n};

const CATEGORIES: [GradeCategory; 5] = [
    GradeCategory::Usg,
    GradeCategory::Asg,
    GradeCategory::Director,
    GradeCategory::Professional,
    GradeCategory::GeneralService,
];

fn columns() -> Vec<Column> {
    vec![
        Column {
            label: Key::OrganisationName,
            sort: Some("NAME"),
        },
        Column {
            label: Key::PeopleGrade,
            sort: Some("GRADE"),
        },
        Column {
            label: Key::PeoplePost,
            sort: None,
        },
        Column {
            label: Key::PeopleUnit,
            sort: None,
        },
        Column {
            label: Key::PeopleStatus,
            sort: None,
        },
    ]
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    let search = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let sort = RwSignal::new(SortState {
        field: "NAME",
        descending: false,
    });
    let paging = Paging::new();

    // Any change of filter or order starts again from the first page.
    Effect::new(move |_| {
        search.track();
        category.track();
        status.track();
        sort.track();
        paging.restart();
    });

    let people = load::<People>(move || {
        let term = search.get().trim().to_owned();
        // The option's value is the category's place in `CATEGORIES` (Debug text is not kept
        // in the size-optimised build).
        let chosen = category
            .get()
            .parse::<usize>()
            .ok()
            .and_then(|at| CATEGORIES.get(at).copied());
        let order = sort.get();
        people::Variables {
            search: (!term.is_empty()).then_some(term),
            categories: chosen.map(|c| vec![c]),
            active: match status.get().as_str() {
                "active" => Some(true),
                "inactive" => Some(false),
                _ => None,
            },
            order: Some(people::PersonOrder {
                field: if order.field == "GRADE" {
                    people::PersonOrderField::GRADE
                } else {
                    people::PersonOrderField::NAME
                },
                direction: if order.descending {
                    people::OrderDirection::DESC
                } else {
                    people::OrderDirection::ASC
                },
            }),
            after: paging.after.get(),
            language: labels::name_language(i18n.locale()),
        }
    });

    let reset = Callback::new(move |()| {
        search.set(String::new());
        category.set(String::new());
        status.set(String::new());
    });

    view! {
        <div class="people">
            <FilterBar search placeholder=Signal::derive(tr(Key::PeopleSearchPlaceholder).to_owned()) on_reset=reset>
                <label class="filter">
                    <span>{tr(Key::PeopleCategory)}</span>
                    <select data-test="category" on:change=move |e| category.set(event_target_value(&e))
                        prop:value=move || category.get()>
                        <option value="">{tr(Key::CommonAll)}</option>
                        {CATEGORIES.into_iter().enumerate().map(|(at, c)| {
                            let key = labels::category(c);
                            view! { <option value=at.to_string()>{tr(key)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="filter">
                    <span>{tr(Key::PeopleStatus)}</span>
                    <select on:change=move |e| status.set(event_target_value(&e)) prop:value=move || status.get()>
                        <option value="">{tr(Key::CommonAll)}</option>
                        <option value="active">{tr(Key::PeopleActive)}</option>
                        <option value="inactive">{tr(Key::PeopleInactive)}</option>
                    </select>
                </label>
            </FilterBar>
            {show::<People, _>(people, move |data| {
                            let counts: Vec<(GradeCategory, i64)> =
                                data.counts.iter().map(|c| (c.category, c.people)).collect();
                            let bars = Signal::derive(move || {
                                counts.iter().map(|(c, n)| Bar {
                                    label: i18n.t(labels::category(*c)).to_owned(),
                                    value: *n,
                                    shown: i18n.number(*n),
                                    href: None,
                                }).collect::<Vec<_>>()
                            });
                            let total = data.people.total_count;
                            let page = data.people.nodes;
                            let shown = page.len();
                            let next = data.people.page_info.end_cursor.clone();
                            let has_next = data.people.page_info.has_next_page;
                            let rows = page.into_iter().map(|person| {
                                let current = person.memberships.first().cloned();
                                let href = format!("/organisation/people/{}", person.id);
                                let active = person.active;
                                view! {
                                    <tr>
                                        <td data-label=tr(Key::OrganisationName)>
                                            <A href=href>{person.name}</A>
                                        </td>
                                        <td data-label=tr(Key::PeopleGrade)>{person.grade.map(|g| g.code)}</td>
                                        <td data-label=tr(Key::PeoplePost)>
                                            {current.as_ref().map(|m| m.title.clone())}
                                        </td>
                                        <td data-label=tr(Key::PeopleUnit)>
                                            {current.and_then(|m| m.org_unit).map(|u| u.name)}
                                        </td>
                                        <td data-label=tr(Key::PeopleStatus)>
                                            {move || i18n.t(if active { Key::PeopleActive } else { Key::PeopleInactive })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <p class="summary" data-test="people-count">{move || i18n.tf(Key::PeopleCount, &[("count", &i18n.number(total))])}</p>
                                <BarChart id="people-by-category" title=Signal::derive(tr(Key::PeopleCategory).to_owned()) bars/>
                                {if shown == 0 {
                                    view! { <Empty/> }.into_any()
                                } else {
                                    view! {
                                        <DataTable columns=columns() sort caption=Signal::derive(tr(Key::OrganisationPeople).to_owned())>
                                            {rows}
                                        </DataTable>
                                    }.into_any()
                                }}
                                {paging.pager(shown, total, has_next, next)}
                            }
            })}
        </div>
    }
}
