//! Browser end-to-end tests: the real built app in headless Chromium, on a 390 × 844 phone and
//! a 1280 × 800 desktop. They fail on any JavaScript error, wasm crash or CSP violation the page
//! reports, and check accessibility on every page they visit.

use fantoccini::Locator;
use steward_tests::browser::{Browser, DESKTOP, PHONE};
use steward_tests::{DbKind, TestApp, workspace_dir};

fn assert_built() {
    let index = workspace_dir().join("frontend/dist/index.html");
    assert!(
        index.exists(),
        "{} is missing: build the app first (./dev test does)",
        index.display()
    );
}

/// The address of the demo account holding `role` (demo accounts share one password).
async fn demo_account(app: &TestApp, role: &str) -> String {
    let response = app
        .graphql(
            "query($r: Role!) { accounts(filter: { role: $r, search: \"habitat.example\" }) { nodes { email } } }",
            serde_json::json!({ "r": role }),
        )
        .await;
    response["data"]["accounts"]["nodes"][0]["email"]
        .as_str()
        .expect("a demo account")
        .to_owned()
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(browser: &Browser, css: &str, text: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

async fn path(browser: &Browser) -> String {
    browser
        .script("return location.pathname + location.search")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Opens `path` signed out: the app asks to sign in, then brings the user back to `path`.
async fn sign_in(browser: &Browser, app: &TestApp, path_asked: &str) {
    sign_in_as(browser, app, path_asked, "ADMINISTRATOR").await;
}

async fn sign_in_as(browser: &Browser, app: &TestApp, path_asked: &str, role: &str) {
    browser.client.goto(&app.url(path_asked)).await.unwrap();
    browser.wait_for_text("[data-test=sign-in] button").await;
    assert!(
        path(browser).await.starts_with("/sign-in?next="),
        "{}",
        path(browser).await
    );
    browser.assert_accessible("sign-in").await;
    let email = demo_account(app, role).await;
    type_into(browser, "#sign-in-email", &email).await;
    type_into(
        browser,
        "#sign-in-password",
        steward::access::demo::DEMO_PASSWORD,
    )
    .await;
    click(browser, "[data-test=sign-in] button[type=submit]").await;
    let account = browser.wait_for_text("[data-test=account]").await;
    assert_eq!(account, email);
    assert_eq!(
        path(browser).await,
        path_asked,
        "back where the user wanted to go"
    );
}

/// The built app on a fresh demo database, signed in, at `path`.
async fn open(size: (u32, u32), path_asked: &str) -> Option<(Browser, TestApp)> {
    open_as(size, path_asked, "ADMINISTRATOR").await
}

/// The same, signed in as the demo account holding `role`.
async fn open_as(size: (u32, u32), path_asked: &str, role: &str) -> Option<(Browser, TestApp)> {
    assert_built();
    let browser = Browser::start(size).await?;
    let app = TestApp::spawn(DbKind::Sqlite).await?;
    sign_in_as(&browser, &app, path_asked, role).await;
    Some((browser, app))
}

async fn open_on_phone(path_asked: &str) -> Option<(Browser, TestApp)> {
    open(PHONE, path_asked).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_tree_on_a_phone_with_the_menu() {
    let Some((browser, app)) = open_on_phone("/organisation/units").await else {
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
    assert_eq!(browser.viewport().await, PHONE, "the page is phone-sized");
    browser.assert_accessible("org tree (phone)").await;

    // The navigation is behind the menu button on a phone.
    let hidden = browser
        .script("return getComputedStyle(document.getElementById('main-nav')).display")
        .await;
    assert_eq!(hidden, "none");
    click(&browser, ".menu-toggle").await;
    assert_eq!(
        browser
            .script("return document.querySelector('.menu-toggle').getAttribute('aria-expanded')")
            .await,
        "true"
    );
    click(&browser, "#main-nav a[href='/calendar']").await;
    browser.wait_for_text("[data-test=coming]").await;
    assert_eq!(path(&browser).await, "/calendar");
    assert_eq!(
        browser
            .script("return getComputedStyle(document.getElementById('main-nav')).display")
            .await,
        "none",
        "following a link closes the menu"
    );
    browser.assert_accessible("coming page (phone)").await;

    // Time to the first meaningful paint on the phone: a fresh load of the tree, signed in,
    // until the largest paint (the tree) and until the tree is in the page.
    browser
        .client
        .goto(&app.url("/organisation/units"))
        .await
        .unwrap();
    browser
        .wait_for_text("[data-test=org-units] li[data-code=OED]")
        .await;
    let paint = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
             new PerformanceObserver((list) => { const all = list.getEntries();
               done({ fcp, lcp: all[all.length - 1].startTime }); })
               .observe({ type: 'largest-contentful-paint', buffered: true });",
            vec![],
        )
        .await
        .unwrap();
    eprintln!(
        "phone, /organisation/units: first contentful paint {} ms, largest contentful paint {} ms",
        paint["fcp"], paint["lcp"]
    );
    assert!(paint["lcp"].as_f64().unwrap() < 5_000.0, "{paint}");

    // An earlier date shows the structure before the 2020 restructuring.
    browser
        .client
        .goto(&app.url("/organisation/units"))
        .await
        .unwrap();
    browser
        .wait_for_text("[data-test=org-units] li[data-code=OED]")
        .await;
    browser
        .script("const input = document.querySelector('[data-test=as-of]'); input.value = '2019-06-01'; input.dispatchEvent(new Event('input', { bubbles: true })); return null")
        .await;
    browser
        .wait_for_text("[data-test=org-units] li[data-code=PD]")
        .await;
    // Keyboard: the first Tab reaches the skip link, which is then visible.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text("[data-test=org-units] li[data-code=OED]")
        .await;
    browser
        .client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{e004}")
        .await
        .unwrap();
    let focused = browser
        .script("const e = document.activeElement; const r = e.getBoundingClientRect(); return [e.className, r.top >= 0]")
        .await;
    assert_eq!(
        focused,
        serde_json::json!(["skip-link", true]),
        "Tab first reaches the skip link"
    );

    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_search_and_a_person_page_on_a_desktop() {
    let Some((browser, app)) = open(DESKTOP, "/organisation/people").await else {
        return;
    };
    browser.wait_for_text(".data-table tbody tr").await;
    let rows = browser
        .script("return document.querySelectorAll('.data-table tbody tr').length")
        .await;
    assert_eq!(rows, 20, "a page of 20");
    browser
        .wait_for_text("[data-test=people-by-category] svg")
        .await;
    browser.assert_accessible("people (desktop)").await;

    // Next page, then sort by grade.
    click(&browser, ".pager button:last-child").await;
    browser
        .wait_for_text_containing(".pager .range", "21")
        .await;
    click(&browser, "th[aria-sort] button").await;
    browser
        .wait_for_text_containing(".pager .range", "1–20")
        .await;

    // Search for one person and open their page.
    let name = browser.wait_for_text(".data-table tbody tr td a").await;
    type_into(&browser, ".filter-bar input[type=search]", &name).await;
    browser
        .wait_for_text_containing("[data-test=people-count]", "1")
        .await;
    click(&browser, ".data-table tbody tr td a").await;
    let shown = browser.wait_for_text("[data-test=person-name]").await;
    assert_eq!(shown, name);
    assert!(path(&browser).await.starts_with("/organisation/people/"));
    browser.assert_accessible("person (desktop)").await;
    // The navigation is always in view on a desktop.
    assert_eq!(
        browser
            .script("return getComputedStyle(document.getElementById('main-nav')).display")
            .await,
        "block"
    );
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_is_one_switch_away_and_remembered() {
    let Some((browser, app)) = open_on_phone("/organisation/units").await else {
        return;
    };
    browser
        .wait_for_text("[data-test=org-units] li[data-code=OED]")
        .await;
    browser
        .script("const s = document.querySelector('[data-test=language]'); s.value = 'zh'; s.dispatchEvent(new Event('change', { bubbles: true })); return null")
        .await;
    let oed = browser
        .wait_for_text_containing("[data-test=org-units] li[data-code=OED]", "执行主任")
        .await;
    assert!(oed.contains("执行主任办公室"), "{oed}");
    assert_eq!(
        browser.script("return document.documentElement.lang").await,
        "zh"
    );
    let tabs = browser.wait_for_text(".tabs").await;
    assert!(tabs.contains("组织单位") && tabs.contains("人员"), "{tabs}");
    browser.assert_accessible("org tree in Chinese").await;

    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text_containing("[data-test=org-units] li[data-code=OED]", "执行主任办公室")
        .await;
    let nav = browser
        .script("return document.getElementById('main-nav').textContent")
        .await;
    let nav = nav.as_str().unwrap_or_default();
    for label in ["组织结构", "全署日历", "项目审查", "项目赠款"] {
        assert!(nav.contains(label), "{label} missing from {nav}");
    }
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administration_for_administrators_only() {
    let Some((browser, app)) = open(DESKTOP, "/administration/accounts").await else {
        return;
    };
    browser.wait_for_text("[data-test=account-row]").await;
    let accounts = browser
        .script("return document.querySelectorAll('[data-test=account-row]').length")
        .await;
    assert!(
        accounts.as_u64().unwrap() >= 9,
        "one demo account per role: {accounts}"
    );
    browser.assert_accessible("accounts").await;
    click(&browser, ".tabs a[href='/administration/audit']").await;
    browser.wait_for_text("[data-test=audit-row]").await;
    browser.assert_accessible("audit trail").await;
    click(&browser, ".tabs a[href='/administration/security']").await;
    let log = browser
        .wait_for_text_containing(".data-table tbody", "Signed in")
        .await;
    assert!(log.contains("127.0.0.1"), "{log}");
    browser.assert_accessible("security log").await;
    browser.assert_no_javascript_errors().await;

    // A member of staff sees no Administration in the menu, and is told so at its address.
    click(&browser, "[data-test=sign-out]").await;
    browser.wait_for_text("[data-test=sign-in] button").await;
    sign_in_as(&browser, &app, "/administration", "STAFF").await;
    browser.wait_for_text("[data-test=not-allowed]").await;
    let hidden = browser
        .script("return getComputedStyle(document.querySelector(\"#main-nav a[href='/administration']\").closest('li')).display")
        .await;
    assert_eq!(hidden, "none");
    browser.assert_accessible("administration refused").await;
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

/// The viewer's e-mail address as `token` sees it, or the error code the server answered.
async fn viewer_with_token(app: &TestApp, token: &str) -> String {
    let response = steward_tests::client_with_token(Some(token))
        .post(app.url("/graphql"))
        .json(&serde_json::json!({ "query": "{ viewer { account { email } } }" }))
        .send()
        .await
        .expect("graphql request");
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON");
    match body["data"]["viewer"]["account"]["email"].as_str() {
        Some(email) => email.to_owned(),
        None => format!("{status} {}", body["errors"][0]["extensions"]["code"]),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_account_tokens_and_password_on_a_phone() {
    let Some((browser, app)) = open_as(PHONE, "/organisation/units", "STAFF").await else {
        return;
    };
    click(&browser, "[data-test=account]").await;
    let email = browser.wait_for_text("[data-test=my-email]").await;
    assert_eq!(path(&browser).await, "/account");
    browser.assert_accessible("my account").await;

    // A token: created, shown once, working, then revoked and refused.
    click(&browser, "[data-test=new-token] button[type=submit]").await;
    browser
        .wait_for_text_containing("#token-name-message", "Required")
        .await;
    type_into(&browser, "#token-name", "Closure report script").await;
    click(&browser, "[data-test=new-token] button[type=submit]").await;
    let secret = browser.wait_for_text("[data-test=secret]").await;
    assert!(secret.starts_with("stw_"), "{secret}");
    browser
        .wait_for_text_containing("[data-test=tokens]", "Closure report script")
        .await;
    assert_eq!(viewer_with_token(&app, &secret).await, email);
    browser.assert_accessible("my account with a token").await;
    click(&browser, "[data-test=revoke]").await;
    browser
        .wait_for_text_containing("[data-test=outcome]", "Token revoked")
        .await;
    browser
        .wait_for_text_containing("[data-test=tokens]", "Revoked")
        .await;
    assert!(
        viewer_with_token(&app, &secret)
            .await
            .contains("UNAUTHENTICATED")
    );

    // The password: too short is explained at once; a good one is changed on the server.
    type_into(
        &browser,
        "#current-password",
        steward::access::demo::DEMO_PASSWORD,
    )
    .await;
    type_into(&browser, "#new-password", "too short").await;
    click(&browser, "[data-test=change-password] button[type=submit]").await;
    browser
        .wait_for_text_containing("#new-password-message", "12")
        .await;
    browser
        .client
        .find(Locator::Css("#new-password"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    type_into(
        &browser,
        "#new-password",
        "a sturdy passphrase for the board",
    )
    .await;
    click(&browser, "[data-test=change-password] button[type=submit]").await;
    browser
        .wait_for_text_containing("[data-test=outcome]", "Password changed")
        .await;
    let check = app
        .graphql_with(
            &app.anonymous,
            "mutation($e: String!, $p: String!) { signIn(input: { email: $e, password: $p }) { account { email } } }",
            serde_json::json!({ "e": email, "p": "a sturdy passphrase for the board" }),
        )
        .await;
    assert_eq!(
        check["data"]["signIn"]["account"]["email"],
        email.as_str(),
        "{check}"
    );
    browser.assert_accessible("my account after changes").await;
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_changes_roles_and_status_with_reasons() {
    let Some((browser, app)) = open(DESKTOP, "/administration/accounts").await else {
        return;
    };
    let staff = demo_account(&app, "STAFF").await;
    type_into(&browser, ".filter-bar input[type=search]", &staff).await;
    browser
        .wait_for_text_containing("[data-test=account-row]", &staff)
        .await;
    click(&browser, "[data-test=account-row] a").await;
    assert_eq!(
        browser.wait_for_text("[data-test=account-email]").await,
        staff
    );
    browser.assert_accessible("an account").await;

    // No reason, no change.
    let select = browser
        .client
        .find(Locator::Css("#give-role-role"))
        .await
        .unwrap();
    select.select_by_value("FINANCE_OFFICER").await.unwrap();
    type_into(&browser, "#give-role-unit", "ROAP").await;
    click(&browser, "[data-test=give-role] button[type=submit]").await;
    browser
        .wait_for_text_containing("#change-reason-message", "reason")
        .await;
    type_into(&browser, "#change-reason", "Covers grant closures for Asia").await;
    click(&browser, "[data-test=give-role] button[type=submit]").await;
    browser
        .wait_for_text_containing("[data-test=roles]", "Finance officer · ROAP")
        .await;

    // Withdrawn again, then the account deactivated and reactivated.
    type_into(&browser, "#change-reason", "Given in error").await;
    browser
        .client
        .find(Locator::XPath(
            "//ul[@data-test='roles']/li[contains(., 'Finance officer')]//button",
        ))
        .await
        .expect("a withdraw button for the new role")
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text_containing("[data-test=outcome]", "Saved")
        .await;
    let roles = browser.wait_for_text("[data-test=roles]").await;
    assert!(!roles.contains("Finance officer"), "{roles}");
    type_into(&browser, "#change-reason", "Left the organisation").await;
    click(&browser, "[data-test=account-status-change]").await;
    browser
        .wait_for_text_containing("[data-test=account-status]", "Deactivated")
        .await;
    type_into(&browser, "#change-reason", "Came back").await;
    click(&browser, "[data-test=account-status-change]").await;
    browser
        .wait_for_text_containing("[data-test=account-status]", "Active")
        .await;

    // Every change is in the audit trail with its reason.
    let trail = app
        .graphql(
            "{ auditTrail(first: 10) { nodes { action reason } } }",
            serde_json::json!({}),
        )
        .await;
    let reasons: Vec<&str> = trail["data"]["auditTrail"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
    for reason in [
        "Covers grant closures for Asia",
        "Given in error",
        "Left the organisation",
        "Came back",
    ] {
        assert!(reasons.contains(&reason), "{reason} not in {reasons:?}");
    }
    browser.assert_accessible("an account after changes").await;
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_closure_dashboard_drills_down_to_a_grant_on_a_phone() {
    let Some((browser, app)) = open_as(PHONE, "/grants", "FINANCE_OFFICER").await else {
        return;
    };
    // The report's figure, from the demo data: cohorts 2012–2019.
    let headline = browser
        .wait_for_text_containing("[data-test=closure-headline]", "1,061")
        .await;
    assert!(
        headline.contains("1,346") && headline.contains("78.8"),
        "{headline}"
    );
    let columns = browser
        .script("return document.querySelectorAll('[data-test=cohort-chart] a').length")
        .await;
    assert_eq!(columns, 8, "one column per cohort");
    browser.assert_accessible("closure dashboard").await;

    // A cohort's column leads to its grants, and a grant to its page.
    click(&browser, "[data-test=cohort-chart] a rect.hit").await;
    browser.wait_for_text("[data-test=grant-row]").await;
    assert!(
        path(&browser).await.contains("year=2012"),
        "{}",
        path(&browser).await
    );
    browser.assert_accessible("grants of a cohort").await;
    click(&browser, "[data-test=grant-row] a").await;
    let number = browser.wait_for_text("[data-test=grant-number]").await;
    assert!(number.starts_with("UNH-"), "{number}");
    let timeline = browser.wait_for_text("[data-test=timeline]").await;
    assert!(
        timeline.contains("Field activities completed"),
        "{timeline}"
    );
    browser.assert_accessible("a grant").await;

    // The worklist and the dashboard in Chinese.
    click(&browser, ".tabs a[href='/grants/worklist']").await;
    browser.wait_for_text(".grants .muted").await;
    browser.assert_accessible("worklist").await;
    click(&browser, ".tabs a[href='/grants']").await;
    browser.wait_for_text("[data-test=closure-headline]").await;
    browser
        .client
        .find(Locator::Css("[data-test=language]"))
        .await
        .unwrap()
        .select_by_value("zh")
        .await
        .unwrap();
    let chinese = browser
        .wait_for_text_containing("[data-test=closure-headline]", "已结算")
        .await;
    assert!(chinese.contains("78.8"), "{chinese}");
    browser
        .assert_accessible("closure dashboard in Chinese")
        .await;

    // A new first cohort reloads the dashboard, and the keyboard stays in the year field.
    let from_year = browser
        .client
        .find(Locator::Css(
            "[data-test=closure-filters] input[type=number]",
        ))
        .await
        .unwrap();
    from_year.clear().await.unwrap();
    from_year.send_keys("2015\u{e007}").await.unwrap();
    let mut headline = String::new();
    for _ in 0..100 {
        headline = browser
            .script(
                "return document.querySelector('[data-test=closure-headline]')?.textContent ?? ''",
            )
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !headline.is_empty() && !headline.contains("1,346") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !headline.contains("1,346") && headline.contains('%'),
        "{headline}"
    );
    assert_eq!(
        browser
            .script(
                "return document.activeElement === document.querySelector('[data-test=closure-filters] input[type=number]')"
            )
            .await,
        true,
        "focus kept after the reload"
    );
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finance_officer_maps_checks_and_imports_an_erp_file_on_a_phone() {
    let Some((browser, app)) = open_as(PHONE, "/grants/import", "FINANCE_OFFICER").await else {
        return;
    };
    browser
        .wait_for_text(".tabs a[href='/grants/import']")
        .await;
    browser.assert_accessible("grant import").await;
    // The ERP's own headers; "Sponsor Ref" is not one Steward recognises.
    let file = std::env::temp_dir().join(format!("steward-erp-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "Grant,Grant Description,Sponsor Ref,Grant Amount,Curr,Valid From,Valid To,Activities End Date,Fund Center\n\
         BRW-001,Housing in Kisumu,SIDA,100000,USD,2024-01-01,2026-12-31,,CO-KEN\n\
         BRW-002,Water in Dhaka,SIDA,\"50,000.00\",EUR,2023-01-01,2025-06-30,2025-06-30,ROAP\n",
    )
    .unwrap();
    browser
        .client
        .find(Locator::Css("#grant-file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    let problems = browser.wait_for_text("[data-test=import-problems]").await;
    assert!(problems.starts_with("Problems: 1."), "{problems}");
    let listed = browser.wait_for_text("[data-test=import-error]").await;
    assert!(listed.contains("No column holds “Donor”"), "{listed}");
    assert_eq!(
        browser
            .script("return document.querySelector('#map-orgUnit').value")
            .await,
        "Fund Center",
        "recognised columns are chosen"
    );
    browser
        .assert_accessible("grant import with problems")
        .await;
    // The problems in Chinese too: they travel as codes and are worded by the app.
    for (tag, words) in [("zh", "没有任何列对应“捐助方”"), ("en", "No column holds")]
    {
        browser
            .client
            .find(Locator::Css("[data-test=language]"))
            .await
            .unwrap()
            .select_by_value(tag)
            .await
            .unwrap();
        browser
            .wait_for_text_containing("[data-test=import-error]", words)
            .await;
        browser
            .assert_accessible(&format!("grant import, {tag}"))
            .await;
    }

    // Choose the donor's column, check again, import.
    browser
        .client
        .find(Locator::Css("#map-donor"))
        .await
        .unwrap()
        .select_by_value("Sponsor Ref")
        .await
        .unwrap();
    click(&browser, "[data-test=import-check]").await;
    let summary = browser
        .wait_for_text_containing("[data-test=import-summary]", "New: 2")
        .await;
    assert!(summary.starts_with("Rows: 2."), "{summary}");
    browser.assert_accessible("grant import preview").await;
    assert_eq!(
        app.graphql(
            "{ grant(number: \"BRW-001\") { title } }",
            serde_json::json!({})
        )
        .await["data"]["grant"],
        serde_json::Value::Null,
        "a preview writes nothing"
    );
    click(&browser, "[data-test=import-commit]").await;
    let done = browser.wait_for_text("[data-test=import-done]").await;
    assert!(done.starts_with("Imported. New: 2, changed: 0"), "{done}");
    browser.assert_accessible("grant import done").await;
    let stored = app
        .graphql(
            "{ grant(number: \"BRW-002\") { amount currency closureDueOn } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        stored["data"]["grant"],
        serde_json::json!({ "amount": "50000.00", "currency": "EUR", "closureDueOn": "2025-12-30" })
    );
    // The grant's page tells its history in words.
    browser
        .client
        .goto(&app.url("/grants/BRW-002"))
        .await
        .unwrap();
    let history = browser
        .wait_for_text_containing("[data-test=history]", "Imported from the ERP")
        .await;
    let importer = demo_account(&app, "FINANCE_OFFICER").await;
    assert!(history.contains(&importer), "the importer: {history}");
    browser.assert_accessible("an imported grant").await;
    let _ = std::fs::remove_file(&file);
    browser.assert_no_javascript_errors().await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_explained_and_signing_out_ends_the_session() {
    let Some((browser, app)) = open_on_phone("/").await else {
        return;
    };
    browser.wait_for_text("[data-test=coming]").await;
    click(&browser, "[data-test=sign-out]").await;
    browser.wait_for_text("[data-test=sign-in] button").await;
    // The session ended on the server too: a reload asks to sign in again.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("[data-test=sign-in] button").await;
    click(&browser, "[data-test=sign-in] button[type=submit]").await;
    let missing = browser.wait_for_text("#sign-in-email-message").await;
    assert!(missing.contains("e-mail"), "{missing}");
    type_into(&browser, "#sign-in-email", "someone@habitat.example").await;
    type_into(&browser, "#sign-in-password", "not the right password").await;
    click(&browser, "[data-test=sign-in] button[type=submit]").await;
    let error = browser
        .wait_for_text("[data-test=sign-in] [data-error-code=UNAUTHENTICATED]")
        .await;
    assert!(error.contains("not right"), "{error}");
    browser.assert_accessible("sign-in with errors").await;
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
    browser.wait_for_text("[data-test=coming]").await;
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

/// Not a test: refreshes the README's screenshots (`./dev screenshots`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/screenshots; run with ./dev screenshots"]
async fn readme_screenshots() {
    let out = workspace_dir().join("docs").join("screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let Some((browser, app)) = open(DESKTOP, "/organisation/people").await else {
        return;
    };
    browser
        .wait_for_text("[data-test=people-by-category] svg")
        .await;
    std::fs::write(
        out.join("desktop.png"),
        browser.client.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.close().await;
    app.stop().await;
    let Some((browser, app)) = open_on_phone("/organisation/units").await else {
        return;
    };
    browser
        .script("const s = document.querySelector('[data-test=language]'); s.value = 'zh'; s.dispatchEvent(new Event('change', { bubbles: true })); return null")
        .await;
    browser
        .wait_for_text_containing("[data-test=org-units] li[data-code=OED]", "执行主任办公室")
        .await;
    std::fs::write(
        out.join("phone-zh.png"),
        browser.client.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.close().await;
    app.stop().await;
}
