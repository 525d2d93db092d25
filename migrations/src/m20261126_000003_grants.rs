//! Grants and their financial closure: donors, grants (with the closure deadline and due-year
//! cohort stored beside the dates they come from, so cohorts and the overdue backlog are
//! indexed), and the closure tally: counts per cohort, division, region and donor of open
//! grants, grants closed on time and grants closed late,
//! kept exact in the same transaction as every grant change so the organisation-wide
//! dashboard never scans the grants.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Donor {
    Table,
    Id,
    Code,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Grant {
    Table,
    Id,
    Number,
    Title,
    ProjectId,
    DonorId,
    Amount,
    Currency,
    AgreementStart,
    AgreementEnd,
    ActivitiesCompletedOn,
    DonorDeadline,
    OperationallyClosedOn,
    FinanciallyClosedOn,
    ClosureDueOn,
    DueYear,
    OfficerPersonId,
    OrgUnitId,
    DivisionId,
    RegionId,
    Status,
    SubmittedByAccountId,
    SubmittedAt,
    ApprovedByAccountId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GrantClosureTally {
    Table,
    DueYear,
    DivisionId,
    RegionId,
    DonorId,
    OpenGrants,
    OnTimeGrants,
    LateGrants,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Donor::Table)
                    .col(pk_auto(Donor::Id))
                    .col(string_len_uniq(Donor::Code, 40))
                    .col(string_len(Donor::Name, 200))
                    .col(timestamp_with_time_zone(Donor::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Grant::Table)
                    .col(pk_auto(Grant::Id))
                    .col(string_len_uniq(Grant::Number, 40))
                    .col(string_len(Grant::Title, 300))
                    // The logframe's project, once that area exists; optional.
                    .col(integer_null(Grant::ProjectId))
                    .col(integer(Grant::DonorId))
                    // Exact decimal text (e.g. "1250000.00"): SQLite has no exact decimal type.
                    .col(string_len(Grant::Amount, 40))
                    .col(string_len(Grant::Currency, 3))
                    .col(date(Grant::AgreementStart))
                    .col(date(Grant::AgreementEnd))
                    .col(date_null(Grant::ActivitiesCompletedOn))
                    .col(date_null(Grant::DonorDeadline))
                    .col(date_null(Grant::OperationallyClosedOn))
                    .col(date_null(Grant::FinanciallyClosedOn))
                    .col(date_null(Grant::ClosureDueOn))
                    .col(integer_null(Grant::DueYear))
                    .col(integer_null(Grant::OfficerPersonId))
                    .col(integer(Grant::OrgUnitId))
                    .col(integer_null(Grant::DivisionId))
                    .col(integer_null(Grant::RegionId))
                    .col(string_len(Grant::Status, 24))
                    .col(integer_null(Grant::SubmittedByAccountId))
                    .col(timestamp_with_time_zone_null(Grant::SubmittedAt))
                    .col(integer_null(Grant::ApprovedByAccountId))
                    .col(integer(Grant::Version).default(1))
                    .col(timestamp_with_time_zone(Grant::CreatedAt))
                    .col(timestamp_with_time_zone(Grant::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_grant_donor",
                        (Grant::Table, Grant::DonorId),
                        (Donor::Table, Donor::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_officer",
                        (Grant::Table, Grant::OfficerPersonId),
                        (Person::Table, Person::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_org_unit",
                        (Grant::Table, Grant::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_division",
                        (Grant::Table, Grant::DivisionId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_region",
                        (Grant::Table, Grant::RegionId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_submitted_by",
                        (Grant::Table, Grant::SubmittedByAccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_approved_by",
                        (Grant::Table, Grant::ApprovedByAccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        // Cohort analytics filter by cohort then division/donor/region; the backlog and the
        // worklist by deadline among open grants; lists by donor and officer.
        for (name, columns) in [
            (
                "ix_grant_cohort",
                &["due_year", "division_id", "donor_id", "region_id"][..],
            ),
            ("ix_grant_status_due", &["status", "closure_due_on"][..]),
            ("ix_grant_donor", &["donor_id", "due_year"][..]),
            (
                "ix_grant_officer",
                &["officer_person_id", "closure_due_on"][..],
            ),
            (
                "ix_grant_division_due",
                &["division_id", "closure_due_on"][..],
            ),
            ("ix_grant_closed_on", &["financially_closed_on"][..]),
        ] {
            manager
                .create_index(index(name, Grant::Table, columns))
                .await?;
        }

        // 0 stands for "none" in division_id and region_id: a unique key cannot hold NULLs
        // that conflict with each other, and the tally is upserted by that key.
        manager
            .create_table(
                Table::create()
                    .table(GrantClosureTally::Table)
                    .col(integer(GrantClosureTally::DueYear))
                    .col(integer(GrantClosureTally::DivisionId))
                    .col(integer(GrantClosureTally::RegionId))
                    .col(integer(GrantClosureTally::DonorId))
                    .col(big_integer(GrantClosureTally::OpenGrants).default(0))
                    .col(big_integer(GrantClosureTally::OnTimeGrants).default(0))
                    .col(big_integer(GrantClosureTally::LateGrants).default(0))
                    .primary_key(
                        Index::create()
                            .col(GrantClosureTally::DueYear)
                            .col(GrantClosureTally::DivisionId)
                            .col(GrantClosureTally::RegionId)
                            .col(GrantClosureTally::DonorId),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GrantClosureTally::Table.into_iden(),
            Grant::Table.into_iden(),
            Donor::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
