//! Discord's permission rules, computed: the overwrites that make a ticket channel private
//! (MISSION M3), the permissions the bot must hold, and Discord's effective-permission algorithm
//! so the bot can check before it acts instead of learning from a 50013.

use crate::ids::{GuildId, RoleId, UserId};
use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
pub use twilight_model::guild::Permissions;
use twilight_model::id::Id;

/// What a member of a ticket (opener, staff, added member or role) may do in it.
pub const TICKET_MEMBER_ALLOW: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::EMBED_LINKS);

/// What the bot gives itself in a ticket channel: a member's rights plus pinning and managing
/// the channel, so a category's overwrites can never lock it out.
pub const TICKET_BOT_ALLOW: Permissions = TICKET_MEMBER_ALLOW
    .union(Permissions::MANAGE_CHANNELS)
    .union(Permissions::MANAGE_MESSAGES);

/// What a closed ticket leaves its opener and added members: they may still read it, no longer
/// write in it.
pub const CLOSED_TICKET_DENY: Permissions = Permissions::SEND_MESSAGES
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::VIEW_CHANNEL);

/// The guild permissions the bot needs to run tickets in channel mode. It can only grant in an
/// overwrite what it holds itself, so this includes everything of [`TICKET_BOT_ALLOW`], and
/// MANAGE_ROLES to write overwrites at all.
pub const BOT_REQUIRED: Permissions = TICKET_BOT_ALLOW.union(Permissions::MANAGE_ROLES);

/// What the bot needs in a panel's channel for that panel's tickets to be private threads
/// there: create them, write in them (pinning the welcome, mentioning the staff roles even when
/// they are not mentionable: the mention is how staff join), and manage them (archive and lock
/// on close, delete).
pub const BOT_THREADS: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::MANAGE_MESSAGES)
    .union(Permissions::MENTION_EVERYONE)
    .union(Permissions::CREATE_PRIVATE_THREADS)
    .union(Permissions::SEND_MESSAGES_IN_THREADS)
    .union(Permissions::MANAGE_THREADS);

/// The permissions of `BOT_REQUIRED` that `held` lacks: what an admin must grant the bot.
/// ADMINISTRATOR holds everything.
pub fn missing_bot_permissions(held: Permissions) -> Permissions {
    if held.contains(Permissions::ADMINISTRATOR) {
        return Permissions::empty();
    }
    BOT_REQUIRED.difference(held)
}

/// Who has access to a ticket, from which its channel's overwrites are computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketAudience<'a> {
    pub guild_id: GuildId,
    pub bot_id: UserId,
    pub opener: UserId,
    /// Whether the opener (and added members) may still write: false once closed.
    pub opener_can_write: bool,
    pub staff_roles: &'a [RoleId],
    pub added_members: &'a [UserId],
    pub added_roles: &'a [RoleId],
}

/// The complete overwrite list of a private ticket channel.
///
/// It is always given in full, never merged with the category's: a category that lets a role
/// see its channels would otherwise leak every ticket in it. `@everyone` is denied VIEW_CHANNEL,
/// which also hides the channel from every role that has VIEW_CHANNEL guild-wide; only the roles
/// and members listed here get it back. Administrators see it anyway, as Discord wills.
pub fn ticket_overwrites(audience: &TicketAudience<'_>) -> Vec<PermissionOverwrite> {
    let mut overwrites = Vec::with_capacity(
        3 + audience.staff_roles.len() + audience.added_members.len() + audience.added_roles.len(),
    );
    overwrites.push(PermissionOverwrite {
        id: audience.guild_id.cast(),
        kind: PermissionOverwriteType::Role,
        allow: Permissions::empty(),
        deny: Permissions::VIEW_CHANNEL,
    });
    let member_allow = if audience.opener_can_write {
        TICKET_MEMBER_ALLOW
    } else {
        Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY
    };
    let member_deny = if audience.opener_can_write {
        Permissions::empty()
    } else {
        CLOSED_TICKET_DENY.difference(Permissions::VIEW_CHANNEL)
    };
    let mut push = |id: Id<twilight_model::id::marker::GenericMarker>, kind, allow, deny| {
        if !overwrites.iter().any(|o| o.id == id && o.kind == kind) {
            overwrites.push(PermissionOverwrite {
                id,
                kind,
                allow,
                deny,
            });
        }
    };
    push(
        audience.bot_id.cast(),
        PermissionOverwriteType::Member,
        TICKET_BOT_ALLOW,
        Permissions::empty(),
    );
    for role in audience.staff_roles {
        push(
            role.cast(),
            PermissionOverwriteType::Role,
            TICKET_MEMBER_ALLOW,
            Permissions::empty(),
        );
    }
    push(
        audience.opener.cast(),
        PermissionOverwriteType::Member,
        member_allow,
        member_deny,
    );
    for member in audience.added_members {
        push(
            member.cast(),
            PermissionOverwriteType::Member,
            member_allow,
            member_deny,
        );
    }
    for role in audience.added_roles {
        push(
            role.cast(),
            PermissionOverwriteType::Role,
            member_allow,
            member_deny,
        );
    }
    overwrites
}

