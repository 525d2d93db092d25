use serde_json::{Value, json};
use steward_tests::{AppOptions, DbKind, TestApp, on_both_databases};

const ORG_UNITS: &str = "{ orgUnits { id code name kind parentId } }";

async fn org_units_come_from_the_demo_organisation(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let response = app.graphql(ORG_UNITS, Value::Null).await;
    assert!(response.get("errors").is_none(), "{response}");
    let units = response["data"]["orgUnits"].as_array().unwrap();
    assert_eq!(units.len(), 34);

    let oed = &units[0];
    assert_eq!(oed["code"], "OED");
    assert_eq!(oed["name"], "Office of the Executive Director");
    assert_eq!(oed["kind"], "EXECUTIVE_OFFICE");
    assert_eq!(oed["parentId"], Value::Null);

    // Every parent reference points at a unit of the list: the tree is whole.
    let by_code = |code: &str| units.iter().find(|u| u["code"] == code).unwrap();
    let roap = by_code("ROAP");
    assert_eq!(roap["kind"], "REGIONAL_OFFICE");
    assert_eq!(roap["parentId"], by_code("RPD")["id"]);
    for unit in units {
        if let Some(parent) = unit["parentId"].as_str() {
            assert!(units.iter().any(|u| u["id"] == parent), "orphan {unit}");
        }
    }
    app.stop().await;
}

async fn a_database_without_demo_data_has_no_org_units(kind: DbKind) {
    let options = AppOptions {
        demo: false,
        ..AppOptions::default()
    };
    let Some(app) = TestApp::spawn_with(kind, options).await else {
        return;
    };
    let response = app.graphql(ORG_UNITS, Value::Null).await;
    assert_eq!(response["data"], json!({ "orgUnits": [] }));
    assert!(response.get("errors").is_none());
    app.stop().await;
}

async fn demo_data_is_loaded_once_however_often_the_server_starts(kind: DbKind) {
    let Some(first) = TestApp::spawn(kind).await else {
        return;
    };
    let second = TestApp::spawn_on(first.database.borrow(), AppOptions::default()).await;
    let response = second.graphql("{ orgUnits { code } }", Value::Null).await;
    assert_eq!(response["data"]["orgUnits"].as_array().unwrap().len(), 34);
    second.stop().await;
    first.stop().await;
}

async fn unknown_fields_are_refused_with_a_clear_message(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let response = app.graphql("{ orgUnits { budget } }", Value::Null).await;
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("budget"), "{message}");
    assert_eq!(response["data"], Value::Null);
    app.stop().await;
}

on_both_databases!(
    org_units_come_from_the_demo_organisation,
    a_database_without_demo_data_has_no_org_units,
    demo_data_is_loaded_once_however_often_the_server_starts,
    unknown_fields_are_refused_with_a_clear_message,
);
