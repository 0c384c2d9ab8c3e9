//! Curated links: every member reads them, organization administrators edit them.

use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::engagement::audit_event;
use crate::engagement::model::Resource;
use crate::schema::external_resources as er;
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

pub const MAX_LIST: i64 = 300;

/// An `https` link with a host, as the parser writes it back; the label key of the problem
/// otherwise. `javascript:`, `data:`, `http:` and relative links are refused.
pub fn check_https(raw: &str) -> Result<String, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("err.required");
    }
    if raw.chars().count() > 2000 {
        return Err("err.too_long");
    }
    match url::Url::parse(raw) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()) => {
            if !u.username().is_empty() || u.password().is_some() {
                return Err("engage.err_url_https");
            }
            Ok(u.to_string())
        }
        _ => Err("engage.err_url_https"),
    }
}

/// The organization's resources, by category and order.
pub fn list(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Resource>> {
    actor.require(&crate::engagement::toolbox::service::READERS)?;
    Ok(er::table
        .filter(er::organization_id.eq(actor.org()?.to_string()))
        .order((er::category.asc(), er::position.asc(), er::id.asc()))
        .limit(MAX_LIST)
        .select(Resource::as_select())
        .load(conn)?)
}

pub fn resource(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Resource> {
    actor.require(&[Role::OrgAdmin])?;
    er::table
        .filter(er::id.eq(id))
        .filter(er::organization_id.eq(actor.org()?.to_string()))
        .select(Resource::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ResourceForm {
    pub title: String,
    pub url: String,
    pub description: String,
    pub category: String,
}

impl ResourceForm {
    pub fn from(r: &Resource) -> ResourceForm {
        ResourceForm {
            title: r.title.clone(),
            url: r.url.clone(),
            description: r.description.clone(),
            category: r.category.clone(),
        }
    }
}

pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &ResourceForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    if let Some(id) = id {
        resource(conn, actor, id)?;
    }
    let mut errors = FieldErrors::new();
    let title = crate::engagement::clean(&f.title);
    let category = crate::engagement::clean(&f.category);
    let description = f.description.trim().replace("\r\n", "\n");
    for (field, value, max) in [
        ("title", &title, 200),
        ("category", &category, 80),
        ("description", &description, 2000),
    ] {
        if value.is_empty() && field != "description" {
            errors.add(field, "err.required");
        } else if value.chars().count() > max {
            errors.add(field, "err.too_long");
        }
    }
    let url = match check_https(&f.url) {
        Ok(u) => u,
        Err(key) => {
            errors.add("url", key);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    crate::db::tx(conn, |tx| {
        let t = now();
        let id = match id {
            Some(id) => {
                diesel::update(
                    er::table
                        .filter(er::id.eq(id))
                        .filter(er::organization_id.eq(&org)),
                )
                .set((
                    er::title.eq(&title),
                    er::url.eq(&url),
                    er::description.eq(&description),
                    er::category.eq(&category),
                    er::updated_at.eq(t),
                ))
                .execute(tx.conn)?;
                id.to_string()
            }
            None => {
                let last: Option<i32> = er::table
                    .filter(er::organization_id.eq(&org))
                    .select(diesel::dsl::max(er::position))
                    .first(tx.conn)?;
                let r = Resource {
                    id: new_id(),
                    organization_id: org.clone(),
                    title: title.clone(),
                    url: url.clone(),
                    description: description.clone(),
                    category: category.clone(),
                    position: last.unwrap_or(0) + 1,
                    created_at: t,
                    updated_at: t,
                };
                diesel::insert_into(er::table).values(&r).execute(tx.conn)?;
                r.id
            }
        };
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "external_resource.saved",
                "external_resource",
                &id,
                serde_json::json!({ "url": url }),
            ),
        )?;
        Ok(Ok(id))
    })
}

pub fn delete(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<()> {
    let r = resource(conn, actor, id)?;
    crate::db::tx(conn, |tx| {
        diesel::delete(er::table.find(&r.id)).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &r.organization_id,
                "external_resource.deleted",
                "external_resource",
                &r.id,
                serde_json::json!({ "url": r.url }),
            ),
        )?;
        Ok::<_, AppError>(())
    })
}

#[cfg(test)]
mod tests {
    use super::check_https;

    #[test]
    fn only_https_links_with_a_host() {
        assert!(check_https("https://www.nhf.no/bli-medlem").is_ok());
        for bad in [
            "javascript:alert(1)",
            "http://example.org",
            "data:text/html,x",
            "//example.org",
            "/local",
            "https://user:pw@example.org",
            "",
        ] {
            assert!(check_https(bad).is_err(), "{bad}");
        }
    }
}
