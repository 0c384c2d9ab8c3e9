//! The database: one connection type over SQLite and PostgreSQL, the pool, migrations and the
//! transaction helper. The backend is chosen by the URL scheme: `postgres://` or `postgresql://`
//! opens PostgreSQL, anything else is a SQLite file path.

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::expression::{
    is_aggregate, is_contained_in_group_by, AppearsOnTable, Expression, IsContainedInGroupBy,
    SelectableExpression, ValidGrouping,
};
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::r2d2::{self, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{Connection, QueryResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::marker::PhantomData;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries written with Diesel's DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The connection pool with a fair gate in front of it: request work is admitted in arrival
/// order, at most one job per connection, before it takes a thread of the blocking pool.
///
/// Without the gate every waiting request parked its own blocking thread on r2d2's condition
/// variable (hundreds at 200 connections), and a returned connection went to whichever thread
/// the scheduler happened to run first, often a newcomer, not the one that had waited longest:
/// some requests lost that race for seconds. `tokio::sync::Semaphore` hands out permits first
/// come, first served, and waiting for one costs no thread.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    gate: Arc<tokio::sync::Semaphore>,
    checkout_timeout: Duration,
    statements: Arc<AtomicU64>,
}

impl Deref for Pool {
    type Target = r2d2::Pool<Manager>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl Pool {
    /// How many SQL statements this pool's connections have started (Diesel's connection
    /// instrumentation counts each query, `BEGIN`/`COMMIT` and batch included). The tests read it
    /// before and after a request to bound the statements a page runs.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Runs blocking database work with a pooled connection on the blocking thread pool, once
    /// the gate admits it (in arrival order, while a connection is free).
    pub async fn run<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut DbConn) -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.gate.clone().acquire_owned().await?;
        let (pool, checkout_timeout) = (self.inner.clone(), self.checkout_timeout);
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(checkout_timeout)?;
            let out = f(&mut conn);
            drop(conn);
            drop(permit);
            Ok(out)
        })
        .await?
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Opens the right variant for the URL, so the real error of that backend is reported.
pub fn establish(url: &str) -> Result<DbConn, diesel::ConnectionError> {
    match Backend::of_url(url) {
        Backend::Postgres => {
            let mut conn = PgConnection::establish(url)?;
            // Every statement is prepared once per connection (Diesel's cache) and then run
            // with its generic plan, instead of PostgreSQL's default of planning each execution
            // afresh while it compares custom plans with the generic one (it kept doing that
            // for the list pages, which cost ~40 % of their database time; issue 10). The lists'
            // statements were checked to get good generic plans (ARCHITECTURE.md, "Fixed cost
            // per page"). `PGOPTIONS` with its own `plan_cache_mode` wins, for comparisons.
            let overridden =
                std::env::var("PGOPTIONS").is_ok_and(|o| o.contains("plan_cache_mode"));
            if !overridden {
                conn.batch_execute("SET plan_cache_mode = force_generic_plan")
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            }
            Ok(DbConn::Postgres(conn))
        }
        Backend::Sqlite => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let mut conn = SqliteConnection::establish(path)?;
            // Reads go through a memory map (no copy from the kernel's page cache per page) and
            // a 32 MiB page cache per connection: list pages stay in memory on large databases.
            conn.batch_execute(
                "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;",
            )
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            Ok(DbConn::Sqlite(conn))
        }
    }
}

/// r2d2 manager that builds the variant from the URL scheme (the derive's own `establish` tries
/// each variant in turn and hides the real error).
#[derive(Clone, Debug)]
pub struct Manager {
    url: String,
    statements: Arc<AtomicU64>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let mut conn = establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
        let statements = self.statements.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                statements.fetch_add(1, Ordering::Relaxed);
            }
        });
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub fn pool(url: &str, max_size: u32, checkout_timeout: Duration) -> anyhow::Result<Pool> {
    let backend = Backend::of_url(url);
    if backend == Backend::Sqlite {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
    }
    let statements = Arc::new(AtomicU64::new(0));
    let inner = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        // Broken connections are detected by `has_broken` after use; a ping per checkout would
        // add a round trip to every request.
        .test_on_check_out(false)
        .build(Manager {
            url: url.to_string(),
            statements: statements.clone(),
        })?;
    Ok(Pool {
        inner,
        gate: Arc::new(tokio::sync::Semaphore::new(max_size as usize)),
        checkout_timeout,
        statements,
    })
}

