//! The transcript model (S8): every message of a ticket with its author, time, edits, embeds and
//! attachments. Attachments are copied, not linked, because Discord's links expire.
//!
//! A transcript is rendered as one self-contained HTML file. Its attachments are written as they
//! come ([`render_parts`], [`write_html`], [`write_base64`]) so that a caller never needs every
//! attachment in memory at once, and [`plan_file`] decides which of them a file can embed and
//! still fit a size limit such as Discord's upload limit: the largest are left out first, and
//! the file says so.

use crate::ids::{MessageId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};

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
    /// A note staff kept with the ticket (`/note`), never posted on Discord: marked in the
    /// transcript staff read, left out of the copy the opener gets.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staff_note: bool,
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
    /// The mark on a staff note.
    pub staff_note: String,
    /// The ticket's facts under the title, each a label and its value (server, number, topic,
    /// opener, claimer, closer, reason, dates, participants, form answers).
    pub details: Vec<(String, String)>,
    /// Names for the mentions in messages.
    pub names: MentionNames,
}

/// The names `<@user>`, `<@&role>` and `<#channel>` mentions are shown as; a mention without
/// a name shows as `unknown` (its raw id stays in the title attribute).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MentionNames {
    pub users: std::collections::BTreeMap<u64, String>,
    pub roles: std::collections::BTreeMap<u64, String>,
    pub channels: std::collections::BTreeMap<u64, String>,
    /// Shown for a mention of something without a name.
    pub unknown: String,
}

/// A mention in message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mention {
    User(u64),
    Role(u64),
    Channel(u64),
}

/// The mention starting at `text[0]` (`<@1>`, `<@!1>`, `<@&1>`, `<#1>`) and its length.
fn mention_at(text: &str) -> Option<(Mention, usize)> {
    let rest = text.strip_prefix('<')?;
    let (kind, digits) = if let Some(d) = rest.strip_prefix("@&") {
        (2, d)
    } else if let Some(d) = rest.strip_prefix("@!") {
        (1, d)
    } else if let Some(d) = rest.strip_prefix('@') {
        (1, d)
    } else if let Some(d) = rest.strip_prefix('#') {
        (3, d)
    } else {
        return None;
    };
    let end = digits.find('>')?;
    let id: u64 = digits[..end]
        .parse()
        .ok()
        // Snowflakes are never 0: `<@0>` is text, not a mention (and no id can hold it).
        .filter(|id| end > 0 && end <= 20 && *id != 0)?;
    let mention = match kind {
        1 => Mention::User(id),
        2 => Mention::Role(id),
        _ => Mention::Channel(id),
    };
    Some((mention, text.len() - digits.len() + end + 1))
}

/// Every mention in the messages, so a caller can look their names up.
pub fn mentions(messages: &[TranscriptMessage]) -> Vec<Mention> {
    let mut found = Vec::new();
    let texts = messages.iter().flat_map(|message| {
        std::iter::once(message.content.as_str()).chain(message.embeds.iter().flat_map(|embed| {
            embed
                .description
                .as_deref()
                .into_iter()
                .chain(embed.fields.iter().map(|(_, value)| value.as_str()))
        }))
    });
    for text in texts {
        let mut at = 0;
        while let Some(offset) = text[at..].find('<') {
            let start = at + offset;
            match mention_at(&text[start..]) {
                Some((mention, len)) => {
                    if !found.contains(&mention) {
                        found.push(mention);
                    }
                    at = start + len;
                }
                None => at = start + 1,
            }
        }
    }
    found
}

/// Whether a message has nothing a reader would see: a system message (a pin notice, a thread
/// notice) captured as an empty bot message.
fn is_empty(message: &TranscriptMessage) -> bool {
    message.content.trim().is_empty() && message.embeds.is_empty() && message.attachments.is_empty()
}

/// The words a transcript file needs once it leaves attachments out to fit an upload limit.
///
/// They are kept apart from [`TranscriptLabels`] so that code which builds those, and files that
/// leave nothing out, need not change. `summary` is a function because the line says how many
/// attachments were left out, and languages inflect that number differently.
pub struct LeftOutLabels<'a> {
    /// Shown after the name and size of a kept attachment this file leaves out, e.g. "the file
    /// was left out of this copy to fit Discord's upload limit; the full transcript keeps it".
    pub attachment: String,
    /// The line under the summary of a file that left `count` (at least one) attachments out.
    pub summary: Box<dyn Fn(usize) -> String + Send + Sync + 'a>,
}

impl fmt::Debug for LeftOutLabels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeftOutLabels")
            .field("attachment", &self.attachment)
            .field("summary", &(self.summary)(1))
            .finish()
    }
}

/// Which kept attachments one transcript file embeds, as [`plan_file`] decided, with the words
/// for those it leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlan {
    left_out: BTreeSet<u64>,
    attachment_label: String,
    summary: Option<String>,
    estimated_bytes: u64,
    fits: bool,
}

