//! The org tree as of a date (today by default; earlier dates show the old structure).

use leptos::prelude::*;

use super::{OrgUnits, labels, org_units};
use crate::components::Empty;
use crate::components::states::{load, show};
use crate::i18n::{Key, tr, use_i18n};

#[component]
pub fn OrgUnitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let as_of = RwSignal::new(String::new());
    let units = load::<OrgUnits>(move || {
        let day = as_of.get();
        org_units::Variables {
            as_of: (!day.is_empty()).then_some(day),
            language: labels::name_language(i18n.locale()),
        }
    });
    view! {
        <div class="org-units">
            <div class="filter-bar">
                <label class="filter">
                    <span>{tr(Key::OrganisationAsOf)}</span>
                    <input type="date" data-test="as-of" bind:value=as_of/>
                </label>
            </div>
            {show::<OrgUnits, _>(units, move |data| {
                if data.org_units.nodes.is_empty() {
                    return view! { <Empty/> }.into_any();
                }
                let total = data.org_units.total_count;
                view! {
                    <p class="summary">{move || i18n.tf(Key::OrganisationUnitCount, &[("count", &i18n.number(total))])}</p>
                    <ul class="org-tree" data-test="org-units">
                        {data.org_units.nodes.into_iter().map(|unit| {
                            let kind = labels::kind(unit.kind);
                            let code = unit.code.clone();
                            view! {
                                <li class="org-unit" style=("--depth", unit.depth.to_string()) data-code=code>
                                    <span class="code">{unit.code}</span>
                                    <span class="name">{unit.name}</span>
                                    <span class="kind">{tr(kind)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </div>
    }
}
