//! Welcome-message and ticket-name templates (MISSION A5).
//!
//! A template is text with placeholders: `$author $staff $topic $reason $counter $year $month
//! $day` (also written `${author}`, case-insensitive). `$$` is a literal dollar sign, and a `$`
//! not followed by a letter is kept as it is. An unknown placeholder is refused when the admin
//! saves the template, with the list of valid ones, so a typo never reaches a member.

use crate::limits;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A value a template can insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// The opener, as a mention in messages and as a name in channel names.
    Author,
    /// The staff roles of the ticket's topic, as mentions.
    Staff,
    /// The topic's name.
    Topic,
    /// The reason the opener gave.
    Reason,
    /// The ticket's number in its guild, at least 4 digits (`0042`).
    Counter,
    /// The year the ticket was opened (UTC).
    Year,
    /// The month, two digits.
    Month,
    /// The day of the month, two digits.
    Day,
}

impl Placeholder {
    /// Every placeholder, in the order they are documented.
    pub const ALL: [Self; 8] = [
        Self::Author,
        Self::Staff,
        Self::Topic,
        Self::Reason,
        Self::Counter,
        Self::Year,
        Self::Month,
        Self::Day,
    ];

    /// The placeholder's name, without the dollar sign.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::Staff => "staff",
            Self::Topic => "topic",
            Self::Reason => "reason",
            Self::Counter => "counter",
            Self::Year => "year",
            Self::Month => "month",
            Self::Day => "day",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The valid placeholders as the admin writes them: `$author, $staff, …`.
    pub fn valid_list() -> String {
        Self::ALL
            .iter()
            .map(|p| format!("${}", p.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a template cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TemplateError {
    /// `$name` where `name` is not a placeholder. `valid` lists the valid ones.
    UnknownPlaceholder { name: String, valid: String },
    /// `${` without its closing `}`.
    Unclosed,
    /// The template itself is longer than allowed.
    TooLong { max: usize, actual: usize },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPlaceholder { name, valid } => {
                write!(
                    f,
                    "unknown placeholder ${name}; valid placeholders are {valid}"
                )
            }
            Self::Unclosed => f.write_str("a `${` has no closing `}`"),
            Self::TooLong { max, actual } => {
                write!(
                    f,
                    "the template is {actual} characters long, at most {max} allowed"
                )
            }
        }
    }
}

impl std::error::Error for TemplateError {}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Placeholder),
}

/// A parsed template. It serializes as its source text and is parsed again when read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// The values a template is rendered with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateContext {
    /// How the opener appears (a mention `<@id>` in messages, a display name in channel names).
    pub author: String,
    /// How the staff appear (role mentions in messages, "staff" in channel names).
    pub staff: String,
    /// The topic's name, or empty.
    pub topic: String,
    /// The opener's reason, or empty.
    pub reason: String,
    /// The ticket's number in its guild.
    pub counter: u32,
    /// The UTC date the ticket was opened.
    pub date: (i32, u32, u32),
}

impl Template {
    /// The longest template source accepted (a welcome message must fit in an embed).
    pub const MAX_SOURCE: usize = limits::EMBED_DESCRIPTION;

    /// Parses `source`, refusing unknown placeholders.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let actual = limits::char_len(source);
        if actual > Self::MAX_SOURCE {
            return Err(TemplateError::TooLong {
                max: Self::MAX_SOURCE,
                actual,
            });
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((index, c)) = chars.next() {
            if c != '$' {
                text.push(c);
                continue;
            }
            match chars.peek().map(|&(_, next)| next) {
                Some('$') => {
                    chars.next();
                    text.push('$');
                }
                Some('{') => {
                    let rest = &source[index + 2..];
                    let Some(end) = rest.find('}') else {
                        return Err(TemplateError::Unclosed);
                    };
                    let name = &rest[..end];
                    let placeholder = Self::lookup(name)?;
                    // Skip `{`, the name and `}`.
                    for _ in 0..name.chars().count() + 2 {
                        chars.next();
                    }
                    flush(&mut parts, &mut text);
                    parts.push(Part::Value(placeholder));
                }
                Some(next) if next.is_ascii_alphabetic() => {
                    let rest = &source[index + 1..];
                    let end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_');
                    let name = &rest[..end.unwrap_or(rest.len())];
                    let placeholder = Self::lookup(name)?;
                    for _ in 0..name.len() {
                        chars.next();
                    }
                    flush(&mut parts, &mut text);
                    parts.push(Part::Value(placeholder));
                }
                _ => text.push('$'),
            }
        }
        flush(&mut parts, &mut text);
        Ok(Self {
            source: source.to_owned(),
            parts,
        })
    }

    fn lookup(name: &str) -> Result<Placeholder, TemplateError> {
        Placeholder::from_name(name).ok_or_else(|| TemplateError::UnknownPlaceholder {
            name: name.to_owned(),
            valid: Placeholder::valid_list(),
        })
    }

