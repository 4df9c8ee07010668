//! cfdash's integration tests, one binary: each module was a test binary of its own, and
//! each linked the AWS SDK. Nothing here sets the process environment: the SDK path takes
//! its credentials from `common::sdk`, and what reads the environment is tested by running
//! `cfdash` with a variable set on the child.

mod common;

mod aws_cli;
mod aws_env;
mod cli;
mod config;
mod copy;
mod e2e_tmux;
mod form;
mod headless;
mod journal;
mod month;
mod moto;
mod pacing;
mod palette;
mod paths_props;
mod profile_cli;
mod profiles;
mod render;
mod search;
mod sim_serve;
mod tables;
mod tenants;
mod tenants_cli;
mod update;
