//! Configuration: flags and environment variables, resolved once at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::access::caller::AccessSettings;

/// Where the SQLite database lives when `DATABASE_URL` is not given.
pub const DEFAULT_SQLITE_DIR: &str = "data";
pub const DEFAULT_SQLITE_FILE: &str = "steward.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_WEB_DIR: &str = "frontend/dist";

/// Which database to use, and whether it was chosen by the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseChoice {
    /// No `DATABASE_URL`: the embedded SQLite file under `./data/`.
    DefaultSqlite,
    /// A URL the operator gave (`sqlite:…` or `postgres://…`).
    Url(String),
}

impl DatabaseChoice {
    pub fn from_env_value(value: Option<String>) -> Self {
        match value.map(|v| v.trim().to_owned()) {
            Some(url) if !url.is_empty() => DatabaseChoice::Url(url),
            _ => DatabaseChoice::DefaultSqlite,
        }
    }

    /// The connection URL; for the default SQLite file this creates `./data/` on first use.
    pub fn url(&self) -> std::io::Result<String> {
        match self {
            DatabaseChoice::Url(url) => Ok(url.clone()),
            DatabaseChoice::DefaultSqlite => {
                std::fs::create_dir_all(DEFAULT_SQLITE_DIR)?;
                Ok(format!(
                    "sqlite://{DEFAULT_SQLITE_DIR}/{DEFAULT_SQLITE_FILE}?mode=rwc"
                ))
            }
        }
    }

    /// Demo data is loaded by default only into the default SQLite file, so a production
    /// PostgreSQL never receives demo accounts unless the operator asks for them.
    pub fn demo_by_default(&self) -> bool {
        matches!(self, DatabaseChoice::DefaultSqlite)
    }
}

/// Everything `steward serve` needs.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub database: DatabaseChoice,
    pub addr: SocketAddr,
    /// `Some` when `STEWARD_DEMO` / `--demo` was given; otherwise the database choice decides.
    pub demo: Option<bool>,
    pub web_dir: PathBuf,
    /// Cookies and client addresses.
    pub access: AccessSettings,
}

impl ServeSettings {
    pub fn load_demo(&self) -> bool {
        self.demo.unwrap_or_else(|| self.database.demo_by_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_database_url_means_default_sqlite() {
        assert_eq!(
            DatabaseChoice::from_env_value(None),
            DatabaseChoice::DefaultSqlite
        );
        assert_eq!(
            DatabaseChoice::from_env_value(Some("  ".into())),
            DatabaseChoice::DefaultSqlite
        );
        assert_eq!(
            DatabaseChoice::from_env_value(Some("postgres://db/steward".into())),
            DatabaseChoice::Url("postgres://db/steward".into())
        );
    }

    #[test]
    fn demo_defaults_follow_the_database_choice() {
        let settings = |database, demo| ServeSettings {
            database,
            addr: ([127, 0, 0, 1], 0).into(),
            demo,
            web_dir: PathBuf::from(DEFAULT_WEB_DIR),
            access: AccessSettings::default(),
        };
        assert!(settings(DatabaseChoice::DefaultSqlite, None).load_demo());
        assert!(!settings(DatabaseChoice::Url("postgres://x/y".into()), None).load_demo());
        assert!(settings(DatabaseChoice::Url("postgres://x/y".into()), Some(true)).load_demo());
        assert!(!settings(DatabaseChoice::DefaultSqlite, Some(false)).load_demo());
    }
}
