//! DataLoaders: nested fields of many org units or people are read in one query per batch,
//! never one per parent (no N+1).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, Query, WindowStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Iterable, Order,
    QueryFilter, QueryOrder, QuerySelect,
};
use steward_shared::organisation::OrgUnitKind;

use super::queries::effective_on;
use super::{org_unit, org_unit_name, org_unit_revision, person, person_flag, person_membership};
use crate::db::Db;
use crate::graphql::ApiError;
use crate::graphql::loaders::{by_id_loader, grouped_loader, loader};
use crate::graphql::relay::{PageArgs, Window};

grouped_loader!(
    RevisionsOfUnit,
    org_unit_revision,
    org_unit_revision::Column::OrgUnitId,
    |row| Some(row.org_unit_id),
    org_unit_revision::Column::ValidFrom
);
grouped_loader!(
    NamesOfUnit,
    org_unit_name,
    org_unit_name::Column::OrgUnitId,
    |row| Some(row.org_unit_id),
    org_unit_name::Column::ValidFrom
);
grouped_loader!(
    MembershipsOfPerson,
    person_membership,
    person_membership::Column::PersonId,
    |row| Some(row.person_id),
    person_membership::Column::ValidFrom
);
grouped_loader!(
    FlagsOfPerson,
    person_flag,
    person_flag::Column::PersonId,
    |row| Some(row.person_id),
    person_flag::Column::Since
);

by_id_loader!(UnitById, org_unit);

by_id_loader!(PersonById, person);

/// The whole org tree on one day: each unit's revision (in effect, or its last one before the
/// day for a unit dissolved by then) and each unit's children in tree order. The tree is small
/// (hundreds of units), so one statement reads it and every tree field of the request (kind,
/// parent, depth, ancestors, children) is answered from it without further rounds.
pub struct Tree {
    pub revision_of: HashMap<i32, org_unit_revision::Model>,
    pub children_of: HashMap<i32, Vec<i32>>,
}

impl Tree {
    /// The tree on `day`, in one statement.
    pub async fn load(conn: &impl ConnectionTrait, day: NaiveDate) -> Result<Tree, DbErr> {
        let revisions = org_unit_revision::Entity::find()
            .filter(org_unit_revision::Column::ValidFrom.lte(day))
            .order_by_asc(org_unit_revision::Column::ValidFrom)
            .all(conn)
            .await?;
        let mut revision_of = HashMap::new();
        for revision in revisions {
            // Ordered by start: the last one seen is the one in effect (or the last before).
            revision_of.insert(revision.org_unit_id, revision);
        }
        let mut children: Vec<&org_unit_revision::Model> = revision_of
            .values()
            .filter(|r| r.parent_id.is_some() && r.valid_to.is_none_or(|end| day < end))
            .collect();
        children.sort_by_key(|r| (r.sort_order, r.org_unit_id));
        let mut children_of: HashMap<i32, Vec<i32>> = HashMap::new();
        for child in children {
            if let Some(parent) = child.parent_id {
                children_of
                    .entry(parent)
                    .or_default()
                    .push(child.org_unit_id);
            }
        }
        Ok(Tree {
            revision_of,
            children_of,
        })
    }

    /// The nearest unit of `kind` at or above `unit` (the unit itself if it is one).
    pub fn nearest(&self, unit: i32, kind: OrgUnitKind) -> Option<i32> {
        let mut current = Some(unit);
        // Bounded by the number of units, so a (corrupt) cycle cannot loop for ever.
        for _ in 0..=self.revision_of.len() {
            let revision = self.revision_of.get(&current?)?;
            if revision.kind == kind.code() {
                return Some(revision.org_unit_id);
            }
            current = revision.parent_id;
        }
        None
    }
}

pub struct TreeOnDate(pub Db);

impl Loader<NaiveDate> for TreeOnDate {
    type Value = Arc<Tree>;
    type Error = ApiError;

    async fn load(
        &self,
        days: &[NaiveDate],
    ) -> Result<HashMap<NaiveDate, Self::Value>, Self::Error> {
        let mut trees = HashMap::new();
        for day in days {
            trees.insert(*day, Arc::new(Tree::load(self.0.reader(), *day).await?));
        }
        Ok(trees)
    }
}

/// A page of the people who are members of one unit on one day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MembersKey {
    pub unit: i32,
    pub as_of: NaiveDate,
    pub page: PageArgs,
}

pub struct MembersPage {
    pub window: Window,
    pub total: u64,
    pub people: Vec<person::Model>,
}

/// Pages of members of many units in two statements, however many units ask: one count per
/// unit (GROUP BY), then each unit's page cut out of a ROW_NUMBER() ranking.
pub struct MembersOfUnit(pub Db);