impl FilePlan {
    /// A plan that embeds every kept attachment, for renderings with no size limit.
    fn embed_all() -> Self {
        Self {
            left_out: BTreeSet::new(),
            attachment_label: String::new(),
            summary: None,
            estimated_bytes: 0,
            fits: true,
        }
    }

    /// Whether the file leaves this kept attachment out.
    pub fn is_left_out(&self, attachment_id: u64) -> bool {
        self.left_out.contains(&attachment_id)
    }

    /// The ids of the kept attachments the file leaves out.
    pub fn left_out(&self) -> &BTreeSet<u64> {
        &self.left_out
    }

    /// The size, in bytes, of the file rendered with this plan. It is exact when every kept
    /// attachment's bytes are as long as its `size` says, which is why callers should set
    /// `size` from the store before planning.
    pub fn estimated_bytes(&self) -> u64 {
        self.estimated_bytes
    }

    /// Whether the file fits the budget it was planned for. It does not only when the text
    /// alone, with every attachment left out, is larger than the budget.
    pub fn fits(&self) -> bool {
        self.fits
    }
}

/// How a kept or unkept attachment appears in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    /// Its bytes were never kept: named, with `attachment_not_kept`.
    NotKept,
    /// Kept, but left out of this file to fit the budget: named, with the left-out words.
    LeftOut,
    /// Embedded as a `data:` URL.
    Embedded,
}

impl FilePlan {
    fn shown(&self, attachment: &TranscriptAttachment) -> Shown {
        if !attachment.stored {
            Shown::NotKept
        } else if self.is_left_out(attachment.id) {
            Shown::LeftOut
        } else {
            Shown::Embedded
        }
    }
}

/// Decides which kept attachments a transcript file embeds so that it stays within
/// `max_file_bytes`: it leaves out the largest first (the later one first among equals) until
/// the file fits, because one large video should not cost the reader every screenshot.
///
/// The size is computed, not guessed: the HTML is measured as it would be written, and an
/// embedded attachment of `size` bytes adds its markup, its `data:` URL prefix and the
/// 4 × ⌈size / 3⌉ bytes of its base64. Attachments without kept bytes never count. When even
/// leaving every attachment out does not fit, the plan leaves them all out and says it does not
/// fit ([`FilePlan::fits`]).
pub fn plan_file(
    labels: &TranscriptLabels,
    left_out: &LeftOutLabels<'_>,
    messages: &[TranscriptMessage],
    max_file_bytes: u64,
) -> FilePlan {
    let mut plan = FilePlan {
        attachment_label: left_out.attachment.clone(),
        ..FilePlan::embed_all()
    };
    let mut total = measure(|sink| render(sink, labels, messages, &plan));
    // What each kept attachment costs embedded and left out, summed over its occurrences.
    let mut costs: BTreeMap<u64, (u64, u64, u64)> = BTreeMap::new();
    for attachment in messages
        .iter()
        .flat_map(|m| &m.attachments)
        .filter(|a| a.stored)
    {
        let embedded = measure(|sink| {
            let mut out = Out::new(sink);
            attachment_block(&mut out, labels, &plan, attachment, Shown::Embedded)?;
            out.flush()
        });
        let left = measure(|sink| {
            let mut out = Out::new(sink);
            attachment_block(&mut out, labels, &plan, attachment, Shown::LeftOut)?;
            out.flush()
        });
        let cost = costs.entry(attachment.id).or_insert((0, 0, 0));
        cost.0 = cost.0.max(attachment.size);
        cost.1 = cost.1.saturating_add(embedded);
        cost.2 = cost.2.saturating_add(left);
    }
    let mut largest_first: Vec<(u64, u64, u64, u64)> = costs
        .into_iter()
        .map(|(id, (size, embedded, left))| (id, size, embedded, left))
        .collect();
    largest_first.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let summary_bytes = |count: usize| -> (Option<String>, u64) {
        if count == 0 {
            return (None, 0);
        }
        let summary = (left_out.summary)(count);
        let bytes = measure(|sink| {
            let mut out = Out::new(sink);
            summary_line(&mut out, &summary);
            out.flush()
        });
        (Some(summary), bytes)
    };
    let mut count = 0;
    let (mut summary, mut summary_len) = (None, 0);
    while total.saturating_add(summary_len) > max_file_bytes && count < largest_first.len() {
        let (id, _, embedded, left) = largest_first[count];
        total = total.saturating_sub(embedded).saturating_add(left);
        plan.left_out.insert(id);
        count += 1;
        (summary, summary_len) = summary_bytes(count);
    }
    plan.summary = summary;
    plan.estimated_bytes = total.saturating_add(summary_len);
    plan.fits = plan.estimated_bytes <= max_file_bytes;
    plan
}

/// One piece of a transcript file, in the order it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptPart {
    /// HTML, written as it is.
    Html(String),
    /// The place of a kept attachment's bytes: write their base64 here ([`write_base64`]).
    /// `size` is the length the plan counted on.
    AttachmentData { id: u64, size: u64 },
}

