//! Importing grants at scale: `IMPORT_ROWS` synthetic grants (default 100,000) exported by
//! one Steward as CSV and XLSX, then imported over HTTP into a fresh one with the demo data:
//! the preview, the commit (every row new), the same file again (every row unchanged), the
//! XLSX file's preview, and the CSV with every grant's title changed (every row updated).
//!
//!     cargo bench -p steward-tests --bench grant_import            # SQLite
//!     TEST_DATABASE_URL=postgres://… cargo bench -p steward-tests --bench grant_import
//!
//! (`./dev bench` runs both.) The bound: under 60 s for the commit of 100,000 rows.

use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use steward_tests::{AppOptions, DbKind, Role, TestApp, TestDatabase, create_account};

async fn client(app: &TestApp) -> reqwest::Client {
    let token = create_account(&app.db, Role::Administrator, None).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("a header value"),
    );
    reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .default_headers(headers)
        .build()
        .expect("http client")
}

async fn export(app: &TestApp, client: &reqwest::Client, format: &str) -> Vec<u8> {
    let response = client
        .get(app.url(&format!("/api/exports/grants?format={format}&search=SYN-")))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("export body").to_vec()
}

/// Imports `file`, streaming progress; returns the report, the time and the progress lines.
async fn import(
    app: &TestApp,
    client: &reqwest::Client,
    file: &[u8],
    name: &str,
    commit: bool,
) -> (Value, Duration, usize) {
    let form = Form::new().part(
        "file",
        Part::bytes(file.to_vec()).file_name(name.to_owned()),
    );
    let path = if commit {
        "/api/imports/grants?commit=true"
    } else {
        "/api/imports/grants"
    };
    let started = Instant::now();
    let response = client
        .post(app.url(path))
        .header("accept", "application/x-ndjson")
        .multipart(form)
        .send()
        .await
        .expect("import");
    let text = response.text().await.expect("import body");
    let elapsed = started.elapsed();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let last = lines.last().cloned().unwrap_or_default();
    let report = last
        .get("report")
        .cloned()
        .unwrap_or_else(|| panic!("no report: {last}"));
    (report, elapsed, lines.len() - 1)
}

async fn run(kind: DbKind, rows: usize) {
    let Some(source_db) = TestDatabase::create(kind).await else {
        eprintln!("{kind:?}: skipped (no database configured)");
        return;
    };
    let source = TestApp::spawn_on(source_db, AppOptions::default()).await;
    steward::grants::generate::generate(&source.db, rows, 11, |_| {})
        .await
        .expect("generate grants");
    // The harness's own accounts (…@steward.test) exist only in this database: grants that
    // drew one of them as officer would name someone the target does not know.
    source
        .db
        .writer()
        .execute_unprepared(
            "UPDATE \"grant\" SET officer_person_id = NULL WHERE officer_person_id IN \
             (SELECT id FROM person WHERE email LIKE '%@steward.test')",
        )
        .await
        .expect("clear test officers");
    let source_client = client(&source).await;
    let csv = export(&source, &source_client, "csv").await;
    let xlsx = export(&source, &source_client, "xlsx").await;
    source.stop().await;
    println!(
        "{kind:?}: {rows} grants; CSV {:.1} MB, XLSX {:.1} MB",
        csv.len() as f64 / 1e6,
        xlsx.len() as f64 / 1e6
    );

    let Some(target_db) = TestDatabase::create(kind).await else {
        return;
    };
    let target = TestApp::spawn_on(target_db, AppOptions::default()).await;
    let client = client(&target).await;
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>10} {:>9} {:>9}",
        "step", "new", "changed", "same", "errors", "progress", "seconds"
    );
    // Every synthetic title is "<theme> in <place>": the same file with every title changed.
    let retitled = String::from_utf8_lossy(&csv)
        .replace(" in ", " at ")
        .into_bytes();
    for (step, file, name, commit) in [
        ("preview CSV (all new)", &csv, "grants.csv", false),
        ("commit CSV (all new)", &csv, "grants.csv", true),
        ("commit CSV again (all unchanged)", &csv, "grants.csv", true),
        ("preview XLSX (all unchanged)", &xlsx, "grants.xlsx", false),
        (
            "commit CSV, every title changed",
            &retitled,
            "grants.csv",
            true,
        ),
    ] {
        let (report, elapsed, progress) = import(&target, &client, file, name, commit).await;
        println!(
            "{step:<34} {:>8} {:>8} {:>8} {:>10} {:>9} {:>9.1}",
            report["new"],
            report["changed"],
            report["unchanged"],
            report["errorCount"],
            progress,
            elapsed.as_secs_f64()
        );
        assert_eq!(report["errorCount"], 0, "{step}: {}", report["errors"]);
        if commit && step.contains("all new") {
            assert!(
                elapsed < Duration::from_secs(60),
                "{kind:?}: {rows} rows took {elapsed:?}, more than a minute"
            );
        }
    }
    let (stored, recounted) = steward::grants::tally::stored_and_recounted(target.db.reader())
        .await
        .expect("read the tally");
    assert_eq!(stored, recounted, "the tally is exact after the import");
    target.stop().await;
}

#[tokio::main]
async fn main() {
    let rows = std::env::var("IMPORT_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    run(DbKind::Sqlite, rows).await;
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        run(DbKind::Postgres, rows).await;
    }
}
