//! Rules for organizations, regions and local associations. Every query is scoped by the actor:
//! another organization's or association's record is simply not found.

use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Deserialize;

use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::schema::{local_associations as la, organizations, regions};
use crate::web::forms::{self, opt, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

// ---------------------------------------------------------------- organizations (global admin)

pub fn organizations(conn: &mut DbConn) -> QueryResult<Vec<Organization>> {
    organizations::table
        .order(organizations::name.asc())
        .select(Organization::as_select())
        .load(conn)
}

pub fn organization(conn: &mut DbConn, id: &str) -> QueryResult<Option<Organization>> {
    organizations::table
        .find(id)
        .select(Organization::as_select())
        .first(conn)
        .optional()
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct OrganizationForm {
    pub name: String,
    pub short_name: String,
    pub org_number: String,
    pub default_locale: String,
    pub is_active: Option<String>,
}

impl OrganizationForm {
    pub fn from(o: &Organization) -> OrganizationForm {
        OrganizationForm {
            name: o.name.clone(),
            short_name: o.short_name.clone(),
            org_number: o.org_number.clone().unwrap_or_default(),
            default_locale: o.default_locale.clone(),
            is_active: o.is_active.then(|| "on".into()),
        }
    }
}

fn check_len(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, "err.too_long");
    }
}

