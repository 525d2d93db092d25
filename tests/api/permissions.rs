//! The permission table of `shared/`, walked in full over HTTP: for every role and every
//! operation, the server allows exactly what the table grants. A refusal is `FORBIDDEN` (or
//! 403 for files), changes nothing and writes no audit record; anonymous callers get
//! `UNAUTHENTICATED` for everything; read-only tokens change nothing; scoped roles act only
//! within their unit.

use std::collections::HashMap;

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use steward_shared::access::{Operation, Reach, Role, reach};
use steward_tests::{DbKind, TestApp, client_with_token, on_both_databases};

/// Records the probes use, looked up once by the administrator.
struct Fixture {
    /// A member of ROAP (the Regional Office for Asia and the Pacific).
    roap_person: String,
    /// A member of the executive office.
    oed_person: String,
    unit: String,
    /// An account whose password the account probe resets.
    other_account: String,
    /// A person (not the caller) who has an account.
    person_with_account: String,
    /// Fresh grants for the grant probes, per place (ROAP, OED) and stage; each probe takes
    /// its own, so allowed steps can be repeated.
    grants: std::sync::Mutex<HashMap<(Place, GrantStage), Vec<String>>>,
    /// A grant to read.
    sample_grant: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    Roap,
    Oed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum GrantStage {
    /// Field activities under way.
    Active,
    /// Submitted for financial closure.
    Submitted,
}

impl Fixture {
    fn place(&self, person: &str) -> Place {
        if person == self.oed_person {
            Place::Oed
        } else {
            Place::Roap
        }
    }

    fn take_grant(&self, place: Place, stage: GrantStage) -> String {
        self.grants
            .lock()
            .unwrap()
            .get_mut(&(place, stage))
            .and_then(Vec::pop)
            .expect("enough fresh grants for the probes")
    }
}

/// Puts `count` grants per place and stage where the grant probes need them (directly in the
/// database: the probes test permissions, not the workflow), and rebuilds the closure tally.
async fn grant_pools(app: &TestApp) -> HashMap<(Place, GrantStage), Vec<String>> {
    use sea_orm::{ConnectionTrait, Statement};
    let count = 30;
    let db = app.db.writer();
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id FROM \"grant\" ORDER BY id LIMIT {}", count * 4),
        ))
        .await
        .unwrap();
    let ids: Vec<i32> = rows
        .iter()
        .map(|r| r.try_get_by_index(0).unwrap())
        .collect();
    let unit_of = |code: &str| format!("(SELECT id FROM org_unit WHERE code = '{code}')");
    let mut pools = HashMap::new();
    for (n, chunk) in ids.chunks(count).enumerate() {
        let place = if n % 2 == 0 { Place::Roap } else { Place::Oed };
        let stage = if n < 2 {
            GrantStage::Active
        } else {
            GrantStage::Submitted
        };
        let unit = unit_of(if place == Place::Roap { "ROAP" } else { "OED" });
        let list = chunk
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let set = match stage {
            GrantStage::Active => {
                "status = 'ACTIVE', activities_completed_on = NULL, donor_deadline = NULL, \
                 operationally_closed_on = NULL, financially_closed_on = NULL, closure_due_on = NULL, due_year = NULL, \
                 agreement_start = '2018-01-01'"
            }
            GrantStage::Submitted => {
                "status = 'OPERATIONALLY_CLOSED', activities_completed_on = '2019-01-01', \
                 donor_deadline = NULL, operationally_closed_on = '2019-02-01', financially_closed_on = NULL, \
                 closure_due_on = '2019-07-01', due_year = 2019, submitted_by_account_id = NULL"
            }
        };
        db.execute_raw(Statement::from_string(
            backend,
            format!("UPDATE \"grant\" SET {set}, org_unit_id = {unit} WHERE id IN ({list})"),
        ))
        .await
        .unwrap();
        pools.insert(
            (place, stage),
            chunk
                .iter()
                .map(|id| steward::graphql::relay::global_id("Grant", *id).to_string())
                .collect(),
        );
    }
    steward::grants::tally::rebuild(db).await.unwrap();
    pools
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Refused(String),
}

