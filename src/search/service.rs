//! One search over mentors, contacts, activities and local associations, within the actor's
//! scope (the same rules as the people, activities and organizations services): a coordinator
//! searches the records of their local associations, an organization administrator the whole
//! organization. Names are matched on lower-cased keys computed in Rust, so "Ø" finds
//! "øystein" on both backends. Each group is bounded and links to the full filtered list.

use std::collections::HashMap;

use diesel::dsl::exists;
use diesel::prelude::*;

use crate::access::Actor;
use crate::access::Role;
use crate::activities::service::{self as activities, FilterChoices};
use crate::db::DbConn;
use crate::schema::{
    contacts, local_associations as la, peer_mentors as pm, user_organization_roles as uor, users,
};
use crate::web::forms::{self, like_contains};
use crate::web::{urlencode, AppResult};

/// Hits shown per group before "show all".
pub const GROUP_MAX: i64 = 10;
/// Longer queries are cut to this many characters.
pub const QUERY_MAX: usize = 100;

/// One hit: where it leads, its name, and a line that tells it apart.
#[derive(Clone, Debug)]
pub struct Hit {
    pub href: String,
    pub title: String,
    pub detail: String,
}

/// The hits of one kind of record.
#[derive(Clone, Debug)]
pub struct Group {
    /// The label key of the group's heading.
    pub label_key: &'static str,
    /// An id for the heading (the list is labelled by it).
    pub id: &'static str,
    pub hits: Vec<Hit>,
    /// Whether there are more hits than shown.
    pub more: bool,
    /// The full filtered list.
    pub all_href: String,
}

#[derive(Clone, Debug, Default)]
pub struct Results {
    pub q: String,
    pub groups: Vec<Group>,
}

impl Results {
    pub fn searched(&self) -> bool {
        !self.q.is_empty()
    }
    pub fn hit_count(&self) -> usize {
        self.groups.iter().map(|g| g.hits.len()).sum()
    }
    pub fn any_more(&self) -> bool {
        self.groups.iter().any(|g| g.more)
    }
}

/// The query as searched: white space folded, at most `QUERY_MAX` characters.
pub fn clean(q: &str) -> String {
    forms::fold_whitespace(q).chars().take(QUERY_MAX).collect()
}

pub fn search(conn: &mut DbConn, actor: &Actor, raw: &str) -> AppResult<Results> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let q = clean(raw);
    if q.is_empty() {
        return Ok(Results::default());
    }
    let groups = vec![
        mentors(conn, actor, &q)?,
        contacts(conn, actor, &q)?,
        activities(conn, actor, &q)?,
        associations(conn, actor, &q)?,
    ];
    Ok(Results { q, groups })
}

/// Keeps at most `GROUP_MAX` of the `GROUP_MAX + 1` rows fetched, and says whether there were more.
fn bounded<T>(mut rows: Vec<T>) -> (Vec<T>, bool) {
    let more = rows.len() as i64 > GROUP_MAX;
    rows.truncate(GROUP_MAX as usize);
    (rows, more)
}

/// Peer mentor profiles of the organization; below organization administrator only those
/// with an active peer mentor grant in one of the actor's associations.
fn mentors(conn: &mut DbConn, actor: &Actor, q: &str) -> AppResult<Group> {
    let org = actor.org()?.to_string();
    let pattern = like_contains(q);
    let mut query = pm::table
        .inner_join(users::table)
        .filter(pm::organization_id.eq(org.clone()))
        .filter(
            users::name_key
                .like(pattern.clone())
                .escape('\\')
                .or(users::email.like(pattern).escape('\\')),
        )
        .into_boxed();
    if !actor.sees_whole_org() {
        query = query.filter(exists(
            uor::table
                .filter(uor::user_id.eq(pm::user_id))
                .filter(uor::organization_id.eq(org))
                .filter(uor::role_id.eq("peer_mentor"))
                .filter(uor::revoked_at.is_null())
                .filter(uor::local_association_id.eq_any(actor.associations.clone())),
        ));
    }
    let rows: Vec<(String, String, String)> = query
        .order((users::name_key.asc(), pm::id.asc()))
        .select((pm::id, users::name, users::email))
        .limit(GROUP_MAX + 1)
        .load(conn)?;
    let (rows, more) = bounded(rows);
    Ok(Group {
        label_key: "search.group_mentors",
        id: "search-mentors",
        hits: rows
            .into_iter()
            .map(|(id, name, email)| Hit {
                href: format!("/mentors/{id}"),
                title: name,
                detail: email,
            })
            .collect(),
        more,
        all_href: format!("/mentors?q={}", urlencode(q)),
    })
}

