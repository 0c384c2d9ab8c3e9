//! The `likeperson` command: serve (default), migrate, seed, create-admin, rotate-key,
//! run-jobs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};

use likeperson::config::Config;
use likeperson::db::Backend;
use likeperson::{build_app, db, mail, prepare, seed, AppState};

/// mimalloc instead of glibc's allocator: a page allocates and frees many small strings (rows,
/// labels, HTML), where glibc's malloc showed up as about a tenth of the server's CPU under load
/// (`perf record` on the coordinator's list); see ARCHITECTURE.md ("Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "likeperson",
    version,
    about = "Peer-mentoring coordination for Norwegian member organizations"
)]
struct Cli {
    /// SQLite file path or postgres:// URL [default: data/likeperson.db]
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, seed demo data into an empty database (SQLite by default), and serve.
    Serve(ServeArgs),
    /// Run pending migrations and exit.
    Migrate,
    /// Seed data into an empty database.
    Seed {
        /// The four demo organizations, their associations and demo accounts.
        #[arg(long)]
        demo: bool,
        /// Add this many generated activities (for benchmarks), spread over every peer mentor.
        #[arg(long)]
        activities: Option<u64>,
        #[arg(long, default_value = seed::DEFAULT_DEMO_PASSWORD)]
        demo_password: String,
    },
    /// Create a global administrator (or give an existing user that role).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Re-wrap every encrypted record's data key under a new master key version (safe while
    /// the server runs; old versions stay in the key file so backups stay readable).
    RotateKey,
    /// Run the periodic jobs that are due (retention, reminders, the weekly digest, the mail
    /// outbox), once, and exit.
    RunJobs {
        /// Run every job now, whatever its interval.
        #[arg(long)]
        all: bool,
        /// Only this job (e.g. notifications.reminders); with --all, whatever its interval.
        #[arg(long)]
        job: Option<String>,
    },
}

