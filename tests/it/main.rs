//! Integration tests through HTTP against the real app, each on SQLite and (with
//! `TEST_DATABASE_URL`) on PostgreSQL, each on a fresh database.

mod common;

mod access;
mod activities;
mod admin;
mod associations;
mod auth;
mod commands;
mod documents;
mod events;
mod html;
mod labels;
mod migrations;
mod people;
mod security;
mod ux;
