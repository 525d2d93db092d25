//! Who may do what: roles, the operations of the API, and the permission table that joins
//! them. The server checks every query and mutation against this table; the README shows it;
//! the tests walk all of it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role held by an account, within a scope (the whole organisation or one org unit and the
/// units under it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum Role {
    /// Runs Steward: accounts, roles, imports; reads the audit trail and the security log.
    Administrator,
    /// The Executive Director or the Deputy Executive Director.
    Executive,
    /// A division director.
    Director,
    /// A regional or branch head.
    Head,
    /// A focal point for an organisation-wide deliverable.
    FocalPoint,
    /// The secretary of a committee.
    CommitteeSecretary,
    /// A finance officer.
    FinanceOfficer,
    /// Any member of staff: reads.
    Staff,
    /// An auditor: reads everything, including the audit trail; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Administrator,
        Role::Executive,
        Role::Director,
        Role::Head,
        Role::FocalPoint,
        Role::CommitteeSecretary,
        Role::FinanceOfficer,
        Role::Staff,
        Role::Auditor,
    ];

    /// The stable code stored in the database, used on the wire and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "ADMINISTRATOR",
            Role::Executive => "EXECUTIVE",
            Role::Director => "DIRECTOR",
            Role::Head => "HEAD",
            Role::FocalPoint => "FOCAL_POINT",
            Role::CommitteeSecretary => "COMMITTEE_SECRETARY",
            Role::FinanceOfficer => "FINANCE_OFFICER",
            Role::Staff => "STAFF",
            Role::Auditor => "AUDITOR",
        }
    }

    /// Reads a code, case-insensitively and with `-` for `_` (`focal-point` works on the
    /// command line).
    pub fn parse(code: &str) -> Option<Role> {
        let wanted = code.trim().replace('-', "_").to_ascii_uppercase();
        Role::ALL.into_iter().find(|role| role.code() == wanted)
    }

    /// Roles whose work is organisation-wide by nature: they cannot be limited to a unit.
    pub fn needs_organisation_scope(self) -> bool {
        matches!(self, Role::Administrator | Role::Executive | Role::Auditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Everything the API lets someone do, grouped as the permission table checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum Operation {
    /// Read org units and people (the tree, names, members) and export them.
    ReadOrganisation,
    /// Change a person's name, e-mail address, grade or status.
    EditPerson,
    /// Rename an org unit.
    RenameOrgUnit,
    /// Import people from a file.
    ImportPeople,
    /// See user accounts, their roles and tokens.
    ReadAccounts,
    /// Create accounts, assign and withdraw roles, reset passwords, deactivate accounts, revoke
    /// anyone's tokens.
    ManageAccounts,
    /// Read and export the audit trail.
    ReadAuditTrail,
    /// Read the security log.
    ReadSecurityLog,
    /// Change one's own password and manage one's own API tokens.
    ManageOwnAccount,
    /// Read grants, donors and the closure analytics.
    ReadGrants,
    /// Record a grant's progress: field activities completed, submitted for closure.
    EditGrants,
    /// Approve a grant's financial closure, or reopen it.
    ApproveGrantClosure,
    /// Import grants from the ERP's files (new grants, and changes to any grant).
    ImportGrants,
}

impl Operation {
    pub const ALL: [Operation; 13] = [
        Operation::ReadOrganisation,
        Operation::EditPerson,
        Operation::RenameOrgUnit,
        Operation::ImportPeople,
        Operation::ReadAccounts,
        Operation::ManageAccounts,
        Operation::ReadAuditTrail,
        Operation::ReadSecurityLog,
        Operation::ManageOwnAccount,
        Operation::ReadGrants,
        Operation::EditGrants,
        Operation::ApproveGrantClosure,
        Operation::ImportGrants,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Operation::ReadOrganisation => "READ_ORGANISATION",
            Operation::EditPerson => "EDIT_PERSON",
            Operation::RenameOrgUnit => "RENAME_ORG_UNIT",
            Operation::ImportPeople => "IMPORT_PEOPLE",
            Operation::ReadAccounts => "READ_ACCOUNTS",
            Operation::ManageAccounts => "MANAGE_ACCOUNTS",
            Operation::ReadAuditTrail => "READ_AUDIT_TRAIL",
            Operation::ReadSecurityLog => "READ_SECURITY_LOG",
            Operation::ManageOwnAccount => "MANAGE_OWN_ACCOUNT",
            Operation::ReadGrants => "READ_GRANTS",
            Operation::EditGrants => "EDIT_GRANTS",
            Operation::ApproveGrantClosure => "APPROVE_GRANT_CLOSURE",
            Operation::ImportGrants => "IMPORT_GRANTS",
        }
    }

    /// A short description for people (the README's permission table).
    pub fn description(self) -> &'static str {
        match self {
            Operation::ReadOrganisation => "read org units and people, export them",
            Operation::EditPerson => "change a person's record",
            Operation::RenameOrgUnit => "rename an org unit",
            Operation::ImportPeople => "import people from a file",
            Operation::ReadAccounts => "see accounts, roles and tokens",
            Operation::ManageAccounts => {
                "create accounts, assign roles, reset passwords, deactivate"
            }
            Operation::ReadAuditTrail => "read and export the audit trail",
            Operation::ReadSecurityLog => "read the security log",
            Operation::ManageOwnAccount => "change own password, own API tokens",
            Operation::ReadGrants => "read grants, donors and closure analytics",
            Operation::EditGrants => "record activities completed, submit a grant for closure",
            Operation::ApproveGrantClosure => {
                "approve a grant's financial closure (not one's own submission), reopen it"
            }
            Operation::ImportGrants => "import grants from the ERP's CSV or XLSX files",
        }
    }

    /// Whether the operation changes data: read-only API tokens never get these.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Operation::EditPerson
                | Operation::RenameOrgUnit
                | Operation::ImportPeople
                | Operation::ManageAccounts
                | Operation::ManageOwnAccount
                | Operation::EditGrants
                | Operation::ApproveGrantClosure
                | Operation::ImportGrants
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How far a role's grant of an operation reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Everywhere, whatever the scope of the role assignment.
    Everywhere,
    /// Only records in the assignment's scope: its unit and the units under it (or everything
    /// when the assignment is organisation-wide). An operation that concerns no unit needs an
    /// organisation-wide assignment.
    InScope,
}

