//! Closure analytics, computed in SQL. Closure rates for any combination of cohort, division,
//! region and donor come from the closure tally (a few thousand rows however many grants there
//! are); the backlog's ageing and closures per month depend on the day and read the grants
//! through their indexes. Each answer is one statement.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, FromQueryResult};
use steward_shared::access::Operation;
use steward_shared::grants::AgeingBand;

use super::grant;
use super::graphql::{DONOR_TYPE, Donor};
use crate::access::permissions::{Subject, authorize};
use crate::graphql::relay::{global_id, parse_global_id_of};
use crate::graphql::scalars::Date;
use crate::graphql::{ApiError, ApiResult, db};
use crate::organisation::graphql::{ORG_UNIT_TYPE, OrgUnit, today};

/// What closure rates are grouped by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ClosureDimension {
    /// The due-year cohort.
    DueYear,
    /// The division managing the grant.
    Division,
    /// The donor.
    Donor,
    /// The regional office managing the grant (none for headquarters).
    Region,
}

impl ClosureDimension {
    fn column(self) -> &'static str {
        match self {
            ClosureDimension::DueYear => "due_year",
            ClosureDimension::Division => "division_id",
            ClosureDimension::Donor => "donor_id",
            ClosureDimension::Region => "region_id",
        }
    }
}

/// Which grants closure analytics count; all given conditions must hold.
#[derive(InputObject, Default, Clone)]
pub struct ClosureFilter {
    /// Only the due-year cohorts from this year on.
    pub from_year: Option<i32>,
    /// Only the due-year cohorts up to this year.
    pub to_year: Option<i32>,
    /// Only these divisions (org unit global ids).
    pub divisions: Option<Vec<ID>>,
    /// Only these donors (global ids).
    pub donors: Option<Vec<ID>>,
    /// Only these regional offices (org unit global ids).
    pub regions: Option<Vec<ID>>,
}

/// A filter with its ids read: what the SQL needs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cohorts {
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub divisions: Option<Vec<i32>>,
    pub donors: Option<Vec<i32>>,
    pub regions: Option<Vec<i32>>,
}

fn ids(ids: &Option<Vec<ID>>, type_name: &str) -> ApiResult<Option<Vec<i32>>> {
    ids.as_ref()
        .map(|ids| {
            ids.iter()
                .map(|id| parse_global_id_of(id, type_name))
                .collect()
        })
        .transpose()
}

impl ClosureFilter {
    pub fn cohorts(&self) -> ApiResult<Cohorts> {
        if let (Some(from), Some(to)) = (self.from_year, self.to_year)
            && from > to
        {
            return Err(ApiError::validation(
                "toYear",
                format!("The last year ({to}) comes before the first ({from})."),
            ));
        }
        Ok(Cohorts {
            from_year: self.from_year,
            to_year: self.to_year,
            divisions: ids(&self.divisions, ORG_UNIT_TYPE)?,
            donors: ids(&self.donors, DONOR_TYPE)?,
            regions: ids(&self.regions, ORG_UNIT_TYPE)?,
        })
    }
}

impl Cohorts {
    /// The filter as SQL over columns named as in both the grant and the tally tables.
    /// `none` is how "no division/region" is stored: 0 in the tally, NULL on a grant.
    fn condition(&self, table: &str) -> Cond {
        let col = |name: &str| Expr::col((Alias::new(table), Alias::new(name)));
        let mut all = Cond::all();
        // On the grants the cohort years are read as a range of deadlines, which the indexes
        // on `closure_due_on` serve (the year is the deadline's year); on the tally, the year.
        let first_day = |year: i32| NaiveDate::from_ymd_opt(year, 1, 1);
        match (table, self.from_year.map(|y| (y, first_day(y)))) {
            ("grant", Some((_, Some(day)))) => all = all.add(col("closure_due_on").gte(day)),
            (_, Some((year, _))) => all = all.add(col("due_year").gte(year)),
            (_, None) => {}
        }
        match (
            table,
            self.to_year.map(|y| (y, first_day(y.saturating_add(1)))),
        ) {
            ("grant", Some((_, Some(day)))) => all = all.add(col("closure_due_on").lt(day)),
            (_, Some((year, _))) => all = all.add(col("due_year").lte(year)),
            (_, None) => {}
        }
        for (name, values) in [
            ("division_id", &self.divisions),
            ("donor_id", &self.donors),
            ("region_id", &self.regions),
        ] {
            if let Some(values) = values {
                all = all.add(col(name).is_in(values.iter().copied()));
            }
        }
        all
    }
}