fn outcome_of(response: &Value) -> Outcome {
    match response["errors"][0]["extensions"]["code"].as_str() {
        None => Outcome::Allowed,
        Some(code) => Outcome::Refused(code.to_owned()),
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let people = app
        .graphql(
            r#"{ roap: people(first: 1, filter: { orgUnitCode: "ROAP" }) { nodes { id } }
                 oed: people(first: 1, filter: { orgUnitCode: "OED" }) { nodes { id } }
                 orgUnit(code: "ROAP") { id }
                 accounts(first: 2, filter: { role: STAFF }) { nodes { id person { id } } } }"#,
            json!({}),
        )
        .await;
    let data = &people["data"];
    Fixture {
        roap_person: data["roap"]["nodes"][0]["id"].as_str().unwrap().to_owned(),
        oed_person: data["oed"]["nodes"][0]["id"].as_str().unwrap().to_owned(),
        unit: data["orgUnit"]["id"].as_str().unwrap().to_owned(),
        other_account: data["accounts"]["nodes"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        person_with_account: data["accounts"]["nodes"][0]["person"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        sample_grant: steward::graphql::relay::global_id("Grant", 1).to_string(),
        grants: std::sync::Mutex::new(grant_pools(app).await),
    }
}

async fn version_of(app: &TestApp, id: &str) -> i64 {
    let response = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Person { version } ... on OrgUnit { version } } }",
            json!({ "id": id }),
        )
        .await;
    response["data"]["node"]["version"].as_i64().unwrap()
}

async fn audit_count(app: &TestApp) -> i64 {
    let response = app
        .graphql("{ auditTrail(first: 0) { totalCount } }", json!({}))
        .await;
    response["data"]["auditTrail"]["totalCount"]
        .as_i64()
        .unwrap()
}

fn http_outcome(status: reqwest::StatusCode) -> Outcome {
    match status.as_u16() {
        200 => Outcome::Allowed,
        401 => Outcome::Refused("UNAUTHENTICATED".into()),
        403 => Outcome::Refused("FORBIDDEN".into()),
        other => panic!("unexpected status {other}"),
    }
}

