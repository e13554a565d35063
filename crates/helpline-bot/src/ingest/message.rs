//! A new message as Helpline reads it: the fields its transcript, the ticket's activity and the
//! name cache use, read straight from MESSAGE_CREATE's `d`. Twilight's `Message` has some sixty
//! fields (about 3.5 KB before its strings) and builds every one; the others are skipped here
//! without being kept.

use serde::Deserialize;
use twilight_model::id::Id;
use twilight_model::id::marker::{
    AttachmentMarker, ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
};
use twilight_model::util::Timestamp;

/// A message created in a channel that may be a ticket's.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct NewMessage {
    pub(crate) id: Id<MessageMarker>,
    pub(crate) channel_id: Id<ChannelMarker>,
    pub(crate) guild_id: Option<Id<GuildMarker>>,
    pub(crate) author: Author,
    /// The author as a member of the guild (absent for webhooks and outside guilds).
    pub(crate) member: Option<AuthorMember>,
    pub(crate) content: String,
    pub(crate) timestamp: Timestamp,
    #[serde(default)]
    pub(crate) embeds: Vec<Embed>,
    #[serde(default)]
    pub(crate) attachments: Vec<Attachment>,
    #[serde(default)]
    pub(crate) mentions: Vec<Mention>,
}

impl NewMessage {
    /// The name the guild shows for the author: their nickname, else their global name, else
    /// their user name.
    pub(crate) fn author_name(&self) -> &str {
        self.member
            .as_ref()
            .and_then(|member| member.nick.as_deref())
            .or(self.author.global_name.as_deref())
            .unwrap_or(&self.author.name)
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct Author {
    pub(crate) id: Id<UserMarker>,
    #[serde(rename = "username")]
    pub(crate) name: String,
    pub(crate) global_name: Option<String>,
    #[serde(default)]
    pub(crate) bot: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct AuthorMember {
    pub(crate) nick: Option<String>,
    #[serde(default)]
    pub(crate) roles: Vec<Id<RoleMarker>>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct Embed {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) color: Option<u32>,
    #[serde(default)]
    pub(crate) fields: Vec<EmbedField>,
    pub(crate) footer: Option<EmbedFooter>,
    pub(crate) image: Option<EmbedImage>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct EmbedField {
    pub(crate) name: String,
    pub(crate) value: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct EmbedFooter {
    pub(crate) text: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct EmbedImage {
    pub(crate) url: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct Attachment {
    pub(crate) id: Id<AttachmentMarker>,
    pub(crate) filename: String,
    pub(crate) content_type: Option<String>,
    pub(crate) size: u64,
    pub(crate) url: String,
}

/// A user the message mentions; their member carries the nickname the guild shows.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct Mention {
    pub(crate) id: Id<UserMarker>,
    pub(crate) member: Option<MentionMember>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct MentionMember {
    pub(crate) nick: Option<String>,
}

/// A MESSAGE_CREATE dispatch whose `d` is read as a [`NewMessage`].
#[derive(Deserialize)]
pub(super) struct Dispatch {
    pub(super) d: NewMessage,
}

impl From<&twilight_model::channel::Message> for NewMessage {
    /// The same message from twilight's model (a MESSAGE_CREATE twilight parsed).
    fn from(message: &twilight_model::channel::Message) -> Self {
        Self {
            id: message.id,
            channel_id: message.channel_id,
            guild_id: message.guild_id,
            author: Author {
                id: message.author.id,
                name: message.author.name.clone(),
                global_name: message.author.global_name.clone(),
                bot: message.author.bot,
            },
            member: message.member.as_ref().map(|member| AuthorMember {
                nick: member.nick.clone(),
                roles: member.roles.clone(),
            }),
            content: message.content.clone(),
            timestamp: message.timestamp,
            embeds: message
                .embeds
                .iter()
                .map(|embed| Embed {
                    title: embed.title.clone(),
                    description: embed.description.clone(),
                    url: embed.url.clone(),
                    color: embed.color,
                    fields: embed
                        .fields
                        .iter()
                        .map(|field| EmbedField {
                            name: field.name.clone(),
                            value: field.value.clone(),
                        })
                        .collect(),
                    footer: embed.footer.as_ref().map(|footer| EmbedFooter {
                        text: footer.text.clone(),
                    }),
                    image: embed.image.as_ref().map(|image| EmbedImage {
                        url: image.url.clone(),
                    }),
                })
                .collect(),
            attachments: message
                .attachments
                .iter()
                .map(|attachment| Attachment {
                    id: attachment.id,
                    filename: attachment.filename.clone(),
                    content_type: attachment.content_type.clone(),
                    size: attachment.size,
                    url: attachment.url.clone(),
                })
                .collect(),
            mentions: message
                .mentions
                .iter()
                .map(|mention| Mention {
                    id: mention.id,
                    member: mention.member.as_ref().map(|member| MentionMember {
                        nick: member.nick.clone(),
                    }),
                })
                .collect(),
        }
    }
}
