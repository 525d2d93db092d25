//! Demo grants from the report (paragraph 8): 1,346 grants due for closure in 2012–2019, of
//! which 1,061 are financially closed, spread over divisions, regions and donors; plus the
//! grants active in 2020–2021 with their deadlines. The same synthesiser makes any number of
//! grants for `steward generate --grants N`.
//!
//! Counts are exact by construction (the figures the report gives); names, amounts and days are
//! drawn from a seeded generator, so every load is the same.

use chrono::{Datelike, Months, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect, Set};
use steward_shared::grants::{GrantStatus, closure_due_on, due_year};
use steward_shared::organisation::OrgUnitKind;

use super::{donor, grant, tally};
use crate::organisation::loaders::Tree;
use crate::organisation::person;

/// Grants due for closure per cohort 2012–2019 (1,346 in all) and closed of them (1,061).
pub const COHORTS: [(i32, usize, usize); 8] = [
    (2012, 98, 93),
    (2013, 121, 112),
    (2014, 142, 127),
    (2015, 163, 139),
    (2016, 178, 144),
    (2017, 196, 150),
    (2018, 214, 153),
    (2019, 234, 143),
];

/// Grants active in 2020–2021.
pub const ACTIVE_2020_2021: usize = 240;

/// The day the report looks from: closures in the demo happened before it.
fn report_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 3, 31).unwrap_or_default()
}

pub const DONORS: [(&str, &str); 24] = [
    (
        "SIDA",
        "Swedish International Development Cooperation Agency",
    ),
    ("NOR-MFA", "Norway, Ministry of Foreign Affairs"),
    (
        "BMZ",
        "Germany, Federal Ministry for Economic Cooperation and Development",
    ),
    ("JPN", "Government of Japan"),
    ("EU", "European Union"),
    (
        "FCDO",
        "United Kingdom, Foreign, Commonwealth and Development Office",
    ),
    ("NLD", "Netherlands, Ministry of Foreign Affairs"),
    (
        "AECID",
        "Spanish Agency for International Development Cooperation",
    ),
    (
        "USAID",
        "United States Agency for International Development",
    ),
    ("KEN", "Government of Kenya"),
    ("CHN", "Government of China"),
    ("SDC", "Swiss Agency for Development and Cooperation"),
    ("UNDA", "United Nations Development Account"),
    ("CA", "Cities Alliance"),
    ("WB", "World Bank"),
    ("BMGF", "Bill & Melinda Gates Foundation"),
    ("KOR", "Republic of Korea"),
    ("BHR", "Kingdom of Bahrain"),
    ("SAU", "Kingdom of Saudi Arabia"),
    ("DNK", "Denmark, Ministry of Foreign Affairs"),
    ("CAN", "Global Affairs Canada"),
    ("AUS", "Australian Government"),
    ("ITA", "Italian Agency for Development Cooperation"),
    (
        "UNHSF",
        "United Nations Habitat and Human Settlements Foundation",
    ),
];

const THEMES: [&str; 12] = [
    "Urban planning and design",
    "Slum upgrading",
    "Land tenure security",
    "Urban basic services",
    "Housing policy",
    "Post-disaster reconstruction",
    "Urban resilience and climate action",
    "Water and sanitation",
    "Safer cities",
    "Urban mobility",
    "Municipal finance",
    "Urban data and monitoring",
];

const PLACES: [&str; 24] = [
    "Nairobi",
    "Mombasa",
    "Kampala",
    "Maputo",
    "Addis Ababa",
    "Lagos",
    "Cairo",
    "Amman",
    "Beirut",
    "Baghdad",
    "Erbil",
    "Kabul",
    "Dhaka",
    "Yangon",
    "Manila",
    "Fukuoka",
    "Hanoi",
    "Colombo",
    "Rio de Janeiro",
    "Bogotá",
    "Mexico City",
    "Port-au-Prince",
    "Quito",
    "Lima",
];

const CURRENCIES: [&str; 5] = ["USD", "USD", "USD", "EUR", "SEK"];

/// What synthetic grants are attached to: donors, managing units (with their division and
/// region), officers.
pub struct Setting {
    pub donors: Vec<i32>,
    /// (unit, division, region)
    pub units: Vec<(i32, Option<i32>, Option<i32>)>,
    pub officers: Vec<i32>,
}

