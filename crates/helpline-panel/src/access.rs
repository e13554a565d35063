//! Who may see what. A user's standing in a guild comes from Discord (the guild's roles and the
//! member's, read with the bot's token, by Discord's permission algorithm) and is kept for a
//! short while: a member who loses a staff role or Manage Server loses the panel's access to
//! that guild within that time (R12).

use crate::discord::{Discord, DiscordError};
use helpline_domain::auth::{self, Member, Standing};
use helpline_domain::permissions::{Permissions, guild_permissions};
use helpline_domain::{GuildConfig, GuildId, Id, Ticket, UserId};
use helpline_store::Store;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept at most; the oldest half goes when full.
const MAX_ENTRIES: usize = 50_000;

/// A user in a guild, as last read.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    /// `None`: not a member of the guild (or the bot is not in it).
    pub(crate) member: Option<Member>,
    pub(crate) guild_name: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Access {
    ttl: Duration,
    entries: Mutex<HashMap<(u64, u64), (Instant, Seen)>>,
}

impl Access {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The user in the guild, from the cache while fresh, else from Discord.
    pub(crate) async fn seen(
        &self,
        discord: &Discord,
        guild: GuildId,
        user: UserId,
    ) -> Result<Seen, DiscordError> {
        let key = (guild.get(), user.get());
        if let Some((at, seen)) = self.lock().get(&key)
            && at.elapsed() < self.ttl
        {
            return Ok(seen.clone());
        }
        let seen = match discord.guild(guild.get()).await? {
            None => Seen {
                member: None,
                guild_name: None,
            },
            Some(info) => {
                let roles = discord.member_roles(guild.get(), user.get()).await?;
                let member = roles.map(|roles| {
                    let everyone = info
                        .roles
                        .iter()
                        .find(|role| role.id == guild.get())
                        .map_or(Permissions::empty(), |role| {
                            Permissions::from_bits_truncate(role.permissions)
                        });
                    let held = info
                        .roles
                        .iter()
                        .filter(|role| roles.contains(&role.id))
                        .map(|role| Permissions::from_bits_truncate(role.permissions));
                    Member {
                        user_id: user,
                        roles: roles.iter().filter_map(|r| Id::new_checked(*r)).collect(),
                        permissions: guild_permissions(info.owner_id == user.get(), everyone, held),
                    }
                });
                Seen {
                    member,
                    guild_name: Some(info.name),
                }
            }
        };
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            let mut ages: Vec<(Instant, (u64, u64))> =
                entries.iter().map(|(key, (at, _))| (*at, *key)).collect();
            ages.sort_unstable();
            for (_, key) in ages.into_iter().take(MAX_ENTRIES / 2) {
                entries.remove(&key);
            }
        }
        entries.insert(key, (Instant::now(), seen.clone()));
        Ok(seen)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(u64, u64), (Instant, Seen)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a user may do in a guild's part of the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GuildRight {
    /// The guild view, its tickets, statistics and settings: Manage Server, or panel access
    /// granted (A7) to a current member.
    Manage,
    /// Transcripts of the guild's tickets: a staff role of the guild.
    Staff,
    /// Nothing beyond their own tickets.
    None,
}

/// The user's right in the guild.
pub(crate) async fn guild_right(
    store: &dyn Store,
    seen: &Seen,
    config: Option<&GuildConfig>,
    guild: GuildId,
) -> Result<GuildRight, helpline_store::Error> {
    let Some(member) = &seen.member else {
        return Ok(GuildRight::None);
    };
    if auth::is_admin(member.permissions) || store.has_panel_access(guild, member.user_id).await? {
        return Ok(GuildRight::Manage);
    }
    if let Some(config) = config
        && auth::standing(member, config, None) >= Standing::Staff
    {
        return Ok(GuildRight::Staff);
    }
    Ok(GuildRight::None)
}

/// Whether the user may read `ticket`'s transcript: its opener, a member added to it or who
/// wrote in it, staff of its guild (of its topic), admins, panel access.
pub(crate) fn may_read(
    user: UserId,
    ticket: &Ticket,
    wrote_in_it: bool,
    right: GuildRight,
    seen: &Seen,
    config: Option<&GuildConfig>,
) -> bool {
    if ticket.opener == user || ticket.added_members.contains(&user) || wrote_in_it {
        return true;
    }
    if right == GuildRight::Manage {
        return true;
    }
    match (&seen.member, config) {
        (Some(member), Some(config)) => {
            auth::standing(member, config, ticket.topic_id) >= Standing::Staff
        }
        _ => false,
    }
}
