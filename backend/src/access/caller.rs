//! Who is asking: the account behind a request (from its session cookie or its API token), its
//! role assignments, and where the request came from.
//!
//! Runs once per GraphQL or file request, before anything else: a session costs one statement
//! (session joined with its account) and one for the roles; "last seen" is written at most once
//! a minute.

use std::net::SocketAddr;

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Statement,
};
use steward_shared::access::{Role, Scope};

use super::security_log::{self, SecurityEvent, SecurityEventKind};
use super::{api_token, role_assignment, secrets, user_session};
use crate::db::Db;
use crate::graphql::{ApiError, ApiResult};

/// Sessions end after this long without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(60);
/// Sessions end this long after sign-in, however active.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// "Last seen" (sessions) and "last used" (tokens) are written at most this often.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// How the server's cookies and client addresses are set up.
#[derive(Debug, Clone, Default)]
pub struct AccessSettings {
    /// Served over https: the session cookie is `Secure` and gets the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: take the client address from the last `X-Forwarded-For` entry.
    pub trust_forwarded_for: bool,
}

impl AccessSettings {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-steward_session"
        } else {
            "steward_session"
        }
    }
}

/// Where a request came from.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn from_request(
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
        settings: &AccessSettings,
    ) -> Self {
        let forwarded = settings
            .trust_forwarded_for
            .then(|| {
                headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            })
            .flatten();
        ClientInfo {
            address: forwarded.or_else(|| peer.map(|p| p.ip().to_string())),
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(256).collect()),
        }
    }
}

/// How the account proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session {
        session_id: i32,
    },
    Token {
        token_id: i32,
        read_only: bool,
    },
    /// The `steward` command on the server itself.
    CommandLine,
}

/// A signed-in account and its roles.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account_id: i32,
    pub person_id: i32,
    pub email: String,
    pub assignments: Vec<(Role, Scope)>,
    pub credential: Credential,
}

impl SignedIn {
    pub fn read_only(&self) -> bool {
        matches!(
            self.credential,
            Credential::Token {
                read_only: true,
                ..
            }
        )
    }
}

/// The caller of one request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub signed_in: Option<SignedIn>,
    pub client: ClientInfo,
    pub request_id: Option<String>,
    /// The session cookie as sent, if any (sign-in replaces that session, sign-out ends it).
    pub presented_session: Option<String>,
}

impl Caller {
    pub fn anonymous(client: ClientInfo, request_id: Option<String>) -> Self {
        Caller {
            client,
            request_id,
            ..Caller::default()
        }
    }

