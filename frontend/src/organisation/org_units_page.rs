//! The org tree, as the server lists it.

use leptos::prelude::*;
use serde::Deserialize;
use steward_shared::organisation::OrgUnitKind;

use crate::api;

const ORG_UNITS_QUERY: &str =
    "query OrgUnits { orgUnits(first: 100) { totalCount nodes { id code name kind depth } } }";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgUnitsData {
    org_units: OrgUnitPage,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgUnitPage {
    total_count: u64,
    nodes: Vec<OrgUnitRow>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgUnitRow {
    code: String,
    name: String,
    kind: OrgUnitKind,
    depth: u32,
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
                        Ok(data) => view! {
                            <OrgUnitList total=data.org_units.total_count units=data.org_units.nodes/>
                        }.into_any(),
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
fn OrgUnitList(total: u64, units: Vec<OrgUnitRow>) -> impl IntoView {
    view! {
        <p class="summary">{format!("{total} org units")}</p>
        <ul class="org-tree" data-test="org-units">
            {units
                .into_iter()
                .map(|unit| {
                    let code = unit.code.clone();
                    let depth = unit.depth;
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
