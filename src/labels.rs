//! The label catalogue: every user-visible term, in Norwegian Bokmål and English, keyed so that
//! an organization can override any of them (`organization_labels`).
//!
//! What things are called is held in *concepts* (`CONCEPTS`: the peer mentor, the contact, the
//! activity, ...), each with its forms (`FORMS`: singular, definite, plural, definite plural and
//! with an article), stored as the entries `term.<concept>.<form>`. Every other text that names
//! a concept refers to a form with a placeholder: `{mentor.pl}` is the plural as it stands in a
//! sentence, `{Mentor.pl}` the same with a capital first letter. Renaming a concept is therefore
//! one edit of its forms, and every title, heading, count and sentence follows. Placeholders are
//! resolved once per language and set of overrides (`Labels::new` keeps the result in a small
//! process-wide cache), never while a page renders. Other placeholders (`{mb}`, `{count}`) are
//! left for their callers.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Nb,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Lang {
        match s {
            "en" => Lang::En,
            _ => Lang::Nb,
        }
    }
    /// From an `Accept-Language` header: English when it is preferred over Norwegian.
    pub fn from_accept(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Nb };
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("nb") || tag.starts_with("no") || tag.starts_with("nn") {
                return Lang::Nb;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Nb
    }
}

/// One catalogue entry: (key, Bokmål, English).
pub type Entry = (&'static str, &'static str, &'static str);

/// The catalogue, one section per domain so that each domain keeps its own terms.
pub static SECTIONS: &[&[Entry]] = &[
    CONCEPT_FORMS,
    CORE,
    crate::people::LABELS,
    crate::activities::LABELS,
    crate::documents::LABELS,
    crate::events::LABELS,
    crate::assignments::LABELS,
    crate::expenses::LABELS,
    crate::engagement::LABELS,
    crate::import::LABELS,
    crate::home::LABELS,
    crate::search::LABELS,
    crate::reports::LABELS,
    crate::reports::wrapped::LABELS,
    crate::users::LABELS,
    crate::audit::LABELS,
    crate::notifications::LABELS,
    crate::learning::LABELS,
];

/// Every entry of every section.
pub fn catalogue() -> impl Iterator<Item = &'static Entry> {
    SECTIONS.iter().flat_map(|s| s.iter())
}

/// The concepts an organization names in its own words, in the order the terminology page shows
/// them. Each has the entries `term.<concept>.<form>` (`FORMS`).
pub static CONCEPTS: &[&str] = &[
    "mentor",
    "contact",
    "activity",
    "event",
    "association",
    "region",
    "coordinator",
];

/// The forms of a concept: the key suffix and its label on the terminology page. A placeholder
/// without a form (`{mentor}`) is the singular.
pub static FORMS: &[(&str, &str)] = &[
    ("sg", "form.sg"),
    ("def", "form.def"),
    ("pl", "form.pl"),
    ("pl_def", "form.pl_def"),
    ("a", "form.a"),
];

/// The key of one form of a concept: `term.mentor.sg`, `term.mentor.pl`, ... (`""` is `sg`).
pub fn form_key(concept: &str, form: &str) -> String {
    let form = if form.is_empty() { "sg" } else { form };
    format!("term.{concept}.{form}")
}

/// Whether the key is a form of a concept (edited as a word, not as a sentence).
pub fn is_concept_form(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("term.") else {
        return false;
    };
    let Some((concept, form)) = rest.split_once('.') else {
        return false;
    };
    CONCEPTS.contains(&concept) && FORMS.iter().any(|(f, _)| *f == form)
}

