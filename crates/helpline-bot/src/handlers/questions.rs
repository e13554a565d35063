//! `/topic questions name:` (MISSION A3, M1, B6): a modal of five inputs, one per question of
//! the topic's open form, each written as a few lines an admin can read and edit:
//!
//! ```text
//! What is your order number?
//! type: short
//! required: yes
//! length: 5-20
//! placeholder: #12345
//! ```
//!
//! The first line is the question; `type` is `short`, `paragraph` or `select` (with
//! `choices: A, B, C`); French keys (`genre`, `choix`, `obligatoire`, `longueur`, `indication`)
//! and values (`court`, `long`, `liste`, `oui`, `non`) are understood too. An empty input removes
//! its question. Everything is checked (Discord's limits by the domain) before anything is saved.

use crate::custom_id::{CustomId, question_input};
use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::auth::may_configure;
use helpline_domain::{FormQuestion, QuestionStyle, SelectChoice, TopicId};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};
use twilight_model::application::interaction::modal::ModalInteractionData;

/// The longest text of one question's input.
const INPUT_LENGTH: u16 = 1000;

/// A question as the lines of its input.
pub(super) fn format(question: &FormQuestion) -> String {
    let mut lines = vec![question.label.clone()];
    match &question.style {
        QuestionStyle::Short => lines.push("type: short".into()),
        QuestionStyle::Paragraph => lines.push("type: paragraph".into()),
        QuestionStyle::Select { choices } => {
            lines.push("type: select".into());
            let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
            lines.push(format!("choices: {}", labels.join(", ")));
        }
    }
    lines.push(format!(
        "required: {}",
        if question.required { "yes" } else { "no" }
    ));
    if question.min_length.is_some() || question.max_length.is_some() {
        lines.push(format!(
            "length: {}-{}",
            question.min_length.unwrap_or(0),
            question
                .max_length
                .unwrap_or(helpline_domain::limits::TEXT_INPUT_VALUE as u16)
        ));
    }
    if let Some(placeholder) = &question.placeholder {
        lines.push(format!("placeholder: {placeholder}"));
    }
    lines.join("\n")
}

/// A question from the lines of its input; `None` for an empty input; `Err(line)` names the
/// line that cannot be read.
pub(super) fn parse(text: &str) -> std::result::Result<Option<FormQuestion>, String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(label) = lines.next() else {
        return Ok(None);
    };
    let mut question = FormQuestion {
        label: label.to_owned(),
        placeholder: None,
        style: QuestionStyle::Short,
        required: true,
        min_length: None,
        max_length: None,
    };
    let mut choices: Option<Vec<SelectChoice>> = None;
    let mut select = false;
    for line in lines {
        let Some((key, value)) = line.split_once(':') else {
            return Err(line.to_owned());
        };
        let (key, value) = (key.trim().to_lowercase(), value.trim());
        let lower = value.to_lowercase();
        match key.as_str() {
            "type" | "genre" => match lower.as_str() {
                "short" | "court" => question.style = QuestionStyle::Short,
                "paragraph" | "long" => question.style = QuestionStyle::Paragraph,
                "select" | "liste" => select = true,
                _ => return Err(line.to_owned()),
            },
            "choices" | "choix" => {
                choices = Some(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(|label| SelectChoice {
                            label: label.to_owned(),
                            description: None,
                        })
                        .collect(),
                );
            }
            "required" | "obligatoire" => match lower.as_str() {
                "yes" | "oui" | "true" => question.required = true,
                "no" | "non" | "false" => question.required = false,
                _ => return Err(line.to_owned()),
            },
            "length" | "longueur" => {
                let (min, max) = value.split_once('-').ok_or_else(|| line.to_owned())?;
                question.min_length = Some(min.trim().parse().map_err(|_| line.to_owned())?);
                question.max_length = Some(max.trim().parse().map_err(|_| line.to_owned())?);
            }
            "placeholder" | "indication" => {
                question.placeholder = (!value.is_empty()).then(|| value.to_owned());
            }
            _ => return Err(line.to_owned()),
        }
    }
    if select || choices.is_some() {
        question.style = QuestionStyle::Select {
            choices: choices.unwrap_or_default(),
        };
        question.min_length = None;
        question.max_length = None;
    }
    Ok(Some(question))
}

