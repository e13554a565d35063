//! A change of a guild's settings (A6) as an admin gives it, in Discord (`/settings set`) or on
//! the web panel's settings page. Both build a [`SettingsChange`] from what was typed and apply
//! it here, so that a value refused in one place is refused in the other with the same error.

use crate::config::{ApprovalMode, GuildConfig, Language, OpenerLeaves, ReasonMode, TicketMode};
use crate::hours::SupportHours;
use crate::ids::ChannelId;
use crate::validation::ValidationError;

/// The words that turn support hours off.
const OFF: [&str; 3] = ["off", "none", "aucun"];

/// Settings to change; `None` leaves a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub language: Option<Language>,
    pub claim_announcement: Option<bool>,
    pub dm_on_close: Option<bool>,
    pub admin_close_deletes: Option<bool>,
    pub claim_restricts: Option<bool>,
    /// Mention the staff roles when a ticket opens (A4).
    pub mention_staff: Option<bool>,
    pub opener_leaves: Option<OpenerLeaves>,
    /// Hours without a message before a ticket closes; 0 turns auto-close off.
    pub auto_close_hours: Option<u32>,
    pub close_request_hours: Option<u32>,
    pub retention_days: Option<u32>,
    pub log_channel: Option<ChannelId>,
    pub default_category: Option<ChannelId>,
    /// Support hours as admins write them (`mon-fri 09:00-18:00`), or `off` (`none`, `aucun`).
    pub support_hours: Option<String>,
    /// The support hours' time zone (`+01:00`); given alone, the current hours move to it.
    pub timezone: Option<String>,
    /// The approval mode of every panel (`/panel edit` changes one panel's).
    pub approval: Option<ApprovalMode>,
    /// Whether a reason is required, on every panel.
    pub reason: Option<ReasonMode>,
    /// Channels or private threads, on every panel.
    pub ticket_mode: Option<TicketMode>,
    /// Open tickets per member, on every panel.
    pub open_limit: Option<u32>,
    /// Seconds between two opens of a member, on every panel.
    pub cooldown_secs: Option<u32>,
}

impl SettingsChange {
    /// Whether nothing is to change.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the change to `config` and checks every setting and every panel's settings
    /// against their ranges. Refused, `config` is left as it was.
    pub fn apply(&self, config: &mut GuildConfig) -> Result<(), ValidationError> {
        let mut next = config.clone();
        next.settings.support_hours = support_hours(
            next.settings.support_hours,
            self.support_hours.as_deref(),
            self.timezone.as_deref(),
        )?;
        let settings = &mut next.settings;
        if let Some(language) = self.language {
            settings.language = language;
        }
        if let Some(on) = self.claim_announcement {
            settings.claim_announcement = on;
        }
        if let Some(on) = self.dm_on_close {
            settings.dm_on_close = on;
        }
        if let Some(on) = self.admin_close_deletes {
            settings.admin_close_deletes = on;
        }
        if let Some(on) = self.claim_restricts {
            settings.claim_restricts = on;
        }
        if let Some(on) = self.mention_staff {
            settings.mention_staff = on;
        }
        if let Some(choice) = self.opener_leaves {
            settings.opener_leaves = choice;
        }
        if let Some(hours) = self.auto_close_hours {
            settings.auto_close_hours = (hours > 0).then_some(hours);
        }
        if let Some(hours) = self.close_request_hours {
            settings.close_request_hours = hours;
        }
        if let Some(days) = self.retention_days {
            settings.transcript_retention_days = days;
        }
        if let Some(channel) = self.log_channel {
            settings.log_channel = Some(channel);
        }
        if let Some(category) = self.default_category {
            settings.default_category = Some(category);
        }
        for panel in &mut next.panels {
            let panel = &mut panel.settings;
            if let Some(approval) = self.approval {
                panel.approval = approval;
            }
            if let Some(reason) = self.reason {
                panel.reason = reason;
            }
            if let Some(mode) = self.ticket_mode {
                panel.ticket_mode = mode;
            }
            if let Some(limit) = self.open_limit {
                panel.open_limit = limit;
            }
            if let Some(secs) = self.cooldown_secs {
                panel.cooldown_secs = secs;
            }
        }
        next.settings.validate()?;
        next.panels
            .iter()
            .try_for_each(|panel| panel.settings.validate())?;
        *config = next;
        Ok(())
    }
}

