//! Grant imports: Steward's own export imports back unchanged (CSV and XLSX); an ERP file with
//! its own headers needs its mapping once, previews new/changed/unchanged without writing,
//! commits all rows with audit records and an exact tally, and imports again as a no-op;
//! a file with bad rows names each problem by row and column and writes nothing; progress
//! streams as NDJSON.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use steward_tests::{DbKind, Role, TestApp, on_both_databases};

async fn import(
    app: &TestApp,
    client: &reqwest::Client,
    file: Vec<u8>,
    name: &str,
    mapping: Option<Value>,
    commit: bool,
) -> (u16, Value) {
    let mut form = Form::new().part("file", Part::bytes(file).file_name(name.to_owned()));
    if let Some(mapping) = mapping {
        form = form.text("mapping", mapping.to_string());
    }
    let path = if commit {
        "/api/imports/grants?commit=true"
    } else {
        "/api/imports/grants"
    };
    let response = client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn grant_count(app: &TestApp) -> u64 {
    app.graphql("{ grants { totalCount } }", json!({})).await["data"]["grants"]["totalCount"]
        .as_u64()
        .unwrap()
}

async fn assert_tally_exact(app: &TestApp) {
    let (stored, recounted) = steward::grants::tally::stored_and_recounted(app.db.reader())
        .await
        .expect("read the tally");
    assert_eq!(stored, recounted, "the closure tally equals a recount");
}

async fn export(app: &TestApp, query: &str) -> Vec<u8> {
    let response = app
        .client
        .get(app.url(&format!("/api/exports/grants?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

fn counts(report: &Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| report[k].as_u64().unwrap_or(u64::MAX);
    (n("rows"), n("new"), n("changed"), n("unchanged"))
}

async fn stewards_own_exports_import_back_unchanged(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let total = grant_count(&app).await;
    for format in ["csv", "xlsx"] {
        let file = export(&app, &format!("format={format}&fromYear=2012&toYear=2013")).await;
        let (status, report) = import(
            &app,
            &app.client,
            file,
            &format!("grants.{format}"),
            None,
            false,
        )
        .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["errorCount"], 0, "{format}: {report}");
        let (rows, new, changed, unchanged) = counts(&report);
        assert!(rows > 100, "{format}: {report}");
        assert_eq!(
            (new, changed, unchanged),
            (0, 0, rows),
            "{format}: {report}"
        );
        assert_eq!(report["committed"], false);
        let mapped: Vec<&Value> = report["mapping"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["column"].is_string())
            .collect();
        assert_eq!(mapped.len(), 14, "every field recognised: {report}");
    }
    assert_eq!(grant_count(&app).await, total, "a preview writes nothing");
    app.stop().await;
}

/// An ERP export with headers of its own: two of them are not recognised.
fn erp_file(existing: &Value, extra_title: &str) -> Vec<u8> {
    let mut text = String::from(
        "Grant,Grant Description,Sponsor Ref,Grant Amount,Curr,Valid From,Valid To,\
         Activities End Date,Donor Closure Deadline,Financial Closure Date,Resp. Unit,Status\n",
    );
    text.push_str(&format!(
        "{},{},{},\"{}\",{},{},{},{},{},{},{},{}\n",
        existing["number"].as_str().unwrap(),
        extra_title,
        existing["donor"]["code"].as_str().unwrap(),
        existing["amount"].as_str().unwrap(),
        existing["currency"].as_str().unwrap(),
        existing["agreementStart"].as_str().unwrap(),
        existing["agreementEnd"].as_str().unwrap(),
        existing["activitiesCompletedOn"].as_str().unwrap_or(""),
        existing["donorDeadline"].as_str().unwrap_or(""),
        existing["financiallyClosedOn"].as_str().unwrap_or(""),
        existing["orgUnit"]["code"].as_str().unwrap(),
        existing["status"].as_str().unwrap(),
    ));
    text.push_str(
        "ERP-2026-001,Slum upgrading in Kisumu,Wakanda Fund,\"1,250,000.5\",usd,2024-01-01,2026-06-30,\
         30-Jun-2026,,,CO-KEN,Activities completed\n",
    );
    text.push_str(
        "ERP-2026-002,Urban resilience,Wakanda Fund,80000,EUR,01.03.2021,31.12.2023,2023-12-31,2024-03-31,2024-05-15,ROAP,\n",
    );
    text.into_bytes()
}

async fn a_stored_grant(app: &TestApp) -> Value {
    let listed = app
        .graphql(
            "{ grants(first: 1, filter: { fromYear: 2014, toYear: 2014, overdue: true }) { nodes {
                number title amount currency agreementStart agreementEnd activitiesCompletedOn
                donorDeadline financiallyClosedOn status version donor { code } orgUnit { code } } } }",
            json!({}),
        )
        .await;
    listed["data"]["grants"]["nodes"][0].clone()
}

async fn grant(app: &TestApp, number: &str) -> Value {
    app.graphql(
        "query($n: String!) { grant(number: $n) { title amount currency status version
            closureDueOn dueYear financiallyClosedOn closureState donor { code name } orgUnit { code } } }",
        json!({ "n": number }),
    )
    .await["data"]["grant"]
        .clone()
}

