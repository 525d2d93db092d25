//! The organisation: org units (and, later, people and their memberships).

pub mod demo;
pub mod graphql;
pub mod org_unit;

pub use graphql::OrganisationQuery;