/// Runs every pending migration on one connection. On PostgreSQL an advisory lock keeps
/// instances that start together from racing.
pub fn migrate(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Postgres(pg) => {
            pg.batch_execute("SELECT pg_advisory_lock(727274)")?;
            let result = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len())
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
            pg.batch_execute("SELECT pg_advisory_unlock(727274)")?;
            result?
        }
        DbConn::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?,
    };
    Ok(applied)
}

/// Reverts every migration (used by the migration round-trip test and `migrate --reset`).
pub fn revert_all(conn: &mut DbConn) -> anyhow::Result<usize> {
    let reverted = match conn {
        DbConn::Postgres(pg) => pg.revert_all_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(lite) => lite.revert_all_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("revert failed: {e}"))?;
    Ok(reverted.len())
}

/// True when a write lost a race that a retry can win: SQLite's busy/locked errors, a
/// serialization failure, or a unique violation on a sequence-like column (the audit chain).
fn retryable(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.constraint_name() == Some("idx_audit_log_seq")
                || info.message().contains("audit_log.seq")
        }
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            // PostgreSQL broke a deadlock by aborting this transaction (SQLSTATE 40P01), which
            // Diesel reports without a kind of its own: the retry runs alone.
            m.contains("database is locked")
                || m.contains("database is busy")
                || m.contains("deadlock detected")
        }
        _ => false,
    }
}

/// An open transaction. Only `tx` can make one (the marker field is private), so a function that
/// takes `&mut Tx` can only be called inside a transaction: the audit log's `append` does, and
/// the compiler refuses a call on a bare connection. (`#[non_exhaustive]` would not do: it still
/// lets the rest of this crate build one.)
#[allow(clippy::manual_non_exhaustive)]
pub struct Tx<'a> {
    pub conn: &'a mut DbConn,
    _open: (),
}

/// Runs `f` in a transaction, retrying a few times when the write lost a race that a retry can
/// win. `f` must be safe to run again (it sees a fresh transaction each time).
pub fn tx<T, E, F>(conn: &mut DbConn, mut f: F) -> Result<T, E>
where
    F: FnMut(&mut Tx<'_>) -> Result<T, E>,
    E: From<DieselError> + AsDiesel,
{
    let mut attempt = 0;
    loop {
        match conn.transaction(|c| f(&mut Tx { conn: c, _open: () })) {
            Err(e) if attempt < 8 && e.as_diesel().is_some_and(retryable) => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(5 * attempt));
            }
            other => return other,
        }
    }
}

/// Lets `tx` see whether an error came from the database.
pub trait AsDiesel {
    fn as_diesel(&self) -> Option<&DieselError>;
}

