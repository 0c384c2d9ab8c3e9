//! Demo data for people: a profile and its first history entry for every peer mentor grant, and
//! about 40 contacts per organization spread over its associations, some assigned to the demo
//! mentor, with caregivers and notes. Deterministic, so every demo database looks the same.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::care::model::{Assignment, Caregiver, Note};
use super::contacts::model::Contact;
use super::contacts::service::phone_key;
use super::mentors::service::ensure_profile;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    caregivers, contact_mentors, contacts, local_associations as la, organizations, peer_mentors,
    user_organization_roles as uor, users,
};
use crate::web::forms::search_key;

const CONTACTS_PER_ORG: usize = 40;

const FEMALE: [&str; 16] = [
    "Ingrid", "Kari", "Astrid", "Solveig", "Nora", "Emma", "Sofie", "Hanne", "Marit", "Sigrid",
    "Liv", "Ragnhild", "Tone", "Anne", "Maja", "Ida",
];
const MALE: [&str; 16] = [
    "Ole", "Lars", "Knut", "Per", "Jonas", "Henrik", "Magnus", "Arne", "Bjørn", "Terje", "Sindre",
    "Even", "Øyvind", "Håkon", "Jakob", "Aksel",
];
const LAST: [&str; 20] = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Bakken",
    "Solberg",
    "Strand",
    "Lunde",
];

const STREETS: [&str; 8] = [
    "Storgata",
    "Kirkeveien",
    "Skolegata",
    "Bjørkelia",
    "Fjellveien",
    "Sjøgata",
    "Løkkeveien",
    "Parkveien",
];

struct OrgStyle {
    groups: &'static [&'static str],
    sensitive: &'static [&'static str],
    children: bool,
}

fn style(short: &str) -> OrgStyle {
    match short {
        "Blindeforbundet" => OrgStyle {
            groups: &["Nylig synstap", "Sterkt svaksynt", "Blind", "Døvblind"],
            sensitive: &[
                "Retinitis pigmentosa, gradvis synstap siste fem år. Bor alene.",
                "Mistet synet etter slag i fjor. Trenger følge til første møte.",
            ],
            children: false,
        },
        "HLF" => OrgStyle {
            groups: &["Tinnitus", "CI-brukere", "Ménière", "Hørselshemmet"],
            sensitive: &[
                "Cochleaimplantat operert i vår. Foretrekker skriftlig kontakt.",
                "Plaget av tinnitus og søvnproblemer. Har vært sykmeldt.",
            ],
            children: false,
        },
        "Barnekreftforeningen" => OrgStyle {
            groups: &["Leukemi", "Hjernesvulst", "Lymfom", "Sarkom", "Nevroblastom"],
            sensitive: &[
                "Under cellegiftbehandling ved Rikshospitalet. Infeksjonsfare – avtal alltid på forhånd.",
                "Ferdig behandlet, til kontroll hver tredje måned. Søsken trenger også oppfølging.",
            ],
            children: true,
        },
        _ => OrgStyle {
            groups: &["Rullestolbrukere", "MS", "Revmatisme", "CP", "Amputerte"],
            sensitive: &[
                "Bruker elektrisk rullestol. Trenger trinnfri møteplass.",
                "MS med mye utmattelse. Korte møter fungerer best.",
            ],
            children: false,
        },
    }
}

fn ascii(s: &str) -> String {
    s.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "o")
        .replace('å', "a")
        .replace(' ', ".")
}

/// "NHF Oslo sentrum" → "Oslo"; "NHF Bærum" → "Bærum".
fn municipality(association: &str, short: &str) -> String {
    let town = association
        .strip_prefix(short)
        .unwrap_or(association)
        .trim();
    if town.starts_with("Oslo") {
        "Oslo".into()
    } else {
        town.to_string()
    }
}

fn phone(org_i: usize, i: usize) -> String {
    let n = format!("4{org_i}{i:02}{:04}", (i * 7919 + org_i * 131) % 10000);
    format!("{} {} {}", &n[0..3], &n[3..5], &n[5..8])
}

