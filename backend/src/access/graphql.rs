//! Accounts, sign-in, tokens and the security log in GraphQL.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use axum::http::header;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use steward_shared::access::{Operation, Role};

use super::accounts::{self, By};
use super::caller::{AccessSettings, Credential, SignedIn};
use super::loaders::AccessLoaders;
use super::permissions::{Subject, authorize, caller, granted};
use super::security_log::{self, SecurityEvent, SecurityEventKind, SecurityLogEntry};
use super::{account, api_token, role_assignment, security_event, sessions, tokens};
use crate::audit::trail::Actor;
use crate::graphql::relay::{
    AccountConnection, Connection, PageArgs, SecurityLogEntryConnection, fetch_page, global_id,
    parse_global_id_of,
};
use crate::graphql::scalars::Date;
use crate::graphql::{ApiError, ApiResult, ErrorKind, db};
use crate::organisation::graphql::{OrgUnit, Person, page_complexity, today};
use crate::organisation::queries;

pub const ACCOUNT_TYPE: &str = "Account";
pub const API_TOKEN_TYPE: &str = "ApiToken";

fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a AccessLoaders> {
    ctx.data::<AccessLoaders>()
        .map_err(|_| ApiError::internal("access loaders missing from the request"))
}

fn settings<'a>(ctx: &Context<'a>) -> ApiResult<&'a AccessSettings> {
    ctx.data::<AccessSettings>()
        .map_err(|_| ApiError::internal("the schema was built without access settings"))
}

/// A user account: how a person signs in, and the roles they hold.
#[derive(Clone)]
pub struct Account(pub Arc<account::Model>);

impl Account {
    /// The account, if the caller may see it: their own, or with `READ_ACCOUNTS`.
    pub async fn load_visible(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Account>> {
        let me = caller(ctx)?.signed_in()?;
        if me.account_id != id {
            authorize(ctx, Operation::ReadAccounts, Subject::Organisation).await?;
        }
        Ok(loaders(ctx)?.account.load_one(id).await?.map(Account))
    }
}

/// A user account: how a person signs in, and the roles they hold.
#[Object]
impl Account {
    /// Opaque global identifier; use it with `node(id:)`.
    pub async fn id(&self) -> ID {
        global_id(ACCOUNT_TYPE, self.0.id)
    }
    /// The address used to sign in.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Whether the account can sign in and use its tokens.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When it was deactivated, if it is.
    async fn deactivated_at(&self) -> Option<DateTime<Utc>> {
        self.0.deactivated_at
    }
    /// When its password was last set.
    async fn password_changed_at(&self) -> Option<DateTime<Utc>> {
        self.0.password_changed_at
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Changes with every change to the account or its roles.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The person the account belongs to.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        Person::load(ctx, self.0.person_id, today()).await
    }
    /// The roles the account holds, each with its scope.
    async fn roles(&self, ctx: &Context<'_>) -> ApiResult<Vec<RoleAssignment>> {
        let rows = loaders(ctx)?
            .assignments
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(RoleAssignment {
                    role: Role::parse(&row.role)?,
                    org_unit_id: row.org_unit_id,
                })
            })
            .collect())
    }
    /// The account's API tokens, newest first (never their secrets).
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also list revoked and expired tokens.", default)] include_ended: bool,
    ) -> ApiResult<Vec<ApiToken>> {
        let now = Utc::now();
        let rows = loaders(ctx)?
            .tokens
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows
            .iter()
            .rev()
            .filter(|t| include_ended || (t.revoked_at.is_none() && t.expires_at > now))
            .cloned()
            .map(ApiToken)
            .collect())
    }
}

/// A role held in a scope: the whole organisation, or one org unit and the units under it.
pub struct RoleAssignment {
    role: Role,
    org_unit_id: Option<i32>,
}

/// A role held in a scope: the whole organisation, or one org unit and the units under it.
#[Object]
impl RoleAssignment {
    /// The role.
    async fn role(&self) -> Role {
        self.role
    }
    /// Where it applies: empty for the whole organisation, else this unit and those under it.
    async fn org_unit(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.org_unit_id {
            Some(id) => OrgUnit::load(ctx, id, today()).await,
            None => Ok(None),
        }
    }
}

