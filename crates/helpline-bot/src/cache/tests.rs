//! The lean cache against twilight-cache-inmemory: the same gateway events fed to both, every
//! answer the bot asks of a cache compared after each one.

use super::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use twilight_cache_inmemory::{DefaultInMemoryCache, ResourceType};
use twilight_model::channel::permission_overwrite::PermissionOverwriteType;
use twilight_model::gateway::payload::incoming::{
    ChannelCreate, ChannelDelete, ChannelUpdate, GuildDelete, GuildUpdate, InteractionCreate,
    MemberRemove, MemberUpdate, RoleCreate, RoleDelete, RoleUpdate, ThreadCreate, ThreadDelete,
    ThreadUpdate,
};
use twilight_model::guild::PartialGuild;
use twilight_model::id::Id;

const GUILD: u64 = 81_384_788_765_712_384;
const BOT: u64 = 90_000_000_000_000_001;
const OWNER: u64 = 90_000_000_000_000_002;
const MEMBER: u64 = 90_000_000_000_000_003;
/// Roles 0 (`@everyone`, the guild's id) to 5.
const ROLES: usize = 6;
/// Channels 0 and 1 are categories in every guild shape; 2 to 7 anything.
const CHANNELS: usize = 8;

fn role_id(index: usize) -> u64 {
    GUILD + index as u64
}

fn channel_id(index: usize) -> u64 {
    GUILD + 100 + index as u64
}

fn user(id: u64) -> Value {
    json!({"id": id.to_string(), "username": format!("user{id}"), "discriminator": "0",
           "avatar": null, "global_name": null})
}

fn role(index: usize, permissions: u64) -> Value {
    json!({"id": role_id(index).to_string(), "name": format!("role {index} {permissions}"),
           "permissions": permissions.to_string(), "position": index, "color": 0,
           "colors": {"primary_color": 0}, "hoist": false, "managed": false,
           "mentionable": false, "flags": 0})
}

fn member(id: u64, roles: &[usize]) -> Value {
    let roles: Vec<String> = roles.iter().map(|r| role_id(*r).to_string()).collect();
    json!({"user": user(id), "roles": roles, "nick": null, "deaf": false, "mute": false,
           "flags": 0, "joined_at": null, "communication_disabled_until": null})
}

#[derive(Clone, Debug)]
struct ChannelSpec {
    index: usize,
    kind: u8,
    parent: Option<usize>,
    /// (target, allow, deny): targets 0..ROLES are roles, ROLES the bot, ROLES + 1 a member.
    overwrites: Vec<(usize, u64, u64)>,
}

fn channel(spec: &ChannelSpec) -> Value {
    let overwrites: Vec<Value> = spec
        .overwrites
        .iter()
        .map(|(target, allow, deny)| {
            let (id, kind) = match *target {
                t if t < ROLES => (role_id(t), 0),
                t if t == ROLES => (BOT, 1),
                _ => (MEMBER, 1),
            };
            json!({"id": id.to_string(), "type": kind, "allow": allow.to_string(),
                   "deny": deny.to_string()})
        })
        .collect();
    let kind = if spec.index < 2 { 4 } else { spec.kind };
    json!({"id": channel_id(spec.index).to_string(), "type": kind,
           "guild_id": GUILD.to_string(), "name": format!("channel-{}-{kind}", spec.index),
           "position": spec.index, "permission_overwrites": overwrites,
           "parent_id": spec.parent.filter(|_| kind != 4).map(|p| channel_id(p).to_string())})
}

#[derive(Clone, Debug)]
struct GuildSpec {
    owner_is_bot: bool,
    /// Permissions of roles 1 to 5 (`None`: the role does not exist).
    roles: Vec<Option<u64>>,
    everyone: u64,
    channels: Vec<ChannelSpec>,
    bot_roles: Vec<usize>,
    name: u8,
}

fn guild(spec: &GuildSpec) -> Value {
    let mut roles = vec![role(0, spec.everyone)];
    for (index, permissions) in spec.roles.iter().enumerate() {
        if let Some(permissions) = permissions {
            roles.push(role(index + 1, *permissions));
        }
    }
    let channels: Vec<Value> = spec.channels.iter().map(channel).collect();
    let owner = if spec.owner_is_bot { BOT } else { OWNER };
    json!({"id": GUILD.to_string(), "name": format!("guild {}", spec.name),
           "owner_id": owner.to_string(), "afk_timeout": 300,
           "default_message_notifications": 0, "explicit_content_filter": 0, "features": [],
           "mfa_level": 0, "preferred_locale": "en-US", "roles": roles,
           "system_channel_flags": 0, "premium_progress_bar_enabled": false,
           "verification_level": 0, "nsfw_level": 0, "premium_tier": spec.name % 4,
           "channels": channels, "threads": [], "emojis": [], "stickers": [],
           "members": [member(BOT, &spec.bot_roles), member(OWNER, &[]), member(MEMBER, &[1])]})
}

