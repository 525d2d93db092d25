//! The organisation over GraphQL: the tree as of any date, names per language, people with
//! filters, Relay paging and global ids.

use serde_json::{Value, json};
use steward_tests::{AppOptions, DbKind, TestApp, on_both_databases};

/// Units of today's structure in the demo data.
const TODAY_UNITS: u64 = 34;

fn data(response: &Value) -> &Value {
    assert!(response.get("errors").is_none(), "{response:#}");
    &response["data"]
}

fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {response:#}"))
}

async fn org_units_come_from_the_demo_organisation(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let response = app
        .graphql(
            "{ orgUnits(first: 100) { totalCount nodes { id code name chinese: name(language: ZH)
                kind depth exists parent { code } } } }",
            Value::Null,
        )
        .await;
    let units = &data(&response)["orgUnits"];
    assert_eq!(units["totalCount"], TODAY_UNITS);
    let nodes = units["nodes"].as_array().unwrap();
    assert_eq!(nodes.len() as u64, TODAY_UNITS);
    let oed = &nodes[0];
    assert_eq!(oed["code"], "OED");
    assert_eq!(oed["name"], "Office of the Executive Director");
    assert_eq!(oed["chinese"], "执行主任办公室");
    assert_eq!(oed["kind"], "EXECUTIVE_OFFICE");
    assert_eq!(oed["depth"], 0);
    assert_eq!(oed["parent"], Value::Null);
    let by_code = |code: &str| nodes.iter().find(|u| u["code"] == code).unwrap();
    assert_eq!(by_code("ROAP")["parent"]["code"], "RPD");
    assert_eq!(by_code("ROAP")["kind"], "REGIONAL_OFFICE");
    assert_eq!(by_code("CO-AFG")["depth"], 2);
    assert!(nodes.iter().all(|u| u["exists"] == true));
    app.stop().await;
}

async fn the_tree_can_be_seen_as_of_any_date(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let query = "query($day: Date!) { orgUnits(asOf: $day, first: 100) { totalCount nodes {
        code name parent { code } } } }";
    let before = app.graphql(query, json!({ "day": "2019-06-01" })).await;
    let units = &data(&before)["orgUnits"];
    let nodes = units["nodes"].as_array().unwrap();
    let codes: Vec<&str> = nodes.iter().map(|u| u["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"PD"), "{codes:?}");
    assert!(
        !codes.contains(&"RPD") && !codes.contains(&"GSD"),
        "{codes:?}"
    );
    assert_eq!(units["totalCount"], 20);
    let branch = nodes.iter().find(|u| u["code"] == "GSD-PFEB").unwrap();
    assert_eq!(branch["name"], "Urban Planning and Design Branch");
    assert_eq!(branch["parent"]["code"], "PD");
    let roap = nodes.iter().find(|u| u["code"] == "ROAP").unwrap();
    assert_eq!(roap["parent"]["code"], "PD");

    let merged = app
        .graphql(
            r#"{ orgUnit(code: "pd") { exists dissolvedOn mergedInto { code name }
                 nameHistory { language name validTo } } }"#,
            Value::Null,
        )
        .await;
    let pd = &data(&merged)["orgUnit"];
    assert_eq!(pd["exists"], false);
    assert_eq!(pd["dissolvedOn"], "2020-01-01");
    assert_eq!(pd["mergedInto"]["code"], "RPD");
    assert_eq!(pd["nameHistory"].as_array().unwrap().len(), 2);

    let all = app
        .graphql(
            "{ orgUnits(filter: { includeDissolved: true }) { totalCount } }",
            Value::Null,
        )
        .await;
    assert_eq!(data(&all)["orgUnits"]["totalCount"], TODAY_UNITS + 1);
    app.stop().await;
}