/// The concepts and their forms, in both languages. A form is written as it stands in the
/// middle of a sentence; `{Concept...}` capitalizes it where a title or a sentence starts.
#[rustfmt::skip]
pub static CONCEPT_FORMS: &[Entry] = &[
    ("term.mentor.sg", "likeperson", "peer mentor"),
    ("term.mentor.def", "likepersonen", "the peer mentor"),
    ("term.mentor.pl", "likepersoner", "peer mentors"),
    ("term.mentor.pl_def", "likepersonene", "the peer mentors"),
    ("term.mentor.a", "en likeperson", "a peer mentor"),
    ("term.contact.sg", "kontakt", "contact"),
    ("term.contact.def", "kontakten", "the contact"),
    ("term.contact.pl", "kontakter", "contacts"),
    ("term.contact.pl_def", "kontaktene", "the contacts"),
    ("term.contact.a", "en kontakt", "a contact"),
    ("term.activity.sg", "aktivitet", "activity"),
    ("term.activity.def", "aktiviteten", "the activity"),
    ("term.activity.pl", "aktiviteter", "activities"),
    ("term.activity.pl_def", "aktivitetene", "the activities"),
    ("term.activity.a", "en aktivitet", "an activity"),
    ("term.event.sg", "arrangement", "event"),
    ("term.event.def", "arrangementet", "the event"),
    ("term.event.pl", "arrangementer", "events"),
    ("term.event.pl_def", "arrangementene", "the events"),
    ("term.event.a", "et arrangement", "an event"),
    ("term.association.sg", "lokallag", "local association"),
    ("term.association.def", "lokallaget", "the local association"),
    ("term.association.pl", "lokallag", "local associations"),
    ("term.association.pl_def", "lokallagene", "the local associations"),
    ("term.association.a", "et lokallag", "a local association"),
    ("term.region.sg", "region", "region"),
    ("term.region.def", "regionen", "the region"),
    ("term.region.pl", "regioner", "regions"),
    ("term.region.pl_def", "regionene", "the regions"),
    ("term.region.a", "en region", "a region"),
    ("term.coordinator.sg", "koordinator", "coordinator"),
    ("term.coordinator.def", "koordinatoren", "the coordinator"),
    ("term.coordinator.pl", "koordinatorer", "coordinators"),
    ("term.coordinator.pl_def", "koordinatorene", "the coordinators"),
    ("term.coordinator.a", "en koordinator", "a coordinator"),
    ("concept.mentor", "Hva dere kaller en likeperson", "What you call a peer mentor"),
    ("concept.contact", "Hva dere kaller en kontakt (personen som får støtte)", "What you call a contact (the person supported)"),
    ("concept.activity", "Hva dere kaller en aktivitet", "What you call an activity"),
    ("concept.event", "Hva dere kaller et arrangement", "What you call an event"),
    ("concept.association", "Hva dere kaller et lokallag", "What you call a local association"),
    ("concept.region", "Hva dere kaller en region", "What you call a region"),
    ("concept.coordinator", "Hva dere kaller en koordinator", "What you call a coordinator"),
    ("form.sg", "Én", "One"),
    ("form.def", "Bestemt: den ene", "The one"),
    ("form.pl", "Flere", "Several"),
    ("form.pl_def", "Bestemt: alle de", "All of them"),
    ("form.a", "Med «en» eller «et» foran", "With “a” or “an” in front"),
];

