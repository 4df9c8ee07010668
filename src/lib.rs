//! cfdash: a terminal dashboard for Amazon CloudFront cache invalidations.
//!
//! Data flows one way (docs/ARCHITECTURE.md): terminal events, timers and backend
//! answers become [`app::Action`]s; [`app::App::update`] changes the state and returns
//! [`app::Effect`]s; the runtime in [`tui`] runs them on tokio tasks; [`ui::render`] draws
//! the state.

pub mod app;
pub mod cli;
pub mod clock;
pub mod cloudfront;
pub mod commands;
pub mod config;
pub mod connect;
pub mod endpoint;
pub mod engine;
pub mod journal;
pub mod logging;
pub mod pace;
pub mod paths;
pub mod term;
pub mod text;
pub mod timefmt;
pub mod tui;
pub mod ui;