/// The support hours after a change: turned off, set (in UTC when no time zone is given), or
/// moved to another time zone.
fn support_hours(
    current: Option<SupportHours>,
    hours: Option<&str>,
    timezone: Option<&str>,
) -> Result<Option<SupportHours>, ValidationError> {
    match (hours, timezone) {
        (Some(off), _) if OFF.contains(&off.trim().to_lowercase().as_str()) => Ok(None),
        (Some(hours), timezone) => Ok(Some(SupportHours::parse(hours, timezone.unwrap_or("UTC"))?)),
        (None, Some(timezone)) => match current {
            Some(current) => Ok(Some(current.with_offset(timezone)?)),
            // A time zone alone is checked, and kept for no hours: nothing to change.
            None => {
                SupportHours::parse("mon 00:00-00:01", timezone)?;
                Ok(None)
            }
        },
        (None, None) => Ok(current),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Panel;
    use crate::ids::Id;
    use crate::validation::Field;

    fn guild() -> GuildConfig {
        let mut config = GuildConfig::new(Id::new(1));
        for channel in [5, 6] {
            config
                .add_panel(|id| Panel::new(id, Id::new(channel)))
                .unwrap();
        }
        config
    }

    #[test]
    fn panel_wide_settings_reach_every_panel() {
        let mut config = guild();
        SettingsChange {
            open_limit: Some(3),
            cooldown_secs: Some(0),
            approval: Some(ApprovalMode::Manual),
            auto_close_hours: Some(48),
            language: Some(Language::French),
            ..SettingsChange::default()
        }
        .apply(&mut config)
        .unwrap();
        for panel in &config.panels {
            assert_eq!(panel.settings.open_limit, 3);
            assert_eq!(panel.settings.cooldown_secs, 0);
            assert_eq!(panel.settings.approval, ApprovalMode::Manual);
        }
        assert_eq!(config.settings.auto_close_hours, Some(48));
        assert_eq!(config.settings.language, Language::French);
        SettingsChange {
            auto_close_hours: Some(0),
            ..SettingsChange::default()
        }
        .apply(&mut config)
        .unwrap();
        assert_eq!(config.settings.auto_close_hours, None, "0 turns it off");
        assert!(SettingsChange::default().is_empty());
    }

    #[test]
    fn a_refused_change_changes_nothing() {
        let mut config = guild();
        let before = config.clone();
        let change = SettingsChange {
            dm_on_close: Some(false),
            open_limit: Some(26),
            ..SettingsChange::default()
        };
        assert_eq!(
            change.apply(&mut config),
            Err(ValidationError::OutOfRange {
                field: Field::OpenLimit,
                min: 1,
                max: 25,
                actual: 26
            })
        );
        assert_eq!(config, before);
        let change = SettingsChange {
            retention_days: Some(0),
            ..SettingsChange::default()
        };
        assert!(matches!(
            change.apply(&mut config),
            Err(ValidationError::OutOfRange {
                field: Field::RetentionDays,
                ..
            })
        ));
        assert_eq!(config, before);
    }

    #[test]
    fn support_hours_are_set_moved_and_turned_off() {
        let mut config = guild();
        let set = |hours: Option<&str>, timezone: Option<&str>| SettingsChange {
            support_hours: hours.map(str::to_owned),
            timezone: timezone.map(str::to_owned),
            ..SettingsChange::default()
        };
        set(Some("mon-fri 09:00-18:00"), None)
            .apply(&mut config)
            .unwrap();
        let hours = config.settings.support_hours.unwrap();
        assert_eq!(
            hours.utc_offset_minutes, 0,
            "UTC when no time zone is given"
        );
        set(None, Some("+05:45")).apply(&mut config).unwrap();
        let moved = config.settings.support_hours.unwrap();
        assert_eq!((moved.utc_offset_minutes, moved.start), (345, hours.start));
        assert_eq!(
            set(None, Some("Paris")).apply(&mut config),
            Err(ValidationError::SupportHours)
        );
        assert_eq!(
            set(Some("whenever"), None).apply(&mut config),
            Err(ValidationError::SupportHours)
        );
        assert_eq!(config.settings.support_hours, Some(moved));
        set(Some("Off"), None).apply(&mut config).unwrap();
        assert_eq!(config.settings.support_hours, None);
        // A time zone alone, without hours, is checked and changes nothing.
        set(None, Some("UTC-5")).apply(&mut config).unwrap();
        assert_eq!(config.settings.support_hours, None);
        assert!(set(None, Some("later")).apply(&mut config).is_err());
    }
}
