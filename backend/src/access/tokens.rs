//! API tokens: created (the secret is returned once), listed, revoked.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use super::accounts::By;
use super::{api_token, secrets};
use crate::audit::trail::{Change, record};
use crate::graphql::{ApiError, ApiResult};

pub const API_TOKEN: &str = "ApiToken";
pub const DEFAULT_DAYS: i64 = 90;
pub const MAX_DAYS: i64 = 366;
const MAX_NAME: usize = 100;

/// A new token for `account_id`; returns the secret (shown once) and the stored row.
pub async fn create<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    account_id: i32,
    name: &str,
    read_only: bool,
    days: Option<i64>,
) -> ApiResult<(String, api_token::Model)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::validation(
            "name",
            format!(
                "Give the token a name of 1 to {MAX_NAME} characters, so you recognise it later."
            ),
        ));
    }
    let days = days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::validation(
            "expiresInDays",
            format!("A token lasts 1 to {MAX_DAYS} days, not {days}."),
        ));
    }
    let secret = secrets::new_api_token().map_err(|e| ApiError::internal(e.to_string()))?;
    let now = Utc::now();
    let created = api_token::ActiveModel {
        account_id: Set(account_id),
        name: Set(name.to_owned()),
        token_digest: Set(secrets::digest(&secret)),
        prefix: Set(secret.chars().take(10).collect()),
        read_only: Set(read_only),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(API_TOKEN, created.id, "create").after(created.audit_snapshot()),
    )
    .await?;
    Ok((secret, created))
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> ApiResult<api_token::Model> {
    api_token::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("There is no such API token."))
}

/// Revokes a token; revoking a revoked token changes nothing and says so.
pub async fn revoke<C: ConnectionTrait>(
    txn: &C,
    by: &By<'_>,
    token: api_token::Model,
) -> ApiResult<api_token::Model> {
    if token.revoked_at.is_some() {
        return Err(ApiError::validation("id", "This token is already revoked."));
    }
    let mut change = api_token::ActiveModel::from(token.clone());
    change.revoked_at = Set(Some(Utc::now()));
    let revoked = change.update(txn).await?;
    record(
        txn,
        by.actor,
        by.request_id,
        Change::new(API_TOKEN, token.id, "revoke")
            .before(token.audit_snapshot())
            .after(revoked.audit_snapshot()),
    )
    .await?;
    Ok(revoked)
}
