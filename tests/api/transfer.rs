//! Files in and out: the org tree as CSV; people from CSV with a preview, per-row errors,
//! all-or-nothing writes, an Origin check and a size cap.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ORIGIN};
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use steward_tests::{DbKind, TestApp, on_both_databases};

async fn error_code(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

async fn the_org_tree_exports_as_csv(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/api/exports/org-units"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"org-units-"),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 byte-order mark for spreadsheets"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "code",
            "name_en",
            "name_zh",
            "kind",
            "parent_code",
            "depth",
            "established_on",
            "dissolved_on"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 34);
    assert_eq!(&rows[0][0], "OED");
    let roap = rows.iter().find(|r| &r[0] == "ROAP").unwrap();
    assert_eq!(&roap[2], "亚洲及太平洋区域办事处");
    assert_eq!(
        (&roap[3], &roap[4], &roap[5]),
        ("REGIONAL_OFFICE", "RPD", "1")
    );

    let before = app
        .client
        .get(app.url("/api/exports/org-units?asOf=2019-06-01"))
        .send()
        .await
        .unwrap();
    let text = before.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 20);
    assert!(text.contains("Urban Planning and Design Branch"));

    for (path, status, code) in [
        (
            "/api/exports/org-units?asOf=yesterday",
            StatusCode::BAD_REQUEST,
            "VALIDATION",
        ),
        ("/api/exports/budgets", StatusCode::NOT_FOUND, "NOT_FOUND"),
        ("/api/nothing/here", StatusCode::NOT_FOUND, "NOT_FOUND"),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(error_code(response).await, (status, code.into()), "{path}");
    }
    app.stop().await;
}

