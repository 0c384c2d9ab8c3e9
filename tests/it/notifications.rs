//! Notifications (issue 14): the centre and its unread count, the choices (critical ones stay
//! on), the reminder engine's scenarios and unique key, two job runners at once, the weekly
//! digest, and mail through the outbox to a real SMTP server on loopback, and its failures.

use std::io;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use diesel::prelude::*;
use likeperson::db::now;
use likeperson::notifications::outbox::{self, MAX_ATTEMPTS};
use likeperson::notifications::scenarios::Pass;
use likeperson::notifications::{digest, reminders};
use likeperson::schema::{
    event_attendees as ea, events as ev, mail_outbox as mo, notifications as n, peer_mentors as pm,
    reimbursements as rb, reminders as rm,
};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_decision_on_a_claim_reaches_the_claimant_in_the_app_and_by_mail,
    critical_notifications_cannot_be_turned_off_and_the_others_can,
    the_centre_marks_read_opens_the_record_and_hides_others_notifications,
    each_reminder_is_made_once_by_its_key_and_paused_mentors_get_none,
    an_event_cancelled_tells_everyone_registered,
    two_job_runners_at_once_make_and_send_each_reminder_and_mail_once,
    the_weekly_digest_reaches_each_coordinator_once_and_can_be_turned_off,
    mail_goes_through_a_real_smtp_server_with_text_and_html,
    a_refused_mail_is_retried_with_backoff_and_then_shown_to_the_admin,
    the_organization_sets_the_days_without_activity,
    many_waiting_claims_make_one_reminder_per_coordinator_and_day,
    waiting_claims_are_counted_by_the_day_in_norway_once_per_coordinator,
);

