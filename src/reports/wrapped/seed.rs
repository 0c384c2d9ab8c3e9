//! Demo data: last year's summaries of every organization, computed as the job would (so a
//! fresh demo's mentors find their year on the start page).

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::organizations as o;

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let year = super::compute::this_year() - 1;
    let orgs: Vec<String> = o::table.order(o::id.asc()).select(o::id).load(conn)?;
    for org in orgs {
        super::compute::compute_org_year(conn, &org, year, false)?;
    }
    Ok(())
}