#[derive(Debug, FromQueryResult)]
struct RateRow {
    key: Option<i32>,
    open: i64,
    on_time: i64,
    late: i64,
}

/// Closure figures for one group of grants (or for all of them).
#[derive(SimpleObject, Debug, Clone, PartialEq, Default)]
#[graphql(complex)]
pub struct ClosureRate {
    /// The cohort year, when grouped by due year.
    pub due_year: Option<i32>,
    #[graphql(skip)]
    pub division_id: Option<i32>,
    #[graphql(skip)]
    pub donor_id: Option<i32>,
    #[graphql(skip)]
    pub region_id: Option<i32>,
    /// Grants due for closure in the group (closed or not).
    pub due: i64,
    /// Of those, financially closed.
    pub closed: i64,
    /// Of the closed, closed by their deadline.
    pub closed_on_time: i64,
    /// Of the closed, closed after their deadline.
    pub closed_late: i64,
    /// Not yet financially closed.
    pub open: i64,
    /// `closed / due` (0 when nothing is due), e.g. 0.788 for 78.8 %.
    pub rate: f64,
}

#[ComplexObject]
impl ClosureRate {
    /// The division, when grouped by division (empty for grants without one).
    async fn division(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.division_id {
            Some(id) => OrgUnit::load(ctx, id, today()).await,
            None => Ok(None),
        }
    }
    /// The donor, when grouped by donor.
    async fn donor(&self, ctx: &Context<'_>) -> ApiResult<Option<Donor>> {
        match self.donor_id {
            Some(id) => Donor::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The regional office, when grouped by region (empty for headquarters).
    async fn region(&self, ctx: &Context<'_>) -> ApiResult<Option<OrgUnit>> {
        match self.region_id {
            Some(id) => OrgUnit::load(ctx, id, today()).await,
            None => Ok(None),
        }
    }
    /// The group's name as people read it: the year, the unit's code or the donor's code
    /// (empty for "none").
    async fn label(&self, ctx: &Context<'_>) -> ApiResult<String> {
        if let Some(year) = self.due_year {
            return Ok(year.to_string());
        }
        if let Some(id) = self.division_id.or(self.region_id) {
            return Ok(OrgUnit::load(ctx, id, today())
                .await?
                .map(|unit| unit.unit_code().to_owned())
                .unwrap_or_default());
        }
        if let Some(id) = self.donor_id {
            return Ok(Donor::load(ctx, id)
                .await?
                .map(|donor| donor.0.code.clone())
                .unwrap_or_default());
        }
        Ok(String::new())
    }
    /// The group's key as text: the year or the global id (empty for "none"), handy for
    /// charts and drill-down filters.
    async fn key(&self) -> Option<String> {
        if let Some(year) = self.due_year {
            return Some(year.to_string());
        }
        self.division_id
            .or(self.region_id)
            .map(|id| global_id(ORG_UNIT_TYPE, id).to_string())
            .or_else(|| {
                self.donor_id
                    .map(|id| global_id(DONOR_TYPE, id).to_string())
            })
    }
}

impl ClosureRate {
    fn new(by: Option<ClosureDimension>, row: RateRow) -> ClosureRate {
        let closed = row.on_time + row.late;
        let due = closed + row.open;
        // 0 stands for "none" in the tally's division and region columns.
        let key = row
            .key
            .filter(|k| *k != 0 || by == Some(ClosureDimension::DueYear));
        ClosureRate {
            due_year: key.filter(|_| by == Some(ClosureDimension::DueYear)),
            division_id: key.filter(|_| by == Some(ClosureDimension::Division)),
            donor_id: key.filter(|_| by == Some(ClosureDimension::Donor)),
            region_id: key.filter(|_| by == Some(ClosureDimension::Region)),
            due,
            closed,
            closed_on_time: row.on_time,
            closed_late: row.late,
            open: row.open,
            rate: if due == 0 {
                0.0
            } else {
                closed as f64 / due as f64
            },
        }
    }
}

fn sum_of(column: &str) -> SimpleExpr {
    Expr::cust(format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

/// The statement behind closure rates: from the tally, grouped by `by` (or one total row).
pub fn rates_statement(by: Option<ClosureDimension>, cohorts: &Cohorts) -> SelectStatement {
    let mut select = Query::select();
    match by {
        Some(by) => {
            select
                .expr_as(Expr::col(Alias::new(by.column())), Alias::new("key"))
                .group_by_col(Alias::new(by.column()))
                .order_by(Alias::new(by.column()), Order::Asc);
        }
        None => {
            select.expr_as(Expr::cust("CAST(NULL AS INTEGER)"), Alias::new("key"));
        }
    }
    select
        .expr_as(sum_of("open_grants"), Alias::new("open"))
        .expr_as(sum_of("on_time_grants"), Alias::new("on_time"))
        .expr_as(sum_of("late_grants"), Alias::new("late"))
        .from(Alias::new("grant_closure_tally"))
        .cond_where(cohorts.condition("grant_closure_tally"));
    select.to_owned()
}

pub async fn closure_rates(
    conn: &impl ConnectionTrait,
    by: Option<ClosureDimension>,
    cohorts: &Cohorts,
) -> ApiResult<Vec<ClosureRate>> {
    let statement = conn
        .get_database_backend()
        .build(&rates_statement(by, cohorts));
    let rows = RateRow::find_by_statement(statement).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| ClosureRate::new(by, row))
        .filter(|rate| by.is_none() || rate.due > 0)
        .collect())
}

/// Open grants past their deadline in one ageing band.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct AgeingCount {
    /// How long past the deadline.
    pub band: AgeingBand,
    /// How many open grants.
    pub grants: i64,
}

#[derive(Debug, FromQueryResult)]
struct BandRow {
    band: String,
    grants: i64,
}

fn band_code(band: AgeingBand) -> &'static str {
    match band {
        AgeingBand::UpToSixMonths => "0-6",
        AgeingBand::SixToTwelveMonths => "6-12",
        AgeingBand::TwelveToTwentyFourMonths => "12-24",
        AgeingBand::OverTwentyFourMonths => "24+",
    }
}

