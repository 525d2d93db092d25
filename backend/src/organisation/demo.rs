//! The demo organisation: UN-Habitat's secretariat in the realistic shape `facts.md` sketches
//! (the report names no exact units), with a little history so that "as of" dates matter:
//! before the 2020 restructuring the regional offices sat under a Programme Division, which
//! was then merged into the Regional Programmes Division. People are fictional; the posts
//! (Executive Director, Deputy Executive Director, Chief of Staff a.i., directors, heads of
//! office, change agents, task force members) are the report's.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use steward_shared::organisation::OrgUnitKind::{self, *};
use steward_shared::organisation::{Grade, PersonFlagKind};

use super::{org_unit, org_unit_name, org_unit_revision, person, person_flag, person_membership};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with literal, valid dates below.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn restructuring() -> NaiveDate {
    day(2020, 1, 1)
}

fn long_ago() -> NaiveDate {
    day(2012, 1, 1)
}

/// A unit of today's structure.
pub struct DemoUnit {
    pub code: &'static str,
    pub parent: Option<&'static str>,
    pub kind: OrgUnitKind,
    pub english: &'static str,
    pub chinese: &'static str,
    /// Existed before the 2020 restructuring.
    pub before_2020: bool,
}

const fn unit(
    code: &'static str,
    parent: Option<&'static str>,
    kind: OrgUnitKind,
    english: &'static str,
    chinese: &'static str,
    before_2020: bool,
) -> DemoUnit {
    DemoUnit {
        code,
        parent,
        kind,
        english,
        chinese,
        before_2020,
    }
}

