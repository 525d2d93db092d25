//! Signing in and out, sessions, throttling, API tokens, passwords and deactivation, over HTTP.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use steward_tests::{
    AppOptions, DbKind, Role, TEST_PASSWORD, TestApp, client_with_token, on_both_databases,
};

const SIGN_IN: &str = "mutation($e: String!, $p: String!) { signIn(input: { email: $e, password: $p }) { account { email } credential } }";

/// Signs in with `cookie` (if any) and returns the response and the new session cookie.
async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    cookie: Option<&str>,
) -> (Value, Option<String>) {
    let mut request = app
        .anonymous
        .post(app.url("/graphql"))
        .json(&json!({ "query": SIGN_IN, "variables": { "e": email, "p": password } }));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.unwrap();
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = response.json().await.unwrap();
    let cookie = set_cookie.map(|c| c.split(';').next().unwrap().to_owned());
    (body, cookie)
}

async fn with_cookie(app: &TestApp, cookie: &str, query: &str) -> Value {
    app.anonymous
        .post(app.url("/graphql"))
        .header(COOKIE, cookie)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// A new staff account's e-mail address (password [`TEST_PASSWORD`]).
async fn staff_email(app: &TestApp) -> String {
    let client = app.client_as(Role::Staff, None).await;
    let response = app
        .graphql_with(&client, "{ viewer { account { email } } }", json!({}))
        .await;
    response["data"]["viewer"]["account"]["email"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn sessions_live_on_the_server_and_end_there(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let email = staff_email(&app).await;
    let raw = app
        .anonymous
        .post(app.url("/graphql"))
        .json(&json!({ "query": SIGN_IN, "variables": { "e": email.to_uppercase(), "p": TEST_PASSWORD } }))
        .send()
        .await
        .unwrap();
    let set_cookie = raw
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        set_cookie.starts_with("steward_session="),
        "plain http: no __Host- prefix"
    );
    assert_eq!(raw.headers().get("cache-control").unwrap(), "no-store");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    let me = with_cookie(&app, &cookie, "{ viewer { account { email } credential } }").await;
    assert_eq!(me["data"]["viewer"]["account"]["email"], email.as_str());
    assert_eq!(me["data"]["viewer"]["credential"], "SESSION");

    // Signing in again with a session cookie gives a new session id; the old one is dead.
    let (again, new_cookie) = sign_in(&app, &email, TEST_PASSWORD, Some(&cookie)).await;
    assert!(again["errors"].is_null(), "{again}");
    let new_cookie = new_cookie.unwrap();
    assert_ne!(new_cookie, cookie);
    assert_eq!(
        code(&with_cookie(&app, &cookie, "{ viewer { readOnly } }").await),
        Some("UNAUTHENTICATED")
    );

    // A second copy of the server shares the session (it lives in the database).
    let second = TestApp::spawn_on(app.database.borrow(), AppOptions::default()).await;
    let there = with_cookie(&second, &new_cookie, "{ viewer { account { email } } }").await;
    assert_eq!(there["data"]["viewer"]["account"]["email"], email.as_str());

    // Sign-out ends the session on the server: the cookie is worthless afterwards.
    let out = with_cookie(&app, &new_cookie, "mutation { signOut }").await;
    assert_eq!(out["data"]["signOut"], true);
    assert_eq!(
        code(&with_cookie(&second, &new_cookie, "{ viewer { readOnly } }").await),
        Some("UNAUTHENTICATED")
    );

    // "Last seen" is written at most once a minute.
    let (_, busy) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    let busy = busy.unwrap();
    let last_seen = |cookie: String| {
        let db = app.db.clone();
        async move {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            steward::access::user_session::Entity::find()
                .filter(steward::access::user_session::Column::TokenDigest.eq(
                    steward::access::secrets::digest(cookie.split_once('=').unwrap().1),
                ))
                .one(db.reader())
                .await
                .unwrap()
                .unwrap()
                .last_seen_at
        }
    };
    let first = last_seen(busy.clone()).await;
    for _ in 0..3 {
        with_cookie(&app, &busy, "{ viewer { readOnly } }").await;
    }
    assert_eq!(
        last_seen(busy.clone()).await,
        first,
        "not rewritten within a minute"
    );
    {
        use sea_orm::ConnectionTrait;
        let digest = steward::access::secrets::digest(busy.split_once('=').unwrap().1);
        let two_minutes_ago = chrono::Utc::now() - chrono::Duration::minutes(2);
        app.db
            .writer()
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                app.db.backend(),
                match app.db.backend() {
                    sea_orm::DbBackend::Postgres => {
                        "UPDATE user_session SET last_seen_at = $1 WHERE token_digest = $2"
                    }
                    _ => "UPDATE user_session SET last_seen_at = ? WHERE token_digest = ?",
                },
                [two_minutes_ago.into(), digest.into()],
            ))
            .await
            .unwrap();
        with_cookie(&app, &busy, "{ viewer { readOnly } }").await;
        assert!(last_seen(busy.clone()).await > two_minutes_ago + chrono::Duration::seconds(60));
    }

    // Idle and absolute expiry.
    let (_, idle) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    let (_, old) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    let (idle, old) = (idle.unwrap(), old.unwrap());
    use sea_orm::ConnectionTrait;
    let digest = |cookie: &str| steward::access::secrets::digest(cookie.split_once('=').unwrap().1);
    app.db
        .writer()
        .execute_unprepared(&format!(
            "UPDATE user_session SET last_seen_at = '2020-01-01 00:00:00+00:00' WHERE token_digest = '{}'",
            digest(&idle)
        ))
        .await
        .unwrap();
    app.db
        .writer()
        .execute_unprepared(&format!(
            "UPDATE user_session SET expires_at = '2020-01-01 00:00:00+00:00' WHERE token_digest = '{}'",
            digest(&old)
        ))
        .await
        .unwrap();
    for ended in [&idle, &old] {
        assert_eq!(
            code(&with_cookie(&app, ended, "{ viewer { readOnly } }").await),
            Some("UNAUTHENTICATED")
        );
    }

    let log = app
        .graphql(
            "{ securityLog(first: 100) { nodes { kind email address } } }",
            json!({}),
        )
        .await;
    let kinds: Vec<&str> = log["data"]["securityLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"SIGN_IN_SUCCEEDED") && kinds.contains(&"SIGNED_OUT"),
        "{kinds:?}"
    );
    assert_eq!(
        log["data"]["securityLog"]["nodes"][0]["address"],
        "127.0.0.1"
    );
    second.stop().await;
    app.stop().await;
}

