//! The Steward browser app: Leptos, client-side rendered, compiled to WebAssembly.

mod access;
mod administration;
mod api;
mod components;
mod grants;
mod i18n;
mod organisation;
mod shell;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use i18n::Key;
use shell::session::provide_session;
use shell::{ComingPage, Shell};

fn main() {
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    i18n::provide_i18n();
    let session = provide_session();
    leptos::task::spawn_local(async move {
        session.set(access::current_session().await);
    });
    view! {
        <Router>
            <Routes fallback=move || view! {
                <main id="main" class="app-main"><ComingPage title=Key::ErrorsNotFound about=Key::ErrorsNotFound/></main>
            }>
                <Route path=path!("/sign-in") view=access::SignInPage/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("/") view=|| view! { <ComingPage title=Key::NavDashboard about=Key::ComingDashboard/> }/>
                    <Route path=path!("/logframe") view=|| view! { <ComingPage title=Key::NavLogframe about=Key::ComingLogframe/> }/>
                    <Route path=path!("/calendar") view=|| view! { <ComingPage title=Key::NavCalendar about=Key::ComingCalendar/> }/>
                    <ParentRoute path=path!("/grants") view=grants::GrantsLayout>
                        <Route path=path!("") view=grants::ClosureDashboardPage/>
                        <Route path=path!("worklist") view=grants::WorklistPage/>
                        <Route path=path!("list") view=grants::GrantListPage/>
                        <Route path=path!("import") view=grants::GrantImportPage/>
                        <Route path=path!(":number") view=grants::GrantPage/>
                    </ParentRoute>
                    <Route path=path!("/reviews") view=|| view! { <ComingPage title=Key::NavReviews about=Key::ComingReviews/> }/>
                    <Route path=path!("/accountability") view=|| view! { <ComingPage title=Key::NavAccountability about=Key::ComingAccountability/> }/>
                    <Route path=path!("/account") view=access::account::MyAccountPage/>
                    <ParentRoute path=path!("/organisation") view=organisation::OrganisationLayout>
                        <Route path=path!("") view=organisation::OrgUnitsPage/>
                        <Route path=path!("units") view=organisation::OrgUnitsPage/>
                        <Route path=path!("people") view=organisation::PeoplePage/>
                        <Route path=path!("people/:id") view=organisation::PersonPage/>
                    </ParentRoute>
                    <ParentRoute path=path!("/administration") view=administration::AdministrationLayout>
                        <Route path=path!("") view=administration::AccountsPage/>
                        <Route path=path!("accounts") view=administration::AccountsPage/>
                        <Route path=path!("accounts/:id") view=administration::AccountPage/>
                        <Route path=path!("audit") view=administration::AuditTrailPage/>
                        <Route path=path!("security") view=administration::SecurityLogPage/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
