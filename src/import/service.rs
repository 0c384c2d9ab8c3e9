//! Bulk import for an organization moving in: mentors and coordinators (invited through the
//! invitation flow, `users::invitations::invite_to`) and contacts, from a CSV or XLSX file.
//! The file is kept in the object store as an import batch; its preview checks every row and
//! names each row's problems; running it checks again and imports the good rows in one
//! transaction (the batch is claimed with one conditional UPDATE, so it runs once), records
//! which rows were rejected and why, and writes one audit entry.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::read::Table;
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::people::contacts::model::{Contact, ContactChanges};
use crate::people::contacts::service::{check_contact, phone_key, ContactForm};
use crate::schema::{
    contacts, import_batches as ib, invitations as inv, local_associations as la,
    user_organization_roles as uor, users,
};
use crate::users::invitations::{invite_to, InviteForm, Invited};
use crate::web::forms;
use crate::web::{AppError, AppResult};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = ib)]
pub struct Batch {
    pub id: String,
    pub organization_id: String,
    pub kind: String,
    pub file_name: String,
    pub storage_key: String,
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub imported: i32,
    pub rejected: i32,
    pub result: Option<String>,
}

/// What can be imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Mentors,
    Contacts,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "mentors" => Some(Kind::Mentors),
            "contacts" => Some(Kind::Contacts),
            _ => None,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Kind::Mentors => "mentors",
            Kind::Contacts => "contacts",
        }
    }
    /// The columns: field, the header names accepted (compared in lower case without spaces,
    /// dashes, dots or underscores), required.
    pub fn columns(self) -> &'static [(&'static str, &'static [&'static str], bool)] {
        match self {
            Kind::Mentors => &[
                ("name", &["navn", "name"], true),
                ("email", &["e-post", "email", "mail"], true),
                ("role", &["rolle", "role"], true),
                (
                    "association",
                    &["lokallag", "association", "local association"],
                    true,
                ),
            ],
            Kind::Contacts => &[
                ("name", &["navn", "name"], true),
                (
                    "association",
                    &["lokallag", "association", "local association"],
                    true,
                ),
                (
                    "birth_year",
                    &["fødselsår", "birth year", "fodselsar"],
                    false,
                ),
                ("phone", &["telefon", "phone", "mobil"], false),
                ("email", &["e-post", "email", "mail"], false),
                ("municipality", &["kommune", "municipality"], false),
            ],
        }
    }
}

fn header_key(h: &str) -> String {
    h.to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
        .collect()
}

/// Where each field's column is; `Err`: the fields whose required column is missing.
pub fn column_map(
    kind: Kind,
    headers: &[String],
) -> Result<HashMap<&'static str, usize>, Vec<&'static str>> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut map = HashMap::new();
    let mut missing = Vec::new();
    for (field, names, required) in kind.columns() {
        match keys
            .iter()
            .position(|k| names.iter().any(|n| header_key(n) == *k))
        {
            Some(i) => {
                map.insert(*field, i);
            }
            None if *required => missing.push(*field),
            None => {}
        }
    }
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(missing)
    }
}

/// One data row and what is wrong with it (label keys; empty when it can be imported).
#[derive(Clone, Debug)]
pub struct RowCheck {
    /// The row's line in the file (the header is line 1).
    pub line: usize,
    pub values: Vec<String>,
    pub problems: Vec<&'static str>,
    prepared: Prepared,
}

#[derive(Clone, Debug)]
enum Prepared {
    Mentor(InviteForm),
    Contact(Box<ContactChanges>),
    Nothing,
}

/// The checked file.
#[derive(Debug)]
pub struct Checked {
    pub headers: Vec<String>,
    pub rows: Vec<RowCheck>,
}

impl Checked {
    pub fn good(&self) -> usize {
        self.rows.iter().filter(|r| r.problems.is_empty()).count()
    }
    pub fn bad(&self) -> usize {
        self.rows.len() - self.good()
    }
}

/// The organization's active associations by lower-cased name and short code.
fn associations(conn: &mut DbConn, org: &str) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String, Option<String>)> = la::table
        .filter(la::organization_id.eq(org))
        .filter(la::is_active.eq(true))
        .select((la::id, la::name, la::short_code))
        .load(conn)?;
    let mut map = HashMap::new();
    for (id, name, code) in rows {
        if let Some(c) = code.filter(|c| !c.is_empty()) {
            map.insert(forms::search_key(&c), id.clone());
        }
        map.insert(forms::search_key(&name), id);
    }
    Ok(map)
}

