//! Reads of the organisation as of a date: filtered, ordered and paged in SQL.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement, SubQueryStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use steward_shared::organisation::{GradeCategory, Language, OrgUnitKind, PersonFlagKind};

use super::{org_unit, org_unit_name, org_unit_revision, person, person_flag, person_membership};

pub type Date = chrono::NaiveDate;

/// Rows in effect on `day`: `valid_from <= day < valid_to` (an empty `valid_to` is open).
pub fn effective_on<C: ColumnTrait>(from: C, to: C, day: Date) -> Condition {
    Condition::all()
        .add(from.lte(day))
        .add(Condition::any().add(to.is_null()).add(to.gt(day)))
}

/// Is a period `[from, to)` in effect on `day`?
pub fn in_effect(from: Date, to: Option<Date>, day: Date) -> bool {
    from <= day && to.is_none_or(|end| day < end)
}

/// Of a unit's revisions (oldest first), the one in effect on `day`; for a unit not existing
/// then, the latest before it, else the first.
pub fn pick_revision(
    revisions: &[org_unit_revision::Model],
    day: Date,
) -> Option<&org_unit_revision::Model> {
    revisions
        .iter()
        .rev()
        .find(|r| r.valid_from <= day)
        .or_else(|| revisions.first())
}

/// Of a unit's names, the one in `language` in effect on `day` (else the latest before it,
/// else the earliest).
pub fn pick_name(
    names: &[org_unit_name::Model],
    language: Language,
    day: Date,
) -> Option<&org_unit_name::Model> {
    let of_language = names.iter().filter(|n| n.language == language.tag());
    of_language
        .clone()
        .filter(|n| n.valid_from <= day)
        .max_by_key(|n| n.valid_from)
        .or_else(|| of_language.min_by_key(|n| n.valid_from))
}

fn units_existing_on(day: Date) -> Condition {
    Condition::all()
        .add(org_unit::Column::EstablishedOn.lte(day))
        .add(
            Condition::any()
                .add(org_unit::Column::DissolvedOn.is_null())
                .add(org_unit::Column::DissolvedOn.gt(day)),
        )
}

/// `LIKE` pattern for "contains, ignoring case"; `None` for an empty search.
pub(crate) fn contains_pattern(search: Option<&str>) -> Option<String> {
    let search = search.map(str::trim).filter(|s| !s.is_empty())?;
    Some(format!("%{}%", search.to_lowercase()))
}

/// `lower(column) LIKE pattern`.
pub(crate) fn lower_like<C: ColumnTrait>(column: C, pattern: &str) -> Expr {
    Expr::expr(Func::lower(Expr::col(column))).like(pattern)
}

fn sub(select: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select)))
}

/// How a list of org units is ordered; the code breaks ties (it is unique).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitOrder {
    /// Depth first, as the organisation lists its units.
    Tree,
    Code,
    /// By English name in effect on the date.
    Name,
}

#[derive(Debug, Clone)]
pub struct UnitFilter {
    pub as_of: Date,
    pub kinds: Vec<OrgUnitKind>,
    /// Only the direct children of this unit.
    pub parent_id: Option<i32>,
    /// Only these units (e.g. a unit and everything under it).
    pub within: Option<Vec<i32>>,
    /// Case-insensitive part of the code or of a name in any language.
    pub search: Option<String>,
    pub include_dissolved: bool,
    pub order: UnitOrder,
    pub descending: bool,
}

