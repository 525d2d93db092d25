//! `grant`: money from a donor for a project, and where it stands in its financial closure.
//! `closure_due_on` and `due_year` are derived from the dates by the rules in
//! `steward_shared::grants` and stored so that cohorts and deadlines are indexed.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use steward_shared::grants::{ClosureDates, GrantStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub number: String,
    pub title: String,
    pub project_id: Option<i32>,
    pub donor_id: i32,
    /// Exact decimal text, e.g. `1250000.00`.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    pub agreement_start: NaiveDate,
    pub agreement_end: NaiveDate,
    pub activities_completed_on: Option<NaiveDate>,
    pub donor_deadline: Option<NaiveDate>,
    pub operationally_closed_on: Option<NaiveDate>,
    pub financially_closed_on: Option<NaiveDate>,
    pub closure_due_on: Option<NaiveDate>,
    pub due_year: Option<i32>,
    pub officer_person_id: Option<i32>,
    pub org_unit_id: i32,
    /// The division the managing unit belongs to (the unit itself if it is one).
    pub division_id: Option<i32>,
    /// The regional office the managing unit belongs to, if any.
    pub region_id: Option<i32>,
    /// A [`GrantStatus`] code.
    pub status: String,
    pub submitted_by_account_id: Option<i32>,
    pub submitted_at: Option<DateTimeUtc>,
    pub approved_by_account_id: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The condition for an open grant (not financially closed, not cancelled), written exactly as
/// the predicate of the partial indexes over open grants (`ix_grant_open_*`): the databases
/// use such an index only when the query states its predicate, with the status as a literal.
pub fn open() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(OPEN_PREDICATE)
}

/// The predicate, as the migration that made the indexes wrote it.
pub const OPEN_PREDICATE: &str = "financially_closed_on IS NULL AND status <> 'CANCELLED'";

impl Model {
    pub fn status(&self) -> GrantStatus {
        GrantStatus::parse(&self.status).unwrap_or(GrantStatus::Active)
    }

    pub fn closure_dates(&self) -> ClosureDates {
        ClosureDates {
            activities_completed_on: self.activities_completed_on,
            donor_deadline: self.donor_deadline,
            financially_closed_on: self.financially_closed_on,
            cancelled: self.status() == GrantStatus::Cancelled,
        }
    }

    /// What the audit trail keeps of a grant.
    pub fn audit_snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "number": self.number,
            "title": self.title,
            "donorId": self.donor_id,
            "amount": self.amount,
            "currency": self.currency,
            "agreementStart": self.agreement_start,
            "agreementEnd": self.agreement_end,
            "activitiesCompletedOn": self.activities_completed_on,
            "donorDeadline": self.donor_deadline,
            "operationallyClosedOn": self.operationally_closed_on,
            "financiallyClosedOn": self.financially_closed_on,
            "closureDueOn": self.closure_due_on,
            "officerPersonId": self.officer_person_id,
            "orgUnitId": self.org_unit_id,
            "status": self.status,
            "submittedByAccountId": self.submitted_by_account_id,
            "approvedByAccountId": self.approved_by_account_id,
            "version": self.version,
        })
    }
}
