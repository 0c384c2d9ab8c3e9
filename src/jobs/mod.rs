//! Periodic jobs, run inside the server on an interval and by `likeperson run-jobs` (from cron,
//! or by hand). Safe with several instances: a job is claimed with a lease in `job_runs`, one
//! conditional UPDATE whose affected-row count decides (`… WHERE name = ? AND (no lease or the
//! lease expired) AND (never run or last run longer ago than the interval)`), so one instance
//! runs it per interval and a crashed run is taken over when its lease ends.
//!
//! A job is a name, an interval and a function over a connection and the job `Env` (the mailer
//! and the site address); add it to `all()`.
//!
//! The server's runner looks every `tick` and also when poked (`Nudge`): a request that queued
//! a mail pokes it, so the outbox is delivered at once rather than at the next tick.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::{now, DbConn, Pool};
use crate::schema::job_runs as jr;

/// What jobs may use besides their connection.
#[derive(Clone)]
pub struct Env {
    pub mailer: crate::mail::Mailer,
    /// `BASE_URL`: put into mailed links when they are sent.
    pub base_url: String,
    /// This process's name in leases.
    pub instance: String,
}

impl Env {
    pub fn new(mailer: crate::mail::Mailer, config: &crate::config::Config) -> Env {
        Env {
            mailer,
            base_url: config.base_url.clone(),
            instance: instance_name(),
        }
    }
}

/// Wakes the server's job runner before its tick (a mail was queued).
#[derive(Clone, Default)]
pub struct Nudge(Arc<(Mutex<bool>, Condvar)>);

impl Nudge {
    pub fn poke(&self) {
        let (flag, cv) = &*self.0;
        *flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }

    /// Waits until poked or `timeout` passed.
    pub fn wait(&self, timeout: Duration) {
        let (flag, cv) = &*self.0;
        let guard = flag.lock().unwrap_or_else(|e| e.into_inner());
        let (mut guard, _) = cv
            .wait_timeout_while(guard, timeout, |poked| !*poked)
            .unwrap_or_else(|e| e.into_inner());
        *guard = false;
    }
}

pub struct Job {
    pub name: &'static str,
    /// How often it runs (at most once per interval across every instance).
    pub every: Duration,
    /// How long a claim holds before another instance may take the job over.
    pub lease: Duration,
    pub run: fn(&mut DbConn, &Env) -> anyhow::Result<String>,
}

/// Every periodic job of the app, in the order a pass runs them (the reminders and the digest
/// before the outbox, so `run-jobs` makes and sends in one go).
pub fn all() -> Vec<Job> {
    vec![
        Job {
            name: "assignments.retention",
            every: Duration::from_secs(6 * 3600),
            lease: Duration::from_secs(600),
            run: |conn, _| {
                let n = crate::assignments::retention::erase_expired(conn)?;
                Ok(format!("{n} erased"))
            },
        },
        Job {
            name: "notifications.reminders",
            every: Duration::from_secs(3600),
            lease: Duration::from_secs(1800),
            run: |conn, _| {
                let pass = crate::notifications::scenarios::Pass::at(now());
                let r = crate::notifications::reminders::run(conn, &pass)?;
                Ok(format!("{} reminders made {:?}", r.total(), r.made))
            },
        },
        Job {
            name: "notifications.digest",
            every: Duration::from_secs(3600),
            lease: Duration::from_secs(1800),
            run: |conn, _| {
                let pass = crate::notifications::scenarios::Pass::at(now());
                let n = crate::notifications::digest::run(conn, &pass)?;
                Ok(format!("{n} digests made"))
            },
        },
        Job {
            name: "notifications.outbox",
            every: Duration::ZERO,
            lease: Duration::from_secs(600),
            run: |conn, env| {
                let d = crate::notifications::outbox::deliver_due(
                    conn,
                    &env.mailer,
                    &env.base_url,
                    &env.instance,
                    now(),
                )?;
                Ok(format!(
                    "{} sent, {} to retry, {} failed",
                    d.sent, d.retried, d.failed
                ))
            },
        },
        Job {
            name: "engagement.badges",
            every: Duration::from_secs(15 * 60),
            lease: Duration::from_secs(600),
            run: |conn, _| {
                let n = crate::engagement::badges::service::award_due(conn)?;
                Ok(format!("{n} awarded"))
            },
        },
        Job {
            name: "reports.wrapped",
            every: Duration::from_secs(6 * 3600),
            lease: Duration::from_secs(1800),
            run: |conn, _| {
                let r = crate::reports::wrapped::compute::run(conn)?;
                Ok(format!(
                    "{} summaries written over {} organization-years",
                    r.written, r.years
                ))
            },
        },
        Job {
            // The server links entries as they commit (`audit::chain::spawn`); this catches up
            // after `run-jobs` and any entry that instance missed.
            name: "audit.chain",
            every: Duration::ZERO,
            lease: Duration::from_secs(600),
            run: |conn, _| {
                let n = crate::audit::chain::run(conn)?;
                Ok(format!("{n} linked"))
            },
        },
    ]
}

