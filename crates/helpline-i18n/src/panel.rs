//! The web panel's texts (`panel-*`): every page of `helpline panel` in every language.

/// `panel-navigation`: Main
pub const NAVIGATION: &str = "panel-navigation";
/// `panel-my_tickets`: My tickets
pub const MY_TICKETS: &str = "panel-my_tickets";
/// `panel-servers`: Servers
pub const SERVERS: &str = "panel-servers";
/// `panel-sign_in`: Sign in with Discord
pub const SIGN_IN: &str = "panel-sign_in";
/// `panel-sign_out`: Sign out
pub const SIGN_OUT: &str = "panel-sign_out";
/// `panel-home_intro`: Your tickets on every server, with their transcripts, and the servers you manage.
pub const HOME_INTRO: &str = "panel-home_intro";
/// `panel-not_found_title`: Not found
pub const NOT_FOUND_TITLE: &str = "panel-not_found_title";
/// `panel-not_found`: This page does not exist, or it is not yours to see.
pub const NOT_FOUND: &str = "panel-not_found";
/// `panel-failed_title`: Something went wrong
pub const FAILED_TITLE: &str = "panel-failed_title";
/// `panel-failed`: Something went wrong on our side. If it happens again, give this reference to the server's admins: { $reference }.
pub const FAILED: &str = "panel-failed";
/// `panel-sign_in_failed`: Sign-in failed
pub const SIGN_IN_FAILED: &str = "panel-sign_in_failed";
/// `panel-sign_in_expired`: This sign-in took too long or was not started from this browser. Please sign in again.
pub const SIGN_IN_EXPIRED: &str = "panel-sign_in_expired";
/// `panel-sign_in_denied`: You cancelled the sign-in on Discord.
pub const SIGN_IN_DENIED: &str = "panel-sign_in_denied";
/// `panel-form_expired_title`: Form out of date
pub const FORM_EXPIRED_TITLE: &str = "panel-form_expired_title";
/// `panel-form_expired`: This form is out of date or did not come from this page. Reload the page and try again.
pub const FORM_EXPIRED: &str = "panel-form_expired";
/// `panel-no_tickets`: No tickets to show.
pub const NO_TICKETS: &str = "panel-no_tickets";
/// `panel-older`: Older tickets
pub const OLDER: &str = "panel-older";
/// `panel-column_number`: Ticket
pub const COLUMN_NUMBER: &str = "panel-column_number";
/// `panel-column_server`: Server
pub const COLUMN_SERVER: &str = "panel-column_server";
/// `panel-column_state`: State
pub const COLUMN_STATE: &str = "panel-column_state";
/// `panel-column_topic`: Topic
pub const COLUMN_TOPIC: &str = "panel-column_topic";
/// `panel-column_opener`: Opened by
pub const COLUMN_OPENER: &str = "panel-column_opener";
/// `panel-column_opened`: Opened
pub const COLUMN_OPENED: &str = "panel-column_opened";
/// `panel-column_closed`: Closed
pub const COLUMN_CLOSED: &str = "panel-column_closed";
/// `panel-ticket_title`: Ticket { $number } on { $server }
pub const TICKET_TITLE: &str = "panel-ticket_title";
/// `panel-history`: History
pub const HISTORY: &str = "panel-history";
/// `panel-transcript`: Transcript
pub const TRANSCRIPT: &str = "panel-transcript";
/// `panel-event_created`: Requested
pub const EVENT_CREATED: &str = "panel-event_created";
/// `panel-event_opened`: Opened
pub const EVENT_OPENED: &str = "panel-event_opened";
/// `panel-event_claimed`: Claimed
pub const EVENT_CLAIMED: &str = "panel-event_claimed";
/// `panel-event_closed`: Closed
pub const EVENT_CLOSED: &str = "panel-event_closed";
/// `panel-event_reopened`: Reopened
pub const EVENT_REOPENED: &str = "panel-event_reopened";
/// `panel-event_deleted`: Deleted
pub const EVENT_DELETED: &str = "panel-event_deleted";
/// `panel-no_servers`: You manage no server where Helpline is set up.
pub const NO_SERVERS: &str = "panel-no_servers";
/// `panel-access_link`: Panel access
pub const ACCESS_LINK: &str = "panel-access_link";
/// `panel-access_title`: Panel access to { $server }
pub const ACCESS_TITLE: &str = "panel-access_title";
/// `panel-access_intro`: The people listed here manage { $server } in this panel as its admins do: its tickets, statistics and settings. Only the server's admins (Manage Server) grant and revoke this access.
pub const ACCESS_INTRO: &str = "panel-access_intro";
/// `panel-access_none`: No one has been granted access yet. Admins have it without a grant.
pub const ACCESS_NONE: &str = "panel-access_none";
/// `panel-access_column_user`: User
pub const ACCESS_COLUMN_USER: &str = "panel-access_column_user";
/// `panel-access_column_granted_by`: Granted by
pub const ACCESS_COLUMN_GRANTED_BY: &str = "panel-access_column_granted_by";
/// `panel-access_column_granted_at`: Granted
pub const ACCESS_COLUMN_GRANTED_AT: &str = "panel-access_column_granted_at";
/// `panel-access_column_actions`: Actions
pub const ACCESS_COLUMN_ACTIONS: &str = "panel-access_column_actions";
/// `panel-access_user_id`: User { $id }
pub const ACCESS_USER_ID: &str = "panel-access_user_id";
/// `panel-access_revoke`: Revoke
pub const ACCESS_REVOKE: &str = "panel-access_revoke";
/// `panel-access_revoke_label`: Revoke { $user }'s access
pub const ACCESS_REVOKE_LABEL: &str = "panel-access_revoke_label";
/// `panel-access_grant_title`: Grant access to a member
pub const ACCESS_GRANT_TITLE: &str = "panel-access_grant_title";
/// `panel-access_user`: User ID
pub const ACCESS_USER: &str = "panel-access_user";
/// `panel-access_user_hint`: A member of this server. In Discord, with Developer Mode on, right-click them and choose Copy User ID.
pub const ACCESS_USER_HINT: &str = "panel-access_user_hint";
/// `panel-access_grant`: Grant access
pub const ACCESS_GRANT: &str = "panel-access_grant";
/// `panel-access_not_an_id`: Enter a user ID: a number such as 123456789012345678. Nothing was changed.
pub const ACCESS_NOT_AN_ID: &str = "panel-access_not_an_id";
/// `panel-access_not_member`: User { $id } is not a member of this server, and only its members can be granted access. Nothing was changed.
pub const ACCESS_NOT_MEMBER: &str = "panel-access_not_member";
/// `panel-access_already`: { $user } already has access. Nothing was changed.
pub const ACCESS_ALREADY: &str = "panel-access_already";
/// `panel-access_not_granted`: { $user } had no access to revoke. Nothing was changed.
pub const ACCESS_NOT_GRANTED: &str = "panel-access_not_granted";
/// `panel-access_granted`: { $user } now has access to this server in the panel.
pub const ACCESS_GRANTED: &str = "panel-access_granted";
/// `panel-access_revoked`: { $user } no longer has access.
pub const ACCESS_REVOKED: &str = "panel-access_revoked";
/// `panel-settings_link`: Settings
pub const SETTINGS_LINK: &str = "panel-settings_link";
/// `panel-settings_title`: Settings of { $server }
pub const SETTINGS_TITLE: &str = "panel-settings_title";
/// `panel-settings_server`: The whole server
pub const SETTINGS_SERVER: &str = "panel-settings_server";
/// `panel-settings_panels`: Panels
pub const SETTINGS_PANELS: &str = "panel-settings_panels";
/// `panel-settings_panel`: Panel “{ $name }” in channel { $channel }
pub const SETTINGS_PANEL: &str = "panel-settings_panel";
/// `panel-settings_panel_unnamed`: Panel in channel { $channel }
pub const SETTINGS_PANEL_UNNAMED: &str = "panel-settings_panel_unnamed";
/// `panel-settings_channel`: channel { $id }
pub const SETTINGS_CHANNEL: &str = "panel-settings_channel";
/// `panel-settings_channel_hint`: Change these two with /settings set in Discord.
pub const SETTINGS_CHANNEL_HINT: &str = "panel-settings_channel_hint";
/// `panel-settings_staff_hint`: Members of the checked roles answer tickets. At most 5 roles added and 5 removed in one save, as with /staff.
pub const SETTINGS_STAFF_HINT: &str = "panel-settings_staff_hint";
/// `panel-settings_no_roles`: This server has no role but @everyone, which cannot be staff.
pub const SETTINGS_NO_ROLES: &str = "panel-settings_no_roles";
/// `panel-settings_deleted_role`: Deleted role ({ $id })
pub const SETTINGS_DELETED_ROLE: &str = "panel-settings_deleted_role";
/// `panel-settings_mention_staff`: Staff roles mentioned on new tickets
pub const SETTINGS_MENTION_STAFF: &str = "panel-settings_mention_staff";
/// `panel-settings_timezone`: Time zone of the support hours
pub const SETTINGS_TIMEZONE: &str = "panel-settings_timezone";
/// `panel-settings_hours_hint`: Days and a time window, such as mon-fri 09:00-18:00. Empty: always.
pub const SETTINGS_HOURS_HINT: &str = "panel-settings_hours_hint";
/// `panel-settings_timezone_hint`: An offset from UTC, such as +01:00 or UTC-5.
pub const SETTINGS_TIMEZONE_HINT: &str = "panel-settings_timezone_hint";
/// `panel-settings_in_hours`: In hours.
pub const SETTINGS_IN_HOURS: &str = "panel-settings_in_hours";
/// `panel-settings_in_hours_off`: In hours; 0 turns it off.
pub const SETTINGS_IN_HOURS_OFF: &str = "panel-settings_in_hours_off";
/// `panel-settings_panel_auto_close_hint`: In hours. Empty: the server’s setting; 0: never on this panel.
pub const SETTINGS_PANEL_AUTO_CLOSE_HINT: &str = "panel-settings_panel_auto_close_hint";
/// `panel-settings_in_seconds`: In seconds.
pub const SETTINGS_IN_SECONDS: &str = "panel-settings_in_seconds";
/// `panel-settings_in_days`: In days.
pub const SETTINGS_IN_DAYS: &str = "panel-settings_in_days";
/// `panel-settings_save`: Save
pub const SETTINGS_SAVE: &str = "panel-settings_save";
/// `panel-settings_saved`: Settings saved.
pub const SETTINGS_SAVED: &str = "panel-settings_saved";
/// `panel-settings_conflict`: These settings were changed meanwhile by someone else. Nothing was saved: here they are as they are now. Make your changes again, then save.
pub const SETTINGS_CONFLICT: &str = "panel-settings_conflict";
/// `panel-settings_invalid`: Nothing was saved. Correct the fields marked below, then save again.
pub const SETTINGS_INVALID: &str = "panel-settings_invalid";
/// `panel-settings_not_a_number`: Enter a whole number, such as 3.
pub const SETTINGS_NOT_A_NUMBER: &str = "panel-settings_not_a_number";
/// `panel-templates_link`: Templates
pub const TEMPLATES_LINK: &str = "panel-templates_link";
/// `panel-templates_title`: Templates of { $server }
pub const TEMPLATES_TITLE: &str = "panel-templates_title";
/// `panel-templates_intro`: The welcome message posted in each new ticket, and the name given to its channel or thread. A topic can have its own; left empty, its tickets use the server’s.
pub const TEMPLATES_INTRO: &str = "panel-templates_intro";
/// `panel-templates_placeholders`: Placeholders
pub const TEMPLATES_PLACEHOLDERS: &str = "panel-templates_placeholders";
/// `panel-templates_placeholders_hint`: Each is replaced by its value when a ticket opens; also written as ${author}. Write $$ for a plain dollar sign.
pub const TEMPLATES_PLACEHOLDERS_HINT: &str = "panel-templates_placeholders_hint";
/// `panel-templates_author`: The member who opened the ticket: a mention in the welcome message, their name in a channel name.
pub const TEMPLATES_AUTHOR: &str = "panel-templates_author";
/// `panel-templates_staff`: The ticket’s staff roles: mentions in the welcome message, “staff” in a channel name.
pub const TEMPLATES_STAFF: &str = "panel-templates_staff";
/// `panel-templates_topic`: The topic’s name (empty without a topic).
pub const TEMPLATES_TOPIC: &str = "panel-templates_topic";
/// `panel-templates_reason`: The reason the member gave (empty without one).
pub const TEMPLATES_REASON: &str = "panel-templates_reason";
/// `panel-templates_counter`: The ticket’s number on this server, at least 4 digits: 0042.
pub const TEMPLATES_COUNTER: &str = "panel-templates_counter";
/// `panel-templates_year`: The year it opened (UTC): 2026.
pub const TEMPLATES_YEAR: &str = "panel-templates_year";
/// `panel-templates_month`: The month it opened, 2 digits: 03.
pub const TEMPLATES_MONTH: &str = "panel-templates_month";
/// `panel-templates_day`: The day of the month it opened, 2 digits: 07.
pub const TEMPLATES_DAY: &str = "panel-templates_day";
/// `panel-templates_topic_section`: Topic “{ $name }”
pub const TEMPLATES_TOPIC_SECTION: &str = "panel-templates_topic_section";
/// `panel-templates_topic_hint`: Empty: the server’s template.
pub const TEMPLATES_TOPIC_HINT: &str = "panel-templates_topic_hint";
/// `panel-templates_preview`: Preview
pub const TEMPLATES_PREVIEW: &str = "panel-templates_preview";
/// `panel-templates_preview_hint`: Previews show ticket 42, opened today by you with the reason “{ $reason }”, in the topic “{ $topic }” where the server’s templates are shown.
pub const TEMPLATES_PREVIEW_HINT: &str = "panel-templates_preview_hint";
/// `panel-templates_sample_reason`: My order has not arrived
pub const TEMPLATES_SAMPLE_REASON: &str = "panel-templates_sample_reason";
/// `panel-templates_sample_topic`: Orders
pub const TEMPLATES_SAMPLE_TOPIC: &str = "panel-templates_sample_topic";
/// `panel-templates_show_preview`: Preview without saving
pub const TEMPLATES_SHOW_PREVIEW: &str = "panel-templates_show_preview";
/// `panel-templates_previewed`: Here is the preview of what you typed. Nothing is saved until you save.
pub const TEMPLATES_PREVIEWED: &str = "panel-templates_previewed";
/// `panel-templates_saved`: Templates saved.
pub const TEMPLATES_SAVED: &str = "panel-templates_saved";
/// `panel-templates_conflict`: These templates were changed meanwhile by someone else. Nothing was saved: here they are as they are now. Make your changes again, then save.
pub const TEMPLATES_CONFLICT: &str = "panel-templates_conflict";
/// `panel-guild_title`: Tickets of { $server }
pub const GUILD_TITLE: &str = "panel-guild_title";
/// `panel-filter_any`: Any
pub const FILTER_ANY: &str = "panel-filter_any";
/// `panel-filter_opener`: Opener (user ID)
pub const FILTER_OPENER: &str = "panel-filter_opener";
/// `panel-filter_staff`: Staff (user ID)
pub const FILTER_STAFF: &str = "panel-filter_staff";
/// `panel-filter_from`: Opened from
pub const FILTER_FROM: &str = "panel-filter_from";
/// `panel-filter_to`: Opened until
pub const FILTER_TO: &str = "panel-filter_to";
/// `panel-filter_search`: Search the transcripts
pub const FILTER_SEARCH: &str = "panel-filter_search";
/// `panel-filter_apply`: Show
pub const FILTER_APPLY: &str = "panel-filter_apply";
/// `panel-stats_link`: Statistics
pub const STATS_LINK: &str = "panel-stats_link";
/// `panel-stats_title`: Statistics of { $server }
pub const STATS_TITLE: &str = "panel-stats_title";
/// `panel-stats_open`: Open
pub const STATS_OPEN: &str = "panel-stats_open";
/// `panel-stats_pending`: Awaiting approval
pub const STATS_PENDING: &str = "panel-stats_pending";
/// `panel-stats_server`: The whole server
pub const STATS_SERVER: &str = "panel-stats_server";
/// `panel-stats_figure`: Figure
pub const STATS_FIGURE: &str = "panel-stats_figure";
/// `panel-stats_created`: Created
pub const STATS_CREATED: &str = "panel-stats_created";
/// `panel-stats_closed`: Closed
pub const STATS_CLOSED: &str = "panel-stats_closed";
/// `panel-stats_first_median`: First response, median
pub const STATS_FIRST_MEDIAN: &str = "panel-stats_first_median";
/// `panel-stats_first_p90`: First response, 90th percentile
pub const STATS_FIRST_P90: &str = "panel-stats_first_p90";
/// `panel-stats_resolution_median`: Resolution, median
pub const STATS_RESOLUTION_MEDIAN: &str = "panel-stats_resolution_median";
/// `panel-stats_resolution_p90`: Resolution, 90th percentile
pub const STATS_RESOLUTION_P90: &str = "panel-stats_resolution_p90";
/// `panel-stats_rating`: Average rating
pub const STATS_RATING: &str = "panel-stats_rating";
/// `panel-stats_rating_value`: { $average }/5 ({ $count } ratings)
pub const STATS_RATING_VALUE: &str = "panel-stats_rating_value";
/// `panel-stats_note`: Created counts the tickets opened in the period, and their first responses are timed; closed counts the tickets closed in it, and their resolutions are timed.
pub const STATS_NOTE: &str = "panel-stats_note";
/// `panel-stats_chart_title`: Tickets created per day over the last 30 days (UTC)
pub const STATS_CHART_TITLE: &str = "panel-stats_chart_title";
/// `panel-stats_chart_summary`: { $total } tickets created over these 30 days, at most { $max } in one day.
pub const STATS_CHART_SUMMARY: &str = "panel-stats_chart_summary";
/// `panel-stats_chart_bar`: { $day }: { $count } tickets
pub const STATS_CHART_BAR: &str = "panel-stats_chart_bar";
/// `panel-stats_chart_day`: Day
pub const STATS_CHART_DAY: &str = "panel-stats_chart_day";
/// `panel-stats_chart_count`: Tickets created
pub const STATS_CHART_COUNT: &str = "panel-stats_chart_count";
/// `panel-stats_staff`: Staff members
pub const STATS_STAFF: &str = "panel-stats_staff";
/// `panel-stats_staff_intro`: Everyone who claimed a ticket or closed one they did not open. Claimed counts the tickets they claimed in the period; closed, the tickets they closed in it.
pub const STATS_STAFF_INTRO: &str = "panel-stats_staff_intro";
/// `panel-stats_staff_member`: Staff member
pub const STATS_STAFF_MEMBER: &str = "panel-stats_staff_member";
/// `panel-stats_claimed_open`: Claimed and open now
pub const STATS_CLAIMED_OPEN: &str = "panel-stats_claimed_open";
/// `panel-stats_claimed`: Claimed
pub const STATS_CLAIMED: &str = "panel-stats_claimed";
/// `panel-stats_no_staff`: No one has claimed or closed a ticket yet.
pub const STATS_NO_STAFF: &str = "panel-stats_no_staff";
/// `panel-stats_staff_more`: The { $shown } most active of { $total } staff members are shown.
pub const STATS_STAFF_MORE: &str = "panel-stats_staff_more";
/// `panel-stats_period`: Period
pub const STATS_PERIOD: &str = "panel-stats_period";

