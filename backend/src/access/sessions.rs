//! Signing in and out: throttling of failed attempts (counted in the database, so it holds
//! across server copies), password check, a new session (and so a new session id) at every
//! sign-in, and the cookie that carries it.

use chrono::{DateTime, Duration, Utc};
use cookie::{Cookie, SameSite};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::caller::{
    AccessSettings, Caller, Credential, SESSION_ABSOLUTE, SignedIn, assignments_of,
};
use super::security_log::{self, SecurityEvent, SecurityEventKind};
use super::{account, accounts, password, secrets, sign_in_failure, user_session};
use crate::db::Db;
use crate::graphql::{ApiError, ApiResult, ErrorKind};

/// Failed sign-ins counted over this window.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Failures for one e-mail address (whether or not it has an account) before it is blocked.
pub const ACCOUNT_LIMIT: usize = 5;
/// Failures from one client address before it is blocked.
pub const ADDRESS_LIMIT: usize = 30;

const WRONG_CREDENTIALS: &str =
    "The e-mail address or the password is not right, or the account is not active.";

fn keys(email: &str, caller: &Caller) -> Vec<(String, usize)> {
    let mut keys = vec![(format!("email:{email}"), ACCOUNT_LIMIT)];
    if let Some(address) = &caller.client.address {
        keys.push((format!("address:{address}"), ADDRESS_LIMIT));
    }
    keys
}

/// Seconds until `key` may try again, if it has used up its failures in the window.
async fn blocked_for<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    limit: usize,
    now: DateTime<Utc>,
) -> ApiResult<Option<u64>> {
    let recent: Vec<DateTime<Utc>> = sign_in_failure::Entity::find()
        .select_only()
        .column(sign_in_failure::Column::At)
        .filter(sign_in_failure::Column::Key.eq(key))
        .filter(sign_in_failure::Column::At.gt(now - THROTTLE_WINDOW))
        .order_by_desc(sign_in_failure::Column::At)
        .limit(limit as u64)
        .into_tuple()
        .all(conn)
        .await?;
    if recent.len() < limit {
        return Ok(None);
    }
    let oldest = recent.last().copied().unwrap_or(now);
    let wait = (oldest + THROTTLE_WINDOW - now).num_seconds().max(1);
    Ok(Some(u64::try_from(wait).unwrap_or(1)))
}

/// Records a failed attempt for every key (and forgets failures older than the window).
pub async fn record_failure(
    db: &Db,
    caller: &Caller,
    email: &str,
    account_id: Option<i32>,
    detail: &str,
) -> ApiResult<()> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::At.lte(now - THROTTLE_WINDOW))
        .exec(&txn)
        .await?;
    sign_in_failure::Entity::insert_many(keys(email, caller).into_iter().map(|(key, _)| {
        sign_in_failure::ActiveModel {
            key: Set(key),
            at: Set(now),
            ..Default::default()
        }
    }))
    .exec(&txn)
    .await?;
    let mut event = SecurityEvent::new(SecurityEventKind::SignInFailed)
        .email(email)
        .detail(detail);
    if let Some(id) = account_id {
        event = event.account(id);
    }
    security_log::record(&txn, caller, event).await?;
    txn.commit().await?;
    Ok(())
}

/// Refuses with `RATE_LIMITED` when the address typed or the client has failed too often.
pub async fn check_throttle(db: &Db, caller: &Caller, email: &str) -> ApiResult<()> {
    let now = Utc::now();
    let mut wait = None;
    for (key, limit) in keys(email, caller) {
        if let Some(seconds) = blocked_for(db.reader(), &key, limit, now).await? {
            wait = Some(wait.map_or(seconds, |w: u64| w.max(seconds)));
        }
    }
    if let Some(retry_after_seconds) = wait {
        security_log::record_or_warn(
            db.writer(),
            caller,
            SecurityEvent::new(SecurityEventKind::SignInThrottled)
                .email(email)
                .detail(format!("blocked for {retry_after_seconds} s")),
        )
        .await;
        return Err(ApiError::new(ErrorKind::RateLimited {
            retry_after_seconds,
        }));
    }
    Ok(())
}

/// A successful sign-in: the account and the session token for the cookie.
pub struct SignInOutcome {
    pub signed_in: SignedIn,
    pub session_token: String,
}

