//! Changes to the organisation. Each is one write transaction that first claims the record's
//! next version (a stale version changes nothing and is `CONFLICT`).

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr};
use serde_json::json;
use steward_shared::access::Operation;
use steward_shared::organisation::{Email, Grade, Language, clean_name};

use super::graphql::{ORG_UNIT_TYPE, OrgUnit, PERSON_TYPE, Person, today};
use super::{org_unit, org_unit_name, person};
use crate::access::permissions::{Subject, authorize, caller};
use crate::audit::{self, Change};
use crate::graphql::relay::parse_global_id_of;
use crate::graphql::scalars::Date;
use crate::graphql::versioning::claim_next_version;
use crate::graphql::{ApiError, ApiResult, db};

const MAX_PERSON_NAME: usize = 200;
const MAX_UNIT_NAME: usize = 300;
const MAX_SHORT_NAME: usize = 64;

#[derive(Default)]
pub struct OrganisationMutation;

/// Changes to a person's record; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    /// The person's global id.
    id: ID,
    /// The version you read. If the record changed since, nothing changes (`CONFLICT`).
    version: i32,
    /// New full name.
    name: Option<String>,
    /// New work e-mail address; an empty string removes it.
    email: Option<String>,
    /// New grade, e.g. `P-4`, `D-1`, `G-6`, `ASG`; an empty string removes it.
    grade: Option<String>,
    /// Whether the person works for the organisation.
    active: Option<bool>,
}

/// A new name for an org unit in one language, from a date on.
#[derive(InputObject)]
pub struct RenameOrgUnitInput {
    /// The unit's global id.
    id: ID,
    /// The version you read. If the unit changed since, nothing changes (`CONFLICT`).
    version: i32,
    /// The language of the new name.
    language: Language,
    /// The new full name.
    name: String,
    /// The new short name, if the unit has one.
    short_name: Option<String>,
    /// The first day the new name is used (default: today).
    effective_from: Option<Date>,
}

fn optional_text(raw: Option<String>) -> Option<Option<String>> {
    raw.map(|value| {
        let trimmed = value.trim().to_owned();
        (!trimmed.is_empty()).then_some(trimmed)
    })
}

#[Object]
impl OrganisationMutation {
    /// Changes a person's name, e-mail address, grade or status.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change, with the version you read.")] input: UpdatePersonInput,
    ) -> ApiResult<Person> {
        let id = parse_global_id_of(&input.id, PERSON_TYPE)?;
        let name = input
            .name
            .map(|n| clean_name(&n, MAX_PERSON_NAME).map_err(|e| ApiError::invalid("name", &e)))
            .transpose()?;
        let email = optional_text(input.email)
            .map(|e| {
                e.map(|e| Email::parse(&e).map(|e| e.as_str().to_owned()))
                    .transpose()
                    .map_err(|e| ApiError::invalid("email", &e))
            })
            .transpose()?;
        let grade = optional_text(input.grade)
            .map(|g| {
                g.map(|g| Grade::parse(&g).map(|g| g.code()))
                    .transpose()
                    .map_err(|e| ApiError::invalid("grade", &e))
            })
            .transpose()?;

        authorize(ctx, Operation::EditPerson, Subject::Person(id)).await?;
        let db = db(ctx)?;
        let txn = db.begin_write().await?;
        claim_next_version(&txn, "person", "person", id, input.version).await?;
        let before = person::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::not_found("There is no such person."))?;
        if let Some(Some(email)) = &email {
            let taken = person::Entity::find()
                .filter(person::Column::Email.eq(email.as_str()))
                .filter(person::Column::Id.ne(id))
                .one(&txn)
                .await?;
            if taken.is_some() {
                return Err(ApiError::conflict(format!(
                    "Someone else already has the address {email}."
                )));
            }
        }
        let mut change = person::ActiveModel {
            id: Set(id),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        if let Some(name) = name {
            change.name = Set(name);
        }
        if let Some(email) = email {
            change.email = Set(email);
        }
        if let Some(grade) = grade {
            change.grade = Set(grade);
        }
        if let Some(active) = input.active {
            change.active = Set(active);
        }
        let updated = change
            .update(&txn)
            .await
            .map_err(|err| match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    ApiError::conflict("Someone else already has this e-mail address.")
                }
                _ => ApiError::from(err),
            })?;
        audit::trail::record_for(
            &txn,
            caller(ctx)?,
            Change::new("Person", id, "update")
                .before(before.audit_snapshot())
                .after(updated.audit_snapshot()),
        )
        .await?;
        txn.commit().await?;
        Ok(Person::new(Arc::new(updated), today()))
    }

    /// Gives an org unit a new name in one language from a date on; the old name is kept in
    /// its history.
    async fn rename_org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new name, its language and date, with the version you read.")] input: RenameOrgUnitInput,
    ) -> ApiResult<OrgUnit> {
        let id = parse_global_id_of(&input.id, ORG_UNIT_TYPE)?;
        let name =
            clean_name(&input.name, MAX_UNIT_NAME).map_err(|e| ApiError::invalid("name", &e))?;
        let short_name = optional_text(input.short_name)
            .flatten()
            .map(|s| clean_name(&s, MAX_SHORT_NAME))
            .transpose()
            .map_err(|e| ApiError::invalid("shortName", &e))?;
        let from = input.effective_from.map_or_else(today, Into::into);

        authorize(ctx, Operation::RenameOrgUnit, Subject::Unit(id)).await?;
        let db = db(ctx)?;
        let txn = db.begin_write().await?;
        claim_next_version(&txn, "org_unit", "org unit", id, input.version).await?;
        let current = org_unit_name::Entity::find()
            .filter(org_unit_name::Column::OrgUnitId.eq(id))
            .filter(org_unit_name::Column::Language.eq(input.language.tag()))
            .filter(org_unit_name::Column::ValidTo.is_null())
            .order_by_desc(org_unit_name::Column::ValidFrom)
            .one(&txn)
            .await?;
        let before = current.as_ref().map(|n| {
            json!({ "language": n.language, "name": n.name, "shortName": n.short_name, "validFrom": n.valid_from })
        });
        let after = json!({
            "language": input.language.tag(),
            "name": name,
            "shortName": short_name,
            "validFrom": from,
        });
        match current {
            Some(current) if current.valid_from > from => {
                return Err(ApiError::validation(
                    "effectiveFrom",
                    format!(
                        "The current name is used from {}; a new name can start on that day or later.",
                        current.valid_from
                    ),
                ));
            }
            Some(current) if current.valid_from == from => {
                let mut same_day = org_unit_name::ActiveModel::from(current);
                same_day.name = Set(name);
                same_day.short_name = Set(short_name);
                same_day.update(&txn).await?;
            }
            current => {
                if let Some(current) = current {
                    let mut ended = org_unit_name::ActiveModel::from(current);
                    ended.valid_to = Set(Some(from));
                    ended.update(&txn).await?;
                }
                org_unit_name::ActiveModel {
                    org_unit_id: Set(id),
                    language: Set(input.language.tag().to_owned()),
                    name: Set(name),
                    short_name: Set(short_name),
                    valid_from: Set(from),
                    valid_to: Set(None),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        org_unit::ActiveModel {
            id: Set(id),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let unit = org_unit::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::not_found("There is no such org unit."))?;
        let mut change = Change::new("OrgUnit", id, "rename").after(after);
        if let Some(before) = before {
            change = change.before(before);
        }
        audit::trail::record_for(&txn, caller(ctx)?, change).await?;
        txn.commit().await?;
        Ok(OrgUnit::new(Arc::new(unit), from.max(today())))
    }
}
