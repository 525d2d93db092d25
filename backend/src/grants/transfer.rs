//! Grants as files: any filtered grant list exported as CSV or XLSX
//! (`GET /api/exports/grants?format=xlsx&fromYear=2012&toYear=2019&donor=…&overdue=true`).

use std::collections::HashMap;

use async_graphql::ID;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use steward_shared::grants::ClosureState;

use super::graphql::{GrantFilter, condition};
use super::{donor, grant};
use crate::db::Db;
use crate::graphql::{ApiError, ApiResult};
use crate::organisation::graphql::today;
use crate::organisation::{org_unit, person};
use crate::transfer::Download;

/// Rows read per statement: the export pages through the list by id, so memory stays flat
/// and no statement holds the database long.
const BATCH: u64 = 5_000;

/// A byte-order mark first, so spreadsheet programs read the names as UTF-8.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The query string of a grant export: the grant list's filters, one value each. Read as
/// text (it shares the query string with other exports' parameters) and checked here.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantExportParams {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
    search: Option<String>,
    from_year: Option<String>,
    to_year: Option<String>,
    donor: Option<String>,
    division: Option<String>,
    region: Option<String>,
    officer: Option<String>,
    overdue: Option<String>,
    due_within_days: Option<String>,
    state: Option<String>,
}

fn number(field: &str, raw: Option<String>) -> ApiResult<Option<i32>> {
    match raw.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| ApiError::validation(field, format!("{text:?} is not a whole number."))),
    }
}

enum Format {
    Csv,
    Xlsx,
}

impl GrantExportParams {
    fn format(&self) -> ApiResult<Format> {
        match self
            .format
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(other) => Err(ApiError::validation(
                "format",
                format!("{other:?} is not a format Steward writes: use csv or xlsx."),
            )),
        }
    }

    fn filter(self) -> ApiResult<GrantFilter> {
        let present = |raw: Option<String>| raw.filter(|r| !r.trim().is_empty());
        let one = |id: Option<String>| present(id).map(|id| vec![ID(id)]);
        let state = present(self.state)
            .map(|raw| {
                ClosureState::ALL
                    .into_iter()
                    .find(|s| s.code().eq_ignore_ascii_case(raw.trim()))
                    .ok_or_else(|| {
                        ApiError::validation("state", format!("{raw:?} is not a closure state."))
                    })
            })
            .transpose()?;
        let overdue = present(self.overdue)
            .map(|raw| match raw.trim() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                other => Err(ApiError::validation(
                    "overdue",
                    format!("{other:?} is neither true nor false."),
                )),
            })
            .transpose()?;
        Ok(GrantFilter {
            search: self.search,
            states: state.map(|s| vec![s]),
            statuses: None,
            from_year: number("fromYear", self.from_year)?,
            to_year: number("toYear", self.to_year)?,
            donors: one(self.donor),
            divisions: one(self.division),
            regions: one(self.region),
            officer: present(self.officer).map(ID),
            overdue,
            due_within_days: number("dueWithinDays", self.due_within_days)?,
        })
    }
}

/// Columns of an export; the import recognises them all (officer by `officer_email`).
pub(crate) const COLUMNS: usize = 21;
pub(crate) const HEADER: [&str; COLUMNS] = [
    "number",
    "title",
    "donor_code",
    "donor",
    "amount",
    "currency",
    "agreement_start",
    "agreement_end",
    "activities_completed_on",
    "donor_deadline",
    "closure_due_on",
    "due_year",
    "operationally_closed_on",
    "financially_closed_on",
    "status",
    "closure_state",
    "days_overdue",
    "org_unit",
    "division",
    "officer",
    "officer_email",
];

