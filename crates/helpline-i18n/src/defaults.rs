//! The configuration Helpline writes in the guild's words: the default welcome message in each
//! language, and a guild still on a default moved to its language's when that changes (after
//! `/settings set language`, `/setup` or the web panel's settings page alike).

use crate::Translator;
use crate::ui;
use helpline_domain::config::DEFAULT_WELCOME;
use helpline_domain::{GuildConfig, Language, Template};

impl Translator {
    /// The default welcome template in `language`: what a new guild gets, and what a guild
    /// still on a default gets when its language changes.
    pub fn default_welcome(&self, language: Language) -> Template {
        let first = self.text(language, ui::DEFAULT_WELCOME, &[]);
        Template::parse(&format!("{first}\n\n$reason")).unwrap_or_else(|_| default_english())
    }

    /// Moves a guild still on a default welcome template to `language`'s; a guild's own
    /// template is left as it is.
    pub fn follow_language(&self, config: &mut GuildConfig, language: Language) {
        let source = config.welcome_template.source().to_owned();
        let is_default = source == DEFAULT_WELCOME
            || Language::ALL
                .iter()
                .any(|l| self.default_welcome(*l).source() == source);
        if is_default {
            config.welcome_template = self.default_welcome(language);
        }
    }
}

fn default_english() -> Template {
    Template::parse(DEFAULT_WELCOME).expect("the default welcome parses")
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::Id;

    #[test]
    fn a_default_welcome_follows_the_language_and_an_own_one_stays() {
        let translator = Translator::new();
        let mut config = GuildConfig::new(Id::new(1));
        translator.follow_language(&mut config, Language::French);
        assert_eq!(
            config.welcome_template,
            translator.default_welcome(Language::French)
        );
        translator.follow_language(&mut config, Language::English);
        assert_eq!(
            config.welcome_template,
            translator.default_welcome(Language::English)
        );
        config.welcome_template = Template::parse("Hi $author").unwrap();
        translator.follow_language(&mut config, Language::French);
        assert_eq!(config.welcome_template.source(), "Hi $author");
    }
}
