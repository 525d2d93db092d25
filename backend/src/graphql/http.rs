//! `/graphql` over HTTP, with the rules the stock integration does not enforce:
//! `POST` takes `application/json` only (a `text/plain` or form body is the classic cross-site
//! request forgery path), batches are refused, bodies are capped, mutations never run over
//! `GET`, and every refusal is a JSON error with a code and the request id, never a 500.

use async_graphql::parser::types::OperationType;
use axum::{
    Extension, Json,
    body::Bytes,
    extract::{Query, State, rejection::BytesRejection, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;
use steward_shared::api::ErrorCode;

use crate::access::caller::{Caller, ClientInfo, authenticate};
use crate::request_id::RequestId;
use crate::server::AppState;
use crate::transfer::error_response;

/// Largest accepted GraphQL request body. Queries are small; imports have their own route.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A refusal before any GraphQL runs: the HTTP status, and a GraphQL-shaped JSON body.
pub fn http_error(
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    request_id: &RequestId,
) -> Response {
    let body = json!({
        "errors": [{
            "message": message,
            "extensions": { "code": code.as_str(), "requestId": request_id.as_str() },
        }]
    });
    (status, Json(body)).into_response()
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

pub async fn post(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !is_json(&headers) {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "Send GraphQL requests with Content-Type: application/json.",
            &request_id,
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadRequest,
                &format!(
                    "The request body is larger than {} KB.",
                    MAX_BODY_BYTES / 1024
                ),
                &request_id,
            );
        }
        Err(_) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                "The request body could not be read.",
                &request_id,
            );
        }
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Batched requests are not accepted: send one operation per request.",
            &request_id,
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!(
                    "The body is not a GraphQL request in JSON ({{\"query\": …, \"variables\": …}}): {err}."
                ),
                &request_id,
            );
        }
    };
    if request.query.trim().is_empty() {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "The request has no query: send {\"query\": \"…\"}.",
            &request_id,
        );
    }
    execute(&state, request, request_id, &headers, client).await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    operation_name: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, QueryRejection>,
) -> Response {
    let bad_request = |message: &str| {
        http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            message,
            &request_id,
        )
    };
    let Ok(Query(params)) = params else {
        return bad_request("The query string could not be read.");
    };
    let Some(query) = params.query else {
        return bad_request("Give the GraphQL query in the `query` parameter.");
    };
    let variables = match params.variables.as_deref() {
        None | Some("") => async_graphql::Variables::default(),
        Some(raw) => match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(value) => async_graphql::Variables::from_json(value),
            Err(_) => return bad_request("The `variables` parameter is not JSON."),
        },
    };
    // Parsed here only to find the operation's type; an unparsable query is left to the
    // executor, which reports it in the usual GraphQL way.
    if let Ok(document) = async_graphql::parser::parse_query(&query) {
        let mutates = document.operations.iter().any(|(name, operation)| {
            let selected = match params.operation_name.as_deref() {
                Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
                None => true,
            };
            selected && operation.node.ty != OperationType::Query
        });
        if mutates {
            let mut response = http_error(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadRequest,
                "Mutations are accepted over POST only.",
                &request_id,
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    execute(&state, request, request_id, &headers, client).await
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed(Extension(request_id): Extension<RequestId>) -> Response {
    let mut response = http_error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadRequest,
        "Use POST (or GET for queries) on /graphql.",
        &request_id,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// Who is calling: from the session cookie or the API token. A bad token is refused here,
/// before any GraphQL runs.
pub async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientInfo,
    request_id: &RequestId,
) -> Result<Caller, Response> {
    authenticate(
        &state.db,
        headers,
        client,
        Some(request_id.to_string()),
        &state.access,
    )
    .await
    .map_err(|error| error_response(&error, request_id))
}

async fn execute(
    state: &AppState,
    request: async_graphql::Request,
    request_id: RequestId,
    headers: &HeaderMap,
    client: ClientInfo,
) -> Response {
    let caller = match identify(state, headers, client, &request_id).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let request = super::with_request_data(request.data(request_id.clone()), &state.db, caller);
    let mut response = state.schema.execute(request).await;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        // Parse, validation and limit errors from async-graphql itself carry no code: the
        // request was at fault.
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadRequest.as_str());
        }
        extensions.set("requestId", request_id.as_str());
    }
    // Headers set by resolvers: the session cookie at sign-in and sign-out.
    let headers = std::mem::take(&mut response.http_headers);
    let mut http_response = Json(response).into_response();
    for (name, value) in &headers {
        http_response.headers_mut().append(name, value.clone());
    }
    // Answers can hold personal data and depend on the signed-in account.
    http_response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http_response
}