/// Signs in with an e-mail address and password. The answer never tells whether the address
/// has an account: unknown addresses, wrong passwords and inactive accounts get the same error
/// after the same amount of work.
pub async fn sign_in(
    db: &Db,
    caller: &Caller,
    email: &str,
    password_typed: String,
) -> ApiResult<SignInOutcome> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::validation("email", "Enter your e-mail address."));
    }
    if password_typed.is_empty() {
        return Err(ApiError::validation("password", "Enter your password."));
    }
    if password_typed.chars().count() > steward_shared::access::MAX_PASSWORD_CHARS {
        return Err(ApiError::unauthenticated(WRONG_CREDENTIALS));
    }
    check_throttle(db, caller, &email).await?;
    let account = accounts::find_by_email(db.reader(), &email).await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let matches = password::verify(password_typed, stored).await;
    let account = match account {
        Some(account) if matches && account.active => account,
        other => {
            let detail = match &other {
                None => "no account has this address",
                Some(a) if !a.active => "account is deactivated",
                Some(_) => "wrong password",
            };
            record_failure(db, caller, &email, other.map(|a| a.id), detail).await?;
            return Err(ApiError::unauthenticated(WRONG_CREDENTIALS));
        }
    };
    let session_token =
        secrets::new_session_token().map_err(|e| ApiError::internal(e.to_string()))?;
    let now = Utc::now();
    let txn = db.begin_write().await?;
    // A new session id at every sign-in: a session id planted before sign-in is worthless.
    if let Some(old) = &caller.presented_session {
        user_session::Entity::delete_many()
            .filter(user_session::Column::TokenDigest.eq(secrets::digest(old)))
            .exec(&txn)
            .await?;
    }
    let session = user_session::ActiveModel {
        token_digest: Set(secrets::digest(&session_token)),
        account_id: Set(account.id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + SESSION_ABSOLUTE),
        address: Set(caller.client.address.clone()),
        user_agent: Set(caller.client.user_agent.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::Key.eq(format!("email:{email}")))
        .exec(&txn)
        .await?;
    security_log::record(
        &txn,
        caller,
        SecurityEvent::new(SecurityEventKind::SignInSucceeded)
            .account(account.id)
            .email(&email),
    )
    .await?;
    let assignments = assignments_of(&txn, account.id).await?;
    txn.commit().await?;
    Ok(SignInOutcome {
        signed_in: signed_in_with(account, assignments, session.id),
        session_token,
    })
}

fn signed_in_with(
    account: account::Model,
    assignments: Vec<(steward_shared::access::Role, steward_shared::access::Scope)>,
    session_id: i32,
) -> SignedIn {
    SignedIn {
        account_id: account.id,
        person_id: account.person_id,
        email: account.email,
        assignments,
        credential: Credential::Session { session_id },
    }
}

/// Ends the caller's session on the server. `false` when there was none.
pub async fn sign_out(db: &Db, caller: &Caller) -> ApiResult<bool> {
    let Some(signed_in) = &caller.signed_in else {
        return Ok(false);
    };
    let Credential::Session { session_id } = signed_in.credential else {
        return Ok(false);
    };
    let txn = db.begin_write().await?;
    let ended = user_session::Entity::delete_by_id(session_id)
        .exec(&txn)
        .await?
        .rows_affected;
    security_log::record(
        &txn,
        caller,
        SecurityEvent::new(SecurityEventKind::SignedOut),
    )
    .await?;
    txn.commit().await?;
    Ok(ended > 0)
}

/// The `Set-Cookie` value that carries a new session.
pub fn session_cookie(settings: &AccessSettings, token: &str) -> String {
    let max_age = cookie::time::Duration::seconds(SESSION_ABSOLUTE.num_seconds());
    Cookie::build((settings.cookie_name(), token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.secure_cookies)
        .max_age(max_age)
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie from the browser.
pub fn cleared_cookie(settings: &AccessSettings) -> String {
    Cookie::build((settings.cookie_name(), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.secure_cookies)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_host_prefixed_over_https() {
        let plain = session_cookie(&AccessSettings::default(), "abc");
        assert!(plain.starts_with("steward_session=abc"));
        assert!(plain.contains("HttpOnly"));
        assert!(plain.contains("SameSite=Strict"));
        assert!(plain.contains("Path=/"));
        assert!(!plain.contains("Secure"));
        let secure = session_cookie(
            &AccessSettings {
                secure_cookies: true,
                ..AccessSettings::default()
            },
            "abc",
        );
        assert!(secure.starts_with("__Host-steward_session=abc"));
        assert!(secure.contains("Secure"));
        assert!(!secure.contains("Domain"));
        assert!(cleared_cookie(&AccessSettings::default()).contains("Max-Age=0"));
    }
}
