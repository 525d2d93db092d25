//! `api_token`: a named, expiring credential for scripts and GraphiQL. Shown once; only its
//! SHA-256 digest and a short prefix (to recognise it in lists) are stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    #[sea_orm(unique)]
    pub token_digest: String,
    pub prefix: String,
    pub read_only: bool,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn audit_snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "accountId": self.account_id,
            "name": self.name,
            "prefix": self.prefix,
            "readOnly": self.read_only,
            "expiresAt": self.expires_at,
            "revokedAt": self.revoked_at,
        })
    }
}
