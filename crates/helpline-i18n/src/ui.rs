//! Message keys of the bot's own texts (buttons, replies, channel names, commands,
//! transcripts), so callers name them by constant and the tests know they are used.

/// `ui-setup-done`
pub const SETUP_DONE: &str = "ui-setup-done";
/// `ui-setup-already`
pub const SETUP_ALREADY: &str = "ui-setup-already";
/// `ui-setup-not_admin`
pub const SETUP_NOT_ADMIN: &str = "ui-setup-not_admin";
/// `ui-setup-public_log`, with `channel`: a log channel every member can read.
pub const SETUP_PUBLIC_LOG: &str = "ui-setup-public_log";
/// `ui-not_admin`: a configuration command by someone without Manage Server.
pub const NOT_ADMIN: &str = "ui-not_admin";
/// `ui-staff-added`, with `roles` (those added) and `all`
pub const STAFF_ADDED: &str = "ui-staff-added";
/// `ui-staff-already`, with `roles`
pub const STAFF_ALREADY: &str = "ui-staff-already";
/// `ui-staff-removed`, with `roles` (those removed) and `all`
pub const STAFF_REMOVED: &str = "ui-staff-removed";
/// `ui-staff-topic_added`, with `roles`, `topic` and `all`
pub const STAFF_TOPIC_ADDED: &str = "ui-staff-topic_added";
/// `ui-staff-topic_removed`, with `roles`, `topic` and `all`
pub const STAFF_TOPIC_REMOVED: &str = "ui-staff-topic_removed";
/// `ui-staff-not_staff`, with `roles`
pub const STAFF_NOT_STAFF: &str = "ui-staff-not_staff";
/// `ui-staff-list`, with `roles`
pub const STAFF_LIST: &str = "ui-staff-list";
/// `ui-staff-none`
pub const STAFF_NONE: &str = "ui-staff-none";
/// `ui-staff-mention_on`
pub const STAFF_MENTION_ON: &str = "ui-staff-mention_on";
/// `ui-staff-mention_off`
pub const STAFF_MENTION_OFF: &str = "ui-staff-mention_off";
/// `ui-settings-title`
pub const SETTINGS_TITLE: &str = "ui-settings-title";
/// `ui-settings-saved`
pub const SETTINGS_SAVED: &str = "ui-settings-saved";
/// `ui-settings-nothing`
pub const SETTINGS_NOTHING: &str = "ui-settings-nothing";
/// `ui-settings-language`
pub const SETTINGS_LANGUAGE: &str = "ui-settings-language";
/// `ui-settings-claim_announcement`
pub const SETTINGS_CLAIM_ANNOUNCEMENT: &str = "ui-settings-claim_announcement";
/// `ui-settings-dm_on_close`
pub const SETTINGS_DM_ON_CLOSE: &str = "ui-settings-dm_on_close";
/// `ui-settings-admin_close_deletes`
pub const SETTINGS_ADMIN_CLOSE_DELETES: &str = "ui-settings-admin_close_deletes";
/// `ui-settings-opener_leaves`
pub const SETTINGS_OPENER_LEAVES: &str = "ui-settings-opener_leaves";
/// `ui-settings-retention`
pub const SETTINGS_RETENTION: &str = "ui-settings-retention";
/// `ui-settings-approval`
pub const SETTINGS_APPROVAL: &str = "ui-settings-approval";
/// `ui-settings-open_limit`
pub const SETTINGS_OPEN_LIMIT: &str = "ui-settings-open_limit";
/// `ui-settings-cooldown`
pub const SETTINGS_COOLDOWN: &str = "ui-settings-cooldown";
/// `ui-settings-staff`
pub const SETTINGS_STAFF: &str = "ui-settings-staff";
/// `ui-settings-log`
pub const SETTINGS_LOG: &str = "ui-settings-log";
/// `ui-settings-on`
pub const SETTINGS_ON: &str = "ui-settings-on";
/// `ui-settings-off`
pub const SETTINGS_OFF: &str = "ui-settings-off";
/// `ui-settings-none`
pub const SETTINGS_NONE: &str = "ui-settings-none";
/// `ui-settings-days`
pub const SETTINGS_DAYS: &str = "ui-settings-days";
/// `ui-settings-auto_close`
pub const SETTINGS_AUTO_CLOSE: &str = "ui-settings-auto_close";
/// `ui-settings-close_request`
pub const SETTINGS_CLOSE_REQUEST: &str = "ui-settings-close_request";
/// `ui-settings-support_hours`
pub const SETTINGS_SUPPORT_HOURS: &str = "ui-settings-support_hours";
/// `ui-settings-always`
pub const SETTINGS_ALWAYS: &str = "ui-settings-always";
/// `ui-settings-claim_restricts`
pub const SETTINGS_CLAIM_RESTRICTS: &str = "ui-settings-claim_restricts";
/// `ui-helpline-confirm_disable`
pub const HELPLINE_CONFIRM_DISABLE: &str = "ui-helpline-confirm_disable";
/// `ui-helpline-confirm_reset`
pub const HELPLINE_CONFIRM_RESET: &str = "ui-helpline-confirm_reset";
/// `ui-helpline-button_disable`
pub const HELPLINE_BUTTON_DISABLE: &str = "ui-helpline-button_disable";
/// `ui-helpline-button_reset`
pub const HELPLINE_BUTTON_RESET: &str = "ui-helpline-button_reset";
/// `ui-helpline-disabled`
pub const HELPLINE_DISABLED: &str = "ui-helpline-disabled";
/// `ui-helpline-enabled`
pub const HELPLINE_ENABLED: &str = "ui-helpline-enabled";
/// `ui-helpline-reset`
pub const HELPLINE_RESET: &str = "ui-helpline-reset";
/// `ui-topic-added`, with `name` and `channel`
pub const TOPIC_ADDED: &str = "ui-topic-added";
/// `ui-topic-removed`, with `name`
pub const TOPIC_REMOVED: &str = "ui-topic-removed";
/// `ui-topic-list`, with `topics`
pub const TOPIC_LIST: &str = "ui-topic-list";
/// `ui-topic-none`
pub const TOPIC_NONE: &str = "ui-topic-none";
/// `ui-not_set_up`
pub const NOT_SET_UP: &str = "ui-not_set_up";
/// `ui-ticket-no_topics`
pub const TICKET_NO_TOPICS: &str = "ui-ticket-no_topics";
/// `ui-ticket-unknown_topic`, with `topic` and `topics`
pub const TICKET_UNKNOWN_TOPIC: &str = "ui-ticket-unknown_topic";
/// `ui-staff-foreign_role`, with `role`
pub const STAFF_FOREIGN_ROLE: &str = "ui-staff-foreign_role";
/// `ui-setup-failed`
pub const SETUP_FAILED: &str = "ui-setup-failed";
/// `ui-setup-wrong_channel`
pub const SETUP_WRONG_CHANNEL: &str = "ui-setup-wrong_channel";
/// `ui-category_name`
pub const CATEGORY_NAME: &str = "ui-category_name";
/// `ui-panel_channel_name`
pub const PANEL_CHANNEL_NAME: &str = "ui-panel_channel_name";
/// `ui-log_channel_name`
pub const LOG_CHANNEL_NAME: &str = "ui-log_channel_name";
/// `ui-panel-title`
pub const PANEL_TITLE: &str = "ui-panel-title";
/// `ui-panel-description`
pub const PANEL_DESCRIPTION: &str = "ui-panel-description";
/// `ui-button-open`
pub const BUTTON_OPEN: &str = "ui-button-open";
/// `ui-button-claim`
pub const BUTTON_CLAIM: &str = "ui-button-claim";
/// `ui-button-unclaim`
pub const BUTTON_UNCLAIM: &str = "ui-button-unclaim";
/// `ui-button-close`
pub const BUTTON_CLOSE: &str = "ui-button-close";
/// `ui-button-close_now`
pub const BUTTON_CLOSE_NOW: &str = "ui-button-close_now";
/// `ui-button-close_with_reason`
pub const BUTTON_CLOSE_WITH_REASON: &str = "ui-button-close_with_reason";
/// `ui-button-reopen`
pub const BUTTON_REOPEN: &str = "ui-button-reopen";
/// `ui-button-accept_close`
pub const BUTTON_ACCEPT_CLOSE: &str = "ui-button-accept_close";
/// `ui-button-decline_close`
pub const BUTTON_DECLINE_CLOSE: &str = "ui-button-decline_close";
/// `ui-close_request_sent`
pub const CLOSE_REQUEST_SENT: &str = "ui-close_request_sent";
/// `ui-close_request_declined`
pub const CLOSE_REQUEST_DECLINED: &str = "ui-close_request_declined";
/// `ui-button-delete`
pub const BUTTON_DELETE: &str = "ui-button-delete";
/// `ui-ticket_opened`
pub const TICKET_OPENED: &str = "ui-ticket_opened";
/// `ui-requested`
pub const REQUESTED: &str = "ui-requested";
/// `ui-claimed`
pub const CLAIMED: &str = "ui-claimed";
/// `ui-close-confirm`
pub const CLOSE_CONFIRM: &str = "ui-close-confirm";
/// `ui-close-modal_title`
pub const CLOSE_MODAL_TITLE: &str = "ui-close-modal_title";
/// `ui-close-reason_label`
pub const CLOSE_REASON_LABEL: &str = "ui-close-reason_label";
/// `ui-closed`
pub const CLOSED: &str = "ui-closed";
/// `ui-reopened`
pub const REOPENED: &str = "ui-reopened";
/// `ui-approved`
pub const APPROVED: &str = "ui-approved";
/// `ui-refused`
pub const REFUSED: &str = "ui-refused";
/// `ui-deleted`
pub const DELETED: &str = "ui-deleted";
/// `ui-welcome-title`
pub const WELCOME_TITLE: &str = "ui-welcome-title";
/// `ui-default-welcome`: the default welcome template's first paragraph (with `$author` and
/// `$staff` placeholders, not Fluent variables).
pub const DEFAULT_WELCOME: &str = "ui-default-welcome";
/// `ui-unknown_ticket`
pub const UNKNOWN_TICKET: &str = "ui-unknown_ticket";
/// `ui-in_progress`
pub const IN_PROGRESS: &str = "ui-in_progress";
/// `ui-conflict`
pub const CONFLICT: &str = "ui-conflict";
/// `ui-failed`
pub const FAILED: &str = "ui-failed";
/// `ui-unclaimed`
pub const UNCLAIMED: &str = "ui-unclaimed";
/// `ui-stale`: a component, command or modal Helpline no longer knows.
pub const STALE: &str = "ui-stale";
/// `ui-open_delayed`: the ticket exists but Discord has not created its channel yet.
pub const OPEN_DELAYED: &str = "ui-open_delayed";
/// `ui-delayed`: the action is done; some of its effects wait for a retry.
pub const DELAYED: &str = "ui-delayed";
/// `ui-log-field-opener`
pub const LOG_FIELD_OPENER: &str = "ui-log-field-opener";
/// `ui-log-field-actor`
pub const LOG_FIELD_ACTOR: &str = "ui-log-field-actor";
/// `ui-log-field-channel`
pub const LOG_FIELD_CHANNEL: &str = "ui-log-field-channel";
/// `ui-log-field-reason`
pub const LOG_FIELD_REASON: &str = "ui-log-field-reason";
/// `ui-log-field-member`
pub const LOG_FIELD_MEMBER: &str = "ui-log-field-member";
/// `ui-log-field-role`
pub const LOG_FIELD_ROLE: &str = "ui-log-field-role";
/// `ui-log-field-name`
pub const LOG_FIELD_NAME: &str = "ui-log-field-name";
/// `ui-log-field-topic`
pub const LOG_FIELD_TOPIC: &str = "ui-log-field-topic";
/// `ui-log-field-transcript`
pub const LOG_FIELD_TRANSCRIPT: &str = "ui-log-field-transcript";
/// `ui-log-transcript_link`
pub const LOG_TRANSCRIPT_LINK: &str = "ui-log-transcript_link";
/// `ui-transcript-title`
pub const TRANSCRIPT_TITLE: &str = "ui-transcript-title";
/// `ui-transcript-summary`
pub const TRANSCRIPT_SUMMARY: &str = "ui-transcript-summary";
/// `ui-transcript-edited`
pub const TRANSCRIPT_EDITED: &str = "ui-transcript-edited";
/// `ui-transcript-deleted`
pub const TRANSCRIPT_DELETED: &str = "ui-transcript-deleted";
/// `ui-transcript-previous`
pub const TRANSCRIPT_PREVIOUS: &str = "ui-transcript-previous";
/// `ui-transcript-not_kept`
pub const TRANSCRIPT_NOT_KEPT: &str = "ui-transcript-not_kept";
/// `ui-transcript-left_out`
pub const TRANSCRIPT_LEFT_OUT: &str = "ui-transcript-left_out";
/// `ui-transcript-left_out_summary`, with `count`
pub const TRANSCRIPT_LEFT_OUT_SUMMARY: &str = "ui-transcript-left_out_summary";
/// `ui-transcript-empty`
pub const TRANSCRIPT_EMPTY: &str = "ui-transcript-empty";
/// `ui-transcript-staff_note`
pub const TRANSCRIPT_STAFF_NOTE: &str = "ui-transcript-staff_note";
/// `ui-note-kept`
pub const NOTE_KEPT: &str = "ui-note-kept";
/// `ui-note-none`
pub const NOTE_NONE: &str = "ui-note-none";
/// `ui-note-list`, with `count`
pub const NOTE_LIST: &str = "ui-note-list";
/// `ui-transcript-message`
pub const TRANSCRIPT_MESSAGE: &str = "ui-transcript-message";
/// `ui-transcript-field-server`
pub const TRANSCRIPT_FIELD_SERVER: &str = "ui-transcript-field-server";
/// `ui-transcript-field-number`
pub const TRANSCRIPT_FIELD_NUMBER: &str = "ui-transcript-field-number";
/// `ui-transcript-field-topic`
pub const TRANSCRIPT_FIELD_TOPIC: &str = "ui-transcript-field-topic";
/// `ui-transcript-field-opener`
pub const TRANSCRIPT_FIELD_OPENER: &str = "ui-transcript-field-opener";
/// `ui-transcript-field-opened_for`
pub const TRANSCRIPT_FIELD_OPENED_FOR: &str = "ui-transcript-field-opened_for";
/// `ui-transcript-field-open_reason`
pub const TRANSCRIPT_FIELD_OPEN_REASON: &str = "ui-transcript-field-open_reason";
/// `ui-transcript-field-claimer`
pub const TRANSCRIPT_FIELD_CLAIMER: &str = "ui-transcript-field-claimer";
/// `ui-transcript-field-closer`
pub const TRANSCRIPT_FIELD_CLOSER: &str = "ui-transcript-field-closer";
/// `ui-transcript-field-close_reason`
pub const TRANSCRIPT_FIELD_CLOSE_REASON: &str = "ui-transcript-field-close_reason";
/// `ui-transcript-field-opened`
pub const TRANSCRIPT_FIELD_OPENED: &str = "ui-transcript-field-opened";
/// `ui-transcript-field-closed`
pub const TRANSCRIPT_FIELD_CLOSED: &str = "ui-transcript-field-closed";
/// `ui-transcript-field-participants`
pub const TRANSCRIPT_FIELD_PARTICIPANTS: &str = "ui-transcript-field-participants";
/// `ui-transcript-unknown`
pub const TRANSCRIPT_UNKNOWN: &str = "ui-transcript-unknown";
/// `ui-dm-about`, with `number` and `guild`: the first line of a DM about a ticket.
pub const DM_ABOUT: &str = "ui-dm-about";

