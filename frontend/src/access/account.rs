//! The signed-in person's own account: roles, password, API tokens. The same token list serves
//! the administrators' account page.

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use steward_shared::access::{MIN_PASSWORD_CHARS, Operation, Role};

use crate::api::{self, ApiError};
use crate::components::states::{load, show};
use crate::components::{Empty, ErrorView, FormField};
use crate::i18n::{Key, tr, use_i18n};
use crate::shell::session::use_session;

type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql",
    extern_enums("Role"),
    response_derives = "Clone"
)]
struct MyAccount;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql"
)]
struct ChangePassword;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql"
)]
struct CreateApiToken;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql"
)]
struct RevokeApiToken;

/// A role's name in the user's language.
pub fn role_label(role: Role) -> Key {
    match role {
        Role::Administrator => Key::RolesAdministrator,
        Role::Executive => Key::RolesExecutive,
        Role::Director => Key::RolesDirector,
        Role::Head => Key::RolesHead,
        Role::FocalPoint => Key::RolesFocalPoint,
        Role::CommitteeSecretary => Key::RolesCommitteeSecretary,
        Role::FinanceOfficer => Key::RolesFinanceOfficer,
        Role::Staff => Key::RolesStaff,
        Role::Auditor => Key::RolesAuditor,
    }
}

/// A role and where it applies ("Finance officer · ROAP"), in the user's language.
pub fn role_text(role: Role, unit_code: Option<&str>) -> impl Fn() -> String + use<> {
    let i18n = use_i18n();
    let unit = unit_code.map(str::to_owned);
    move || match &unit {
        Some(code) => format!("{} · {code}", i18n.t(role_label(role))),
        None => format!(
            "{} · {}",
            i18n.t(role_label(role)),
            i18n.t(Key::AdminOrganisationWide)
        ),
    }
}

/// An API token as both pages list it.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub read_only: bool,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub usable: bool,
}

/// What the last change on a page did: nothing yet, done (with its message), or refused.
pub type Outcome = RwSignal<Option<Result<Key, ApiError>>>;

#[component]
pub fn OutcomeLine(outcome: Outcome) -> impl IntoView {
    move || match outcome.get() {
        None => ().into_any(),
        Some(Ok(key)) => {
            view! { <p class="notice" role="status" data-test="outcome">{tr(key)}</p> }.into_any()
        }
        Some(Err(error)) => view! { <ErrorView error/> }.into_any(),
    }
}

/// Sends a change and reports it in `outcome`; `after` runs when it succeeded.
pub fn change(body: String, outcome: Outcome, done: Key, after: impl FnOnce() + 'static) {
    outcome.set(None);
    api::dispatch(body, move |answer| {
        match answer.and_then(|answer| api::succeeded(&answer)) {
            Ok(()) => {
                outcome.set(Some(Ok(done)));
                after();
            }
            Err(error) => outcome.set(Some(Err(error))),
        }
    });
}

pub fn revoke_token_request(id: String) -> String {
    api::request::<RevokeApiToken>(revoke_api_token::Variables { id })
}

