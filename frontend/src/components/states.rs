//! Loading, empty and error states.

use leptos::prelude::*;
use steward_shared::api::ErrorCode;

use crate::api::ApiError;
use crate::i18n::{Key, tr, use_i18n};
use crate::shell::session::{Session, use_session};

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="state loading" role="status">{tr(Key::CommonLoading)}</p> }
}

#[component]
pub fn Empty() -> impl IntoView {
    view! { <p class="state empty">{tr(Key::CommonEmpty)}</p> }
}

/// The text for an error code, in the user's language.
pub fn error_text(code: Option<ErrorCode>) -> Key {
    match code {
        Some(ErrorCode::BadRequest) => Key::ErrorsBadRequest,
        Some(ErrorCode::Unauthenticated) => Key::ErrorsUnauthenticated,
        Some(ErrorCode::Forbidden) => Key::ErrorsForbidden,
        Some(ErrorCode::NotFound) => Key::ErrorsNotFound,
        Some(ErrorCode::Validation) => Key::ErrorsValidation,
        Some(ErrorCode::Conflict) => Key::ErrorsConflict,
        Some(ErrorCode::RateLimited) => Key::ErrorsRateLimited,
        Some(ErrorCode::Internal) => Key::ErrorsInternal,
        None => Key::ErrorsNetwork,
    }
}

/// A failed request: what happened in the user's language, the code and the request id to
/// quote. A lost session sends the user to sign in (and back here afterwards).
#[component]
pub fn ErrorView(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    if error.code == Some(ErrorCode::Unauthenticated) {
        use_session().set(Session::SignedOut);
    }
    let code = error.code_label();
    let request_id = error.request_id.clone();
    view! {
        <div class="state error" role="alert" data-error-code=code>
            <p class="error-title">{move || i18n.t(error_text(error.code))}</p>
            <p class="error-detail">
                <code>{code}</code>
                {request_id.map(|id| {
                    view! { " · " {move || i18n.tf(Key::ErrorsRequest, &[("id", &id)])} }
                })}
            </p>
        </div>
    }
}

/// A query's answer, loaded when the variables it reads change.
pub type Loaded = LocalResource<Result<crate::api::Answer, ApiError>>;

/// Loads operation `Q` with the variables `variables` reads (re-run when they change).
///
/// The generic part only builds the request body; the resource and its future are one type
/// for the whole app, compiled once (each resource type costs about 1.5 KB of wasm).
pub fn load<Q: graphql_client::GraphQLQuery>(
    variables: impl Fn() -> Q::Variables + 'static,
) -> Loaded {
    load_body(Box::new(move || crate::api::request::<Q>(variables())))
}

fn load_body(body: Box<dyn Fn() -> String>) -> Loaded {
    LocalResource::new(move || crate::api::send(body()))
}

/// Shows a loaded answer: loading, the error, or `render` of `Q`'s data.
pub fn show<Q, V>(
    loaded: Loaded,
    render: impl Fn(Q::ResponseData) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    Q: graphql_client::GraphQLQuery,
    V: IntoView + 'static,
{
    show_answer(
        loaded,
        Box::new(move |answer| match crate::api::decode::<Q>(&answer) {
            Ok(data) => render(data).into_any(),
            Err(error) => view! { <ErrorView error/> }.into_any(),
        }),
    )
}

/// The reactive part of [`show`], one type for every page.
fn show_answer(
    loaded: Loaded,
    render: Box<dyn Fn(crate::api::Answer) -> AnyView + Send + Sync>,
) -> impl IntoView {
    move || match loaded.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(error)) => view! { <ErrorView error/> }.into_any(),
        Some(Ok(answer)) => render(answer),
    }
}
