//! The activity lists: the filter, one keyset page of the actor's activities (a range per
//! association, merged), the names a page shows, the coordinator's filter choices and the
//! export's audit entry. Re-exported by `service`.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use super::service::visible;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{DbConn, DbConnBackend};
use crate::schema::{
    activities as act, activity_types as at, contacts, local_associations as la,
    user_organization_roles as uor, users,
};
use crate::web::forms;
use crate::web::AppResult;

#[diesel::declare_sql_function]
extern "SQL" {
    #[sql_name = "lower"]
    fn lower_opt(
        x: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Filter {
    pub association: String,
    pub mentor: String,
    pub activity_type: String,
    pub from: String,
    pub to: String,
    /// "counts", "not" or empty for both.
    pub bufdir: String,
    /// "registered" (default), "cancelled" or "all".
    pub status: String,
    /// Activities with this contact (an id).
    pub contact: String,
    /// Words in the description or the contact's name.
    pub q: String,
    /// Keyset cursor: "<date>~<id>" of the last row of the previous page.
    pub after: String,
}

impl Filter {
    /// The query string without the cursor, for links and the export.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("association", &self.association),
            ("mentor", &self.mentor),
            ("activity_type", &self.activity_type),
            ("from", &self.from),
            ("to", &self.to),
            ("bufdir", &self.bufdir),
            ("status", &self.status),
            ("contact", &self.contact),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::web::urlencode(v)));
            }
        }
        parts.join("&")
    }
    pub fn is_filtered(&self) -> bool {
        !self.query().is_empty()
    }
    /// The query string without the contact (the link that removes that filter).
    pub fn without_contact(&self) -> String {
        Filter {
            contact: String::new(),
            ..self.clone()
        }
        .query()
    }
    fn searches_text(&self) -> bool {
        !forms::search_key(&self.q).is_empty()
    }
}

/// Rows of the list's keyset range one text search reads per page (per association): a search
/// for a rare word costs what a common one does, and the page offers to search on from where
/// it stopped instead of reading the whole history at once.
pub const SEARCH_WINDOW: i64 = 5_000;

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(
        x: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

pub const PAGE_SIZE: i64 = 50;

fn parse_cursor(s: &str) -> Option<(NaiveDate, String)> {
    let (d, id) = s.split_once('~')?;
    Some((
        NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
        crate::db::parse_id(id)?,
    ))
}

fn filtered(
    actor: &Actor,
    f: &Filter,
    cursor: Option<&(NaiveDate, String)>,
) -> AppResult<act::BoxedQuery<'static, DbConnBackend>> {
    Ok(unordered(actor, f, cursor)?.order((act::occurred_on.desc(), act::id.desc())))
}

