//! `person_membership`: a person's post in an org unit for a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub person_id: i32,
    pub org_unit_id: i32,
    pub title: String,
    /// Heads the unit (director, chief, head of office).
    pub is_head: bool,
    /// Holds the post ad interim (a.i.).
    pub acting: bool,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
