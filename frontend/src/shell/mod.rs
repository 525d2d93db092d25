//! The frame every area lives in: the session, the layout with its navigation, the language
//! switch, and the "coming" page of areas not built yet.

mod coming;
pub mod layout;
pub mod session;

pub use coming::ComingPage;
pub use layout::Shell;