/// Renders a transcript as [`write_html`] does, but as the list of its pieces, so that a caller
/// whose attachment bytes come from an asynchronous store can write the HTML and then each
/// attachment in turn, holding one attachment's bytes at a time.
pub fn render_parts(
    labels: &TranscriptLabels,
    messages: &[TranscriptMessage],
    plan: &FilePlan,
) -> Vec<TranscriptPart> {
    let mut parts = Parts(Vec::new());
    // Collecting into memory cannot fail.
    let _ = render(&mut parts, labels, messages, plan);
    parts.0
}

/// Writes a transcript as one self-contained HTML page into `out`: styles inline, kept
/// attachments embedded as `data:` URLs (Discord's own links expire) unless `plan` leaves them
/// out, nothing fetched from elsewhere. Everything a member wrote is escaped; only `http` and
/// `https` links become links, so `<script>`, `onerror=` and `javascript:` render as inert text.
///
/// `attachment_data` is called once for each embedded attachment, in order, and must write the
/// base64 of its bytes ([`write_base64`]): the caller decides where bytes come from and how many
/// it holds at once.
pub fn write_html(
    out: &mut dyn Write,
    labels: &TranscriptLabels,
    messages: &[TranscriptMessage],
    plan: &FilePlan,
    attachment_data: &mut dyn FnMut(&TranscriptAttachment, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    render(
        &mut Writer {
            out,
            attachment_data,
        },
        labels,
        messages,
        plan,
    )
}

/// Renders a transcript as one HTML page held in memory, every kept attachment embedded (see
/// [`write_html`]). `attachment_bytes` gives a kept attachment's bytes; one it has none for is
/// shown as not kept. It holds every attachment at once: files that must stay small or bounded
/// are written with [`plan_file`] and [`render_parts`] or [`write_html`] instead.
pub fn render_html(
    labels: &TranscriptLabels,
    messages: &[TranscriptMessage],
    attachment_bytes: &dyn Fn(u64) -> Option<Vec<u8>>,
) -> String {
    let mut bytes = BTreeMap::new();
    let messages: Vec<TranscriptMessage> = messages
        .iter()
        .map(|message| {
            let mut message = message.clone();
            for attachment in message.attachments.iter_mut().filter(|a| a.stored) {
                match attachment_bytes(attachment.id) {
                    Some(data) => {
                        attachment.size = data.len() as u64;
                        bytes.insert(attachment.id, data);
                    }
                    None => attachment.stored = false,
                }
            }
            message
        })
        .collect();
    let mut html = Vec::with_capacity(4096 + messages.len() * 512);
    // Writing to a `Vec` cannot fail.
    let _ = write_html(
        &mut html,
        labels,
        &messages,
        &FilePlan::embed_all(),
        &mut |attachment, out| {
            write_base64(
                out,
                bytes.get(&attachment.id).map_or(&[][..], Vec::as_slice),
            )
        },
    );
    // Only `&str` pieces and base64 were written.
    String::from_utf8(html).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into())
}

/// Bytes encoded per step of [`write_base64`]: a multiple of 3, so only the last step pads.
const BASE64_CHUNK: usize = 3 * 1024;

/// Writes the standard base64 (with padding) of `bytes` into `out`, a few kilobytes at a time,
/// so that the encoding of a large attachment is never held whole in memory.
pub fn write_base64(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let mut encoded = [0u8; BASE64_CHUNK / 3 * 4];
    for chunk in bytes.chunks(BASE64_CHUNK) {
        let len = encode_base64(chunk, &mut encoded);
        out.write_all(&encoded[..len])?;
    }
    Ok(())
}

/// The length of the base64 of `len` bytes.
fn base64_len(len: u64) -> u64 {
    len.div_ceil(3).saturating_mul(4)
}

/// Where a rendering goes: text as it comes, and the place of each embedded attachment's bytes.
trait Sink {
    fn text(&mut self, text: &str) -> io::Result<()>;
    fn attachment_data(&mut self, attachment: &TranscriptAttachment) -> io::Result<()>;
}

/// Counts the bytes a rendering would write, an attachment's bytes by their `size`.
struct Counter(u64);

impl Sink for Counter {
    fn text(&mut self, text: &str) -> io::Result<()> {
        self.0 = self.0.saturating_add(text.len() as u64);
        Ok(())
    }

    fn attachment_data(&mut self, attachment: &TranscriptAttachment) -> io::Result<()> {
        self.0 = self.0.saturating_add(base64_len(attachment.size));
        Ok(())
    }
}

fn measure(render: impl FnOnce(&mut Counter) -> io::Result<()>) -> u64 {
    let mut counter = Counter(0);
    // Counting cannot fail.
    let _ = render(&mut counter);
    counter.0
}

/// Collects a rendering as [`TranscriptPart`]s, consecutive text in one part.
struct Parts(Vec<TranscriptPart>);

impl Sink for Parts {
    fn text(&mut self, text: &str) -> io::Result<()> {
        match self.0.last_mut() {
            Some(TranscriptPart::Html(html)) => html.push_str(text),
            _ => self.0.push(TranscriptPart::Html(text.to_owned())),
        }
        Ok(())
    }

