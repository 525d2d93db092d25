//! One account, for administrators: its roles (given and withdrawn with a reason), its API
//! tokens (revocable) and its status (deactivate, reactivate). Auditors see it read-only.

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use steward_shared::access::{Operation, Role};

use crate::access::account::{
    Outcome, OutcomeLine, TokenList, TokenRow, change, revoke_token_request, role_label, role_text,
};
use crate::api::{self, ApiError};
use crate::components::states::{load, show};
use crate::components::{ErrorView, FormField};
use crate::i18n::{I18n, Key, tr, use_i18n};
use crate::shell::session::use_session;

type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql",
    extern_enums("Role"),
    response_derives = "Clone"
)]
struct AccountDetail;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql",
    extern_enums("Role")
)]
struct AssignRole;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql",
    extern_enums("Role")
)]
struct WithdrawRole;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql"
)]
struct DeactivateAccount;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/administration/queries.graphql"
)]
struct ReactivateAccount;

/// What the page's change controls share: the account, the reason typed once for the next
/// change, its validation message, the outcome and a way to reload.
#[derive(Clone, Copy)]
struct Changes {
    i18n: I18n,
    account: StoredValue<String>,
    reason: RwSignal<String>,
    reason_error: RwSignal<Option<String>>,
    outcome: Outcome,
    reload: RwSignal<u32>,
}

impl Changes {
    /// The reason, or `None` (with the message shown) when none was given.
    fn reason(self) -> Option<String> {
        let reason = self.reason.get_untracked().trim().to_owned();
        let missing = reason.is_empty();
        self.reason_error
            .set(missing.then(|| self.i18n.t(Key::AdminReasonRequired).to_owned()));
        (!missing).then_some(reason)
    }

    fn send(self, body: String) {
        let Changes { reason, reload, .. } = self;
        change(body, self.outcome, Key::AdminSaved, move || {
            reason.set(String::new());
            reload.update(|n| *n += 1);
        });
    }

    fn role(self, give: bool, role: Role, org_unit_code: Option<String>) {
        let Some(reason) = self.reason() else { return };
        let account = self.account.get_value();
        let body = if give {
            use assign_role::ChangeRoleInput;
            api::request::<AssignRole>(assign_role::Variables {
                input: ChangeRoleInput {
                    account,
                    role,
                    org_unit_code,
                    reason,
                },
            })
        } else {
            use withdraw_role::ChangeRoleInput;
            api::request::<WithdrawRole>(withdraw_role::Variables {
                input: ChangeRoleInput {
                    account,
                    role,
                    org_unit_code,
                    reason,
                },
            })
        };
        self.send(body);
    }

