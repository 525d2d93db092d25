//! GraphQL types and queries of the organisation. Every object is seen "as of" a date (today
//! unless the query says otherwise), and its nested fields answer for the same date.

use steward_shared::access::Operation;

use crate::access::graphql::Account;
use crate::access::loaders::AccessLoaders;
use crate::access::permissions::{Subject, authorize, caller};
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use steward_shared::organisation::{Grade, GradeCategory, Language, OrgUnitKind, PersonFlagKind};

use super::loaders::{MembersKey, OrganisationLoaders, Tree};
use super::queries::{self, Date, PersonFilter, PersonOrder, UnitFilter, UnitOrder, in_effect};
use super::{org_unit, org_unit_name, org_unit_revision, person, person_flag, person_membership};
use crate::graphql::relay::{Connection, PageArgs, fetch_page, global_id};
use crate::graphql::relay::{OrgUnitConnection, PersonConnection};
use crate::graphql::scalars::Date as DateScalar;
use crate::graphql::{ApiError, ApiResult, db};

pub const ORG_UNIT_TYPE: &str = "OrgUnit";
pub const PERSON_TYPE: &str = "Person";

fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a OrganisationLoaders> {
    ctx.data::<OrganisationLoaders>()
        .map_err(|_| ApiError::internal("organisation loaders missing from the request"))
}

pub fn today() -> Date {
    Utc::now().date_naive()
}

#[derive(Default)]
pub struct OrganisationQuery;

/// Direction of an ordering.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OrderDirection {
    /// Smallest first (A to Z).
    #[default]
    Asc,
    /// Largest first (Z to A).
    Desc,
}

/// What org units can be ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OrgUnitOrderField {
    /// As the organisation lists its units: each unit followed by the units under it.
    #[default]
    Tree,
    /// By code.
    Code,
    /// By English name.
    Name,
}

/// How to order org units.
#[derive(InputObject, Default)]
pub struct OrgUnitOrder {
    /// What to order by.
    #[graphql(default)]
    field: OrgUnitOrderField,
    /// Which way.
    #[graphql(default)]
    direction: OrderDirection,
}

/// Which org units to list.
#[derive(InputObject, Default)]
pub struct OrgUnitFilter {
    /// Only units of these kinds.
    kinds: Option<Vec<OrgUnitKind>>,
    /// Only the units directly under the unit with this code.
    parent_code: Option<String>,
    /// Only the unit with this code and every unit under it.
    within_code: Option<String>,
    /// Only units whose code or name (in any language) contains this text, ignoring case.
    search: Option<String>,
    /// Also list units that do not exist on the date (dissolved, merged or not yet created).
    #[graphql(default)]
    include_dissolved: bool,
}

/// What people can be ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum PersonOrderField {
    /// By name.
    #[default]
    Name,
    /// By grade code (D before G before P; then level).
    Grade,
}

/// How to order people.
#[derive(InputObject, Default)]
#[graphql(name = "PersonOrder")]
pub struct PersonOrderInput {
    /// What to order by.
    #[graphql(default)]
    field: PersonOrderField,
    /// Which way.
    #[graphql(default)]
    direction: OrderDirection,
}

/// Which people to list.
#[derive(InputObject, Default)]
#[graphql(name = "PersonFilter")]
pub struct PersonFilterInput {
    /// Only people whose name or e-mail address contains this text, ignoring case.
    search: Option<String>,
    /// Only members of the unit with this code (on the date).
    org_unit_code: Option<String>,
    /// With `orgUnitCode`: also members of every unit under it.
    #[graphql(default)]
    include_subunits: bool,
    /// Only people of these grade categories.
    grade_categories: Option<Vec<GradeCategory>>,
    /// Only active (true) or inactive (false) people.
    active: Option<bool>,
    /// Only people flagged so on the date (e.g. change agents).
    flag: Option<PersonFlagKind>,
}

async fn unit_id_by_code(ctx: &Context<'_>, field: &str, code: &str) -> ApiResult<i32> {
    queries::unit_by_code(db(ctx)?.reader(), code)
        .await?
        .map(|unit| unit.id)
        .ok_or_else(|| {
            ApiError::validation(field, format!("There is no org unit with code {code:?}."))
        })
}

