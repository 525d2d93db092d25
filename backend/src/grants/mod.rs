//! Grants and their financial closure: donors, grants, the closure deadline and workflow, the
//! closure tally and the analytics read from it, demo data and synthetic grants.

pub mod analytics;
pub mod demo;
pub mod donor;
pub mod generate;
pub mod grant;
pub mod graphql;
pub mod import;
pub mod tally;
pub mod transfer;
pub mod workflow;

pub use analytics::ClosureAnalyticsQuery;
pub use graphql::GrantsQuery;
pub use workflow::GrantsMutation;
