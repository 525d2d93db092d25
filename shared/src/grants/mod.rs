//! Financial closure of grants: when a grant must be closed, how late it is, and where it
//! stands. The rule (report, paragraph 8): a grant is closed within six months after its field
//! activities are complete, and within the deadline agreed with its donor.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

pub mod import;

/// Months allowed between the end of field activities and financial closure.
pub const CLOSURE_MONTHS: u32 = 6;

/// How many days ahead a finance officer's worklist looks for closures falling due.
pub const DUE_SOON_DAYS: i64 = 30;

/// Where a grant is in its life, as recorded (not computed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum GrantStatus {
    /// Field activities are under way.
    Active,
    /// Field activities are complete; the six-month closure clock runs.
    ActivitiesCompleted,
    /// Submitted for financial closure after operational closure; a finance officer approves.
    OperationallyClosed,
    /// Financially closed: the end of the grant's life.
    FinanciallyClosed,
    /// Cancelled before completion: nothing to close.
    Cancelled,
}

impl GrantStatus {
    pub const ALL: [GrantStatus; 5] = [
        GrantStatus::Active,
        GrantStatus::ActivitiesCompleted,
        GrantStatus::OperationallyClosed,
        GrantStatus::FinanciallyClosed,
        GrantStatus::Cancelled,
    ];

    /// The stable code stored in the database and used in files.
    pub fn code(self) -> &'static str {
        match self {
            GrantStatus::Active => "ACTIVE",
            GrantStatus::ActivitiesCompleted => "ACTIVITIES_COMPLETED",
            GrantStatus::OperationallyClosed => "OPERATIONALLY_CLOSED",
            GrantStatus::FinanciallyClosed => "FINANCIALLY_CLOSED",
            GrantStatus::Cancelled => "CANCELLED",
        }
    }

    /// Reads a code, case-insensitively, with spaces or `-` for `_` (as ERP exports write it).
    pub fn parse(code: &str) -> Option<GrantStatus> {
        let wanted = code.trim().replace(['-', ' '], "_").to_ascii_uppercase();
        GrantStatus::ALL
            .into_iter()
            .find(|status| status.code() == wanted)
    }
}

/// Where a grant stands against its closure deadline, on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum ClosureState {
    /// No closure deadline runs yet (activities continue and no donor deadline has passed).
    NotYetDue,
    /// The closure clock runs and the deadline has not passed.
    Due,
    /// The deadline has passed and the grant is not financially closed.
    Overdue,
    /// Financially closed on or before its deadline.
    ClosedOnTime,
    /// Financially closed after its deadline.
    ClosedLate,
    /// Cancelled: nothing to close.
    Cancelled,
}

impl ClosureState {
    pub const ALL: [ClosureState; 6] = [
        ClosureState::NotYetDue,
        ClosureState::Due,
        ClosureState::Overdue,
        ClosureState::ClosedOnTime,
        ClosureState::ClosedLate,
        ClosureState::Cancelled,
    ];

    /// The stable code used on the wire and in files.
    pub fn code(self) -> &'static str {
        match self {
            ClosureState::NotYetDue => "NOT_YET_DUE",
            ClosureState::Due => "DUE",
            ClosureState::Overdue => "OVERDUE",
            ClosureState::ClosedOnTime => "CLOSED_ON_TIME",
            ClosureState::ClosedLate => "CLOSED_LATE",
            ClosureState::Cancelled => "CANCELLED",
        }
    }
}

/// The dates and status that decide a grant's closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClosureDates {
    pub activities_completed_on: Option<NaiveDate>,
    pub donor_deadline: Option<NaiveDate>,
    pub financially_closed_on: Option<NaiveDate>,
    pub cancelled: bool,
}

/// `date` plus whole calendar months; a day that does not exist in the target month becomes
/// that month's last day (31 August + 6 months = 28 or 29 February).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// The closure due date: six calendar months after field activities were completed, or the
/// donor's deadline if that is earlier. Without a completion date only the donor's deadline
/// binds; without either there is no deadline yet.
pub fn closure_due_on(
    activities_completed_on: Option<NaiveDate>,
    donor_deadline: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let six_months = activities_completed_on.and_then(|done| add_months(done, CLOSURE_MONTHS));
    match (six_months, donor_deadline) {
        (Some(rule), Some(donor)) => Some(rule.min(donor)),
        (rule, donor) => rule.or(donor),
    }
}

