//! `steward`: the Steward server and its administrative commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, builder::BoolishValueParser};
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let database = DatabaseChoice::from_env_value(cli.database_url);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            serve(ServeSettings {
                database,
                addr: cli.serve.addr,
                demo: cli.serve.demo,
                web_dir: cli.serve.web_dir,
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
