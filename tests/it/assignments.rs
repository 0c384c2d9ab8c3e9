//! Encrypted assignment dispatch (issue 12): nothing readable at rest, who may read the
//! details (and the audit entries when someone may not), the status machine, key rotation,
//! tampering, retention, and no detail in any log line.

use std::sync::{Mutex, OnceLock};

use actix_web::test::TestRequest;
use diesel::prelude::*;
use likeperson::access::Role;
use likeperson::assignments::keys;
use likeperson::schema::{
    assignment_settings as st, assignment_status_log as slog, assignments as asg, audit_log,
    encryption_keys as ek, local_associations as la, organizations as o, peer_mentors as pm,
    user_organization_roles as uor, users,
};

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    dispatched_details_are_not_in_the_database_files_or_a_dump,
    only_the_mentor_and_the_associations_coordinators_read_the_details,
    every_forbidden_transition_is_refused_and_a_race_gives_one,
    rotation_keeps_every_record_readable_while_the_app_runs,
    a_wrong_or_missing_master_key_stops_start_up,
    tampered_or_swapped_ciphertext_is_detected,
    retention_erases_what_it_should_and_nothing_else,
    the_log_holds_nothing_sensitive_while_dispatching_and_reading,
    dispatch_shows_ineligible_mentors_with_reasons_and_refuses_bad_input,
    the_board_filters_and_counts_and_the_mentor_list_delivers,
    completed_assignments_are_counted_per_mentor_and_year,
    settings_turn_assignments_on_and_the_contact_page_links_here,
    a_declined_assignment_goes_to_another_mentor_and_the_maximum_holds_in_a_race,
    erasing_a_contact_erases_the_details_of_its_assignments,
);

const COORD: &str = "coordinator@blindeforbundet.example";
const MENTOR: &str = "mentor@blindeforbundet.example";
const ADMIN: &str = "admin@blindeforbundet.example";

/// Strings that appear nowhere in the demo data, so finding one anywhere is a leak.
const NAME: &str = "Zyxqwerty Plonkington";
const STREET: &str = "Quuxveien 4711";
const PHONE: &str = "+47 93 17 42 05";
const NOTES: &str = "Glaukomfrobnitz diagnose";