#[Object]
impl OrganisationQuery {
    /// The org unit with this code, as it was on `asOf` (default: today).
    async fn org_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit's code, e.g. `OED` (case does not matter).")] code: String,
        #[graphql(desc = "The date to see the unit as of (default: today).")] as_of: Option<
            DateScalar,
        >,
    ) -> ApiResult<Option<OrgUnit>> {
        authorize(ctx, Operation::ReadOrganisation, Subject::Organisation).await?;
        let unit = queries::unit_by_code(db(ctx)?.reader(), &code).await?;
        let as_of = as_of.map_or_else(today, Into::into);
        Ok(unit.map(|unit| OrgUnit::new(Arc::new(unit), as_of)))
    }

    /// Org units as of a date, filtered and ordered, a page at a time.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn org_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to see the organisation as of (default: today).")] as_of: Option<
            DateScalar,
        >,
        #[graphql(desc = "Which units to list.")] filter: Option<OrgUnitFilter>,
        #[graphql(desc = "How to order them (default: tree order).")] order_by: Option<
            OrgUnitOrder,
        >,
        #[graphql(desc = "At most this many units from the start (0–100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many units from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<OrgUnitConnection> {
        authorize(ctx, Operation::ReadOrganisation, Subject::Organisation).await?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let as_of = as_of.map_or_else(today, Into::into);
        let filter = filter.unwrap_or_default();
        let order = order_by.unwrap_or_default();
        let parent_id = match &filter.parent_code {
            Some(code) => Some(unit_id_by_code(ctx, "filter.parentCode", code).await?),
            None => None,
        };
        let within = match &filter.within_code {
            Some(code) => {
                let root = unit_id_by_code(ctx, "filter.withinCode", code).await?;
                Some(queries::unit_and_descendants(db(ctx)?.reader(), root, as_of).await?)
            }
            None => None,
        };
        let query = UnitFilter {
            as_of,
            kinds: filter.kinds.unwrap_or_default(),
            parent_id,
            within,
            search: filter.search,
            include_dissolved: filter.include_dissolved,
            order: match order.field {
                OrgUnitOrderField::Tree => UnitOrder::Tree,
                OrgUnitOrderField::Code => UnitOrder::Code,
                OrgUnitOrderField::Name => UnitOrder::Name,
            },
            descending: order.direction == OrderDirection::Desc,
        };
        units_page(ctx, &query, &page).await
    }

    /// People of the organisation, filtered and ordered, a page at a time. Memberships and
    /// flags are read as of `asOf` (default: today).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to read memberships and flags as of (default: today).")]
        as_of: Option<DateScalar>,
        #[graphql(desc = "Which people to list.")] filter: Option<PersonFilterInput>,
        #[graphql(desc = "How to order them (default: by name).")] order_by: Option<
            PersonOrderInput,
        >,
        #[graphql(desc = "At most this many people from the start (0–100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many people from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<PersonConnection> {
        authorize(ctx, Operation::ReadOrganisation, Subject::Organisation).await?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let query = person_filter(ctx, as_of, filter, order_by.unwrap_or_default()).await?;
        people_page(ctx, &query, &page).await
    }

    /// How many people of each grade category match the filter (one figure per category,
    /// most senior first; counted in the database in one statement).
    async fn people_by_grade_category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to read memberships and flags as of (default: today).")]
        as_of: Option<DateScalar>,
        #[graphql(desc = "Which people to count.")] filter: Option<PersonFilterInput>,
    ) -> ApiResult<Vec<GradeCategoryCount>> {
        authorize(ctx, Operation::ReadOrganisation, Subject::Organisation).await?;
        let query = person_filter(ctx, as_of, filter, PersonOrderInput::default()).await?;
        let counts = queries::count_people_by_grade_category(db(ctx)?.reader(), &query).await?;
        Ok(counts
            .into_iter()
            .map(|(category, people)| GradeCategoryCount { category, people })
            .collect())
    }
}

/// The number of people in one grade category.
#[derive(SimpleObject)]
pub struct GradeCategoryCount {
    /// The category.
    category: GradeCategory,
    /// How many people.
    people: i64,
}