/// An API token, for scripts and GraphiQL (`Authorization: Bearer …`). Its secret is shown only
/// when it is created.
#[derive(Clone)]
pub struct ApiToken(pub api_token::Model);

/// An API token, for scripts and GraphiQL (`Authorization: Bearer …`). Its secret is shown only
/// when it is created.
#[Object]
impl ApiToken {
    /// Opaque global identifier.
    async fn id(&self) -> ID {
        global_id(API_TOKEN_TYPE, self.0.id)
    }
    /// The name its owner gave it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The token's first characters, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// Whether it can only read.
    async fn read_only(&self) -> bool {
        self.0.read_only
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Whether it works now: not revoked, not expired.
    async fn usable(&self) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at > Utc::now()
    }
}

/// How the current request proved who it is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CredentialKind {
    /// A browser session (cookie).
    Session,
    /// An API token.
    ApiToken,
}

/// An operation the signed-in account may do.
#[derive(SimpleObject)]
pub struct GrantedOperation {
    /// The operation.
    operation: Operation,
    /// True when it may do it anywhere; false when only within the units of its roles.
    everywhere: bool,
}

/// The signed-in account, with what it may do.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The account.
    account: Account,
    /// How this request signed in.
    credential: CredentialKind,
    /// True for a read-only API token: nothing can be changed with it.
    read_only: bool,
    /// The operations this account may do (for menus; the server checks every request anyway).
    permissions: Vec<GrantedOperation>,
}

async fn viewer(ctx: &Context<'_>, signed_in: &SignedIn) -> ApiResult<Viewer> {
    let account = loaders(ctx)?
        .account
        .load_one(signed_in.account_id)
        .await?
        .ok_or_else(ApiError::sign_in_first)?;
    Ok(Viewer {
        account: Account(account),
        credential: match signed_in.credential {
            Credential::Token { .. } => CredentialKind::ApiToken,
            _ => CredentialKind::Session,
        },
        read_only: signed_in.read_only(),
        permissions: granted(signed_in)
            .into_iter()
            .map(|(operation, everywhere)| GrantedOperation {
                operation,
                everywhere,
            })
            .collect(),
    })
}

/// Which accounts to list.
#[derive(InputObject, Default)]
pub struct AccountFilter {
    /// Only accounts whose address contains this text, ignoring case.
    search: Option<String>,
    /// Only accounts holding this role (in any scope).
    role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    active: Option<bool>,
}

