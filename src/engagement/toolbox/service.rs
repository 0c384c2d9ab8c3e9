//! Toolbox cards: every member of the organization reads them (by category, by search, their
//! favourites); organization administrators write, reorder and remove them.

use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::engagement::audit_event;
use crate::engagement::model::Card;
use crate::schema::{toolbox_cards as tc, toolbox_favourites as tf};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

/// The roles that read the toolbox.
pub const READERS: [Role; 3] = [Role::PeerMentor, Role::Coordinator, Role::OrgAdmin];
/// Most cards a list shows (an organization keeps tens, not thousands).
pub const MAX_LIST: i64 = 200;
pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 20_000;
pub const MAX_CATEGORY: usize = 80;

#[derive(Clone, Debug)]
pub struct CardView {
    pub card: Card,
    pub favourite: bool,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Filter {
    pub category: String,
    pub q: String,
    pub favourites: String,
}

impl Filter {
    pub fn favourites_only(&self) -> bool {
        !self.favourites.is_empty()
    }
}

/// The cards the actor may read, filtered, in the administrators' order.
pub fn list(conn: &mut DbConn, actor: &Actor, f: &Filter) -> AppResult<Vec<CardView>> {
    actor.require(&READERS)?;
    let org = actor.org()?.to_string();
    let mut q = tc::table
        .left_join(
            tf::table.on(tf::card_id
                .eq(tc::id)
                .and(tf::user_id.eq(actor.user_id.clone()))),
        )
        .filter(tc::organization_id.eq(org))
        .into_boxed();
    let category = crate::engagement::clean(&f.category);
    if !category.is_empty() {
        q = q.filter(tc::category.eq(category));
    }
    let words = forms::search_key(&f.q);
    if !words.is_empty() {
        let pattern = forms::like_contains(&words);
        q = q.filter(
            tc::title_key
                .like(pattern.clone())
                .escape('\\')
                .or(tc::body.like(pattern).escape('\\')),
        );
    }
    if f.favourites_only() {
        q = q.filter(tf::card_id.is_not_null());
    }
    let rows: Vec<(Card, Option<String>)> = q
        .order((tc::position.asc(), tc::id.asc()))
        .limit(MAX_LIST)
        .select((Card::as_select(), tf::card_id.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(card, fav)| CardView {
            card,
            favourite: fav.is_some(),
        })
        .collect())
}

/// The categories in use, in the order their first card comes.
pub fn categories(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<String>> {
    actor.require(&READERS)?;
    let rows: Vec<(String, i32)> = tc::table
        .filter(tc::organization_id.eq(actor.org()?.to_string()))
        .group_by(tc::category)
        .select((
            tc::category,
            diesel::dsl::min(tc::position).assume_not_null(),
        ))
        .load(conn)?;
    let mut rows = rows;
    rows.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// One card of the actor's organization, or 404.
pub fn card(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<CardView> {
    actor.require(&READERS)?;
    let card: Card = tc::table
        .filter(tc::id.eq(id))
        .filter(tc::organization_id.eq(actor.org()?.to_string()))
        .select(Card::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let favourite = tf::table
        .find((&actor.user_id, id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    Ok(CardView { card, favourite })
}

/// Marks or unmarks a favourite; answers whether it is one now.
pub fn toggle_favourite(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<bool> {
    let v = card(conn, actor, id)?;
    if v.favourite {
        diesel::delete(tf::table.find((&actor.user_id, id))).execute(conn)?;
        Ok(false)
    } else {
        match diesel::insert_into(tf::table)
            .values((
                tf::user_id.eq(&actor.user_id),
                tf::card_id.eq(id),
                tf::created_at.eq(now()),
            ))
            .execute(conn)
        {
            // A double tap: it is a favourite either way.
            Ok(_)
            | Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Ok(true),
            Err(e) => Err(e.into()),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CardForm {
    pub title: String,
    pub body: String,
    pub category: String,
}

impl CardForm {
    pub fn from(c: &Card) -> CardForm {
        CardForm {
            title: c.title.clone(),
            body: c.body.clone(),
            category: c.category.clone(),
        }
    }
}

struct Checked {
    title: String,
    body: String,
    category: String,
}

fn check(f: &CardForm) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = crate::engagement::clean(&f.title);
    let category = crate::engagement::clean(&f.category);
    let body = f.body.trim().replace("\r\n", "\n");
    for (field, value, max) in [
        ("title", &title, MAX_TITLE),
        ("category", &category, MAX_CATEGORY),
        ("body", &body, MAX_BODY),
    ] {
        if value.is_empty() {
            errors.add(field, "err.required");
        } else if value.chars().count() > max {
            errors.add(field, "err.too_long");
        }
    }
    errors.into_result()?;
    Ok(Checked {
        title,
        body,
        category,
    })
}

/// An administrator's card of the organization, or 404.
pub fn admin_card(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Card> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(card(conn, actor, id)?.card)
}

/// Every card of the organization in order, for the administrators' list.
pub fn admin_list(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Card>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(tc::table
        .filter(tc::organization_id.eq(actor.org()?.to_string()))
        .order((tc::position.asc(), tc::id.asc()))
        .limit(MAX_LIST)
        .select(Card::as_select())
        .load(conn)?)
}

/// Creates (no `id`) or updates a card. A new card goes last.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &CardForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    if let Some(id) = id {
        admin_card(conn, actor, id)?;
    }
    let c = match check(f) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        let t = now();
        let id = match id {
            Some(id) => {
                diesel::update(
                    tc::table
                        .filter(tc::id.eq(id))
                        .filter(tc::organization_id.eq(&org)),
                )
                .set((
                    tc::title.eq(&c.title),
                    tc::title_key.eq(forms::search_key(&c.title)),
                    tc::body.eq(&c.body),
                    tc::category.eq(&c.category),
                    tc::updated_at.eq(t),
                ))
                .execute(tx.conn)?;
                id.to_string()
            }
            None => {
                let last: Option<i32> = tc::table
                    .filter(tc::organization_id.eq(&org))
                    .select(diesel::dsl::max(tc::position))
                    .first(tx.conn)?;
                let card = Card {
                    id: new_id(),
                    organization_id: org.clone(),
                    title: c.title.clone(),
                    title_key: forms::search_key(&c.title),
                    body: c.body.clone(),
                    category: c.category.clone(),
                    position: last.unwrap_or(0) + 1,
                    image_key: None,
                    image_type: None,
                    created_at: t,
                    updated_at: t,
                };
                diesel::insert_into(tc::table)
                    .values(&card)
                    .execute(tx.conn)?;
                card.id
            }
        };
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "toolbox_card.saved",
                "toolbox_card",
                &id,
                serde_json::json!({ "category": c.category }),
            ),
        )?;
        Ok(Ok(id))
    })
}

/// Moves a card one place up or down in the organization's order (swapping with its
/// neighbour). Answers whether it moved.
pub fn move_card(conn: &mut DbConn, actor: &Actor, id: &str, up: bool) -> AppResult<bool> {
    let me = admin_card(conn, actor, id)?;
    let org = me.organization_id.clone();
    crate::db::tx(conn, |tx| {
        let q = tc::table.filter(tc::organization_id.eq(&org)).into_boxed();
        let neighbour: Option<(String, i32)> = if up {
            q.filter(
                tc::position
                    .lt(me.position)
                    .or(tc::position.eq(me.position).and(tc::id.lt(&me.id))),
            )
            .order((tc::position.desc(), tc::id.desc()))
            .select((tc::id, tc::position))
            .first(tx.conn)
            .optional()?
        } else {
            q.filter(
                tc::position
                    .gt(me.position)
                    .or(tc::position.eq(me.position).and(tc::id.gt(&me.id))),
            )
            .order((tc::position.asc(), tc::id.asc()))
            .select((tc::id, tc::position))
            .first(tx.conn)
            .optional()?
        };
        let Some((other, pos)) = neighbour else {
            return Ok::<bool, AppError>(false);
        };
        // Equal positions (never written by us, but possible) are separated by the move.
        let (mine, theirs) = if pos == me.position {
            if up {
                (pos, pos + 1)
            } else {
                (pos + 1, pos)
            }
        } else {
            (pos, me.position)
        };
        diesel::update(tc::table.find(&me.id))
            .set(tc::position.eq(mine))
            .execute(tx.conn)?;
        diesel::update(tc::table.find(&other))
            .set(tc::position.eq(theirs))
            .execute(tx.conn)?;
        Ok(true)
    })
}

/// Removes a card (and everyone's favourite mark of it); answers the picture key to remove.
pub fn delete(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Option<String>> {
    let card = admin_card(conn, actor, id)?;
    let org = card.organization_id.clone();
    crate::db::tx(conn, |tx| {
        diesel::delete(tf::table.filter(tf::card_id.eq(&card.id))).execute(tx.conn)?;
        diesel::delete(tc::table.find(&card.id)).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "toolbox_card.deleted",
                "toolbox_card",
                &card.id,
                serde_json::json!({ "title": card.title }),
            ),
        )?;
        Ok::<_, AppError>(card.image_key.clone())
    })
}

/// Records a card's new picture; answers the key of the one it replaced.
pub fn set_picture(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    key: &str,
    content_type: &str,
) -> AppResult<Option<String>> {
    let card = admin_card(conn, actor, id)?;
    diesel::update(tc::table.find(&card.id))
        .set((
            tc::image_key.eq(key),
            tc::image_type.eq(content_type),
            tc::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(card.image_key)
}
