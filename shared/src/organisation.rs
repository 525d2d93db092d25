//! The organisation: its units and their kinds.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an org unit is, in the organisation's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum OrgUnitKind {
    /// The Office of the Executive Director.
    ExecutiveOffice,
    /// A division, led by a director.
    Division,
    /// A branch within a division.
    Branch,
    /// A service (for example Management, Advisory and Compliance).
    Service,
    /// A regional office.
    RegionalOffice,
    /// A country or project office.
    CountryOffice,
    /// A liaison office (New York, Geneva, Brussels).
    LiaisonOffice,
}

impl OrgUnitKind {
    pub const ALL: [OrgUnitKind; 7] = [
        OrgUnitKind::ExecutiveOffice,
        OrgUnitKind::Division,
        OrgUnitKind::Branch,
        OrgUnitKind::Service,
        OrgUnitKind::RegionalOffice,
        OrgUnitKind::CountryOffice,
        OrgUnitKind::LiaisonOffice,
    ];

    /// The stable code stored in the database and used on the wire.
    pub fn code(self) -> &'static str {
        match self {
            OrgUnitKind::ExecutiveOffice => "EXECUTIVE_OFFICE",
            OrgUnitKind::Division => "DIVISION",
            OrgUnitKind::Branch => "BRANCH",
            OrgUnitKind::Service => "SERVICE",
            OrgUnitKind::RegionalOffice => "REGIONAL_OFFICE",
            OrgUnitKind::CountryOffice => "COUNTRY_OFFICE",
            OrgUnitKind::LiaisonOffice => "LIAISON_OFFICE",
        }
    }
}

impl fmt::Display for OrgUnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown org unit kind {0:?}")]
pub struct UnknownOrgUnitKind(pub String);

impl FromStr for OrgUnitKind {
    type Err = UnknownOrgUnitKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgUnitKind::ALL
            .into_iter()
            .find(|kind| kind.code() == s)
            .ok_or_else(|| UnknownOrgUnitKind(s.to_owned()))
    }
}

/// A short, stable code that identifies an org unit across renames (e.g. `OED`, `ROAP`).
///
/// Upper-case ASCII letters, digits and hyphens, 2 to 16 characters, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgUnitCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgUnitCodeError {
    #[error("an org unit code has 2 to 16 characters, this one has {0}")]
    Length(usize),
    #[error("an org unit code starts with a letter A–Z")]
    FirstCharacter,
    #[error("an org unit code holds only A–Z, 0–9 and '-', not {0:?}")]
    Character(char),
}

impl OrgUnitCode {
    pub fn parse(raw: &str) -> Result<Self, OrgUnitCodeError> {
        let code = raw.trim();
        let length = code.chars().count();
        if !(2..=16).contains(&length) {
            return Err(OrgUnitCodeError::Length(length));
        }
        if !code.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(OrgUnitCodeError::FirstCharacter);
        }
        if let Some(bad) = code
            .chars()
            .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(OrgUnitCodeError::Character(bad));
        }
        Ok(OrgUnitCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgUnitCode {
    type Error = OrgUnitCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        OrgUnitCode::parse(&value)
    }
}

impl From<OrgUnitCode> for String {
    fn from(code: OrgUnitCode) -> Self {
        code.0
    }
}

impl fmt::Display for OrgUnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_codes_round_trip() {
        for kind in OrgUnitKind::ALL {
            assert_eq!(kind.code().parse::<OrgUnitKind>(), Ok(kind));
        }
        assert_eq!(
            "TEAM".parse::<OrgUnitKind>(),
            Err(UnknownOrgUnitKind("TEAM".into()))
        );
    }

    #[test]
    fn kind_serialises_as_its_code() {
        // The serde name and the stored code must never drift apart.
        for kind in OrgUnitKind::ALL {
            let json = serde_json::to_string(&kind).map_err(|e| e.to_string());
            assert_eq!(json, Ok(format!("\"{}\"", kind.code())));
        }
    }

    #[test]
    fn codes_are_validated() {
        assert_eq!(
            OrgUnitCode::parse(" OED ").map(|c| c.to_string()),
            Ok("OED".into())
        );
        assert_eq!(
            OrgUnitCode::parse("RO-AP2").map(|c| c.to_string()),
            Ok("RO-AP2".into())
        );
        assert_eq!(OrgUnitCode::parse("O"), Err(OrgUnitCodeError::Length(1)));
        assert_eq!(
            OrgUnitCode::parse("ABCDEFGHIJKLMNOPQ"),
            Err(OrgUnitCodeError::Length(17))
        );
        assert_eq!(
            OrgUnitCode::parse("1AB"),
            Err(OrgUnitCodeError::FirstCharacter)
        );
        assert_eq!(
            OrgUnitCode::parse("oed"),
            Err(OrgUnitCodeError::FirstCharacter)
        );
        assert_eq!(
            OrgUnitCode::parse("OE D"),
            Err(OrgUnitCodeError::Character(' '))
        );
    }
}
