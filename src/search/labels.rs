//! Terms of the search, Bokmål and English.

use crate::labels::Entry;

pub static LABELS: &[Entry] = &[
    ("search.page", "Søk", "Search"),
    (
        "search.label",
        "Søk etter {mentor.pl}, {contact.pl}, aktiviteter og {association.pl}",
        "Search for {mentor.pl}, {contact.pl}, activities and {association.pl}",
    ),
    (
        "search.hint",
        "Navn, e-post, telefon eller tekst i en aktivitet. Treffene kommer mens du skriver.",
        "Name, e-mail, phone or text in an activity. Results appear as you type.",
    ),
    ("search.results", "Søkeresultater", "Search results"),
    ("search.group_mentors", "{Mentor.pl}", "{Mentor.pl}"),
    ("search.group_contacts", "{Contact.pl}", "{Contact.pl}"),
    ("search.group_activities", "Aktiviteter", "Activities"),
    ("search.group_associations", "Lokallag", "{Association.pl}"),
    ("search.show_all", "Vis alle", "Show all"),
    ("search.no_hits", "Ingen treff for", "No results for"),
    ("search.showing", "Viser", "Showing"),
    ("search.hit", "treff", "result"),
    ("search.hits", "treff", "results"),
    (
        "search.more_in_lists",
        "flere i listene",
        "more in the lists",
    ),
    (
        "search.activity_text",
        "Kontakt eller beskrivelse",
        "Contact or description",
    ),
];
