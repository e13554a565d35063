//! Lifecycle tests: scenarios a member, staff and admins go through, then property tests over
//! random action sequences.

use super::*;
use crate::config::{FormQuestion, Panel, PanelStyle, QuestionStyle, Topic};
use crate::ids::Id;
use proptest::prelude::*;

const GUILD: u64 = 1_000;
const BOT: u64 = 1;
const OPENER: u64 = 2;
const STAFF: u64 = 3;
const OTHER_STAFF: u64 = 4;
const ADMIN: u64 = 5;
const STRANGER: u64 = 6;
const FRIEND: u64 = 7;
const STAFF_ROLE: u64 = 50;
const TOPIC_STAFF_ROLE: u64 = 51;
const HELPER_ROLE: u64 = 60;
const BILLING_CATEGORY: u64 = 900;
const DEFAULT_CATEGORY: u64 = 901;

fn member(id: u64, roles: &[u64], permissions: Permissions) -> Member {
    Member {
        user_id: Id::new(id),
        roles: roles.iter().map(|r| Id::new(*r)).collect(),
        permissions,
    }
}

fn opener() -> Member {
    member(OPENER, &[], Permissions::empty())
}
fn staff() -> Member {
    member(STAFF, &[STAFF_ROLE], Permissions::empty())
}
fn other_staff() -> Member {
    member(OTHER_STAFF, &[STAFF_ROLE], Permissions::empty())
}
fn admin() -> Member {
    member(ADMIN, &[], Permissions::MANAGE_GUILD)
}
fn stranger() -> Member {
    member(STRANGER, &[], Permissions::empty())
}
fn friend() -> Member {
    member(FRIEND, &[], Permissions::empty())
}

#[derive(Clone)]
struct World {
    config: GuildConfig,
    button_panel: PanelId,
    select_panel: PanelId,
    billing: TopicId,
    bugs: TopicId,
}

fn world() -> World {
    let mut config = GuildConfig::new(Id::new(GUILD));
    config.staff_roles.push(Id::new(STAFF_ROLE));
    config.settings.default_category = Some(Id::new(DEFAULT_CATEGORY));
    let billing = config
        .add_topic(|id| Topic {
            category: Some(Id::new(BILLING_CATEGORY)),
            staff_roles: vec![Id::new(TOPIC_STAFF_ROLE)],
            auto_response: Some("Please include your invoice number.".into()),
            ..Topic::new(id, "Billing")
        })
        .unwrap();
    let bugs = config
        .add_topic(|id| Topic {
            questions: vec![FormQuestion {
                label: "Platform".into(),
                placeholder: None,
                style: QuestionStyle::Short,
                required: true,
                min_length: Some(2),
                max_length: Some(20),
            }],
            ..Topic::new(id, "Bugs")
        })
        .unwrap();
    let button_panel = config.add_panel(|id| Panel::new(id, Id::new(800))).unwrap();
    let select_panel = config
        .add_panel(|id| Panel {
            style: PanelStyle::SelectMenu,
            topics: vec![billing, bugs],
            ..Panel::new(id, Id::new(801))
        })
        .unwrap();
    World {
        config,
        button_panel,
        select_panel,
        billing,
        bugs,
    }
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(1_800_000_000 + secs)
}

fn context(config: &GuildConfig, secs: i64) -> Context<'_> {
    Context {
        config,
        bot_id: Id::new(BOT),
        now: at(secs),
    }
}

fn request(panel: PanelId, topic: Option<TopicId>, by: Member) -> OpenRequest {
    OpenRequest {
        ticket_id: TicketId(77),
        panel_id: panel,
        topic_id: topic,
        opener: Id::new(OPENER),
        opener_name: "Alice".into(),
        requested_by: by,
        reason: Some("  my card was charged twice  ".into()),
        answers: Vec::new(),
    }
}

/// Opens a ticket as the bot would: prepare, number (as the store does), then `opened`.
fn open(world: &World, panel: PanelId, topic: Option<TopicId>) -> Transition {
    let mut request = request(panel, topic, opener());
    request.answers = vec![FormAnswer {
        question: "Platform".into(),
        answer: "Linux".into(),
    }];
    let (mut ticket, _) = prepare_open(&world.config, request, at(0)).unwrap();
    ticket.number = 12;
    opened(&ticket, &context(&world.config, 0))
}

/// An open ticket with its channel created.
fn open_ticket(world: &World, topic: Option<TopicId>) -> Ticket {
    let panel = if topic.is_some() {
        world.select_panel
    } else {
        world.button_panel
    };
    let opened = open(world, panel, topic);
    let channel = TicketChannel {
        id: Id::new(4_000),
        kind: TicketChannelKind::Channel,
    };
    step(
        world,
        &opened.ticket,
        Actor::System,
        Action::ChannelCreated { channel },
    )
    .ticket
}

fn step(world: &World, ticket: &Ticket, actor: Actor, action: Action) -> Transition {
    try_step(world, ticket, actor, action).expect("step allowed")
}

fn try_step(
    world: &World,
    ticket: &Ticket,
    actor: Actor,
    action: Action,
) -> Result<Transition, Refusal> {
    let result = apply(ticket, &actor, action, &context(&world.config, 100));
    if let Ok(transition) = &result {
        transition.ticket.check_invariants().unwrap();
    }
    result
}

fn kinds(transition: &Transition) -> Vec<&'static str> {
    transition.effects.iter().map(|e| e.kind.name()).collect()
}

