//! Browser end-to-end tests: the real built app in headless Chromium.
//! They fail on any JavaScript error or wasm crash the page reports.

use fantoccini::Locator;
use steward_tests::browser::{Browser, PHONE};
use steward_tests::{DbKind, TestApp, workspace_dir};

/// The built app on a fresh demo database, opened in a phone-sized browser at `path`, once
/// the org tree is on screen. `None` when no browser is installed (outside CI).
async fn open_on_phone(path: &str) -> Option<(Browser, TestApp)> {
    let index = workspace_dir().join("frontend/dist/index.html");
    assert!(
        index.exists(),
        "{} is missing: build the app first (./dev test does)",
        index.display()
    );
    let browser = Browser::start(PHONE).await?;
    let app = TestApp::spawn(DbKind::Sqlite).await?;
    sign_in(&browser, &app, path).await;
    browser
        .wait_for_text("[data-test=org-units] li[data-code=OED]")
        .await;
    Some((browser, app))
}

/// The demo administrator's address (demo accounts share one password).
async fn demo_administrator(app: &TestApp) -> String {
    let response = app
        .graphql(
            "{ accounts(filter: { role: ADMINISTRATOR, search: \"habitat.example\" }) { nodes { email } } }",
            serde_json::json!({}),
        )
        .await;
    response["data"]["accounts"]["nodes"][0]["email"]
        .as_str()
        .expect("a demo administrator")
        .to_owned()
}

/// Opens `path`, which asks to sign in first, and signs in as the demo administrator.
async fn sign_in(browser: &Browser, app: &TestApp, path: &str) {
    browser.client.goto(&app.url(path)).await.unwrap();
    browser.wait_for_text("[data-test=sign-in] button").await;
    let email = demo_administrator(app).await;
    let field = |css: &'static str| browser.client.find(Locator::Css(css));
    field("#sign-in-email")
        .await
        .unwrap()
        .send_keys(&email)
        .await
        .unwrap();
    field("#sign-in-password")
        .await
        .unwrap()
        .send_keys(steward::access::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    field("[data-test=sign-in] button")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let account = browser.wait_for_text("[data-test=account]").await;
    assert_eq!(account, email);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_shows_the_organisation_from_graphql_on_a_phone() {
    let Some((browser, app)) = open_on_phone("/").await else {
        return;
    };
    let first = browser
        .wait_for_text("[data-test=org-units] li[data-code=OED]")
        .await;
    assert!(
        first.contains("Office of the Executive Director"),
        "{first}"
    );

    let count = browser
        .script("return document.querySelectorAll('[data-test=org-units] li').length")
        .await;
    assert_eq!(count, 34, "every org unit from GraphQL is listed");
    let roap = browser.wait_for_text("li[data-code=ROAP]").await;
    assert!(
        roap.contains("Regional Office for Asia and the Pacific"),
        "{roap}"
    );

    assert_eq!(browser.viewport().await, PHONE, "the page is phone-sized");
    let overflow = browser
        .script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )
        .await;
    assert_eq!(overflow, 0, "nothing overflows a 390 px screen");

    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_loads_the_app_too() {
    let Some((browser, app)) = open_on_phone("/organisation/units").await else {
        return;
    };
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_explained_and_signing_out_ends_the_session() {
    let Some((browser, app)) = open_on_phone("/").await else {
        return;
    };
    browser
        .client
        .find(Locator::Css("[data-test=sign-out]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_text("[data-test=sign-in] button").await;
    // The session ended on the server too: a reload asks to sign in again.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("[data-test=sign-in] button").await;
    browser
        .client
        .find(Locator::Css("#sign-in-email"))
        .await
        .unwrap()
        .send_keys("someone@habitat.example")
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("#sign-in-password"))
        .await
        .unwrap()
        .send_keys("not the right password")
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("[data-test=sign-in] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = browser
        .wait_for_text("[data-test=sign-in] [data-error-code=UNAUTHENTICATED]")
        .await;
    assert!(error.contains("not right"), "{error}");
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_collector_sees_errors() {
    // Guards the guard: if errors.js stopped collecting, every other browser test would pass
    // over crashes unseen.
    let Some((browser, app)) = open_on_phone("/").await else {
        return;
    };
    // Errors thrown by WebDriver's own script are masked by the browser as "Script error.", so
    // raise the same events the browser raises for the page's own scripts and promises.
    browser
        .script(
            "window.dispatchEvent(new ErrorEvent('error', { message: 'deliberate', error: new Error('deliberate') }));
             const rejected = Promise.reject(new Error('rejected'));
             rejected.catch(() => {});
             window.dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: rejected, reason: new Error('rejected') }));
             const inline = document.createElement('script');
             inline.textContent = 'window.__inlineRan = true';
             document.body.appendChild(inline);
             return null",
        )
        .await;
    // The Content-Security-Policy blocks inline scripts, and the collector reports the block.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        browser.script("return window.__inlineRan ?? false").await,
        false
    );
    let errors = browser.javascript_errors().await;
    assert!(
        errors.iter().any(|e| e.contains("deliberate")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("rejected")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.starts_with("csp: script-src")),
        "{errors:?}"
    );
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_from_steward_itself() {
    let Some(browser) = Browser::start(steward_tests::browser::DESKTOP).await else {
        return;
    };
    let app = TestApp::spawn(DbKind::Sqlite).await.unwrap();
    // GraphiQL uses the app's session cookie.
    sign_in(&browser, &app, "/").await;
    browser.client.goto(&app.url("/graphiql")).await.unwrap();
    browser.wait_for_text(".graphiql-container").await;
    // Run the default query and see its result.
    browser
        .client
        .find(fantoccini::Locator::Css(".graphiql-execute-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = browser
        .wait_for_text_containing(".result-window", "Office of the Executive Director")
        .await;
    assert!(result.contains("OED"), "{result}");
    let foreign = browser
        .script(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))",
        )
        .await;
    assert_eq!(
        foreign,
        serde_json::json!([]),
        "nothing loaded from elsewhere"
    );
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}
