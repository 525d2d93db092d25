//! What every import shares: reading a CSV or XLSX file into rows, the column mapping an
//! organisation gives once and Steward remembers, and progress reports while an import runs.
//! Each area's own import (grants, people) checks and writes its rows.

pub mod import_mapping;
pub mod mapping;
pub mod progress;
pub mod table;

pub use progress::Progress;
pub use table::{Table, TableError};
