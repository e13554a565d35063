//! Posting messages idempotently. Every message an effect posts carries a nonce derived from
//! the effect's key and asks Discord to enforce it (`enforce_nonce`): when a post is retried
//! after a timeout or a 5xx that Discord had in fact carried out, Discord answers with the
//! message it already made instead of posting a second one. Discord keeps nonces for a few
//! minutes, which covers the executor's retries; a retry after a longer outage may post again.

use crate::{Bot, Error};
use helpline_domain::{ChannelId, EffectKey};
use serde_json::{Value, json};
use twilight_model::channel::Message;
use twilight_model::channel::message::{AllowedMentions, Component, Embed};
use twilight_model::http::attachment::Attachment;

/// A message to post.
#[derive(Debug, Default)]
pub(crate) struct Post<'a> {
    pub(crate) content: Option<&'a str>,
    pub(crate) embeds: &'a [Embed],
    pub(crate) components: &'a [Component],
    /// Who may be pinged; nobody unless set.
    pub(crate) allowed_mentions: Option<AllowedMentions>,
    pub(crate) attachment: Option<Attachment>,
}

/// Discord's nonce for an effect: at most 25 characters, stable across restarts and builds
/// (FNV-1a of the key, so no hasher whose output may change between Rust releases).
pub(crate) fn nonce(key: EffectKey) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.to_string().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("hl{hash:016x}")
}

/// Posts `post` in `channel` under the effect `key`'s nonce.
pub(crate) async fn post(
    bot: &Bot,
    channel: ChannelId,
    key: EffectKey,
    post: Post<'_>,
) -> Result<Message, Error> {
    let mut payload = json!({
        "nonce": nonce(key),
        "enforce_nonce": true,
        "allowed_mentions": post.allowed_mentions.unwrap_or_default(),
    });
    let fields = payload.as_object_mut().expect("an object");
    if let Some(content) = post.content {
        fields.insert("content".into(), Value::String(content.to_owned()));
    }
    if !post.embeds.is_empty() {
        fields.insert("embeds".into(), serde_json::to_value(post.embeds)?);
    }
    if !post.components.is_empty() {
        fields.insert("components".into(), serde_json::to_value(post.components)?);
    }
    if let Some(attachment) = &post.attachment {
        fields.insert(
            "attachments".into(),
            json!([{ "id": attachment.id, "filename": attachment.filename }]),
        );
    }
    let payload = serde_json::to_vec(&payload)?;
    let attachments: Vec<Attachment> = post.attachment.into_iter().collect();
    let request = bot
        .inner
        .http
        .create_message(channel)
        .payload_json(&payload)
        .attachments(&attachments);
    Ok(crate::metrics::rest("create_message", request)
        .await?
        .model()
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::TicketId;

    #[test]
    fn nonces_are_short_stable_and_distinct() {
        let key = |version, step| EffectKey {
            ticket: TicketId(u64::MAX),
            version,
            step,
        };
        let first = nonce(key(3, 1));
        assert!(first.len() <= 25, "{first}");
        assert_eq!(first, nonce(key(3, 1)));
        assert_ne!(first, nonce(key(3, 2)));
        assert_ne!(first, nonce(key(4, 1)));
    }
}
