//! `org_unit_revision`: a unit's kind and place in the tree for a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit_revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub org_unit_id: i32,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// One of [`steward_shared::organisation::OrgUnitKind`]'s codes.
    pub kind: String,
    pub parent_id: Option<i32>,
    /// Position among its siblings, as the organisation lists them.
    pub sort_order: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