fn open_grants(cohorts: &Cohorts) -> Cond {
    Cond::all()
        .add(grant::open())
        .add(cohorts.condition("grant"))
}

/// The statement behind the backlog's ageing on `today`: one pass over the open grants past
/// their deadline, each placed in its band by the same date limits as `AgeingBand::of`.
pub fn backlog_statement(cohorts: &Cohorts, today: NaiveDate) -> SelectStatement {
    let due = || Expr::col((Alias::new("grant"), Alias::new("closure_due_on")));
    let mut case = Expr::case(Expr::val(false), "");
    for band in AgeingBand::ALL {
        if let (Some(from), _) = band.due_range(today) {
            case = case.case(due().gte(from), band_code(band));
        }
    }
    let case = case.finally(band_code(AgeingBand::OverTwentyFourMonths));
    Query::select()
        .expr_as(case, Alias::new("band"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("grants"))
        .from(Alias::new("grant"))
        .cond_where(open_grants(cohorts).add(due().lt(today)))
        .add_group_by([Expr::cust("1")])
        .to_owned()
}

pub async fn backlog(
    conn: &impl ConnectionTrait,
    cohorts: &Cohorts,
    today: NaiveDate,
) -> ApiResult<Vec<AgeingCount>> {
    let statement = conn
        .get_database_backend()
        .build(&backlog_statement(cohorts, today));
    let rows = BandRow::find_by_statement(statement).all(conn).await?;
    Ok(AgeingBand::ALL
        .into_iter()
        .map(|band| AgeingCount {
            band,
            grants: rows
                .iter()
                .find(|row| row.band == band_code(band))
                .map_or(0, |row| row.grants),
        })
        .collect())
}

/// Grants financially closed in one month.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct MonthlyClosures {
    /// The month, as `YYYY-MM`.
    pub month: String,
    /// How many grants were financially closed in it.
    pub closed: i64,
}

#[derive(Debug, FromQueryResult)]
struct MonthRow {
    month: String,
    closed: i64,
}

