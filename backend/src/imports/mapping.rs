//! The remembered column mapping of an import: read before every import, saved (and audited)
//! when an import that used a different one is committed.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::import_mapping;
use crate::access::caller::Caller;
use crate::audit::{self, Change};

/// Field code → column header.
pub type Mapping = BTreeMap<String, String>;

/// The mapping last used for `kind` (empty when there is none, or it cannot be read).
pub async fn remembered(conn: &impl ConnectionTrait, kind: &str) -> Result<Mapping, DbErr> {
    let stored = import_mapping::Entity::find()
        .filter(import_mapping::Column::Kind.eq(kind))
        .one(conn)
        .await?;
    Ok(stored
        .and_then(|row| serde_json::from_str(&row.columns).ok())
        .unwrap_or_default())
}

/// Keeps `mapping` for the next import of `kind` (in the import's transaction); a change is
/// written to the audit trail.
pub async fn remember(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    kind: &str,
    mapping: &Mapping,
) -> Result<(), DbErr> {
    let columns = serde_json::to_string(mapping)
        .map_err(|e| DbErr::Custom(format!("mapping as JSON: {e}")))?;
    let account = caller.signed_in.as_ref().map(|s| s.account_id);
    let stored = import_mapping::Entity::find()
        .filter(import_mapping::Column::Kind.eq(kind))
        .one(conn)
        .await?;
    let change = match stored {
        Some(row) if row.columns == columns => return Ok(()),
        Some(row) => {
            let before = serde_json::from_str::<serde_json::Value>(&row.columns).ok();
            let mut update = import_mapping::ActiveModel::from(row.clone());
            update.columns = Set(columns.clone());
            update.updated_by_account_id = Set(account);
            update.updated_at = Set(Utc::now());
            update.version = Set(row.version + 1);
            let updated = update.update(conn).await?;
            let change = Change::new("ImportMapping", updated.id, "update");
            match before {
                Some(before) => change.before(before),
                None => change,
            }
        }
        None => {
            let created = import_mapping::ActiveModel {
                kind: Set(kind.to_owned()),
                columns: Set(columns.clone()),
                updated_by_account_id: Set(account),
                updated_at: Set(Utc::now()),
                version: Set(1),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            Change::new("ImportMapping", created.id, "create")
        }
    };
    let after = serde_json::json!({ "kind": kind, "columns": mapping });
    audit::trail::record_for(conn, caller, change.after(after)).await
}
