//! Optimistic concurrency: every editable record has a `version`; an update names the version
//! it read, and only succeeds if the record still has it. Two people editing the same record
//! can therefore never overwrite each other's work unseen.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::{ApiError, ApiResult};

/// Claims the next version of row `id` of `table` if it is still at `expected`, inside the
/// caller's write transaction, and returns the new version. The caller then applies its
/// changes in the same transaction.
///
/// A stale `expected` is `CONFLICT`; a missing row is `NOT_FOUND`. Either way nothing changes.
pub async fn claim_next_version(
    txn: &DatabaseTransaction,
    table: &'static str,
    what: &str,
    id: i32,
    expected: i32,
) -> ApiResult<i32> {
    let update = Query::update()
        .table(Alias::new(table))
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("version")).eq(expected))
        .to_owned();
    let result = txn.execute(&update).await?;
    if result.rows_affected() == 1 {
        return Ok(expected + 1);
    }
    let current = Query::select()
        .column(Alias::new("version"))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    let backend = txn.get_database_backend();
    let row = txn.query_one_raw(backend.build(&current)).await?;
    match row {
        None => Err(ApiError::not_found(format!("There is no such {what}."))),
        Some(row) => {
            let now: i32 = row.try_get_by_index(0)?;
            Err(ApiError::conflict(format!(
                "This {what} was changed by someone else since you read it (it is at version \
                 {now}, you had version {expected}). Reload it and make your change again."
            )))
        }
    }
}