/// The filtered range without its order (`filtered` adds it).
fn unordered(
    actor: &Actor,
    f: &Filter,
    cursor: Option<&(NaiveDate, String)>,
) -> AppResult<act::BoxedQuery<'static, DbConnBackend>> {
    let association = crate::db::parse_id(&f.association);
    let mut q = match association {
        // One of a coordinator's associations: its range alone, as an equality (on SQLite an
        // `IN (...)` keeps the statement out of the prepared-statement cache). Without the
        // organization (the association is one of the active organization's grants): with it,
        // PostgreSQL's generic plan preferred the organization's date index and filtered it,
        // reading every activity of the organization for an association without any.
        Some(a) if actor.role() == Role::Coordinator && actor.associations.contains(&a) => {
            act::table
                .filter(act::local_association_id.eq(a))
                .into_boxed()
        }
        Some(a) => visible(actor)?.filter(act::local_association_id.eq(a)),
        None => visible(actor)?,
    };
    if let Some(m) = crate::db::parse_id(&f.mentor) {
        q = q.filter(act::mentor_id.eq(m));
    }
    if let Some(t) = crate::db::parse_id(&f.activity_type) {
        q = q.filter(act::activity_type_id.eq(t));
    }
    if let Some(c) = crate::db::parse_id(&f.contact) {
        q = q.filter(act::contact_id.eq(c));
    }
    if f.searches_text() {
        // The name of the contact (of the organization, by its lower-cased key, so æ, ø and å
        // fold on both backends), or the description. SQLite's lower() folds only ASCII, so in
        // the description a letter beyond ASCII matches any one letter.
        let p = forms::like_contains(&f.q);
        let ascii: String = p
            .chars()
            .map(|c| if c.is_ascii() { c } else { '_' })
            .collect();
        let named = contacts::table
            .filter(contacts::organization_id.eq(actor.org()?.to_string()))
            .filter(contacts::name_key.like(p).escape('\\'))
            .select(contacts::id.nullable());
        q = q.filter(
            lower(act::description)
                .like(ascii)
                .escape('\\')
                .or(act::contact_id.eq_any(named)),
        );
    }
    if let Ok(d) = NaiveDate::parse_from_str(&f.from, "%Y-%m-%d") {
        q = q.filter(act::occurred_on.ge(d));
    }
    if let Ok(d) = NaiveDate::parse_from_str(&f.to, "%Y-%m-%d") {
        q = q.filter(act::occurred_on.le(d));
    }
    match f.bufdir.as_str() {
        "counts" => q = q.filter(act::bufdir_counts.eq(true)),
        "not" => q = q.filter(act::bufdir_counts.eq(false)),
        _ => {}
    }
    match f.status.as_str() {
        "all" => {}
        "cancelled" => q = q.filter(act::status.eq("cancelled")),
        _ => q = q.filter(act::status.eq("registered")),
    }
    if let Some((d, id)) = cursor {
        q = q.filter(
            act::occurred_on
                .lt(*d)
                .or(act::occurred_on.eq(*d).and(act::id.lt(id.clone()))),
        );
    }
    Ok(q)
}

/// One page of the filtered list and the cursor of the next page, if there is one. A text
/// search reads at most `SEARCH_WINDOW` rows of each range; when it stops there, the page may
/// hold fewer than `limit` rows and the cursor continues from where it stopped.
pub fn page(
    conn: &mut DbConn,
    actor: &Actor,
    f: &Filter,
    limit: i64,
    known: &FilterChoices,
) -> AppResult<(Vec<ActivityRow<ActivityItem>>, Option<String>)> {
    type Key = (NaiveDate, String);
    let cursor = parse_cursor(&f.after);
    // The range queries' limit is written into their SQL (`db::UnionAll::push_limited`), so
    // callers pass fixed page sizes only.
    let fetch = u32::try_from(limit + 1).map_err(|_| anyhow::anyhow!("page size {limit}"))?;
    // One range: its first `limit + 1` rows and, for a text search, the last key it read.
    let rows_of = |conn: &mut DbConn, f: &Filter| -> AppResult<(Vec<ActivityItem>, Option<Key>)> {
        let mut q = filtered(actor, f, cursor.as_ref())?;
        let mut stop: Option<Key> = None;
        if f.searches_text() {
            let unsearched = Filter {
                q: String::new(),
                ..f.clone()
            };
            stop = filtered(actor, &unsearched, cursor.as_ref())?
                .select((act::occurred_on, act::id))
                .offset(SEARCH_WINDOW - 1)
                .limit(1)
                .first::<Key>(conn)
                .optional()?;
            if let Some((d, id)) = &stop {
                q = q.filter(
                    act::occurred_on
                        .gt(*d)
                        .or(act::occurred_on.eq(*d).and(act::id.ge(id.clone()))),
                );
            }
        }
        let rows = crate::db::UnionAll::limited(q.select(ActivityItem::as_select()), fetch)
            .load::<ActivityItem>(conn)?;
        Ok((rows, stop))
    };
    // A coordinator's list spans a few associations: one ordered index range per association,
    // merged here, is fast on both backends, where one IN (...) query would sort every row.
    // A contact's or a mentor's activities are one range of their own index.
    let filters: Vec<Filter> = if actor.role() == Role::Coordinator
        && crate::db::parse_id(&f.association).is_none()
        && crate::db::parse_id(&f.contact).is_none()
        && crate::db::parse_id(&f.mentor).is_none()
        && actor.associations.len() > 1
    {
        actor
            .associations
            .iter()
            .map(|a| Filter {
                association: a.clone(),
                ..f.clone()
            })
            .collect()
    } else {
        vec![f.clone()]
    };
    let ranges: Vec<(Vec<ActivityItem>, Option<Key>)> = if filters.len() > 1 && !f.searches_text() {
        // Every range in one statement, merged there: the page's first `limit + 1` rows of
        // them all (`UnionAll::merged`; on SQLite the parts go without their own order and
        // limit, see there).
        let mut union = crate::db::UnionAll::default();
        let lazy = crate::db::merges_index_ranges(conn);
        for one in &filters {
            if lazy {
                union.push(
                    unordered(actor, one, cursor.as_ref())?.select(ActivityItem::as_select()),
                );
            } else {
                union.push_limited(
                    filtered(actor, one, cursor.as_ref())?.select(ActivityItem::as_select()),
                    fetch,
                );
            }
        }
        let union = union.merged("occurred_on DESC, id DESC", fetch);
        vec![(union.load::<ActivityItem>(conn)?, None)]
    } else {
        filters
            .iter()
            .map(|one| rows_of(conn, one))
            .collect::<AppResult<_>>()?
    };
    // Every range has been read down to the latest of the stops: rows below it wait for the
    // next page.
    let stop = ranges.iter().filter_map(|(_, s)| s.clone()).max();
    let mut rows: Vec<ActivityItem> = ranges
        .into_iter()
        .flat_map(|(rows, _)| rows)
        .filter(|a| {
            stop.as_ref()
                .is_none_or(|(d, id)| (a.occurred_on, &a.id) >= (*d, id))
        })
        .collect();
    rows.sort_by(|x, y| (y.occurred_on, &y.id).cmp(&(x.occurred_on, &x.id)));
    rows.dedup_by(|x, y| x.id == y.id);
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|a| format!("{}~{}", a.occurred_on, a.id))
    } else {
        stop.map(|(d, id)| format!("{d}~{id}"))
    };
    Ok((with_names(conn, rows, known)?, next))
}

