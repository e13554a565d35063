### Helpline's messages in English (en-US), the fallback language: every key lives here first.
###
### Variables named `by`, `claimer`, `user`, `member`, `from` and `to` hold user mentions
### (`<@id>`), `role` a role mention (`<@&id>`), `tickets` channel mentions (`<#id>`); they are
### formatted by the code. Numbers (`count`, `limit`, `max`, `actual`…) are Fluent numbers, so
### plural selectors work on them. Every language must use the same variables in each message:
### a test compares them.

-helpline = Helpline

## Common pieces.

# A line appended under a notice or refusal when someone gave a reason.
common-reason = Reason: { $reason }
common-internal_error = Something went wrong on our side. Please try again in a moment; if it keeps happening, tell the server's administrators.
# How a topic that is not in the guild's configuration any more is named.
common-topic_id = #{ $id }

## Durations. `larger` and `smaller` are already formatted durations.

duration-seconds =
    { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
duration-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
duration-hours =
    { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
duration-days =
    { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
duration-pair = { $larger } and { $smaller }

## Refusals: why an action was not done, and what to do instead.

refusal-not_staff = Only staff can do this.
refusal-not_opener = Only the member who opened this ticket can do this.
refusal-not_opener_or_staff = Only the member who opened this ticket, or staff, can do this.
refusal-not_claimer = { $claimer } has claimed this ticket, so only they or an administrator can do this. Ask them to unclaim it or to transfer it to you.
refusal-system_only = Only { -helpline } does this, on its own: there is nothing for you to do.
refusal-disabled = Tickets are turned off on this server. Ask an administrator to turn them back on.
refusal-blacklisted = You can't open tickets on this server. If you think this is a mistake, contact its administrators.
refusal-already_rated = You already rated this ticket. Thank you!
refusal-not_rated = Rate the ticket first, then add your comment.
refusal-awaiting_approval = This ticket is still waiting for staff approval: it has to be accepted first.
refusal-not_awaiting_approval = This ticket request has already been handled: it is no longer waiting for approval.
refusal-already_claimed = { $claimer } has already claimed this ticket.
refusal-not_claimed = Nobody has claimed this ticket, so there is nothing to unclaim.
refusal-already_closed = This ticket is already closed. Staff can reopen it if needed.
refusal-already_deleted = This ticket has been deleted: nothing more can be done with it.
refusal-was_refused = This ticket request was refused, so it can no longer be changed. Open a new ticket if you still need help.
refusal-not_closed = This ticket is still open. Close it first: only a closed ticket can be reopened or deleted.
refusal-close_request_pending = A close request is already waiting for the answer of the member who opened this ticket.
refusal-no_close_request = No close request is waiting on this ticket: it may already have been answered.
refusal-not_inactive = This ticket has had activity recently, so it was not closed automatically.
refusal-target_not_staff = { $user } is not staff, so this ticket can't be transferred to them. Choose a member with a staff role.
refusal-already_in_ticket = This member or role already has access to this ticket.
refusal-not_in_ticket = This member or role was not added to this ticket, so there is nothing to remove.
refusal-cannot_remove_opener = The member who opened this ticket can't be removed from it. Close the ticket instead.
refusal-cannot_remove_staff = Staff members and administrators can't be removed from a ticket.
refusal-protected_role = { $role } is a staff or administrator role, so it can't be removed from a ticket.
refusal-everyone_role = `@everyone` can't be added to a private ticket. Add specific members or roles instead.
refusal-roles_not_in_threads = This ticket is a private thread, which can hold members but not roles. Add the members one by one instead.
refusal-same_topic = This ticket is already in that topic. Choose another one.
refusal-unknown_topic = This topic no longer exists. Choose another one, or ask an administrator to update the panel.
refusal-unknown_panel = This panel no longer exists. Ask an administrator to post a new one.
refusal-topic_not_on_panel = This topic isn't offered on this panel. Choose one of the panel's topics.
refusal-topic_required = Please choose a topic for your ticket.
refusal-reason_required = This panel asks for a reason: please say in a few words why you are opening a ticket.
# `count` is the number of channels in `tickets`: tickets still waiting for approval have none.
refusal-open_limit =
    { $count ->
        [0]
            { $limit ->
                [one] You already have a ticket on this panel waiting for staff approval. Please wait until staff handle it before opening another one.
               *[other] You already have { $limit } tickets on this panel waiting for staff approval. Please wait until staff handle them before opening another one.
            }
       *[other]
            { $limit ->
                [one] You already have an open ticket on this panel: { $tickets }. Close it before opening a new one.
               *[other] You already have { $limit } open tickets on this panel: { $tickets }. Close one of them before opening a new one.
            }
    }
# `wait` is a formatted duration.
refusal-cooldown = You opened a ticket here a moment ago. Please wait { $wait } before opening another one.
refusal-rename_too_soon = Discord lets a channel be renamed only twice in 10 minutes. Try again in { $wait }.

## Validation errors. `field` is a field label (below), `what` a countable (below).

invalid-too_long = **{ $field }** is too long: { $actual } characters, but at most { $max } are allowed. Please shorten it and try again.
invalid-empty = **{ $field }** can't be empty. Please fill it in.
invalid-out_of_range = **{ $field }** must be between { $min } and { $max } (you entered { $actual }). Please enter a value in that range.
invalid-out_of_range_characters = **{ $field }** must be between { $min } and { $max } characters long, but it has { $actual ->
        [one] { $actual } character
       *[other] { $actual } characters
    }.
invalid-out_of_range_seconds = **{ $field }** must be between { $min } and { $max } seconds (you entered { $actual }). Please enter a value in that range.
invalid-out_of_range_hours = **{ $field }** must be between { $min } and { $max } hours (you entered { $actual }). Please enter a value in that range.
invalid-out_of_range_days = **{ $field }** must be between { $min } and { $max } days (you entered { $actual }). Please enter a value in that range.
invalid-too_many = Too many { $what }: { $actual }, but at most { $max } are allowed. Remove { $excess } and try again.
invalid-no_topics = A panel with a select menu needs at least one topic. Add a topic to it, or use a button panel instead.
invalid-duplicate_name = The name “{ $name }” is used twice in **{ $field }**. Give each one a different name.
invalid-already_present = This role is already in the list.
invalid-everyone_role = @everyone cannot be a staff role: every member would become staff. Choose a role given to your support team.
invalid-support_hours = Write support hours as days and a time window, such as mon-fri 09:00-18:00, and the time zone as an offset from UTC, such as +01:00 or UTC-5.
invalid-unknown_topic = There is no topic #{ $topic }. Check the list of topics and try again.
invalid-unknown_panel = There is no panel #{ $panel }. Check the list of panels and try again.
# `error` is a translated template error.
invalid-template = There is a mistake in **{ $field }**. { $error }

## Template errors.

template-unknown_placeholder = `${ $name }` is not a placeholder. The valid placeholders are: { $valid }. Write `$$` for a plain dollar sign.
template-unclosed = A placeholder opened with `{ "${" }` is never closed. Add the missing `{ "}" }`, or write `$$` for a plain dollar sign.
template-too_long = This template is too long: { $actual } characters, but at most { $max } are allowed. Please shorten it and try again.

## Field labels, as an admin sees them in commands and the web panel.

field-topic_name = Topic name
field-topic_description = Topic description
field-topic_emoji = Topic emoji
field-auto_response = Automatic response
field-button_label = Button label
field-select_placeholder = Select menu placeholder
field-panel_title = Panel title
field-panel_description = Panel description
field-modal_title = Form title
field-question_label = Question
field-question_placeholder = Question placeholder
field-question_choice = Question choice
field-question_length = Answer length
field-channel_name = Channel name
field-welcome_template = Welcome message
field-name_template = Ticket name template
field-reason = Reason
field-answer = Answer
field-open_limit = Open ticket limit
field-cooldown = Cooldown between tickets
field-auto_close_hours = Auto-close delay
field-close_request_hours = Close request delay
field-tag_name = Tag name
field-tag_content = Tag content
field-rating = Rating
field-comment = Comment
field-retention_days = Transcript retention
field-panel_name = Panel name

## Things of which there can be only so many, in the plural.

countable-select_options = select menu options
countable-panel_buttons = panel buttons
countable-form_questions = form questions
countable-question_choices = choices for this question
countable-roles_per_command = roles in one command
countable-staff_roles = staff roles
countable-ping_roles = roles to ping
countable-topics = topics
countable-tags = tags
countable-blacklist = blacklist entries
countable-panels = panels

## Notices posted in a ticket or sent to its opener.

notice-approved = { $by } accepted your ticket request: your ticket is now open.
notice-refused = { $by } refused your ticket request.
notice-refused_anonymous = Your ticket request was refused.
notice-claimed = { $by } claimed this ticket and will take care of it.
notice-unclaimed = { $by } unclaimed this ticket: any staff member can now take it.
notice-transferred = { $by } transferred this ticket from { $from } to { $to }.
notice-transferred_unclaimed = { $by } handed this ticket to { $to }.
notice-close_requested = { $by } suggests closing this ticket. If your issue is solved, accept the request; if not, decline it and explain what you still need.
notice-close_request_declined = { $by } declined the close request, so the ticket stays open.
notice-closed = { $by } closed this ticket.
notice-closed_automatically = This ticket was closed automatically.
notice-closed_inactive = This ticket was closed automatically after { $duration } without activity.
notice-closed_opener_left = This ticket was closed automatically because the member who opened it left the server.
notice-closed_open_failed = This ticket was abandoned because its channel could not be created.
notice-closed_channel_deleted = This ticket was closed because its channel was deleted.
notice-closed_request_unanswered = This ticket was closed because nobody answered the close request for { $duration }.
# `when` is a Discord timestamp that each reader sees as a relative time ("in an hour").
notice-auto_close_warning = Nobody has written here for a while: this ticket will close automatically { $when } unless someone sends a message.
notice-opener_left = { $user } left the server. The ticket stays open; staff can close it when it is done.
notice-reopened = { $by } reopened this ticket.
notice-member_added = { $by } added { $member } to this ticket.
notice-member_removed = { $by } removed { $member } from this ticket.
notice-role_added = { $by } added the role { $role } to this ticket.
notice-role_removed = { $by } removed the role { $role } from this ticket.
notice-renamed = { $by } renamed this ticket to **{ $name }**.
notice-moved = { $by } moved this ticket to the topic **{ $topic }**.
notice-opened_for = { $by } opened this ticket for you. You can read and answer it in the server.
notice-outside_hours = Our staff are away right now: they are back { $when }. Your ticket is kept, and they will answer it then.

## Why a ticket was closed, on its own (log entries, the web panel).

close_reason-none_given = No reason given
close_reason-inactive = No activity for { $duration }
close_reason-opener_left = The member who opened the ticket left the server
close_reason-open_failed = The ticket's channel could not be created
close_reason-channel_deleted = The ticket's channel was deleted
close_reason-close_request_unanswered = Nobody answered the close request for { $duration }

## Log channel entry titles.

log-requested = Ticket requested
log-opened = Ticket opened
log-refused = Ticket request refused
log-claimed = Ticket claimed
log-unclaimed = Ticket unclaimed
log-transferred = Ticket transferred
log-closed = Ticket closed
log-reopened = Ticket reopened
log-deleted = Ticket deleted
log-close_requested = Close requested
log-member_added = Member added
log-member_removed = Member removed
log-role_added = Role added
log-role_removed = Role removed
log-renamed = Ticket renamed
log-moved = Ticket moved

## Ticket states.

state-requested = Waiting for approval
state-open = Open
state-claimed = Claimed
state-closed = Closed
state-deleted = Deleted
state-refused = Refused

## Actions on a ticket, as button labels and in history.

action-open = Open
action-approve = Accept
action-refuse = Refuse
action-claim = Claim
action-unclaim = Unclaim
action-transfer = Transfer
action-close = Close
action-request_close = Ask to close
action-accept_close_request = Accept closing
action-decline_close_request = Decline closing
action-add_member = Add member
action-remove_member = Remove member
action-add_role = Add role
action-remove_role = Remove role
action-rename = Rename
action-move = Change topic
action-reopen = Reopen
action-delete = Delete
action-auto_close = Auto-close
action-timer = Timer
action-rate = Rate
action-comment = Comment
action-opener_left = Opener left
action-channel_created = Channel created
action-abandon = Abandon
action-channel_deleted = Channel deleted
action-refresh_access = Update access

## Discord permissions, named as in Discord's own settings.

# `permissions` is a comma-separated list of permission names, `count` their number.
permission-missing =
    { $count ->
        [one] I'm missing a permission I need on this server: { $permissions }.
       *[other] I'm missing permissions I need on this server: { $permissions }.
    } Ask an administrator to grant { $count ->
        [one] it
       *[other] them
    } to my role in Server Settings → Roles, then try again.
# A permission bit Discord added after this list was written.
permission-unknown = Unknown permission (bit { $bit })
permission-create_invite = Create Invite
permission-kick_members = Kick Members
permission-ban_members = Ban Members
permission-administrator = Administrator
permission-manage_channels = Manage Channels
permission-manage_guild = Manage Server
permission-add_reactions = Add Reactions
permission-view_audit_log = View Audit Log
permission-priority_speaker = Priority Speaker
permission-stream = Video
permission-view_channel = View Channels
permission-send_messages = Send Messages
permission-send_tts_messages = Send Text-to-Speech Messages
permission-manage_messages = Manage Messages
permission-embed_links = Embed Links
permission-attach_files = Attach Files
permission-read_message_history = Read Message History
permission-mention_everyone = Mention `@everyone`, `@here` and All Roles
permission-use_external_emojis = Use External Emoji
permission-view_guild_insights = View Server Insights
permission-connect = Connect
permission-speak = Speak
permission-mute_members = Mute Members
permission-deafen_members = Deafen Members
permission-move_members = Move Members
permission-use_vad = Use Voice Activity
permission-change_nickname = Change Nickname
permission-manage_nicknames = Manage Nicknames
permission-manage_roles = Manage Roles
permission-manage_webhooks = Manage Webhooks
permission-manage_guild_expressions = Manage Expressions
permission-use_slash_commands = Use Application Commands
permission-request_to_speak = Request to Speak
permission-manage_events = Manage Events
permission-manage_threads = Manage Threads
permission-create_public_threads = Create Public Threads
permission-create_private_threads = Create Private Threads
permission-use_external_stickers = Use External Stickers
permission-send_messages_in_threads = Send Messages in Threads
permission-use_embedded_activities = Use Activities
permission-moderate_members = Timeout Members
permission-view_creator_monetization_analytics = View Server Subscription Insights
permission-use_soundboard = Use Soundboard
permission-create_guild_expressions = Create Expressions
permission-create_events = Create Events
permission-use_external_sounds = Use External Sounds
permission-send_voice_messages = Send Voice Messages
permission-send_polls = Create Polls
permission-use_external_apps = Use External Apps
permission-pin_messages = Pin Messages
permission-bypass_slowmode = Bypass Slowmode

## The bot's own texts: buttons, replies, channel names, commands and transcripts.

ui-setup-done = { -helpline } is ready. Members open tickets in { $panel }; ticket events are logged in { $log }.
ui-setup-already = { -helpline } is already set up here: the panel is in { $panel }. Run `/setup` with the `force` option to reinstall it.
ui-setup-not_admin = Only members with the Manage Server permission can set up { -helpline }.
ui-not_admin = Only members with the Manage Server permission can configure { -helpline }.
ui-staff-added = { $roles } can now answer tickets. Staff roles: { $all }.
ui-staff-already = { $roles } already answer tickets: nothing changed.
ui-staff-removed = { $roles } no longer answer tickets. Staff roles: { $all }.
ui-staff-topic_added = { $roles } can now answer **{ $topic }** tickets. Staff for { $topic }: { $all }.
ui-staff-topic_removed = { $roles } no longer answer **{ $topic }** tickets. Staff for { $topic }: { $all }.
ui-staff-not_staff = { $roles } are not staff roles: nothing changed.
ui-staff-list = Staff roles: { $roles }.
ui-staff-none = There is no staff role yet, so only admins can answer tickets. Add one with /staff add.
ui-staff-mention_on = New tickets will mention the staff roles.
ui-staff-mention_off = New tickets will no longer mention the staff roles.
ui-staff-foreign_role = { $role } is not a role of this server (or it was deleted): nothing changed.
ui-not_set_up = { -helpline } is not set up on this server yet: an admin can run /setup.
ui-ticket-no_topics = This server has no topics: run /ticket without one.
ui-ticket-unknown_topic = There is no topic named “{ $topic }”. Topics: { $topics }.
ui-topic-added = Topic **{ $name }** added: members choose it on the panel in { $channel }.
ui-topic-removed = Topic **{ $name }** removed; its tickets are kept.
ui-topic-list = Topics: { $topics }.
ui-topic-none = No topic yet: add one with /topic add.
ui-helpline-confirm_disable = Turn tickets off? Members will not be able to open any until an admin runs /helpline enable; open tickets stay as they are.
ui-helpline-confirm_reset = Forget { -helpline }'s configuration on this server? Panels, staff roles and settings are erased and the panel message is removed; tickets and their transcripts are kept for their retention period. This cannot be undone.
ui-helpline-button_disable = Turn tickets off
ui-helpline-button_reset = Erase the configuration
ui-helpline-disabled = Tickets are off. Run /helpline enable to turn them back on.
ui-helpline-enabled = Tickets are on again.
ui-helpline-reset = The configuration is erased. Run /setup to start again.
ui-settings-title = { -helpline } settings
ui-settings-saved = Settings saved.
ui-settings-nothing = Give at least one setting to change, or see them all with /settings show.
ui-settings-language = Language
ui-settings-claim_announcement = Claims announced in the ticket
ui-settings-dm_on_close = Transcript sent to the opener on close
ui-settings-admin_close_deletes = Admins' close deletes the channel
ui-settings-opener_leaves = When the opener leaves
ui-settings-auto_close = Auto-close after
ui-settings-close_request = Close requests expire after
ui-settings-claim_restricts = Claims restrict the ticket
ui-settings-support_hours = Support hours
ui-settings-always = Always
ui-settings-retention = Transcripts kept
ui-settings-approval = Approval
ui-settings-open_limit = Open tickets per member
ui-settings-cooldown = Wait between two tickets
ui-settings-staff = Staff roles
ui-settings-log = Log channel
ui-settings-on = yes
ui-settings-off = no
ui-settings-none = none
ui-settings-days = { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
ui-setup-failed = Setup could not finish, so everything it had created was removed. Check the bot's permissions and run `/setup` again.
ui-setup-public_log = { $channel } can be read by every member, and transcripts are private: choose a channel only staff can see, or leave the option out and { -helpline } makes one.
ui-setup-wrong_channel = { $channel } cannot be used here: choose a text channel for the panel and the log, and a category for the category.
ui-category_name = Tickets
ui-panel_channel_name = open-a-ticket
ui-log_channel_name = ticket-logs
ui-panel-title = Need help?
ui-panel-description = Click the button below to open a private ticket with our staff.
ui-button-open = Open a ticket
ui-button-claim = Claim
ui-button-unclaim = Unclaim
ui-button-close = Close
ui-button-close_now = Close now
ui-button-close_with_reason = Close with a reason
ui-button-reopen = Reopen
ui-button-accept_close = Accept and close
ui-button-decline_close = Keep it open
ui-close_request_sent = The opener was asked to close the ticket. It closes when they accept, or by itself if they do not answer in time.
ui-close_request_declined = The ticket stays open. Tell the staff what you still need.
ui-button-delete = Delete
ui-ticket_opened = Your ticket is open: { $channel }
ui-requested = Your request was sent to the staff: you will get a message once they accept it.
ui-claimed = You claimed this ticket.
ui-close-confirm = Close this ticket? The conversation will be saved as a transcript.
ui-close-modal_title = Close ticket { $number }
ui-close-reason_label = Reason (optional)
ui-closed = The ticket is closed.
ui-reopened = The ticket is open again.
ui-approved = The ticket was accepted: { $channel }
ui-refused = The ticket request was refused.
ui-deleted = The ticket is being deleted.
ui-welcome-title = Ticket { $number }
# The default welcome message's first paragraph; `$author` and `$staff` are template placeholders, kept as they are.
ui-default-welcome = $author, thank you for opening a ticket: the staff will be with you shortly. $staff
ui-unknown_ticket = This ticket no longer exists.
ui-in_progress = This is already being handled: please wait a moment.
ui-conflict = Someone changed this ticket at the same moment. Please try again.
ui-failed = Discord refused part of this action. Check the bot's permissions; the details are in the bot's log.
ui-unclaimed = You released this ticket.
ui-stale = This button or command is no longer in use. Use the latest panel or ticket message instead.
ui-open_delayed = Discord is slow to create your ticket's channel: it will be created shortly, and you will be mentioned in it.
ui-delayed = Done. Discord is slow right now: the rest is being retried automatically.
ui-log-field-opener = Opened by
ui-log-field-actor = By
ui-log-field-channel = Channel
ui-log-field-reason = Reason
ui-log-field-member = Member
ui-log-field-role = Role
ui-log-field-name = New name
ui-log-field-topic = Topic
ui-log-field-transcript = Transcript
ui-log-transcript_link = Read the transcript
ui-transcript-title = Ticket { $number } — { $guild }
ui-transcript-summary = Opened by { $opener }. { $closed }
ui-transcript-edited = edited
ui-transcript-deleted = deleted
ui-transcript-previous = Previous versions
ui-transcript-not_kept = the file was not kept (too large or unavailable)
# Shown after the name and size of an attachment that is kept but left out of the file posted
# on Discord, because the file must fit Discord's upload limit.
ui-transcript-left_out = the file was left out of this copy to fit Discord's upload limit (the complete transcript keeps it)
# The line at the top of a transcript file that left `count` (at least 1) attachments out.
ui-transcript-left_out_summary =
    { $count ->
        [one] { $count } attachment was left out of this file to fit Discord's upload limit. The complete transcript, with every attachment, is kept.
       *[other] { $count } attachments were left out of this file to fit Discord's upload limit. The complete transcript, with every attachment, is kept.
    }
ui-transcript-empty = No messages were written in this ticket.
ui-transcript-staff_note = Staff note
ui-note-kept = Note kept with this ticket. Staff read it in the transcript; the member never sees it.
ui-note-none = This ticket has no notes yet. Add one with /note and its text.
ui-note-list = { $count ->
    [one] One note, only staff see it:
   *[other] { $count } notes, only staff see them (latest first):
}
ui-transcript-message = Transcript of ticket { $number }
ui-transcript-field-server = Server
ui-transcript-field-number = Ticket
ui-transcript-field-topic = Topic
ui-transcript-field-opener = Opened by
ui-transcript-field-opened_for = Opened on their behalf by
ui-transcript-field-open_reason = Reason for opening
ui-transcript-field-claimer = Claimed by
ui-transcript-field-closer = Closed by
ui-transcript-field-close_reason = Closed because
ui-transcript-field-opened = Opened
ui-transcript-field-closed = Closed
ui-transcript-field-participants = Participants
ui-transcript-unknown = unknown
# The first line of a direct message about a ticket, naming it and its server.
ui-dm-about = About your ticket { $number } on { $guild }:
cmd-setup-name = setup
cmd-setup-description = Create the ticket category, the panel channel and the log channel
cmd-setup-panel_channel-name = panel_channel
cmd-setup-panel_channel-description = An existing text channel for the panel
cmd-setup-log_channel-name = log_channel
cmd-setup-log_channel-description = An existing text channel for the ticket log
cmd-setup-category-name = category
cmd-setup-category-description = An existing category for new tickets
cmd-setup-force-name = force
cmd-setup-force-description = Reinstall over an existing setup
cmd-setup-staff_role-name = staff_role
cmd-setup-staff_role-description = A role whose members answer tickets
cmd-staff-name = staff
cmd-staff-description = Choose the roles whose members answer tickets
cmd-staff-add-name = add
cmd-staff-add-description = Make up to five roles staff
cmd-staff-remove-name = remove
cmd-staff-remove-description = Take up to five roles off the staff
cmd-staff-list-name = list
cmd-staff-list-description = Show the staff roles
cmd-staff-mention-name = mention
cmd-staff-mention-description = Choose whether new tickets mention the staff roles
cmd-staff-mention-enabled-name = enabled
cmd-staff-mention-enabled-description = Mention the staff roles in new tickets
cmd-staff-role1-name = role1
cmd-staff-role1-description = A role
cmd-staff-role2-name = role2
cmd-staff-role2-description = Another role
cmd-staff-role3-name = role3
cmd-staff-role3-description = Another role
cmd-staff-role4-name = role4
cmd-staff-role4-description = Another role
cmd-staff-role5-name = role5
cmd-staff-role5-description = Another role
cmd-staff-topic-name = topic
cmd-staff-topic-description = Only for this topic's tickets (by name)
cmd-settings-name = settings
cmd-settings-description = See and change how Helpline works on this server
cmd-settings-show-name = show
cmd-settings-show-description = Show every setting
cmd-settings-set-name = set
cmd-settings-set-description = Change one or more settings
cmd-settings-language-name = language
cmd-settings-language-description = The server's language for everything Helpline posts
cmd-settings-claim_announcement-name = claim_announcement
cmd-settings-claim_announcement-description = Announce in the ticket when staff claim it
cmd-settings-dm_on_close-name = dm_on_close
cmd-settings-dm_on_close-description = Send the opener the transcript when their ticket closes
cmd-settings-admin_close_deletes-name = admin_close_deletes
cmd-settings-admin_close_deletes-description = When an admin closes a ticket, delete its channel at once
cmd-settings-opener_leaves-name = opener_leaves
cmd-settings-opener_leaves-description = What happens to a ticket whose opener leaves the server
cmd-settings-retention_days-name = retention_days
cmd-settings-retention_days-description = How many days transcripts are kept
cmd-settings-auto_close_hours-name = auto_close_hours
cmd-settings-auto_close_hours-description = Close tickets after this many hours without a message (0 turns it off)
cmd-settings-close_request_hours-name = close_request_hours
cmd-settings-close_request_hours-description = Close a ticket when its opener does not answer a close request for this many hours
cmd-settings-claim_restricts-name = claim_restricts
cmd-settings-claim_restricts-description = Only the claimer and admins may act on a claimed ticket
cmd-settings-support_hours-name = support_hours
cmd-settings-support_hours-description = When staff answer, such as mon-fri 09:00-18:00 (off: always)
cmd-settings-timezone-name = timezone
cmd-settings-timezone-description = The support hours' offset from UTC, such as +01:00
cmd-settings-approval-name = approval
cmd-settings-approval-description = Whether staff must accept a ticket before it opens
cmd-settings-open_limit-name = open_limit
cmd-settings-open_limit-description = How many tickets a member may have open at once
cmd-settings-cooldown-name = cooldown
cmd-settings-cooldown-description = Seconds a member waits between two tickets
cmd-choice-english = English
cmd-choice-french = French
cmd-choice-close = Close the ticket
cmd-choice-keep = Keep it open and tell staff
cmd-choice-automatic = Automatic
cmd-choice-manual = Staff accept each ticket
cmd-ticket-name = ticket
cmd-ticket-description = Open a private ticket with the staff
cmd-note-name = note
cmd-note-description = Keep a note with this ticket, for staff only (without text: read its notes)
cmd-note-text-name = text
cmd-note-text-description = The note; the member never sees it
cmd-tickets-name = tickets
cmd-tickets-description = Your tickets on every server, with their transcripts
cmd-ticket-topic-name = topic
cmd-ticket-topic-description = What it is about
cmd-ticket-reason-name = reason
cmd-ticket-reason-description = Tell the staff what you need
cmd-helpline-name = helpline
cmd-helpline-description = Turn Helpline off or on on this server, or forget its configuration
cmd-helpline-disable-name = disable
cmd-helpline-disable-description = Stop members from opening tickets (open tickets stay)
cmd-helpline-enable-name = enable
cmd-helpline-enable-description = Let members open tickets again
cmd-helpline-reset-name = reset
cmd-helpline-reset-description = Forget the configuration (transcripts are kept)
cmd-topic-name = topic
cmd-topic-description = The topics members choose from when they open a ticket
cmd-topic-add-name = add
cmd-topic-add-description = Add a topic to the panel
cmd-topic-remove-name = remove
cmd-topic-remove-description = Remove a topic (its tickets are kept)
cmd-topic-list-name = list
cmd-topic-list-description = Show the topics
cmd-topic-name-name = name
cmd-topic-name-description = The topic's name, as members see it
cmd-topic-description-name = description
cmd-topic-description-description = A short line under the name
cmd-topic-category-name = category
cmd-topic-category-description = The category this topic's tickets go to
cmd-topic-auto_response-name = auto_response
cmd-topic-auto_response-description = A message posted in each new ticket of this topic

ui-panel-unknown = There is no panel named “{ $panel }”. Panels: { $panels }.
ui-panel-none = No panel yet: create one with /panel create.
ui-panel-line = **{ $name }** in { $channel }: { $style }; topics: { $topics }; { $limit } open per member, { $cooldown } between two; approval: { $approval }; reason: { $reason }; tickets: { $mode }.
ui-panel-cannot_read = I cannot read that message: check its id, that it is in { $channel }, and that I may read that channel's history.
ui-panel-empty_message = That message has no text or embed to copy into a panel.
ui-panel-created = Panel **{ $name }** posted in { $channel }. Add topics with /topic add panel:{ $name }.
ui-panel-cannot_post = I cannot post in { $channel }: give me View Channel, Send Messages and Embed Links there. Nothing was saved.
ui-panel-edited = Panel **{ $name }** saved; its message shows the change.
ui-panel-message_gone = Panel **{ $name }** saved, but its message is gone: post it again with /panel post.
ui-panel-message_stale = Panel **{ $name }** saved, but Discord did not update its message just now: run /panel post to show the change.
ui-panel-deleted = Panel **{ $name }** deleted with its message; its tickets are kept.
ui-panel-posted = Panel **{ $name }** posted in { $channel }; its previous message is removed.
ui-panel-use_title = Use as ticket panel
ui-panel-use_name = Panel name (an existing one takes this message)
ui-panel-default_name = support
ui-config_conflict = Another admin changed the configuration at the same moment. Please try again.

cmd-panel-name = panel
cmd-panel-description = The messages under which members open tickets
cmd-panel-create-name = create
cmd-panel-create-description = Create a panel and post it
cmd-panel-edit-name = edit
cmd-panel-edit-description = Change a panel (its posted message follows)
cmd-panel-delete-name = delete
cmd-panel-delete-description = Delete a panel and its message (its tickets are kept)
cmd-panel-list-name = list
cmd-panel-list-description = Show the panels and their settings
cmd-panel-post-name = post
cmd-panel-post-description = Post a panel again, here or in another channel
cmd-panel-name-name = name
cmd-panel-name-description = The panel's name, for the commands that change it
cmd-panel-rename-name = name
cmd-panel-rename-description = A new name for the panel
cmd-panel-panel-name = panel
cmd-panel-panel-description = The panel's name
cmd-panel-channel-name = channel
cmd-panel-channel-description = Where to post it (this channel by default)
cmd-panel-post-channel-name = channel
cmd-panel-post-channel-description = Where to post it (where it is by default)
cmd-panel-style-name = style
cmd-panel-style-description = Buttons, or one select menu of topics
cmd-panel-topics-name = topics
cmd-panel-topics-description = The topics it offers, comma-separated, in order
cmd-panel-message_id-name = message_id
cmd-panel-message_id-description = Take the text and embeds of this message of its channel
cmd-panel-title-name = title
cmd-panel-title-description = The embed's title
cmd-panel-description-name = description
cmd-panel-description-description = The embed's text
cmd-panel-button_label-name = button_label
cmd-panel-button_label-description = The button's label when it has no topic
cmd-panel-placeholder-name = placeholder
cmd-panel-placeholder-description = The select menu's placeholder
cmd-panel-reason-name = reason
cmd-panel-reason-description = Whether members must give a reason
cmd-panel-auto_close_hours-name = auto_close_hours
cmd-panel-auto_close_hours-description = Close this panel's tickets after this many idle hours (0: never, -1: the server's setting)
cmd-panel-mode-name = mode
cmd-panel-mode-description = Open tickets as private channels, or as private threads of the panel's channel
cmd-settings-mode-name = mode
cmd-settings-mode-description = Open every panel's tickets as private channels, or as private threads of its channel
cmd-topic-panel-name = panel
cmd-topic-panel-description = The panel that offers it (the first one by default)
cmd-use_panel-name = Use as ticket panel
cmd-choice-buttons = Buttons
cmd-choice-select = Select menu
cmd-choice-channel = Private channel
cmd-choice-thread = Private thread in the panel's channel
cmd-choice-optional = Optional
cmd-choice-required = Required
ui-settings-reason = Reason when opening
ui-settings-mode = Tickets as
ui-settings-category = Category of new tickets
cmd-settings-log_channel-name = log_channel
cmd-settings-log_channel-description = Where ticket events and transcripts go (only staff may read it)
cmd-settings-default_category-name = default_category
cmd-settings-default_category-description = The category of tickets whose topic names none
ui-open-reason_label = Why are you opening this ticket?
ui-questions-title = Form of { $topic }
ui-questions-label = Question { $number }
ui-questions-help = First line: the question. Then type: short/paragraph/select, choices: A, B, required: yes/no
ui-questions-bad_line = Question { $number }: I cannot read “{ $line }”. Write type: short, paragraph or select; choices: A, B; required: yes or no; length: 5-200; placeholder: text. Nothing was saved.
ui-questions-saved = { $count ->
    [0] The form of **{ $topic }** is removed: its tickets open at once.
    [one] **{ $topic }** now asks one question when a ticket opens.
   *[other] **{ $topic }** now asks { $count } questions when a ticket opens.
}
cmd-topic-questions-name = questions
cmd-topic-questions-description = Edit the form members fill in when they open a ticket of this topic
ui-topic-edited = Topic **{ $name }** saved; the panel in { $channel } shows it.
cmd-topic-edit-name = edit
cmd-topic-edit-description = Change a topic (the panel follows)
cmd-topic-rename-name = rename
cmd-topic-rename-description = A new name for the topic
cmd-topic-emoji-name = emoji
cmd-topic-emoji-description = An emoji shown with the topic
cmd-topic-welcome-name = welcome
cmd-topic-welcome-description = This topic's welcome message ($author, $staff, $reason, $topic…)
cmd-topic-name_template-name = name_template
cmd-topic-name_template-description = This topic's ticket channel names ($counter, $author, $topic, $year…)
cmd-topic-ping_role-name = ping_role
cmd-topic-ping_role-description = A role pinged when a ticket of this topic opens
cmd-topic-no_ping-name = no_ping
cmd-topic-no_ping-description = Ping no role for this topic any more
ui-topic-choose_remove = Which topic do you want to remove? Its tickets are kept.
ui-category_unusable = I cannot create ticket channels in { $category }: give me View Channel and Manage Channels there, then try again. Nothing was saved.
ui-panel-threads_not_text = Tickets can be private threads only in a text channel, and { $channel } is not one: post the panel in a text channel first. Nothing was saved.
ui-panel-threads_missing = To open this panel's tickets as private threads of { $channel } I need { $permissions } there. Nothing was saved.
ui-threads_full = This server has reached Discord's limit of 1,000 active threads, so no ticket thread can open: staff need to close tickets first. Nothing was created.
ui-tickets-title = Your tickets
ui-tickets-none = You have no tickets yet. Open one from a server's ticket panel or with /ticket.
ui-tickets-line = **{ $guild }** · ticket { $number }{ $topic }: { $state }, opened { $opened }
ui-tickets-transcript = [transcript in your DMs]({ $link })
ui-channels_full = This server has reached Discord's limit of 500 channels, so no ticket channel can open: staff need to delete old tickets or channels first. Nothing was created.
ui-not_in_ticket = This command works in a ticket channel: run it there.
cmd-close-name = close
cmd-close-description = Close this ticket (its opener or staff)
cmd-close-reason-name = reason
cmd-close-reason-description = Why it is closed (kept in the transcript and the log)
cmd-close_request-name = close-request
cmd-close_request-description = Ask the opener to agree to close this ticket (staff)
cmd-close_request-reason-name = reason
cmd-close_request-reason-description = Why you suggest closing (shown to the opener)
cmd-claim-name = claim
cmd-claim-description = Take this ticket: you answer it (staff)
cmd-unclaim-name = unclaim
cmd-unclaim-description = Give this ticket back to the whole staff
ui-transferred = The ticket is now in the hands of the staff member you chose.
ui-member_added = They can now see this ticket and write in it.
ui-member_removed = They no longer see this ticket.
ui-role_added = Members of that role can now see this ticket and write in it.
ui-role_removed = Members of that role no longer see this ticket (unless they are staff).
ui-renamed = The ticket channel is renamed.
ui-moved = The ticket is in its new topic; its staff were told.
ui-feedback-ask = How did we do? Rate this ticket from one star (poorly) to five (very well).
ui-feedback-rated = You rated { $rating }/5 — thank you!
ui-feedback-add_comment = Add a comment
ui-feedback-form_title = Your comment
ui-feedback-form_label = What went well, what could be better?
ui-stats-title = Ticket statistics
ui-stats-title_member = Ticket statistics of { $member }
ui-stats-now = Now
ui-stats-now_value =
    Open: { $open }
    Awaiting approval: { $pending }
ui-stats-now_member = Claimed and open: { $open }
ui-stats-week = Last 7 days
ui-stats-month = Last 30 days
ui-stats-all = All time
ui-stats-period =
    Created: { $created }
    Closed: { $closed }
    First response: { $first }
    Resolution: { $resolution }
    Rating: { $rating }
ui-stats-period_member =
    Claimed: { $created }
    Closed: { $closed }
    First response: { $first }
    Resolution: { $resolution }
    Rating: { $rating }
ui-stats-spread = { $median } (median), { $p90 } (90%)
ui-stats-none = none yet
ui-blacklist-added = { $target } can no longer open tickets on this server.
ui-blacklist-removed = { $target } can open tickets again.
ui-blacklist-not_listed = { $target } is not on the blacklist.
ui-blacklist-one = Give a member or a role, one of the two.
ui-blacklist-staff = Staff members and administrators can't be blacklisted.
ui-blacklist-empty = Nobody is blacklisted on this server.
ui-blacklist-list =
    { $count ->
        [one] One entry on the blacklist:
       *[other] { $count } entries on the blacklist:
    }
ui-tag-saved = Tag **{ $name }** saved. Staff post it with /tag use.
ui-tag-removed = Tag **{ $name }** removed.
ui-tag-unknown = There is no tag **{ $name }**. Tags on this server: { $tags }.
ui-tag-none = This server has no tags yet. Admins add them with /tag add.
ui-tag-list =
    { $count ->
        [one] One tag:
       *[other] { $count } tags:
    }
ui-opened_for = The ticket for { $member } is open: { $channel }. They were told by direct message.
ui-not_a_member = That person is not a member of this server.
ui-not_everyone = @everyone cannot be added to a ticket: it would make it public.
cmd-transfer-name = transfer
cmd-transfer-description = Hand this ticket to another staff member (staff)
cmd-transfer-member-name = member
cmd-transfer-member-description = The staff member who takes it over
cmd-add-name = add
cmd-add-description = Let someone more see and write in this ticket (staff)
cmd-add-member-name = member
cmd-add-member-description = Add a member to this ticket
cmd-add-member-member-name = member
cmd-add-member-member-description = Who to add
cmd-add-role-name = role
cmd-add-role-description = Add a role's members to this ticket
cmd-add-role-role-name = role
cmd-add-role-role-description = Which role to add
cmd-remove-name = remove
cmd-remove-description = Take someone out of this ticket (staff)
cmd-remove-member-name = member
cmd-remove-member-description = Remove a member from this ticket
cmd-remove-member-member-name = member
cmd-remove-member-member-description = Who to remove
cmd-remove-role-name = role
cmd-remove-role-description = Remove a role's members from this ticket
cmd-remove-role-role-name = role
cmd-remove-role-role-description = Which role to remove
cmd-rename-name = rename
cmd-rename-description = Give this ticket channel a new name (staff)
cmd-rename-name-name = name
cmd-rename-name-description = The new name (up to 100 characters)
cmd-reopen-name = reopen
cmd-reopen-description = Open this closed ticket again
cmd-stats-name = stats
cmd-stats-description = Ticket figures for the server or a staff member (staff)
cmd-stats-member-name = member
cmd-stats-member-description = Only this staff member's tickets
cmd-blacklist-name = blacklist
cmd-blacklist-description = Keep members or roles from opening tickets
cmd-blacklist-add-name = add
cmd-blacklist-add-description = Blacklist a member or a role
cmd-blacklist-remove-name = remove
cmd-blacklist-remove-description = Take a member or a role off the blacklist
cmd-blacklist-list-name = list
cmd-blacklist-list-description = Who is blacklisted
cmd-blacklist-user-name = user
cmd-blacklist-user-description = The member
cmd-blacklist-role-name = role
cmd-blacklist-role-description = The role (everyone with it)
cmd-blacklist-reason-name = reason
cmd-blacklist-reason-description = Why (kept for staff, not shown to the member)
cmd-tag-name = tag
cmd-tag-description = Saved answers: admins keep them, staff post them in tickets
cmd-tag-add-name = add
cmd-tag-add-description = Save a new answer (admins)
cmd-tag-edit-name = edit
cmd-tag-edit-description = Change a saved answer (admins)
cmd-tag-remove-name = remove
cmd-tag-remove-description = Delete a saved answer (admins)
cmd-tag-list-name = list
cmd-tag-list-description = List the saved answers (staff)
cmd-tag-use-name = use
cmd-tag-use-description = Post a saved answer here (staff)
cmd-tag-name-name = name
cmd-tag-name-description = The tag's name
cmd-tag-content-name = content
cmd-tag-content-description = What is posted (up to 2000 characters)
cmd-open_for-name = open-for
cmd-open_for-description = Open a ticket for a member (staff)
cmd-open_for-member-name = member
cmd-open_for-member-description = The member the ticket is for
cmd-open_for-topic-name = topic
cmd-open_for-topic-description = The ticket's topic
cmd-open_for-reason-name = reason
cmd-open_for-reason-description = Why you open it (shown in the ticket)
cmd-move-name = move
cmd-move-description = Move this ticket to another topic (staff)
cmd-move-topic-name = topic
cmd-move-topic-description = The new topic

## The web panel.
panel-navigation = Main
panel-my_tickets = My tickets
panel-servers = Servers
panel-sign_in = Sign in with Discord
panel-sign_out = Sign out
panel-home_intro = Your tickets on every server, with their transcripts, and the servers you manage.
panel-not_found_title = Not found
panel-not_found = This page does not exist, or it is not yours to see.
panel-failed_title = Something went wrong
panel-failed = Something went wrong on our side. If it happens again, give this reference to the server's admins: { $reference }.
panel-sign_in_failed = Sign-in failed
panel-sign_in_expired = This sign-in took too long or was not started from this browser. Please sign in again.
panel-sign_in_denied = You cancelled the sign-in on Discord.
panel-form_expired_title = Form out of date
panel-form_expired = This form is out of date or did not come from this page. Reload the page and try again.
panel-no_tickets = No tickets to show.
panel-older = Older tickets
panel-column_number = Ticket
panel-column_server = Server
panel-column_state = State
panel-column_topic = Topic
panel-column_opener = Opened by
panel-column_opened = Opened
panel-column_closed = Closed
panel-ticket_title = Ticket { $number } on { $server }
panel-history = History
panel-transcript = Transcript
panel-event_created = Requested
panel-event_opened = Opened
panel-event_claimed = Claimed
panel-event_closed = Closed
panel-event_reopened = Reopened
panel-event_deleted = Deleted
panel-no_servers = You manage no server where Helpline is set up.
panel-access_link = Panel access
panel-access_title = Panel access to { $server }
panel-access_intro = The people listed here manage { $server } in this panel as its admins do: its tickets, statistics and settings. Only the server's admins (Manage Server) grant and revoke this access.
panel-access_none = No one has been granted access yet. Admins have it without a grant.
panel-access_column_user = User
panel-access_column_granted_by = Granted by
panel-access_column_granted_at = Granted
panel-access_column_actions = Actions
panel-access_user_id = User { $id }
panel-access_revoke = Revoke
panel-access_revoke_label = Revoke { $user }'s access
panel-access_grant_title = Grant access to a member
panel-access_user = User ID
panel-access_user_hint = A member of this server. In Discord, with Developer Mode on, right-click them and choose Copy User ID.
panel-access_grant = Grant access
panel-access_not_an_id = Enter a user ID: a number such as 123456789012345678. Nothing was changed.
panel-access_not_member = User { $id } is not a member of this server, and only its members can be granted access. Nothing was changed.
panel-access_already = { $user } already has access. Nothing was changed.
panel-access_not_granted = { $user } had no access to revoke. Nothing was changed.
panel-access_granted = { $user } now has access to this server in the panel.
panel-access_revoked = { $user } no longer has access.
panel-settings_link = Settings
panel-settings_title = Settings of { $server }
panel-settings_server = The whole server
panel-settings_panels = Panels
panel-settings_panel = Panel “{ $name }” in channel { $channel }
panel-settings_panel_unnamed = Panel in channel { $channel }
panel-settings_channel = channel { $id }
panel-settings_channel_hint = Change these two with /settings set in Discord.
panel-settings_staff_hint = Members of the checked roles answer tickets. At most 5 roles added and 5 removed in one save, as with /staff.
panel-settings_no_roles = This server has no role but @everyone, which cannot be staff.
panel-settings_deleted_role = Deleted role ({ $id })
panel-settings_mention_staff = Staff roles mentioned on new tickets
panel-settings_timezone = Time zone of the support hours
panel-settings_hours_hint = Days and a time window, such as mon-fri 09:00-18:00. Empty: always.
panel-settings_timezone_hint = An offset from UTC, such as +01:00 or UTC-5.
panel-settings_in_hours = In hours.
panel-settings_in_hours_off = In hours; 0 turns it off.
panel-settings_panel_auto_close_hint = In hours. Empty: the server’s setting; 0: never on this panel.
panel-settings_in_seconds = In seconds.
panel-settings_in_days = In days.
panel-settings_save = Save
panel-settings_saved = Settings saved.
panel-settings_conflict = These settings were changed meanwhile by someone else. Nothing was saved: here they are as they are now. Make your changes again, then save.
panel-settings_invalid = Nothing was saved. Correct the fields marked below, then save again.
panel-settings_not_a_number = Enter a whole number, such as 3.
panel-templates_link = Templates
panel-templates_title = Templates of { $server }
panel-templates_intro = The welcome message posted in each new ticket, and the name given to its channel or thread. A topic can have its own; left empty, its tickets use the server’s.
panel-templates_placeholders = Placeholders
panel-templates_placeholders_hint = Each is replaced by its value when a ticket opens; also written as { "${" }author{ "}" }. Write $$ for a plain dollar sign.
panel-templates_author = The member who opened the ticket: a mention in the welcome message, their name in a channel name.
panel-templates_staff = The ticket’s staff roles: mentions in the welcome message, “staff” in a channel name.
panel-templates_topic = The topic’s name (empty without a topic).
panel-templates_reason = The reason the member gave (empty without one).
panel-templates_counter = The ticket’s number on this server, at least 4 digits: 0042.
panel-templates_year = The year it opened (UTC): 2026.
panel-templates_month = The month it opened, 2 digits: 03.
panel-templates_day = The day of the month it opened, 2 digits: 07.
panel-templates_topic_section = Topic “{ $name }”
panel-templates_topic_hint = Empty: the server’s template.
panel-templates_preview = Preview
panel-templates_preview_hint = Previews show ticket 42, opened today by you with the reason “{ $reason }”, in the topic “{ $topic }” where the server’s templates are shown.
panel-templates_sample_reason = My order has not arrived
panel-templates_sample_topic = Orders
panel-templates_show_preview = Preview without saving
panel-templates_previewed = Here is the preview of what you typed. Nothing is saved until you save.
panel-templates_saved = Templates saved.
panel-templates_conflict = These templates were changed meanwhile by someone else. Nothing was saved: here they are as they are now. Make your changes again, then save.
panel-guild_title = Tickets of { $server }
panel-filter_any = Any
panel-filter_opener = Opener (user ID)
panel-filter_staff = Staff (user ID)
panel-filter_from = Opened from
panel-filter_to = Opened until
panel-filter_search = Search the transcripts
panel-filter_apply = Show
panel-stats_link = Statistics
panel-stats_title = Statistics of { $server }
panel-stats_open = Open
panel-stats_pending = Awaiting approval
panel-stats_server = The whole server
panel-stats_figure = Figure
panel-stats_created = Created
panel-stats_closed = Closed
panel-stats_first_median = First response, median
panel-stats_first_p90 = First response, 90th percentile
panel-stats_resolution_median = Resolution, median
panel-stats_resolution_p90 = Resolution, 90th percentile
panel-stats_rating = Average rating
panel-stats_rating_value =
    { $average }/5 ({ $count ->
        [one] one rating
       *[other] { $count } ratings
    })
panel-stats_note = Created counts the tickets opened in the period, and their first responses are timed; closed counts the tickets closed in it, and their resolutions are timed.
panel-stats_chart_title = Tickets created per day over the last 30 days (UTC)
panel-stats_chart_summary =
    { $total ->
        [0] No ticket created over these 30 days.
        [one] One ticket created over these 30 days.
       *[other] { $total } tickets created over these 30 days, at most { $max } in one day.
    }
panel-stats_chart_bar =
    { $day }: { $count ->
        [one] one ticket
       *[other] { $count } tickets
    }
panel-stats_chart_day = Day
panel-stats_chart_count = Tickets created
panel-stats_staff = Staff members
panel-stats_staff_intro = Everyone who claimed a ticket or closed one they did not open. Claimed counts the tickets they claimed in the period; closed, the tickets they closed in it.
panel-stats_staff_member = Staff member
panel-stats_claimed_open = Claimed and open now
panel-stats_claimed = Claimed
panel-stats_no_staff = No one has claimed or closed a ticket yet.
panel-stats_staff_more = The { $shown } most active of { $total } staff members are shown.
panel-stats_period = Period
panel-state_link = Turn tickets on or off
panel-state_title = Tickets on { $server }
panel-state_on = Tickets are on: members can open them.
panel-state_off = Tickets are off: members cannot open new ones; open tickets go on as they are.
panel-state_disable = Turn tickets off…
panel-state_confirm = Turn tickets off? Members will not be able to open any until an admin turns them back on; open tickets stay as they are.
panel-state_cancel = Keep them on
panel-state_enable = Turn tickets on
panel-state_saved = Done.
panel-state_reset = Erasing the configuration removes every panel, topic and setting, and the bot takes the panels' messages down from Discord; tickets and transcripts are kept. /helpline reset does the same on the server.
panel-setup_link = Set Helpline up, or again
panel-setup_title = Set Helpline up on { $server }
panel-setup_intro = Helpline creates — or reuses — a category for tickets, a channel with the panel members open tickets from, and a private log channel for transcripts; then it posts the panel. The bot does it on Discord within a few seconds.
panel-setup_already = Helpline is set up here: its panel is in { $channel }. To install it again (reusing what still exists), tick the box below.
panel-setup_panel_channel = Panel channel
panel-setup_log_channel = Log channel (private: transcripts go there)
panel-setup_category = Category of new tickets
panel-setup_create = Create one
panel-setup_language = Language of the server's messages
panel-setup_force = Install again over the current setup
panel-setup_submit = Set up
panel-setup_asked = Asked. The bot is doing it on Discord; reload this page to see the outcome below.
panel-setup_reset_done = The configuration was erased; the bot takes the panels' messages down. Tickets and transcripts are kept.
panel-setup_not_set_up = not set up yet
panel-jobs_title = Recent changes on Discord
panel-job_setup = Setup
panel-job_show_panels = Panel messages updated
panel-job_remove_messages = Old panel messages removed
panel-job_pending = waiting for the bot (failed attempts so far: { $attempts })
panel-job_done = done
panel-job_failed = failed: Discord kept refusing. Nothing was left half-done; try again later.
panel-job_refused_already = refused: Helpline is set up already (its panel is in { $channel }); tick “Install again” to reinstall.
panel-job_refused_wrong_channel = refused: { $channel } is not a channel of the right kind.
panel-job_refused_public_log = refused: everyone can read { $channel }, so transcripts would be public. Choose a private channel, or let Helpline create one.
panel-job_refused_permissions = refused: the bot lacks permissions it needs on this server (View Channels, Manage Channels, Manage Roles, Send Messages…). Give them back, then try again.
panel-job_refused_not_set_up = refused: Helpline is no longer set up on this server.
panel-job_refused_not_in_guild = refused: the bot is not on this server any more.
panel-panels_link = Panels and topics
panel-panels_title = Panels and topics of { $server }
panel-panels_saved = Saved. The bot shows the change on Discord within a few seconds.
panel-panels_heading = Panels
panel-topics_heading = Topics
panel-panel_name = Name
panel-panel_channel = Channel
panel-panel_style = Topics shown as
panel-panel_style_buttons = Buttons
panel-panel_style_select = A select menu
panel-panel_title = Title (empty: the default)
panel-panel_description = Description (empty: the default)
panel-panel_copied = This panel shows a copy of a message chosen on Discord; choose another there with “Use as ticket panel”.
panel-panel_posted = Posted in { $channel }
panel-panel_not_posted = Not posted yet
panel-panel_save = Save the panel
panel-panel_repost = Post it again
panel-panel_delete = Delete…
panel-panel_create = Create a panel
panel-panel_delete_confirm = Delete the panel { $panel }? Its message is taken down from Discord; its topics stay, and open tickets go on.
panel-topic_panels = Offered on
panel-topic_default_category = The server's default
panel-topic_category = Category its tickets go to
panel-topic_name = Name
panel-topic_description = Description
panel-topic_emoji = Emoji
panel-topic_save = Save the topic
panel-topic_remove = Remove…
panel-topic_add = Add a topic
panel-topic_remove_confirm = Remove the topic { $topic }? Its tickets stay.
panel-confirm = Yes, do it
panel-cancel = Cancel
panel-state_reset_title = Erase the configuration
panel-state_reset_button = Erase the configuration…
panel-state_reset_confirm = Erase Helpline's configuration on { $server }? Every panel, topic and setting goes, and the bot takes the panels' messages down. Tickets and transcripts are kept. This cannot be undone.
ui-access-granted = { $user } can now use the web panel for this server: its tickets, transcripts, statistics and settings (staff roles, retention and setup stay with admins).
ui-access-already = { $user } already has web-panel access.
ui-access-revoked = { $user } no longer has web-panel access.
ui-access-not_granted = { $user } did not have web-panel access.
ui-access-not_member = { $user } is not a member of this server: only its members can be given web-panel access.
ui-access-bot = Bots cannot be given web-panel access.
ui-access-empty = Nobody was given web-panel access on this server; its admins have it anyway.
ui-access-list = Web-panel access ({ $count }), besides the admins:
ui-access-line = { $user }, given by { $by } on { $date }
cmd-access-name = access
cmd-access-description = Give or take back access to the web panel
cmd-access-grant-name = grant
cmd-access-grant-description = Give a member access to this server on the web panel
cmd-access-revoke-name = revoke
cmd-access-revoke-description = Take a member's web-panel access back
cmd-access-list-name = list
cmd-access-list-description = Who has web-panel access
cmd-access-user-name = user
cmd-access-user-description = The member
panel-job_line = { $task }: { $outcome }
