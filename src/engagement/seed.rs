//! Demo data of the engagement area, in every organization: badges (awarded at once by the
//! badge job to whoever meets them, so the demo mentor has earned some and sees the next),
//! toolbox cards in three categories (one with hostile Markdown that renders harmless),
//! external resources, the membership page, and the demo mentor's recruitment link with
//! visits counted.

use diesel::prelude::*;

use super::model::{Badge, Card, EngagementSettings, Referral, Resource};
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    badges, engagement_settings, external_resources, organizations, recruitment_referrals,
    toolbox_cards, user_organization_roles as uor, users,
};

/// (name, description, icon, trigger, threshold)
const BADGES: &[(&str, &str, &str, &str, i32)] = &[
    (
        "Første samtale",
        "Du har registrert din første aktivitet.",
        "star",
        "first_activity",
        1,
    ),
    (
        "Ti møter",
        "Ti aktiviteter registrert.",
        "handshake",
        "activities",
        10,
    ),
    (
        "Hundre møter",
        "Hundre aktiviteter registrert – imponerende!",
        "trophy",
        "activities",
        100,
    ),
    (
        "Støttespiller",
        "Du har støttet fem ulike personer.",
        "heart",
        "contacts",
        5,
    ),
    (
        "Fellesskap",
        "Deltatt på tre arrangementer.",
        "calendar",
        "events_attended",
        3,
    ),
    (
        "Kursbevis",
        "Fullført et kurs.",
        "book",
        "course_completed",
        1,
    ),
    (
        "Ett år",
        "Ett år som likeperson.",
        "star",
        "years_active",
        1,
    ),
];

/// (title, category, body in Markdown)
const CARDS: &[(&str, &str, &str)] = &[
    ("Hvordan har uka vært?", "Samtalestartere", "Et enkelt sted å begynne.\n\n* Hva har gitt deg energi?\n* Hva har vært tungt?\n\n**Tips:** la pausene få være."),
    ("Hva gleder du deg til?", "Samtalestartere", "Spør om noe som ligger foran.\n\n> Små ting teller også."),
    ("Første møte", "Praktiske råd", "## Før du går\n\n1. Avtal tid og sted.\n2. Ta med kontaktinformasjon.\n\n## Etterpå\n\nRegistrer aktiviteten samme dag."),
    ("Taushetsplikt", "Praktiske råd", "Det du hører i samtalen, blir mellom dere.\n\nSe [retningslinjene](https://www.regjeringen.no/) om du er i tvil."),
    ("Når noe er vanskelig", "Støtte til deg", "Ta kontakt med koordinatoren din. Du står ikke alene.\n\n<script>alert('dette vises som tekst')</script>"),
    ("Lytt mer enn du snakker", "Samtalestartere", "*Aktiv lytting:* gjenta med egne ord det du hørte."),
];

/// (title, url, description, category)
const RESOURCES: &[(&str, &str, &str, &str)] = &[
    (
        "Bufdir: tilskudd til funksjonshemmedes organisasjoner",
        "https://www.bufdir.no/",
        "Reglene for tilskudd og rapportering.",
        "Regelverk",
    ),
    (
        "Helsenorge",
        "https://www.helsenorge.no/",
        "Offentlig helseinformasjon.",
        "Helse",
    ),
    (
        "Frivillighet Norge",
        "https://www.frivillighetnorge.no/",
        "Råd og kurs for frivillige.",
        "Frivillighet",
    ),
];

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let orgs: Vec<(String, String)> = organizations::table
        .order(organizations::name.asc())
        .select((organizations::id, organizations::short_name))
        .load(conn)?;
    let t = now();
    for (org, short) in orgs {
        for (name, description, icon, trigger, threshold) in BADGES {
            diesel::insert_into(badges::table)
                .values(&Badge {
                    id: new_id(),
                    organization_id: org.clone(),
                    name: name.to_string(),
                    description: description.to_string(),
                    icon: icon.to_string(),
                    image_key: None,
                    image_type: None,
                    trigger_kind: trigger.to_string(),
                    threshold: *threshold,
                    is_active: true,
                    created_at: t,
                    updated_at: t,
                })
                .execute(conn)?;
        }
        for (i, (title, category, body)) in CARDS.iter().enumerate() {
            diesel::insert_into(toolbox_cards::table)
                .values(&Card {
                    id: new_id(),
                    organization_id: org.clone(),
                    title: title.to_string(),
                    title_key: crate::web::forms::search_key(title),
                    body: body.to_string(),
                    category: category.to_string(),
                    position: i as i32 + 1,
                    image_key: None,
                    image_type: None,
                    created_at: t,
                    updated_at: t,
                })
                .execute(conn)?;
        }
        for (i, (title, url, description, category)) in RESOURCES.iter().enumerate() {
            diesel::insert_into(external_resources::table)
                .values(&Resource {
                    id: new_id(),
                    organization_id: org.clone(),
                    title: title.to_string(),
                    url: url.to_string(),
                    description: description.to_string(),
                    category: category.to_string(),
                    position: i as i32 + 1,
                    created_at: t,
                    updated_at: t,
                })
                .execute(conn)?;
        }
        diesel::insert_into(engagement_settings::table)
            .values(&EngagementSettings {
                organization_id: org.clone(),
                membership_url: Some(format!(
                    "https://www.{}.example/bli-medlem",
                    short.to_lowercase()
                )),
                updated_by: None,
                updated_at: t,
            })
            .execute(conn)?;
        let mentor: Option<String> = users::table
            .filter(
                users::id.eq_any(
                    uor::table
                        .filter(uor::organization_id.eq(org.clone()))
                        .filter(uor::role_id.eq("peer_mentor"))
                        .select(uor::user_id),
                ),
            )
            .filter(users::email.like("mentor@%"))
            .select(users::id)
            .first(conn)
            .optional()?;
        if let Some(mentor) = mentor {
            let mut token = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut token);
            diesel::insert_into(recruitment_referrals::table)
                .values(&Referral {
                    id: new_id(),
                    organization_id: org.clone(),
                    user_id: mentor,
                    token: hex::encode(token),
                    clicks: 7,
                    created_at: t,
                    last_click_at: Some(t),
                })
                .execute(conn)?;
        }
    }
    // Whoever meets a badge already gets it, as the job would.
    super::badges::service::award_due_quietly(conn)?;
    Ok(())
}