/// The name of a contact of the actor's organization (for the list's contact filter).
pub fn contact_name(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Option<String>> {
    let Some(id) = crate::db::parse_id(id) else {
        return Ok(None);
    };
    Ok(contacts::table
        .find(id)
        .filter(contacts::organization_id.eq(actor.org()?.to_string()))
        .select(contacts::name)
        .first(conn)
        .optional()?)
}

/// Adds the names of the types, associations, mentors and contacts. Names already at hand (the
/// list's filter choices) are used as they are; the rest are looked up by primary key, one query
/// per kind for the few distinct ids on the page, cheaper on both backends than a five-table join.
pub(super) fn with_names<A: Listed>(
    conn: &mut DbConn,
    rows: Vec<A>,
    known: &FilterChoices,
) -> QueryResult<Vec<ActivityRow<A>>> {
    use std::collections::HashMap;
    type Names = HashMap<String, String>;
    /// The names of these ids: from `known` where it has them, else from one query.
    fn names<'a, Q>(
        wanted: impl Iterator<Item = &'a str>,
        known: &Options,
        query: Q,
    ) -> QueryResult<Names>
    where
        Q: FnOnce(Vec<String>) -> QueryResult<Vec<(String, String)>>,
    {
        let mut out: Names = HashMap::new();
        let mut missing: Vec<String> = Vec::new();
        for id in wanted {
            if out.contains_key(id) || missing.iter().any(|m| m == id) {
                continue;
            }
            match known.iter().find(|(k, _)| k == id) {
                Some((_, name)) => {
                    out.insert(id.to_string(), name.clone());
                }
                None => missing.push(id.to_string()),
            }
        }
        if !missing.is_empty() {
            out.extend(query(missing)?);
        }
        Ok(out)
    }
    let types = names(
        rows.iter().map(|a| a.activity_type_id()),
        &known.types,
        |ids| {
            at::table
                .filter(at::id.eq_any(ids))
                .select((at::id, at::name))
                .load(conn)
        },
    )?;
    let associations = names(
        rows.iter().map(|a| a.local_association_id()),
        &known.associations,
        |ids| {
            la::table
                .filter(la::id.eq_any(ids))
                .select((la::id, la::name))
                .load(conn)
        },
    )?;
    let mentors = names(rows.iter().map(|a| a.mentor_id()), &known.mentors, |ids| {
        users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::name))
            .load(conn)
    })?;
    let contacts = names(
        rows.iter().filter_map(|a| a.contact_id()),
        &Vec::new(),
        |ids| {
            contacts::table
                .filter(contacts::id.eq_any(ids))
                .select((contacts::id, contacts::name))
                .load(conn)
        },
    )?;
    let name = |m: &Names, id: &str| m.get(id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|a| ActivityRow {
            type_name: name(&types, a.activity_type_id()),
            association_name: name(&associations, a.local_association_id()),
            mentor_name: name(&mentors, a.mentor_id()),
            contact_name: a.contact_id().and_then(|c| contacts.get(c).cloned()),
            registered_by_name: None,
            a,
        })
        .collect())
}

