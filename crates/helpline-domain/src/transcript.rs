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