/// Creates (`id` None) or updates an organization; global admin only.
pub fn save_organization(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &OrganizationForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::GlobalAdmin])?;
    let mut errors = FieldErrors::new();
    let name = f.name.trim().to_string();
    let short = f.short_name.trim().to_string();
    let number = opt(&Some(f.org_number.clone())).map(|n| n.replace(' ', ""));
    if name.is_empty() {
        errors.add("name", "err.required");
    }
    check_len(&mut errors, "name", &name, 200);
    if short.is_empty() {
        errors.add("short_name", "err.required");
    }
    check_len(&mut errors, "short_name", &short, 30);
    if let Some(n) = &number {
        if !forms::is_org_number(n) {
            errors.add("org_number", "err.org_number");
        }
    }
    let locale = if f.default_locale == "en" { "en" } else { "nb" };
    let others = |conn: &mut DbConn, col: &str, v: &str| -> QueryResult<i64> {
        let mut q = organizations::table.into_boxed();
        q = if col == "name" {
            q.filter(organizations::name.eq(v.to_string()))
        } else {
            q.filter(organizations::short_name.eq(v.to_string()))
        };
        if let Some(id) = id {
            q = q.filter(organizations::id.ne(id.to_string()));
        }
        q.count().get_result(conn)
    };
    if !name.is_empty() && others(conn, "name", &name)? > 0 {
        errors.add("name", "err.name_taken");
    }
    if !short.is_empty() && others(conn, "short", &short)? > 0 {
        errors.add("short_name", "err.name_taken");
    }
    if let Err(e) = errors.into_result() {
        return Ok(Err(e));
    }
    let t = now();
    let active = id.is_none() || f.is_active.is_some();
    crate::db::tx(conn, |tx| {
        let target = match id {
            Some(id) => {
                let n = diesel::update(organizations::table.find(id))
                    .set((
                        organizations::name.eq(&name),
                        organizations::short_name.eq(&short),
                        organizations::org_number.eq(&number),
                        organizations::default_locale.eq(locale),
                        organizations::is_active.eq(active),
                        organizations::updated_at.eq(t),
                    ))
                    .execute(tx.conn)?;
                if n == 0 {
                    return Err(AppError::NotFound);
                }
                id.to_string()
            }
            None => {
                let o = Organization {
                    id: new_id(),
                    name: name.clone(),
                    short_name: short.clone(),
                    org_number: number.clone(),
                    default_locale: locale.into(),
                    is_active: true,
                    created_at: t,
                    updated_at: t,
                };
                diesel::insert_into(organizations::table)
                    .values(&o)
                    .execute(tx.conn)?;
                o.id
            }
        };
        audit::append(
            tx,
            Event {
                organization_id: Some(&target),
                actor_user_id: Some(&actor.user_id),
                action: if id.is_some() {
                    "organization.updated"
                } else {
                    "organization.created"
                },
                target_type: Some("organization"),
                target_id: Some(&target),
                detail: Some(
                    serde_json::json!({ "name": name, "short_name": short, "active": active }),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(target))
    })
}

// ---------------------------------------------------------------- regions (org admin)

pub fn regions(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<RegionRow>> {
    let org = actor.org()?.to_string();
    let counts: Vec<(Option<String>, i64)> = la::table
        .filter(la::organization_id.eq(&org))
        .group_by(la::region_id)
        .select((la::region_id, count_star()))
        .load(conn)?;
    let rows = regions::table
        .filter(regions::organization_id.eq(&org))
        .order(regions::name.asc())
        .select(Region::as_select())
        .load(conn)?
        .into_iter()
        .map(|region| {
            let associations = counts
                .iter()
                .find(|(r, _)| r.as_deref() == Some(region.id.as_str()))
                .map(|(_, n)| *n)
                .unwrap_or(0);
            RegionRow {
                region,
                associations,
            }
        })
        .collect();
    Ok(rows)
}

/// Active regions of the actor's organization, for select boxes.
pub fn region_choices(conn: &mut DbConn, org: &str) -> QueryResult<Vec<(String, String)>> {
    regions::table
        .filter(regions::organization_id.eq(org))
        .filter(regions::is_active.eq(true))
        .order(regions::name.asc())
        .select((regions::id, regions::name))
        .load(conn)
}

pub fn region(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Region> {
    let org = actor.org()?;
    regions::table
        .find(id)
        .filter(regions::organization_id.eq(org))
        .select(Region::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RegionForm {
    pub name: String,
    pub code: String,
    pub is_active: Option<String>,
}

pub fn save_region(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &RegionForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    if let Some(id) = id {
        region(conn, actor, id)?;
    }
    let mut errors = FieldErrors::new();
    let name = f.name.trim().to_string();
    let code = opt(&Some(f.code.clone()));
    if name.is_empty() {
        errors.add("name", "err.required");
    }
    check_len(&mut errors, "name", &name, 120);
    let mut dup = regions::table
        .filter(regions::organization_id.eq(&org))
        .filter(regions::name.eq(&name))
        .into_boxed();
    if let Some(id) = id {
        dup = dup.filter(regions::id.ne(id.to_string()));
    }
    if !name.is_empty() && dup.count().get_result::<i64>(conn)? > 0 {
        errors.add("name", "err.name_taken");
    }
    if let Err(e) = errors.into_result() {
        return Ok(Err(e));
    }
    let t = now();
    let active = id.is_none() || f.is_active.is_some();
    crate::db::tx(conn, |tx| {
        let target = match id {
            Some(id) => {
                diesel::update(regions::table.find(id))
                    .set((
                        regions::name.eq(&name),
                        regions::code.eq(&code),
                        regions::is_active.eq(active),
                        regions::updated_at.eq(t),
                    ))
                    .execute(tx.conn)?;
                id.to_string()
            }
            None => {
                let r = Region {
                    id: new_id(),
                    organization_id: org.clone(),
                    name: name.clone(),
                    code: code.clone(),
                    is_active: true,
                    created_at: t,
                    updated_at: t,
                };
                diesel::insert_into(regions::table)
                    .values(&r)
                    .execute(tx.conn)?;
                r.id
            }
        };
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: if id.is_some() {
                    "region.updated"
                } else {
                    "region.created"
                },
                target_type: Some("region"),
                target_id: Some(&target),
                detail: Some(serde_json::json!({ "name": name, "active": active })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(target))
    })
}

// ---------------------------------------------------------------- local associations

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AssociationFilter {
    pub q: String,
    pub status: String,
    pub region: String,
    /// "none": only associations without an active coordinator.
    pub coordinator: String,
    pub page: Option<i64>,
}

impl AssociationFilter {
    /// The query string of the filter without the page, ending in `&` (for pagination links).
    pub fn base(&self) -> String {
        let mut s = String::from("/associations?");
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("region", &self.region),
            ("coordinator", &self.coordinator),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("{k}={}&", crate::web::urlencode(v)));
            }
        }
        s
    }
}

fn scoped(actor: &Actor) -> AppResult<la::BoxedQuery<'static, crate::db::DbConnBackend>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let mut q = la::table
        .filter(la::organization_id.eq(actor.org()?.to_string()))
        .into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(la::id.eq_any(actor.associations.clone()));
    }
    Ok(q)
}

