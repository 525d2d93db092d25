//! The closure tally: for each due-year cohort, division, region and donor, how many grants
//! are open, closed on time and closed late. Every grant change adjusts it in the same
//! transaction, so it is always exact, and closure rates for any combination of cohort,
//! division, region and donor are read from it without touching the grants themselves. One
//! row holds the three outcomes, so a rate is a sum over few rows.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

use super::grant;

/// Where a grant counts in the tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TallyKey {
    pub due_year: i32,
    /// 0 when the grant has no division.
    pub division_id: i32,
    /// 0 when the grant is not managed under a regional office.
    pub region_id: i32,
    pub donor_id: i32,
}

/// How a counted grant stands: the tally's three columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Open = 0,
    OnTime = 1,
    Late = 2,
}

/// The tally's count columns, in [`Outcome`] order.
pub const COLUMNS: [&str; 3] = ["open_grants", "on_time_grants", "late_grants"];

/// `1` in SQL where a grant row has this outcome: the same rule as `ClosureDates::state`.
fn outcome_sql(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Open => "CASE WHEN financially_closed_on IS NULL THEN 1 ELSE 0 END",
        Outcome::OnTime => {
            "CASE WHEN financially_closed_on IS NOT NULL AND financially_closed_on <= closure_due_on THEN 1 ELSE 0 END"
        }
        Outcome::Late => {
            "CASE WHEN financially_closed_on IS NOT NULL AND financially_closed_on > closure_due_on THEN 1 ELSE 0 END"
        }
    }
}

/// Where a grant as stored counts: `None` for grants outside every cohort (cancelled, or no
/// deadline yet).
pub fn key_of(grant: &grant::Model) -> Option<(TallyKey, Outcome)> {
    if grant.status == steward_shared::grants::GrantStatus::Cancelled.code() {
        return None;
    }
    let (due_year, due_on) = (grant.due_year?, grant.closure_due_on?);
    let outcome = match grant.financially_closed_on {
        None => Outcome::Open,
        Some(closed) if closed <= due_on => Outcome::OnTime,
        Some(_) => Outcome::Late,
    };
    let key = TallyKey {
        due_year,
        division_id: grant.division_id.unwrap_or(0),
        region_id: grant.region_id.unwrap_or(0),
        donor_id: grant.donor_id,
    };
    Some((key, outcome))
}

/// Changes to the tally gathered over a transaction and written once at its end (an import
/// of 100,000 grants makes a few hundred upserts, not 200,000).
#[derive(Debug, Default)]
pub struct TallyChanges(HashMap<TallyKey, [i64; 3]>);

impl TallyChanges {
    /// Records that a grant went from `before` to `after` (either may be absent).
    pub fn record(&mut self, before: Option<&grant::Model>, after: Option<&grant::Model>) {
        let (from, to) = (before.and_then(key_of), after.and_then(key_of));
        if from == to {
            return;
        }
        if let Some((key, outcome)) = from {
            self.0.entry(key).or_default()[outcome as usize] -= 1;
        }
        if let Some((key, outcome)) = to {
            self.0.entry(key).or_default()[outcome as usize] += 1;
        }
    }

    /// Writes the changes (inside the caller's transaction).
    pub async fn apply(self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        let backend = conn.get_database_backend();
        let table = Alias::new("grant_closure_tally");
        let mut changes: Vec<_> = self
            .0
            .into_iter()
            .filter(|(_, deltas)| deltas.iter().any(|d| *d != 0))
            .collect();
        // A fixed order, so concurrent transactions lock tally rows in the same order.
        changes.sort_by_key(|(key, _)| *key);
        for (key, deltas) in changes {
            let mut on_conflict = OnConflict::columns(
                ["due_year", "division_id", "region_id", "donor_id"].map(Alias::new),
            );
            for column in COLUMNS {
                on_conflict.value(
                    Alias::new(column),
                    Expr::col((table.clone(), Alias::new(column)))
                        .add(Expr::col((Alias::new("excluded"), Alias::new(column)))),
                );
            }
            let insert = Query::insert()
                .into_table(table.clone())
                .columns(
                    ["due_year", "division_id", "region_id", "donor_id"]
                        .into_iter()
                        .chain(COLUMNS)
                        .map(Alias::new),
                )
                .values([
                    key.due_year.into(),
                    key.division_id.into(),
                    key.region_id.into(),
                    key.donor_id.into(),
                    deltas[0].into(),
                    deltas[1].into(),
                    deltas[2].into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .on_conflict(on_conflict)
                .to_owned();
            conn.execute_raw(backend.build(&insert)).await?;
        }
        Ok(())
    }
}

/// The tally recounted from the grants: the same columns as the table.
fn recount_sql() -> String {
    format!(
        "SELECT due_year, COALESCE(division_id, 0) AS division_id, COALESCE(region_id, 0) AS region_id, \
         donor_id, SUM({}) AS open_grants, SUM({}) AS on_time_grants, SUM({}) AS late_grants \
         FROM \"grant\" WHERE due_year IS NOT NULL AND status <> 'CANCELLED' GROUP BY 1, 2, 3, 4",
        outcome_sql(Outcome::Open),
        outcome_sql(Outcome::OnTime),
        outcome_sql(Outcome::Late),
    )
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
            "INSERT INTO grant_closure_tally (due_year, division_id, region_id, donor_id, open_grants, on_time_grants, late_grants) {}",
            recount_sql()
        ),
    ))
    .await?;
    Ok(())
}

/// One tally row, as stored or as recounted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, FromQueryResult)]
pub struct TallyRow {
    pub due_year: i32,
    pub division_id: i32,
    pub region_id: i32,
    pub donor_id: i32,
    pub open_grants: i64,
    pub on_time_grants: i64,
    pub late_grants: i64,
}

/// The stored tally (rows with grants) and a recount from the grants, both sorted: equal
/// when the tally is exact.
pub async fn stored_and_recounted(
    conn: &impl ConnectionTrait,
) -> Result<(Vec<TallyRow>, Vec<TallyRow>), DbErr> {
    let backend = conn.get_database_backend();
    let counts = "CAST(open_grants AS BIGINT) AS open_grants, CAST(on_time_grants AS BIGINT) AS on_time_grants, \
         CAST(late_grants AS BIGINT) AS late_grants";
    let stored = TallyRow::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT due_year, division_id, region_id, donor_id, {counts} FROM grant_closure_tally \
             WHERE open_grants <> 0 OR on_time_grants <> 0 OR late_grants <> 0 ORDER BY 1, 2, 3, 4"
        ),
    ))
    .all(conn)
    .await?;
    let recounted = TallyRow::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT due_year, division_id, region_id, donor_id, {counts} FROM ({}) AS recount \
             ORDER BY 1, 2, 3, 4",
            recount_sql()
        ),
    ))
    .all(conn)
    .await?;
    Ok((stored, recounted))
}