/// `ui-panel-unknown`, with `panel` and `panels`
pub const PANEL_UNKNOWN: &str = "ui-panel-unknown";
/// `ui-panel-none`
pub const PANEL_NONE: &str = "ui-panel-none";
/// `ui-panel-line`, with `name`, `channel`, `style`, `topics`, `limit`, `cooldown`, `approval` and `reason`
pub const PANEL_LINE: &str = "ui-panel-line";
/// `ui-panel-cannot_read`, with `channel`
pub const PANEL_CANNOT_READ: &str = "ui-panel-cannot_read";
/// `ui-panel-empty_message`
pub const PANEL_EMPTY_MESSAGE: &str = "ui-panel-empty_message";
/// `ui-panel-created`, with `name` and `channel`
pub const PANEL_CREATED: &str = "ui-panel-created";
/// `ui-panel-cannot_post`, with `channel`
pub const PANEL_CANNOT_POST: &str = "ui-panel-cannot_post";
/// `ui-panel-edited`, with `name`
pub const PANEL_EDITED: &str = "ui-panel-edited";
/// `ui-panel-message_gone`, with `name`
pub const PANEL_MESSAGE_GONE: &str = "ui-panel-message_gone";
/// `ui-panel-message_stale`, with `name`
pub const PANEL_MESSAGE_STALE: &str = "ui-panel-message_stale";
/// `ui-panel-deleted`, with `name`
pub const PANEL_DELETED: &str = "ui-panel-deleted";
/// `ui-panel-posted`, with `name` and `channel`
pub const PANEL_POSTED: &str = "ui-panel-posted";
/// `ui-panel-use_title`
pub const PANEL_USE_TITLE: &str = "ui-panel-use_title";
/// `ui-panel-use_name`
pub const PANEL_USE_NAME: &str = "ui-panel-use_name";
/// `ui-panel-default_name`
pub const PANEL_DEFAULT_NAME: &str = "ui-panel-default_name";
/// `ui-config_conflict`
pub const CONFIG_CONFLICT: &str = "ui-config_conflict";