/// The terms of the foundation: layout, sign-in, organization administration.
pub static CORE: &[Entry] = &[
    ("app.name", "Likeperson", "Likeperson"),
    ("app.tagline", "Likepersonsarbeid i praksis", "Peer mentoring in practice"),
    ("app.skip", "Hopp til hovedinnhold", "Skip to main content"),
    ("nav.label", "Hovedmeny", "Main menu"),
    ("nav.menu", "Meny", "Menu"),
    ("nav.home", "Forside", "Home"),
    ("nav.associations", "{Association.pl}", "{Association.pl}"),
    ("nav.regions", "{Region.pl}", "{Region.pl}"),
    ("nav.users", "Brukere", "Users"),
    ("nav.labels", "Begreper", "Terminology"),
    ("nav.audit", "Revisjonslogg", "Audit log"),
    ("nav.organizations", "Organisasjoner", "Organizations"),
    ("nav.sessions", "Mine innlogginger", "My sessions"),
    ("nav.settings", "Innstillinger", "Settings"),
    ("nav.account", "Konto", "Account"),
    ("nav.context", "Aktiv rolle", "Active role"),
    ("nav.switch", "Bytt", "Switch"),
    ("nav.signed_in_as", "Innlogget som", "Signed in as"),
    ("nav.pagination", "Sider", "Pages"),
    ("term.organization", "Organisasjon", "Organization"),
    ("term.region", "{Region}", "{Region}"),
    ("term.local_association", "{Association}", "{Association}"),
    ("term.local_associations", "{Association.pl}", "{Association.pl}"),
    ("term.peer_mentor", "{Mentor}", "{Mentor}"),
    ("term.coordinator", "{Coordinator}", "{Coordinator}"),
    ("term.org_admin", "Organisasjonsadministrator", "Organization administrator"),
    ("term.global_admin", "Global administrator", "Global administrator"),
    ("term.user", "Bruker", "User"),
    ("term.role", "Rolle", "Role"),
    ("action.sign_in", "Logg inn", "Sign in"),
    ("action.sign_out", "Logg ut", "Sign out"),
    ("action.save", "Lagre", "Save"),
    ("action.create", "Opprett", "Create"),
    ("action.edit", "Rediger", "Edit"),
    ("action.cancel", "Avbryt", "Cancel"),
    ("action.search", "Søk", "Search"),
    ("action.deactivate", "Deaktiver", "Deactivate"),
    ("action.reactivate", "Aktiver igjen", "Reactivate"),
    ("action.previous", "Forrige", "Previous"),
    ("action.next", "Neste", "Next"),
    ("action.invite", "Inviter", "Invite"),
    ("action.assign_role", "Gi rolle", "Assign role"),
    ("action.revoke", "Fjern", "Revoke"),
    ("action.end_session", "Avslutt", "End"),
    ("action.end_other_sessions", "Logg ut alle andre enheter", "Sign out all other devices"),
    ("action.sign_out_everywhere", "Logg brukeren ut på alle enheter", "Sign the user out on every device"),
    ("action.send_link", "Send lenke", "Send link"),
    ("action.set_password", "Lagre passord", "Save password"),
    ("action.back", "Tilbake", "Back"),
    ("action.view", "Vis", "View"),
    ("action.reset_label", "Bruk standard", "Use default"),
    ("field.email", "E-post", "E-mail"),
    ("field.password", "Passord", "Password"),
    ("field.new_password", "Nytt passord", "New password"),
    ("field.confirm_password", "Gjenta passordet", "Repeat the password"),
    ("field.name", "Navn", "Name"),
    ("field.short_name", "Kortnavn", "Short name"),
    ("field.short_code", "Kortkode", "Short code"),
    ("field.org_number", "Organisasjonsnummer", "Organization number"),
    ("field.code", "Kode", "Code"),
    ("field.phone", "Telefon", "Phone"),
    ("field.contact_email", "Kontakt-e-post", "Contact e-mail"),
    ("field.contact_phone", "Kontakttelefon", "Contact phone"),
    ("field.address", "Adresse", "Address"),
    ("field.external_id", "Ekstern ID", "External ID"),
    ("field.metadata", "Metadata (JSON)", "Metadata (JSON)"),
    ("field.status", "Status", "Status"),
    ("field.language", "Språk", "Language"),
    ("field.created", "Opprettet", "Created"),
    ("field.updated", "Endret", "Updated"),
    ("field.when", "Tidspunkt", "When"),
    ("field.who", "Hvem", "Who"),
    ("field.action", "Handling", "Action"),
    ("field.target", "Gjelder", "Target"),
    ("field.detail", "Detaljer", "Details"),
    ("field.address_ip", "Adresse (IP)", "Address (IP)"),
    ("field.device", "Enhet", "Device"),
    ("field.last_seen", "Sist aktiv", "Last seen"),
    ("field.expires", "Utløper", "Expires"),
    ("field.login_method", "Innloggingsmåte", "Sign-in method"),
    ("field.search", "Søk", "Search"),
    ("field.key", "Nøkkel", "Key"),
    ("field.default_text", "Standardtekst", "Default text"),
    ("field.override", "Organisasjonens tekst", "Organization's text"),
    ("field.locale", "Språk for teksten", "Language of the text"),
    ("field.scope", "Gjelder for", "Applies to"),
    ("field.roles", "Roller", "Roles"),
    ("field.active_filter", "Vis", "Show"),
    ("field.larger_text", "Større tekst", "Larger text"),
    ("field.high_contrast", "Høy kontrast", "High contrast"),
    ("field.reduced_motion", "Mindre bevegelse", "Reduced motion"),
    ("field.week_start", "Uken begynner", "Week starts on"),
    ("value.active", "Aktiv", "Active"),
    ("value.inactive", "Deaktivert", "Deactivated"),
    ("value.all", "Alle", "All"),
    ("value.none", "Ingen", "None"),
    ("value.yes", "Ja", "Yes"),
    ("value.no", "Nei", "No"),
    ("value.this_device", "Denne enheten", "This device"),
    ("value.password", "Passord", "Password"),
    ("value.whole_organization", "Hele organisasjonen", "The whole organization"),
    ("value.monday", "Mandag", "Monday"),
    ("value.sunday", "Søndag", "Sunday"),
    ("value.nb", "Norsk bokmål", "Norwegian Bokmål"),
    ("value.en", "Engelsk", "English"),
    ("value.changed_texts", "Tekster dere har endret", "Texts you have changed"),
    ("value.all_texts", "Alle tekster", "All texts"),
    ("value.no_region", "Uten {region}", "No {region}"),
    ("page.login", "Logg inn", "Sign in"),
    ("page.home", "Forside", "Home"),
    ("page.forgot", "Glemt passord", "Forgotten password"),
    ("page.reset", "Velg nytt passord", "Choose a new password"),
    ("page.associations", "{Association.pl}", "{Association.pl}"),
    ("page.association_new", "Opprett {association}", "New {association}"),
    ("page.association_edit", "Rediger {association}", "Edit {association}"),
    ("page.regions", "{Region.pl}", "{Region.pl}"),
    ("page.region_edit", "Rediger {region}", "Edit {region}"),
    ("page.users", "Brukere", "Users"),
    ("page.user_invite", "Inviter bruker", "Invite a user"),
    ("page.labels", "Begreper og tekster", "Terminology and texts"),
    ("page.audit", "Revisjonslogg", "Audit log"),
    ("page.organizations", "Organisasjoner", "Organizations"),
    ("page.organization_new", "Ny organisasjon", "New organization"),
    ("page.organization_edit", "Rediger organisasjon", "Edit organization"),
    ("org.admins", "Administratorer", "Administrators"),
    ("org.needs_first_admin", "Organisasjonen trenger sin første administrator. Inviter vedkommende under.", "The organization needs its first administrator. Invite them below."),
    ("org.pending_admins", "Invitert, ikke svart ennå", "Invited, not answered yet"),
    ("org.invite_admin", "Inviter en administrator", "Invite an administrator"),
    ("org.invite_admin_help", "Personen får en e-post og blir administrator når hen godtar invitasjonen. For å bytte administrator: inviter den nye, og fjern den gamle når invitasjonen er godtatt.", "The person gets an e-mail and becomes an administrator on accepting the invitation. To replace an administrator: invite the new one, and remove the old one once the invitation is accepted."),
    ("page.sessions", "Mine innlogginger", "My sessions"),
    ("page.settings", "Innstillinger", "Settings"),
    ("text.login_intro", "Logg inn med e-post og passord.", "Sign in with your e-mail and password."),
    ("text.forgot_link", "Glemt passordet?", "Forgotten your password?"),
    ("text.forgot_intro", "Skriv e-postadressen din, så sender vi en lenke for å velge nytt passord.", "Enter your e-mail address and we will send you a link to choose a new password."),
    ("text.forgot_sent", "Hvis adressen hører til en konto, har vi sendt en lenke. Den gjelder i én time.", "If the address belongs to an account, we have sent a link. It is valid for one hour."),
    ("text.reset_done", "Passordet er lagret. Du kan logge inn nå.", "Your password is saved. You can sign in now."),
    ("text.password_rules", "Minst 8 tegn. Vanlige passord godtas ikke.", "At least 8 characters. Common passwords are not accepted."),
    ("text.welcome", "Velkommen", "Welcome"),
    ("text.you_act_as", "Du handler nå som", "You are acting as"),
    ("text.in", "i", "in"),
    ("text.your_associations", "Dine {association.pl}", "Your {association.pl}"),
    ("text.no_results", "Ingen treff.", "No results."),
    ("text.showing", "Viser", "Showing"),
    ("text.of", "av", "of"),
    ("text.page", "Side", "Page"),
    ("text.saved", "Endringene er lagret.", "Your changes are saved."),
    ("text.created", "Opprettet.", "Created."),
    ("text.deactivated", "er deaktivert.", "is deactivated."),
    ("text.reactivated", "er aktiv igjen.", "is active again."),
    ("text.fix_errors", "Skjemaet har feil. Rett opp og prøv igjen:", "The form has errors. Please correct them and try again:"),
    ("text.signed_out", "Du er logget ut.", "You are signed out."),
    ("text.session_ended", "Innloggingen er avsluttet.", "The session is ended."),
    ("text.other_sessions_ended", "Alle andre innlogginger er avsluttet.", "All other sessions are ended."),
    ("text.sessions_intro", "Her ser du enhetene der du er logget inn. Avslutt dem du ikke kjenner igjen.", "These are the devices where you are signed in. End any you do not recognise."),
    ("text.concepts_intro", "Skriv ordene slik de står midt i en setning. Et tomt felt bruker ordet som står i feltet. Overskrifter, menyen og setninger i hele tjenesten bruker ordene deres.", "Write the words as they stand in the middle of a sentence. An empty field uses the word shown in it. Headings, the menu and sentences everywhere use your words."),
    ("text.labels_advanced", "Avansert: endre enkelttekster", "Advanced: change single texts"),
    ("text.labels_advanced_intro", "En endret tekst brukes i stedet for standardteksten, også når ordene over endres senere.", "A changed text is used instead of the default text, even when the words above change later."),
    ("text.labels_intro", "Her bestemmer dere hva ting heter i deres organisasjon. Et tomt felt bruker standardteksten.", "Here you decide what things are called in your organization. An empty field uses the default text."),
    ("text.invite_sent", "Invitasjonen er sendt.", "The invitation is sent."),
    ("text.role_assigned", "Rollen er gitt.", "The role is assigned."),
    ("text.role_revoked", "Rollen er fjernet.", "The role is revoked."),
    ("text.no_roles", "Ingen aktive roller.", "No active roles."),
    ("text.context_switched", "Du har byttet rolle.", "You have switched role."),
    ("text.association_history", "{Association.pl} med historikk slettes aldri; deaktiver dem i stedet.", "{Association.pl} with history are never deleted; deactivate them instead."),
    ("text.audit_chain_ok", "Kjeden av kontrollsummer er hel.", "The checksum chain is intact."),
    ("text.audit_chain_broken", "Kjeden av kontrollsummer er brutt ved oppføring", "The checksum chain is broken at entry"),
    ("text.optional", "valgfritt", "optional"),
    ("text.login_first", "Logg inn for å fortsette.", "Sign in to continue."),
    ("text.reset_mail_subject", "Velg nytt passord i Likeperson", "Choose a new password for Likeperson"),
    ("text.invite_mail_subject", "Du er invitert til Likeperson", "You are invited to Likeperson"),
    ("text.reset_mail_body", "Noen, forhåpentligvis du, har bedt om å velge nytt passord i Likeperson. Åpne lenken under innen én time. Har du ikke bedt om dette, kan du se bort fra e-posten.", "Someone, hopefully you, asked to choose a new password for Likeperson. Open the link below within one hour. If you did not ask for this, you can ignore this e-mail."),
    ("text.invite_mail_body", "Du er invitert til Likeperson. Åpne lenken under for å velge passord. Lenken gjelder i sju dager.", "You are invited to Likeperson. Open the link below to choose your password. The link is valid for seven days."),
    ("text.association_hint", "{Mentor.pl} og {coordinator.pl} hører til {association.a}. En organisasjonsadministrator gjelder hele organisasjonen.", "{Mentor.pl} and {coordinator.pl} belong to {association.a}. An organization administrator covers the whole organization."),
    ("text.user_signed_out", "Brukeren er logget ut på alle enheter.", "The user is signed out on every device."),
    ("text.hello", "Hei", "Hello"),
    ("org.figures_heading", "Tall for", "Figures for"),
    ("org.figure_activities", "{activity.pl} registrert", "{activity.pl} registered"),
    ("org.figure_contacts_reached", "{contact.pl} fulgt opp", "{contact.pl} followed up"),
    ("org.figure_mentors_active", "aktive {mentor.pl}", "active {mentor.pl}"),
    ("org.figure_contacts", "aktive {contact.pl} i {association.def}", "active {contact.pl} in {association.def}"),
    ("org.members_mentors", "{Mentor.pl}", "{Mentor.pl}"),
    ("org.members_coordinators", "{Coordinator.pl}", "{Coordinator.pl}"),
    ("org.no_mentors", "Ingen {mentor.pl} ennå.", "No {mentor.pl} yet."),
    ("org.no_coordinators", "Ingen {coordinator.pl} ennå.", "No {coordinator.pl} yet."),
    ("org.more_members", "Flere enn de som vises her:", "More than shown here:"),
    ("text.count_associations", "{association.pl}", "{association.pl}"),
    ("error.not_found", "Fant ikke siden", "Page not found"),
    ("error.not_found_text", "Siden finnes ikke, eller du har ikke tilgang til den.", "The page does not exist, or you do not have access to it."),
    ("err.required", "Feltet må fylles ut.", "This field is required."),
    ("err.email", "Skriv en gyldig e-postadresse, for eksempel navn@eksempel.no.", "Enter a valid e-mail address, such as name@example.com."),
    ("err.phone", "Skriv et gyldig telefonnummer (8 til 15 sifre).", "Enter a valid phone number (8 to 15 digits)."),
    ("err.org_number", "Organisasjonsnummeret må ha 9 sifre og gyldig kontrollsiffer.", "The organization number must have 9 digits and a valid check digit."),
    ("err.name_taken", "Navnet er allerede i bruk i organisasjonen.", "The name is already used in the organization."),
    ("err.external_id_taken", "Den eksterne ID-en er allerede i bruk i organisasjonen.", "The external ID is already used in the organization."),
    ("err.metadata_json", "Metadata må være et gyldig JSON-objekt.", "Metadata must be a valid JSON object."),
    ("err.too_long", "Teksten er for lang.", "The text is too long."),
    ("err.request_id", "Feil-ID (oppgi den hvis du kontakter oss) / Error ID (quote it if you contact us):", "Error ID (quote it if you contact us):"),
    ("err.control_chars_title", "Ugyldige tegn", "Characters not allowed"),
    ("err.control_chars", "Teksten inneholder tegn som ikke er tillatt (kontrolltegn, for eksempel fra kopiering). Gå tilbake, fjern dem og prøv igjen.", "The text contains characters that are not allowed (control characters, for example from copying). Go back, remove them and try again."),
    ("err.invalid_input_title", "Ugyldig forespørsel", "Invalid request"),
    ("err.invalid_input", "Skjemaet eller adressen kunne ikke leses. Gå tilbake, last siden på nytt og prøv igjen.", "The form or address could not be read. Go back, reload the page and try again."),
    ("err.login_failed", "E-post eller passord er feil.", "The e-mail or password is wrong."),
    ("err.rate_limited", "For mange forsøk. Vent et kvarter og prøv igjen.", "Too many attempts. Wait fifteen minutes and try again."),
    ("err.password_short", "Passordet må ha minst 8 tegn.", "The password must have at least 8 characters."),
    ("err.password_long", "Passordet kan ha høyst 128 tegn.", "The password can have at most 128 characters."),
    ("err.password_common", "Passordet er for vanlig eller lett å gjette. Velg et annet.", "The password is too common or easy to guess. Choose another."),
    ("err.password_mismatch", "Passordene er ikke like.", "The passwords do not match."),
    ("err.token_invalid", "Lenken er ugyldig eller utløpt. Be om en ny.", "The link is invalid or has expired. Ask for a new one."),
    ("err.email_taken", "Det finnes allerede en bruker med denne e-postadressen.", "A user with this e-mail address already exists."),
    ("err.association_required", "Velg {association.a} for denne rollen.", "Choose {association.a} for this role."),
    ("err.role_exists", "Brukeren har allerede denne rollen.", "The user already has this role."),
    ("err.choice", "Velg et av alternativene.", "Choose one of the options."),
    ("err.unknown_key", "Ukjent begrep.", "Unknown term."),
];

