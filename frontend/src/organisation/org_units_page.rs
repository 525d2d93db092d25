//! The org tree, as the server lists it.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::Deserialize;
use steward_shared::organisation::OrgUnitKind;

use crate::api;

const ORG_UNITS_QUERY: &str = "query OrgUnits { orgUnits { id code name kind parentId } }";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgUnitsData {
    org_units: Vec<OrgUnitRow>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgUnitRow {
    id: String,
    code: String,
    name: String,
    kind: OrgUnitKind,
    parent_id: Option<String>,
}

/// Depth of each unit in the tree (0 for the top), so the list reads as an outline.
fn depths(units: &[OrgUnitRow]) -> Vec<usize> {
    let parents: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.id.as_str(), u.parent_id.as_deref()))
        .collect();
    units
        .iter()
        .map(|unit| {
            let mut depth = 0;
            let mut current = unit.parent_id.as_deref();
            // Bounded walk: a cycle in bad data must not hang the page.
            while let Some(parent) = current {
                depth += 1;
                if depth > units.len() {
                    break;
                }
                current = parents.get(parent).copied().flatten();
            }
            depth
        })
        .collect()
}

fn kind_label(kind: OrgUnitKind) -> &'static str {
    match kind {
        OrgUnitKind::ExecutiveOffice => "Executive office",
        OrgUnitKind::Division => "Division",
        OrgUnitKind::Branch => "Branch",
        OrgUnitKind::Service => "Service",
        OrgUnitKind::RegionalOffice => "Regional office",
        OrgUnitKind::CountryOffice => "Country office",
        OrgUnitKind::LiaisonOffice => "Liaison office",
    }
}

#[component]
pub fn OrgUnitsPage() -> impl IntoView {
    let units =
        LocalResource::new(|| api::query::<OrgUnitsData>(ORG_UNITS_QUERY, serde_json::Value::Null));
    view! {
        <section class="org-units" aria-labelledby="org-units-title">
            <h1 id="org-units-title">"Organisation"</h1>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match units.await {
                        Ok(data) => view! { <OrgUnitList units=data.org_units/> }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert" data-error-code=error.code.clone()>
                                {format!("{} ({})", error.message, error.code)}
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OrgUnitList(units: Vec<OrgUnitRow>) -> impl IntoView {
    let depths = depths(&units);
    let count = units.len();
    view! {
        <p class="summary">{format!("{count} org units")}</p>
        <ul class="org-tree" data-test="org-units">
            {units
                .into_iter()
                .zip(depths)
                .map(|(unit, depth)| {
                    let code = unit.code.clone();
                    view! {
                        <li class="org-unit" style=("--depth", depth.to_string()) data-code=code>
                            <span class="code">{unit.code}</span>
                            <span class="name">{unit.name}</span>
                            <span class="kind">{kind_label(unit.kind)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