/// A member's guild-level permissions, by Discord's algorithm: the owner has all; otherwise the
/// union of `@everyone`'s and the member's roles' permissions, all of them with ADMINISTRATOR.
pub fn guild_permissions(
    is_owner: bool,
    everyone: Permissions,
    member_roles: impl IntoIterator<Item = Permissions>,
) -> Permissions {
    if is_owner {
        return Permissions::all();
    }
    let base = member_roles
        .into_iter()
        .fold(everyone, |acc, role| acc | role);
    if base.contains(Permissions::ADMINISTRATOR) {
        return Permissions::all();
    }
    base
}

/// A member's permissions in a channel, by Discord's algorithm: `@everyone`'s overwrite, then
/// the member's roles' overwrites combined (denies then allows), then the member's own; without
/// VIEW_CHANNEL nothing else applies, and without SEND_MESSAGES nothing that sends does.
pub fn channel_permissions(
    guild_permissions: Permissions,
    guild_id: GuildId,
    member_id: UserId,
    member_roles: &[RoleId],
    overwrites: &[PermissionOverwrite],
) -> Permissions {
    if guild_permissions.contains(Permissions::ADMINISTRATOR) {
        return Permissions::all();
    }
    let mut permissions = guild_permissions;
    if let Some(everyone) = overwrites
        .iter()
        .find(|o| o.kind == PermissionOverwriteType::Role && o.id == guild_id.cast())
    {
        permissions = (permissions & !everyone.deny) | everyone.allow;
    }
    let (mut role_allow, mut role_deny) = (Permissions::empty(), Permissions::empty());
    for overwrite in overwrites.iter().filter(|o| {
        o.kind == PermissionOverwriteType::Role && member_roles.iter().any(|r| r.cast() == o.id)
    }) {
        role_allow |= overwrite.allow;
        role_deny |= overwrite.deny;
    }
    permissions = (permissions & !role_deny) | role_allow;
    if let Some(member) = overwrites
        .iter()
        .find(|o| o.kind == PermissionOverwriteType::Member && o.id == member_id.cast())
    {
        permissions = (permissions & !member.deny) | member.allow;
    }
    if !permissions.contains(Permissions::VIEW_CHANNEL) {
        return Permissions::empty();
    }
    if !permissions.contains(Permissions::SEND_MESSAGES) {
        permissions.remove(
            Permissions::SEND_TTS_MESSAGES
                | Permissions::MENTION_EVERYONE
                | Permissions::ATTACH_FILES
                | Permissions::EMBED_LINKS,
        );
    }
    permissions
}

/// Whether a member sees a private thread: it needs VIEW_CHANNEL on the parent, and must be a
/// member of the thread or hold MANAGE_THREADS there.
pub fn can_view_private_thread(parent_permissions: Permissions, is_thread_member: bool) -> bool {
    parent_permissions.contains(Permissions::VIEW_CHANNEL)
        && (is_thread_member || parent_permissions.contains(Permissions::MANAGE_THREADS))
}

