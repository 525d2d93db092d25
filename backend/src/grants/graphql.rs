//! Grants and donors in the API: the grant lists, one grant, donors.

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;
use steward_shared::access::Operation;
use steward_shared::grants::{ClosureState, DUE_SOON_DAYS, GrantStatus};

use super::{donor, grant};
use crate::access::permissions::{Subject, authorize};
use crate::audit::audit_record;
use crate::audit::graphql::AuditEntry;
use crate::db::Db;
use crate::graphql::loaders::{by_id_loader, loader};
use crate::graphql::relay::{
    Connection, GrantConnection, PageArgs, fetch_page, global_id, parse_global_id_of,
};
use crate::graphql::scalars::Date;
use crate::graphql::{ApiError, ApiResult, db};
use crate::organisation::graphql::{OrgUnit, Person, today};
use crate::organisation::queries::{contains_pattern, lower_like};

pub const GRANT_TYPE: &str = "Grant";
pub const DONOR_TYPE: &str = "Donor";

by_id_loader!(DonorById, donor);

/// The audit records of grants, newest first, grouped by grant.
pub struct HistoryOfGrant(pub Db);

impl Loader<i32> for HistoryOfGrant {
    type Value = Arc<Vec<audit_record::Model>>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = audit_record::Entity::find()
            .filter(audit_record::Column::Entity.eq(GRANT_TYPE))
            .filter(audit_record::Column::RecordId.is_in(keys.iter().map(i32::to_string)))
            .order_by_desc(audit_record::Column::Id)
            .all(self.0.reader())
            .await?;
        let mut grouped: HashMap<i32, Vec<audit_record::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Ok(id) = row.record_id.parse::<i32>() {
                grouped.entry(id).or_default().push(row);
            }
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

pub struct GrantsLoaders {
    pub donor: DataLoader<DonorById>,
    pub history: DataLoader<HistoryOfGrant>,
}

impl GrantsLoaders {
    pub fn new(db: &Db) -> Self {
        GrantsLoaders {
            donor: loader(DonorById(db.clone())),
            history: loader(HistoryOfGrant(db.clone())),
        }
    }
}

fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a GrantsLoaders> {
    ctx.data::<GrantsLoaders>()
        .map_err(|_| ApiError::internal("grant loaders missing from the request"))
}

/// Who funds grants.
#[derive(Clone)]
pub struct Donor(pub Arc<donor::Model>);

impl Donor {
    pub async fn load(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Donor>> {
        Ok(loaders(ctx)?.donor.load_one(id).await?.map(Donor))
    }
}

/// Who funds grants: a member state, a fund, a foundation, a city.
#[Object]
impl Donor {
    /// Opaque global identifier; use it with `node(id:)` and in grant filters.
    pub async fn id(&self) -> ID {
        global_id(DONOR_TYPE, self.0.id)
    }
    /// The code the ERP uses for the donor.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The donor's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A grant: money from a donor, and where it stands in its financial closure.
#[derive(Clone)]
pub struct Grant(pub Arc<grant::Model>);

impl Grant {
    pub async fn load(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Grant>> {
        let found = grant::Entity::find_by_id(id).one(db(ctx)?.reader()).await?;
        Ok(found.map(|g| Grant(Arc::new(g))))
    }
}

/// A grant: money from a donor for a project, and where it stands in its financial closure.
#[Object]
impl Grant {
    /// Opaque global identifier; use it with `node(id:)`.
    pub async fn id(&self) -> ID {
        global_id(GRANT_TYPE, self.0.id)
    }
    /// The grant number (unique; the ERP's key).
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// What the grant funds.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Who funds it.
    async fn donor(&self, ctx: &Context<'_>) -> ApiResult<Option<Donor>> {
        Donor::load(ctx, self.0.donor_id).await
    }
    /// The amount agreed, as exact decimal text (e.g. `1250000.00`), in `currency`.
    async fn amount(&self) -> &str {
        &self.0.amount
    }
    /// ISO 4217 currency code, e.g. `USD`.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The agreement's first day.
    async fn agreement_start(&self) -> Date {
        self.0.agreement_start.into()
    }
    /// The agreement's last day.
    async fn agreement_end(&self) -> Date {
        self.0.agreement_end.into()
    }
    /// When field activities were completed; empty while they go on.
    async fn activities_completed_on(&self) -> Option<Date> {
        self.0.activities_completed_on.map(Into::into)
    }
    /// The closure deadline agreed with the donor, if any.
    async fn donor_deadline(&self) -> Option<Date> {
        self.0.donor_deadline.map(Into::into)
    }
    /// When the grant was operationally closed (and submitted for financial closure).
    async fn operationally_closed_on(&self) -> Option<Date> {
        self.0.operationally_closed_on.map(Into::into)
    }
    /// When the grant was financially closed.
    async fn financially_closed_on(&self) -> Option<Date> {
        self.0.financially_closed_on.map(Into::into)
    }
    /// The closure deadline: six months after activities were completed, or the donor's
    /// deadline if earlier; empty while neither is known.
    async fn closure_due_on(&self) -> Option<Date> {
        self.0.closure_due_on.map(Into::into)
    }
    /// The due-year cohort the grant counts in (the year of its closure deadline).
    async fn due_year(&self) -> Option<i32> {
        self.0.due_year
    }
    /// Where the grant stands against its deadline on a day (default: today).
    async fn closure_state(
        &self,
        #[graphql(desc = "The day to judge on (default: today).")] as_of: Option<Date>,
    ) -> ClosureState {
        self.0
            .closure_dates()
            .state(as_of.map_or_else(today, Into::into))
    }
    /// Days past the deadline: until the day asked (default: today) while open, until the
    /// closure once closed; 0 when not late.
    async fn days_overdue(
        &self,
        #[graphql(desc = "The day to count to (default: today).")] as_of: Option<Date>,
    ) -> i64 {
        self.0
            .closure_dates()
            .days_overdue(as_of.map_or_else(today, Into::into))
    }
    /// The recorded status.
    async fn status(&self) -> GrantStatus {
        self.0.status()
    }
    /// The officer responsible for the grant.
    async fn officer(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        match self.0.officer_person_id {
            Some(id) => Person::load(ctx, id, today()).await,
            None => Ok(None),
        }
    }
    /// The unit that manages the grant.
    async fn org_unit(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        OrgUnit::load(ctx, self.0.org_unit_id, today()).await
    }
    /// The division the managing unit belongs to.
    async fn division(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.0.division_id {
            Some(id) => OrgUnit::load(ctx, id, today()).await,
            None => Ok(None),
        }
    }
    /// The regional office the managing unit belongs to (empty for headquarters units).
    async fn region(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.0.region_id {
            Some(id) => OrgUnit::load(ctx, id, today()).await,
            None => Ok(None),
        }
    }
    /// Incremented by every change; send it back with a change to detect conflicting edits.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What happened to the grant, newest first: each change with who made it, when, and why
    /// (from the audit trail; reading the grant is enough to read its own history).
    async fn history(&self, ctx: &Context<'_>) -> ApiResult<Vec<AuditEntry>> {
        let rows = loaders(ctx)?
            .history
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.iter().cloned().map(AuditEntry::from_model).collect())
    }
}

/// What grant lists can be narrowed to; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct GrantFilter {
    /// Part of the grant number or title (any case).
    pub(crate) search: Option<String>,
    /// Only grants in these closure states (judged today).
    pub(crate) states: Option<Vec<ClosureState>>,
    /// Only grants with these recorded statuses.
    pub(crate) statuses: Option<Vec<GrantStatus>>,
    /// Only the due-year cohorts from this year on.
    pub(crate) from_year: Option<i32>,
    /// Only the due-year cohorts up to this year.
    pub(crate) to_year: Option<i32>,
    /// Only grants of these donors (global ids).
    pub(crate) donors: Option<Vec<ID>>,
    /// Only grants of these divisions (org unit global ids).
    pub(crate) divisions: Option<Vec<ID>>,
    /// Only grants managed under these regional offices (org unit global ids).
    pub(crate) regions: Option<Vec<ID>>,
    /// Only grants this person is responsible for (person global id).
    pub(crate) officer: Option<ID>,
    /// Only open grants past their deadline (true), or only the others (false).
    pub(crate) overdue: Option<bool>,
    /// Only open grants whose deadline falls within this many days from today (the finance
    /// officer's worklist uses 30), overdue ones included.
    pub(crate) due_within_days: Option<i32>,
}

/// What grant lists can be ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum GrantOrderField {
    /// By closure deadline, earliest first (grants without one last).
    #[default]
    ClosureDueOn,
    /// By grant number.
    Number,
    /// By the day field activities were completed.
    ActivitiesCompletedOn,
    /// By the day of financial closure.
    FinanciallyClosedOn,
}

/// How to order a grant list.
#[derive(InputObject, Default)]
pub struct GrantOrder {
    /// The field.
    #[graphql(default)]
    field: GrantOrderField,
    /// Largest (latest) first when true.
    #[graphql(default)]
    descending: bool,
}

fn ids_of(ids: Option<Vec<ID>>, type_name: &str) -> ApiResult<Option<Vec<i32>>> {
    ids.map(|ids| {
        ids.iter()
            .map(|id| parse_global_id_of(id, type_name))
            .collect()
    })
    .transpose()
}

/// The SQL condition a filter stands for, judged on `today`.
pub fn condition(filter: GrantFilter, today: NaiveDate) -> ApiResult<Condition> {
    use crate::organisation::graphql::{ORG_UNIT_TYPE, PERSON_TYPE};
    use grant::Column as C;
    let mut all = Condition::all();
    if let Some(pattern) = contains_pattern(filter.search.as_deref()) {
        all = all.add(
            Condition::any()
                .add(lower_like(C::Number, &pattern))
                .add(lower_like(C::Title, &pattern)),
        );
    }
    if let Some(statuses) = filter.statuses {
        all = all.add(C::Status.is_in(statuses.iter().map(|s| s.code())));
    }
    if let Some(from) = filter.from_year {
        all = all.add(C::DueYear.gte(from));
    }
    if let Some(to) = filter.to_year {
        all = all.add(C::DueYear.lte(to));
    }
    if let Some(donors) = ids_of(filter.donors, DONOR_TYPE)? {
        all = all.add(C::DonorId.is_in(donors));
    }
    if let Some(divisions) = ids_of(filter.divisions, ORG_UNIT_TYPE)? {
        all = all.add(C::DivisionId.is_in(divisions));
    }
    if let Some(regions) = ids_of(filter.regions, ORG_UNIT_TYPE)? {
        all = all.add(C::RegionId.is_in(regions));
    }
    if let Some(officer) = filter.officer {
        all = all.add(C::OfficerPersonId.eq(parse_global_id_of(&officer, PERSON_TYPE)?));
    }
    let open = Condition::all().add(grant::open());
    match filter.overdue {
        Some(true) => all = all.add(open.clone().add(C::ClosureDueOn.lt(today))),
        Some(false) => {
            all = all.add(
                Condition::any()
                    .add(open.clone().not())
                    .add(C::ClosureDueOn.is_null())
                    .add(C::ClosureDueOn.gte(today)),
            )
        }
        None => {}
    }
    if let Some(days) = filter.due_within_days {
        if !(0..=3660).contains(&days) {
            return Err(ApiError::validation(
                "dueWithinDays",
                format!("Give a number of days from 0 to 3660, not {days}."),
            ));
        }
        let until = today + chrono::Duration::days(i64::from(days));
        all = all.add(open.clone().add(C::ClosureDueOn.lte(until)));
    }
    if let Some(states) = filter.states {
        let mut any = Condition::any();
        for state in states {
            any = any.add(state_condition(state, today));
        }
        all = all.add(any);
    }
    Ok(all)
}

/// The grants in `state` on `today`, as SQL (the same rule as `ClosureDates::state`).
fn state_condition(state: ClosureState, today: NaiveDate) -> Condition {
    use grant::Column as C;
    let not_cancelled = C::Status.ne(GrantStatus::Cancelled.code());
    let open = Condition::all().add(grant::open());
    let closed = Condition::all()
        .add(not_cancelled)
        .add(C::FinanciallyClosedOn.is_not_null());
    match state {
        ClosureState::Cancelled => {
            Condition::all().add(C::Status.eq(GrantStatus::Cancelled.code()))
        }
        ClosureState::Overdue => open.add(C::ClosureDueOn.lt(today)),
        ClosureState::Due => open
            .add(C::ClosureDueOn.gte(today))
            .add(C::ActivitiesCompletedOn.is_not_null()),
        ClosureState::NotYetDue => open.add(
            Condition::any().add(C::ClosureDueOn.is_null()).add(
                Condition::all()
                    .add(C::ClosureDueOn.gte(today))
                    .add(C::ActivitiesCompletedOn.is_null()),
            ),
        ),
        ClosureState::ClosedOnTime => closed.add(
            Condition::any()
                .add(C::ClosureDueOn.is_null())
                .add(Expr::col(C::FinanciallyClosedOn).lte(Expr::col(C::ClosureDueOn))),
        ),
        ClosureState::ClosedLate => {
            closed.add(Expr::col(C::FinanciallyClosedOn).gt(Expr::col(C::ClosureDueOn)))
        }
    }
}

fn ordered(select: Select<grant::Entity>, order: GrantOrder) -> Select<grant::Entity> {
    use grant::Column as C;
    let column = match order.field {
        GrantOrderField::ClosureDueOn => C::ClosureDueOn,
        GrantOrderField::Number => C::Number,
        GrantOrderField::ActivitiesCompletedOn => C::ActivitiesCompletedOn,
        GrantOrderField::FinanciallyClosedOn => C::FinanciallyClosedOn,
    };
    let select = if order.descending {
        select.order_by_desc(column)
    } else {
        select.order_by_asc(column)
    };
    // The id breaks ties, so pages never overlap.
    select.order_by_asc(C::Id)
}

#[derive(Default)]
pub struct GrantsQuery;

#[Object]
impl GrantsQuery {
    /// Grants, filtered and ordered, a page at a time.
    #[graphql(
        complexity = "crate::organisation::graphql::page_complexity(first, last, child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn grants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which grants.")] filter: Option<GrantFilter>,
        #[graphql(desc = "In which order (default: by closure deadline).")] order_by: Option<
            GrantOrder,
        >,
        #[graphql(desc = "At most this many from the start (0–100, default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Only those after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "Only those before this cursor.")] before: Option<String>,
    ) -> ApiResult<GrantConnection> {
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        let condition = condition(filter.unwrap_or_default(), today())?;
        let select = ordered(
            grant::Entity::find().filter(condition),
            order_by.unwrap_or_default(),
        );
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (window, total, rows) = fetch_page(db(ctx)?.reader(), select, &page).await?;
        let items = rows.into_iter().map(|g| Grant(Arc::new(g))).collect();
        Ok(GrantConnection::new(window, total, items))
    }

    /// One grant by its number; empty if there is none.
    async fn grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant number.")] number: String,
    ) -> ApiResult<Option<Grant>> {
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        let found = grant::Entity::find()
            .filter(grant::Column::Number.eq(number.trim()))
            .one(db(ctx)?.reader())
            .await?;
        Ok(found.map(|g| Grant(Arc::new(g))))
    }

    /// Every donor, by name.
    async fn donors(&self, ctx: &Context<'_>) -> ApiResult<Vec<Donor>> {
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        let rows = donor::Entity::find()
            .order_by_asc(donor::Column::Name)
            .all(db(ctx)?.reader())
            .await?;
        Ok(rows.into_iter().map(|d| Donor(Arc::new(d))).collect())
    }

    /// How many days ahead the finance officer's worklist looks.
    async fn grant_due_soon_days(&self) -> i64 {
        DUE_SOON_DAYS
    }
}