/// Every way the API offers `operation`: root fields, `node(id:)`, nested fields and files.
/// All of them must agree.
async fn probe(
    app: &TestApp,
    client: &reqwest::Client,
    operation: Operation,
    fx: &Fixture,
    person: &str,
) -> Vec<Outcome> {
    let gql = |query: &'static str, variables: Value| async move {
        outcome_of(&app.graphql_with(client, query, variables).await)
    };
    match operation {
        Operation::ReadOrganisation => vec![
            gql("{ orgUnits(first: 1) { totalCount } }", json!({})).await,
            gql("{ people(first: 1) { nodes { name } } }", json!({})).await,
            gql(
                "query($id: ID!) { node(id: $id) { ... on Person { name } } }",
                json!({ "id": fx.roap_person }),
            )
            .await,
            http_outcome(
                client
                    .get(app.url("/api/exports/org-units"))
                    .send()
                    .await
                    .unwrap()
                    .status(),
            ),
        ],
        Operation::EditPerson => {
            let version = version_of(app, person).await;
            vec![
                gql(
                    "mutation($id: ID!, $v: Int!) { updatePerson(input: { id: $id, version: $v, active: true }) { version } }",
                    json!({ "id": person, "v": version }),
                )
                .await,
            ]
        }
        Operation::RenameOrgUnit => {
            let version = version_of(app, &fx.unit).await;
            vec![
                gql(
                    "mutation($id: ID!, $v: Int!) { renameOrgUnit(input: { id: $id, version: $v, language: ZH, name: \"亚洲及太平洋区域办事处\" }) { version } }",
                    json!({ "id": fx.unit, "v": version }),
                )
                .await,
            ]
        }
        Operation::ImportPeople => {
            let file = Part::bytes(b"name,email\nNew Person,new.person@habitat.example\n".to_vec())
                .file_name("people.csv");
            vec![http_outcome(
                client
                    .post(app.url("/api/imports/people"))
                    .multipart(Form::new().part("file", file))
                    .send()
                    .await
                    .unwrap()
                    .status(),
            )]
        }
        Operation::ImportGrants => {
            let file = Part::bytes(b"number,title\n".to_vec()).file_name("grants.csv");
            vec![http_outcome(
                client
                    .post(app.url("/api/imports/grants"))
                    .multipart(Form::new().part("file", file))
                    .send()
                    .await
                    .unwrap()
                    .status(),
            )]
        }
        Operation::ReadAccounts => vec![
            gql("{ accounts(first: 1) { totalCount } }", json!({})).await,
            gql(
                "query($id: ID!) { node(id: $id) { ... on Account { email } } }",
                json!({ "id": fx.other_account }),
            )
            .await,
            gql(
                "query($id: ID!) { node(id: $id) { ... on Person { account { email } } } }",
                json!({ "id": fx.person_with_account }),
            )
            .await,
        ],
        Operation::ManageAccounts => vec![
            gql(
                "mutation($id: ID!) { resetPassword(input: { account: $id, newPassword: \"a long new passphrase\", reason: \"permission test\" }) { version } }",
                json!({ "id": fx.other_account }),
            )
            .await,
        ],
        Operation::ReadAuditTrail => vec![
            gql("{ auditTrail(first: 1) { totalCount } }", json!({})).await,
            http_outcome(
                client
                    .get(app.url("/api/exports/audit-trail"))
                    .send()
                    .await
                    .unwrap()
                    .status(),
            ),
        ],
        Operation::ReadSecurityLog => vec![
            gql("{ securityLog(first: 1) { totalCount } }", json!({})).await,
        ],
        Operation::ReadGrants => {
            let grant = &fx.sample_grant;
            vec![
                gql("{ grants(first: 1) { totalCount } }", json!({})).await,
                gql("{ closureTotal { due } }", json!({})).await,
                gql(
                    "query($id: ID!) { node(id: $id) { ... on Grant { number } } }",
                    json!({ "id": grant }),
                )
                .await,
            ]
        }
        Operation::EditGrants => {
            let grant = fx.take_grant(fx.place(person), GrantStage::Active);
            vec![
                gql(
                    "mutation($g: ID!) { completeGrantActivities(input: { grant: $g, version: 1, completedOn: \"2020-06-30\" }) { status } }",
                    json!({ "g": grant }),
                )
                .await,
            ]
        }
        Operation::ApproveGrantClosure => {
            let grant = fx.take_grant(fx.place(person), GrantStage::Submitted);
            vec![
                gql(
                    "mutation($g: ID!) { approveGrantClosure(input: { grant: $g, version: 1, financiallyClosedOn: \"2019-06-30\" }) { status } }",
                    json!({ "g": grant }),
                )
                .await,
            ]
        }
        Operation::ManageOwnAccount => vec![
            gql(
                "mutation { createApiToken(input: { name: \"permission test\" }) { token } }",
                json!({}),
            )
            .await,
        ],
    }
}

/// Runs the probes of `operation` and checks them against `expected`; a refused write must
/// leave the audit trail (and so the data) as it was. Returns how many requests it checked.
async fn check(
    app: &TestApp,
    client: &reqwest::Client,
    operation: Operation,
    fx: &Fixture,
    person: &str,
    expected: &Outcome,
    who: &str,
) -> usize {
    let before = audit_count(app).await;
    let outcomes = probe(app, client, operation, fx, person).await;
    for outcome in &outcomes {
        assert_eq!(outcome, expected, "{who} × {operation}");
    }
    if *expected != Outcome::Allowed && operation.writes() {
        assert_eq!(
            audit_count(app).await,
            before,
            "{who} × {operation}: a refused change left an audit record"
        );
    }
    outcomes.len()
}

