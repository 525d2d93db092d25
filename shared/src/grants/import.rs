//! Importing grants from the ERP's export: the fields a file's columns are mapped to, and what
//! an import reports.

use serde::{Deserialize, Serialize};

use crate::imports::RowError;

/// A grant field an import column can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GrantField {
    /// The grant number: how rows are matched with stored grants.
    Number,
    Title,
    /// The donor's code or name.
    Donor,
    Amount,
    /// ISO 4217 code.
    Currency,
    AgreementStart,
    AgreementEnd,
    ActivitiesCompletedOn,
    DonorDeadline,
    OperationallyClosedOn,
    FinanciallyClosedOn,
    /// The responsible officer's e-mail address.
    Officer,
    /// The managing org unit's code.
    OrgUnit,
    /// The ERP's status; when absent it follows from the dates.
    Status,
}

impl GrantField {
    pub const ALL: [GrantField; 14] = [
        GrantField::Number,
        GrantField::Title,
        GrantField::Donor,
        GrantField::Amount,
        GrantField::Currency,
        GrantField::AgreementStart,
        GrantField::AgreementEnd,
        GrantField::ActivitiesCompletedOn,
        GrantField::DonorDeadline,
        GrantField::OperationallyClosedOn,
        GrantField::FinanciallyClosedOn,
        GrantField::Officer,
        GrantField::OrgUnit,
        GrantField::Status,
    ];

    /// The name used in mappings and in Steward's own export's header.
    pub fn code(self) -> &'static str {
        match self {
            GrantField::Number => "number",
            GrantField::Title => "title",
            GrantField::Donor => "donor",
            GrantField::Amount => "amount",
            GrantField::Currency => "currency",
            GrantField::AgreementStart => "agreementStart",
            GrantField::AgreementEnd => "agreementEnd",
            GrantField::ActivitiesCompletedOn => "activitiesCompletedOn",
            GrantField::DonorDeadline => "donorDeadline",
            GrantField::OperationallyClosedOn => "operationallyClosedOn",
            GrantField::FinanciallyClosedOn => "financiallyClosedOn",
            GrantField::Officer => "officer",
            GrantField::OrgUnit => "orgUnit",
            GrantField::Status => "status",
        }
    }

    pub fn parse(code: &str) -> Option<GrantField> {
        GrantField::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Whether every row needs a value (and so the file a column) for it.
    pub fn required(self) -> bool {
        matches!(
            self,
            GrantField::Number
                | GrantField::Title
                | GrantField::Donor
                | GrantField::Amount
                | GrantField::Currency
                | GrantField::AgreementStart
                | GrantField::AgreementEnd
                | GrantField::OrgUnit
        )
    }
}

/// Which column of the file holds a field (`None`: not in the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldColumn {
    pub field: GrantField,
    pub column: Option<String>,
}

/// A row that adds or changes a grant (the preview lists the first few).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub row: usize,
    pub number: String,
    /// A grant not stored yet.
    pub new: bool,
    /// The fields that change (empty for a new grant).
    pub fields: Vec<GrantField>,
}

/// How many errors and changes a report lists; the counts are always complete.
pub const LISTED_ERRORS: usize = 200;
pub const LISTED_CHANGES: usize = 50;

/// What a grant import did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantImportReport {
    /// Data rows in the file (the header and empty rows not counted).
    pub rows: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// The first [`LISTED_ERRORS`] problems, in row order.
    pub errors: Vec<RowError>,
    /// All problems found.
    pub error_count: usize,
    /// Whether the changes were written (only when asked to and with no errors).
    pub committed: bool,
    /// The file's column headers, in order.
    pub columns: Vec<String>,
    /// The mapping used: every field with its column.
    pub mapping: Vec<FieldColumn>,
    /// Donors named in the file that Steward does not know yet: created by the import.
    pub new_donors: Vec<String>,
    /// The first [`LISTED_CHANGES`] new or changed rows.
    pub changes: Vec<RowChange>,
    /// How long the import took on the server.
    pub milliseconds: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_codes_are_what_serde_writes() {
        for field in GrantField::ALL {
            assert_eq!(
                serde_json::to_value(field).unwrap(),
                serde_json::json!(field.code())
            );
            assert_eq!(GrantField::parse(field.code()), Some(field));
        }
        assert_eq!(GrantField::parse("grantNumber"), None);
    }

    #[test]
    fn the_status_and_closure_dates_are_optional() {
        assert!(GrantField::Number.required());
        assert!(GrantField::OrgUnit.required());
        assert!(!GrantField::Status.required());
        assert!(!GrantField::FinanciallyClosedOn.required());
        assert!(!GrantField::Officer.required());
    }
}