fn parse_role(s: &str) -> Option<Role> {
    match forms::search_key(s).as_str() {
        "peer_mentor" | "likeperson" | "peer mentor" | "mentor" => Some(Role::PeerMentor),
        "coordinator" | "koordinator" => Some(Role::Coordinator),
        _ => None,
    }
}

/// Checks every row of the table against the organization as it is now.
pub fn check(
    conn: &mut DbConn,
    org: &str,
    kind: Kind,
    table: &Table,
) -> AppResult<Result<Checked, Vec<&'static str>>> {
    let cols = match column_map(kind, &table.headers) {
        Ok(c) => c,
        Err(missing) => return Ok(Err(missing)),
    };
    let assocs = associations(conn, org)?;
    let get = |row: &Vec<String>, field: &str| -> String {
        cols.get(field)
            .and_then(|i| row.get(*i))
            .cloned()
            .unwrap_or_default()
    };
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        let mut problems: Vec<&'static str> = Vec::new();
        let assoc_name = get(row, "association");
        let assoc = assocs.get(&forms::search_key(&assoc_name)).cloned();
        if assoc.is_none() {
            problems.push("import.err_association");
        }
        let prepared = match kind {
            Kind::Mentors => {
                let name = forms::fold_whitespace(&get(row, "name"));
                let email = get(row, "email").trim().to_lowercase();
                let role = parse_role(&get(row, "role"));
                if name.is_empty() {
                    problems.push("import.err_name");
                } else if name.chars().count() > 200 {
                    problems.push("err.too_long");
                }
                if !forms::is_email(&email) {
                    problems.push("import.err_email");
                }
                if role.is_none() {
                    problems.push("import.err_role");
                }
                if !email.is_empty() && !seen.insert(email.clone()) {
                    problems.push("import.err_duplicate");
                }
                match (role, &assoc) {
                    (Some(role), Some(assoc)) if problems.is_empty() => {
                        Prepared::Mentor(InviteForm {
                            email,
                            name,
                            role: role.key().to_string(),
                            association_id: assoc.clone(),
                        })
                    }
                    _ => Prepared::Nothing,
                }
            }
            Kind::Contacts => {
                let form = ContactForm {
                    name: get(row, "name"),
                    birth_year: get(row, "birth_year"),
                    phone: get(row, "phone"),
                    email: get(row, "email"),
                    municipality: get(row, "municipality"),
                    association_id: assoc.clone().unwrap_or_default(),
                    ..Default::default()
                };
                let allowed: Vec<String> = assoc.iter().cloned().collect();
                match check_contact(&form, &allowed) {
                    Err(errors) => {
                        for (field, _) in errors.all() {
                            let key = match *field {
                                "name" => "import.err_name",
                                "birth_year" => "import.err_birth_year",
                                "phone" => "import.err_phone",
                                "email" => "import.err_email",
                                "association_id" => continue,
                                _ => "import.err_value",
                            };
                            if !problems.contains(&key) {
                                problems.push(key);
                            }
                        }
                        Prepared::Nothing
                    }
                    Ok(c) if assoc.is_some() => {
                        let mut keys = vec![format!(
                            "n:{}:{}",
                            c.name_key,
                            c.birth_year.map(|y| y.to_string()).unwrap_or_default()
                        )];
                        if let Some(p) = c.phone_key.as_ref().filter(|p| !p.is_empty()) {
                            keys.push(format!("p:{p}"));
                        }
                        let fresh = keys.iter().all(|k| !seen.contains(k));
                        seen.extend(keys);
                        if !fresh {
                            problems.push("import.err_duplicate");
                        }
                        Prepared::Contact(Box::new(c))
                    }
                    Ok(_) => Prepared::Nothing,
                }
            }
        };
        out.push(RowCheck {
            line: i + 2,
            values: row.clone(),
            problems,
            prepared,
        });
    }
    mark_existing(conn, org, &mut out)?;
    Ok(Ok(Checked {
        headers: table.headers.clone(),
        rows: out,
    }))
}

/// Rows per lookup of what exists already (bound values per statement stay well under the
/// backends' limits).
const CHUNK: usize = 500;

