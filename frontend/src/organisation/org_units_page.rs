//! The org tree, as the server lists it.

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use steward_shared::organisation::OrgUnitKind;

use crate::api;

/// `Date` values arrive as ISO 8601 strings (YYYY-MM-DD); the browser formats them.
#[allow(dead_code)]
type Date = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/organisation/queries.graphql",
    extern_enums("OrgUnitKind"),
    response_derives = "Debug, Clone"
)]
struct OrgUnits;

type OrgUnitRow = org_units::OrgUnitsOrgUnitsNodes;

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
    let units = LocalResource::new(|| api::run::<OrgUnits>(org_units::Variables));
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
                            <p class="error" role="alert" data-error-code=error.code_label()>
                                {format!("{} ({})", error.message, error.code_label())}
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OrgUnitList(total: i64, units: Vec<OrgUnitRow>) -> impl IntoView {
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