/// `panel-state_link`: Turn tickets on or off
pub const STATE_LINK: &str = "panel-state_link";
/// `panel-state_title`: Tickets on { $server }
pub const STATE_TITLE: &str = "panel-state_title";
/// `panel-state_on`: Tickets are on: members can open them.
pub const STATE_ON: &str = "panel-state_on";
/// `panel-state_off`: Tickets are off: members cannot open new ones; open tickets go on as they are.
pub const STATE_OFF: &str = "panel-state_off";
/// `panel-state_disable`: Turn tickets off…
pub const STATE_DISABLE: &str = "panel-state_disable";
/// `panel-state_confirm`: Turn tickets off? Members will not be able to open any until an admin turns them back on; open tickets stay as they are.
pub const STATE_CONFIRM: &str = "panel-state_confirm";
/// `panel-state_cancel`: Keep them on
pub const STATE_CANCEL: &str = "panel-state_cancel";
/// `panel-state_enable`: Turn tickets on
pub const STATE_ENABLE: &str = "panel-state_enable";
/// `panel-state_saved`: Done.
pub const STATE_SAVED: &str = "panel-state_saved";
/// `panel-state_reset`: Erasing the configuration also removes the panel's message on Discord: run /helpline reset on the server to do it.
pub const STATE_RESET: &str = "panel-state_reset";

