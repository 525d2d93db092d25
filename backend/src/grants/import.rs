//! Grants imported from the ERP's export (CSV or XLSX): the file's columns mapped to grant
//! fields (given once, then remembered), every row checked, the rows compared with the stored
//! grants by number (inside the write transaction when committing), and, when asked and
//! nothing is wrong, all new and changed grants written in that transaction with their audit
//! records and the closure tally.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use steward_shared::grants::import::{
    FieldColumn, GrantField, GrantImportReport, LISTED_CHANGES, LISTED_ERRORS, RowChange,
};
use steward_shared::grants::{GrantStatus, closure_due_on, due_year};
use steward_shared::imports::{ImportPhase, ImportProblem as P, RowError};
use steward_shared::organisation::OrgUnitKind;

use super::graphql::GRANT_TYPE;
use super::tally::TallyChanges;
use super::{donor, grant};
use crate::access::caller::Caller;
use crate::audit::{self, Change};
use crate::db::Db;
use crate::graphql::{ApiError, ApiResult};
use crate::imports::mapping::{self, Mapping};
use crate::imports::table::{Row, normalise};
use crate::imports::{Progress, Table};
use crate::organisation::graphql::today;
use crate::organisation::loaders::Tree;
use crate::organisation::{org_unit, person};

/// The import's name in routes and in the remembered mappings.
pub const KIND: &str = "grants";

/// Rows per statement when looking grants up or writing them (27 values a row stays below
/// both databases' limits on bound parameters).
const BATCH: usize = 500;

/// The mapping a request gives: field code → column header, or `null` for "not in the file".
/// Fields it leaves out keep the remembered column, or one whose header fits.
pub type MappingRequest = BTreeMap<String, Option<String>>;

pub struct ImportRequest {
    pub file: Vec<u8>,
    pub mapping: Option<MappingRequest>,
    pub commit: bool,
}

/// Headers ERP exports use for each field, as [`normalise`] writes them; the first that the
/// file has wins. Steward's own export's headers come first, so its files import unchanged.
fn known_headers(field: GrantField) -> &'static [&'static str] {
    match field {
        GrantField::Number => &[
            "number",
            "grantnumber",
            "grantno",
            "grant",
            "grantid",
            "grantcode",
        ],
        GrantField::Title => &[
            "title",
            "granttitle",
            "grantdescription",
            "description",
            "grantname",
        ],
        GrantField::Donor => &[
            "donorcode",
            "donor",
            "sponsorcode",
            "sponsor",
            "sponsorname",
            "donorname",
            "funder",
        ],
        GrantField::Amount => &["amount", "grantamount", "totalamount", "grantvalue"],
        GrantField::Currency => &["currency", "grantcurrency", "currencycode", "curr"],
        GrantField::AgreementStart => &[
            "agreementstart",
            "agreementstartdate",
            "validfrom",
            "startdate",
            "start",
        ],
        GrantField::AgreementEnd => &[
            "agreementend",
            "agreementenddate",
            "validto",
            "enddate",
            "end",
        ],
        GrantField::ActivitiesCompletedOn => &[
            "activitiescompletedon",
            "activitiescompleted",
            "activitiesenddate",
            "fieldactivitiesend",
            "activityenddate",
        ],
        GrantField::DonorDeadline => &["donordeadline", "donorclosuredeadline", "closuredeadline"],
        GrantField::OperationallyClosedOn => &[
            "operationallyclosedon",
            "operationalclosuredate",
            "operationalclosure",
        ],
        GrantField::FinanciallyClosedOn => &[
            "financiallyclosedon",
            "financialclosuredate",
            "financialclosure",
            "closedon",
        ],
        GrantField::Officer => &[
            "officeremail",
            "grantmanageremail",
            "responsibleofficeremail",
            "officer",
            "grantmanager",
            "responsibleofficer",
            "email",
        ],
        GrantField::OrgUnit => &[
            "orgunit",
            "orgunitcode",
            "responsibleunit",
            "unit",
            "fundcenter",
        ],
        GrantField::Status => &["status", "grantstatus", "lifecyclestatus", "systemstatus"],
    }
}

/// Which column holds each field, decided from the request, the remembered mapping and the
/// headers, in that order.
struct Columns {
    index: HashMap<GrantField, usize>,
    names: Vec<String>,
}