#[test]
fn opening_a_ticket_creates_a_private_channel_and_welcomes_the_member() {
    let world = world();
    let opened = open(&world, world.select_panel, Some(world.billing));
    let ticket = &opened.ticket;
    assert_eq!(ticket.state, TicketState::Open);
    assert_eq!(ticket.name, "ticket-0012");
    assert_eq!(
        ticket.open_reason.as_deref(),
        Some("my card was charged twice")
    );
    assert_eq!(ticket.version, 1);
    assert_eq!(
        kinds(&opened),
        [
            "save_ticket",
            "create_channel",
            "post_welcome",
            "post_auto_response",
            "log"
        ]
    );
    let EffectKind::CreateChannel {
        name,
        parent,
        overwrites,
    } = &opened.effects[1].kind
    else {
        panic!("expected a channel");
    };
    assert_eq!(name, "ticket-0012");
    assert_eq!(
        *parent,
        Some(Id::new(BILLING_CATEGORY)),
        "the topic's category"
    );
    let ids: Vec<u64> = overwrites.iter().map(|o| o.id.get()).collect();
    assert_eq!(ids, [GUILD, BOT, STAFF_ROLE, TOPIC_STAFF_ROLE, OPENER]);
    let EffectKind::PostWelcome {
        content,
        ping_roles,
        ..
    } = &opened.effects[2].kind
    else {
        panic!("expected the welcome message");
    };
    assert!(content.starts_with("<@2>, thank you"), "{content}");
    assert!(content.contains("<@&50> <@&51>"), "{content}");
    assert!(content.ends_with("my card was charged twice"), "{content}");
    assert_eq!(
        ping_roles,
        &[Id::new(STAFF_ROLE), Id::new(TOPIC_STAFF_ROLE)]
    );
    // Keys are unique and name this step's version.
    let keys: BTreeSet<String> = opened.effects.iter().map(|e| e.key.to_string()).collect();
    assert_eq!(keys.len(), opened.effects.len());
    assert!(keys.contains("77/1/0"));
}

#[test]
fn opening_checks_panel_topic_reason_and_form() {
    let mut world = world();
    let now = at(0);
    let refuse = |world: &World, request: OpenRequest| {
        prepare_open(&world.config, request, now).unwrap_err()
    };

    assert_eq!(
        refuse(&world, request(PanelId(99), None, opener())),
        Refusal::UnknownPanel { panel: PanelId(99) }
    );
    assert_eq!(
        refuse(&world, request(world.select_panel, None, opener())),
        Refusal::TopicRequired
    );
    assert_eq!(
        refuse(
            &world,
            request(world.button_panel, Some(world.billing), opener())
        ),
        Refusal::TopicNotOnPanel {
            topic: world.billing
        }
    );
    // The Bugs form requires a platform of 2 to 20 characters.
    let mut bugs = request(world.select_panel, Some(world.bugs), opener());
    assert_eq!(
        refuse(&world, bugs.clone()),
        Refusal::Invalid(ValidationError::Empty {
            field: Field::Answer
        })
    );
    bugs.answers = vec![FormAnswer {
        question: "Platform".into(),
        answer: "PC".into(),
    }];
    assert!(prepare_open(&world.config, bugs, now).is_ok());
    // A reason too long for Discord.
    let mut long = request(world.button_panel, None, opener());
    long.reason = Some("x".repeat(600));
    assert!(matches!(
        refuse(&world, long),
        Refusal::Invalid(ValidationError::TooLong {
            field: Field::Reason,
            ..
        })
    ));
    // A required reason.
    world.config.panels[0].settings.reason = ReasonMode::Required;
    let mut no_reason = request(world.button_panel, None, opener());
    no_reason.reason = Some("   ".into());
    assert_eq!(refuse(&world, no_reason), Refusal::ReasonRequired);
    // A member cannot open for someone else; staff can (S4), without a reason.
    let mut for_other = request(world.button_panel, None, friend());
    for_other.reason = None;
    assert_eq!(refuse(&world, for_other.clone()), Refusal::NotStaff);
    for_other.requested_by = staff();
    let (ticket, limits) = prepare_open(&world.config, for_other, now).unwrap();
    assert_eq!(
        (ticket.opener, ticket.opened_by),
        (Id::new(OPENER), Id::new(STAFF))
    );
    assert_eq!(
        limits,
        OpenLimits {
            max_open: 1,
            cooldown: Duration::from_secs(60)
        }
    );
    // A disabled guild opens nothing.
    world.config.enabled = false;
    assert_eq!(
        refuse(&world, request(world.button_panel, None, opener())),
        Refusal::Disabled
    );
}

#[test]
fn staff_claim_and_only_staff_may() {
    let world = world();
    let ticket = open_ticket(&world, None);
    assert_eq!(
        try_step(&world, &ticket, Actor::Member(stranger()), Action::Claim).unwrap_err(),
        Refusal::NotStaff
    );
    assert_eq!(
        try_step(&world, &ticket, Actor::Member(opener()), Action::Claim).unwrap_err(),
        Refusal::NotStaff
    );
    let claimed = step(&world, &ticket, Actor::Member(staff()), Action::Claim);
    assert_eq!(claimed.ticket.state, TicketState::Claimed);
    assert_eq!(claimed.ticket.claimer, Some(Id::new(STAFF)));
    assert_eq!(
        kinds(&claimed),
        ["save_ticket", "refresh_controls", "post_notice", "log"]
    );
    assert_eq!(
        claimed.effects[0].kind,
        EffectKind::SaveTicket {
            expected_version: ticket.version
        }
    );
    let claimed = claimed.ticket;
    assert_eq!(
        try_step(
            &world,
            &claimed,
            Actor::Member(other_staff()),
            Action::Claim
        )
        .unwrap_err(),
        Refusal::AlreadyClaimed { by: Id::new(STAFF) }
    );
    assert_eq!(
        try_step(
            &world,
            &claimed,
            Actor::Member(other_staff()),
            Action::Unclaim
        )
        .unwrap_err(),
        Refusal::NotClaimer {
            claimer: Id::new(STAFF)
        }
    );
    // An admin may unclaim anyone's claim.
    let unclaimed = step(&world, &claimed, Actor::Member(admin()), Action::Unclaim).ticket;
    assert_eq!(
        (unclaimed.state, unclaimed.claimer),
        (TicketState::Open, None)
    );
    assert_eq!(
        try_step(&world, &unclaimed, Actor::Member(staff()), Action::Unclaim).unwrap_err(),
        Refusal::NotClaimed
    );
}

#[test]
fn claim_announcement_can_be_turned_off() {
    let mut world = world();
    world.config.settings.claim_announcement = false;
    let ticket = open_ticket(&world, None);
    assert_eq!(
        kinds(&step(
            &world,
            &ticket,
            Actor::Member(staff()),
            Action::Claim
        )),
        ["save_ticket", "refresh_controls", "log"]
    );
}