#[derive(Clone, Debug)]
enum Op {
    Create(GuildSpec),
    Update { owner_is_bot: bool, name: u8 },
    Delete,
    RoleUpsert { index: usize, permissions: u64 },
    RoleDelete(usize),
    ChannelUpsert(ChannelSpec),
    ChannelDelete(usize),
    BotRoles(Vec<usize>),
}

fn event(op: &Op) -> Event {
    match op {
        Op::Create(spec) => Event::GuildCreate(Box::new(GuildCreate::Available(
            serde_json::from_value(guild(spec)).expect("guild"),
        ))),
        Op::Update { owner_is_bot, name } => {
            let value = guild(&GuildSpec {
                owner_is_bot: *owner_is_bot,
                roles: Vec::new(),
                everyone: 0,
                channels: Vec::new(),
                bot_roles: Vec::new(),
                name: *name,
            });
            let partial: PartialGuild = serde_json::from_value(value).expect("partial");
            Event::GuildUpdate(Box::new(GuildUpdate(partial)))
        }
        Op::Delete => Event::GuildDelete(
            serde_json::from_value::<GuildDelete>(json!({"id": GUILD.to_string()}))
                .expect("delete"),
        ),
        Op::RoleUpsert { index, permissions } => {
            let payload =
                json!({"guild_id": GUILD.to_string(), "role": role(*index, *permissions)});
            if index % 2 == 0 {
                Event::RoleCreate(serde_json::from_value::<RoleCreate>(payload).expect("role"))
            } else {
                Event::RoleUpdate(serde_json::from_value::<RoleUpdate>(payload).expect("role"))
            }
        }
        Op::RoleDelete(index) => Event::RoleDelete(
            serde_json::from_value::<RoleDelete>(
                json!({"guild_id": GUILD.to_string(), "role_id": role_id(*index).to_string()}),
            )
            .expect("role delete"),
        ),
        Op::ChannelUpsert(spec) => {
            let channel: Channel = serde_json::from_value(channel(spec)).expect("channel");
            if spec.kind % 2 == 0 {
                Event::ChannelCreate(Box::new(ChannelCreate(channel)))
            } else {
                Event::ChannelUpdate(Box::new(ChannelUpdate(channel)))
            }
        }
        Op::ChannelDelete(index) => {
            let spec = ChannelSpec {
                index: *index,
                kind: 0,
                parent: None,
                overwrites: Vec::new(),
            };
            let channel: Channel = serde_json::from_value(channel(&spec)).expect("channel");
            Event::ChannelDelete(Box::new(ChannelDelete(channel)))
        }
        Op::BotRoles(roles) => {
            let mut payload = member(BOT, roles);
            payload["guild_id"] = json!(GUILD.to_string());
            payload["pending"] = json!(false);
            Event::MemberUpdate(Box::new(
                serde_json::from_value::<MemberUpdate>(payload).expect("member update"),
            ))
        }
    }
}

/// Every answer the bot asks of a cache about the test guild.
#[derive(Debug, PartialEq, Eq)]
struct Answers {
    knows: bool,
    name: Option<String>,
    tier: Option<PremiumTier>,
    guild_permissions: Option<Permissions>,
    channels: Vec<ChannelAnswers>,
    roles: Vec<Option<(Permissions, String)>>,
    channel_count: Option<usize>,
}

#[derive(Debug, PartialEq, Eq)]
struct ChannelAnswers {
    bot: Option<Permissions>,
    everyone: Option<Permissions>,
    kind: Option<ChannelType>,
    parent: Option<Option<ChannelId>>,
    name: Option<Option<String>>,
}

