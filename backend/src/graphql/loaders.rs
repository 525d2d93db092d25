//! What every area's DataLoaders share: how long a batch waits, and the loader of rows grouped
//! by a key column.

use async_graphql::dataloader::{DataLoader, Loader};

/// How long a loader waits for more keys before it runs its batch. Sibling fields ask within
/// microseconds in a release build; a debug build under load needs longer.
pub const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(2);

/// A DataLoader with Steward's batch delay, its batches run on tokio.
pub fn loader<L: Loader<K>, K>(inner: L) -> DataLoader<L>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    DataLoader::new(inner, tokio::spawn).delay(BATCH_DELAY)
}

/// A loader of the rows of `$entity` whose `$column` is one of the keys, grouped by key
/// (`$key` reads the key off a row), each group ordered by `$order`.
macro_rules! grouped_loader {
    ($name:ident, $entity:ident, $column:expr, $key:expr, $order:expr) => {
        pub struct $name(pub $crate::db::Db);

        impl ::async_graphql::dataloader::Loader<i32> for $name {
            type Value = ::std::sync::Arc<Vec<$entity::Model>>;
            type Error = $crate::graphql::ApiError;

            async fn load(
                &self,
                keys: &[i32],
            ) -> Result<::std::collections::HashMap<i32, Self::Value>, Self::Error> {
                use ::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
                use ::std::collections::HashMap;
                use ::std::sync::Arc;
                let rows = $entity::Entity::find()
                    .filter($column.is_in(keys.iter().copied()))
                    .order_by_asc($order)
                    .all(self.0.reader())
                    .await?;
                let key: fn(&$entity::Model) -> Option<i32> = $key;
                let mut grouped: HashMap<i32, Vec<$entity::Model>> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for row in rows {
                    if let Some(k) = key(&row) {
                        grouped.entry(k).or_default().push(row);
                    }
                }
                Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
            }
        }
    };
}

pub(crate) use grouped_loader;

/// A loader of `$entity` rows by their `id` primary key.
macro_rules! by_id_loader {
    ($name:ident, $entity:ident) => {
        pub struct $name(pub $crate::db::Db);

        impl ::async_graphql::dataloader::Loader<i32> for $name {
            type Value = ::std::sync::Arc<$entity::Model>;
            type Error = $crate::graphql::ApiError;

            async fn load(
                &self,
                keys: &[i32],
            ) -> Result<::std::collections::HashMap<i32, Self::Value>, Self::Error> {
                use ::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                let rows = $entity::Entity::find()
                    .filter($entity::Column::Id.is_in(keys.iter().copied()))
                    .all(self.0.reader())
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| (r.id, ::std::sync::Arc::new(r)))
                    .collect())
            }
        }
    };
}

pub(crate) use by_id_loader;
