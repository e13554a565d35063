//! The Fluent bundles and message lookup with fallback to English.

use crate::localize::{Localize, Localizer};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use helpline_domain::Language;
use std::borrow::Cow;
use std::fmt;

/// The English messages, the fallback of every other language.
const ENGLISH_FTL: &str = include_str!("../locales/en-US/main.ftl");
/// The French messages.
const FRENCH_FTL: &str = include_str!("../locales/fr/main.ftl");

/// The FTL source of a language's messages.
pub(crate) const fn source(language: Language) -> &'static str {
    match language {
        Language::English => ENGLISH_FTL,
        Language::French => FRENCH_FTL,
    }
}

type Bundle = FluentBundle<FluentResource>;

/// A value given to a message's variable: a text or a number. Numbers select plural forms
/// (`{ $count -> [one] … *[other] … }`); Discord ids are passed as text, already formatted as
/// mentions, since Fluent numbers are floating point and would round a snowflake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    /// A text, inserted as it is.
    Text(Cow<'a, str>),
    /// A count or a measure.
    Number(u64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Arg<'_> {
    fn from(text: String) -> Self {
        Self::Text(Cow::Owned(text))
    }
}

impl From<u64> for Arg<'_> {
    fn from(number: u64) -> Self {
        Self::Number(number)
    }
}

impl From<u32> for Arg<'_> {
    fn from(number: u32) -> Self {
        Self::Number(number.into())
    }
}

impl From<usize> for Arg<'_> {
    fn from(number: usize) -> Self {
        Self::Number(u64::try_from(number).unwrap_or(u64::MAX))
    }
}

/// Why a text is not exactly what was asked for. The text is still produced (from English, or
/// the bare key); these are for tests and diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    /// `key` has no message in `language`: English was used, or the key itself when English
    /// lacks it too.
    MissingKey { language: Language, key: String },
    /// Fluent reported a problem while formatting `key` in `language`, such as a variable the
    /// caller did not give.
    Format {
        language: Language,
        key: String,
        error: String,
    },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingKey { language, key } => {
                write!(f, "no message `{key}` in {}", language.tag())
            }
            Self::Format {
                language,
                key,
                error,
            } => write!(f, "formatting `{key}` in {}: {error}", language.tag()),
        }
    }
}

impl std::error::Error for TextError {}

/// Every language's messages, built once at start-up and shared by every task.
pub struct Translator {
    english: Bundle,
    french: Bundle,
}

impl fmt::Debug for Translator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Translator")
            .field("languages", &Language::ALL.map(Language::tag))
            .finish_non_exhaustive()
    }
}

impl Default for Translator {
    fn default() -> Self {
        Self::new()
    }
}

impl Translator {
    /// Builds the bundles from the compiled-in resources. It never fails: a broken resource
    /// keeps what parsed (the tests reject any error), and a missing message falls back.
    pub fn new() -> Self {
        Self {
            english: build_bundle(Language::English, source(Language::English)).0,
            french: build_bundle(Language::French, source(Language::French)).0,
        }
    }

    /// A translator from other sources than the compiled-in ones, to test fallbacks.
    #[cfg(test)]
    pub(crate) fn from_sources(english: &str, french: &str) -> Self {
        Self {
            english: build_bundle(Language::English, english).0,
            french: build_bundle(Language::French, french).0,
        }
    }

    const fn bundle(&self, language: Language) -> &Bundle {
        match language {
            Language::English => &self.english,
            Language::French => &self.french,
        }
    }

    /// The language to answer a member in: their Discord locale (`fr`, `en-GB`…) when Helpline
    /// speaks it, otherwise their guild's language. Messages missing in it fall back to English.
    pub fn locale_for(&self, member_locale: Option<&str>, guild: Language) -> Language {
        member_locale
            .and_then(Language::from_discord_locale)
            .unwrap_or(guild)
    }

