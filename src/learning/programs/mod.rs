//! Group programs (issue 13; DOMAIN.md: mentor_program_session, workshop_participant):
//! Blindeforbundet's multi-day group mentoring and career workshops. A coordinator arranges a
//! program on several days (`service`), invites mentors and members (contacts) of the
//! organization and marks attendance per day (`attendance`, the register shared with
//! courses); the program page shows who completed every day. A mentor sees the programs they
//! take part in.

pub mod attendance;
pub mod model;
pub mod participants;
pub mod routes;
pub mod seed;
pub mod service;