impl AsDiesel for DieselError {
    fn as_diesel(&self) -> Option<&DieselError> {
        Some(self)
    }
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The current instant, UTC, truncated to microseconds so both backends store the same value.
pub fn now() -> chrono::NaiveDateTime {
    let n = chrono::Utc::now().naive_utc();
    chrono::SubsecRound::trunc_subsecs(n, 6)
}

/// Parses a path id as a UUID; anything else can never exist and answers 404 upstream.
pub fn parse_id(raw: &str) -> Option<String> {
    uuid::Uuid::parse_str(raw).ok().map(|u| u.to_string())
}

/// The backend type of `DbConn`, for boxed queries.
pub type DbConnBackend = MultiBackend;

/// One part of a `UnionAll`: its query and its constant `LIMIT` and `OFFSET`, if any.
type Part = (
    Box<dyn QueryFragment<MultiBackend> + Send>,
    Option<(u32, u32)>,
);

/// Several queries with the same row type as one statement, each keeping its own `ORDER BY` and
/// `LIMIT`: `SELECT * FROM (q0) AS u0 UNION ALL SELECT * FROM (q1) AS u1 ...` (valid on both
/// backends; the `MultiConnection` derive offers no `union_all`). Rows come part after part.
/// Prepared statements are cached by their SQL, as for boxed queries.
///
/// A part added with `push_limited` gets its `LIMIT` written into the SQL as a constant
/// (`SELECT * FROM (q0 LIMIT 51) AS u0 …`) instead of bound as Diesel does: PostgreSQL's generic
/// plan for `LIMIT $1` assumes a tenth of the table and picks a bad plan for a keyset range, so
/// it re-planned every execution; with the constant it settles on the index range. Pass only a
/// few fixed values (page sizes), each one is a statement of its own in the cache.
pub struct UnionAll<ST> {
    /// Each part with its constant `LIMIT` and `OFFSET`, if any.
    parts: Vec<Part>,
    /// The order and limit the parts are merged by in SQL, if they are (see `merged`).
    merge: Option<(&'static str, u32)>,
    _row: PhantomData<ST>,
}

impl<ST> Default for UnionAll<ST> {
    fn default() -> Self {
        UnionAll {
            parts: Vec::new(),
            merge: None,
            _row: PhantomData,
        }
    }
}

impl<ST> UnionAll<ST> {
    pub fn push<Q>(&mut self, part: Q)
    where
        Q: Query<SqlType = ST> + QueryFragment<MultiBackend> + Send + 'static,
    {
        self.parts.push((Box::new(part), None));
    }
    /// Adds a part (with its `ORDER BY`, without a `LIMIT`) that keeps its first `limit` rows,
    /// the limit written into the SQL as a constant (see the type's documentation).
    pub fn push_limited<Q>(&mut self, part: Q, limit: u32)
    where
        Q: Query<SqlType = ST> + QueryFragment<MultiBackend> + Send + 'static,
    {
        self.parts.push((Box::new(part), Some((limit, 0))));
    }
    /// Adds a part that keeps `limit` rows after skipping `offset`, both written into the SQL
    /// as constants (e.g. the key a bounded read stops at: `LIMIT 1 OFFSET 1999`).
    pub fn push_window<Q>(&mut self, part: Q, limit: u32, offset: u32)
    where
        Q: Query<SqlType = ST> + QueryFragment<MultiBackend> + Send + 'static,
    {
        self.parts.push((Box::new(part), Some((limit, offset))));
    }
    /// One part keeping its first `limit` rows (see `push_limited`).
    pub fn limited<Q>(part: Q, limit: u32) -> Self
    where
        Q: Query<SqlType = ST> + QueryFragment<MultiBackend> + Send + 'static,
    {
        let mut union = Self::default();
        union.push_limited(part, limit);
        union
    }
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
    /// The parts' rows merged in SQL, by `order` (the column names of the parts' select: a
    /// constant such as `"occurred_on DESC, id DESC"`), the first `limit` kept:
    /// `SELECT * FROM (q0) AS u0 UNION ALL … ORDER BY <order> LIMIT <limit>`. Where each part is
    /// an index range in that order, the database reads the ranges side by side and stops at
    /// the limit, so a page of several ranges costs about what one range does (a coordinator's
    /// three association ranges: 51 rows read and sent instead of up to 153).
    ///
    /// PostgreSQL does it with a Merge Append over the parts as they are (each with its own
    /// `ORDER BY` and constant `LIMIT`, `push_limited`: without them its plan for constants
    /// sorted whole associations). SQLite merges index ranges lazily only when the parts have
    /// no order or limit of their own (`push`; with them it sorts each part first), so callers
    /// ask `merges_index_ranges` which to push.
    pub fn merged(mut self, order: &'static str, limit: u32) -> Self {
        self.merge = Some((order, limit));
        self
    }
}

impl<ST: 'static> Query for UnionAll<ST> {
    type SqlType = ST;
}

impl<ST> QueryId for UnionAll<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> QueryFragment<MultiBackend> for UnionAll<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        for (i, (part, limit)) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql("SELECT * FROM (");
            part.walk_ast(out.reborrow())?;
            match limit {
                Some((n, 0)) => out.push_sql(&format!(" LIMIT {n}")),
                Some((n, skip)) => out.push_sql(&format!(" LIMIT {n} OFFSET {skip}")),
                None => {}
            }
            out.push_sql(&format!(") AS u{i}"));
        }
        if let Some((order, limit)) = self.merge {
            out.push_sql(&format!(" ORDER BY {order} LIMIT {limit}"));
        }
        Ok(())
    }
}

impl<ST, Conn> diesel::RunQueryDsl<Conn> for UnionAll<ST> {}

