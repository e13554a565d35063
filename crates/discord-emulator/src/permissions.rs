//! Discord's permission algorithm, as documented ("Permission Overwrites" and "Implicit
//! Permissions"), over plain data so it can be checked on its own.

use twilight_model::{
    channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    guild::Permissions,
    id::{
        Id,
        marker::{GuildMarker, RoleMarker, UserMarker},
    },
};

/// What @everyone may do in a new guild (Discord's defaults; no management permission).
pub const DEFAULT_EVERYONE_PERMISSIONS: Permissions = Permissions::from_bits_truncate(
    Permissions::CREATE_INVITE.bits()
        | Permissions::ADD_REACTIONS.bits()
        | Permissions::STREAM.bits()
        | Permissions::VIEW_CHANNEL.bits()
        | Permissions::SEND_MESSAGES.bits()
        | Permissions::EMBED_LINKS.bits()
        | Permissions::ATTACH_FILES.bits()
        | Permissions::READ_MESSAGE_HISTORY.bits()
        | Permissions::MENTION_EVERYONE.bits()
        | Permissions::USE_EXTERNAL_EMOJIS.bits()
        | Permissions::CONNECT.bits()
        | Permissions::SPEAK.bits()
        | Permissions::USE_VAD.bits()
        | Permissions::CHANGE_NICKNAME.bits()
        | Permissions::USE_SLASH_COMMANDS.bits()
        | Permissions::REQUEST_TO_SPEAK.bits()
        | Permissions::CREATE_PUBLIC_THREADS.bits()
        | Permissions::CREATE_PRIVATE_THREADS.bits()
        | Permissions::USE_EXTERNAL_STICKERS.bits()
        | Permissions::SEND_MESSAGES_IN_THREADS.bits()
        | Permissions::USE_EMBEDDED_ACTIVITIES.bits()
        | Permissions::USE_SOUNDBOARD.bits()
        | Permissions::USE_EXTERNAL_SOUNDS.bits()
        | Permissions::SEND_VOICE_MESSAGES.bits()
        | Permissions::SEND_POLLS.bits()
        | Permissions::USE_EXTERNAL_APPS.bits(),
);

/// What each participant of a DM may do.
pub(crate) const DM_PERMISSIONS: Permissions = Permissions::from_bits_truncate(
    Permissions::ADD_REACTIONS.bits()
        | Permissions::VIEW_CHANNEL.bits()
        | Permissions::SEND_MESSAGES.bits()
        | Permissions::EMBED_LINKS.bits()
        | Permissions::ATTACH_FILES.bits()
        | Permissions::READ_MESSAGE_HISTORY.bits()
        | Permissions::USE_EXTERNAL_EMOJIS.bits()
        | Permissions::USE_SLASH_COMMANDS.bits(),
);

/// Permissions that depend on SEND_MESSAGES: without it they are denied implicitly.
const NEEDS_SEND_MESSAGES: Permissions = Permissions::from_bits_truncate(
    Permissions::SEND_TTS_MESSAGES.bits()
        | Permissions::MENTION_EVERYONE.bits()
        | Permissions::EMBED_LINKS.bits()
        | Permissions::ATTACH_FILES.bits()
        | Permissions::SEND_VOICE_MESSAGES.bits()
        | Permissions::SEND_POLLS.bits(),
);

/// A member as the algorithm sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemberView<'a> {
    /// The member's user id.
    pub(crate) user_id: Id<UserMarker>,
    /// Whether the member owns the guild.
    pub(crate) is_owner: bool,
    /// The member's roles, without @everyone.
    pub(crate) roles: &'a [Id<RoleMarker>],
}

/// Guild-level permissions: @everyone's plus every role's; the owner and ADMINISTRATOR have all.
pub(crate) fn guild_permissions(
    member: MemberView<'_>,
    everyone: Permissions,
    role_permissions: impl Fn(Id<RoleMarker>) -> Option<Permissions>,
) -> Permissions {
    if member.is_owner {
        return Permissions::all();
    }
    let mut permissions = everyone;
    for role in member.roles {
        permissions |= role_permissions(*role).unwrap_or_else(Permissions::empty);
    }
    if permissions.contains(Permissions::ADMINISTRATOR) {
        return Permissions::all();
    }
    permissions
}

/// Channel-level permissions: the guild's base permissions with the channel's overwrites
/// applied in Discord's order (@everyone, then all roles combined, then the member), then the
/// implicit rules (no VIEW_CHANNEL means nothing; no SEND_MESSAGES removes what depends on it).
pub(crate) fn channel_permissions(
    guild_id: Id<GuildMarker>,
    member: MemberView<'_>,
    base: Permissions,
    overwrites: &[PermissionOverwrite],
) -> Permissions {
    if base.contains(Permissions::ADMINISTRATOR) {
        return Permissions::all();
    }
    let mut permissions = base;
    if let Some(everyone) = overwrites
        .iter()
        .find(|overwrite| overwrite.id.get() == guild_id.get())
    {
        permissions.remove(everyone.deny);
        permissions.insert(everyone.allow);
    }
    let mut role_allow = Permissions::empty();
    let mut role_deny = Permissions::empty();
    for overwrite in overwrites {
        if overwrite.kind == PermissionOverwriteType::Role
            && overwrite.id.get() != guild_id.get()
            && member
                .roles
                .iter()
                .any(|role| role.get() == overwrite.id.get())
        {
            role_allow |= overwrite.allow;
            role_deny |= overwrite.deny;
        }
    }
    permissions.remove(role_deny);
    permissions.insert(role_allow);
    if let Some(own) = overwrites.iter().find(|overwrite| {
        overwrite.kind == PermissionOverwriteType::Member
            && overwrite.id.get() == member.user_id.get()
    }) {
        permissions.remove(own.deny);
        permissions.insert(own.allow);
    }
    apply_implicit(permissions)
}

