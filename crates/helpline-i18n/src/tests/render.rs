//! Rendering every sample in every language, and the behaviours members rely on.

use super::ftl::variables_by_key;
use super::samples::{self, channel, role, user};
use crate::permissions::{self, Missing, NAMES};
use crate::translator::source;
use crate::{Arg, Localizer, TextError, Translator};
use helpline_domain::permissions::{BOT_REQUIRED, Permissions};
use helpline_domain::{
    CloseReason, Field, GuildConfig, GuildId, Language, Notice, Placeholder, Refusal,
    TemplateError, Topic, TopicId, ValidationError,
};
use std::collections::BTreeSet;

/// What is wrong with a rendered text: Fluent markers left in it, isolation marks, braces
/// outside code spans, blank text.
fn text_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if text.trim().is_empty() {
        problems.push("empty".to_owned());
    }
    if text != text.trim() {
        problems.push("leading or trailing whitespace".to_owned());
    }
    if text.contains(['\u{2068}', '\u{2069}']) {
        problems.push("Unicode isolation marks".to_owned());
    }
    if text.contains("???") {
        problems.push("Fluent's `???` marker".to_owned());
    }
    // Code spans may show braces on purpose (`${`); anything else is a Fluent leftover such as
    // `{$name}` for a variable nobody gave.
    let outside_code = text.split('`').step_by(2).collect::<String>();
    if outside_code.contains(['{', '}']) {
        problems.push("a brace outside a code span".to_owned());
    }
    problems
}

#[test]
fn the_text_checks_catch_fluent_leftovers() {
    assert!(text_problems("Hello <@1>.").is_empty());
    assert!(text_problems("Write `${` then `}`.").is_empty());
    assert!(!text_problems("Hello {$name}.").is_empty());
    assert!(!text_problems("Hello \u{2068}x\u{2069}").is_empty());
    assert!(!text_problems(" ").is_empty());
    assert!(!text_problems("{???}").is_empty());
}