/// The due-year cohort a grant is counted in (the year of its closure due date).
pub fn due_year(due_on: Option<NaiveDate>) -> Option<i32> {
    due_on.map(|due| due.year())
}

impl ClosureDates {
    pub fn due_on(&self) -> Option<NaiveDate> {
        closure_due_on(self.activities_completed_on, self.donor_deadline)
    }

    /// Days past the deadline: until `today` for an open grant, until the closure for a closed
    /// one; 0 when not late (or when there is no deadline).
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        let Some(due) = self.due_on() else { return 0 };
        if self.cancelled {
            return 0;
        }
        let until = self.financially_closed_on.unwrap_or(today);
        (until - due).num_days().max(0)
    }

    /// Where the grant stands on `today`.
    pub fn state(&self, today: NaiveDate) -> ClosureState {
        if self.cancelled {
            return ClosureState::Cancelled;
        }
        let due = self.due_on();
        match (self.financially_closed_on, due) {
            (Some(closed), Some(due)) if closed > due => ClosureState::ClosedLate,
            (Some(_), _) => ClosureState::ClosedOnTime,
            (None, Some(due)) if today > due => ClosureState::Overdue,
            (None, Some(_)) if self.activities_completed_on.is_some() => ClosureState::Due,
            (None, _) => ClosureState::NotYetDue,
        }
    }
}

/// The ageing bands of the overdue backlog, in months past the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum AgeingBand {
    /// Up to 6 months overdue.
    UpToSixMonths,
    /// More than 6 and up to 12 months.
    SixToTwelveMonths,
    /// More than 12 and up to 24 months.
    TwelveToTwentyFourMonths,
    /// More than 24 months.
    OverTwentyFourMonths,
}

impl AgeingBand {
    pub const ALL: [AgeingBand; 4] = [
        AgeingBand::UpToSixMonths,
        AgeingBand::SixToTwelveMonths,
        AgeingBand::TwelveToTwentyFourMonths,
        AgeingBand::OverTwentyFourMonths,
    ];

    /// The band of a grant whose deadline was `due` and which is still open on `today`
    /// (`None` when it is not overdue). Months are calendar months counted back from today:
    /// due 31 January is up to six months overdue on 31 July, more than six on 1 August.
    pub fn of(due: NaiveDate, today: NaiveDate) -> Option<AgeingBand> {
        if today <= due {
            return None;
        }
        AgeingBand::ALL.into_iter().find(|band| {
            let (from, until) = band.due_range(today);
            from.is_none_or(|from| due >= from) && until.is_none_or(|until| due < until)
        })
    }

