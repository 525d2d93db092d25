//! `donor`: who funds grants (a member state, a fund, a foundation, a city).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "donor")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The code the ERP uses for the donor, e.g. `SIDA`.
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