fn lean_answers(cache: &Cache) -> Answers {
    let guild = GuildId::new(GUILD);
    Answers {
        knows: cache.knows_guild(guild),
        name: cache.guild_name(guild),
        tier: cache.premium_tier(guild),
        guild_permissions: cache.bot_guild_permissions(guild),
        channels: (0..CHANNELS)
            .map(|index| {
                let id = ChannelId::new(channel_id(index));
                let channel = cache.channel(guild, id);
                ChannelAnswers {
                    bot: cache.bot_channel_permissions(guild, id),
                    everyone: cache.everyone_channel_permissions(guild, id),
                    kind: channel.as_ref().map(|c| c.kind),
                    parent: channel.as_ref().map(|c| c.parent),
                    name: channel.map(|c| c.name.map(String::from)),
                }
            })
            .collect(),
        roles: (0..ROLES)
            .map(|index| {
                cache
                    .role(guild, RoleId::new(role_id(index)))
                    .map(|r| (r.permissions, r.name.into()))
            })
            .collect(),
        channel_count: cache.channels(guild).map(|c| c.len()),
    }
}

/// The answers as the bot computed them from twilight's cache before the lean one.
fn twilight_answers(cache: &DefaultInMemoryCache) -> Answers {
    let guild_id = GuildId::new(GUILD);
    let bot = UserId::new(BOT);
    let guild = cache
        .guild(guild_id)
        .map(|g| (g.name().to_owned(), g.owner_id(), g.premium_tier()));
    let guild_permissions = guild.as_ref().and_then(|(_, owner, _)| {
        let everyone = cache.role(guild_id.cast())?.permissions;
        let member = cache.member(guild_id, bot)?;
        let roles: Vec<Permissions> = member
            .roles()
            .iter()
            .filter_map(|role| cache.role(*role).map(|r| r.permissions))
            .collect();
        Some(permissions::guild_permissions(
            *owner == bot,
            everyone,
            roles,
        ))
    });
    let in_guild = |id: ChannelId| {
        cache
            .channel(id)
            .filter(|c| c.guild_id == Some(guild_id))
            .map(|c| c.value().clone())
    };
    Answers {
        knows: guild.is_some(),
        name: guild.as_ref().map(|(name, ..)| name.clone()),
        tier: guild.as_ref().map(|(.., tier)| *tier),
        guild_permissions,
        channels: (0..CHANNELS)
            .map(|index| {
                let id = ChannelId::new(channel_id(index));
                let channel = in_guild(id);
                let overwrites = channel
                    .as_ref()
                    .map(|c| c.permission_overwrites.clone().unwrap_or_default());
                let bot_permissions =
                    guild_permissions
                        .zip(overwrites.as_ref())
                        .and_then(|(held, overwrites)| {
                            let roles = cache.member(guild_id, bot)?.roles().to_vec();
                            Some(permissions::channel_permissions(
                                held, guild_id, bot, &roles, overwrites,
                            ))
                        });
                let everyone = overwrites.as_ref().and_then(|overwrites| {
                    let everyone = cache.role(guild_id.cast())?.permissions;
                    Some(permissions::channel_permissions(
                        permissions::guild_permissions(false, everyone, []),
                        guild_id,
                        UserId::new(1),
                        &[],
                        overwrites,
                    ))
                });
                ChannelAnswers {
                    bot: bot_permissions,
                    everyone: guild.as_ref().and(everyone),
                    kind: channel.as_ref().map(|c| c.kind),
                    parent: channel.as_ref().map(|c| c.parent_id),
                    name: channel.map(|c| c.name),
                }
            })
            .collect(),
        roles: (0..ROLES)
            .map(|index| {
                cache
                    .role(RoleId::new(role_id(index)))
                    .filter(|r| r.guild_id() == guild_id)
                    .map(|r| (r.permissions, r.name.clone()))
            })
            .collect(),
        channel_count: guild.as_ref().and_then(|_| {
            cache.guild_channels(guild_id).map(|ids| {
                ids.iter()
                    .filter(|id| cache.channel(**id).is_some_and(|c| !c.kind.is_thread()))
                    .count()
            })
        }),
    }
}

fn twilight_cache() -> DefaultInMemoryCache {
    // The resource types the bot kept before the lean cache.
    DefaultInMemoryCache::builder()
        .resource_types(
            ResourceType::GUILD
                | ResourceType::CHANNEL
                | ResourceType::ROLE
                | ResourceType::MEMBER
                | ResourceType::USER_CURRENT,
        )
        .build()
}

