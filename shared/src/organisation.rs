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

/// A language names are held in. English and Chinese now; the other UN languages (Arabic,
/// French, Russian, Spanish) are added here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum Language {
    /// English.
    En,
    /// Chinese (简体中文).
    Zh,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Zh];

    /// The BCP 47 tag, as stored.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

/// The category of a United Nations grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum GradeCategory {
    /// Under-Secretary-General (the Executive Director).
    Usg,
    /// Assistant Secretary-General (the Deputy Executive Director).
    Asg,
    /// Director (D-1, D-2).
    Director,
    /// Professional (P-1 to P-5).
    Professional,
    /// General Service (G-1 to G-7).
    GeneralService,
}

impl GradeCategory {
    /// From the most senior down.
    pub const ALL: [GradeCategory; 5] = [
        GradeCategory::Usg,
        GradeCategory::Asg,
        GradeCategory::Director,
        GradeCategory::Professional,
        GradeCategory::GeneralService,
    ];

    /// The stable code used on the wire, e.g. `GENERAL_SERVICE`.
    pub fn code(self) -> &'static str {
        match self {
            GradeCategory::Usg => "USG",
            GradeCategory::Asg => "ASG",
            GradeCategory::Director => "DIRECTOR",
            GradeCategory::Professional => "PROFESSIONAL",
            GradeCategory::GeneralService => "GENERAL_SERVICE",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            GradeCategory::Usg => "USG",
            GradeCategory::Asg => "ASG",
            GradeCategory::Director => "D",
            GradeCategory::Professional => "P",
            GradeCategory::GeneralService => "G",
        }
    }

    /// The highest level of this category; `None` for the single-level senior grades.
    fn top_level(self) -> Option<u8> {
        match self {
            GradeCategory::Usg | GradeCategory::Asg => None,
            GradeCategory::Director => Some(2),
            GradeCategory::Professional => Some(5),
            GradeCategory::GeneralService => Some(7),
        }
    }
}

/// A grade such as `P-4`, `D-1`, `G-6`, `ASG` or `USG`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Grade {
    pub category: GradeCategory,
    pub level: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a grade: use P-1…P-5, D-1, D-2, G-1…G-7, ASG or USG")]
pub struct GradeError(pub String);

impl Grade {
    pub fn parse(raw: &str) -> Result<Grade, GradeError> {
        let text = raw.trim().to_ascii_uppercase();
        let error = || GradeError(raw.to_owned());
        for category in [GradeCategory::Usg, GradeCategory::Asg] {
            if text == category.prefix() {
                return Ok(Grade {
                    category,
                    level: None,
                });
            }
        }
        let (prefix, level) = text.split_once('-').ok_or_else(error)?;
        let category = [
            GradeCategory::Director,
            GradeCategory::Professional,
            GradeCategory::GeneralService,
        ]
        .into_iter()
        .find(|c| c.prefix() == prefix)
        .ok_or_else(error)?;
        let level: u8 = level.parse().map_err(|_| error())?;
        if !category
            .top_level()
            .is_some_and(|top| (1..=top).contains(&level))
        {
            return Err(error());
        }
        Ok(Grade {
            category,
            level: Some(level),
        })
    }

    /// The grade as written, e.g. `P-4`.
    pub fn code(&self) -> String {
        match self.level {
            Some(level) => format!("{}-{level}", self.category.prefix()),
            None => self.category.prefix().to_owned(),
        }
    }
}

impl TryFrom<String> for Grade {
    type Error = GradeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Grade::parse(&value)
    }
}

impl From<Grade> for String {
    fn from(grade: Grade) -> Self {
        grade.code()
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// Something noted about a person for a period, such as being a change agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "server", derive(async_graphql::Enum))]
#[cfg_attr(feature = "server", graphql(rename_items = "SCREAMING_SNAKE_CASE"))]
pub enum PersonFlagKind {
    /// Appointed change agent for the internal change process (from 2018).
    ChangeAgent,
    /// Member of the task force that built the responsibility and accountability framework.
    TaskForceMember,
    /// Staff representative (staff union).
    StaffRepresentative,
}

impl PersonFlagKind {
    pub const ALL: [PersonFlagKind; 3] = [
        PersonFlagKind::ChangeAgent,
        PersonFlagKind::TaskForceMember,
        PersonFlagKind::StaffRepresentative,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PersonFlagKind::ChangeAgent => "CHANGE_AGENT",
            PersonFlagKind::TaskForceMember => "TASK_FORCE_MEMBER",
            PersonFlagKind::StaffRepresentative => "STAFF_REPRESENTATIVE",
        }
    }

    pub fn from_code(code: &str) -> Option<PersonFlagKind> {
        PersonFlagKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[cfg(test)]
mod people_tests {
    use super::*;

    #[test]
    fn grades_parse_and_print() {
        for text in ["P-1", "P-5", "D-1", "D-2", "G-1", "G-7", "ASG", "USG"] {
            assert_eq!(Grade::parse(text).map(|g| g.code()), Ok(text.to_owned()));
        }
        assert_eq!(Grade::parse(" p-4 ").map(|g| g.code()), Ok("P-4".into()));
        for bad in ["P-6", "D-3", "G-0", "G-8", "P4", "X-1", "USG-1", "", "P-"] {
            assert!(Grade::parse(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn languages_and_flags_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
        }
        for flag in PersonFlagKind::ALL {
            assert_eq!(PersonFlagKind::from_code(flag.code()), Some(flag));
        }
    }
}

/// A work e-mail address, checked for the form RFC 5322 gives (not for existence), stored
/// lower-case so the same address cannot be entered twice in different cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an e-mail address")]
pub struct EmailError(pub String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let address = raw.trim().to_lowercase();
        if address.len() > 254 || !email_address::EmailAddress::is_valid(&address) {
            return Err(EmailError(raw.to_owned()));
        }
        Ok(Email(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

/// A person's or unit's name: trimmed, not empty, at most `max` characters.
pub fn clean_name(raw: &str, max: usize) -> Result<String, NameError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    if length == 0 {
        return Err(NameError::Empty);
    }
    if length > max {
        return Err(NameError::TooLong { max, length });
    }
    Ok(name)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a name cannot be empty")]
    Empty,
    #[error("a name has at most {max} characters, this one has {length}")]
    TooLong { max: usize, length: usize },
}

#[cfg(test)]
mod input_tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            Email::parse(" Amina.Mwangi@Habitat.Example ").map(|e| e.as_str().to_owned()),
            Ok("amina.mwangi@habitat.example".into())
        );
        for bad in [
            "",
            "amina",
            "amina@",
            "@habitat.example",
            "a b@habitat.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            clean_name("  Amina   Mwangi ", 200),
            Ok("Amina Mwangi".into())
        );
        assert_eq!(clean_name("   ", 200), Err(NameError::Empty));
        assert_eq!(
            clean_name("abcd", 3),
            Err(NameError::TooLong { max: 3, length: 4 })
        );
    }
}
