//! Both migration folders give the same tables and columns, and every migration runs up, down
//! and up again.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::Text;
use likeperson::db::{self, DbConn};

use crate::common::{postgres_admin_url, Fresh};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

/// table → [(column, portable type)] in a stable order.
fn columns(conn: &mut DbConn) -> BTreeMap<String, Vec<(String, String)>> {
    let rows: Vec<Column> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, upper(p.type) AS data_type \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
        )
        .load(c)
        .unwrap(),
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, upper(data_type::text) AS data_type \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
        )
        .load(c)
        .unwrap(),
    };
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for c in rows {
        let ty = match c.data_type.as_str() {
            "TIMESTAMP WITHOUT TIME ZONE" => "TIMESTAMP".to_string(),
            other => other.to_string(),
        };
        out.entry(c.table_name)
            .or_default()
            .push((c.column_name, ty));
    }
    for cols in out.values_mut() {
        cols.sort();
    }
    out
}

fn round_trip(url: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut conn = db::establish(url).unwrap();
    let applied = db::migrate(&mut conn).unwrap();
    assert!(applied >= 2);
    let first = columns(&mut conn);
    assert!(first.contains_key("local_associations") && first.contains_key("audit_log"));
    assert_eq!(
        db::revert_all(&mut conn).unwrap(),
        applied,
        "every migration has a down"
    );
    assert!(columns(&mut conn).is_empty(), "down removes every table");
    assert_eq!(db::migrate(&mut conn).unwrap(), applied);
    let again = columns(&mut conn);
    assert_eq!(first, again, "up, down, up gives the same schema");
    again
}

#[test]
fn sqlite_migrations_run_up_down_and_up_again() {
    let (url, _fresh) = Fresh::empty_sqlite();
    let schema = round_trip(&url);
    assert_eq!(
        schema["local_associations"]
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>(),
        [
            "address",
            "contact_email",
            "contact_phone",
            "created_at",
            "external_id",
            "id",
            "is_active",
            "metadata",
            "name",
            "name_key",
            "organization_id",
            "region_id",
            "short_code",
            "updated_at"
        ]
    );
}

#[test]
fn postgres_migrations_run_up_down_and_up_again_and_match_sqlite() {
    let Some((pg_url, _pg)) = Fresh::empty_postgres() else {
        assert!(
            std::env::var("REQUIRE_POSTGRES").is_err(),
            "REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
        );
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
        return;
    };
    let _ = postgres_admin_url();
    let pg = round_trip(&pg_url);
    let (lite_url, _lite) = Fresh::empty_sqlite();
    let lite = round_trip(&lite_url);
    let names = |s: &BTreeMap<String, Vec<(String, String)>>| -> BTreeMap<String, Vec<String>> {
        s.iter()
            .map(|(t, cols)| (t.clone(), cols.iter().map(|(c, _)| c.clone()).collect()))
            .collect()
    };
    assert_eq!(
        names(&pg),
        names(&lite),
        "both folders give the same tables and columns"
    );
    for (table, cols) in &pg {
        for ((col, pg_ty), (_, lite_ty)) in cols.iter().zip(&lite[table]) {
            assert_eq!(
                pg_ty, lite_ty,
                "{table}.{col} has the same type on both backends"
            );
        }
    }
}
