//! Steward's database migrations.
//!
//! Written with SeaORM's schema helpers only (never importing entities), so the same files run
//! on SQLite and PostgreSQL and stay valid however the entities change later.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261126_000001_organisation;
mod m20261126_000002_access;
mod m20261126_000003_grants;
mod m20261127_000004_imports;
mod m20261127_000005_open_grant_deadlines;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_organisation::Migration),
            Box::new(m20261126_000002_access::Migration),
            Box::new(m20261126_000003_grants::Migration),
            Box::new(m20261127_000004_imports::Migration),
            Box::new(m20261127_000005_open_grant_deadlines::Migration),
        ]
    }
}
