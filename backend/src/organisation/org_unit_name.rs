//! `org_unit_name`: what a unit is called, per language, for a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit_name")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub org_unit_id: i32,
    /// A [`steward_shared::organisation::Language`] tag (`en`, `zh`).
    pub language: String,
    pub name: String,
    pub short_name: Option<String>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