/// Marks the rows that are there already: a mentor with this role in this association (a
/// current grant or an invitation that waits), a contact with the same name and birth year
/// or the same phone. Looked up a chunk of rows at a time, not row by row.
fn mark_existing(conn: &mut DbConn, org: &str, rows: &mut [RowCheck]) -> QueryResult<()> {
    let emails: Vec<String> = rows
        .iter()
        .filter_map(|r| match &r.prepared {
            Prepared::Mentor(f) if r.problems.is_empty() => Some(f.email.clone()),
            _ => None,
        })
        .collect();
    let mut members: HashSet<(String, String, String)> = HashSet::new();
    for chunk in emails.chunks(CHUNK) {
        let granted: Vec<(String, String, Option<String>)> = uor::table
            .inner_join(users::table.on(users::id.eq(uor::user_id)))
            .filter(users::email.eq_any(chunk))
            .filter(uor::organization_id.eq(org))
            .filter(uor::revoked_at.is_null())
            .select((users::email, uor::role_id, uor::local_association_id))
            .load(conn)?;
        let waiting: Vec<(String, String, Option<String>)> = inv::table
            .filter(inv::organization_id.eq(org))
            .filter(inv::email.eq_any(chunk))
            .filter(inv::status.eq("pending"))
            .filter(inv::expires_at.gt(now()))
            .select((inv::email, inv::role_id, inv::local_association_id))
            .load(conn)?;
        members.extend(
            granted
                .into_iter()
                .chain(waiting)
                .map(|(e, r, a)| (e, r, a.unwrap_or_default())),
        );
    }
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| match &r.prepared {
            Prepared::Contact(c) if r.problems.is_empty() && c.birth_year.is_some() => {
                Some(c.name_key.clone())
            }
            _ => None,
        })
        .collect();
    let phones: Vec<String> = rows
        .iter()
        .filter_map(|r| match &r.prepared {
            Prepared::Contact(c) if r.problems.is_empty() => {
                c.phone_key.clone().filter(|p| !p.is_empty())
            }
            _ => None,
        })
        .collect();
    let mut people: HashSet<(String, Option<i32>)> = HashSet::new();
    for chunk in names.chunks(CHUNK) {
        people.extend(
            contacts::table
                .filter(contacts::organization_id.eq(org))
                .filter(contacts::name_key.eq_any(chunk))
                .select((contacts::name_key, contacts::birth_year))
                .load::<(String, Option<i32>)>(conn)?,
        );
    }
    let mut numbers: HashSet<String> = HashSet::new();
    for chunk in phones.chunks(CHUNK) {
        numbers.extend(
            contacts::table
                .filter(contacts::organization_id.eq(org))
                .filter(contacts::phone_key.eq_any(chunk))
                .select(contacts::phone_key.assume_not_null())
                .load::<String>(conn)?,
        );
    }
    for r in rows.iter_mut().filter(|r| r.problems.is_empty()) {
        let exists = match &r.prepared {
            Prepared::Mentor(f) => {
                members.contains(&(f.email.clone(), f.role.clone(), f.association_id.clone()))
            }
            Prepared::Contact(c) => {
                (c.birth_year.is_some() && people.contains(&(c.name_key.clone(), c.birth_year)))
                    || c.phone_key
                        .as_ref()
                        .is_some_and(|p| !p.is_empty() && numbers.contains(p))
            }
            Prepared::Nothing => false,
        };
        if exists {
            r.problems.push(match r.prepared {
                Prepared::Mentor(_) => "import.err_already_member",
                _ => "import.err_exists",
            });
        }
    }
    Ok(())
}

/// Records an uploaded file as a batch waiting for its preview to be confirmed.
pub fn create_batch(
    conn: &mut DbConn,
    actor: &Actor,
    kind: Kind,
    file_name: &str,
    storage_key: &str,
) -> AppResult<String> {
    actor.require(&[Role::OrgAdmin])?;
    let b = Batch {
        id: new_id(),
        organization_id: actor.org()?.to_string(),
        kind: kind.key().to_string(),
        file_name: crate::documents::upload::display_name(file_name, "csv")
            .trim_end_matches(".csv")
            .to_string(),
        storage_key: storage_key.to_string(),
        status: "pending".into(),
        created_by: actor.user_id.clone(),
        created_at: now(),
        finished_at: None,
        imported: 0,
        rejected: 0,
        result: None,
    };
    diesel::insert_into(ib::table).values(&b).execute(conn)?;
    Ok(b.id)
}