async fn org_units_filter_and_order(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let count = |filter: &'static str| {
        let app = &app;
        async move {
            let response = app
                .graphql(
                    &format!("{{ orgUnits(filter: {filter}) {{ totalCount nodes {{ code }} }} }}"),
                    Value::Null,
                )
                .await;
            data(&response)["orgUnits"].clone()
        }
    };
    assert_eq!(count("{ kinds: [COUNTRY_OFFICE] }").await["totalCount"], 10);
    assert_eq!(
        count("{ kinds: [DIVISION, SERVICE] }").await["totalCount"],
        8
    );
    assert_eq!(count(r#"{ parentCode: "RPD" }"#).await["totalCount"], 4);
    assert_eq!(count(r#"{ withinCode: "RPD" }"#).await["totalCount"], 15);
    let asia = count(r#"{ search: "ASIA" }"#).await;
    assert_eq!(asia["nodes"], json!([{ "code": "ROAP" }]));
    let chinese = count(r#"{ search: "亚洲" }"#).await;
    assert_eq!(chinese["nodes"], json!([{ "code": "ROAP" }]));

    let unknown = app
        .graphql(
            r#"{ orgUnits(filter: { parentCode: "NOPE" }) { totalCount } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(error_code(&unknown), "VALIDATION");
    assert_eq!(
        unknown["errors"][0]["extensions"]["field"],
        "filter.parentCode"
    );

    let by_name = app
        .graphql(
            "{ orgUnits(first: 3, orderBy: { field: NAME, direction: DESC }) { nodes { name } } }",
            Value::Null,
        )
        .await;
    let names: Vec<String> = data(&by_name)["orgUnits"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    assert_eq!(names[0], "Urban Practices Branch");
    app.stop().await;
}

async fn pages_cover_the_list_exactly_once(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let response = app
            .graphql(
                "query($after: String) { orgUnits(first: 10, after: $after) {
                    edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        let page = &data(&response)["orgUnits"];
        for edge in page["edges"].as_array().unwrap() {
            seen.push(edge["node"]["code"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len() as u64, TODAY_UNITS);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());

    let last = app
        .graphql(
            "{ orgUnits(last: 3) { nodes { code } pageInfo { hasPreviousPage hasNextPage } } }",
            Value::Null,
        )
        .await;
    let page = &data(&last)["orgUnits"];
    assert_eq!(page["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(
        page["pageInfo"],
        json!({ "hasPreviousPage": true, "hasNextPage": false })
    );

    for bad in [
        "{ orgUnits(first: -1) { totalCount } }",
        "{ orgUnits(first: 101) { totalCount } }",
        "{ orgUnits(last: 1000000) { totalCount } }",
        r#"{ orgUnits(after: "bm90IGEgY3Vyc29y") { totalCount } }"#,
    ] {
        let response = app.graphql(bad, Value::Null).await;
        assert_eq!(error_code(&response), "BAD_REQUEST", "{bad}");
        assert_eq!(response["data"], Value::Null, "{bad}");
    }
    app.stop().await;
}

async fn people_of_the_report_are_there(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let everyone = app.graphql("{ people { totalCount } }", Value::Null).await;
    let total = data(&everyone)["people"]["totalCount"].as_u64().unwrap();
    assert!((150..=300).contains(&total), "{total} people");

    let oed = app
        .graphql(
            r#"{ people(first: 100, filter: { orgUnitCode: "OED" }) { nodes {
                name grade { code category level } memberships { title acting isHead orgUnit { code } } } } }"#,
            Value::Null,
        )
        .await;
    let nodes = data(&oed)["people"]["nodes"].as_array().unwrap().clone();
    let post = |title: &str| {
        nodes
            .iter()
            .find(|p| {
                p["memberships"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["title"] == title)
            })
            .unwrap_or_else(|| panic!("nobody is {title}"))
            .clone()
    };
    let ed = post("Executive Director");
    assert_eq!(
        ed["grade"],
        json!({ "code": "USG", "category": "USG", "level": null })
    );
    assert_eq!(ed["memberships"][0]["isHead"], true);
    assert_eq!(post("Deputy Executive Director")["grade"]["code"], "ASG");
    let chief_of_staff = post("Chief of Staff");
    assert_eq!(
        chief_of_staff["memberships"][0]["acting"], true,
        "Chief of Staff (a.i.)"
    );

    let agents = app
        .graphql(
            "{ people(first: 100, filter: { flag: CHANGE_AGENT }) { totalCount nodes {
                grade { category } memberships { orgUnit { ancestors { code } code } } } } }",
            Value::Null,
        )
        .await;
    let agents = &data(&agents)["people"];
    assert!(agents["totalCount"].as_u64().unwrap() >= 10, "{agents}");
    let categories: std::collections::HashSet<&str> = agents["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["grade"]["category"].as_str())
        .collect();
    assert!(
        categories.contains("PROFESSIONAL") && categories.contains("GENERAL_SERVICE"),
        "{categories:?}"
    );

    let rpd = app
        .graphql(
            r#"{ withSubunits: people(filter: { orgUnitCode: "RPD", includeSubunits: true }) { totalCount }
                 directly: people(filter: { orgUnitCode: "RPD" }) { totalCount }
                 directors: people(filter: { gradeCategories: [DIRECTOR] }) { totalCount }
                 inactive: people(filter: { active: false }) { totalCount }
                 search: people(filter: { search: "HABITAT.EXAMPLE" }) { totalCount } }"#,
            Value::Null,
        )
        .await;
    let counts = data(&rpd);
    assert!(
        counts["withSubunits"]["totalCount"].as_u64() > counts["directly"]["totalCount"].as_u64()
    );
    assert!(counts["directors"]["totalCount"].as_u64().unwrap() >= 8);
    assert!(counts["inactive"]["totalCount"].as_u64().unwrap() > 0);
    // Everyone but the harness's own administrator (a person at steward.test).
    assert_eq!(counts["search"]["totalCount"].as_u64().unwrap(), total - 1);

    let members = app
        .graphql(
            r#"{ orgUnit(code: "ROAP") { members(includeSubunits: true) { totalCount } } }"#,
            Value::Null,
        )
        .await;
    assert!(
        data(&members)["orgUnit"]["members"]["totalCount"]
            .as_u64()
            .unwrap()
            > 5
    );
    app.stop().await;
}

async fn any_record_is_reachable_by_its_global_id(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ids = app
        .graphql(
            r#"{ orgUnit(code: "ROAP") { id } people(first: 1) { nodes { id name } } }"#,
            Value::Null,
        )
        .await;
    let unit_id = data(&ids)["orgUnit"]["id"].clone();
    let person_id = data(&ids)["people"]["nodes"][0]["id"].clone();
    assert_ne!(unit_id.as_str().unwrap(), "1", "ids are opaque");

    let nodes = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
                ... on OrgUnit { code } ... on Person { name } } }",
            json!({ "ids": [person_id, unit_id, "T3JnVW5pdDo5OTk5OTk"] }),
        )
        .await;
    let nodes = data(&nodes)["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes[0]["__typename"], "Person");
    assert_eq!(nodes[0]["name"], data(&ids)["people"]["nodes"][0]["name"]);
    assert_eq!(nodes[1]["code"], "ROAP");
    assert_eq!(nodes[2], Value::Null, "OrgUnit:999999 does not exist");

    let single = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": unit_id }),
        )
        .await;
    assert_eq!(data(&single)["node"]["id"], unit_id);

    let garbage = app
        .graphql(r#"{ node(id: "1") { id } }"#, Value::Null)
        .await;
    assert_eq!(error_code(&garbage), "BAD_REQUEST");
    let too_many: Vec<String> = (0..101).map(|_| "x".to_owned()).collect();
    let response = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": too_many }),
        )
        .await;
    assert_eq!(error_code(&response), "BAD_REQUEST");
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
    let response = app
        .graphql(
            "{ orgUnits { totalCount nodes { code } } people { totalCount } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        *data(&response),
        // The one person is the harness's administrator.
        json!({ "orgUnits": { "totalCount": 0, "nodes": [] }, "people": { "totalCount": 1 } })
    );
    app.stop().await;
}

async fn demo_data_is_loaded_once_however_often_the_server_starts(kind: DbKind) {
    let Some(first) = TestApp::spawn(kind).await else {
        return;
    };
    let second = TestApp::spawn_on(first.database.borrow(), AppOptions::default()).await;
    let response = second
        .graphql("{ orgUnits { totalCount } }", Value::Null)
        .await;
    assert_eq!(data(&response)["orgUnits"]["totalCount"], TODAY_UNITS);
    second.stop().await;
    first.stop().await;
}

async fn deep_or_costly_queries_are_refused_with_their_cost(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let deep = format!(
        "{{ orgUnit(code: \"CO-AFG\") {{ {} code {} }} }}",
        "parent { ".repeat(30),
        "}".repeat(30)
    );
    let response = app.graphql(&deep, Value::Null).await;
    assert_eq!(error_code(&response), "BAD_REQUEST");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("levels deep")
    );

    let costly =
        "{ orgUnits(first: 100) { nodes { members(first: 100) { nodes { name email } } } } }";
    let response = app.graphql(costly, Value::Null).await;
    assert_eq!(error_code(&response), "BAD_REQUEST");
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("costs") && message.contains("10000"),
        "{message}"
    );

    // The largest legitimate organisation query: every unit with its names, parent and heads.
    let tree =
        "{ orgUnits(first: 100) { totalCount nodes { id code kind depth names { language name }
        parent { code } members(first: 5) { nodes { name grade { code } } } } } }";
    let response = app.graphql(tree, Value::Null).await;
    data(&response);
    let cost = &response["extensions"]["cost"];
    assert!(cost["complexity"].as_u64().unwrap() <= 10_000, "{cost}");
    app.stop().await;
}