/// What happened to one job in a pass.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not due, or another instance holds it.
    Skipped,
    Ran(String),
    Failed(String),
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1))
}

/// Claims the job for `instance` if it is due (or `force`) and not held by another.
pub fn claim(conn: &mut DbConn, job: &Job, instance: &str, force: bool) -> QueryResult<bool> {
    match diesel::insert_into(jr::table)
        .values(jr::name.eq(job.name))
        .execute(conn)
    {
        Ok(_) | Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e),
    }
    let t = now();
    let lease_free = jr::locked_until.is_null().or(jr::locked_until.lt(t));
    let due = jr::last_started_at
        .is_null()
        .or(jr::last_started_at.le(t - chrono_of(job.every)));
    let target = jr::table.filter(jr::name.eq(job.name)).filter(lease_free);
    let set = (
        jr::locked_by.eq(instance),
        jr::locked_until.eq(t + chrono_of(job.lease)),
        jr::last_started_at.eq(t),
    );
    let n = if force {
        diesel::update(target).set(set).execute(conn)?
    } else {
        diesel::update(target.filter(due)).set(set).execute(conn)?
    };
    Ok(n == 1)
}

fn finish(
    conn: &mut DbConn,
    job: &Job,
    instance: &str,
    ok: bool,
    message: &str,
) -> QueryResult<()> {
    diesel::update(
        jr::table
            .filter(jr::name.eq(job.name))
            .filter(jr::locked_by.eq(instance)),
    )
    .set((
        jr::locked_by.eq(None::<String>),
        jr::locked_until.eq(None::<chrono::NaiveDateTime>),
        jr::last_finished_at.eq(now()),
        jr::last_ok.eq(ok),
        jr::last_message.eq(message.chars().take(500).collect::<String>()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Runs every job that is due (all of them with `force`), each once across instances.
pub fn run_due(
    conn: &mut DbConn,
    jobs: &[Job],
    env: &Env,
    force: bool,
) -> Vec<(&'static str, Outcome)> {
    let instance = env.instance.as_str();
    jobs.iter()
        .map(|job| {
            let outcome = match claim(conn, job, instance, force) {
                Ok(false) => Outcome::Skipped,
                Err(e) => Outcome::Failed(format!("claim: {e}")),
                Ok(true) => {
                    let (ok, message) = match (job.run)(conn, env) {
                        Ok(m) => (true, m),
                        Err(e) => (false, e.to_string()),
                    };
                    if let Err(e) = finish(conn, job, instance, ok, &message) {
                        log::warn!("job {}: could not record its end: {e}", job.name);
                    }
                    if ok {
                        Outcome::Ran(message)
                    } else {
                        Outcome::Failed(message)
                    }
                }
            };
            match &outcome {
                // The outbox and the chain run on every tick: only what they did is worth a line.
                Outcome::Ran(m)
                    if job.every.is_zero()
                        && (m.starts_with("0 sent, 0 to retry, 0") || m == "0 linked") => {}
                Outcome::Ran(m) => log::info!("job {}: {m}", job.name),
                Outcome::Failed(m) => log::warn!("job {} failed: {m}", job.name),
                Outcome::Skipped => {}
            }
            (job.name, outcome)
        })
        .collect()
}

/// A name for this process in the lease column.
pub fn instance_name() -> String {
    format!("{}-{}", std::process::id(), &crate::db::new_id()[..8])
}

/// Starts the in-server runner: a thread that looks for due jobs every `tick`, or sooner when
/// poked.
pub fn spawn(pool: Pool, tick: Duration, env: Env, nudge: Nudge) {
    std::thread::spawn(move || loop {
        if let Ok(mut conn) = pool.get() {
            run_due(&mut conn, &all(), &env, false);
        }
        nudge.wait(tick);
    });
}