/// The overwrites the bot would grant that it does not hold itself (Discord refuses those with
/// 50013): empty when the bot may write `overwrites` on a channel where it has `bot_permissions`.
pub fn ungrantable(
    bot_permissions: Permissions,
    overwrites: &[PermissionOverwrite],
) -> Permissions {
    if bot_permissions.contains(Permissions::ADMINISTRATOR) {
        return Permissions::empty();
    }
    overwrites
        .iter()
        .fold(Permissions::empty(), |acc, o| acc | o.allow | o.deny)
        .difference(bot_permissions)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD: u64 = 100;
    const BOT: u64 = 1;
    const OPENER: u64 = 2;
    const STRANGER: u64 = 3;
    const STAFF_MEMBER: u64 = 4;
    const STAFF_ROLE: u64 = 50;
    const VIEWERS_ROLE: u64 = 60;

    fn overwrites(opener_can_write: bool) -> Vec<PermissionOverwrite> {
        ticket_overwrites(&TicketAudience {
            guild_id: Id::new(GUILD),
            bot_id: Id::new(BOT),
            opener: Id::new(OPENER),
            opener_can_write,
            staff_roles: &[Id::new(STAFF_ROLE)],
            added_members: &[],
            added_roles: &[],
        })
    }

    fn everyone() -> Permissions {
        Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES | Permissions::READ_MESSAGE_HISTORY
    }

    fn in_ticket(
        user: u64,
        roles: &[u64],
        extra: Permissions,
        overwrites: &[PermissionOverwrite],
    ) -> Permissions {
        let roles: Vec<RoleId> = roles.iter().map(|r| Id::new(*r)).collect();
        let base = guild_permissions(false, everyone(), [extra]);
        channel_permissions(base, Id::new(GUILD), Id::new(user), &roles, overwrites)
    }

    #[test]
    fn only_opener_staff_bot_and_admins_see_a_ticket() {
        let overwrites = overwrites(true);
        assert!(
            in_ticket(OPENER, &[], Permissions::empty(), &overwrites).contains(TICKET_MEMBER_ALLOW)
        );
        assert!(
            in_ticket(
                STAFF_MEMBER,
                &[STAFF_ROLE],
                Permissions::empty(),
                &overwrites
            )
            .contains(TICKET_MEMBER_ALLOW)
        );
        assert!(in_ticket(BOT, &[], Permissions::empty(), &overwrites).contains(TICKET_BOT_ALLOW));
        assert_eq!(
            in_ticket(STRANGER, &[], Permissions::empty(), &overwrites),
            Permissions::empty()
        );
        // A role that may see every channel guild-wide still does not see the ticket.
        assert_eq!(
            in_ticket(
                STRANGER,
                &[VIEWERS_ROLE],
                Permissions::VIEW_CHANNEL | Permissions::MANAGE_MESSAGES,
                &overwrites
            ),
            Permissions::empty()
        );
        assert_eq!(
            in_ticket(STRANGER, &[], Permissions::ADMINISTRATOR, &overwrites),
            Permissions::all()
        );
    }

    #[test]
    fn closed_ticket_is_read_only_for_the_opener() {
        let overwrites = overwrites(false);
        let opener = in_ticket(OPENER, &[], Permissions::empty(), &overwrites);
        assert!(opener.contains(Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY));
        assert!(!opener.contains(Permissions::SEND_MESSAGES));
        assert!(!opener.contains(Permissions::ATTACH_FILES));
        let staff = in_ticket(
            STAFF_MEMBER,
            &[STAFF_ROLE],
            Permissions::empty(),
            &overwrites,
        );
        assert!(staff.contains(Permissions::SEND_MESSAGES));
    }

    #[test]
    fn member_overwrite_beats_role_overwrite_and_role_allow_beats_role_deny() {
        let guild: GuildId = Id::new(GUILD);
        let overwrites = vec![
            PermissionOverwrite {
                id: Id::new(10),
                kind: PermissionOverwriteType::Role,
                allow: Permissions::empty(),
                deny: Permissions::SEND_MESSAGES,
            },
            PermissionOverwrite {
                id: Id::new(11),
                kind: PermissionOverwriteType::Role,
                allow: Permissions::SEND_MESSAGES,
                deny: Permissions::empty(),
            },
            PermissionOverwrite {
                id: Id::new(7),
                kind: PermissionOverwriteType::Member,
                allow: Permissions::empty(),
                deny: Permissions::VIEW_CHANNEL,
            },
        ];
        let roles: [RoleId; 2] = [Id::new(10), Id::new(11)];
        let user8 = channel_permissions(everyone(), guild, Id::new(8), &roles, &overwrites);
        assert!(
            user8.contains(Permissions::SEND_MESSAGES),
            "role allows win over role denies"
        );
        let user7 = channel_permissions(everyone(), guild, Id::new(7), &roles, &overwrites);
        assert_eq!(user7, Permissions::empty(), "no VIEW_CHANNEL means nothing");
        let only_deny: [RoleId; 1] = [Id::new(10)];
        let muted = channel_permissions(
            everyone() | Permissions::ATTACH_FILES,
            guild,
            Id::new(8),
            &only_deny,
            &overwrites,
        );
        assert!(
            !muted.contains(Permissions::ATTACH_FILES),
            "no SEND_MESSAGES means no attachments"
        );
    }

    #[test]
    fn owner_and_admin_hold_everything() {
        assert_eq!(
            guild_permissions(true, Permissions::empty(), []),
            Permissions::all()
        );
        assert_eq!(
            guild_permissions(false, Permissions::empty(), [Permissions::ADMINISTRATOR]),
            Permissions::all()
        );
    }

    #[test]
    fn bot_permission_checks() {
        let missing =
            missing_bot_permissions(Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES);
        assert!(missing.contains(Permissions::MANAGE_CHANNELS | Permissions::MANAGE_ROLES));
        assert!(missing_bot_permissions(Permissions::ADMINISTRATOR).is_empty());
        assert!(missing_bot_permissions(BOT_REQUIRED).is_empty());
        assert!(ungrantable(BOT_REQUIRED, &overwrites(true)).is_empty());
        assert_eq!(
            ungrantable(
                BOT_REQUIRED.difference(Permissions::MANAGE_MESSAGES),
                &overwrites(true)
            ),
            Permissions::MANAGE_MESSAGES
        );
    }

    #[test]
    fn private_threads_need_membership() {
        assert!(can_view_private_thread(Permissions::VIEW_CHANNEL, true));
        assert!(!can_view_private_thread(Permissions::VIEW_CHANNEL, false));
        assert!(can_view_private_thread(
            Permissions::VIEW_CHANNEL | Permissions::MANAGE_THREADS,
            false
        ));
        assert!(!can_view_private_thread(Permissions::MANAGE_THREADS, true));
    }
}