    /// The deadlines that put an open grant in this band on `today`, as `from` (inclusive)
    /// and `until` (exclusive), `None` for unbounded: the same definition as [`AgeingBand::of`],
    /// in a form SQL can filter an indexed date column with.
    pub fn due_range(self, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let back = |months| today.checked_sub_months(Months::new(months));
        match self {
            AgeingBand::UpToSixMonths => (back(6), Some(today)),
            AgeingBand::SixToTwelveMonths => (back(12), back(6)),
            AgeingBand::TwelveToTwentyFourMonths => (back(24), back(12)),
            AgeingBand::OverTwentyFourMonths => (None, back(24)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn six_calendar_months_after_completion() {
        assert_eq!(
            closure_due_on(Some(d("2019-03-15")), None),
            Some(d("2019-09-15"))
        );
        // Month ends clamp: there is no 31 February or 31 September.
        assert_eq!(
            closure_due_on(Some(d("2019-08-31")), None),
            Some(d("2020-02-29"))
        );
        assert_eq!(
            closure_due_on(Some(d("2018-08-31")), None),
            Some(d("2019-02-28"))
        );
        assert_eq!(
            closure_due_on(Some(d("2019-03-31")), None),
            Some(d("2019-09-30"))
        );
        // Across a year end.
        assert_eq!(
            closure_due_on(Some(d("2019-12-01")), None),
            Some(d("2020-06-01"))
        );
        // Leap day.
        assert_eq!(
            closure_due_on(Some(d("2020-02-29")), None),
            Some(d("2020-08-29"))
        );
    }

    #[test]
    fn the_donor_deadline_wins_when_earlier() {
        let done = Some(d("2019-03-15"));
        assert_eq!(
            closure_due_on(done, Some(d("2019-06-30"))),
            Some(d("2019-06-30"))
        );
        assert_eq!(
            closure_due_on(done, Some(d("2019-12-31"))),
            Some(d("2019-09-15"))
        );
        assert_eq!(
            closure_due_on(done, Some(d("2019-09-15"))),
            Some(d("2019-09-15"))
        );
    }

    #[test]
    fn missing_dates() {
        assert_eq!(closure_due_on(None, None), None);
        assert_eq!(
            closure_due_on(None, Some(d("2021-01-31"))),
            Some(d("2021-01-31"))
        );
        assert_eq!(due_year(None), None);
        assert_eq!(due_year(Some(d("2019-12-31"))), Some(2019));
        let nothing = ClosureDates::default();
        assert_eq!(nothing.state(d("2026-11-26")), ClosureState::NotYetDue);
        assert_eq!(nothing.days_overdue(d("2026-11-26")), 0);
    }

    #[test]
    fn states_and_days_overdue() {
        let today = d("2020-01-10");
        let open = ClosureDates {
            activities_completed_on: Some(d("2019-06-30")),
            ..Default::default()
        };
        // 30 June + 6 months is 30 December; open on 2020-01-10: 11 days overdue.
        assert_eq!(open.due_on(), Some(d("2019-12-30")));
        assert_eq!(open.state(today), ClosureState::Overdue);
        assert_eq!(open.days_overdue(today), 11);
        assert_eq!(open.state(d("2019-12-30")), ClosureState::Due);
        assert_eq!(open.days_overdue(d("2019-12-30")), 0);
        assert_eq!(open.state(d("2019-12-31")), ClosureState::Overdue);

        let on_time = ClosureDates {
            financially_closed_on: Some(d("2019-12-30")),
            ..open
        };
        assert_eq!(on_time.state(today), ClosureState::ClosedOnTime);
        assert_eq!(on_time.days_overdue(today), 0);
        let late = ClosureDates {
            financially_closed_on: Some(d("2020-02-01")),
            ..open
        };
        assert_eq!(late.state(today), ClosureState::ClosedLate);
        assert_eq!(late.days_overdue(d("2026-01-01")), 33);

        // A donor deadline alone: not yet due before it while activities go on.
        let donor_only = ClosureDates {
            donor_deadline: Some(d("2020-06-30")),
            ..Default::default()
        };
        assert_eq!(donor_only.state(today), ClosureState::NotYetDue);
        assert_eq!(donor_only.state(d("2020-07-01")), ClosureState::Overdue);

        let cancelled = ClosureDates {
            cancelled: true,
            ..open
        };
        assert_eq!(cancelled.state(today), ClosureState::Cancelled);
        assert_eq!(cancelled.days_overdue(today), 0);
    }

    #[test]
    fn ageing_bands_in_calendar_months() {
        let due = d("2019-01-31");
        assert_eq!(AgeingBand::of(due, d("2019-01-31")), None);
        assert_eq!(
            AgeingBand::of(due, d("2019-02-01")),
            Some(AgeingBand::UpToSixMonths)
        );
        assert_eq!(
            AgeingBand::of(due, d("2019-07-31")),
            Some(AgeingBand::UpToSixMonths)
        );
        assert_eq!(
            AgeingBand::of(due, d("2019-08-01")),
            Some(AgeingBand::SixToTwelveMonths)
        );
        assert_eq!(
            AgeingBand::of(due, d("2020-01-31")),
            Some(AgeingBand::SixToTwelveMonths)
        );
        assert_eq!(
            AgeingBand::of(due, d("2020-02-01")),
            Some(AgeingBand::TwelveToTwentyFourMonths)
        );
        assert_eq!(
            AgeingBand::of(due, d("2021-01-31")),
            Some(AgeingBand::TwelveToTwentyFourMonths)
        );
        assert_eq!(
            AgeingBand::of(due, d("2021-02-01")),
            Some(AgeingBand::OverTwentyFourMonths)
        );
    }

    #[test]
    fn statuses_read_as_erp_files_write_them() {
        assert_eq!(
            GrantStatus::parse("financially closed"),
            Some(GrantStatus::FinanciallyClosed)
        );
        assert_eq!(
            GrantStatus::parse("Activities-Completed"),
            Some(GrantStatus::ActivitiesCompleted)
        );
        assert_eq!(GrantStatus::parse("closed?"), None);
        for status in GrantStatus::ALL {
            assert_eq!(GrantStatus::parse(status.code()), Some(status));
        }
        // The codes are what serde and GraphQL write.
        for state in ClosureState::ALL {
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{}\"", state.code())
            );
        }
    }
}
