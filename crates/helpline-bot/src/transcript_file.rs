//! A ticket's transcript rendered into a temporary file that fits Discord's upload limit.
//!
//! Closing a ticket used to load every kept attachment into memory, base64 it into one string
//! and clone that for each post: a ticket with many large attachments could exhaust the
//! process, and the result was larger than Discord accepts. Here the HTML is written to a file
//! on tokio's blocking pool, attachments are read from the store one at a time and their base64
//! is written in small chunks, so the process holds one attachment's bytes at a time (plus the
//! transcript's text). Which attachments the file embeds is decided beforehand
//! ([`transcript::plan_file`]) from the sizes the store reports, so the file fits the upload
//! limit exactly: the largest are left out first, and the file says so. The store keeps the
//! full transcript (for the web panel) either way.

use crate::{Error, Result};
use helpline_domain::transcript::{self, LeftOutLabels, TranscriptPart};
use helpline_domain::{Language, Ticket, TranscriptLabels, TranscriptMessage};
use helpline_i18n::{Translator, ui};
use helpline_store::Store;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufWriter, Write};
use std::path::Path;
use tempfile::{NamedTempFile, TempPath};
use twilight_model::guild::PremiumTier;
use twilight_model::http::attachment::Attachment;

const MIB: u64 = 1024 * 1024;

/// Room kept free in an upload for what surrounds the file: the multipart envelope and the
/// message's JSON (content, mentions, attachment metadata).
pub(crate) const UPLOAD_ENVELOPE_BYTES: u64 = 64 * 1024;

/// Discord's upload limit in a DM, where no server boost applies.
pub(crate) const DM_UPLOAD_LIMIT: u64 = 10 * MIB;

/// The write buffer of a transcript file: large enough that the file sees few writes.
const WRITE_BUFFER: usize = 256 * 1024;

/// Discord's upload limit for one message in a guild with this boost tier: 10 MiB unboosted
/// and at tier 1, 50 MiB at tier 2, 100 MiB at tier 3. A tier this build does not know gets
/// the smallest limit, because too small a limit only leaves more attachments out, while too
/// large a one loses the whole post.
pub(crate) fn upload_limit(tier: PremiumTier) -> u64 {
    match tier {
        PremiumTier::Tier2 => 50 * MIB,
        PremiumTier::Tier3 => 100 * MIB,
        _ => 10 * MIB,
    }
}

/// The largest transcript file one upload of `upload_limit` bytes can carry.
pub(crate) fn max_file_bytes(upload_limit: u64) -> u64 {
    upload_limit.saturating_sub(UPLOAD_ENVELOPE_BYTES)
}

/// The words for attachments left out of a file, in `language`.
pub(crate) fn left_out_labels(translator: &Translator, language: Language) -> LeftOutLabels<'_> {
    LeftOutLabels {
        attachment: translator.text(language, ui::TRANSCRIPT_LEFT_OUT, &[]),
        summary: Box::new(move |count| {
            translator.text(
                language,
                ui::TRANSCRIPT_LEFT_OUT_SUMMARY,
                &[("count", count.into())],
            )
        }),
    }
}

/// A rendered transcript: a temporary file, deleted when this is dropped.
pub(crate) struct RenderedTranscript {
    path: TempPath,
    filename: String,
    size: u64,
    left_out: usize,
    fits: bool,
}

impl fmt::Debug for RenderedTranscript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderedTranscript")
            .field("path", &self.path.display())
            .field("filename", &self.filename)
            .field("size", &self.size)
            .field("left_out", &self.left_out)
            .field("fits", &self.fits)
            .finish()
    }
}

impl RenderedTranscript {
    /// The name to upload the file under, `transcript-0012.html`.
    #[cfg(test)]
    pub(crate) fn filename(&self) -> &str {
        &self.filename
    }

    /// The file's size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// How many kept attachments the file leaves out to fit the upload limit.
    pub(crate) fn left_out(&self) -> usize {
        self.left_out
    }

    /// Whether the file fits the upload limit it was rendered for. It does not only when the
    /// text alone is too large, every attachment left out; Discord would refuse it.
    pub(crate) fn fits(&self) -> bool {
        self.fits
    }

    /// Whether the file also fits an upload of `upload_limit` bytes (a DM's, say), so that it can
    /// be posted there too without rendering it again.
    #[cfg(test)]
    pub(crate) fn fits_upload(&self, upload_limit: u64) -> bool {
        self.size <= max_file_bytes(upload_limit)
    }