async fn upload(app: &TestApp, csv: &str, commit: bool) -> reqwest::Response {
    let form = Form::new().part(
        "file",
        Part::bytes(csv.as_bytes().to_vec()).file_name("people.csv"),
    );
    let path = if commit {
        "/api/imports/people?commit=true"
    } else {
        "/api/imports/people"
    };
    app.client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn people_count(app: &TestApp) -> u64 {
    app.graphql("{ people { totalCount } }", Value::Null).await["data"]["people"]["totalCount"]
        .as_u64()
        .unwrap()
}

/// Two demo people as the file will name them: one changed (new grade), one as it is.
async fn demo_rows(app: &TestApp) -> (String, String) {
    let response = app
        .graphql(
            r#"{ people(first: 2, filter: { active: true, orgUnitCode: "GSD-UBSB" }) { nodes { name email grade { code } } } }"#,
            Value::Null,
        )
        .await;
    let nodes = response["data"]["people"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let changed = format!(
        "{},{},D-1,GSD-UBSB,,yes",
        nodes[0]["name"].as_str().unwrap(),
        nodes[0]["email"].as_str().unwrap()
    );
    let unchanged = format!(
        "{},{},{},GSD-UBSB,,yes",
        nodes[1]["name"].as_str().unwrap(),
        nodes[1]["email"].as_str().unwrap(),
        nodes[1]["grade"]["code"].as_str().unwrap()
    );
    (changed, unchanged)
}

async fn a_people_file_is_previewed_then_imported_once(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let (changed, unchanged) = demo_rows(&app).await;
    let file = format!(
        "\u{feff}name,email,grade,org_unit_code,title,active\n\
         Zara Ndlovu,zara.ndlovu@habitat.example,P-3,ROAF,Urban Planner,yes\n{changed}\n{unchanged}\n"
    );
    let before = people_count(&app).await;

    let preview: Value = upload(&app, &file, false).await.json().await.unwrap();
    assert_eq!(preview["rows"], 3);
    assert_eq!(
        (
            preview["new"].as_u64(),
            preview["changed"].as_u64(),
            preview["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{preview}"
    );
    assert_eq!(preview["committed"], false);
    assert_eq!(people_count(&app).await, before, "a preview writes nothing");

    let done: Value = upload(&app, &file, true).await.json().await.unwrap();
    assert_eq!(done["committed"], true, "{done}");
    assert_eq!(people_count(&app).await, before + 1);
    let zara = app
        .graphql(
            r#"{ people(filter: { search: "zara.ndlovu" }) { nodes { grade { code } memberships { title orgUnit { code } } } } }"#,
            Value::Null,
        )
        .await;
    let zara = &zara["data"]["people"]["nodes"][0];
    assert_eq!(zara["grade"]["code"], "P-3");
    assert_eq!(zara["memberships"][0]["orgUnit"]["code"], "ROAF");
    assert_eq!(zara["memberships"][0]["title"], "Urban Planner");

    let again: Value = upload(&app, &file, true).await.json().await.unwrap();
    assert_eq!(
        (
            again["new"].as_u64(),
            again["changed"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{again}"
    );
    assert_eq!(
        people_count(&app).await,
        before + 1,
        "importing twice changes nothing more"
    );
    // One audit record per new or changed row, by the importing account; none for the
    // unchanged row or the second, empty import.
    let me = app
        .graphql("{ viewer { account { id } } }", Value::Null)
        .await;
    let trail = app
        .graphql(
            r#"query($me: ID!) { auditTrail(filter: { entity: "Person", actor: $me }) { totalCount nodes { action actor before after } } }"#,
            serde_json::json!({ "me": me["data"]["viewer"]["account"]["id"] }),
        )
        .await;
    let trail = &trail["data"]["auditTrail"];
    assert_eq!(trail["totalCount"], 2, "{trail}");
    let nodes = trail["nodes"].as_array().unwrap();
    assert!(nodes.iter().all(|n| n["action"] == "import"));
    assert!(
        nodes
            .iter()
            .any(|n| n["before"].is_null() && n["after"]["orgUnit"] == "ROAF")
    );
    assert!(nodes.iter().any(|n| !n["before"].is_null()));
    app.stop().await;
}

async fn a_file_with_any_bad_row_writes_nothing(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let file = "name,email,grade,org_unit_code\n\
                Good Row,good.row@habitat.example,P-2,ROAP\n\
                Bad Grade,bad.grade@habitat.example,P-9,ROAP\n\
                No Unit,no.unit@habitat.example,G-5,XYZ\n\
                ,no.name@habitat.example,,\n\
                Twice,good.row@habitat.example,,\n";
    let before = people_count(&app).await;
    let report: Value = upload(&app, file, true).await.json().await.unwrap();
    assert_eq!(report["committed"], false);
    assert_eq!(report["rows"], 5);
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "grade"),
            (4, "org_unit_code"),
            (5, "name"),
            (6, "email")
        ],
        "{report}"
    );
    assert_eq!(people_count(&app).await, before, "nothing written");

    let no_email = upload(&app, "name,grade\nA,P-2\n", false).await;
    assert_eq!(
        error_code(no_email).await,
        (StatusCode::BAD_REQUEST, "BAD_REQUEST".into())
    );
    app.stop().await;
}

on_both_databases!(
    the_org_tree_exports_as_csv,
    a_people_file_is_previewed_then_imported_once,
    a_file_with_any_bad_row_writes_nothing,
);

#[tokio::test]
async fn uploads_are_checked_before_they_are_read() {
    let app = TestApp::spawn(DbKind::Sqlite).await.unwrap();
    let file = "name,email\nA B,a.b@habitat.example\n";
    let form = || Form::new().part("file", Part::bytes(file.as_bytes().to_vec()));

    let foreign = app
        .client
        .post(app.url("/api/imports/people?commit=true"))
        .header(ORIGIN, "https://elsewhere.example")
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(foreign).await,
        (StatusCode::FORBIDDEN, "FORBIDDEN".into())
    );
    let own = app
        .client
        .post(app.url("/api/imports/people"))
        .header(ORIGIN, app.address.clone())
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);

    let not_multipart = app
        .client
        .post(app.url("/api/imports/people"))
        .header(CONTENT_TYPE, "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(not_multipart).await,
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "BAD_REQUEST".into())
    );
    let wrong_field = app
        .client
        .post(app.url("/api/imports/people"))
        .multipart(Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(wrong_field).await,
        (StatusCode::BAD_REQUEST, "BAD_REQUEST".into())
    );
    let bad_flag = app
        .client
        .post(app.url("/api/imports/people?commit=maybe"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(bad_flag).await,
        (StatusCode::BAD_REQUEST, "BAD_REQUEST".into())
    );
    let unknown = app
        .client
        .post(app.url("/api/imports/budgets"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(unknown).await,
        (StatusCode::NOT_FOUND, "NOT_FOUND".into())
    );
    let huge = vec![b'x'; 33 * 1024 * 1024];
    let too_large = app
        .client
        .post(app.url("/api/imports/people"))
        .multipart(Form::new().part("file", Part::bytes(huge)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(too_large).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "BAD_REQUEST".into())
    );
    app.stop().await;
}