/// `ui-settings-reason`
pub const SETTINGS_REASON: &str = "ui-settings-reason";
/// `ui-settings-mode`
pub const SETTINGS_MODE: &str = "ui-settings-mode";
/// `ui-settings-category`
pub const SETTINGS_CATEGORY: &str = "ui-settings-category";

/// `ui-open-reason_label`
pub const OPEN_REASON_LABEL: &str = "ui-open-reason_label";

/// `ui-questions-title`, with `topic`
pub const QUESTIONS_TITLE: &str = "ui-questions-title";
/// `ui-questions-label`, with `number`
pub const QUESTIONS_LABEL: &str = "ui-questions-label";
/// `ui-questions-help`
pub const QUESTIONS_HELP: &str = "ui-questions-help";
/// `ui-questions-bad_line`, with `line` and `number`
pub const QUESTIONS_BAD_LINE: &str = "ui-questions-bad_line";
/// `ui-questions-saved`, with `topic` and `count`
pub const QUESTIONS_SAVED: &str = "ui-questions-saved";

/// `ui-topic-edited`, with `name` and `channel`
pub const TOPIC_EDITED: &str = "ui-topic-edited";

/// `ui-topic-choose_remove`
pub const TOPIC_CHOOSE_REMOVE: &str = "ui-topic-choose_remove";

