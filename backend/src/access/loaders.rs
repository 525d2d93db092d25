//! DataLoaders for accounts, so lists of people or accounts read their accounts, roles and
//! tokens in one statement each.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{account, api_token, role_assignment};
use crate::db::Db;
use crate::graphql::ApiError;
use crate::graphql::loaders::{by_id_loader, grouped_loader, loader};

by_id_loader!(AccountById, account);

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

grouped_loader!(
    AssignmentsOfAccount,
    role_assignment,
    role_assignment::Column::AccountId,
    |row| Some(row.account_id),
    role_assignment::Column::Id
);
// Oldest first, like every grouped loader; `Account.apiTokens` lists them newest first.
grouped_loader!(
    TokensOfAccount,
    api_token,
    api_token::Column::AccountId,
    |row| Some(row.account_id),
    api_token::Column::Id
);

pub struct AccessLoaders {
    pub account: DataLoader<AccountById>,
    pub account_of_person: DataLoader<AccountOfPerson>,
    pub assignments: DataLoader<AssignmentsOfAccount>,
    pub tokens: DataLoader<TokensOfAccount>,
}

impl AccessLoaders {
    pub fn new(db: &Db) -> Self {
        AccessLoaders {
            account: loader(AccountById(db.clone())),
            account_of_person: loader(AccountOfPerson(db.clone())),
            assignments: loader(AssignmentsOfAccount(db.clone())),
            tokens: loader(TokensOfAccount(db.clone())),
        }
    }
}
