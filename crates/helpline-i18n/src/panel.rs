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

/// Every key above.
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
    GUILD_TITLE,
    FILTER_ANY,
    FILTER_OPENER,
    FILTER_STAFF,
    FILTER_FROM,
    FILTER_TO,
    FILTER_SEARCH,
    FILTER_APPLY,
];