impl Loader<MembersKey> for MembersOfUnit {
    type Value = Arc<MembersPage>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[MembersKey],
    ) -> Result<HashMap<MembersKey, Self::Value>, Self::Error> {
        let mut by_day: HashMap<NaiveDate, Vec<&MembersKey>> = HashMap::new();
        for key in keys {
            by_day.entry(key.as_of).or_default().push(key);
        }
        let mut pages = HashMap::new();
        for (day, keys) in by_day {
            let units: Vec<i32> = keys.iter().map(|k| k.unit).collect();
            let totals = member_counts(self.0.reader(), &units, day).await?;
            let mut windows = Vec::with_capacity(keys.len());
            for key in keys {
                let total = totals.get(&key.unit).copied().unwrap_or(0);
                windows.push((key, key.page.window(total)?, total));
            }
            let ranked = ranked_members(self.0.reader(), day, &windows).await?;
            for (key, window, total) in windows {
                let people = ranked
                    .iter()
                    .filter(|m| m.unit_key == key.unit)
                    .filter(|m| {
                        m.position > window.offset && m.position <= window.offset + window.limit
                    })
                    .map(|m| m.person.clone())
                    .collect();
                pages.insert(
                    key.clone(),
                    Arc::new(MembersPage {
                        window,
                        total,
                        people,
                    }),
                );
            }
        }
        Ok(pages)
    }
}

async fn member_counts<C: ConnectionTrait>(
    db: &C,
    units: &[i32],
    day: NaiveDate,
) -> Result<HashMap<i32, u64>, ApiError> {
    let counts: Vec<(i32, i64)> = person_membership::Entity::find()
        .select_only()
        .column(person_membership::Column::OrgUnitId)
        .column_as(
            Expr::col(person_membership::Column::PersonId).count(),
            "total",
        )
        .filter(person_membership::Column::OrgUnitId.is_in(units.iter().copied()))
        .filter(effective_on(
            person_membership::Column::ValidFrom,
            person_membership::Column::ValidTo,
            day,
        ))
        .group_by(person_membership::Column::OrgUnitId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(unit, total)| (unit, u64::try_from(total).unwrap_or(0)))
        .collect())
}

struct RankedMember {
    unit_key: i32,
    position: u64,
    person: person::Model,
}

async fn ranked_members<C: ConnectionTrait>(
    db: &C,
    day: NaiveDate,
    windows: &[(&MembersKey, Window, u64)],
) -> Result<Vec<RankedMember>, ApiError> {
    let wanted: Vec<(i32, u64, u64)> = windows
        .iter()
        .filter(|(_, window, _)| window.limit > 0)
        .map(|(key, window, _)| (key.unit, window.offset, window.offset + window.limit))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let membership_of = |c: person_membership::Column| (person_membership::Entity, c);
    let ranking = Query::select()
        .columns(person::Column::iter().map(|c| (person::Entity, c)))
        .expr_as(
            Expr::col(membership_of(person_membership::Column::OrgUnitId)),
            Alias::new("unit_key"),
        )
        .expr_window_as(
            Func::cust("ROW_NUMBER"),
            WindowStatement::partition_by(membership_of(person_membership::Column::OrgUnitId))
                .order_by((person::Entity, person::Column::Name), Order::Asc)
                .order_by((person::Entity, person::Column::Id), Order::Asc)
                .take(),
            Alias::new("position"),
        )
        .from(person::Entity)
        .inner_join(
            person_membership::Entity,
            Expr::col(membership_of(person_membership::Column::PersonId))
                .equals((person::Entity, person::Column::Id)),
        )
        .and_where(
            Expr::col(membership_of(person_membership::Column::OrgUnitId))
                .is_in(wanted.iter().map(|(unit, ..)| *unit)),
        )
        .cond_where(effective_on(
            person_membership::Column::ValidFrom,
            person_membership::Column::ValidTo,
            day,
        ))
        .to_owned();
    let mut pages = Condition::any();
    for (unit, from, to) in &wanted {
        pages = pages.add(
            Condition::all()
                .add(Expr::col(Alias::new("unit_key")).eq(*unit))
                .add(Expr::col(Alias::new("position")).gt(*from))
                .add(Expr::col(Alias::new("position")).lte(*to)),
        );
    }
    let statement = Query::select()
        .column(Asterisk)
        .from_subquery(ranking, Alias::new("ranked"))
        .cond_where(pages)
        .to_owned();
    let rows = db.query_all(&statement).await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let unit_key: i32 = row.try_get("", "unit_key")?;
        let position: i64 = row.try_get("", "position")?;
        members.push(RankedMember {
            unit_key,
            position: u64::try_from(position).unwrap_or(0),
            person: person::Model::from_query_result(&row, "")?,
        });
    }
    Ok(members)
}

/// The organisation's loaders, created for each request (their caches live one request).
pub struct OrganisationLoaders {
    pub unit: DataLoader<UnitById>,
    pub person: DataLoader<PersonById>,
    pub revisions: DataLoader<RevisionsOfUnit>,
    pub tree: DataLoader<TreeOnDate>,
    pub names: DataLoader<NamesOfUnit>,
    pub memberships: DataLoader<MembershipsOfPerson>,
    pub flags: DataLoader<FlagsOfPerson>,
    pub members: DataLoader<MembersOfUnit>,
}

impl OrganisationLoaders {
    pub fn new(db: &Db) -> Self {
        OrganisationLoaders {
            unit: loader(UnitById(db.clone())),
            person: loader(PersonById(db.clone())),
            revisions: loader(RevisionsOfUnit(db.clone())),
            tree: loader(TreeOnDate(db.clone())),
            names: loader(NamesOfUnit(db.clone())),
            memberships: loader(MembershipsOfPerson(db.clone())),
            flags: loader(FlagsOfPerson(db.clone())),
            members: loader(MembersOfUnit(db.clone())),
        }
    }
}