/// `ui-category_unusable`, with `category`
pub const CATEGORY_UNUSABLE: &str = "ui-category_unusable";

/// `ui-not_in_ticket`
pub const NOT_IN_TICKET: &str = "ui-not_in_ticket";

/// `ui-panel-threads_not_text`, with `channel`
pub const PANEL_THREADS_NOT_TEXT: &str = "ui-panel-threads_not_text";
/// `ui-panel-threads_missing`, with `channel` and `permissions`
pub const PANEL_THREADS_MISSING: &str = "ui-panel-threads_missing";
/// `ui-threads_full`
pub const THREADS_FULL: &str = "ui-threads_full";
/// `ui-tickets-title`
pub const TICKETS_TITLE: &str = "ui-tickets-title";
/// `ui-tickets-none`
pub const TICKETS_NONE: &str = "ui-tickets-none";
/// `ui-tickets-line`, with `guild`, `number`, `topic`, `state` and `opened`
pub const TICKETS_LINE: &str = "ui-tickets-line";
/// `ui-tickets-transcript`, with `link`
pub const TICKETS_TRANSCRIPT: &str = "ui-tickets-transcript";
/// `ui-channels_full`
pub const CHANNELS_FULL: &str = "ui-channels_full";

/// `ui-transferred`
pub const TRANSFERRED: &str = "ui-transferred";
/// `ui-member_added`
pub const MEMBER_ADDED: &str = "ui-member_added";
/// `ui-member_removed`
pub const MEMBER_REMOVED: &str = "ui-member_removed";
/// `ui-role_added`
pub const ROLE_ADDED: &str = "ui-role_added";
/// `ui-role_removed`
pub const ROLE_REMOVED: &str = "ui-role_removed";
/// `ui-renamed`
/// `ui-opened_for`, with `member` and `channel`: staff opened a ticket for a member.
pub const OPENED_FOR: &str = "ui-opened_for";
/// `ui-tag-saved`
pub const TAG_SAVED: &str = "ui-tag-saved";
/// `ui-tag-removed`
pub const TAG_REMOVED: &str = "ui-tag-removed";
/// `ui-tag-unknown`
pub const TAG_UNKNOWN: &str = "ui-tag-unknown";
/// `ui-tag-none`
pub const TAG_NONE: &str = "ui-tag-none";
/// `ui-tag-list`
pub const TAG_LIST: &str = "ui-tag-list";
/// `ui-blacklist-added`
pub const BLACKLIST_ADDED: &str = "ui-blacklist-added";
/// `ui-blacklist-removed`
pub const BLACKLIST_REMOVED: &str = "ui-blacklist-removed";
/// `ui-blacklist-not_listed`
pub const BLACKLIST_NOT_LISTED: &str = "ui-blacklist-not_listed";
/// `ui-blacklist-one`
pub const BLACKLIST_ONE: &str = "ui-blacklist-one";
/// `ui-blacklist-staff`
pub const BLACKLIST_STAFF: &str = "ui-blacklist-staff";
/// `ui-blacklist-empty`
pub const BLACKLIST_EMPTY: &str = "ui-blacklist-empty";
/// `ui-blacklist-list`
pub const BLACKLIST_LIST: &str = "ui-blacklist-list";
/// `ui-stats-title`
pub const STATS_TITLE: &str = "ui-stats-title";
/// `ui-stats-title_member`
pub const STATS_TITLE_MEMBER: &str = "ui-stats-title_member";
/// `ui-stats-now`
pub const STATS_NOW: &str = "ui-stats-now";
/// `ui-stats-now_value`
pub const STATS_NOW_VALUE: &str = "ui-stats-now_value";
/// `ui-stats-now_member`
pub const STATS_NOW_MEMBER: &str = "ui-stats-now_member";
/// `ui-stats-week`
pub const STATS_WEEK: &str = "ui-stats-week";
/// `ui-stats-month`
pub const STATS_MONTH: &str = "ui-stats-month";
/// `ui-stats-all`
pub const STATS_ALL: &str = "ui-stats-all";
/// `ui-stats-period`
pub const STATS_PERIOD: &str = "ui-stats-period";
/// `ui-stats-period_member`
pub const STATS_PERIOD_MEMBER: &str = "ui-stats-period_member";
/// `ui-stats-spread`
pub const STATS_SPREAD: &str = "ui-stats-spread";
/// `ui-stats-none`
pub const STATS_NONE: &str = "ui-stats-none";
/// `ui-feedback-ask`
pub const FEEDBACK_ASK: &str = "ui-feedback-ask";
/// `ui-feedback-rated`
pub const FEEDBACK_RATED: &str = "ui-feedback-rated";
/// `ui-feedback-add_comment`
pub const FEEDBACK_ADD_COMMENT: &str = "ui-feedback-add_comment";
/// `ui-feedback-form_title`
pub const FEEDBACK_FORM_TITLE: &str = "ui-feedback-form_title";
/// `ui-feedback-form_label`
pub const FEEDBACK_FORM_LABEL: &str = "ui-feedback-form_label";
/// `ui-moved`
pub const MOVED: &str = "ui-moved";
/// `ui-renamed`
pub const RENAMED: &str = "ui-renamed";
/// `ui-not_a_member`: a user option naming someone who is not on the server.
pub const NOT_A_MEMBER: &str = "ui-not_a_member";
/// `ui-not_everyone`: `@everyone` cannot be given a ticket.
pub const NOT_EVERYONE: &str = "ui-not_everyone";

