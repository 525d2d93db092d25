//! What an import says while it runs and when it ends. The server streams these as one JSON
//! object per line (`application/x-ndjson`) when asked to, so the app shows progress; a plain
//! request gets only the final report.

use serde::{Deserialize, Serialize};

use crate::api::ErrorCode;

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportPhase {
    /// Reading the file into rows.
    Reading,
    /// Checking each row and comparing it with what is stored.
    Checking,
    /// Writing the new and changed rows (only when committing).
    Writing,
}

/// How far an import has come in its present phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    pub phase: ImportPhase,
    pub done: u64,
    pub total: u64,
}

/// One line of a streamed import: progress, then exactly one report or error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportEvent<R> {
    Progress(ImportProgress),
    Report(R),
    Error(ImportFailure),
}

/// Why an import could not run at all (as opposed to rows with errors, which are reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFailure {
    pub code: ErrorCode,
    pub message: String,
}

/// What is wrong with a cell or a row, so the app can say it in the reader's language;
/// `RowError::detail` holds the value the sentence names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportProblem {
    /// The mapping names a column the file does not have (detail: the field's code).
    ColumnNotInFile,
    /// No column holds a required field (detail: the field's code).
    FieldNotMapped,
    /// A required value is empty.
    Missing,
    /// The text is too long (detail: the most characters allowed).
    TooLong,
    /// Not a date Steward reads (detail: the text).
    NotADate,
    /// Not an amount (detail: the text).
    NotAnAmount,
    /// Not an ISO 4217 currency code (detail: the text).
    NotACurrency,
    /// No org unit has this code today (detail: the code).
    UnknownUnit,
    /// Not an e-mail address (detail: the text).
    NotAnEmail,
    /// Nobody has this e-mail address (detail: the address).
    UnknownPerson,
    /// Not a status Steward knows (detail: the text).
    UnknownStatus,
    /// The same record is on an earlier row (detail: that row).
    Repeated,
    /// The agreement ends before it starts (detail: the start).
    EndBeforeStart,
    /// A step is dated in the future (detail: the date).
    InFuture,
    /// A step is dated before the step before it (detail: that step's date).
    BeforePreviousStep,
    /// The status needs a date the row lacks (detail: the code of the field that needs one).
    StatusNeedsDate,
    /// A financial closure date with a status that is not financially closed.
    ClosedDateWithOpenStatus,
    /// The row could not be read at all.
    Unreadable,
}

/// A problem with one cell or row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The file's column (its header), empty for the whole row.
    pub column: String,
    pub problem: ImportProblem,
    /// The value the problem names (see [`ImportProblem`]); may be empty.
    pub detail: String,
    /// The problem in English, for scripts and logs.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_travel_as_codes() {
        assert_eq!(
            serde_json::to_string(&ImportProblem::ClosedDateWithOpenStatus).unwrap(),
            r#""CLOSED_DATE_WITH_OPEN_STATUS""#
        );
    }

    #[test]
    fn events_are_one_tagged_object_each() {
        let progress: ImportEvent<()> = ImportEvent::Progress(ImportProgress {
            phase: ImportPhase::Checking,
            done: 5,
            total: 10,
        });
        assert_eq!(
            serde_json::to_string(&progress).unwrap(),
            r#"{"progress":{"phase":"CHECKING","done":5,"total":10}}"#
        );
        let failure: ImportEvent<()> = ImportEvent::Error(ImportFailure {
            code: ErrorCode::BadRequest,
            message: "no".into(),
        });
        assert_eq!(
            serde_json::to_string(&failure).unwrap(),
            r#"{"error":{"code":"BAD_REQUEST","message":"no"}}"#
        );
    }
}