fn org(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// The demo mentor's association (the first of the coordinator's three).
fn home_association(app: &TestApp) -> String {
    uor::table
        .filter(uor::user_id.eq(app.user_id(MENTOR)))
        .filter(uor::role_id.eq("peer_mentor"))
        .select(uor::local_association_id.assume_not_null())
        .first(&mut *app.conn())
        .unwrap()
}

/// A user with the demo password and one grant.
fn add_user(
    app: &TestApp,
    email: &str,
    role: Role,
    org: &str,
    association: Option<&str>,
) -> String {
    let hash: Option<String> = users::table
        .filter(users::email.eq(MENTOR))
        .select(users::password_hash)
        .first(&mut *app.conn())
        .unwrap();
    let u = likeperson::users::model::User::new(email, "Test Person", hash);
    let conn = &mut *app.conn();
    diesel::insert_into(users::table)
        .values(&u)
        .execute(conn)
        .unwrap();
    diesel::insert_into(likeperson::schema::settings::table)
        .values(likeperson::access::Setting::defaults(&u.id))
        .execute(conn)
        .unwrap();
    diesel::insert_into(uor::table)
        .values(likeperson::users::model::RoleGrant::new(
            &u.id,
            Some(org),
            role,
            association,
            None,
        ))
        .execute(conn)
        .unwrap();
    u.id
}

async fn dispatch_as_coordinator(app: &mut TestApp, name: &str) -> String {
    // Room for as many as a test dispatches (the demo mentor has four open).
    diesel::update(st::table.find(org(app, "Blindeforbundet")))
        .set(st::max_open_per_mentor.eq(50))
        .execute(&mut *app.conn())
        .unwrap();
    app.login(COORD).await;
    let mentor = app.user_id(MENTOR);
    let assoc = home_association(app);
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
    let res = app
        .post(
            "/assignments",
            &[
                ("association_id", &assoc),
                ("mentor_id", &mentor),
                ("name", name),
                ("address", STREET),
                ("phone", PHONE),
                ("sensitive_notes", NOTES),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "dispatched: {}", res.body);
    let id = res
        .location()
        .trim_start_matches("/assignments/")
        .to_string();
    assert!(!res.location().contains(name) && !res.location().contains("Quux"));
    app.logout().await;
    id
}

/// Confirms the password and opens the details.
async fn read_details(app: &mut TestApp, id: &str) -> crate::common::Resp {
    let first = app.get(&format!("/assignments/{id}/details")).await;
    if first.status != 200 || !first.has("name=\"password\"") {
        return first;
    }
    assert!(!first.has(NAME), "no details before the confirmation");
    let res = app
        .post(
            &format!("/assignments/{id}/confirm"),
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 303, "confirmed: {}", res.body);
    app.get(&format!("/assignments/{id}/details")).await
}

fn status_of(app: &TestApp, id: &str) -> String {
    asg::table
        .find(id)
        .select(asg::status)
        .first(&mut *app.conn())
        .unwrap()
}

fn denied(app: &TestApp) -> i64 {
    app.audit_count("assignment.access_denied")
}

async fn dispatched_details_are_not_in_the_database_files_or_a_dump(mut app: TestApp) {
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    // The mentor can read them: they are stored, only not in the clear.
    app.login(MENTOR).await;
    let res = read_details(&mut app, &id).await;
    assert_eq!(res.status, 200);
    assert!(res.has(NAME) && res.has(STREET) && res.has(NOTES));
    let needles = [
        NAME,
        STREET,
        "Quuxveien",
        "Plonkington",
        NOTES,
        "93 17 42 05",
    ];
    match app.state.config.backend() {
        likeperson::db::Backend::Sqlite => {
            let path = &app.state.config.database_url;
            let mut seen = 0;
            for suffix in ["", "-wal"] {
                if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
                    seen += bytes.len();
                    let text = String::from_utf8_lossy(&bytes);
                    for n in needles {
                        assert!(!text.contains(n), "{n} found in the SQLite file{suffix}");
                    }
                    // The ciphertext is there (so the files were the right ones).
                    assert!(!bytes.is_empty());
                }
            }
            assert!(seen > 0, "the database files were read");
        }
        likeperson::db::Backend::Postgres => {
            let out = std::process::Command::new("pg_dump")
                .arg(&app.state.config.database_url)
                .output()
                .expect("pg_dump runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let dump = String::from_utf8_lossy(&out.stdout);
            assert!(
                dump.contains("assignment_status_log"),
                "a dump of this database"
            );
            for n in needles {
                assert!(!dump.contains(n), "{n} found in pg_dump");
            }
        }
    }
}

async fn only_the_mentor_and_the_associations_coordinators_read_the_details(mut app: TestApp) {
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    let blind = org(&app, "Blindeforbundet");
    let before_reads = app.audit_count("assignment.details_read");

    // The assigned mentor: confirmation, then the details, never cached.
    app.login(MENTOR).await;
    let res = read_details(&mut app, &id).await;
    assert_eq!(res.status, 200);
    assert!(res.has(NAME));
    assert!(res.header("cache-control").contains("no-store"));
    assert_eq!(app.audit_count("assignment.details_read"), before_reads + 1);
    assert_eq!(status_of(&app, &id), "read");
    // Within ten minutes no second confirmation; every read is logged again.
    let again = app.get(&format!("/assignments/{id}/details")).await;
    assert!(again.has(NAME));
    assert_eq!(app.audit_count("assignment.details_read"), before_reads + 2);
    app.logout().await;

    // A wrong password opens nothing.
    app.login(COORD).await;
    let wrong = app
        .post(
            &format!("/assignments/{id}/confirm"),
            &[("password", "not-the-password")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(!wrong.has(NAME));
    // The dispatching association's coordinator reads them.
    let res = read_details(&mut app, &id).await;
    assert_eq!(res.status, 200);
    assert!(res.has(NAME));
    // The same person as a peer mentor (a second mentor, not assigned): 404 and an audit row.
    app.post("/context", &[("context", &format!("{blind}:peer_mentor"))])
        .await;
    let d = denied(&app);
    assert_eq!(app.get(&format!("/assignments/{id}")).await.status, 404);
    let res = app.get(&format!("/assignments/{id}/details")).await;
    assert_eq!(res.status, 404);
    assert!(!res.has(NAME));
    assert_eq!(denied(&app), d + 2);
    app.logout().await;

    // A coordinator of another association of the same organization.
    let other_assoc: String = la::table
        .filter(la::organization_id.eq(&blind))
        .filter(la::id.ne(home_association(&app)))
        .order(la::name_key.desc())
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap();
    add_user(
        &app,
        "other-coord@blindeforbundet.example",
        Role::Coordinator,
        &blind,
        Some(&other_assoc),
    );
    app.login("other-coord@blindeforbundet.example").await;
    let d = denied(&app);
    assert_eq!(
        app.get(&format!("/assignments/{id}/details")).await.status,
        404
    );
    assert_eq!(app.get(&format!("/assignments/{id}")).await.status, 404);
    assert_eq!(denied(&app), d + 2);
    app.logout().await;

    // The organization's administrator sees the trail, never the details.
    app.login(ADMIN).await;
    assert_eq!(app.get(&format!("/assignments/{id}")).await.status, 200);
    let d = denied(&app);
    let res = read_details(&mut app, &id).await;
    assert_eq!(res.status, 404);
    assert!(!res.has(NAME));
    assert_eq!(denied(&app), d + 1);
    app.logout().await;

    // Any user of another organization.
    for who in [
        "coordinator@nhf.example",
        "admin@nhf.example",
        "mentor@nhf.example",
    ] {
        app.login(who).await;
        let d = denied(&app);
        let res = app.get(&format!("/assignments/{id}/details")).await;
        assert_eq!(res.status, 404, "{who}");
        assert_eq!(denied(&app), d + 1, "{who} is audit-logged");
        app.logout().await;
    }
    // The denial names the assignment, in its organization.
    let rows: i64 = audit_log::table
        .filter(audit_log::action.eq("assignment.access_denied"))
        .filter(audit_log::target_id.eq(&id))
        .filter(audit_log::organization_id.eq(&blind))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert!(rows >= 8);
}

async fn every_forbidden_transition_is_refused_and_a_race_gives_one(mut app: TestApp) {
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    let set = |app: &TestApp, s: &str| {
        diesel::update(asg::table.find(&id))
            .set(asg::status.eq(s))
            .execute(&mut *app.conn())
            .unwrap();
    };
    // (who, action, states it may start from, where it leads)
    let rules: [(&str, &str, &[&str], &str); 4] = [
        (MENTOR, "acknowledge", &["read"], "acknowledged"),
        (MENTOR, "complete", &["acknowledged"], "completed"),
        (
            MENTOR,
            "decline",
            &["dispatched", "delivered", "read"],
            "declined",
        ),
        (
            COORD,
            "cancel",
            &[
                "dispatched",
                "delivered",
                "read",
                "acknowledged",
                "declined",
            ],
            "cancelled",
        ),
    ];
    let states = [
        "dispatched",
        "delivered",
        "read",
        "acknowledged",
        "completed",
        "declined",
        "cancelled",
    ];
    let mut refused = 0;
    for who in [MENTOR, COORD] {
        app.login(who).await;
        for (owner, action, from, to) in rules {
            for s in states {
                set(&app, s);
                let res = app
                    .post(
                        &format!("/assignments/{id}/status"),
                        &[("action", action), ("reason", "Ikke mulig denne uka")],
                    )
                    .await;
                if who == owner && from.contains(&s) {
                    assert_eq!(res.status, 303, "{who} {action} from {s}");
                    assert_eq!(status_of(&app, &id), to);
                } else {
                    assert_eq!(res.status, 409, "{who} {action} from {s} is refused");
                    assert!(res.has("kan ikke gjøres"), "with a message");
                    let now = status_of(&app, &id);
                    // Showing the page to the mentor is what "delivered" means.
                    let expected = if who == MENTOR && s == "dispatched" {
                        "delivered"
                    } else {
                        s
                    };
                    assert_eq!(now, expected, "{who} {action} from {s} changed nothing");
                    refused += 1;
                }
            }
        }
        // Something that is no action at all.
        set(&app, "read");
        let res = app
            .post(
                &format!("/assignments/{id}/status"),
                &[("action", "delete")],
            )
            .await;
        assert_eq!(res.status, 409);
        app.logout().await;
    }
    assert_eq!(refused, 2 * 4 * 7 - 10);
    // A reason is required to decline.
    app.login(MENTOR).await;
    set(&app, "read");
    let res = app
        .post(
            &format!("/assignments/{id}/status"),
            &[("action", "decline"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(status_of(&app, &id), "read");
    // Two acknowledgements at once: one wins, the other is refused; one trail row.
    let token = app.token().await;
    let reqs = (0..2)
        .map(|_| {
            TestRequest::post()
                .uri(&format!("/assignments/{id}/status"))
                .set_form([("action", "acknowledge"), ("csrf_token", token.as_str())])
        })
        .collect();
    let mut statuses = app.send_all(reqs).await;
    statuses.sort();
    assert_eq!(statuses, vec![303, 409]);
    let acks: i64 = slog::table
        .filter(slog::assignment_id.eq(&id))
        .filter(slog::status.eq("acknowledged"))
        .filter(slog::from_status.eq("read"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    // Earlier in this test the mentor acknowledged once from "read" too.
    assert_eq!(acks, 2);
    // The trail is visible to both sides, with who.
    let page = app.get(&format!("/assignments/{id}")).await;
    assert!(page.has("Akseptert") && page.has("Mona Mentor"));
    app.logout().await;
    app.login(COORD).await;
    let page = app.get(&format!("/assignments/{id}")).await;
    assert!(page.has("Akseptert") && page.has("Ikke mulig denne uka"));
    // The trail cannot be changed or removed.
    let upd = diesel::update(slog::table.filter(slog::assignment_id.eq(&id)))
        .set(slog::reason.eq("rewritten"))
        .execute(&mut *app.conn());
    assert!(upd.is_err(), "the trail refuses UPDATE");
    let del =
        diesel::delete(slog::table.filter(slog::assignment_id.eq(&id))).execute(&mut *app.conn());
    assert!(del.is_err(), "the trail refuses DELETE");
}

/// A key file holding the test key, and the app serving from it instead of `MASTER_KEY`.
async fn with_key_file(app: TestApp) -> TestApp {
    // Outside the app's data folder, which goes when the first app does.
    let path = std::env::temp_dir()
        .join(format!("likeperson-keys-{}", uuid::Uuid::new_v4()))
        .join("master.key");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("{}\n", crate::common::TEST_MASTER_KEY)).unwrap();
    app.reconfigured(move |c| {
        c.master_key = None;
        c.master_key_file = path;
    })
    .await
}

async fn rotation_keeps_every_record_readable_while_the_app_runs(app: TestApp) {
    let mut app = with_key_file(app).await;
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    let sealed: Vec<String> = asg::table
        .filter(asg::details.is_not_null())
        .select(asg::id)
        .load(&mut *app.conn())
        .unwrap();
    assert!(sealed.len() >= 7, "the demo assignments and the new one");
    let r = keys::rotate(&app.state.config, &mut app.conn()).unwrap();
    assert_eq!(r.version, 2);
    assert_eq!(r.rewrapped, sealed.len());
    assert_eq!(r.retired, vec![1]);
    let versions: Vec<Option<i32>> = asg::table
        .filter(asg::details.is_not_null())
        .select(asg::key_version)
        .load(&mut *app.conn())
        .unwrap();
    assert!(versions.iter().all(|v| *v == Some(2)));
    // The key file keeps version 1 beside version 2, and stays private.
    let text = std::fs::read_to_string(&app.state.config.master_key_file).unwrap();
    assert!(text.contains("\n1:") || text.starts_with("1:"));
    assert!(text.contains("\n2:"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&app.state.config.master_key_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The running app (which loaded version 1 only) reads every record.
    app.login(MENTOR).await;
    let res = read_details(&mut app, &id).await;
    assert_eq!(res.status, 200);
    assert!(res.has(NAME));
    let demo: Vec<String> = asg::table
        .filter(asg::details.is_not_null())
        .filter(asg::mentor_id.eq(app.user_id(MENTOR)))
        .select(asg::id)
        .load(&mut *app.conn())
        .unwrap();
    for d in demo {
        let res = app.get(&format!("/assignments/{d}/details")).await;
        assert_eq!(res.status, 200, "{d} readable after rotation");
    }
    // New records are sealed under the new version.
    app.logout().await;
    let fresh = dispatch_as_coordinator(&mut app, "Ny Person").await;
    let v: Option<i32> = asg::table
        .find(&fresh)
        .select(asg::key_version)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(v, Some(2));
    // A start with only the old key is refused: version 2 is in use.
    let mut old_only = app.state.config.clone();
    old_only.master_key = Some(crate::common::test_master_key());
    let err = keys::open(&old_only, &mut app.conn())
        .unwrap_err()
        .to_string();
    assert!(err.contains("version 2 is missing"), "{err}");
    if let Some(dir) = app.state.config.master_key_file.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

async fn a_wrong_or_missing_master_key_stops_start_up(app: TestApp) {
    let mut c = app.state.config.clone();
    // Another key claiming to be version 1.
    use base64::Engine;
    let other = base64::engine::general_purpose::STANDARD.encode([0xA5u8; 32]);
    c.master_key = Some(keys::SecretText::new(format!("1:{other}")));
    let err = keys::open(&c, &mut app.conn()).unwrap_err().to_string();
    assert!(err.contains("is wrong"), "{err}");
    // Not base64 of 32 bytes.
    c.master_key = Some(keys::SecretText::new("1:c2hvcnQ=".into()));
    let err = keys::open(&c, &mut app.conn()).unwrap_err().to_string();
    assert!(err.contains("32 bytes"), "{err}");
    assert!(!err.contains("c2hvcnQ"), "the message never quotes a key");
    // No MASTER_KEY and no key file, on a database that holds sealed records: no new key
    // file is made beside data it could not read.
    c.master_key = None;
    c.master_key_file = app.data_dir.join("absent").join("master.key");
    let err = keys::open(&c, &mut app.conn()).unwrap_err().to_string();
    assert!(err.contains("is missing"), "{err}");
    assert!(!c.master_key_file.exists());
    // An empty database gets a key file, 0600, at its first start.
    let stored: i64 = ek::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(stored, 1);
}

async fn tampered_or_swapped_ciphertext_is_detected(mut app: TestApp) {
    let a = dispatch_as_coordinator(&mut app, NAME).await;
    let b = dispatch_as_coordinator(&mut app, "Annen Person Swapsen").await;
    let row = |app: &TestApp, id: &str| -> (Option<String>, Option<String>) {
        asg::table
            .find(id)
            .select((asg::wrapped_key, asg::details))
            .first(&mut *app.conn())
            .unwrap()
    };
    let (ka, da) = row(&app, &a);
    let (kb, db) = row(&app, &b);
    // Row swap: b's key and ciphertext stored in a's row.
    diesel::update(asg::table.find(&a))
        .set((asg::wrapped_key.eq(&kb), asg::details.eq(&db)))
        .execute(&mut *app.conn())
        .unwrap();
    app.login(MENTOR).await;
    let res = read_details(&mut app, &a).await;
    assert_eq!(res.status, 500, "a swapped row does not open");
    assert!(!res.has("Swapsen") && !res.has(NAME));
    // Tampered: one character of the ciphertext changed.
    let mut tampered = da.clone().unwrap();
    let mid = tampered.len() / 2;
    let flip = if &tampered[mid..mid + 1] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(mid..mid + 1, flip);
    diesel::update(asg::table.find(&a))
        .set((asg::wrapped_key.eq(&ka), asg::details.eq(Some(tampered))))
        .execute(&mut *app.conn())
        .unwrap();
    let res = app.get(&format!("/assignments/{a}/details")).await;
    assert_eq!(res.status, 500, "a tampered ciphertext does not open");
    assert!(!res.has(NAME));
    // Restored, it opens again; b was never touched.
    diesel::update(asg::table.find(&a))
        .set(asg::details.eq(&da))
        .execute(&mut *app.conn())
        .unwrap();
    assert!(app
        .get(&format!("/assignments/{a}/details"))
        .await
        .has(NAME));
    assert!(app
        .get(&format!("/assignments/{b}/details"))
        .await
        .has("Swapsen"));
}

async fn retention_erases_what_it_should_and_nothing_else(mut app: TestApp) {
    use likeperson::jobs;
    let ids = [
        dispatch_as_coordinator(&mut app, "Gammel Fullfort").await,
        dispatch_as_coordinator(&mut app, "Gammel Avlyst").await,
        dispatch_as_coordinator(&mut app, "Ny Fullfort").await,
        dispatch_as_coordinator(&mut app, "Gammel Aapen").await,
    ];
    let t = likeperson::db::now();
    let days = |n: i64| t - chrono::Duration::days(n);
    let close = |app: &TestApp, id: &str, status: &str, closed: Option<chrono::NaiveDateTime>| {
        diesel::update(asg::table.find(id))
            .set((
                asg::status.eq(status),
                asg::closed_at.eq(closed),
                asg::dispatched_at.eq(days(300)),
            ))
            .execute(&mut *app.conn())
            .unwrap();
    };
    close(&app, &ids[0], "completed", Some(days(100)));
    close(&app, &ids[1], "cancelled", Some(days(91)));
    close(&app, &ids[2], "completed", Some(days(89)));
    close(&app, &ids[3], "acknowledged", None);
    let sealed_before: Vec<String> = asg::table
        .filter(asg::details.is_not_null())
        .select(asg::id)
        .order(asg::id.asc())
        .load(&mut *app.conn())
        .unwrap();
    let trail_before: i64 = slog::table.count().get_result(&mut *app.conn()).unwrap();
    let rows_before: i64 = asg::table.count().get_result(&mut *app.conn()).unwrap();

    let mut conn = app.conn();
    let mut env = app.jobs_env();
    env.instance = "test-a".into();
    let out = jobs::run_due(&mut conn, &jobs::all(), &env, false);
    assert!(matches!(out[0].1, jobs::Outcome::Ran(_)), "{out:?}");
    // Due once per interval, across instances.
    env.instance = "test-b".into();
    let again = jobs::run_due(&mut conn, &jobs::all(), &env, false);
    assert_eq!(again[0].1, jobs::Outcome::Skipped);
    drop(conn);

    let sealed_after: Vec<String> = asg::table
        .filter(asg::details.is_not_null())
        .select(asg::id)
        .order(asg::id.asc())
        .load(&mut *app.conn())
        .unwrap();
    let erased: Vec<&String> = sealed_before
        .iter()
        .filter(|i| !sealed_after.contains(i))
        .collect();
    assert_eq!(erased.len(), 2, "exactly the two closed over 90 days ago");
    assert!(erased.contains(&&ids[0]) && erased.contains(&&ids[1]));
    for id in &ids[..2] {
        let (k, w, at): (Option<i32>, Option<String>, Option<chrono::NaiveDateTime>) = asg::table
            .find(id)
            .select((asg::key_version, asg::wrapped_key, asg::details_erased_at))
            .first(&mut *app.conn())
            .unwrap();
        assert!(k.is_none() && w.is_none() && at.is_some());
    }
    // The rows and the trail stay.
    assert_eq!(
        asg::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        rows_before
    );
    assert_eq!(
        slog::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        trail_before
    );
    assert_eq!(app.audit_count("assignment.details_erased"), 1);
    // The page says so, with the trail; the others still open.
    app.login(COORD).await;
    let page = app.get(&format!("/assignments/{}", ids[0])).await;
    assert!(page.has("slettet etter oppbevaringstiden"));
    let res = read_details(&mut app, &ids[0]).await;
    assert_eq!(res.status, 200);
    assert!(!res.has("Gammel Fullfort"));
    assert!(read_details(&mut app, &ids[2]).await.has("Ny Fullfort"));
    assert!(read_details(&mut app, &ids[3]).await.has("Gammel Aapen"));
    // A claim holds against another instance until it ends.
    let job = &jobs::all()[0];
    let mut conn = app.conn();
    assert!(jobs::claim(&mut conn, job, "x", true).unwrap());
    assert!(!jobs::claim(&mut conn, job, "y", true).unwrap());
}

/// Captures every log record of the test process (all levels).
struct Capture;
static LINES: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

impl ::log::Log for Capture {
    fn enabled(&self, _: &::log::Metadata) -> bool {
        true
    }
    fn log(&self, r: &::log::Record) {
        if let Some(lines) = LINES.get() {
            if let Ok(mut l) = lines.lock() {
                l.push(format!("{} {} {}", r.level(), r.target(), r.args()));
            }
        }
    }
    fn flush(&self) {}
}

fn capture() -> &'static Mutex<Vec<String>> {
    let lines = LINES.get_or_init(|| Mutex::new(Vec::new()));
    if ::log::set_boxed_logger(Box::new(Capture)).is_ok() {
        ::log::set_max_level(::log::LevelFilter::Trace);
    }
    lines
}

async fn the_log_holds_nothing_sensitive_while_dispatching_and_reading(mut app: TestApp) {
    let lines = capture();
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    // A refused dispatch (the form comes back) and a tampered read log nothing personal either.
    app.login(COORD).await;
    let res = app
        .post(
            "/assignments",
            &[
                ("name", NAME),
                ("address", STREET),
                ("sensitive_notes", NOTES),
                ("due_on", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has(NAME), "the values are kept");
    let res = read_details(&mut app, &id).await;
    assert!(res.has(NAME));
    app.logout().await;
    app.login(MENTOR).await;
    assert!(read_details(&mut app, &id).await.has(NAME));
    app.post(
        &format!("/assignments/{id}/status"),
        &[("action", "acknowledge")],
    )
    .await;
    diesel::update(asg::table.find(&id))
        .set(asg::details.eq(Some("AAAA".repeat(20))))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get(&format!("/assignments/{id}/details")).await.status,
        500
    );
    let lines = lines.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains(&id)),
        "the capture saw this test's requests"
    );
    for l in lines.iter() {
        for n in [
            NAME,
            STREET,
            "Plonkington",
            "Quuxveien",
            NOTES,
            "93 17 42 05",
            PASSWORD,
        ] {
            assert!(!l.contains(n), "a log line holds {n}: {l}");
        }
    }
}

async fn dispatch_shows_ineligible_mentors_with_reasons_and_refuses_bad_input(mut app: TestApp) {
    let mentor = app.user_id(MENTOR);
    let blind = org(&app, "Blindeforbundet");
    let assoc = home_association(&app);
    app.login(COORD).await;
    let form = app.get("/assignments/new").await;
    assert_eq!(form.status, 200);
    assert!(form.has("Mona Mentor"));
    // Paused: shown with the reason, refused.
    diesel::update(
        pm::table
            .filter(pm::user_id.eq(&mentor))
            .filter(pm::organization_id.eq(&blind)),
    )
    .set(pm::status.eq("paused"))
    .execute(&mut *app.conn())
    .unwrap();
    let form = app.get("/assignments/new").await;
    assert!(form.has("Ikke aktiv som likeperson"), "{}", form.body);
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    let res = app
        .post(
            "/assignments",
            &[
                ("association_id", &assoc),
                ("mentor_id", &mentor),
                ("name", NAME),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("kan ikke ta imot oppdrag nå"));
    assert!(res.has(NAME), "the values are kept");
    diesel::update(
        pm::table
            .filter(pm::user_id.eq(&mentor))
            .filter(pm::organization_id.eq(&blind)),
    )
    .set(pm::status.eq("active"))
    .execute(&mut *app.conn())
    .unwrap();
    // At the maximum of open assignments (the demo mentor has four open).
    diesel::update(st::table.find(&blind))
        .set(st::max_open_per_mentor.eq(4))
        .execute(&mut *app.conn())
        .unwrap();
    let form = app.get("/assignments/new").await;
    assert!(form.has("så mange åpne oppdrag som tillatt"));
    diesel::update(st::table.find(&blind))
        .set(st::max_open_per_mentor.eq(10))
        .execute(&mut *app.conn())
        .unwrap();
    // Hostile input: too long, absurd dates, another organization's mentor, no name.
    let long = "x".repeat(10_000);
    let nhf_mentor = app.user_id("mentor@nhf.example");
    for (field, value, expect_field) in [
        ("name", long.as_str(), "f-name-error"),
        ("sensitive_notes", long.as_str(), "f-sensitive_notes-error"),
        ("due_on", "2020-01-01", "f-due_on-error"),
        ("due_on", "99999-12-31", "f-due_on-error"),
        ("mentor_id", nhf_mentor.as_str(), "f-mentor_id-error"),
        ("association_id", "not-an-id", "f-association_id-error"),
        ("phone", "call me", "f-phone-error"),
        ("name", "", "f-name-error"),
    ] {
        let mut f: Vec<(&str, &str)> = vec![
            ("association_id", &assoc),
            ("mentor_id", &mentor),
            ("name", NAME),
            ("due_on", &due),
        ];
        f.retain(|(k, _)| *k != field);
        f.push((field, value));
        let res = app.post("/assignments", &f).await;
        assert_eq!(res.status, 422, "{field}={}", &value[..value.len().min(20)]);
        assert!(res.has(expect_field), "{field}");
    }
    let res = app
        .post("/assignments", &[("name", "a\u{0}b"), ("due_on", &due)])
        .await;
    assert_eq!(res.status, 422, "control characters");
    // A contact of another organization cannot prefill the form.
    let nhf_contact: String = likeperson::schema::contacts::table
        .filter(likeperson::schema::contacts::organization_id.ne(&blind))
        .select(likeperson::schema::contacts::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get(&format!("/assignments/new?contact={nhf_contact}"))
            .await
            .status,
        404
    );
    assert_eq!(app.get("/assignments/new?contact=x").await.status, 404);
}

async fn the_board_filters_and_counts_and_the_mentor_list_delivers(mut app: TestApp) {
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    app.login(COORD).await;
    let board = app.get("/assignments").await;
    assert_eq!(board.status, 200);
    assert!(board.has(&likeperson::assignments::model::reference(&id)));
    assert!(!board.has(NAME), "no details in the list");
    let declined = app
        .htmx_get("/assignments?status=declined", "results")
        .await;
    assert_eq!(declined.status, 200);
    assert!(declined.has("Avslått"));
    assert!(!declined.has(&format!("/assignments/{id}\"")));
    let overdue = app.get("/assignments?overdue=1").await;
    assert!(overdue.has("Forfalt"));
    assert!(!overdue.has(&format!("/assignments/{id}\"")));
    let by_mentor = app
        .get(&format!("/assignments?mentor={}", app.user_id(MENTOR)))
        .await;
    assert!(by_mentor.has(&format!("/assignments/{id}\"")));
    assert!(board.has("Sendt (2)"), "counts per status");
    app.logout().await;
    // The mentor's start page tells of new assignments; the list delivers them.
    app.login(MENTOR).await;
    let home = app.get("/").await;
    assert!(
        home.has("Du har nye oppdrag"),
        "the notice on the start page"
    );
    let list = app.get("/assignments").await;
    assert_eq!(list.status, 200);
    assert!(list.has(&format!("/assignments/{id}/details")));
    assert!(!list.has(NAME));
    assert_eq!(status_of(&app, &id), "delivered");
    let home = app.get("/").await;
    assert!(!home.has("Du har nye oppdrag"));
}

async fn completed_assignments_are_counted_per_mentor_and_year(mut app: TestApp) {
    let ids = [
        dispatch_as_coordinator(&mut app, "A").await,
        dispatch_as_coordinator(&mut app, "B").await,
        dispatch_as_coordinator(&mut app, "C").await,
    ];
    let blind = org(&app, "Blindeforbundet");
    let mentor = app.user_id(MENTOR);
    let at = |y: i32, m: u32, d: u32, h: u32| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    };
    // 2030 in Norway: 31 Dec 2029 23:30 UTC is already 2030 there; 31 Dec 2030 23:30 UTC is not.
    for (id, when) in ids.iter().zip([
        at(2029, 12, 31, 23),
        at(2030, 6, 1, 12),
        at(2030, 12, 31, 23),
    ]) {
        diesel::update(asg::table.find(id))
            .set((
                asg::status.eq("completed"),
                asg::completed_at.eq(Some(when + chrono::Duration::minutes(30))),
            ))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let counts =
        likeperson::assignments::service::completed_per_mentor(&mut app.conn(), &blind, 2030)
            .unwrap();
    assert_eq!(counts, vec![(mentor.clone(), 2)]);
    let nhf = org(&app, "NHF");
    assert!(
        likeperson::assignments::service::completed_per_mentor(&mut app.conn(), &nhf, 2030)
            .unwrap()
            .is_empty()
    );
}

async fn settings_turn_assignments_on_and_the_contact_page_links_here(mut app: TestApp) {
    // NHF does not use assignments: its coordinator and mentor get 404, the contact page has
    // no dispatch link.
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/assignments").await.status, 404);
    assert_eq!(app.get("/assignments/new").await.status, 404);
    app.logout().await;
    app.login("admin@nhf.example").await;
    let board = app.get("/assignments").await;
    assert_eq!(board.status, 200);
    assert!(board.has("bruker ikke oppdrag"));
    let bad = app
        .post(
            "/assignments/settings",
            &[
                ("enabled", "on"),
                ("max_open_per_mentor", "0"),
                ("retention_days", "999999"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("f-max_open_per_mentor-error") && bad.has("f-retention_days-error"));
    let ok = app
        .post(
            "/assignments/settings",
            &[
                ("enabled", "on"),
                ("max_open_per_mentor", "2"),
                ("retention_days", "30"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(app.audit_count("assignment.settings_changed"), 1);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/assignments").await.status, 200);
    assert_eq!(app.get("/assignments/new").await.status, 200);
    // The contact page leads to dispatch with the contact prefilled.
    let blind_contact: String = likeperson::schema::contacts::table
        .filter(likeperson::schema::contacts::organization_id.eq(org(&app, "NHF")))
        .filter(
            likeperson::schema::contacts::local_association_id
                .eq_any(la::table.filter(la::name.eq("NHF Bærum")).select(la::id)),
        )
        .select(likeperson::schema::contacts::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = app.get(&format!("/contacts/{blind_contact}")).await;
    assert!(page.has(&format!("/assignments/new?contact={blind_contact}")));
    let form = app
        .get(&format!("/assignments/new?contact={blind_contact}"))
        .await;
    assert_eq!(form.status, 200);
    let name: String = likeperson::schema::contacts::table
        .find(&blind_contact)
        .select(likeperson::schema::contacts::name)
        .first(&mut *app.conn())
        .unwrap();
    assert!(form.has(&name), "prefilled from the contact");
}

/// The binary as an operator runs it: the key file made at first start (0600), `rotate-key`
/// and `run-jobs`, and a server that refuses to start with a wrong or missing key.
#[test]
fn the_commands_create_rotate_and_check_the_master_key() {
    use std::process::Command;
    let (db, _fresh) = crate::common::Fresh::empty_sqlite();
    let data = std::env::temp_dir().join(format!("likeperson-keys-{}", uuid::Uuid::new_v4()));
    let run = |args: &[&str], key: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_likeperson"));
        c.args(args)
            .env("DATABASE_URL", &db)
            .env("LIKEPERSON_DATA_DIR", &data)
            .env("RUST_LOG", "warn")
            .env_remove("MASTER_KEY")
            .env_remove("MASTER_KEY_FILE");
        if let Some(k) = key {
            c.env("MASTER_KEY", k);
        }
        c
    };
    let seeded = run(&["seed", "--demo"], None).output().unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let file = data.join("master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    let rotated = run(&["rotate-key"], None).output().unwrap();
    let out = String::from_utf8_lossy(&rotated.stdout);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(
        out.contains("version 2 is now in use: 7 records re-wrapped"),
        "{out}"
    );
    let jobs = run(&["run-jobs", "--all"], None).output().unwrap();
    assert!(String::from_utf8_lossy(&jobs.stdout).contains("assignments.retention: Ran"));
    // A wrong key, then no key at all: the server stops before serving, saying why.
    let wrong = "2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let saved = std::fs::read(&file).unwrap();
    for (key, remove_file, says) in [(Some(wrong), false, "is wrong"), (None, true, "is missing")] {
        if remove_file {
            std::fs::remove_file(&file).unwrap();
        }
        let mut child = run(&["serve", "--bind", "127.0.0.1:0", "--no-demo"], key)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // It must exit by itself; a server still running after a minute has failed the test.
        let mut status = None;
        for _ in 0..600 {
            if let Some(s) = child.try_wait().unwrap() {
                status = Some(s);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if status.is_none() {
            child.kill().ok();
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            status.is_some_and(|s| !s.success()),
            "refused to start: {err}"
        );
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("AAECAwQF"), "the message quotes no key");
    }
    assert!(!file.exists(), "no new key file beside sealed data");
    std::fs::write(&file, saved).unwrap();
    let _ = std::fs::remove_dir_all(&data);
}

async fn a_declined_assignment_goes_to_another_mentor_and_the_maximum_holds_in_a_race(
    mut app: TestApp,
) {
    let id = dispatch_as_coordinator(&mut app, NAME).await;
    let blind = org(&app, "Blindeforbundet");
    let kari = app.user_id(COORD);
    app.login(MENTOR).await;
    app.get(&format!("/assignments/{id}")).await;
    let res = app
        .post(
            &format!("/assignments/{id}/status"),
            &[("action", "decline"), ("reason", "Bortreist")],
        )
        .await;
    assert_eq!(res.status, 303);
    app.logout().await;

    app.login(COORD).await;
    let page = app.get(&format!("/assignments/{id}")).await;
    assert!(page.has("Send oppdraget til en annen"));
    // Kari (a peer mentor of the association too) takes it over.
    let res = app
        .post(
            &format!("/assignments/{id}/reassign"),
            &[("mentor_id", &kari)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(status_of(&app, &id), "dispatched");
    // Not twice: it is no longer declined.
    let res = app
        .post(
            &format!("/assignments/{id}/reassign"),
            &[("mentor_id", &kari)],
        )
        .await;
    assert_eq!(res.status, 409);
    // Another organization's mentor is no choice.
    let nhf_mentor = app.user_id("mentor@nhf.example");
    diesel::update(asg::table.find(&id))
        .set(asg::status.eq("declined"))
        .execute(&mut *app.conn())
        .unwrap();
    let res = app
        .post(
            &format!("/assignments/{id}/reassign"),
            &[("mentor_id", &nhf_mentor)],
        )
        .await;
    assert_eq!(res.status, 409);
    diesel::update(asg::table.find(&id))
        .set(asg::status.eq("dispatched"))
        .execute(&mut *app.conn())
        .unwrap();

    // Two dispatches at once to a mentor with room for one: one is refused.
    let open: i64 = asg::table
        .filter(asg::mentor_id.eq(&kari))
        .filter(asg::status.eq_any(["dispatched", "delivered", "read", "acknowledged"]))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    diesel::update(st::table.find(&blind))
        .set(st::max_open_per_mentor.eq(open as i32 + 1))
        .execute(&mut *app.conn())
        .unwrap();
    let token = app.token().await;
    let assoc = home_association(&app);
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
    let reqs = (0..2)
        .map(|_| {
            TestRequest::post().uri("/assignments").set_form([
                ("csrf_token", token.as_str()),
                ("association_id", assoc.as_str()),
                ("mentor_id", kari.as_str()),
                ("name", "Samtidig Person"),
                ("due_on", due.as_str()),
            ])
        })
        .collect();
    let mut statuses = app.send_all(reqs).await;
    statuses.sort();
    assert_eq!(statuses, vec![303, 422]);
    let now_open: i64 = asg::table
        .filter(asg::mentor_id.eq(&kari))
        .filter(asg::status.eq_any(["dispatched", "delivered", "read", "acknowledged"]))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(now_open, open + 1);

    // The new mentor reads the details; the one who declined no longer can.
    app.post("/context", &[("context", &format!("{blind}:peer_mentor"))])
        .await;
    assert!(read_details(&mut app, &id).await.has(NAME));
    app.logout().await;
    app.login(MENTOR).await;
    let d = denied(&app);
    assert_eq!(
        app.get(&format!("/assignments/{id}/details")).await.status,
        404
    );
    assert_eq!(denied(&app), d + 1);
    assert_eq!(app.audit_count("assignment.reassigned"), 1);
}

async fn erasing_a_contact_erases_the_details_of_its_assignments(mut app: TestApp) {
    let (id, contact): (String, Option<String>) = asg::table
        .filter(asg::contact_id.is_not_null())
        .filter(asg::details.is_not_null())
        .select((asg::id, asg::contact_id))
        .first(&mut *app.conn())
        .unwrap();
    let contact = contact.unwrap();
    let sealed = |app: &TestApp| -> i64 {
        asg::table
            .filter(asg::details.is_not_null())
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let from_contact: i64 = asg::table
        .filter(asg::contact_id.eq(&contact))
        .filter(asg::details.is_not_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let before = sealed(&app);
    app.login(COORD).await;
    let res = app
        .post(&format!("/contacts/{contact}/erase"), &[("confirm", "on")])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(sealed(&app), before - from_contact);
    let (details, erased): (Option<String>, Option<chrono::NaiveDateTime>) = asg::table
        .find(&id)
        .select((asg::details, asg::details_erased_at))
        .first(&mut *app.conn())
        .unwrap();
    assert!(details.is_none() && erased.is_some());
    let page = app.get(&format!("/assignments/{id}")).await;
    assert_eq!(page.status, 200, "the assignment and its trail stay");
    assert!(page.has("slettet"));
}