async fn an_erp_file_is_mapped_once_previewed_and_imported(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let total = grant_count(&app).await;
    let stored = a_stored_grant(&app).await;
    let number = stored["number"].as_str().unwrap().to_owned();
    let file = erp_file(&stored, "Renamed in the ERP");

    // Without a mapping the two unrecognised columns are named as missing; nothing else runs.
    let (status, report) = import(&app, &app.client, file.clone(), "erp.csv", None, false).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["errorCount"], 2, "{report}");
    let messages: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["row"], 1);
            e["message"].as_str().unwrap()
        })
        .collect();
    assert!(messages.iter().any(|m| m.contains("donor")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("orgUnit")),
        "{messages:?}"
    );
    assert_eq!(report["columns"].as_array().unwrap().len(), 12);

    // With the mapping: a preview of one changed and two new grants, a new donor, no writes.
    let mapping = json!({ "donor": "Sponsor Ref", "orgUnit": "Resp. Unit" });
    let (_, report) = import(
        &app,
        &app.client,
        file.clone(),
        "erp.csv",
        Some(mapping.clone()),
        false,
    )
    .await;
    assert_eq!(report["errorCount"], 0, "{report}");
    assert_eq!(counts(&report), (3, 2, 1, 0), "{report}");
    assert_eq!(report["newDonors"], json!(["Wakanda Fund"]));
    let changed = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["new"] == false)
        .unwrap()
        .clone();
    assert_eq!(changed["number"], number.as_str());
    assert_eq!(changed["row"], 2);
    assert_eq!(changed["fields"], json!(["title"]), "{report}");
    assert_eq!(grant_count(&app).await, total);

    // Committed: written, versioned, audited, the tally exact.
    let (_, report) = import(
        &app,
        &app.client,
        file.clone(),
        "erp.csv",
        Some(mapping),
        true,
    )
    .await;
    assert_eq!(report["committed"], true, "{report}");
    assert_eq!(grant_count(&app).await, total + 2);
    let renamed = grant(&app, &number).await;
    assert_eq!(renamed["title"], "Renamed in the ERP");
    assert_eq!(renamed["version"], stored["version"].as_i64().unwrap() + 1);
    let kisumu = grant(&app, "ERP-2026-001").await;
    assert_eq!(kisumu["amount"], "1250000.50");
    assert_eq!(kisumu["currency"], "USD");
    assert_eq!(kisumu["status"], "ACTIVITIES_COMPLETED");
    assert_eq!(
        kisumu["closureDueOn"], "2026-12-30",
        "six months after 30 June"
    );
    assert_eq!(kisumu["donor"]["name"], "Wakanda Fund");
    assert_eq!(kisumu["donor"]["code"], "WAKANDA-FUND");
    // No status in the file: the dates say financially closed, after the donor's deadline.
    let resilience = grant(&app, "ERP-2026-002").await;
    assert_eq!(resilience["status"], "FINANCIALLY_CLOSED");
    assert_eq!(resilience["closureDueOn"], "2024-03-31");
    assert_eq!(resilience["dueYear"], 2024);
    assert_eq!(resilience["closureState"], "CLOSED_LATE");
    assert_tally_exact(&app).await;
    let trail = app
        .graphql(
            "{ auditTrail(first: 100, filter: { entity: \"Grant\" }) { totalCount nodes { action before after } } }",
            json!({}),
        )
        .await;
    let entries = trail["data"]["auditTrail"]["nodes"].as_array().unwrap();
    let imported: Vec<&Value> = entries.iter().filter(|e| e["action"] == "import").collect();
    assert_eq!(imported.len(), 3, "{trail}");
    assert!(
        imported.iter().any(
            |e| !e["before"].is_null() && e["after"].to_string().contains("Renamed in the ERP")
        )
    );
    let donors = app
        .graphql(
            "{ auditTrail(filter: { entity: \"Donor\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(donors["data"]["auditTrail"]["totalCount"], 1);

    // The mapping is remembered, and the same file again changes nothing.
    let (_, report) = import(&app, &app.client, file, "erp.csv", None, true).await;
    assert_eq!(report["errorCount"], 0, "{report}");
    assert_eq!(counts(&report), (3, 0, 0, 3), "{report}");
    assert_eq!(report["newDonors"], json!([]));
    assert_eq!(report["committed"], true);
    assert_eq!(grant(&app, &number).await["version"], renamed["version"]);
    let mappings = app
        .graphql(
            "{ auditTrail(filter: { entity: \"ImportMapping\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(mappings["data"]["auditTrail"]["totalCount"], 1);
    assert_tally_exact(&app).await;
    app.stop().await;
}

async fn bad_rows_are_named_and_nothing_is_written(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let total = grant_count(&app).await;
    let trail_before = app
        .graphql("{ auditTrail { totalCount } }", json!({}))
        .await["data"]["auditTrail"]["totalCount"]
        .clone();
    let file = "number,title,donor,amount,currency,agreement_start,agreement_end,activities_completed_on,financially_closed_on,org_unit,officer_email,status\n\
        OK-1,Fine,SIDA,100,USD,2020-01-01,2021-01-01,,,ROAP,,\n\
        BAD-1,Dates,SIDA,100,USD,2020-01-01,12/31/2021,,,ROAP,,\n\
        BAD-2,Unit,SIDA,abc,USD,2020-01-01,2021-01-01,,,NOWHERE,,\n\
        OK-1,Twice,SIDA,100,USD,2020-01-01,2021-01-01,,,ROAP,,\n\
        BAD-3,Status,SIDA,100,USD,2020-01-01,2021-01-01,2021-01-01,,ROAP,,FINANCIALLY_CLOSED\n\
        BAD-4,Officer,SIDA,100,USD,2020-01-01,2021-01-01,,,ROAP,nobody@habitat.example,\n\
        ,No number,SIDA,100,USD,2021-01-01,2020-01-01,2099-01-01,,ROAP,,\n";
    let (status, report) = import(&app, &app.client, file.into(), "bad.csv", None, true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["committed"], false);
    let errors: Vec<(u64, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["problem"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String, String)> = [
        (3, "agreement_end", "NOT_A_DATE"),
        (4, "amount", "NOT_AN_AMOUNT"),
        (4, "org_unit", "UNKNOWN_UNIT"),
        (5, "number", "REPEATED"),
        (6, "status", "STATUS_NEEDS_DATE"),
        (7, "officer_email", "UNKNOWN_PERSON"),
        (8, "number", "MISSING"),
        (8, "agreement_end", "END_BEFORE_START"),
        (8, "activities_completed_on", "IN_FUTURE"),
    ]
    .into_iter()
    .map(|(row, column, problem)| (row, column.to_owned(), problem.to_owned()))
    .collect();
    assert_eq!(errors, expected, "{report}");
    assert_eq!(report["errors"][3]["detail"], "2", "the row it repeats");
    assert_eq!(report["errors"][4]["detail"], "financiallyClosedOn");
    assert_eq!(report["errorCount"], 9);
    assert_eq!(
        grant_count(&app).await,
        total,
        "nothing written, not even row 2"
    );
    let trail_after = app
        .graphql("{ auditTrail { totalCount } }", json!({}))
        .await["data"]["auditTrail"]["totalCount"]
        .clone();
    assert_eq!(trail_before, trail_after);

    // Files that are not tables, and mappings that are not mappings, are refused outright.
    let (status, report) = import(
        &app,
        &app.client,
        vec![0xff, 0xfe, 0x41],
        "x.csv",
        None,
        false,
    )
    .await;
    assert_eq!(
        (status, report["errors"][0]["extensions"]["code"].as_str()),
        (400, Some("BAD_REQUEST")),
        "{report}"
    );
    let (status, _) = import(
        &app,
        &app.client,
        file.into(),
        "bad.csv",
        Some(json!({ "colour": "number" })),
        false,
    )
    .await;
    assert_eq!(status, 400);
    app.stop().await;
}

async fn progress_streams_and_only_finance_may_import(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let file = export(&app, "fromYear=2012&toYear=2019").await;
    let form = Form::new().part("file", Part::bytes(file).file_name("grants.csv"));
    let response = app
        .client
        .post(app.url("/api/imports/grants"))
        .header("accept", "application/x-ndjson")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-ndjson",
        "streamed"
    );
    let text = response.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(lines.len() > 3, "{text}");
    assert_eq!(lines[0]["progress"]["phase"], "READING");
    let checking: Vec<u64> = lines
        .iter()
        .filter(|l| l["progress"]["phase"] == "CHECKING")
        .map(|l| l["progress"]["done"].as_u64().unwrap())
        .collect();
    assert!(!checking.is_empty() && checking.windows(2).all(|w| w[0] < w[1]));
    let report = &lines.last().unwrap()["report"];
    assert_eq!(report["unchanged"], 1346, "{text}");
    assert_eq!(*checking.last().unwrap(), 1346);

    // A finance officer for the whole organisation may import; one for a region may not
    // (an import can touch any grant), nor may a head of division.
    for (role, unit, status) in [
        (Role::FinanceOfficer, None, 200),
        (Role::FinanceOfficer, Some("ROAP"), 403),
        (Role::Director, None, 403),
    ] {
        let client = app.client_as(role, unit).await;
        let (got, report) = import(
            &app,
            &client,
            b"number,title\n".to_vec(),
            "grants.csv",
            None,
            false,
        )
        .await;
        assert_eq!(got, status, "{role:?} {unit:?}: {report}");
    }
    app.stop().await;
}

on_both_databases!(
    stewards_own_exports_import_back_unchanged,
    an_erp_file_is_mapped_once_previewed_and_imported,
    bad_rows_are_named_and_nothing_is_written,
    progress_streams_and_only_finance_may_import,
);