impl Setting {
    pub async fn read(conn: &impl ConnectionTrait) -> Result<Setting, DbErr> {
        let donors = donor::Entity::find()
            .select_only()
            .column(donor::Column::Id)
            .into_tuple::<i32>()
            .all(conn)
            .await?;
        let tree = Tree::load(conn, Utc::now().date_naive()).await?;
        let mut units: Vec<(i32, Option<i32>, Option<i32>)> = tree
            .revision_of
            .values()
            .filter(|r| {
                r.valid_to.is_none()
                    && [
                        OrgUnitKind::CountryOffice,
                        OrgUnitKind::RegionalOffice,
                        OrgUnitKind::Branch,
                    ]
                    .iter()
                    .any(|kind| kind.code() == r.kind)
            })
            .map(|r| {
                let unit = r.org_unit_id;
                (
                    unit,
                    tree.nearest(unit, OrgUnitKind::Division),
                    tree.nearest(unit, OrgUnitKind::RegionalOffice),
                )
            })
            .collect();
        units.sort();
        let officers = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .into_tuple::<i32>()
            .all(conn)
            .await?;
        Ok(Setting {
            donors,
            units,
            officers,
        })
    }
}

/// Makes grants: each call to [`Synthesiser::grant`] one more, numbered in sequence.
pub struct Synthesiser<'a> {
    setting: &'a Setting,
    rng: StdRng,
    prefix: String,
    next: usize,
}

/// The life of one synthetic grant.
#[derive(Debug, Clone, Copy)]
pub enum Fate {
    /// Due in this year and financially closed (on time or late).
    ClosedIn(i32),
    /// Due in this year and still open.
    OpenIn(i32),
    /// Activities still under way, agreement ending around this year.
    Active(i32),
}

fn day_in(rng: &mut StdRng, year: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    start + chrono::Duration::days(rng.random_range(0..365))
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> Option<T> {
    if items.is_empty() {
        return None;
    }
    Some(items[rng.random_range(0..items.len())])
}

fn months_before(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months)).unwrap_or(day)
}

impl<'a> Synthesiser<'a> {
    pub fn new(setting: &'a Setting, seed: u64, prefix: &str) -> Self {
        Synthesiser {
            setting,
            rng: StdRng::seed_from_u64(seed),
            prefix: prefix.to_owned(),
            next: 1,
        }
    }

    /// Numbers the next grant `next` (after grants made by an earlier run).
    pub fn starting_at(mut self, next: usize) -> Self {
        self.next = next;
        self
    }

    /// One more grant with the given fate; `None` when there are no donors or units.
    pub fn grant(&mut self, fate: Fate, last_day: NaiveDate) -> Option<grant::ActiveModel> {
        let donor = pick(&mut self.rng, &self.setting.donors)?;
        let (unit, division, region) = pick(&mut self.rng, &self.setting.units)?;
        let officer = pick(&mut self.rng, &self.setting.officers);
        let number = format!("{}{:07}", self.prefix, self.next);
        self.next += 1;
        let theme = pick(&mut self.rng, &THEMES)?;
        let place = pick(&mut self.rng, &PLACES)?;
        let currency = pick(&mut self.rng, &CURRENCIES)?;
        let amount = format!("{}.00", self.rng.random_range(20u32..5_000) * 1_000);

        let parts = Parts {
            number,
            title: format!("{theme} in {place}"),
            donor,
            amount,
            currency,
            officer,
            unit,
            division,
            region,
        };
        Some(match fate {
            Fate::ClosedIn(year) => self.due_in(parts, year, true, last_day),
            Fate::OpenIn(year) => self.due_in(parts, year, false, last_day),
            Fate::Active(year) => self.active(parts, year, last_day),
        })
    }

    /// A grant whose closure falls due in `year`, closed by `last_day` or still open.
    fn due_in(
        &mut self,
        parts: Parts,
        year: i32,
        closed: bool,
        last_day: NaiveDate,
    ) -> grant::ActiveModel {
        let days = |n: i64| chrono::Duration::days(n);
        // In the current year only deadlines that have come (so every recorded step is in
        // the past, as the workflow requires).
        let target = match day_in(&mut self.rng, year) {
            day if year == last_day.year() => day.min(last_day),
            day => day,
        };
        // One donor in five sets a deadline earlier than the six-month rule. Counting back
        // whole months only moves the day within its month, so the cohort stays `year`.
        let (completed, deadline) = if self.rng.random_bool(0.2) {
            (
                months_before(target, self.rng.random_range(1..6)),
                Some(target),
            )
        } else {
            let later = self
                .rng
                .random_bool(0.3)
                .then(|| target + days(self.rng.random_range(1..200)));
            (months_before(target, 6), later)
        };
        let due = closure_due_on(Some(completed), deadline).unwrap_or(target);
        let start = months_before(completed, self.rng.random_range(12..60));
        let end = completed + days(self.rng.random_range(0..60));
        let earliest = completed + days(20);
        let (operational, financial, status) = if closed {
            let day = if self.rng.random_bool(0.7) {
                due - days(self.rng.random_range(0..120))
            } else {
                due + days(self.rng.random_range(1..400))
            };
            let financial = day.clamp(earliest, last_day.max(earliest));
            let operational = (financial - days(self.rng.random_range(10..60))).max(completed);
            (
                Some(operational),
                Some(financial),
                GrantStatus::FinanciallyClosed,
            )
        } else if self.rng.random_bool(0.25) {
            let operational = (due - days(self.rng.random_range(0..90)))
                .clamp(completed, last_day.max(completed));
            (Some(operational), None, GrantStatus::OperationallyClosed)
        } else {
            (None, None, GrantStatus::ActivitiesCompleted)
        };
        parts.model(
            Dates {
                start,
                end,
                completed: Some(completed),
                deadline,
                operational,
                financial,
            },
            status,
        )
    }

