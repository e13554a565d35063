//! The transcript model (S8): every message of a ticket with its author, time, edits, embeds and
//! attachments. Attachments are copied, not linked, because Discord's links expire.

use crate::ids::{MessageId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One earlier version of an edited message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEdit {
    /// The content the message had before this edit.
    pub previous_content: String,
    pub edited_at: Timestamp,
}

/// An attachment of a message. `stored` tells whether its bytes were kept (they are not when
/// larger than the store's cap, or when the download failed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptAttachment {
    /// Discord's attachment id.
    pub id: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub size: u64,
    pub stored: bool,
}

/// The parts of an embed a transcript shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEmbed {
    pub title: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub color: Option<u32>,
    pub fields: Vec<(String, String)>,
    pub footer: Option<String>,
    pub image_url: Option<String>,
}

/// One message of a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptMessage {
    pub message_id: MessageId,
    pub author_id: UserId,
    pub author_name: String,
    pub author_is_bot: bool,
    pub content: String,
    pub created_at: Timestamp,
    /// Earlier versions, oldest first.
    pub edits: Vec<TranscriptEdit>,
    pub deleted_at: Option<Timestamp>,
    pub embeds: Vec<TranscriptEmbed>,
    pub attachments: Vec<TranscriptAttachment>,
}

impl TranscriptMessage {
    /// Records an edit: the current content becomes history, `content` the current one. An
    /// edit that changes nothing (Discord sends MESSAGE_UPDATE for embeds unfurling) is ignored.
    pub fn apply_edit(&mut self, content: String, at: Timestamp) -> bool {
        if content == self.content {
            return false;
        }
        let previous_content = std::mem::replace(&mut self.content, content);
        self.edits.push(TranscriptEdit {
            previous_content,
            edited_at: at,
        });
        true
    }
}

/// The words of a rendered transcript, in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptLabels {
    /// The page title, e.g. "Ticket #0012 — Demo Server".
    pub title: String,
    /// A line under the title: opener, dates, close reason.
    pub summary: String,
    pub edited: String,
    pub deleted: String,
    pub previous_versions: String,
    /// Shown for an attachment whose bytes were not kept (too large or unavailable).
    pub attachment_not_kept: String,
    pub no_messages: String,
}

