//! An honest page for an area that is not built yet: what it will hold, and no invented data.

use leptos::prelude::*;

use crate::i18n::{Key, tr};

#[component]
pub fn ComingPage(title: Key, about: Key) -> impl IntoView {
    view! {
        <section class="coming" data-test="coming">
            <h1>{tr(title)}</h1>
            <p class="badge">{tr(Key::ComingTitle)}</p>
            <p>{tr(about)}</p>
            <p class="muted">{tr(Key::ComingBody)}</p>
        </section>
    }
}
