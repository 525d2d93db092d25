//! The organisation area: the org tree as of any date, people with search and filters, and a
//! person's page.

mod labels;
mod people_page;
mod person_page;
mod units_page;

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use steward_shared::organisation::{GradeCategory, Language, OrgUnitKind, PersonFlagKind};

use crate::i18n::{Key, tr};

pub use people_page::PeoplePage;
pub use person_page::PersonPage;
pub use units_page::OrgUnitsPage;

/// `Date` values travel as ISO 8601 strings (YYYY-MM-DD); the browser formats them.
type Date = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/organisation/queries.graphql",
    extern_enums("OrgUnitKind", "Language"),
    response_derives = "Debug, Clone"
)]
pub struct OrgUnits;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/organisation/queries.graphql",
    extern_enums("GradeCategory", "Language"),
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct People;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/organisation/queries.graphql",
    extern_enums("GradeCategory", "PersonFlagKind", "Language"),
    response_derives = "Debug, Clone"
)]
pub struct Person;

// The extern enums must be in scope where the queries are derived.
#[allow(dead_code)]
type Unused = (GradeCategory, Language, OrgUnitKind, PersonFlagKind);

/// The organisation's pages, with tabs for org units and people.
#[component]
pub fn OrganisationLayout() -> impl IntoView {
    view! {
        <section class="organisation">
            <h1>{tr(Key::NavOrganisation)}</h1>
            <nav class="tabs" aria-label=tr(Key::NavOrganisation)>
                <A href="/organisation/units">{tr(Key::OrganisationUnits)}</A>
                <A href="/organisation/people">{tr(Key::OrganisationPeople)}</A>
            </nav>
            <Outlet/>
        </section>
    }
}
