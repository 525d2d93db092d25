//! The database: SQLite (embedded default) or PostgreSQL (production), behind one handle.
//!
//! SQLite allows one writer at a time. Rather than let concurrent write transactions fight
//! over the lock (and fail with "database is locked" when a deferred transaction tries to
//! upgrade), every write goes through a pool of exactly one connection and starts with
//! `BEGIN IMMEDIATE`; reads use a separate pool and, thanks to WAL, never block the writer.
//! Other processes on the same file (a CLI next to the server) wait on the busy timeout.
//! On PostgreSQL both handles are the same pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use steward_migrations::{Migrator, MigratorTrait};

/// How long an SQLite connection waits for another process's write lock.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a writer waits for its turn on the single write connection.
const WRITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(60);
const SQLITE_READERS: u32 = 8;
/// Every SQL statement is logged at debug level under `sqlx::query`: `RUST_LOG=sqlx::query=debug`
/// shows what a request runs (and how many statements).
const STATEMENT_LOG_LEVEL: log::LevelFilter = log::LevelFilter::Debug;
const POSTGRES_CONNECTIONS: u32 = 16;
/// Keys of PostgreSQL advisory locks that serialise start-up work across server copies.
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum StartupLock {
    /// The ASCII bytes of "STEWMIGR".
    Migrations = 0x5354_4557_4d49_4752,
    /// The ASCII bytes of "STEWDEMO".
    DemoData = 0x5354_4557_4445_4d4f,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres://, got {0:?}")]
    UnsupportedUrl(String),
    #[error("could not connect to the database: {0}")]
    Connect(#[source] DbErr),
}

#[derive(Debug, Clone)]
pub struct Db {
    reader: DatabaseConnection,
    writer: DatabaseConnection,
    /// SQL statements run through this handle since it connected (to measure queries per
    /// request, and to test that nested fields do not multiply statements).
    statements: Arc<AtomicU64>,
}

/// Counts every statement a connection runs.
fn count_statements(connection: &mut DatabaseConnection, counter: &Arc<AtomicU64>) {
    let counter = Arc::clone(counter);
    connection.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url).await
        } else {
            Err(DbError::UnsupportedUrl(redact(url)))
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Self, DbError> {
        let sqlite_options = |max: u32, set_wal: bool| {
            let mut options = ConnectOptions::new(url);
            options
                .max_connections(max)
                .min_connections(1)
                .acquire_timeout(WRITE_ACQUIRE_TIMEOUT)
                .sqlx_logging(true)
                .sqlx_logging_level(STATEMENT_LOG_LEVEL)
                .map_sqlx_sqlite_opts(move |opts| {
                    let opts = opts
                        .synchronous(SqliteSynchronous::Full)
                        .foreign_keys(true)
                        .busy_timeout(SQLITE_BUSY_TIMEOUT);
                    // WAL is a property of the file, kept once set: only the writer sets it.
                    if set_wal {
                        opts.journal_mode(SqliteJournalMode::Wal)
                    } else {
                        opts
                    }
                });
            options
        };
        // The writer connects first so the file exists and is in WAL mode before readers open it.
        let mut writer = connect_retrying_when_locked(sqlite_options(1, true)).await?;
        let mut reader =
            connect_retrying_when_locked(sqlite_options(SQLITE_READERS, false)).await?;
        let statements = Arc::new(AtomicU64::new(0));
        count_statements(&mut writer, &statements);
        count_statements(&mut reader, &statements);
        Ok(Db {
            reader,
            writer,
            statements,
        })
    }

    async fn connect_postgres(url: &str) -> Result<Self, DbError> {
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(POSTGRES_CONNECTIONS)
            .min_connections(1)
            .acquire_timeout(WRITE_ACQUIRE_TIMEOUT)
            .sqlx_logging(true)
            .sqlx_logging_level(STATEMENT_LOG_LEVEL)
            .set_application_name("steward");
        let mut pool = Database::connect(options).await.map_err(DbError::Connect)?;
        let statements = Arc::new(AtomicU64::new(0));
        count_statements(&mut pool, &statements);
        Ok(Db {
            reader: pool.clone(),
            writer: pool,
            statements,
        })
    }

    /// How many SQL statements this handle (and its clones) have run.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The connection for reads. Never write through it: use [`Db::begin_write`].
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// The connection for a single write statement outside a transaction (a log line, a
    /// "last seen" stamp). Anything that writes more than one statement uses
    /// [`Db::begin_write`].
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on the single SQLite writer connection, an
    /// ordinary transaction on PostgreSQL.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend() {
            DbBackend::Sqlite => {
                self.writer
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await
            }
            _ => self.writer.begin().await,
        }
    }

    /// A write transaction that no other server copy can hold at the same time for the same
    /// `lock`: a transaction-scoped advisory lock on PostgreSQL; on SQLite `BEGIN IMMEDIATE`
    /// already excludes every other writer.
    pub async fn begin_exclusive(&self, lock: StartupLock) -> Result<DatabaseTransaction, DbErr> {
        let txn = self.begin_write().await?;
        if self.backend() == DbBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({})", lock as i64))
                .await?;
        }
        Ok(txn)
    }

    /// Refreshes PostgreSQL's planner statistics of `table` after a bulk write (an import,
    /// `steward generate`). Until its autovacuum comes round (a minute or more) the statistics
    /// describe the smaller table, and the planner may scan the whole table for lookups by key
    /// (measured: 159 s instead of 2 s to re-import 100,000 grants). SQLite's planner needs no
    /// statistics for those lookups. A failure costs only speed, so it is logged.
    pub async fn refresh_statistics(&self, table: &str) {
        if self.backend() != DbBackend::Postgres {
            return;
        }
        let statement = format!("ANALYZE \"{table}\"");
        if let Err(error) = self.writer.execute_unprepared(&statement).await {
            tracing::warn!(%error, table, "could not refresh the planner's statistics");
        }
    }

    /// Is the database reachable and answering?
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.reader.ping().await?;
        if self.backend() == DbBackend::Sqlite {
            self.writer.ping().await?;
        }
        Ok(())
    }

    /// Applies pending migrations in one transaction. Several server copies may start at once
    /// against one PostgreSQL: the advisory lock makes the later ones wait and then find nothing
    /// left to do. On SQLite, `BEGIN IMMEDIATE` does the same across processes.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        let txn = self.begin_exclusive(StartupLock::Migrations).await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    }

    /// Names of the migrations applied so far, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, DbErr> {
        let applied = Migrator::get_applied_migrations(&self.reader).await?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    pub async fn close(self) {
        // Errors on close only mean the pool was already gone.
        let _ = self.reader.close().await;
        let _ = self.writer.close().await;
    }
}

/// Opens an SQLite pool. SQLite answers some lock conflicts at connect time (switching a new
/// file to WAL, recovering its WAL index) with "database is locked" at once, without waiting
/// for the busy timeout, so when several processes open one new file at the same moment one of
/// them can be refused: try again, briefly.
async fn connect_retrying_when_locked(
    options: ConnectOptions,
) -> Result<DatabaseConnection, DbError> {
    const ATTEMPTS: u32 = 50;
    let mut attempt = 1;
    loop {
        match Database::connect(options.clone()).await {
            Ok(connection) => return Ok(connection),
            Err(err) if attempt < ATTEMPTS && err.to_string().contains("database is locked") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt.min(10)))).await;
            }
            Err(err) => return Err(DbError::Connect(err)),
        }
    }
}

/// A URL fit for logs and error messages: the password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://steward:secret@db:5432/steward"),
            "postgres://steward:***@db:5432/steward"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact("sqlite://data/steward.db"),
            "sqlite://data/steward.db"
        );
    }
}
