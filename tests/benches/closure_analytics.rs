//! Closure analytics at scale: each analytics query through GraphQL (HTTP, signed in with a
//! token, as a client sees it) against the raw SQL it runs, on the same database, with
//! `GRANTS` synthetic grants (default 1,000,000) on top of the demo data.
//!
//!     cargo bench -p steward-tests --bench closure_analytics            # SQLite
//!     TEST_DATABASE_URL=postgres://… cargo bench -p steward-tests --bench closure_analytics
//!
//! (`./dev bench` runs both.) Prints the median of `RUNS` timings per query and whether it
//! keeps the bound: GraphQL ≤ 1.1 × SQL + 2 ms; and the unfiltered dashboard's time.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::SelectStatement;
use serde_json::{Value, json};
use steward::grants::analytics::{
    ClosureDimension, Cohorts, backlog_statement, monthly_statement, rates_statement,
};
use steward_tests::{AppOptions, DbKind, TestApp, TestDatabase};

const RUNS: usize = 15;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn time_sql(app: &TestApp, statements: &[SelectStatement]) -> Duration {
    let conn = app.db.reader();
    let backend = conn.get_database_backend();
    let mut times = Vec::new();
    for run in 0..=RUNS {
        let started = Instant::now();
        for statement in statements {
            let rows = conn
                .query_all_raw(backend.build(statement))
                .await
                .expect("the statement runs");
            std::hint::black_box(rows);
        }
        // The first run warms the caches.
        if run > 0 {
            times.push(started.elapsed());
        }
    }
    median(times)
}

async fn time_graphql(app: &TestApp, query: &str, variables: &Value) -> Duration {
    let mut times = Vec::new();
    for run in 0..=RUNS {
        let started = Instant::now();
        let response = app.graphql(query, variables.clone()).await;
        let elapsed = started.elapsed();
        assert!(response.get("errors").is_none(), "{response}");
        if run > 0 {
            times.push(elapsed);
        }
    }
    median(times)
}

async fn id_of(app: &TestApp, query: &str, pointer: &str) -> (String, i32) {
    let response = app.graphql(query, json!({})).await;
    let id = response
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {response}"))
        .to_owned();
    let record = steward::graphql::relay::parse_global_id(&async_graphql_id(&id))
        .expect("a global id")
        .1;
    (id, record)
}

fn async_graphql_id(id: &str) -> async_graphql::ID {
    async_graphql::ID(id.to_owned())
}

async fn run(kind: DbKind, grants: usize) {
    let Some(database) = TestDatabase::create(kind).await else {
        eprintln!("{kind:?}: skipped (no database configured)");
        return;
    };
    let app = TestApp::spawn_on(database, AppOptions::default()).await;
    let started = Instant::now();
    let written = steward::grants::generate::generate(&app.db, grants, 7, |_| {})
        .await
        .expect("generate grants");
    println!(
        "{kind:?}: generated {written} grants in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (stored, recounted) = steward::grants::tally::stored_and_recounted(app.db.reader())
        .await
        .expect("read the tally");
    assert_eq!(stored, recounted, "the closure tally equals a recount");
    println!(
        "{kind:?}: the closure tally ({} rows) equals a recount",
        stored.len()
    );
    if kind == DbKind::Postgres {
        app.db
            .writer()
            .execute_unprepared("ANALYZE")
            .await
            .expect("analyze");
    }

    let (donor, donor_id) = id_of(&app, "{ donors { id } }", "/data/donors/0/id").await;
    // The first group by region is headquarters (no region); the second is a regional office.
    let (region, region_id) = id_of(
        &app,
        "{ closureRates(by: REGION) { key } }",
        "/data/closureRates/1/key",
    )
    .await;
    let (division, division_id) = id_of(
        &app,
        "{ closureRates(by: DIVISION) { key } }",
        "/data/closureRates/0/key",
    )
    .await;
    let everything = Cohorts::default();
    let years_and_donor = Cohorts {
        from_year: Some(2012),
        to_year: Some(2019),
        donors: Some(vec![donor_id]),
        ..Cohorts::default()
    };
    let donor_and_region = Cohorts {
        donors: Some(vec![donor_id]),
        regions: Some(vec![region_id]),
        ..Cohorts::default()
    };
    let one_division = Cohorts {
        divisions: Some(vec![division_id]),
        ..Cohorts::default()
    };
    let today = chrono::Utc::now().date_naive();
    let two_years_ago = today
        .checked_sub_months(chrono::Months::new(24))
        .unwrap_or(today);
    let backend = app.db.reader().get_database_backend();

    let cases: Vec<(&str, String, Value, Vec<SelectStatement>)> = vec![
        (
            "unfiltered dashboard: rates by year, division and donor",
            "{ a: closureRates(by: DUE_YEAR) { due closed } b: closureRates(by: DIVISION) { due closed } c: closureRates(by: DONOR) { due closed } }".into(),
            json!({}),
            vec![
                rates_statement(Some(ClosureDimension::DueYear), &everything),
                rates_statement(Some(ClosureDimension::Division), &everything),
                rates_statement(Some(ClosureDimension::Donor), &everything),
            ],
        ),
        (
            "total, cohorts 2012-2019, one donor",
            "query($d: ID!) { closureTotal(filter: { fromYear: 2012, toYear: 2019, donors: [$d] }) { due closed rate } }".into(),
            json!({ "d": donor }),
            vec![rates_statement(None, &years_and_donor)],
        ),
        (
            "rates by division, one donor and one region",
            "query($d: ID!, $r: ID!) { closureRates(by: DIVISION, filter: { donors: [$d], regions: [$r] }) { due closed } }".into(),
            json!({ "d": donor, "r": region }),
            vec![rates_statement(Some(ClosureDimension::Division), &donor_and_region)],
        ),
        (
            "backlog ageing, all grants (the dashboard's)",
            "{ closureBacklog { band grants } }".into(),
            json!({}),
            vec![backlog_statement(&Cohorts::default(), today)],
        ),
        (
            "backlog ageing, one division (reads the grants)",
            "query($v: ID!) { closureBacklog(filter: { divisions: [$v] }) { band grants } }".into(),
            json!({ "v": division }),
            vec![backlog_statement(&one_division, today)],
        ),
        (
            "closures per month, 24 months, one donor (reads the grants)",
            "query($d: ID!) { closuresPerMonth(filter: { donors: [$d] }) { month closed } }".into(),
            json!({ "d": donor }),
            vec![monthly_statement(
                backend,
                &Cohorts {
                    donors: Some(vec![donor_id]),
                    ..Cohorts::default()
                },
                two_years_ago,
                today,
            )],
        ),
    ];
    println!(
        "{:<58} {:>9} {:>11} {:>9} {:>6}",
        "query", "SQL ms", "GraphQL ms", "bound ms", "ok"
    );
    for (name, query, variables, statements) in cases {
        let sql = time_sql(&app, &statements).await;
        let graphql = time_graphql(&app, &query, &variables).await;
        let bound = ms(sql) * 1.1 + 2.0;
        println!(
            "{name:<58} {:>9.2} {:>11.2} {:>9.2} {:>6}",
            ms(sql),
            ms(graphql),
            bound,
            if ms(graphql) <= bound { "yes" } else { "NO" }
        );
    }
    app.stop().await;
}

#[tokio::main]
async fn main() {
    let grants = std::env::var("GRANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    run(DbKind::Sqlite, grants).await;
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        run(DbKind::Postgres, grants).await;
    }
}
