//! Changes to accounts, shared by GraphQL and the command line. Each runs inside the caller's
//! write transaction and writes its audit record there.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde_json::json;
use steward_shared::access::Role;
use steward_shared::organisation::Email;

use super::{account, api_token, password, role_assignment, user_session};
use crate::audit::trail::{Actor, Change, record};
use crate::graphql::{ApiError, ApiResult};
use crate::organisation::person;

pub const ACCOUNT: &str = "Account";
const MAX_REASON: usize = 2_000;

/// Who is changing what, for the audit trail.
pub struct By<'a> {
    pub actor: &'a Actor,
    pub request_id: Option<&'a str>,
}

/// A sign-in address as stored: trimmed, lower-cased, and a valid e-mail address.
pub fn normalise_email(field: &str, raw: &str) -> ApiResult<String> {
    Email::parse(raw.trim())
        .map(|e| e.as_str().to_lowercase())
        .map_err(|e| ApiError::invalid(field, &e))
}

/// A reason for a sensitive change: required, trimmed, bounded.
pub fn required_reason(raw: Option<String>) -> ApiResult<String> {
    let reason = raw.map(|r| r.trim().to_owned()).unwrap_or_default();
    if reason.is_empty() {
        return Err(ApiError::validation(
            "reason",
            "Give a reason: this change is recorded in the audit trail with it.",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(ApiError::validation(
            "reason",
            format!("A reason can have at most {MAX_REASON} characters."),
        ));
    }
    Ok(reason)
}

/// Checks and hashes a new password for the account's holder.
pub async fn new_password_hash(
    field: &str,
    password: String,
    email: &str,
    name: &str,
) -> ApiResult<String> {
    password::check_new_password(&password, email, name)
        .map_err(|e| ApiError::invalid(field, &e))?;
    password::hash(password)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> ApiResult<account::Model> {
    account::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("There is no such account."))
}

pub async fn find_by_email<C: ConnectionTrait>(
    conn: &C,
    email: &str,
) -> ApiResult<Option<account::Model>> {
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(conn)
        .await?)
}

/// A new account for a person who has none.
pub async fn create<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    person_id: i32,
    email: &str,
    password_hash: Option<String>,
    reason: Option<String>,
) -> ApiResult<account::Model> {
    let person = person::Entity::find_by_id(person_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::validation("person", "There is no such person."))?;
    let taken = account::Entity::find()
        .filter(
            Condition::any()
                .add(account::Column::PersonId.eq(person.id))
                .add(account::Column::Email.eq(email)),
        )
        .one(txn)
        .await?;
    if let Some(taken) = taken {
        return Err(if taken.person_id == person.id {
            ApiError::conflict(format!("{} already has an account.", person.name))
        } else {
            ApiError::conflict(format!("Another account already signs in as {email}."))
        });
    }
    let now = Utc::now();
    let created = account::ActiveModel {
        person_id: Set(person.id),
        email: Set(email.to_owned()),
        password_changed_at: Set(password_hash.as_ref().map(|_| now)),
        password_hash: Set(password_hash),
        active: Set(true),
        deactivated_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(ACCOUNT, created.id, "create")
            .after(created.audit_snapshot())
            .reason(reason),
    )
    .await?;
    Ok(created)
}

fn scope_json(unit: Option<i32>) -> serde_json::Value {
    match unit {
        Some(unit) => json!({ "orgUnitId": unit }),
        None => json!("organisation"),
    }
}

async fn holds<C: ConnectionTrait>(
    txn: &C,
    account_id: i32,
    role: Role,
    unit: Option<i32>,
) -> ApiResult<Option<role_assignment::Model>> {
    let mut query = role_assignment::Entity::find()
        .filter(role_assignment::Column::AccountId.eq(account_id))
        .filter(role_assignment::Column::Role.eq(role.code()));
    query = match unit {
        Some(unit) => query.filter(role_assignment::Column::OrgUnitId.eq(unit)),
        None => query.filter(role_assignment::Column::OrgUnitId.is_null()),
    };
    Ok(query.one(txn).await?)
}