    pub fn signed_in(&self) -> ApiResult<&SignedIn> {
        self.signed_in.as_ref().ok_or_else(ApiError::sign_in_first)
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn session_cookie<'a>(headers: &'a HeaderMap, settings: &AccessSettings) -> Option<&'a str> {
    let name = settings.cookie_name();
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// A session and its account, read in one statement.
#[derive(Debug, FromQueryResult)]
struct SessionRow {
    session_id: i32,
    account_id: i32,
    person_id: i32,
    email: String,
    active: bool,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// A token and its account, read in one statement.
#[derive(Debug, FromQueryResult)]
struct TokenRow {
    token_id: i32,
    account_id: i32,
    person_id: i32,
    email: String,
    active: bool,
    read_only: bool,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

fn placeholder(db: &Db) -> &'static str {
    match db.backend() {
        sea_orm::DbBackend::Postgres => "$1",
        _ => "?",
    }
}

/// Identifies the caller of a request. A request with an API token that is unknown, expired,
/// revoked or belongs to an inactive account is refused outright (`UNAUTHENTICATED`): a script
/// must not silently run as nobody. A stale session cookie just means "not signed in".
pub async fn authenticate(
    db: &Db,
    headers: &HeaderMap,
    client: ClientInfo,
    request_id: Option<String>,
    settings: &AccessSettings,
) -> ApiResult<Caller> {
    let mut caller = Caller::anonymous(client, request_id);
    caller.presented_session = session_cookie(headers, settings).map(str::to_owned);
    if let Some(token) = bearer_token(headers) {
        caller.signed_in = Some(token_account(db, &caller, token).await?);
    } else if let Some(session) = caller.presented_session.clone() {
        caller.signed_in = session_account(db, &session).await?;
    }
    Ok(caller)
}

async fn session_account(db: &Db, token: &str) -> ApiResult<Option<SignedIn>> {
    let sql = format!(
        "SELECT s.id AS session_id, a.id AS account_id, a.person_id, a.email, a.active, \
         s.last_seen_at, s.expires_at \
         FROM user_session s JOIN account a ON a.id = s.account_id WHERE s.token_digest = {}",
        placeholder(db)
    );
    let row = SessionRow::find_by_statement(Statement::from_sql_and_values(
        db.backend(),
        sql,
        [secrets::digest(token).into()],
    ))
    .one(db.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = Utc::now();
    if !row.active || now >= row.expires_at || now - row.last_seen_at >= SESSION_IDLE {
        // Ended: remove it so it cannot be revived, and treat the caller as signed out.
        user_session::Entity::delete_by_id(row.session_id)
            .exec(db.writer())
            .await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_INTERVAL {
        user_session::Entity::update_many()
            .col_expr(
                user_session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(user_session::Column::Id.eq(row.session_id))
            .exec(db.writer())
            .await?;
    }
    Ok(Some(SignedIn {
        account_id: row.account_id,
        person_id: row.person_id,
        email: row.email,
        assignments: assignments_of(db.reader(), row.account_id).await?,
        credential: Credential::Session {
            session_id: row.session_id,
        },
    }))
}

async fn token_account(db: &Db, caller: &Caller, token: &str) -> ApiResult<SignedIn> {
    let sql = format!(
        "SELECT t.id AS token_id, a.id AS account_id, a.person_id, a.email, a.active, \
         t.read_only, t.expires_at, t.revoked_at, t.last_used_at \
         FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.token_digest = {}",
        placeholder(db)
    );
    let row = TokenRow::find_by_statement(Statement::from_sql_and_values(
        db.backend(),
        sql,
        [secrets::digest(token).into()],
    ))
    .one(db.reader())
    .await?;
    let now = Utc::now();
    let refusal = match &row {
        None => Some("unknown token"),
        Some(row) if row.revoked_at.is_some() => Some("revoked token"),
        Some(row) if now >= row.expires_at => Some("expired token"),
        Some(row) if !row.active => Some("inactive account"),
        Some(_) => None,
    };
    if let Some(reason) = refusal {
        let mut event = SecurityEvent::new(SecurityEventKind::TokenRefused).detail(reason);
        if let Some(row) = &row {
            event = event.account(row.account_id);
        }
        security_log::record_or_warn(db.writer(), caller, event).await;
        return Err(ApiError::unauthenticated(
            "This API token is not valid: it is unknown, expired or revoked, or its account is inactive.",
        ));
    }
    let Some(row) = row else {
        return Err(ApiError::sign_in_first());
    };
    if row
        .last_used_at
        .is_none_or(|last| now - last >= TOUCH_INTERVAL)
    {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(row.token_id))
            .exec(db.writer())
            .await?;
        security_log::record(
            db.writer(),
            caller,
            SecurityEvent::new(SecurityEventKind::TokenUsed)
                .account(row.account_id)
                .detail(format!("token {}", row.token_id)),
        )
        .await?;
    }
    Ok(SignedIn {
        account_id: row.account_id,
        person_id: row.person_id,
        email: row.email,
        assignments: assignments_of(db.reader(), row.account_id).await?,
        credential: Credential::Token {
            token_id: row.token_id,
            read_only: row.read_only,
        },
    })
}

/// An account's role assignments; an unknown role code (from a newer version) is skipped.
pub async fn assignments_of<C: ConnectionTrait>(
    conn: &C,
    account_id: i32,
) -> Result<Vec<(Role, Scope)>, DbErr> {
    let rows = role_assignment::Entity::find()
        .filter(role_assignment::Column::AccountId.eq(account_id))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let role = Role::parse(&row.role)?;
            let scope = row.org_unit_id.map_or(Scope::Organisation, Scope::Unit);
            Some((role, scope))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_the_bearer_token_and_the_session_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer stw_abc"),
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; steward_session=s3cr3t; other=1"),
        );
        assert_eq!(bearer_token(&headers), Some("stw_abc"));
        let plain = AccessSettings::default();
        assert_eq!(session_cookie(&headers, &plain), Some("s3cr3t"));
        let secure = AccessSettings {
            secure_cookies: true,
            ..AccessSettings::default()
        };
        assert_eq!(session_cookie(&headers, &secure), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic x"));
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn the_client_address_comes_from_the_proxy_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 10.0.0.7"),
        );
        let peer = Some(SocketAddr::from(([10, 0, 0, 1], 4000)));
        let direct = ClientInfo::from_request(&headers, peer, &AccessSettings::default());
        assert_eq!(direct.address.as_deref(), Some("10.0.0.1"));
        let proxied = ClientInfo::from_request(
            &headers,
            peer,
            &AccessSettings {
                trust_forwarded_for: true,
                ..AccessSettings::default()
            },
        );
        assert_eq!(proxied.address.as_deref(), Some("10.0.0.7"));
    }
}