fn filtered(
    actor: &Actor,
    f: &AssociationFilter,
) -> AppResult<la::BoxedQuery<'static, crate::db::DbConnBackend>> {
    let mut q = scoped(actor)?;
    if !f.q.trim().is_empty() {
        let pattern = forms::like_contains(&f.q);
        // Short codes are stored in upper case; names are searched through their lower-case key.
        q = q.filter(
            la::name_key
                .like(pattern.clone())
                .escape('\\')
                .or(la::short_code.like(pattern.to_uppercase()).escape('\\')),
        );
    }
    match f.status.as_str() {
        "inactive" => q = q.filter(la::is_active.eq(false)),
        "all" => {}
        _ => q = q.filter(la::is_active.eq(true)),
    }
    if let Some(r) = crate::db::parse_id(&f.region) {
        q = q.filter(la::region_id.eq(r));
    } else if f.region == "none" {
        q = q.filter(la::region_id.is_null());
    }
    if f.coordinator == "none" {
        q = q.filter(diesel::dsl::not(diesel::dsl::exists(
            crate::schema::user_organization_roles::table
                .filter(
                    crate::schema::user_organization_roles::local_association_id
                        .eq(la::id.nullable()),
                )
                .filter(crate::schema::user_organization_roles::role_id.eq(Role::Coordinator.key()))
                .filter(crate::schema::user_organization_roles::revoked_at.is_null()),
        )));
    }
    Ok(q)
}