#[derive(clap::Args, Default)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080, env BIND]
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Seed demo data when the database is empty (the default on SQLite).
    #[arg(long, conflicts_with = "no_demo")]
    demo: bool,
    /// Never seed demo data (the default on PostgreSQL).
    #[arg(long)]
    no_demo: bool,
    #[arg(long, default_value = seed::DEFAULT_DEMO_PASSWORD)]
    demo_password: String,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,actix_server=warn"),
    )
    .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(ServeArgs {
        demo_password: seed::DEFAULT_DEMO_PASSWORD.into(),
        ..Default::default()
    })) {
        Command::Serve(args) => serve(cli.database_url, args, started),
        Command::Migrate => {
            let config = Config::from_env(cli.database_url, None)?;
            let pool = db::pool(&config.database_url, 1, std::time::Duration::from_secs(10))?;
            let n = db::migrate(&mut *(pool.get()?))?;
            println!("{n} migrations applied");
            Ok(())
        }
        Command::Seed {
            demo,
            demo_password,
            activities,
        } => {
            if !demo && activities.is_none() {
                anyhow::bail!("nothing to seed: pass --demo and/or --activities N");
            }
            let config = Config::from_env(cli.database_url, None)?;
            let pool = prepare(&config)?;
            let mut conn = pool.get()?;
            if demo {
                let (keys, _) = likeperson::assignments::keys::open(&config, &mut conn)?;
                let outcome = seed::demo(&mut conn, &demo_password)?;
                if matches!(outcome, seed::SeedOutcome::Created { .. }) {
                    seed::demo_encrypted(&mut conn, &keys)?;
                }
                report_seed(outcome, &demo_password);
            }
            if let Some(n) = activities {
                let t = Instant::now();
                likeperson::activities::seed::generate(&mut conn, n)?;
                println!(
                    "{n} activities generated in {:.1} s",
                    t.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            name,
        } => {
            let config = Config::from_env(cli.database_url, None)?;
            let pool = prepare(&config)?;
            seed::create_admin(&mut *(pool.get()?), &email, &name, &password)?;
            println!("{email} is a global administrator");
            Ok(())
        }
        Command::RotateKey => {
            let config = Config::from_env(cli.database_url, None)?;
            let pool = prepare(&config)?;
            let r = likeperson::assignments::keys::rotate(&config, &mut *(pool.get()?))?;
            println!(
                "Master key version {} is now in use: {} records re-wrapped; retired versions {:?}.",
                r.version, r.rewrapped, r.retired
            );
            println!("Back up the key file (or MASTER_KEY) again: it holds the new version.");
            Ok(())
        }
        Command::RunJobs { all, job } => {
            let config = Config::from_env(cli.database_url, None)?;
            let pool = prepare(&config)?;
            let mut conn = pool.get()?;
            let env = likeperson::jobs::Env::new(mail::Mailer::from_config(&config)?, &config);
            let jobs: Vec<_> = likeperson::jobs::all()
                .into_iter()
                .filter(|j| job.as_deref().is_none_or(|name| j.name == name))
                .collect();
            anyhow::ensure!(!jobs.is_empty(), "no job named {}", job.unwrap_or_default());
            for (name, outcome) in likeperson::jobs::run_due(&mut conn, &jobs, &env, all) {
                println!("{name}: {outcome:?}");
            }
            Ok(())
        }
    }
}

fn report_seed(outcome: seed::SeedOutcome, password: &str) {
    match outcome {
        seed::SeedOutcome::Created {
            organizations,
            associations,
            users,
        } => {
            println!("Demo data created: {organizations} organizations, {associations} local associations, {users} accounts.");
            println!("Sign in as mentor@, coordinator@ or admin@ at nhf.example, blindeforbundet.example, hlf.example,");
            println!("barnekreftforeningen.example, or global@likeperson.example, with the password: {password}");
        }
        seed::SeedOutcome::AlreadyHasData => {
            println!("The database already holds data: nothing was changed.")
        }
    }
}

#[actix_web::main]
async fn serve(
    database_url: Option<String>,
    args: ServeArgs,
    started: Instant,
) -> anyhow::Result<()> {
    let config = Config::from_env(database_url, args.bind)?;
    let pool = prepare(&config)?;
    // A missing or wrong master key stops here, before anything is served.
    let (keys, _) = likeperson::assignments::keys::open(&config, &mut *(pool.get()?))?;
    let want_demo = if args.no_demo {
        false
    } else {
        args.demo || config.backend() == Backend::Sqlite
    };
    if want_demo {
        let mut conn = pool.get()?;
        if !seed::has_data(&mut conn)? {
            let outcome = seed::demo(&mut conn, &args.demo_password)?;
            seed::demo_encrypted(&mut conn, &keys)?;
            report_seed(outcome, &args.demo_password);
        }
    }
    let mailer = mail::Mailer::from_config(&config)?;
    if config.smtp_url.is_none() {
        log::info!(
            "SMTP_URL is not set: e-mails are written to {}",
            config.data_dir.join("mail").display()
        );
    }
    let bind = config.bind;
    let jobs_env = likeperson::jobs::Env::new(mailer.clone(), &config);
    let nudge = likeperson::jobs::Nudge::default();
    let state = web::Data::new(AppState {
        pool: pool.clone(),
        files: likeperson::documents::storage::local(&config.storage_dir)?,
        config,
        mailer,
        keys,
        labels: Default::default(),
        nudge: nudge.clone(),
    });
    // Periodic jobs (retention, reminders, the digest, the mail outbox), each once per interval
    // across instances; the runner looks every 30 s, and at once when a request queued a mail.
    likeperson::jobs::spawn(pool.clone(), Duration::from_secs(30), jobs_env, nudge);
    // The audit chain is linked just after each audited change commits, outside its transaction.
    likeperson::audit::chain::spawn(pool.clone());
    // Expired and revoked sessions are removed every ten minutes.
    std::thread::spawn(move || loop {
        if let Ok(mut conn) = pool.get() {
            if let Err(e) = likeperson::auth::session_store::purge_expired(&mut conn) {
                log::warn!("session purge failed: {e}");
            }
        }
        std::thread::sleep(Duration::from_secs(600));
    });
    let server = HttpServer::new(move || build_app(state.clone()))
        .bind(bind)?
        .run();
    log::info!(
        "Likeperson listening on http://{bind} (ready in {} ms)",
        started.elapsed().as_millis()
    );
    server.await?;
    Ok(())
}