    /// Where the file is, until this is dropped.
    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The file's bytes, read on the blocking pool. Discord's client sends a file from memory,
    /// so an upload holds it once; it is at most the upload limit.
    pub(crate) async fn bytes(&self) -> Result<Vec<u8>> {
        let path = self.path.to_path_buf();
        blocking(move || std::fs::read(path)).await
    }

    /// The file as the attachment `id` of a message to post.
    pub(crate) async fn attachment(&self, id: u64) -> Result<Attachment> {
        Ok(Attachment::from_bytes(
            self.filename.clone(),
            self.bytes().await?,
            id,
        ))
    }
}

/// Who a transcript file is for: staff read their notes in it, the opener does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reader {
    Staff,
    Opener,
}

/// Renders `ticket`'s transcript from `store` into a new temporary file in `dir`, embedding the
/// kept attachments that fit an upload of `upload_limit` bytes ([`upload_limit`] for the
/// guild's tier, [`DM_UPLOAD_LIMIT`] for a DM) less [`UPLOAD_ENVELOPE_BYTES`].
///
/// The plan is made on the caller's task (it measures the transcript's text without keeping a
/// rendering of it); the HTML is produced and the file written on the blocking pool; kept
/// attachments are read from the store one at a time, each dropped once written.
///
/// `complete` finishes the labels once the messages are known (names for their mentions,
/// the participants).
///
/// The opener's copy (`reader`) leaves staff notes out.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn render(
    store: &dyn Store,
    ticket: &Ticket,
    mut labels: TranscriptLabels,
    complete: impl AsyncFnOnce(&mut TranscriptLabels, &[TranscriptMessage]),
    left_out: &LeftOutLabels<'_>,
    upload_limit: u64,
    dir: &Path,
    reader: Reader,
) -> Result<RenderedTranscript> {
    let mut messages = store.transcript(ticket.id).await?;
    if reader == Reader::Opener {
        messages.retain(|message| !message.staff_note);
    }
    complete(&mut labels, &messages).await;
    // Sizes as kept, not as Discord announced them, so that the plan's estimate is exact; an
    // attachment the transcript marks kept but the store does not list is shown as not kept.
    let sizes: HashMap<u64, u64> = store
        .attachment_sizes(ticket.id)
        .await?
        .into_iter()
        .collect();
    for attachment in messages.iter_mut().flat_map(|m| m.attachments.iter_mut()) {
        match sizes.get(&attachment.id) {
            Some(&size) if attachment.stored => attachment.size = size,
            _ => attachment.stored = false,
        }
    }
    let max_bytes = max_file_bytes(upload_limit);
    let plan = transcript::plan_file(&labels, left_out, &messages, max_bytes);
    let left_out = plan.left_out().len();
    let dir = dir.to_owned();
    let (parts, mut file) = blocking(move || {
        let parts = transcript::render_parts(&labels, &messages, &plan);
        let file = tempfile::Builder::new()
            .prefix("helpline-transcript-")
            .suffix(".html")
            .tempfile_in(&dir)?;
        Ok((parts, BufWriter::with_capacity(WRITE_BUFFER, file)))
    })
    .await?;
    let mut html = String::new();
    for part in parts {
        match part {
            TranscriptPart::Html(text) if html.is_empty() => html = text,
            TranscriptPart::Html(text) => html.push_str(&text),
            TranscriptPart::AttachmentData { id, size } => {
                // Kept attachments are never removed or rewritten while their ticket exists, so
                // neither warning should fire; if one does, the file is still valid HTML.
                let bytes = store.attachment(ticket.id, id).await?.unwrap_or_default();
                if bytes.len() as u64 != size {
                    tracing::warn!(
                        ticket = %ticket.id,
                        attachment = id,
                        planned = size,
                        actual = bytes.len(),
                        "kept attachment changed while its transcript was rendered"
                    );
                }
                let text = std::mem::take(&mut html);
                file = blocking(move || {
                    file.write_all(text.as_bytes())?;
                    transcript::write_base64(&mut file, &bytes)?;
                    Ok(file)
                })
                .await?;
            }
        }
    }
    let (path, size) = blocking(move || {
        file.write_all(html.as_bytes())?;
        let file: NamedTempFile = file.into_inner().map_err(|error| error.into_error())?;
        let size = file.as_file().metadata()?.len();
        Ok((file.into_temp_path(), size))
    })
    .await?;
    Ok(RenderedTranscript {
        path,
        filename: format!("transcript-{:04}.html", ticket.number),
        size,
        left_out,
        fits: size <= max_bytes,
    })
}

/// Runs file I/O on tokio's blocking pool, so that it never stalls the runtime's workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| Error::File(std::io::Error::other(error)))?
        .map_err(Error::File)
}

#[cfg(test)]
mod tests;