/// The query behind `people` and `peopleByGradeCategory`.
async fn person_filter(
    ctx: &Context<'_>,
    as_of: Option<DateScalar>,
    filter: Option<PersonFilterInput>,
    order: PersonOrderInput,
) -> ApiResult<PersonFilter> {
    let as_of = as_of.map_or_else(today, Into::into);
    let filter = filter.unwrap_or_default();
    let units = match &filter.org_unit_code {
        Some(code) => {
            let unit = unit_id_by_code(ctx, "filter.orgUnitCode", code).await?;
            Some(if filter.include_subunits {
                queries::unit_and_descendants(db(ctx)?.reader(), unit, as_of).await?
            } else {
                vec![unit]
            })
        }
        None => None,
    };
    Ok(PersonFilter {
        as_of,
        search: filter.search,
        units,
        grade_categories: filter.grade_categories.unwrap_or_default(),
        active: filter.active,
        flag: filter.flag,
        order: match order.field {
            PersonOrderField::Name => PersonOrder::Name,
            PersonOrderField::Grade => PersonOrder::Grade,
        },
        descending: order.direction == OrderDirection::Desc,
    })
}

async fn units_page(
    ctx: &Context<'_>,
    query: &UnitFilter,
    page: &PageArgs,
) -> ApiResult<OrgUnitConnection> {
    let (window, total, units) =
        fetch_page(db(ctx)?.reader(), queries::unit_select(query), page).await?;
    let nodes = units
        .into_iter()
        .map(|unit| OrgUnit::new(Arc::new(unit), query.as_of))
        .collect();
    Ok(Connection::new(window, total, nodes))
}

async fn people_page(
    ctx: &Context<'_>,
    query: &PersonFilter,
    page: &PageArgs,
) -> ApiResult<PersonConnection> {
    let (window, total, people) =
        fetch_page(db(ctx)?.reader(), queries::person_select(query), page).await?;
    let nodes = people
        .into_iter()
        .map(|p| Person::new(Arc::new(p), query.as_of))
        .collect();
    Ok(Connection::new(window, total, nodes))
}

/// A connection's cost: its items' cost times the page size asked for (default 20).
pub fn page_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).map_or(20, |n| n.clamp(0, 100) as usize);
    1 + size.max(1) * child_complexity
}

/// A unit of the organisation: the executive office, a division, a branch, a service, or a
/// regional, country or liaison office, seen as of a date.
#[derive(Clone)]
pub struct OrgUnit {
    unit: Arc<org_unit::Model>,
    as_of: Date,
}

impl OrgUnit {
    pub fn new(unit: Arc<org_unit::Model>, as_of: Date) -> Self {
        OrgUnit { unit, as_of }
    }

    pub async fn load(ctx: &Context<'_>, id: i32, as_of: Date) -> ApiResult<Option<OrgUnit>> {
        let unit = loaders(ctx)?.unit.load_one(id).await?;
        Ok(unit.map(|unit| OrgUnit::new(unit, as_of)))
    }

    /// The unit's code (for labels elsewhere in the API).
    pub fn unit_code(&self) -> &str {
        &self.unit.code
    }

    /// The org tree on this view's date (read once per request and date).
    async fn tree(&self, ctx: &Context<'_>) -> ApiResult<Arc<Tree>> {
        loaders(ctx)?
            .tree
            .load_one(self.as_of)
            .await?
            .ok_or_else(|| ApiError::internal("tree loader returned no tree"))
    }

    /// The revision in effect on the date; for a unit not existing then, the nearest one.
    async fn revision(&self, ctx: &Context<'_>) -> ApiResult<Option<org_unit_revision::Model>> {
        if let Some(revision) = self.tree(ctx).await?.revision_of.get(&self.unit.id) {
            return Ok(Some(revision.clone()));
        }
        // Not yet established on the date: its first revision.
        let revisions = loaders(ctx)?
            .revisions
            .load_one(self.unit.id)
            .await?
            .unwrap_or_default();
        Ok(queries::pick_revision(&revisions, self.as_of).cloned())
    }

    /// The ids of the units above this one on the date, nearest first.
    async fn ancestor_ids(&self, ctx: &Context<'_>) -> ApiResult<Vec<i32>> {
        let tree = self.tree(ctx).await?;
        let mut ids = Vec::new();
        let mut current = self.unit.id;
        // Bounded: bad data with a cycle must not loop forever.
        while let Some(parent) = tree.revision_of.get(&current).and_then(|r| r.parent_id) {
            if ids.len() >= 64 || ids.contains(&parent) {
                break;
            }
            ids.push(parent);
            current = parent;
        }
        Ok(ids)
    }