    fn status(self, activate: bool) {
        let Some(reason) = self.reason() else { return };
        let account = self.account.get_value();
        let body = if activate {
            use reactivate_account::AccountStatusInput;
            api::request::<ReactivateAccount>(reactivate_account::Variables {
                input: AccountStatusInput { account, reason },
            })
        } else {
            use deactivate_account::AccountStatusInput;
            api::request::<DeactivateAccount>(deactivate_account::Variables {
                input: AccountStatusInput { account, reason },
            })
        };
        self.send(body);
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let reload = RwSignal::new(0u32);
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = load::<AccountDetail>(move || {
        reload.track();
        account_detail::Variables { id: id() }
    });
    let changes = Changes {
        i18n: use_i18n(),
        account: StoredValue::new(String::new()),
        reason: RwSignal::new(String::new()),
        reason_error: RwSignal::new(None),
        outcome: RwSignal::new(None),
        reload,
    };
    view! {
        <article class="account" data-test="account-page">
            <A href="/administration/accounts" attr:class="back">{tr(Key::AdminBack)}</A>
            {show::<AccountDetail, _>(detail, move |data| match data.node {
                Some(account_detail::AccountDetailNode::Account(account)) => {
                    changes.account.set_value(account.id.clone());
                    view! { <AccountDetails account changes/> }.into_any()
                }
                _ => view! { <ErrorView error=ApiError::not_found()/> }.into_any(),
            })}
        </article>
    }
}

#[component]
fn AccountDetails(
    account: account_detail::AccountDetailNodeOnAccount,
    changes: Changes,
) -> impl IntoView {
    let i18n = use_i18n();
    let may_manage = move || use_session().get().may(Operation::ManageAccounts);
    let active = account.active;
    let created = account.created_at.clone();
    let password_set = account.password_changed_at.clone();
    let tokens = account
        .api_tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            read_only: t.read_only,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            usable: t.usable,
        })
        .collect::<Vec<_>>();
    let on_revoke = Callback::new(move |id: String| {
        let reload = changes.reload;
        change(
            revoke_token_request(id),
            changes.outcome,
            Key::TokensRevokedDone,
            move || reload.update(|n| *n += 1),
        );
    });
    view! {
        <h2 data-test="account-email">{account.email}</h2>
        <dl class="facts">
            <dt>{tr(Key::AdminPerson)}</dt>
            <dd>{account.person.map(|p| view! { <a href=format!("/organisation/people/{}", p.id)>{p.name}</a> })}</dd>
            <dt>{tr(Key::AdminStatus)}</dt>
            <dd data-test="account-status">{tr(if active { Key::AdminActive } else { Key::AdminDeactivated })}</dd>
            <dt>{tr(Key::AdminCreated)}</dt>
            <dd>{move || i18n.date_time(&created)}</dd>
            <dt>{tr(Key::AccountPasswordSet)}</dt>
            <dd>{move || password_set.as_deref().map(|at| i18n.date_time(at))}</dd>
        </dl>
        <h3>{tr(Key::AdminRoles)}</h3>
        {account.roles.is_empty().then(|| view! { <p class="muted">{tr(Key::AdminNoRoles)}</p> })}
        <ul class="roles" data-test="roles">
            {account.roles.into_iter().map(|r| {
                let code = r.org_unit.map(|u| u.code);
                let role = r.role;
                let scope = code.clone();
                view! {
                    <li>
                        <span>{role_text(role, code.as_deref())}</span>
                        {move || may_manage().then(|| {
                            let scope = scope.clone();
                            view! {
                                <button type="button" class="secondary" data-test="withdraw"
                                    on:click=move |_| changes.role(false, role, scope.clone())>
                                    {tr(Key::AdminWithdraw)}
                                </button>
                            }
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <h3>{tr(Key::TokensTitle)}</h3>
        <TokenList tokens on_revoke/>
        <OutcomeLine outcome=changes.outcome/>
        {move || may_manage().then(|| view! { <ChangeControls changes active/> })}
    }
}

/// The reason for the next change, a role to give, and the account's status.
#[component]
fn ChangeControls(changes: Changes, active: bool) -> impl IntoView {
    let role = RwSignal::new(Role::Staff.code().to_owned());
    let unit = RwSignal::new(String::new());
    let give = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(role) = Role::parse(&role.get_untracked()) else {
            return;
        };
        let code = unit.get_untracked().trim().to_owned();
        changes.role(true, role, (!code.is_empty()).then_some(code));
    };
    view! {
        <section class="changes" data-test="changes">
            <h3>{tr(Key::AdminChanges)}</h3>
            <FormField id="change-reason" label=Signal::derive(tr(Key::AdminReasonLabel).to_owned())
                value=changes.reason error=changes.reason_error/>
            <form class="stacked" on:submit=give data-test="give-role" novalidate>
                <div class="field">
                    <label for="give-role-role">{tr(Key::AdminRole)}</label>
                    <select id="give-role-role" bind:value=role>
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.code()>{tr(role_label(r))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <FormField id="give-role-unit" label=Signal::derive(tr(Key::AdminUnitCode).to_owned())
                    value=unit/>
                <button type="submit">{tr(Key::AdminGiveRole)}</button>
            </form>
            <button type="button" class="secondary" data-test="account-status-change"
                on:click=move |_| changes.status(!active)>
                {tr(if active { Key::AdminDeactivate } else { Key::AdminReactivate })}
            </button>
        </section>
    }
}