/// A list of API tokens with their state, each revocable while it works.
#[component]
pub fn TokenList(
    tokens: Vec<TokenRow>,
    /// Called with a token's id when its Revoke button is pressed.
    on_revoke: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    if tokens.is_empty() {
        return view! { <p class="muted">{tr(Key::TokensNone)}</p> }.into_any();
    }
    view! {
        <ul class="tokens" data-test="tokens">
            {tokens.into_iter().map(|token| {
                let state = if token.usable {
                    Key::TokensUsable
                } else if token.revoked_at.is_some() {
                    Key::TokensRevoked
                } else {
                    Key::TokensExpired
                };
                let expires = token.expires_at.clone();
                let last_used = token.last_used_at.clone();
                let id = token.id.clone();
                view! {
                    <li class="token" class:ended=!token.usable data-test="token">
                        <strong>{token.name}</strong>
                        <code>{format!("{}…", token.prefix)}</code>
                        <span class="badge">{tr(state)}</span>
                        <span class="muted">
                            {tr(if token.read_only { Key::TokensReadOnly } else { Key::TokensReadWrite })}
                            " · " {tr(Key::TokensExpires)} " " {move || i18n.date_time(&expires)}
                            " · " {tr(Key::TokensLastUsed)} " "
                            {move || last_used.as_deref().map(|at| i18n.date_time(at)).unwrap_or_else(|| "—".to_owned())}
                        </span>
                        {token.usable.then(|| view! {
                            <button type="button" class="secondary" data-test="revoke"
                                on:click=move |_| on_revoke.run(id.clone())>
                                {tr(Key::TokensRevoke)}
                            </button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn MyAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let account = load::<MyAccount>(move || {
        reload.track();
        my_account::Variables
    });
    let outcome: Outcome = RwSignal::new(None);
    let on_revoke = Callback::new(move |id: String| {
        change(
            revoke_token_request(id),
            outcome,
            Key::TokensRevokedDone,
            move || reload.update(|n| *n += 1),
        );
    });
    view! {
        <section class="my-account" data-test="my-account">
            <h1>{tr(Key::AccountTitle)}</h1>
            {show::<MyAccount, _>(account, move |data| {
                let account = data.viewer.account;
                let password_set = account.password_changed_at.clone();
                let tokens = account.api_tokens.into_iter().map(|t| TokenRow {
                    id: t.id, name: t.name, prefix: t.prefix, read_only: t.read_only,
                    expires_at: t.expires_at, last_used_at: t.last_used_at,
                    revoked_at: t.revoked_at, usable: t.usable,
                }).collect::<Vec<_>>();
                view! {
                    <dl class="facts">
                        <dt>{tr(Key::AdminEmail)}</dt>
                        <dd data-test="my-email">{account.email}</dd>
                        <dt>{tr(Key::AdminPerson)}</dt>
                        <dd>{account.person.map(|p| view! {
                            <a href=format!("/organisation/people/{}", p.id)>{p.name}</a>
                        })}</dd>
                        <dt>{tr(Key::AccountPasswordSet)}</dt>
                        <dd>{move || password_set.as_deref().map(|at| i18n.date_time(at))}</dd>
                        <dt>{tr(Key::AdminRoles)}</dt>
                        <dd>
                            {if account.roles.is_empty() { Some(view! { <Empty/> }) } else { None }}
                            <ul class="roles">
                                {account.roles.into_iter().map(|r| {
                                    view! { <li>{role_text(r.role, r.org_unit.as_ref().map(|u| u.code.as_str()))}</li> }
                                }).collect_view()}
                            </ul>
                        </dd>
                    </dl>
                    <h2>{tr(Key::TokensTitle)}</h2>
                    <p class="muted">{tr(Key::TokensAbout)}</p>
                    <TokenList tokens on_revoke/>
                }
            })}
            <OutcomeLine outcome/>
            {move || use_session().get().may(Operation::ManageOwnAccount).then(|| view! {
                <NewToken outcome reload/>
                <PasswordForm outcome/>
            })}
        </section>
    }
}

/// A new token: its name, access and lifetime; the secret is shown once.
#[component]
fn NewToken(outcome: Outcome, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let days = RwSignal::new("90".to_owned());
    let read_only = RwSignal::new(true);
    let name_error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let typed = name.get_untracked().trim().to_owned();
        name_error.set(
            typed
                .is_empty()
                .then(|| i18n.t(Key::AccountRequired).to_owned()),
        );
        if typed.is_empty() {
            return;
        }
        outcome.set(None);
        secret.set(None);
        let body = api::request::<CreateApiToken>(create_api_token::Variables {
            name: typed,
            read_only: read_only.get_untracked(),
            expires_in_days: days.get_untracked().trim().parse().ok(),
        });
        api::dispatch(body, move |answer| {
            match answer.and_then(|answer| api::decode::<CreateApiToken>(&answer)) {
                Ok(data) => {
                    secret.set(Some(data.create_api_token.token));
                    name.set(String::new());
                    reload.update(|n| *n += 1);
                }
                Err(error) => outcome.set(Some(Err(error))),
            }
        });
    };
    view! {
        <form class="stacked" on:submit=submit data-test="new-token" novalidate>
            <h3>{tr(Key::TokensCreate)}</h3>
            <FormField id="token-name" label=Signal::derive(tr(Key::TokensName).to_owned())
                value=name error=name_error/>
            <FormField id="token-days" kind="number"
                label=Signal::derive(tr(Key::TokensDays).to_owned()) value=days/>
            <label class="check">
                <input type="checkbox" bind:checked=read_only/>
                <span>{tr(Key::TokensReadOnly)}</span>
            </label>
            <button type="submit">{tr(Key::TokensCreate)}</button>
            {move || secret.get().map(|token| view! {
                <p class="notice" role="status">
                    {tr(Key::TokensCreated)} " " <code class="secret" data-test="secret">{token}</code>
                </p>
            })}
        </form>
    }
}

#[component]
fn PasswordForm(outcome: Outcome) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let current_error = RwSignal::new(None::<String>);
    let new_error = RwSignal::new(None::<String>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (typed_current, typed_new) = (current.get_untracked(), new.get_untracked());
        current_error.set(
            typed_current
                .is_empty()
                .then(|| i18n.t(Key::AccountRequired).to_owned()),
        );
        // The server checks the whole policy; the length is checked here to answer at once.
        new_error.set(
            (typed_new.chars().count() < MIN_PASSWORD_CHARS)
                .then(|| i18n.t(Key::AccountNewPasswordHint).to_owned()),
        );
        if current_error.get_untracked().is_some() || new_error.get_untracked().is_some() {
            return;
        }
        let body = api::request::<ChangePassword>(change_password::Variables {
            current_password: typed_current,
            new_password: typed_new,
        });
        change(body, outcome, Key::AccountPasswordChanged, move || {
            current.set(String::new());
            new.set(String::new());
        });
    };
    view! {
        <form class="stacked" on:submit=submit data-test="change-password" novalidate>
            <h3>{tr(Key::AccountChangePassword)}</h3>
            <FormField id="current-password" kind="password" autocomplete="current-password"
                label=Signal::derive(tr(Key::AccountCurrentPassword).to_owned())
                value=current error=current_error/>
            <FormField id="new-password" kind="password" autocomplete="new-password"
                label=Signal::derive(tr(Key::AccountNewPassword).to_owned())
                value=new error=new_error/>
            <p class="muted">{tr(Key::AccountNewPasswordHint)}</p>
            <button type="submit">{tr(Key::AccountChangePassword)}</button>
        </form>
    }
}
