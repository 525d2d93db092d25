//! `import_mapping`: for each kind of import, which column of the organisation's files holds
//! which field, as last used in a successful import.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_mapping")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The import, e.g. `grants`.
    #[sea_orm(unique)]
    pub kind: String,
    /// A JSON object: field code → column header.
    pub columns: String,
    pub updated_by_account_id: Option<i32>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