fn waiting_claim(app: &TestApp) -> String {
    rb::table
        .filter(rb::status.eq("submitted"))
        .filter(rb::user_id.eq(app.user_id("mentor@nhf.example")))
        .order(rb::id.asc())
        .select(rb::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn notifications_of(app: &TestApp, email: &str, scenario: &str) -> i64 {
    n::table
        .filter(n::user_id.eq(app.user_id(email)))
        .filter(n::scenario.eq(scenario))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn outbox_to(app: &TestApp, email: &str, kind: &str) -> i64 {
    mo::table
        .filter(mo::to_address.eq(email))
        .filter(mo::kind.eq(kind))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn decide(app: &TestApp, claim: &str, decision: &str, note: &str) {
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    let res = coordinator
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", decision), ("note", note)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

async fn a_decision_on_a_claim_reaches_the_claimant_in_the_app_and_by_mail(app: TestApp) {
    let mut mentor = app.client();
    mentor.login("mentor@nhf.example").await;
    let before = mentor.get("/account/settings").await;
    assert!(!before.has("class=\"unread-count\""), "nothing unread yet");

    let claim = waiting_claim(&app);
    decide(&app, &claim, "reject", "Mangler kvittering").await;

    let page = mentor.get("/account/settings").await;
    assert!(
        page.has("<span class=\"unread-count\" aria-hidden=\"true\">1</span>"),
        "the header counts it"
    );
    assert!(page.has("aria-live=\"polite\""), "announced politely");
    let list = mentor.get("/notifications").await;
    assert!(list.has("er avvist: Mangler kvittering"), "{}", list.body);
    // Mailed through the outbox, not from the request.
    assert_eq!(outbox_to(&app, "mentor@nhf.example", "claim.rejected"), 1);
    let mails = app.mails_to("mentor@nhf.example");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("er avvist"), "{}", mails[0]);
    assert!(mails[0].contains(&format!("http://localhost/claims/{claim}")));
    assert!(mails[0].contains("text/html") && mails[0].contains("text/plain"));
}

async fn critical_notifications_cannot_be_turned_off_and_the_others_can(app: TestApp) {
    let mut mentor = app.client();
    mentor.login("mentor@nhf.example").await;
    let page = mentor.get("/account/notifications").await;
    assert_eq!(page.status, 200);
    assert!(page.has("Kan ikke slås av"), "critical ones say why");
    assert!(page.has("value=\"claim.rejected\" checked disabled"));
    // Every box unticked: the non-critical ones go off, the critical ones stay on.
    let res = mentor.post("/account/notifications", &[]).await;
    assert_eq!(res.status, 303);
    let page = mentor.get("/account/notifications").await;
    assert!(page.has("value=\"claim.approved\">"), "approved is off now");

    let claims: Vec<String> = rb::table
        .filter(rb::status.eq("submitted"))
        .filter(rb::user_id.eq(app.user_id("mentor@nhf.example")))
        .order(rb::id.asc())
        .select(rb::id)
        .load(&mut *app.conn())
        .unwrap();
    assert!(claims.len() >= 2, "the demo mentor has two waiting claims");
    decide(&app, &claims[0], "approve", "").await;
    decide(&app, &claims[1], "reject", "Nei").await;
    assert_eq!(
        notifications_of(&app, "mentor@nhf.example", "claim.approved"),
        0
    );
    assert_eq!(outbox_to(&app, "mentor@nhf.example", "claim.approved"), 0);
    assert_eq!(
        notifications_of(&app, "mentor@nhf.example", "claim.rejected"),
        1
    );
    assert_eq!(outbox_to(&app, "mentor@nhf.example", "claim.rejected"), 1);

    // The main switch on the settings page turns e-mail off for the rest.
    let res = mentor
        .post(
            "/account/settings",
            &[("language", "nb"), ("notify_in_app", "on")],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = mentor
        .post(
            "/account/notifications",
            &[("in_app", "event.cancelled"), ("email", "event.cancelled")],
        )
        .await;
    assert_eq!(res.status, 303);
    cancel_tomorrows_event(&app).await;
    assert_eq!(
        notifications_of(&app, "mentor@nhf.example", "event.cancelled"),
        1
    );
    assert_eq!(outbox_to(&app, "mentor@nhf.example", "event.cancelled"), 0);
}

async fn the_centre_marks_read_opens_the_record_and_hides_others_notifications(app: TestApp) {
    let claim = waiting_claim(&app);
    decide(&app, &claim, "return", "Legg ved kvittering").await;
    let id: String = n::table
        .filter(n::user_id.eq(app.user_id("mentor@nhf.example")))
        .select(n::id)
        .first(&mut *app.conn())
        .unwrap();
    // Someone else's notification is not found.
    let mut other = app.client();
    other.login("coordinator@nhf.example").await;
    assert_eq!(
        other
            .post(&format!("/notifications/{id}/read"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        other
            .post(&format!("/notifications/{id}/open"), &[])
            .await
            .status,
        404
    );
    assert!(!other.get("/notifications").await.has(&id));

    let mut mentor = app.client();
    mentor.login("mentor@nhf.example").await;
    let list = mentor.get("/notifications").await;
    assert!(list.has(&format!("/notifications/{id}/open")));
    let res = mentor.post(&format!("/notifications/{id}/open"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), format!("/claims/{claim}"));
    assert_eq!(mentor.get(res.location()).await.status, 200);
    let page = mentor.get("/notifications").await;
    assert!(!page.has("class=\"unread-count\""), "read now");
    assert!(!page.has(&format!("/notifications/{id}/read")));
    // Mark all read.
    decide(&app, &waiting_claim(&app), "reject", "Nei").await;
    assert!(mentor
        .get("/notifications")
        .await
        .has("class=\"unread-count\""));
    assert_eq!(mentor.post("/notifications/read", &[]).await.status, 303);
    assert!(!mentor
        .get("/notifications")
        .await
        .has("class=\"unread-count\""));
}

fn run_reminders(app: &TestApp, at: chrono::NaiveDateTime) -> usize {
    reminders::run(&mut app.conn(), &Pass::at(at))
        .unwrap()
        .total()
}

fn reminders_of(app: &TestApp, scenario: &str) -> i64 {
    rm::table
        .filter(rm::scenario.eq(scenario))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn each_reminder_is_made_once_by_its_key_and_paused_mentors_get_none(app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    // The demo data is dated from the instant it was seeded ("tomorrow", "nine days ago"), so
    // the passes run at that instant: a test that runs after midnight in Norway still finds its
    // event tomorrow.
    let t0: chrono::NaiveDateTime = likeperson::schema::organizations::table
        .select(diesel::dsl::min(
            likeperson::schema::organizations::created_at,
        ))
        .first::<Option<chrono::NaiveDateTime>>(&mut *app.conn())
        .unwrap()
        .unwrap();
    // A paused mentor gets no reminders at all.
    diesel::update(pm::table.filter(pm::user_id.eq(&mentor)))
        .set(pm::status.eq("paused"))
        .execute(&mut *app.conn())
        .unwrap();
    run_reminders(&app, t0);
    let mine: i64 = rm::table
        .filter(rm::user_id.eq(&mentor))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(mine, 0, "paused: none");
    diesel::update(pm::table.filter(pm::user_id.eq(&mentor)))
        .set(pm::status.eq("active"))
        .execute(&mut *app.conn())
        .unwrap();

    let made = run_reminders(&app, t0);
    assert!(made > 0);
    // The demo holds one of each existing scenario for the demo accounts.
    assert!(notifications_of(&app, "mentor@nhf.example", "reminder.event_tomorrow") == 1);
    assert!(notifications_of(&app, "mentor@nhf.example", "reminder.contact_inactive") >= 1);
    assert!(notifications_of(&app, "coordinator@nhf.example", "reminder.claim_pending") >= 1);
    let total: i64 = rm::table.count().get_result(&mut *app.conn()).unwrap();
    // Again, and later the same day: the keys are taken, nothing new.
    assert_eq!(run_reminders(&app, t0), 0);
    // Two hours on, or two hours before where that is another day in Norway (a new day makes
    // new keys).
    let oslo = likeperson::events::service::oslo_date;
    let other = Some(t0 + Duration::hours(2))
        .filter(|t| oslo(*t) == oslo(t0))
        .unwrap_or(t0 - Duration::hours(2));
    assert_eq!(oslo(other), oslo(t0));
    assert_eq!(run_reminders(&app, other), 0);
    let again: i64 = rm::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(total, again);
    // One notice and one mail per reminder.
    let notices: i64 = n::table
        .filter(n::scenario.like("reminder.%"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(notices, total);
    let mails: i64 = mo::table
        .filter(mo::kind.like("reminder.%"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(mails, total);
    // The unique key itself refuses a second reminder made directly.
    let due = reminders::event_tomorrow(&mut app.conn(), &Pass::at(t0)).unwrap();
    assert!(!due.is_empty());
    assert!(!reminders::make(&mut app.conn(), "reminder.event_tomorrow", &due[0]).unwrap());
    assert_eq!(
        reminders_of(&app, "reminder.event_tomorrow"),
        due.len() as i64
    );
    // The mail about a contact does not name the contact.
    let mail = app
        .mails_to("mentor@nhf.example")
        .into_iter()
        .find(|m| m.contains("har ikke hatt aktivitet"))
        .expect("a reminder mail");
    assert!(mail.contains("En av dine kontakter"), "{mail}");
}

async fn cancel_tomorrows_event(app: &TestApp) -> String {
    let event: String = ev::table
        .filter(ev::title.eq("Kaffetreff for likepersoner"))
        .select(ev::id)
        .first(&mut *app.conn())
        .unwrap();
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    let res = coordinator
        .post(&format!("/events/{event}/cancel"), &[("reason", "Sykdom")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    event
}

async fn an_event_cancelled_tells_everyone_registered(app: TestApp) {
    let event = cancel_tomorrows_event(&app).await;
    let registered: i64 = ea::table
        .filter(ea::event_id.eq(&event))
        .filter(ea::status.eq("registered"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let told: i64 = n::table
        .filter(n::subject_id.eq(&event))
        .filter(n::scenario.eq("event.cancelled"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(told, registered);
    let mut mentor = app.client();
    mentor.login("mentor@nhf.example").await;
    assert!(mentor.get("/notifications").await.has("er avlyst: Sykdom"));
    // A cancelled event is no longer reminded of.
    run_reminders(&app, now());
    assert_eq!(reminders_of(&app, "reminder.event_tomorrow"), 0);
}

async fn two_job_runners_at_once_make_and_send_each_reminder_and_mail_once(app: TestApp) {
    let other = app.another_instance().await;
    let (t, mut handles) = (now(), Vec::new());
    for (i, state) in [app.state.clone(), other.state.clone()]
        .into_iter()
        .enumerate()
    {
        let pool = state.pool.clone();
        let mailer = state.mailer.clone();
        handles.push(std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            let pass = Pass::at(t);
            let made = reminders::run(&mut conn, &pass).unwrap().total();
            let digests = digest::run(&mut conn, &pass).unwrap();
            let sent = outbox::deliver_due(
                &mut conn,
                &mailer,
                "http://localhost",
                &format!("runner-{i}"),
                t,
            )
            .unwrap()
            .sent;
            (made + digests, sent)
        }));
    }
    let results: Vec<(usize, usize)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let made: usize = results.iter().map(|r| r.0).sum();
    let keys: i64 = rm::table.count().get_result(&mut *app.conn()).unwrap();
    assert!(keys > 0);
    assert_eq!(made as i64, keys, "each reminder made by one runner only");
    let notices: i64 = n::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(notices, keys, "one notice per reminder");
    // Whatever one runner left, the next pass sends; nothing is sent twice.
    let late = app.deliver_mail().sent;
    let sent: usize = results.iter().map(|r| r.1).sum::<usize>() + late;
    let rows: i64 = mo::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(sent as i64, rows, "each mail sent once");
    let files = std::fs::read_dir(app.data_dir.join("mail"))
        .unwrap()
        .count();
    assert_eq!(files as i64, rows, "one file per mail");
    // And a second round at once makes and sends nothing.
    let mut conn = app.conn();
    assert_eq!(reminders::run(&mut conn, &Pass::at(t)).unwrap().total(), 0);
    assert_eq!(digest::run(&mut conn, &Pass::at(t)).unwrap(), 0);
}

async fn the_weekly_digest_reaches_each_coordinator_once_and_can_be_turned_off(app: TestApp) {
    let mut other = app.client();
    other.login("coordinator@blindeforbundet.example").await;
    let res = other.post("/account/notifications", &[]).await;
    assert_eq!(res.status, 303, "the Blindeforbundet coordinator opts out");
    // Monday noon in Norway of this week: due.
    let monday = digest::week_of(Pass::at(now()).today);
    let at = reminders::day_start(monday) + Duration::hours(12);
    let made = digest::run(&mut app.conn(), &Pass::at(at)).unwrap();
    assert!(made >= 2, "{made}");
    assert_eq!(
        digest::run(&mut app.conn(), &Pass::at(at + Duration::days(2))).unwrap(),
        0
    );
    assert_eq!(
        notifications_of(&app, "coordinator@nhf.example", "digest.weekly"),
        1
    );
    assert_eq!(
        notifications_of(&app, "coordinator@blindeforbundet.example", "digest.weekly"),
        0
    );
    assert_eq!(
        outbox_to(&app, "coordinator@blindeforbundet.example", "digest.weekly"),
        0
    );
    let mails = app.mails_to("coordinator@nhf.example");
    let mail = mails
        .iter()
        .find(|m| m.contains("Ukens oppsummering"))
        .unwrap();
    assert!(mail.contains("Refusjonskrav som venter"), "{mail}");
    assert!(mail.contains("Kontakter som ikke er n"), "{mail}");
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    assert!(coordinator
        .get("/notifications")
        .await
        .has("Ukens oppsummering"));
    // Next week, a new one.
    let next = digest::run(&mut app.conn(), &Pass::at(at + Duration::days(7))).unwrap();
    assert_eq!(next, made);
}

/// An SMTP server on loopback inside the test: it speaks the protocol, keeps what it receives
/// and refuses the recipients it is told to.
#[derive(Clone)]
struct Catcher {
    got: Arc<Mutex<Vec<String>>>,
    buf: Vec<u8>,
    refuse: bool,
}

impl mailin_embedded::Handler for Catcher {
    fn rcpt(&mut self, _to: &str) -> mailin_embedded::Response {
        if self.refuse {
            mailin_embedded::response::NO_MAILBOX
        } else {
            mailin_embedded::response::OK
        }
    }
    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        let text = String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned();
        self.got.lock().unwrap().push(text);
        mailin_embedded::response::OK
    }
}

/// Starts the server on a free loopback port: its `smtp://` URL and what it received.
fn smtp_server(refuse: bool) -> (String, Arc<Mutex<Vec<String>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = mailin_embedded::Server::new(Catcher {
        got: got.clone(),
        buf: Vec::new(),
        refuse,
    });
    server.with_name("test.example").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (format!("smtp://127.0.0.1:{port}"), got)
}

fn smtp_mailer(app: &TestApp, url: &str) -> likeperson::mail::Mailer {
    let mut config = app.state.config.clone();
    config.smtp_url = Some(url.to_string());
    likeperson::mail::Mailer::from_config(&config).unwrap()
}

fn undo_qp(s: &str) -> String {
    s.replace("=\r\n", "").replace("=3D", "=")
}

async fn mail_goes_through_a_real_smtp_server_with_text_and_html(app: TestApp) {
    let (url, got) = smtp_server(false);
    let mut browser = app.client();
    let form = browser.get("/password/forgot").await.csrf();
    let res = browser
        .post_raw(
            "/password/forgot",
            &[("csrf_token", &form), ("email", "mentor@nhf.example")],
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(
        got.lock().unwrap().is_empty(),
        "the request sent nothing itself"
    );
    let d = outbox::deliver_due(
        &mut app.conn(),
        &smtp_mailer(&app, &url),
        "https://app.example",
        "t",
        now(),
    )
    .unwrap();
    assert_eq!(d.sent, 1);
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1);
    let mail = undo_qp(&got[0]);
    assert!(mail.contains("To: mentor@nhf.example"), "{mail}");
    assert!(mail.contains("Content-Type: text/plain"));
    assert!(mail.contains("Content-Type: text/html"));
    assert!(
        mail.contains("https://app.example/password/reset?token="),
        "{mail}"
    );
    let status: String = mo::table
        .select(mo::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "sent");
}

async fn a_refused_mail_is_retried_with_backoff_and_then_shown_to_the_admin(app: TestApp) {
    let claim = waiting_claim(&app);
    decide(&app, &claim, "reject", "Nei").await;
    let (url, got) = smtp_server(true);
    let mailer = smtp_mailer(&app, &url);
    let mut t = now();
    for attempt in 1..=MAX_ATTEMPTS {
        let d = outbox::deliver_due(&mut app.conn(), &mailer, "http://localhost", "t", t).unwrap();
        assert_eq!(d.sent, 0);
        // Not due again at once: the backoff holds it.
        let again =
            outbox::deliver_due(&mut app.conn(), &mailer, "http://localhost", "t", t).unwrap();
        assert_eq!(again, outbox::Delivered::default(), "try {attempt}");
        let (status, attempts, next): (String, i32, chrono::NaiveDateTime) = mo::table
            .select((mo::status, mo::attempts, mo::next_attempt_at))
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(status, "pending");
            assert!(next > t);
            t = next + Duration::seconds(1);
        } else {
            assert_eq!(status, "failed");
        }
    }
    assert!(got.lock().unwrap().is_empty());
    // A server that is down counts as a failed try as well.
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("smtp://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    decide(&app, &waiting_claim(&app), "reject", "Nei").await;
    let d = outbox::deliver_due(
        &mut app.conn(),
        &smtp_mailer(&app, &down),
        "http://localhost",
        "t",
        now(),
    )
    .unwrap();
    assert_eq!(d.retried, 1);

    let mut admin = app.client();
    admin.login("admin@nhf.example").await;
    let page = admin.get("/notifications/admin").await;
    assert_eq!(page.status, 200);
    assert!(page.has("mentor@nhf.example"), "{}", page.body);
    assert!(page.has("550"), "the server's answer shows");
    // Another organization's administrator does not see it.
    let mut elsewhere = app.client();
    elsewhere.login("admin@hlf.example").await;
    assert!(!elsewhere
        .get("/notifications/admin")
        .await
        .has("mentor@nhf.example"));
    // Sent again once the fault is fixed.
    let id: String = mo::table
        .filter(mo::status.eq("failed"))
        .select(mo::id)
        .first(&mut *app.conn())
        .unwrap();
    let res = elsewhere
        .post(&format!("/notifications/admin/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(res.status, 404);
    let res = admin
        .post(&format!("/notifications/admin/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(res.status, 303);
    let (ok_url, ok_got) = smtp_server(false);
    let d = outbox::deliver_due(
        &mut app.conn(),
        &smtp_mailer(&app, &ok_url),
        "http://localhost",
        "t",
        now() + Duration::hours(3),
    )
    .unwrap();
    assert_eq!(d.sent, 2);
    assert_eq!(ok_got.lock().unwrap().len(), 2);
}

async fn the_organization_sets_the_days_without_activity(app: TestApp) {
    let mut admin = app.client();
    admin.login("admin@nhf.example").await;
    let page = admin.get("/notifications/admin").await;
    assert!(page.has("value=\"10\""), "10 by default");
    for bad in ["abc", "0", "366", "-1", &"9".repeat(10_000)] {
        let res = admin
            .post("/notifications/admin", &[("reminder_inactive_days", bad)])
            .await;
        assert_eq!(res.status, 422, "{bad}");
        assert!(res.has("Skriv et helt tall fra 1 til 365."));
        assert!(res.has("aria-invalid=\"true\""));
    }
    let res = admin
        .post(
            "/notifications/admin",
            &[("reminder_inactive_days", "400000")],
        )
        .await;
    assert_eq!(res.status, 422);
    // Fewer reminders with a longer quiet period.
    let res = admin
        .post("/notifications/admin", &[("reminder_inactive_days", "365")])
        .await;
    assert_eq!(res.status, 303);
    assert!(admin.get("/notifications/admin").await.has("value=\"365\""));
    run_reminders(&app, now());
    assert_eq!(
        notifications_of(&app, "mentor@nhf.example", "reminder.contact_inactive"),
        0
    );
    assert_eq!(app.audit_count("organization.reminders_updated"), 1);
}

/// Claims that passed their seven days on the same day make one reminder for each coordinator,
/// with their count and total, linking to the queue; a claim alone links to itself.
async fn many_waiting_claims_make_one_reminder_per_coordinator_and_day(app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let waiting: Vec<(String, i64)> = rb::table
        .filter(rb::status.eq("submitted"))
        .filter(rb::user_id.eq(&mentor))
        .select((rb::id, rb::total_ore))
        .load(&mut *app.conn())
        .unwrap();
    assert!(waiting.len() >= 2, "the demo has several waiting claims");
    // Every waiting claim of the organization submitted on one day, ten days ago, at noon.
    let day = now() - Duration::days(10);
    diesel::update(rb::table.filter(rb::status.eq("submitted")))
        .set(rb::submitted_at.eq(day))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::delete(n::table).execute(&mut *app.conn()).unwrap();
    diesel::delete(rm::table).execute(&mut *app.conn()).unwrap();
    run_reminders(&app, now());
    let mine: Vec<(String, String)> = n::table
        .filter(n::user_id.eq(app.user_id("coordinator@nhf.example")))
        .filter(n::scenario.eq("reminder.claim_pending"))
        .select((n::link, n::params))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(mine.len(), 1, "one reminder for all of them: {mine:?}");
    assert!(mine[0].0.starts_with("/claims?age="), "{:?}", mine[0]);
    let in_scope = rb::table
        .inner_join(
            likeperson::schema::user_organization_roles::table.on(
                likeperson::schema::user_organization_roles::local_association_id
                    .eq(rb::local_association_id.nullable()),
            ),
        )
        .filter(rb::status.eq("submitted"))
        .filter(
            likeperson::schema::user_organization_roles::user_id
                .eq(app.user_id("coordinator@nhf.example")),
        )
        .filter(likeperson::schema::user_organization_roles::role_id.eq("coordinator"))
        .filter(rb::user_id.ne(app.user_id("coordinator@nhf.example")))
        .select(rb::id)
        .distinct()
        .load::<String>(&mut *app.conn())
        .unwrap()
        .len();
    assert!(
        mine[0].1.contains(&format!("\"count\":\"{in_scope}\"")),
        "{} of {in_scope}",
        mine[0].1
    );
    // The page shows it with its count.
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    let page = coordinator.get("/notifications").await;
    assert!(
        page.has(&format!("{in_scope} refusjonskrav, til sammen")),
        "{}",
        page.body
    );
    // The same pass again: nothing new. One claim alone on another day links to itself.
    assert_eq!(run_reminders(&app, now()), 0);
    diesel::update(rb::table.filter(rb::id.eq(&waiting[0].0)))
        .set(rb::submitted_at.eq(day - Duration::days(3)))
        .execute(&mut *app.conn())
        .unwrap();
    run_reminders(&app, now());
    let link: String = n::table
        .filter(n::user_id.eq(app.user_id("coordinator@nhf.example")))
        .filter(n::scenario.eq("reminder.claim_pending"))
        .filter(n::link.like("/claims/%"))
        .select(n::link)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(link, format!("/claims/{}", waiting[0].0));
}

/// The day a claim's seven days run out is counted from its day in Norway, not in UTC: late
/// in the UTC evening is already the next day in Oslo (from 23:00 in winter, 22:00 in summer).
/// A coordinator granted the same association twice still counts each claim once.
async fn waiting_claims_are_counted_by_the_day_in_norway_once_per_coordinator(app: TestApp) {
    use likeperson::schema::user_organization_roles as uor;
    let coordinator = app.user_id("coordinator@nhf.example");
    let grants: Vec<(String, Option<String>)> = uor::table
        .filter(uor::user_id.eq(&coordinator))
        .filter(uor::role_id.eq("coordinator"))
        .filter(uor::revoked_at.is_null())
        .select((
            uor::organization_id.assume_not_null(),
            uor::local_association_id,
        ))
        .load(&mut *app.conn())
        .unwrap();
    let scope: Vec<String> = grants.iter().filter_map(|g| g.1.clone()).collect();
    let claims: Vec<(String, i64)> = rb::table
        .filter(rb::status.eq("submitted"))
        .filter(rb::local_association_id.eq_any(&scope))
        .filter(rb::user_id.ne(&coordinator))
        .order(rb::id.asc())
        .select((rb::id, rb::total_ore))
        .load(&mut *app.conn())
        .unwrap();
    assert!(claims.len() >= 2, "the demo has several waiting claims");
    // The same grant again (the page refuses it; the table does not).
    diesel::insert_into(uor::table)
        .values((
            uor::id.eq(likeperson::db::new_id()),
            uor::user_id.eq(&coordinator),
            uor::organization_id.eq(Some(grants[0].0.clone())),
            uor::role_id.eq("coordinator"),
            uor::local_association_id.eq(grants[0].1.clone()),
            uor::created_at.eq(now()),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let submit = |id: &str, t: &str| {
        diesel::update(rb::table.filter(rb::id.eq(id)))
            .set(rb::submitted_at.eq(at(t)))
            .execute(&mut *app.conn())
            .unwrap();
    };
    diesel::update(rb::table.filter(rb::status.eq("submitted")))
        .set(rb::submitted_at.eq(at("2025-01-10 12:00:00")))
        .execute(&mut *app.conn())
        .unwrap();
    // 10 January in Oslo: 00:30 (UTC+1) and 23:59:59, with the rest at noon: one day.
    submit(&claims[0].0, "2025-01-09 23:30:00");
    submit(&claims[1].0, "2025-01-10 22:59:59");
    diesel::delete(n::table).execute(&mut *app.conn()).unwrap();
    diesel::delete(rm::table).execute(&mut *app.conn()).unwrap();
    run_reminders(&app, now());
    // Then one of them at midnight in Oslo on 11 July (UTC+2): a day of its own, one claim,
    // linking to itself.
    submit(&claims[1].0, "2025-07-10 22:00:00");
    run_reminders(&app, now());
    let made: Vec<(chrono::NaiveDate, String, String)> = rm::table
        .inner_join(n::table.on(n::id.nullable().eq(rm::notification_id)))
        .filter(rm::user_id.eq(&coordinator))
        .filter(rm::scenario.eq("reminder.claim_pending"))
        .order(rm::due_on.asc())
        .select((rm::due_on, n::link, n::params))
        .load(&mut *app.conn())
        .unwrap();
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        made.iter().map(|m| m.0).collect::<Vec<_>>(),
        [day("2025-01-17"), day("2025-07-18")],
        "{made:?}"
    );
    let today = likeperson::notifications::scenarios::Pass::at(now()).today;
    let (january, july) = (&made[0], &made[1]);
    assert_eq!(
        january.1,
        format!("/claims?age={}", (today - day("2025-01-10")).num_days())
    );
    let total: i64 = claims.iter().map(|c| c.1).sum();
    assert!(
        january
            .2
            .contains(&format!("\"count\":\"{}\"", claims.len())),
        "{}: {}",
        claims.len(),
        january.2
    );
    assert!(
        january.2.contains(&format!(
            "\"amount\":\"{}\"",
            likeperson::expenses::money::kr(total, "nb")
        )),
        "{total}: {}",
        january.2
    );
    assert_eq!(july.1, format!("/claims/{}", claims[1].0));
    assert!(july.2.contains("\"count\":\"1\""), "{}", july.2);
}
