//! The GraphQL schema is a reviewed contract: `schema.graphql` must equal what the server
//! serves (after an intended change run `./dev schema` and commit the diff), and everything in
//! it is described for the analysts who write their own queries.

use serde_json::Value;
use steward_tests::{DbKind, TestApp};

#[test]
fn checked_in_sdl_matches_the_server() {
    let path = steward_tests::workspace_dir().join("schema.graphql");
    let checked_in = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let served = steward::graphql::sdl();
    assert!(
        checked_in == served,
        "schema.graphql is out of date: run `./dev schema` and review the diff"
    );
}

const INTROSPECTION: &str = "{ __schema { types {
    name kind description
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description }
} } }";

/// GraphQL's own scalars, described by the specification rather than by us.
const BUILT_IN: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

fn described(item: &Value) -> bool {
    item["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_described() {
    let app = TestApp::spawn(DbKind::Sqlite).await.unwrap();
    let response = app.graphql(INTROSPECTION, Value::Null).await;
    let types = response["data"]["__schema"]["types"].as_array().unwrap();
    let mut missing = Vec::new();
    for ty in types {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") || BUILT_IN.contains(&name) {
            continue;
        }
        if !described(ty) {
            missing.push(format!("type {name}"));
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap();
            if !described(field) {
                missing.push(format!("field {name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!("argument {name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for input in ty["inputFields"].as_array().into_iter().flatten() {
            if !described(input) {
                missing.push(format!("input field {name}.{}", input["name"]));
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if !described(value) {
                missing.push(format!("enum value {name}.{}", value["name"]));
            }
        }
    }
    // The connection types generated per node type are part of the walk.
    assert!(types.iter().any(|t| t["name"] == "OrgUnitConnection"));
    assert!(types.iter().any(|t| t["name"] == "PageInfo"));
    assert!(missing.is_empty(), "undescribed: {missing:#?}");
    app.stop().await;
}

#[test]
fn the_readme_shows_the_permission_table_of_shared() {
    let readme = std::fs::read_to_string(steward_tests::workspace_dir().join("README.md")).unwrap();
    let table = steward_shared::access::permission_table_markdown();
    assert!(
        readme.contains(&table),
        "README.md's permission table differs from shared/src/access.rs; it should read:\n{table}"
    );
}
