//! Imports: the column mapping each kind of import last used, so an organisation maps its
//! ERP's columns once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ImportMapping {
    Table,
    Id,
    Kind,
    Columns,
    UpdatedByAccountId,
    UpdatedAt,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportMapping::Table)
                    .col(pk_auto(ImportMapping::Id))
                    .col(string_len_uniq(ImportMapping::Kind, 40))
                    .col(text(ImportMapping::Columns))
                    .col(integer_null(ImportMapping::UpdatedByAccountId))
                    .col(timestamp_with_time_zone(ImportMapping::UpdatedAt))
                    .col(integer(ImportMapping::Version).default(1))
                    .foreign_key(&mut fk(
                        "fk_import_mapping_account",
                        (ImportMapping::Table, ImportMapping::UpdatedByAccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ImportMapping::Table).to_owned())
            .await
    }
}
