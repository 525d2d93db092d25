//! Demo data from the report, loaded into an empty database when demo mode is on.

use sea_orm::{DbErr, EntityTrait, PaginatorTrait};

use crate::db::{Db, StartupLock};
use crate::{access, grants, organisation};

#[derive(Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        org_units: usize,
        people: usize,
        grants: usize,
    },
    /// The database already holds data: demo data never mixes with real records.
    SkippedNotEmpty,
}

/// Loads the demo data set in one transaction if the database is empty.
pub async fn load_if_empty(db: &Db) -> Result<DemoOutcome, DbErr> {
    let txn = db.begin_exclusive(StartupLock::DemoData).await?;
    // Checked inside the write transaction so two copies starting at once cannot both load.
    if organisation::org_unit::Entity::find().count(&txn).await? > 0 {
        txn.rollback().await?;
        return Ok(DemoOutcome::SkippedNotEmpty);
    }
    let counts = organisation::demo::load(&txn).await?;
    let accounts = access::demo::load(&txn).await?;
    let grants = grants::demo::load(&txn).await?;
    txn.commit().await?;
    for (role, email) in &accounts {
        tracing::info!(%role, %email, "demo account (password {})", access::demo::DEMO_PASSWORD);
    }
    Ok(DemoOutcome::Loaded {
        org_units: counts.org_units,
        people: counts.people,
        grants,
    })
}
