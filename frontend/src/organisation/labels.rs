//! The organisation's words, translated.

use steward_shared::organisation::{GradeCategory, Language, OrgUnitKind, PersonFlagKind};

use crate::i18n::{Key, Locale};

pub fn kind(kind: OrgUnitKind) -> Key {
    match kind {
        OrgUnitKind::ExecutiveOffice => Key::OrganisationKindsExecutiveOffice,
        OrgUnitKind::Division => Key::OrganisationKindsDivision,
        OrgUnitKind::Branch => Key::OrganisationKindsBranch,
        OrgUnitKind::Service => Key::OrganisationKindsService,
        OrgUnitKind::RegionalOffice => Key::OrganisationKindsRegionalOffice,
        OrgUnitKind::CountryOffice => Key::OrganisationKindsCountryOffice,
        OrgUnitKind::LiaisonOffice => Key::OrganisationKindsLiaisonOffice,
    }
}

pub fn category(category: GradeCategory) -> Key {
    match category {
        GradeCategory::Usg => Key::PeopleCategoriesUsg,
        GradeCategory::Asg => Key::PeopleCategoriesAsg,
        GradeCategory::Director => Key::PeopleCategoriesDirector,
        GradeCategory::Professional => Key::PeopleCategoriesProfessional,
        GradeCategory::GeneralService => Key::PeopleCategoriesGeneralService,
    }
}

pub fn flag(flag: PersonFlagKind) -> Key {
    match flag {
        PersonFlagKind::ChangeAgent => Key::PeopleFlagsChangeAgent,
        PersonFlagKind::TaskForceMember => Key::PeopleFlagsTaskForceMember,
        PersonFlagKind::StaffRepresentative => Key::PeopleFlagsStaffRepresentative,
    }
}

/// Org unit names are held in English and Chinese; other languages read the English ones.
pub fn name_language(locale: Locale) -> Language {
    match locale.tag() {
        "zh" => Language::Zh,
        _ => Language::En,
    }
}
