//! `ismessenger`: serve the product, run migrations, or print the OpenAPI spec.

use std::net::TcpListener;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ismessenger",
    version,
    about = "IS-Messenger: the omnichannel team inbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run pending migrations, then serve the API, docs and app.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "ISM_BIND")]
        bind: String,
        /// HTTP worker threads (default: one per core).
        #[arg(long, env = "ISM_WORKERS")]
        workers: Option<usize>,
    },
    /// Run pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document to stdout.
    Openapi,
}

fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match Cli::parse().command {
        Command::Openapi => {
            let spec = api::openapi()
                .to_pretty_json()
                .map_err(std::io::Error::other)?;
            println!("{spec}");
            Ok(())
        }
        Command::Migrate => {
            let config = api::Config::from_env()?;
            let pool = storage::connect(&config.database_url, 1).map_err(std::io::Error::other)?;
            let mut conn = pool.get().map_err(std::io::Error::other)?;
            let ran = storage::migrate(&mut conn).map_err(std::io::Error::other)?;
            log::info!("{ran} migration(s) applied");
            Ok(())
        }
        Command::Serve { bind, workers } => {
            let config = api::Config::from_env()?;
            let listener = TcpListener::bind(&bind)?;
            let workers = workers.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            });
            actix_web::rt::System::new().block_on(async move {
                let (server, addr) = api::start(config, listener, workers).await?;
                log::info!(
                    "IS-Messenger listening on http://{addr} (API docs at http://{addr}/docs/)"
                );
                let handle = server.handle();
                actix_web::rt::spawn(async move {
                    shutdown_requested().await;
                    log::info!("shutting down");
                    handle.stop(true).await;
                });
                server.await
            })
        }
    }
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