fn active_grants(conn: &mut DbConn, org: &str, role: &str, user: &str) -> QueryResult<Vec<String>> {
    Ok(uor::table
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq(role))
        .filter(uor::user_id.eq(user))
        .filter(uor::revoked_at.is_null())
        .select(uor::local_association_id)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect())
}

fn user_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<String>> {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)
        .optional()
}

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    crate::db::tx(conn, |tx| -> anyhow::Result<()> {
        // A profile for every peer mentor grant.
        let pairs: Vec<(String, Option<String>)> = uor::table
            .filter(uor::role_id.eq("peer_mentor"))
            .filter(uor::revoked_at.is_null())
            .select((uor::user_id, uor::organization_id))
            .distinct()
            .load(tx.conn)?;
        for (user, org) in pairs {
            if let Some(org) = org {
                let p = ensure_profile(tx.conn, &user, &org)?;
                diesel::update(peer_mentors::table.find(&p.id))
                    .set((
                        peer_mentors::availability
                            .eq("Ettermiddager og kvelder, helst tirsdag og torsdag"),
                        peer_mentors::languages.eq("Norsk, engelsk"),
                        peer_mentors::max_contacts.eq(10),
                    ))
                    .execute(tx.conn)?;
            }
        }
        let t = now();
        for (org_i, (_, short, _, domain)) in crate::seed::DEMO_ORGS.iter().enumerate() {
            let Some(org) = organizations::table
                .filter(organizations::short_name.eq(short))
                .select(organizations::id)
                .first::<String>(tx.conn)
                .optional()?
            else {
                continue;
            };
            let associations: Vec<(String, String)> = la::table
                .filter(la::organization_id.eq(&org))
                .order(la::name_key.asc())
                .select((la::id, la::name))
                .load(tx.conn)?;
            if associations.is_empty() {
                continue;
            }
            let (Some(mentor), Some(coordinator)) = (
                user_by_email(tx.conn, &format!("mentor@{domain}"))?,
                user_by_email(tx.conn, &format!("coordinator@{domain}"))?,
            ) else {
                continue;
            };
            let mentor_assocs = active_grants(tx.conn, &org, "peer_mentor", &mentor)?;
            let coord_assocs = active_grants(tx.conn, &org, "coordinator", &coordinator)?;
            let coord_mentor_assocs = active_grants(tx.conn, &org, "peer_mentor", &coordinator)?;
            let st = style(short);
            let mut mentor_given = 0;
            let mut coordinator_given = 0;
            let mut in_scope = 0usize;
            for i in 0..CONTACTS_PER_ORG {
                let assoc = if i % 3 != 2 && !coord_assocs.is_empty() {
                    in_scope += 1;
                    coord_assocs[in_scope % coord_assocs.len()].clone()
                } else {
                    associations[(i * 7 + org_i) % associations.len()].0.clone()
                };
                let assoc_name = associations
                    .iter()
                    .find(|(id, _)| *id == assoc)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                let female = (i + org_i) % 2 == 0;
                let first = if female {
                    FEMALE[(i * 5 + org_i * 3) % FEMALE.len()]
                } else {
                    MALE[(i * 5 + org_i * 3) % MALE.len()]
                };
                let last = LAST[(i * 7 + org_i * 3) % LAST.len()];
                let name = format!("{first} {last}");
                let birth_year = if st.children {
                    2008 + ((i * 5 + org_i) % 16) as i32
                } else {
                    1942 + ((i * 13 + org_i * 7) % 60) as i32
                };
                // Young children have no phone of their own; their parents do.
                let ph =
                    (i % 7 != 3 && !(st.children && birth_year > 2011)).then(|| phone(org_i, i));
                let consent = i % 6 != 5;
                let c = Contact {
                    id: new_id(),
                    organization_id: org.clone(),
                    local_association_id: assoc.clone(),
                    name_key: search_key(&name),
                    name: name.clone(),
                    birth_year: Some(birth_year),
                    phone_key: ph.as_deref().map(phone_key),
                    phone: ph,
                    email: (i % 3 == 0 && !st.children)
                        .then(|| format!("{}.{}@example.no", ascii(first), ascii(last))),
                    municipality: Some(municipality(&assoc_name, short)),
                    interest_group: Some(st.groups[i % st.groups.len()].to_string()),
                    sensitive_notes: (i % 4 == 0)
                        .then(|| st.sensitive[(i / 4) % st.sensitive.len()].to_string()),
                    consent_given: consent,
                    consent_on: consent.then(|| {
                        NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
                            + Duration::days((i * 9) as i64)
                    }),
                    is_active: true,
                    created_by: Some(coordinator.clone()),
                    created_at: t - Duration::days((CONTACTS_PER_ORG - i) as i64),
                    updated_at: t,
                    // An address for home visits, for most.
                    street_address: (i % 4 != 1).then(|| {
                        format!(
                            "{} {}",
                            STREETS[(i + org_i) % STREETS.len()],
                            1 + i * 3 % 40
                        )
                    }),
                    postal_code: (i % 4 != 1).then(|| format!("{:04}", 150 + i * 37 % 9000)),
                    postal_place: (i % 4 != 1).then(|| municipality(&assoc_name, short)),
                    erased_at: None,
                };
                diesel::insert_into(contacts::table)
                    .values(&c)
                    .execute(tx.conn)?;
                // Caregivers: both parents of every child; a next of kin for some adults.
                let kin: Vec<(String, &str)> = if st.children {
                    vec![
                        (format!("{} {last}", FEMALE[(i + 7) % FEMALE.len()]), "Mor"),
                        (format!("{} {last}", MALE[(i + 3) % MALE.len()]), "Far"),
                    ]
                } else if i % 5 == 0 {
                    vec![(
                        format!("{} {last}", FEMALE[(i + 2) % FEMALE.len()]),
                        if birth_year < 1960 {
                            "Datter"
                        } else {
                            "Ektefelle"
                        },
                    )]
                } else {
                    Vec::new()
                };
                for (k, (kname, relation)) in kin.into_iter().enumerate() {
                    diesel::insert_into(caregivers::table)
                        .values(&Caregiver {
                            id: new_id(),
                            contact_id: c.id.clone(),
                            email: Some(format!("{}@example.no", ascii(&kname))),
                            name: kname,
                            relation: relation.into(),
                            phone: Some(phone(org_i + 5, (i * 2 + k) % 100)),
                            may_contact: true,
                            created_at: c.created_at,
                            updated_at: c.created_at,
                        })
                        .execute(tx.conn)?;
                }
                // Assignments: several to the demo mentor, a couple to the coordinator (who
                // is a peer mentor too).
                let to = if mentor_given < 6 && mentor_assocs.contains(&assoc) {
                    mentor_given += 1;
                    Some(&mentor)
                } else if coordinator_given < 2 && coord_mentor_assocs.contains(&assoc) {
                    coordinator_given += 1;
                    Some(&coordinator)
                } else {
                    None
                };
                if let Some(user) = to {
                    diesel::insert_into(contact_mentors::table)
                        .values(&Assignment {
                            id: new_id(),
                            contact_id: c.id.clone(),
                            user_id: user.clone(),
                            assigned_by: Some(coordinator.clone()),
                            assigned_at: c.created_at,
                            ended_at: None,
                        })
                        .execute(tx.conn)?;
                    for (d, body) in [
                        (20, "Første samtale gjennomført. Vi avtalte å snakkes igjen om to uker."),
                        (6, "Ringte for å høre hvordan det går. Ønsker å bli med på neste gruppemøte."),
                    ] {
                        diesel::insert_into(crate::schema::notes::table)
                            .values(&Note {
                                id: new_id(),
                                contact_id: c.id.clone(),
                                author_id: user.clone(),
                                body: body.into(),
                                created_at: t - Duration::days(d + i as i64 % 5),
                            })
                            .execute(tx.conn)?;
                    }
                }
            }
        }
        Ok(())
    })
}
