//! Terms of the start pages, Bokmål and English.

use crate::labels::Entry;

pub static LABELS: &[Entry] = &[
    ("home.my_contacts", "Mine kontakter", "My contacts"),
    (
        "home.no_contacts",
        "Du har ingen kontakter ennå.",
        "You have no contacts yet.",
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
        "Alle mine kontakter",
        "All my contacts",
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
        "kontakter uten likeperson",
        "contacts without a peer mentor",
    ),
    (
        "home.todo_not_reached",
        "kontakter uten aktivitet de siste 10 dagene",
        "contacts without activity in the last 10 days",
    ),
    (
        "home.todo_awaiting_attendance",
        "arrangementer venter på oppmøteregistrering",
        "events awaiting attendance",
    ),
    (
        "home.todo_quiet_mentors",
        "likepersoner uten aktivitet de siste 30 dagene",
        "peer mentors without activity in the last 30 days",
    ),
    (
        "home.quiet_mentors",
        "Likepersoner uten aktivitet de siste 30 dagene",
        "Peer mentors without activity in the last 30 days",
    ),
    ("home.col_activities", "Aktiviteter", "Activities"),
    ("home.col_counting", "Teller for Bufdir", "Count for Bufdir"),
    ("home.col_hours", "Timer", "Hours"),
    (
        "home.col_mentors",
        "Aktive likepersoner",
        "Active peer mentors",
    ),
    ("home.col_contacts", "Kontakter nådd", "Contacts reached"),
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
        "Ingen aktivitetstyper: likepersonene kan ikke registrere aktiviteter",
        "No activity types: peer mentors cannot register activities",
    ),
    ("home.setup_no_regions", "Ingen regioner", "No regions"),
    (
        "home.setup_no_associations",
        "Ingen lokallag",
        "No local associations",
    ),
    (
        "home.setup_no_coordinator",
        "Lokallag uten koordinator",
        "Local associations without a coordinator",
    ),
    (
        "home.setup_no_region",
        "lokallag uten region",
        "local associations without a region",
    ),
    (
        "home.organization_figures",
        "Organisasjonen i tall",
        "The organization in figures",
    ),
    (
        "home.active_mentors",
        "aktive likepersoner",
        "active peer mentors",
    ),
    ("home.coordinators", "koordinatorer", "coordinators"),
    (
        "home.active_contacts",
        "aktive kontakter",
        "active contacts",
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
];
