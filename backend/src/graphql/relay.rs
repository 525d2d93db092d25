//! Relay conventions: opaque global ids, and connections (`first`/`after`/`last`/`before`,
//! at most 100 per page, `totalCount`).
//!
//! Cursors are positions in the filtered, ordered list. Every list orders by a unique key last,
//! so a position always means the same record while the data stays the same.

use async_graphql::{ID, SimpleObject, connection::PageInfo};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};

use super::error::{ApiError, ApiResult};
use crate::access::graphql::Account;
use crate::access::security_log::SecurityLogEntry;
use crate::audit::graphql::AuditEntry;
use crate::grants::graphql::Grant;
use crate::organisation::graphql::{OrgUnit, Person};

pub const MAX_PAGE_SIZE: u64 = 100;
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// The global id of record `id` of GraphQL type `type_name`, e.g. `OrgUnit`.
pub fn global_id(type_name: &str, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// Splits a global id into its type name and record id.
pub fn parse_global_id(id: &ID) -> ApiResult<(String, i32)> {
    let not_an_id = || ApiError::bad_request(format!("{:?} is not a Steward id.", id.as_str()));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_bytes())
        .map_err(|_| not_an_id())?;
    let text = String::from_utf8(bytes).map_err(|_| not_an_id())?;
    let (type_name, raw) = text.split_once(':').ok_or_else(not_an_id)?;
    let record = raw.parse::<i32>().map_err(|_| not_an_id())?;
    Ok((type_name.to_owned(), record))
}

/// The record id of a global id that must be of `type_name`.
pub fn parse_global_id_of(id: &ID, type_name: &str) -> ApiResult<i32> {
    let (actual, record) = parse_global_id(id)?;
    if actual != type_name {
        return Err(ApiError::bad_request(format!(
            "{:?} is the id of a {actual}, not of a {type_name}.",
            id.as_str()
        )));
    }
    Ok(record)
}

/// The pagination arguments of a connection field, as given.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// Which slice of the list to fetch: `OFFSET offset LIMIT limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

fn page_size(name: &str, value: Option<i32>) -> ApiResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(n) => Err(ApiError::bad_request(format!(
            "`{name}` must be between 0 and {MAX_PAGE_SIZE}, not {n}."
        ))),
    }
}

fn cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("position:{position}"))
}

fn parse_cursor(name: &str, cursor: &str) -> ApiResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("position:")?.parse().ok())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "`{name}` is not a cursor from this list: use a cursor from a previous page."
            ))
        })
}

impl PageArgs {
    /// The slice of a list of `total` items these arguments ask for.
    pub fn window(&self, total: u64) -> ApiResult<Window> {
        let first = page_size("first", self.first)?;
        let last = page_size("last", self.last)?;
        let after = self
            .after
            .as_deref()
            .map(|c| parse_cursor("after", c))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|c| parse_cursor("before", c))
            .transpose()?;
        let mut start = after.map_or(0, |a| a.saturating_add(1)).min(total);
        let mut end = before.map_or(total, |b| b.min(total)).max(start);
        match (first, last) {
            (Some(first), _) => {
                end = end.min(start + first);
                if let Some(last) = last {
                    start = start.max(end.saturating_sub(last));
                }
            }
            (None, Some(last)) => start = start.max(end.saturating_sub(last)),
            (None, None) => end = end.min(start + DEFAULT_PAGE_SIZE),
        }
        Ok(Window {
            offset: start,
            limit: end - start,
            has_previous_page: start > 0,
            has_next_page: end < total,
        })
    }
}

/// One page of an ordered query: its window, the list's total and the page's rows (the count
/// and the page are two statements, whatever the page size).
pub async fn fetch_page<E, C>(
    conn: &C,
    ordered: Select<E>,
    page: &PageArgs,
) -> ApiResult<(Window, u64, Vec<E::Model>)>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    let total = ordered.clone().count(conn).await?;
    let window = page.window(total)?;
    let rows = if window.limit == 0 {
        Vec::new()
    } else {
        ordered
            .offset(window.offset)
            .limit(window.limit)
            .all(conn)
            .await?
    };
    Ok((window, total, rows))
}

/// Builds a page from the items of a window of the list.
pub trait Connection<T>: Sized {
    fn new(window: Window, total_count: u64, items: Vec<T>) -> Self;
}

fn page_info(window: Window, count: usize) -> PageInfo {
    PageInfo {
        has_previous_page: window.has_previous_page,
        has_next_page: window.has_next_page,
        start_cursor: (count > 0).then(|| cursor(window.offset)),
        end_cursor: (count > 0).then(|| cursor(window.offset + count as u64 - 1)),
    }
}

