//! The organisation area: org units (and, later, people).

mod org_units_page;

pub use org_units_page::OrgUnitsPage;
