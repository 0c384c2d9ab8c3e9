//! Recruitment links: each mentor has a personal link (a random token) to a landing page that
//! tells about the organization and sends the visitor on to its membership page. Visits are
//! counted (once per browser a day, by a cookie holding only the token) without keeping the
//! visitor's address; the mentor sees their clicks, coordinators the totals per association.

pub mod routes;
pub mod service;