fn index() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static INDEX: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    INDEX.get_or_init(|| catalogue().map(|(k, nb, en)| (*k, (*nb, *en))).collect())
}

/// The catalogue's own text, placeholders unresolved.
pub fn default_text(key: &str, lang: Lang) -> Option<&'static str> {
    index().get(key).map(|(nb, en)| match lang {
        Lang::Nb => *nb,
        Lang::En => *en,
    })
}

pub fn is_known(key: &str) -> bool {
    index().contains_key(key)
}

/// Fills the concept placeholders of `text` from `form` (`{mentor.pl}` → the plural,
/// `{Mentor.pl}` → the same capitalized). Anything else between braces is left as it is.
fn fill<'t, 'f>(text: &'t str, form: &dyn Fn(&str) -> Option<&'f str>) -> Cow<'t, str> {
    if !text.contains('{') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Cow::Owned(out);
        };
        let name = &after[..close];
        let capital = name.starts_with(|c: char| c.is_ascii_uppercase());
        let lower = name.to_ascii_lowercase();
        let (concept, suffix) = lower.split_once('.').unwrap_or((&lower, ""));
        let key = (CONCEPTS.contains(&concept)
            && (suffix.is_empty() || FORMS.iter().any(|(f, _)| *f == suffix)))
        .then(|| form_key(concept, suffix));
        match key.as_deref().and_then(form) {
            Some(word) if capital => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            Some(word) => out.push_str(word),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

type Texts = HashMap<&'static str, Cow<'static, str>>;

/// Every catalogue text for one language and set of overrides, placeholders filled.
fn resolve(lang: Lang, overrides: &BTreeMap<String, String>) -> Texts {
    let form = |key: &str| -> Option<&str> {
        overrides
            .get(key)
            .map(String::as_str)
            .or_else(|| default_text(key, lang))
    };
    catalogue()
        .map(|(key, nb, en)| {
            let text: Cow<'static, str> = match overrides.get(*key) {
                Some(o) => Cow::Owned(fill(o, &form).into_owned()),
                None => {
                    let raw: &'static str = if lang == Lang::En { en } else { nb };
                    match fill(raw, &form) {
                        Cow::Borrowed(_) => Cow::Borrowed(raw),
                        Cow::Owned(s) => Cow::Owned(s),
                    }
                }
            };
            (*key, text)
        })
        .collect()
}

