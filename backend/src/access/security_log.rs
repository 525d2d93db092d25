//! The security log: sign-ins (succeeded, failed, throttled), sign-outs, API tokens created,
//! used and revoked, passwords changed, accounts deactivated, and refused authorisations, with
//! time, account and client address. Separate from the audit trail (which records changes to
//! data) and, like it, append-only in the database.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use super::caller::Caller;
use super::security_event;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SecurityEventKind {
    /// Someone signed in.
    SignInSucceeded,
    /// A sign-in failed (wrong address or password, or an inactive account).
    SignInFailed,
    /// A sign-in was refused because of too many failures.
    SignInThrottled,
    /// Someone signed out.
    SignedOut,
    /// An API token was created.
    TokenCreated,
    /// An API token was used (recorded at most once a minute per token).
    TokenUsed,
    /// An API token was revoked.
    TokenRevoked,
    /// A request came with an API token that is unknown, expired or revoked.
    TokenRefused,
    /// Someone tried something their roles do not allow.
    AccessRefused,
    /// Someone changed their own password.
    PasswordChanged,
    /// An administrator (or the command line) set someone's password.
    PasswordReset,
    /// An account was deactivated: its sessions and tokens ended.
    AccountDeactivated,
    /// An account was reactivated.
    AccountReactivated,
}

impl SecurityEventKind {
    pub const ALL: [SecurityEventKind; 13] = [
        SecurityEventKind::SignInSucceeded,
        SecurityEventKind::SignInFailed,
        SecurityEventKind::SignInThrottled,
        SecurityEventKind::SignedOut,
        SecurityEventKind::TokenCreated,
        SecurityEventKind::TokenUsed,
        SecurityEventKind::TokenRevoked,
        SecurityEventKind::TokenRefused,
        SecurityEventKind::AccessRefused,
        SecurityEventKind::PasswordChanged,
        SecurityEventKind::PasswordReset,
        SecurityEventKind::AccountDeactivated,
        SecurityEventKind::AccountReactivated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SecurityEventKind::SignInSucceeded => "SIGN_IN_SUCCEEDED",
            SecurityEventKind::SignInFailed => "SIGN_IN_FAILED",
            SecurityEventKind::SignInThrottled => "SIGN_IN_THROTTLED",
            SecurityEventKind::SignedOut => "SIGNED_OUT",
            SecurityEventKind::TokenCreated => "TOKEN_CREATED",
            SecurityEventKind::TokenUsed => "TOKEN_USED",
            SecurityEventKind::TokenRevoked => "TOKEN_REVOKED",
            SecurityEventKind::TokenRefused => "TOKEN_REFUSED",
            SecurityEventKind::AccessRefused => "ACCESS_REFUSED",
            SecurityEventKind::PasswordChanged => "PASSWORD_CHANGED",
            SecurityEventKind::PasswordReset => "PASSWORD_RESET",
            SecurityEventKind::AccountDeactivated => "ACCOUNT_DEACTIVATED",
            SecurityEventKind::AccountReactivated => "ACCOUNT_REACTIVATED",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// One line to write to the security log.
pub struct SecurityEvent {
    pub kind: SecurityEventKind,
    pub account_id: Option<i32>,
    pub email: Option<String>,
    pub detail: Option<String>,
}

impl SecurityEvent {
    pub fn new(kind: SecurityEventKind) -> Self {
        SecurityEvent {
            kind,
            account_id: None,
            email: None,
            detail: None,
        }
    }

    pub fn account(mut self, account_id: i32) -> Self {
        self.account_id = Some(account_id);
        self
    }

    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

fn clip(text: Option<&str>, max: usize) -> Option<String> {
    text.map(|t| t.chars().take(max).collect())
}

/// Writes `event`, with the caller's address, browser and request id.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    event: SecurityEvent,
) -> Result<(), DbErr> {
    let account_id = event
        .account_id
        .or_else(|| caller.signed_in.as_ref().map(|s| s.account_id));
    security_event::ActiveModel {
        at: Set(Utc::now()),
        kind: Set(event.kind.code().to_owned()),
        account_id: Set(account_id),
        email: Set(clip(event.email.as_deref(), 254)),
        address: Set(clip(caller.client.address.as_deref(), 64)),
        user_agent: Set(clip(caller.client.user_agent.as_deref(), 256)),
        detail: Set(event.detail),
        request_id: Set(caller.request_id.clone()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map(|_| ())
}

/// Like [`record`], for paths where failing to log must not fail the request (the failure is
/// logged to the server log instead).
pub async fn record_or_warn<C: ConnectionTrait>(conn: &C, caller: &Caller, event: SecurityEvent) {
    let kind = event.kind.code();
    if let Err(err) = record(conn, caller, event).await {
        tracing::error!(error = %err, kind, "could not write to the security log");
    }
}

/// An entry of the security log.
#[derive(SimpleObject, Clone)]
pub struct SecurityLogEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: SecurityEventKind,
    /// The account concerned, as its global id (empty for an unknown address).
    pub account_id: Option<async_graphql::ID>,
    /// The e-mail address typed at sign-in, or the account's.
    pub email: Option<String>,
    /// The client's network address.
    pub address: Option<String>,
    /// The client's browser or program, as it names itself.
    pub user_agent: Option<String>,
    /// More about it, e.g. the operation that was refused.
    pub detail: Option<String>,
    /// The request id, to find the server's log lines.
    pub request_id: Option<String>,
}

impl SecurityLogEntry {
    pub fn from_model(row: security_event::Model) -> Self {
        SecurityLogEntry {
            at: row.at,
            kind: SecurityEventKind::parse(&row.kind).unwrap_or(SecurityEventKind::AccessRefused),
            account_id: row
                .account_id
                .map(|id| crate::graphql::relay::global_id(super::graphql::ACCOUNT_TYPE, id)),
            email: row.email,
            address: row.address,
            user_agent: row.user_agent,
            detail: row.detail,
            request_id: row.request_id,
        }
    }
}