pub fn associations(
    conn: &mut DbConn,
    actor: &Actor,
    f: &AssociationFilter,
) -> AppResult<PageOf<AssociationRow>> {
    let paging = Paging::new(f.page, 25);
    let total: i64 = filtered(actor, f)?.count().get_result(conn)?;
    let rows: Vec<LocalAssociation> = filtered(actor, f)?
        .order((la::name_key.asc(), la::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(LocalAssociation::as_select())
        .load(conn)?;
    let region_ids: Vec<String> = rows.iter().filter_map(|r| r.region_id.clone()).collect();
    let names: Vec<(String, String)> = regions::table
        .filter(regions::id.eq_any(region_ids))
        .select((regions::id, regions::name))
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(|a| {
            let region_name = a
                .region_id
                .as_ref()
                .and_then(|r| names.iter().find(|(id, _)| id == r))
                .map(|(_, n)| n.clone());
            AssociationRow { a, region_name }
        })
        .collect();
    Ok(paging.page_of(rows, total))
}

/// One association in the actor's scope, or 404.
pub fn association(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<AssociationRow> {
    let a: LocalAssociation = scoped(actor)?
        .filter(la::id.eq(id.to_string()))
        .select(LocalAssociation::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let region_name = match &a.region_id {
        Some(r) => regions::table
            .find(r)
            .select(regions::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    Ok(AssociationRow { a, region_name })
}

/// How many members the association page lists by name; the rest are counted.
pub const MEMBERS_SHOWN: i64 = 100;

/// The members of an association in scope and its figures for this year: activities
/// registered, contacts reached and mentors active (each one aggregate query over the
/// association's indexed activities), and its active contacts.
pub fn association_overview(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> AppResult<AssociationOverview> {
    use crate::schema::{
        activities as act, contacts, peer_mentors as pm, user_organization_roles as uor, users,
    };
    use chrono::Datelike;
    use diesel::expression_methods::AggregateExpressionMethods;
    let row = association(conn, actor, id)?;
    let org = row.a.organization_id.clone();
    let members = |role: &'static str| {
        uor::table
            .inner_join(users::table.on(users::id.eq(uor::user_id)))
            .filter(uor::local_association_id.eq(id.to_string()))
            .filter(uor::role_id.eq(role))
            .filter(uor::revoked_at.is_null())
            .filter(users::is_active.eq(true))
    };
    let mentors_total: i64 = members("peer_mentor")
        .select(diesel::dsl::count(users::id).aggregate_distinct())
        .get_result(conn)?;
    let mentor_users: Vec<(String, String)> = members("peer_mentor")
        .select((users::id, users::name))
        .distinct()
        .order(users::name.asc())
        .limit(MEMBERS_SHOWN)
        .load(conn)?;
    let profiles: std::collections::HashMap<String, String> = pm::table
        .filter(pm::organization_id.eq(&org))
        .filter(
            pm::user_id.eq_any(
                mentor_users
                    .iter()
                    .map(|(u, _)| u.clone())
                    .collect::<Vec<_>>(),
            ),
        )
        .select((pm::user_id, pm::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let coordinators: Vec<(String, String)> = members("coordinator")
        .select((users::id, users::name))
        .distinct()
        .order(users::name.asc())
        .limit(MEMBERS_SHOWN)
        .load(conn)?;
    let today = crate::activities::service::today();
    let year = today.year();
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let this_year = || {
        act::table
            .filter(act::local_association_id.eq(id.to_string()))
            .filter(act::status.eq("registered"))
            .filter(act::occurred_on.between(start, end))
    };
    let activities: i64 = this_year().count().get_result(conn)?;
    let contacts_reached: i64 = this_year()
        .select(diesel::dsl::count(act::contact_id).aggregate_distinct())
        .get_result(conn)?;
    let mentors_active: i64 = this_year()
        .select(diesel::dsl::count(act::mentor_id).aggregate_distinct())
        .get_result(conn)?;
    let contacts: i64 = contacts::table
        .filter(contacts::local_association_id.eq(id.to_string()))
        .filter(contacts::is_active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(AssociationOverview {
        mentors: mentor_users
            .into_iter()
            .map(|(u, name)| (profiles.get(&u).cloned(), name))
            .collect(),
        mentors_total,
        coordinators,
        year,
        activities,
        contacts_reached,
        mentors_active,
        contacts,
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AssociationForm {
    pub name: String,
    pub short_code: String,
    pub region_id: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub address: String,
    pub external_id: String,
    pub metadata: String,
}

impl AssociationForm {
    pub fn from(a: &LocalAssociation) -> AssociationForm {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        AssociationForm {
            name: a.name.clone(),
            short_code: s(&a.short_code),
            region_id: s(&a.region_id),
            contact_email: s(&a.contact_email),
            contact_phone: s(&a.contact_phone),
            address: s(&a.address),
            external_id: s(&a.external_id),
            metadata: s(&a.metadata),
        }
    }
}

/// Validates the form against the rules of the seed card: name not empty and unique within
/// the organization, e-mail format, external id unique per organization, metadata valid JSON,
/// region of the same organization.
fn validate(
    conn: &mut DbConn,
    org: &str,
    id: Option<&str>,
    f: &AssociationForm,
) -> QueryResult<Result<AssociationChanges, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let name = crate::web::forms::fold_whitespace(&f.name);
    let name_key = forms::search_key(&name);
    if name.is_empty() {
        errors.add("name", "err.required");
    }
    check_len(&mut errors, "name", &name, 200);
    let short_code = opt(&Some(f.short_code.clone())).map(|c| c.to_uppercase());
    if let Some(c) = &short_code {
        check_len(&mut errors, "short_code", c, 30);
    }
    let contact_email = opt(&Some(f.contact_email.clone())).map(|e| e.to_lowercase());
    if contact_email
        .as_deref()
        .is_some_and(|e| !forms::is_email(e))
    {
        errors.add("contact_email", "err.email");
    }
    let contact_phone = opt(&Some(f.contact_phone.clone()));
    if contact_phone
        .as_deref()
        .is_some_and(|p| !forms::is_phone(p))
    {
        errors.add("contact_phone", "err.phone");
    }
    let address = opt(&Some(f.address.clone()));
    if let Some(a) = &address {
        check_len(&mut errors, "address", a, 500);
    }
    let external_id = opt(&Some(f.external_id.clone()));
    if let Some(x) = &external_id {
        check_len(&mut errors, "external_id", x, 100);
    }
    let metadata = match opt(&Some(f.metadata.clone())) {
        None => None,
        Some(m) => match serde_json::from_str::<serde_json::Value>(&m) {
            Ok(v @ serde_json::Value::Object(_)) => Some(v.to_string()),
            _ => {
                errors.add("metadata", "err.metadata_json");
                None
            }
        },
    };
    let region_id = match f.region_id.trim() {
        "" => None,
        r => {
            let ok = regions::table
                .find(r)
                .filter(regions::organization_id.eq(org))
                .count()
                .get_result::<i64>(conn)?
                == 1;
            if !ok {
                errors.add("region_id", "err.choice");
            }
            Some(r.to_string())
        }
    };
    let not_me = |q: la::BoxedQuery<'static, crate::db::DbConnBackend>| match id {
        Some(id) => q.filter(la::id.ne(id.to_string())),
        None => q,
    };
    if !name.is_empty() {
        let q = not_me(
            la::table
                .filter(la::organization_id.eq(org.to_string()))
                .filter(la::name_key.eq(name_key.clone()))
                .into_boxed(),
        );
        if q.count().get_result::<i64>(conn)? > 0 {
            errors.add("name", "err.name_taken");
        }
    }
    if let Some(x) = &external_id {
        let q = not_me(
            la::table
                .filter(la::organization_id.eq(org.to_string()))
                .filter(la::external_id.eq(x.clone()))
                .into_boxed(),
        );
        if q.count().get_result::<i64>(conn)? > 0 {
            errors.add("external_id", "err.external_id_taken");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(AssociationChanges {
        region_id,
        name,
        name_key,
        short_code,
        contact_email,
        contact_phone,
        address,
        external_id,
        metadata,
        updated_at: now(),
    }))
}

/// A unique index lost a race with another writer: report it on the right field.
fn unique_error(e: &DieselError) -> Option<FieldErrors> {
    if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = e {
        let mut errors = FieldErrors::new();
        if info.message().contains("external_id")
            || info
                .constraint_name()
                .is_some_and(|c| c.contains("external_id"))
        {
            errors.add("external_id", "err.external_id_taken");
        } else {
            errors.add("name", "err.name_taken");
        }
        return Some(errors);
    }
    None
}

pub fn create_association(
    conn: &mut DbConn,
    actor: &Actor,
    f: &AssociationForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let result = crate::db::tx(conn, |tx| {
        let c = match validate(tx.conn, &org, None, f)? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let a = LocalAssociation {
            id: new_id(),
            organization_id: org.clone(),
            region_id: c.region_id,
            name: c.name,
            name_key: c.name_key,
            short_code: c.short_code,
            contact_email: c.contact_email,
            contact_phone: c.contact_phone,
            address: c.address,
            is_active: true,
            external_id: c.external_id,
            metadata: c.metadata,
            created_at: c.updated_at,
            updated_at: c.updated_at,
        };
        diesel::insert_into(la::table).values(&a).execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "association.created",
                target_type: Some("local_association"),
                target_id: Some(&a.id),
                detail: Some(serde_json::json!({ "name": a.name })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(a.id))
    });
    match result {
        Err(AppError::Db(e)) => unique_error(&e)
            .map(|f| Ok(Err(f)))
            .unwrap_or(Err(AppError::Db(e))),
        other => other,
    }
}

pub fn update_association(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &AssociationForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let before = association(conn, actor, id)?.a;
    let org = before.organization_id.clone();
    let result = crate::db::tx(conn, |tx| {
        let c = match validate(tx.conn, &org, Some(id), f)? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let mut changed = Vec::new();
        if c.name != before.name {
            changed.push("name");
        }
        if c.external_id != before.external_id {
            changed.push("external_id");
        }
        diesel::update(la::table.find(id))
            .set(&c)
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "association.updated",
                target_type: Some("local_association"),
                target_id: Some(id),
                detail: Some(
                    serde_json::json!({ "name": c.name, "previous_name": before.name, "changed": changed }),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(()))
    });
    match result {
        Err(AppError::Db(e)) => unique_error(&e)
            .map(|f| Ok(Err(f)))
            .unwrap_or(Err(AppError::Db(e))),
        other => other,
    }
}

/// Deactivates or reactivates; an association is never deleted.
pub fn set_association_active(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    active: bool,
) -> AppResult<AssociationRow> {
    actor.require(&[Role::OrgAdmin])?;
    let row = association(conn, actor, id)?;
    crate::db::tx(conn, |tx| {
        diesel::update(la::table.find(id))
            .set((la::is_active.eq(active), la::updated_at.eq(now())))
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&row.a.organization_id),
                actor_user_id: Some(&actor.user_id),
                action: if active {
                    "association.reactivated"
                } else {
                    "association.deactivated"
                },
                target_type: Some("local_association"),
                target_id: Some(id),
                detail: Some(serde_json::json!({ "name": row.a.name })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok::<(), AppError>(())
    })?;
    association(conn, actor, id)
}

/// Active associations of the actor's organization for select boxes.
pub fn association_choices(conn: &mut DbConn, org: &str) -> QueryResult<Vec<(String, String)>> {
    la::table
        .filter(la::organization_id.eq(org))
        .filter(la::is_active.eq(true))
        .order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)
}