/// The resolved texts per language and override set: an organization's terms are worked out
/// when its overrides are first seen (and again after an edit), not on every request.
fn resolved(lang: Lang, overrides: HashMap<String, String>) -> Arc<Texts> {
    type Cache = Mutex<HashMap<(Lang, BTreeMap<String, String>), Arc<Texts>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    // Only known keys matter; sorted, so the same set is the same cache entry.
    let set: BTreeMap<String, String> =
        overrides.into_iter().filter(|(k, _)| is_known(k)).collect();
    let cache = CACHE.get_or_init(Default::default);
    let key = (lang, set);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let texts = Arc::new(resolve(lang, &key.1));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    // Old override sets (before an edit) are dropped wholesale now and then; a few hundred
    // organizations × two languages fit well under the bound.
    if map.len() >= 1024 {
        map.clear();
    }
    map.insert(key, texts.clone());
    texts
}

/// The terms for one request: the catalogue in the user's language with the active
/// organization's overrides on top, concept placeholders filled.
#[derive(Clone, Debug)]
pub struct Labels {
    pub lang: Lang,
    texts: Arc<Texts>,
}

impl Labels {
    pub fn new(lang: Lang, overrides: HashMap<String, String>) -> Labels {
        Labels {
            lang,
            texts: resolved(lang, overrides),
        }
    }

    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map(|t| t.as_ref()).unwrap_or(key)
    }
}