/// Today's structure; parents come before their children.
pub const ORG_UNITS: &[DemoUnit] = &[
    unit(
        "OED",
        None,
        ExecutiveOffice,
        "Office of the Executive Director",
        "执行主任办公室",
        true,
    ),
    unit(
        "ERSKID",
        None,
        Division,
        "External Relations, Strategy, Knowledge and Innovation Division",
        "对外关系、战略、知识和创新司",
        false,
    ),
    unit(
        "ERSKID-ER",
        Some("ERSKID"),
        Branch,
        "External Relations Branch",
        "对外关系处",
        false,
    ),
    unit(
        "ERSKID-SPB",
        Some("ERSKID"),
        Branch,
        "Strategy and Policy Branch",
        "战略和政策处",
        false,
    ),
    unit(
        "ERSKID-KIB",
        Some("ERSKID"),
        Branch,
        "Knowledge and Innovation Branch",
        "知识和创新处",
        false,
    ),
    unit(
        "GSD",
        None,
        Division,
        "Global Solutions Division",
        "全球解决方案司",
        false,
    ),
    unit(
        "GSD-LHSB",
        Some("GSD"),
        Branch,
        "Land, Housing and Shelter Branch",
        "土地、住房和住所处",
        false,
    ),
    unit(
        "GSD-UBSB",
        Some("GSD"),
        Branch,
        "Urban Basic Services Branch",
        "城市基本服务处",
        false,
    ),
    unit(
        "GSD-PFEB",
        Some("GSD"),
        Branch,
        "Planning, Finance and Economy Branch",
        "规划、财政和经济处",
        true,
    ),
    unit(
        "GSD-PLGB",
        Some("GSD"),
        Branch,
        "Policy, Legislation and Governance Branch",
        "政策、立法和治理处",
        false,
    ),
    unit(
        "GSD-UPB",
        Some("GSD"),
        Branch,
        "Urban Practices Branch",
        "城市实践处",
        false,
    ),
    unit(
        "RPD",
        None,
        Division,
        "Regional Programmes Division",
        "区域方案司",
        false,
    ),
    unit(
        "ROAF",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Africa",
        "非洲区域办事处",
        true,
    ),
    unit(
        "CO-MOZ",
        Some("ROAF"),
        CountryOffice,
        "Mozambique Country Office",
        "莫桑比克国家办事处",
        true,
    ),
    unit(
        "CO-SOM",
        Some("ROAF"),
        CountryOffice,
        "Somalia Country Office",
        "索马里国家办事处",
        true,
    ),
    unit(
        "CO-KEN",
        Some("ROAF"),
        CountryOffice,
        "Kenya Country Office",
        "肯尼亚国家办事处",
        true,
    ),
    unit(
        "ROAS",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Arab States",
        "阿拉伯国家区域办事处",
        true,
    ),
    unit(
        "CO-EGY",
        Some("ROAS"),
        CountryOffice,
        "Egypt Country Office",
        "埃及国家办事处",
        true,
    ),
    unit(
        "CO-IRQ",
        Some("ROAS"),
        CountryOffice,
        "Iraq Country Office",
        "伊拉克国家办事处",
        true,
    ),
    unit(
        "CO-LBN",
        Some("ROAS"),
        CountryOffice,
        "Lebanon Country Office",
        "黎巴嫩国家办事处",
        true,
    ),
    unit(
        "ROAP",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Asia and the Pacific",
        "亚洲及太平洋区域办事处",
        true,
    ),
    unit(
        "CO-AFG",
        Some("ROAP"),
        CountryOffice,
        "Afghanistan Country Office",
        "阿富汗国家办事处",
        true,
    ),
    unit(
        "CO-MMR",
        Some("ROAP"),
        CountryOffice,
        "Myanmar Country Office",
        "缅甸国家办事处",
        true,
    ),
    unit(
        "ROLAC",
        Some("RPD"),
        RegionalOffice,
        "Regional Office for Latin America and the Caribbean",
        "拉丁美洲和加勒比区域办事处",
        true,
    ),
    unit(
        "CO-COL",
        Some("ROLAC"),
        CountryOffice,
        "Colombia Country Office",
        "哥伦比亚国家办事处",
        true,
    ),
    unit(
        "CO-BRA",
        Some("ROLAC"),
        CountryOffice,
        "Brazil Country Office",
        "巴西国家办事处",
        true,
    ),
    unit(
        "MACS",
        None,
        Service,
        "Management, Advisory and Compliance Service",
        "管理、咨询和合规事务处",
        false,
    ),
    unit("MACS-FIN", Some("MACS"), Service, "Finance", "财务", false),
    unit(
        "MACS-HR",
        Some("MACS"),
        Service,
        "Human Resources",
        "人力资源",
        false,
    ),
    unit(
        "MACS-LEG",
        Some("MACS"),
        Service,
        "Legal Office",
        "法律办公室",
        false,
    ),
    unit(
        "MACS-RISK",
        Some("MACS"),
        Service,
        "Risk Management",
        "风险管理",
        false,
    ),
    unit(
        "LO-NY",
        None,
        LiaisonOffice,
        "New York Liaison Office",
        "纽约联络处",
        true,
    ),
    unit(
        "LO-GVA",
        None,
        LiaisonOffice,
        "Geneva Liaison Office",
        "日内瓦联络处",
        true,
    ),
    unit(
        "LO-BXL",
        None,
        LiaisonOffice,
        "Brussels Liaison Office",
        "布鲁塞尔联络处",
        true,
    ),
];

/// The division the regional offices and one branch sat under before 2020.
const PROGRAMME_DIVISION: (&str, &str, &str) = ("PD", "Programme Division", "方案司");
/// Units that moved from the Programme Division in the restructuring.
const FORMERLY_UNDER_PD: &[&str] = &["ROAF", "ROAS", "ROAP", "ROLAC", "GSD-PFEB"];
/// The branch that was renamed in the restructuring: its former names.
const FORMER_NAME: (&str, &str, &str) = (
    "GSD-PFEB",
    "Urban Planning and Design Branch",
    "城市规划和设计处",
);

struct Units<'a, C> {
    txn: &'a C,
    ids: HashMap<&'static str, i32>,
    now: chrono::DateTime<Utc>,
}

