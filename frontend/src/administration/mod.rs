//! Administration, for administrators and auditors: accounts with their roles, the audit
//! trail (with its CSV export) and the security log. The server decides who sees what; the
//! tabs only follow the account's permissions.

mod account_page;

pub use account_page::AccountPage;

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use steward_shared::access::{Operation, Role};

use crate::components::states::{load, show};
use crate::components::{Column, DataTable, Empty, FilterBar, Paging, SortState};
use crate::i18n::{Key, tr, use_i18n};
use crate::shell::session::use_session;

/// `Date` values travel as YYYY-MM-DD strings, `DateTime` values as RFC 3339.
type Date = String;
type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql",
    extern_enums("Role"),
    response_derives = "Debug, Clone"
)]
struct Accounts;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql",
    response_derives = "Debug, Clone"
)]
struct AuditTrail;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql",
    response_derives = "Clone"
)]
struct SecurityLog;

/// A security-log event kind in the user's language (`None` for a kind this app does not know
/// yet, from a newer server).
fn event_kind(kind: &security_log::SecurityEventKind) -> Option<Key> {
    use security_log::SecurityEventKind as Kind;
    Some(match kind {
        Kind::SIGN_IN_SUCCEEDED => Key::AdminEventsSignInSucceeded,
        Kind::SIGN_IN_FAILED => Key::AdminEventsSignInFailed,
        Kind::SIGN_IN_THROTTLED => Key::AdminEventsSignInThrottled,
        Kind::SIGNED_OUT => Key::AdminEventsSignedOut,
        Kind::TOKEN_CREATED => Key::AdminEventsTokenCreated,
        Kind::TOKEN_USED => Key::AdminEventsTokenUsed,
        Kind::TOKEN_REVOKED => Key::AdminEventsTokenRevoked,
        Kind::TOKEN_REFUSED => Key::AdminEventsTokenRefused,
        Kind::ACCESS_REFUSED => Key::AdminEventsAccessRefused,
        Kind::PASSWORD_CHANGED => Key::AdminEventsPasswordChanged,
        Kind::PASSWORD_RESET => Key::AdminEventsPasswordReset,
        Kind::ACCOUNT_DEACTIVATED => Key::AdminEventsAccountDeactivated,
        Kind::ACCOUNT_REACTIVATED => Key::AdminEventsAccountReactivated,
        Kind::Other(_) => return None,
    })
}

#[allow(dead_code)]
type Unused = (Role, Date, DateTime);

/// Whether the signed-in account may see any part of the administration.
pub fn may_administer(operations: &[Operation]) -> bool {
    [
        Operation::ReadAccounts,
        Operation::ReadAuditTrail,
        Operation::ReadSecurityLog,
    ]
    .iter()
    .any(|op| operations.contains(op))
}

#[component]
pub fn AdministrationLayout() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="administration">
            <h1>{tr(Key::NavAdministration)}</h1>
            {move || {
                let current = session.get();
                if !(current.may(Operation::ReadAccounts) || current.may(Operation::ReadAuditTrail)) {
                    return view! { <p class="state" data-test="not-allowed">{tr(Key::AdminNotAllowed)}</p> }.into_any();
                }
                view! {
                    <nav class="tabs" aria-label=tr(Key::NavAdministration)>
                        <A href="/administration/accounts">{tr(Key::AdminAccounts)}</A>
                        <A href="/administration/audit">{tr(Key::AdminAudit)}</A>
                        <A href="/administration/security">{tr(Key::AdminSecurity)}</A>
                    </nav>
                    <Outlet/>
                }.into_any()
            }}
        </section>
    }
}