/// Declares the connection and edge types of one kind of node. Written out per node type
/// (not generic) so that every generated type carries its own description.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $plural:literal) => {
        #[doc = concat!("A page of ", $plural, ", with the cursors to fetch the pages before and after it.")]
        #[derive(SimpleObject)]
        pub struct $connection {
            /// The items of this page, each with the cursor that marks its place in the list.
            pub edges: Vec<$edge>,
            /// The items of this page (the same as the edges' nodes, for shorter queries).
            pub nodes: Vec<$node>,
            /// Whether there are pages before and after this one, and their cursors.
            pub page_info: PageInfo,
            /// How many items the whole list holds, over all pages, with the same filters.
            pub total_count: u64,
        }

        #[doc = concat!("One of a page of ", $plural, ", with the cursor that marks its place in the list.")]
        #[derive(SimpleObject)]
        pub struct $edge {
            /// Pass this as `after` (or `before`) to continue from this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl Connection<$node> for $connection {
            fn new(window: Window, total_count: u64, items: Vec<$node>) -> Self {
                let edges = items
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(|(i, node)| $edge {
                        cursor: cursor(window.offset + i as u64),
                        node,
                    })
                    .collect();
                $connection {
                    edges,
                    page_info: page_info(window, items.len()),
                    nodes: items,
                    total_count,
                }
            }
        }
    };
}

connection!(OrgUnitConnection, OrgUnitEdge, OrgUnit, "org units");
connection!(PersonConnection, PersonEdge, Person, "people");
connection!(GrantConnection, GrantEdge, Grant, "grants");
connection!(AccountConnection, AccountEdge, Account, "user accounts");
connection!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    "audit trail entries"
);
connection!(
    SecurityLogEntryConnection,
    SecurityLogEntryEdge,
    SecurityLogEntry,
    "security log entries"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn args(
        first: Option<i32>,
        after: Option<u64>,
        last: Option<i32>,
        before: Option<u64>,
    ) -> PageArgs {
        PageArgs {
            first,
            after: after.map(cursor),
            last,
            before: before.map(cursor),
        }
    }

    fn slice(w: Window) -> (u64, u64, bool, bool) {
        (w.offset, w.limit, w.has_previous_page, w.has_next_page)
    }

    #[test]
    fn windows_follow_relay_arguments() {
        let window = |a: PageArgs| slice(a.window(50).unwrap());
        assert_eq!(window(args(None, None, None, None)), (0, 20, false, true));
        assert_eq!(
            window(args(Some(10), None, None, None)),
            (0, 10, false, true)
        );
        assert_eq!(
            window(args(Some(10), Some(9), None, None)),
            (10, 10, true, true)
        );
        assert_eq!(
            window(args(Some(100), Some(39), None, None)),
            (40, 10, true, false)
        );
        assert_eq!(
            window(args(None, None, Some(5), None)),
            (45, 5, true, false)
        );
        assert_eq!(
            window(args(None, None, Some(5), Some(20))),
            (15, 5, true, true)
        );
        assert_eq!(window(args(Some(0), None, None, None)), (0, 0, false, true));
        assert_eq!(
            window(args(Some(10), Some(70), None, None)),
            (50, 0, true, false)
        );
    }

    #[test]
    fn bad_arguments_are_refused_not_cast() {
        for bad in [
            args(Some(-1), None, None, None),
            args(Some(101), None, None, None),
            args(None, None, Some(-5), None),
            args(None, None, Some(i32::MAX), None),
        ] {
            let err = bad.window(10).unwrap_err();
            assert_eq!(err.code(), steward_shared::api::ErrorCode::BadRequest);
        }
        let garbage = PageArgs {
            after: Some("not-a-cursor".into()),
            ..PageArgs::default()
        };
        assert!(garbage.window(10).is_err());
    }

    #[test]
    fn global_ids_round_trip_and_check_their_type() {
        let id = global_id("OrgUnit", 42);
        assert_eq!(parse_global_id(&id).unwrap(), ("OrgUnit".to_owned(), 42));
        assert_eq!(parse_global_id_of(&id, "OrgUnit").unwrap(), 42);
        assert!(parse_global_id_of(&id, "Person").is_err());
        assert!(parse_global_id(&ID("42".into())).is_err());
        assert!(parse_global_id(&ID("!!".into())).is_err());
    }
}