/// (id, name) pairs for a select box.
pub type Options = Vec<(String, String)>;

/// The coordinator's and administrator's filter choices: associations, mentors and types in scope.
#[derive(Clone, Debug, Default)]
pub struct FilterChoices {
    pub associations: Options,
    pub mentors: Options,
    pub types: Options,
}

/// Filter choices for the coordinator's list: associations, mentors and types in scope, in one
/// statement (three ordered parts of a `UnionAll`, told apart by their first column). A peer
/// mentor's list shows no filters; it gets their associations and the types (which name its
/// rows) and themselves as the only mentor.
pub fn filter_choices(conn: &mut DbConn, actor: &Actor) -> AppResult<FilterChoices> {
    use diesel::sql_types::Integer;
    // The kinds are bound values: an SQL literal would keep the statement out of the cache.
    let kind = |k: i32| k.into_sql::<Integer>();
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mentor_view = actor.role() == Role::PeerMentor;
    let mut assoc = la::table
        .filter(la::organization_id.eq(org.clone()))
        .into_boxed();
    let mut grants = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::organization_id.eq(org.clone()))
        .filter(uor::role_id.eq("peer_mentor"))
        .into_boxed();
    if !actor.sees_whole_org() {
        assoc = assoc.filter(la::id.eq_any(actor.associations.clone()));
        grants = grants.filter(uor::local_association_id.eq_any(actor.associations.clone()));
    }
    let mut union = crate::db::UnionAll::default();
    union.push(
        assoc
            .order(la::name_key.asc())
            .select((kind(0), la::id, la::name)),
    );
    union.push(
        at::table
            .filter(at::organization_id.eq(org.clone()))
            .order((at::sort_order.asc(), at::name_key.asc()))
            .select((kind(2), at::id, at::name))
            .into_boxed(),
    );
    if !mentor_view {
        union.push(
            grants
                .select((kind(1), users::id, users::name))
                .distinct()
                .order((users::name.asc(), users::id.asc())),
        );
    }
    let mut out = FilterChoices::default();
    for (kind, id, name) in union.load::<(i32, String, String)>(conn)? {
        match kind {
            0 => out.associations.push((id, name)),
            1 => out.mentors.push((id, name)),
            _ => out.types.push((id, name)),
        }
    }
    if mentor_view {
        out.mentors
            .push((actor.user_id.clone(), actor.name.clone()));
    }
    Ok(out)
}

/// Records an export in the audit log (exports of personal data are always logged).
pub fn log_export(conn: &mut DbConn, actor: &Actor, f: &Filter) -> AppResult<()> {
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            Event {
                organization_id: actor.org_id(),
                actor_user_id: Some(&actor.user_id),
                action: "activities.exported",
                target_type: Some("activity"),
                detail: Some(serde_json::json!({ "filter": f.query() })),
                ip: actor.ip.as_deref(),
                ..Default::default()
            },
        )?;
        Ok(())
    })
}