/// Which entries of the security log to read.
#[derive(InputObject, Default)]
pub struct SecurityLogFilter {
    /// Only entries of these kinds.
    kinds: Option<Vec<SecurityEventKind>>,
    /// Only entries about this account (its global id).
    account: Option<ID>,
    /// Only entries on or after this day (UTC).
    from: Option<Date>,
    /// Only entries on or before this day (UTC).
    to: Option<Date>,
}

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The signed-in account: who you are, how you signed in and what you may do.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Viewer> {
        let signed_in = caller(ctx)?.signed_in()?;
        viewer(ctx, signed_in).await
    }

    /// User accounts, by e-mail address, a page at a time. For administrators and auditors.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which accounts to list.")] filter: Option<AccountFilter>,
        #[graphql(desc = "At most this many accounts from the start (0–100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many accounts from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<AccountConnection> {
        authorize(ctx, Operation::ReadAccounts, Subject::Organisation).await?;
        let filter = filter.unwrap_or_default();
        let mut condition = Condition::all();
        if let Some(search) = filter
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
        {
            condition = condition.add(account::Column::Email.contains(search));
        }
        if let Some(active) = filter.active {
            condition = condition.add(account::Column::Active.eq(active));
        }
        if let Some(role) = filter.role {
            condition = condition.add(
                account::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(role_assignment::Column::AccountId)
                        .from(role_assignment::Entity)
                        .and_where(role_assignment::Column::Role.eq(role.code()))
                        .to_owned(),
                ),
            );
        }
        let query = account::Entity::find()
            .filter(condition)
            .order_by_asc(account::Column::Email)
            .order_by_asc(account::Column::Id);
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (window, total, rows) = fetch_page(db(ctx)?.reader(), query, &page).await?;
        Ok(Connection::new(
            window,
            total,
            rows.into_iter().map(|a| Account(Arc::new(a))).collect(),
        ))
    }

    /// The security log, newest first: sign-ins, sign-outs, tokens, refusals. For
    /// administrators and auditors.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn security_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which entries to list.")] filter: Option<SecurityLogFilter>,
        #[graphql(desc = "At most this many entries from the start (0–100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many entries from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<SecurityLogEntryConnection> {
        authorize(ctx, Operation::ReadSecurityLog, Subject::Organisation).await?;
        let filter = filter.unwrap_or_default();
        let mut condition = Condition::all();
        if let Some(kinds) = filter.kinds.filter(|k| !k.is_empty()) {
            condition =
                condition.add(security_event::Column::Kind.is_in(kinds.iter().map(|k| k.code())));
        }
        if let Some(account) = &filter.account {
            condition = condition.add(
                security_event::Column::AccountId.eq(parse_global_id_of(account, ACCOUNT_TYPE)?),
            );
        }
        if let Some(from) = filter
            .from
            .and_then(|d| chrono::NaiveDate::from(d).and_hms_opt(0, 0, 0))
        {
            condition = condition.add(security_event::Column::At.gte(from.and_utc()));
        }
        if let Some(end) = filter
            .to
            .and_then(|d| chrono::NaiveDate::from(d).succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
        {
            condition = condition.add(security_event::Column::At.lt(end.and_utc()));
        }
        let query = security_event::Entity::find()
            .filter(condition)
            .order_by_desc(security_event::Column::Id);
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (window, total, rows) = fetch_page(db(ctx)?.reader(), query, &page).await?;
        Ok(Connection::new(
            window,
            total,
            rows.into_iter().map(SecurityLogEntry::from_model).collect(),
        ))
    }
}

/// An e-mail address and password.
#[derive(InputObject)]
pub struct SignInInput {
    /// The address you sign in with.
    email: String,
    /// Your password.
    password: String,
}

/// Your current password and the new one.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// Your current password.
    current_password: String,
    /// The new password: at least 12 characters, not a common password.
    new_password: String,
}

/// A new API token.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// A name to recognise it by, e.g. "Monthly closure report script".
    name: String,
    /// A read-only token can read but never change anything.
    #[graphql(default)]
    read_only: bool,
    /// Days until it stops working (1–366; default 90).
    expires_in_days: Option<i32>,
}

/// A token just created: the only time its secret is shown.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The secret: send it as `Authorization: Bearer <token>`. Copy it now; it is not stored.
    token: String,
    /// The token's details.
    api_token: ApiToken,
}

/// A role to give, organisation-wide or for an org unit and the units under it.
#[derive(InputObject)]
pub struct RoleInput {
    /// The role.
    role: Role,
    /// The unit's code, e.g. `RPD`; leave out for the whole organisation.
    org_unit_code: Option<String>,
}

/// A new account for a person who has none.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// The person (global id).
    person: ID,
    /// The address they will sign in with.
    email: String,
    /// Their first password (they should change it): at least 12 characters, not common.
    password: String,
    /// Roles to give at once.
    #[graphql(default)]
    roles: Vec<RoleInput>,
    /// Why the account is created (kept in the audit trail).
    reason: Option<String>,
}

/// A role to give or take, with the reason.
#[derive(InputObject)]
pub struct ChangeRoleInput {
    /// The account (global id).
    account: ID,
    /// The role.
    role: Role,
    /// The unit's code; leave out for the organisation-wide role.
    org_unit_code: Option<String>,
    /// Why (required; kept in the audit trail).
    reason: String,
}

/// A new password set by an administrator.
#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The account (global id).
    account: ID,
    /// The new password: at least 12 characters, not common.
    new_password: String,
    /// Why (required; kept in the audit trail).
    reason: String,
}