/// Permission bits that matter to the algorithms compared (and Administrator, rarely).
fn permissions() -> impl Strategy<Value = u64> {
    let bits = [
        Permissions::VIEW_CHANNEL,
        Permissions::SEND_MESSAGES,
        Permissions::MANAGE_CHANNELS,
        Permissions::MANAGE_ROLES,
        Permissions::EMBED_LINKS,
        Permissions::ATTACH_FILES,
    ];
    (
        proptest::collection::vec(any::<bool>(), bits.len()),
        proptest::bool::weighted(0.05),
    )
        .prop_map(move |(on, admin)| {
            let mut held = bits
                .iter()
                .zip(on)
                .filter(|(_, on)| *on)
                .fold(Permissions::empty(), |acc, (bit, _)| acc | *bit);
            if admin {
                held |= Permissions::ADMINISTRATOR;
            }
            held.bits()
        })
}

fn channel_spec(index: impl Strategy<Value = usize>) -> impl Strategy<Value = ChannelSpec> {
    (
        index,
        prop_oneof![Just(0u8), Just(2), Just(5)],
        proptest::option::of(0..2usize),
        proptest::collection::vec((0..ROLES + 2, permissions(), permissions()), 0..4),
    )
        .prop_map(|(index, kind, parent, overwrites)| ChannelSpec {
            index,
            kind,
            parent,
            overwrites,
        })
}

fn role_subset() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1..ROLES, 0..4)
}