/// The counts by grade category are computed in the database with the same filters as the list.
async fn people_are_counted_by_grade_category(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    for filter in [
        json!({}),
        json!({ "orgUnitCode": "ROAP", "includeSubunits": true }),
        json!({ "search": "a", "active": true }),
    ] {
        let response = app
            .graphql(
                r#"query($f: PersonFilter) { peopleByGradeCategory(filter: $f) { category people }
                     graded: people(first: 0, filter: $f) { totalCount }
                     directors: people(first: 0, filter: { gradeCategories: [DIRECTOR] }) { totalCount } }"#,
                json!({ "f": filter }),
            )
            .await;
        let counts = data(&response)["peopleByGradeCategory"]
            .as_array()
            .unwrap()
            .clone();
        let categories: Vec<&str> = counts
            .iter()
            .filter_map(|c| c["category"].as_str())
            .collect();
        assert_eq!(
            categories,
            ["USG", "ASG", "DIRECTOR", "PROFESSIONAL", "GENERAL_SERVICE"]
        );
        let sum: i64 = counts.iter().filter_map(|c| c["people"].as_i64()).sum();
        // Everyone in the demo has a grade; the harness's administrator has none.
        let listed = data(&response)["graded"]["totalCount"].as_i64().unwrap();
        assert!(
            sum == listed || sum == listed - 1,
            "{filter}: {sum} vs {listed}"
        );
        if filter == json!({}) {
            assert_eq!(
                counts[2]["people"],
                data(&response)["directors"]["totalCount"]
            );
            assert_eq!(
                counts[0]["people"], 1,
                "one Under-Secretary-General: the Executive Director"
            );
        }
    }
    app.stop().await;
}