    async fn units(&self, ctx: &Context<'_>, ids: &[i32]) -> ApiResult<Vec<OrgUnit>> {
        let units = loaders(ctx)?.unit.load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| units.get(id))
            .map(|unit| OrgUnit::new(unit.clone(), self.as_of))
            .collect())
    }

    async fn names_on_date(&self, ctx: &Context<'_>) -> ApiResult<Vec<org_unit_name::Model>> {
        let names = loaders(ctx)?
            .names
            .load_one(self.unit.id)
            .await?
            .unwrap_or_default();
        Ok(Language::ALL
            .into_iter()
            .filter_map(|language| queries::pick_name(&names, language, self.as_of).cloned())
            .collect())
    }

    async fn name_in(
        &self,
        ctx: &Context<'_>,
        language: Language,
    ) -> ApiResult<Option<org_unit_name::Model>> {
        let names = self.names_on_date(ctx).await?;
        let wanted = names.iter().find(|n| n.language == language.tag());
        let english = names.iter().find(|n| n.language == Language::En.tag());
        Ok(wanted.or(english).cloned())
    }
}

/// A unit's name in one language.
#[derive(SimpleObject)]
pub struct LocalizedName {
    /// The language of the name.
    language: Language,
    /// The full name.
    name: String,
    /// A short form, if the organisation uses one.
    short_name: Option<String>,
    /// The first day this name is used.
    valid_from: DateScalar,
    /// The first day this name is no longer used; empty while it is.
    valid_to: Option<DateScalar>,
}

impl From<&org_unit_name::Model> for LocalizedName {
    fn from(row: &org_unit_name::Model) -> Self {
        LocalizedName {
            language: Language::from_tag(&row.language).unwrap_or(Language::En),
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            valid_from: row.valid_from.into(),
            valid_to: row.valid_to.map(Into::into),
        }
    }
}

/// A unit of the organisation: the executive office, a division, a branch, a service, or a
/// regional, country or liaison office, seen as of a date.
#[Object]
impl OrgUnit {
    /// Opaque global identifier; use it with `node(id:)`.
    pub async fn id(&self) -> ID {
        global_id(ORG_UNIT_TYPE, self.unit.id)
    }

    /// Short, stable code that survives renames (e.g. `OED`, `ROAP`).
    async fn code(&self) -> &str {
        &self.unit.code
    }

    /// The date this view of the unit is for.
    async fn as_of(&self) -> DateScalar {
        self.as_of.into()
    }

    /// Whether the unit exists on the date (established, and not dissolved or merged).
    async fn exists(&self) -> bool {
        self.unit.exists_on(self.as_of)
    }

    /// The day the unit was established.
    async fn established_on(&self) -> DateScalar {
        self.unit.established_on.into()
    }

    /// The first day the unit no longer existed; empty while it exists.
    async fn dissolved_on(&self) -> Option<DateScalar> {
        self.unit.dissolved_on.map(Into::into)
    }

    /// The unit its work went to when it was merged.
    async fn merged_into(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.unit.merged_into_id {
            Some(id) => OrgUnit::load(ctx, id, self.as_of).await,
            None => Ok(None),
        }
    }

    /// What kind of unit it is on the date.
    async fn kind(&self, ctx: &Context<'_>) -> ApiResult<OrgUnitKind> {
        let revision = self.revision(ctx).await?.ok_or_else(|| {
            ApiError::internal(format!("org unit {} has no revision", self.unit.code))
        })?;
        revision.kind.parse::<OrgUnitKind>().map_err(|e| {
            ApiError::internal(format!("org unit {} has a bad kind: {e}", self.unit.code))
        })
    }

