//! `account`: a person's way into Steward. People without accounts exist too.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub person_id: i32,
    /// The sign-in address, lower-cased.
    #[sea_orm(unique)]
    pub email: String,
    /// Argon2id in PHC string form; empty until a password is set.
    pub password_hash: Option<String>,
    pub active: bool,
    pub password_changed_at: Option<DateTimeUtc>,
    pub deactivated_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// What the audit trail keeps of an account: never the password hash.
    pub fn audit_snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "email": self.email,
            "personId": self.person_id,
            "active": self.active,
            "passwordSet": self.password_hash.is_some(),
            "passwordChangedAt": self.password_changed_at,
            "deactivatedAt": self.deactivated_at,
            "version": self.version,
        })
    }
}
