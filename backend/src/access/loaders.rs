//! DataLoaders for accounts, so lists of people or accounts read their accounts, roles and
//! tokens in one statement each.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{account, api_token, role_assignment};
use crate::db::Db;
use crate::graphql::ApiError;

pub struct AccountById(pub Db);

impl Loader<i32> for AccountById {
    type Value = Arc<account::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = account::Entity::find()
            .filter(account::Column::Id.is_in(keys.iter().copied()))
            .all(self.0.reader())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, Arc::new(r))).collect())
    }
}

pub struct AccountOfPerson(pub Db);

impl Loader<i32> for AccountOfPerson {
    type Value = Arc<account::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = account::Entity::find()
            .filter(account::Column::PersonId.is_in(keys.iter().copied()))
            .all(self.0.reader())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.person_id, Arc::new(r)))
            .collect())
    }
}

pub struct AssignmentsOfAccount(pub Db);

impl Loader<i32> for AssignmentsOfAccount {
    type Value = Arc<Vec<role_assignment::Model>>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = role_assignment::Entity::find()
            .filter(role_assignment::Column::AccountId.is_in(keys.iter().copied()))
            .order_by_asc(role_assignment::Column::Id)
            .all(self.0.reader())
            .await?;
        let mut grouped: HashMap<i32, Vec<role_assignment::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped.entry(row.account_id).or_default().push(row);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

pub struct TokensOfAccount(pub Db);

impl Loader<i32> for TokensOfAccount {
    type Value = Arc<Vec<api_token::Model>>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = api_token::Entity::find()
            .filter(api_token::Column::AccountId.is_in(keys.iter().copied()))
            .order_by_desc(api_token::Column::CreatedAt)
            .all(self.0.reader())
            .await?;
        let mut grouped: HashMap<i32, Vec<api_token::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped.entry(row.account_id).or_default().push(row);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

pub struct AccessLoaders {
    pub account: DataLoader<AccountById>,
    pub account_of_person: DataLoader<AccountOfPerson>,
    pub assignments: DataLoader<AssignmentsOfAccount>,
    pub tokens: DataLoader<TokensOfAccount>,
}

const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(2);

impl AccessLoaders {
    pub fn new(db: &Db) -> Self {
        AccessLoaders {
            account: DataLoader::new(AccountById(db.clone()), tokio::spawn).delay(BATCH_DELAY),
            account_of_person: DataLoader::new(AccountOfPerson(db.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            assignments: DataLoader::new(AssignmentsOfAccount(db.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            tokens: DataLoader::new(TokensOfAccount(db.clone()), tokio::spawn).delay(BATCH_DELAY),
        }
    }
}
