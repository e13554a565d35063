//! Pages: the layout every page shares, escaping, the reader's language, and the style sheet
//! (served by the panel itself: no page loads anything from elsewhere).

use helpline_domain::{Language, Timestamp};
use helpline_i18n::{Arg, Translator};

/// Everything a member, a server or Discord wrote, made safe inside HTML text and attribute
/// values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query or form value.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The reader's language: the browser's first language Helpline speaks, then their Discord
/// locale, then English.
pub(crate) fn language(accept_language: Option<&str>, discord_locale: Option<&str>) -> Language {
    accept_language
        .into_iter()
        .flat_map(|header| header.split(','))
        .filter_map(|item| item.split(';').next())
        .find_map(|tag| Language::from_discord_locale(tag.trim()))
        .or_else(|| discord_locale.and_then(Language::from_discord_locale))
        .unwrap_or(Language::English)
}

/// Texts in one language.
#[derive(Clone, Copy)]
pub(crate) struct Text<'a> {
    pub(crate) translator: &'a Translator,
    pub(crate) language: Language,
}

impl Text<'_> {
    pub(crate) fn get(&self, key: &str) -> String {
        self.translator.text(self.language, key, &[])
    }

    pub(crate) fn with(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.translator.text(self.language, key, args)
    }

    /// A date and time, as transcripts show them (UTC).
    pub(crate) fn time(&self, at: Timestamp) -> String {
        helpline_domain::transcript::format_time(at)
    }
}

/// Who is signed in, for the header.
pub(crate) struct Header<'a> {
    pub(crate) user_name: Option<&'a str>,
    pub(crate) csrf: Option<&'a str>,
}

/// A whole page.
pub(crate) fn layout(text: Text<'_>, title: &str, header: &Header<'_>, body: &str) -> String {
    use helpline_i18n::panel as key;
    let nav = match (header.user_name, header.csrf) {
        (Some(name), Some(csrf)) => format!(
            r#"<nav aria-label="{nav}"><a href="/tickets">{mine}</a> <a href="/guilds">{servers}</a>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{csrf}"><span class="who">{name}</span> <button type="submit">{out}</button></form></nav>"#,
            nav = esc(&text.get(key::NAVIGATION)),
            mine = esc(&text.get(key::MY_TICKETS)),
            servers = esc(&text.get(key::SERVERS)),
            csrf = esc(csrf),
            name = esc(name),
            out = esc(&text.get(key::SIGN_OUT)),
        ),
        _ => format!(
            r#"<nav aria-label="{nav}"><a class="button" href="/login">{sign_in}</a></nav>"#,
            nav = esc(&text.get(key::NAVIGATION)),
            sign_in = esc(&text.get(key::SIGN_IN)),
        ),
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Helpline</title><link rel="stylesheet" href="/assets/panel.css"></head>
<body><header><a class="brand" href="/">Helpline</a>{nav}</header>
<main id="main"><h1>{title}</h1>
{body}
</main></body></html>"#,
        lang = text.language.tag(),
        title = esc(title),
    )
}

/// The style sheet: readable on a phone, visible focus for keyboard users.
pub(crate) const STYLE: &str = r"
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1rem; border-bottom: 1px solid #8884; }
header nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
.brand { font-weight: 700; text-decoration: none; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #5865f2; outline-offset: 2px; }
.button, button { padding: .4rem .9rem; border-radius: .4rem; border: 1px solid #5865f2; background: #5865f2; color: #fff; text-decoration: none; cursor: pointer; font: inherit; }
form.inline { display: inline; }
.who { margin-right: .5rem; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #8883; vertical-align: top; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: 1rem; }
.filters label { display: flex; flex-direction: column; font-size: .9rem; }
form.settings fieldset { margin: 0 0 1rem; border: 1px solid #8884; border-radius: .4rem; }
form.settings .field { display: flex; flex-direction: column; gap: .2rem; margin: .6rem 0; max-width: 32rem; }
form.settings .choices { list-style: none; padding: 0; }
.hint { font-size: .9rem; opacity: .75; }
.notice { color: #2e7d32; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.facts dt { font-weight: 600; }
iframe.transcript { width: 100%; min-height: 70vh; border: 1px solid #8884; border-radius: .4rem; }
.error { color: #c62828; }
.muted { opacity: .75; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
svg.chart { display: block; width: 100%; max-width: 48rem; height: auto; }
.periods { display: flex; flex-wrap: wrap; gap: 1rem; margin: .5rem 0; }
.periods a[aria-current] { font-weight: 700; text-decoration: none; }
";
