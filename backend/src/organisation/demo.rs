//! The demo organisation: UN-Habitat's secretariat after the 2019–2020 restructuring, in the
//! realistic shape `shared/source/facts.md` sketches (the report names no exact units).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use steward_shared::organisation::OrgUnitKind::{self, *};

use super::org_unit;

/// (code, parent code, kind, English name), parents listed before their children.
pub const ORG_UNITS: &[(&str, Option<&str>, OrgUnitKind, &str)] = &[
    (
        "OED",
        None,
        ExecutiveOffice,
        "Office of the Executive Director",
    ),
    (
        "ERSKID",
        None,
        Division,
        "External Relations, Strategy, Knowledge and Innovation Division",
    ),
    (
        "ERSKID-ER",
        Some("ERSKID"),
        Branch,
        "External Relations Branch",
    ),
    (
        "ERSKID-SPB",
        Some("ERSKID"),
        Branch,
        "Strategy and Policy Branch",
    ),
    (
        "ERSKID-KIB",
        Some("ERSKID"),
        Branch,
        "Knowledge and Innovation Branch",
    ),
    ("GSD", None, Division, "Global Solutions Division"),
    (
        "GSD-LHSB",
        Some("GSD"),
        Branch,
        "Land, Housing and Shelter Branch",
    ),
    (
        "GSD-UBSB",
        Some("GSD"),
        Branch,
        "Urban Basic Services Branch",
    ),
    (
        "GSD-PFEB",
        Some("GSD"),
        Branch,
        "Planning, Finance and Economy Branch",
    ),
    (
        "GSD-PLGB",
        Some("GSD"),
        Branch,
        "Policy, Legislation and Governance Branch",
    ),
    ("GSD-UPB", Some("GSD"), Branch, "Urban Practices Branch"),
    ("RPD", None, Division, "Regional Programmes Division"),
    (
        "ROAF",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Africa",
    ),
    (
        "CO-MOZ",
        Some("ROAF"),
        CountryOffice,
        "Mozambique Country Office",
    ),
    (
        "CO-SOM",
        Some("ROAF"),
        CountryOffice,
        "Somalia Country Office",
    ),
    (
        "CO-KEN",
        Some("ROAF"),
        CountryOffice,
        "Kenya Country Office",
    ),
    (
        "ROAS",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Arab States",
    ),
    (
        "CO-EGY",
        Some("ROAS"),
        CountryOffice,
        "Egypt Country Office",
    ),
    ("CO-IRQ", Some("ROAS"), CountryOffice, "Iraq Country Office"),
    (
        "CO-LBN",
        Some("ROAS"),
        CountryOffice,
        "Lebanon Country Office",
    ),
    (
        "ROAP",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Asia and the Pacific",
    ),
    (
        "CO-AFG",
        Some("ROAP"),
        CountryOffice,
        "Afghanistan Country Office",
    ),
    (
        "CO-MMR",
        Some("ROAP"),
        CountryOffice,
        "Myanmar Country Office",
    ),
    (
        "ROLAC",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Latin America and the Caribbean",
    ),
    (
        "CO-COL",
        Some("ROLAC"),
        CountryOffice,
        "Colombia Country Office",
    ),
    (
        "CO-BRA",
        Some("ROLAC"),
        CountryOffice,
        "Brazil Country Office",
    ),
    (
        "MACS",
        None,
        Service,
        "Management, Advisory and Compliance Service",
    ),
    ("MACS-FIN", Some("MACS"), Service, "Finance"),
    ("MACS-HR", Some("MACS"), Service, "Human Resources"),
    ("MACS-LEG", Some("MACS"), Service, "Legal Office"),
    ("MACS-RISK", Some("MACS"), Service, "Risk Management"),
    ("LO-NY", None, LiaisonOffice, "New York Liaison Office"),
    ("LO-GVA", None, LiaisonOffice, "Geneva Liaison Office"),
    ("LO-BXL", None, LiaisonOffice, "Brussels Liaison Office"),
];

/// Inserts the demo org units. The caller runs this inside its write transaction.
pub async fn load<C: ConnectionTrait>(txn: &C) -> Result<usize, DbErr> {
    let now = Utc::now();
    let mut ids: HashMap<&str, i32> = HashMap::new();
    for (position, (code, parent, kind, name)) in ORG_UNITS.iter().enumerate() {
        let parent_id = match parent {
            Some(parent) => Some(*ids.get(parent).ok_or_else(|| {
                DbErr::Custom(format!(
                    "demo org unit {code} listed before its parent {parent}"
                ))
            })?),
            None => None,
        };
        let inserted = org_unit::ActiveModel {
            code: Set((*code).to_owned()),
            name: Set((*name).to_owned()),
            kind: Set(kind.code().to_owned()),
            parent_id: Set(parent_id),
            sort_order: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        ids.insert(code, inserted.id);
    }
    Ok(ORG_UNITS.len())
}

#[cfg(test)]
mod tests {
    use super::ORG_UNITS;
    use std::collections::HashSet;
    use steward_shared::organisation::OrgUnitCode;

    #[test]
    fn demo_units_are_a_valid_tree_of_about_thirty() {
        let mut seen = HashSet::new();
        for (code, parent, _, name) in ORG_UNITS {
            assert!(
                OrgUnitCode::parse(code).is_ok(),
                "{code} is not a valid code"
            );
            assert!(!name.is_empty());
            if let Some(parent) = parent {
                assert!(
                    seen.contains(parent),
                    "{code} comes before its parent {parent}"
                );
            }
            assert!(seen.insert(*code), "{code} is listed twice");
        }
        assert!((28..=40).contains(&ORG_UNITS.len()));
    }
}
