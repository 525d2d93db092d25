//! The organisation over time: org units (a tree whose shape and names change), people, their
//! memberships and flags.

pub mod demo;
pub mod graphql;
pub mod loaders;
pub mod mutations;
pub mod org_unit;
pub mod org_unit_name;
pub mod org_unit_revision;
pub mod person;
pub mod person_flag;
pub mod person_membership;
pub mod queries;
pub mod transfer;

pub use graphql::OrganisationQuery;
pub use mutations::OrganisationMutation;
