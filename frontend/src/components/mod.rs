//! The shared UI pieces every area uses: states (loading, empty, error), a data table with
//! sorting and paging that turns into a list on a phone, a filter bar, form fields with their
//! validation messages, and an SVG bar chart.

mod bar_chart;
mod data_table;
mod filter_bar;
mod form_field;
pub mod states;

pub use bar_chart::{Bar, BarChart};
pub use data_table::{Column, DataTable, Paging, SortState};
pub use filter_bar::FilterBar;
pub use form_field::FormField;
pub use states::{Empty, ErrorView, Loading};
