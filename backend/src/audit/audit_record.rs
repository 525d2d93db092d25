//! `audit_record`: one change to one record (append-only, enforced by database triggers).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// The account that made the change; empty for the command line.
    pub actor_account_id: Option<i32>,
    /// Who, in words: the account's address, or `cli`.
    pub actor: String,
    pub request_id: Option<String>,
    /// The kind of record (its table), e.g. `person`.
    pub entity: String,
    pub record_id: String,
    pub action: String,
    /// The record's values before and after, as JSON.
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