#[test]
fn every_sample_renders_in_every_language_without_errors() {
    let translator = Translator::new();
    let mut failures = Vec::new();
    for language in Language::ALL {
        for sample in samples::all() {
            match translator.try_render(language, sample.value.as_ref()) {
                Ok(text) => {
                    for problem in text_problems(&text) {
                        failures.push(format!(
                            "{} {}: {problem} in {text:?}",
                            language.tag(),
                            sample.label
                        ));
                    }
                }
                Err(errors) => {
                    failures.push(format!("{} {}: {errors:?}", language.tag(), sample.label));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn french_differs_from_english_for_every_sentence() {
    let translator = Translator::new();
    for sample in samples::all() {
        let english = translator.render(Language::English, sample.value.as_ref());
        let french = translator.render(Language::French, sample.value.as_ref());
        // Proper names and one-word labels may coincide ("Question", "Minute"); sentences must not.
        if english.split_whitespace().count() > 3 {
            assert_ne!(english, french, "{} is not translated", sample.label);
        }
    }
}

#[test]
fn every_message_is_used() {
    let translator = Translator::new();
    let mut localizer = Localizer::new(&translator, Language::English);
    for sample in samples::all() {
        localizer.render(sample.value.as_ref());
    }
    let mut used = localizer.used_keys.clone();
    used.extend(NAMES.iter().map(|(_, key)| (*key).to_owned()));
    // For the bot's own use, with no domain value behind it.
    used.insert("common-internal_error".to_owned());
    used.extend(crate::ui::ALL.iter().map(|key| (*key).to_owned()));
    used.extend(crate::panel::ALL.iter().map(|key| (*key).to_owned()));
    let defined: BTreeSet<String> = variables_by_key(source(Language::English))
        .expect("English parses")
        .into_keys()
        .filter(|key| !key.starts_with('-'))
        // Command words belong to the bot's command registry, whose test checks each one it
        // names exists in every language.
        .filter(|key| !key.starts_with("cmd-"))
        .collect();
    let unused: Vec<&String> = defined.difference(&used).collect();
    assert!(unused.is_empty(), "messages nothing renders: {unused:?}");
    let undefined: Vec<&String> = used.difference(&defined).collect();
    assert!(
        undefined.is_empty(),
        "keys without a message: {undefined:?}"
    );
}

#[test]
fn the_translator_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Translator>();
}

#[test]
fn locale_chain_prefers_the_member_then_the_guild() {
    let translator = Translator::new();
    let cases = [
        (Some("fr"), Language::English, Language::French),
        (Some("en-GB"), Language::French, Language::English),
        (Some("en-US"), Language::French, Language::English),
        (Some("de"), Language::French, Language::French),
        (Some("de"), Language::English, Language::English),
        (None, Language::English, Language::English),
        (None, Language::French, Language::French),
    ];
    for (member, guild, expected) in cases {
        assert_eq!(
            translator.locale_for(member, guild),
            expected,
            "{member:?} in a {guild:?} guild"
        );
    }
}

#[test]
fn missing_keys_fall_back_to_english_then_to_the_key() {
    let translator = Translator::from_sources("only-english = Hello { $name }\n", "");
    let args = [("name", Arg::from("Ana"))];
    assert_eq!(
        translator.text(Language::French, "only-english", &args),
        "Hello Ana"
    );
    assert_eq!(
        translator.try_text(Language::French, "only-english", &args),
        Err(vec![TextError::MissingKey {
            language: Language::French,
            key: "only-english".to_owned(),
        }])
    );
    assert_eq!(translator.text(Language::French, "nowhere", &[]), "nowhere");
    assert_eq!(
        translator
            .try_text(Language::French, "nowhere", &[])
            .map_err(|errors| errors.len()),
        Err(2)
    );
    assert_eq!(
        translator.text(Language::English, "nowhere", &[]),
        "nowhere"
    );
}

#[test]
fn formatting_errors_are_reported_not_raised() {
    let translator = Translator::from_sources("greet = Hello { $name }\n", "broken = {\n");
    let text = translator.text(Language::English, "greet", &[]);
    assert!(!text_problems(&text).is_empty(), "{text:?}");
    let errors = translator
        .try_text(Language::English, "greet", &[])
        .expect_err("a missing variable is an error");
    assert!(
        matches!(errors.as_slice(), [TextError::Format { .. }]),
        "{errors:?}"
    );
    assert_eq!(
        translator.try_text(Language::English, "greet", &[("name", "Bo".into())]),
        Ok("Hello Bo".to_owned())
    );
}

#[test]
fn variables_are_not_wrapped_in_isolation_marks() {
    let translator = Translator::new();
    let text = translator.render(Language::English, &Notice::Claimed { by: user(1) });
    assert_eq!(text, "<@1> claimed this ticket and will take care of it.");
}

#[test]
fn french_plurals_follow_french_rules() {
    let translator = Translator::new();
    let wait = |secs| {
        translator.render(
            Language::French,
            &Refusal::Cooldown {
                retry_after_secs: secs,
            },
        )
    };
    assert!(wait(1).contains("patienter 1 seconde avant"), "{}", wait(1));
    assert!(
        wait(2).contains("patienter 2 secondes avant"),
        "{}",
        wait(2)
    );
    // French counts zero in the singular, English in the plural.
    assert!(wait(0).contains("0 seconde avant"), "{}", wait(0));
    let english_zero = translator.render(
        Language::English,
        &Refusal::Cooldown {
            retry_after_secs: 0,
        },
    );
    assert!(english_zero.contains("0 seconds"), "{english_zero}");
    assert!(wait(90).contains("1 minute et 30 secondes"), "{}", wait(90));
    assert!(wait(7200).contains("2 heures avant"), "{}", wait(7200));

    let one = Refusal::OpenLimitReached {
        limit: 1,
        open: vec![channel(7)],
    };
    assert_eq!(
        translator.render(Language::French, &one),
        "Vous avez déjà un ticket ouvert sur ce panel\u{a0}: <#7>. Fermez-le avant d'en ouvrir un nouveau."
    );
    let three = Refusal::OpenLimitReached {
        limit: 3,
        open: vec![channel(7), channel(8), channel(9)],
    };
    assert!(
        translator
            .render(Language::French, &three)
            .contains("3 tickets ouverts sur ce panel\u{a0}: <#7>, <#8>, <#9>. Fermez-en un")
    );
}

#[test]
fn transcripts_say_how_many_attachments_were_left_out() {
    let translator = Translator::new();
    let summary = |language, count: usize| {
        translator
            .try_text(
                language,
                crate::ui::TRANSCRIPT_LEFT_OUT_SUMMARY,
                &[("count", count.into())],
            )
            .expect("the summary formats")
    };
    assert!(summary(Language::English, 1).starts_with("1 attachment was left out of this file"));
    assert!(summary(Language::English, 3).starts_with("3 attachments were left out of this file"));
    assert!(summary(Language::French, 1).starts_with("1 pièce jointe a été retirée de ce fichier"));
    assert!(
        summary(Language::French, 3).starts_with("3 pièces jointes ont été retirées de ce fichier")
    );
    for language in Language::ALL {
        for count in [1, 2, 10] {
            let text = summary(language, count);
            assert!(text.contains("Discord"), "{text}");
            assert!(text_problems(&text).is_empty(), "{text}");
        }
        let label = translator
            .try_text(language, crate::ui::TRANSCRIPT_LEFT_OUT, &[])
            .expect("the label formats");
        assert!(text_problems(&label).is_empty(), "{label}");
    }
}

#[test]
fn durations_round_up_and_use_two_units() {
    let translator = Translator::new();
    let mut l = translator.localizer(Language::English);
    assert_eq!(l.duration(1), "1 second");
    assert_eq!(l.duration(60), "1 minute");
    assert_eq!(l.duration(61), "1 minute and 1 second");
    assert_eq!(l.duration(3600), "1 hour");
    assert_eq!(l.duration(3601), "1 hour and 1 minute");
    assert_eq!(l.duration(86_399), "24 hours");
    assert_eq!(l.duration(86_400), "1 day");
    assert_eq!(l.duration(90_061), "1 day and 2 hours");
    assert_eq!(l.finish(), Ok(()));
}

#[test]
fn refusals_tell_the_member_what_to_do() {
    let translator = Translator::new();
    let en = |refusal: &Refusal| translator.render(Language::English, refusal);
    assert_eq!(
        en(&Refusal::OpenLimitReached {
            limit: 2,
            open: vec![channel(7), channel(8)],
        }),
        "You already have 2 open tickets on this panel: <#7>, <#8>. Close one of them before opening a new one."
    );
    assert!(
        en(&Refusal::OpenLimitReached {
            limit: 1,
            open: vec![],
        })
        .contains("waiting for staff approval")
    );
    assert_eq!(
        en(&Refusal::Cooldown {
            retry_after_secs: 42
        }),
        "You opened a ticket here a moment ago. Please wait 42 seconds before opening another one."
    );
    assert!(en(&Refusal::NotClaimer { claimer: user(9) }).starts_with("<@9> has claimed"));
    assert!(en(&Refusal::ProtectedRole { role: role(5) }).starts_with("<@&5> is a staff"));
    let invalid = Refusal::Invalid(ValidationError::TooLong {
        field: Field::Reason,
        max: 512,
        actual: 600,
    });
    assert_eq!(
        en(&invalid),
        "**Reason** is too long: 600 characters, but at most 512 are allowed. Please shorten it and try again."
    );
    assert_eq!(
        translator.render(Language::French, &invalid),
        "Le champ **Raison** est trop long\u{a0}: 600 caractères, pour 512 au maximum. Raccourcissez-le puis réessayez."
    );
}

#[test]
fn validation_errors_name_the_limit_and_the_value() {
    let translator = Translator::new();
    let too_many = ValidationError::TooMany {
        what: helpline_domain::Countable::StaffRoles,
        max: 5,
        actual: 7,
    };
    assert_eq!(
        translator.render(Language::English, &too_many),
        "Too many staff roles: 7, but at most 5 are allowed. Remove 2 and try again."
    );
    assert_eq!(
        translator.render(Language::French, &too_many),
        "Limite dépassée pour les rôles staff\u{a0}: 7, pour 5 au maximum. Retirez-en 2 puis réessayez."
    );
    let cooldown = ValidationError::OutOfRange {
        field: Field::Cooldown,
        min: 0,
        max: 86_400,
        actual: 90_000,
    };
    assert!(
        translator
            .render(Language::English, &cooldown)
            .contains("between 0 and 86400 seconds (you entered 90000)")
    );
    let answer = ValidationError::OutOfRange {
        field: Field::Answer,
        min: 10,
        max: 100,
        actual: 1,
    };
    assert_eq!(
        translator.render(Language::English, &answer),
        "**Answer** must be between 10 and 100 characters long, but it has 1 character."
    );
}

#[test]
fn unknown_placeholders_list_the_valid_ones() {
    let translator = Translator::new();
    let error = ValidationError::Template {
        field: Field::WelcomeTemplate,
        error: TemplateError::UnknownPlaceholder {
            name: "autor".to_owned(),
            valid: Placeholder::valid_list(),
        },
    };
    let english = translator.render(Language::English, &error);
    assert!(
        english.starts_with(
            "There is a mistake in **Welcome message**. `$autor` is not a placeholder."
        )
    );
    assert!(english.contains(&Placeholder::valid_list()), "{english}");
    let french = translator.render(Language::French, &error);
    assert!(french.contains("`$autor` n'est pas une variable reconnue"));
    assert!(french.contains(&Placeholder::valid_list()), "{french}");
    assert_eq!(
        translator.render(Language::English, &TemplateError::Unclosed),
        "A placeholder opened with `${` is never closed. Add the missing `}`, or write `$$` for a plain dollar sign."
    );
}

#[test]
fn notices_mention_users_roles_and_reasons() {
    let translator = Translator::new();
    let en = |notice: &Notice| translator.render(Language::English, notice);
    let fr = |notice: &Notice| translator.render(Language::French, notice);
    assert_eq!(
        en(&Notice::Transferred {
            from: Some(user(1)),
            to: user(2),
            by: user(3),
        }),
        "<@3> transferred this ticket from <@1> to <@2>."
    );
    assert_eq!(
        en(&Notice::Transferred {
            from: Some(user(3)),
            to: user(2),
            by: user(3),
        }),
        "<@3> handed this ticket to <@2>."
    );
    assert_eq!(
        fr(&Notice::RoleAdded {
            role: role(5),
            by: user(1),
        }),
        "<@1> a ajouté le rôle <@&5> à ce ticket."
    );
    assert_eq!(
        en(&Notice::Closed {
            by: Some(user(1)),
            reason: CloseReason::Given("Solved".to_owned()),
        }),
        "<@1> closed this ticket.\nReason: Solved"
    );
    assert_eq!(
        en(&Notice::Closed {
            by: Some(user(1)),
            reason: CloseReason::NoneGiven,
        }),
        "<@1> closed this ticket."
    );
    assert_eq!(
        fr(&Notice::Closed {
            by: None,
            reason: CloseReason::Inactive(48),
        }),
        "Ce ticket a été fermé automatiquement après 2 jours sans activité."
    );
    assert_eq!(
        fr(&Notice::Refused {
            by: Some(user(1)),
            reason: Some("Doublon".to_owned()),
        }),
        "<@1> a refusé votre demande de ticket.\nRaison\u{a0}: Doublon"
    );
}

#[test]
fn moved_notices_name_the_topic_from_the_configuration() {
    let translator = Translator::new();
    let mut config = GuildConfig::new(GuildId::new(1));
    config.topics.push(Topic::new(TopicId(6), "Billing"));
    let moved = Notice::Moved {
        topic: TopicId(6),
        by: user(1),
    };
    let mut localizer = translator.localizer(Language::English).with_config(&config);
    assert_eq!(
        localizer.render(&moved),
        "<@1> moved this ticket to the topic **Billing**."
    );
    assert_eq!(localizer.finish(), Ok(()));
    assert_eq!(
        translator.render(Language::French, &moved),
        "<@1> a déplacé ce ticket vers le sujet **n°\u{a0}6**."
    );
}

#[test]
fn permission_names_follow_discord() {
    let translator = Translator::new();
    let two = Permissions::MANAGE_CHANNELS | Permissions::MANAGE_ROLES;
    assert_eq!(
        permissions::list(&translator, Language::English, two),
        "Manage Channels, Manage Roles"
    );
    assert_eq!(
        permissions::list(&translator, Language::French, two),
        "Gérer les salons, Gérer les rôles"
    );
    assert_eq!(
        permissions::list(&translator, Language::English, BOT_REQUIRED),
        "Manage Channels, View Channels, Send Messages, Manage Messages, Embed Links, \
         Attach Files, Read Message History, Manage Roles"
    );
    assert_eq!(
        permissions::names(&translator, Language::French, BOT_REQUIRED),
        [
            "Gérer les salons",
            "Voir les salons",
            "Envoyer des messages",
            "Gérer les messages",
            "Intégrer des liens",
            "Joindre des fichiers",
            "Voir les anciens messages",
            "Gérer les rôles",
        ]
    );
    assert_eq!(
        permissions::list(&translator, Language::English, Permissions::empty()),
        ""
    );
    assert_eq!(
        permissions::list(
            &translator,
            Language::English,
            Permissions::ADMINISTRATOR | Permissions::from_bits_retain(1 << 60)
        ),
        "Administrator, Unknown permission (bit 60)"
    );
}

#[test]
fn the_permission_table_names_every_discord_permission_once() {
    let mut named = Permissions::empty();
    for (permission, key) in NAMES {
        assert_eq!(permission.bits().count_ones(), 1, "{key} is one permission");
        assert!(!named.intersects(permission), "{key} is named twice");
        named |= permission;
    }
    assert_eq!(named, Permissions::all(), "every permission has a name");
}

#[test]
fn missing_permissions_say_what_to_grant_and_where() {
    let translator = Translator::new();
    assert_eq!(
        permissions::missing_message(&translator, Language::English, Permissions::MANAGE_ROLES),
        "I'm missing a permission I need on this server: Manage Roles. Ask an administrator to \
         grant it to my role in Server Settings → Roles, then try again."
    );
    let french = translator.render(
        Language::French,
        &Missing(Permissions::MANAGE_ROLES | Permissions::MANAGE_CHANNELS),
    );
    assert_eq!(
        french,
        "Il me manque des permissions nécessaires sur ce serveur\u{a0}: Gérer les salons, Gérer \
         les rôles. Demandez à un administrateur de les accorder à mon rôle dans Paramètres du \
         serveur → Rôles, puis réessayez."
    );
}
