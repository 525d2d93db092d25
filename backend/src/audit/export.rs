//! `GET /api/exports/audit-trail?record=&entity=&actor=&from=&to=`: the audit trail as CSV
//! (UTF-8 with a byte-order mark, so spreadsheet programs read it correctly).

use serde::Deserialize;

use super::graphql::AuditTrailFilter;
use super::trail::TrailFilter;
use crate::db::Db;
use crate::graphql::scalars::Date;
use crate::graphql::{ApiError, ApiResult};

/// Rows written per database read, so a long trail streams through bounded memory.
const BATCH: u64 = 1_000;
/// The largest export in one file; narrower filters give the rest.
pub const MAX_ROWS: u64 = 1_000_000;

#[derive(Debug, Default, Deserialize)]
pub struct AuditExportParams {
    record: Option<String>,
    entity: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn date(field: &str, raw: Option<String>) -> ApiResult<Option<Date>> {
    raw.filter(|r| !r.trim().is_empty())
        .map(|r| {
            r.trim()
                .parse::<chrono::NaiveDate>()
                .map(Date::from)
                .map_err(|_| {
                    ApiError::validation(field, format!("{r:?} is not a date (YYYY-MM-DD)."))
                })
        })
        .transpose()
}

impl AuditExportParams {
    pub fn into_filter(self) -> ApiResult<TrailFilter> {
        AuditTrailFilter {
            record: self.record.filter(|r| !r.is_empty()).map(Into::into),
            entity: self.entity,
            actor: self.actor.filter(|a| !a.is_empty()).map(Into::into),
            from: date("from", self.from)?,
            to: date("to", self.to)?,
        }
        .into_filter()
    }
}

/// The CSV file, oldest change first.
pub async fn audit_trail_csv(db: &Db, filter: &TrailFilter) -> ApiResult<Vec<u8>> {
    let total = filter.count(db.reader()).await?;
    if total > MAX_ROWS {
        return Err(ApiError::bad_request(format!(
            "The export would hold {total} changes; at most {MAX_ROWS} fit in one file. Narrow the period."
        )));
    }
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let csv_error = |e: csv::Error| ApiError::internal(format!("csv: {e}"));
    writer
        .write_record([
            "at",
            "actor",
            "actor_account_id",
            "request_id",
            "entity",
            "record_id",
            "action",
            "before",
            "after",
            "reason",
        ])
        .map_err(csv_error)?;
    let mut after_id = 0;
    loop {
        let rows = filter.list_after(db.reader(), after_id, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after_id = last.id;
        for row in rows {
            writer
                .write_record([
                    row.at.to_rfc3339(),
                    row.actor,
                    row.actor_account_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    row.request_id.unwrap_or_default(),
                    row.entity,
                    row.record_id,
                    row.action,
                    row.before.unwrap_or_default(),
                    row.after.unwrap_or_default(),
                    row.reason.unwrap_or_default(),
                ])
                .map_err(csv_error)?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(format!("csv: {e}")))
}
