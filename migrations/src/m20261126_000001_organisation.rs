//! The organisation over time: org units (identity), their effective-dated revisions (kind,
//! place in the tree) and names (per language), people, their memberships of units, and flags
//! such as "change agent".
//!
//! Effective dates are half-open: a row holds from `valid_from` (inclusive) until `valid_to`
//! (exclusive); an empty `valid_to` means "still so".

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
    Code,
    EstablishedOn,
    DissolvedOn,
    MergedIntoId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrgUnitRevision {
    Table,
    Id,
    OrgUnitId,
    ValidFrom,
    ValidTo,
    Kind,
    ParentId,
    SortOrder,
}

#[derive(DeriveIden)]
enum OrgUnitName {
    Table,
    Id,
    OrgUnitId,
    Language,
    Name,
    ShortName,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
    Name,
    Email,
    Grade,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PersonMembership {
    Table,
    Id,
    PersonId,
    OrgUnitId,
    Title,
    IsHead,
    Acting,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden)]
enum PersonFlag {
    Table,
    Id,
    PersonId,
    Flag,
    Since,
    Until,
    Note,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrgUnit::Table)
                    .col(pk_auto(OrgUnit::Id))
                    .col(string_len_uniq(OrgUnit::Code, 16))
                    .col(date(OrgUnit::EstablishedOn))
                    .col(date_null(OrgUnit::DissolvedOn))
                    .col(integer_null(OrgUnit::MergedIntoId))
                    .col(integer(OrgUnit::Version).default(1))
                    .col(timestamp_with_time_zone(OrgUnit::CreatedAt))
                    .col(timestamp_with_time_zone(OrgUnit::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_org_unit_merged_into",
                        (OrgUnit::Table, OrgUnit::MergedIntoId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrgUnitRevision::Table)
                    .col(pk_auto(OrgUnitRevision::Id))
                    .col(integer(OrgUnitRevision::OrgUnitId))
                    .col(date(OrgUnitRevision::ValidFrom))
                    .col(date_null(OrgUnitRevision::ValidTo))
                    .col(string_len(OrgUnitRevision::Kind, 32))
                    .col(integer_null(OrgUnitRevision::ParentId))
                    .col(integer(OrgUnitRevision::SortOrder).default(0))
                    .foreign_key(&mut fk(
                        "fk_org_unit_revision_unit",
                        (OrgUnitRevision::Table, OrgUnitRevision::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_org_unit_revision_parent",
                        (OrgUnitRevision::Table, OrgUnitRevision::ParentId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_org_unit_revision_unit",
                OrgUnitRevision::Table,
                &["org_unit_id", "valid_from"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_org_unit_revision_parent",
                OrgUnitRevision::Table,
                &["parent_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrgUnitName::Table)
                    .col(pk_auto(OrgUnitName::Id))
                    .col(integer(OrgUnitName::OrgUnitId))
                    .col(string_len(OrgUnitName::Language, 8))
                    .col(string_len(OrgUnitName::Name, 300))
                    .col(string_len_null(OrgUnitName::ShortName, 64))
                    .col(date(OrgUnitName::ValidFrom))
                    .col(date_null(OrgUnitName::ValidTo))
                    .foreign_key(&mut fk(
                        "fk_org_unit_name_unit",
                        (OrgUnitName::Table, OrgUnitName::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_org_unit_name_unit",
                OrgUnitName::Table,
                &["org_unit_id", "language", "valid_from"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Person::Table)
                    .col(pk_auto(Person::Id))
                    .col(string_len(Person::Name, 200))
                    .col(string_len_null(Person::Email, 254).unique_key())
                    .col(string_len_null(Person::Grade, 8))
                    .col(boolean(Person::Active).default(true))
                    .col(integer(Person::Version).default(1))
                    .col(timestamp_with_time_zone(Person::CreatedAt))
                    .col(timestamp_with_time_zone(Person::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_person_name", Person::Table, &["name"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PersonMembership::Table)
                    .col(pk_auto(PersonMembership::Id))
                    .col(integer(PersonMembership::PersonId))
                    .col(integer(PersonMembership::OrgUnitId))
                    .col(string_len(PersonMembership::Title, 200))
                    .col(boolean(PersonMembership::IsHead).default(false))
                    .col(boolean(PersonMembership::Acting).default(false))
                    .col(date(PersonMembership::ValidFrom))
                    .col(date_null(PersonMembership::ValidTo))
                    .foreign_key(&mut fk(
                        "fk_person_membership_person",
                        (PersonMembership::Table, PersonMembership::PersonId),
                        (Person::Table, Person::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_person_membership_unit",
                        (PersonMembership::Table, PersonMembership::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_person_membership_person",
                PersonMembership::Table,
                &["person_id", "valid_from"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_person_membership_unit",
                PersonMembership::Table,
                &["org_unit_id", "valid_from"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PersonFlag::Table)
                    .col(pk_auto(PersonFlag::Id))
                    .col(integer(PersonFlag::PersonId))
                    .col(string_len(PersonFlag::Flag, 32))
                    .col(date(PersonFlag::Since))
                    .col(date_null(PersonFlag::Until))
                    .col(text_null(PersonFlag::Note))
                    .foreign_key(&mut fk(
                        "fk_person_flag_person",
                        (PersonFlag::Table, PersonFlag::PersonId),
                        (Person::Table, Person::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_person_flag_person",
                PersonFlag::Table,
                &["person_id", "flag"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PersonFlag::Table.into_iden(),
            PersonMembership::Table.into_iden(),
            Person::Table.into_iden(),
            OrgUnitName::Table.into_iden(),
            OrgUnitRevision::Table.into_iden(),
            OrgUnit::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