/// `/topic questions name:`: the modal with the topic's questions to edit. Answered at once
/// (a modal cannot follow a deferral).
pub(super) async fn show(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let interaction = responder.interaction;
    let guild = super::guild_id(interaction)?;
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = super::language(bot, interaction, config.as_ref());
    let translator = &bot.inner.translator;
    let say = |text: String| responder.message(text, Vec::new());
    let actor = super::member(interaction)
        .ok_or_else(|| Error::Unexpected("/topic without a member".into()))?;
    if !may_configure(&actor) {
        return say(translator.text(lang, ui::NOT_ADMIN, &[])).await;
    }
    let Some(config) = config.filter(|c| !c.panels.is_empty()) else {
        return say(translator.text(lang, ui::NOT_SET_UP, &[])).await;
    };
    let name = match data.options.first().map(|o| &o.value) {
        Some(CommandOptionValue::SubCommand(options)) => super::admin::string(options, "name"),
        _ => None,
    }
    .unwrap_or_default();
    let topic = match super::find_topic(bot, lang, &config, &name, ui::TOPIC_NONE) {
        Ok(id) => config.topic(id).cloned().expect("found"),
        Err(reply) => return say(reply).await,
    };
    let inputs = (0..helpline_domain::limits::MODAL_COMPONENTS)
        .map(|index| {
            let value = topic.questions.get(index).map(format);
            #[allow(deprecated)] // `label` on the input itself; Discord reads the Label's.
            let input = twilight_model::channel::message::component::TextInput {
                custom_id: question_input(index),
                id: None,
                label: None,
                max_length: Some(INPUT_LENGTH),
                min_length: None,
                placeholder: None,
                required: Some(false),
                style: twilight_model::channel::message::component::TextInputStyle::Paragraph,
                value,
            };
            twilight_model::channel::message::Component::Label(
                twilight_model::channel::message::component::Label {
                    component: Box::new(twilight_model::channel::message::Component::TextInput(
                        input,
                    )),
                    description: (index == 0)
                        .then(|| translator.text(lang, ui::QUESTIONS_HELP, &[])),
                    id: None,
                    label: translator.text(
                        lang,
                        ui::QUESTIONS_LABEL,
                        &[("number", (index + 1).into())],
                    ),
                },
            )
        })
        .collect();
    let title: String = translator
        .text(
            lang,
            ui::QUESTIONS_TITLE,
            &[("topic", topic.name.clone().into())],
        )
        .chars()
        .take(helpline_domain::limits::MODAL_TITLE)
        .collect();
    responder
        .modal(CustomId::Questions(topic.id).to_text(), title, inputs)
        .await
}

/// The questions modal's submission: the questions parsed, checked and saved.
pub(super) async fn submitted(
    bot: &Bot,
    responder: &Responder<'_>,
    topic: TopicId,
    data: &ModalInteractionData,
) -> Result<()> {
    let Some((guild, _, lang)) = super::admin::acknowledged(bot, responder).await? else {
        return Ok(());
    };
    let translator = &bot.inner.translator;
    let mut questions = Vec::new();
    for index in 0..helpline_domain::limits::MODAL_COMPONENTS {
        let text = super::modal_value(data, &question_input(index)).unwrap_or_default();
        match parse(&text) {
            Ok(Some(question)) => questions.push(question),
            Ok(None) => {}
            Err(line) => {
                let reply = translator.text(
                    lang,
                    ui::QUESTIONS_BAD_LINE,
                    &[("line", line.into()), ("number", (index + 1).into())],
                );
                return responder.follow_up(&reply).await;
            }
        }
    }
    let saved = super::admin::save(bot, guild, |config| {
        let mut edited = config
            .topic(topic)
            .cloned()
            .ok_or_else(|| translator.text(lang, ui::CONFIG_CONFLICT, &[]))?;
        edited.questions = questions.clone();
        let name = edited.name.clone();
        config
            .update_topic(edited)
            .map_err(|invalid| translator.render(lang, &invalid))?;
        Ok(name)
    })
    .await?;
    let reply = match saved {
        super::admin::Saved::Done(_, name) => translator.text(
            lang,
            ui::QUESTIONS_SAVED,
            &[("topic", name.into()), ("count", questions.len().into())],
        ),
        super::admin::Saved::Refused(reply) => reply,
        super::admin::Saved::Conflict => translator.text(lang, ui::CONFIG_CONFLICT, &[]),
    };
    responder.follow_up(&reply).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_read_back_as_they_are_written() {
        let questions = [
            FormQuestion {
                label: "Order number".into(),
                placeholder: Some("#12345".into()),
                style: QuestionStyle::Short,
                required: true,
                min_length: Some(5),
                max_length: Some(20),
            },
            FormQuestion {
                label: "Plan".into(),
                placeholder: None,
                style: QuestionStyle::Select {
                    choices: vec![
                        SelectChoice {
                            label: "Free".into(),
                            description: None,
                        },
                        SelectChoice {
                            label: "Pro".into(),
                            description: None,
                        },
                    ],
                },
                required: false,
                min_length: None,
                max_length: None,
            },
        ];
        for question in questions {
            assert_eq!(parse(&format(&question)), Ok(Some(question)));
        }
        assert_eq!(parse("  \n "), Ok(None));
        let french =
            parse("Votre offre ?\ngenre : liste\nchoix : Gratuite, Pro\nobligatoire : non")
                .unwrap()
                .unwrap();
        assert!(!french.required);
        assert!(
            matches!(french.style, QuestionStyle::Select { ref choices } if choices.len() == 2)
        );
        assert_eq!(parse("Q\ntype: essay"), Err("type: essay".into()));
        assert_eq!(parse("Q\nlength: many"), Err("length: many".into()));
        assert_eq!(parse("Q\nno colon here"), Err("no colon here".into()));
    }
}
