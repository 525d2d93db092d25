//! The account commands of `steward`: `user add`, `user set-password`, `token create`. They
//! change data like any request does, in one transaction with their audit records, as actor
//! `cli`.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use steward_shared::access::Role;
use steward_shared::organisation::clean_name;

use super::accounts::{self, By};
use super::caller::{Caller, ClientInfo};
use super::security_log::{self, SecurityEvent, SecurityEventKind};
use super::tokens;
use crate::audit::trail::{Actor, Change, record};
use crate::db::Db;
use crate::graphql::ApiError;
use crate::organisation::{person, queries};

/// What `steward user add` was given.
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub unit: Option<String>,
    pub password: String,
}

fn message(error: ApiError) -> String {
    error.log();
    error.message()
}

fn cli_caller() -> Caller {
    Caller::anonymous(
        ClientInfo {
            address: None,
            user_agent: Some("steward command line".to_owned()),
        },
        None,
    )
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        format!(
            "there is no role {raw:?}; the roles are: {}",
            known.join(", ")
        )
    })
}

/// Creates an account (and the person, if no person has this address) with one role.
pub async fn add_user(db: &Db, user: NewUser) -> Result<String, String> {
    let email = accounts::normalise_email("email", &user.email).map_err(message)?;
    let role = parse_role(&user.role)?;
    let name = clean_name(&user.name, 200).map_err(|e| format!("--name: {e}"))?;
    let unit = match user
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        Some(code) => Some(
            queries::unit_by_code(db.reader(), code)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("there is no org unit with code {code:?}"))?
                .id,
        ),
        None => None,
    };
    let hash = accounts::new_password_hash("password", user.password, &email, &name)
        .await
        .map_err(message)?;
    let actor = Actor::CommandLine;
    let by = By {
        actor: &actor,
        request_id: None,
    };
    let txn = db.begin_write().await.map_err(|e| e.to_string())?;
    let existing = person::Entity::find()
        .filter(person::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await
        .map_err(|e| e.to_string())?;
    let person = match existing {
        Some(person) => person,
        None => {
            let now = Utc::now();
            let created = person::ActiveModel {
                name: Set(name.clone()),
                email: Set(Some(email.clone())),
                grade: Set(None),
                active: Set(true),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| e.to_string())?;
            record(
                &txn,
                &actor,
                None,
                Change::new("Person", created.id, "create").after(created.audit_snapshot()),
            )
            .await
            .map_err(|e| e.to_string())?;
            created
        }
    };
    let account = accounts::create(&txn, &by, person.id, &email, Some(hash), None)
        .await
        .map_err(message)?;
    accounts::assign_role(&txn, &by, account.id, role, unit, None)
        .await
        .map_err(message)?;
    txn.commit().await.map_err(|e| e.to_string())?;
    Ok(format!(
        "created the account {email} for {} with the role {role}{}",
        person.name,
        user.unit
            .map(|u| format!(" in {}", u.to_uppercase()))
            .unwrap_or_default()
    ))
}

/// Sets the password of an existing account; its sessions end.
pub async fn set_password(db: &Db, email: &str, password: String) -> Result<String, String> {
    let email = accounts::normalise_email("email", email).map_err(message)?;
    let account = accounts::find_by_email(db.reader(), &email)
        .await
        .map_err(message)?
        .ok_or_else(|| format!("no account signs in as {email}"))?;
    let name = person::Entity::find_by_id(account.person_id)
        .one(db.reader())
        .await
        .map_err(|e| e.to_string())?
        .map(|p| p.name)
        .unwrap_or_default();
    let hash = accounts::new_password_hash("password", password, &email, &name)
        .await
        .map_err(message)?;
    let actor = Actor::CommandLine;
    let by = By {
        actor: &actor,
        request_id: None,
    };
    let txn = db.begin_write().await.map_err(|e| e.to_string())?;
    accounts::set_password(
        &txn,
        &by,
        &account,
        hash,
        "reset_password",
        None,
        Some("set with `steward user set-password`".to_owned()),
    )
    .await
    .map_err(message)?;
    security_log::record(
        &txn,
        &cli_caller(),
        SecurityEvent::new(SecurityEventKind::PasswordReset)
            .account(account.id)
            .detail("steward user set-password"),
    )
    .await
    .map_err(|e| e.to_string())?;
    txn.commit().await.map_err(|e| e.to_string())?;
    Ok(format!(
        "set a new password for {email}; its sessions ended"
    ))
}

/// Creates an API token for an account and returns its secret.
pub async fn create_token(
    db: &Db,
    email: &str,
    name: Option<String>,
    read_only: bool,
    days: Option<i64>,
) -> Result<String, String> {
    let email = accounts::normalise_email("email", email).map_err(message)?;
    let account = accounts::find_by_email(db.reader(), &email)
        .await
        .map_err(message)?
        .ok_or_else(|| format!("no account signs in as {email}"))?;
    if !account.active {
        return Err(format!("the account {email} is deactivated"));
    }
    let actor = Actor::CommandLine;
    let by = By {
        actor: &actor,
        request_id: None,
    };
    let name = name.unwrap_or_else(|| "created with the steward command".to_owned());
    let txn = db.begin_write().await.map_err(|e| e.to_string())?;
    let (secret, token) = tokens::create(&txn, &by, account.id, &name, read_only, days)
        .await
        .map_err(message)?;
    security_log::record(
        &txn,
        &cli_caller(),
        SecurityEvent::new(SecurityEventKind::TokenCreated)
            .account(account.id)
            .detail(format!(
                "token {} ({}) by the command line",
                token.id, token.name
            )),
    )
    .await
    .map_err(|e| e.to_string())?;
    txn.commit().await.map_err(|e| e.to_string())?;
    Ok(secret)
}