/// Every key above.
/// `panel-setup_link`: Set Helpline up, or again
pub const SETUP_LINK: &str = "panel-setup_link";
/// `panel-setup_title`: Set Helpline up on { $server }
pub const SETUP_TITLE: &str = "panel-setup_title";
/// `panel-setup_intro`: Helpline creates — or reuses — a category for tickets, a channel with the panel members open tickets from, and a private log channel for transcripts; then it posts the panel. The bot does it on Discord within a few seconds.
pub const SETUP_INTRO: &str = "panel-setup_intro";
/// `panel-setup_already`: Helpline is set up here: its panel is in { $channel }. To install it again (reusing what still exists), tick the box below.
pub const SETUP_ALREADY: &str = "panel-setup_already";
/// `panel-setup_panel_channel`: Panel channel
pub const SETUP_PANEL_CHANNEL: &str = "panel-setup_panel_channel";
/// `panel-setup_log_channel`: Log channel (private: transcripts go there)
pub const SETUP_LOG_CHANNEL: &str = "panel-setup_log_channel";
/// `panel-setup_category`: Category of new tickets
pub const SETUP_CATEGORY: &str = "panel-setup_category";
/// `panel-setup_create`: Create one
pub const SETUP_CREATE: &str = "panel-setup_create";
/// `panel-setup_language`: Language of the server's messages
pub const SETUP_LANGUAGE: &str = "panel-setup_language";
/// `panel-setup_force`: Install again over the current setup
pub const SETUP_FORCE: &str = "panel-setup_force";
/// `panel-setup_submit`: Set up
pub const SETUP_SUBMIT: &str = "panel-setup_submit";
/// `panel-setup_asked`: Asked. The bot is doing it on Discord; reload this page to see the outcome below.
pub const SETUP_ASKED: &str = "panel-setup_asked";
/// `panel-setup_reset_done`: The configuration was erased; the bot takes the panels' messages down. Tickets and transcripts are kept.
pub const SETUP_RESET_DONE: &str = "panel-setup_reset_done";
/// `panel-setup_not_set_up`: not set up yet
pub const SETUP_NOT_SET_UP: &str = "panel-setup_not_set_up";
/// `panel-jobs_title`: Recent changes on Discord
pub const JOBS_TITLE: &str = "panel-jobs_title";
/// `panel-job_setup`: Setup
pub const JOB_SETUP: &str = "panel-job_setup";
/// `panel-job_show_panels`: Panel messages updated
pub const JOB_SHOW_PANELS: &str = "panel-job_show_panels";
/// `panel-job_remove_messages`: Old panel messages removed
pub const JOB_REMOVE_MESSAGES: &str = "panel-job_remove_messages";
/// `panel-job_pending`: waiting for the bot (failed attempts so far: { $attempts })
pub const JOB_PENDING: &str = "panel-job_pending";
/// `panel-job_done`: done
pub const JOB_DONE: &str = "panel-job_done";
/// `panel-job_failed`: failed: Discord kept refusing. Nothing was left half-done; try again later.
pub const JOB_FAILED: &str = "panel-job_failed";
/// `panel-job_refused_already`: refused: Helpline is set up already (its panel is in { $channel }); tick “Install again” to reinstall.
pub const JOB_REFUSED_ALREADY: &str = "panel-job_refused_already";
/// `panel-job_refused_wrong_channel`: refused: { $channel } is not a channel of the right kind.
pub const JOB_REFUSED_WRONG_CHANNEL: &str = "panel-job_refused_wrong_channel";
/// `panel-job_refused_public_log`: refused: everyone can read { $channel }, so transcripts would be public. Choose a private channel, or let Helpline create one.
pub const JOB_REFUSED_PUBLIC_LOG: &str = "panel-job_refused_public_log";
/// `panel-job_refused_permissions`: refused: the bot lacks permissions it needs on this server (View Channels, Manage Channels, Manage Roles, Send Messages…). Give them back, then try again.
pub const JOB_REFUSED_PERMISSIONS: &str = "panel-job_refused_permissions";
/// `panel-job_refused_not_set_up`: refused: Helpline is no longer set up on this server.
pub const JOB_REFUSED_NOT_SET_UP: &str = "panel-job_refused_not_set_up";
/// `panel-job_refused_not_in_guild`: refused: the bot is not on this server any more.
pub const JOB_REFUSED_NOT_IN_GUILD: &str = "panel-job_refused_not_in_guild";
/// `panel-panels_link`: Panels and topics
pub const PANELS_LINK: &str = "panel-panels_link";
/// `panel-panels_title`: Panels and topics of { $server }
pub const PANELS_TITLE: &str = "panel-panels_title";
/// `panel-panels_saved`: Saved. The bot shows the change on Discord within a few seconds.
pub const PANELS_SAVED: &str = "panel-panels_saved";
/// `panel-panels_heading`: Panels
pub const PANELS_HEADING: &str = "panel-panels_heading";
/// `panel-topics_heading`: Topics
pub const TOPICS_HEADING: &str = "panel-topics_heading";
/// `panel-panel_name`: Name
pub const PANEL_NAME: &str = "panel-panel_name";
/// `panel-panel_channel`: Channel
pub const PANEL_CHANNEL: &str = "panel-panel_channel";
/// `panel-panel_style`: Topics shown as
pub const PANEL_STYLE: &str = "panel-panel_style";
/// `panel-panel_style_buttons`: Buttons
pub const PANEL_STYLE_BUTTONS: &str = "panel-panel_style_buttons";
/// `panel-panel_style_select`: A select menu
pub const PANEL_STYLE_SELECT: &str = "panel-panel_style_select";
/// `panel-panel_title`: Title (empty: the default)
pub const PANEL_TITLE: &str = "panel-panel_title";
/// `panel-panel_description`: Description (empty: the default)
pub const PANEL_DESCRIPTION: &str = "panel-panel_description";
/// `panel-panel_copied`: This panel shows a copy of a message chosen on Discord; choose another there with “Use as ticket panel”.
pub const PANEL_COPIED: &str = "panel-panel_copied";
/// `panel-panel_posted`: Posted in { $channel }
pub const PANEL_POSTED: &str = "panel-panel_posted";
/// `panel-panel_not_posted`: Not posted yet
pub const PANEL_NOT_POSTED: &str = "panel-panel_not_posted";
/// `panel-panel_save`: Save the panel
pub const PANEL_SAVE: &str = "panel-panel_save";
/// `panel-panel_repost`: Post it again
pub const PANEL_REPOST: &str = "panel-panel_repost";
/// `panel-panel_delete`: Delete…
pub const PANEL_DELETE: &str = "panel-panel_delete";
/// `panel-panel_create`: Create a panel
pub const PANEL_CREATE: &str = "panel-panel_create";
/// `panel-panel_delete_confirm`: Delete the panel { $panel }? Its message is taken down from Discord; its topics stay, and open tickets go on.
pub const PANEL_DELETE_CONFIRM: &str = "panel-panel_delete_confirm";
/// `panel-topic_panels`: Offered on
pub const TOPIC_PANELS: &str = "panel-topic_panels";
/// `panel-topic_default_category`: The server's default
pub const TOPIC_DEFAULT_CATEGORY: &str = "panel-topic_default_category";
/// `panel-topic_category`: Category its tickets go to
pub const TOPIC_CATEGORY: &str = "panel-topic_category";
/// `panel-topic_name`: Name
pub const TOPIC_NAME: &str = "panel-topic_name";
/// `panel-topic_description`: Description
pub const TOPIC_DESCRIPTION: &str = "panel-topic_description";
/// `panel-topic_emoji`: Emoji
pub const TOPIC_EMOJI: &str = "panel-topic_emoji";
/// `panel-topic_save`: Save the topic
pub const TOPIC_SAVE: &str = "panel-topic_save";
/// `panel-topic_remove`: Remove…
pub const TOPIC_REMOVE: &str = "panel-topic_remove";
/// `panel-topic_add`: Add a topic
pub const TOPIC_ADD: &str = "panel-topic_add";
/// `panel-topic_remove_confirm`: Remove the topic { $topic }? Its tickets stay.
pub const TOPIC_REMOVE_CONFIRM: &str = "panel-topic_remove_confirm";
/// `panel-confirm`: Yes, do it
pub const CONFIRM: &str = "panel-confirm";
/// `panel-cancel`: Cancel
pub const STATE_CANCEL_GENERIC: &str = "panel-cancel";
/// `panel-state_reset_title`: Erase the configuration
pub const STATE_RESET_TITLE: &str = "panel-state_reset_title";
/// `panel-state_reset_button`: Erase the configuration…
pub const STATE_RESET_BUTTON: &str = "panel-state_reset_button";
/// `panel-state_reset_confirm`: Erase Helpline's configuration on { $server }? Every panel, topic and setting goes, and the bot takes the panels' messages down. Tickets and transcripts are kept. This cannot be undone.
pub const STATE_RESET_CONFIRM: &str = "panel-state_reset_confirm";