/// Every key above.
/// `ui-access-granted`: { $user } can now use the web panel for this server: its tickets, transcripts, statistics and settings (staff roles, retention and setup stay with admins).
pub const ACCESS_GRANTED: &str = "ui-access-granted";
/// `ui-access-already`: { $user } already has web-panel access.
pub const ACCESS_ALREADY: &str = "ui-access-already";
/// `ui-access-revoked`: { $user } no longer has web-panel access.
pub const ACCESS_REVOKED: &str = "ui-access-revoked";
/// `ui-access-not_granted`: { $user } did not have web-panel access.
pub const ACCESS_NOT_GRANTED: &str = "ui-access-not_granted";
/// `ui-access-not_member`: { $user } is not a member of this server: only its members can be given web-panel access.
pub const ACCESS_NOT_MEMBER: &str = "ui-access-not_member";
/// `ui-access-bot`: Bots cannot be given web-panel access.
pub const ACCESS_BOT: &str = "ui-access-bot";
/// `ui-access-empty`: Nobody was given web-panel access on this server; its admins have it anyway.
pub const ACCESS_EMPTY: &str = "ui-access-empty";
/// `ui-access-list`: Web-panel access ({ $count }), besides the admins:
pub const ACCESS_LIST: &str = "ui-access-list";
/// `ui-access-line`: { $user }, given by { $by } on { $date }
pub const ACCESS_LINE: &str = "ui-access-line";

