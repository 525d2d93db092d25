//! Grants: the closure dashboard (cohorts, backlog, rates by division and donor, each bar a
//! way into the grants behind it), grant lists with the finance officer's worklist, and a
//! grant's page with its timeline, history and the next step of its closure, and the import
//! of the ERP's grant list.

mod dashboard;
mod grant_page;
mod import;
mod list;

pub use dashboard::ClosureDashboardPage;
pub use grant_page::GrantPage;
pub use import::GrantImportPage;
pub use list::{GrantListPage, WorklistPage};

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use steward_shared::access::Operation;
use steward_shared::grants::{AgeingBand, ClosureState, GrantStatus};

use crate::i18n::{Key, tr};
use crate::shell::session::use_session;

/// `Date` values travel as YYYY-MM-DD strings, `DateTime` values as RFC 3339.
type Date = String;
type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql",
    extern_enums("AgeingBand"),
    response_derives = "Clone"
)]
pub struct ClosureDashboard;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql",
    extern_enums("ClosureState"),
    response_derives = "Clone"
)]
pub struct GrantList;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql",
    extern_enums("ClosureState", "GrantStatus"),
    response_derives = "Clone"
)]
pub struct GrantDetail;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql"
)]
pub struct CompleteGrantActivities;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql"
)]
pub struct SubmitGrantClosure;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql"
)]
pub struct ApproveGrantClosure;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/grants/queries.graphql"
)]
pub struct ReopenGrant;

#[allow(dead_code)]
type Unused = (DateTime, AgeingBand, GrantStatus);

/// A closure state's name in the user's language.
fn state_label(state: ClosureState) -> Key {
    match state {
        ClosureState::NotYetDue => Key::GrantsStateNotYetDue,
        ClosureState::Due => Key::GrantsStateDue,
        ClosureState::Overdue => Key::GrantsStateOverdue,
        ClosureState::ClosedOnTime => Key::GrantsStateClosedOnTime,
        ClosureState::ClosedLate => Key::GrantsStateClosedLate,
        ClosureState::Cancelled => Key::GrantsStateCancelled,
    }
}

#[component]
pub fn GrantsLayout() -> impl IntoView {
    let session = use_session();
    let may_import = move || session.get().may(Operation::ImportGrants);
    view! {
        <section class="grants">
            <h1>{tr(Key::NavGrants)}</h1>
            <nav class="tabs" aria-label=tr(Key::NavGrants)>
                <A href="/grants" exact=true>{tr(Key::GrantsDashboard)}</A>
                <A href="/grants/worklist">{tr(Key::GrantsWorklist)}</A>
                <A href="/grants/list">{tr(Key::GrantsAll)}</A>
                <Show when=may_import>
                    <A href="/grants/import">{tr(Key::GrantsImportTab)}</A>
                </Show>
            </nav>
            <Outlet/>
        </section>
    }
}
