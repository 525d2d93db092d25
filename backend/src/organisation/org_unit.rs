//! The `org_unit` table and the reads the API needs from it.

use sea_orm::entity::prelude::*;
use sea_orm::{ConnectionTrait, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    /// One of [`steward_shared::organisation::OrgUnitKind`]'s codes.
    pub kind: String,
    pub parent_id: Option<i32>,
    /// Position among its siblings, as the organisation lists them.
    pub sort_order: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}

/// All org units, parents before children within the same sort order, ties broken by code.
pub async fn list_all<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::SortOrder)
        .order_by_asc(Column::Code)
        .all(db)
        .await
}

pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}