    /// The text the admin wrote.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholders this template uses, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.parts.iter().filter_map(|part| match part {
            Part::Value(p) => Some(*p),
            Part::Text(_) => None,
        })
    }

    /// The template with every placeholder replaced, uncut.
    pub fn render(&self, context: &TemplateContext) -> String {
        let mut out = String::with_capacity(self.source.len() + 32);
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(placeholder) => match placeholder {
                    Placeholder::Author => out.push_str(&context.author),
                    Placeholder::Staff => out.push_str(&context.staff),
                    Placeholder::Topic => out.push_str(&context.topic),
                    Placeholder::Reason => out.push_str(&context.reason),
                    Placeholder::Counter => out.push_str(&format!("{:04}", context.counter)),
                    Placeholder::Year => out.push_str(&format!("{:04}", context.date.0)),
                    Placeholder::Month => out.push_str(&format!("{:02}", context.date.1)),
                    Placeholder::Day => out.push_str(&format!("{:02}", context.date.2)),
                },
            }
        }
        out
    }

    /// The rendered text cut to fit in an embed description.
    pub fn render_message(&self, context: &TemplateContext) -> String {
        limits::truncate(&self.render(context), limits::EMBED_DESCRIPTION)
    }

    /// The rendered text as a text-channel name: what Discord would store (lowercase, dashes
    /// for spaces, no punctuation it strips), at most 100 characters, never empty.
    pub fn render_channel_name(&self, context: &TemplateContext) -> String {
        let name = text_channel_name(&self.render(context));
        if name.is_empty() {
            return format!("ticket-{:04}", context.counter);
        }
        name
    }

    /// The rendered text as a thread name: trimmed, at most 100 characters, never empty.
    pub fn render_thread_name(&self, context: &TemplateContext) -> String {
        let name = self
            .render(context)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return format!("ticket-{:04}", context.counter);
        }
        name.chars().take(limits::CHANNEL_NAME).collect()
    }
}

fn flush(parts: &mut Vec<Part>, text: &mut String) {
    if !text.is_empty() {
        parts.push(Part::Text(std::mem::take(text)));
    }
}

/// Normalizes `raw` the way Discord names text channels: lowercase, runs of spaces and
/// separators become one `-`, characters Discord strips are dropped, at most 100 characters.
pub fn text_channel_name(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len());
    let mut pending_dash = false;
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            if pending_dash && !name.is_empty() {
                name.push('-');
            }
            pending_dash = false;
            name.push(c);
        } else if c.is_whitespace() || c == '-' || c == '.' || c == '/' {
            pending_dash = true;
        }
    }
    name.chars()
        .take(limits::CHANNEL_NAME)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

impl TryFrom<String> for Template {
    type Error = TemplateError;

    fn try_from(source: String) -> Result<Self, Self::Error> {
        Self::parse(&source)
    }
}

impl From<Template> for String {
    fn from(template: Template) -> Self {
        template.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> TemplateContext {
        TemplateContext {
            author: "Alice Martin".into(),
            staff: "<@&7>".into(),
            topic: "Billing".into(),
            reason: "refund".into(),
            counter: 42,
            date: (2026, 3, 7),
        }
    }

    #[test]
    fn renders_every_placeholder() {
        let template =
            Template::parse("$author|$staff|$topic|$reason|$counter|$year-$month-$day").unwrap();
        assert_eq!(
            template.render(&context()),
            "Alice Martin|<@&7>|Billing|refund|0042|2026-03-07"
        );
    }

    #[test]
    fn braces_case_and_escapes() {
        let template = Template::parse("${Topic}s cost $$5 or $ 6 ($AUTHOR)").unwrap();
        assert_eq!(
            template.render(&context()),
            "Billings cost $5 or $ 6 (Alice Martin)"
        );
    }

    #[test]
    fn unknown_placeholder_names_the_valid_ones() {
        let error = Template::parse("hello $user").unwrap_err();
        let TemplateError::UnknownPlaceholder { name, valid } = &error else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(name, "user");
        for placeholder in Placeholder::ALL {
            assert!(valid.contains(&format!("${}", placeholder.name())));
        }
        assert!(matches!(
            Template::parse("${author"),
            Err(TemplateError::Unclosed)
        ));
        assert!(matches!(
            Template::parse("$authorname"),
            Err(TemplateError::UnknownPlaceholder { .. })
        ));
    }

    #[test]
    fn channel_names_follow_discord_and_are_cut() {
        let template = Template::parse("Ticket $counter – $author!").unwrap();
        assert_eq!(
            template.render_channel_name(&context()),
            "ticket-0042-alice-martin"
        );
        let long = Template::parse(&format!("{} $counter", "x".repeat(150))).unwrap();
        let name = long.render_channel_name(&context());
        assert_eq!(name.chars().count(), 100);
        let empty = Template::parse("!!! $reason").unwrap();
        let mut context = context();
        context.reason.clear();
        assert_eq!(empty.render_channel_name(&context), "ticket-0042");
    }

    #[test]
    fn messages_are_cut_to_an_embed_description() {
        let template = Template::parse("$reason").unwrap();
        let mut context = context();
        context.reason = "é".repeat(5000);
        assert_eq!(
            template.render_message(&context).chars().count(),
            limits::EMBED_DESCRIPTION
        );
    }

    #[test]
    fn serializes_as_source_and_refuses_bad_source() {
        let template = Template::parse("Hi $author").unwrap();
        let json = serde_json::to_string(&template).unwrap();
        assert_eq!(json, "\"Hi $author\"");
        assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), template);
        assert!(serde_json::from_str::<Template>("\"Hi $who\"").is_err());
    }

    #[test]
    fn too_long_source_is_refused() {
        let source = "a".repeat(Template::MAX_SOURCE + 1);
        assert!(matches!(
            Template::parse(&source),
            Err(TemplateError::TooLong { .. })
        ));
    }
}
