//! `org_unit`: a unit's identity, which survives renames and moves in the tree.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub established_on: Date,
    /// The first day the unit no longer exists.
    pub dissolved_on: Option<Date>,
    /// Where its work went when it was merged into another unit.
    pub merged_into_id: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn exists_on(&self, day: Date) -> bool {
        self.established_on <= day && self.dissolved_on.is_none_or(|end| day < end)
    }
}