    /// A grant still under way, its agreement ending in `year`; some have finished their
    /// field activities by `last_day`.
    fn active(&mut self, parts: Parts, year: i32, last_day: NaiveDate) -> grant::ActiveModel {
        let end = day_in(&mut self.rng, year);
        let start = months_before(end, self.rng.random_range(18..60));
        let deadline = self
            .rng
            .random_bool(0.5)
            .then(|| end + chrono::Duration::days(self.rng.random_range(120..365)));
        let finished = end <= last_day && self.rng.random_bool(0.4);
        let dates = Dates {
            start,
            end,
            completed: finished.then_some(end),
            deadline,
            operational: None,
            financial: None,
        };
        let status = if finished {
            GrantStatus::ActivitiesCompleted
        } else {
            GrantStatus::Active
        };
        parts.model(dates, status)
    }
}

/// What a synthetic grant is, apart from its dates.
struct Parts {
    number: String,
    title: String,
    donor: i32,
    amount: String,
    currency: &'static str,
    officer: Option<i32>,
    unit: i32,
    division: Option<i32>,
    region: Option<i32>,
}

struct Dates {
    start: NaiveDate,
    end: NaiveDate,
    completed: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    operational: Option<NaiveDate>,
    financial: Option<NaiveDate>,
}

impl Parts {
    fn model(self, dates: Dates, status: GrantStatus) -> grant::ActiveModel {
        let due = closure_due_on(dates.completed, dates.deadline);
        let now = Utc::now();
        grant::ActiveModel {
            number: Set(self.number),
            title: Set(self.title),
            project_id: Set(None),
            donor_id: Set(self.donor),
            amount: Set(self.amount),
            currency: Set(self.currency.to_owned()),
            agreement_start: Set(dates.start),
            agreement_end: Set(dates.end),
            activities_completed_on: Set(dates.completed),
            donor_deadline: Set(dates.deadline),
            operationally_closed_on: Set(dates.operational),
            financially_closed_on: Set(dates.financial),
            closure_due_on: Set(due),
            due_year: Set(due_year(due)),
            officer_person_id: Set(self.officer),
            org_unit_id: Set(self.unit),
            division_id: Set(self.division),
            region_id: Set(self.region),
            status: Set(status.code().to_owned()),
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

/// Rows per INSERT: well under SQLite's limit of 32,766 bound values (27 columns each).
pub const BATCH: usize = 500;

/// Inserts grants in batches.
pub async fn insert_all(
    conn: &impl ConnectionTrait,
    grants: impl IntoIterator<Item = grant::ActiveModel>,
) -> Result<usize, DbErr> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut count = 0;
    for grant in grants {
        batch.push(grant);
        if batch.len() == BATCH {
            count += batch.len();
            grant::Entity::insert_many(std::mem::take(&mut batch))
                .exec(conn)
                .await?;
        }
    }
    if !batch.is_empty() {
        count += batch.len();
        grant::Entity::insert_many(batch).exec(conn).await?;
    }
    Ok(count)
}

/// Inserts the demo donors and grants (the caller's transaction) and returns how many grants.
pub async fn load(txn: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let now = Utc::now();
    donor::Entity::insert_many(DONORS.iter().map(|(code, name)| donor::ActiveModel {
        code: Set((*code).to_owned()),
        name: Set((*name).to_owned()),
        created_at: Set(now),
        ..Default::default()
    }))
    .exec(txn)
    .await?;
    let setting = Setting::read(txn).await?;
    let mut synthesiser = Synthesiser::new(&setting, 2020, "UNH-");
    let last_day = report_day();
    let mut fates = Vec::new();
    for (year, due, closed) in COHORTS {
        fates.extend(std::iter::repeat_n(Fate::ClosedIn(year), closed));
        fates.extend(std::iter::repeat_n(Fate::OpenIn(year), due - closed));
    }
    for i in 0..ACTIVE_2020_2021 {
        fates.push(Fate::Active(if i % 2 == 0 { 2020 } else { 2021 }));
    }
    let grants: Vec<_> = fates
        .into_iter()
        .filter_map(|fate| synthesiser.grant(fate, last_day))
        .collect();
    let count = insert_all(txn, grants).await?;
    tally::rebuild(txn).await?;
    Ok(count)
}