use Operation as O;
use Reach::{Everywhere, InScope};
use Role as R;

/// The permission table: who may do what, and how far. Anything not listed is refused.
pub const PERMISSIONS: &[(Role, Operation, Reach)] = &[
    (R::Administrator, O::ReadOrganisation, Everywhere),
    (R::Administrator, O::EditPerson, Everywhere),
    (R::Administrator, O::RenameOrgUnit, Everywhere),
    (R::Administrator, O::ImportPeople, Everywhere),
    (R::Administrator, O::ReadAccounts, Everywhere),
    (R::Administrator, O::ManageAccounts, Everywhere),
    (R::Administrator, O::ReadAuditTrail, Everywhere),
    (R::Administrator, O::ReadSecurityLog, Everywhere),
    (R::Administrator, O::ManageOwnAccount, Everywhere),
    (R::Administrator, O::ReadGrants, Everywhere),
    (R::Administrator, O::EditGrants, Everywhere),
    (R::Administrator, O::ImportGrants, Everywhere),
    (R::Executive, O::ReadOrganisation, Everywhere),
    (R::Executive, O::RenameOrgUnit, Everywhere),
    (R::Executive, O::ManageOwnAccount, Everywhere),
    (R::Executive, O::ReadGrants, Everywhere),
    (R::Director, O::ReadOrganisation, Everywhere),
    (R::Director, O::EditPerson, InScope),
    (R::Director, O::ManageOwnAccount, Everywhere),
    (R::Director, O::ReadGrants, Everywhere),
    (R::Director, O::EditGrants, InScope),
    (R::Head, O::ReadOrganisation, Everywhere),
    (R::Head, O::EditPerson, InScope),
    (R::Head, O::ManageOwnAccount, Everywhere),
    (R::Head, O::ReadGrants, Everywhere),
    (R::Head, O::EditGrants, InScope),
    (R::FocalPoint, O::ReadOrganisation, Everywhere),
    (R::FocalPoint, O::ManageOwnAccount, Everywhere),
    (R::FocalPoint, O::ReadGrants, Everywhere),
    (R::CommitteeSecretary, O::ReadOrganisation, Everywhere),
    (R::CommitteeSecretary, O::ManageOwnAccount, Everywhere),
    (R::CommitteeSecretary, O::ReadGrants, Everywhere),
    (R::FinanceOfficer, O::ReadOrganisation, Everywhere),
    (R::FinanceOfficer, O::ManageOwnAccount, Everywhere),
    (R::FinanceOfficer, O::ReadGrants, Everywhere),
    (R::FinanceOfficer, O::EditGrants, InScope),
    (R::FinanceOfficer, O::ApproveGrantClosure, InScope),
    (R::FinanceOfficer, O::ImportGrants, InScope),
    (R::Staff, O::ReadOrganisation, Everywhere),
    (R::Staff, O::ManageOwnAccount, Everywhere),
    (R::Staff, O::ReadGrants, Everywhere),
    (R::Auditor, O::ReadOrganisation, Everywhere),
    (R::Auditor, O::ReadAccounts, Everywhere),
    (R::Auditor, O::ReadAuditTrail, Everywhere),
    (R::Auditor, O::ReadSecurityLog, Everywhere),
    (R::Auditor, O::ManageOwnAccount, Everywhere),
    (R::Auditor, O::ReadGrants, Everywhere),
];

/// How far `role` may do `operation`, or `None` when it may not.
pub fn reach(role: Role, operation: Operation) -> Option<Reach> {
    PERMISSIONS
        .iter()
        .find(|(r, o, _)| *r == role && *o == operation)
        .map(|(_, _, reach)| *reach)
}

