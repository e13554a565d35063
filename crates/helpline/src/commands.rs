//! One module per subcommand, each with a `run` taking the settings sections it needs.

pub(crate) mod config;
pub(crate) mod demo;
pub(crate) mod interactions;
pub(crate) mod migrate;
pub(crate) mod operator;
pub(crate) mod panel;
pub(crate) mod proxy;
pub(crate) mod run;
