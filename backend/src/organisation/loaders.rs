//! DataLoaders: nested fields of many org units or people are read in one query per batch,
//! never one per parent (no N+1).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{org_unit, org_unit_name, org_unit_revision, person, person_flag, person_membership};
use crate::db::Db;
use crate::graphql::ApiError;

/// A loader of the rows of `$entity` whose `$column` is one of the keys, grouped by key
/// (`$key` reads the key off a row), each group ordered by `$order`.
macro_rules! grouped_loader {
    ($name:ident, $entity:ident, $column:expr, $key:expr, $order:expr) => {
        pub struct $name(pub Db);

        impl Loader<i32> for $name {
            type Value = Arc<Vec<$entity::Model>>;
            type Error = ApiError;

            async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
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

grouped_loader!(
    RevisionsOfUnit,
    org_unit_revision,
    org_unit_revision::Column::OrgUnitId,
    |row| Some(row.org_unit_id),
    org_unit_revision::Column::ValidFrom
);
grouped_loader!(
    RevisionsUnderParent,
    org_unit_revision,
    org_unit_revision::Column::ParentId,
    |row| row.parent_id,
    org_unit_revision::Column::SortOrder
);
grouped_loader!(
    NamesOfUnit,
    org_unit_name,
    org_unit_name::Column::OrgUnitId,
    |row| Some(row.org_unit_id),
    org_unit_name::Column::ValidFrom
);
grouped_loader!(
    MembershipsOfPerson,
    person_membership,
    person_membership::Column::PersonId,
    |row| Some(row.person_id),
    person_membership::Column::ValidFrom
);
grouped_loader!(
    FlagsOfPerson,
    person_flag,
    person_flag::Column::PersonId,
    |row| Some(row.person_id),
    person_flag::Column::Since
);

pub struct UnitById(pub Db);

impl Loader<i32> for UnitById {
    type Value = Arc<org_unit::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(keys.iter().copied()))
            .all(self.0.reader())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, Arc::new(r))).collect())
    }
}

pub struct PersonById(pub Db);

impl Loader<i32> for PersonById {
    type Value = Arc<person::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = person::Entity::find()
            .filter(person::Column::Id.is_in(keys.iter().copied()))
            .all(self.0.reader())
            .await?;
        Ok(rows.into_iter().map(|r| (r.id, Arc::new(r))).collect())
    }
}

/// The organisation's loaders, created for each request (their caches live one request).
pub struct OrganisationLoaders {
    pub unit: DataLoader<UnitById>,
    pub person: DataLoader<PersonById>,
    pub revisions: DataLoader<RevisionsOfUnit>,
    pub children: DataLoader<RevisionsUnderParent>,
    pub names: DataLoader<NamesOfUnit>,
    pub memberships: DataLoader<MembershipsOfPerson>,
    pub flags: DataLoader<FlagsOfPerson>,
}

impl OrganisationLoaders {
    pub fn new(db: &Db) -> Self {
        OrganisationLoaders {
            unit: DataLoader::new(UnitById(db.clone()), tokio::spawn),
            person: DataLoader::new(PersonById(db.clone()), tokio::spawn),
            revisions: DataLoader::new(RevisionsOfUnit(db.clone()), tokio::spawn),
            children: DataLoader::new(RevisionsUnderParent(db.clone()), tokio::spawn),
            names: DataLoader::new(NamesOfUnit(db.clone()), tokio::spawn),
            memberships: DataLoader::new(MembershipsOfPerson(db.clone()), tokio::spawn),
            flags: DataLoader::new(FlagsOfPerson(db.clone()), tokio::spawn),
        }
    }
}