/// Where a role assignment applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Organisation,
    /// An org unit (by its database id) and the units under it.
    Unit(i32),
}

/// What an operation is done to, for the scope check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing tied to a unit (an import, an account, the audit trail).
    Organisation,
    /// Records in these org units; each unit is given with all its ancestors (unit first),
    /// so a scope covers the target when it names any of them.
    Units(Vec<Vec<i32>>),
}

/// Whether a role held in `scope` may do `operation` to `target`.
pub fn allows(role: Role, scope: Scope, operation: Operation, target: &Target) -> bool {
    match reach(role, operation) {
        None => false,
        Some(Reach::Everywhere) => true,
        Some(Reach::InScope) => match (scope, target) {
            (Scope::Organisation, _) => true,
            (Scope::Unit(_), Target::Organisation) => false,
            (Scope::Unit(unit), Target::Units(chains)) => {
                chains.iter().any(|chain| chain.contains(&unit))
            }
        },
    }
}

/// The permission table in Markdown, as the README shows it.
pub fn permission_table_markdown() -> String {
    let mut out = String::from("| Operation |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.code()));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str(":-:|");
    }
    out.push('\n');
    for operation in Operation::ALL {
        out.push_str(&format!(
            "| `{}`: {} |",
            operation.code(),
            operation.description()
        ));
        for role in Role::ALL {
            out.push_str(match reach(role, operation) {
                Some(Reach::Everywhere) => " ✓ |",
                Some(Reach::InScope) => " scope |",
                None => " |",
            });
        }
        out.push('\n');
    }
    out
}

/// The shortest password Steward accepts. Length is the only composition rule (NIST SP
/// 800-63B); the server also refuses passwords from a list of common ones.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Argon2 takes any length, but an unbounded input is a denial-of-service lever.
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password can have at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("this password is too common: it appears in lists that attackers try first")]
    TooCommon,
    #[error("a password cannot contain your e-mail address or be your name")]
    Personal,
}

/// The rules the app can check before sending (the common-password list stays on the server).
pub fn check_password_length(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(PasswordError::TooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_is_listed_at_most_once() {
        for (i, (role, operation, _)) in PERMISSIONS.iter().enumerate() {
            assert!(
                !PERMISSIONS[i + 1..]
                    .iter()
                    .any(|(r, o, _)| r == role && o == operation),
                "{role} × {operation} is listed twice"
            );
        }
    }

    #[test]
    fn auditors_change_nothing_and_read_everything_readable() {
        for operation in Operation::ALL {
            let granted = reach(Role::Auditor, operation).is_some();
            if operation == Operation::ManageOwnAccount {
                assert!(granted);
            } else {
                assert_eq!(granted, !operation.writes(), "auditor × {operation}");
            }
        }
    }

    #[test]
    fn every_role_reads_the_organisation_and_manages_its_own_account() {
        for role in Role::ALL {
            assert_eq!(reach(role, Operation::ReadOrganisation), Some(Everywhere));
            assert_eq!(reach(role, Operation::ManageOwnAccount), Some(Everywhere));
        }
    }

    #[test]
    fn scoped_grants_cover_their_unit_and_below_only() {
        let head_of_7 = |target: &Target| allows(R::Head, Scope::Unit(7), O::EditPerson, target);
        assert!(head_of_7(&Target::Units(vec![vec![12, 7, 1]])));
        assert!(head_of_7(&Target::Units(vec![vec![7, 1]])));
        assert!(!head_of_7(&Target::Units(vec![vec![1]])));
        assert!(!head_of_7(&Target::Units(vec![vec![9, 1]])));
        assert!(!head_of_7(&Target::Units(vec![])));
        assert!(!head_of_7(&Target::Organisation));
        assert!(allows(
            R::Head,
            Scope::Organisation,
            O::EditPerson,
            &Target::Organisation
        ));
        assert!(!allows(
            R::Staff,
            Scope::Organisation,
            O::EditPerson,
            &Target::Organisation
        ));
    }

    #[test]
    fn roles_parse_from_their_codes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("focal-point"), Some(Role::FocalPoint));
        assert_eq!(Role::parse("king"), None);
    }

    #[test]
    fn the_markdown_table_has_a_row_per_operation() {
        let table = permission_table_markdown();
        assert_eq!(table.lines().count(), 2 + Operation::ALL.len());
        assert!(table.contains("`MANAGE_ACCOUNTS`"));
    }

    #[test]
    fn password_length_rules() {
        assert_eq!(check_password_length("short"), Err(PasswordError::TooShort));
        assert_eq!(check_password_length("twelve chars"), Ok(()));
        assert_eq!(check_password_length("密码密码密码密码密码密码"), Ok(()));
        assert_eq!(
            check_password_length(&"x".repeat(257)),
            Err(PasswordError::TooLong)
        );
    }
}
