//! `steward generate --grants N`: synthetic grants for load tests and benchmarks, written in
//! batches in one transaction, with the closure tally rebuilt at the end.

use chrono::{NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Statement};
use thiserror::Error;

use super::demo::{BATCH, DONORS, Fate, Setting, Synthesiser};
use super::{donor, grant, tally};
use crate::db::Db;

#[derive(Debug, Error)]
pub enum GenerateError {
    #[error(
        "the database has no org units to attach grants to: load the demo data or import the organisation first"
    )]
    NoOrganisation,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The fate of the `i`-th synthetic grant: cohorts 2008–2026, older ones more often closed,
/// and one in ten still under way.
fn fate(rng: &mut StdRng, today: NaiveDate) -> Fate {
    use chrono::Datelike;
    let this_year = today.year();
    if rng.random_bool(0.1) {
        return Fate::Active(rng.random_range(this_year..=this_year + 2));
    }
    let year = rng.random_range(2008..=this_year);
    let age = (this_year - year) as f64;
    let closed_share = (0.35 + age * 0.05).min(0.97);
    if rng.random_bool(closed_share) {
        Fate::ClosedIn(year)
    } else {
        Fate::OpenIn(year)
    }
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// Writes `count` synthetic grants numbered after any generated before; returns how many.
/// `progress` is called after every batch with the number written so far.
pub async fn generate(
    db: &Db,
    count: usize,
    seed: u64,
    mut progress: impl FnMut(usize),
) -> Result<usize, GenerateError> {
    let txn = db.begin_write().await?;
    if donor::Entity::find().one(&txn).await?.is_none() {
        let now = Utc::now();
        donor::Entity::insert_many(DONORS.iter().map(|(code, name)| donor::ActiveModel {
            code: sea_orm::Set((*code).to_owned()),
            name: sea_orm::Set((*name).to_owned()),
            created_at: sea_orm::Set(now),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
    }
    let setting = Setting::read(&txn).await?;
    if setting.units.is_empty() {
        return Err(GenerateError::NoOrganisation);
    }
    let backend = txn.get_database_backend();
    let before = Count::find_by_statement(Statement::from_string(
        backend,
        "SELECT COUNT(*) AS n FROM \"grant\" WHERE number LIKE 'SYN-%'",
    ))
    .one(&txn)
    .await?
    .map_or(0, |c| c.n as usize);
    let mut synthesiser = Synthesiser::new(&setting, seed, "SYN-").starting_at(before + 1);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let today = Utc::now().date_naive();
    let mut written = 0;
    while written < count {
        let size = BATCH.min(count - written);
        let batch: Vec<grant::ActiveModel> = (0..size)
            .filter_map(|_| synthesiser.grant(fate(&mut rng, today), today))
            .collect();
        grant::Entity::insert_many(batch).exec(&txn).await?;
        written += size;
        progress(written);
    }
    tally::rebuild(&txn).await?;
    txn.commit().await?;
    db.refresh_statistics("grant").await;
    Ok(written)
}