    /// Whether `language` itself has a message `key` (without falling back).
    pub fn has_message(&self, language: Language, key: &str) -> bool {
        self.bundle(language)
            .get_message(key)
            .is_some_and(|message| message.value().is_some())
    }

    /// The message `key` in `language` with `args`. A key missing in `language` comes from
    /// English, and one missing there too comes back as the key itself; it never panics.
    pub fn text(&self, language: Language, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.format(language, key, args, &mut Vec::new())
    }

    /// Like [`text`](Self::text), but an `Err` lists every fallback or formatting problem.
    pub fn try_text(
        &self,
        language: Language,
        key: &str,
        args: &[(&str, Arg<'_>)],
    ) -> Result<String, Vec<TextError>> {
        let mut errors = Vec::new();
        let text = self.format(language, key, args, &mut errors);
        if errors.is_empty() {
            Ok(text)
        } else {
            Err(errors)
        }
    }

    /// A localizer that renders values in `language`.
    pub fn localizer(&self, language: Language) -> Localizer<'_> {
        Localizer::new(self, language)
    }

    /// `value` as a sentence in `language`.
    pub fn render<T: Localize + ?Sized>(&self, language: Language, value: &T) -> String {
        self.localizer(language).render(value)
    }

    /// Like [`render`](Self::render), but an `Err` lists every fallback or formatting problem.
    pub fn try_render<T: Localize + ?Sized>(
        &self,
        language: Language,
        value: &T,
    ) -> Result<String, Vec<TextError>> {
        let mut localizer = self.localizer(language);
        let text = localizer.render(value);
        localizer.finish().map(|()| text)
    }

    /// Formats `key`, falling back to English then to the key, and records what went wrong.
    pub(crate) fn format(
        &self,
        language: Language,
        key: &str,
        args: &[(&str, Arg<'_>)],
        errors: &mut Vec<TextError>,
    ) -> String {
        let fluent_args = fluent_args(args);
        if let Some(text) = self.format_in(language, key, &fluent_args, errors) {
            return text;
        }
        errors.push(TextError::MissingKey {
            language,
            key: key.to_owned(),
        });
        if language != Language::English {
            if let Some(text) = self.format_in(Language::English, key, &fluent_args, errors) {
                return text;
            }
            errors.push(TextError::MissingKey {
                language: Language::English,
                key: key.to_owned(),
            });
        }
        key.to_owned()
    }

    fn format_in(
        &self,
        language: Language,
        key: &str,
        args: &FluentArgs<'_>,
        errors: &mut Vec<TextError>,
    ) -> Option<String> {
        let bundle = self.bundle(language);
        let pattern = bundle.get_message(key)?.value()?;
        let mut fluent_errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(args), &mut fluent_errors)
            .into_owned();
        errors.extend(fluent_errors.into_iter().map(|error| TextError::Format {
            language,
            key: key.to_owned(),
            error: error.to_string(),
        }));
        Some(text)
    }
}

fn fluent_args<'a>(args: &'a [(&'a str, Arg<'a>)]) -> FluentArgs<'a> {
    let mut fluent = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::String(Cow::Borrowed(text.as_ref())),
            Arg::Number(number) => FluentValue::from(*number),
        };
        fluent.set(*name, value);
    }
    fluent
}

/// Builds `language`'s bundle from `source`; the second value lists every parse and override
/// error, which [`Translator::new`] ignores and the tests reject.
pub(crate) fn build_bundle(language: Language, source: &str) -> (Bundle, Vec<String>) {
    let mut problems = Vec::new();
    let langid = match language.tag().parse() {
        Ok(langid) => langid,
        Err(error) => {
            problems.push(format!("tag {}: {error}", language.tag()));
            Default::default()
        }
    };
    let mut bundle = Bundle::new_concurrent(vec![langid]);
    // Discord shows the isolation marks Fluent puts around variables as stray characters.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            problems.extend(errors.iter().map(|error| format!("parse: {error:?}")));
            resource
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        problems.extend(errors.iter().map(ToString::to_string));
    }
    (bundle, problems)
}
