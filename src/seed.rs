//! Demo data: the four organizations with regions, 20 local associations each, and the demo
//! accounts; and `create-admin` for a real installation. Seeding a database that already holds
//! data changes nothing.

use diesel::prelude::*;

use crate::access::Role;
use crate::auth::password;
use crate::db::{new_id, now, DbConn};
use crate::orgs::model::{LocalAssociation, Organization, Region};
use crate::schema::{
    local_associations, organizations, regions, settings, user_organization_roles, users,
};
use crate::users::model::{RoleGrant, Setting, User};

pub const DEFAULT_DEMO_PASSWORD: &str = "likeperson-demo";

/// (name, short name, organization number, e-mail domain)
pub const DEMO_ORGS: [(&str, &str, &str, &str); 4] = [
    ("Norges Handikapforbund", "NHF", "974760673", "nhf.example"),
    (
        "Norges Blindeforbund",
        "Blindeforbundet",
        "",
        "blindeforbundet.example",
    ),
    ("Hørselshemmedes Landsforbund", "HLF", "", "hlf.example"),
    (
        "Barnekreftforeningen",
        "Barnekreftforeningen",
        "",
        "barnekreftforeningen.example",
    ),
];

const REGIONS: [(&str, &str, [&str; 3]); 9] = [
    ("Oslo", "OSL", ["Oslo sentrum", "Oslo øst", ""]),
    ("Viken", "VIK", ["Bærum", "Drammen", "Fredrikstad"]),
    ("Innlandet", "INN", ["Hamar", "Lillehammer", "Gjøvik"]),
    ("Agder", "AGD", ["Kristiansand", "Arendal", ""]),
    ("Rogaland", "ROG", ["Stavanger", "Haugesund", ""]),
    ("Vestland", "VES", ["Bergen", "Førde", ""]),
    ("Møre og Romsdal", "MOR", ["Ålesund", "Molde", ""]),
    ("Trøndelag", "TRO", ["Trondheim", "Steinkjer", ""]),
    ("Nord-Norge", "NNO", ["Tromsø", "Bodø", ""]),
];

pub enum SeedOutcome {
    Created {
        organizations: usize,
        associations: usize,
        users: usize,
    },
    AlreadyHasData,
}

pub fn has_data(conn: &mut DbConn) -> QueryResult<bool> {
    Ok(organizations::table.count().get_result::<i64>(conn)? > 0
        || users::table.count().get_result::<i64>(conn)? > 0)
}

pub fn demo(conn: &mut DbConn, demo_password: &str) -> anyhow::Result<SeedOutcome> {
    if has_data(conn)? {
        return Ok(SeedOutcome::AlreadyHasData);
    }
    // One hash for every demo account: they share the password anyway, and seeding stays fast.
    demo_with_hash(conn, &password::hash(demo_password))
}

