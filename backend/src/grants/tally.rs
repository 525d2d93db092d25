//! The closure tally: how many grants each due-year cohort holds per division, region, donor
//! and outcome (open, closed on time, closed late). Every grant change adjusts it in the same
//! transaction, so it is always exact, and closure rates for any combination of cohort,
//! division, region and donor are read from it without touching the grants themselves.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

use super::grant;

/// Where a grant counts in the tally: `None` for grants outside every cohort (cancelled, or
/// no deadline yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TallyKey {
    pub due_year: i32,
    /// 0 when the grant has no division.
    pub division_id: i32,
    /// 0 when the grant is not managed under a regional office.
    pub region_id: i32,
    pub donor_id: i32,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Open,
    OnTime,
    Late,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Open => "OPEN",
            Outcome::OnTime => "ON_TIME",
            Outcome::Late => "LATE",
        }
    }

    /// The same rule as `ClosureDates::state`, written as SQL over a grant row.
    pub const SQL_CASE: &'static str = "CASE WHEN financially_closed_on IS NULL THEN 'OPEN' \
         WHEN financially_closed_on <= closure_due_on THEN 'ON_TIME' ELSE 'LATE' END";
}

/// The tally key of a grant as stored.
pub fn key_of(grant: &grant::Model) -> Option<TallyKey> {
    if grant.status == steward_shared::grants::GrantStatus::Cancelled.code() {
        return None;
    }
    let (due_year, due_on) = (grant.due_year?, grant.closure_due_on?);
    let outcome = match grant.financially_closed_on {
        None => Outcome::Open,
        Some(closed) if closed <= due_on => Outcome::OnTime,
        Some(_) => Outcome::Late,
    };
    Some(TallyKey {
        due_year,
        division_id: grant.division_id.unwrap_or(0),
        region_id: grant.region_id.unwrap_or(0),
        donor_id: grant.donor_id,
        outcome,
    })
}

/// Changes to the tally gathered over a transaction and written once at its end (an import
/// of 100,000 grants makes a few hundred upserts, not 200,000).
#[derive(Debug, Default)]
pub struct TallyChanges(HashMap<TallyKey, i64>);

impl TallyChanges {
    /// Records that a grant went from `before` to `after` (either may be absent).
    pub fn record(&mut self, before: Option<&grant::Model>, after: Option<&grant::Model>) {
        let (from, to) = (before.and_then(key_of), after.and_then(key_of));
        if from == to {
            return;
        }
        if let Some(from) = from {
            *self.0.entry(from).or_default() -= 1;
        }
        if let Some(to) = to {
            *self.0.entry(to).or_default() += 1;
        }
    }

    /// Writes the changes (inside the caller's transaction).
    pub async fn apply(self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        let backend = conn.get_database_backend();
        let mut changes: Vec<_> = self.0.into_iter().filter(|(_, n)| *n != 0).collect();
        // A fixed order, so concurrent transactions lock tally rows in the same order.
        changes.sort();
        for (key, delta) in changes {
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO grant_closure_tally (due_year, division_id, region_id, donor_id, outcome, grants) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (due_year, division_id, region_id, donor_id, outcome) \
                 DO UPDATE SET grants = grant_closure_tally.grants + excluded.grants",
                [
                    key.due_year.into(),
                    key.division_id.into(),
                    key.region_id.into(),
                    key.donor_id.into(),
                    key.outcome.code().into(),
                    delta.into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }
}

/// Recomputes the whole tally from the grants (after a bulk load, in its transaction).
pub async fn rebuild(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_string(
        backend,
        "DELETE FROM grant_closure_tally",
    ))
    .await?;
    conn.execute_raw(Statement::from_string(
        backend,
        format!(
            "INSERT INTO grant_closure_tally (due_year, division_id, region_id, donor_id, outcome, grants) {}",
            recount_sql()
        ),
    ))
    .await?;
    Ok(())
}

/// The tally recounted from the grants: the same columns as the table.
fn recount_sql() -> String {
    format!(
        "SELECT due_year, COALESCE(division_id, 0) AS division_id, COALESCE(region_id, 0) AS region_id, \
         donor_id, {} AS outcome, COUNT(*) AS grants \
         FROM \"grant\" WHERE due_year IS NOT NULL AND status <> 'CANCELLED' GROUP BY 1, 2, 3, 4, 5",
        Outcome::SQL_CASE
    )
}

/// One tally row, as stored or as recounted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, FromQueryResult)]
pub struct TallyRow {
    pub due_year: i32,
    pub division_id: i32,
    pub region_id: i32,
    pub donor_id: i32,
    pub outcome: String,
    pub grants: i64,
}

/// The stored tally (rows with grants) and a recount from the grants, both sorted: equal
/// when the tally is exact.
pub async fn stored_and_recounted(
    conn: &impl ConnectionTrait,
) -> Result<(Vec<TallyRow>, Vec<TallyRow>), DbErr> {
    let backend = conn.get_database_backend();
    let columns = "due_year, division_id, region_id, donor_id, outcome, grants";
    let stored = TallyRow::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT {columns} FROM grant_closure_tally WHERE grants <> 0 ORDER BY 1, 2, 3, 4, 5"
        ),
    ))
    .all(conn)
    .await?;
    let recounted = TallyRow::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT due_year, division_id, region_id, donor_id, outcome, CAST(grants AS BIGINT) AS grants \
             FROM ({}) AS recount ORDER BY 1, 2, 3, 4, 5",
            recount_sql()
        ),
    ))
    .all(conn)
    .await?;
    Ok((stored, recounted))
}
