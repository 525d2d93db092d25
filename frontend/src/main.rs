//! The Steward browser app: Leptos, client-side rendered, compiled to WebAssembly.

mod api;
mod organisation;

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    view! {
        <header class="app-header">
            <span class="brand">"Steward"</span>
        </header>
        <main class="app-main">
            <organisation::OrgUnitsPage/>
        </main>
    }
}