/// The statement behind closures per month between two days (inclusive).
pub fn monthly_statement(
    backend: sea_orm::DbBackend,
    cohorts: &Cohorts,
    from: NaiveDate,
    to: NaiveDate,
) -> SelectStatement {
    let closed_on = || Expr::col((Alias::new("grant"), Alias::new("financially_closed_on")));
    // Dates are ISO text on SQLite and `date` on PostgreSQL.
    let month = match backend {
        sea_orm::DbBackend::Postgres => {
            Expr::cust("to_char(\"grant\".\"financially_closed_on\", 'YYYY-MM')")
        }
        _ => Expr::cust("substr(\"grant\".\"financially_closed_on\", 1, 7)"),
    };
    Query::select()
        .expr_as(month, Alias::new("month"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("closed"))
        .from(Alias::new("grant"))
        .cond_where(
            Cond::all()
                .add(closed_on().gte(from))
                .add(closed_on().lte(to))
                .add(cohorts.condition("grant")),
        )
        .add_group_by([Expr::cust("1")])
        .order_by_expr(Expr::cust("1"), Order::Asc)
        .to_owned()
}

pub async fn monthly_closures(
    conn: &impl ConnectionTrait,
    cohorts: &Cohorts,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<MonthlyClosures>> {
    let backend = conn.get_database_backend();
    let statement = backend.build(&monthly_statement(backend, cohorts, from, to));
    let rows = MonthRow::find_by_statement(statement).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| MonthlyClosures {
            month: row.month,
            closed: row.closed,
        })
        .collect())
}

#[derive(Default)]
pub struct ClosureAnalyticsQuery;

#[Object]
impl ClosureAnalyticsQuery {
    /// Closure rates grouped by cohort, division, donor or region, for the grants the filter
    /// keeps; groups with nothing due are left out.
    async fn closure_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to group by.")] by: ClosureDimension,
        #[graphql(desc = "Which grants to count.")] filter: Option<ClosureFilter>,
    ) -> ApiResult<Vec<ClosureRate>> {
        let cohorts = filter.unwrap_or_default().cohorts()?;
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        closure_rates(db(ctx)?.reader(), Some(by), &cohorts).await
    }

    /// The closure rate of all the grants the filter keeps, e.g. cohorts 2012–2019: 1,346
    /// due, 1,061 closed.
    async fn closure_total(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which grants to count.")] filter: Option<ClosureFilter>,
    ) -> ApiResult<ClosureRate> {
        let cohorts = filter.unwrap_or_default().cohorts()?;
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        let mut rows = closure_rates(db(ctx)?.reader(), None, &cohorts).await?;
        Ok(rows.pop().unwrap_or_default())
    }

    /// The overdue backlog by how long past the deadline (0–6, 6–12, 12–24, over 24 months).
    async fn closure_backlog(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which grants to count.")] filter: Option<ClosureFilter>,
        #[graphql(desc = "The day to judge on (default: today).")] as_of: Option<Date>,
    ) -> ApiResult<Vec<AgeingCount>> {
        let cohorts = filter.unwrap_or_default().cohorts()?;
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        backlog(
            db(ctx)?.reader(),
            &cohorts,
            as_of.map_or_else(today, Into::into),
        )
        .await
    }

    /// Financial closures per month between two days (default: the last 24 months).
    async fn closures_per_month(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which grants to count.")] filter: Option<ClosureFilter>,
        #[graphql(desc = "First day (default: 24 months ago).")] from: Option<Date>,
        #[graphql(desc = "Last day (default: today).")] to: Option<Date>,
    ) -> ApiResult<Vec<MonthlyClosures>> {
        let cohorts = filter.unwrap_or_default().cohorts()?;
        let to: NaiveDate = to.map_or_else(today, Into::into);
        let from: NaiveDate = match from {
            Some(from) => from.into(),
            None => to.checked_sub_months(chrono::Months::new(24)).unwrap_or(to),
        };
        if from > to {
            return Err(ApiError::validation(
                "to",
                format!("The last day ({to}) comes before the first ({from})."),
            ));
        }
        authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
        monthly_closures(db(ctx)?.reader(), &cohorts, from, to).await
    }
}