/// An account to deactivate or reactivate.
#[derive(InputObject)]
pub struct AccountStatusInput {
    /// The account (global id).
    account: ID,
    /// Why (required; kept in the audit trail).
    reason: String,
}

fn by<'a>(actor: &'a Actor, request_id: Option<&'a str>) -> By<'a> {
    By { actor, request_id }
}

async fn unit_by_code(ctx: &Context<'_>, code: Option<&str>) -> ApiResult<Option<i32>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => queries::unit_by_code(db(ctx)?.reader(), code)
            .await?
            .map(|unit| Some(unit.id))
            .ok_or_else(|| {
                ApiError::validation(
                    "orgUnitCode",
                    format!("There is no org unit with code {code:?}."),
                )
            }),
    }
}

async fn account_after(ctx: &Context<'_>, id: i32) -> ApiResult<Account> {
    let row = accounts::find(db(ctx)?.reader(), id).await?;
    Ok(Account(Arc::new(row)))
}

#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Signs in with an e-mail address and password; the answer sets the session cookie. Too
    /// many failures for an address or from a client are refused for a while (`RATE_LIMITED`).
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Your e-mail address and password.")] input: SignInInput,
    ) -> ApiResult<Viewer> {
        let caller = caller(ctx)?;
        if caller
            .signed_in
            .as_ref()
            .is_some_and(|s| matches!(s.credential, Credential::Token { .. }))
        {
            return Err(ApiError::bad_request(
                "You are using an API token: sessions are for browsers. Send the request without the Authorization header.",
            ));
        }
        let outcome = sessions::sign_in(db(ctx)?, caller, &input.email, input.password).await?;
        ctx.insert_http_header(
            header::SET_COOKIE,
            sessions::session_cookie(settings(ctx)?, &outcome.session_token),
        );
        viewer(ctx, &outcome.signed_in).await
    }

    /// Ends this browser's session on the server and removes its cookie. True if a session
    /// ended.
    async fn sign_out(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let caller = caller(ctx)?;
        caller.signed_in()?;
        let ended = sessions::sign_out(db(ctx)?, caller).await?;
        ctx.insert_http_header(header::SET_COOKIE, sessions::cleared_cookie(settings(ctx)?));
        Ok(ended)
    }

    /// Changes your own password; your other sessions end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Your current and your new password.")] input: ChangePasswordInput,
    ) -> ApiResult<Account> {
        let me = authorize(ctx, Operation::ManageOwnAccount, Subject::Organisation).await?;
        let caller = caller(ctx)?;
        let db = db(ctx)?;
        sessions::check_throttle(db, caller, &me.email).await?;
        let account = accounts::find(db.reader(), me.account_id).await?;
        if !super::password::verify(input.current_password, account.password_hash.clone()).await {
            sessions::record_failure(
                db,
                caller,
                &me.email,
                Some(me.account_id),
                "wrong current password when changing it",
            )
            .await?;
            return Err(ApiError::validation(
                "currentPassword",
                "Your current password is not right.",
            ));
        }
        let name = person_name(ctx, account.person_id).await?;
        let hash =
            accounts::new_password_hash("newPassword", input.new_password, &account.email, &name)
                .await?;
        let keep = match me.credential {
            Credential::Session { session_id } => Some(session_id),
            _ => None,
        };
        let actor = Actor::of(caller);
        let txn = db.begin_write().await?;
        accounts::set_password(
            &txn,
            &by(&actor, caller.request_id.as_deref()),
            &account,
            hash,
            "change_password",
            keep,
            None,
        )
        .await?;
        security_log::record(
            &txn,
            caller,
            SecurityEvent::new(SecurityEventKind::PasswordChanged).account(account.id),
        )
        .await?;
        txn.commit().await?;
        account_after(ctx, account.id).await
    }

    /// Creates an API token for yourself. The answer holds its secret, shown this once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its name, whether it is read-only, and how long it lasts.")]
        input: CreateApiTokenInput,
    ) -> ApiResult<CreatedApiToken> {
        let me = authorize(ctx, Operation::ManageOwnAccount, Subject::Organisation).await?;
        let caller = caller(ctx)?;
        let actor = Actor::of(caller);
        let txn = db(ctx)?.begin_write().await?;
        let (secret, token) = tokens::create(
            &txn,
            &by(&actor, caller.request_id.as_deref()),
            me.account_id,
            &input.name,
            input.read_only,
            input.expires_in_days.map(i64::from),
        )
        .await?;
        security_log::record(
            &txn,
            caller,
            SecurityEvent::new(SecurityEventKind::TokenCreated)
                .account(me.account_id)
                .detail(format!("token {} ({})", token.id, token.name)),
        )
        .await?;
        txn.commit().await?;
        Ok(CreatedApiToken {
            token: secret,
            api_token: ApiToken(token),
        })
    }

    /// Revokes an API token: yours, or anyone's for an administrator.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's global id.")] id: ID,
    ) -> ApiResult<ApiToken> {
        let token_id = parse_global_id_of(&id, API_TOKEN_TYPE)?;
        let caller = caller(ctx)?;
        let me = caller.signed_in()?;
        let token = tokens::find(db(ctx)?.reader(), token_id).await?;
        if token.account_id == me.account_id {
            authorize(ctx, Operation::ManageOwnAccount, Subject::Organisation).await?;
        } else {
            // Someone else's token is invisible to those who may not manage accounts: the same
            // answer as for an id that names nothing (the refusal is still logged).
            authorize(ctx, Operation::ManageAccounts, Subject::Organisation)
                .await
                .map_err(|error| match error.kind() {
                    ErrorKind::Forbidden(_) => ApiError::not_found("There is no such API token."),
                    _ => error,
                })?;
        }
        let actor = Actor::of(caller);
        let txn = db(ctx)?.begin_write().await?;
        let revoked =
            tokens::revoke(&txn, &by(&actor, caller.request_id.as_deref()), token).await?;
        security_log::record(
            &txn,
            caller,
            SecurityEvent::new(SecurityEventKind::TokenRevoked)
                .account(revoked.account_id)
                .detail(format!("token {}", revoked.id)),
        )
        .await?;
        txn.commit().await?;
        Ok(ApiToken(revoked))
    }

    /// Creates an account for a person, with a first password and roles.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person, address, first password and roles.")]
        input: CreateAccountInput,
    ) -> ApiResult<Account> {
        authorize(ctx, Operation::ManageAccounts, Subject::Organisation).await?;
        let caller = caller(ctx)?;
        let person_id =
            parse_global_id_of(&input.person, crate::organisation::graphql::PERSON_TYPE)?;
        let email = accounts::normalise_email("email", &input.email)?;
        let name = person_name(ctx, person_id).await?;
        let mut roles = Vec::new();
        for role in &input.roles {
            roles.push((
                role.role,
                unit_by_code(ctx, role.org_unit_code.as_deref()).await?,
            ));
        }
        let hash = accounts::new_password_hash("password", input.password, &email, &name).await?;
        let reason = input
            .reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let actor = Actor::of(caller);
        let by = by(&actor, caller.request_id.as_deref());
        let txn = db(ctx)?.begin_write().await?;
        let created =
            accounts::create(&txn, &by, person_id, &email, Some(hash), reason.clone()).await?;
        for (role, unit) in roles {
            accounts::assign_role(&txn, &by, created.id, role, unit, reason.clone()).await?;
        }
        txn.commit().await?;
        account_after(ctx, created.id).await
    }

    /// Gives an account a role, organisation-wide or for an org unit and those under it.
    async fn assign_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account, role, scope and reason.")] input: ChangeRoleInput,
    ) -> ApiResult<Account> {
        change_role(ctx, input, true).await
    }

    /// Takes a role away from an account.
    async fn withdraw_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account, role, scope and reason.")] input: ChangeRoleInput,
    ) -> ApiResult<Account> {
        change_role(ctx, input, false).await
    }

    /// Sets a new password for an account; all its sessions end.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account, the new password and the reason.")]
        input: ResetPasswordInput,
    ) -> ApiResult<Account> {
        authorize(ctx, Operation::ManageAccounts, Subject::Organisation).await?;
        let caller = caller(ctx)?;
        let db = db(ctx)?;
        let account_id = parse_global_id_of(&input.account, ACCOUNT_TYPE)?;
        let reason = accounts::required_reason(Some(input.reason))?;
        let account = accounts::find(db.reader(), account_id).await?;
        let name = person_name(ctx, account.person_id).await?;
        let hash =
            accounts::new_password_hash("newPassword", input.new_password, &account.email, &name)
                .await?;
        let actor = Actor::of(caller);
        let txn = db.begin_write().await?;
        accounts::set_password(
            &txn,
            &by(&actor, caller.request_id.as_deref()),
            &account,
            hash,
            "reset_password",
            None,
            Some(reason),
        )
        .await?;
        security_log::record(
            &txn,
            caller,
            SecurityEvent::new(SecurityEventKind::PasswordReset).account(account.id),
        )
        .await?;
        txn.commit().await?;
        account_after(ctx, account_id).await
    }

    /// Deactivates an account: it cannot sign in, and all its sessions and tokens end at once.
    async fn deactivate_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and the reason.")] input: AccountStatusInput,
    ) -> ApiResult<Account> {
        set_active(ctx, input, false).await
    }

    /// Lets a deactivated account sign in again (its old tokens stay revoked).
    async fn reactivate_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and the reason.")] input: AccountStatusInput,
    ) -> ApiResult<Account> {
        set_active(ctx, input, true).await
    }
}