on_both_databases!(
    people_are_counted_by_grade_category,
    org_units_come_from_the_demo_organisation,
    the_tree_can_be_seen_as_of_any_date,
    org_units_filter_and_order,
    pages_cover_the_list_exactly_once,
    people_of_the_report_are_there,
    any_record_is_reachable_by_its_global_id,
    a_database_without_demo_data_has_no_org_units,
    demo_data_is_loaded_once_however_often_the_server_starts,
    deep_or_costly_queries_are_refused_with_their_cost,
);

/// Statements a request runs on an otherwise idle server.
async fn statements_for(app: &TestApp, query: &str) -> u64 {
    let before = app.db.statements_run();
    data(&app.graphql(query, Value::Null).await);
    app.db.statements_run() - before
}

/// Nested fields are batched: asking for all 34 units with their names, parents, ancestors,
/// children and members (and the members' grades, posts and flags) runs as many statements as
/// asking for 2 units. One statement per unit would show as dozens more.
///
/// On a single-threaded runtime each round of sibling fields is polled to the end before a
/// loader's batch runs, so the count hardly varies; when the machine is busy a batch's 2 ms wait
/// can still run out early and split one batch in two, hence a margin of 4 (an N+1 would add
/// 32 or more).
async fn nested_fields_do_not_multiply_statements(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let tree = |first: u32| {
        format!(
            "{{ orgUnits(first: {first}) {{ nodes {{ code kind depth name chinese: name(language: ZH)
                parent {{ code }} ancestors {{ code }} children {{ code }} members(first: 3) {{
                totalCount nodes {{ name grade {{ code }} memberships {{ title orgUnit {{ code }} }}
                flags {{ kind }} }} }} }} }} }}"
        )
    };
    let small = statements_for(&app, &tree(2)).await;
    let large = statements_for(&app, &tree(100)).await;
    eprintln!("statements: 2 units {small}, 34 units {large}");
    assert!(
        large <= small + 4,
        "2 units: {small} statements, 34 units: {large}"
    );
    assert!(large <= 15, "{large} statements for the org tree");
    app.stop().await;
}

mod nested_fields_on_one_thread {
    #[tokio::test(flavor = "current_thread")]
    async fn sqlite() {
        super::nested_fields_do_not_multiply_statements(steward_tests::DbKind::Sqlite).await
    }
    #[tokio::test(flavor = "current_thread")]
    async fn postgres() {
        super::nested_fields_do_not_multiply_statements(steward_tests::DbKind::Postgres).await
    }
}