#[test]
fn transfer_goes_to_staff_only() {
    let world = world();
    let claimed = step(
        &world,
        &open_ticket(&world, None),
        Actor::Member(staff()),
        Action::Claim,
    )
    .ticket;
    assert_eq!(
        try_step(
            &world,
            &claimed,
            Actor::Member(staff()),
            Action::Transfer { to: friend() }
        )
        .unwrap_err(),
        Refusal::TargetNotStaff {
            user: Id::new(FRIEND)
        }
    );
    assert_eq!(
        try_step(
            &world,
            &claimed,
            Actor::Member(other_staff()),
            Action::Transfer { to: other_staff() }
        )
        .unwrap_err(),
        Refusal::NotClaimer {
            claimer: Id::new(STAFF)
        }
    );
    let moved = step(
        &world,
        &claimed,
        Actor::Member(staff()),
        Action::Transfer { to: other_staff() },
    )
    .ticket;
    assert_eq!(moved.claimer, Some(Id::new(OTHER_STAFF)));
}

#[test]
fn closing_makes_the_ticket_read_only_posts_the_transcript_and_is_harmless_twice() {
    let world = world();
    let ticket = open_ticket(&world, None);
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(stranger()),
            Action::Close { reason: None }
        )
        .unwrap_err(),
        Refusal::NotOpenerOrStaff
    );
    let closed = step(
        &world,
        &ticket,
        Actor::Member(opener()),
        Action::Close { reason: None },
    );
    assert_eq!(
        kinds(&closed),
        [
            "save_ticket",
            "set_overwrites",
            "refresh_controls",
            "post_notice",
            "post_transcript",
            "dm_opener",
            "log"
        ]
    );
    let EffectKind::SetOverwrites { overwrites } = &closed.effects[1].kind else {
        panic!()
    };
    let opener_overwrite = overwrites.iter().find(|o| o.id.get() == OPENER).unwrap();
    assert!(opener_overwrite.deny.contains(Permissions::SEND_MESSAGES));
    let closed = closed.ticket;
    assert_eq!(closed.close_reason, Some(CloseReason::NoneGiven));
    assert_eq!(closed.closed_by, Some(Id::new(OPENER)));
    assert_eq!(closed.closed_at, Some(at(100)));
    // Closing again is refused with a reason, and changes nothing.
    assert_eq!(
        try_step(
            &world,
            &closed,
            Actor::Member(staff()),
            Action::Close { reason: None }
        )
        .unwrap_err(),
        Refusal::AlreadyClosed
    );
    // Staff reopen; the opener may write again.
    let reopened = step(&world, &closed, Actor::Member(staff()), Action::Reopen);
    assert_eq!(
        kinds(&reopened),
        [
            "save_ticket",
            "set_overwrites",
            "refresh_controls",
            "post_notice",
            "log"
        ]
    );
    assert_eq!(reopened.ticket.state, TicketState::Open);
    assert_eq!(reopened.ticket.close_reason, None);
    assert_eq!(
        try_step(
            &world,
            &reopened.ticket,
            Actor::Member(staff()),
            Action::Delete
        )
        .unwrap_err(),
        Refusal::NotClosed
    );
    let closed = step(
        &world,
        &reopened.ticket,
        Actor::Member(staff()),
        Action::Close {
            reason: Some("done".into()),
        },
    )
    .ticket;
    assert_eq!(closed.close_reason, Some(CloseReason::Given("done".into())));
    assert_eq!(
        try_step(&world, &closed, Actor::Member(opener()), Action::Delete).unwrap_err(),
        Refusal::NotStaff
    );
    let deleted = step(&world, &closed, Actor::Member(staff()), Action::Delete);
    assert_eq!(kinds(&deleted), ["save_ticket", "delete_channel", "log"]);
    assert_eq!(
        try_step(
            &world,
            &deleted.ticket,
            Actor::Member(staff()),
            Action::Reopen
        )
        .unwrap_err(),
        Refusal::AlreadyDeleted
    );
}

#[test]
fn admin_close_deletes_at_once_when_set() {
    let mut world = world();
    world.config.settings.admin_close_deletes = true;
    world.config.settings.dm_on_close = false;
    let ticket = open_ticket(&world, None);
    // Staff closes keep the channel.
    assert_eq!(
        step(
            &world,
            &ticket,
            Actor::Member(staff()),
            Action::Close { reason: None }
        )
        .ticket
        .state,
        TicketState::Closed
    );
    let closed = step(
        &world,
        &ticket,
        Actor::Member(admin()),
        Action::Close { reason: None },
    );
    assert_eq!(closed.ticket.state, TicketState::Deleted);
    assert_eq!(
        kinds(&closed),
        [
            "save_ticket",
            "set_overwrites",
            "refresh_controls",
            "post_notice",
            "post_transcript",
            "log",
            "delete_channel",
            "log"
        ]
    );
}

#[test]
fn close_requests_need_the_opener() {
    let world = world();
    let ticket = open_ticket(&world, None);
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(opener()),
            Action::RequestClose { reason: None }
        )
        .unwrap_err(),
        Refusal::NotStaff
    );
    let requested = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::RequestClose {
            reason: Some("solved?".into()),
        },
    )
    .ticket;
    assert_eq!(
        try_step(
            &world,
            &requested,
            Actor::Member(staff()),
            Action::RequestClose { reason: None }
        )
        .unwrap_err(),
        Refusal::CloseRequestPending
    );
    assert_eq!(
        try_step(
            &world,
            &requested,
            Actor::Member(staff()),
            Action::AcceptCloseRequest
        )
        .unwrap_err(),
        Refusal::NotOpener
    );
    let declined = step(
        &world,
        &requested,
        Actor::Member(opener()),
        Action::DeclineCloseRequest,
    )
    .ticket;
    assert_eq!(
        (declined.state, declined.close_request.clone()),
        (TicketState::Open, None)
    );
    assert_eq!(
        try_step(
            &world,
            &declined,
            Actor::Member(opener()),
            Action::AcceptCloseRequest
        )
        .unwrap_err(),
        Refusal::NoCloseRequest
    );
    let accepted = step(
        &world,
        &requested,
        Actor::Member(opener()),
        Action::AcceptCloseRequest,
    )
    .ticket;
    assert_eq!(accepted.state, TicketState::Closed);
    assert_eq!(
        accepted.close_reason,
        Some(CloseReason::Given("solved?".into()))
    );
}

