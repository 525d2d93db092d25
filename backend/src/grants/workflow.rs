//! The closure workflow: field activities completed → submitted for closure (operationally
//! closed) → financial closure approved by a finance officer who is not the submitter; a closed
//! grant can be reopened with a reason. Each step is one write transaction that claims the
//! grant's next version, keeps the closure tally exact and writes the audit trail.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use steward_shared::access::Operation;
use steward_shared::grants::{GrantStatus, closure_due_on, due_year};

use super::grant;
use super::graphql::{GRANT_TYPE, Grant};
use super::tally::TallyChanges;
use crate::access::caller::SignedIn;
use crate::access::permissions::{Subject, authorize, caller};
use crate::audit::{self, Change};
use crate::graphql::relay::parse_global_id_of;
use crate::graphql::scalars::Date;
use crate::graphql::versioning::claim_next_version;
use crate::graphql::{ApiError, ApiResult, db};
use crate::organisation::graphql::today;

/// Field activities are complete: the six-month closure clock starts.
#[derive(InputObject)]
pub struct CompleteGrantActivitiesInput {
    /// The grant (global id).
    grant: ID,
    /// The version you read.
    version: i32,
    /// The day field activities were completed (not in the future).
    completed_on: Date,
}

/// The grant is operationally closed and submitted for financial closure.
#[derive(InputObject)]
pub struct SubmitGrantClosureInput {
    /// The grant (global id).
    grant: ID,
    /// The version you read.
    version: i32,
    /// The day of operational closure (not in the future, not before activities ended).
    operationally_closed_on: Date,
}

/// A finance officer approves the financial closure.
#[derive(InputObject)]
pub struct ApproveGrantClosureInput {
    /// The grant (global id).
    grant: ID,
    /// The version you read.
    version: i32,
    /// The day of financial closure (not in the future, not before operational closure).
    financially_closed_on: Date,
}

/// A submitted or closed grant goes back to "activities completed".
#[derive(InputObject)]
pub struct ReopenGrantInput {
    /// The grant (global id).
    grant: ID,
    /// The version you read.
    version: i32,
    /// Why (required; kept in the audit trail).
    reason: String,
}

fn not_in_future(field: &str, day: NaiveDate) -> ApiResult<()> {
    if day > today() {
        return Err(ApiError::validation(
            field,
            format!("{day} is in the future; record a step on or after the day it happened."),
        ));
    }
    Ok(())
}

fn expect_status(grant: &grant::Model, allowed: &[GrantStatus], step: &str) -> ApiResult<()> {
    let status = grant.status();
    if allowed.contains(&status) {
        return Ok(());
    }
    Err(ApiError::conflict(format!(
        "Grant {} is {}; it cannot be {step} now.",
        grant.number,
        status.code().to_lowercase().replace('_', " ")
    )))
}

/// One step of the workflow on one grant: authorised on the grant's unit, in a transaction
/// that claims the next version; `apply` checks the step against the grant as it is and
/// changes the row.
async fn step(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    operation: Operation,
    action: &'static str,
    reason: Option<String>,
    apply: impl FnOnce(&grant::Model, &SignedIn, &mut grant::ActiveModel) -> ApiResult<()>,
) -> ApiResult<Grant> {
    let id = parse_global_id_of(id, GRANT_TYPE)?;
    let db = db(ctx)?;
    let unit = grant::Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .ok_or_else(|| ApiError::not_found("There is no such grant."))?
        .org_unit_id;
    let signed_in = authorize(ctx, operation, Subject::Unit(unit)).await?;
    let txn = db.begin_write().await?;
    let new_version = claim_next_version(&txn, "grant", "grant", id, version).await?;
    let before = grant::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("There is no such grant."))?;
    let mut change = before.clone().into_active_model();
    apply(&before, signed_in, &mut change)?;
    let due = closure_due_on(
        change
            .activities_completed_on
            .try_as_ref()
            .copied()
            .flatten(),
        change.donor_deadline.try_as_ref().copied().flatten(),
    );
    change.closure_due_on = Set(due);
    change.due_year = Set(due_year(due));
    change.version = Set(new_version);
    change.updated_at = Set(Utc::now());
    let after = change.update(&txn).await?;
    let mut tally = TallyChanges::default();
    tally.record(Some(&before), Some(&after));
    tally.apply(&txn).await?;
    audit::trail::record_for(
        &txn,
        caller(ctx)?,
        Change::new(GRANT_TYPE, id, action)
            .before(before.audit_snapshot())
            .after(after.audit_snapshot())
            .reason(reason),
    )
    .await?;
    txn.commit().await?;
    Ok(Grant(Arc::new(after)))
}