impl Columns {
    fn resolve(
        table: &Table,
        requested: Option<&MappingRequest>,
        remembered: &Mapping,
    ) -> ApiResult<(Columns, Vec<RowError>)> {
        let mut index = HashMap::new();
        let mut errors = Vec::new();
        let mut decided = HashSet::new();
        if let Some(requested) = requested {
            for (code, column) in requested {
                let field = GrantField::parse(code).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "The mapping names {code:?}, which is not a grant field. Fields: {}.",
                        GrantField::ALL.map(GrantField::code).join(", ")
                    ))
                })?;
                decided.insert(field);
                let Some(column) = column else { continue };
                match table.columns.iter().position(|c| c == column) {
                    Some(at) => {
                        index.insert(field, at);
                    }
                    None => errors.push(RowError {
                        row: 1,
                        column: column.clone(),
                        problem: P::ColumnNotInFile,
                        detail: field.code().to_owned(),
                        message: format!(
                            "The mapping gives column {column:?} for {}, but the file has no such column.",
                            field.code()
                        ),
                    }),
                }
            }
        }
        for field in GrantField::ALL {
            if decided.contains(&field) {
                continue;
            }
            let remembered = remembered
                .get(field.code())
                .and_then(|column| table.columns.iter().position(|c| c == column));
            let taken: HashSet<usize> = index.values().copied().collect();
            let guessed = || {
                known_headers(field).iter().find_map(|known| {
                    table
                        .columns
                        .iter()
                        .enumerate()
                        .find(|(at, c)| !taken.contains(at) && normalise(c) == *known)
                        .map(|(at, _)| at)
                })
            };
            if let Some(at) = remembered.or_else(guessed) {
                index.insert(field, at);
            }
        }
        for field in GrantField::ALL {
            if field.required() && !index.contains_key(&field) {
                errors.push(RowError {
                    row: 1,
                    column: String::new(),
                    problem: P::FieldNotMapped,
                    detail: field.code().to_owned(),
                    message: format!(
                        "No column is mapped to {}: choose the column that holds it.",
                        field.code()
                    ),
                });
            }
        }
        Ok((
            Columns {
                index,
                names: table.columns.clone(),
            },
            errors,
        ))
    }

    fn get<'r>(&self, row: &'r Row, field: GrantField) -> Option<&'r str> {
        self.index.get(&field).map(|at| row.get(*at))
    }

    fn name(&self, field: GrantField) -> String {
        self.index
            .get(&field)
            .and_then(|at| self.names.get(*at))
            .cloned()
            .unwrap_or_default()
    }

    #[cfg(test)]
    fn mapped(&self, field: GrantField) -> bool {
        self.index.contains_key(&field)
    }

    fn listed(&self) -> Vec<FieldColumn> {
        GrantField::ALL
            .into_iter()
            .map(|field| FieldColumn {
                field,
                column: self.index.get(&field).map(|at| self.names[*at].clone()),
            })
            .collect()
    }

    fn to_mapping(&self) -> Mapping {
        GrantField::ALL
            .into_iter()
            .filter_map(|field| {
                let column = self.index.get(&field)?;
                Some((field.code().to_owned(), self.names[*column].clone()))
            })
            .collect()
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date as ERP files write it: `2019-12-31` (also with a time after it), `31.12.2019` or
/// `31-Dec-2019` / `31 Dec 2019`. `12/31/2019` is refused: day and month cannot be told apart.
fn parse_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let iso = text.get(..10).unwrap_or(text);
    if let Ok(day) = NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        && text
            .get(10..)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['T', ' ']))
    {
        return Ok(Some(day));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%d.%m.%Y") {
        return Ok(Some(day));
    }
    let parts: Vec<&str> = text.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    if let [day, month, year] = parts[..] {
        let month = MONTHS
            .iter()
            .position(|m| month.to_ascii_lowercase().starts_with(m) && month.len() >= 3);
        if let (Ok(day), Some(month), Ok(year)) = (day.parse(), month, year.parse())
            && let Some(date) = NaiveDate::from_ymd_opt(year, month as u32 + 1, day)
        {
            return Ok(Some(date));
        }
    }
    Err(format!(
        "{text:?} is not a date Steward can read: write 2019-12-31, 31.12.2019 or 31-Dec-2019."
    ))
}

/// An amount as exact decimal text with at least two decimals (`1,250,000.5` → `1250000.50`).
fn parse_amount(text: &str) -> Result<String, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '\''))
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || whole.len() > 15 {
        return Err(format!(
            "{text:?} is not an amount: write digits with an optional decimal point, e.g. 1250000.00."
        ));
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let mut fraction = fraction.trim_end_matches('0').to_owned();
    while fraction.len() < 2 {
        fraction.push('0');
    }
    Ok(format!("{whole}.{fraction}"))
}

fn parse_currency(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(format!(
            "{text:?} is not an ISO 4217 currency code such as USD."
        ))
    }
}

fn stage(status: GrantStatus) -> u8 {
    match status {
        GrantStatus::Active => 0,
        GrantStatus::ActivitiesCompleted => 1,
        GrantStatus::OperationallyClosed => 2,
        GrantStatus::FinanciallyClosed => 3,
        GrantStatus::Cancelled => 4,
    }
}

/// The status the dates show, when the file gives none.
fn status_from_dates(dates: &Dates) -> GrantStatus {
    if dates.financially_closed_on.is_some() {
        GrantStatus::FinanciallyClosed
    } else if dates.operationally_closed_on.is_some() {
        GrantStatus::OperationallyClosed
    } else if dates.activities_completed_on.is_some() {
        GrantStatus::ActivitiesCompleted
    } else {
        GrantStatus::Active
    }
}

/// A donor named in the file: known, or new (an index into the new donors' names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DonorRef {
    Known(i32),
    New(usize),
}

/// The optional dates; `None` in an `Option<Option<_>>` means "not in the file: keep".
#[derive(Debug, Clone, Copy, Default)]
struct Dates {
    activities_completed_on: Option<NaiveDate>,
    donor_deadline: Option<NaiveDate>,
    operationally_closed_on: Option<NaiveDate>,
    financially_closed_on: Option<NaiveDate>,
}

