//! Grants: the report's closure figure from the demo data, closure rates by cohort, division,
//! donor and region from the tally (always equal to a recount), the overdue backlog, the
//! closure workflow with its separation of duties, and grant lists.

use serde_json::{Value, json};
use steward_tests::{DbKind, Role, TestApp, on_both_databases};

fn code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

async fn assert_tally_exact(app: &TestApp) {
    let (stored, recounted) = steward::grants::tally::stored_and_recounted(app.db.reader())
        .await
        .expect("read the tally");
    assert!(!recounted.is_empty());
    assert_eq!(stored, recounted, "the closure tally equals a recount");
}

async fn the_reports_closure_figure_from_the_demo_data(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let total = app
        .graphql(
            "{ closureTotal(filter: { fromYear: 2012, toYear: 2019 }) { due closed open rate } }",
            json!({}),
        )
        .await;
    let total = &total["data"]["closureTotal"];
    assert_eq!(total["due"], 1346, "{total}");
    assert_eq!(total["closed"], 1061);
    assert_eq!(total["open"], 285);
    assert_eq!(
        format!("{:.1}", total["rate"].as_f64().unwrap() * 100.0),
        "78.8"
    );

    // By cohort: eight years that add up to the same figure, from one statement on the tally.
    let by_year = app
        .graphql(
            "{ closureRates(by: DUE_YEAR, filter: { fromYear: 2012, toYear: 2019 }) { dueYear key due closed } }",
            json!({}),
        )
        .await;
    let years = by_year["data"]["closureRates"].as_array().unwrap();
    assert_eq!(years.len(), 8, "{by_year}");
    assert_eq!(years[0]["dueYear"], 2012);
    assert_eq!(years[0]["key"], "2012");
    let sum = |field: &str| {
        years
            .iter()
            .map(|y| y[field].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!((sum("due"), sum("closed")), (1346, 1061));

    // By division, donor and region: every group named, the same totals.
    for (by, name) in [
        ("DIVISION", "division { code }"),
        ("DONOR", "donor { code }"),
        ("REGION", "region { code }"),
    ] {
        let rates = app
            .graphql(
                &format!("{{ closureRates(by: {by}, filter: {{ fromYear: 2012, toYear: 2019 }}) {{ due closed {name} }} }}"),
                json!({}),
            )
            .await;
        let groups = rates["data"]["closureRates"]
            .as_array()
            .unwrap_or_else(|| panic!("{rates}"));
        assert!(groups.len() > 1, "{by}: {rates}");
        let due: i64 = groups.iter().map(|g| g["due"].as_i64().unwrap()).sum();
        assert_eq!(due, 1346, "{by}");
        if by != "REGION" {
            assert!(
                groups.iter().all(|g| !g[by.to_lowercase()].is_null()),
                "{by}: every group named: {rates}"
            );
        }
    }

    // A combination of filters agrees with the grant list's count.
    let donor = app.graphql("{ donors { id code } }", json!({})).await;
    let sida = donor["data"]["donors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "SIDA")
        .unwrap()["id"]
        .clone();
    let filtered = app
        .graphql(
            "query($d: [ID!]) { closureTotal(filter: { fromYear: 2015, toYear: 2018, donors: $d }) { due closed }
                 grants(filter: { fromYear: 2015, toYear: 2018, donors: $d, statuses: [ACTIVE, ACTIVITIES_COMPLETED, OPERATIONALLY_CLOSED, FINANCIALLY_CLOSED] }) { totalCount } }",
            json!({ "d": [sida] }),
        )
        .await;
    assert_eq!(
        filtered["data"]["closureTotal"]["due"], filtered["data"]["grants"]["totalCount"],
        "{filtered}"
    );
    assert_tally_exact(&app).await;
    app.stop().await;
}

async fn the_backlog_and_the_worklist(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let answer = app
        .graphql(
            "{ closureBacklog(filter: { fromYear: 2012, toYear: 2019 }, asOf: \"2020-03-31\") { band grants }
               overdue: grants(filter: { fromYear: 2012, toYear: 2019, overdue: true }) { totalCount }
               open: closureTotal(filter: { fromYear: 2012, toYear: 2019 }) { open }
               perMonth: closuresPerMonth(from: \"2011-01-01\", to: \"2020-03-31\") { month closed } }",
            json!({}),
        )
        .await;
    let bands = answer["data"]["closureBacklog"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(
        bands
            .iter()
            .map(|b| b["band"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "UP_TO_SIX_MONTHS",
            "SIX_TO_TWELVE_MONTHS",
            "TWELVE_TO_TWENTY_FOUR_MONTHS",
            "OVER_TWENTY_FOUR_MONTHS"
        ]
    );
    let in_bands: i64 = bands.iter().map(|b| b["grants"].as_i64().unwrap()).sum();
    assert!(in_bands > 0 && in_bands <= 285, "{answer}");
    // Today every open grant of 2012–2019 is long overdue: the list agrees with the tally.
    assert_eq!(
        answer["data"]["overdue"]["totalCount"],
        answer["data"]["open"]["open"]
    );
    let closed: i64 = answer["data"]["perMonth"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["closed"].as_i64().unwrap())
        .sum();
    assert_eq!(
        closed, 1061,
        "every demo closure happened by the report's day"
    );

    // A bad filter is refused with its field, and changes nothing.
    let bad = app
        .graphql(
            "{ closureTotal(filter: { fromYear: 2019, toYear: 2012 }) { due } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad), Some("VALIDATION"), "{bad}");
    app.stop().await;
}

/// An active grant without a donor deadline, so its closure deadline is the six-month rule's.
async fn active_grant(app: &TestApp) -> Value {
    let found = app
        .graphql(
            "{ grants(first: 100, filter: { statuses: [ACTIVE] }, orderBy: { field: NUMBER }) { nodes { id number version donorDeadline closureDueOn } } }",
            json!({}),
        )
        .await;
    found["data"]["grants"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{found}"))
        .iter()
        .find(|g| g["donorDeadline"].is_null())
        .cloned()
        .expect("an active grant without a donor deadline")
}

async fn the_closure_workflow_separates_duties(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let grant = active_grant(&app).await;
    assert!(grant["closureDueOn"].is_null(), "{grant}");
    let officer = app.client_as(Role::FinanceOfficer, None).await;
    let another = app.client_as(Role::FinanceOfficer, None).await;
    let staff = app.client_as(Role::Staff, None).await;

    // Staff may read grants but not move them on.
    let complete = "mutation($g: ID!, $v: Int!, $d: Date!) { completeGrantActivities(input: { grant: $g, version: $v, completedOn: $d }) { version status closureDueOn dueYear closureState(asOf: \"2026-01-01\") } }";
    let refused = app
        .graphql_with(
            &staff,
            complete,
            json!({ "g": grant["id"], "v": grant["version"], "d": "2025-08-31" }),
        )
        .await;
    assert_eq!(code(&refused), Some("FORBIDDEN"), "{refused}");

    let done = app
        .graphql_with(
            &officer,
            complete,
            json!({ "g": grant["id"], "v": grant["version"], "d": "2025-08-31" }),
        )
        .await;
    let done = &done["data"]["completeGrantActivities"];
    assert_eq!(done["status"], "ACTIVITIES_COMPLETED", "{done}");
    // Six calendar months after 31 August is the end of February.
    assert_eq!(done["closureDueOn"], "2026-02-28");
    assert_eq!(done["dueYear"], 2026);
    assert_eq!(done["closureState"], "DUE");

    // A stale version changes nothing.
    let stale = app
        .graphql_with(
            &officer,
            complete,
            json!({ "g": grant["id"], "v": grant["version"], "d": "2025-08-31" }),
        )
        .await;
    assert_eq!(code(&stale), Some("CONFLICT"), "{stale}");

    let submit = "mutation($g: ID!, $v: Int!, $d: Date!) { submitGrantClosure(input: { grant: $g, version: $v, operationallyClosedOn: $d }) { version status } }";
    let submitted = app
        .graphql_with(
            &officer,
            submit,
            json!({ "g": grant["id"], "v": done["version"], "d": "2025-10-15" }),
        )
        .await;
    let version = submitted["data"]["submitGrantClosure"]["version"].clone();
    assert_eq!(
        submitted["data"]["submitGrantClosure"]["status"], "OPERATIONALLY_CLOSED",
        "{submitted}"
    );

    // The submitter cannot approve their own submission; another finance officer can.
    let approve = "mutation($g: ID!, $v: Int!, $d: Date!) { approveGrantClosure(input: { grant: $g, version: $v, financiallyClosedOn: $d }) { version status closureState } }";
    let own = app
        .graphql_with(
            &officer,
            approve,
            json!({ "g": grant["id"], "v": version, "d": "2025-11-01" }),
        )
        .await;
    assert_eq!(code(&own), Some("FORBIDDEN"), "{own}");
    let early = app
        .graphql_with(
            &another,
            approve,
            json!({ "g": grant["id"], "v": version, "d": "2025-10-01" }),
        )
        .await;
    assert_eq!(
        code(&early),
        Some("VALIDATION"),
        "before the operational closure: {early}"
    );
    let approved = app
        .graphql_with(
            &another,
            approve,
            json!({ "g": grant["id"], "v": version, "d": "2025-11-01" }),
        )
        .await;
    let approved = &approved["data"]["approveGrantClosure"];
    assert_eq!(approved["status"], "FINANCIALLY_CLOSED", "{approved}");
    assert_eq!(approved["closureState"], "CLOSED_ON_TIME");
    assert_tally_exact(&app).await;

    // Reopening needs a reason; it is kept in the audit trail.
    let reopen = "mutation($g: ID!, $v: Int!, $r: String!) { reopenGrant(input: { grant: $g, version: $v, reason: $r }) { version status financiallyClosedOn } }";
    let no_reason = app
        .graphql_with(
            &another,
            reopen,
            json!({ "g": grant["id"], "v": approved["version"], "r": "  " }),
        )
        .await;
    assert_eq!(code(&no_reason), Some("VALIDATION"), "{no_reason}");
    let reopened = app
        .graphql_with(
            &another,
            reopen,
            json!({ "g": grant["id"], "v": approved["version"], "r": "Donor refund pending" }),
        )
        .await;
    assert_eq!(
        reopened["data"]["reopenGrant"]["status"], "ACTIVITIES_COMPLETED",
        "{reopened}"
    );
    assert!(reopened["data"]["reopenGrant"]["financiallyClosedOn"].is_null());
    assert_tally_exact(&app).await;

    let trail = app
        .graphql(
            "query($r: ID!) { auditTrail(filter: { record: $r }) { nodes { action reason } } }",
            json!({ "r": grant["id"] }),
        )
        .await;
    let actions: Vec<&str> = trail["data"]["auditTrail"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{trail}"))
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "reopen",
            "approve closure",
            "submit for closure",
            "complete activities"
        ],
        "{trail}"
    );
    assert_eq!(
        trail["data"]["auditTrail"]["nodes"][0]["reason"],
        "Donor refund pending"
    );
    app.stop().await;
}

async fn grant_lists_filter_and_page(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let answer = app
        .graphql(
            "{ all: grants { totalCount }
               closedLate: grants(filter: { states: [CLOSED_LATE] }) { totalCount }
               closedOnTime: grants(filter: { states: [CLOSED_ON_TIME] }) { totalCount }
               search: grants(filter: { search: \"UNH-0000001\" }) { totalCount nodes { number donor { code } officer { name } division { code } } }
               page: grants(first: 5, orderBy: { field: NUMBER, descending: true }) { nodes { number } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    let data = &answer["data"];
    assert_eq!(data["all"]["totalCount"], 1346 + 240, "{answer}");
    let closed = data["closedLate"]["totalCount"].as_i64().unwrap()
        + data["closedOnTime"]["totalCount"].as_i64().unwrap();
    assert_eq!(closed, 1061);
    assert_eq!(data["search"]["totalCount"], 1);
    assert!(!data["search"]["nodes"][0]["donor"]["code"].is_null());
    let numbers: Vec<&str> = data["page"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 5);
    assert!(numbers.windows(2).all(|w| w[0] > w[1]), "{numbers:?}");

    let bad_page = app
        .graphql("{ grants(first: 1000) { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&bad_page), Some("BAD_REQUEST"));
    let bad_id = app
        .graphql(
            "{ grants(filter: { donors: [\"nonsense\"] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&bad_id), Some("BAD_REQUEST"), "{bad_id}");
    app.stop().await;
}

async fn filtered_grant_lists_export_as_csv_and_xlsx(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let listed = app
        .graphql(
            "{ grants(filter: { fromYear: 2015, toYear: 2016, overdue: true }) { totalCount } }",
            json!({}),
        )
        .await;
    let expected = listed["data"]["grants"]["totalCount"].as_u64().unwrap() as usize;
    assert!(expected > 0, "{listed}");

    let csv = app
        .client
        .get(app.url("/api/exports/grants?fromYear=2015&toYear=2016&overdue=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "number");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), expected, "the export holds the list");
    let state = header.iter().position(|h| h == "closure_state").unwrap();
    assert!(rows.iter().all(|r| &r[state] == "OVERDUE"));

    let xlsx = app
        .client
        .get(app.url("/api/exports/grants?format=xlsx&fromYear=2015&toYear=2016&overdue=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    // An XLSX file is a ZIP archive holding the sheet.
    assert_eq!(&bytes[..2], b"PK");
    assert!(bytes.windows(19).any(|w| w == b"xl/worksheets/sheet"));

    let wrong = app
        .client
        .get(app.url("/api/exports/grants?format=pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    let anonymous = app
        .anonymous
        .get(app.url("/api/exports/grants"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}

on_both_databases!(
    the_reports_closure_figure_from_the_demo_data,
    the_backlog_and_the_worklist,
    the_closure_workflow_separates_duties,
    grant_lists_filter_and_page,
    filtered_grant_lists_export_as_csv_and_xlsx,
);

/// The overdue backlog reads the partial indexes over open grants, closures per month the one
/// over closed grants (SQLite's planner is deterministic; PostgreSQL's choice depends on the
/// table's size, measured by the benchmark).
#[tokio::test]
async fn the_backlog_reads_the_open_grants_indexes() {
    use sea_orm::{ConnectionTrait, Statement};
    use steward::grants::analytics::{Cohorts, backlog_statement, monthly_statement};
    let Some(app) = TestApp::spawn(DbKind::Sqlite).await else {
        return;
    };
    let conn = app.db.reader();
    let backend = conn.get_database_backend();
    let today = chrono::Utc::now().date_naive();
    let two_years_ago = today - chrono::Duration::days(730);
    let monthly = monthly_statement(backend, &Cohorts::default(), two_years_ago, today);
    for (statement, index) in [
        (
            backlog_statement(&Cohorts::default(), today),
            "ix_grant_open_due",
        ),
        (
            backlog_statement(
                &Cohorts {
                    divisions: Some(vec![1]),
                    from_year: Some(2012),
                    to_year: Some(2019),
                    ..Cohorts::default()
                },
                today,
            ),
            "ix_grant_open_division_due",
        ),
        (monthly, "ix_grant_closed_on"),
    ] {
        let statement = backend.build(&statement);
        let plan = conn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!("EXPLAIN QUERY PLAN {}", statement.sql),
                statement.values.map(|v| v.0).unwrap_or_default(),
            ))
            .await
            .unwrap();
        let plan: Vec<String> = plan
            .iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .collect();
        assert!(
            plan.iter().any(|step| step.contains(index)),
            "{index}: {plan:?}"
        );
    }
    app.stop().await;
}