#[derive(Default)]
pub struct GrantsMutation;

#[Object]
impl GrantsMutation {
    /// Records that a grant's field activities are complete; its closure deadline follows.
    async fn complete_grant_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant, its version and the day.")]
        input: CompleteGrantActivitiesInput,
    ) -> ApiResult<Grant> {
        let day: NaiveDate = input.completed_on.into();
        not_in_future("completedOn", day)?;
        step(
            ctx,
            &input.grant,
            input.version,
            Operation::EditGrants,
            "complete activities",
            None,
            |grant, _, change| {
                expect_status(grant, &[GrantStatus::Active], "marked as completed")?;
                if day < grant.agreement_start {
                    return Err(ApiError::validation(
                        "completedOn",
                        format!(
                            "{day} is before the agreement started ({}).",
                            grant.agreement_start
                        ),
                    ));
                }
                change.activities_completed_on = Set(Some(day));
                change.status = Set(GrantStatus::ActivitiesCompleted.code().to_owned());
                Ok(())
            },
        )
        .await
    }

    /// Submits a grant for financial closure once it is operationally closed.
    async fn submit_grant_closure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant, its version and the day of operational closure.")]
        input: SubmitGrantClosureInput,
    ) -> ApiResult<Grant> {
        let day: NaiveDate = input.operationally_closed_on.into();
        not_in_future("operationallyClosedOn", day)?;
        step(
            ctx,
            &input.grant,
            input.version,
            Operation::EditGrants,
            "submit for closure",
            None,
            |grant, who, change| {
                expect_status(
                    grant,
                    &[GrantStatus::ActivitiesCompleted],
                    "submitted for closure",
                )?;
                if let Some(completed) = grant.activities_completed_on
                    && day < completed
                {
                    return Err(ApiError::validation(
                        "operationallyClosedOn",
                        format!("{day} is before field activities were completed ({completed})."),
                    ));
                }
                change.operationally_closed_on = Set(Some(day));
                change.submitted_by_account_id = Set(Some(who.account_id));
                change.submitted_at = Set(Some(Utc::now()));
                change.status = Set(GrantStatus::OperationallyClosed.code().to_owned());
                Ok(())
            },
        )
        .await
    }

    /// Approves a submitted grant's financial closure. Only a finance officer may, and never
    /// the person who submitted it.
    async fn approve_grant_closure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant, its version and the day of financial closure.")]
        input: ApproveGrantClosureInput,
    ) -> ApiResult<Grant> {
        let day: NaiveDate = input.financially_closed_on.into();
        not_in_future("financiallyClosedOn", day)?;
        step(ctx, &input.grant, input.version, Operation::ApproveGrantClosure, "approve closure", None, |grant, who, change| {
            expect_status(grant, &[GrantStatus::OperationallyClosed], "approved for closure")?;
            if grant.submitted_by_account_id == Some(who.account_id) {
                return Err(ApiError::forbidden(
                    "You submitted this grant for closure; another finance officer must approve it.",
                ));
            }
            if let Some(operational) = grant.operationally_closed_on
                && day < operational
            {
                return Err(ApiError::validation(
                    "financiallyClosedOn",
                    format!("{day} is before the operational closure ({operational})."),
                ));
            }
            change.financially_closed_on = Set(Some(day));
            change.approved_by_account_id = Set(Some(who.account_id));
            change.status = Set(GrantStatus::FinanciallyClosed.code().to_owned());
            Ok(())
        })
        .await
    }

    /// Reopens a submitted or financially closed grant (back to "activities completed");
    /// needs a reason.
    async fn reopen_grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant, its version and why.")] input: ReopenGrantInput,
    ) -> ApiResult<Grant> {
        let reason = input.reason.trim().to_owned();
        if reason.is_empty() {
            return Err(ApiError::validation(
                "reason",
                "Say why the grant is reopened; the reason is kept in the audit trail.",
            ));
        }
        step(
            ctx,
            &input.grant,
            input.version,
            Operation::ApproveGrantClosure,
            "reopen",
            Some(reason),
            |grant, _, change| {
                expect_status(
                    grant,
                    &[
                        GrantStatus::OperationallyClosed,
                        GrantStatus::FinanciallyClosed,
                    ],
                    "reopened",
                )?;
                change.operationally_closed_on = Set(None);
                change.financially_closed_on = Set(None);
                change.submitted_by_account_id = Set(None);
                change.submitted_at = Set(None);
                change.approved_by_account_id = Set(None);
                change.status = Set(GrantStatus::ActivitiesCompleted.code().to_owned());
                Ok(())
            },
        )
        .await
    }
}