/// Whether the parts of a merged `UnionAll` go without their own order and limit on this
/// connection (SQLite; see `UnionAll::merged`).
pub fn merges_index_ranges(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

/// The SQL types a part of `Counts` may have: a `COUNT` or a `SUM` of integers.
pub trait CountType {}
impl CountType for diesel::sql_types::BigInt {}
impl CountType for diesel::sql_types::Nullable<diesel::sql_types::BigInt> {}

/// Many single-row aggregates (`COUNT`, `COUNT(DISTINCT …)`, `SUM` of integers) over different
/// tables as one statement: `SELECT 0, * FROM (q0) AS u0 UNION ALL SELECT 1, * FROM (q1) AS u1
/// …`, the part's number written as a constant (so the statement stays cacheable) and read back
/// with each row, whatever order the database returns them in. A start page's figures are one
/// round trip instead of one each.
#[derive(Default)]
pub struct Counts {
    parts: Vec<Box<dyn QueryFragment<MultiBackend> + Send>>,
}

/// The values of a `Counts`, by the index `Counts::push` gave; a `SUM` of no rows is 0.
#[derive(Clone, Debug, Default)]
pub struct Counted(Vec<i64>);

impl Counted {
    pub fn get(&self, i: usize) -> i64 {
        self.0.get(i).copied().unwrap_or(0)
    }
}

impl Counts {
    /// Adds an aggregate query (exactly one row, one column); returns its index in `Counted`.
    pub fn push<Q>(&mut self, part: Q) -> usize
    where
        Q: Query + QueryFragment<MultiBackend> + Send + 'static,
        Q::SqlType: CountType,
    {
        self.parts.push(Box::new(part));
        self.parts.len() - 1
    }

    /// Runs every part in one statement (none when there are no parts).
    pub fn run(self, conn: &mut DbConn) -> QueryResult<Counted> {
        use diesel::RunQueryDsl;
        let mut out = vec![0; self.parts.len()];
        if self.parts.is_empty() {
            return Ok(Counted(out));
        }
        for (i, v) in self.load::<(i32, Option<i64>)>(conn)? {
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
                *slot = v.unwrap_or(0);
            }
        }
        Ok(Counted(out))
    }
}

impl Query for Counts {
    type SqlType = (
        diesel::sql_types::Integer,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
    );
}

impl QueryId for Counts {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Counts {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql(&format!("SELECT {i}, u{i}.* FROM ("));
            part.walk_ast(out.reborrow())?;
            out.push_sql(&format!(") AS u{i}"));
        }
        Ok(())
    }
}

impl<Conn> diesel::RunQueryDsl<Conn> for Counts {}

/// The hour an instant falls in, as an instant (`2026-12-08 14:00:00`), on either backend:
/// `date_trunc` on PostgreSQL, `strftime` on SQLite (whose instants are text). To group rows by
/// hour: Diesel takes it as grouped, like a literal, so put the same expression in `GROUP BY`.
#[derive(Debug, Clone, Copy, QueryId)]
pub struct HourOf<E>(pub E);

impl<E: Expression> Expression for HourOf<E> {
    type SqlType = E::SqlType;
}

impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for HourOf<E> where Self: Expression {}

impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for HourOf<E> where
    Self: AppearsOnTable<QS>
{
}

impl<E, GB> ValidGrouping<GB> for HourOf<E> {
    type IsAggregate = is_aggregate::Never;
}

impl<E, Col> IsContainedInGroupBy<Col> for HourOf<E> {
    type Output = is_contained_in_group_by::No;
}

/// How a backend writes `HourOf`: the function call's opening, before the instant.
pub trait HourSql: diesel::backend::Backend {
    const HOUR_OF: &'static str;
}

impl HourSql for Pg {
    const HOUR_OF: &'static str = "date_trunc('hour', ";
}

impl HourSql for Sqlite {
    const HOUR_OF: &'static str = "strftime('%Y-%m-%d %H:00:00', ";
}

impl<E: QueryFragment<DB>, DB: HourSql> QueryFragment<DB> for HourOf<E> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(DB::HOUR_OF);
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<E> QueryFragment<MultiBackend> for HourOf<E>
where
    E: QueryFragment<Pg> + QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, pass)
    }
}

impl AsDiesel for anyhow::Error {
    fn as_diesel(&self) -> Option<&DieselError> {
        self.downcast_ref::<DieselError>()
    }
}