#[test]
fn members_and_roles_are_added_but_staff_cannot_be_removed() {
    let world = world();
    let ticket = open_ticket(&world, None);
    let with_friend = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::AddMember {
            user: Id::new(FRIEND),
        },
    );
    let EffectKind::SetOverwrites { overwrites } = &with_friend.effects[1].kind else {
        panic!()
    };
    assert!(
        overwrites
            .iter()
            .any(|o| o.id.get() == FRIEND && o.allow.contains(Permissions::VIEW_CHANNEL))
    );
    let with_friend = with_friend.ticket;
    assert_eq!(
        try_step(
            &world,
            &with_friend,
            Actor::Member(staff()),
            Action::AddMember {
                user: Id::new(FRIEND)
            }
        )
        .unwrap_err(),
        Refusal::AlreadyInTicket
    );
    assert_eq!(
        try_step(
            &world,
            &with_friend,
            Actor::Member(opener()),
            Action::AddMember {
                user: Id::new(STRANGER)
            }
        )
        .unwrap_err(),
        Refusal::NotStaff
    );
    let remove = |member: Member| Action::RemoveMember { member };
    assert_eq!(
        try_step(
            &world,
            &with_friend,
            Actor::Member(staff()),
            remove(opener())
        )
        .unwrap_err(),
        Refusal::CannotRemoveOpener
    );
    assert_eq!(
        try_step(
            &world,
            &with_friend,
            Actor::Member(staff()),
            remove(other_staff())
        )
        .unwrap_err(),
        Refusal::CannotRemoveStaff
    );
    assert_eq!(
        try_step(
            &world,
            &with_friend,
            Actor::Member(staff()),
            remove(admin())
        )
        .unwrap_err(),
        Refusal::CannotRemoveStaff
    );
    assert_eq!(
        try_step(
            &world,
            &with_friend,
            Actor::Member(staff()),
            remove(stranger())
        )
        .unwrap_err(),
        Refusal::NotInTicket
    );
    let without = step(
        &world,
        &with_friend,
        Actor::Member(staff()),
        remove(friend()),
    )
    .ticket;
    assert!(without.added_members.is_empty());

    let role = |role: u64, permissions: Permissions| Action::AddRole {
        role: Id::new(role),
        role_permissions: permissions,
    };
    let remove_role = |role: u64, permissions: Permissions| Action::RemoveRole {
        role: Id::new(role),
        role_permissions: permissions,
    };
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(staff()),
            role(GUILD, Permissions::empty())
        )
        .unwrap_err(),
        Refusal::EveryoneRole
    );
    let with_role = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        role(HELPER_ROLE, Permissions::empty()),
    )
    .ticket;
    assert!(with_role.added_roles.contains(&Id::new(HELPER_ROLE)));
    assert_eq!(
        try_step(
            &world,
            &with_role,
            Actor::Member(admin()),
            remove_role(STAFF_ROLE, Permissions::empty())
        )
        .unwrap_err(),
        Refusal::ProtectedRole {
            role: Id::new(STAFF_ROLE)
        }
    );
    assert_eq!(
        try_step(
            &world,
            &with_role,
            Actor::Member(admin()),
            remove_role(70, Permissions::ADMINISTRATOR)
        )
        .unwrap_err(),
        Refusal::ProtectedRole { role: Id::new(70) }
    );
    let without_role = step(
        &world,
        &with_role,
        Actor::Member(staff()),
        remove_role(HELPER_ROLE, Permissions::empty()),
    )
    .ticket;
    assert!(without_role.added_roles.is_empty());
}

#[test]
fn rename_and_move() {
    let world = world();
    let ticket = open_ticket(&world, Some(world.bugs));
    let renamed = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::Rename {
            name: "Refund Alice!".into(),
        },
    );
    assert_eq!(renamed.ticket.name, "refund-alice");
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(staff()),
            Action::Rename { name: "!!!".into() }
        )
        .unwrap_err(),
        Refusal::Invalid(ValidationError::Empty {
            field: Field::ChannelName
        })
    );
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(staff()),
            Action::Move { topic: world.bugs }
        )
        .unwrap_err(),
        Refusal::SameTopic
    );
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(staff()),
            Action::Move {
                topic: TopicId(999)
            }
        )
        .unwrap_err(),
        Refusal::UnknownTopic {
            topic: TopicId(999)
        }
    );
    let moved = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::Move {
            topic: world.billing,
        },
    );
    assert_eq!(moved.ticket.topic_id, Some(world.billing));
    assert_eq!(
        kinds(&moved),
        [
            "save_ticket",
            "move_channel",
            "post_notice",
            "ping_roles",
            "post_auto_response",
            "log"
        ]
    );
    let EffectKind::MoveChannel { parent, overwrites } = &moved.effects[1].kind else {
        panic!()
    };
    assert_eq!(*parent, Some(Id::new(BILLING_CATEGORY)));
    assert!(overwrites.iter().any(|o| o.id.get() == TOPIC_STAFF_ROLE));
    // The billing topic's staff are staff of the moved ticket.
    let billing_staff = member(8, &[TOPIC_STAFF_ROLE], Permissions::empty());
    assert!(
        try_step(
            &world,
            &moved.ticket,
            Actor::Member(billing_staff.clone()),
            Action::Claim
        )
        .is_ok()
    );
    assert_eq!(
        try_step(&world, &ticket, Actor::Member(billing_staff), Action::Claim).unwrap_err(),
        Refusal::NotStaff
    );
}