/// The implicit rules applied after overwrites.
pub(crate) fn apply_implicit(mut permissions: Permissions) -> Permissions {
    if !permissions.contains(Permissions::VIEW_CHANNEL) {
        return Permissions::empty();
    }
    if !permissions.contains(Permissions::SEND_MESSAGES) {
        permissions.remove(NEEDS_SEND_MESSAGES);
    }
    permissions
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD: u64 = 100;
    const STAFF: u64 = 200;
    const OTHER_ROLE: u64 = 201;
    const OPENER: u64 = 300;
    const STRANGER: u64 = 301;

    fn overwrite(
        id: u64,
        kind: PermissionOverwriteType,
        allow: Permissions,
        deny: Permissions,
    ) -> PermissionOverwrite {
        PermissionOverwrite {
            allow,
            deny,
            id: Id::new(id),
            kind,
        }
    }

    fn ticket_overwrites() -> Vec<PermissionOverwrite> {
        let member_set = Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::READ_MESSAGE_HISTORY
            | Permissions::ATTACH_FILES
            | Permissions::EMBED_LINKS;
        vec![
            overwrite(
                GUILD,
                PermissionOverwriteType::Role,
                Permissions::empty(),
                Permissions::VIEW_CHANNEL,
            ),
            overwrite(
                STAFF,
                PermissionOverwriteType::Role,
                member_set,
                Permissions::empty(),
            ),
            overwrite(
                OPENER,
                PermissionOverwriteType::Member,
                member_set,
                Permissions::empty(),
            ),
        ]
    }

    fn compute(
        user: u64,
        roles: &[Id<RoleMarker>],
        role_perms: Permissions,
        overwrites: &[PermissionOverwrite],
    ) -> Permissions {
        let member = MemberView {
            user_id: Id::new(user),
            is_owner: false,
            roles,
        };
        let base = guild_permissions(member, DEFAULT_EVERYONE_PERMISSIONS, |_| Some(role_perms));
        channel_permissions(Id::new(GUILD), member, base, overwrites)
    }

    #[test]
    fn private_ticket_hides_from_strangers_and_shows_opener_and_staff() {
        let overwrites = ticket_overwrites();
        assert!(compute(STRANGER, &[], Permissions::empty(), &overwrites).is_empty());
        let opener = compute(OPENER, &[], Permissions::empty(), &overwrites);
        assert!(opener.contains(
            Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES | Permissions::ATTACH_FILES
        ));
        let staff = compute(
            STRANGER,
            &[Id::new(STAFF)],
            Permissions::empty(),
            &overwrites,
        );
        assert!(staff.contains(Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY));
    }

    #[test]
    fn member_deny_beats_role_allow_and_role_allow_beats_role_deny() {
        let overwrites = vec![
            overwrite(
                STAFF,
                PermissionOverwriteType::Role,
                Permissions::SEND_MESSAGES,
                Permissions::empty(),
            ),
            overwrite(
                OTHER_ROLE,
                PermissionOverwriteType::Role,
                Permissions::empty(),
                Permissions::SEND_MESSAGES,
            ),
            overwrite(
                OPENER,
                PermissionOverwriteType::Member,
                Permissions::empty(),
                Permissions::ATTACH_FILES,
            ),
        ];
        let both_roles = [Id::new(STAFF), Id::new(OTHER_ROLE)];
        let permissions = compute(OPENER, &both_roles, Permissions::empty(), &overwrites);
        assert!(permissions.contains(Permissions::SEND_MESSAGES));
        assert!(!permissions.contains(Permissions::ATTACH_FILES));
    }

    #[test]
    fn administrator_and_owner_bypass_overwrites() {
        let overwrites = ticket_overwrites();
        let admin = compute(
            STRANGER,
            &[Id::new(OTHER_ROLE)],
            Permissions::ADMINISTRATOR,
            &overwrites,
        );
        assert_eq!(admin, Permissions::all());
        let owner = MemberView {
            user_id: Id::new(STRANGER),
            is_owner: true,
            roles: &[],
        };
        let base = guild_permissions(owner, DEFAULT_EVERYONE_PERMISSIONS, |_| None);
        assert_eq!(
            channel_permissions(Id::new(GUILD), owner, base, &overwrites),
            Permissions::all()
        );
    }

    #[test]
    fn without_send_messages_attachments_and_embeds_are_implicitly_denied() {
        let overwrites = vec![overwrite(
            GUILD,
            PermissionOverwriteType::Role,
            Permissions::empty(),
            Permissions::SEND_MESSAGES,
        )];
        let permissions = compute(STRANGER, &[], Permissions::empty(), &overwrites);
        assert!(permissions.contains(Permissions::VIEW_CHANNEL));
        assert!(!permissions.intersects(Permissions::ATTACH_FILES | Permissions::EMBED_LINKS));
    }
}
