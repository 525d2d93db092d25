//! The audit trail: written with every change in the same transaction, never for a failed
//! change, append-only in the database itself, readable per record, person and period, and
//! exportable as CSV.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use steward_tests::{DbKind, Role, TestApp, on_both_databases};

fn code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

async fn changes_are_recorded_with_who_what_before_and_after(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let person = app
        .graphql(
            "{ people(first: 1, filter: { orgUnitCode: \"OED\" }) { nodes { id name version } } }",
            json!({}),
        )
        .await;
    let person = person["data"]["people"]["nodes"][0].clone();
    let update = "mutation($id: ID!, $v: Int!, $g: String) { updatePerson(input: { id: $id, version: $v, grade: $g }) { version } }";
    let done = app
        .graphql(
            update,
            json!({ "id": person["id"], "v": person["version"], "g": "D-2" }),
        )
        .await;
    assert!(done["errors"].is_null(), "{done}");
    // A stale version fails and leaves no trace.
    let stale = app
        .graphql(
            update,
            json!({ "id": person["id"], "v": person["version"], "g": "P-5" }),
        )
        .await;
    assert_eq!(code(&stale), Some("CONFLICT"));

    let trail = app
        .graphql(
            "query($id: ID!) { auditTrail(filter: { record: $id }) { totalCount nodes { actor actorAccountId requestId entity recordId action before after } } }",
            json!({ "id": person["id"] }),
        )
        .await;
    let trail = &trail["data"]["auditTrail"];
    assert_eq!(trail["totalCount"], 1, "{trail}");
    let entry = &trail["nodes"][0];
    assert_eq!(entry["entity"], "Person");
    assert_eq!(entry["recordId"], person["id"]);
    assert_eq!(entry["action"], "update");
    assert_eq!(entry["after"]["grade"], "D-2");
    assert_ne!(entry["before"]["grade"], "D-2");
    assert!(
        entry["actor"]
            .as_str()
            .unwrap()
            .starts_with("administrator-")
    );
    assert!(entry["requestId"].as_str().unwrap().len() >= 16);

    // Per person (actor) and per period.
    let by_actor = app
        .graphql(
            "query($a: ID!) { auditTrail(filter: { actor: $a, from: \"2000-01-01\", to: \"2999-12-31\" }) { totalCount } }",
            json!({ "a": entry["actorAccountId"] }),
        )
        .await;
    assert!(
        by_actor["data"]["auditTrail"]["totalCount"]
            .as_i64()
            .unwrap()
            >= 1
    );
    let long_ago = app
        .graphql(
            "{ auditTrail(filter: { to: \"2001-01-01\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(long_ago["data"]["auditTrail"]["totalCount"], 0);
    let backwards = app
        .graphql(
            "{ auditTrail(filter: { from: \"2026-02-01\", to: \"2026-01-01\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&backwards), Some("VALIDATION"));

    // CSV export, for auditors; not for staff.
    let auditor = app.client_as(Role::Auditor, None).await;
    let csv = auditor
        .get(app.url(&format!(
            "/api/exports/audit-trail?record={}",
            person["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with(
        "at,actor,actor_account_id,request_id,entity,record_id,action,before,after,reason"
    ));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(
        rows[0].contains(",Person,") && rows[0].contains("D-2"),
        "{text}"
    );
    let staff = app.client_as(Role::Staff, None).await;
    let refused = staff
        .get(app.url("/api/exports/audit-trail"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    app.stop().await;
}

async fn the_trail_and_the_security_log_cannot_be_rewritten(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let unit = app
        .graphql("{ orgUnit(code: \"RPD\") { id version } }", json!({}))
        .await;
    let unit = &unit["data"]["orgUnit"];
    let renamed = app
        .graphql(
            "mutation($id: ID!, $v: Int!) { renameOrgUnit(input: { id: $id, version: $v, language: EN, name: \"Regional Programmes Division (renamed)\" }) { version } }",
            json!({ "id": unit["id"], "v": unit["version"] }),
        )
        .await;
    assert!(renamed["errors"].is_null(), "{renamed}");
    for table in ["audit_record", "security_event"] {
        for statement in [
            format!("UPDATE {table} SET request_id = 'forged'"),
            format!("DELETE FROM {table}"),
        ] {
            let result = app.db.writer().execute_unprepared(&statement).await;
            let error = result
                .expect_err(&format!("{statement} must fail"))
                .to_string();
            assert!(error.contains("append-only"), "{statement}: {error}");
        }
    }
    let trail = app
        .graphql(
            "{ auditTrail(filter: { entity: \"OrgUnit\" }) { nodes { action after requestId } } }",
            json!({}),
        )
        .await;
    let entry = &trail["data"]["auditTrail"]["nodes"][0];
    assert_eq!(entry["action"], "rename");
    assert_eq!(
        entry["after"]["name"],
        "Regional Programmes Division (renamed)"
    );
    assert_ne!(entry["requestId"], "forged");
    app.stop().await;
}

on_both_databases!(
    changes_are_recorded_with_who_what_before_and_after,
    the_trail_and_the_security_log_cannot_be_rewritten,
);
