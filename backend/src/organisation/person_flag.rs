//! `person_flag`: something noted about a person for a period (e.g. change agent since 2018).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_flag")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    /// A [`steward_shared::organisation::PersonFlagKind`] code.
    pub flag: String,
    pub since: Date,
    pub until: Option<Date>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
