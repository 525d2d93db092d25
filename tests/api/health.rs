use steward_tests::{DbKind, TestApp, on_both_databases};

async fn healthz_says_the_process_is_up(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    app.stop().await;
}

async fn readyz_says_the_database_answers(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    app.stop().await;
}

on_both_databases!(
    healthz_says_the_process_is_up,
    readyz_says_the_database_answers
);