/// The units `filter` asks for, in its order.
pub fn unit_select(filter: &UnitFilter) -> sea_orm::Select<org_unit::Entity> {
    let day = filter.as_of;
    let mut condition = Condition::all();
    if !filter.include_dissolved {
        condition = condition.add(units_existing_on(day));
    }
    if !filter.kinds.is_empty() || filter.parent_id.is_some() {
        let mut revisions = org_unit_revision::Entity::find()
            .select_only()
            .column(org_unit_revision::Column::OrgUnitId)
            .filter(effective_on(
                org_unit_revision::Column::ValidFrom,
                org_unit_revision::Column::ValidTo,
                day,
            ));
        if !filter.kinds.is_empty() {
            revisions = revisions.filter(
                org_unit_revision::Column::Kind.is_in(filter.kinds.iter().map(|k| k.code())),
            );
        }
        if let Some(parent) = filter.parent_id {
            revisions = revisions.filter(org_unit_revision::Column::ParentId.eq(parent));
        }
        condition = condition.add(org_unit::Column::Id.in_subquery(revisions.into_query()));
    }
    if let Some(within) = &filter.within {
        condition = condition.add(org_unit::Column::Id.is_in(within.iter().copied()));
    }
    if let Some(pattern) = contains_pattern(filter.search.as_deref()) {
        let names = org_unit_name::Entity::find()
            .select_only()
            .column(org_unit_name::Column::OrgUnitId)
            .filter(lower_like(org_unit_name::Column::Name, &pattern))
            .into_query();
        condition = condition.add(
            Condition::any()
                .add(lower_like(org_unit::Column::Code, &pattern))
                .add(org_unit::Column::Id.in_subquery(names)),
        );
    }
    let direction = if filter.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let select = org_unit::Entity::find().filter(condition);
    let select = match filter.order {
        UnitOrder::Code => select,
        UnitOrder::Tree => {
            let position = Query::select()
                .column(org_unit_revision::Column::SortOrder)
                .from(org_unit_revision::Entity)
                .and_where(
                    Expr::col((
                        org_unit_revision::Entity,
                        org_unit_revision::Column::OrgUnitId,
                    ))
                    .equals((org_unit::Entity, org_unit::Column::Id)),
                )
                .cond_where(effective_or_last(day))
                .order_by(org_unit_revision::Column::ValidFrom, Order::Desc)
                .limit(1)
                .to_owned();
            select.order_by(sub(position), direction.clone())
        }
        UnitOrder::Name => {
            let name = Query::select()
                .column(org_unit_name::Column::Name)
                .from(org_unit_name::Entity)
                .and_where(
                    Expr::col((org_unit_name::Entity, org_unit_name::Column::OrgUnitId))
                        .equals((org_unit::Entity, org_unit::Column::Id)),
                )
                .and_where(org_unit_name::Column::Language.eq(Language::En.tag()))
                .and_where(org_unit_name::Column::ValidFrom.lte(day))
                .order_by(org_unit_name::Column::ValidFrom, Order::Desc)
                .limit(1)
                .to_owned();
            select.order_by(sub(name), direction.clone())
        }
    };
    select.order_by(org_unit::Column::Code, direction)
}

/// The revision in effect, or for a unit not (yet or any longer) in existence, its latest one
/// from before the date.
fn effective_or_last(day: Date) -> Condition {
    Condition::all().add(org_unit_revision::Column::ValidFrom.lte(day))
}

pub async fn unit_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code.trim().to_uppercase()))
        .one(db)
        .await
}

