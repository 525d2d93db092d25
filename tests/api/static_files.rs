//! The browser app's files: precompressed, cached by hash, with `index.html` for client routes.
//! Uses a small web directory of its own, so these tests do not depend on a frontend build.

use std::path::Path;

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use steward_tests::{AppOptions, DbKind, TestApp};

const INDEX: &str = "<!doctype html><title>Steward</title>";
const SCRIPT: &str = "console.log('steward');";

fn write_web_dir(dir: &Path) {
    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("index.html.br"), b"brotli-index").unwrap();
    std::fs::write(assets.join("app-0123abcd.js"), SCRIPT).unwrap();
    std::fs::write(assets.join("app-0123abcd.js.br"), b"brotli-script").unwrap();
    std::fs::write(assets.join("app-0123abcd.js.gz"), b"gzip-script").unwrap();
}

async fn spawn_with_web_dir() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    write_web_dir(dir.path());
    let options = AppOptions {
        demo: false,
        web_dir: dir.path().to_path_buf(),
    };
    let app = TestApp::spawn_with(DbKind::Sqlite, options).await.unwrap();
    (app, dir)
}

#[tokio::test]
async fn hashed_assets_are_precompressed_and_cached_for_a_year() {
    let (app, _dir) = spawn_with_web_dir().await;
    let url = app.url("/assets/app-0123abcd.js");

    let brotli = app
        .client
        .get(&url)
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        brotli.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        brotli.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli-script");

    let gzip = app
        .client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip-script");

    let plain = app.client.get(&url).send().await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.text().await.unwrap(), SCRIPT);
    app.stop().await;
}

#[tokio::test]
async fn a_missing_asset_is_not_found_rather_than_the_app() {
    let (app, _dir) = spawn_with_web_dir().await;
    let response = app
        .client
        .get(app.url("/assets/app-old.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().get(CACHE_CONTROL).is_none());
    app.stop().await;
}

#[tokio::test]
async fn client_routes_get_the_app_shell_revalidated_on_every_load() {
    let (app, _dir) = spawn_with_web_dir().await;
    for path in ["/", "/organisation", "/organisation/units/OED"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache", "{path}");
        assert!(
            response.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }
    let brotli = app
        .client
        .get(app.url("/organisation"))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.headers()[CONTENT_ENCODING], "br");
    app.stop().await;
}

#[tokio::test]
async fn graphql_is_not_shadowed_by_the_app_shell() {
    let (app, _dir) = spawn_with_web_dir().await;
    let response = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(
        response.status(),
        400,
        "GraphQL's own answer to a GET without a query"
    );
    assert!(response.text().await.unwrap().contains("\"errors\""));
    app.stop().await;
}
