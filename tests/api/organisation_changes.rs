//! Changing the organisation: every update carries the version it read; a stale one is a
//! `CONFLICT` and changes nothing; bad input is a `VALIDATION` error naming its field.

use serde_json::{Value, json};
use steward_tests::{DbKind, TestApp, on_both_databases};

const UPDATE_PERSON: &str = "mutation($input: UpdatePersonInput!) {
    updatePerson(input: $input) { id name email grade { code } active version } }";
const RENAME_UNIT: &str = "mutation($input: RenameOrgUnitInput!) {
    renameOrgUnit(input: $input) { code name chinese: name(language: ZH) version
        nameHistory { language name validFrom validTo } } }";

fn code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

async fn first_person(app: &TestApp) -> Value {
    let response = app
        .graphql(
            "{ people(first: 1) { nodes { id name email grade { code } active version } } }",
            Value::Null,
        )
        .await;
    response["data"]["people"]["nodes"][0].clone()
}

async fn person(app: &TestApp, id: &Value) -> Value {
    let response = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Person { name email grade { code } active version } } }",
            json!({ "id": id }),
        )
        .await;
    response["data"]["node"].clone()
}

async fn a_person_is_updated_with_the_version_read(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let before = first_person(&app).await;
    let input = json!({ "id": before["id"], "version": before["version"], "name": "  Amina   Okello ",
        "grade": "p-4", "email": "Amina.Okello@Habitat.Example", "active": false });
    let response = app.graphql(UPDATE_PERSON, json!({ "input": input })).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    let after = &response["data"]["updatePerson"];
    assert_eq!(after["name"], "Amina Okello");
    assert_eq!(after["email"], "amina.okello@habitat.example");
    assert_eq!(after["grade"]["code"], "P-4");
    assert_eq!(after["active"], false);
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);

    // The same version again is stale now: refused, and nothing changes.
    let stale = json!({ "id": before["id"], "version": before["version"], "name": "Someone Else" });
    let response = app.graphql(UPDATE_PERSON, json!({ "input": stale })).await;
    assert_eq!(code(&response), "CONFLICT", "{response:#}");
    assert_eq!(person(&app, &before["id"]).await["name"], "Amina Okello");
    app.stop().await;
}

async fn bad_input_names_its_field_and_changes_nothing(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let before = first_person(&app).await;
    let id = &before["id"];
    let version = &before["version"];
    for (field, value, expected_field) in [
        ("name", json!("   "), "name"),
        ("name", json!("x".repeat(201)), "name"),
        ("grade", json!("P-9"), "grade"),
        ("email", json!("not an address"), "email"),
    ] {
        let mut input = json!({ "id": id, "version": version });
        input[field] = value;
        let response = app.graphql(UPDATE_PERSON, json!({ "input": input })).await;
        assert_eq!(code(&response), "VALIDATION", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], expected_field);
        assert!(response["errors"][0]["extensions"]["requestId"].is_string());
    }
    assert_eq!(person(&app, id).await, {
        let mut unchanged = before.clone();
        unchanged.as_object_mut().unwrap().remove("id");
        unchanged
    });

    let other = app
        .graphql("{ people(first: 2) { nodes { email } } }", Value::Null)
        .await["data"]["people"]["nodes"][1]["email"]
        .clone();
    let taken = json!({ "id": id, "version": version, "email": other });
    let response = app.graphql(UPDATE_PERSON, json!({ "input": taken })).await;
    assert_eq!(code(&response), "CONFLICT", "{response:#}");
    assert_eq!(
        person(&app, id).await["version"],
        *version,
        "nothing changed"
    );

    let unit_id = app
        .graphql(r#"{ orgUnit(code: "OED") { id } }"#, Value::Null)
        .await["data"]["orgUnit"]["id"]
        .clone();
    let wrong_type = json!({ "id": unit_id, "version": 1, "name": "X" });
    assert_eq!(
        code(
            &app.graphql(UPDATE_PERSON, json!({ "input": wrong_type }))
                .await
        ),
        "BAD_REQUEST"
    );
    let missing = json!({ "id": "UGVyc29uOjk5OTk5OQ", "version": 1, "name": "X" });
    assert_eq!(
        code(
            &app.graphql(UPDATE_PERSON, json!({ "input": missing }))
                .await
        ),
        "NOT_FOUND"
    );
    app.stop().await;
}

async fn of_simultaneous_edits_of_one_version_exactly_one_wins(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let before = first_person(&app).await;
    let edits = (0..10).map(|i| {
        let input = json!({ "id": before["id"], "version": before["version"], "name": format!("Editor {i}") });
        app.graphql(UPDATE_PERSON, json!({ "input": input }))
    });
    // Sent together, so the requests really overlap.
    let responses = futures::future::join_all(edits).await;
    let winners = responses
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    let conflicts = responses.iter().filter(|r| code(r) == "CONFLICT").count();
    assert_eq!((winners, conflicts), (1, 9), "{responses:#?}");
    let after = person(&app, &before["id"]).await;
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
    app.stop().await;
}

async fn a_unit_is_renamed_from_a_date_and_keeps_its_history(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let unit = app
        .graphql(
            r#"{ orgUnit(code: "ERSKID-KIB") { id version name } }"#,
            Value::Null,
        )
        .await["data"]["orgUnit"]
        .clone();
    let input = json!({ "id": unit["id"], "version": unit["version"], "language": "EN",
        "name": "Knowledge, Innovation and Data Branch", "effectiveFrom": "2024-01-01" });
    let response = app.graphql(RENAME_UNIT, json!({ "input": input })).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    let renamed = &response["data"]["renameOrgUnit"];
    assert_eq!(renamed["name"], "Knowledge, Innovation and Data Branch");
    assert_eq!(
        renamed["chinese"], "知识和创新处",
        "other languages keep their name"
    );
    assert_eq!(renamed["version"], unit["version"].as_i64().unwrap() + 1);
    let english: Vec<&Value> = renamed["nameHistory"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["language"] == "EN")
        .collect();
    assert_eq!(english.len(), 2);
    assert_eq!(english[0]["validTo"], "2024-01-01");

    let then = app
        .graphql(
            r#"{ orgUnit(code: "ERSKID-KIB", asOf: "2023-06-30") { name } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        then["data"]["orgUnit"]["name"],
        "Knowledge and Innovation Branch"
    );

    let stale =
        json!({ "id": unit["id"], "version": unit["version"], "language": "EN", "name": "Late" });
    assert_eq!(
        code(&app.graphql(RENAME_UNIT, json!({ "input": stale })).await),
        "CONFLICT"
    );
    let too_early = json!({ "id": unit["id"], "version": renamed["version"], "language": "EN",
        "name": "Too early", "effectiveFrom": "2023-01-01" });
    let response = app
        .graphql(RENAME_UNIT, json!({ "input": too_early }))
        .await;
    assert_eq!(code(&response), "VALIDATION");
    assert_eq!(
        response["errors"][0]["extensions"]["field"],
        "effectiveFrom"
    );
    let now = app
        .graphql(
            r#"{ orgUnit(code: "ERSKID-KIB") { version } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        now["data"]["orgUnit"]["version"], renamed["version"],
        "nothing changed"
    );
    app.stop().await;
}

on_both_databases!(
    a_person_is_updated_with_the_version_read,
    bad_input_names_its_field_and_changes_nothing,
    of_simultaneous_edits_of_one_version_exactly_one_wins,
    a_unit_is_renamed_from_a_date_and_keeps_its_history,
);