/// The resolved labels of each organization and language at the `labels_version` they were
/// read at, kept by one app instance (`AppState::labels`; not process-wide, since test apps in
/// one process share organization ids with different overrides). Every change of an
/// organization's overrides bumps `organizations.labels_version` (triggers, migration
/// 2026-12-07-000300), which every request reads with the session, so an edit made through any
/// instance is seen by all of them at the next request, and the overrides are read again only
/// then. Bounded by organizations × languages: one entry each, the newest version read.
#[derive(Default)]
pub struct LabelCache {
    map: Mutex<HashMap<(String, Lang), (i64, Labels)>>,
}

impl LabelCache {
    /// The labels of `org` in `lang` when they were read at exactly `version`.
    pub fn get(&self, org: &str, version: i64, lang: Lang) -> Option<Labels> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&(org.to_string(), lang)) {
            Some((v, labels)) if *v == version => Some(labels.clone()),
            _ => None,
        }
    }

    /// Keeps labels read at `version`, unless a newer version is kept already.
    pub fn put(&self, org: &str, version: i64, lang: Lang, labels: &Labels) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map
            .entry((org.to_string(), lang))
            .or_insert_with(|| (version, labels.clone()));
        if entry.0 <= version {
            *entry = (version, labels.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_the_concept_forms_and_capitals() {
        let mut o = HashMap::new();
        o.insert("term.mentor.sg".to_string(), "kontaktperson".to_string());
        o.insert("term.mentor.pl".to_string(), "kontaktpersoner".to_string());
        let l = Labels::new(Lang::Nb, o);
        assert_eq!(l.get("term.mentor.def"), "likepersonen");
        assert_eq!(l.get("nav.mentors"), "Kontaktpersoner");
        assert_eq!(l.get("term.peer_mentor"), "Kontaktperson");
        let f = |k: &str| (k == "term.mentor.pl").then_some("x");
        assert_eq!(fill("{mb} MB, {mentor.pl} {oops", &f), "{mb} MB, x {oops");
        assert_eq!(
            Labels::new(Lang::En, HashMap::new()).get("nav.mentors"),
            "Peer mentors"
        );
    }
}