pub const ALL: &[&str] = &[
    ACCESS_GRANTED,
    ACCESS_ALREADY,
    ACCESS_REVOKED,
    ACCESS_NOT_GRANTED,
    ACCESS_NOT_MEMBER,
    ACCESS_BOT,
    ACCESS_EMPTY,
    ACCESS_LIST,
    ACCESS_LINE,
    TRANSFERRED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    ROLE_ADDED,
    ROLE_REMOVED,
    RENAMED,
    MOVED,
    FEEDBACK_ASK,
    FEEDBACK_RATED,
    FEEDBACK_ADD_COMMENT,
    FEEDBACK_FORM_TITLE,
    FEEDBACK_FORM_LABEL,
    STATS_TITLE,
    STATS_TITLE_MEMBER,
    STATS_NOW,
    STATS_NOW_VALUE,
    STATS_NOW_MEMBER,
    STATS_WEEK,
    STATS_MONTH,
    STATS_ALL,
    STATS_PERIOD,
    STATS_PERIOD_MEMBER,
    STATS_SPREAD,
    STATS_NONE,
    BLACKLIST_ADDED,
    BLACKLIST_REMOVED,
    BLACKLIST_NOT_LISTED,
    BLACKLIST_ONE,
    BLACKLIST_STAFF,
    BLACKLIST_EMPTY,
    BLACKLIST_LIST,
    TAG_SAVED,
    TAG_REMOVED,
    TAG_UNKNOWN,
    TAG_NONE,
    TAG_LIST,
    OPENED_FOR,
    NOT_A_MEMBER,
    NOT_EVERYONE,
    NOT_IN_TICKET,
    PANEL_THREADS_NOT_TEXT,
    PANEL_THREADS_MISSING,
    THREADS_FULL,
    TICKETS_TITLE,
    TICKETS_NONE,
    TICKETS_LINE,
    TICKETS_TRANSCRIPT,
    CHANNELS_FULL,
    CATEGORY_UNUSABLE,
    TOPIC_CHOOSE_REMOVE,
    TOPIC_EDITED,
    QUESTIONS_TITLE,
    QUESTIONS_LABEL,
    QUESTIONS_HELP,
    QUESTIONS_BAD_LINE,
    QUESTIONS_SAVED,
    OPEN_REASON_LABEL,
    SETTINGS_REASON,
    SETTINGS_MODE,
    SETTINGS_CATEGORY,
    PANEL_UNKNOWN,
    PANEL_NONE,
    PANEL_LINE,
    PANEL_CANNOT_READ,
    PANEL_EMPTY_MESSAGE,
    PANEL_CREATED,
    PANEL_CANNOT_POST,
    PANEL_EDITED,
    PANEL_MESSAGE_GONE,
    PANEL_MESSAGE_STALE,
    PANEL_DELETED,
    PANEL_POSTED,
    PANEL_USE_TITLE,
    PANEL_USE_NAME,
    PANEL_DEFAULT_NAME,
    CONFIG_CONFLICT,
    SETUP_DONE,
    SETUP_ALREADY,
    SETUP_NOT_ADMIN,
    SETUP_PUBLIC_LOG,
    NOT_ADMIN,
    STAFF_ADDED,
    STAFF_ALREADY,
    STAFF_REMOVED,
    STAFF_NOT_STAFF,
    STAFF_TOPIC_ADDED,
    STAFF_TOPIC_REMOVED,
    STAFF_LIST,
    STAFF_NONE,
    STAFF_MENTION_ON,
    STAFF_MENTION_OFF,
    STAFF_FOREIGN_ROLE,
    NOT_SET_UP,
    TOPIC_ADDED,
    TOPIC_REMOVED,
    TOPIC_LIST,
    TOPIC_NONE,
    HELPLINE_CONFIRM_DISABLE,
    HELPLINE_CONFIRM_RESET,
    HELPLINE_BUTTON_DISABLE,
    HELPLINE_BUTTON_RESET,
    HELPLINE_DISABLED,
    HELPLINE_ENABLED,
    HELPLINE_RESET,
    TICKET_NO_TOPICS,
    TICKET_UNKNOWN_TOPIC,
    SETTINGS_TITLE,
    SETTINGS_SAVED,
    SETTINGS_NOTHING,
    SETTINGS_LANGUAGE,
    SETTINGS_CLAIM_ANNOUNCEMENT,
    SETTINGS_DM_ON_CLOSE,
    SETTINGS_ADMIN_CLOSE_DELETES,
    SETTINGS_OPENER_LEAVES,
    SETTINGS_RETENTION,
    SETTINGS_APPROVAL,
    SETTINGS_OPEN_LIMIT,
    SETTINGS_COOLDOWN,
    SETTINGS_STAFF,
    SETTINGS_LOG,
    SETTINGS_ON,
    SETTINGS_OFF,
    SETTINGS_NONE,
    SETTINGS_DAYS,
    SETTINGS_AUTO_CLOSE,
    SETTINGS_CLOSE_REQUEST,
    SETTINGS_CLAIM_RESTRICTS,
    SETTINGS_SUPPORT_HOURS,
    SETTINGS_ALWAYS,
    SETUP_FAILED,
    SETUP_WRONG_CHANNEL,
    CATEGORY_NAME,
    PANEL_CHANNEL_NAME,
    LOG_CHANNEL_NAME,
    PANEL_TITLE,
    PANEL_DESCRIPTION,
    BUTTON_OPEN,
    BUTTON_CLAIM,
    BUTTON_UNCLAIM,
    BUTTON_CLOSE,
    BUTTON_CLOSE_NOW,
    BUTTON_CLOSE_WITH_REASON,
    BUTTON_REOPEN,
    BUTTON_ACCEPT_CLOSE,
    BUTTON_DECLINE_CLOSE,
    CLOSE_REQUEST_SENT,
    CLOSE_REQUEST_DECLINED,
    BUTTON_DELETE,
    TICKET_OPENED,
    REQUESTED,
    CLAIMED,
    CLOSE_CONFIRM,
    CLOSE_MODAL_TITLE,
    CLOSE_REASON_LABEL,
    CLOSED,
    REOPENED,
    APPROVED,
    REFUSED,
    DELETED,
    WELCOME_TITLE,
    DEFAULT_WELCOME,
    UNKNOWN_TICKET,
    IN_PROGRESS,
    CONFLICT,
    FAILED,
    UNCLAIMED,
    STALE,
    OPEN_DELAYED,
    DELAYED,
    LOG_FIELD_OPENER,
    LOG_FIELD_ACTOR,
    LOG_FIELD_CHANNEL,
    LOG_FIELD_REASON,
    LOG_FIELD_MEMBER,
    LOG_FIELD_ROLE,
    LOG_FIELD_NAME,
    LOG_FIELD_TOPIC,
    LOG_FIELD_TRANSCRIPT,
    LOG_TRANSCRIPT_LINK,
    TRANSCRIPT_TITLE,
    TRANSCRIPT_SUMMARY,
    TRANSCRIPT_EDITED,
    TRANSCRIPT_DELETED,
    TRANSCRIPT_PREVIOUS,
    TRANSCRIPT_NOT_KEPT,
    TRANSCRIPT_LEFT_OUT,
    TRANSCRIPT_LEFT_OUT_SUMMARY,
    TRANSCRIPT_EMPTY,
    TRANSCRIPT_STAFF_NOTE,
    NOTE_KEPT,
    NOTE_NONE,
    NOTE_LIST,
    TRANSCRIPT_MESSAGE,
    TRANSCRIPT_FIELD_SERVER,
    TRANSCRIPT_FIELD_NUMBER,
    TRANSCRIPT_FIELD_TOPIC,
    TRANSCRIPT_FIELD_OPENER,
    TRANSCRIPT_FIELD_OPENED_FOR,
    TRANSCRIPT_FIELD_OPEN_REASON,
    TRANSCRIPT_FIELD_CLAIMER,
    TRANSCRIPT_FIELD_CLOSER,
    TRANSCRIPT_FIELD_CLOSE_REASON,
    TRANSCRIPT_FIELD_OPENED,
    TRANSCRIPT_FIELD_CLOSED,
    TRANSCRIPT_FIELD_PARTICIPANTS,
    TRANSCRIPT_UNKNOWN,
    DM_ABOUT,
];