/// One valid row of the file.
#[derive(Debug, Clone)]
struct Incoming {
    row: usize,
    number: String,
    title: String,
    donor: DonorRef,
    amount: String,
    currency: String,
    agreement_start: NaiveDate,
    agreement_end: NaiveDate,
    /// Each optional field: `None` when its column is not in the file (the stored value stays).
    activities_completed_on: Option<Option<NaiveDate>>,
    donor_deadline: Option<Option<NaiveDate>>,
    operationally_closed_on: Option<Option<NaiveDate>>,
    financially_closed_on: Option<Option<NaiveDate>>,
    officer: Option<Option<i32>>,
    org_unit: i32,
    /// The status the file gives, if its column is there and the cell is not empty.
    status: Option<GrantStatus>,
}

/// What the rows are checked against, read once.
struct Lookups {
    donors: HashMap<String, i32>,
    new_donors: Vec<String>,
    new_donor_index: HashMap<String, usize>,
    units: HashMap<String, i32>,
    people: HashMap<String, i32>,
    today: NaiveDate,
}

impl Lookups {
    async fn read(conn: &impl ConnectionTrait, emails: &[String]) -> Result<Lookups, DbErr> {
        let today = today();
        let mut donors = HashMap::new();
        for donor in donor::Entity::find().all(conn).await? {
            donors.insert(donor.name.to_lowercase(), donor.id);
            donors.insert(donor.code.to_lowercase(), donor.id);
        }
        let units = org_unit::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .filter(|u| u.exists_on(today))
            .map(|u| (u.code.to_uppercase(), u.id))
            .collect();
        let mut people = HashMap::new();
        for chunk in emails.chunks(BATCH) {
            let found: Vec<(i32, Option<String>)> = person::Entity::find()
                .select_only()
                .column(person::Column::Id)
                .column(person::Column::Email)
                .filter(person::Column::Email.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(conn)
                .await?;
            for (id, email) in found {
                if let Some(email) = email {
                    people.insert(email.to_lowercase(), id);
                }
            }
        }
        Ok(Lookups {
            donors,
            new_donors: Vec::new(),
            new_donor_index: HashMap::new(),
            units,
            people,
            today,
        })
    }

    fn donor(&mut self, text: &str) -> DonorRef {
        let key = text.to_lowercase();
        if let Some(id) = self.donors.get(&key) {
            return DonorRef::Known(*id);
        }
        let next = self.new_donors.len();
        let index = *self.new_donor_index.entry(key).or_insert(next);
        if index == next {
            self.new_donors.push(text.to_owned());
        }
        DonorRef::New(index)
    }
}

/// Collects one row's problems with the file's column names.
struct RowCheck<'a> {
    row: usize,
    columns: &'a Columns,
    errors: Vec<RowError>,
}

impl RowCheck<'_> {
    fn fail(&mut self, field: GrantField, problem: P, detail: impl Into<String>, message: String) {
        self.errors.push(RowError {
            row: self.row,
            column: self.columns.name(field),
            problem,
            detail: detail.into(),
            message,
        });
    }

    fn required<'r>(&mut self, row: &'r Row, field: GrantField) -> Option<&'r str> {
        match self.columns.get(row, field) {
            Some(text) if !text.is_empty() => Some(text),
            _ => {
                self.fail(
                    field,
                    P::Missing,
                    "",
                    format!("The {} is missing.", describe(field)),
                );
                None
            }
        }
    }

    fn text(&mut self, row: &Row, field: GrantField, longest: usize) -> Option<String> {
        let text = self.required(row, field)?;
        if text.chars().count() > longest {
            self.fail(
                field,
                P::TooLong,
                longest.to_string(),
                format!(
                    "The {} is longer than {longest} characters.",
                    describe(field)
                ),
            );
            return None;
        }
        Some(text.to_owned())
    }

    /// A required value read by `parse`; a failure is `problem`, naming the text.
    fn value<T>(
        &mut self,
        row: &Row,
        field: GrantField,
        problem: P,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.required(row, field)?;
        parse(text)
            .map_err(|message| self.fail(field, problem, text, message))
            .ok()
    }

    /// An optional date: `Some(None)` for an empty cell, `None` (keep) for a column not mapped,
    /// and a failure recorded for a date that cannot be read.
    fn date(&mut self, row: &Row, field: GrantField, ok: &mut bool) -> Option<Option<NaiveDate>> {
        let text = self.columns.get(row, field)?;
        match parse_date(text) {
            Ok(day) => Some(day),
            Err(message) => {
                self.fail(field, P::NotADate, text, message);
                *ok = false;
                None
            }
        }
    }
}

fn describe(field: GrantField) -> &'static str {
    match field {
        GrantField::Number => "grant number",
        GrantField::Title => "title",
        GrantField::Donor => "donor",
        GrantField::Amount => "amount",
        GrantField::Currency => "currency",
        GrantField::AgreementStart => "agreement start date",
        GrantField::AgreementEnd => "agreement end date",
        GrantField::ActivitiesCompletedOn => "date field activities were completed",
        GrantField::DonorDeadline => "donor's closure deadline",
        GrantField::OperationallyClosedOn => "operational closure date",
        GrantField::FinanciallyClosedOn => "financial closure date",
        GrantField::Officer => "officer",
        GrantField::OrgUnit => "org unit",
        GrantField::Status => "status",
    }
}