    fn attachment_data(&mut self, attachment: &TranscriptAttachment) -> io::Result<()> {
        self.0.push(TranscriptPart::AttachmentData {
            id: attachment.id,
            size: attachment.size,
        });
        Ok(())
    }
}

/// Writes a rendering into a [`Write`], attachment bytes from the caller.
struct Writer<'a> {
    out: &'a mut dyn Write,
    attachment_data: &'a mut dyn FnMut(&TranscriptAttachment, &mut dyn Write) -> io::Result<()>,
}

impl Sink for Writer<'_> {
    fn text(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    fn attachment_data(&mut self, attachment: &TranscriptAttachment) -> io::Result<()> {
        (self.attachment_data)(attachment, self.out)
    }
}

/// Text is gathered here and handed to the sink in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// The HTML being rendered: text gathered in `buf`, handed to the sink when large enough and
/// before each attachment's bytes.
struct Out<'s> {
    buf: String,
    sink: &'s mut dyn Sink,
}

impl<'s> Out<'s> {
    fn new(sink: &'s mut dyn Sink) -> Self {
        Self {
            buf: String::new(),
            sink,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.sink.text(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn flush_if_large(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn attachment_data(&mut self, attachment: &TranscriptAttachment) -> io::Result<()> {
        self.flush()?;
        self.sink.attachment_data(attachment)
    }
}

fn render(
    sink: &mut dyn Sink,
    labels: &TranscriptLabels,
    messages: &[TranscriptMessage],
    plan: &FilePlan,
) -> io::Result<()> {
    let mut out = Out::new(sink);
    let html = &mut out.buf;
    html.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">");
    html.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'\">");
    html.push_str("<title>");
    escape_into(html, &labels.title);
    html.push_str("</title><style>");
    html.push_str(STYLE);
    html.push_str("</style></head><body><header><h1>");
    escape_into(html, &labels.title);
    html.push_str("</h1><p>");
    escape_into(html, &labels.summary);
    html.push_str("</p>");
    if !labels.details.is_empty() {
        html.push_str("<dl>");
        for (label, value) in &labels.details {
            html.push_str("<dt>");
            escape_into(html, label);
            html.push_str("</dt><dd>");
            escape_into(html, value);
            html.push_str("</dd>");
        }
        html.push_str("</dl>");
    }
    if let Some(summary) = &plan.summary {
        summary_line(&mut out, summary);
    }
    let html = &mut out.buf;
    html.push_str("</header><main>");
    if messages.iter().all(is_empty) {
        html.push_str("<p class=\"empty\">");
        escape_into(html, &labels.no_messages);
        html.push_str("</p>");
    }
    for message in messages.iter().filter(|message| !is_empty(message)) {
        render_message(&mut out, labels, plan, message)?;
        out.flush_if_large()?;
    }
    out.buf.push_str("</main></body></html>\n");
    out.flush()
}

/// The line at the top of a file that left attachments out.
fn summary_line(out: &mut Out<'_>, summary: &str) {
    out.buf.push_str("<p class=\"left-out\">");
    escape_into(&mut out.buf, summary);
    out.buf.push_str("</p>");
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#313338;color:#dbdee1;margin:0;padding:24px}\
header{border-bottom:1px solid #4e5058;margin-bottom:16px}h1{font-size:20px;margin:0 0 4px}.left-out{color:#f0b232}\
.message{padding:6px 0}.author{font-weight:600;color:#f2f3f5}.bot{font-size:11px;background:#5865f2;color:#fff;border-radius:3px;padding:0 4px;margin-left:4px}\
time,.meta{color:#949ba4;font-size:12px;margin-left:6px}.content{white-space:pre-wrap;word-wrap:break-word}\
.deleted .content{text-decoration:line-through;color:#949ba4}details{font-size:12px;color:#949ba4}\
.embed{border-left:4px solid #4e5058;background:#2b2d31;padding:8px 12px;margin:4px 0;max-width:520px}\
.attachment{margin:4px 0}.attachment img{max-width:400px;max-height:300px;display:block}a{color:#00a8fc}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px}dt{color:#949ba4}dd{margin:0}\
.mention{background:#3c4270;color:#c9cdfb;border-radius:3px;padding:0 2px}\
.note{border-left:3px solid #f0b232;background:#3a3424;padding-left:8px}.note-mark{font-size:11px;background:#f0b232;color:#1e1f22;border-radius:3px;padding:0 4px;margin-left:4px}";

fn render_message(
    out: &mut Out<'_>,
    labels: &TranscriptLabels,
    plan: &FilePlan,
    message: &TranscriptMessage,
) -> io::Result<()> {
    let html = &mut out.buf;
    let class = match (message.deleted_at.is_some(), message.staff_note) {
        (true, true) => "message note deleted",
        (true, false) => "message deleted",
        (false, true) => "message note",
        (false, false) => "message",
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
    if message.staff_note {
        html.push_str("<span class=\"note-mark\">");
        escape_into(html, &labels.staff_note);
        html.push_str("</span>");
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
    rich_into(html, &message.content, &labels.names);
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
        render_embed(html, embed, &labels.names);
    }
    for attachment in &message.attachments {
        attachment_block(out, labels, plan, attachment, plan.shown(attachment))?;
    }
    out.buf.push_str("</article>");
    Ok(())
}

fn render_embed(html: &mut String, embed: &TranscriptEmbed, names: &MentionNames) {
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
        rich_into(html, description, names);
        html.push_str("</div>");
    }
    for (name, value) in &embed.fields {
        html.push_str("<div><span class=\"author\">");
        escape_into(html, name);
        html.push_str("</span><div class=\"content\">");
        rich_into(html, value, names);
        html.push_str("</div></div>");
    }
    if let Some(footer) = &embed.footer {
        html.push_str("<div class=\"meta\">");
        escape_into(html, footer);
        html.push_str("</div>");
    }
    html.push_str("</div>");
}

/// One attachment. An image is embedded once, as the image itself (a second copy for a
/// download link would double what it costs against the upload limit); anything else is
/// embedded as a download link.
fn attachment_block(
    out: &mut Out<'_>,
    labels: &TranscriptLabels,
    plan: &FilePlan,
    attachment: &TranscriptAttachment,
    shown: Shown,
) -> io::Result<()> {
    let html = &mut out.buf;
    html.push_str("<div class=\"attachment\">");
    match shown {
        Shown::NotKept => {
            html.push_str("<span class=\"meta\">");
            escape_into(html, &attachment.filename);
            html.push_str(" — ");
            escape_into(html, &labels.attachment_not_kept);
            html.push_str("</span></div>");
            return Ok(());
        }
        Shown::LeftOut => {
            html.push_str("<span class=\"meta\">");
            escape_into(html, &attachment.filename);
            html.push_str(&format!(" ({} B) — ", attachment.size));
            escape_into(html, &plan.attachment_label);
            html.push_str("</span></div>");
            return Ok(());
        }
        Shown::Embedded => {}
    }
    let content_type = attachment
        .content_type
        .as_deref()
        .filter(|t| is_safe_media_type(t))
        .unwrap_or("application/octet-stream");
    if content_type.starts_with("image/") && content_type != "image/svg+xml" {
        html.push_str("<img alt=\"");
        escape_into(html, &attachment.filename);
        html.push_str(&format!("\" src=\"data:{content_type};base64,"));
        out.attachment_data(attachment)?;
        let html = &mut out.buf;
        html.push_str("\"><span class=\"meta\">");
        escape_into(html, &attachment.filename);
        html.push_str(&format!(" — {} B</span></div>", attachment.size));
    } else {
        // Anything but an image is a download only: typed as bytes, so that no browser renders
        // an HTML or SVG file (or anything else) from the transcript's origin.
        html.push_str("<a download=\"");
        escape_into(html, &attachment.filename);
        html.push_str("\" href=\"data:application/octet-stream;base64,");
        out.attachment_data(attachment)?;
        let html = &mut out.buf;
        html.push_str("\">");
        escape_into(html, &attachment.filename);
        html.push_str(&format!(
            "</a> <span class=\"meta\">{} B</span></div>",
            attachment.size
        ));
    }
    Ok(())
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

/// Escapes text, shows mentions as names (the raw id in a title attribute) and turns
/// `http(s)://` URLs into links; nothing else becomes markup.
fn rich_into(out: &mut String, text: &str, names: &MentionNames) {
    let mut rest = text;
    while let Some(offset) = rest.find('<') {
        match mention_at(&rest[offset..]) {
            Some((mention, len)) => {
                linkify_into(out, &rest[..offset]);
                let (sigil, id, name) = match mention {
                    Mention::User(id) => ('@', id, names.users.get(&id)),
                    Mention::Role(id) => ('@', id, names.roles.get(&id)),
                    Mention::Channel(id) => ('#', id, names.channels.get(&id)),
                };
                out.push_str(&format!("<span class=\"mention\" title=\"{id}\">{sigil}"));
                escape_into(out, name.unwrap_or(&names.unknown));
                out.push_str("</span>");
                rest = &rest[offset + len..];
            }
            None => {
                linkify_into(out, &rest[..=offset]);
                rest = &rest[offset + 1..];
            }
        }
    }
    linkify_into(out, rest);
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
/// A moment as transcripts show it: `2026-12-03 16:10 UTC`.
pub fn format_time(at: Timestamp) -> String {
    let (year, month, day) = at.civil_date();
    let seconds_of_day = at.as_secs().rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60
    )
}

/// Encodes `bytes` as standard base64 with padding into `out`, which must hold
/// 4 × ⌈len / 3⌉ bytes; returns how many it wrote.
fn encode_base64(bytes: &[u8], out: &mut [u8]) -> usize {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut written = 0;
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        out[written] = ALPHABET[(n >> 18) as usize & 63];
        out[written + 1] = ALPHABET[(n >> 12) as usize & 63];
        out[written + 2] = if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63]
        } else {
            b'='
        };
        out[written + 3] = if chunk.len() > 2 {
            ALPHABET[n as usize & 63]
        } else {
            b'='
        };
        written += 4;
    }
    written
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
            staff_note: "Staff note".into(),
            details: vec![
                ("Server".into(), "<Demo> Server".into()),
                ("Opened by".into(), "Alice".into()),
            ],
            names: MentionNames {
                users: [(7, "Bob <b>".to_owned())].into_iter().collect(),
                roles: [(8, "Support".to_owned())].into_iter().collect(),
                channels: [(9, "general".to_owned())].into_iter().collect(),
                unknown: "unknown".into(),
            },
        }
    }

    #[test]
    fn mentions_show_as_names_with_their_id_and_stay_escaped() {
        let html = render_html(
            &labels(),
            &[message(
                1,
                "hi <@7> and <@!7>, ask <@&8> in <#9>; <@123> <@x> <3 <@&>",
            )],
            &|_| None,
        );
        assert!(html.contains("<span class=\"mention\" title=\"7\">@Bob &lt;b&gt;</span> and <span class=\"mention\" title=\"7\">@Bob &lt;b&gt;</span>"), "{html}");
        assert!(html.contains("<span class=\"mention\" title=\"8\">@Support</span>"));
        assert!(html.contains("<span class=\"mention\" title=\"9\">#general</span>"));
        assert!(html.contains("<span class=\"mention\" title=\"123\">@unknown</span>"));
        assert!(
            html.contains("&lt;@x&gt; &lt;3 &lt;@&amp;&gt;"),
            "not mentions stay text: {html}"
        );
        assert!(!html.contains("<@"), "no raw mention left");
        assert_eq!(
            mentions(&[message(1, "<@7> <@&8> <#9> <@7>")]),
            [Mention::User(7), Mention::Role(8), Mention::Channel(9)]
        );
        // No snowflake is 0: what looks like a mention of 0 is text (no id can be made of it).
        assert_eq!(mentions(&[message(1, "<@0> <@&0> <#0> <@!0>")]), []);
    }

    #[test]
    fn the_header_lists_the_ticket_and_empty_system_messages_are_dropped() {
        let mut pin_notice = message(2, "");
        pin_notice.author_is_bot = true;
        let html = render_html(&labels(), &[message(1, "hello"), pin_notice], &|_| None);
        assert!(html.contains("<dl><dt>Server</dt><dd>&lt;Demo&gt; Server</dd><dt>Opened by</dt><dd>Alice</dd></dl>"), "{html}");
        assert!(html.contains("id=\"m1\""));
        assert!(
            !html.contains("id=\"m2\""),
            "the empty pin notice is not shown"
        );
        let only_notice = render_html(&labels(), &[message(3, " ")], &|_| None);
        assert!(only_notice.contains("No messages"));
    }

    /// A rich ticket — form answers in the header, mentions, an edit, a deletion, an embed, an
    /// image, an HTML file and a file that was not kept, hostile text — rendered exactly as
    /// `src/golden/transcript.html` holds it. `HELPLINE_BLESS=1` writes the file again after an
    /// intended change (then read the diff).
    #[test]
    fn a_rich_ticket_renders_as_the_golden_file() {
        let mut labels = labels();
        labels
            .details
            .push(("Order number".into(), "A-1042".into()));
        let mut question = message(1, "Hi <@7>, my invoice is wrong <script>alert(1)</script>");
        question.author_name = "Alice".into();
        question.edits.push(TranscriptEdit {
            previous_content: "Hi, my invoce is wrong".into(),
            edited_at: Timestamp::from_secs(1_795_305_600),
        });
        let mut answer = message(
            2,
            "<@&8> can you check? See <#9> and https://example.com/faq?a=1&b=2",
        );
        answer.author_id = Id::new(7);
        answer.author_name = "Bob".into();
        answer.embeds.push(TranscriptEmbed {
            title: Some("Invoice A-1042".into()),
            description: Some("Total: **42 €** for <@7>".into()),
            url: Some("javascript:alert(1)".into()),
            color: Some(0x5865F2),
            fields: vec![("Status".into(), "Paid".into())],
            footer: Some("Billing".into()),
            image_url: None,
        });
        let mut removed = message(3, "my card number is 1234");
        removed.deleted_at = Some(Timestamp::from_secs(1_795_305_700));
        let mut files = message(4, "here are the files");
        files.attachments = vec![
            TranscriptAttachment {
                id: 1,
                filename: "invoice.png".into(),
                content_type: Some("image/png".into()),
                size: 4,
                stored: true,
            },
            TranscriptAttachment {
                id: 2,
                filename: "page.html".into(),
                content_type: Some("text/html".into()),
                size: 5,
                stored: true,
            },
            TranscriptAttachment {
                id: 3,
                filename: "video.mp4".into(),
                content_type: Some("video/mp4".into()),
                size: 1 << 30,
                stored: false,
            },
        ];
        let mut pin_notice = message(5, "");
        pin_notice.author_is_bot = true;
        let mut note = message(
            6,
            "Refund approved by <@&8>, waiting for <script>finance</script>",
        );
        note.author_id = Id::new(7);
        note.author_name = "Bob".into();
        note.staff_note = true;
        let html = render_html(
            &labels,
            &[question, answer, removed, files, pin_notice, note],
            &|id| match id {
                1 => Some(vec![0x89, b'P', b'N', b'G']),
                2 => Some(b"<b>x".to_vec()),
                _ => None,
            },
        );
        // The HTML file is a download, never rendered.
        assert!(!html.contains("<b>x"));
        // A staff note is marked as one, and escaped like any message.
        assert!(html.contains(
            "<article class=\"message note\" id=\"m6\"><div><span class=\"author\">Bob</span><span class=\"note-mark\">Staff note</span>"
        ));
        assert!(!html.contains("<script>finance"));
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/golden/transcript.html");
        if std::env::var_os("HELPLINE_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &html).unwrap();
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!("{}: {error} (HELPLINE_BLESS=1 writes it)", path.display())
        });
        assert!(
            html == golden,
            "the transcript differs from {}; HELPLINE_BLESS=1 writes it again:\n{html}",
            path.display()
        );
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
            staff_note: false,
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

    fn base64(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_base64(&mut out, bytes).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn left_out() -> LeftOutLabels<'static> {
        LeftOutLabels {
            attachment: "left out <here>".into(),
            summary: Box::new(|count| format!("{count} left out & kept")),
        }
    }

    fn attachment(id: u64, size: u64, content_type: &str) -> TranscriptAttachment {
        TranscriptAttachment {
            id,
            filename: format!("file-{id}.bin"),
            content_type: Some(content_type.into()),
            size,
            stored: true,
        }
    }

    /// Bytes that stand for attachment `id`: `size` copies of its low byte.
    fn fake_bytes(attachment: &TranscriptAttachment) -> Vec<u8> {
        vec![attachment.id as u8; attachment.size as usize]
    }

    /// The file `plan` makes, every embedded attachment's bytes from [`fake_bytes`].
    fn written(messages: &[TranscriptMessage], plan: &FilePlan) -> String {
        let mut out = Vec::new();
        write_html(&mut out, &labels(), messages, plan, &mut |a, out| {
            write_base64(out, &fake_bytes(a))
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// One message per attachment size, alternating images and other files.
    fn messages_with(sizes: &[u64]) -> Vec<TranscriptMessage> {
        sizes
            .iter()
            .enumerate()
            .map(|(index, &size)| {
                let id = index as u64 + 1;
                let mut m = message(id, "see attached");
                let content_type = if index % 2 == 0 {
                    "image/png"
                } else {
                    "video/mp4"
                };
                m.attachments.push(attachment(id, size, content_type));
                m
            })
            .collect()
    }

    #[test]
    fn an_unlimited_plan_embeds_everything_and_writes_what_render_html_renders() {
        let mut messages = messages_with(&[10, 2000, 7]);
        messages[1].attachments.push(TranscriptAttachment {
            stored: false,
            ..attachment(99, 1 << 30, "video/mp4")
        });
        let plan = plan_file(&labels(), &left_out(), &messages, u64::MAX);
        assert!(plan.left_out().is_empty() && plan.fits());
        let html = written(&messages, &plan);
        assert_eq!(plan.estimated_bytes(), html.len() as u64);
        assert!(
            !html.contains("left-out\""),
            "no summary line when nothing is left out"
        );
        let by_id: BTreeMap<u64, Vec<u8>> = messages
            .iter()
            .flat_map(|m| &m.attachments)
            .filter(|a| a.stored)
            .map(|a| (a.id, fake_bytes(a)))
            .collect();
        assert_eq!(
            render_html(&labels(), &messages, &|id| by_id.get(&id).cloned()),
            html
        );
        assert!(html.contains("file-99.bin — not kept"));
    }

    #[test]
    fn a_tight_plan_leaves_the_largest_out_and_says_so() {
        let messages = messages_with(&[3000, 100, 5000, 200, 4000]);
        let everything = plan_file(&labels(), &left_out(), &messages, u64::MAX).estimated_bytes();
        // Room for all but the two largest (5000 and 4000 bytes, 6668 and 5336 in base64).
        let budget = everything - 9000;
        let plan = plan_file(&labels(), &left_out(), &messages, budget);
        assert_eq!(plan.left_out().iter().copied().collect::<Vec<_>>(), [3, 5]);
        assert!(plan.fits() && plan.estimated_bytes() <= budget);
        let html = written(&messages, &plan);
        assert_eq!(
            plan.estimated_bytes(),
            html.len() as u64,
            "the estimate is exact"
        );
        assert!(
            html.contains("<p class=\"left-out\">2 left out &amp; kept</p>"),
            "{html}"
        );
        assert!(
            html.contains("file-3.bin (5000 B) — left out &lt;here&gt;"),
            "{html}"
        );
        assert!(
            html.contains("file-5.bin (4000 B) — left out &lt;here&gt;"),
            "{html}"
        );
        assert!(html.contains(&format!(
            "src=\"data:image/png;base64,{}\"",
            base64(&[1; 3000])
        )));
        assert!(html.contains(&format!(
            "href=\"data:application/octet-stream;base64,{}\"",
            base64(&[4; 200])
        )));
        assert_eq!(html.matches(";base64,").count(), 3);
    }

    #[test]
    fn a_plan_that_cannot_fit_leaves_every_attachment_out() {
        let messages = messages_with(&[10, 20]);
        let plan = plan_file(&labels(), &left_out(), &messages, 100);
        assert!(!plan.fits());
        assert_eq!(plan.left_out().len(), 2);
        let html = written(&messages, &plan);
        assert_eq!(plan.estimated_bytes(), html.len() as u64);
        assert!(!html.contains(";base64,"));
    }

    #[test]
    fn parts_put_each_embedded_attachment_between_html() {
        let messages = messages_with(&[3000, 100, 5000]);
        let plan = plan_file(&labels(), &left_out(), &messages, u64::MAX);
        let parts = render_parts(&labels(), &messages, &plan);
        let data: Vec<(u64, u64)> = parts
            .iter()
            .filter_map(|part| match part {
                TranscriptPart::AttachmentData { id, size } => Some((*id, *size)),
                TranscriptPart::Html(_) => None,
            })
            .collect();
        assert_eq!(data, [(1, 3000), (2, 100), (3, 5000)]);
        assert!(
            parts.windows(2).all(|w| matches!(
                w,
                [TranscriptPart::Html(_), _] | [_, TranscriptPart::Html(_)]
            )),
            "text is merged between attachments"
        );
        let mut assembled = Vec::new();
        for part in &parts {
            match part {
                TranscriptPart::Html(html) => assembled.extend_from_slice(html.as_bytes()),
                TranscriptPart::AttachmentData { id, size } => {
                    write_base64(&mut assembled, &vec![*id as u8; *size as usize]).unwrap();
                }
            }
        }
        assert_eq!(
            String::from_utf8(assembled).unwrap(),
            written(&messages, &plan)
        );
    }

    #[test]
    fn images_are_embedded_once() {
        let messages = messages_with(&[30]);
        let html = written(
            &messages,
            &plan_file(&labels(), &left_out(), &messages, u64::MAX),
        );
        assert_eq!(html.matches(&base64(&[1; 30])).count(), 1, "{html}");
        assert!(
            html.contains("<span class=\"meta\">file-1.bin — 30 B</span>"),
            "{html}"
        );
    }

    proptest::proptest! {
        #[test]
        fn plans_fit_and_leave_the_largest_out_first(
            sizes in proptest::collection::vec(0u64..5000, 0..12),
            unkept in proptest::collection::vec(proptest::bool::ANY, 12),
            budget in 0u64..40_000,
        ) {
            let mut messages = messages_with(&sizes);
            for (message, unkept) in messages.iter_mut().zip(unkept) {
                message.attachments[0].stored = !unkept;
            }
            let plan = plan_file(&labels(), &left_out(), &messages, budget);
            let html = written(&messages, &plan);
            proptest::prop_assert_eq!(plan.estimated_bytes(), html.len() as u64);
            let kept: Vec<&TranscriptAttachment> = messages
                .iter()
                .flat_map(|m| &m.attachments)
                .filter(|a| a.stored)
                .collect();
            if plan.fits() {
                proptest::prop_assert!(plan.estimated_bytes() <= budget);
            } else {
                proptest::prop_assert_eq!(plan.left_out().len(), kept.len());
            }
            let (out, embedded): (Vec<&&TranscriptAttachment>, Vec<_>) =
                kept.iter().partition(|a| plan.is_left_out(a.id));
            let smallest_out = out.iter().map(|a| a.size).min().unwrap_or(u64::MAX);
            let largest_in = embedded.iter().map(|a| a.size).max().unwrap_or(0);
            proptest::prop_assert!(smallest_out >= largest_in, "largest first");
            proptest::prop_assert!(
                messages.iter().flat_map(|m| &m.attachments).all(|a| a.stored || !plan.is_left_out(a.id)),
                "unkept attachments are never counted as left out"
            );
            // Leaving one fewer out would not have fitted: nothing is left out needlessly.
            if let Some(last) = out.iter().filter(|a| a.size == smallest_out).map(|a| a.id).min() {
                let mut fewer = plan.clone();
                fewer.left_out.remove(&last);
                fewer.summary = (!fewer.left_out.is_empty())
                    .then(|| (left_out().summary)(fewer.left_out.len()));
                proptest::prop_assert!(written(&messages, &fewer).len() as u64 > budget);
            }
        }

        #[test]
        fn chunked_base64_matches_one_pass(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..10_000)) {
            let mut whole = vec![0; bytes.len().div_ceil(3) * 4];
            let len = encode_base64(&bytes, &mut whole);
            proptest::prop_assert_eq!(len, whole.len());
            proptest::prop_assert_eq!(base64(&bytes).into_bytes(), whole);
        }
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