async fn every_role_gets_exactly_what_the_table_grants(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let fx = fixture(&app).await;
    let mut cases = 0;
    let mut requests = 0;
    for role in Role::ALL {
        let client = app.client_as(role, None).await;
        for operation in Operation::ALL {
            let expected = if reach(role, operation).is_some() {
                Outcome::Allowed
            } else {
                Outcome::Refused("FORBIDDEN".into())
            };
            requests += check(
                &app,
                &client,
                operation,
                &fx,
                &fx.roap_person,
                &expected,
                role.code(),
            )
            .await;
            cases += 1;
        }
    }

    // Roles held for one unit: an in-scope grant reaches that unit's people and no others;
    // everywhere-grants are unaffected by the scope.
    for role in Role::ALL
        .into_iter()
        .filter(|r| !r.needs_organisation_scope())
    {
        let client = app.client_as(role, Some("ROAP")).await;
        for operation in Operation::ALL {
            let (inside, outside) = match reach(role, operation) {
                None => (false, false),
                Some(Reach::Everywhere) => (true, true),
                // Unit-scoped: only what concerns the unit's people.
                Some(Reach::InScope) => (true, false),
            };
            let expect = |allowed: bool| {
                if allowed {
                    Outcome::Allowed
                } else {
                    Outcome::Refused("FORBIDDEN".into())
                }
            };
            let who = format!("{role} of ROAP");
            if matches!(
                operation,
                Operation::EditPerson | Operation::EditGrants | Operation::ApproveGrantClosure
            ) {
                requests += check(
                    &app,
                    &client,
                    operation,
                    &fx,
                    &fx.roap_person,
                    &expect(inside),
                    &who,
                )
                .await;
                requests += check(
                    &app,
                    &client,
                    operation,
                    &fx,
                    &fx.oed_person,
                    &expect(outside),
                    &who,
                )
                .await;
                cases += 2;
            } else {
                let allowed = inside && (outside || operation == Operation::ManageOwnAccount);
                requests += check(
                    &app,
                    &client,
                    operation,
                    &fx,
                    &fx.roap_person,
                    &expect(allowed),
                    &who,
                )
                .await;
                cases += 1;
            }
        }
    }

    // A read-only token of an administrator reads everything and changes nothing.
    let read_only = {
        let response = app
            .graphql(
                "mutation { createApiToken(input: { name: \"read-only\", readOnly: true }) { token } }",
                json!({}),
            )
            .await;
        client_with_token(response["data"]["createApiToken"]["token"].as_str())
    };
    for operation in Operation::ALL {
        let expected = if operation.writes() {
            Outcome::Refused("FORBIDDEN".into())
        } else {
            Outcome::Allowed
        };
        requests += check(
            &app,
            &read_only,
            operation,
            &fx,
            &fx.roap_person,
            &expected,
            "read-only token",
        )
        .await;
        cases += 1;
    }

    // Nobody signed in: everything is UNAUTHENTICATED.
    for operation in Operation::ALL {
        requests += check(
            &app,
            &app.anonymous,
            operation,
            &fx,
            &fx.roap_person,
            &Outcome::Refused("UNAUTHENTICATED".into()),
            "anonymous",
        )
        .await;
        cases += 1;
    }
    eprintln!("permission table: {cases} role × operation cases, {requests} requests checked");
    assert!(cases >= 9 * 12 + 6 * 12 + 12 + 12);

    // Every refusal above is in the security log.
    let log = app
        .graphql(
            "{ securityLog(first: 1, filter: { kinds: [ACCESS_REFUSED] }) { totalCount nodes { detail } } }",
            json!({}),
        )
        .await;
    assert!(
        log["data"]["securityLog"]["totalCount"].as_i64().unwrap() > 50,
        "{log}"
    );
    app.stop().await;
}

async fn a_refused_operation_costs_few_statements(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let staff = app.client_as(Role::Staff, None).await;
    // Warm up: the token's first use is recorded.
    app.graphql_with(&staff, "{ viewer { readOnly } }", json!({}))
        .await;
    let before = app.db.statements_run();
    let response = app
        .graphql_with(&staff, "{ auditTrail(first: 5) { totalCount } }", json!({}))
        .await;
    let statements = app.db.statements_run() - before;
    assert_eq!(outcome_of(&response), Outcome::Refused("FORBIDDEN".into()));
    eprintln!("a refused operation ran {statements} SQL statements");
    // Token + account (1), roles (1), the security log line (1).
    assert!(statements <= 4, "{statements} statements");
    app.stop().await;
}

on_both_databases!(
    every_role_gets_exactly_what_the_table_grants,
    a_refused_operation_costs_few_statements,
);