/// `root` and every unit under it on `day`, from one read of that day's tree.
pub async fn unit_and_descendants<C: ConnectionTrait>(
    db: &C,
    root: i32,
    day: Date,
) -> Result<Vec<i32>, DbErr> {
    let revisions = org_unit_revision::Entity::find()
        .filter(effective_on(
            org_unit_revision::Column::ValidFrom,
            org_unit_revision::Column::ValidTo,
            day,
        ))
        .all(db)
        .await?;
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for revision in &revisions {
        if let Some(parent) = revision.parent_id {
            children
                .entry(parent)
                .or_default()
                .push(revision.org_unit_id);
        }
    }
    let mut found = vec![root];
    let mut seen = HashSet::from([root]);
    let mut next = 0;
    while next < found.len() {
        for child in children.get(&found[next]).into_iter().flatten() {
            if seen.insert(*child) {
                found.push(*child);
            }
        }
        next += 1;
    }
    Ok(found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonOrder {
    Name,
    Grade,
}

#[derive(Debug, Clone)]
pub struct PersonFilter {
    pub as_of: Date,
    /// Case-insensitive part of the name or e-mail address.
    pub search: Option<String>,
    /// Only members (on the date) of one of these units.
    pub units: Option<Vec<i32>>,
    pub grade_categories: Vec<GradeCategory>,
    pub active: Option<bool>,
    /// Only people flagged so on the date.
    pub flag: Option<PersonFlagKind>,
    pub order: PersonOrder,
    pub descending: bool,
}

fn grade_condition(category: GradeCategory) -> Condition {
    let column = person::Column::Grade;
    match category {
        GradeCategory::Usg => Condition::all().add(column.eq("USG")),
        GradeCategory::Asg => Condition::all().add(column.eq("ASG")),
        GradeCategory::Director => Condition::all().add(column.like("D-%")),
        GradeCategory::Professional => Condition::all().add(column.like("P-%")),
        GradeCategory::GeneralService => Condition::all().add(column.like("G-%")),
    }
}

/// How many people of each grade category match `filter` (its order is ignored), counted in
/// one statement; people without a grade are not counted.
pub async fn count_people_by_grade_category<C: ConnectionTrait>(
    db: &C,
    filter: &PersonFilter,
) -> Result<Vec<(GradeCategory, i64)>, DbErr> {
    const CATEGORY: &str = "CASE WHEN grade = 'USG' THEN 'USG' WHEN grade = 'ASG' THEN 'ASG' \
         WHEN grade LIKE 'D-%' THEN 'DIRECTOR' WHEN grade LIKE 'P-%' THEN 'PROFESSIONAL' \
         WHEN grade LIKE 'G-%' THEN 'GENERAL_SERVICE' END";
    let rows: Vec<(Option<String>, i64)> = person::Entity::find()
        .filter(person_condition(filter))
        .select_only()
        .column_as(Expr::cust(CATEGORY), "category")
        .column_as(Expr::cust("COUNT(*)"), "people")
        .group_by(Expr::cust(CATEGORY))
        .into_tuple()
        .all(db)
        .await?;
    Ok(GradeCategory::ALL
        .into_iter()
        .map(|category| {
            let found = rows
                .iter()
                .find(|(code, _)| code.as_deref() == Some(category.code()))
                .map_or(0, |(_, n)| *n);
            (category, found)
        })
        .collect())
}

/// The people `filter` asks for, in its order.
pub fn person_select(filter: &PersonFilter) -> sea_orm::Select<person::Entity> {
    let direction = if filter.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let select = person::Entity::find().filter(person_condition(filter));
    let select = match filter.order {
        PersonOrder::Name => select.order_by(person::Column::Name, direction.clone()),
        PersonOrder::Grade => select.order_by(person::Column::Grade, direction.clone()),
    };
    select.order_by(person::Column::Id, direction)
}

fn person_condition(filter: &PersonFilter) -> Condition {
    let day = filter.as_of;
    let mut condition = Condition::all();
    if let Some(pattern) = contains_pattern(filter.search.as_deref()) {
        condition = condition.add(
            Condition::any()
                .add(lower_like(person::Column::Name, &pattern))
                .add(lower_like(person::Column::Email, &pattern)),
        );
    }
    if let Some(units) = &filter.units {
        let members = person_membership::Entity::find()
            .select_only()
            .column(person_membership::Column::PersonId)
            .filter(person_membership::Column::OrgUnitId.is_in(units.iter().copied()))
            .filter(effective_on(
                person_membership::Column::ValidFrom,
                person_membership::Column::ValidTo,
                day,
            ))
            .into_query();
        condition = condition.add(person::Column::Id.in_subquery(members));
    }
    if !filter.grade_categories.is_empty() {
        let mut any = Condition::any();
        for category in &filter.grade_categories {
            any = any.add(grade_condition(*category));
        }
        condition = condition.add(any);
    }
    if let Some(active) = filter.active {
        condition = condition.add(person::Column::Active.eq(active));
    }
    if let Some(flag) = filter.flag {
        let flagged = person_flag::Entity::find()
            .select_only()
            .column(person_flag::Column::PersonId)
            .filter(person_flag::Column::Flag.eq(flag.code()))
            .filter(effective_on(
                person_flag::Column::Since,
                person_flag::Column::Until,
                day,
            ))
            .into_query();
        condition = condition.add(person::Column::Id.in_subquery(flagged));
    }
    condition
}

#[cfg(test)]
mod tests {
    use super::in_effect;
    use chrono::NaiveDate;

    #[test]
    fn periods_are_half_open() {
        let day = |d| NaiveDate::from_ymd_opt(2020, 1, d).unwrap();
        assert!(in_effect(day(1), None, day(1)));
        assert!(in_effect(day(1), Some(day(10)), day(9)));
        assert!(!in_effect(day(1), Some(day(10)), day(10)));
        assert!(!in_effect(day(2), None, day(1)));
    }
}