#[test]
fn manual_approval() {
    let mut world = world();
    world.config.panels[0].settings.approval = ApprovalMode::Manual;
    let requested = open(&world, world.button_panel, None);
    assert_eq!(requested.ticket.state, TicketState::Requested);
    assert_eq!(
        kinds(&requested),
        ["save_ticket", "request_approval", "log"]
    );
    let ticket = requested.ticket;
    assert_eq!(
        try_step(&world, &ticket, Actor::Member(staff()), Action::Claim).unwrap_err(),
        Refusal::AwaitingApproval
    );
    assert_eq!(
        try_step(&world, &ticket, Actor::Member(opener()), Action::Approve).unwrap_err(),
        Refusal::NotStaff
    );
    let approved = step(&world, &ticket, Actor::Member(staff()), Action::Approve);
    assert_eq!(approved.ticket.state, TicketState::Open);
    assert_eq!(approved.ticket.name, "ticket-0012");
    assert_eq!(
        kinds(&approved),
        [
            "save_ticket",
            "create_channel",
            "post_welcome",
            "dm_opener",
            "log"
        ]
    );
    assert_eq!(
        try_step(
            &world,
            &approved.ticket,
            Actor::Member(staff()),
            Action::Approve
        )
        .unwrap_err(),
        Refusal::NotAwaitingApproval
    );
    let refused = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::Refuse {
            reason: Some("spam".into()),
        },
    );
    assert_eq!(refused.ticket.state, TicketState::Refused);
    assert_eq!(kinds(&refused), ["save_ticket", "dm_opener", "log"]);
    assert_eq!(
        try_step(
            &world,
            &refused.ticket,
            Actor::Member(staff()),
            Action::Approve
        )
        .unwrap_err(),
        Refusal::WasRefused
    );
}

#[test]
fn private_thread_mode() {
    let mut world = world();
    world.config.panels[0].settings.ticket_mode = TicketMode::PrivateThread;
    let opened = open(&world, world.button_panel, None);
    let EffectKind::CreatePrivateThread {
        parent, members, ..
    } = &opened.effects[1].kind
    else {
        panic!()
    };
    assert_eq!(
        (*parent, members.as_slice()),
        (Id::new(800), [Id::new(OPENER)].as_slice())
    );
    let channel = TicketChannel {
        id: Id::new(4_001),
        kind: TicketChannelKind::PrivateThread,
    };
    let ticket = step(
        &world,
        &opened.ticket,
        Actor::System,
        Action::ChannelCreated { channel },
    )
    .ticket;
    let added = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::AddMember {
            user: Id::new(FRIEND),
        },
    );
    assert_eq!(
        kinds(&added),
        ["save_ticket", "add_thread_member", "post_notice", "log"]
    );
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(staff()),
            Action::AddRole {
                role: Id::new(HELPER_ROLE),
                role_permissions: Permissions::empty()
            }
        )
        .unwrap_err(),
        Refusal::RolesNotInThreads
    );
    let closed = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::Close { reason: None },
    );
    // The thread is archived last: an archived thread takes no edit and no message.
    assert_eq!(
        kinds(&closed)[..4],
        [
            "save_ticket",
            "refresh_controls",
            "post_notice",
            "archive_thread"
        ]
    );
    assert_eq!(
        kinds(&step(
            &world,
            &closed.ticket,
            Actor::Member(staff()),
            Action::Reopen
        ))[1],
        "unarchive_thread"
    );
}

#[test]
fn auto_close_and_opener_leaving() {
    let mut world = world();
    world.config.settings.auto_close_hours = Some(24);
    let ticket = open_ticket(&world, None);
    let early = Context {
        config: &world.config,
        bot_id: Id::new(BOT),
        now: at(3600),
    };
    assert_eq!(
        apply(&ticket, &Actor::System, Action::AutoClose, &early).unwrap_err(),
        Refusal::NotInactive
    );
    assert_eq!(
        apply(&ticket, &Actor::Member(admin()), Action::AutoClose, &early).unwrap_err(),
        Refusal::SystemOnly
    );
    let late = Context {
        now: at(24 * 3600),
        ..early
    };
    let closed = apply(&ticket, &Actor::System, Action::AutoClose, &late)
        .unwrap()
        .ticket;
    assert_eq!(
        (closed.close_reason, closed.closed_by),
        (Some(CloseReason::Inactive(24)), None)
    );
    // Activity resets the timer.
    let mut active = ticket.clone();
    active.record_message(false, at(20 * 3600), &world.config.settings);
    assert_eq!(
        apply(&active, &Actor::System, Action::AutoClose, &late).unwrap_err(),
        Refusal::NotInactive
    );

    let left = step(&world, &ticket, Actor::System, Action::OpenerLeft);
    assert_eq!(left.ticket.close_reason, Some(CloseReason::OpenerLeft));
    assert!(
        !kinds(&left).contains(&"dm_opener"),
        "no DM to someone who left"
    );

    // A guild that keeps such tickets only tells its staff.
    let mut keeping = world.clone();
    keeping.config.settings.opener_leaves = crate::OpenerLeaves::Keep;
    let kept = step(&keeping, &ticket, Actor::System, Action::OpenerLeft);
    assert_eq!(kept.ticket.state, ticket.state);
    assert_eq!(kinds(&kept), ["save_ticket", "post_notice"]);
    assert_eq!(
        kept.effects[1].kind,
        EffectKind::PostNotice {
            notice: Notice::OpenerLeft {
                user: ticket.opener
            }
        }
    );
}

#[test]
fn new_staff_roles_reach_open_and_closed_tickets() {
    let mut world = world();
    let ticket = open_ticket(&world, None);
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(admin()),
            Action::RefreshAccess
        )
        .unwrap_err(),
        Refusal::SystemOnly
    );
    let helper = Id::new(HELPER_ROLE);
    world.config.add_staff_roles(&[helper]).unwrap();
    let refreshed = step(&world, &ticket, Actor::System, Action::RefreshAccess);
    assert_eq!(kinds(&refreshed), ["save_ticket", "set_overwrites"]);
    assert_eq!(refreshed.ticket.state, ticket.state);
    let EffectKind::SetOverwrites { overwrites } = &refreshed.effects[1].kind else {
        panic!()
    };
    assert!(
        overwrites.iter().any(|o| o.id.get() == HELPER_ROLE),
        "the new staff role sees the ticket"
    );
    // Closed: the opener stays read-only.
    let closed = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::Close { reason: None },
    );
    let refreshed = step(&world, &closed.ticket, Actor::System, Action::RefreshAccess);
    let EffectKind::SetOverwrites { overwrites } = &refreshed.effects[1].kind else {
        panic!()
    };
    let opener = overwrites.iter().find(|o| o.id.get() == OPENER).unwrap();
    assert!(!opener.allow.contains(Permissions::SEND_MESSAGES));
}

