//! The organisation as files: the org tree exported as CSV, and people imported from CSV
//! (preview first; then all rows in one transaction, or none).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use steward_shared::organisation::{Email, Grade, Language, clean_name};

use super::graphql::today;
use super::queries::{self, Date, UnitFilter, UnitOrder, in_effect};
use super::{org_unit, org_unit_name, org_unit_revision, person, person_membership};
use crate::access::caller::Caller;
use crate::audit::{self, Change};
use crate::db::Db;
use crate::graphql::{ApiError, ApiResult};
use crate::transfer::Download;

/// A byte-order mark first, so spreadsheet programs read the Chinese names as UTF-8.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn csv_error(err: csv::Error) -> ApiError {
    ApiError::internal(format!("writing CSV: {err}"))
}

fn parse_day(field: &str, raw: Option<&str>) -> ApiResult<Date> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ApiError::validation(
                field,
                format!("{text:?} is not a date: write it as YYYY-MM-DD."),
            )
        }),
    }
}

/// Every unit existing on the date, in tree order: code, names, kind, parent, depth, dates.
pub async fn export_org_units(db: &Db, as_of: Option<&str>) -> ApiResult<Download> {
    let day = parse_day("asOf", as_of)?;
    let reader = db.reader();
    let filter = UnitFilter {
        as_of: day,
        kinds: Vec::new(),
        parent_id: None,
        within: None,
        search: None,
        include_dissolved: false,
        order: UnitOrder::Tree,
        descending: false,
    };
    let units = queries::unit_select(&filter).all(reader).await?;
    let ids: Vec<i32> = units.iter().map(|u| u.id).collect();
    let revisions = org_unit_revision::Entity::find()
        .filter(org_unit_revision::Column::OrgUnitId.is_in(ids.iter().copied()))
        .order_by_asc(org_unit_revision::Column::ValidFrom)
        .all(reader)
        .await?;
    let names = org_unit_name::Entity::find()
        .filter(org_unit_name::Column::OrgUnitId.is_in(ids.iter().copied()))
        .all(reader)
        .await?;
    let mut revisions_of: HashMap<i32, Vec<org_unit_revision::Model>> = HashMap::new();
    for revision in revisions {
        revisions_of
            .entry(revision.org_unit_id)
            .or_default()
            .push(revision);
    }
    let mut names_of: HashMap<i32, Vec<org_unit_name::Model>> = HashMap::new();
    for name in names {
        names_of.entry(name.org_unit_id).or_default().push(name);
    }
    let code_of: HashMap<i32, &str> = units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let parent_of: HashMap<i32, Option<i32>> = units
        .iter()
        .map(|u| {
            let revisions = revisions_of
                .get(&u.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            (
                u.id,
                queries::pick_revision(revisions, day).and_then(|r| r.parent_id),
            )
        })
        .collect();
    let depth = |mut id: i32| {
        let mut depth = 0;
        while let Some(Some(parent)) = parent_of.get(&id) {
            depth += 1;
            id = *parent;
            if depth > 64 {
                break;
            }
        }
        depth
    };

    let mut out = csv::Writer::from_writer(UTF8_BOM.to_vec());
    out.write_record([
        "code",
        "name_en",
        "name_zh",
        "kind",
        "parent_code",
        "depth",
        "established_on",
        "dissolved_on",
    ])
    .map_err(csv_error)?;
    for unit in &units {
        let revisions = revisions_of
            .get(&unit.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let names = names_of
            .get(&unit.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let name =
            |language| queries::pick_name(names, language, day).map_or("", |n| n.name.as_str());
        let kind = queries::pick_revision(revisions, day).map_or("", |r| r.kind.as_str());
        let parent = parent_of
            .get(&unit.id)
            .copied()
            .flatten()
            .and_then(|p| code_of.get(&p).copied())
            .unwrap_or("");
        out.write_record([
            unit.code.as_str(),
            name(Language::En),
            name(Language::Zh),
            kind,
            parent,
            &depth(unit.id).to_string(),
            &unit.established_on.to_string(),
            &unit.dissolved_on.map(|d| d.to_string()).unwrap_or_default(),
        ])
        .map_err(csv_error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    Ok(Download {
        file_name: format!("org-units-{day}.csv"),
        content_type: "text/csv; charset=utf-8",
        bytes,
    })
}

/// What an import did, or would do.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Data rows in the file (the header not counted).
    pub rows: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Every problem found, by row (as a spreadsheet numbers it: the header is row 1) and column.
    pub errors: Vec<RowError>,
    /// Whether the changes were written (only with `commit=true` and no errors).
    pub committed: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// One valid row of a people file.
#[derive(Debug, Clone)]
struct PersonRow {
    name: String,
    email: String,
    grade: Option<String>,
    unit: Option<(i32, String)>,
    title: String,
    active: bool,
}

const REQUIRED: [&str; 2] = ["name", "email"];
const OPTIONAL: [&str; 4] = ["grade", "org_unit_code", "title", "active"];
const DEFAULT_TITLE: &str = "Staff member";

fn parse_active(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" | "y" => Some(true),
        "false" | "no" | "0" | "n" => Some(false),
        _ => None,
    }
}

/// Imports people from CSV with the columns `name`, `email` (both required), `grade`,
/// `org_unit_code`, `title` and `active`. People are matched by e-mail address.
pub async fn import_people(
    db: &Db,
    caller: &Caller,
    file: &[u8],
    commit: bool,
) -> ApiResult<ImportReport> {
    let file = file.strip_prefix(UTF8_BOM).unwrap_or(file);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(file);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| ApiError::bad_request("The file is not CSV text with a header row."))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    if let Some(missing) = REQUIRED.iter().find(|c| column(c).is_none()) {
        return Err(ApiError::bad_request(format!(
            "The file has no {missing:?} column. Columns: {} (required), {} (optional).",
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        )));
    }
    let units: HashMap<String, i32> = org_unit::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .filter(|u| u.exists_on(today()))
        .map(|u| (u.code, u.id))
        .collect();

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen_emails = HashSet::new();
    let mut records = 0;
    for (index, record) in reader.records().enumerate() {
        records += 1;
        let row = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                errors.push(RowError {
                    row,
                    column: String::new(),
                    message: format!("Unreadable row: {err}."),
                });
                continue;
            }
        };
        let get = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or("");
        let mut fail = |column: &str, message: String| {
            errors.push(RowError {
                row,
                column: column.to_owned(),
                message,
            });
        };
        let name = clean_name(get("name"), 200)
            .map_err(|e| fail("name", e.to_string()))
            .ok();
        let email = match Email::parse(get("email")) {
            Ok(email) if !seen_emails.insert(email.as_str().to_owned()) => {
                fail(
                    "email",
                    format!("{} appears on an earlier row too.", email.as_str()),
                );
                None
            }
            Ok(email) => Some(email.as_str().to_owned()),
            Err(e) => {
                fail("email", e.to_string());
                None
            }
        };
        let grade = match get("grade") {
            "" => Ok(None),
            text => Grade::parse(text)
                .map(|g| Some(g.code()))
                .map_err(|e| e.to_string()),
        }
        .map_err(|e| fail("grade", e))
        .ok();
        let unit = match get("org_unit_code").to_uppercase() {
            code if code.is_empty() => Some(None),
            code => match units.get(&code) {
                Some(id) => Some(Some((*id, code))),
                None => {
                    fail(
                        "org_unit_code",
                        format!("There is no org unit {code:?} today."),
                    );
                    None
                }
            },
        };
        let active = parse_active(get("active"));
        if active.is_none() {
            fail("active", format!("{:?} is not yes or no.", get("active")));
        }
        let title = match get("title") {
            "" => DEFAULT_TITLE.to_owned(),
            text => text.to_owned(),
        };
        if let (Some(name), Some(email), Some(grade), Some(unit), Some(active)) =
            (name, email, grade, unit, active)
        {
            rows.push(PersonRow {
                name,
                email,
                grade,
                unit,
                title,
                active,
            });
        }
    }

    let existing = existing_people(db, &rows).await?;
    let mut report = ImportReport {
        rows: records,
        new: 0,
        changed: 0,
        unchanged: 0,
        errors,
        committed: false,
    };
    for row in &rows {
        match existing.get(&row.email) {
            None => report.new += 1,
            Some(current) if current.differs_from(row) => report.changed += 1,
            Some(_) => report.unchanged += 1,
        }
    }
    if commit && report.errors.is_empty() {
        write_people(db, caller, &rows, &existing).await?;
        report.committed = true;
    }
    Ok(report)
}

/// A person already in the database, with their current units.
struct Existing {
    person: person::Model,
    current_units: Vec<person_membership::Model>,
}

impl Existing {
    fn differs_from(&self, row: &PersonRow) -> bool {
        let p = &self.person;
        let unit_differs = match &row.unit {
            None => false,
            Some((unit, _)) => !self.current_units.iter().any(|m| m.org_unit_id == *unit),
        };
        p.name != row.name || p.grade != row.grade || p.active != row.active || unit_differs
    }
}

async fn existing_people(db: &Db, rows: &[PersonRow]) -> Result<HashMap<String, Existing>, DbErr> {
    let mut found = HashMap::new();
    let day = today();
    // Chunked so no statement exceeds the databases' limits on bound parameters.
    for chunk in rows.chunks(500) {
        let people = person::Entity::find()
            .filter(person::Column::Email.is_in(chunk.iter().map(|r| r.email.clone())))
            .all(db.reader())
            .await?;
        let memberships = person_membership::Entity::find()
            .filter(person_membership::Column::PersonId.is_in(people.iter().map(|p| p.id)))
            .all(db.reader())
            .await?;
        for person in people {
            let current_units = memberships
                .iter()
                .filter(|m| m.person_id == person.id && in_effect(m.valid_from, m.valid_to, day))
                .cloned()
                .collect();
            if let Some(email) = person.email.clone() {
                found.insert(
                    email,
                    Existing {
                        person,
                        current_units,
                    },
                );
            }
        }
    }
    Ok(found)
}

async fn write_people(
    db: &Db,
    caller: &Caller,
    rows: &[PersonRow],
    existing: &HashMap<String, Existing>,
) -> ApiResult<()> {
    let now = Utc::now();
    let day = today();
    let txn = db.begin_write().await?;
    for row in rows {
        let person_id = match existing.get(&row.email) {
            Some(current) if !current.differs_from(row) => continue,
            Some(current) => {
                let mut change = person::ActiveModel::from(current.person.clone());
                change.name = Set(row.name.clone());
                change.grade = Set(row.grade.clone());
                change.active = Set(row.active);
                change.version = Set(current.person.version + 1);
                change.updated_at = Set(now);
                let updated = change.update(&txn).await?;
                let mut after = updated.audit_snapshot();
                if let Some((_, code)) = &row.unit {
                    after["orgUnit"] = serde_json::json!(code);
                }
                audit::trail::record_for(
                    &txn,
                    caller,
                    Change::new("Person", updated.id, "import")
                        .before(current.person.audit_snapshot())
                        .after(after),
                )
                .await?;
                if let Some((unit, _)) = &row.unit
                    && !current.current_units.iter().any(|m| m.org_unit_id == *unit)
                {
                    for membership in &current.current_units {
                        let mut ended = person_membership::ActiveModel::from(membership.clone());
                        ended.valid_to = Set(Some(day));
                        ended.update(&txn).await?;
                    }
                } else {
                    continue;
                }
                current.person.id
            }
            None => {
                let created = person::ActiveModel {
                    name: Set(row.name.clone()),
                    email: Set(Some(row.email.clone())),
                    grade: Set(row.grade.clone()),
                    active: Set(row.active),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                let mut after = created.audit_snapshot();
                if let Some((_, code)) = &row.unit {
                    after["orgUnit"] = serde_json::json!(code);
                }
                audit::trail::record_for(
                    &txn,
                    caller,
                    Change::new("Person", created.id, "import").after(after),
                )
                .await?;
                created.id
            }
        };
        if let Some((unit, _)) = &row.unit {
            person_membership::ActiveModel {
                person_id: Set(person_id),
                org_unit_id: Set(*unit),
                title: Set(row.title.clone()),
                is_head: Set(false),
                acting: Set(false),
                valid_from: Set(day),
                valid_to: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_active;

    #[test]
    fn active_reads_yes_and_no() {
        assert_eq!(parse_active(""), Some(true));
        assert_eq!(parse_active(" Yes "), Some(true));
        assert_eq!(parse_active("0"), Some(false));
        assert_eq!(parse_active("maybe"), None);
    }
}