async fn failed_sign_ins_are_throttled_across_copies_and_never_tell_who_exists(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let email = staff_email(&app).await;
    let (wrong, _) = sign_in(&app, &email, "not the password at all", None).await;
    let (unknown, _) = sign_in(
        &app,
        "nobody@habitat.example",
        "not the password at all",
        None,
    )
    .await;
    assert_eq!(code(&wrong), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong["errors"][0]["message"], unknown["errors"][0]["message"],
        "the same answer either way"
    );

    // Four more failures, some through a second copy: the counters are in the database.
    let second = TestApp::spawn_on(app.database.borrow(), AppOptions::default()).await;
    for target in [&app, &second, &second, &app] {
        let (failed, _) = sign_in(target, &email, "still not the password", None).await;
        assert_eq!(code(&failed), Some("UNAUTHENTICATED"), "{failed}");
    }
    let (blocked, cookie) = sign_in(&second, &email, TEST_PASSWORD, None).await;
    assert_eq!(
        code(&blocked),
        Some("RATE_LIMITED"),
        "even the right password waits"
    );
    assert!(cookie.is_none());
    assert!(
        blocked["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    // An unknown address is throttled the same way after as many failures.
    for _ in 0..4 {
        sign_in(&app, "nobody@habitat.example", "x-not-the-password", None).await;
    }
    let (unknown_blocked, _) = sign_in(&app, "nobody@habitat.example", "x", None).await;
    assert_eq!(code(&unknown_blocked), Some("RATE_LIMITED"));

    // Other addresses are unaffected.
    let other = staff_email(&app).await;
    let (fine, cookie) = sign_in(&app, &other, TEST_PASSWORD, None).await;
    assert!(fine["errors"].is_null(), "{fine}");
    assert!(cookie.is_some());

    // One client trying many addresses is blocked as a client (30 failures in the window; some
    // were spent above).
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (answer, _) = sign_in(
            &app,
            &format!("guess{attempts}@habitat.example"),
            "guessing-guessing",
            None,
        )
        .await;
        match code(&answer) {
            Some("UNAUTHENTICATED") => assert!(attempts <= 30, "never blocked"),
            Some("RATE_LIMITED") => break,
            other => panic!("unexpected {other:?}: {answer}"),
        }
    }
    assert!(attempts > 1, "the address limit is not the account limit");
    let (blocked_client, _) = sign_in(&app, &other, TEST_PASSWORD, None).await;
    assert_eq!(
        code(&blocked_client),
        Some("RATE_LIMITED"),
        "even a known address, from this client"
    );
    second.stop().await;
    app.stop().await;
}

async fn api_tokens_are_shown_once_listed_limited_and_revoked(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let created = app
        .graphql(
            "mutation { createApiToken(input: { name: \"closure report\", readOnly: true, expiresInDays: 30 }) { token apiToken { id name prefix readOnly usable } } }",
            json!({}),
        )
        .await;
    let token = created["data"]["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = created["data"]["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("stw_"));
    assert!(
        token.starts_with(
            created["data"]["createApiToken"]["apiToken"]["prefix"]
                .as_str()
                .unwrap()
        )
    );

    let listed = app
        .graphql(
            "{ viewer { account { apiTokens { id name readOnly } } } }",
            json!({}),
        )
        .await;
    let listed = serde_json::to_string(&listed).unwrap();
    assert!(
        listed.contains("closure report") && !listed.contains(&token),
        "the secret is never listed"
    );

    let script = client_with_token(Some(&token));
    let read = app
        .graphql_with(
            &script,
            "{ viewer { readOnly credential } orgUnits { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(read["data"]["viewer"]["readOnly"], true);
    assert_eq!(read["data"]["viewer"]["credential"], "API_TOKEN");
    let write = app
        .graphql_with(
            &script,
            "mutation { createApiToken(input: { name: \"x\" }) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&write), Some("FORBIDDEN"));

    for bad in [
        json!({ "name": "" }),
        json!({ "name": "x", "expiresInDays": 0 }),
        json!({ "name": "x", "expiresInDays": 400 }),
    ] {
        let refused = app
            .graphql(
                "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }",
                json!({ "i": bad }),
            )
            .await;
        assert_eq!(code(&refused), Some("VALIDATION"), "{refused}");
    }

    let revoked = app
        .graphql(
            "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt usable } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(revoked["data"]["revokeApiToken"]["usable"], false);
    let after = script
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ viewer { readOnly } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    let body: Value = after.json().await.unwrap();
    assert_eq!(code(&body), Some("UNAUTHENTICATED"));

    // An expired token stops working.
    let expiring = app
        .graphql("mutation { createApiToken(input: { name: \"short-lived\", expiresInDays: 1 }) { token apiToken { id } } }", json!({}))
        .await;
    let expiring_token = expiring["data"]["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    {
        use sea_orm::ConnectionTrait;
        app.db
            .writer()
            .execute_unprepared(&format!(
                "UPDATE api_token SET expires_at = '2020-01-01 00:00:00+00:00' WHERE token_digest = '{}'",
                steward::access::secrets::digest(&expiring_token)
            ))
            .await
            .unwrap();
    }
    let expired = client_with_token(Some(&expiring_token))
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ viewer { readOnly } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401);

    // Someone else's token: only an administrator may revoke it.
    let staff = app.client_as(Role::Staff, None).await;
    let theirs = app
        .graphql(
            "mutation { createApiToken(input: { name: \"admin's\" }) { apiToken { id } } }",
            json!({}),
        )
        .await;
    let theirs = theirs["data"]["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap();
    let refused = app
        .graphql_with(
            &staff,
            "mutation($id: ID!) { revokeApiToken(id: $id) { usable } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(
        code(&refused),
        Some("NOT_FOUND"),
        "someone else's token is as invisible as one that does not exist"
    );
    let missing = app
        .graphql_with(
            &staff,
            "mutation { revokeApiToken(id: \"QXBpVG9rZW46OTk5OQ\") { usable } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&missing), Some("NOT_FOUND"));
    assert_eq!(
        refused["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
    app.stop().await;
}

async fn deactivation_ends_sessions_and_tokens_at_once(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let email = staff_email(&app).await;
    let (_, cookie) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    let cookie = cookie.unwrap();
    let token = with_cookie(
        &app,
        &cookie,
        "mutation { createApiToken(input: { name: \"mine\" }) { token } }",
    )
    .await;
    let script = client_with_token(token["data"]["createApiToken"]["token"].as_str());
    let account = with_cookie(&app, &cookie, "{ viewer { account { id } } }").await;
    let account = account["data"]["viewer"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let no_reason = app
        .graphql("mutation($a: ID!) { deactivateAccount(input: { account: $a, reason: \" \" }) { active } }", json!({ "a": account }))
        .await;
    assert_eq!(code(&no_reason), Some("VALIDATION"));
    assert_eq!(no_reason["errors"][0]["extensions"]["field"], "reason");

    let done = app
        .graphql("mutation($a: ID!) { deactivateAccount(input: { account: $a, reason: \"left the organisation\" }) { active deactivatedAt } }", json!({ "a": account }))
        .await;
    assert_eq!(done["data"]["deactivateAccount"]["active"], false, "{done}");
    assert_eq!(
        code(&with_cookie(&app, &cookie, "{ viewer { readOnly } }").await),
        Some("UNAUTHENTICATED")
    );
    let by_token = script
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ viewer { readOnly } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 401);
    let (again, _) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    assert_eq!(code(&again), Some("UNAUTHENTICATED"));

    let trail = app
        .graphql("query($a: ID!) { auditTrail(filter: { record: $a }) { nodes { action reason after } } }", json!({ "a": account }))
        .await;
    let latest = &trail["data"]["auditTrail"]["nodes"][0];
    assert_eq!(latest["action"], "deactivate");
    assert_eq!(latest["reason"], "left the organisation");
    assert_eq!(latest["after"]["sessionsEnded"], 1);
    assert_eq!(
        latest["after"]["tokensRevoked"], 2,
        "the harness's token and this one"
    );
    app.stop().await;
}

async fn passwords_follow_the_policy_and_changes_end_other_sessions(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let email = staff_email(&app).await;
    let (_, here) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    let (_, elsewhere) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    let (here, elsewhere) = (here.unwrap(), elsewhere.unwrap());
    let change = |current: &str, new: &str| {
        format!(
            "mutation {{ changePassword(input: {{ currentPassword: \"{current}\", newPassword: \"{new}\" }}) {{ version }} }}"
        )
    };
    for (current, new, field) in [
        (
            "wrong wrong wrong",
            "a fine new passphrase",
            "currentPassword",
        ),
        (TEST_PASSWORD, "short", "newPassword"),
        (TEST_PASSWORD, "qwertyuiop123", "newPassword"),
        (TEST_PASSWORD, "password2026!", "newPassword"),
    ] {
        let refused = with_cookie(&app, &here, &change(current, new)).await;
        assert_eq!(code(&refused), Some("VALIDATION"), "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], field);
    }
    let changed = with_cookie(&app, &here, &change(TEST_PASSWORD, "a fine new passphrase")).await;
    assert!(changed["errors"].is_null(), "{changed}");
    assert!(
        with_cookie(&app, &here, "{ viewer { readOnly } }").await["errors"].is_null(),
        "this session goes on"
    );
    assert_eq!(
        code(&with_cookie(&app, &elsewhere, "{ viewer { readOnly } }").await),
        Some("UNAUTHENTICATED")
    );
    let (old, _) = sign_in(&app, &email, TEST_PASSWORD, None).await;
    assert_eq!(code(&old), Some("UNAUTHENTICATED"));
    let (new, _) = sign_in(&app, &email, "a fine new passphrase", None).await;
    assert!(new["errors"].is_null());
    app.stop().await;
}

async fn administrators_create_accounts_and_roles(kind: DbKind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let person = app
        .graphql("{ people(first: 1, filter: { orgUnitCode: \"ROAF\" }) { nodes { id email account { id } } } }", json!({}))
        .await;
    let person = &person["data"]["people"]["nodes"][0];
    assert!(person["account"].is_null());
    let create = "mutation($i: CreateAccountInput!) { createAccount(input: $i) { id email roles { role orgUnit { code } } } }";
    let input = json!({ "person": person["id"], "email": person["email"], "password": "a fine new passphrase",
                        "roles": [{ "role": "HEAD", "orgUnitCode": "ROAF" }], "reason": "new head of office" });
    let created = app.graphql(create, json!({ "i": input })).await;
    let account = &created["data"]["createAccount"];
    assert_eq!(account["roles"][0]["role"], "HEAD", "{created}");
    assert_eq!(account["roles"][0]["orgUnit"]["code"], "ROAF");
    let again = app.graphql(create, json!({ "i": input })).await;
    assert_eq!(code(&again), Some("CONFLICT"));

    let assign = "mutation($i: ChangeRoleInput!) { assignRole(input: $i) { roles { role } } }";
    let scoped_admin = app
        .graphql(assign, json!({ "i": { "account": account["id"], "role": "ADMINISTRATOR", "orgUnitCode": "ROAF", "reason": "x" } }))
        .await;
    assert_eq!(
        code(&scoped_admin),
        Some("VALIDATION"),
        "administrators are organisation-wide"
    );
    let staff = app
        .graphql(assign, json!({ "i": { "account": account["id"], "role": "STAFF", "reason": "everyone reads" } }))
        .await;
    assert_eq!(
        staff["data"]["assignRole"]["roles"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let withdrawn = app
        .graphql(
            "mutation($i: ChangeRoleInput!) { withdrawRole(input: $i) { roles { role } } }",
            json!({ "i": { "account": account["id"], "role": "STAFF", "reason": "not needed" } }),
        )
        .await;
    assert_eq!(
        withdrawn["data"]["withdrawRole"]["roles"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (signed, _) = sign_in(
        &app,
        person["email"].as_str().unwrap(),
        "a fine new passphrase",
        None,
    )
    .await;
    assert!(signed["errors"].is_null(), "{signed}");
    app.stop().await;
}

#[tokio::test]
async fn anonymous_callers_may_only_sign_in() {
    let Some(app) = TestApp::spawn(DbKind::Sqlite).await else {
        return;
    };
    for query in [
        "{ orgUnits { totalCount } }",
        "{ viewer { readOnly } }",
        "{ __schema { queryType { name } } }",
        "{ node(id: \"UGVyc29uOjE\") { id } }",
        "mutation { signOut }",
    ] {
        let response = app.graphql_with(&app.anonymous, query, json!({})).await;
        assert_eq!(
            code(&response),
            Some("UNAUTHENTICATED"),
            "{query}: {response}"
        );
        assert!(response["data"].is_null(), "{query}: nothing runs");
    }
    for path in ["/api/exports/org-units", "/api/exports/audit-trail"] {
        let response = app.anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "{path}");
    }
    for path in ["/healthz", "/readyz", "/"] {
        assert_eq!(
            app.anonymous
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "{path}"
        );
    }
    let bad_token = client_with_token(Some("stw_not-a-real-token"));
    let refused = bad_token
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    app.stop().await;
}

on_both_databases!(
    sessions_live_on_the_server_and_end_there,
    failed_sign_ins_are_throttled_across_copies_and_never_tell_who_exists,
    api_tokens_are_shown_once_listed_limited_and_revoked,
    deactivation_ends_sessions_and_tokens_at_once,
    passwords_follow_the_policy_and_changes_end_other_sessions,
    administrators_create_accounts_and_roles,
);