#[test]
fn a_deleted_channel_ends_its_ticket_with_the_transcript_kept() {
    let world = world();
    let ticket = open_ticket(&world, None);
    assert_eq!(
        try_step(
            &world,
            &ticket,
            Actor::Member(admin()),
            Action::ChannelDeleted
        )
        .unwrap_err(),
        Refusal::SystemOnly
    );
    let gone = step(&world, &ticket, Actor::System, Action::ChannelDeleted);
    assert_eq!(gone.ticket.state, TicketState::Deleted);
    assert_eq!(
        gone.ticket.channel, None,
        "nothing points at the old channel"
    );
    assert_eq!(gone.ticket.close_reason, Some(CloseReason::ChannelDeleted));
    assert!(gone.ticket.closed_at.is_some() && gone.ticket.deleted_at.is_some());
    assert_eq!(
        kinds(&gone),
        ["save_ticket", "post_transcript", "dm_opener", "log"],
        "nothing is posted in a channel that is gone"
    );
    assert_eq!(
        try_step(&world, &gone.ticket, Actor::System, Action::ChannelDeleted).unwrap_err(),
        Refusal::NotInTicket
    );

    // A closed ticket whose channel goes is simply deleted.
    let closed = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::Close { reason: None },
    );
    let gone = step(
        &world,
        &closed.ticket,
        Actor::System,
        Action::ChannelDeleted,
    );
    assert_eq!(gone.ticket.state, TicketState::Deleted);
    assert_eq!(kinds(&gone), ["save_ticket", "log"]);
}

#[test]
fn a_ticket_whose_channel_failed_is_abandoned() {
    let world = world();
    let opened = open(&world, world.button_panel, None);
    assert_eq!(
        try_step(
            &world,
            &opened.ticket,
            Actor::Member(admin()),
            Action::Abandon
        )
        .unwrap_err(),
        Refusal::SystemOnly
    );
    let abandoned = step(&world, &opened.ticket, Actor::System, Action::Abandon);
    assert_eq!(abandoned.ticket.state, TicketState::Deleted);
    assert_eq!(abandoned.ticket.close_reason, Some(CloseReason::OpenFailed));
    assert_eq!(kinds(&abandoned), ["save_ticket"]);
    let with_channel = open_ticket(&world, None);
    assert_eq!(
        try_step(&world, &with_channel, Actor::System, Action::Abandon).unwrap_err(),
        Refusal::AlreadyInTicket
    );
}

#[test]
fn first_staff_response_is_recorded_once() {
    let world = world();
    let mut ticket = open_ticket(&world, None);
    ticket.record_message(false, at(10), &world.config.settings);
    assert_eq!(ticket.first_response_at, None);
    ticket.record_message(true, at(20), &world.config.settings);
    ticket.record_message(true, at(30), &world.config.settings);
    assert_eq!(
        (ticket.first_response_at, ticket.last_activity_at),
        (Some(at(20)), at(30))
    );
}

// Property tests: random sequences of actions by random actors.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Opener,
    Staff,
    OtherStaff,
    Admin,
    Stranger,
    System,
}

fn actor(who: Who) -> Actor {
    match who {
        Who::Opener => Actor::Member(opener()),
        Who::Staff => Actor::Member(staff()),
        Who::OtherStaff => Actor::Member(other_staff()),
        Who::Admin => Actor::Member(admin()),
        Who::Stranger => Actor::Member(stranger()),
        Who::System => Actor::System,
    }
}

fn any_who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Opener),
        Just(Who::Staff),
        Just(Who::OtherStaff),
        Just(Who::Admin),
        Just(Who::Stranger),
        Just(Who::System)
    ]
}

fn any_action() -> impl Strategy<Value = Action> {
    let reason = prop::option::of("[a-z ]{0,12}");
    let targets = prop_oneof![
        Just(opener()),
        Just(staff()),
        Just(friend()),
        Just(admin()),
        Just(stranger())
    ];
    let role = prop_oneof![
        Just(STAFF_ROLE),
        Just(HELPER_ROLE),
        Just(GUILD),
        Just(TOPIC_STAFF_ROLE)
    ];
    prop_oneof![
        Just(Action::Approve),
        reason.clone().prop_map(|reason| Action::Refuse { reason }),
        Just(Action::Claim),
        Just(Action::Unclaim),
        targets.clone().prop_map(|to| Action::Transfer { to }),
        reason.clone().prop_map(|reason| Action::Close { reason }),
        reason.prop_map(|reason| Action::RequestClose { reason }),
        Just(Action::AcceptCloseRequest),
        Just(Action::DeclineCloseRequest),
        prop_oneof![Just(FRIEND), Just(STRANGER), Just(OPENER)]
            .prop_map(|u| Action::AddMember { user: Id::new(u) }),
        targets.prop_map(|member| Action::RemoveMember { member }),
        role.clone().prop_map(|r| Action::AddRole {
            role: Id::new(r),
            role_permissions: Permissions::empty()
        }),
        role.prop_map(|r| Action::RemoveRole {
            role: Id::new(r),
            role_permissions: Permissions::empty()
        }),
        "[A-Za-z !]{0,20}".prop_map(|name| Action::Rename { name }),
        prop_oneof![Just(TopicId(1)), Just(TopicId(2)), Just(TopicId(9))]
            .prop_map(|topic| Action::Move { topic }),
        Just(Action::Reopen),
        Just(Action::Delete),
        Just(Action::AutoClose),
        Just(Action::OpenerLeft),
        Just(Action::Abandon),
        Just(Action::ChannelDeleted),
        Just(Action::RefreshAccess),
        Just(Action::ChannelCreated {
            channel: TicketChannel {
                id: Id::new(4_000),
                kind: TicketChannelKind::Channel
            }
        }),
    ]
}

