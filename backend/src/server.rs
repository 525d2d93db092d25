//! The HTTP server: GraphQL, health probes and the browser app on one port.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::DbErr;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use crate::access::caller::{AccessSettings, ClientInfo};
use crate::config::ServeSettings;
use crate::db::{Db, DbError};
use crate::demo::{self, DemoOutcome};
use crate::graphql::{self, StewardSchema};
use crate::{request_id, security, transfer};

/// Hashed asset names change with their content, so browsers may keep them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `index.html` names the current hashed assets, so it is revalidated on every load.
const REVALIDATE: &str = "no-cache";

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: StewardSchema,
    pub access: AccessSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not create the data directory for the SQLite database: {0}")]
    DataDir(#[source] std::io::Error),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("could not apply database migrations: {0}")]
    Migrate(#[source] DbErr),
    #[error("could not load the demo data: {0}")]
    Demo(#[source] DbErr),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A server that is connected, migrated and listening, but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
}

impl Application {
    pub async fn build(settings: &ServeSettings) -> Result<Self, StartupError> {
        let url = settings.database.url().map_err(StartupError::DataDir)?;
        let db = Db::connect(&url).await?;
        db.migrate().await.map_err(StartupError::Migrate)?;
        if settings.load_demo() {
            match demo::load_if_empty(&db).await.map_err(StartupError::Demo)? {
                DemoOutcome::Loaded {
                    org_units,
                    people,
                    grants,
                } => tracing::info!(
                    org_units,
                    people,
                    grants,
                    "loaded the demo data into the empty database"
                ),
                DemoOutcome::SkippedNotEmpty => {
                    tracing::info!("demo mode: the database already holds data, nothing loaded")
                }
            }
        }
        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.addr,
                    source,
                })?;
        if !settings.web_dir.join("index.html").exists() {
            tracing::warn!(
                web_dir = %settings.web_dir.display(),
                "the browser app is not built here (build it with `./dev frontend`); serving the API only"
            );
        }
        let state = AppState {
            schema: graphql::build_schema(db.clone(), settings.access.clone()),
            db: db.clone(),
            access: settings.access.clone(),
        };
        Ok(Application {
            listener,
            router: router(state, &settings.web_dir),
            db,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish and closes the
    /// database pools.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        self.db.close().await;
        served
    }
}

pub fn router(state: AppState, web_dir: &Path) -> Router {
    let access = state.access.clone();
    Router::new()
        .route(
            "/graphql",
            get(graphql::http::get)
                .post(graphql::http::post)
                .fallback(graphql::http::method_not_allowed)
                .layer(DefaultBodyLimit::max(graphql::http::MAX_BODY_BYTES)),
        )
        .route("/schema.graphql", get(schema_sdl))
        .merge(transfer::routes())
        .nest_service("/graphiql", graphiql(web_dir))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest_service("/assets", hashed_assets(web_dir))
        .fallback_service(app_shell(web_dir))
        .layer(middleware::from_fn(move |request, next| {
            identify_client(access.clone(), request, next)
        }))
        .layer(middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span_for))
        .layer(middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// Notes where the request came from (address, browser) for the security log and throttling.
async fn identify_client(
    settings: AccessSettings,
    mut request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let client = ClientInfo::from_request(request.headers(), peer, &settings);
    request.extensions_mut().insert(client);
    next.run(request).await
}

/// `/assets/*`: content-hashed files, precompressed, cached for a year. A missing asset is a
/// 404, never the app shell (a stale page asking for an old bundle must fail visibly).
fn hashed_assets(web_dir: &Path) -> Router {
    Router::new()
        .fallback_service(
            ServeDir::new(web_dir.join("assets"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            |response: &Response| {
                response
                    .status()
                    .is_success()
                    .then(|| HeaderValue::from_static(IMMUTABLE))
            },
        ))
}

/// Everything else: files at the top of the web directory, and `index.html` for any client
/// route so that deep links and reloads work.
fn app_shell(web_dir: &Path) -> Router {
    let index = ServeFile::new(web_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(
            ServeDir::new(web_dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(index),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ))
}

/// The API contract in SDL, for tools and analysts who are signed in (like introspection).
async fn schema_sdl(
    State(state): State<AppState>,
    axum::Extension(request_id): axum::Extension<crate::request_id::RequestId>,
    axum::Extension(client): axum::Extension<ClientInfo>,
    headers: axum::http::HeaderMap,
) -> Response {
    let caller = match graphql::http::identify(&state, &headers, client, &request_id).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    if let Err(error) = caller.signed_in() {
        return transfer::error_response(&error, &request_id);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.schema.sdl(),
    )
        .into_response()
}

/// GraphiQL, for analysts exploring the API; all its files come from Steward itself.
fn graphiql(web_dir: &Path) -> Router {
    Router::new()
        .fallback_service(
            ServeFile::new(web_dir.join("graphiql.html"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(security::GRAPHIQL_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ))
}

/// The process is up.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers: the server can take traffic.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "database unreachable" })),
            )
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