impl<C: ConnectionTrait> Units<'_, C> {
    fn id(&self, code: &str) -> Result<i32, DbErr> {
        self.ids
            .get(code)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("demo org unit {code} is not loaded yet")))
    }

    async fn unit(
        &mut self,
        code: &'static str,
        established: NaiveDate,
        dissolved: Option<NaiveDate>,
    ) -> Result<i32, DbErr> {
        let row = org_unit::ActiveModel {
            code: Set(code.to_owned()),
            established_on: Set(established),
            dissolved_on: Set(dissolved),
            merged_into_id: Set(None),
            version: Set(1),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        self.ids.insert(code, row.id);
        Ok(row.id)
    }

    async fn revision(
        &self,
        unit: i32,
        from: NaiveDate,
        to: Option<NaiveDate>,
        kind: OrgUnitKind,
        parent: Option<i32>,
        position: usize,
    ) -> Result<(), DbErr> {
        org_unit_revision::ActiveModel {
            org_unit_id: Set(unit),
            valid_from: Set(from),
            valid_to: Set(to),
            kind: Set(kind.code().to_owned()),
            parent_id: Set(parent),
            sort_order: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(())
    }

    async fn name(
        &self,
        unit: i32,
        language: &str,
        name: &str,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> Result<(), DbErr> {
        org_unit_name::ActiveModel {
            org_unit_id: Set(unit),
            language: Set(language.to_owned()),
            name: Set(name.to_owned()),
            short_name: Set(None),
            valid_from: Set(from),
            valid_to: Set(to),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(())
    }
}

/// Inserts the demo organisation and its people. The caller runs this in its write transaction.
pub async fn load<C: ConnectionTrait>(txn: &C) -> Result<DemoCounts, DbErr> {
    let mut units = Units {
        txn,
        ids: HashMap::new(),
        now: Utc::now(),
    };
    let change = restructuring();

    // The Programme Division, until the restructuring merged it into RPD.
    let (pd_code, pd_en, pd_zh) = PROGRAMME_DIVISION;
    let pd = units.unit(pd_code, long_ago(), Some(change)).await?;
    units
        .revision(pd, long_ago(), Some(change), Division, None, 11)
        .await?;
    units
        .name(pd, "en", pd_en, long_ago(), Some(change))
        .await?;
    units
        .name(pd, "zh", pd_zh, long_ago(), Some(change))
        .await?;

    for (position, demo) in ORG_UNITS.iter().enumerate() {
        let DemoUnit {
            code,
            parent,
            kind,
            english,
            chinese,
            before_2020,
        } = demo;
        let established = if *before_2020 { long_ago() } else { change };
        let id = units.unit(code, established, None).await?;
        let parent_id = parent.map(|p| units.id(p)).transpose()?;
        if FORMERLY_UNDER_PD.contains(code) {
            units
                .revision(id, long_ago(), Some(change), *kind, Some(pd), position)
                .await?;
            units
                .revision(id, change, None, *kind, parent_id, position)
                .await?;
        } else {
            units
                .revision(id, established, None, *kind, parent_id, position)
                .await?;
        }
        let (renamed, old_en, old_zh) = FORMER_NAME;
        if *code == renamed {
            units
                .name(id, "en", old_en, long_ago(), Some(change))
                .await?;
            units
                .name(id, "zh", old_zh, long_ago(), Some(change))
                .await?;
            units.name(id, "en", english, change, None).await?;
            units.name(id, "zh", chinese, change, None).await?;
        } else {
            units.name(id, "en", english, established, None).await?;
            units.name(id, "zh", chinese, established, None).await?;
        }
    }
    // The merger: the Programme Division's work went to the Regional Programmes Division.
    let rpd = units.id("RPD")?;
    org_unit::ActiveModel {
        id: Set(pd),
        merged_into_id: Set(Some(rpd)),
        ..Default::default()
    }
    .update(txn)
    .await?;

    let people = load_people(txn, &units).await?;
    Ok(DemoCounts {
        org_units: units.ids.len(),
        people,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub struct DemoCounts {
    pub org_units: usize,
    pub people: usize,
}

/// A post in the demo: (unit, title, grade, head?, acting?, from).
struct Post {
    unit: &'static str,
    title: &'static str,
    grade: &'static str,
    head: bool,
    acting: bool,
    from: NaiveDate,
}

fn leadership() -> Vec<Post> {
    let post = |unit, title, grade, acting, from| Post {
        unit,
        title,
        grade,
        head: true,
        acting,
        from,
    };
    let mut posts = vec![
        post("OED", "Executive Director", "USG", false, day(2018, 1, 22)),
        Post {
            unit: "OED",
            title: "Deputy Executive Director",
            grade: "ASG",
            head: false,
            acting: false,
            from: day(2019, 11, 1),
        },
        Post {
            unit: "OED",
            title: "Chief of Staff",
            grade: "D-1",
            head: false,
            acting: true,
            from: day(2020, 7, 1),
        },
        post("ERSKID", "Director", "D-2", false, day(2020, 1, 1)),
        post("GSD", "Director", "D-2", false, day(2020, 1, 1)),
        post("RPD", "Director", "D-2", false, day(2020, 1, 1)),
        post("MACS", "Chief", "D-1", false, day(2020, 1, 1)),
    ];
    for DemoUnit {
        code: unit, kind, ..
    } in ORG_UNITS
    {
        let (title, grade) = match kind {
            Branch => ("Chief of Branch", "P-5"),
            RegionalOffice => ("Regional Director", "D-1"),
            CountryOffice => ("Head of Office", "P-5"),
            LiaisonOffice => ("Head of Liaison Office", "P-5"),
            Service if unit.starts_with("MACS-") => ("Chief of Section", "P-5"),
            _ => continue,
        };
        posts.push(post(unit, title, grade, false, day(2020, 1, 1)));
    }
    posts
}

const GIVEN: &[&str] = &[
    "Amina", "Wei", "Carlos", "Fatima", "John", "Mei", "Ahmed", "Sofia", "Daniel", "Grace", "Omar",
    "Lucia", "Peter", "Aisha", "Jun", "Maria", "Samuel", "Leila", "David", "Nadia", "Hassan",
    "Elena", "Joseph", "Yuki", "Ibrahim", "Ana", "Michael", "Zainab", "Li", "Rosa", "Kwame",
    "Ingrid", "Ravi", "Chloé", "Tomás", "Esther", "Dmitri", "Salma", "Kofi", "Hana",
];
const FAMILY: &[&str] = &[
    "Mwangi",
    "Chen",
    "Fernández",
    "Haddad",
    "Otieno",
    "Wang",
    "Khan",
    "Rossi",
    "Kamau",
    "Okafor",
    "Nasser",
    "Silva",
    "Njoroge",
    "Rahman",
    "Liu",
    "García",
    "Achieng",
    "Mansour",
    "Smith",
    "Karimi",
    "Ochieng",
    "Petrova",
    "Mensah",
    "Tanaka",
    "Abdi",
    "Costa",
    "Wanjiru",
    "Hussein",
    "Zhang",
    "López",
    "Boateng",
    "Larsen",
    "Sharma",
    "Dubois",
    "Moreno",
    "Wambui",
    "Ivanov",
    "Farah",
    "Asante",
    "Sato",
];

/// How many staff besides the heads each unit has.
fn staff_count(kind: OrgUnitKind) -> usize {
    match kind {
        ExecutiveOffice => 10,
        Division => 4,
        Branch => 8,
        Service => 5,
        RegionalOffice => 7,
        CountryOffice => 5,
        LiaisonOffice => 3,
    }
}

const STAFF_GRADES: &[&str] = &[
    "P-4", "G-5", "P-3", "G-6", "P-2", "G-4", "P-4", "G-7", "P-3", "P-1",
];
const STAFF_TITLES: &[&str] = &[
    "Programme Management Officer",
    "Programme Assistant",
    "Human Settlements Officer",
    "Administrative Assistant",
    "Associate Programme Officer",
    "Team Assistant",
    "Senior Programme Officer",
    "Senior Administrative Assistant",
    "Urban Planner",
    "Programme Officer",
];

async fn load_people<C: ConnectionTrait>(txn: &C, units: &Units<'_, C>) -> Result<usize, DbErr> {
    let now = Utc::now();
    let mut count = 0usize;
    let mut names_used = std::collections::HashSet::new();
    let mut next_name = |i: usize| -> String {
        let mut n = i;
        loop {
            let name = format!(
                "{} {}",
                GIVEN[n % GIVEN.len()],
                FAMILY[(n * 7 + n / GIVEN.len()) % FAMILY.len()]
            );
            if names_used.insert(name.clone()) {
                return name;
            }
            n += 1;
        }
    };
    let mut posts = leadership();
    for DemoUnit {
        code: unit, kind, ..
    } in ORG_UNITS
    {
        for i in 0..staff_count(*kind) {
            let k = count_seed(unit, i);
            posts.push(Post {
                unit,
                title: STAFF_TITLES[k % STAFF_TITLES.len()],
                grade: STAFF_GRADES[k % STAFF_GRADES.len()],
                head: false,
                acting: false,
                from: day(2016 + (k % 5) as i32, 1 + (k % 12) as u32, 1),
            });
        }
    }
    for (i, post) in posts.iter().enumerate() {
        let name = next_name(i);
        // Every tenth member of staff has left: their post ended and they are inactive.
        let left = i >= leadership().len() && i % 10 == 9;
        let grade = Grade::parse(post.grade).map_err(|e| DbErr::Custom(e.to_string()))?;
        let email = format!("{}@habitat.example", email_local_part(&name));
        let person = person::ActiveModel {
            name: Set(name),
            email: Set(Some(email)),
            grade: Set(Some(grade.code())),
            active: Set(!left),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        person_membership::ActiveModel {
            person_id: Set(person.id),
            org_unit_id: Set(units.id(post.unit)?),
            title: Set(post.title.to_owned()),
            is_head: Set(post.head),
            acting: Set(post.acting),
            valid_from: Set(post.from),
            valid_to: Set(left.then(|| day(2020, 12, 31))),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for (flag, since, until) in flags_for(i, post) {
            person_flag::ActiveModel {
                person_id: Set(person.id),
                flag: Set(flag.code().to_owned()),
                since: Set(since),
                until: Set(until),
                note: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        count += 1;
    }
    Ok(count)
}

fn count_seed(unit: &str, i: usize) -> usize {
    unit.bytes().map(usize::from).sum::<usize>() + i * 3
}

/// Change agents (2018, from every division and field office, P and G grades), the members of
/// the accountability-framework task force (January–June 2020), and staff representatives.
fn flags_for(i: usize, post: &Post) -> Vec<(PersonFlagKind, NaiveDate, Option<NaiveDate>)> {
    let mut flags = Vec::new();
    if !post.head && i % 9 == 4 {
        flags.push((PersonFlagKind::ChangeAgent, day(2018, 6, 1), None));
    }
    if !post.head && i % 17 == 6 {
        flags.push((
            PersonFlagKind::TaskForceMember,
            day(2020, 1, 15),
            Some(day(2020, 7, 1)),
        ));
    }
    if post.grade.starts_with("G-") && i % 41 == 12 {
        flags.push((PersonFlagKind::StaffRepresentative, day(2019, 1, 1), None));
    }
    flags
}

fn email_local_part(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            ' ' => '.',
            other => other,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use steward_shared::organisation::OrgUnitCode;

    #[test]
    fn demo_units_are_a_valid_tree_of_about_thirty() {
        let mut seen = HashSet::new();
        for DemoUnit {
            code,
            parent,
            english,
            chinese,
            ..
        } in ORG_UNITS
        {
            assert!(
                OrgUnitCode::parse(code).is_ok(),
                "{code} is not a valid code"
            );
            assert!(!english.is_empty() && !chinese.is_empty());
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

    #[test]
    fn demo_people_number_between_150_and_300() {
        let staff: usize = ORG_UNITS.iter().map(|u| staff_count(u.kind)).sum();
        let total = staff + leadership().len();
        assert!((150..=300).contains(&total), "{total} people");
    }

    #[test]
    fn every_post_has_a_valid_grade() {
        for post in leadership() {
            assert!(Grade::parse(post.grade).is_ok(), "{}", post.grade);
        }
        for grade in STAFF_GRADES {
            assert!(Grade::parse(grade).is_ok(), "{grade}");
        }
    }

    #[test]
    fn email_addresses_are_plain_ascii() {
        assert_eq!(email_local_part("Chloé Fernández"), "chloe.fernandez");
    }
}