/// Which actions each kind of actor may ever succeed at, whatever the state.
fn may_succeed(who: Who, action: &Action) -> bool {
    match who {
        Who::Staff | Who::OtherStaff | Who::Admin => !matches!(
            action,
            Action::AcceptCloseRequest
                | Action::DeclineCloseRequest
                | Action::AutoClose
                | Action::OpenerLeft
                | Action::ChannelCreated { .. }
                | Action::Abandon
                | Action::ChannelDeleted
                | Action::RefreshAccess
        ),
        Who::Opener => matches!(
            action,
            Action::Close { .. } | Action::AcceptCloseRequest | Action::DeclineCloseRequest
        ),
        Who::Stranger => false,
        Who::System => matches!(
            action,
            Action::AutoClose
                | Action::OpenerLeft
                | Action::ChannelCreated { .. }
                | Action::Abandon
                | Action::ChannelDeleted
                | Action::RefreshAccess
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_breaks_the_invariants(
        manual in any::<bool>(),
        auto_close in any::<bool>(),
        steps in prop::collection::vec((any_who(), any_action(), 0i64..200_000), 1..40),
    ) {
        let mut world = world();
        world.config.settings.auto_close_hours = auto_close.then_some(1);
        world.config.panels[1].settings.approval = if manual { ApprovalMode::Manual } else { ApprovalMode::Automatic };
        let (mut ticket, _) = prepare_open(&world.config, request(world.select_panel, Some(world.billing), opener()), at(0)).unwrap();
        ticket.number = 1;
        let mut ticket = opened(&ticket, &context(&world.config, 0)).ticket;
        ticket.check_invariants().unwrap();
        let mut clock = 0;
        for (who, action, advance) in steps {
            clock += advance;
            let before = ticket.clone();
            let description = format!("{who:?} {action:?}");
            let allowed = may_succeed(who, &action);
            if let Ok(transition) = apply(&before, &actor(who), action, &context(&world.config, clock)) {
                prop_assert!(allowed, "{description} succeeded but that actor may never do it");
                let next = transition.ticket;
                if let Err(broken) = next.check_invariants() {
                    return Err(TestCaseError::fail(format!("{description}: {broken}")));
                }
                prop_assert_eq!(next.version, before.version + 1);
                prop_assert_eq!(
                    &transition.effects[0].kind,
                    &EffectKind::SaveTicket { expected_version: before.version }
                );
                let keys: BTreeSet<_> = transition.effects.iter().map(|e| e.key).collect();
                prop_assert_eq!(keys.len(), transition.effects.len());
                if matches!(next.state, TicketState::Closed) && before.state != TicketState::Closed {
                    prop_assert!(transition.effects.iter().any(|e| e.kind == EffectKind::PostTranscript));
                }
                prop_assert!(next.opener == before.opener && next.number == before.number && next.guild_id == before.guild_id);
                ticket = next;
            }
        }
    }
}

const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

fn fire(world: &World, ticket: &Ticket, now: Timestamp) -> Transition {
    let context = Context {
        config: &world.config,
        bot_id: Id::new(BOT),
        now,
    };
    let transition = apply(ticket, &Actor::System, Action::Timer, &context).expect("timer runs");
    transition.ticket.check_invariants().unwrap();
    transition
}

#[test]
fn timers_warn_an_hour_before_auto_close_and_a_message_cancels_both() {
    use crate::ticket::{Timer, TimerKind};
    let mut world = world();
    world.config.settings.auto_close_hours = Some(24);
    let ticket = open_ticket(&world, None);
    let start = ticket.last_activity_at;
    let warning = Timer {
        at: start.plus(23 * HOUR),
        kind: TimerKind::AutoCloseWarning,
    };
    assert_eq!(ticket.timer, Some(warning), "set when the ticket opens");

    // Early: nothing happens and the timer stays.
    let early = fire(&world, &ticket, start.plus(HOUR));
    assert_eq!(kinds(&early), ["save_ticket"]);
    assert_eq!(early.ticket.timer, Some(warning));

    // Due: the warning, then auto-close an hour later.
    let warned = fire(&world, &ticket, warning.at);
    assert_eq!(kinds(&warned), ["save_ticket", "post_notice"]);
    assert!(matches!(
        &warned.effects[1].kind,
        EffectKind::PostNotice { notice: Notice::AutoCloseWarning { closes_at } }
            if *closes_at == start.plus(24 * HOUR)
    ));
    assert_eq!(
        warned.ticket.timer,
        Some(Timer {
            at: start.plus(24 * HOUR),
            kind: TimerKind::AutoClose
        })
    );
    let closed = fire(&world, &warned.ticket, start.plus(24 * HOUR));
    assert_eq!(closed.ticket.state, TicketState::Closed);
    assert_eq!(closed.ticket.close_reason, Some(CloseReason::Inactive(24)));
    assert_eq!(closed.ticket.timer, None, "a closed ticket has no timer");

    // A message after the warning cancels it: the next warning is 23 hours after it.
    let mut answered = warned.ticket.clone();
    let message_at = start.plus(23 * HOUR).plus(HOUR / 6);
    answered.record_message(false, message_at, &world.config.settings);
    assert!(answered.auto_close_warned_at.is_none());
    assert_eq!(
        answered.timer,
        Some(Timer {
            at: message_at.plus(23 * HOUR),
            kind: TimerKind::AutoCloseWarning
        })
    );
    let still_open = fire(&world, &answered, start.plus(24 * HOUR));
    assert_eq!(still_open.ticket.state, TicketState::Open);
    assert_eq!(kinds(&still_open), ["save_ticket"]);

    // Auto-close turned off meanwhile: the stale timer fires, nothing closes, no timer left.
    world.config.settings.auto_close_hours = None;
    let off = fire(&world, &warned.ticket, start.plus(24 * HOUR));
    assert_eq!(off.ticket.state, TicketState::Open);
    assert_eq!(off.ticket.timer, None);
    // A warning that goes out late (after a downtime) still gives an hour's notice.
    world.config.settings.auto_close_hours = Some(24);
    let late = fire(&world, &ticket, start.plus(30 * HOUR));
    assert!(matches!(
        &late.effects[1].kind,
        EffectKind::PostNotice { notice: Notice::AutoCloseWarning { closes_at } }
            if *closes_at == start.plus(31 * HOUR)
    ));
    assert_eq!(
        late.ticket.timer,
        Some(Timer {
            at: start.plus(31 * HOUR),
            kind: TimerKind::AutoClose
        })
    );
    assert_eq!(
        fire(&world, &late.ticket, start.plus(30 * HOUR))
            .ticket
            .state,
        TicketState::Open,
        "not closed in the same pass"
    );
    // A one-hour delay has no warning.
    world.config.settings.auto_close_hours = Some(1);
    let mut short = ticket;
    short.schedule(&world.config.settings);
    assert_eq!(short.timer.map(|t| t.kind), Some(TimerKind::AutoClose));
}

#[test]
fn an_unanswered_close_request_closes_and_an_answer_clears_its_timer() {
    use crate::ticket::TimerKind;
    let world = world();
    let ticket = open_ticket(&world, None);
    assert_eq!(ticket.timer, None, "no auto-close, no request: no timer");
    let requested = step(
        &world,
        &ticket,
        Actor::Member(staff()),
        Action::RequestClose {
            reason: Some("Solved".into()),
        },
    );
    let timer = requested.ticket.timer.expect("the request expires");
    assert_eq!(timer.kind, TimerKind::CloseRequestExpires);
    assert_eq!(timer.at, at(100).plus(24 * HOUR));
    let declined = step(
        &world,
        &requested.ticket,
        Actor::Member(opener()),
        Action::DeclineCloseRequest,
    );
    assert_eq!(declined.ticket.timer, None);
    let expired = fire(&world, &requested.ticket, timer.at);
    assert_eq!(expired.ticket.state, TicketState::Closed);
    assert_eq!(
        (
            expired.ticket.close_reason.clone(),
            expired.ticket.closed_by
        ),
        (
            Some(CloseReason::CloseRequestUnanswered(24)),
            Some(Id::new(STAFF))
        )
    );
    assert!(expired.ticket.close_request.is_none());
    assert!(kinds(&expired).contains(&"post_transcript"));
}

#[test]
fn claims_restrict_the_ticket_to_its_claimer_and_admins_when_the_guild_says_so() {
    let mut world = world();
    let ticket = open_ticket(&world, None);
    let claimed = step(&world, &ticket, Actor::Member(staff()), Action::Claim).ticket;
    let close = || Action::Close { reason: None };
    // Not restricted: a colleague may close.
    assert!(try_step(&world, &claimed, Actor::Member(other_staff()), close()).is_ok());

    world.config.settings.claim_restricts = true;
    let refused = Refusal::NotClaimer {
        claimer: Id::new(STAFF),
    };
    for action in [
        close(),
        Action::RequestClose { reason: None },
        Action::AddMember {
            user: Id::new(9_999),
        },
        Action::Rename {
            name: "other".into(),
        },
    ] {
        assert_eq!(
            try_step(&world, &claimed, Actor::Member(other_staff()), action).unwrap_err(),
            refused
        );
    }
    assert!(try_step(&world, &claimed, Actor::Member(staff()), close()).is_ok());
    assert!(try_step(&world, &claimed, Actor::Member(admin()), close()).is_ok());
    assert!(
        try_step(&world, &claimed, Actor::Member(opener()), close()).is_ok(),
        "the opener may still close their ticket"
    );
    assert!(
        try_step(&world, &ticket, Actor::Member(other_staff()), close()).is_ok(),
        "an unclaimed ticket is anyone's"
    );
}

#[test]
fn a_channel_is_renamed_at_most_twice_in_ten_minutes() {
    let world = world();
    let ticket = open_ticket(&world, None);
    let rename = |ticket: &Ticket, secs: i64, name: &str| {
        apply(
            ticket,
            &Actor::Member(staff()),
            Action::Rename { name: name.into() },
            &context(&world.config, secs),
        )
    };
    let first = rename(&ticket, 100, "one").unwrap().ticket;
    let second = rename(&first, 160, "two").unwrap().ticket;
    assert_eq!(
        rename(&second, 400, "three").unwrap_err(),
        Refusal::RenameTooSoon {
            retry_after_secs: 300
        },
        "the first rename leaves the window at 700"
    );
    assert!(rename(&second, 700, "three").is_ok());
}

#[test]
fn openers_rate_ended_tickets_once_and_may_add_a_comment() {
    let world = world();
    let open = open_ticket(&world, None);
    let rate = |rating| Action::Rate { rating };
    assert_eq!(
        try_step(&world, &open, Actor::Member(opener()), rate(4)).unwrap_err(),
        Refusal::NotClosed
    );
    let closed = step(
        &world,
        &open,
        Actor::Member(staff()),
        Action::Close { reason: None },
    )
    .ticket;
    assert_eq!(
        try_step(&world, &closed, Actor::Member(staff()), rate(5)).unwrap_err(),
        Refusal::NotOpener
    );
    assert!(matches!(
        try_step(&world, &closed, Actor::Member(opener()), rate(6)).unwrap_err(),
        Refusal::Invalid(ValidationError::OutOfRange { .. })
    ));
    assert_eq!(
        try_step(
            &world,
            &closed,
            Actor::Member(opener()),
            Action::Comment { text: "x".into() }
        )
        .unwrap_err(),
        Refusal::NotRated
    );
    let rated = step(&world, &closed, Actor::Member(opener()), rate(4));
    assert_eq!(kinds(&rated), ["save_ticket"]);
    assert_eq!(rated.ticket.feedback.as_ref().unwrap().rating, 4);
    assert_eq!(
        try_step(&world, &rated.ticket, Actor::Member(opener()), rate(1)).unwrap_err(),
        Refusal::AlreadyRated
    );
    let commented = step(
        &world,
        &rated.ticket,
        Actor::Member(opener()),
        Action::Comment {
            text: "  Quick and kind.  ".into(),
        },
    )
    .ticket;
    assert_eq!(
        commented.feedback.unwrap().comment.as_deref(),
        Some("Quick and kind.")
    );
}

#[test]
fn a_purged_ticket_reopened_is_purged_again_after_its_next_close() {
    let world = world();
    let open = open_ticket(&world, None);
    let mut closed = step(
        &world,
        &open,
        Actor::Member(staff()),
        Action::Close { reason: None },
    )
    .ticket;
    assert!(closed.purge_at.is_some());
    // As the store leaves it once the retention is over.
    closed.transcript_purged = true;
    closed.purge_at = None;
    let reopened = step(&world, &closed, Actor::Member(staff()), Action::Reopen).ticket;
    assert!(!reopened.transcript_purged && reopened.purge_at.is_none());
    let closed_again = step(
        &world,
        &reopened,
        Actor::Member(staff()),
        Action::Close { reason: None },
    )
    .ticket;
    assert!(
        closed_again.purge_at.is_some(),
        "the new messages are deleted in their turn"
    );
}