/// Seeds the demo data with an already hashed password (the tests hash once per run).
pub fn demo_with_hash(conn: &mut DbConn, hash: &str) -> anyhow::Result<SeedOutcome> {
    if has_data(conn)? {
        return Ok(SeedOutcome::AlreadyHasData);
    }
    let t = now();
    let mut orgs = Vec::new();
    let mut regs = Vec::new();
    let mut assocs = Vec::new();
    let mut people = Vec::new();
    let mut prefs = Vec::new();
    let mut grants = Vec::new();
    let mut person = |email: String, name: String| {
        let mut u = User::new(&email, &name, Some(hash.to_string()));
        u.created_at = t;
        prefs.push(Setting::defaults(&u.id));
        let id = u.id.clone();
        people.push(u);
        id
    };
    for (name, short, number, domain) in DEMO_ORGS {
        let org = Organization {
            id: new_id(),
            name: name.into(),
            short_name: short.into(),
            org_number: (!number.is_empty()).then(|| number.to_string()),
            default_locale: "nb".into(),
            is_active: true,
            created_at: t,
            updated_at: t,
        };
        let mut org_assocs: Vec<String> = Vec::new();
        for (rname, rcode, towns) in REGIONS {
            let region = Region {
                id: new_id(),
                organization_id: org.id.clone(),
                name: rname.into(),
                code: Some(rcode.into()),
                is_active: true,
                created_at: t,
                updated_at: t,
            };
            for (i, town) in towns.iter().filter(|t| !t.is_empty()).enumerate() {
                let a_name = format!("{short} {town}");
                let code = format!(
                    "{}-{}{}",
                    short.chars().take(3).collect::<String>().to_uppercase(),
                    rcode,
                    i + 1
                );
                let a = LocalAssociation {
                    id: new_id(),
                    organization_id: org.id.clone(),
                    region_id: Some(region.id.clone()),
                    name_key: crate::web::forms::search_key(&a_name),
                    name: a_name,
                    short_code: Some(code.clone()),
                    contact_email: Some(format!("{}@{domain}", code.to_lowercase())),
                    contact_phone: Some(format!("+47 22 00 {:02} {:02}", org_assocs.len(), i)),
                    address: None,
                    is_active: true,
                    external_id: (short == "HLF").then(|| format!("DYN-{code}")),
                    metadata: Some(serde_json::json!({ "bufdir_code": code }).to_string()),
                    created_at: t,
                    updated_at: t,
                };
                org_assocs.push(a.id.clone());
                assocs.push(a);
            }
            regs.push(region);
        }
        let org_id = org.id.clone();
        let mentor = person(format!("mentor@{domain}"), format!("Mona Mentor ({short})"));
        grants.push(RoleGrant::new(
            &mentor,
            Some(&org_id),
            Role::PeerMentor,
            Some(&org_assocs[0]),
            None,
        ));
        if short == "NHF" {
            // NHF mentors may belong to several associations.
            grants.push(RoleGrant::new(
                &mentor,
                Some(&org_id),
                Role::PeerMentor,
                Some(&org_assocs[1]),
                None,
            ));
        }
        let coordinator = person(
            format!("coordinator@{domain}"),
            format!("Kari Koordinator ({short})"),
        );
        for a in &org_assocs[0..3] {
            grants.push(RoleGrant::new(
                &coordinator,
                Some(&org_id),
                Role::Coordinator,
                Some(a),
                None,
            ));
        }
        // The coordinator is a peer mentor too, and switches context in the header.
        grants.push(RoleGrant::new(
            &coordinator,
            Some(&org_id),
            Role::PeerMentor,
            Some(&org_assocs[0]),
            None,
        ));
        let admin = person(format!("admin@{domain}"), format!("Ada Admin ({short})"));
        grants.push(RoleGrant::new(
            &admin,
            Some(&org_id),
            Role::OrgAdmin,
            None,
            None,
        ));
        orgs.push(org);
    }
    let global = person("global@likeperson.example".into(), "Gunnar Global".into());
    grants.push(RoleGrant::new(&global, None, Role::GlobalAdmin, None, None));

    let counts = (orgs.len(), assocs.len(), people.len());
    crate::db::tx(conn, |tx| -> Result<(), diesel::result::Error> {
        // One statement per row: batch inserts are not available through the two-backend
        // connection type, and this is a one-off of about 150 rows.
        for o in &orgs {
            diesel::insert_into(organizations::table)
                .values(o)
                .execute(tx.conn)?;
        }
        for r in &regs {
            diesel::insert_into(regions::table)
                .values(r)
                .execute(tx.conn)?;
        }
        for a in &assocs {
            diesel::insert_into(local_associations::table)
                .values(a)
                .execute(tx.conn)?;
        }
        for u in &people {
            diesel::insert_into(users::table)
                .values(u)
                .execute(tx.conn)?;
        }
        for s in &prefs {
            diesel::insert_into(settings::table)
                .values(s)
                .execute(tx.conn)?;
        }
        for g in &grants {
            diesel::insert_into(user_organization_roles::table)
                .values(g)
                .execute(tx.conn)?;
        }
        crate::audit::service::append(
            tx,
            crate::audit::service::Event {
                action: "seed.demo",
                ..Default::default()
            },
        )?;
        Ok(())
    })?;
    // Each domain adds its demo data on top of the structure: people first (contacts are
    // assigned to mentors), then a year of activities with them.
    crate::db::tx(conn, |tx| -> anyhow::Result<()> {
        crate::people::seed::seed_demo(tx.conn)?;
        crate::activities::seed::seed_demo(tx.conn)?;
        crate::events::seed::seed_demo(tx.conn)?;
        crate::expenses::seed::seed_demo(tx.conn)?;
        crate::notifications::seed::seed_demo(tx.conn)?;
        crate::engagement::seed::seed_demo(tx.conn)?;
        crate::learning::seed::seed_demo(tx.conn)?;
        // Last after everything a summary counts.
        crate::reports::wrapped::seed::seed_demo(tx.conn)?;
        Ok(())
    })?;
    Ok(SeedOutcome::Created {
        organizations: counts.0,
        associations: counts.1,
        users: counts.2,
    })
}

/// Creates a global administrator, or gives an existing user that role.
/// Demo data that is encrypted at rest (assignments): seeded after `demo`, once the master keys
/// are open.
pub fn demo_encrypted(
    conn: &mut DbConn,
    keys: &crate::assignments::keys::KeyStore,
) -> anyhow::Result<()> {
    crate::assignments::seed::seed_demo(conn, keys)
}

pub fn create_admin(
    conn: &mut DbConn,
    email: &str,
    name: &str,
    pass: &str,
) -> anyhow::Result<String> {
    let email = email.trim().to_lowercase();
    if !crate::web::forms::is_email(&email) {
        anyhow::bail!("not a valid e-mail address: {email}");
    }
    if let Err(key) = password::validate_new(pass, &[&email]) {
        anyhow::bail!(
            "{}",
            crate::labels::default_text(key, crate::labels::Lang::En).unwrap_or(key)
        );
    }
    let hash = password::hash(pass);
    crate::db::tx(conn, |tx| -> anyhow::Result<String> {
        let existing: Option<String> = users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .first(tx.conn)
            .optional()?;
        let id = match existing {
            Some(id) => {
                diesel::update(users::table.find(&id))
                    .set((users::password_hash.eq(&hash), users::is_active.eq(true)))
                    .execute(tx.conn)?;
                id
            }
            None => {
                let u = User::new(&email, name, Some(hash.clone()));
                diesel::insert_into(users::table)
                    .values(&u)
                    .execute(tx.conn)?;
                diesel::insert_into(settings::table)
                    .values(&Setting::defaults(&u.id))
                    .execute(tx.conn)?;
                u.id
            }
        };
        let has: i64 = user_organization_roles::table
            .filter(user_organization_roles::user_id.eq(&id))
            .filter(user_organization_roles::role_id.eq(Role::GlobalAdmin.key()))
            .filter(user_organization_roles::revoked_at.is_null())
            .count()
            .get_result(tx.conn)?;
        if has == 0 {
            diesel::insert_into(user_organization_roles::table)
                .values(&RoleGrant::new(&id, None, Role::GlobalAdmin, None, None))
                .execute(tx.conn)?;
        }
        crate::audit::service::append(
            tx,
            crate::audit::service::Event {
                action: "role.assigned",
                target_type: Some("user"),
                target_id: Some(&id),
                detail: Some(serde_json::json!({ "role": "global_admin", "via": "create-admin" })),
                ..Default::default()
            },
        )?;
        Ok(id)
    })
}