/// Gives an account a role, organisation-wide (`unit` empty) or for a unit and those under it.
pub async fn assign_role<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    account_id: i32,
    role: Role,
    unit: Option<i32>,
    reason: Option<String>,
) -> ApiResult<()> {
    if role.needs_organisation_scope() && unit.is_some() {
        return Err(ApiError::validation(
            "orgUnitCode",
            format!("{role} is an organisation-wide role: assign it without an org unit."),
        ));
    }
    find(txn, account_id).await?;
    if holds(txn, account_id, role, unit).await?.is_some() {
        return Err(ApiError::validation(
            "role",
            format!("The account already holds {role} in this scope."),
        ));
    }
    role_assignment::ActiveModel {
        account_id: Set(account_id),
        role: Set(role.code().to_owned()),
        org_unit_id: Set(unit),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    bump_version(txn, account_id).await?;
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(ACCOUNT, account_id, "assign_role")
            .after(json!({ "role": role.code(), "scope": scope_json(unit) }))
            .reason(reason),
    )
    .await?;
    Ok(())
}

/// Takes a role away.
pub async fn withdraw_role<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    account_id: i32,
    role: Role,
    unit: Option<i32>,
    reason: String,
) -> ApiResult<()> {
    find(txn, account_id).await?;
    let Some(held) = holds(txn, account_id, role, unit).await? else {
        return Err(ApiError::validation(
            "role",
            format!("The account does not hold {role} in this scope."),
        ));
    };
    role_assignment::Entity::delete_by_id(held.id)
        .exec(txn)
        .await?;
    bump_version(txn, account_id).await?;
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(ACCOUNT, account_id, "withdraw_role")
            .before(json!({ "role": role.code(), "scope": scope_json(unit) }))
            .reason(Some(reason)),
    )
    .await?;
    Ok(())
}

async fn bump_version<C: ConnectionTrait>(txn: &C, account_id: i32) -> ApiResult<()> {
    account::Entity::update_many()
        .col_expr(
            account::Column::Version,
            Expr::col(account::Column::Version).add(1),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(account::Column::Id.eq(account_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Ends an account's sessions, except `keep` (the one changing its own password).
pub async fn end_sessions<C: ConnectionTrait>(
    txn: &C,
    account_id: i32,
    keep: Option<i32>,
) -> ApiResult<u64> {
    let mut query =
        user_session::Entity::delete_many().filter(user_session::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        query = query.filter(user_session::Column::Id.ne(keep));
    }
    Ok(query.exec(txn).await?.rows_affected)
}

/// Sets a new password hash (a reset by an administrator or the command line, or a change by
/// the holder) and ends the account's other sessions.
pub async fn set_password<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    account: &account::Model,
    hash: String,
    action: &'static str,
    keep_session: Option<i32>,
    reason: Option<String>,
) -> ApiResult<account::Model> {
    let now = Utc::now();
    let mut change = account::ActiveModel::from(account.clone());
    change.password_hash = Set(Some(hash));
    change.password_changed_at = Set(Some(now));
    change.version = Set(account.version + 1);
    change.updated_at = Set(now);
    let updated = change.update(txn).await?;
    let ended = end_sessions(txn, account.id, keep_session).await?;
    let mut after = updated.audit_snapshot();
    after["sessionsEnded"] = json!(ended);
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(ACCOUNT, account.id, action)
            .before(account.audit_snapshot())
            .after(after)
            .reason(reason),
    )
    .await?;
    Ok(updated)
}

/// Deactivates (ending every session and revoking every token at once) or reactivates an
/// account.
pub async fn set_active<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    account_id: i32,
    active: bool,
    reason: String,
) -> ApiResult<account::Model> {
    let account = find(txn, account_id).await?;
    if account.active == active {
        return Err(ApiError::validation(
            "account",
            if active {
                "This account is already active."
            } else {
                "This account is already deactivated."
            },
        ));
    }
    let now = Utc::now();
    let mut change = account::ActiveModel::from(account.clone());
    change.active = Set(active);
    change.deactivated_at = Set((!active).then_some(now));
    change.version = Set(account.version + 1);
    change.updated_at = Set(now);
    let updated = change.update(txn).await?;
    let mut after = updated.audit_snapshot();
    if !active {
        after["sessionsEnded"] = json!(end_sessions(txn, account_id, None).await?);
        let revoked = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(now))
            .filter(api_token::Column::AccountId.eq(account_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(txn)
            .await?;
        after["tokensRevoked"] = json!(revoked.rows_affected);
    }
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(
            ACCOUNT,
            account_id,
            if active { "reactivate" } else { "deactivate" },
        )
        .before(account.audit_snapshot())
        .after(after)
        .reason(Some(reason)),
    )
    .await?;
    Ok(updated)
}