async fn change_role(ctx: &Context<'_>, input: ChangeRoleInput, give: bool) -> ApiResult<Account> {
    authorize(ctx, Operation::ManageAccounts, Subject::Organisation).await?;
    let caller = caller(ctx)?;
    let account_id = parse_global_id_of(&input.account, ACCOUNT_TYPE)?;
    let reason = accounts::required_reason(Some(input.reason))?;
    let unit = unit_by_code(ctx, input.org_unit_code.as_deref()).await?;
    let actor = Actor::of(caller);
    let by = by(&actor, caller.request_id.as_deref());
    let txn = db(ctx)?.begin_write().await?;
    if give {
        accounts::assign_role(&txn, &by, account_id, input.role, unit, Some(reason)).await?;
    } else {
        accounts::withdraw_role(&txn, &by, account_id, input.role, unit, reason).await?;
    }
    txn.commit().await?;
    account_after(ctx, account_id).await
}

async fn set_active(
    ctx: &Context<'_>,
    input: AccountStatusInput,
    active: bool,
) -> ApiResult<Account> {
    let me = authorize(ctx, Operation::ManageAccounts, Subject::Organisation).await?;
    let caller = caller(ctx)?;
    let account_id = parse_global_id_of(&input.account, ACCOUNT_TYPE)?;
    let reason = accounts::required_reason(Some(input.reason))?;
    if !active && account_id == me.account_id {
        return Err(ApiError::validation(
            "account",
            "You cannot deactivate your own account.",
        ));
    }
    let actor = Actor::of(caller);
    let txn = db(ctx)?.begin_write().await?;
    accounts::set_active(
        &txn,
        &by(&actor, caller.request_id.as_deref()),
        account_id,
        active,
        reason,
    )
    .await?;
    let kind = if active {
        SecurityEventKind::AccountReactivated
    } else {
        SecurityEventKind::AccountDeactivated
    };
    security_log::record(&txn, caller, SecurityEvent::new(kind).account(account_id)).await?;
    txn.commit().await?;
    account_after(ctx, account_id).await
}

async fn person_name(ctx: &Context<'_>, person_id: i32) -> ApiResult<String> {
    crate::organisation::person::Entity::find_by_id(person_id)
        .one(db(ctx)?.reader())
        .await?
        .map(|p| p.name)
        .ok_or_else(|| ApiError::validation("person", "There is no such person."))
}
