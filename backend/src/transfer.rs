//! Files in and out, outside GraphQL:
//! - `GET /api/exports/<kind>?…` downloads a list as a file (CSV);
//! - `POST /api/imports/<kind>[?commit=true]` uploads a file as `multipart/form-data` (field
//!   `file`): without `commit` it only previews what would change; with it, it writes all rows
//!   in one transaction, or nothing if any row is invalid. Grant imports also take a `mapping`
//!   field (JSON: field → column header) and, asked with `Accept: application/x-ndjson`,
//!   stream their progress as one JSON object per line before the report.
//!
//! Uploads have their own size cap and must come from Steward's own pages (Origin check), so
//! another site cannot make a signed-in browser post a file.

use std::convert::Infallible;

use axum::{
    Extension, Json,
    body::Body,
    extract::{
        DefaultBodyLimit, Multipart, Path, Query, State, multipart::MultipartRejection,
        rejection::QueryRejection,
    },
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use steward_shared::api::ErrorCode;

use steward_shared::access::Operation;

use steward_shared::grants::import::GrantImportReport;
use steward_shared::imports::{ImportEvent, ImportFailure};

use crate::access::caller::{Caller, ClientInfo};
use crate::access::permissions::authorize_caller;
use crate::audit::export::{AuditExportParams, audit_trail_csv};
use crate::grants::import::{ImportRequest as GrantImportRequest, import_grants};
use crate::grants::transfer::{self as grants, GrantExportParams};
use crate::graphql::http::{http_error, identify};
use crate::graphql::{ApiError, ApiResult, ErrorKind};
use crate::imports::Progress;
use crate::organisation::transfer as organisation;
use crate::request_id::RequestId;
use crate::server::AppState;

/// Largest accepted upload: an ERP export of 100,000 rows fits comfortably.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/exports/{kind}", get(export))
        .route(
            "/api/imports/{kind}",
            post(import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/{*rest}", axum::routing::any(unknown_api_path))
}

/// Under `/api/` nothing falls through to the app's pages: an unknown path is a JSON 404.
async fn unknown_api_path(Extension(request_id): Extension<RequestId>) -> Response {
    http_error(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is nothing at this address. Exports are under /api/exports/, imports under /api/imports/.",
        &request_id,
    )
}

/// An API error as an HTTP response, with the status its code calls for.
pub fn error_response(error: &ApiError, request_id: &RequestId) -> Response {
    let status = match error.kind() {
        ErrorKind::BadRequest(_) | ErrorKind::Validation { .. } => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden(_) => StatusCode::FORBIDDEN,
        ErrorKind::NotFound(_) => StatusCode::NOT_FOUND,
        ErrorKind::Conflict(_) => StatusCode::CONFLICT,
        ErrorKind::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error.log();
    http_error(status, error.code(), &error.message(), request_id)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportParams {
    as_of: Option<String>,
    #[serde(flatten)]
    audit: AuditExportParams,
    #[serde(flatten)]
    grants: GrantExportParams,
}

async fn export(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    params: Result<Query<ExportParams>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_response(
            &ApiError::bad_request("The query string could not be read."),
            &request_id,
        );
    };
    let caller = match identify(&state, &headers, client, &request_id).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let operation = match kind.as_str() {
        "audit-trail" => Operation::ReadAuditTrail,
        "grants" => Operation::ReadGrants,
        _ => Operation::ReadOrganisation,
    };
    if let Err(error) = authorize_caller(&state.db, &caller, operation).await {
        return error_response(&error, &request_id);
    }
    let file = match kind.as_str() {
        "org-units" => organisation::export_org_units(&state.db, params.as_of.as_deref()).await,
        "audit-trail" => export_audit_trail(&state, params.audit).await,
        "grants" => grants::export_grants(&state.db, params.grants).await,
        other => Err(ApiError::not_found(format!(
            "There is no export called {other:?}; there are: org-units, audit-trail, grants."
        ))),
    };
    match file {
        Ok(file) => file.into_response(),
        Err(error) => error_response(&error, &request_id),
    }
}

async fn export_audit_trail(state: &AppState, params: AuditExportParams) -> ApiResult<Download> {
    let filter = params.into_filter()?;
    let bytes = audit_trail_csv(&state.db, &filter).await?;
    Ok(Download {
        file_name: format!(
            "steward-audit-trail-{}.csv",
            chrono::Utc::now().date_naive()
        ),
        content_type: "text/csv; charset=utf-8",
        bytes,
    })
}

/// A file to download.
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl IntoResponse for Download {
    fn into_response(self) -> Response {
        let disposition = format!("attachment; filename=\"{}\"", self.file_name);
        let mut response = (StatusCode::OK, self.bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

#[derive(Debug, Deserialize)]
pub struct ImportParams {
    #[serde(default)]
    commit: bool,
}

/// Is the request from one of Steward's own pages (or from no browser at all)?
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Browsers always send Origin on cross-site POSTs; scripts and tools send none.
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = origin.to_str().ok();
    match (origin, host) {
        (Some(origin), Some(host)) => {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        }
        _ => false,
    }
}

async fn import(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Extension(client): Extension<ClientInfo>,
    Path(kind): Path<String>,
    params: Result<Query<ImportParams>, QueryRejection>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_response(
            &ApiError::bad_request(
                "The query string could not be read: use ?commit=true or nothing.",
            ),
            &request_id,
        );
    };
    if !same_origin(&headers) {
        return http_error(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "Uploads are accepted from Steward's own pages only.",
            &request_id,
        );
    }
    let operation = match kind.as_str() {
        "people" => Operation::ImportPeople,
        "grants" => Operation::ImportGrants,
        _ => {
            return error_response(
                &ApiError::not_found(format!(
                    "There is no import called {kind:?}; there are: people, grants."
                )),
                &request_id,
            );
        }
    };
    let Ok(multipart) = multipart else {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "Send the file as multipart/form-data in a field called \"file\".",
            &request_id,
        );
    };
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(error) => return error.response(&request_id),
    };
    let caller = match identify(&state, &headers, client, &request_id).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    if let Err(error) = authorize_caller(&state.db, &caller, operation).await {
        return error_response(&error, &request_id);
    }
    if operation == Operation::ImportPeople {
        return match organisation::import_people(&state.db, &caller, &upload.file, params.commit)
            .await
        {
            Ok(report) => Json(report).into_response(),
            Err(error) => error_response(&error, &request_id),
        };
    }
    let mapping = match upload.mapping.as_deref().map(serde_json::from_str) {
        None => None,
        Some(Ok(mapping)) => Some(mapping),
        Some(Err(_)) => {
            return error_response(
                &ApiError::bad_request(
                    "The mapping is not a JSON object of field → column header (or null), e.g. {\"number\": \"Grant\"}.",
                ),
                &request_id,
            );
        }
    };
    let request = GrantImportRequest {
        file: upload.file,
        mapping,
        commit: params.commit,
    };
    if wants_progress(&headers) {
        return streamed_import(state, caller, request);
    }
    match import_grants(&state.db, &caller, request, &Progress::silent()).await {
        Ok(report) => Json(report).into_response(),
        Err(error) => error_response(&error, &request_id),
    }
}

/// Whether the client reads progress as it comes (`Accept: application/x-ndjson`).
fn wants_progress(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains(NDJSON))
}

const NDJSON: &str = "application/x-ndjson";

fn ndjson_line<R: serde::Serialize>(event: &ImportEvent<R>) -> String {
    let mut line = serde_json::to_string(event).unwrap_or_else(|_| {
        r#"{"error":{"code":"INTERNAL","message":"The import's answer could not be written."}}"#
            .to_owned()
    });
    line.push('\n');
    line
}

/// Runs a grant import while streaming its progress, one JSON object per line, and ends with
/// its report or error. The import runs to its end even if the client stops listening, so a
/// commit is never left half done; all of its state is in the request and the database.
fn streamed_import(state: AppState, caller: Caller, request: GrantImportRequest) -> Response {
    let (progress, receiver) = Progress::channel();
    let db = state.db.clone();
    let task = tokio::spawn(async move { import_grants(&db, &caller, request, &progress).await });
    let lines = futures_util::stream::unfold(Some((receiver, task)), |running| async move {
        let (mut receiver, task) = running?;
        if let Some(step) = receiver.recv().await {
            let line = ndjson_line::<GrantImportReport>(&ImportEvent::Progress(step));
            return Some((Ok::<_, Infallible>(line), Some((receiver, task))));
        }
        let result = task.await.unwrap_or_else(|failed| {
            Err(ApiError::internal(format!(
                "the import task failed: {failed}"
            )))
        });
        let event = match result {
            Ok(report) => ImportEvent::Report(report),
            Err(error) => {
                error.log();
                ImportEvent::Error(ImportFailure {
                    code: error.code(),
                    message: error.message(),
                })
            }
        };
        Some((Ok(ndjson_line(&event)), None))
    });
    let mut response = Response::new(Body::from_stream(lines));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(NDJSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Proxies must pass each line on as it comes rather than buffer the answer.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Why an upload could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UploadError {
    TooLarge,
    Unreadable,
    NoFileField,
}

impl UploadError {
    fn from_status(status: StatusCode) -> Self {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Unreadable
        }
    }

    fn response(self, request_id: &RequestId) -> Response {
        let (status, message) = match self {
            UploadError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The file is larger than {} MB.",
                    MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            ),
            UploadError::Unreadable => (
                StatusCode::BAD_REQUEST,
                "The upload could not be read.".to_owned(),
            ),
            UploadError::NoFileField => (
                StatusCode::BAD_REQUEST,
                "The upload has no field called \"file\".".to_owned(),
            ),
        };
        http_error(status, ErrorCode::BadRequest, &message, request_id)
    }
}

/// The parts of an upload: the file, and a column mapping (JSON text) if one was sent.
struct Upload {
    file: Vec<u8>,
    mapping: Option<String>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, UploadError> {
    let mut file = None;
    let mut mapping = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| UploadError::from_status(e.status()))?
    {
        match field.name() {
            Some("file") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| UploadError::from_status(e.status()))?;
                file = Some(bytes.to_vec());
            }
            Some("mapping") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| UploadError::from_status(e.status()))?;
                mapping = Some(text).filter(|t| !t.trim().is_empty());
            }
            _ => {}
        }
    }
    let file = file.ok_or(UploadError::NoFileField)?;
    Ok(Upload { file, mapping })
}
