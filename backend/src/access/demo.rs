//! Demo accounts, one per role, for the demo organisation (demo mode only). They belong to
//! demo people in fitting posts and share one fixed password, shown in the README.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, FromQueryResult, Set, Statement};
use steward_shared::access::Role;

use super::{account, password, role_assignment};

/// The password of every demo account. Never used outside demo mode.
pub const DEMO_PASSWORD: &str = "steward-demo-2026";

#[derive(Debug, FromQueryResult)]
struct Post {
    person_id: i32,
    org_unit_id: i32,
    email: Option<String>,
}

/// Current posts (head or not) in units of a kind, in a stable order.
async fn posts<C: ConnectionTrait>(txn: &C, kind: &str, head: bool) -> Result<Vec<Post>, DbErr> {
    let sql = format!(
        "SELECT m.person_id, m.org_unit_id, p.email FROM person_membership m \
         JOIN person p ON p.id = m.person_id \
         JOIN org_unit_revision r ON r.org_unit_id = m.org_unit_id AND r.valid_to IS NULL \
         WHERE m.valid_to IS NULL AND m.is_head = {} AND r.kind = '{kind}' AND p.email IS NOT NULL \
         ORDER BY m.org_unit_id, m.person_id",
        if head { "TRUE" } else { "FALSE" }
    );
    Post::find_by_statement(Statement::from_string(txn.get_database_backend(), sql))
        .all(txn)
        .await
}

/// One demo account per role: (role, e-mail address, unit code of its scope if any).
pub async fn load<C: ConnectionTrait>(txn: &C) -> Result<Vec<(Role, String)>, DbErr> {
    let hash = password::hash(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let executive = posts(txn, "EXECUTIVE_OFFICE", true).await?;
    let directors = posts(txn, "DIVISION", true).await?;
    let heads = posts(txn, "REGIONAL_OFFICE", true).await?;
    let mut staff = posts(txn, "DIVISION", false).await?.into_iter();
    let mut chosen: Vec<(Role, Post, bool)> = Vec::new();
    let mut take = |role: Role, post: Option<Post>, scoped: bool| {
        if let Some(post) = post {
            chosen.push((role, post, scoped));
        }
    };
    take(Role::Executive, executive.into_iter().next(), false);
    take(Role::Director, directors.into_iter().next(), true);
    take(Role::Head, heads.into_iter().next(), true);
    for role in [
        Role::Administrator,
        Role::FocalPoint,
        Role::CommitteeSecretary,
        Role::FinanceOfficer,
        Role::Staff,
        Role::Auditor,
    ] {
        take(role, staff.next(), false);
    }
    let now = Utc::now();
    let mut created = Vec::new();
    for (role, post, scoped) in chosen {
        let Some(email) = post.email else { continue };
        let account = account::ActiveModel {
            person_id: Set(post.person_id),
            email: Set(email.to_lowercase()),
            password_hash: Set(Some(hash.clone())),
            active: Set(true),
            password_changed_at: Set(Some(now)),
            deactivated_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        role_assignment::ActiveModel {
            account_id: Set(account.id),
            role: Set(role.code().to_owned()),
            org_unit_id: Set(scoped.then_some(post.org_unit_id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        created.push((role, account.email));
    }
    Ok(created)
}