/// A batch of the actor's organization, or 404.
pub fn batch(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Batch> {
    actor.require(&[Role::OrgAdmin])?;
    ib::table
        .filter(ib::id.eq(id))
        .filter(ib::organization_id.eq(actor.org()?.to_string()))
        .select(Batch::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The organization's latest batches.
pub fn recent(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Batch>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(ib::table
        .filter(ib::organization_id.eq(actor.org()?.to_string()))
        .order((ib::created_at.desc(), ib::id.desc()))
        .limit(10)
        .select(Batch::as_select())
        .load(conn)?)
}

/// What a run did.
pub enum Ran {
    Done {
        imported: usize,
        rejected: usize,
        invited: Vec<Invited>,
    },
    /// Another run (or a second click) was first.
    AlreadyRun,
    /// The file's columns do not fit (checked at upload, so only if the file changed).
    Columns(Vec<&'static str>),
}

/// Imports the good rows of a batch in one transaction: claims it (`pending` → `done`, one
/// conditional UPDATE), checks every row again, invites or inserts the good ones, records the
/// rejected rows, and writes one audit entry. Anything failing rolls all of it back.
pub fn run(conn: &mut DbConn, actor: &Actor, id: &str, table: &Table) -> AppResult<Ran> {
    let b = batch(conn, actor, id)?;
    let kind = Kind::parse(&b.kind).ok_or(AppError::NotFound)?;
    let org = b.organization_id.clone();
    crate::db::tx(conn, |tx| {
        let claimed = diesel::update(
            ib::table
                .filter(ib::id.eq(&b.id))
                .filter(ib::status.eq("pending")),
        )
        .set((ib::status.eq("done"), ib::finished_at.eq(now())))
        .execute(tx.conn)?;
        if claimed == 0 {
            return Ok(Ran::AlreadyRun);
        }
        let checked = match check(tx.conn, &org, kind, table)? {
            Ok(c) => c,
            Err(missing) => return Ok(Ran::Columns(missing)),
        };
        let mut invited = Vec::new();
        let mut imported = 0usize;
        let mut rejected: Vec<(usize, Vec<&'static str>)> = Vec::new();
        let t = now();
        for row in &checked.rows {
            if !row.problems.is_empty() {
                rejected.push((row.line, row.problems.clone()));
                continue;
            }
            match &row.prepared {
                Prepared::Mentor(form) => match invite_to(tx.conn, actor, &org, form)? {
                    Ok(i) => {
                        invited.push(i);
                        imported += 1;
                    }
                    Err(_) => rejected.push((row.line, vec!["import.err_value"])),
                },
                Prepared::Contact(c) => {
                    let contact = Contact {
                        id: new_id(),
                        organization_id: org.clone(),
                        local_association_id: c.local_association_id.clone(),
                        name: c.name.clone(),
                        name_key: c.name_key.clone(),
                        birth_year: c.birth_year,
                        phone: c.phone.clone(),
                        phone_key: c.phone.as_deref().map(phone_key),
                        email: c.email.clone(),
                        municipality: c.municipality.clone(),
                        interest_group: None,
                        sensitive_notes: None,
                        consent_given: false,
                        consent_on: None,
                        is_active: true,
                        created_by: Some(actor.user_id.clone()),
                        created_at: t,
                        updated_at: t,
                        street_address: None,
                        postal_code: None,
                        postal_place: None,
                        erased_at: None,
                    };
                    diesel::insert_into(contacts::table)
                        .values(&contact)
                        .execute(tx.conn)?;
                    imported += 1;
                }
                Prepared::Nothing => rejected.push((row.line, vec!["import.err_value"])),
            }
        }
        let result = serde_json::to_string(
            &rejected
                .iter()
                .map(|(l, p)| serde_json::json!({ "line": l, "problems": p }))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        diesel::update(ib::table.find(&b.id))
            .set((
                ib::imported.eq(imported as i32),
                ib::rejected.eq(rejected.len() as i32),
                ib::result.eq(Some(result)),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            crate::engagement::audit_event(
                actor,
                &org,
                "import.completed",
                "import_batch",
                &b.id,
                serde_json::json!({
                    "kind": kind.key(),
                    "imported": imported,
                    "rejected": rejected.len(),
                }),
            ),
        )?;
        Ok(Ran::Done {
            imported,
            rejected: rejected.len(),
            invited,
        })
    })
}

/// The rejected rows of a finished batch: line number → problems.
pub fn rejected_lines(b: &Batch) -> HashMap<usize, Vec<String>> {
    let parsed: Vec<serde_json::Value> = b
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    parsed
        .into_iter()
        .filter_map(|v| {
            let line = v.get("line")?.as_u64()? as usize;
            let problems = v
                .get("problems")?
                .as_array()?
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect();
            Some((line, problems))
        })
        .collect()
}
