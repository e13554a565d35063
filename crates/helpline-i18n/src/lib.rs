//! Helpline's translations: the Fluent messages in every language Helpline speaks (English and
//! French, compiled into the binary from `locales/*/main.ftl`), the choice of a reader's language
//! (their Discord locale, then their guild's language, then English), and the words for every
//! domain value a member or admin reads: [`Refusal`](helpline_domain::Refusal)s,
//! [`ValidationError`](helpline_domain::ValidationError)s, template errors, ticket notices, log
//! titles, states, actions and Discord permission names.
//!
//! This crate owns words, not decisions: it never decides whether something is allowed (that is
//! `helpline-domain`), never talks to Discord and never logs. Its texts are plain Discord
//! markdown with mentions (`<@id>`, `<@&id>`, `<#id>`) and may contain what members typed (a
//! reason, a ticket name): whoever posts them restricts `allowed_mentions`.
//!
//! Start with [`Translator::new`], built once and shared (it is `Send + Sync`); pick a language
//! with [`Translator::locale_for`]; turn a domain value into a sentence with
//! [`Translator::render`], or a message key into text with [`Translator::text`].

mod defaults;
mod localize;
pub mod panel;
pub mod permissions;
mod translator;
pub mod ui;

#[cfg(test)]
mod tests;

pub use localize::{Localize, Localizer};
pub use translator::{Arg, TextError, Translator};
