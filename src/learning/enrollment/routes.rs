//! Pages: attendance for one course day (the shared register pages of `learning::attendance`),
//! and completing the course.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::attendance::CourseRegister;
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::learning::certifications::service as certifications;
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses/{id}/complete", web::post().to(complete));
    crate::learning::attendance::routes::mount::<CourseRegister>(cfg, "/courses");
}

async fn complete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let done = db(&state, move |c| certifications::complete(c, &a, &i)).await?;
    if done.too_early {
        set_flash(
            &session,
            "error",
            actor.t("course.err_complete_early").to_string(),
        );
    } else {
        let msg = actor
            .t("course.completed")
            .replace("{attended}", &done.attended.to_string())
            .replace("{no_show}", &done.no_show.to_string())
            .replace("{issued}", &done.issued.to_string());
        set_flash(&session, "success", msg);
    }
    Ok(redirect(&format!("/courses/{id}#enrollments")))
}
