//! `steward`: the Steward server and its administrative commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, builder::BoolishValueParser};
use steward::access::{self, caller::AccessSettings};
use steward::config::{DEFAULT_ADDR, DEFAULT_WEB_DIR};
use steward::server::shutdown_signal;
use steward::{Application, DatabaseChoice, ServeSettings, db::Db, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "steward",
    version,
    about = "Steward: keep the promises of a management reform"
)]
struct Cli {
    /// Database URL (`sqlite://…` or `postgres://…`). Default: an SQLite file in ./data/.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run pending migrations and serve the app and the API (the default).
    Serve,
    /// Run pending migrations, then exit.
    Migrate,
    /// Print the GraphQL schema (SDL) to standard output.
    Schema,
    /// User accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Synthetic data for load tests and benchmarks.
    Generate {
        /// How many synthetic grants to add (numbered SYN-…, after any made before).
        #[arg(long)]
        grants: usize,
        /// Seed of the generator: the same seed gives the same grants.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account (and the person, if no person has this address) with one role. The
    /// password is read from standard input.
    Add {
        /// The address the user signs in with.
        #[arg(long)]
        email: String,
        /// The person's full name.
        #[arg(long)]
        name: String,
        /// The role: administrator, executive, director, head, focal-point,
        /// committee-secretary, finance-officer, staff, auditor.
        #[arg(long)]
        role: String,
        /// Limit the role to this org unit (and the units under it), by code.
        #[arg(long)]
        unit: Option<String>,
    },
    /// Set an account's password (read from standard input); its sessions end.
    SetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it (shown once).
    Create {
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long)]
        name: Option<String>,
        /// The token can read but not change anything.
        #[arg(long)]
        read_only: bool,
        /// Days until it stops working (1–366; default 90).
        #[arg(long)]
        expires: Option<i64>,
    },
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "STEWARD_ADDR", default_value = DEFAULT_ADDR, global = true)]
    addr: SocketAddr,

    /// Load demo data into an empty database (default: on only for the default SQLite file).
    #[arg(long, env = "STEWARD_DEMO", value_parser = BoolishValueParser::new(), global = true)]
    demo: Option<bool>,

    /// Directory holding the built browser app.
    #[arg(long, env = "STEWARD_WEB_DIR", default_value = DEFAULT_WEB_DIR, global = true)]
    web_dir: PathBuf,

    /// Served over https (directly or behind a proxy): session cookies get `Secure` and the
    /// `__Host-` prefix.
    #[arg(long, env = "STEWARD_SECURE_COOKIES", value_parser = BoolishValueParser::new(), default_value = "false", global = true)]
    secure_cookies: bool,

    /// Behind a reverse proxy: take the client address from the last X-Forwarded-For entry.
    #[arg(long, env = "STEWARD_TRUST_FORWARDED_FOR", value_parser = BoolishValueParser::new(), default_value = "false", global = true)]
    trust_forwarded_for: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::User(_) | Command::Token(_) | Command::Generate { .. }) => {
            telemetry::init_to_stderr()
        }
        _ => telemetry::init(),
    }
    let database = DatabaseChoice::from_env_value(cli.database_url);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            serve(ServeSettings {
                database,
                addr: cli.serve.addr,
                demo: cli.serve.demo,
                web_dir: cli.serve.web_dir,
                access: AccessSettings {
                    secure_cookies: cli.serve.secure_cookies,
                    trust_forwarded_for: cli.serve.trust_forwarded_for,
                },
            })
            .await
        }
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            unit,
        }) => {
            with_database(database, |db| async move {
                let password = read_password("Password for the new account: ")?;
                access::cli::add_user(
                    &db,
                    access::cli::NewUser {
                        email,
                        name,
                        role,
                        unit,
                        password,
                    },
                )
                .await
            })
            .await
        }
        Command::User(UserCommand::SetPassword { email }) => {
            with_database(database, |db| async move {
                let password = read_password("New password: ")?;
                access::cli::set_password(&db, &email, password).await
            })
            .await
        }
        Command::Token(TokenCommand::Create {
            email,
            name,
            read_only,
            expires,
        }) => {
            with_database(database, |db| async move {
                let token =
                    access::cli::create_token(&db, &email, name, read_only, expires).await?;
                // The token alone on standard output, so scripts can capture it.
                println!("{token}");
                Ok("created the token (shown once, above)".to_owned())
            })
            .await
        }
        Command::Generate { grants, seed } => {
            with_database(database, |db| async move {
                let started = std::time::Instant::now();
                let step = (grants / 20).max(1);
                let written = steward::grants::generate::generate(&db, grants, seed, |done| {
                    if done % step < steward::grants::demo::BATCH || done == grants {
                        eprintln!("steward: {done} of {grants} grants written");
                    }
                })
                .await
                .map_err(|e| e.to_string())?;
                Ok(format!(
                    "generated {written} grants in {:.1} s",
                    started.elapsed().as_secs_f64()
                ))
            })
            .await
        }
        Command::Migrate => migrate(database).await,
        Command::Schema => {
            print!("{}", steward::graphql::sdl());
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("steward: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: ServeSettings) -> Result<(), String> {
    let app = Application::build(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let addr = app.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("Steward is serving on http://{addr}");
    app.run_until_stopped(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// Reads a password: hidden at a terminal, else the first line of standard input.
fn read_password(prompt: &str) -> Result<String, String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        rpassword::prompt_password(prompt).map_err(|e| format!("could not read the password: {e}"))
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("could not read the password: {e}"))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Runs an account command against the migrated database, printing its outcome.
async fn with_database<F, Fut>(database: DatabaseChoice, command: F) -> Result<(), String>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let url = database
        .url()
        .map_err(|e| format!("could not create the data directory: {e}"))?;
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    db.migrate()
        .await
        .map_err(|e| format!("could not apply migrations: {e}"))?;
    let outcome = command(db.clone()).await;
    db.close().await;
    let message = outcome?;
    eprintln!("steward: {message}");
    Ok(())
}

async fn migrate(database: DatabaseChoice) -> Result<(), String> {
    let url = database
        .url()
        .map_err(|e| format!("could not create the data directory: {e}"))?;
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    db.migrate()
        .await
        .map_err(|e| format!("could not apply migrations: {e}"))?;
    let applied = db.applied_migrations().await.map_err(|e| e.to_string())?;
    tracing::info!(count = applied.len(), "database is up to date");
    db.close().await;
    Ok(())
}