fn guild_spec() -> impl Strategy<Value = GuildSpec> {
    (
        proptest::bool::weighted(0.1),
        proptest::collection::vec(proptest::option::of(permissions()), ROLES - 1),
        permissions(),
        proptest::collection::vec(channel_spec(0..CHANNELS), 0..CHANNELS),
        role_subset(),
        any::<u8>(),
    )
        .prop_map(
            |(owner_is_bot, roles, everyone, channels, bot_roles, name)| GuildSpec {
                owner_is_bot,
                roles,
                everyone,
                channels,
                bot_roles,
                name,
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => guild_spec().prop_map(Op::Create),
        1 => (proptest::bool::weighted(0.1), any::<u8>())
            .prop_map(|(owner_is_bot, name)| Op::Update { owner_is_bot, name }),
        1 => Just(Op::Delete),
        4 => (0..ROLES, permissions()).prop_map(|(index, permissions)| Op::RoleUpsert { index, permissions }),
        2 => (1..ROLES).prop_map(Op::RoleDelete),
        4 => channel_spec(0..CHANNELS).prop_map(Op::ChannelUpsert),
        2 => (0..CHANNELS).prop_map(Op::ChannelDelete),
        3 => role_subset().prop_map(Op::BotRoles),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// After every event of any sequence Discord could send, the lean cache answers what
    /// twilight's did: the bot's guild and channel permissions, what `@everyone` sees, each
    /// channel's kind, parent and name, each role's permissions and name, the guild's name and
    /// boost tier.
    #[test]
    fn answers_as_twilight_does(first in guild_spec(), ops in proptest::collection::vec(op(), 0..40)) {
        let lean = Cache::new(UserId::new(BOT));
        let twilight = twilight_cache();
        let mut known = false;
        for op in std::iter::once(Op::Create(first)).chain(ops) {
            // Discord sends a guild's events only while the bot is in it, and a guild's
            // GUILD_CREATE again only after it left (the re-identify case is the one
            // deliberate difference, tested below).
            match (&op, known) {
                (Op::Create(_), true) => continue,
                (Op::Create(_), false) => known = true,
                (_, false) => continue,
                (Op::Delete, true) => known = false,
                _ => {}
            }
            let event = event(&op);
            lean.update(&event);
            twilight.update(&event);
            prop_assert_eq!(lean_answers(&lean), twilight_answers(&twilight), "after {:?}", op);
        }
    }
}

fn base_guild() -> GuildSpec {
    GuildSpec {
        owner_is_bot: false,
        roles: vec![
            Some(Permissions::MANAGE_CHANNELS.bits()),
            None,
            None,
            None,
            None,
        ],
        everyone: Permissions::VIEW_CHANNEL.bits(),
        channels: vec![ChannelSpec {
            index: 0,
            kind: 4,
            parent: None,
            overwrites: Vec::new(),
        }],
        bot_roles: vec![1],
        name: 1,
    }
}

/// The base guild with text channel 2 in category 0, its overwrites given.
fn with_text_channel(overwrites: Vec<(usize, u64, u64)>) -> GuildSpec {
    let mut spec = base_guild();
    spec.channels.push(ChannelSpec {
        index: 2,
        kind: 0,
        parent: Some(0),
        overwrites,
    });
    spec
}

/// A GUILD_CREATE for a guild already held (after a re-identify) replaces it whole: a role and
/// a channel deleted while the bot was away are gone, where twilight's maps keep them.
#[test]
fn a_second_guild_create_replaces_the_guild() {
    let cache = Cache::new(UserId::new(BOT));
    let guild = GuildId::new(GUILD);
    let mut spec = with_text_channel(Vec::new());
    cache.update(&event(&Op::Create(spec.clone())));
    assert!(
        cache
            .bot_guild_permissions(guild)
            .is_some_and(|p| p.contains(Permissions::MANAGE_CHANNELS))
    );
    assert!(
        cache
            .channel(guild, ChannelId::new(channel_id(2)))
            .is_some()
    );

    spec.roles[0] = None;
    spec.channels.pop();
    cache.update(&event(&Op::Create(spec)));
    assert_eq!(
        cache.bot_guild_permissions(guild),
        Some(Permissions::VIEW_CHANNEL),
        "the deleted role grants nothing"
    );
    assert_eq!(cache.channel(guild, ChannelId::new(channel_id(2))), None);
    assert_eq!(cache.channels(guild).map(|c| c.len()), Some(1));
}

/// Active threads are kept with their kind, parent and name, an archived one is dropped, and
/// they are no category's children; a guild in an outage keeps what was known of it; events
/// for a guild the bot is not in change nothing.
#[test]
fn active_threads_are_kept_and_outages_forget_nothing() {
    let cache = Cache::new(UserId::new(BOT));
    let guild = GuildId::new(GUILD);
    cache.update(&event(&Op::ChannelUpsert(ChannelSpec {
        index: 3,
        kind: 0,
        parent: None,
        overwrites: Vec::new(),
    })));
    cache.update(&event(&Op::RoleUpsert {
        index: 2,
        permissions: 0,
    }));
    assert!(!cache.knows_guild(guild));
    assert_eq!(cache.stats(), Stats::default());

    cache.update(&event(&Op::Create(base_guild())));
    let thread = |archived: bool| -> Channel {
        let mut value = channel(&ChannelSpec {
            index: 4,
            kind: 12,
            parent: Some(0),
            overwrites: Vec::new(),
        });
        value["type"] = json!(12);
        value["parent_id"] = json!(channel_id(0).to_string());
        value["thread_metadata"] = json!({"archived": archived, "auto_archive_duration": 10080,
                                          "archive_timestamp": "2026-01-01T00:00:00+00:00",
                                          "locked": false});
        serde_json::from_value(value).expect("thread")
    };
    let id = ChannelId::new(channel_id(4));
    cache.update(&Event::ThreadCreate(Box::new(ThreadCreate(thread(false)))));
    let held = cache.channel(guild, id).expect("an active thread is kept");
    assert_eq!(held.kind, ChannelType::PrivateThread);
    assert_eq!(held.parent, Some(ChannelId::new(channel_id(0))));
    assert_eq!(held.name.as_deref(), Some("channel-4-12"));
    assert_eq!(
        cache.channels(guild).map(|c| c.len()),
        Some(1),
        "not a channel"
    );
    cache.update(&Event::ThreadUpdate(Box::new(ThreadUpdate(thread(true)))));
    assert_eq!(cache.channel(guild, id), None, "archived: dropped");
    cache.update(&Event::ThreadCreate(Box::new(ThreadCreate(thread(false)))));
    let delete: ThreadDelete = serde_json::from_value(json!({
        "guild_id": GUILD.to_string(), "id": id.to_string(), "type": 12,
        "parent_id": channel_id(0).to_string()
    }))
    .expect("thread delete");
    cache.update(&Event::ThreadDelete(delete));
    assert_eq!(cache.channel(guild, id), None);
    assert_eq!(
        cache.stats(),
        Stats {
            guilds: 1,
            channels: 1,
            roles: 2,
            names: 0
        }
    );

    let outage: GuildDelete =
        serde_json::from_value(json!({"id": GUILD.to_string(), "unavailable": true})).unwrap();
    cache.update(&Event::GuildDelete(outage));
    assert_eq!(
        cache.guild_name(guild).as_deref(),
        Some("guild 1"),
        "kept through an outage"
    );
    cache.update(&event(&Op::Delete));
    assert!(
        !cache.knows_guild(guild),
        "removed from the guild: forgotten"
    );
}

fn interaction_from(user_id: u64, nick: Option<&str>) -> Event {
    let mut person = user(user_id);
    person["global_name"] = json!("Global");
    let payload = json!({
        "id": "5", "application_id": "6", "type": 3, "token": "t", "version": 1,
        "guild_id": GUILD.to_string(), "channel_id": channel_id(2).to_string(),
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 8_388_608, "authorizing_integration_owners": {},
        "member": {"user": person, "roles": [], "nick": nick, "deaf": false, "mute": false,
                   "flags": 0, "joined_at": null, "permissions": "0"},
        "data": {"custom_id": "x", "component_type": 2}
    });
    Event::InteractionCreate(Box::new(
        serde_json::from_value::<InteractionCreate>(payload).expect("interaction"),
    ))
}

/// Names come from the interactions that carry them, follow member updates, leave with the
/// member or the guild, and stay bounded.
#[test]
fn names_follow_their_members() {
    let cache = Cache::new(UserId::new(BOT));
    let guild = GuildId::new(GUILD);
    let member = UserId::new(MEMBER);
    cache.update(&event(&Op::Create(base_guild())));
    assert_eq!(
        cache.member_name(guild, member),
        None,
        "members are not kept"
    );

    cache.update(&interaction_from(MEMBER, Some("Nick")));
    assert_eq!(cache.member_name(guild, member).as_deref(), Some("Nick"));
    cache.update(&interaction_from(MEMBER, None));
    assert_eq!(cache.member_name(guild, member).as_deref(), Some("Global"));

    // A member update renames someone held; nobody else is added by one.
    let mut update = self::member(MEMBER, &[]);
    update["guild_id"] = json!(GUILD.to_string());
    update["pending"] = json!(false);
    update["nick"] = json!("Renamed");
    let update: MemberUpdate = serde_json::from_value(update).expect("member update");
    cache.update(&Event::MemberUpdate(Box::new(update.clone())));
    assert_eq!(cache.member_name(guild, member).as_deref(), Some("Renamed"));
    let mut other = update;
    other.user.id = Id::new(OWNER);
    cache.update(&Event::MemberUpdate(Box::new(other)));
    assert_eq!(cache.member_name(guild, UserId::new(OWNER)), None);

    let remove: MemberRemove =
        serde_json::from_value(json!({"guild_id": GUILD.to_string(), "user": user(MEMBER)}))
            .expect("member remove");
    cache.update(&Event::MemberRemove(remove));
    assert_eq!(cache.member_name(guild, member), None);

    cache.update(&interaction_from(MEMBER, Some("Back")));
    cache.update(&event(&Op::Delete));
    assert_eq!(
        cache.member_name(guild, member),
        None,
        "gone with the guild"
    );

    // Bounded: the names read lately stay, the oldest go.
    let names = Names::default();
    let first = UserId::new(1_000);
    names.insert(guild, first, "first".into());
    for n in 1..(NAMES as u64 * 2) {
        names.insert(guild, UserId::new(1_000 + n), "someone".into());
        if n % (NAMES as u64 / 4) == 0 {
            assert!(names.get(guild, first).is_some(), "read often, kept");
        }
    }
    assert!(names.len() <= NAMES);
    assert!(
        names.get(guild, UserId::new(1_001)).is_none(),
        "never read again, dropped"
    );
}

/// Overwrites name their target's kind: a member overwrite for the bot applies, one for a
/// role of the same id as a member does not (the kinds are compared).
#[test]
fn overwrite_kinds_are_kept() {
    let cache = Cache::new(UserId::new(BOT));
    let guild = GuildId::new(GUILD);
    let spec = with_text_channel(vec![(ROLES, 0, Permissions::VIEW_CHANNEL.bits())]);
    cache.update(&event(&Op::Create(spec)));
    let channel = cache
        .channel(guild, ChannelId::new(channel_id(2)))
        .expect("channel");
    assert_eq!(channel.overwrites[0].kind, PermissionOverwriteType::Member);
    assert_eq!(
        cache.bot_channel_permissions(guild, ChannelId::new(channel_id(2))),
        Some(Permissions::empty()),
        "denied View Channel: nothing"
    );
    assert_eq!(
        cache.bot_channel_permissions(guild, ChannelId::new(channel_id(0))),
        Some(Permissions::VIEW_CHANNEL | Permissions::MANAGE_CHANNELS)
    );
}