fn check_row(
    row: &Row,
    columns: &Columns,
    lookups: &mut Lookups,
) -> Result<Incoming, Vec<RowError>> {
    use GrantField as F;
    let mut check = RowCheck {
        row: row.number,
        columns,
        errors: Vec::new(),
    };
    let number = check.text(row, F::Number, 40);
    let title = check.text(row, F::Title, 300);
    let donor = check
        .text(row, F::Donor, 200)
        .map(|text| lookups.donor(&text));
    let amount = check.value(row, F::Amount, P::NotAnAmount, parse_amount);
    let currency = check.value(row, F::Currency, P::NotACurrency, parse_currency);
    let agreement_start = check.value(row, F::AgreementStart, P::NotADate, |t| {
        parse_date(t).map(|d| d.unwrap_or_default())
    });
    let agreement_end = check.value(row, F::AgreementEnd, P::NotADate, |t| {
        parse_date(t).map(|d| d.unwrap_or_default())
    });
    let mut dates_ok = true;
    let activities_completed_on = check.date(row, F::ActivitiesCompletedOn, &mut dates_ok);
    let donor_deadline = check.date(row, F::DonorDeadline, &mut dates_ok);
    let operationally_closed_on = check.date(row, F::OperationallyClosedOn, &mut dates_ok);
    let financially_closed_on = check.date(row, F::FinanciallyClosedOn, &mut dates_ok);
    let org_unit = check.required(row, F::OrgUnit).and_then(|code| {
        let found = lookups.units.get(&code.to_uppercase()).copied();
        if found.is_none() {
            check.fail(
                F::OrgUnit,
                P::UnknownUnit,
                code,
                format!("There is no org unit {code:?} today."),
            );
        }
        found
    });
    let officer = match columns.get(row, F::Officer) {
        None => Some(None),
        Some("") => Some(Some(None)),
        Some(email) => match lookups.people.get(&email.to_lowercase()) {
            Some(id) => Some(Some(Some(*id))),
            None if !email.contains('@') => {
                check.fail(
                    F::Officer,
                    P::NotAnEmail,
                    email,
                    format!("{email:?} is not an e-mail address: give the officer's address."),
                );
                None
            }
            None => {
                check.fail(
                    F::Officer,
                    P::UnknownPerson,
                    email,
                    format!("Nobody in Steward has the address {email}: import the person first."),
                );
                None
            }
        },
    };
    let status = match columns.get(row, F::Status) {
        None | Some("") => Some(None),
        Some(text) => match GrantStatus::parse(text) {
            Some(status) => Some(Some(status)),
            None => {
                check.fail(
                    F::Status,
                    P::UnknownStatus,
                    text,
                    format!(
                        "{text:?} is not a grant status: {}.",
                        GrantStatus::ALL.map(GrantStatus::code).join(", ")
                    ),
                );
                None
            }
        },
    };
    // What the row alone decides about dates; order against stored dates and the status are
    // checked on the whole grant (see `Planned::problems`).
    if let (Some(start), Some(end)) = (agreement_start, agreement_end)
        && end < start
    {
        check.fail(
            F::AgreementEnd,
            P::EndBeforeStart,
            start.to_string(),
            format!("The agreement ends ({end}) before it starts ({start})."),
        );
    }
    for (field, day) in [
        (F::ActivitiesCompletedOn, activities_completed_on),
        (F::OperationallyClosedOn, operationally_closed_on),
        (F::FinanciallyClosedOn, financially_closed_on),
    ] {
        if let Some(Some(day)) = day
            && day > lookups.today
        {
            check.fail(
                field,
                P::InFuture,
                day.to_string(),
                format!("{day} is in the future: record a step once it has happened."),
            );
        }
    }
    match (
        number,
        title,
        donor,
        amount,
        currency,
        agreement_start,
        agreement_end,
        org_unit,
        officer,
        status,
    ) {
        (
            Some(number),
            Some(title),
            Some(donor),
            Some(amount),
            Some(currency),
            Some(agreement_start),
            Some(agreement_end),
            Some(org_unit),
            Some(officer),
            Some(status),
        ) if dates_ok && check.errors.is_empty() => Ok(Incoming {
            row: row.number,
            number,
            title,
            donor,
            amount,
            currency,
            agreement_start,
            agreement_end,
            activities_completed_on,
            donor_deadline,
            operationally_closed_on,
            financially_closed_on,
            officer,
            org_unit,
            status,
        }),
        _ => Err(check.errors),
    }
}

/// A grant as the import will leave it.
struct Planned<'a> {
    incoming: &'a Incoming,
    before: Option<&'a grant::Model>,
    dates: Dates,
    officer: Option<i32>,
    status: GrantStatus,
    /// The fields that differ from the stored grant (empty for a new one).
    changed: Vec<GrantField>,
}