    /// Its name on the date, in the language asked for (falling back to English).
    async fn name(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The language wanted (default: English).",
            default_with = "Language::En"
        )]
        language: Language,
    ) -> ApiResult<String> {
        Ok(self
            .name_in(ctx, language)
            .await?
            .map_or_else(|| self.unit.code.clone(), |n| n.name))
    }

    /// Its short name on the date, if it has one, in the language asked for.
    async fn short_name(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The language wanted (default: English).",
            default_with = "Language::En"
        )]
        language: Language,
    ) -> ApiResult<Option<String>> {
        Ok(self
            .name_in(ctx, language)
            .await?
            .and_then(|n| n.short_name))
    }

    /// Its names on the date, one per language it has a name in.
    async fn names(&self, ctx: &Context<'_>) -> ApiResult<Vec<LocalizedName>> {
        Ok(self
            .names_on_date(ctx)
            .await?
            .iter()
            .map(LocalizedName::from)
            .collect())
    }

    /// Every name it has had, in every language, oldest first.
    async fn name_history(&self, ctx: &Context<'_>) -> ApiResult<Vec<LocalizedName>> {
        let names = loaders(ctx)?
            .names
            .load_one(self.unit.id)
            .await?
            .unwrap_or_default();
        Ok(names.iter().map(LocalizedName::from).collect())
    }

    /// The unit it belongs to on the date; empty at the top of the tree.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.revision(ctx).await?.and_then(|r| r.parent_id) {
            Some(parent) => OrgUnit::load(ctx, parent, self.as_of).await,
            None => Ok(None),
        }
    }

    /// How far down the tree it is on the date: 0 at the top.
    async fn depth(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        Ok(self.ancestor_ids(ctx).await?.len() as i32)
    }

    /// The units above it on the date, nearest first.
    async fn ancestors(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrgUnit>> {
        let ids = self.ancestor_ids(ctx).await?;
        self.units(ctx, &ids).await
    }

    /// The units directly under it on the date, in tree order.
    async fn children(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrgUnit>> {
        let tree = self.tree(ctx).await?;
        let ids = tree
            .children_of
            .get(&self.unit.id)
            .cloned()
            .unwrap_or_default();
        let children = self.units(ctx, &ids).await?;
        Ok(children
            .into_iter()
            .filter(|child| child.unit.exists_on(self.as_of))
            .collect())
    }

    /// People who are members of the unit on the date (optionally with its subunits).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also members of every unit under this one.", default)]
        include_subunits: bool,
        #[graphql(desc = "At most this many people from the start (0–100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many people from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<PersonConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        if !include_subunits {
            // Checked here, so one bad argument fails this field rather than the whole batch.
            page.window(0)?;
            let key = MembersKey {
                unit: self.unit.id,
                as_of: self.as_of,
                page,
            };
            let members = loaders(ctx)?
                .members
                .load_one(key)
                .await?
                .ok_or_else(|| ApiError::internal("members loader returned no page"))?;
            let nodes = members
                .people
                .iter()
                .map(|p| Person::new(Arc::new(p.clone()), self.as_of))
                .collect();
            return Ok(PersonConnection::new(members.window, members.total, nodes));
        }
        let units =
            queries::unit_and_descendants(db(ctx)?.reader(), self.unit.id, self.as_of).await?;
        let query = PersonFilter {
            as_of: self.as_of,
            search: None,
            units: Some(units),
            grade_categories: Vec::new(),
            active: None,
            flag: None,
            order: PersonOrder::Name,
            descending: false,
        };
        people_page(ctx, &query, &page).await
    }

    /// Incremented by every change; send it back with an update to detect conflicting edits.
    async fn version(&self) -> i32 {
        self.unit.version
    }
}

/// A member of staff, seen as of a date.
#[derive(Clone)]
pub struct Person {
    person: Arc<person::Model>,
    as_of: Date,
}

impl Person {
    pub fn new(person: Arc<person::Model>, as_of: Date) -> Self {
        Person { person, as_of }
    }

    pub async fn load(ctx: &Context<'_>, id: i32, as_of: Date) -> ApiResult<Option<Person>> {
        let person = loaders(ctx)?.person.load_one(id).await?;
        Ok(person.map(|person| Person::new(person, as_of)))
    }

    async fn all_memberships(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Arc<Vec<person_membership::Model>>> {
        Ok(loaders(ctx)?
            .memberships
            .load_one(self.person.id)
            .await?
            .unwrap_or_default())
    }

    async fn all_flags(&self, ctx: &Context<'_>) -> ApiResult<Arc<Vec<person_flag::Model>>> {
        Ok(loaders(ctx)?
            .flags
            .load_one(self.person.id)
            .await?
            .unwrap_or_default())
    }
}

/// A grade such as P-4.
#[derive(SimpleObject)]
#[graphql(name = "Grade")]
pub struct GradeInfo {
    /// The grade as written, e.g. `P-4`, `D-1`, `ASG`.
    code: String,
    /// Its category.
    category: GradeCategory,
    /// Its level within the category; empty for ASG and USG.
    level: Option<i32>,
}

/// A member of staff, seen as of a date.
#[Object]
impl Person {
    /// Opaque global identifier; use it with `node(id:)`.
    pub async fn id(&self) -> ID {
        global_id(PERSON_TYPE, self.person.id)
    }

    /// Full name, as the person writes it.
    async fn name(&self) -> &str {
        &self.person.name
    }