fn no_sort() -> RwSignal<SortState> {
    RwSignal::new(SortState {
        field: "",
        descending: false,
    })
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let paging = Paging::new();
    Effect::new(move |_| {
        search.track();
        paging.restart();
    });
    let accounts = load::<Accounts>(move || {
        let term = search.get().trim().to_owned();
        accounts::Variables {
            search: (!term.is_empty()).then_some(term),
            after: paging.after.get(),
        }
    });
    let i18n = use_i18n();
    view! {
        <FilterBar search placeholder=Signal::derive(move || i18n.t(Key::AdminEmail).to_owned())
            on_reset=Callback::new(move |()| search.set(String::new()))/>
        {show::<Accounts, _>(accounts, move |data| {
                        let list = data.accounts;
                        let shown = list.nodes.len();
                        let rows = list.nodes.into_iter().map(|account| {
                            let roles = account.roles.iter().map(|r| match &r.org_unit {
                                Some(unit) => format!("{} ({})", r.role, unit.code),
                                None => r.role.to_string(),
                            }).collect::<Vec<_>>().join(", ");
                            let active = account.active;
                            view! {
                                <tr data-test="account-row">
                                    <td data-label=tr(Key::AdminEmail)>
                                        <A href=format!("/administration/accounts/{}", account.id)>{account.email}</A>
                                    </td>
                                    <td data-label=tr(Key::OrganisationName)>{account.person.map(|p| p.name)}</td>
                                    <td data-label=tr(Key::AdminRoles)>{roles}</td>
                                    <td data-label=tr(Key::AdminTokens)>{account.api_tokens.len()}</td>
                                    <td data-label=tr(Key::AdminStatus)>{tr(if active { Key::AdminActive } else { Key::AdminDeactivated })}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            {if shown == 0 { Some(view! { <Empty/> }) } else { None }}
                            <DataTable columns=vec![
                                Column { label: Key::AdminEmail, sort: None },
                                Column { label: Key::OrganisationName, sort: None },
                                Column { label: Key::AdminRoles, sort: None },
                                Column { label: Key::AdminTokens, sort: None },
                                Column { label: Key::AdminStatus, sort: None },
                            ] sort=no_sort() caption=Signal::derive(move || i18n.t(Key::AdminAccounts).to_owned())>
                                {rows}
                            </DataTable>
                            {paging.pager(shown, list.total_count, list.page_info.has_next_page, list.page_info.end_cursor)}
                        }
        })}
    }
}

#[component]
pub fn AuditTrailPage() -> impl IntoView {
    let i18n = use_i18n();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let paging = Paging::new();
    Effect::new(move |_| {
        from.track();
        to.track();
        paging.restart();
    });
    let trail = load::<AuditTrail>(move || {
        let (from, to) = (from.get(), to.get());
        audit_trail::Variables {
            from: (!from.is_empty()).then_some(from),
            to: (!to.is_empty()).then_some(to),
            after: paging.after.get(),
        }
    });
    let export = move || {
        let mut query = Vec::new();
        if !from.get().is_empty() {
            query.push(format!("from={}", from.get()));
        }
        if !to.get().is_empty() {
            query.push(format!("to={}", to.get()));
        }
        format!("/api/exports/audit-trail?{}", query.join("&"))
    };
    view! {
        <div class="filter-bar">
            <label class="filter"><span>{tr(Key::AdminFrom)}</span><input type="date" bind:value=from/></label>
            <label class="filter"><span>{tr(Key::AdminTo)}</span><input type="date" bind:value=to/></label>
            <a class="button secondary" href=export download="">{tr(Key::AdminExport)}</a>
        </div>
        {show::<AuditTrail, _>(trail, move |data| {
                        let list = data.audit_trail;
                        let shown = list.nodes.len();
                        let rows = list.nodes.into_iter().map(|entry| {
                            let at = entry.at.clone();
                            view! {
                                <tr data-test="audit-row">
                                    <td data-label=tr(Key::AdminWhen)>{move || i18n.date_time(&at)}</td>
                                    <td data-label=tr(Key::AdminWho)>{entry.actor}</td>
                                    <td data-label=tr(Key::AdminWhat)>{format!("{} · {}", entry.action, entry.entity)}</td>
                                    <td data-label=tr(Key::AdminRecord)><code>{entry.record_id}</code></td>
                                    <td data-label=tr(Key::AdminReason)>{entry.reason}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            {if shown == 0 { Some(view! { <Empty/> }) } else { None }}
                            <DataTable columns=vec![
                                Column { label: Key::AdminWhen, sort: None },
                                Column { label: Key::AdminWho, sort: None },
                                Column { label: Key::AdminWhat, sort: None },
                                Column { label: Key::AdminRecord, sort: None },
                                Column { label: Key::AdminReason, sort: None },
                            ] sort=no_sort() caption=Signal::derive(move || i18n.t(Key::AdminAudit).to_owned())>
                                {rows}
                            </DataTable>
                            {paging.pager(shown, list.total_count, list.page_info.has_next_page, list.page_info.end_cursor)}
                        }
        })}
    }
}

#[component]
pub fn SecurityLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let paging = Paging::new();
    let log = load::<SecurityLog>(move || security_log::Variables {
        kinds: None,
        after: paging.after.get(),
    });
    view! {
        {show::<SecurityLog, _>(log, move |data| {
                        let list = data.security_log;
                        let shown = list.nodes.len();
                        let rows = list.nodes.into_iter().map(|entry| {
                            let at = entry.at.clone();
                            let kind = event_kind(&entry.kind);
                            view! {
                                <tr data-test="security-row">
                                    <td data-label=tr(Key::AdminWhen)>{move || i18n.date_time(&at)}</td>
                                    <td data-label=tr(Key::AdminWhat)>{kind.map(tr)}</td>
                                    <td data-label=tr(Key::AdminEmail)>{entry.email}</td>
                                    <td data-label=tr(Key::AdminAddress)>{entry.address}</td>
                                    <td data-label=tr(Key::AdminDetail)>{entry.detail}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <DataTable columns=vec![
                                Column { label: Key::AdminWhen, sort: None },
                                Column { label: Key::AdminWhat, sort: None },
                                Column { label: Key::AdminEmail, sort: None },
                                Column { label: Key::AdminAddress, sort: None },
                                Column { label: Key::AdminDetail, sort: None },
                            ] sort=no_sort() caption=Signal::derive(move || i18n.t(Key::AdminSecurity).to_owned())>
                                {rows}
                            </DataTable>
                            {paging.pager(shown, list.total_count, list.page_info.has_next_page, list.page_info.end_cursor)}
                        }
        })}
    }
}