/// `panel-job_line`: { $task }: { $outcome }
pub const JOB_LINE: &str = "panel-job_line";

pub const ALL: &[&str] = &[
    NAVIGATION,
    MY_TICKETS,
    SERVERS,
    SIGN_IN,
    SIGN_OUT,
    HOME_INTRO,
    NOT_FOUND_TITLE,
    NOT_FOUND,
    FAILED_TITLE,
    FAILED,
    SIGN_IN_FAILED,
    SIGN_IN_EXPIRED,
    SIGN_IN_DENIED,
    FORM_EXPIRED_TITLE,
    FORM_EXPIRED,
    NO_TICKETS,
    OLDER,
    COLUMN_NUMBER,
    COLUMN_SERVER,
    COLUMN_STATE,
    COLUMN_TOPIC,
    COLUMN_OPENER,
    COLUMN_OPENED,
    COLUMN_CLOSED,
    TICKET_TITLE,
    HISTORY,
    TRANSCRIPT,
    EVENT_CREATED,
    EVENT_OPENED,
    EVENT_CLAIMED,
    EVENT_CLOSED,
    EVENT_REOPENED,
    EVENT_DELETED,
    NO_SERVERS,
    ACCESS_LINK,
    ACCESS_TITLE,
    ACCESS_INTRO,
    ACCESS_NONE,
    ACCESS_COLUMN_USER,
    ACCESS_COLUMN_GRANTED_BY,
    ACCESS_COLUMN_GRANTED_AT,
    ACCESS_COLUMN_ACTIONS,
    ACCESS_USER_ID,
    ACCESS_REVOKE,
    ACCESS_REVOKE_LABEL,
    ACCESS_GRANT_TITLE,
    ACCESS_USER,
    ACCESS_USER_HINT,
    ACCESS_GRANT,
    ACCESS_NOT_AN_ID,
    ACCESS_NOT_MEMBER,
    ACCESS_ALREADY,
    ACCESS_NOT_GRANTED,
    ACCESS_GRANTED,
    ACCESS_REVOKED,
    SETTINGS_LINK,
    SETTINGS_TITLE,
    SETTINGS_SERVER,
    SETTINGS_PANELS,
    SETTINGS_PANEL,
    SETTINGS_PANEL_UNNAMED,
    SETTINGS_CHANNEL,
    SETTINGS_CHANNEL_HINT,
    SETTINGS_STAFF_HINT,
    SETTINGS_NO_ROLES,
    SETTINGS_DELETED_ROLE,
    SETTINGS_MENTION_STAFF,
    SETTINGS_TIMEZONE,
    SETTINGS_HOURS_HINT,
    SETTINGS_TIMEZONE_HINT,
    SETTINGS_IN_HOURS,
    SETTINGS_IN_HOURS_OFF,
    SETTINGS_PANEL_AUTO_CLOSE_HINT,
    SETTINGS_IN_SECONDS,
    SETTINGS_IN_DAYS,
    SETTINGS_SAVE,
    SETTINGS_SAVED,
    SETTINGS_CONFLICT,
    SETTINGS_INVALID,
    SETTINGS_NOT_A_NUMBER,
    TEMPLATES_LINK,
    TEMPLATES_TITLE,
    TEMPLATES_INTRO,
    TEMPLATES_PLACEHOLDERS,
    TEMPLATES_PLACEHOLDERS_HINT,
    TEMPLATES_AUTHOR,
    TEMPLATES_STAFF,
    TEMPLATES_TOPIC,
    TEMPLATES_REASON,
    TEMPLATES_COUNTER,
    TEMPLATES_YEAR,
    TEMPLATES_MONTH,
    TEMPLATES_DAY,
    TEMPLATES_TOPIC_SECTION,
    TEMPLATES_TOPIC_HINT,
    TEMPLATES_PREVIEW,
    TEMPLATES_PREVIEW_HINT,
    TEMPLATES_SAMPLE_REASON,
    TEMPLATES_SAMPLE_TOPIC,
    TEMPLATES_SHOW_PREVIEW,
    TEMPLATES_PREVIEWED,
    TEMPLATES_SAVED,
    TEMPLATES_CONFLICT,
    GUILD_TITLE,
    FILTER_ANY,
    FILTER_OPENER,
    FILTER_STAFF,
    FILTER_FROM,
    FILTER_TO,
    FILTER_SEARCH,
    FILTER_APPLY,
    STATS_LINK,
    STATS_TITLE,
    STATS_OPEN,
    STATS_PENDING,
    STATS_SERVER,
    STATS_FIGURE,
    STATS_CREATED,
    STATS_CLOSED,
    STATS_FIRST_MEDIAN,
    STATS_FIRST_P90,
    STATS_RESOLUTION_MEDIAN,
    STATS_RESOLUTION_P90,
    STATS_RATING,
    STATS_RATING_VALUE,
    STATS_NOTE,
    STATS_CHART_TITLE,
    STATS_CHART_SUMMARY,
    STATS_CHART_BAR,
    STATS_CHART_DAY,
    STATS_CHART_COUNT,
    STATS_STAFF,
    STATS_STAFF_INTRO,
    STATS_STAFF_MEMBER,
    STATS_CLAIMED_OPEN,
    STATS_CLAIMED,
    STATS_NO_STAFF,
    STATS_STAFF_MORE,
    STATS_PERIOD,
    STATE_LINK,
    STATE_TITLE,
    STATE_ON,
    STATE_OFF,
    STATE_DISABLE,
    STATE_CONFIRM,
    STATE_CANCEL,
    STATE_ENABLE,
    STATE_SAVED,
    STATE_RESET,
    JOB_LINE,
    SETUP_LINK,
    SETUP_TITLE,
    SETUP_INTRO,
    SETUP_ALREADY,
    SETUP_PANEL_CHANNEL,
    SETUP_LOG_CHANNEL,
    SETUP_CATEGORY,
    SETUP_CREATE,
    SETUP_LANGUAGE,
    SETUP_FORCE,
    SETUP_SUBMIT,
    SETUP_ASKED,
    SETUP_RESET_DONE,
    SETUP_NOT_SET_UP,
    JOBS_TITLE,
    JOB_SETUP,
    JOB_SHOW_PANELS,
    JOB_REMOVE_MESSAGES,
    JOB_PENDING,
    JOB_DONE,
    JOB_FAILED,
    JOB_REFUSED_ALREADY,
    JOB_REFUSED_WRONG_CHANNEL,
    JOB_REFUSED_PUBLIC_LOG,
    JOB_REFUSED_PERMISSIONS,
    JOB_REFUSED_NOT_SET_UP,
    JOB_REFUSED_NOT_IN_GUILD,
    PANELS_LINK,
    PANELS_TITLE,
    PANELS_SAVED,
    PANELS_HEADING,
    TOPICS_HEADING,
    PANEL_NAME,
    PANEL_CHANNEL,
    PANEL_STYLE,
    PANEL_STYLE_BUTTONS,
    PANEL_STYLE_SELECT,
    PANEL_TITLE,
    PANEL_DESCRIPTION,
    PANEL_COPIED,
    PANEL_POSTED,
    PANEL_NOT_POSTED,
    PANEL_SAVE,
    PANEL_REPOST,
    PANEL_DELETE,
    PANEL_CREATE,
    PANEL_DELETE_CONFIRM,
    TOPIC_PANELS,
    TOPIC_DEFAULT_CATEGORY,
    TOPIC_CATEGORY,
    TOPIC_NAME,
    TOPIC_DESCRIPTION,
    TOPIC_EMOJI,
    TOPIC_SAVE,
    TOPIC_REMOVE,
    TOPIC_ADD,
    TOPIC_REMOVE_CONFIRM,
    CONFIRM,
    STATE_CANCEL_GENERIC,
    STATE_RESET_TITLE,
    STATE_RESET_BUTTON,
    STATE_RESET_CONFIRM,
];