/// Renders a transcript as one self-contained HTML page: styles inline, attachments embedded
/// as `data:` URLs (Discord's own links expire), nothing fetched from elsewhere. Everything a
/// member wrote is escaped; only `http` and `https` links become links, so `<script>`,
/// `onerror=` and `javascript:` render as inert text.
pub fn render_html(
    labels: &TranscriptLabels,
    messages: &[TranscriptMessage],
    attachment_bytes: &dyn Fn(u64) -> Option<Vec<u8>>,
) -> String {
    let mut html = String::with_capacity(4096 + messages.len() * 512);
    html.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">");
    html.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'\">");
    html.push_str("<title>");
    escape_into(&mut html, &labels.title);
    html.push_str("</title><style>");
    html.push_str(STYLE);
    html.push_str("</style></head><body><header><h1>");
    escape_into(&mut html, &labels.title);
    html.push_str("</h1><p>");
    escape_into(&mut html, &labels.summary);
    html.push_str("</p></header><main>");
    if messages.is_empty() {
        html.push_str("<p class=\"empty\">");
        escape_into(&mut html, &labels.no_messages);
        html.push_str("</p>");
    }
    for message in messages {
        render_message(&mut html, labels, message, attachment_bytes);
    }
    html.push_str("</main></body></html>\n");
    html
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#313338;color:#dbdee1;margin:0;padding:24px}\
header{border-bottom:1px solid #4e5058;margin-bottom:16px}h1{font-size:20px;margin:0 0 4px}\
.message{padding:6px 0}.author{font-weight:600;color:#f2f3f5}.bot{font-size:11px;background:#5865f2;color:#fff;border-radius:3px;padding:0 4px;margin-left:4px}\
time,.meta{color:#949ba4;font-size:12px;margin-left:6px}.content{white-space:pre-wrap;word-wrap:break-word}\
.deleted .content{text-decoration:line-through;color:#949ba4}details{font-size:12px;color:#949ba4}\
.embed{border-left:4px solid #4e5058;background:#2b2d31;padding:8px 12px;margin:4px 0;max-width:520px}\
.attachment{margin:4px 0}.attachment img{max-width:400px;max-height:300px;display:block}a{color:#00a8fc}";

fn render_message(
    html: &mut String,
    labels: &TranscriptLabels,
    message: &TranscriptMessage,
    attachment_bytes: &dyn Fn(u64) -> Option<Vec<u8>>,
) {
    let class = if message.deleted_at.is_some() {
        "message deleted"
    } else {
        "message"
    };
    html.push_str(&format!(
        "<article class=\"{class}\" id=\"m{}\"><div>",
        message.message_id
    ));
    html.push_str("<span class=\"author\">");
    escape_into(html, &message.author_name);
    html.push_str("</span>");
    if message.author_is_bot {
        html.push_str("<span class=\"bot\">BOT</span>");
    }
    html.push_str(&format!("<time>{}</time>", format_time(message.created_at)));
    if let Some(edit) = message.edits.last() {
        html.push_str("<span class=\"meta\">(");
        escape_into(html, &labels.edited);
        html.push_str(&format!(" {})</span>", format_time(edit.edited_at)));
    }
    if let Some(deleted) = message.deleted_at {
        html.push_str("<span class=\"meta\">(");
        escape_into(html, &labels.deleted);
        html.push_str(&format!(" {})</span>", format_time(deleted)));
    }
    html.push_str("</div><div class=\"content\">");
    linkify_into(html, &message.content);
    html.push_str("</div>");
    if !message.edits.is_empty() {
        html.push_str("<details><summary>");
        escape_into(html, &labels.previous_versions);
        html.push_str("</summary><ol>");
        for edit in &message.edits {
            html.push_str("<li><div class=\"content\">");
            escape_into(html, &edit.previous_content);
            html.push_str("</div></li>");
        }
        html.push_str("</ol></details>");
    }
    for embed in &message.embeds {
        render_embed(html, embed);
    }
    for attachment in &message.attachments {
        render_attachment(html, labels, attachment, attachment_bytes);
    }
    html.push_str("</article>");
}

fn render_embed(html: &mut String, embed: &TranscriptEmbed) {
    let color = embed
        .color
        .map_or_else(|| "#4e5058".to_owned(), |c| format!("#{c:06x}"));
    html.push_str(&format!(
        "<div class=\"embed\" style=\"border-left-color:{color}\">"
    ));
    if let Some(title) = &embed.title {
        html.push_str("<div class=\"author\">");
        match embed.url.as_deref().filter(|url| is_web_url(url)) {
            Some(url) => {
                html.push_str("<a rel=\"noopener noreferrer nofollow\" href=\"");
                escape_into(html, url);
                html.push_str("\">");
                escape_into(html, title);
                html.push_str("</a>");
            }
            None => escape_into(html, title),
        }
        html.push_str("</div>");
    }
    if let Some(description) = &embed.description {
        html.push_str("<div class=\"content\">");
        linkify_into(html, description);
        html.push_str("</div>");
    }
    for (name, value) in &embed.fields {
        html.push_str("<div><span class=\"author\">");
        escape_into(html, name);
        html.push_str("</span><div class=\"content\">");
        linkify_into(html, value);
        html.push_str("</div></div>");
    }
    if let Some(footer) = &embed.footer {
        html.push_str("<div class=\"meta\">");
        escape_into(html, footer);
        html.push_str("</div>");
    }
    html.push_str("</div>");
}

fn render_attachment(
    html: &mut String,
    labels: &TranscriptLabels,
    attachment: &TranscriptAttachment,
    attachment_bytes: &dyn Fn(u64) -> Option<Vec<u8>>,
) {
    html.push_str("<div class=\"attachment\">");
    let bytes = if attachment.stored {
        attachment_bytes(attachment.id)
    } else {
        None
    };
    let Some(bytes) = bytes else {
        html.push_str("<span class=\"meta\">");
        escape_into(html, &attachment.filename);
        html.push_str(" — ");
        escape_into(html, &labels.attachment_not_kept);
        html.push_str("</span></div>");
        return;
    };
    let content_type = attachment
        .content_type
        .as_deref()
        .filter(|t| is_safe_media_type(t))
        .unwrap_or("application/octet-stream");
    let data_url = format!("data:{content_type};base64,{}", base64(&bytes));
    if content_type.starts_with("image/") && content_type != "image/svg+xml" {
        html.push_str("<img alt=\"");
        escape_into(html, &attachment.filename);
        html.push_str("\" src=\"");
        html.push_str(&data_url);
        html.push_str("\">");
    }
    html.push_str("<a download=\"");
    escape_into(html, &attachment.filename);
    html.push_str("\" href=\"");
    html.push_str(&data_url);
    html.push_str("\">");
    escape_into(html, &attachment.filename);
    html.push_str(&format!(
        "</a> <span class=\"meta\">{} B</span></div>",
        bytes.len()
    ));
}

/// A media type made only of the characters media types use, so it cannot break out of the
/// `data:` URL it is written into.
fn is_safe_media_type(content_type: &str) -> bool {
    !content_type.is_empty()
        && content_type.len() <= 100
        && content_type
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/.+-".contains(&b))
}

fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.contains(['"', '<', '>', ' '])
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Escapes text and turns `http(s)://` URLs into links; nothing else becomes markup.
fn linkify_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        escape_into(out, &rest[..start]);
        let url_len = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(rest.len() - start);
        let url = &rest[start..start + url_len];
        out.push_str("<a rel=\"noopener noreferrer nofollow\" href=\"");
        escape_into(out, url);
        out.push_str("\">");
        escape_into(out, url);
        out.push_str("</a>");
        rest = &rest[start + url_len..];
    }
    escape_into(out, rest);
}

fn find_url(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    [lower.find("https://"), lower.find("http://")]
        .into_iter()
        .flatten()
        .min()
}

/// `YYYY-MM-DD HH:MM UTC`.
fn format_time(at: Timestamp) -> String {
    let (year, month, day) = at.civil_date();
    let seconds_of_day = at.as_secs().rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60
    )
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    fn labels() -> TranscriptLabels {
        TranscriptLabels {
            title: "Ticket #0001 — <Demo> Server".into(),
            summary: "Opened by Alice".into(),
            edited: "edited".into(),
            deleted: "deleted".into(),
            previous_versions: "Previous versions".into(),
            attachment_not_kept: "not kept".into(),
            no_messages: "No messages".into(),
        }
    }

    fn message(id: u64, content: &str) -> TranscriptMessage {
        TranscriptMessage {
            message_id: Id::new(id),
            author_id: Id::new(9),
            author_name: "Mallory <img src=x onerror=alert(1)>".into(),
            author_is_bot: false,
            content: content.into(),
            created_at: Timestamp::from_secs(1_795_305_540),
            edits: Vec::new(),
            deleted_at: None,
            embeds: Vec::new(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn hostile_content_renders_inert() {
        let mut hostile = message(
            1,
            "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) javascript:alert(4)",
        );
        hostile.embeds.push(TranscriptEmbed {
            title: Some("click".into()),
            url: Some("javascript:alert(5)".into()),
            description: Some("\"><svg onload=alert(6)>".into()),
            ..TranscriptEmbed::default()
        });
        hostile.attachments.push(TranscriptAttachment {
            id: 7,
            filename: "\"><script>alert(7)</script>.png".into(),
            content_type: Some("text/html;x=\"".into()),
            size: 3,
            stored: true,
        });
        let html = render_html(&labels(), &[hostile], &|_| Some(b"abc".to_vec()));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("<svg"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("onerror=alert(2)"), "kept as text");
        assert!(
            html.contains("data:application/octet-stream;base64,YWJj"),
            "unsafe media type replaced"
        );
        assert!(html.contains("&lt;Demo&gt;"));
        // Attribute values never break out of their quotes.
        assert!(html.contains("download=\"&quot;&gt;&lt;script&gt;alert(7)&lt;/script&gt;.png\""));
    }

    #[test]
    fn messages_edits_deletions_and_attachments() {
        let mut edited = message(1, "final text https://example.com/a?b=1&c=2 end");
        edited.author_name = "Alice".into();
        edited.edits.push(TranscriptEdit {
            previous_content: "first text".into(),
            edited_at: Timestamp::from_secs(1_795_305_560),
        });
        let mut deleted = message(2, "oops");
        deleted.deleted_at = Some(Timestamp::from_secs(1_795_305_580));
        let mut with_files = message(3, "files");
        with_files.attachments = vec![
            TranscriptAttachment {
                id: 1,
                filename: "shot.png".into(),
                content_type: Some("image/png".into()),
                size: 4,
                stored: true,
            },
            TranscriptAttachment {
                id: 2,
                filename: "huge.mp4".into(),
                content_type: Some("video/mp4".into()),
                size: 1 << 30,
                stored: false,
            },
        ];
        let html = render_html(&labels(), &[edited, deleted, with_files], &|id| {
            (id == 1).then(|| vec![0x89, b'P', b'N', b'G'])
        });
        assert!(html.contains("2026-11-21 23:59 UTC"), "{html}");
        assert!(html.contains(
            "<a rel=\"noopener noreferrer nofollow\" href=\"https://example.com/a?b=1&amp;c=2\">"
        ));
        assert!(html.contains("Previous versions") && html.contains("first text"));
        assert!(html.contains("class=\"message deleted\""));
        assert!(
            html.contains("<img alt=\"shot.png\" src=\"data:image/png;base64,iVBORw==\">"),
            "{html}"
        );
        assert!(html.contains("huge.mp4 — not kept"));
        let order: Vec<usize> = ["id=\"m1\"", "id=\"m2\"", "id=\"m3\""]
            .iter()
            .map(|m| html.find(m).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
