//! Terms of the start pages, Bokmål and English.

use crate::labels::Entry;

pub static LABELS: &[Entry] = &[
    ("home.my_contacts", "Mine {contact.pl}", "My {contact.pl}"),
    (
        "home.no_contacts",
        "Du har ingen {contact.pl} ennå.",
        "You have no {contact.pl} yet.",
    ),
    ("home.last_activity", "Siste aktivitet", "Last activity"),
    (
        "home.no_activity_yet",
        "Ingen aktivitet ennå",
        "No activity yet",
    ),
    ("home.register_for", "Registrer", "Register"),
    (
        "home.all_my_contacts",
        "Alle mine {contact.pl}",
        "All my {contact.pl}",
    ),
    (
        "home.my_events",
        "Mine kommende arrangementer",
        "My upcoming events",
    ),
    ("home.all_events", "Alle arrangementer", "All events"),
    ("home.this_year", "I år", "This year"),
    ("home.this_month", "Denne måneden", "This month"),
    (
        "home.activities_registered",
        "aktiviteter registrert",
        "activities registered",
    ),
    (
        "home.of_which_counting",
        "Av dem teller for Bufdir",
        "Of which count for Bufdir",
    ),
    ("home.todo", "Å gjøre", "To do"),
    (
        "home.todo_no_mentor",
        "{contact.pl} uten {mentor}",
        "{contact.pl} without {mentor.a}",
    ),
    (
        "home.todo_not_reached",
        "{contact.pl} uten aktivitet de siste 10 dagene",
        "{contact.pl} without activity in the last 10 days",
    ),
    (
        "home.todo_awaiting_attendance",
        "arrangementer venter på oppmøteregistrering",
        "events awaiting attendance",
    ),
    (
        "home.todo_quiet_mentors",
        "{mentor.pl} uten aktivitet de siste 30 dagene",
        "{mentor.pl} without activity in the last 30 days",
    ),
    (
        "home.quiet_mentors",
        "{Mentor.pl} uten aktivitet de siste 30 dagene",
        "{Mentor.pl} without activity in the last 30 days",
    ),
    ("home.col_activities", "Aktiviteter", "Activities"),
    ("home.col_counting", "Teller for Bufdir", "Count for Bufdir"),
    ("home.col_hours", "Timer", "Hours"),
    (
        "home.col_mentors",
        "Aktive {mentor.pl}",
        "Active {mentor.pl}",
    ),
    (
        "home.col_contacts",
        "{Contact.pl} nådd",
        "{Contact.pl} reached",
    ),
    ("home.col_admins", "Administratorer", "Administrators"),
    ("home.total", "Til sammen", "Total"),
    ("home.period", "Periode", "Period"),
    ("home.setup", "Må settes opp", "Needs configuring"),
    (
        "home.setup_done",
        "Alt det grunnleggende er satt opp.",
        "Everything basic is configured.",
    ),
    (
        "home.setup_no_types",
        "Ingen aktivitetstyper: {mentor.pl_def} kan ikke registrere aktiviteter",
        "No activity types: {mentor.pl} cannot register activities",
    ),
    ("home.setup_no_regions", "Ingen regioner", "No regions"),
    (
        "home.setup_no_associations",
        "Ingen {association.pl}",
        "No {association.pl}",
    ),
    (
        "home.setup_no_coordinator",
        "{Association.pl} uten koordinator",
        "{Association.pl} without a coordinator",
    ),
    (
        "home.setup_no_region",
        "{association.pl} uten region",
        "{association.pl} without a region",
    ),
    (
        "home.organization_figures",
        "Organisasjonen i tall",
        "The organization in figures",
    ),
    (
        "home.active_mentors",
        "aktive {mentor.pl}",
        "active {mentor.pl}",
    ),
    ("home.coordinators", "{coordinator.pl}", "{coordinator.pl}"),
    (
        "home.active_contacts",
        "aktive {contact.pl}",
        "active {contact.pl}",
    ),
    (
        "home.upcoming_events",
        "kommende arrangementer",
        "upcoming events",
    ),
    (
        "home.orgs_without_admin",
        "Organisasjoner uten administrator",
        "Organizations without an administrator",
    ),
    ("home.no_admin", "Ingen", "None"),
    ("home.active_users", "Aktive brukere", "Active users"),
    ("home.charts", "Året i diagrammer", "The year in charts"),
    ("home.to_reports", "Til rapportene", "To the reports"),
];
