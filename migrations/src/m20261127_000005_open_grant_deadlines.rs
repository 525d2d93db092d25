//! Partial indexes over the open grants' deadlines (not financially closed, not cancelled):
//! the overdue backlog and its ageing count only those, so at a million grants they read a
//! small index instead of every deadline's row. The predicate must stay word for word what
//! `grant::open()` in the backend writes, or the databases will not use the indexes.
//!
//! The index of financial closure days becomes partial too (closed grants only): it serves
//! closures per month, and as a whole-table index SQLite preferred it for `IS NULL`, that is
//! for reading every open grant's row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PREDICATE: &str = "financially_closed_on IS NULL AND status <> 'CANCELLED'";

const INDEXES: [(&str, &str); 2] = [
    ("ix_grant_open_due", "closure_due_on"),
    ("ix_grant_open_division_due", "division_id, closure_due_on"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, columns) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON \"grant\" ({columns}) WHERE {PREDICATE}"
            ))
            .await?;
        }
        db.execute_unprepared("DROP INDEX ix_grant_closed_on")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_grant_closed_on ON \"grant\" (financially_closed_on) \
             WHERE financially_closed_on IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared("DROP INDEX ix_grant_closed_on")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_grant_closed_on ON \"grant\" (financially_closed_on)",
        )
        .await?;
        Ok(())
    }
}