/// Digits only, without Norway's country code (as the contacts list compares phone numbers).
fn phone_digits(q: &str) -> String {
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("47") {
        Some(rest) if rest.len() == 8 => rest.to_string(),
        _ => digits,
    }
}

/// Contacts of the organization; below organization administrator those of the actor's
/// associations. By name, or by phone number when the query has three digits or more.
fn contacts(conn: &mut DbConn, actor: &Actor, q: &str) -> AppResult<Group> {
    let org = actor.org()?.to_string();
    let pattern = like_contains(q);
    let digits = phone_digits(q);
    let mut query = contacts::table
        .filter(contacts::organization_id.eq(org))
        .into_boxed();
    if !actor.sees_whole_org() {
        query = query.filter(contacts::local_association_id.eq_any(actor.associations.clone()));
    }
    query = if digits.len() >= 3 {
        query.filter(
            contacts::name_key
                .like(pattern)
                .escape('\\')
                .or(contacts::phone_key.like(format!("%{digits}%"))),
        )
    } else {
        query.filter(contacts::name_key.like(pattern).escape('\\'))
    };
    let rows: Vec<(String, String, String)> = query
        .order((contacts::name_key.asc(), contacts::id.asc()))
        .select((contacts::id, contacts::name, contacts::local_association_id))
        .limit(GROUP_MAX + 1)
        .load(conn)?;
    let (rows, more) = bounded(rows);
    let names = association_names(conn, rows.iter().map(|r| r.2.clone()).collect())?;
    Ok(Group {
        label_key: "search.group_contacts",
        id: "search-contacts",
        hits: rows
            .into_iter()
            .map(|(id, name, association)| Hit {
                href: format!("/contacts/{id}"),
                title: name,
                detail: names.get(&association).cloned().unwrap_or_default(),
            })
            .collect(),
        more,
        all_href: format!("/contacts?q={}", urlencode(q)),
    })
}

/// Activities by their contact's name or their description, newest first, through the
/// activity list's own filter (so scope, order and names are those of `/activities`).
fn activities(conn: &mut DbConn, actor: &Actor, q: &str) -> AppResult<Group> {
    let filter = activities::Filter {
        q: q.to_string(),
        status: "all".into(),
        ..Default::default()
    };
    let (rows, next) =
        activities::page(conn, actor, &filter, GROUP_MAX, &FilterChoices::default())?;
    Ok(Group {
        label_key: "search.group_activities",
        id: "search-activities",
        hits: rows
            .into_iter()
            .map(|r| {
                let mut detail =
                    format!("{} · {}", r.a.occurred_on.format("%d.%m.%Y"), r.mentor_name);
                if let Some(c) = &r.contact_name {
                    detail.push_str(&format!(" · {c}"));
                }
                Hit {
                    href: format!("/activities/{}", r.a.id),
                    title: r.type_name,
                    detail,
                }
            })
            .collect(),
        more: next.is_some(),
        all_href: format!("/activities?{}", filter.query()),
    })
}

/// Local associations of the organization; a coordinator's own only.
fn associations(conn: &mut DbConn, actor: &Actor, q: &str) -> AppResult<Group> {
    let pattern = like_contains(q);
    let mut query = la::table
        .filter(la::organization_id.eq(actor.org()?.to_string()))
        .filter(
            la::name_key
                .like(pattern.clone())
                .escape('\\')
                .or(la::short_code.like(pattern.to_uppercase()).escape('\\')),
        )
        .into_boxed();
    if !actor.sees_whole_org() {
        query = query.filter(la::id.eq_any(actor.associations.clone()));
    }
    let rows: Vec<(String, String, Option<String>)> = query
        .order((la::name_key.asc(), la::id.asc()))
        .select((la::id, la::name, la::short_code))
        .limit(GROUP_MAX + 1)
        .load(conn)?;
    let (rows, more) = bounded(rows);
    Ok(Group {
        label_key: "search.group_associations",
        id: "search-associations",
        hits: rows
            .into_iter()
            .map(|(id, name, code)| Hit {
                href: format!("/associations/{id}"),
                title: name,
                detail: code.unwrap_or_default(),
            })
            .collect(),
        more,
        all_href: format!("/associations?q={}&status=all", urlencode(q)),
    })
}

fn association_names(conn: &mut DbConn, ids: Vec<String>) -> QueryResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(la::table
        .filter(la::id.eq_any(ids))
        .select((la::id, la::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