fn day(value: Option<NaiveDate>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

/// The names an export shows beside the ids, read once.
struct Names {
    donors: HashMap<i32, donor::Model>,
    units: HashMap<i32, String>,
    /// Name and e-mail address.
    people: HashMap<i32, (String, Option<String>)>,
}

impl Names {
    async fn read(db: &Db) -> ApiResult<Names> {
        let reader = db.reader();
        let donors = donor::Entity::find().all(reader).await?;
        let units = org_unit::Entity::find().all(reader).await?;
        let people = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::Name)
            .column(person::Column::Email)
            .into_tuple::<(i32, String, Option<String>)>()
            .all(reader)
            .await?;
        Ok(Names {
            donors: donors.into_iter().map(|d| (d.id, d)).collect(),
            units: units.into_iter().map(|u| (u.id, u.code)).collect(),
            people: people
                .into_iter()
                .map(|(id, name, email)| (id, (name, email)))
                .collect(),
        })
    }

    fn row(&self, grant: &grant::Model, on: NaiveDate) -> [String; COLUMNS] {
        let dates = grant.closure_dates();
        let donor = self.donors.get(&grant.donor_id);
        let officer = grant.officer_person_id.and_then(|id| self.people.get(&id));
        let unit = |id: Option<i32>| {
            id.and_then(|id| self.units.get(&id).cloned())
                .unwrap_or_default()
        };
        [
            grant.number.clone(),
            grant.title.clone(),
            donor.map(|d| d.code.clone()).unwrap_or_default(),
            donor.map(|d| d.name.clone()).unwrap_or_default(),
            grant.amount.clone(),
            grant.currency.clone(),
            grant.agreement_start.to_string(),
            grant.agreement_end.to_string(),
            day(grant.activities_completed_on),
            day(grant.donor_deadline),
            day(grant.closure_due_on),
            grant.due_year.map(|y| y.to_string()).unwrap_or_default(),
            day(grant.operationally_closed_on),
            day(grant.financially_closed_on),
            grant.status.clone(),
            dates.state(on).code().to_owned(),
            dates.days_overdue(on).to_string(),
            unit(Some(grant.org_unit_id)),
            unit(grant.division_id),
            officer.map(|(name, _)| name.clone()).unwrap_or_default(),
            officer
                .and_then(|(_, email)| email.clone())
                .unwrap_or_default(),
        ]
    }
}

/// Reads the grants the filter keeps, in number order, a batch at a time; `each` gets every
/// row's cells.
async fn each_row(
    db: &Db,
    filter: GrantFilter,
    mut each: impl FnMut([String; COLUMNS]) -> ApiResult<()>,
) -> ApiResult<()> {
    let on = today();
    let names = Names::read(db).await?;
    let condition = condition(filter, on)?;
    let mut after = String::new();
    loop {
        let batch = grant::Entity::find()
            .filter(condition.clone())
            .filter(grant::Column::Number.gt(after.as_str()))
            .order_by_asc(grant::Column::Number)
            .limit(BATCH)
            .all(db.reader())
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.number.clone();
        for grant in &batch {
            each(names.row(grant, on))?;
        }
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    Ok(())
}

pub async fn export_grants(db: &Db, params: GrantExportParams) -> ApiResult<Download> {
    let format = params.format()?;
    let filter = params.filter()?;
    let stamp = today();
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(UTF8_BOM.to_vec());
            let failed = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
            out.write_record(HEADER).map_err(failed)?;
            each_row(db, filter, |row| out.write_record(&row).map_err(failed)).await?;
            let bytes = out
                .into_inner()
                .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
            Ok(Download {
                file_name: format!("steward-grants-{stamp}.csv"),
                content_type: "text/csv; charset=utf-8",
                bytes,
            })
        }
        Format::Xlsx => {
            let mut rows = Vec::new();
            each_row(db, filter, |row| {
                rows.push(row);
                Ok(())
            })
            .await?;
            // Spreadsheets hold 1,048,576 rows, the header included.
            if rows.len() >= 1_048_576 {
                return Err(ApiError::validation(
                    "format",
                    format!(
                        "{} grants do not fit in one spreadsheet; narrow the filter or export CSV.",
                        rows.len()
                    ),
                ));
            }
            let bytes = tokio::task::spawn_blocking(move || workbook(&rows))
                .await
                .map_err(|e| ApiError::internal(format!("writing XLSX: {e}")))??;
            Ok(Download {
                file_name: format!("steward-grants-{stamp}.xlsx"),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            })
        }
    }
}

/// Columns written as numbers in the workbook (amount, due year, days overdue); the rest as
/// text, so grant numbers and dates keep their exact form.
const NUMERIC: [usize; 3] = [4, 11, 16];

fn workbook(rows: &[[String; COLUMNS]]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Grants").map_err(failed)?;
    let bold = CellFormat::new().set_bold();
    for (column, title) in HEADER.iter().enumerate() {
        sheet
            .write_string_with_format(0, column as u16, *title, &bold)
            .map_err(failed)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let line = index as u32 + 1;
        for (column, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match (NUMERIC.contains(&column), cell.parse::<f64>()) {
                (true, Ok(number)) => sheet.write_number(line, column as u16, number),
                _ => sheet.write_string(line, column as u16, cell),
            }
            .map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}
