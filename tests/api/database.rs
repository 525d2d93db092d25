//! The database layer under load and at start-up, on SQLite and PostgreSQL.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set, Statement};
use steward::db::Db;
use steward::organisation::{org_unit, org_unit_revision};
use steward_tests::{AppOptions, DbKind, TestApp, TestDatabase, on_both_databases};

const WRITERS: usize = 50;
/// The 34 units of today's structure and the Programme Division merged away in 2020.
const DEMO_UNITS: u64 = 35;
const HANDLES: usize = 5;

/// Read-then-write in one transaction from many tasks and several connection pools at once:
/// with deferred SQLite transactions this fails with "database is locked"; here every one of
/// them must commit.
async fn fifty_concurrent_writers_all_commit(kind: DbKind) {
    let options = AppOptions {
        demo: false,
        ..AppOptions::default()
    };
    let Some(app) = TestApp::spawn_with(kind, options).await else {
        return;
    };
    // The server's own handle plus others, as further server copies or a CLI would have.
    let mut handles = vec![app.db.clone()];
    for _ in 1..HANDLES {
        handles.push(Db::connect(app.database.url()).await.unwrap());
    }
    let writers = (0..WRITERS).map(|i| {
        let db = handles[i % HANDLES].clone();
        tokio::spawn(async move {
            let txn = db.begin_write().await?;
            let existing = org_unit::Entity::find().count(&txn).await?;
            let now = Utc::now();
            let unit = org_unit::ActiveModel {
                code: Set(format!("W{i:02}")),
                established_on: Set(now.date_naive()),
                dissolved_on: Set(None),
                merged_into_id: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            org_unit_revision::ActiveModel {
                org_unit_id: Set(unit.id),
                valid_from: Set(now.date_naive()),
                valid_to: Set(None),
                kind: Set("BRANCH".into()),
                parent_id: Set(None),
                sort_order: Set(i32::try_from(existing).unwrap_or(i32::MAX)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            txn.commit().await
        })
    });
    let results = join_all(writers).await;
    let failures: Vec<String> = results
        .into_iter()
        .filter_map(|r| match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} writers failed: {failures:#?}",
        failures.len()
    );
    assert_eq!(
        org_unit::Entity::find()
            .count(app.db.reader())
            .await
            .unwrap(),
        WRITERS as u64
    );
    for db in handles.into_iter().skip(1) {
        db.close().await;
    }
    app.stop().await;
}

async fn join_all<T>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut results = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        results.push(task.await);
    }
    results
}

/// Several copies of the server starting at once against one empty database: migrations and
/// demo data happen exactly once, and every copy comes up.
async fn copies_starting_together_migrate_and_load_demo_data_once(kind: DbKind) {
    let Some(database) = TestDatabase::create(kind).await else {
        return;
    };
    let starts = (0..4).map(|_| {
        let borrowed = database.borrow();
        tokio::spawn(async move { TestApp::spawn_on(borrowed, AppOptions::default()).await })
    });
    let mut apps = Vec::new();
    for start in starts.collect::<Vec<_>>() {
        apps.push(start.await.expect("a copy failed to start"));
    }
    let applied = apps[0].db.applied_migrations().await.unwrap();
    assert_eq!(
        applied,
        vec![
            "m20261126_000001_organisation".to_owned(),
            "m20261126_000002_access".to_owned(),
            "m20261126_000003_grants".to_owned(),
            "m20261127_000004_imports".to_owned(),
            "m20261127_000005_open_grant_deadlines".to_owned()
        ]
    );
    assert_eq!(
        org_unit::Entity::find()
            .count(apps[0].db.reader())
            .await
            .unwrap(),
        DEMO_UNITS
    );
    for app in apps {
        app.stop().await;
    }
    database.remove().await;
}

on_both_databases!(
    fifty_concurrent_writers_all_commit,
    copies_starting_together_migrate_and_load_demo_data_once,
    an_org_unit_with_a_missing_parent_is_refused,
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync() {
    let app = TestApp::spawn(DbKind::Sqlite).await.unwrap();
    let db = app.db.reader();
    let pragma = |name: &str| {
        let statement = Statement::from_string(db.get_database_backend(), format!("PRAGMA {name}"));
        async move {
            let row = db.query_one_raw(statement).await.unwrap().unwrap();
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
                .unwrap()
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    // 2 = FULL
    assert_eq!(pragma("synchronous").await, "2");
    app.stop().await;
}

async fn an_org_unit_with_a_missing_parent_is_refused(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let txn = app.db.begin_write().await.unwrap();
    let oed = org_unit::Entity::find().one(&txn).await.unwrap().unwrap();
    let orphan = org_unit_revision::ActiveModel {
        org_unit_id: Set(oed.id),
        valid_from: Set(Utc::now().date_naive()),
        valid_to: Set(None),
        kind: Set("BRANCH".into()),
        parent_id: Set(Some(999_999)),
        sort_order: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    assert!(orphan.is_err(), "foreign keys must be enforced");
    txn.rollback().await.unwrap();
    app.stop().await;
}