impl<'a> Planned<'a> {
    fn new(incoming: &'a Incoming, before: Option<&'a grant::Model>) -> Planned<'a> {
        let keep = |file: Option<Option<NaiveDate>>, stored: Option<NaiveDate>| match file {
            Some(value) => value,
            None => stored,
        };
        let dates = Dates {
            activities_completed_on: keep(
                incoming.activities_completed_on,
                before.and_then(|b| b.activities_completed_on),
            ),
            donor_deadline: keep(
                incoming.donor_deadline,
                before.and_then(|b| b.donor_deadline),
            ),
            operationally_closed_on: keep(
                incoming.operationally_closed_on,
                before.and_then(|b| b.operationally_closed_on),
            ),
            financially_closed_on: keep(
                incoming.financially_closed_on,
                before.and_then(|b| b.financially_closed_on),
            ),
        };
        let from_dates = status_from_dates(&dates);
        let status = match (incoming.status, before.map(grant::Model::status)) {
            (Some(status), _) => status,
            // No status in the file: a stored grant keeps its own unless the dates show a later
            // stage (a cancelled grant stays cancelled).
            (None, Some(GrantStatus::Cancelled)) => GrantStatus::Cancelled,
            (None, Some(stored)) if stage(stored) >= stage(from_dates) => stored,
            (None, _) => from_dates,
        };
        let officer = match incoming.officer {
            Some(officer) => officer,
            None => before.and_then(|b| b.officer_person_id),
        };
        let mut planned = Planned {
            incoming,
            before,
            dates,
            officer,
            status,
            changed: Vec::new(),
        };
        planned.changed = planned.changed_fields();
        planned
    }

    /// Whether the import writes this grant: new, or changed.
    fn writes(&self) -> bool {
        self.before.is_none() || !self.changed.is_empty()
    }

    /// The rules a whole grant keeps: dates in order, the status matching the dates.
    fn problems(&self, columns: &Columns) -> Vec<RowError> {
        use GrantField as F;
        let mut problems = Vec::new();
        let mut fail = |field: GrantField, problem: P, detail: String, message: String| {
            problems.push(RowError {
                row: self.incoming.row,
                column: columns.name(field),
                problem,
                detail,
                message,
            })
        };
        let d = &self.dates;
        let start = self.incoming.agreement_start;
        if let Some(done) = d.activities_completed_on
            && done < start
        {
            fail(
                F::ActivitiesCompletedOn,
                P::BeforePreviousStep,
                start.to_string(),
                format!(
                    "Field activities cannot end ({done}) before the agreement starts ({start})."
                ),
            );
        }
        if let (Some(done), Some(closed)) = (d.activities_completed_on, d.operationally_closed_on)
            && closed < done
        {
            fail(
                F::OperationallyClosedOn,
                P::BeforePreviousStep,
                done.to_string(),
                format!(
                    "Operational closure ({closed}) cannot come before the end of field activities ({done})."
                ),
            );
        }
        let earlier = d.operationally_closed_on.or(d.activities_completed_on);
        if let (Some(earlier), Some(closed)) = (earlier, d.financially_closed_on)
            && closed < earlier
        {
            fail(
                F::FinanciallyClosedOn,
                P::BeforePreviousStep,
                earlier.to_string(),
                format!(
                    "Financial closure ({closed}) cannot come before {earlier}, the previous step."
                ),
            );
        }
        let needs = match self.status {
            GrantStatus::Active | GrantStatus::Cancelled => None,
            GrantStatus::ActivitiesCompleted => Some(F::ActivitiesCompletedOn),
            GrantStatus::OperationallyClosed => Some(F::OperationallyClosedOn),
            GrantStatus::FinanciallyClosed => Some(F::FinanciallyClosedOn),
        };
        let has = |field: GrantField| match field {
            F::ActivitiesCompletedOn => d.activities_completed_on.is_some(),
            F::OperationallyClosedOn => d.operationally_closed_on.is_some(),
            _ => d.financially_closed_on.is_some(),
        };
        let status_text = self.status.code().to_lowercase().replace('_', " ");
        if let Some(field) = needs
            && !has(field)
        {
            fail(
                F::Status,
                P::StatusNeedsDate,
                field.code().to_owned(),
                format!(
                    "A grant that is {status_text} needs its {}.",
                    describe(field)
                ),
            );
        }
        if d.financially_closed_on.is_some()
            && !matches!(
                self.status,
                GrantStatus::FinanciallyClosed | GrantStatus::Cancelled
            )
        {
            fail(
                F::Status,
                P::ClosedDateWithOpenStatus,
                String::new(),
                format!("The grant has a financial closure date but its status is {status_text}."),
            );
        }
        problems
    }

    fn donor_id(&self, new_donor_ids: &[i32]) -> Option<i32> {
        match self.incoming.donor {
            DonorRef::Known(id) => Some(id),
            DonorRef::New(index) => new_donor_ids.get(index).copied(),
        }
    }

    /// The fields that differ from the stored grant (a donor new to Steward always differs).
    fn changed_fields(&self) -> Vec<GrantField> {
        use GrantField as F;
        let Some(b) = self.before else {
            return Vec::new();
        };
        let i = self.incoming;
        let d = &self.dates;
        [
            (F::Title, b.title != i.title),
            (F::Donor, self.incoming.donor != DonorRef::Known(b.donor_id)),
            (F::Amount, b.amount != i.amount),
            (F::Currency, b.currency != i.currency),
            (F::AgreementStart, b.agreement_start != i.agreement_start),
            (F::AgreementEnd, b.agreement_end != i.agreement_end),
            (
                F::ActivitiesCompletedOn,
                b.activities_completed_on != d.activities_completed_on,
            ),
            (F::DonorDeadline, b.donor_deadline != d.donor_deadline),
            (
                F::OperationallyClosedOn,
                b.operationally_closed_on != d.operationally_closed_on,
            ),
            (
                F::FinanciallyClosedOn,
                b.financially_closed_on != d.financially_closed_on,
            ),
            (F::Officer, b.officer_person_id != self.officer),
            (F::OrgUnit, b.org_unit_id != i.org_unit),
            (F::Status, b.status() != self.status),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect()
    }

    fn model(&self, donor_id: i32, tree: &Tree) -> grant::ActiveModel {
        let i = self.incoming;
        let d = &self.dates;
        let due = closure_due_on(d.activities_completed_on, d.donor_deadline);
        let now = Utc::now();
        grant::ActiveModel {
            number: Set(i.number.clone()),
            title: Set(i.title.clone()),
            project_id: Set(self.before.and_then(|b| b.project_id)),
            donor_id: Set(donor_id),
            amount: Set(i.amount.clone()),
            currency: Set(i.currency.clone()),
            agreement_start: Set(i.agreement_start),
            agreement_end: Set(i.agreement_end),
            activities_completed_on: Set(d.activities_completed_on),
            donor_deadline: Set(d.donor_deadline),
            operationally_closed_on: Set(d.operationally_closed_on),
            financially_closed_on: Set(d.financially_closed_on),
            closure_due_on: Set(due),
            due_year: Set(due_year(due)),
            officer_person_id: Set(self.officer),
            org_unit_id: Set(i.org_unit),
            division_id: Set(tree.nearest(i.org_unit, OrgUnitKind::Division)),
            region_id: Set(tree.nearest(i.org_unit, OrgUnitKind::RegionalOffice)),
            status: Set(self.status.code().to_owned()),
            submitted_by_account_id: Set(None),
            submitted_at: Set(None),
            approved_by_account_id: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

/// The stored grants with these numbers.
async fn stored_grants(
    conn: &impl ConnectionTrait,
    numbers: &[&str],
    lock: bool,
) -> Result<HashMap<String, grant::Model>, DbErr> {
    let mut found = HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(BATCH) {
        let mut select = grant::Entity::find()
            .filter(grant::Column::Number.is_in(chunk.iter().map(|n| (*n).to_owned())));
        // PostgreSQL: hold the rows until the import commits, so the tally and the audit
        // trail's "before" see what the import replaces. SQLite's writer lock already does.
        if lock && conn.get_database_backend() == DbBackend::Postgres {
            select = select.lock_exclusive();
        }
        for grant in select.all(conn).await? {
            found.insert(grant.number.clone(), grant);
        }
    }
    Ok(found)
}

/// The rows of a file, checked.
struct Checked {
    columns: Columns,
    incoming: Vec<Incoming>,
    errors: Vec<RowError>,
    rows: usize,
    lookups: Lookups,
}

async fn check_file(db: &Db, request: &ImportRequest, progress: &Progress) -> ApiResult<Checked> {
    progress.report(ImportPhase::Reading, 0, 0);
    let table = Table::read(&request.file).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let total = table.rows.len();
    progress.report(ImportPhase::Reading, total, total);
    let remembered = mapping::remembered(db.reader(), KIND).await?;
    let (columns, mut errors) = Columns::resolve(&table, request.mapping.as_ref(), &remembered)?;
    let emails: Vec<String> = {
        let mut emails: HashSet<String> = HashSet::new();
        if let Some(&at) = columns.index.get(&GrantField::Officer) {
            for row in &table.rows {
                let email = row.get(at);
                if email.contains('@') {
                    emails.insert(email.to_lowercase());
                }
            }
        }
        emails.into_iter().collect()
    };
    let mut lookups = Lookups::read(db.reader(), &emails).await?;
    let mut incoming = Vec::with_capacity(total);
    if errors.is_empty() {
        let mut numbers: HashMap<String, usize> = HashMap::with_capacity(total);
        for (done, row) in table.rows.iter().enumerate() {
            match check_row(row, &columns, &mut lookups) {
                Ok(grant) => match numbers.get(&grant.number) {
                    Some(first) => errors.push(RowError {
                        row: row.number,
                        column: columns.name(GrantField::Number),
                        problem: P::Repeated,
                        detail: first.to_string(),
                        message: format!(
                            "Grant {} is on row {first} already: each grant once.",
                            grant.number
                        ),
                    }),
                    None => {
                        numbers.insert(grant.number.clone(), row.number);
                        incoming.push(grant);
                    }
                },
                Err(problems) => errors.extend(problems),
            }
            progress.row(ImportPhase::Checking, done + 1, total);
        }
    }
    Ok(Checked {
        columns,
        incoming,
        errors,
        rows: total,
        lookups,
    })
}

/// Previews or commits an import (see the module's description).
pub async fn import_grants(
    db: &Db,
    caller: &Caller,
    request: ImportRequest,
    progress: &Progress,
) -> ApiResult<GrantImportReport> {
    let started = Instant::now();
    let Checked {
        columns,
        incoming,
        errors,
        rows,
        lookups,
    } = check_file(db, &request, progress).await?;
    let mut report = GrantImportReport {
        rows,
        columns: columns.names.clone(),
        mapping: columns.listed(),
        new_donors: lookups.new_donors.clone(),
        ..GrantImportReport::default()
    };
    let numbers: Vec<&str> = incoming.iter().map(|g| g.number.as_str()).collect();
    if request.commit && errors.is_empty() {
        // Compared with the grants as the write transaction sees them (and holds them), so
        // what is checked, counted and replaced is what it writes over.
        let txn = db.begin_write().await?;
        let stored = stored_grants(&txn, &numbers, true).await?;
        let planned = plan(&incoming, &stored);
        assess(&mut report, errors, &planned, &columns);
        if report.error_count == 0 {
            let written = write(txn, caller, &columns, &planned, &lookups, progress).await?;
            report.committed = true;
            if written >= REFRESH_STATISTICS_AFTER {
                db.refresh_statistics("grant").await;
            }
        }
    } else {
        let stored = stored_grants(db.reader(), &numbers, false).await?;
        assess(&mut report, errors, &plan(&incoming, &stored), &columns);
    }
    report.milliseconds = started.elapsed().as_millis() as u64;
    Ok(report)
}

fn plan<'a>(
    incoming: &'a [Incoming],
    stored: &'a HashMap<String, grant::Model>,
) -> Vec<Planned<'a>> {
    incoming
        .iter()
        .map(|grant| Planned::new(grant, stored.get(&grant.number)))
        .collect()
}

/// Adds the whole-grant problems to the rows' and counts new, changed and unchanged grants.
fn assess(
    report: &mut GrantImportReport,
    mut errors: Vec<RowError>,
    planned: &[Planned],
    columns: &Columns,
) {
    for grant in planned {
        errors.extend(grant.problems(columns));
        count(report, grant);
    }
    errors.sort_by_key(|e| e.row);
    report.error_count = errors.len();
    errors.truncate(LISTED_ERRORS);
    report.errors = errors;
}

fn count(report: &mut GrantImportReport, planned: &Planned) {
    let new = planned.before.is_none();
    if new {
        report.new += 1;
    } else if planned.changed.is_empty() {
        report.unchanged += 1;
        return;
    } else {
        report.changed += 1;
    }
    if report.changes.len() < LISTED_CHANGES {
        report.changes.push(RowChange {
            row: planned.incoming.row,
            number: planned.incoming.number.clone(),
            new,
            fields: planned.changed.clone(),
        });
    }
}

/// Rows written after which the database's planner statistics are refreshed.
const REFRESH_STATISTICS_AFTER: usize = 1_000;

/// Writes the new and changed grants in `txn`, with the new donors, the audit records, the
/// tally and the remembered mapping, and commits; returns how many grants were written.
async fn write(
    txn: DatabaseTransaction,
    caller: &Caller,
    columns: &Columns,
    planned: &[Planned<'_>],
    lookups: &Lookups,
    progress: &Progress,
) -> ApiResult<usize> {
    let tree = Tree::load(&txn, lookups.today).await?;
    let mut changes = Vec::new();
    let new_donor_ids = insert_donors(&txn, &lookups.new_donors, &mut changes).await?;
    let writes: Vec<&Planned> = planned.iter().filter(|p| p.writes()).collect();
    let mut tally = TallyChanges::default();
    let total = writes.len();
    let mut done = 0;
    progress.report(ImportPhase::Writing, 0, total);
    for batch in writes.chunks(BATCH) {
        let mut models = Vec::with_capacity(batch.len());
        for grant in batch {
            let donor = grant
                .donor_id(&new_donor_ids)
                .ok_or_else(|| ApiError::internal("a new donor of the import has no id"))?;
            models.push(grant.model(donor, &tree));
        }
        let written = upsert(&txn, models).await?;
        let written: HashMap<&str, &grant::Model> =
            written.iter().map(|g| (g.number.as_str(), g)).collect();
        for grant in batch {
            let after = written
                .get(grant.incoming.number.as_str())
                .ok_or_else(|| ApiError::internal("an upserted grant was not returned"))?;
            tally.record(grant.before, Some(after));
            let change = Change::new(GRANT_TYPE, after.id, "import").after(after.audit_snapshot());
            changes.push(match grant.before {
                Some(before) => change.before(before.audit_snapshot()),
                None => change,
            });
        }
        done += batch.len();
        progress.report(ImportPhase::Writing, done, total);
    }
    tally.apply(&txn).await?;
    audit::trail::record_all_for(&txn, caller, changes).await?;
    mapping::remember(&txn, caller, KIND, &columns.to_mapping()).await?;
    txn.commit().await?;
    Ok(total)
}

async fn insert_donors(
    conn: &impl ConnectionTrait,
    names: &[String],
    changes: &mut Vec<Change>,
) -> ApiResult<Vec<i32>> {
    let mut ids = Vec::with_capacity(names.len());
    let now = Utc::now();
    for name in names {
        let created = donor::Entity::insert(donor::ActiveModel {
            code: Set(donor_code(name)),
            name: Set(name.clone()),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_with_returning(conn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(format!(
                "A donor with the code {:?} exists under another name; use its code or name in the file.",
                donor_code(name)
            )),
            _ => e.into(),
        })?;
        changes.push(
            Change::new("Donor", created.id, "import")
                .after(serde_json::json!({ "code": created.code, "name": created.name })),
        );
        ids.push(created.id);
    }
    Ok(ids)
}

/// A new donor's code: what the file says when it looks like a code (`SIDA`), otherwise its
/// name in capitals with `-` between words, cut to the column's 40 characters.
fn donor_code(name: &str) -> String {
    let code: String = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_uppercase();
    code.chars().take(40).collect()
}

/// Inserts new grants and updates stored ones (matched by number) in one statement, the next
/// version claimed for each updated grant; returns the rows as written.
async fn upsert(
    conn: &impl ConnectionTrait,
    models: Vec<grant::ActiveModel>,
) -> Result<Vec<grant::Model>, DbErr> {
    use grant::Column as C;
    let conflict = OnConflict::column(C::Number)
        .update_columns([
            C::Title,
            C::DonorId,
            C::Amount,
            C::Currency,
            C::AgreementStart,
            C::AgreementEnd,
            C::ActivitiesCompletedOn,
            C::DonorDeadline,
            C::OperationallyClosedOn,
            C::FinanciallyClosedOn,
            C::ClosureDueOn,
            C::DueYear,
            C::OfficerPersonId,
            C::OrgUnitId,
            C::DivisionId,
            C::RegionId,
            C::Status,
            C::UpdatedAt,
        ])
        .value(C::Version, Expr::col((grant::Entity, C::Version)).add(1))
        .to_owned();
    grant::Entity::insert_many(models)
        .on_conflict(conflict)
        .exec_with_returning(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_in_the_forms_erp_files_use() {
        assert_eq!(parse_date("2019-12-31"), Ok(Some(d("2019-12-31"))));
        assert_eq!(parse_date("2019-12-31T00:00:00"), Ok(Some(d("2019-12-31"))));
        assert_eq!(parse_date("2019-12-31 00:00:00"), Ok(Some(d("2019-12-31"))));
        assert_eq!(parse_date("31.12.2019"), Ok(Some(d("2019-12-31"))));
        assert_eq!(parse_date("31-Dec-2019"), Ok(Some(d("2019-12-31"))));
        assert_eq!(parse_date("29 February 2020"), Ok(Some(d("2020-02-29"))));
        assert_eq!(parse_date("  "), Ok(None));
        assert!(parse_date("12/31/2019").is_err());
        assert!(parse_date("2019-02-30").is_err());
        assert!(parse_date("29-Feb-2019").is_err());
        assert!(parse_date("2019-12-31x").is_err());
    }

    #[test]
    fn amounts_become_exact_decimal_text() {
        assert_eq!(parse_amount("1,250,000.5").as_deref(), Ok("1250000.50"));
        assert_eq!(parse_amount("1250000").as_deref(), Ok("1250000.00"));
        assert_eq!(parse_amount("0.125").as_deref(), Ok("0.125"));
        assert_eq!(parse_amount("007.10").as_deref(), Ok("7.10"));
        assert_eq!(parse_amount("1 000 000").as_deref(), Ok("1000000.00"));
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("12abc").is_err());
        assert!(parse_amount(".5").is_err());
        assert!(parse_amount("1.2.3").is_err());
    }

    #[test]
    fn currencies_are_three_letters() {
        assert_eq!(parse_currency(" usd ").as_deref(), Ok("USD"));
        assert!(parse_currency("US$").is_err());
        assert!(parse_currency("EURO").is_err());
    }

    #[test]
    fn new_donor_codes() {
        assert_eq!(donor_code("SIDA"), "SIDA");
        assert_eq!(
            donor_code("City of Nairobi (County)"),
            "CITY-OF-NAIROBI-COUNTY"
        );
        assert_eq!(donor_code(&"x".repeat(50)).len(), 40);
    }

    fn table(csv: &str) -> Table {
        Table::read(csv.as_bytes()).unwrap()
    }

    #[test]
    fn columns_are_requested_remembered_or_recognised() {
        let t = table(
            "Grant,Grant Description,Sponsor,Amount,Curr,Valid From,Valid To,Fund Center,Extra\n",
        );
        let (columns, errors) = Columns::resolve(&t, None, &Mapping::new()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(columns.name(GrantField::Number), "Grant");
        assert_eq!(columns.name(GrantField::Donor), "Sponsor");
        assert_eq!(columns.name(GrantField::OrgUnit), "Fund Center");
        assert!(!columns.mapped(GrantField::Status));

        // A remembered mapping beats a recognised header; a request beats both, and `null`
        // says "not in this file".
        let remembered = Mapping::from([("title".to_owned(), "Extra".to_owned())]);
        let requested = MappingRequest::from([
            ("number".to_owned(), Some("Grant Description".to_owned())),
            ("orgUnit".to_owned(), None),
        ]);
        let (columns, errors) = Columns::resolve(&t, Some(&requested), &remembered).unwrap();
        assert_eq!(columns.name(GrantField::Title), "Extra");
        assert_eq!(columns.name(GrantField::Number), "Grant Description");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("orgUnit"), "{errors:?}");

        let unknown = MappingRequest::from([("colour".to_owned(), None)]);
        assert!(Columns::resolve(&t, Some(&unknown), &remembered).is_err());
        let missing = MappingRequest::from([("title".to_owned(), Some("Nope".to_owned()))]);
        let (_, errors) = Columns::resolve(&t, Some(&missing), &remembered).unwrap();
        assert_eq!((errors[0].row, errors[0].column.as_str()), (1, "Nope"));
    }

    #[test]
    fn steward_exports_map_themselves() {
        let header = super::super::transfer::HEADER.join(",");
        let (columns, errors) = Columns::resolve(&table(&header), None, &Mapping::new()).unwrap();
        assert!(errors.is_empty());
        for field in GrantField::ALL {
            assert!(columns.mapped(field), "{field:?} not recognised");
        }
        assert_eq!(columns.name(GrantField::Donor), "donor_code");
        assert_eq!(columns.name(GrantField::Officer), "officer_email");
    }
}
