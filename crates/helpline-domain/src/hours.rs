//! Support hours (A6): the weekdays and the daily window staff answer in, at a fixed offset
//! from UTC. A ticket opened outside them says when staff are back.
//!
//! Admins write them as they would say them: `mon-fri 09:00-18:00` (English or French day
//! names, ranges and lists: `lun,mer,ven 10:00-16:00`, `every day 08:00-20:00`), with a time
//! zone as an offset (`+01:00`, `UTC-5`, `UTC`). An offset does not follow daylight saving:
//! the admin sets it again when clocks change.

use crate::time::Timestamp;
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

const DAY_NAMES: [[&str; 2]; 7] = [
    ["mon", "lun"],
    ["tue", "mar"],
    ["wed", "mer"],
    ["thu", "jeu"],
    ["fri", "ven"],
    ["sat", "sam"],
    ["sun", "dim"],
];
const MINUTES_PER_DAY: i64 = 24 * 60;
/// Offsets from UTC in use on Earth: −12:00 to +14:00.
const MIN_OFFSET: i16 = -12 * 60;
const MAX_OFFSET: i16 = 14 * 60;

/// When staff answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportHours {
    /// Minutes east of UTC.
    pub utc_offset_minutes: i16,
    /// Monday first.
    pub days: [bool; 7],
    /// The window's start and end, in minutes after local midnight (start < end).
    pub start: u16,
    pub end: u16,
}

impl SupportHours {
    /// Reads `hours` (`mon-fri 09:00-18:00`) and `offset` (`+01:00`).
    pub fn parse(hours: &str, offset: &str) -> Result<Self, ValidationError> {
        let invalid = || ValidationError::SupportHours;
        let hours = hours.trim().to_lowercase();
        let (days_text, window) = hours.rsplit_once(' ').ok_or_else(invalid)?;
        let (start, end) = window.split_once('-').ok_or_else(invalid)?;
        let (start, end) = (
            clock(start).ok_or_else(invalid)?,
            clock(end).ok_or_else(invalid)?,
        );
        if start >= end {
            return Err(invalid());
        }
        let days_text = days_text.trim();
        let mut days = [false; 7];
        if matches!(
            days_text,
            "every day" | "daily" | "tous les jours" | "mon-sun" | "lun-dim"
        ) {
            days = [true; 7];
        } else {
            for part in days_text.split(',').map(str::trim) {
                match part.split_once('-') {
                    Some((from, to)) => {
                        let (from, to) =
                            (day(from).ok_or_else(invalid)?, day(to).ok_or_else(invalid)?);
                        let mut at = from;
                        loop {
                            days[at] = true;
                            if at == to {
                                break;
                            }
                            at = (at + 1) % 7;
                        }
                    }
                    None => days[day(part).ok_or_else(invalid)?] = true,
                }
            }
        }
        Ok(Self {
            utc_offset_minutes: parse_offset(offset).ok_or_else(invalid)?,
            days,
            start,
            end,
        })
    }

    /// The same hours at another offset (`+01:00`).
    pub fn with_offset(self, offset: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            utc_offset_minutes: parse_offset(offset).ok_or(ValidationError::SupportHours)?,
            ..self
        })
    }

    /// Local minutes since the epoch.
    fn local_minutes(self, at: Timestamp) -> i64 {
        at.as_secs().div_euclid(60) + i64::from(self.utc_offset_minutes)
    }

    /// Whether staff answer at `at`.
    pub fn is_open(self, at: Timestamp) -> bool {
        let local = self.local_minutes(at);
        let day = local.div_euclid(MINUTES_PER_DAY);
        let minute = local.rem_euclid(MINUTES_PER_DAY);
        self.days[weekday(day)] && (i64::from(self.start)..i64::from(self.end)).contains(&minute)
    }

    /// When staff are next in: `at` itself when they are; `None` when no day is set.
    pub fn next_open(self, at: Timestamp) -> Option<Timestamp> {
        if self.is_open(at) {
            return Some(at);
        }
        let local = self.local_minutes(at);
        let today = local.div_euclid(MINUTES_PER_DAY);
        (0..=7).find_map(|ahead| {
            let day = today + ahead;
            let start = day * MINUTES_PER_DAY + i64::from(self.start);
            (self.days[weekday(day)] && start > local)
                .then(|| Timestamp::from_secs((start - i64::from(self.utc_offset_minutes)) * 60))
        })
    }
}

/// Monday = 0 for a day number since the epoch (1970-01-01 was a Thursday).
fn weekday(day: i64) -> usize {
    usize::try_from((day + 3).rem_euclid(7)).unwrap_or(0)
}

fn day(name: &str) -> Option<usize> {
    let name = name.trim();
    DAY_NAMES
        .iter()
        .position(|names| names.iter().any(|n| name.starts_with(n) && name.len() >= 3))
}

/// `09:00`, `9:00` or `9h00` → minutes after midnight; `24:00` ends a day.
fn clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once([':', 'h'])?;
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let total = hours.checked_mul(60)?.checked_add(minutes)?;
    (minutes < 60 && total <= 24 * 60).then_some(total)
}

