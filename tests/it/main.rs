//! Integration tests through HTTP against the real app, each on SQLite and (with
//! `TEST_DATABASE_URL`) on PostgreSQL, each on a fresh database.

mod common;

mod access;
mod accounts;
mod activities;
mod admin;
mod admins;
mod assignments;
mod associations;
mod auth;
mod certifications;
mod commands;
mod contacts;
mod course_audience;
mod course_changes;
mod documents;
mod engagement;
mod events;
mod expenses;
mod global_admin;
mod home;
mod html;
mod labels;
mod learning;
mod load;
mod migrations;
mod notifications;
mod people;
mod programs;
mod reports;
mod requirements;
mod search;
mod security;
mod security_auth;
mod security_web;
mod statements;
mod team_report;
mod ux;
mod wrapped;
