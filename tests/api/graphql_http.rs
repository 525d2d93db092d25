//! `/graphql` over HTTP: the abuse cases get a precise status and a JSON error with a code and
//! the request id, never a 500, and every response carries the security headers.

use reqwest::StatusCode;
use reqwest::header::{ALLOW, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use serde_json::{Value, json};
use steward_tests::{DbKind, TestApp};

async fn app() -> TestApp {
    TestApp::spawn(DbKind::Sqlite).await.expect("SQLite app")
}

/// Checks a refusal: its status, its JSON error's code, and that the error's request id is
/// the one in the `x-request-id` header.
async fn assert_refused(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let header_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = response.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], code, "{body}");
    assert_eq!(
        error["extensions"]["requestId"],
        header_id.as_str(),
        "{body}"
    );
    assert!(!error["message"].as_str().unwrap().is_empty());
    body
}

#[tokio::test]
async fn post_accepts_json_only() {
    let app = app().await;
    let query = r#"{"query":"{ orgUnits { totalCount } }"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut request = app.client.post(app.url("/graphql")).body(query);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = request.send().await.unwrap();
        assert_refused(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "BAD_REQUEST").await;
    }
    let with_charset = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body(query)
        .send()
        .await
        .unwrap();
    assert_eq!(with_charset.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn batches_malformed_json_and_oversized_bodies_are_refused() {
    let app = app().await;
    let post = |body: Vec<u8>| {
        app.client
            .post(app.url("/graphql"))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
    };
    let batch =
        br#" [{"query":"{ orgUnits { totalCount } }"},{"query":"{ orgUnits { totalCount } }"}]"#;
    assert_refused(
        post(batch.to_vec()).await.unwrap(),
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    )
    .await;
    assert_refused(
        post(b"{\"query\": ".to_vec()).await.unwrap(),
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    )
    .await;
    assert_refused(
        post(b"{\"variables\": {}}".to_vec()).await.unwrap(),
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
    )
    .await;
    let padding = " ".repeat(300 * 1024);
    let huge = format!(r#"{{"query":"{{ orgUnits {{ totalCount }} }}{padding}"}}"#);
    assert_refused(
        post(huge.into_bytes()).await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_REQUEST",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = app().await;
    let query = app
        .client
        .get(app.url("/graphql"))
        .query(&[
            ("query", "query Units { orgUnits { nodes { code } } }"),
            ("operationName", "Units"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    let body: Value = query.json().await.unwrap();
    assert_eq!(body["data"]["orgUnits"]["nodes"][0]["code"], "OED");

    for mutation in [
        "mutation { renameEverything }",
        "query A { orgUnits { totalCount } } mutation B { x }",
    ] {
        let response = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", mutation)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[ALLOW], "POST");
        assert_refused(response, StatusCode::METHOD_NOT_ALLOWED, "BAD_REQUEST").await;
    }
    let missing = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_refused(missing, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;
    let bad_variables = app
        .client
        .get(app.url("/graphql"))
        .query(&[
            ("query", "{ orgUnits { totalCount } }"),
            ("variables", "{not json"),
        ])
        .send()
        .await
        .unwrap();
    assert_refused(bad_variables, StatusCode::BAD_REQUEST, "BAD_REQUEST").await;
    let put = app.client.put(app.url("/graphql")).send().await.unwrap();
    assert_refused(put, StatusCode::METHOD_NOT_ALLOWED, "BAD_REQUEST").await;
    app.stop().await;
}

#[tokio::test]
async fn graphql_errors_carry_a_code_and_the_request_id() {
    let app = app().await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ orgUnits { budget } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    let error = &body["errors"][0];
    assert!(error["message"].as_str().unwrap().contains("budget"));
    assert_eq!(error["extensions"]["code"], "BAD_REQUEST");
    assert_eq!(error["extensions"]["requestId"], request_id.as_str());

    let syntax = app.graphql("{ orgUnits { code ", Value::Null).await;
    assert_eq!(syntax["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    app.stop().await;
}

#[tokio::test]
async fn every_response_reports_the_cost_of_its_query() {
    let app = app().await;
    let response = app
        .graphql("{ units: orgUnits { totalCount } }", Value::Null)
        .await;
    let cost = &response["extensions"]["cost"];
    assert_eq!(
        cost["complexity"], 21,
        "a page of 20 by default: {response}"
    );
    assert_eq!(cost["depth"], 2);
    assert_eq!(cost["aliases"], 1);
    assert_eq!(cost["maxDepth"], 25);
    assert!(cost["maxComplexity"].as_u64().unwrap() > 0);
    app.stop().await;
}

#[tokio::test]
async fn too_many_aliases_or_directives_are_refused_with_the_numbers() {
    let app = app().await;
    let aliases: String = (0..101)
        .map(|i| format!("a{i}: orgUnits {{ totalCount }} "))
        .collect();
    let response = app.graphql(&format!("{{ {aliases} }}"), Value::Null).await;
    let error = &response["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_REQUEST");
    assert!(
        error["message"].as_str().unwrap().contains("101 aliases"),
        "{error}"
    );
    assert_eq!(response["data"], Value::Null);

    let directives: String = (0..51).map(|_| "totalCount @include(if: true) ").collect();
    let response = app
        .graphql(&format!("{{ orgUnits {{ {directives} }} }}"), Value::Null)
        .await;
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("51 directives"), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = app().await;
    for path in [
        "/",
        "/organisation",
        "/graphql?query=%7BorgUnits%7Bcode%7D%7D",
        "/healthz",
        "/schema.graphql",
        "/assets/missing.js",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("http"), "no other origin is allowed: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers.contains_key("x-request-id"), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_sdl_is_served() {
    let app = app().await;
    let response = app
        .client
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), steward::graphql::sdl());
    // To signed-in callers only, like introspection.
    let anonymous = app
        .anonymous
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_database_failure_is_internal_and_tells_nothing_of_the_database() {
    use sea_orm::ConnectionTrait;
    let app = app().await;
    // Break the database under the running server.
    let txn = app.db.begin_write().await.unwrap();
    txn.execute_unprepared("DROP TABLE person_flag")
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ people(first: 3) { nodes { name flags { kind } } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "a GraphQL error, not a 500");
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "INTERNAL", "{body}");
    assert_eq!(error["extensions"]["requestId"], request_id.as_str());
    let text = body.to_string().to_lowercase();
    for leak in ["person_flag", "select", "sqlite", "no such table"] {
        assert!(!text.contains(leak), "{leak:?} reached the client: {body}");
    }
    app.stop().await;
}
