//! A labelled input with its validation message, announced to screen readers.

use leptos::prelude::*;

#[component]
pub fn FormField(
    /// The input's id (the label points at it).
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
    /// The message shown under the field when its value is not acceptable.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let message_id = format!("{id}-message");
    let described = message_id.clone();
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{move || label.get()}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                placeholder=move || placeholder.map(|p| p.get())
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
                bind:value=value
            />
            <p class="field-message" id=message_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}
