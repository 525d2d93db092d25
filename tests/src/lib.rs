//! The test harness: the real Steward server on an ephemeral port, against a fresh database per
//! test (SQLite always; PostgreSQL when `TEST_DATABASE_URL` is set), plus headless Chromium.
//!
//! Under `CI=true` a missing database or browser fails the test instead of skipping it.

pub mod browser;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use steward::{Application, DatabaseChoice, ServeSettings, db::Db};
pub use steward_shared::access::{Operation, Role};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const POSTGRES_ENV: &str = "TEST_DATABASE_URL";

/// The password of accounts the harness creates.
pub const TEST_PASSWORD: &str = "plum orchard on the hill";

/// A new account (and person) holding `role`, organisation-wide or within the unit with code
/// `unit`; returns an API token for it.
pub async fn create_account(db: &Db, role: Role, unit: Option<&str>) -> String {
    let email = format!(
        "{}-{}@steward.test",
        role.code().to_lowercase().replace('_', "-"),
        uuid::Uuid::new_v4().simple()
    );
    steward::access::cli::add_user(
        db,
        steward::access::cli::NewUser {
            email: email.clone(),
            name: format!("Test {}", role.code()),
            role: role.code().to_owned(),
            unit: unit.map(str::to_owned),
            password: TEST_PASSWORD.to_owned(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create a test account: {e}"));
    steward::access::cli::create_token(db, &email, None, false, None)
        .await
        .unwrap_or_else(|e| panic!("create a test token: {e}"))
}

/// An HTTP client that sends `token` as its bearer token (none: anonymous).
pub fn client_with_token(token: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token
        && let Ok(value) = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
    {
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .expect("http client")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// Writes one test per database kind for each named `async fn name(kind: DbKind)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::DbKind::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::DbKind::Postgres).await
                }
            }
        )*
    };
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips a test whose prerequisite is missing, except in CI where that is a failure.
pub fn skip_or_fail(what: &str) {
    if in_ci() {
        panic!("CI=true and {what}: CI never skips");
    }
    eprintln!("SKIPPED: {what}");
}

/// The workspace's top folder.
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// A database of its own for one test, removed by [`TestDatabase::remove`].
pub struct TestDatabase {
    pub kind: DbKind,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    PostgresSchema {
        admin_url: String,
        schema: String,
    },
    /// Another test database's handle: removed by its owner.
    Borrowed,
}

impl TestDatabase {
    /// `None` when PostgreSQL is not configured outside CI (the test is then skipped).
    pub async fn create(kind: DbKind) -> Option<Self> {
        match kind {
            DbKind::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("steward.db").display()
                );
                Some(TestDatabase {
                    kind,
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                })
            }
            DbKind::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
                    skip_or_fail(&format!("{POSTGRES_ENV} is not set"));
                    return None;
                };
                // A schema per test: far cheaper than a database, and as isolated for us.
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_ENV}: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                    .await
                    .expect("create test schema");
                let _ = admin.close().await;
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
                Some(TestDatabase {
                    kind,
                    url,
                    cleanup: Cleanup::PostgresSchema { admin_url, schema },
                })
            }
        }
    }

    /// The same database for a second server (several copies of Steward share one database).
    pub fn borrow(&self) -> TestDatabase {
        TestDatabase {
            kind: self.kind,
            url: self.url.clone(),
            cleanup: Cleanup::Borrowed,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn remove(self) {
        if let Cleanup::PostgresSchema { admin_url, schema } = self.cleanup
            && let Ok(admin) = Database::connect(&admin_url).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await;
            let _ = admin.close().await;
        }
    }
}

pub struct AppOptions {
    pub demo: bool,
    pub web_dir: PathBuf,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            demo: true,
            web_dir: workspace_dir().join("frontend").join("dist"),
        }
    }
}

/// A running server. Call [`TestApp::stop`] at the end of the test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// Signed in as an administrator (API token), so tests of other areas run as someone
    /// allowed to do everything.
    pub client: reqwest::Client,
    /// Not signed in.
    pub anonymous: reqwest::Client,
    pub admin_token: String,
    pub db: Db,
    pub database: TestDatabase,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    pub async fn spawn(kind: DbKind) -> Option<Self> {
        Self::spawn_with(kind, AppOptions::default()).await
    }

    pub async fn spawn_with(kind: DbKind, options: AppOptions) -> Option<Self> {
        let database = TestDatabase::create(kind).await?;
        Some(Self::spawn_on(database, options).await)
    }

    pub async fn spawn_on(database: TestDatabase, options: AppOptions) -> Self {
        let settings = ServeSettings {
            database: DatabaseChoice::Url(database.url().to_owned()),
            addr: ([127, 0, 0, 1], 0).into(),
            demo: Some(options.demo),
            web_dir: options.web_dir,
            access: steward::access::caller::AccessSettings::default(),
        };
        let app = Application::build(&settings)
            .await
            .unwrap_or_else(|e| panic!("server failed to start: {e}"));
        let address = format!("http://{}", app.local_addr().expect("bound address"));
        let db = app.db().clone();
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = stop.await;
        }));
        let admin_token = create_account(&db, Role::Administrator, None).await;
        let client = client_with_token(Some(&admin_token));
        let anonymous = client_with_token(None);
        let app = TestApp {
            address,
            client,
            anonymous,
            admin_token,
            db,
            database,
            shutdown,
            server,
        };
        // The token's first use is recorded (once a minute): done here, so that tests counting
        // SQL statements see only their own.
        app.graphql("{ viewer { readOnly } }", json!({})).await;
        app
    }

    /// A client signed in with a new account holding `role` (within the unit with code `unit`,
    /// or organisation-wide), through an API token.
    pub async fn client_as(&self, role: Role, unit: Option<&str>) -> reqwest::Client {
        client_with_token(Some(&create_account(&self.db, role, unit).await))
    }

    /// Runs a GraphQL request with `client` and returns the JSON response.
    pub async fn graphql_with(
        &self,
        client: &reqwest::Client,
        query: &str,
        variables: Value,
    ) -> Value {
        let response = client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("graphql request");
        assert_eq!(response.status(), 200, "GraphQL answers 200");
        response.json().await.expect("graphql response is JSON")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Runs a GraphQL request and returns the whole JSON response (`data` and `errors`).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("graphql request");
        assert_eq!(response.status(), 200, "GraphQL answers 200");
        response.json().await.expect("graphql response is JSON")
    }

    /// Shuts the server down gracefully and removes its database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        match tokio::time::timeout(Duration::from_secs(10), self.server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => panic!("server stopped with an error: {e}"),
            Ok(Err(e)) => panic!("server task failed: {e}"),
            Err(_) => panic!("server did not shut down within 10 s"),
        }
        self.database.remove().await;
    }
}
