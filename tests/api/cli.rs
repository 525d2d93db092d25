//! The `steward` binary itself: defaults, start-up, readiness and graceful shutdown.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// `target/<profile>/steward`, built by `./dev test` before the tests run.
fn steward_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/api-<hash> → target/<profile>/steward
    let binary = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("steward"))
        .expect("target directory");
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build -p steward-backend --bin steward` (./dev test does)",
        binary.display()
    );
    binary
}

fn steward(cwd: &std::path::Path) -> Command {
    let mut command = Command::new(steward_binary());
    command
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("STEWARD_DEMO")
        .env_remove("STEWARD_ADDR")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Reads the server's log until it names the address it serves on.
async fn serving_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(at) = line.find("serving on http://") {
                let rest = &line[at + "serving on ".len()..];
                let address = rest.split_whitespace().next().unwrap_or(rest).to_owned();
                // Keep draining the log so the server never blocks on a full pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return Some(address);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(address)) => address,
        _ => {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                use tokio::io::AsyncReadExt;
                let _ = err.read_to_string(&mut stderr).await;
            }
            panic!("the server never said where it serves; stderr: {stderr}")
        }
    }
}

async fn wait_until_ready(client: &reqwest::Client, address: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(format!("{address}/readyz")).send().await
            && response.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "/readyz never answered 200");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `steward` with `stdin` as its standard input; its standard output.
async fn run_with_input(
    cwd: &std::path::Path,
    url: Option<&str>,
    args: &[&str],
    stdin: &str,
) -> String {
    use tokio::io::AsyncWriteExt;
    let mut command = steward(cwd);
    command.args(args).stdin(Stdio::piped());
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let output = child.wait_with_output().await.unwrap();
    assert!(
        output.status.success(),
        "steward {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// An administrator made with `steward user add`, and a token from `steward token create`.
async fn administrator_token(cwd: &std::path::Path, url: Option<&str>) -> String {
    run_with_input(
        cwd,
        url,
        &[
            "user",
            "add",
            "--email",
            "Ops@Steward.test",
            "--name",
            "Ops Admin",
            "--role",
            "administrator",
        ],
        "plum orchard on the hill\n",
    )
    .await;
    let token = run_with_input(
        cwd,
        url,
        &[
            "token",
            "create",
            "--email",
            "ops@steward.test",
            "--read-only",
        ],
        "",
    )
    .await;
    token.trim().to_owned()
}

async fn org_unit_codes(client: &reqwest::Client, address: &str) -> serde_json::Value {
    client
        .post(format!("{address}/graphql"))
        .json(&serde_json::json!({ "query": "{ orgUnits { totalCount } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn terminate(child: &Child) {
    let pid = child.id().expect("running child").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[tokio::test]
async fn serve_by_default_uses_sqlite_in_data_with_demo_data_and_stops_on_sigterm() {
    let cwd = tempfile::tempdir().unwrap();
    let token = administrator_token(cwd.path(), None).await;
    let started = Instant::now();
    let mut child = steward(cwd.path())
        .args(["--addr", "127.0.0.1:0"])
        .spawn()
        .unwrap();
    let address = serving_address(&mut child).await;
    let client = steward_tests::client_with_token(Some(&token));
    wait_until_ready(&client, &address).await;
    eprintln!("serve start to /readyz 200: {:?}", started.elapsed());

    assert!(cwd.path().join("data").join("steward.db").exists());
    let response = org_unit_codes(&client, &address).await;
    assert_eq!(response["data"]["orgUnits"]["totalCount"], 34);

    terminate(&child);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server stops within 10 s of SIGTERM")
        .unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test]
async fn a_given_database_url_gets_no_demo_data_unless_asked() {
    let cwd = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/given.db?mode=rwc", cwd.path().display());
    let mut child = steward(cwd.path())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("DATABASE_URL", &url)
        .spawn()
        .unwrap();
    let address = serving_address(&mut child).await;
    let anonymous = reqwest::Client::new();
    wait_until_ready(&anonymous, &address).await;
    let refused = org_unit_codes(&anonymous, &address).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    let token = administrator_token(cwd.path(), Some(&url)).await;
    assert!(token.starts_with("stw_"), "{token}");
    let client = steward_tests::client_with_token(Some(&token));
    let response = org_unit_codes(&client, &address).await;
    assert_eq!(response["data"]["orgUnits"]["totalCount"], 0);

    // A new password from the command line: the old one stops working, the new one signs in.
    run_with_input(
        cwd.path(),
        Some(&url),
        &["user", "set-password", "--email", "ops@steward.test"],
        "a brand new passphrase\n",
    )
    .await;
    let sign_in = |password: &'static str| {
        let anonymous = anonymous.clone();
        let address = address.clone();
        async move {
            anonymous
                .post(format!("{address}/graphql"))
                .json(&serde_json::json!({
                    "query": "mutation($p: String!) { signIn(input: { email: \"ops@steward.test\", password: $p }) { account { email } } }",
                    "variables": { "p": password },
                }))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        sign_in("plum orchard on the hill").await["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    assert_eq!(
        sign_in("a brand new passphrase").await["data"]["signIn"]["account"]["email"],
        "ops@steward.test"
    );
    let trail: serde_json::Value = client
        .post(format!("{address}/graphql"))
        .json(&serde_json::json!({ "query": "{ auditTrail(first: 10) { nodes { actor action entity } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = trail["data"]["auditTrail"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    for action in ["create", "assign_role", "reset_password"] {
        assert!(
            entries
                .iter()
                .any(|e| e["actor"] == "cli" && e["action"] == action),
            "no cli {action} in {entries:?}"
        );
    }
    assert!(
        !cwd.path().join("data").exists(),
        "no default database was created"
    );
    terminate(&child);
    let status = child.wait().await.unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn migrate_applies_migrations_and_exits() {
    let cwd = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/migrated.db?mode=rwc", cwd.path().display());
    let output = steward(cwd.path())
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let db = steward::db::Db::connect(&url).await.unwrap();
    assert_eq!(db.applied_migrations().await.unwrap().len(), 5);
    db.close().await;
}

#[tokio::test]
async fn a_bad_database_url_is_explained_and_exits_non_zero() {
    let cwd = tempfile::tempdir().unwrap();
    let output = steward(cwd.path())
        .arg("migrate")
        .env("DATABASE_URL", "mysql://root@localhost/steward")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("DATABASE_URL must start with sqlite: or postgres://"),
        "{stderr}"
    );
}

#[tokio::test]
async fn schema_prints_the_sdl() {
    let cwd = tempfile::tempdir().unwrap();
    let output = steward(cwd.path()).arg("schema").output().await.unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        steward::graphql::sdl()
    );
}
