//! A row of filters (a search box and any selects the page adds) that wraps on a phone.

use leptos::prelude::*;

use crate::i18n::{Key, tr};

#[component]
pub fn FilterBar(
    /// The search text, applied as the user types.
    search: RwSignal<String>,
    #[prop(into)] placeholder: Signal<String>,
    /// Clears every filter of the page.
    on_reset: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <form class="filter-bar" role="search" on:submit=|event| event.prevent_default()>
            <label class="filter search">
                <span class="visually-hidden">{tr(Key::CommonSearch)}</span>
                <input type="search" placeholder=move || placeholder.get() bind:value=search/>
            </label>
            {children.map(|children| children())}
            <button type="button" class="secondary" on:click=move |_| on_reset.run(())>
                {tr(Key::CommonReset)}
            </button>
        </form>
    }
}