    /// Work e-mail address.
    async fn email(&self) -> Option<&str> {
        self.person.email.as_deref()
    }

    /// Grade (P, D or G category and level; ASG, USG).
    async fn grade(&self) -> Option<GradeInfo> {
        let grade = Grade::parse(self.person.grade.as_deref()?).ok()?;
        Some(GradeInfo {
            code: grade.code(),
            category: grade.category,
            level: grade.level.map(i32::from),
        })
    }

    /// Whether the person currently works for the organisation.
    async fn active(&self) -> bool {
        self.person.active
    }

    /// The date memberships and flags are read as of.
    async fn as_of(&self) -> DateScalar {
        self.as_of.into()
    }

    /// Posts held on the date.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let all = self.all_memberships(ctx).await?;
        Ok(all
            .iter()
            .filter(|m| in_effect(m.valid_from, m.valid_to, self.as_of))
            .map(|m| Membership::new(m.clone(), self.as_of))
            .collect())
    }

    /// Every post held, past and present, oldest first.
    async fn membership_history(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let all = self.all_memberships(ctx).await?;
        Ok(all
            .iter()
            .map(|m| Membership::new(m.clone(), self.as_of))
            .collect())
    }

    /// The person's user account, if they have one: visible to administrators, auditors and
    /// the person.
    async fn account(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let me = caller(ctx)?.signed_in()?;
        if me.person_id != self.person.id {
            authorize(ctx, Operation::ReadAccounts, Subject::Organisation).await?;
        }
        let loaders = ctx
            .data::<AccessLoaders>()
            .map_err(|_| ApiError::internal("access loaders missing from the request"))?;
        Ok(loaders
            .account_of_person
            .load_one(self.person.id)
            .await?
            .map(Account))
    }

    /// Flags in effect on the date (e.g. change agent).
    async fn flags(&self, ctx: &Context<'_>) -> ApiResult<Vec<PersonFlag>> {
        let all = self.all_flags(ctx).await?;
        Ok(all
            .iter()
            .filter(|f| in_effect(f.since, f.until, self.as_of))
            .filter_map(PersonFlag::from_row)
            .collect())
    }

    /// Every flag, past and present.
    async fn flag_history(&self, ctx: &Context<'_>) -> ApiResult<Vec<PersonFlag>> {
        Ok(self
            .all_flags(ctx)
            .await?
            .iter()
            .filter_map(PersonFlag::from_row)
            .collect())
    }

    /// Incremented by every change; send it back with an update to detect conflicting edits.
    async fn version(&self) -> i32 {
        self.person.version
    }
}

/// A post a person holds in an org unit for a period.
#[derive(Clone)]
pub struct Membership {
    row: person_membership::Model,
    as_of: Date,
}

impl Membership {
    fn new(row: person_membership::Model, as_of: Date) -> Self {
        Membership { row, as_of }
    }
}

/// A post a person holds in an org unit for a period.
#[Object]
impl Membership {
    /// The unit (seen as of the same date as the person).
    async fn org_unit(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        OrgUnit::load(ctx, self.row.org_unit_id, self.as_of).await
    }

    /// The post's title, e.g. "Executive Director" or "Chief of Staff".
    async fn title(&self) -> &str {
        &self.row.title
    }

    /// Whether the person heads the unit in this post.
    async fn is_head(&self) -> bool {
        self.row.is_head
    }

    /// Whether the post is held ad interim (a.i.).
    async fn acting(&self) -> bool {
        self.row.acting
    }

    /// The first day in the post.
    async fn valid_from(&self) -> DateScalar {
        self.row.valid_from.into()
    }

    /// The first day no longer in the post; empty while in it.
    async fn valid_to(&self) -> Option<DateScalar> {
        self.row.valid_to.map(Into::into)
    }
}

/// Something noted about a person for a period.
#[derive(SimpleObject)]
pub struct PersonFlag {
    /// What is noted.
    kind: PersonFlagKind,
    /// Since when.
    since: DateScalar,
    /// Until when (the first day it no longer holds); empty while it holds.
    until: Option<DateScalar>,
    /// A remark.
    note: Option<String>,
}

impl PersonFlag {
    fn from_row(row: &person_flag::Model) -> Option<Self> {
        Some(PersonFlag {
            kind: PersonFlagKind::from_code(&row.flag)?,
            since: row.since.into(),
            until: row.until.map(Into::into),
            note: row.note.clone(),
        })
    }
}