/// `+01:00`, `-05:30`, `UTC`, `UTC+2`, `GMT-3` → minutes east of UTC.
fn parse_offset(text: &str) -> Option<i16> {
    let text = text.trim().to_uppercase();
    let text = text
        .strip_prefix("UTC")
        .or_else(|| text.strip_prefix("GMT"))
        .unwrap_or(&text)
        .trim();
    if text.is_empty() || text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes()[0] {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i16>().ok()?, m.parse::<i16>().ok()?),
        None => (rest.parse::<i16>().ok()?, 0),
    };
    if !(0..60).contains(&minutes) {
        return None;
    }
    let offset = sign * (hours.checked_mul(60)?.checked_add(minutes)?);
    (MIN_OFFSET..=MAX_OFFSET)
        .contains(&offset)
        .then_some(offset)
}

impl fmt::Display for SupportHours {
    /// As admins write them: `mon-fri 09:00-18:00 UTC+01:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut runs: Vec<String> = Vec::new();
        let mut day = 0;
        while day < 7 {
            if !self.days[day] {
                day += 1;
                continue;
            }
            let first = day;
            while day + 1 < 7 && self.days[day + 1] {
                day += 1;
            }
            runs.push(if first == day {
                DAY_NAMES[first][0].to_owned()
            } else {
                format!("{}-{}", DAY_NAMES[first][0], DAY_NAMES[day][0])
            });
            day += 1;
        }
        let offset = self.utc_offset_minutes;
        let sign = if offset < 0 { '-' } else { '+' };
        write!(
            f,
            "{} {:02}:{:02}-{:02}:{:02} UTC{sign}{:02}:{:02}",
            runs.join(","),
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60,
            offset.unsigned_abs() / 60,
            offset.unsigned_abs() % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 was a Monday.
    fn monday_utc(hour: i64, minute: i64) -> Timestamp {
        Timestamp::from_secs(1_796_601_600 + hour * 3600 + minute * 60)
    }

    #[test]
    fn reads_what_admins_write() {
        let hours = SupportHours::parse("Mon-Fri 09:00-18:00", "+01:00").unwrap();
        assert_eq!(hours.days, [true, true, true, true, true, false, false]);
        assert_eq!(
            (hours.start, hours.end, hours.utc_offset_minutes),
            (540, 1080, 60)
        );
        assert_eq!(hours.to_string(), "mon-fri 09:00-18:00 UTC+01:00");
        let french = SupportHours::parse("lun,mer,ven 10h00-16h30", "UTC-5").unwrap();
        assert_eq!(french.to_string(), "mon,wed,fri 10:00-16:30 UTC-05:00");
        let wrapping = SupportHours::parse("fri-mon 08:00-20:00", "UTC").unwrap();
        assert_eq!(wrapping.to_string(), "mon,fri-sun 08:00-20:00 UTC+00:00");
        assert_eq!(
            SupportHours::parse("every day 00:00-24:00", "-03:30")
                .unwrap()
                .days,
            [true; 7]
        );
        for (hours, offset) in [
            ("mon-fri", "+01:00"),
            ("mon-fri 18:00-09:00", "+01:00"),
            ("funday 09:00-18:00", "+01:00"),
            ("mon 09:60-10:00", "+01:00"),
            ("mon 09:00-25:00", "+01:00"),
            ("mon 09:00-18:00", "+15:00"),
            ("mon 09:00-18:00", "Paris"),
        ] {
            assert_eq!(
                SupportHours::parse(hours, offset),
                Err(ValidationError::SupportHours),
                "{hours} {offset}"
            );
        }
    }

    #[test]
    fn open_and_next_open_follow_the_local_clock() {
        // 09:00-18:00 in UTC+01:00 is 08:00-17:00 UTC.
        let hours = SupportHours::parse("mon-fri 09:00-18:00", "+01:00").unwrap();
        assert!(!hours.is_open(monday_utc(7, 59)));
        assert!(hours.is_open(monday_utc(8, 0)));
        assert!(hours.is_open(monday_utc(16, 59)));
        assert!(!hours.is_open(monday_utc(17, 0)));
        assert_eq!(hours.next_open(monday_utc(10, 0)), Some(monday_utc(10, 0)));
        assert_eq!(hours.next_open(monday_utc(7, 0)), Some(monday_utc(8, 0)));
        assert_eq!(
            hours.next_open(monday_utc(18, 0)),
            Some(monday_utc(24 + 8, 0))
        );
        // Friday evening → Monday morning.
        let friday_evening = monday_utc(4 * 24 + 20, 0);
        assert_eq!(
            hours.next_open(friday_evening),
            Some(monday_utc(7 * 24 + 8, 0))
        );
        // Late Sunday UTC is already Monday in UTC+14.
        let kiribati = SupportHours::parse("mon 00:00-01:00", "+14:00").unwrap();
        assert!(kiribati.is_open(monday_utc(-14, 30)));
        let never = SupportHours {
            days: [false; 7],
            ..hours
        };
        assert_eq!(never.next_open(monday_utc(10, 0)), None);
    }
}
