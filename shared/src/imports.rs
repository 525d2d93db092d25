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

/// A problem with one cell or row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The row as a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The file's column (its header), empty for the whole row.
    pub column: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

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
