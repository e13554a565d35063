//! Who may do what. A decision comes from the actor's roles and guild permissions, the guild's
//! staff roles (guild-wide and per topic), and whether the actor opened the ticket.

use crate::config::GuildConfig;
use crate::ids::{RoleId, TopicId, UserId};
use crate::permissions::Permissions;
use serde::{Deserialize, Serialize};

/// A guild member as the bot sees them when they act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: UserId,
    pub roles: Vec<RoleId>,
    /// Guild-level permissions (from the interaction's `member.permissions` or computed).
    pub permissions: Permissions,
}

/// Who performs an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A member acting through an interaction.
    Member(Member),
    /// Helpline itself: auto-close timers, the opener leaving the server.
    System,
}

impl Actor {
    /// The acting user, if a member acts.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::Member(member) => Some(member.user_id),
            Self::System => None,
        }
    }
}

/// A member's standing in a guild, for a ticket of a given topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    /// Neither staff nor admin.
    Member,
    /// Holds a staff role of the guild or of the ticket's topic.
    Staff,
    /// Holds ADMINISTRATOR or MANAGE_GUILD.
    Admin,
}

/// Whether `permissions` make their holder a Helpline admin in the guild.
pub fn is_admin(permissions: Permissions) -> bool {
    permissions.intersects(Permissions::ADMINISTRATOR | Permissions::MANAGE_GUILD)
}

/// A member's standing for a ticket of `topic` (or guild-wide when `None`).
pub fn standing(member: &Member, config: &GuildConfig, topic: Option<TopicId>) -> Standing {
    if is_admin(member.permissions) {
        return Standing::Admin;
    }
    let staff = config.staff_roles_for(topic);
    if member.roles.iter().any(|role| staff.contains(role)) {
        return Standing::Staff;
    }
    Standing::Member
}

/// Whether a role is protected in tickets of `topic`: a staff role, or one that grants admin.
pub fn is_protected_role(
    role: RoleId,
    role_permissions: Permissions,
    config: &GuildConfig,
    topic: Option<TopicId>,
) -> bool {
    is_admin(role_permissions) || config.staff_roles_for(topic).contains(&role)
}

/// Whether `member` may manage the guild's Helpline configuration (slash commands of A1–A8).
pub fn may_configure(member: &Member) -> bool {
    is_admin(member.permissions)
}
