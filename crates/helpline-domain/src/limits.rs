//! Discord's limits that Helpline's configuration must respect, and the helpers that cut text to
//! them. Lengths are counted in characters (Unicode scalar values), as Discord counts them.

/// Options in one select menu.
pub const SELECT_OPTIONS: usize = 25;
/// Buttons in one action row.
pub const BUTTONS_PER_ROW: usize = 5;
/// Action rows in one message.
pub const ACTION_ROWS: usize = 5;
/// A button's label.
pub const BUTTON_LABEL: usize = 80;
/// A select option's label, value or description.
pub const SELECT_OPTION_TEXT: usize = 100;
/// A select menu's placeholder.
pub const SELECT_PLACEHOLDER: usize = 150;
/// A channel's or thread's name.
pub const CHANNEL_NAME: usize = 100;
/// Components (inputs) in one modal.
pub const MODAL_COMPONENTS: usize = 5;
/// A modal's title.
pub const MODAL_TITLE: usize = 45;
/// A text input's label.
pub const TEXT_INPUT_LABEL: usize = 45;
/// A text input's placeholder.
pub const TEXT_INPUT_PLACEHOLDER: usize = 100;
/// A text input's value.
pub const TEXT_INPUT_VALUE: usize = 4000;
/// A message's content.
pub const MESSAGE_CONTENT: usize = 2000;
/// An embed's title.
pub const EMBED_TITLE: usize = 256;
/// An embed's description.
pub const EMBED_DESCRIPTION: usize = 4096;
/// A component's custom id.
pub const CUSTOM_ID: usize = 100;
/// An audit-log reason (`X-Audit-Log-Reason`), which Helpline also uses for ticket reasons.
pub const REASON: usize = 512;

/// The number of characters in `text`, as Discord counts a length.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// `text` cut to at most `max` characters, ending with `…` when anything was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if char_len(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Discord renames a channel at most this many times per [`RENAME_WINDOW`].
pub const RENAMES_PER_WINDOW: usize = 2;
/// The window of Discord's channel-rename limit.
pub const RENAME_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
        assert_eq!(char_len(&truncate(&"é".repeat(300), 100)), 100);
        assert_eq!(truncate("abc", 0), "");
    }
}
